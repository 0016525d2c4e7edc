//! The guest's error type; maps one-to-one onto the WIT `error` variant.

use crate::proto::command::CommandError;
use crate::proto::engine::Failure;
use crate::proto::reply::{Class, Reply};
use crate::proto::ProtocolError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("transient failure {}: {}", .0.code, .0.text())]
    Transient(Reply),
    #[error("permanent failure {}: {}", .0.code, .0.text())]
    Permanent(Reply),
    #[error("unexpected reply {}: {}", .0.code, .0.text())]
    Unexpected(Reply),
    #[error("protocol violation: {0}")]
    Protocol(#[from] ProtocolError),
    #[error("i/o error: {0}")]
    Io(String),
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[cfg(feature = "secure")]
    #[error("{0}")]
    Tls(#[from] TlsFailure),
    #[error("the server refused AUTH TLS: {} {}", .0.code, .0.text())]
    TlsRefused(Reply),
    #[error("{0} deadline passed")]
    Timeout(&'static str),
    #[error("partial transfer: {received} bytes where the server announced {expected}")]
    Partial { expected: u64, received: u64 },
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("session closed")]
    Closed,
}

impl From<CommandError> for Error {
    fn from(e: CommandError) -> Self {
        Error::InvalidInput(e.to_string())
    }
}

impl Error {
    /// The error a reply stands for when it is not the one the caller wanted.
    pub fn from_reply(reply: Reply) -> Self {
        match reply.class() {
            Class::Transient => Error::Transient(reply),
            Class::Permanent => Error::Permanent(reply),
            _ => Error::Unexpected(reply),
        }
    }

    /// The error for the engine's `failure`; `reported` is the driver's
    /// own, behind `Failure::Reported`.
    pub fn from_failure(failure: Failure, reported: Option<Error>) -> Self {
        match failure {
            Failure::Refused(reply) => Error::from_reply(reply),
            Failure::Closing(reply) => Error::Transient(reply),
            Failure::TlsRefused(reply) => Error::TlsRefused(reply),
            Failure::Protocol(e) => Error::Protocol(e),
            Failure::Timeout(what) => Error::Timeout(what),
            Failure::Closed => Error::Closed,
            Failure::Invalid(message) => Error::InvalidInput(message),
            Failure::Reported => reported.unwrap_or_else(|| Error::Io("the connection failed".into())),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A TLS failure, classified the way the WIT `tls-error` reports it (by
/// `tls::failure` for the host's TLS, `tls::config` for rustls's).
#[cfg(feature = "secure")]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TlsFailure {
    #[error("untrusted certificate: {0}")]
    UntrustedCertificate(String),
    #[error("certificate not valid for the name: {0}")]
    NameMismatch(String),
    #[error("certificate expired or not yet valid: {0}")]
    Expired(String),
    #[error("TLS handshake failed: {0}")]
    Handshake(String),
}

#[cfg(feature = "secure")]
impl TlsFailure {
    /// A fatal alert a server sends about the client's certificate (of an
    /// unknown CA, expired, revoked, or missing where one is required),
    /// as rustls names it in "received fatal alert: X": it arrives during
    /// the handshake (TLS 1.2) or on the first read after it (TLS 1.3).
    pub fn client_certificate_refused(text: &str) -> Option<Self> {
        const ALERTS: [&str; 7] = [
            "UnknownCA",
            "BadCertificate",
            "UnsupportedCertificate",
            "CertificateRevoked",
            "CertificateExpired",
            "CertificateUnknown",
            "CertificateRequired",
        ];
        (text.contains("received fatal alert") && ALERTS.iter().any(|alert| text.contains(alert))).then(|| {
            TlsFailure::Handshake(format!(
                "the server refused this client's certificate, or wanted one ({text})"
            ))
        })
    }
}
