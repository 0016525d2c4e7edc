//! One error type for everything a session can meet: the component's typed
//! errors, a bad URL, a name that does not resolve, and the host's own
//! failures.

use crate::bindings::{self, Reply, TlsError};
use std::fmt;
use std::io;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Unwraps a call into the component: its typed error, or a trap.
pub(crate) fn flatten<T>(r: wasmtime::Result<std::result::Result<T, bindings::Error>>) -> Result<T> {
    r.map_err(Error::Runtime)?.map_err(Error::from)
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered 4xx: the request may succeed if retried later.
    #[error("{0} (temporary failure)")]
    Transient(Reply),
    /// The server answered 5xx: bad password, missing file, refused request.
    #[error("{0}")]
    Permanent(Reply),
    /// The server answered with a code the operation did not expect.
    #[error("unexpected reply {0}")]
    Unexpected(Reply),
    /// The server broke the protocol (a malformed or over-long reply...).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The network failed: connection refused or reset.
    #[error("network error: {0}")]
    Network(String),
    /// The network policy does not grant the address the component tried.
    #[error("not allowed by the network policy: {0}")]
    AccessDenied(String),
    #[error("TLS: {0}")]
    Tls(TlsError),
    /// A deadline passed; the text says which.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A transfer moved a different number of bytes than the server
    /// announced (or, for an upload, than its SIZE shows afterwards).
    #[error("partial file: {received} bytes where {expected} were expected")]
    Partial { expected: u64, received: u64 },
    /// The request was refused before anything was sent (CR/LF in an
    /// argument, a call while a transfer is open...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The session is closed (after `quit`, a 421 or a fault).
    #[error("the session is closed")]
    Closed,
    #[error("bad URL: {0}")]
    Url(String),
    #[error("cannot resolve {host}: {source}")]
    Resolve { host: String, source: io::Error },
    /// The component could not be compiled or linked.
    #[error("loading the component: {0:#}")]
    Load(wasmtime::Error),
    /// The component trapped or the host failed: a bug, whatever the
    /// server sent. The session cannot be used any more.
    #[error("the component failed: {0:#}")]
    Runtime(wasmtime::Error),
    /// A local file or directory could not be read.
    #[error("{}: {source}", path.display())]
    LocalRead { path: PathBuf, source: io::Error },
    /// A local file or directory could not be written.
    #[error("{}: {source}", path.display())]
    LocalWrite { path: PathBuf, source: io::Error },
    /// A name from the server (or the local tree) that is not one plain
    /// path component, or would lead outside the tree: refused, never
    /// followed.
    #[error("{0}")]
    UnsafeName(String),
    /// The work was cancelled through its [`Cancel`](crate::Cancel) handle.
    #[error("cancelled")]
    Cancelled,
    /// A transfer asked to go on from where the target ends cannot: the
    /// target is already larger than the source.
    #[error("cannot resume at byte {offset}: the source has {size} bytes")]
    CannotResume { offset: u64, size: u64 },
    /// A copy's digest differs from the server's (a mirror's `verify`).
    #[error("{0}")]
    DigestMismatch(String),
}

/// What kind of failure an [`Error`] is, for callers that branch on it
/// (other languages' bindings, machine-readable output) without matching
/// every variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    Transient,
    Permanent,
    Unexpected,
    Protocol,
    Network,
    AccessDenied,
    Tls,
    Timeout,
    Partial,
    InvalidInput,
    Closed,
    Url,
    Resolve,
    Load,
    Runtime,
    LocalRead,
    LocalWrite,
    UnsafeName,
    Cancelled,
    CannotResume,
    DigestMismatch,
}

impl ErrorKind {
    /// The kind's name in kebab case, as the WIT spells its errors.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Transient => "transient",
            ErrorKind::Permanent => "permanent",
            ErrorKind::Unexpected => "unexpected",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Network => "network",
            ErrorKind::AccessDenied => "access-denied",
            ErrorKind::Tls => "tls",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Partial => "partial",
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::Closed => "closed",
            ErrorKind::Url => "url",
            ErrorKind::Resolve => "resolve",
            ErrorKind::Load => "load",
            ErrorKind::Runtime => "runtime",
            ErrorKind::LocalRead => "local-read",
            ErrorKind::LocalWrite => "local-write",
            ErrorKind::UnsafeName => "unsafe-name",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::CannotResume => "cannot-resume",
            ErrorKind::DigestMismatch => "digest-mismatch",
        }
    }
}

/// An error as data that can be copied and sent elsewhere (a progress
/// event, another thread, a JSON record): its kind, the server's reply code
/// when a reply caused it, and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    pub code: Option<u16>,
    pub message: String,
}

impl fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<bindings::Error> for Error {
    fn from(e: bindings::Error) -> Self {
        use bindings::Error as E;
        match e {
            E::Transient(r) => Error::Transient(r),
            E::Permanent(r) => Error::Permanent(r),
            E::Unexpected(r) => Error::Unexpected(r),
            E::Protocol(s) => Error::Protocol(s),
            E::Io(s) => Error::Network(s),
            E::AccessDenied(s) => Error::AccessDenied(s),
            E::Tls(t) => Error::Tls(t),
            E::Timeout(s) => Error::Timeout(s),
            E::Partial(m) => Error::Partial {
                expected: m.expected,
                received: m.received,
            },
            E::InvalidInput(s) => Error::InvalidInput(s),
            E::Closed => Error::Closed,
        }
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Transient(_) => ErrorKind::Transient,
            Error::Permanent(_) => ErrorKind::Permanent,
            Error::Unexpected(_) => ErrorKind::Unexpected,
            Error::Protocol(_) => ErrorKind::Protocol,
            Error::Network(_) => ErrorKind::Network,
            Error::AccessDenied(_) => ErrorKind::AccessDenied,
            Error::Tls(_) => ErrorKind::Tls,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Partial { .. } => ErrorKind::Partial,
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Closed => ErrorKind::Closed,
            Error::Url(_) => ErrorKind::Url,
            Error::Resolve { .. } => ErrorKind::Resolve,
            Error::Load(_) => ErrorKind::Load,
            Error::Runtime(_) => ErrorKind::Runtime,
            Error::LocalRead { .. } => ErrorKind::LocalRead,
            Error::LocalWrite { .. } => ErrorKind::LocalWrite,
            Error::UnsafeName(_) => ErrorKind::UnsafeName,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::CannotResume { .. } => ErrorKind::CannotResume,
            Error::DigestMismatch(_) => ErrorKind::DigestMismatch,
        }
    }

    /// The error as copyable data.
    pub fn info(&self) -> ErrorInfo {
        ErrorInfo {
            kind: self.kind(),
            code: self.reply().map(|r| r.code),
            message: self.to_string(),
        }
    }

    /// Worth another try later: a 4xx (other than 452, out of storage), a
    /// connection lost after it was made, a deadline.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transient(r) => r.code != 452,
            Error::Network(_) | Error::Closed | Error::Timeout(_) => true,
            _ => false,
        }
    }

    /// A refusal of this one request (a 5xx other than a refused login or
    /// full storage, or a name refused as unsafe): work over many files
    /// reports it and goes on with the others.
    pub fn is_refusal(&self) -> bool {
        match self {
            Error::Permanent(r) => r.code != 530 && r.code != 552,
            Error::UnsafeName(_) => true,
            _ => false,
        }
    }

    /// Whether the session that met this error is still in step: the
    /// server answered (a refusal, a 4xx), or nothing was sent.
    pub(crate) fn keeps_session(&self) -> bool {
        matches!(
            self,
            Error::Permanent(_) | Error::Transient(_) | Error::UnsafeName(_) | Error::InvalidInput(_)
        )
    }

    /// The server's reply, for the errors that follow one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Error::Transient(r) | Error::Permanent(r) | Error::Unexpected(r) => Some(r),
            Error::Tls(TlsError::Refused(r)) => Some(r),
            _ => None,
        }
    }

    /// The `std::io` kind closest to this error.
    pub fn io_kind(&self) -> io::ErrorKind {
        match self {
            Error::Timeout(_) => io::ErrorKind::TimedOut,
            Error::AccessDenied(_) => io::ErrorKind::PermissionDenied,
            Error::InvalidInput(_) | Error::Url(_) => io::ErrorKind::InvalidInput,
            Error::Closed => io::ErrorKind::NotConnected,
            Error::Network(_) => io::ErrorKind::ConnectionAborted,
            Error::Protocol(_) | Error::Partial { .. } | Error::DigestMismatch(_) => io::ErrorKind::InvalidData,
            Error::Resolve { source, .. } | Error::LocalRead { source, .. } | Error::LocalWrite { source, .. } => {
                source.kind()
            }
            Error::UnsafeName(_) | Error::CannotResume { .. } => io::ErrorKind::InvalidInput,
            Error::Cancelled => io::ErrorKind::Interrupted,
            _ => io::ErrorKind::Other,
        }
    }
}

/// Lets `Read`/`Write` users get the FTP error back with
/// `io_error.get_ref()?.downcast_ref::<ftp_host::Error>()`.
impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        io::Error::new(e.io_kind(), e)
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.text.replace('\n', " | "))
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::UntrustedCertificate(s) => write!(f, "untrusted certificate: {s}"),
            TlsError::NameMismatch(s) => write!(f, "certificate name mismatch: {s}"),
            TlsError::Expired(s) => write!(f, "certificate expired or not yet valid: {s}"),
            TlsError::Handshake(s) => write!(f, "handshake failed: {s}"),
            TlsError::Refused(r) => write!(f, "the server refused AUTH TLS: {r}"),
        }
    }
}

/// Errors while reading a local file.
pub(crate) fn read_error(path: &std::path::Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::LocalRead {
        path: path.to_path_buf(),
        source,
    }
}

/// Errors while writing a local file.
pub(crate) fn write_error(path: &std::path::Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::LocalWrite {
        path: path.to_path_buf(),
        source,
    }
}

/// The FTP error inside an `io::Error` from a [`Download`](crate::Download)
/// or [`Upload`](crate::Upload), else `local`'s reading of it: copying
/// between a transfer and a local file fails on either side.
pub(crate) fn copying(e: io::Error, local: impl FnOnce(io::Error) -> Error) -> Error {
    if !e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        return local(e);
    }
    let kind = e.kind();
    match e.into_inner().map(|inner| inner.downcast::<Error>()) {
        Some(Ok(ftp)) => *ftp,
        Some(Err(other)) => local(io::Error::new(kind, other)),
        None => local(io::Error::from(kind)),
    }
}
