//! `FtpError`: every failure of the library as one Python exception, with
//! the kind (`ftp_host::ErrorKind`'s name: `permanent`, `timeout`,
//! `access-denied`...) and the server's reply code when a reply caused it.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;

pyo3::create_exception!(
    ftp_client,
    FtpError,
    PyException,
    "An FTP failure: `kind` names it (ftp_host's ErrorKind), `code` is the server's reply code when a reply caused it."
);

/// The library's error as an `FtpError` carrying `kind`, `code` and
/// `message` attributes.
pub fn raise(e: ftp_host::Error) -> PyErr {
    let info = e.info();
    new(info.kind.name(), info.code, &info.message)
}

fn new(kind: &str, code: Option<u16>, message: &str) -> PyErr {
    Python::attach(|py| {
        let err = FtpError::new_err(message.to_string());
        let value = err.value(py);
        // Setting attributes on a fresh exception object cannot fail but
        // for memory; the exception is still raised without them then.
        let _ = value.setattr("kind", kind);
        let _ = value.setattr("code", code);
        let _ = value.setattr("message", message);
        err
    })
}

/// For `?` on the library's results.
pub trait OrRaise<T> {
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for ftp_host::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(raise)
    }
}

/// A call on a closed or busy session, or a finished transfer: the same
/// `FtpError`, kind `invalid-input` or `closed`.
pub fn misuse(kind: &str, message: &str) -> PyErr {
    new(kind, None, message)
}
