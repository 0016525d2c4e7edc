//! Why a command failed, as a message and the exit status `--help` lists.

use ftp_host::{Error, TlsError};
use std::fmt::Display;
use std::io;
use std::path::Path;

#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    /// The server's reply, when a reply caused it.
    reply: Option<(u16, String)>,
}

pub type Outcome<T = ()> = Result<T, Failure>;

impl Failure {
    pub fn new(code: u8, message: impl Display) -> Self {
        Self {
            code,
            message: message.to_string(),
            reply: None,
        }
    }

    fn ftp(e: &Error, connecting: bool) -> Self {
        Self {
            reply: e.reply().map(|r| (r.code, r.text.clone())),
            ..Self::new(code(e, connecting), e)
        }
    }

    /// A command line that asks for something impossible.
    pub fn usage(message: impl Display) -> Self {
        Self::new(2, message)
    }

    /// For commands on one file (get, rm, mv), where a 550 means the file
    /// is not there, unless its text says access was denied.
    pub fn missing_if_550(self) -> Self {
        match &self.reply {
            Some((550, text)) if !denies_access(text) => Self { code: 78, ..self },
            _ => self,
        }
    }
}

/// Whether a 550's text refuses access rather than reporting a missing
/// file: servers say both with the same code.
fn denies_access(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "permission",
        "denied",
        "not allowed",
        "forbidden",
        "not permitted",
        "access",
    ]
    .iter()
    .any(|word| text.contains(word))
}

/// Text from a server (replies, names, messages) with every control
/// character made visible, so a hostile server cannot drive the terminal.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Exit statuses: curl's numbers where curl has one.
fn code(e: &Error, connecting: bool) -> u8 {
    match e {
        Error::Url(_) => 3,
        Error::Resolve { .. } => 6,
        Error::Network(_) if connecting => 7,
        Error::AccessDenied(_) => 7,
        Error::Protocol(_) | Error::Unexpected(_) => 8,
        Error::Permanent(r) if r.code == 530 => 67,
        Error::Permanent(r) if r.code == 552 => 70,
        Error::Transient(r) if r.code == 452 => 70,
        Error::Partial { .. } => 18,
        Error::Permanent(_) => 9,
        Error::Timeout(_) => 28,
        Error::Tls(TlsError::UntrustedCertificate(_) | TlsError::NameMismatch(_) | TlsError::Expired(_)) => 60,
        Error::Tls(_) => 35,
        Error::Network(_) | Error::Closed => 56,
        Error::Transient(_) => 75,
        Error::InvalidInput(_) => 2,
        _ => 1,
    }
}

/// A failure while connecting and logging in.
pub fn connecting(e: Error) -> Failure {
    Failure::ftp(&e, true)
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::ftp(&e, false)
    }
}

/// An error from copying between a local file and a transfer: the FTP
/// side's own error if it was that, else the local file's (`local`).
pub fn copying(e: io::Error, local: impl FnOnce(io::Error) -> Failure) -> Failure {
    if let Some(ftp) = e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        return Failure::ftp(ftp, false);
    }
    local(e)
}

pub fn read_error(path: &Path) -> impl FnOnce(io::Error) -> Failure + '_ {
    move |e| Failure::new(26, format!("{}: {e}", path.display()))
}

pub fn write_error(path: &Path) -> impl FnOnce(io::Error) -> Failure + '_ {
    move |e| Failure::new(23, format!("{}: {e}", path.display()))
}
