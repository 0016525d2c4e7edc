//! One side of a server-to-server copy, open until finished or aborted
//! (dropping it aborts), as a download or upload is; the session stays
//! busy meanwhile.

use crate::error::{Error, Result};
use crate::proto::reply::Reply;
use crate::transfer::Shared;
use std::net::SocketAddr;

pub struct Relay {
    /// `None` once finished or aborted.
    session: Option<Shared>,
    started: Reply,
}

impl Relay {
    /// The target side with `from` (PORT, STOR `path`), else the source
    /// side (RETR `path`).
    pub fn start(session: Shared, path: &str, from: Option<SocketAddr>) -> Result<Self> {
        let started = session.borrow_mut().relay_start(path, from)?;
        Ok(Self {
            session: Some(session),
            started,
        })
    }

    /// The server's 1xx: the copy has begun on this side.
    pub fn started(&self) -> &Reply {
        &self.started
    }

    /// Waits for this side's final reply, which must be 2xx.
    pub fn finish(&mut self) -> Result<Reply> {
        let session = self.session.take().ok_or_else(done)?;
        let reply = session.borrow_mut().finish_transfer();
        reply
    }

    /// ABOR on this side; the session stays usable.
    pub fn abort(&mut self) -> Result<()> {
        let session = self.session.take().ok_or_else(done)?;
        let result = session.borrow_mut().abort_transfer();
        result
    }
}

fn done() -> Error {
    Error::InvalidInput("the copy is already finished".into())
}

impl Drop for Relay {
    fn drop(&mut self) {
        if self.session.is_some() {
            let _ = self.abort();
        }
    }
}
