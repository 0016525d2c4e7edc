//! Open transfers on a session: a download read with `readinto` (straight
//! into the caller's buffer, the GIL released), an upload written in
//! chunks, a listing read as it arrives. Each must end (`finish`, `abort`,
//! or the end of the listing) for the session to take other calls; closing
//! or dropping one unfinished aborts it.

use crate::convert::Entry;
use crate::error::{misuse, raise};
use crate::session::{lock, Reply, Slot};
use ftp_host::{DetachedDownload, DetachedListing, DetachedUpload};
use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use std::sync::{Mutex, PoisonError};

/// Runs `f` on the transfer in `held` and its session, with the GIL
/// released; a transfer that ended (or whose session closed) is misuse.
fn with<T: Send, X: Send>(
    py: Python<'_>,
    slot: &Slot,
    held: &Mutex<Option<X>>,
    f: impl FnOnce(&mut X, &mut ftp_host::Session) -> ftp_host::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| {
        let mut transfer = held.lock().unwrap_or_else(PoisonError::into_inner);
        let transfer = transfer.as_mut().ok_or(Misuse::Ended)?;
        let mut session = lock(slot);
        let session = session.as_mut().ok_or(Misuse::Closed)?;
        f(transfer, session).map_err(Misuse::Failed)
    })
    .map_err(Misuse::raise)
}

/// Takes the transfer out of `held` to end it with `f` (GIL released).
fn end<T: Send, X: Send>(
    py: Python<'_>,
    slot: &Slot,
    held: &Mutex<Option<X>>,
    f: impl FnOnce(X, &mut ftp_host::Session) -> ftp_host::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| {
        let transfer = held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or(Misuse::Ended)?;
        let mut session = lock(slot);
        let session = session.as_mut().ok_or(Misuse::Closed)?;
        f(transfer, session).map_err(Misuse::Failed)
    })
    .map_err(Misuse::raise)
}

enum Misuse {
    Ended,
    Closed,
    Failed(ftp_host::Error),
}

impl Misuse {
    fn raise(self) -> PyErr {
        match self {
            Misuse::Ended => misuse("invalid-input", "the transfer is finished"),
            Misuse::Closed => misuse("closed", "the session is closed"),
            Misuse::Failed(e) => raise(e),
        }
    }
}

#[pyclass(module = "ftp_client._native")]
pub struct Download {
    slot: Slot,
    inner: Mutex<Option<DetachedDownload>>,
}

impl Download {
    pub fn new(slot: Slot, inner: DetachedDownload) -> Self {
        Self {
            slot,
            inner: Mutex::new(Some(inner)),
        }
    }
}

/// A writable, contiguous byte buffer's memory, to fill with the GIL
/// released.
struct Target {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the pointer is only used while the `PyBuffer` that exports it is
// held by the caller, which keeps the memory alive and unmoved.
unsafe impl Send for Target {}

impl Target {
    /// # Safety
    /// The buffer that exports the memory must be held for as long as the
    /// slice is used, and nothing else may touch it meanwhile.
    unsafe fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: as the caller promises.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

#[pymethods]
impl Download {
    /// Reads into `buffer` (any writable bytes-like object): how many
    /// bytes, 0 at the end.
    fn readinto(&self, py: Python<'_>, buffer: &Bound<'_, PyAny>) -> PyResult<usize> {
        let view: PyBuffer<u8> = PyBuffer::get(buffer)?;
        if view.readonly() || !view.is_c_contiguous() {
            return Err(misuse("invalid-input", "readinto needs a writable, contiguous buffer"));
        }
        let mut target = Target {
            ptr: view.buf_ptr().cast::<u8>(),
            len: view.len_bytes(),
        };
        let n = with(py, &self.slot, &self.inner, move |download, session| {
            // SAFETY: `view` outlives this call (it is dropped after it
            // returns), exporting `len` writable bytes at `ptr`; nothing
            // else writes them while the GIL is released here, as the
            // buffer protocol's exporter may not resize an exported buffer.
            let buf = unsafe { target.bytes() };
            download.read(session, buf)
        })?;
        drop(view);
        Ok(n)
    }

    /// The bytes the server announced for this download, if it did.
    fn expected_size(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        with(py, &self.slot, &self.inner, |d, s| d.expected_size(s))
    }

    /// Whether the data connection is read here directly (binary, TLS by
    /// the host) rather than through the component.
    fn is_direct(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(DetachedDownload::is_direct)
    }

    /// Reads to the end (discarding what was not read) and checks the
    /// server's final reply.
    fn finish(&self, py: Python<'_>) -> PyResult<Reply> {
        end(py, &self.slot, &self.inner, |d, s| d.finish(s)).map(Into::into)
    }

    /// Stops the transfer (ABOR); the session stays usable.
    fn abort(&self, py: Python<'_>) -> PyResult<()> {
        end(py, &self.slot, &self.inner, |d, s| d.abort(s))
    }

    #[getter]
    fn finished(&self) -> bool {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).is_none()
    }
}

impl Drop for Download {
    fn drop(&mut self) {
        release(&self.slot, &self.inner, DetachedDownload::release);
    }
}

/// Ends a transfer dropped unfinished.
fn release<X>(slot: &Slot, held: &Mutex<Option<X>>, f: impl FnOnce(X, &mut ftp_host::Session)) {
    let transfer = held.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let (Some(transfer), Some(session)) = (transfer, lock(slot).as_mut()) {
        f(transfer, session);
    }
}

#[pyclass(module = "ftp_client._native")]
pub struct Upload {
    slot: Slot,
    inner: Mutex<Option<DetachedUpload>>,
}

impl Upload {
    pub fn new(slot: Slot, inner: DetachedUpload) -> Self {
        Self {
            slot,
            inner: Mutex::new(Some(inner)),
        }
    }
}

#[pymethods]
impl Upload {
    /// Writes `data` (any bytes-like object): its length.
    fn write(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<usize> {
        let view: PyBuffer<u8> = PyBuffer::get(data)?;
        let bytes = view.to_vec(py)?;
        let n = bytes.len();
        with(py, &self.slot, &self.inner, move |u, s| u.write(s, &bytes))?;
        Ok(n)
    }

    /// Sends what was gathered.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        with(py, &self.slot, &self.inner, |u, s| u.flush(s))
    }

    /// The name the server chose (STOU), once it has said.
    fn unique_name(&self, py: Python<'_>) -> PyResult<Option<String>> {
        with(py, &self.slot, &self.inner, |u, s| u.unique_name(s))
    }

    /// Sends the rest, closes the data connection and checks the final
    /// reply.
    fn finish(&self, py: Python<'_>) -> PyResult<Reply> {
        end(py, &self.slot, &self.inner, |u, s| u.finish(s)).map(Into::into)
    }

    /// Stops the upload (ABOR); the session stays usable.
    fn abort(&self, py: Python<'_>) -> PyResult<()> {
        end(py, &self.slot, &self.inner, |u, s| u.abort(s))
    }

    #[getter]
    fn finished(&self) -> bool {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).is_none()
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        release(&self.slot, &self.inner, DetachedUpload::release);
    }
}

#[pyclass(module = "ftp_client._native")]
pub struct Listing {
    slot: Slot,
    inner: Mutex<Option<DetachedListing>>,
}

impl Listing {
    pub fn new(slot: Slot, inner: DetachedListing) -> Self {
        Self {
            slot,
            inner: Mutex::new(Some(inner)),
        }
    }
}

#[pymethods]
impl Listing {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Entry>> {
        let next = py.detach(|| {
            let mut held = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let listing = held.as_mut()?;
            let mut session = lock(&self.slot);
            let Some(session) = session.as_mut() else {
                return Some(Err(None));
            };
            let next = listing.next(session).map(|r| r.map_err(Some));
            if next.is_none() {
                *held = None;
            }
            next
        });
        match next {
            None => Ok(None),
            Some(Ok(entry)) => Ok(Some(entry.into())),
            Some(Err(Some(e))) => {
                release(&self.slot, &self.inner, DetachedListing::release);
                Err(raise(e))
            }
            Some(Err(None)) => Err(misuse("closed", "the session is closed")),
        }
    }

    /// Stops reading (the listing is aborted if unfinished).
    fn close(&self, py: Python<'_>) {
        py.detach(|| release(&self.slot, &self.inner, DetachedListing::release));
    }
}

impl Drop for Listing {
    fn drop(&mut self) {
        release(&self.slot, &self.inner, DetachedListing::release);
    }
}
