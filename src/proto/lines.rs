//! Splits the control connection's byte stream into lines, never holding more
//! than the line-length bound, whatever the server sends.

use super::ProtocolError;

/// Accumulates bytes and yields complete lines (without CR/LF).
#[derive(Debug)]
pub struct LineBuffer {
    buf: Vec<u8>,
    /// Start of the bytes not yet returned as a line.
    start: usize,
    max_line: usize,
}

impl LineBuffer {
    pub fn new(max_line: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            max_line,
        }
    }

    /// How many bytes `extend` may take now without breaking the bound; the
    /// I/O layer reads at most this much, so memory stays bounded.
    pub fn room(&self) -> usize {
        (self.max_line + 2).saturating_sub(self.buf.len() - self.start)
    }

    pub fn extend(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line, ending in LF (CRLF or bare LF; the line ending
    /// is stripped). Errors once an unterminated line outgrows the bound.
    pub fn next_line(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        let pending = &self.buf[self.start..];
        match pending.iter().position(|&b| b == b'\n') {
            Some(end) => {
                let mut line = &pending[..end];
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                if line.len() > self.max_line {
                    return Err(ProtocolError::LineTooLong(self.max_line));
                }
                let line = line.to_vec();
                self.start += end + 1;
                Ok(Some(line))
            }
            None if pending.len() > self.max_line + 1 => Err(ProtocolError::LineTooLong(self.max_line)),
            None => Ok(None),
        }
    }

    /// Bytes received but not yet returned as a line.
    pub fn is_empty(&self) -> bool {
        self.start == self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(lb: &mut LineBuffer) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(l) = lb.next_line().unwrap() {
            out.push(l);
        }
        out
    }

    #[test]
    fn splits_crlf_and_bare_lf_across_chunks() {
        let mut lb = LineBuffer::new(64);
        lb.extend(b"220 hel");
        assert!(drain(&mut lb).is_empty());
        lb.extend(b"lo\r\n230 ok\n331");
        assert_eq!(drain(&mut lb), vec![b"220 hello".to_vec(), b"230 ok".to_vec()]);
        lb.extend(b" more\r\n");
        assert_eq!(drain(&mut lb), vec![b"331 more".to_vec()]);
        assert!(lb.is_empty());
    }

    #[test]
    fn rejects_overlong_lines_with_or_without_terminator() {
        let mut lb = LineBuffer::new(8);
        lb.extend(b"123456789\r\n");
        assert_eq!(lb.next_line(), Err(ProtocolError::LineTooLong(8)));
        let mut lb = LineBuffer::new(8);
        lb.extend(&[b'x'; 20]);
        assert_eq!(lb.next_line(), Err(ProtocolError::LineTooLong(8)));
        assert_eq!(lb.room(), 0);
    }

    #[test]
    fn exact_limit_is_accepted() {
        let mut lb = LineBuffer::new(8);
        lb.extend(b"12345678\r");
        assert_eq!(lb.next_line(), Ok(None));
        lb.extend(b"\n");
        assert_eq!(lb.next_line(), Ok(Some(b"12345678".to_vec())));
    }
}
