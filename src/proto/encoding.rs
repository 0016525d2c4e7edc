//! How names and reply text map to bytes on the control and data
//! connections (ftplib's `encoding`). UTF-8 is RFC 2640's default; Latin-1
//! maps every byte to one character and back, so a server whose names are
//! not UTF-8 can be listed and every name sent back byte for byte.

use std::borrow::Cow;
use thiserror::Error;

/// A character the session's encoding has no byte for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("{0:?} has no Latin-1 byte (the session's encoding)")]
pub struct NotLatin1(pub char);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes that are not UTF-8 read as U+FFFD (so such names cannot be
    /// sent back: use `Latin1` for such a server).
    #[default]
    Utf8,
    /// ISO 8859-1: byte n is U+00nn, both ways.
    Latin1,
}

impl Encoding {
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Encoding::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }

    /// The bytes of `text`; in Latin-1 a character above U+00FF has none.
    pub fn encode(self, text: &str) -> Result<Cow<'_, [u8]>, NotLatin1> {
        match self {
            Encoding::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            Encoding::Latin1 if text.is_ascii() => Ok(Cow::Borrowed(text.as_bytes())),
            Encoding::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).map_err(|_| NotLatin1(c)))
                .collect::<Result<Vec<u8>, _>>()
                .map(Cow::Owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = Encoding::Latin1.decode(&all);
        assert_eq!(text.chars().count(), 256);
        assert_eq!(Encoding::Latin1.encode(&text).unwrap().as_ref(), all.as_slice());
    }

    #[test]
    fn latin1_refuses_what_it_cannot_say() {
        assert_eq!(Encoding::Latin1.encode("caf\u{e9}").unwrap().as_ref(), b"caf\xe9");
        assert_eq!(Encoding::Latin1.encode("\u{20ac}"), Err(NotLatin1('\u{20ac}')));
    }

    #[test]
    fn utf8_is_lossy_only_where_it_must_be() {
        assert_eq!(Encoding::Utf8.decode("caf\u{e9}".as_bytes()), "caf\u{e9}");
        assert_eq!(Encoding::Utf8.decode(b"caf\xe9"), "caf\u{fffd}");
        assert_eq!(
            Encoding::Utf8.encode("\u{20ac}").unwrap().as_ref(),
            "\u{20ac}".as_bytes()
        );
    }
}
