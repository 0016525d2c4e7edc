//! Line-ending conversion for TYPE A transfers, streaming: a CR at the end of
//! one chunk is held until the next chunk shows whether an LF follows.

/// Turns the network's CRLF into LF on the way in.
#[derive(Debug, Default)]
pub struct CrlfToLf {
    pending_cr: bool,
}

impl CrlfToLf {
    pub fn convert(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len() + 1);
        for &b in input {
            if self.pending_cr {
                self.pending_cr = false;
                if b != b'\n' {
                    out.push(b'\r');
                }
            }
            if b == b'\r' {
                self.pending_cr = true;
            } else {
                out.push(b);
            }
        }
    }

    /// Flushes a CR held back at the very end of the data.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if std::mem::take(&mut self.pending_cr) {
            out.push(b'\r');
        }
    }
}

/// Turns LF into CRLF on the way out, leaving existing CRLF pairs alone.
#[derive(Debug, Default)]
pub struct LfToCrlf {
    last_was_cr: bool,
}

impl LfToCrlf {
    pub fn convert(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len() + input.len() / 32 + 1);
        for &b in input {
            if b == b'\n' && !self.last_was_cr {
                out.push(b'\r');
            }
            out.push(b);
            self.last_was_cr = b == b'\r';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down(chunks: &[&[u8]]) -> Vec<u8> {
        let mut c = CrlfToLf::default();
        let mut out = Vec::new();
        for chunk in chunks {
            c.convert(chunk, &mut out);
        }
        c.finish(&mut out);
        out
    }

    fn up(chunks: &[&[u8]]) -> Vec<u8> {
        let mut c = LfToCrlf::default();
        let mut out = Vec::new();
        for chunk in chunks {
            c.convert(chunk, &mut out);
        }
        out
    }

    #[test]
    fn download_strips_cr_before_lf_only() {
        assert_eq!(down(&[b"a\r\nb\r\n"]), b"a\nb\n");
        assert_eq!(down(&[b"a\r", b"\nb"]), b"a\nb");
        assert_eq!(down(&[b"a\rb\r"]), b"a\rb\r");
        assert_eq!(down(&[b"\r", b"\r", b"\n"]), b"\r\n");
    }

    #[test]
    fn upload_adds_cr_once() {
        assert_eq!(up(&[b"a\nb\n"]), b"a\r\nb\r\n");
        assert_eq!(up(&[b"a\r", b"\nb\n"]), b"a\r\nb\r\n");
        assert_eq!(up(&[b"\n\n"]), b"\r\n\r\n");
    }

    #[test]
    fn round_trip_of_lf_text() {
        let text: &[u8] = b"one\ntwo\n\nthree";
        let wire = up(&[text]);
        assert_eq!(down(&[&wire[..3], &wire[3..]]), text);
    }
}
