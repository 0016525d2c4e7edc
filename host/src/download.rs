//! A download as `std::io::Read` / `BufRead`. Binary transfers read the
//! data connection's own stream on the host (over FTPS too where the host
//! does the TLS, as the embedded build has it), so file data never passes
//! through the component; ASCII transfers, and TLS done inside the
//! component, which it must decode, are read from it in chunks.

use crate::bindings::Reply;
use crate::error::flatten;
use crate::streams::{self, Waited};
use crate::transfer::Transfer;
use crate::{Error, Result, Session};
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
    inner: DetachedDownload,
}

/// A download that does not hold its session: each call is given it (the
/// same one it was opened on), for bindings whose objects cannot borrow
/// (Python's, Node's). It must end with [`finish`](Self::finish) or
/// [`abort`](Self::abort): until then the session is busy.
pub struct DetachedDownload {
    transfer: Transfer<DynInputStream>,
    /// What was read and not yet consumed.
    chunk: Bytes,
    ended: bool,
    session_id: u64,
}

impl<'s> Download<'s> {
    pub(crate) fn start(session: &'s mut Session, handle: ResourceAny) -> Result<Self> {
        let inner = DetachedDownload::start(session, handle)?;
        Ok(Self { session, inner })
    }

    /// The bytes this download should deliver, when the server said (SIZE
    /// on a resumed download, else its 150 reply); a different count fails
    /// the download with [`Error::Partial`](crate::Error::Partial).
    pub fn expected_size(&mut self) -> Result<Option<u64>> {
        self.inner.expected_size(self.session)
    }

    /// Whether the data connection is read here directly (binary, with TLS
    /// only where the host does it), rather than through the component.
    pub fn is_direct(&self) -> bool {
        self.inner.is_direct()
    }

    /// Waits for the end of the data (discarding what was not read) and the
    /// server's final reply, which must be 2xx.
    pub fn finish(mut self) -> Result<Reply> {
        let inner = std::mem::replace(&mut self.inner, DetachedDownload::ended());
        inner.finish(self.session)
    }

    /// Stops the transfer early (ABOR); the session stays usable.
    pub fn abort(mut self) -> Result<()> {
        let inner = std::mem::replace(&mut self.inner, DetachedDownload::ended());
        inner.abort(self.session)
    }
}

impl DetachedDownload {
    pub(crate) fn start(session: &mut Session, handle: ResourceAny) -> Result<Self> {
        let guest = session.bindings.wftp_client_client().retrieve();
        let transfer = Transfer::start(&mut session.store, handle, |st| guest.call_data_stream(st, handle))?;
        let mut download = Self {
            transfer,
            chunk: Bytes::new(),
            ended: false,
            session_id: session.id,
        };
        if download.is_direct() {
            download.report(session, 0)?;
        }
        Ok(download)
    }

    /// A stand-in for one that was finished, for `Download` to move from.
    fn ended() -> Self {
        Self {
            transfer: Transfer::ended(),
            chunk: Bytes::new(),
            ended: true,
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

    /// See [`Download::expected_size`].
    pub fn expected_size(&mut self, session: &mut Session) -> Result<Option<u64>> {
        self.check(session)?;
        let handle = self.transfer.handle()?;
        let guest = session.bindings.wftp_client_client().retrieve();
        guest
            .call_expected_size(&mut session.store, handle)
            .map_err(Error::Runtime)
    }

    /// Tells the component `bytes` more were read from the handed-over
    /// stream; it enforces the deadlines and the announced size.
    fn report(&mut self, session: &mut Session, bytes: u64) -> Result<()> {
        let guest = session.bindings.wftp_client_client().retrieve();
        self.transfer
            .report(&mut session.store, |st, h| guest.call_progress(st, h, bytes))
    }

    /// See [`Download::is_direct`].
    pub fn is_direct(&self) -> bool {
        self.transfer.stream.is_some()
    }

    /// The next piece of data, or `None` at its end; under a rate limit,
    /// a small piece, once the limit lets it through.
    fn next_chunk(&mut self, session: &mut Session) -> Result<Option<Bytes>> {
        session.check_cancel()?;
        let max = session.chunk(CHUNK);
        let chunk = self.read_chunk(session, max)?;
        if let (Some(bytes), Some(rate)) = (&chunk, &session.rate) {
            rate.take(bytes.len());
        }
        Ok(chunk)
    }

    fn read_chunk(&mut self, session: &mut Session, max: usize) -> Result<Option<Bytes>> {
        while let Some(stream) = &self.transfer.stream {
            // Each wait ends when a deadline may have passed; the component
            // then says whether one did (an error) or how long to go on.
            let wait = session.wait_at_most(self.transfer.wait);
            let table = session.store.data_mut().table();
            let waited = streams::read_within(table, stream, max, Some(wait));
            let waited = match waited {
                Ok(waited) => waited,
                Err(e @ Error::Network(_)) => {
                    let guest = session.bindings.wftp_client_client().retrieve();
                    return Err(self
                        .transfer
                        .failed(&mut session.store, |st, h| guest.call_abort(st, h), e));
                }
                Err(e) => return Err(e),
            };
            match waited {
                Waited::Ready(Some(bytes)) => {
                    self.report(session, bytes.len() as u64)?;
                    return Ok(Some(bytes));
                }
                Waited::Ready(None) => return Ok(None),
                Waited::TimedOut => {
                    session.check_cancel()?;
                    self.report(session, 0)?;
                }
            }
        }
        let handle = self.transfer.handle()?;
        let guest = session.bindings.wftp_client_client().retrieve();
        let max = u32::try_from(max).unwrap_or(u32::MAX);
        Ok(flatten(guest.call_read(&mut session.store, handle, max))?.map(Bytes::from))
    }

    /// What has arrived and is not consumed yet, reading more when there is
    /// none; empty at the end.
    pub fn fill_buf(&mut self, session: &mut Session) -> Result<&[u8]> {
        self.check(session)?;
        while self.chunk.is_empty() && !self.ended {
            match self.next_chunk(session)? {
                Some(bytes) => self.chunk = bytes,
                None => self.ended = true,
            }
        }
        Ok(&self.chunk)
    }

    pub fn consume(&mut self, amount: usize) {
        self.chunk.advance(amount.min(self.chunk.len()));
    }

    /// Reads into `buf`: how many bytes, 0 at the end.
    pub fn read(&mut self, session: &mut Session, buf: &mut [u8]) -> Result<usize> {
        let available = self.fill_buf(session)?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }

    /// See [`Download::finish`].
    pub fn finish(mut self, session: &mut Session) -> Result<Reply> {
        self.check(session)?;
        // The component drains what it still reads itself; a handed-over
        // stream is drained here.
        while self.is_direct() && !self.ended {
            self.ended = self.read_chunk(session, CHUNK)?.is_none();
        }
        let guest = session.bindings.wftp_client_client().retrieve();
        self.transfer.end(&mut session.store, |st, h| guest.call_finish(st, h))
    }

    /// See [`Download::abort`].
    pub fn abort(mut self, session: &mut Session) -> Result<()> {
        self.check(session)?;
        let guest = session.bindings.wftp_client_client().retrieve();
        self.transfer.end(&mut session.store, |st, h| guest.call_abort(st, h))
    }

    /// Drops the transfer (the component aborts it if unfinished).
    pub fn release(mut self, session: &mut Session) {
        if self.check(session).is_ok() {
            self.transfer.release(&mut session.store);
        }
    }
}

impl BufRead for Download<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Ok(self.inner.fill_buf(self.session)?)
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
    }
}

impl Read for Download<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.inner.read(self.session, buf)?)
    }
}

impl Drop for Download<'_> {
    fn drop(&mut self) {
        self.inner.transfer.release(&mut self.session.store);
    }
}
