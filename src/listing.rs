//! A directory listing read as it arrives, handed out in batches of
//! entries, so a directory of any size needs memory for one batch and one
//! line. The session stays busy until the listing has ended; dropping it
//! before then aborts.

use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::proto::listing::{Entry, EntryStream, Kind};
use crate::session::{ListingStart, Session};
use crate::stream::Stream;
use crate::transfer::Shared;

/// The most entries one batch may hold.
pub const MAX_BATCH: u32 = 4096;

pub struct Listing {
    session: Shared,
    /// `None` once the listing has ended: read out, failed or aborted.
    open: Option<Open>,
}

struct Open {
    /// `None` once the server closed it.
    data: Option<Stream>,
    start: ListingStart,
    entries: EntryStream,
    /// Whether any entry so far was one a parser understood.
    understood: bool,
}

impl Listing {
    /// `Session::list`'s listing of `path`, opened to be read in batches.
    pub fn start(session: Shared, path: Option<&str>) -> Result<Self> {
        let (data, start) = session.borrow_mut().open_listing(path)?;
        let encoding = session.borrow().options().encoding;
        let entries = EntryStream::new(start.machine, Session::now(), encoding);
        Ok(Self {
            session,
            open: Some(Open {
                data: Some(data),
                start,
                entries,
                understood: false,
            }),
        })
    }

    /// Up to `max` (at most `MAX_BATCH`) more entries, `.` and `..` left
    /// out, as many as have arrived (waiting only for the first); `None` once the listing has ended with a 2xx. An error ends it
    /// (aborted, the session kept where it can be).
    pub fn next_batch(&mut self, max: u32) -> Result<Option<Vec<Entry>>> {
        let max = max.clamp(1, MAX_BATCH) as usize;
        let data_ms = self.session.borrow().options().data_ms;
        let Some(open) = self.open.as_mut() else {
            return Ok(None);
        };
        let mut batch = Vec::new();
        let filled = loop {
            if batch.len() == max {
                break Ok(false);
            }
            match open.entries.next_entry() {
                Ok(Some(entry)) if entry.is_self_or_parent() => {}
                Ok(Some(entry)) => {
                    open.understood |= entry.kind != Kind::Unparsed;
                    batch.push(entry);
                }
                Ok(None) => {
                    let Some(data) = open.data.as_mut() else {
                        break Ok(true);
                    };
                    // What has arrived goes out before waiting for more.
                    if !batch.is_empty() {
                        break Ok(false);
                    }
                    let room = open.entries.room();
                    match data.read(room, &Deadline::after_ms(data_ms, "data")) {
                        Ok(Some(bytes)) => open.entries.feed(&bytes),
                        Ok(None) => {
                            open.entries.end();
                            open.data = None;
                        }
                        Err(e) => break Err(e),
                    }
                }
                Err(e) => break Err(Error::from(e)),
            }
        };
        match filled {
            Ok(false) => Ok(Some(batch)),
            Ok(true) => {
                self.end(true)?;
                Ok((!batch.is_empty()).then_some(batch))
            }
            Err(e) => {
                // The error that stopped the listing is the one to report.
                let _ = self.end(false);
                Err(e)
            }
        }
    }

    /// Ends the listing: its final reply when read out (`complete`), else
    /// an abort; then CWD's refusal if that is the answer.
    fn end(&mut self, complete: bool) -> Result<()> {
        let Some(mut open) = self.open.take() else {
            return Ok(());
        };
        if let Some(data) = open.data.take() {
            data.discard();
        }
        self.session.borrow_mut().end_listing(complete)?;
        open.start.check(open.understood)
    }
}

impl Drop for Listing {
    fn drop(&mut self) {
        let _ = self.end(false);
    }
}
