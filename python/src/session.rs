//! `Session`: one logged-in connection, its own component instance granted
//! its server alone. Calls release the GIL while they wait; a session is
//! used by one call at a time (others wait for it).

use crate::convert::{self, Entry, Settings};
use crate::error::{misuse, OrRaise};
use crate::transfers::{Download, Listing, Upload};
use ftp_host::HashAlgorithm;
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

/// The component, compiled once a process (and cached on disk).
pub fn client() -> PyResult<&'static ftp_host::Client> {
    static CLIENT: OnceLock<ftp_host::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let client = ftp_host::Client::new().or_raise()?;
    Ok(CLIENT.get_or_init(|| client))
}

/// Where a session lives: shared by the session object and the transfers
/// opened on it; `None` once closed.
pub type Slot = Arc<Mutex<Option<ftp_host::Session>>>;

pub fn lock(slot: &Slot) -> MutexGuard<'_, Option<ftp_host::Session>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` on the open session in `slot`, with the GIL released.
pub fn with_session<T: Send>(
    py: Python<'_>,
    slot: &Slot,
    f: impl FnOnce(&mut ftp_host::Session) -> ftp_host::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| {
        let mut guard = lock(slot);
        match guard.as_mut() {
            Some(session) => f(session).map_err(Some),
            None => Err(None),
        }
    })
    .map_err(|e| match e {
        Some(e) => crate::error::raise(e),
        None => misuse("closed", "the session is closed"),
    })
}

/// A server's reply.
#[pyclass(module = "ftp_client._native", frozen, get_all)]
#[derive(Clone)]
pub struct Reply {
    pub code: u16,
    pub text: String,
}

#[pymethods]
impl Reply {
    fn __repr__(&self) -> String {
        format!("Reply({}, {:?})", self.code, self.text)
    }
}

impl From<ftp_host::Reply> for Reply {
    fn from(r: ftp_host::Reply) -> Self {
        Self {
            code: r.code,
            text: r.text,
        }
    }
}

fn algorithm(name: Option<&str>) -> PyResult<Option<HashAlgorithm>> {
    Ok(match name.map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("sha256" | "sha-256") => Some(HashAlgorithm::Sha256),
        Some("sha512" | "sha-512") => Some(HashAlgorithm::Sha512),
        Some("sha1" | "sha-1") => Some(HashAlgorithm::Sha1),
        Some("md5") => Some(HashAlgorithm::Md5),
        Some("crc32") => Some(HashAlgorithm::Crc32),
        Some(other) => return Err(misuse("invalid-input", &format!("no hash algorithm named {other}"))),
    })
}

/// A logged-in session; the package's `Session` subclasses it.
#[pyclass(module = "ftp_client._native", subclass)]
pub struct Session {
    pub(crate) slot: Slot,
    welcome: Reply,
}

#[pymethods]
impl Session {
    /// Connects and logs in: `Session("ftp://user:pass@host/", timeout=10)`.
    #[new]
    #[pyo3(signature = (url, **settings))]
    fn new(py: Python<'_>, url: &str, settings: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<Self> {
        let settings = Settings::from_kwargs(settings)?;
        let options = convert::options(py, url, &settings)?;
        let client = client()?;
        let session = py.detach(|| client.connect(options)).or_raise()?;
        let welcome = session.welcome().clone().into();
        Ok(Session {
            slot: Arc::new(Mutex::new(Some(session))),
            welcome,
        })
    }

    /// The server's welcome reply.
    #[getter]
    fn welcome(&self) -> Reply {
        self.welcome.clone()
    }

    #[getter]
    fn closed(&self) -> bool {
        lock(&self.slot).is_none()
    }

    /// Sends one command line; the final reply whatever its code
    /// (ftplib's `sendcmd`).
    fn command(&self, py: Python<'_>, line: String) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.command(&line)).map(Into::into)
    }

    /// Sends one command line; fails unless the reply is 2xx (`voidcmd`).
    fn void_command(&self, py: Python<'_>, line: String) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.void_command(&line)).map(Into::into)
    }

    fn noop(&self, py: Python<'_>) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.noop()).map(Into::into)
    }

    fn pwd(&self, py: Python<'_>) -> PyResult<String> {
        with_session(py, &self.slot, |s| s.pwd())
    }

    fn cwd(&self, py: Python<'_>, path: String) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.cwd(&path)).map(Into::into)
    }

    fn cdup(&self, py: Python<'_>) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.cdup()).map(Into::into)
    }

    /// Creates a directory; the path the server reports.
    fn mkdir(&self, py: Python<'_>, path: String) -> PyResult<String> {
        with_session(py, &self.slot, |s| s.mkdir(&path))
    }

    /// Creates a directory and its missing parents (`mkdir -p`).
    fn mkdir_all(&self, py: Python<'_>, path: String) -> PyResult<()> {
        with_session(py, &self.slot, |s| s.mkdir_all(&path))
    }

    fn rmdir(&self, py: Python<'_>, path: String) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.rmdir(&path)).map(Into::into)
    }

    /// Removes a directory and everything below it.
    fn remove_tree(&self, py: Python<'_>, path: String) -> PyResult<()> {
        with_session(py, &self.slot, |s| s.remove_tree(&path))
    }

    fn delete(&self, py: Python<'_>, path: String) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.delete(&path)).map(Into::into)
    }

    fn rename(&self, py: Python<'_>, source: String, target: String) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.rename(&source, &target)).map(Into::into)
    }

    fn size(&self, py: Python<'_>, path: String) -> PyResult<u64> {
        with_session(py, &self.slot, |s| s.size(&path))
    }

    /// MDTM, in seconds since the Unix epoch.
    fn modified(&self, py: Python<'_>, path: String) -> PyResult<f64> {
        let t = with_session(py, &self.slot, |s| s.modified(&path))?;
        Ok(t.seconds as f64 + f64::from(t.nanoseconds) / 1e9)
    }

    /// MFMT (or `MDTM time path`), seconds since the Unix epoch.
    fn set_modified(&self, py: Python<'_>, path: String, seconds: i64) -> PyResult<Reply> {
        let time = ftp_host::Timestamp {
            seconds,
            nanoseconds: 0,
        };
        with_session(py, &self.slot, |s| s.set_modified(&path, time)).map(Into::into)
    }

    #[pyo3(signature = (path=None))]
    fn nlst(&self, py: Python<'_>, path: Option<String>) -> PyResult<Vec<String>> {
        with_session(py, &self.slot, |s| s.nlst(path.as_deref()))
    }

    /// A directory's entries, whole (MLSD where offered, else LIST parsed).
    #[pyo3(signature = (path=None))]
    fn list(&self, py: Python<'_>, path: Option<String>) -> PyResult<Vec<Entry>> {
        let entries = with_session(py, &self.slot, |s| s.list(path.as_deref()))?;
        Ok(entries.into_iter().map(Entry::from).collect())
    }

    /// A directory's entries as they arrive: an iterator.
    #[pyo3(signature = (path=None))]
    fn listing(&self, py: Python<'_>, path: Option<String>) -> PyResult<Listing> {
        let inner = with_session(py, &self.slot, |s| s.listing_detached(path.as_deref()))?;
        Ok(Listing::new(self.slot.clone(), inner))
    }

    /// MLSD as sent, `cdir` and `pdir` included (ftplib's `mlsd`).
    #[pyo3(signature = (path=None, facts=Vec::new()))]
    fn mlsd(&self, py: Python<'_>, path: Option<String>, facts: Vec<String>) -> PyResult<Vec<Entry>> {
        let facts: Vec<&str> = facts.iter().map(String::as_str).collect();
        let entries = with_session(py, &self.slot, |s| s.mlsd(path.as_deref(), &facts))?;
        Ok(entries.into_iter().map(Entry::from).collect())
    }

    /// MLST: one path's facts.
    fn stat(&self, py: Python<'_>, path: String) -> PyResult<Entry> {
        with_session(py, &self.slot, |s| s.stat(&path)).map(Entry::from)
    }

    /// FEAT: `(name, params)` pairs.
    fn features(&self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        let features = with_session(py, &self.slot, |s| s.features())?;
        Ok(features.into_iter().map(|f| (f.name, f.params)).collect())
    }

    fn system(&self, py: Python<'_>) -> PyResult<String> {
        with_session(py, &self.slot, |s| s.system())
    }

    #[pyo3(signature = (path=None))]
    fn status(&self, py: Python<'_>, path: Option<String>) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.status(path.as_deref())).map(Into::into)
    }

    #[pyo3(signature = (topic=None))]
    fn help(&self, py: Python<'_>, topic: Option<String>) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.help(topic.as_deref())).map(Into::into)
    }

    fn site(&self, py: Python<'_>, arguments: String) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.site(&arguments)).map(Into::into)
    }

    /// The server's digest of a file: `(algorithm, hex)`.
    #[pyo3(signature = (path, algorithm=None))]
    fn hash(&self, py: Python<'_>, path: String, algorithm: Option<String>) -> PyResult<(String, String)> {
        let wanted = self::algorithm(algorithm.as_deref())?;
        let digest = with_session(py, &self.slot, |s| s.hash(&path, wanted))?;
        Ok((ftp_host::digest_name(digest.algorithm).to_string(), digest.hex))
    }

    /// `"binary"` (the default) or `"ascii"`.
    fn set_transfer_type(&self, py: Python<'_>, kind: &str) -> PyResult<Reply> {
        let kind = match kind {
            "binary" | "I" | "i" => ftp_host::TransferType::Binary,
            "ascii" | "A" | "a" => ftp_host::TransferType::Ascii,
            other => {
                return Err(misuse(
                    "invalid-input",
                    &format!("transfer type is binary or ascii, not {other}"),
                ))
            }
        };
        with_session(py, &self.slot, |s| s.set_transfer_type(kind)).map(Into::into)
    }

    /// PROT P (`True`) or PROT C for the transfers from now on.
    fn set_data_protection(&self, py: Python<'_>, private: bool) -> PyResult<Reply> {
        with_session(py, &self.slot, |s| s.set_data_protection(private)).map(Into::into)
    }

    /// Starts (afresh) or stops recording the conversation.
    fn set_trace(&self, py: Python<'_>, on: bool) -> PyResult<()> {
        with_session(py, &self.slot, |s| s.set_trace(on))
    }

    /// The conversation since the last call, passwords masked.
    fn take_trace(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        with_session(py, &self.slot, |s| s.take_trace())
    }

    /// Opens a download of `path` (from byte `offset`): a raw stream with
    /// `readinto`; the package wraps it as a file object.
    #[pyo3(signature = (path, offset=0))]
    fn open_read(&self, py: Python<'_>, path: String, offset: u64) -> PyResult<Download> {
        let inner = with_session(py, &self.slot, |s| s.retrieve_detached(&path, offset))?;
        Ok(Download::new(self.slot.clone(), inner))
    }

    /// Opens an upload to `path`: appending with `append`, else from byte
    /// `offset` (0 replaces the file).
    #[pyo3(signature = (path, append=false, offset=0))]
    fn open_write(&self, py: Python<'_>, path: String, append: bool, offset: u64) -> PyResult<Upload> {
        let inner = with_session(py, &self.slot, |s| s.store_detached(&path, append, offset))?;
        Ok(Upload::new(self.slot.clone(), inner))
    }

    /// QUIT, then closes the connection.
    fn quit(&self, py: Python<'_>) -> PyResult<Reply> {
        let session = py.detach(|| lock(&self.slot).take());
        let session = session.ok_or_else(|| misuse("closed", "the session is closed"))?;
        py.detach(|| session.quit()).or_raise().map(Into::into)
    }

    /// Closes the connection (saying QUIT, within a second) if open.
    fn close(&self, py: Python<'_>) {
        let session = py.detach(|| lock(&self.slot).take());
        py.detach(move || drop(session));
    }
}
