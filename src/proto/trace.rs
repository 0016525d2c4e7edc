//! A record of the control conversation for a caller to read (ftplib's
//! `set_debuglevel`): each command sent, with the secrets of PASS and ACCT
//! masked, and each reply line received; bounded to the latest lines.

use super::encoding::Encoding;
use std::collections::VecDeque;

/// How many lines the trace keeps; older ones are dropped first.
pub const TRACE_LINES: usize = 1_000;

#[derive(Debug, Default)]
pub struct Trace {
    lines: VecDeque<String>,
    encoding: Encoding,
}

impl Trace {
    /// An empty record that shows lines in the session's encoding.
    pub fn new(encoding: Encoding) -> Self {
        Self {
            lines: VecDeque::new(),
            encoding,
        }
    }

    /// A command line as sent (CRLF included), masked where it is a secret.
    pub fn sent(&mut self, line: &[u8]) {
        let text = self.text(line);
        let verb = text.split(' ').next().unwrap_or_default();
        let shown =
            if text.len() > verb.len() && (verb.eq_ignore_ascii_case("PASS") || verb.eq_ignore_ascii_case("ACCT")) {
                format!("> {verb} ****")
            } else {
                format!("> {text}")
            };
        self.push(shown);
    }

    /// One reply line as received.
    pub fn received(&mut self, line: &[u8]) {
        let text = self.text(line);
        self.push(format!("< {text}"));
    }

    /// The lines recorded since the last call, oldest first.
    pub fn take(&mut self) -> Vec<String> {
        self.lines.drain(..).collect()
    }

    /// A line's text without its CRLF, in the session's encoding.
    fn text(&self, line: &[u8]) -> String {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        self.encoding.decode(line)
    }

    fn push(&mut self, line: String) {
        if self.lines.len() == TRACE_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_lines_kept_in_order() {
        let mut t = Trace::default();
        t.sent(b"USER alice\r\n");
        t.received(b"331 Password please");
        t.sent(b"PASS hunter2\r\n");
        t.sent(b"pass hunter2\r\n");
        t.sent(b"ACCT secret\r\n");
        t.sent(b"NOOP\r\n");
        assert_eq!(
            t.take(),
            [
                "> USER alice",
                "< 331 Password please",
                "> PASS ****",
                "> pass ****",
                "> ACCT ****",
                "> NOOP"
            ]
        );
        assert!(t.take().is_empty());
    }

    #[test]
    fn only_the_latest_lines_are_kept() {
        let mut t = Trace::default();
        for i in 0..TRACE_LINES + 5 {
            t.received(format!("200 line {i}").as_bytes());
        }
        let lines = t.take();
        assert_eq!(lines.len(), TRACE_LINES);
        assert_eq!(lines[0], "< 200 line 5");
    }
}
