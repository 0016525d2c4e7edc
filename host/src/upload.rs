//! An upload as `std::io::Write`. Binary transfers without TLS write the
//! data connection's own stream on the host; TLS and ASCII transfers go
//! through the component, which encodes them. Either way writes are
//! gathered into large chunks, so small writes cost little.

use crate::bindings::Reply;
use crate::error::flatten;
use crate::streams::{self, Waited};
use crate::transfer::Transfer;
use crate::{Error, Result, Session};
use bytes::Bytes;
use std::io::{self, Write};
use wasmtime::component::{Resource, ResourceAny};
use wasmtime_wasi::p2::DynOutputStream;

/// Bytes gathered before they are sent.
const CHUNK: usize = 1 << 20;

/// A file being uploaded. Write it, then call [`finish`](Self::finish) to
/// close the data connection and check the server's final reply; dropping
/// it unfinished aborts the transfer.
pub struct Upload<'s> {
    session: &'s mut Session,
    inner: DetachedUpload,
}

/// An upload that does not hold its session: each call is given it (the
/// same one it was opened on), for bindings whose objects cannot borrow.
/// It must end with [`finish`](Self::finish) or [`abort`](Self::abort):
/// until then the session is busy.
pub struct DetachedUpload {
    transfer: Transfer<DynOutputStream>,
    pending: Vec<u8>,
    session_id: u64,
}

impl<'s> Upload<'s> {
    pub(crate) fn start(session: &'s mut Session, handle: ResourceAny) -> Result<Self> {
        let inner = DetachedUpload::start(session, handle)?;
        Ok(Self { session, inner })
    }

    /// Whether the data connection is written here directly (binary
    /// without TLS), rather than through the component.
    pub fn is_direct(&self) -> bool {
        self.inner.is_direct()
    }

    /// For STOU: the name the server chose, once it has said.
    pub fn unique_name(&mut self) -> Result<Option<String>> {
        self.inner.unique_name(self.session)
    }

    /// Sends what is left, closes the data connection and checks the
    /// server's final reply, which must be 2xx.
    pub fn finish(mut self) -> Result<Reply> {
        let inner = std::mem::replace(&mut self.inner, DetachedUpload::ended());
        inner.finish(self.session)
    }

    /// Stops the upload early (ABOR); the session stays usable.
    pub fn abort(mut self) -> Result<()> {
        let inner = std::mem::replace(&mut self.inner, DetachedUpload::ended());
        inner.abort(self.session)
    }
}

impl DetachedUpload {
    pub(crate) fn start(session: &mut Session, handle: ResourceAny) -> Result<Self> {
        let guest = session.bindings.wftp_client_client().store();
        let transfer = Transfer::start(&mut session.store, handle, |st| guest.call_data_stream(st, handle))?;
        let mut upload = Self {
            transfer,
            pending: Vec::new(),
            session_id: session.id,
        };
        if upload.is_direct() {
            upload.report(session, 0)?;
        }
        Ok(upload)
    }

    /// A stand-in for one that was finished, for `Upload` to move from.
    fn ended() -> Self {
        Self {
            transfer: Transfer::ended(),
            pending: Vec::new(),
            session_id: 0,
        }
    }

    fn check(&self, session: &Session) -> Result<()> {
        if session.id == self.session_id {
            Ok(())
        } else {
            Err(Error::InvalidInput(
                "a transfer goes on the session it was opened on".into(),
            ))
        }
    }

    /// Tells the component `bytes` more were written to the handed-over
    /// stream; it enforces the deadlines.
    fn report(&mut self, session: &mut Session, bytes: u64) -> Result<()> {
        let guest = session.bindings.wftp_client_client().store();
        self.transfer
            .report(&mut session.store, |st, h| guest.call_progress(st, h, bytes))
    }

    /// See [`Upload::is_direct`].
    pub fn is_direct(&self) -> bool {
        self.transfer.stream.is_some()
    }

    /// See [`Upload::unique_name`].
    pub fn unique_name(&mut self, session: &mut Session) -> Result<Option<String>> {
        self.check(session)?;
        let handle = self.transfer.handle()?;
        let guest = session.bindings.wftp_client_client().store();
        guest
            .call_unique_name(&mut session.store, handle)
            .map_err(Error::Runtime)
    }

    /// Sends `bytes`; under a rate limit, in small pieces, each once the
    /// limit lets it through.
    fn send(&mut self, session: &mut Session, mut bytes: Bytes) -> Result<()> {
        let Some(rate) = session.rate.clone() else {
            return self.send_now(session, bytes);
        };
        while !bytes.is_empty() {
            let piece = bytes.split_to(rate.chunk(CHUNK).min(bytes.len()));
            rate.take(piece.len());
            self.send_now(session, piece)?;
        }
        Ok(())
    }

    /// Sends `bytes`, waiting until the network has taken them; on the
    /// handed-over stream, each wait ends when a deadline may have passed.
    fn send_now(&mut self, session: &mut Session, mut bytes: Bytes) -> Result<()> {
        if let Some(stream) = self.transfer.stream.as_ref().map(|s| Resource::new_borrow(s.rep())) {
            while !bytes.is_empty() {
                session.check_cancel()?;
                let wait = session.wait_at_most(self.transfer.wait);
                let table = session.store.data_mut().table();
                let moved = match streams::write_within(table, &stream, &mut bytes, Some(wait)) {
                    Ok(Waited::Ready(n)) => n as u64,
                    Ok(Waited::TimedOut) => 0,
                    Err(e @ Error::Network(_)) => return Err(self.failed(session, e)),
                    Err(e) => return Err(e),
                };
                self.report(session, moved)?;
            }
            return Ok(());
        }
        let handle = self.transfer.handle()?;
        let guest = session.bindings.wftp_client_client().store();
        flatten(guest.call_write(&mut session.store, handle, &bytes))
    }

    /// The handed-over stream failed: see `Transfer::failed`.
    fn failed(&mut self, session: &mut Session, e: Error) -> Error {
        let guest = session.bindings.wftp_client_client().store();
        self.transfer
            .failed(&mut session.store, |st, h| guest.call_abort(st, h), e)
    }

    fn send_pending(&mut self, session: &mut Session) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let bytes = Bytes::from(std::mem::take(&mut self.pending));
        self.send(session, bytes)
    }

    /// Takes `buf` (gathered into 1 MiB chunks before it is sent).
    pub fn write(&mut self, session: &mut Session, buf: &[u8]) -> Result<()> {
        self.check(session)?;
        if self.pending.len() + buf.len() > CHUNK {
            self.send_pending(session)?;
        }
        if buf.len() >= CHUNK {
            self.send(session, Bytes::copy_from_slice(buf))?;
        } else {
            if self.pending.capacity() == 0 {
                // One allocation per chunk, not a series of doublings.
                self.pending.reserve_exact(CHUNK);
            }
            self.pending.extend_from_slice(buf);
        }
        Ok(())
    }

    /// Sends what has been gathered.
    pub fn flush(&mut self, session: &mut Session) -> Result<()> {
        self.check(session)?;
        self.send_pending(session)
    }

    /// See [`Upload::finish`].
    pub fn finish(mut self, session: &mut Session) -> Result<Reply> {
        self.check(session)?;
        self.send_pending(session)?;
        if let Some(stream) = self.transfer.stream.as_ref().map(|s| Resource::new_borrow(s.rep())) {
            loop {
                let table = session.store.data_mut().table();
                if streams::flush_within(table, &stream, Some(self.transfer.wait))? == Waited::Ready(()) {
                    break;
                }
                self.report(session, 0)?;
            }
        }
        let guest = session.bindings.wftp_client_client().store();
        self.transfer.end(&mut session.store, |st, h| guest.call_finish(st, h))
    }

    /// See [`Upload::abort`].
    pub fn abort(mut self, session: &mut Session) -> Result<()> {
        self.check(session)?;
        self.pending.clear();
        let guest = session.bindings.wftp_client_client().store();
        self.transfer.end(&mut session.store, |st, h| guest.call_abort(st, h))
    }

    /// Drops the transfer (the component aborts it if unfinished).
    pub fn release(mut self, session: &mut Session) {
        if self.check(session).is_ok() {
            self.transfer.release(&mut session.store);
        }
    }
}

impl Write for Upload<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(self.session, buf)?;
        Ok(buf.len())
    }

    /// Sends what has been gathered. The server has the data only once
    /// [`Upload::finish`] succeeds.
    fn flush(&mut self) -> io::Result<()> {
        Ok(self.inner.flush(self.session)?)
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        self.inner.transfer.release(&mut self.session.store);
    }
}
