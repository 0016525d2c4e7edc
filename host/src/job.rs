//! A piece of work over a [`Pool`]: single files, segmented downloads,
//! whole trees and mirrors, each watched (progress events to an observer
//! the caller owns), stoppable (a [`Cancel`] handle) and retried after
//! transient failures, taking a transfer up where the last try stopped.

use crate::error::copying;
use crate::progress::{Event, Observer, Tracker};
use crate::{Cancel, Error, Pool, Pooled, Result, Session};
use std::io::{self, BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How work runs: on which pool (its size is how many sessions a tree run
/// uses at once), watched by whom, with how many retries.
///
/// ```no_run
/// use ftp_host::{Cancel, Client, Event, IntoOptions, Pool};
///
/// let options = "ftp://alice:secret@files.example.com/".into_options()?;
/// let pool = Pool::new(&Client::new()?, options, 4);
/// let cancel = Cancel::new();
/// let job = pool
///     .job()
///     .observe(|event: &Event, totals: &ftp_host::Totals| {
///         if let Event::Finished { path, .. } = event {
///             println!("{path} ({}/{} files)", totals.files_done, totals.files_total);
///         }
///     })
///     .cancel_with(cancel.clone())
///     .retries(3);
/// job.download("pub/big.iso", "big.iso".as_ref())?;
/// # Ok::<(), ftp_host::Error>(())
/// ```
#[derive(Clone)]
pub struct Job<'p> {
    pub(crate) pool: &'p Pool,
    pub(crate) tracker: Tracker,
    pub(crate) cancel: Cancel,
    pub(crate) retries: u32,
}

impl Pool {
    /// Work on this pool: no observer, no retries, a fresh cancel handle.
    pub fn job(&self) -> Job<'_> {
        Job {
            pool: self,
            tracker: Tracker::default(),
            cancel: Cancel::new(),
            retries: 0,
        }
    }
}

impl<'p> Job<'p> {
    /// Delivers every event, with the totals so far, to `observer`: a
    /// closure `Fn(&Event, &Totals)`, or a `Sender<(Event, Totals)>`.
    pub fn observe(mut self, observer: impl Observer + 'static) -> Self {
        self.tracker = Tracker::new(Some(Arc::new(observer)));
        self
    }

    /// Stops when `cancel` is cancelled (from any thread).
    pub fn cancel_with(mut self, cancel: Cancel) -> Self {
        self.cancel = cancel;
        self
    }

    /// Tries a file up to `retries` more times after a transient failure
    /// ([`Error::is_transient`]), waiting 0.5 s, 1 s, 2 s... between, each
    /// try on a session in step (a fresh one if the failure may have left
    /// the old one out of step) and resumed where the server allows.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    pub fn pool(&self) -> &'p Pool {
        self.pool
    }

    pub fn cancel_handle(&self) -> &Cancel {
        &self.cancel
    }

    /// The run's totals so far.
    pub fn totals(&self) -> crate::Totals {
        self.tracker.totals()
    }

    pub(crate) fn emit(&self, event: Event) {
        self.tracker.emit(event);
    }

    /// A session for one try (cancelled work gets none).
    pub(crate) fn session(&self) -> Result<Pooled<'p>> {
        self.cancel.check()?;
        self.pool.get()
    }

    /// Runs `once` on a session until it succeeds, fails other than
    /// transiently, or has been tried `retries` more times. A session whose
    /// failure may have left it out of step is closed, not handed back.
    /// `once` gets the try's number (0 first).
    pub(crate) fn retrying<T>(&self, path: &str, once: impl FnMut(&mut Session, u32) -> Result<T>) -> Result<T> {
        self.retrying_up_to(self.retries, path, once)
    }

    /// [`retrying`](Self::retrying) with its own number of retries (0 for
    /// a stream that cannot be read again).
    pub(crate) fn retrying_up_to<T>(
        &self,
        retries: u32,
        path: &str,
        mut once: impl FnMut(&mut Session, u32) -> Result<T>,
    ) -> Result<T> {
        let mut attempt = 0;
        loop {
            let mut session = self.session()?;
            session.cancel = Some(self.cancel.clone());
            let done = once(&mut session, attempt);
            session.cancel = None;
            self.show_trace(&mut session);
            if done.as_ref().is_err_and(|e| !e.keeps_session()) {
                session.discard();
            } else {
                drop(session);
            }
            match done {
                Err(e) if e.is_transient() && attempt < retries && !self.cancel.is_cancelled() => {
                    let wait = backoff(attempt);
                    self.emit(Event::Retrying {
                        path: path.to_string(),
                        attempt: attempt + 1,
                        error: e.info(),
                        wait,
                    });
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                done => return done,
            }
        }
    }

    /// With the pool's options tracing, what the session said and heard
    /// since its last use, as a `Trace` event.
    pub(crate) fn show_trace(&self, session: &mut Session) {
        if self.pool.options().trace {
            let lines = session.take_trace().unwrap_or_default();
            if !lines.is_empty() {
                self.emit(Event::Trace { lines });
            }
        }
    }

    /// Announces a file starting from byte `offset`; what the returned
    /// count says moved is taken back from the totals unless it is kept
    /// (the try succeeded).
    pub(crate) fn start(&self, path: &str, size: Option<u64>, offset: u64) -> Moving<'_, 'p> {
        self.emit(Event::Started {
            path: path.to_string(),
            size,
            offset,
        });
        Moving {
            job: self,
            path: path.to_string(),
            counted: offset,
            kept: false,
        }
    }

    /// Announces how a file ended.
    pub(crate) fn finished<T>(&self, path: &str, result: &Result<T>, size: impl Fn(&T) -> u64) {
        self.emit(Event::Finished {
            path: path.to_string(),
            result: result.as_ref().map(size).map_err(Error::info),
        });
    }
}

/// One try's bytes, as counted in the run's totals.
pub(crate) struct Moving<'j, 'p> {
    job: &'j Job<'p>,
    path: String,
    counted: u64,
    kept: bool,
}

impl Moving<'_, '_> {
    /// Copies `from` to `to` in the reader's own chunks (up to 1 MiB, or a
    /// tenth of a second's worth under a rate limit), reporting each as
    /// `Moved` and stopping when cancelled; the bytes copied. `local` names
    /// the local side, for its errors.
    pub fn pump(&mut self, from: &mut impl BufRead, to: &mut impl Write, local: &LocalSide<'_>) -> Result<u64> {
        let mut copied = 0;
        loop {
            self.job.cancel.check()?;
            let chunk = from.fill_buf().map_err(|e| copying(e, |e| local.error(false, e)))?;
            if chunk.is_empty() {
                to.flush().map_err(|e| copying(e, |e| local.error(true, e)))?;
                return Ok(copied);
            }
            let n = chunk.len();
            to.write_all(chunk).map_err(|e| copying(e, |e| local.error(true, e)))?;
            from.consume(n);
            copied += n as u64;
            self.moved(n as u64);
        }
    }

    /// Counts `bytes` more as moved.
    pub fn moved(&mut self, bytes: u64) {
        self.counted += bytes;
        self.job.emit(Event::Moved {
            path: self.path.clone(),
            bytes,
        });
    }

    /// The try succeeded: its bytes stay counted.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Moving<'_, '_> {
    fn drop(&mut self) {
        if !self.kept {
            self.job.tracker.take_back(self.counted);
        }
    }
}

/// Which end of a copy is the local file, for the error a local failure
/// gives: reading an upload's source, or writing a download's target.
pub(crate) enum LocalSide<'a> {
    Source(&'a Path),
    Target(&'a Path),
}

impl LocalSide<'_> {
    /// The error for a failure reading (`writing` false) or writing the
    /// copy's stream where that stream is the local one.
    fn error(&self, writing: bool, e: io::Error) -> Error {
        match (self, writing) {
            (LocalSide::Source(path), false) => crate::error::read_error(path)(e),
            (LocalSide::Target(path), true) => crate::error::write_error(path)(e),
            // The other end is the transfer, whose own errors `copying`
            // has already taken out; anything else is the network's.
            _ => Error::Network(e.to_string()),
        }
    }
}

/// The wait before try `attempt + 1`: 0.5 s, 1 s, 2 s... (at most 32 s).
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500 << attempt.min(6))
}
