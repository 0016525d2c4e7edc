//! The sans-IO protocol core: everything about FTP that is a pure function of
//! bytes in and bytes out, so it unit-tests (and fuzzes) natively.

pub mod ascii;
pub mod command;
pub mod conversation;
pub mod encoding;
pub mod engine;
pub mod feat;
pub mod hash;
pub mod lines;
pub mod listing;
pub mod pace;
pub mod passive;
pub mod path;
pub mod proxy;
pub mod reply;
pub mod response;
pub mod time;
pub mod trace;

use thiserror::Error;

/// The server sent something that breaks the protocol.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    #[error("reply line longer than {0} bytes")]
    LineTooLong(usize),
    #[error("reply longer than {0} bytes (endless multi-line reply?)")]
    ReplyTooLong(usize),
    #[error("malformed reply line: {0:?}")]
    MalformedReply(String),
    #[error("reply code {0} is outside 100-599")]
    CodeOutOfRange(u16),
    #[error("malformed {verb} reply: {text:?}")]
    MalformedPassive { verb: &'static str, text: String },
    #[error("malformed {verb} reply: {text:?}")]
    MalformedValue { verb: &'static str, text: String },
    #[error("listing longer than {0} bytes")]
    ListingTooLong(usize),
    #[error("listing larger than the memory available ({0} bytes held)")]
    ListingExceedsMemory(usize),
    #[error("the listing of {dir:?} names {name:?}, which is not one plain file name; nothing in {dir:?} was touched")]
    UnsafeName { dir: String, name: String },
}
