//! The commands that are one request and its reply (or a short chain the
//! engine runs): directories, files, server information, the raw command,
//! the transfer type, data protection and CCC.

use super::{Session, TransferType};
use crate::error::{Error, Result};
use crate::proto::engine::{Accept, Arg, DataProtection, Op};
use crate::proto::listing::{parse_mlsd_line, Entry};
use crate::proto::reply::Reply;
use crate::proto::response::{parse_257, parse_size};
use crate::proto::time::{format_time_val, parse_mdtm, Timestamp};
use crate::proto::ProtocolError;

/// A reply whose value could not be read.
fn malformed(verb: &'static str, reply: &Reply) -> Error {
    Error::Protocol(ProtocolError::MalformedValue {
        verb,
        text: reply.text(),
    })
}

/// A command whose optional argument must be non-empty, 2xx for success.
fn with_argument(verb: &'static str, arg: Option<&str>) -> Op {
    Op::Command {
        verb,
        arg: arg.map(|a| Arg::Text(a.to_string())),
        accept: Accept::Completion,
    }
}

impl Session {
    pub fn system(&mut self) -> Result<String> {
        Ok(self
            .reply(Op::bare("SYST", Accept::Codes(&[215])))?
            .first_line()
            .to_string())
    }

    pub fn status(&mut self, path: Option<&str>) -> Result<Reply> {
        self.reply(with_argument("STAT", path))
    }

    pub fn help(&mut self, topic: Option<&str>) -> Result<Reply> {
        self.reply(with_argument("HELP", topic))
    }

    pub fn site(&mut self, arguments: &str) -> Result<Reply> {
        self.reply(with_argument("SITE", Some(arguments)))
    }

    pub fn account(&mut self, info: &str) -> Result<Reply> {
        self.reply(with_argument("ACCT", Some(info)))
    }

    pub fn reinitialize(&mut self) -> Result<Reply> {
        self.reply(Op::bare("REIN", Accept::Completion))
    }

    pub fn modified_time(&mut self, path: &str) -> Result<Timestamp> {
        let reply = self.reply(Op::Command {
            verb: "MDTM",
            arg: Some(Arg::Path(path.to_string())),
            accept: Accept::Codes(&[213]),
        })?;
        Ok(parse_mdtm(reply.first_line())?)
    }

    pub fn set_modified_time(&mut self, path: &str, time: Timestamp) -> Result<Reply> {
        self.reply(Op::SetTime {
            path: path.to_string(),
            time: format_time_val(time),
        })
    }

    pub fn stat_entry(&mut self, path: &str) -> Result<Entry> {
        let reply = self.reply(Op::Command {
            verb: "MLST",
            arg: Some(Arg::Path(path.to_string())),
            accept: Accept::Codes(&[250]),
        })?;
        // 250-Listing path / " facts; name" / 250 End
        reply
            .lines
            .iter()
            .skip(1)
            .find(|l| l.starts_with(' '))
            .and_then(|l| parse_mlsd_line(l))
            .ok_or_else(|| malformed("MLST", &reply))
    }

    /// A caller's own line (ftplib's `sendcmd`); what the session keeps of
    /// the server's state follows whatever it was.
    pub fn command(&mut self, line: &str) -> Result<Reply> {
        self.reply(Op::Raw(line.to_string()))
    }

    pub fn noop(&mut self) -> Result<Reply> {
        self.reply(Op::bare("NOOP", Accept::Completion))
    }

    /// QUIT; the session is closed whatever the answer.
    pub fn quit(&mut self) -> Result<Reply> {
        let result = self.reply(Op::Quit { goodbye: false });
        self.close();
        result
    }

    pub fn cwd(&mut self, path: &str) -> Result<Reply> {
        self.reply(Op::path("CWD", path))
    }

    pub fn cdup(&mut self) -> Result<Reply> {
        self.reply(Op::bare("CDUP", Accept::Completion))
    }

    pub fn pwd(&mut self) -> Result<String> {
        let reply = self.reply(Op::bare("PWD", Accept::Codes(&[257])))?;
        parse_257(reply.first_line()).ok_or_else(|| malformed("PWD", &reply))
    }

    pub fn mkd(&mut self, path: &str) -> Result<String> {
        let reply = self.reply(Op::path("MKD", path))?;
        Ok(parse_257(reply.first_line()).unwrap_or_else(|| path.to_string()))
    }

    pub fn rmd(&mut self, path: &str) -> Result<Reply> {
        self.reply(Op::path("RMD", path))
    }

    pub fn delete(&mut self, path: &str) -> Result<Reply> {
        self.reply(Op::path("DELE", path))
    }

    pub fn rename(&mut self, from: &str, to: &str) -> Result<Reply> {
        self.reply(Op::Rename {
            from: from.to_string(),
            to: to.to_string(),
        })
    }

    pub fn size(&mut self, path: &str) -> Result<u64> {
        let reply = self.reply(Op::Size(path.to_string()))?;
        Ok(parse_size(reply.first_line())?)
    }

    pub fn set_transfer_type(&mut self, kind: TransferType) -> Result<Reply> {
        self.reply(Op::SetType(kind))
    }

    pub fn transfer_type(&self) -> TransferType {
        self.engine.server().wanted_type
    }

    /// PROT P (`private`) or PROT C for the transfers from now on (ftplib's
    /// `prot_p`/`prot_c`); the session follows only once the server agrees.
    pub fn set_data_protection(&mut self, private: bool) -> Result<Reply> {
        self.reply(Op::SetProtection(if private {
            DataProtection::Private
        } else {
            DataProtection::Clear
        }))
    }

    /// CCC (RFC 4217 §6, ftplib's `ccc`): after login, the control
    /// connection goes back to plain text so a NAT firewall can follow it;
    /// data connections keep the protection PROT set. Only where TLS is the
    /// component's own: the host's `wasi:tls` cannot hand its connection
    /// back in the clear. A fault while TLS is being ended closes the session.
    pub fn clear_command_channel(&mut self) -> Result<Reply> {
        if cfg!(not(feature = "tls")) && self.ensure_idle().is_ok() && self.security_is_on() {
            return Err(Error::InvalidInput(
                "CCC needs the build with TLS inside the component: the host's TLS cannot hand back its connection"
                    .into(),
            ));
        }
        self.reply(Op::ClearControl)
    }

    /// TLS is on the control connection now.
    fn security_is_on(&self) -> bool {
        matches!(
            self.engine.security(),
            crate::proto::engine::ControlSecurity::Secured { .. }
        )
    }
}
