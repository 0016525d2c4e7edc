//! The control connection: sends command lines and reads whole replies,
//! bounded in line length and reply size.

use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::stream::Stream;
use crate::proto::lines::LineBuffer;
use crate::proto::reply::{Reply, ReplyParser};

/// A multi-line reply may hold this many times the line bound (a STAT or HELP
/// listing) before it is treated as endless.
const REPLY_LINES_BOUND: usize = 256;

pub struct Control {
    conn: Stream,
    lines: LineBuffer,
    parser: ReplyParser,
}

impl Control {
    pub fn new(conn: Stream, max_line: usize) -> Self {
        Self {
            conn,
            lines: LineBuffer::new(max_line),
            parser: ReplyParser::new(max_line.saturating_mul(REPLY_LINES_BOUND)),
        }
    }

    pub fn send(&mut self, line: &[u8], deadline: &Deadline) -> Result<()> {
        self.conn.write_all(line, deadline)?;
        self.conn.flush(deadline)
    }

    /// The next complete reply, whatever its code.
    pub fn read_reply(&mut self, deadline: &Deadline) -> Result<Reply> {
        loop {
            while let Some(line) = self.lines.next_line()? {
                if let Some(reply) = self.parser.push_line(&line)? {
                    return Ok(reply);
                }
            }
            let room = self.lines.room().max(1);
            match self.conn.read(room, deadline)? {
                Some(bytes) => self.lines.extend(&bytes),
                None => return Err(Error::Closed),
            }
        }
    }

    /// A reply if one has fully arrived, without waiting for more.
    #[cfg(feature = "secure")]
    pub fn try_read_reply(&mut self, deadline: &Deadline) -> Result<Option<Reply>> {
        loop {
            while let Some(line) = self.lines.next_line()? {
                if let Some(reply) = self.parser.push_line(&line)? {
                    return Ok(Some(reply));
                }
            }
            let room = self.lines.room().max(1);
            match self.conn.try_read(room, deadline)? {
                Some(bytes) if bytes.is_empty() => return Ok(None),
                Some(bytes) => self.lines.extend(&bytes),
                None => return Err(Error::Closed),
            }
        }
    }

    /// Fires when the server has sent something.
    #[cfg(feature = "secure")]
    pub fn readable(&self) -> &wasi::io::poll::Pollable {
        self.conn.readable()
    }

    /// The connection itself, to upgrade it to TLS after `AUTH TLS`. Bytes
    /// already buffered past the 234 reply would be plain text smuggled into
    /// the secured session, so they are refused.
    pub fn into_stream(self) -> Result<Stream> {
        if !self.lines.is_empty() {
            return Err(Error::Protocol(crate::proto::ProtocolError::MalformedReply(
                "data after the AUTH TLS reply".into(),
            )));
        }
        Ok(self.conn)
    }

    /// The next reply that is not preliminary (1xx replies are skipped, as
    /// RFC 959 says another reply follows them).
    pub fn read_final(&mut self, deadline: &Deadline) -> Result<Reply> {
        loop {
            let reply = self.read_reply(deadline)?;
            if reply.code >= 200 {
                return Ok(reply);
            }
        }
    }
}
