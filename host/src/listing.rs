//! A directory listing as an iterator of entries, read from the server as
//! it is consumed: a directory of any size needs memory for one batch.

use crate::bindings::{Entry, GuestListing};
use crate::error::flatten;
use crate::session::Session;
use crate::Result;
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
    /// `None` once the component said the listing ended, or it failed.
    handle: Option<ResourceAny>,
    batch: VecDeque<Entry>,
    /// The directory listed, for the session's stat cache.
    dir: Option<String>,
}

impl Session {
    /// [`list`](Self::list)'s entries, read as they arrive: MLSD where
    /// offered, else LIST parsed; `.` and `..` left out.
    pub fn listing(&mut self, path: Option<&str>) -> Result<Listing<'_>> {
        let handle = self.call(|g, st, h| g.call_open_listing(st, h, path))?;
        Ok(Listing {
            session: self,
            handle: Some(handle),
            batch: VecDeque::new(),
            dir: path.map(str::to_string),
        })
    }
}

impl Listing<'_> {
    /// Asks the component for the next batch; `false` at the end.
    fn refill(&mut self) -> Result<bool> {
        let Some(handle) = self.handle else {
            return Ok(false);
        };
        let guest: GuestListing<'_> = self.session.bindings.ftp_client_client().listing();
        match flatten(guest.call_next_batch(&mut self.session.store, handle, BATCH)) {
            Ok(Some(entries)) => {
                for entry in &entries {
                    self.session.stats.remember(self.dir.as_deref(), entry);
                }
                self.batch.extend(entries);
                Ok(true)
            }
            done => {
                self.close();
                done.map(|_| false)
            }
        }
    }

    fn close(&mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = handle.resource_drop(&mut self.session.store);
        }
    }
}

impl Iterator for Listing<'_> {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(entry) = self.batch.pop_front() {
                return Some(Ok(entry));
            }
            match self.refill() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl Drop for Listing<'_> {
    fn drop(&mut self) {
        // The component aborts a listing dropped before its end.
        self.close();
    }
}
