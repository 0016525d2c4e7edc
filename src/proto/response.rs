//! Values carried in the text of specific replies.

use super::ProtocolError;

/// The path in a 257 reply (`257 "/a ""quoted"" dir" created`): the text
/// between the first quote, wherever it stands (`257 MKD command
/// successful: "/x"`), and the matching closing quote, with `""`
/// unescaped. A reply without quotes (`257 /home/ftp is current`) gives
/// its first word that is an absolute path, as lftp reads it. `None` when
/// there is neither.
pub fn parse_257(text: &str) -> Option<String> {
    let Some(open) = text.find('"') else {
        return text.split_whitespace().find(|w| w.starts_with('/')).map(str::to_string);
    };
    let mut out = String::new();
    let mut chars = text[open + 1..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
                out.push('"');
            } else {
                return Some(out);
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// The byte count in a 213 reply to SIZE.
pub fn parse_size(text: &str) -> Result<u64, ProtocolError> {
    let value = text.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProtocolError::MalformedValue {
            verb: "SIZE",
            text: text.to_string(),
        });
    }
    value.parse().map_err(|_| ProtocolError::MalformedValue {
        verb: "SIZE",
        text: text.to_string(),
    })
}

/// The name in an RFC 1123 STOU reply: `150 FILE: name` (anywhere in the text).
pub fn parse_unique_name(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let at = upper.find("FILE:")?;
    let name = text[at + 5..].lines().next()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// The size a transfer's 1xx reply announces, curl's way: the number in the
/// last `(n bytes)` of the text (vsftpd, proftpd, IIS). `None` when absent.
pub fn parse_transfer_size(text: &str) -> Option<u64> {
    let open = text.rfind('(')?;
    let inside = &text[open + 1..];
    let digits = inside.bytes().take_while(u8::is_ascii_digit).count();
    let rest = inside[digits..].trim_start().to_ascii_lowercase();
    if digits == 0 || !rest.starts_with("bytes)") {
        return None;
    }
    inside[..digits].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_sizes() {
        let vsftpd = "Opening BINARY mode data connection for a.bin (10928 bytes).";
        assert_eq!(parse_transfer_size(vsftpd), Some(10928));
        assert_eq!(parse_transfer_size("Opening data connection (0 Bytes)"), Some(0));
        assert_eq!(parse_transfer_size("for (odd) name.bin (44 bytes)"), Some(44));
        assert_eq!(parse_transfer_size("Accepted data connection"), None);
        assert_eq!(parse_transfer_size("for x (10.7 kbytes)"), None);
        assert_eq!(parse_transfer_size("for x (bytes)"), None);
        assert_eq!(parse_transfer_size("(99999999999999999999999 bytes)"), None);
    }

    #[test]
    fn unique_names() {
        assert_eq!(parse_unique_name("FILE: ftp.abc123").as_deref(), Some("ftp.abc123"));
        assert_eq!(
            parse_unique_name("Transfer started; file: x y\nmore").as_deref(),
            Some("x y")
        );
        assert_eq!(parse_unique_name("Ok to send data."), None);
        assert_eq!(parse_unique_name("FILE:   "), None);
    }

    #[test]
    fn quoted_paths() {
        assert_eq!(
            parse_257("\"/home/ftp\" is the current directory").as_deref(),
            Some("/home/ftp")
        );
        assert_eq!(parse_257("\"/a \"\"b\"\"\" created").as_deref(), Some("/a \"b\""));
        assert_eq!(parse_257("\"\""), Some(String::new()));
        assert_eq!(parse_257("no quotes"), None);
        assert_eq!(parse_257("MKD command successful: \"/x y\"").as_deref(), Some("/x y"));
        assert_eq!(parse_257("Current directory is \"/\"").as_deref(), Some("/"));
        assert_eq!(
            parse_257("/home/ftp is the current directory").as_deref(),
            Some("/home/ftp")
        );
        assert_eq!(parse_257("\"unterminated"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1234"), Ok(1234));
        assert_eq!(parse_size(" 18446744073709551615 "), Ok(u64::MAX));
        for bad in ["", "12a", "-1", "18446744073709551616", "1 2"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
