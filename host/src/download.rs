//! A download as `std::io::Read` / `BufRead`. Binary transfers read the
//! data connection's own stream on the host (over FTPS too where the host
//! does the TLS, as the embedded build has it), so file data never passes
//! through the component; ASCII transfers, and TLS done inside the
//! component, which it must decode, are read from it in chunks.

use crate::bindings::Reply;
use crate::error::flatten;
use crate::streams::{self, Waited};
use crate::transfer::Transfer;
use crate::{Result, Session};
use bytes::{Buf, Bytes};
use std::io::{self, BufRead, Read};
use wasmtime::component::ResourceAny;
use wasmtime_wasi::p2::DynInputStream;

/// Bytes asked for per read: large reads keep the per-call cost low.
const CHUNK: usize = 1 << 20;

/// A file being downloaded. Read it to the end, then call
/// [`finish`](Self::finish) to check the server's final reply; dropping it
/// unfinished aborts the transfer.
pub struct Download<'s> {
    session: &'s mut Session,
    transfer: Transfer<DynInputStream>,
    /// What was read and not yet consumed.
    chunk: Bytes,
    ended: bool,
}

impl<'s> Download<'s> {
    pub(crate) fn start(session: &'s mut Session, handle: ResourceAny) -> Result<Self> {
        let guest = session.bindings.ftp_client_client().retrieve();
        let transfer = Transfer::start(&mut session.store, handle, |st| guest.call_data_stream(st, handle))?;
        let mut download = Self {
            session,
            transfer,
            chunk: Bytes::new(),
            ended: false,
        };
        if download.is_direct() {
            download.report(0)?;
        }
        Ok(download)
    }

    /// The bytes this download should deliver, when the server said (SIZE
    /// on a resumed download, else its 150 reply); a different count fails
    /// the download with [`Error::Partial`](crate::Error::Partial).
    pub fn expected_size(&mut self) -> Result<Option<u64>> {
        let handle = self.transfer.handle()?;
        let guest = self.session.bindings.ftp_client_client().retrieve();
        guest
            .call_expected_size(&mut self.session.store, handle)
            .map_err(crate::Error::Runtime)
    }

    /// Tells the component `bytes` more were read from the handed-over
    /// stream; it enforces the deadlines and the announced size.
    fn report(&mut self, bytes: u64) -> Result<()> {
        let guest = self.session.bindings.ftp_client_client().retrieve();
        self.transfer
            .report(&mut self.session.store, |st, h| guest.call_progress(st, h, bytes))
    }

    /// Whether the data connection is read here directly (binary, with TLS
    /// only where the host does it), rather than through the component.
    pub fn is_direct(&self) -> bool {
        self.transfer.stream.is_some()
    }

    /// The next piece of data, or `None` at its end; under a rate limit,
    /// a small piece, once the limit lets it through.
    fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        self.session.check_cancel()?;
        let chunk = self.read_chunk(self.session.chunk(CHUNK))?;
        if let (Some(bytes), Some(rate)) = (&chunk, &self.session.rate) {
            rate.take(bytes.len());
        }
        Ok(chunk)
    }

    fn read_chunk(&mut self, max: usize) -> Result<Option<Bytes>> {
        while let Some(stream) = &self.transfer.stream {
            // Each wait ends when a deadline may have passed; the component
            // then says whether one did (an error) or how long to go on.
            let wait = self.session.wait_at_most(self.transfer.wait);
            let table = self.session.store.data_mut().table();
            match streams::read_within(table, stream, max, Some(wait))? {
                Waited::Ready(Some(bytes)) => {
                    self.report(bytes.len() as u64)?;
                    return Ok(Some(bytes));
                }
                Waited::Ready(None) => return Ok(None),
                Waited::TimedOut => {
                    self.session.check_cancel()?;
                    self.report(0)?;
                }
            }
        }
        let store = &mut self.session.store;
        let handle = self.transfer.handle()?;
        let guest = self.session.bindings.ftp_client_client().retrieve();
        let max = u32::try_from(max).unwrap_or(u32::MAX);
        Ok(flatten(guest.call_read(store, handle, max))?.map(Bytes::from))
    }

    /// Waits for the end of the data (discarding what was not read) and the
    /// server's final reply, which must be 2xx.
    pub fn finish(mut self) -> Result<Reply> {
        // The component drains what it still reads itself; a handed-over
        // stream is drained here.
        while self.is_direct() && !self.ended {
            self.ended = self.read_chunk(CHUNK)?.is_none();
        }
        let guest = self.session.bindings.ftp_client_client().retrieve();
        self.transfer
            .end(&mut self.session.store, |st, h| guest.call_finish(st, h))
    }

    /// Stops the transfer early (ABOR); the session stays usable.
    pub fn abort(mut self) -> Result<()> {
        let guest = self.session.bindings.ftp_client_client().retrieve();
        self.transfer
            .end(&mut self.session.store, |st, h| guest.call_abort(st, h))
    }
}

impl BufRead for Download<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.chunk.is_empty() && !self.ended {
            match self.next_chunk()? {
                Some(bytes) => self.chunk = bytes,
                None => self.ended = true,
            }
        }
        Ok(&self.chunk)
    }

    fn consume(&mut self, amt: usize) {
        self.chunk.advance(amt.min(self.chunk.len()));
    }
}

impl Read for Download<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Drop for Download<'_> {
    fn drop(&mut self) {
        self.transfer.release(&mut self.session.store);
    }
}
