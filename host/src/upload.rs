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
    transfer: Transfer<DynOutputStream>,
    pending: Vec<u8>,
}

impl<'s> Upload<'s> {
    pub(crate) fn start(session: &'s mut Session, handle: ResourceAny) -> Result<Self> {
        let guest = session.bindings.ftp_client_client().store();
        let transfer = Transfer::start(&mut session.store, handle, |st| guest.call_data_stream(st, handle))?;
        let mut upload = Self {
            session,
            transfer,
            pending: Vec::new(),
        };
        if upload.is_direct() {
            upload.report(0)?;
        }
        Ok(upload)
    }

    /// Tells the component `bytes` more were written to the handed-over
    /// stream; it enforces the deadlines.
    fn report(&mut self, bytes: u64) -> Result<()> {
        let guest = self.session.bindings.ftp_client_client().store();
        self.transfer
            .report(&mut self.session.store, |st, h| guest.call_progress(st, h, bytes))
    }

    /// Whether the data connection is written here directly (binary
    /// without TLS), rather than through the component.
    pub fn is_direct(&self) -> bool {
        self.transfer.stream.is_some()
    }

    /// For STOU: the name the server chose, once it has said.
    pub fn unique_name(&mut self) -> Result<Option<String>> {
        let handle = self.transfer.handle()?;
        let guest = self.session.bindings.ftp_client_client().store();
        guest
            .call_unique_name(&mut self.session.store, handle)
            .map_err(Error::Runtime)
    }

    /// Sends `bytes`; under a rate limit, in small pieces, each once the
    /// limit lets it through.
    fn send(&mut self, mut bytes: Bytes) -> Result<()> {
        let Some(rate) = self.session.rate.clone() else {
            return self.send_now(bytes);
        };
        while !bytes.is_empty() {
            let piece = bytes.split_to(rate.chunk(CHUNK).min(bytes.len()));
            rate.take(piece.len());
            self.send_now(piece)?;
        }
        Ok(())
    }

    /// Sends `bytes`, waiting until the network has taken them; on the
    /// handed-over stream, each wait ends when a deadline may have passed.
    fn send_now(&mut self, mut bytes: Bytes) -> Result<()> {
        if let Some(stream) = self.transfer.stream.as_ref().map(|s| Resource::new_borrow(s.rep())) {
            while !bytes.is_empty() {
                self.session.check_cancel()?;
                let wait = self.session.wait_at_most(self.transfer.wait);
                let table = self.session.store.data_mut().table();
                let moved = match streams::write_within(table, &stream, &mut bytes, Some(wait))? {
                    Waited::Ready(n) => n as u64,
                    Waited::TimedOut => 0,
                };
                self.report(moved)?;
            }
            return Ok(());
        }
        let store = &mut self.session.store;
        let handle = self.transfer.handle()?;
        let guest = self.session.bindings.ftp_client_client().store();
        flatten(guest.call_write(store, handle, &bytes))
    }

    fn send_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let bytes = Bytes::from(std::mem::take(&mut self.pending));
        self.send(bytes)
    }

    /// Sends what is left, closes the data connection and checks the
    /// server's final reply, which must be 2xx.
    pub fn finish(mut self) -> Result<Reply> {
        self.send_pending()?;
        if let Some(stream) = self.transfer.stream.as_ref().map(|s| Resource::new_borrow(s.rep())) {
            loop {
                let table = self.session.store.data_mut().table();
                if streams::flush_within(table, &stream, Some(self.transfer.wait))? == Waited::Ready(()) {
                    break;
                }
                self.report(0)?;
            }
        }
        let guest = self.session.bindings.ftp_client_client().store();
        self.transfer
            .end(&mut self.session.store, |st, h| guest.call_finish(st, h))
    }

    /// Stops the upload early (ABOR); the session stays usable.
    pub fn abort(mut self) -> Result<()> {
        self.pending.clear();
        let guest = self.session.bindings.ftp_client_client().store();
        self.transfer
            .end(&mut self.session.store, |st, h| guest.call_abort(st, h))
    }
}

impl Write for Upload<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.len() + buf.len() > CHUNK {
            self.send_pending()?;
        }
        if buf.len() >= CHUNK {
            self.send(Bytes::copy_from_slice(buf))?;
        } else {
            if self.pending.capacity() == 0 {
                // One allocation per chunk, not a series of doublings.
                self.pending.reserve_exact(CHUNK);
            }
            self.pending.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    /// Sends what has been gathered. The server has the data only once
    /// [`Upload::finish`] succeeds.
    fn flush(&mut self) -> io::Result<()> {
        Ok(self.send_pending()?)
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        self.transfer.release(&mut self.session.store);
    }
}
