//! The commands that are one request and its reply: directories, files,
//! server information, the raw command, and the transfer type.

use super::{is_2xx, is_code, Session, TransferType};
use crate::error::{Error, Result};
use crate::proto::command::{self, check_path};
use crate::proto::conversation;
use crate::proto::listing::{parse_mlsd_line, Entry};
use crate::proto::reply::Reply;
use crate::proto::response::{parse_257, parse_size};
use crate::proto::time::{format_time_val, parse_mdtm, Timestamp};
use crate::proto::ProtocolError;

impl Session {
    pub fn system(&mut self) -> Result<String> {
        self.ensure_idle()?;
        Ok(self.expect("SYST", None, is_code(&[215]))?.first_line().to_string())
    }

    /// A command whose optional argument is checked, accepting `ok` replies.
    fn optional_arg_cmd(&mut self, verb: &str, arg: Option<&str>, ok: impl Fn(u16) -> bool) -> Result<Reply> {
        self.ensure_idle()?;
        if let Some(a) = arg {
            check_path("argument", a)?;
        }
        self.expect(verb, arg, ok)
    }

    pub fn status(&mut self, path: Option<&str>) -> Result<Reply> {
        self.optional_arg_cmd("STAT", path, is_2xx)
    }

    pub fn help(&mut self, topic: Option<&str>) -> Result<Reply> {
        self.optional_arg_cmd("HELP", topic, is_2xx)
    }

    pub fn site(&mut self, arguments: &str) -> Result<Reply> {
        self.optional_arg_cmd("SITE", Some(arguments), is_2xx)
    }

    pub fn account(&mut self, info: &str) -> Result<Reply> {
        self.optional_arg_cmd("ACCT", Some(info), is_2xx)
    }

    pub fn reinitialize(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        self.server_type = None;
        self.features = None;
        self.expect("REIN", None, is_2xx)
    }

    pub fn modified_time(&mut self, path: &str) -> Result<Timestamp> {
        self.ensure_idle()?;
        check_path("path", path)?;
        let reply = self.expect("MDTM", Some(path), is_code(&[213]))?;
        Ok(parse_mdtm(reply.first_line())?)
    }

    pub fn set_modified_time(&mut self, path: &str, time: Timestamp) -> Result<Reply> {
        self.ensure_idle()?;
        check_path("path", path)?;
        let arg = format!("{} {path}", format_time_val(time));
        let reply = self.cmd("MFMT", Some(&arg))?;
        match reply.code {
            200..=299 => Ok(reply),
            // vsftpd and others set times with the two-argument MDTM form.
            500 | 502 => self.expect("MDTM", Some(&arg), is_2xx),
            _ => Err(Error::from_reply(reply)),
        }
    }

    pub fn stat_entry(&mut self, path: &str) -> Result<Entry> {
        self.ensure_idle()?;
        check_path("path", path)?;
        let reply = self.expect("MLST", Some(path), is_code(&[250]))?;
        // 250-Listing path / " facts; name" / 250 End
        reply
            .lines
            .iter()
            .skip(1)
            .find(|l| l.starts_with(' '))
            .and_then(|l| parse_mlsd_line(l))
            .ok_or_else(|| {
                Error::Protocol(ProtocolError::MalformedValue {
                    verb: "MLST",
                    text: reply.text(),
                })
            })
    }

    pub fn command(&mut self, line: &str) -> Result<Reply> {
        self.ensure_idle()?;
        let bytes = command::format_raw(line, self.options.encoding)?;
        let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        if let Some(why) = conversation::raw_verb_refusal(&verb) {
            return Err(Error::InvalidInput(format!("{verb} {why}")));
        }
        let reply = self.exchange(&bytes)?;
        // The server's TYPE or login state may have changed behind our back.
        if matches!(verb.as_str(), "TYPE" | "REIN" | "USER") {
            self.server_type = None;
        }
        if matches!(verb.as_str(), "REIN" | "USER" | "PASS" | "ACCT") {
            self.features = None;
        }
        Ok(reply)
    }

    pub fn noop(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        self.expect("NOOP", None, is_2xx)
    }

    pub fn quit(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        let result = self.expect("QUIT", None, is_2xx);
        self.close();
        result
    }

    pub fn cwd(&mut self, path: &str) -> Result<Reply> {
        self.path_cmd("CWD", path)
    }

    pub fn cdup(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        self.expect("CDUP", None, is_2xx)
    }

    pub fn pwd(&mut self) -> Result<String> {
        self.ensure_idle()?;
        let reply = self.expect("PWD", None, is_code(&[257]))?;
        parse_257(reply.first_line()).ok_or_else(|| {
            Error::Protocol(ProtocolError::MalformedValue {
                verb: "PWD",
                text: reply.text(),
            })
        })
    }

    pub fn mkd(&mut self, path: &str) -> Result<String> {
        let reply = self.path_cmd("MKD", path)?;
        Ok(parse_257(reply.first_line()).unwrap_or_else(|| path.to_string()))
    }

    pub fn rmd(&mut self, path: &str) -> Result<Reply> {
        self.path_cmd("RMD", path)
    }

    pub fn delete(&mut self, path: &str) -> Result<Reply> {
        self.path_cmd("DELE", path)
    }

    pub fn rename(&mut self, from: &str, to: &str) -> Result<Reply> {
        self.ensure_idle()?;
        check_path("source path", from)?;
        check_path("target path", to)?;
        self.expect("RNFR", Some(from), is_code(&[350]))?;
        self.expect("RNTO", Some(to), is_2xx)
    }

    pub fn size(&mut self, path: &str) -> Result<u64> {
        self.ensure_idle()?;
        check_path("path", path)?;
        self.sync_type()?;
        let reply = self.expect("SIZE", Some(path), is_code(&[213]))?;
        Ok(parse_size(reply.first_line())?)
    }

    pub fn set_transfer_type(&mut self, kind: TransferType) -> Result<Reply> {
        self.ensure_idle()?;
        self.server_type = None;
        let reply = self.expect("TYPE", Some(kind.code()), is_2xx)?;
        self.wanted_type = kind;
        self.server_type = Some(kind);
        Ok(reply)
    }

    pub fn transfer_type(&self) -> TransferType {
        self.wanted_type
    }
}
