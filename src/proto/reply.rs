//! Reply parsing (RFC 959 §4.2): single-line `xyz text` and multi-line
//! `xyz-text` ... `xyz text` replies, whose inner lines may start with anything,
//! including other codes.

use super::encoding::Encoding;
use super::ProtocolError;

/// A complete reply: its code and its lines' text (code and separator removed
/// from the first and last lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

/// What a reply's first digit says about the command's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Preliminary,
    Completion,
    Intermediate,
    Transient,
    Permanent,
}

impl Reply {
    pub fn class(&self) -> Class {
        match self.code / 100 {
            1 => Class::Preliminary,
            2 => Class::Completion,
            3 => Class::Intermediate,
            4 => Class::Transient,
            _ => Class::Permanent,
        }
    }

    /// All lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The text of the first line, where single-value replies keep their value.
    pub fn first_line(&self) -> &str {
        self.lines.first().map(String::as_str).unwrap_or("")
    }
}

/// Turns lines into replies, bounding a reply's total size so an endless
/// multi-line reply ends in an error instead of exhausting memory.
#[derive(Debug)]
pub struct ReplyParser {
    max_reply_bytes: usize,
    encoding: Encoding,
    open: Option<Open>,
}

#[derive(Debug)]
struct Open {
    code: u16,
    lines: Vec<String>,
    bytes: usize,
}

/// Splits `xyz` off a line; `None` unless the line starts with three digits.
fn leading_code(line: &[u8]) -> Option<u16> {
    match line {
        [a, b, c, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            Some(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => None,
    }
}

impl ReplyParser {
    /// Text is decoded in `encoding`.
    pub fn new(max_reply_bytes: usize, encoding: Encoding) -> Self {
        Self {
            max_reply_bytes,
            encoding,
            open: None,
        }
    }

    /// Feeds one line (without its line ending). Returns the reply once its
    /// last line has arrived.
    pub fn push_line(&mut self, line: &[u8]) -> Result<Option<Reply>, ProtocolError> {
        match self.open.take() {
            None => self.first_line(line),
            Some(open) => self.inner_line(open, line),
        }
    }

    fn first_line(&mut self, line: &[u8]) -> Result<Option<Reply>, ProtocolError> {
        let code = leading_code(line).ok_or_else(|| ProtocolError::MalformedReply(self.encoding.decode(line)))?;
        if !(100..=599).contains(&code) {
            return Err(ProtocolError::CodeOutOfRange(code));
        }
        match line.get(3) {
            None => Ok(Some(Reply {
                code,
                lines: vec![String::new()],
            })),
            Some(b' ') => Ok(Some(Reply {
                code,
                lines: vec![self.encoding.decode(&line[4..])],
            })),
            Some(b'-') => {
                self.open = Some(Open {
                    code,
                    lines: vec![self.encoding.decode(&line[4..])],
                    bytes: line.len(),
                });
                Ok(None)
            }
            Some(_) => Err(ProtocolError::MalformedReply(self.encoding.decode(line))),
        }
    }

    fn inner_line(&mut self, mut open: Open, line: &[u8]) -> Result<Option<Reply>, ProtocolError> {
        open.bytes += line.len() + 2;
        if open.bytes > self.max_reply_bytes {
            return Err(ProtocolError::ReplyTooLong(self.max_reply_bytes));
        }
        let ends = leading_code(line) == Some(open.code) && matches!(line.get(3), None | Some(b' '));
        if ends {
            open.lines.push(self.encoding.decode(line.get(4..).unwrap_or_default()));
            return Ok(Some(Reply {
                code: open.code,
                lines: open.lines,
            }));
        }
        open.lines.push(self.encoding.decode(line));
        self.open = Some(open);
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[&[u8]]) -> Result<Vec<Reply>, ProtocolError> {
        let mut p = ReplyParser::new(1024, Encoding::Utf8);
        let mut out = Vec::new();
        for line in input {
            if let Some(r) = p.push_line(line)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    #[test]
    fn single_line() {
        let r = parse_all(&[b"220 Service ready"]).unwrap();
        assert_eq!(
            r,
            vec![Reply {
                code: 220,
                lines: vec!["Service ready".into()]
            }]
        );
        assert_eq!(r[0].class(), Class::Completion);
    }

    #[test]
    fn bare_code_without_text() {
        let r = parse_all(&[b"200"]).unwrap();
        assert_eq!(r[0].code, 200);
        assert_eq!(r[0].text(), "");
    }

    #[test]
    fn multi_line_with_inner_codes_and_blank_lines() {
        let r = parse_all(&[
            b"211-Features:",
            b" MDTM",
            b"226 not the end",
            b"211-still not the end",
            b"",
            b"211 End",
        ])
        .unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].code, 211);
        assert_eq!(
            r[0].lines,
            vec![
                "Features:",
                " MDTM",
                "226 not the end",
                "211-still not the end",
                "",
                "End"
            ]
        );
    }

    #[test]
    fn multi_line_ending_with_bare_code() {
        let r = parse_all(&[b"230-Welcome", b"230"]).unwrap();
        assert_eq!(r[0].lines, vec!["Welcome", ""]);
    }

    #[test]
    fn classes() {
        for (code, class) in [
            (150, Class::Preliminary),
            (331, Class::Intermediate),
            (421, Class::Transient),
            (550, Class::Permanent),
        ] {
            let r = Reply { code, lines: vec![] };
            assert_eq!(r.class(), class);
        }
    }

    #[test]
    fn malformed_first_lines() {
        for bad in [&b"hello"[..], b"22 x", b"2x0 x", b"220x", b""] {
            assert!(
                matches!(parse_all(&[bad]), Err(ProtocolError::MalformedReply(_))),
                "{bad:?}"
            );
        }
        assert_eq!(parse_all(&[b"099 x"]), Err(ProtocolError::CodeOutOfRange(99)));
        assert_eq!(parse_all(&[b"600 x"]), Err(ProtocolError::CodeOutOfRange(600)));
    }

    #[test]
    fn endless_multi_line_is_bounded() {
        let mut p = ReplyParser::new(100, Encoding::Utf8);
        assert_eq!(p.push_line(b"220-start"), Ok(None));
        let mut result = Ok(None);
        for _ in 0..100 {
            result = p.push_line(b"more more more");
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(ProtocolError::ReplyTooLong(100)));
    }

    #[test]
    fn non_utf8_is_replaced_not_rejected() {
        let r = parse_all(&[b"257 \"/caf\xe9\" created"]).unwrap();
        assert_eq!(r[0].text(), "\"/caf\u{fffd}\" created");
    }

    #[test]
    fn parser_is_reusable_after_a_reply() {
        let r = parse_all(&[b"150-a", b"150 b", b"226 done"]).unwrap();
        assert_eq!(r.iter().map(|r| r.code).collect::<Vec<_>>(), vec![150, 226]);
    }
}
