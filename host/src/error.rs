//! One error type for everything a session can meet: the component's typed
//! errors, a bad URL, a name that does not resolve, and the host's own
//! failures.

use crate::bindings::{self, Reply, TlsError};
use std::fmt;
use std::io;

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
            Error::Protocol(_) | Error::Partial { .. } => io::ErrorKind::InvalidData,
            Error::Resolve { source, .. } => source.kind(),
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
