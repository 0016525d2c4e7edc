//! Server-to-server copies (ftplib's `ftpcp`, known as FXP): the source
//! server listens (PASV/EPSV), the target is told to connect there (PORT/
//! EPRT) and store, the source to retrieve; the bytes go between the two
//! servers and this client never listens or touches them.

use super::{reply_of, Session};
use crate::error::{Error, Result};
use crate::proto::engine::{Op, Outcome};
use crate::proto::reply::Reply;
use std::net::SocketAddr;

impl Session {
    /// The source side's first step: TYPE I, then the address its server
    /// now listens on, by the same rule as a data connection's (the control
    /// connection's peer unless `trust-pasv-host`).
    pub fn relay_listen(&mut self) -> Result<SocketAddr> {
        match self.run(Op::RelayListen)? {
            Outcome::Listening(at) => Ok(at),
            _ => Err(Error::InvalidInput("the server named no address".into())),
        }
    }

    /// Starts the target side (STOR `path` with the server connecting to
    /// `from`) or, with no `from`, the source side (RETR `path` after
    /// `relay_listen`); returns the 1xx, the session busy until
    /// `finish_transfer` or `abort_transfer`.
    pub fn relay_start(&mut self, path: &str, from: Option<SocketAddr>) -> Result<Reply> {
        let opened = self.run(Op::RelayStart {
            path: path.to_string(),
            from,
        })?;
        reply_of(opened)
    }
}
