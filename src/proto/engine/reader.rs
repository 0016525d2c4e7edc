//! The control connection's incoming side: bytes to lines (each bounded)
//! to whole replies (each bounded), recorded when a trace is on.

use crate::proto::encoding::Encoding;
use crate::proto::lines::LineBuffer;
use crate::proto::reply::{Reply, ReplyParser};
use crate::proto::trace::Trace;
use crate::proto::ProtocolError;

/// A multi-line reply may hold this many times the line bound (a STAT or
/// HELP listing) before it is treated as endless.
const REPLY_LINES_BOUND: usize = 256;

pub struct Reader {
    lines: LineBuffer,
    parser: ReplyParser,
}

impl Reader {
    pub fn new(max_line: usize, encoding: Encoding) -> Self {
        Self {
            lines: LineBuffer::new(max_line),
            parser: ReplyParser::new(max_line.saturating_mul(REPLY_LINES_BOUND), encoding),
        }
    }

    /// How much may be read now without breaking the line bound (at least
    /// one byte, so a full buffer still makes progress to its error).
    pub fn room(&self) -> usize {
        self.lines.room().max(1)
    }

    pub fn extend(&mut self, bytes: &[u8]) {
        self.lines.extend(bytes);
    }

    /// Nothing has arrived that is not yet part of a reply taken.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The next whole reply among the bytes that have arrived.
    pub fn next_reply(&mut self, mut trace: Option<&mut Trace>) -> Result<Option<Reply>, ProtocolError> {
        while let Some(line) = self.lines.next_line()? {
            if let Some(trace) = trace.as_deref_mut() {
                trace.received(&line);
            }
            if let Some(reply) = self.parser.push_line(&line)? {
                return Ok(Some(reply));
            }
        }
        Ok(None)
    }
}
