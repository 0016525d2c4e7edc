//! Server-to-server copies (ftplib's `ftpcp`, known as FXP): the source
//! server listens (PASV/EPSV), the target is told to connect there (PORT/
//! EPRT) and store, the source to retrieve; the bytes go between the two
//! servers and this client never listens or touches them.

use super::{is_2xx, Session, TransferType};
use crate::error::{Error, Result};
use crate::proto::command::{self, check_path};
use crate::proto::passive::port_command;
use crate::proto::reply::Reply;
use std::net::SocketAddr;

impl Session {
    /// The source side's first step: TYPE I, then the address its server
    /// now listens on, by the same rule as a data connection's (the control
    /// connection's peer unless `trust-pasv-host`).
    pub fn relay_listen(&mut self) -> Result<SocketAddr> {
        self.relay_ready()?;
        let (ip, port) = self.passive_address()?;
        Ok(SocketAddr::new(ip, port))
    }

    /// Starts the target side (STOR `path` with the server connecting to
    /// `from`) or, with no `from`, the source side (RETR `path` after
    /// `relay_listen`); returns the 1xx, the session busy until
    /// `finish_transfer` or `abort_transfer`.
    pub fn relay_start(&mut self, path: &str, from: Option<SocketAddr>) -> Result<Reply> {
        check_path("path", path)?;
        self.relay_ready()?;
        let verb = match from {
            Some(from) => {
                let (port_verb, address) = port_command(from);
                self.expect(port_verb, Some(&address), is_2xx)?;
                "STOR"
            }
            None => "RETR",
        };
        let line = command::format(verb, Some(path), self.options.encoding)?;
        let first = self.on_control(|control, deadline| {
            control.send(&line, deadline)?;
            control.read_reply(deadline)
        })?;
        self.await_transfer_start(first)
    }

    /// Idle, data in the clear, and the server in binary mode: bytes are
    /// copied as they are, and two servers cannot secure a connection
    /// between themselves without extensions (SSCN, CPSV) few offer.
    fn relay_ready(&mut self) -> Result<()> {
        self.ensure_idle()?;
        if self.secured.as_ref().is_some_and(|s| s.protect_data()) {
            return Err(Error::InvalidInput(
                "a server-to-server copy needs clear data connections (PROT C) on both sessions".into(),
            ));
        }
        if self.server_type != Some(TransferType::Binary) {
            self.expect("TYPE", Some("I"), is_2xx)?;
            self.server_type = Some(TransferType::Binary);
        }
        Ok(())
    }
}
