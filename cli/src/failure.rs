//! Why a command failed, as a message and the exit status `--help` lists.

use ftp_host::{Error, ErrorKind, Options, TlsError};
use std::fmt::Display;
use std::io;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    /// The server's reply, when a reply caused it.
    reply: Option<(u16, String)>,
    /// The library's kind of error, when it was one (for `--json`).
    pub kind: Option<ErrorKind>,
}

pub type Outcome<T = ()> = Result<T, Failure>;

impl Failure {
    pub fn new(code: u8, message: impl Display) -> Self {
        Self {
            code,
            message: message.to_string(),
            reply: None,
            kind: None,
        }
    }

    fn ftp(e: &Error, connecting: bool) -> Self {
        Self {
            reply: e.reply().map(|r| (r.code, r.text.clone())),
            kind: Some(e.kind()),
            ..Self::new(code(e, connecting), explain(e))
        }
    }

    /// An error the library reported without giving it up (a mirror's
    /// outcome for one file).
    pub fn from_ref(e: &Error) -> Self {
        Self::ftp(e, false)
    }

    /// The server's reply code, when a reply caused it.
    pub fn reply_code(&self) -> Option<u16> {
        self.reply.as_ref().map(|(code, _)| *code)
    }

    /// A refusal of one file (denied, missing): commands over several
    /// report it and go on.
    pub fn is_refusal(&self) -> bool {
        matches!(self.code, 9 | 78)
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

/// The deadlines a run set (the first URL's), so a timeout can say how
/// long it waited.
static WAITS: OnceLock<Options> = OnceLock::new();

pub fn note_waits(options: &Options) {
    let _ = WAITS.set(options.clone());
}

/// An error as a user can act on it: how long a timeout waited and which
/// option sets it; a TLS handshake that met plain text says so.
fn explain(e: &Error) -> String {
    match e {
        Error::Timeout(what) => WAITS
            .get()
            .and_then(|o| waited(what, o))
            .unwrap_or_else(|| e.to_string()),
        Error::Tls(TlsError::Handshake(detail))
            if detail.contains("InvalidContentType") || detail.contains("corrupt message") =>
        {
            format!(
                "TLS: the server did not answer in TLS ({detail}). It may speak plain FTP on this port: \
                 ftps:// is TLS from the first byte (port 990), while --tls with ftp:// asks for TLS with AUTH TLS"
            )
        }
        _ => e.to_string(),
    }
}

fn waited(what: &str, o: &Options) -> Option<String> {
    let secs = |d: Option<Duration>| d.map(|d| format!("{} s", d.as_secs_f64()));
    Some(match what {
        "connect" => format!(
            "timed out after {} connecting (--timeout sets it)",
            secs(o.connect_timeout)?
        ),
        "data connect" => format!(
            "timed out after {} opening the data connection (a firewall in front of the passive ports?)",
            secs(o.connect_timeout)?
        ),
        "reply" => format!(
            "timed out after {} waiting for a reply (--timeout sets it)",
            secs(o.reply_timeout)?
        ),
        "data" => format!(
            "timed out: no data moved for {} (--timeout sets it)",
            secs(o.data_timeout)?
        ),
        "transfer" => format!(
            "timed out: the transfer took longer than {} (--max-time)",
            secs(o.transfer_timeout)?
        ),
        "low-speed" => {
            let slow = o.low_speed?;
            format!(
                "timed out: slower than {} bytes a second for {} s (--speed-limit, --speed-time)",
                slow.bytes_per_second,
                slow.window.as_secs()
            )
        }
        _ => return None,
    })
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
        Error::LocalRead { .. } => 26,
        Error::LocalWrite { .. } => 23,
        Error::UnsafeName(_) => 9,
        Error::CannotResume { .. } => 36,
        Error::Cancelled => 130,
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

pub fn read_error(path: &Path) -> impl FnOnce(io::Error) -> Failure + '_ {
    move |e| Failure::new(26, format!("{}: {e}", path.display()))
}

pub fn write_error(path: &Path) -> impl FnOnce(io::Error) -> Failure + '_ {
    move |e| Failure::new(23, format!("{}: {e}", path.display()))
}
