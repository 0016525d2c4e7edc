//! Carrying out a mirror's plan: directories first, then the copies over
//! the pool's sessions at once, then deletions; a refusal of one file is
//! reported and the rest go on, any other failure stops the run from
//! starting more.

use super::down::{partial_of, Down};
use super::journal::Journal;
use super::plan::{Action, Item};
use super::up::Up;
use super::{Direction, Mirror, Outcome, Plan, Report};
use crate::digest::{local_digest, LOCAL_DIGESTS};
use crate::error::write_error;
use crate::progress::Event;
use crate::{Error, HashAlgorithm, Job, Result, Session};
use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// One direction's ways of carrying out the plan.
pub trait Side: Sync {
    /// Whether its copies and deletions change the server's tree (what the
    /// journal knew of those directories then no longer holds).
    const CHANGES_REMOTE: bool;
    fn make_dir(&self, session: &mut Session, path: &str) -> Result<()>;
    fn delete(&self, session: &mut Session, path: &str, dir: bool) -> Result<()>;
    /// One try at copying a file: its size once copied, and its SHA-256
    /// where it was checked. `sent` lasts across the file's tries: set
    /// once a try got the server to take the file's data.
    fn copy(
        &self,
        job: &Job<'_>,
        session: &mut Session,
        item: &Item,
        sent: &Cell<bool>,
    ) -> Result<(u64, Option<String>)>;
}

pub fn carry_out(job: &Job<'_>, mirror: &Mirror, plan: Plan, journal: Option<&mut Journal>) -> Result<Report> {
    let base = mirror.base();
    match mirror.direction {
        Direction::Down => {
            std::fs::create_dir_all(&mirror.local).map_err(write_error(&mirror.local))?;
            let side = Down {
                base,
                dir: &mirror.local,
                verify: mirror.verify,
            };
            let report = run(job, plan, &side, journal);
            remove_stale_partials(&mirror.local, &report);
            Ok(report)
        }
        Direction::Up => {
            if plan.remote_missing {
                job.retrying(&base, |session, _| session.mkdir_all(&base))?;
            }
            let side = Up {
                base,
                dir: &mirror.local,
                verify: mirror.verify,
            };
            Ok(run(job, plan, &side, journal))
        }
    }
}

/// The actions of `plan`, in order, each with its outcome.
fn run<S: Side>(job: &Job<'_>, plan: Plan, side: &S, journal: Option<&mut Journal>) -> Report {
    let journal = journal.map(Mutex::new);
    let stop = AtomicBool::new(false);
    let mut outcomes: Vec<(Action, Outcome)> = Vec::with_capacity(plan.actions.len());
    let step = |action: &Action| -> Outcome {
        if stop.load(Ordering::SeqCst) || job.cancel_handle().is_cancelled() {
            return Outcome::NotStarted;
        }
        let done = match action {
            Action::MakeDir(path) => job.retrying(path, |s, _| side.make_dir(s, path)),
            Action::Delete { path, dir } => job.retrying(path, |s, _| side.delete(s, path, *dir)),
            Action::Conflict(_) => return Outcome::LeftAlone,
            Action::Copy { .. } => return Outcome::NotStarted,
        };
        settle(done.map(|()| 0), &stop)
    };
    let (dirs, rest): (Vec<&Action>, Vec<&Action>) = plan.actions.iter().partition(|a| matches!(a, Action::MakeDir(_)));
    for action in dirs {
        outcomes.push((action.clone(), step(action)));
    }
    let copies: Vec<&Item> = rest
        .iter()
        .filter_map(|a| match a {
            Action::Copy { item, .. } => Some(item),
            _ => None,
        })
        .collect();
    let (files, bytes) = plan.totals();
    job.emit(Event::Planned { files, bytes });
    let copied = in_parallel(job, &copies, &stop, |item| {
        let sent = Cell::new(false);
        let done = job.retrying(&item.path, |session, _| side.copy(job, session, item, &sent));
        job.finished(&item.path, &done, |(size, _)| *size);
        if let (Ok((size, digest)), Some(journal)) = (&done, &journal) {
            let mut journal = journal.lock().unwrap_or_else(PoisonError::into_inner);
            // The journal is a help, not the work: a failure to write it
            // leaves the next run listing more, nothing worse.
            let _ = journal.copied(item, *size, digest.clone());
            if S::CHANGES_REMOTE {
                journal.changed(parent(&item.path));
            }
        }
        settle(done.map(|(size, _)| size), &stop)
    });
    let mut copied = copied.into_iter();
    for action in rest {
        let outcome = match action {
            Action::Copy { .. } => copied.next().unwrap_or(Outcome::NotStarted),
            other => {
                let outcome = step(other);
                if let (Outcome::Done(_), Some(journal), true) = (&outcome, &journal, S::CHANGES_REMOTE) {
                    journal
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .changed(parent(other.path()));
                }
                outcome
            }
        };
        outcomes.push((action.clone(), outcome));
    }
    Report { plan, outcomes }
}

/// The outcome of one action; a failure other than a refusal stops the
/// run from starting more.
fn settle(done: Result<u64>, stop: &AtomicBool) -> Outcome {
    match done {
        Ok(size) => Outcome::Done(size),
        Err(e) => {
            if !e.is_refusal() {
                stop.store(true, Ordering::SeqCst);
            }
            Outcome::Failed(e)
        }
    }
}

/// Runs `work` on each item with up to the pool's size of workers at
/// once, each taking the next item in plan order; the outcomes in the
/// items' order. Items not reached once `stop` is set are `NotStarted`.
fn in_parallel(
    job: &Job<'_>,
    items: &[&Item],
    stop: &AtomicBool,
    work: impl Fn(&Item) -> Outcome + Sync,
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..job.pool().cap().clamp(1, items.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let outcome = if stop.load(Ordering::SeqCst) || job.cancel_handle().is_cancelled() {
                    Outcome::NotStarted
                } else {
                    work(item)
                };
                results
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((i, outcome));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, o)| o).collect()
}

/// The directory `path` is in, relative to the top.
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Removes the partial files an earlier run left that this run did not
/// need (the file is whole now, or no longer wanted): only a copy that
/// broke off on something worth another try, or was not started, keeps
/// its partial file.
fn remove_stale_partials(root: &Path, report: &Report) {
    let kept: Vec<String> = report
        .outcomes
        .iter()
        .filter_map(|(action, outcome)| {
            let resumable = match outcome {
                Outcome::NotStarted => true,
                Outcome::Failed(e) => e.is_transient() || matches!(e, Error::Cancelled),
                Outcome::Done(_) | Outcome::LeftAlone => false,
            };
            match action {
                Action::Copy { item, .. } if resumable => Some(partial_path(&item.path)),
                _ => None,
            }
        })
        .collect();
    for partial in &report.plan.partials {
        if !kept.contains(partial) {
            if let Some(path) = super::local::inside(root, partial) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// The partial file of the file at `path`, relative to the top.
fn partial_path(path: &str) -> String {
    partial_of(Path::new(path)).to_string_lossy().into_owned()
}

/// The server's digest of `remote` (SHA-256, else SHA-512) against
/// `local`'s: the SHA-256 when it was that, `None` where the server offers
/// neither (the size check each copy had stands alone).
pub fn verify(session: &mut Session, remote: &str, local: &Path) -> Result<Option<String>> {
    for algorithm in LOCAL_DIGESTS {
        match session.hash(remote, Some(algorithm)) {
            Ok(theirs) => {
                let ours = local_digest(algorithm, local)?;
                if ours.as_deref() != Some(theirs.hex.as_str()) {
                    return Err(Error::DigestMismatch(format!(
                        "{} differs from the server's {} digest",
                        local.display(),
                        crate::digest::digest_name(algorithm)
                    )));
                }
                return Ok((algorithm == HashAlgorithm::Sha256).then_some(theirs.hex));
            }
            Err(Error::InvalidInput(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_and_partials_are_relative_to_the_top() {
        assert_eq!(parent("a/b/c.bin"), "a/b");
        assert_eq!(parent("c.bin"), "");
        assert_eq!(partial_path("a/c.bin"), "a/.wftp-c.bin.part");
    }
}
