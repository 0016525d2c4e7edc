//! Command formatting. Every argument is checked before a byte is sent: CR or
//! LF would let a caller (or a file name from a listing) inject a second
//! command, and NUL is refused by RFC 959's NVT rules.

use super::encoding::{Encoding, NotLatin1};
use thiserror::Error;

/// Why a command was refused before sending.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommandError {
    #[error("{what} contains CR, LF or NUL")]
    ForbiddenByte { what: &'static str },
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{verb} opens a data connection; use the transfer calls instead")]
    NeedsDataConnection { verb: String },
    #[error("MLST fact {0:?} is not a fact name")]
    BadFact(String),
    #[error(transparent)]
    NotLatin1(#[from] NotLatin1),
}

fn check(what: &'static str, value: &str) -> Result<(), CommandError> {
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(CommandError::ForbiddenByte { what });
    }
    Ok(())
}

/// A path or name argument: non-empty and free of CR/LF/NUL.
pub fn check_path(what: &'static str, value: &str) -> Result<(), CommandError> {
    if value.is_empty() {
        return Err(CommandError::Empty { what });
    }
    check(what, value)
}

/// `VERB` or `VERB arg`, terminated by CRLF, the argument in `encoding`.
pub fn format(verb: &str, arg: Option<&str>, encoding: Encoding) -> Result<Vec<u8>, CommandError> {
    check("command", verb)?;
    let mut line = Vec::with_capacity(verb.len() + arg.map_or(0, |a| a.len() + 1) + 2);
    line.extend_from_slice(verb.as_bytes());
    if let Some(arg) = arg {
        check("argument", arg)?;
        line.push(b' ');
        line.extend_from_slice(&encoding.encode(arg)?);
    }
    line.extend_from_slice(b"\r\n");
    Ok(line)
}

/// The argument of `OPTS MLST` for `facts`: `MLST type;size;`. A fact name
/// is a token (RFC 3659 §7.5), so `;`, `=`, spaces and control bytes are
/// refused rather than let through to split or extend the list.
pub fn mlst_facts(facts: &[String]) -> Result<String, CommandError> {
    let mut arg = String::from("MLST ");
    for fact in facts {
        let token = !fact.is_empty() && fact.bytes().all(|b| b.is_ascii_graphic() && b != b';' && b != b'=');
        if !token {
            return Err(CommandError::BadFact(fact.clone()));
        }
        arg.push_str(fact);
        arg.push(';');
    }
    Ok(arg)
}

/// Verbs whose replies come around a data connection the raw `command` call
/// does not open; sending them raw would leave the session out of step.
const DATA_VERBS: &[&str] = &["RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD", "PORT", "EPRT"];

/// A raw command line from the caller (ftplib's `sendcmd`).
pub fn format_raw(line: &str, encoding: Encoding) -> Result<Vec<u8>, CommandError> {
    if line.trim().is_empty() {
        return Err(CommandError::Empty { what: "command" });
    }
    check("command", line)?;
    let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
    if DATA_VERBS.contains(&verb.as_str()) {
        return Err(CommandError::NeedsDataConnection { verb });
    }
    let mut out = encoding.encode(line)?.into_owned();
    out.extend_from_slice(b"\r\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlst_fact_lists() {
        let facts = |f: &[&str]| mlst_facts(&f.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(facts(&["type", "size"]).unwrap(), "MLST type;size;");
        assert_eq!(facts(&[]).unwrap(), "MLST ");
        for bad in ["", "a;b", "x=y", "a b", "a\r\nDELE x"] {
            assert!(facts(&[bad]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formats_with_and_without_argument() {
        assert_eq!(format("NOOP", None, Encoding::Utf8).unwrap(), b"NOOP\r\n");
        assert_eq!(
            format("RETR", Some("a b.txt"), Encoding::Utf8).unwrap(),
            b"RETR a b.txt\r\n"
        );
    }

    #[test]
    fn rejects_injection_in_arguments() {
        for bad in ["a\r\nDELE b", "a\nb", "a\rb", "a\0b"] {
            assert_eq!(
                format("RETR", Some(bad), Encoding::Latin1),
                Err(CommandError::ForbiddenByte { what: "argument" })
            );
            assert!(format_raw(&format!("SITE {bad}"), Encoding::Utf8).is_err());
        }
    }

    #[test]
    fn arguments_are_sent_in_the_sessions_encoding() {
        let name = "caf\u{e9}";
        assert_eq!(
            format("DELE", Some(name), Encoding::Latin1).unwrap(),
            b"DELE caf\xe9\r\n"
        );
        assert_eq!(
            format("DELE", Some(name), Encoding::Utf8).unwrap(),
            b"DELE caf\xc3\xa9\r\n"
        );
        assert_eq!(
            format_raw("SITE \u{20ac}", Encoding::Latin1),
            Err(CommandError::NotLatin1(NotLatin1('\u{20ac}')))
        );
    }

    #[test]
    fn paths_must_not_be_empty() {
        assert_eq!(check_path("path", ""), Err(CommandError::Empty { what: "path" }));
        assert_eq!(check_path("path", "x"), Ok(()));
    }

    #[test]
    fn raw_refuses_data_commands_and_blank_lines() {
        assert!(matches!(
            format_raw("retr x", Encoding::Utf8),
            Err(CommandError::NeedsDataConnection { .. })
        ));
        assert!(matches!(
            format_raw("  ", Encoding::Utf8),
            Err(CommandError::Empty { .. })
        ));
        assert_eq!(format_raw("SYST", Encoding::Utf8).unwrap(), b"SYST\r\n");
    }
}
