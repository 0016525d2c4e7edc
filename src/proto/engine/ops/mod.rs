//! Each operation's own sequence, one file a concern: one-exchange and
//! chained commands with features and digests (`command`), connecting and
//! the control connection's security (`connect`), login (`login`),
//! passive mode and a transfer's start, end and abort (`transfer`), and
//! listings (`listing`). `task` turns an `Op` into its task, checking every
//! argument before anything is sent.

mod command;
mod connect;
mod listing;
mod login;
mod transfer;

use super::state::{ControlSecurity, Server};
use super::task::{Event, Move, Task};
use super::{Arg, Config, Failure, Op};
use crate::proto::command::{check_path, format, format_raw};
use crate::proto::conversation::raw_verb_refusal;
use crate::proto::encoding::Encoding;
use crate::proto::reply::Reply;

/// The task that carries `op` out.
pub fn task(op: Op, config: &Config, server: &Server, security: ControlSecurity) -> Result<Box<dyn Task>, Failure> {
    let encoding = config.encoding;
    let line = |verb: &str, arg: Option<&str>| format(verb, arg, encoding).map_err(Failure::from);
    Ok(match op {
        Op::Open { until } => Box::new(connect::Open::new(until)),
        Op::Login {
            user,
            password,
            account,
        } => Box::new(login::Login::new(&user, &password, account.as_deref(), encoding)?),
        Op::Features => Box::new(command::Features),
        Op::Command { verb, arg, accept } => {
            let arg = match &arg {
                Some(Arg::Path(path)) => {
                    check_path("path", path)?;
                    Some(path.as_str())
                }
                Some(Arg::Text(text)) => Some(text.as_str()),
                None => None,
            };
            Box::new(command::Chain::one(line(verb, arg)?, accept))
        }
        Op::Raw(text) => {
            let bytes = format_raw(&text, encoding)?;
            let (verb, _) = super::state::split_line(&text);
            if let Some(why) = raw_verb_refusal(&verb) {
                return Err(Failure::Invalid(format!("{verb} {why}")));
            }
            Box::new(command::Chain::one(bytes, super::Accept::Any))
        }
        Op::Rename { from, to } => {
            check_path("source path", &from)?;
            check_path("target path", &to)?;
            Box::new(command::Chain::rename(
                line("RNFR", Some(&from))?,
                line("RNTO", Some(&to))?,
            ))
        }
        Op::SetTime { path, time } => {
            check_path("path", &path)?;
            let arg = format!("{time} {path}");
            Box::new(command::SetTime::new(
                line("MFMT", Some(&arg))?,
                line("MDTM", Some(&arg))?,
            ))
        }
        Op::Size(path) => {
            check_path("path", &path)?;
            Box::new(command::Chain::size(server, line("SIZE", Some(&path))?))
        }
        Op::SetType(kind) => Box::new(command::SetType::new(kind)),
        Op::SetProtection(data) => Box::new(connect::protection(security, data)?),
        Op::ClearControl => Box::new(connect::Clear::new(security)?),
        Op::Hash { path, wanted } => {
            check_path("path", &path)?;
            Box::new(command::Hash::new(path, wanted, encoding)?)
        }
        Op::Transfer { verb, path, rest } => {
            if let Some(path) = &path {
                check_path("path", path)?;
            }
            Box::new(transfer::Opening::new(line(verb, path.as_deref())?, rest, None))
        }
        Op::Listing { kind, path } => {
            if let Some(path) = &path {
                check_path("path", path)?;
            }
            Box::new(listing::Listing::new(kind, path, encoding)?)
        }
        Op::Finish => Box::new(transfer::Finish::default()),
        Op::Abort => Box::new(transfer::Abort::default()),
        Op::KeepAlive => Box::new(transfer::KeepAlive),
        Op::RelayListen => Box::new(transfer::RelayListen::new(security)?),
        Op::RelayStart { path, from } => {
            check_path("path", &path)?;
            Box::new(transfer::RelayStart::new(security, &path, from, encoding)?)
        }
        Op::Quit { goodbye } => Box::new(connect::Quit::new(goodbye)),
    })
}

/// What a task says to an event it never asked for: only a driver that
/// breaks the lock-step can cause one, and it fails that call, not a panic.
fn unexpected(event: Event) -> Move {
    Move::fail(Failure::Invalid(format!("the conversation did not expect {event:?}")))
}

/// Success if `accept` admits the reply, else the reply as the failure.
fn settle(reply: Reply, accept: super::Accept) -> Move {
    if accept.admits(reply.code) {
        Move::Done(Ok(super::Outcome::Reply(reply)))
    } else {
        Move::fail(Failure::Refused(reply))
    }
}

/// `format` for a line whose argument was already checked.
fn line_in(verb: &str, arg: Option<&str>, encoding: Encoding) -> Result<Vec<u8>, Failure> {
    format(verb, arg, encoding).map_err(Failure::from)
}
