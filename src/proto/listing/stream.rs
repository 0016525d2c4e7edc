//! A listing parsed as its bytes arrive, so a directory of any size needs
//! memory for one line and the entries not yet handed on, never the body.

use super::{parse_line, Entry};
use crate::proto::encoding::Encoding;
use crate::proto::lines::LineBuffer;
use crate::proto::time::Timestamp;
use crate::proto::ProtocolError;

/// The longest listing line accepted: far beyond any real name and facts,
/// small enough that a line without an end cannot grow without bound.
pub const MAX_LISTING_LINE: usize = 64 << 10;

/// Bytes in, entries out: LIST (in its dialects) or MLSD.
#[derive(Debug)]
pub struct EntryStream {
    lines: LineBuffer,
    machine: bool,
    now: Timestamp,
    encoding: Encoding,
    ended: bool,
}

impl EntryStream {
    /// `now` places LIST dates that omit the year.
    pub fn new(machine: bool, now: Timestamp, encoding: Encoding) -> Self {
        Self {
            lines: LineBuffer::new(MAX_LISTING_LINE),
            machine,
            now,
            encoding,
            ended: false,
        }
    }

    /// How many bytes `feed` may take now; the I/O layer reads no more.
    pub fn room(&self) -> usize {
        self.lines.room()
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.lines.extend(bytes);
    }

    /// The data connection has ended: a last line without its line ending
    /// is still an entry.
    pub fn end(&mut self) {
        if !self.ended && !self.lines.is_empty() {
            self.lines.extend(b"\n");
        }
        self.ended = true;
    }

    /// The next entry from the lines complete so far (`total` and blank
    /// lines carry none and are skipped).
    pub fn next_entry(&mut self) -> Result<Option<Entry>, ProtocolError> {
        while let Some(line) = self.lines.next_line()? {
            if let Some(entry) = parse_line(&line, self.machine, self.now, self.encoding) {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::listing::{parse_listing, TEST_NOW};

    fn drain(stream: &mut EntryStream) -> Vec<Entry> {
        let mut out = Vec::new();
        while let Some(e) = stream.next_entry().unwrap() {
            out.push(e);
        }
        out
    }

    #[test]
    fn any_split_of_the_bytes_gives_the_whole_body_entries() {
        let body: &[u8] = b"total 3\r\n-rw-r--r-- 1 a b 5 Nov 24 10:30 x\r\ndrwxr-xr-x 2 a b 4096 Jan  1  2024 sub dir\n\nweird\r\n-rw-r--r-- 1 a b 7 Nov 24 10:30 last";
        let whole = parse_listing(body, false, TEST_NOW, Encoding::Utf8);
        assert_eq!(whole.len(), 4);
        for size in 1..body.len() {
            let mut stream = EntryStream::new(false, TEST_NOW, Encoding::Utf8);
            let mut got = Vec::new();
            for chunk in body.chunks(size) {
                assert!(stream.room() >= chunk.len());
                stream.feed(chunk);
                got.extend(drain(&mut stream));
            }
            stream.end();
            got.extend(drain(&mut stream));
            assert_eq!(got, whole, "chunks of {size}");
        }
    }

    #[test]
    fn mlsd_lines_and_latin1_names() {
        let mut stream = EntryStream::new(true, TEST_NOW, Encoding::Latin1);
        stream.feed(b"type=file;size=3; caf\xe9\r\ntype=dir; d\r\n");
        let got = drain(&mut stream);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "caf\u{e9}");
        assert_eq!(got[0].size, Some(3));
    }

    #[test]
    fn a_line_without_end_is_bounded() {
        let mut stream = EntryStream::new(false, TEST_NOW, Encoding::Utf8);
        let outcome = loop {
            let n = stream.room().min(4096);
            if n == 0 {
                break stream.next_entry();
            }
            stream.feed(&vec![b'x'; n]);
            match stream.next_entry() {
                Ok(None) => continue,
                other => break other,
            }
        };
        assert_eq!(outcome, Err(ProtocolError::LineTooLong(MAX_LISTING_LINE)));
    }

    #[test]
    fn an_empty_listing_has_no_entries() {
        let mut stream = EntryStream::new(true, TEST_NOW, Encoding::Utf8);
        stream.end();
        assert_eq!(stream.next_entry(), Ok(None));
    }
}
