//! A directory listing as an iterator of entries, read from the server as
//! it is consumed: a directory of any size needs memory for one batch.

use crate::bindings::{Entry, GuestListing};
use crate::error::flatten;
use crate::session::Session;
use crate::{Error, Result};
use std::collections::vec_deque::VecDeque;
use wasmtime::component::ResourceAny;

/// Entries asked of the component per call.
const BATCH: u32 = 1024;

/// A directory's entries as they arrive ([`Session::listing`]). Iterate to
/// the end: the last item is `None` only after the server's final reply
/// was 2xx. Dropping it before the end aborts the listing; the session is
/// busy until then.
pub struct Listing<'s> {
    session: &'s mut Session,
    inner: DetachedListing,
}

/// A listing that does not hold its session: each call is given it (the
/// same one it was opened on), for bindings whose objects cannot borrow.
/// Read it to its end or [`release`](Self::release) it: until then the
/// session is busy.
pub struct DetachedListing {
    /// `None` once the component said the listing ended, or it failed.
    handle: Option<ResourceAny>,
    batch: VecDeque<Entry>,
    /// The directory listed, for the session's stat cache.
    dir: Option<String>,
    session_id: u64,
}

impl Session {
    /// [`list`](Self::list)'s entries, read as they arrive: MLSD where
    /// offered, else LIST parsed; `.` and `..` left out.
    pub fn listing(&mut self, path: Option<&str>) -> Result<Listing<'_>> {
        let inner = self.listing_detached(path)?;
        Ok(Listing { session: self, inner })
    }

    /// [`listing`](Self::listing), detached (see [`DetachedListing`]).
    pub fn listing_detached(&mut self, path: Option<&str>) -> Result<DetachedListing> {
        let handle = self.call(|g, st, h| g.call_open_listing(st, h, path))?;
        Ok(DetachedListing {
            handle: Some(handle),
            batch: VecDeque::new(),
            dir: path.map(str::to_string),
            session_id: self.id,
        })
    }
}

impl DetachedListing {
    /// Asks the component for the next batch; `false` at the end.
    fn refill(&mut self, session: &mut Session) -> Result<bool> {
        let Some(handle) = self.handle else {
            return Ok(false);
        };
        let guest: GuestListing<'_> = session.bindings.wftp_client_client().listing();
        match flatten(guest.call_next_batch(&mut session.store, handle, BATCH)) {
            Ok(Some(entries)) => {
                for entry in &entries {
                    session.stats.remember(self.dir.as_deref(), entry);
                }
                self.batch.extend(entries);
                Ok(true)
            }
            done => {
                self.close(session);
                done.map(|_| false)
            }
        }
    }

    /// The next entry; `None` after the listing ended well.
    pub fn next(&mut self, session: &mut Session) -> Option<Result<Entry>> {
        if session.id != self.session_id {
            return Some(Err(Error::InvalidInput(
                "a listing goes on the session it was opened on".into(),
            )));
        }
        loop {
            if let Some(entry) = self.batch.pop_front() {
                return Some(Ok(entry));
            }
            match self.refill(session) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }

    fn close(&mut self, session: &mut Session) {
        if let Some(handle) = self.handle.take() {
            let _ = handle.resource_drop(&mut session.store);
        }
    }

    /// Ends the listing, read or not (the component aborts one dropped
    /// before its end).
    pub fn release(mut self, session: &mut Session) {
        if session.id == self.session_id {
            self.close(session);
        }
    }
}

impl Iterator for Listing<'_> {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next(self.session)
    }
}

impl Drop for Listing<'_> {
    fn drop(&mut self) {
        // The component aborts a listing dropped before its end.
        self.inner.close(self.session);
    }
}
