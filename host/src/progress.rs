//! Progress as data: what a transfer, a listing or a tree run is doing,
//! delivered as it happens to an observer the caller owns (a closure, or
//! the sending end of a channel), with the run's totals so far.

use crate::error::ErrorInfo;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One thing that happened. Paths are the ones the caller gave, or for a
/// tree run relative to its top (components joined by `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A directory was listed (a tree run lists one at a time).
    Listed { path: String, entries: u64 },
    /// The work ahead is known: files and bytes to move (added to the
    /// totals' `files_total` and `bytes_total`).
    Planned { files: u64, bytes: u64 },
    /// A file started moving, from byte `offset` (a resumed transfer).
    Started {
        path: String,
        size: Option<u64>,
        offset: u64,
    },
    /// `bytes` more of `path` moved (at most one event per chunk read or
    /// written: up to 1 MiB, or a tenth of a second under a rate limit).
    Moved { path: String, bytes: u64 },
    /// A try failed on something worth another; the next starts after `wait`.
    Retrying {
        path: String,
        attempt: u32,
        error: ErrorInfo,
        wait: Duration,
    },
    /// A file is done: its size, or why it failed.
    Finished {
        path: String,
        result: Result<u64, ErrorInfo>,
    },
    /// What a session said and heard since its last use (with
    /// [`Options::trace`](crate::Options::trace)): `> RETR f`, `< 226 done`.
    Trace { lines: Vec<String> },
}

/// A run's totals when an event is delivered: what is done of what is
/// planned. Bytes resumed from an earlier try count as done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub files_done: u64,
    pub files_failed: u64,
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// Receives events as they happen, from whichever thread does the work
/// (one at a time, in the order they were counted), so it must be quick:
/// a slow observer slows the transfers.
pub trait Observer: Send + Sync {
    fn on_event(&self, event: &Event, totals: &Totals);
}

impl<F: Fn(&Event, &Totals) + Send + Sync> Observer for F {
    fn on_event(&self, event: &Event, totals: &Totals) {
        self(event, totals)
    }
}

/// A shared observer, so the caller keeps a handle to it.
impl<T: Observer + ?Sized> Observer for Arc<T> {
    fn on_event(&self, event: &Event, totals: &Totals) {
        (**self).on_event(event, totals)
    }
}

/// Events into a channel; once the receiver is gone they are dropped.
impl Observer for Sender<(Event, Totals)> {
    fn on_event(&self, event: &Event, totals: &Totals) {
        let _ = self.send((event.clone(), *totals));
    }
}

/// Keeps a run's totals and hands each event with them to the observer.
/// Cheap to clone; clones share the totals. Counting an event and handing
/// it over happen under one lock, so the observer sees events in the
/// order they were counted, each with the totals up to it: the last event
/// of a run carries its final totals, whichever session sent it. (Reading
/// the totals takes no lock, so an observer may.)
#[derive(Clone, Default)]
pub(crate) struct Tracker {
    observer: Option<Arc<dyn Observer>>,
    counts: Arc<Counts>,
    delivery: Arc<Mutex<()>>,
}

#[derive(Default)]
struct Counts {
    files_done: AtomicU64,
    files_failed: AtomicU64,
    files_total: AtomicU64,
    bytes_done: AtomicU64,
    bytes_total: AtomicU64,
}

impl Tracker {
    pub fn new(observer: Option<Arc<dyn Observer>>) -> Self {
        Self {
            observer,
            counts: Arc::default(),
            delivery: Arc::default(),
        }
    }

    pub fn totals(&self) -> Totals {
        let c = &self.counts;
        Totals {
            files_done: c.files_done.load(Ordering::SeqCst),
            files_failed: c.files_failed.load(Ordering::SeqCst),
            files_total: c.files_total.load(Ordering::SeqCst),
            bytes_done: c.bytes_done.load(Ordering::SeqCst),
            bytes_total: c.bytes_total.load(Ordering::SeqCst),
        }
    }

    /// Counts the event into the totals, then delivers it.
    pub fn emit(&self, event: Event) {
        // A panicking observer leaves nothing half done: the lock is good.
        let _turn = self.delivery.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let c = &self.counts;
        match &event {
            Event::Planned { files, bytes } => {
                c.files_total.fetch_add(*files, Ordering::SeqCst);
                c.bytes_total.fetch_add(*bytes, Ordering::SeqCst);
            }
            Event::Started { offset, .. } => {
                c.bytes_done.fetch_add(*offset, Ordering::SeqCst);
            }
            Event::Moved { bytes, .. } => {
                c.bytes_done.fetch_add(*bytes, Ordering::SeqCst);
            }
            Event::Finished { result: Ok(_), .. } => {
                c.files_done.fetch_add(1, Ordering::SeqCst);
            }
            Event::Finished { result: Err(_), .. } => {
                c.files_failed.fetch_add(1, Ordering::SeqCst);
            }
            Event::Listed { .. } | Event::Retrying { .. } | Event::Trace { .. } => {}
        }
        if let Some(observer) = &self.observer {
            observer.on_event(&event, &self.totals());
        }
    }

    /// A try that failed after moving `bytes` of its file: they no longer
    /// count as done (the next try moves them again, or resumes them).
    pub fn take_back(&self, bytes: u64) {
        let _ = self
            .counts
            .bytes_done
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |done| {
                Some(done.saturating_sub(bytes))
            });
    }
}
