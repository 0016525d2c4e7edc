//! The control connection: sends command lines and reads whole replies,
//! bounded in line length and reply size.

use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::proto::encoding::Encoding;
use crate::proto::lines::LineBuffer;
use crate::proto::reply::{Reply, ReplyParser};
use crate::proto::trace::Trace;
use crate::stream::Stream;

/// A multi-line reply may hold this many times the line bound (a STAT or HELP
/// listing) before it is treated as endless.
const REPLY_LINES_BOUND: usize = 256;

pub struct Control {
    conn: Stream,
    lines: LineBuffer,
    parser: ReplyParser,
    encoding: Encoding,
    /// The conversation, recorded while the caller asks for it.
    trace: Option<Trace>,
}

impl Control {
    pub fn new(conn: Stream, max_line: usize, encoding: Encoding) -> Self {
        Self {
            conn,
            lines: LineBuffer::new(max_line),
            parser: ReplyParser::new(max_line.saturating_mul(REPLY_LINES_BOUND), encoding),
            encoding,
            trace: None,
        }
    }

    /// Starts (with a fresh record) or stops recording the conversation.
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on.then(|| Trace::new(self.encoding));
    }

    /// The recorded lines since the last call; none when not recording.
    pub fn take_trace(&mut self) -> Vec<String> {
        self.trace.as_mut().map(Trace::take).unwrap_or_default()
    }

    /// The record itself, to move to the connection that replaces this
    /// one (after AUTH TLS) with `attach_trace`.
    pub fn detach_trace(&mut self) -> Option<Trace> {
        self.trace.take()
    }

    pub fn attach_trace(&mut self, trace: Option<Trace>) {
        self.trace = trace;
    }

    /// The next line of a reply, recorded when tracing.
    fn next_line(&mut self) -> Result<Option<Vec<u8>>> {
        let line = self.lines.next_line()?;
        if let (Some(trace), Some(line)) = (self.trace.as_mut(), line.as_ref()) {
            trace.received(line);
        }
        Ok(line)
    }

    pub fn send(&mut self, line: &[u8], deadline: &Deadline) -> Result<()> {
        if let Some(trace) = self.trace.as_mut() {
            trace.sent(line);
        }
        self.conn.write_all(line, deadline)?;
        self.conn.flush(deadline)
    }

    /// The next complete reply, whatever its code.
    pub fn read_reply(&mut self, deadline: &Deadline) -> Result<Reply> {
        loop {
            while let Some(line) = self.next_line()? {
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
            while let Some(line) = self.next_line()? {
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

    /// The connection itself, to secure it after `AUTH TLS` or clear it
    /// after `CCC`. Bytes already buffered past that reply would cross from
    /// one side of the change to the other, so they are refused.
    pub fn into_stream(self, verb: &str) -> Result<Stream> {
        if !self.lines.is_empty() {
            return Err(Error::Protocol(crate::proto::ProtocolError::MalformedReply(format!(
                "data after the {verb} reply"
            ))));
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
