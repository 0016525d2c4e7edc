//! Whole trees: make a local directory a copy of a server's, or the
//! reverse. Both trees are read, the plan made ([`plan`]), returned as
//! data for a dry run, else carried out over the job's pool: directories,
//! then the copies (as many at once as the pool has sessions), then
//! deletions. A file the other side refuses is reported and the rest go
//! on; a run cut short is finished by the next, which copies only what is
//! still missing or different.
//!
//! What a run never does, whatever the server lists: write or delete
//! outside the local directory, follow a local symbolic link, take a name
//! that is not one plain path component, or guess which of two entries of
//! one name is meant (both are skipped and reported). A download goes to a
//! partial file beside its target, renamed into place when whole; one is
//! left only when a transfer broke off on something worth another try (or
//! the run was cancelled), for the next try or run to resume, and the next
//! run that finds one it does not need removes it.

mod down;
mod journal;
mod local;
pub mod plan;
mod remote;
mod run;
mod up;

pub use journal::Journal;
pub use plan::{Action, Item, Rules, Why};

use crate::error::{read_error, write_error};
use crate::{Error, Job, Result};
use std::path::{Path, PathBuf};

/// Which way a mirror copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The server's tree into a local directory.
    Down,
    /// A local directory onto the server.
    Up,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Down => "down",
            Direction::Up => "up",
        }
    }
}

/// What to mirror, and how.
#[derive(Debug, Clone)]
pub struct Mirror {
    pub direction: Direction,
    /// The directory on the server (relative to the login directory, or
    /// absolute); a trailing `/` is the same directory.
    pub remote: String,
    pub local: PathBuf,
    pub rules: Rules,
    /// Check each copy against the server's digest (HASH, SHA-256 else
    /// SHA-512) where it offers one; a mismatch fails that file.
    pub verify: bool,
    /// Keep a journal here (see [`Journal`]): the next run lists again
    /// only the directories that changed.
    pub journal: Option<PathBuf>,
    /// On a server that lists by LIST (whose times are its local time),
    /// learn its time zone from one file's MDTM (always UTC) against its
    /// listed time, and correct every listed time by it (FileZilla's and
    /// ftputil's way); on by default. MLSD's times are UTC already.
    pub infer_time_zone: bool,
}

impl Mirror {
    /// The server's `remote` into the local `local`.
    pub fn down(remote: &str, local: impl Into<PathBuf>) -> Self {
        Self::new(Direction::Down, remote, local.into())
    }

    /// The local `local` onto the server's `remote`.
    pub fn up(local: impl Into<PathBuf>, remote: &str) -> Self {
        Self::new(Direction::Up, remote, local.into())
    }

    fn new(direction: Direction, remote: &str, local: PathBuf) -> Self {
        Self {
            direction,
            remote: remote.to_string(),
            local,
            rules: Rules::default(),
            verify: false,
            journal: None,
            infer_time_zone: true,
        }
    }

    pub fn rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.journal = Some(path.into());
        self
    }

    /// See [`Mirror::infer_time_zone`]; `false` takes listed times as UTC.
    pub fn infer_time_zone(mut self, infer: bool) -> Self {
        self.infer_time_zone = infer;
        self
    }

    /// The remote directory as paths below it are written.
    fn base(&self) -> String {
        match self.remote.trim_end_matches('/') {
            "" if self.remote.starts_with('/') => "/".into(),
            base => base.to_string(),
        }
    }
}

/// Why an entry of either tree is not mirrored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// Not one plain path component (`..`, `a/b`, a control character).
    NotPlainName,
    /// A link, a device, anything but a file or a directory.
    NotFileOrDirectory,
    /// A listing line no parser understood.
    Unparsed,
    /// Listed twice alike: mirrored once.
    ListedTwice,
    /// Listed twice, differently (a file and a directory, two sizes):
    /// which one is meant cannot be told, so neither is mirrored.
    ListedTwiceDiffering,
    /// A local name that is not UTF-8, which no remote name can match.
    NotUtf8,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::NotPlainName => "not a plain name",
            SkipReason::NotFileOrDirectory => "not a file or directory",
            SkipReason::Unparsed => "a listing line that was not understood",
            SkipReason::ListedTwice => "listed twice (mirrored once)",
            SkipReason::ListedTwiceDiffering => "listed twice, differently (left alone)",
            SkipReason::NotUtf8 => "not a UTF-8 name",
        }
    }
}

/// An entry left out of the mirror, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
}

/// What a mirror will do: the actions in the order they run, what was
/// skipped, and how many source files were already up to date.
#[derive(Debug, Clone)]
pub struct Plan {
    pub direction: Direction,
    pub actions: Vec<Action>,
    pub skipped: Vec<Skipped>,
    pub up_to_date: u64,
    /// Partial files an earlier run left, relative to the local
    /// directory; those the copies do not resume are removed.
    pub(crate) partials: Vec<String>,
    /// The remote directory is missing (a mirror up makes it).
    pub(crate) remote_missing: bool,
}

impl Plan {
    /// The files to copy and their bytes (as far as the source knows).
    pub fn totals(&self) -> (u64, u64) {
        self.actions.iter().fold((0, 0), |(files, bytes), a| match a {
            Action::Copy { item, .. } => (files + 1, bytes + item.size.unwrap_or(0)),
            _ => (files, bytes),
        })
    }
}

/// A mirror's plan, made and ready to carry out.
pub struct Prepared {
    pub plan: Plan,
    journal: Option<Journal>,
    mirror: Mirror,
}

/// How one action went.
#[derive(Debug)]
pub enum Outcome {
    /// Done; for a copy, the file's size.
    Done(u64),
    /// A conflict, reported and left alone.
    LeftAlone,
    Failed(Error),
    /// The run stopped (a failure other than a refusal, or a cancel)
    /// before it got to this.
    NotStarted,
}

/// What a mirror did: its plan, and each action's outcome in plan order.
#[derive(Debug)]
pub struct Report {
    pub plan: Plan,
    pub outcomes: Vec<(Action, Outcome)>,
}

impl Report {
    fn count(&self, which: impl Fn(&Action) -> bool) -> u64 {
        self.outcomes
            .iter()
            .filter(|(a, o)| which(a) && matches!(o, Outcome::Done(_)))
            .count() as u64
    }

    /// Files copied, and their bytes.
    pub fn copied(&self) -> (u64, u64) {
        self.outcomes.iter().fold((0, 0), |(n, bytes), (a, o)| match (a, o) {
            (Action::Copy { .. }, Outcome::Done(size)) => (n + 1, bytes + size),
            _ => (n, bytes),
        })
    }

    pub fn dirs_made(&self) -> u64 {
        self.count(|a| matches!(a, Action::MakeDir(_)))
    }

    pub fn deleted(&self) -> u64 {
        self.count(|a| matches!(a, Action::Delete { .. }))
    }

    pub fn conflicts(&self) -> u64 {
        self.outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::LeftAlone))
            .count() as u64
    }

    /// The actions that failed, in plan order.
    pub fn failures(&self) -> impl Iterator<Item = (&Action, &Error)> {
        self.outcomes.iter().filter_map(|(a, o)| match o {
            Outcome::Failed(e) => Some((a, e)),
            _ => None,
        })
    }

    /// The failure that stopped the run, if one did: the first that was
    /// not a refusal of one file.
    pub fn stopped_by(&self) -> Option<(&Action, &Error)> {
        self.failures().find(|(_, e)| !e.is_refusal())
    }
}

impl Job<'_> {
    /// Reads both trees and decides what a mirror would do, changing
    /// nothing: a dry run.
    pub fn plan(&self, mirror: &Mirror) -> Result<Plan> {
        self.plan_for(mirror, None)
    }

    fn plan_for(&self, mirror: &Mirror, journal: Option<&mut Journal>) -> Result<Plan> {
        let base = mirror.base();
        let mut session = self.session()?;
        let up = mirror.direction == Direction::Up;
        let walked = remote::walk(self, &mut session, &base, up, journal, mirror.infer_time_zone);
        self.show_trace(&mut session);
        let walked = walked?;
        drop(session);
        let scanned = local::scan(&mirror.local).map_err(|e| match mirror.direction {
            Direction::Down => write_error(&mirror.local)(e),
            Direction::Up => read_error(&mirror.local)(e),
        })?;
        let mut skipped = walked.skipped;
        skipped.extend(scanned.unreadable.iter().map(|p| Skipped {
            path: p.to_string_lossy().into_owned(),
            reason: SkipReason::NotUtf8,
        }));
        let (source, dest) = match mirror.direction {
            Direction::Down => (walked.items, scanned.items),
            Direction::Up => (up::sendable(scanned.items, &mut skipped), walked.items),
        };
        let actions = plan::plan(&source, &dest, &mirror.rules);
        let files = source.iter().filter(|i| !i.dir).count() as u64;
        let moving = actions
            .iter()
            .filter(|a| matches!(a, Action::Copy { .. } | Action::Conflict(_)))
            .count() as u64;
        Ok(Plan {
            direction: mirror.direction,
            actions,
            skipped,
            up_to_date: files.saturating_sub(moving),
            partials: scanned.partials,
            remote_missing: !walked.exists,
        })
    }

    /// Makes `mirror`'s destination a copy of its source (see the module
    /// docs for what a run does and never does). Fails as a whole only when
    /// the trees cannot be read; each action's outcome is in the report.
    pub fn mirror(&self, mirror: &Mirror) -> Result<Report> {
        let prepared = self.prepare(mirror)?;
        self.carry_out(prepared)
    }

    /// The first half of [`mirror`](Self::mirror): reads both trees (with
    /// the journal, if the mirror keeps one) and makes the plan, which the
    /// caller may show before [`carry_out`](Self::carry_out) does it.
    pub fn prepare(&self, mirror: &Mirror) -> Result<Prepared> {
        let mut journal = match &mirror.journal {
            Some(path) => Some(Journal::open(path, mirror.direction, &mirror.base())?),
            None => None,
        };
        let plan = self.plan_for(mirror, journal.as_mut())?;
        Ok(Prepared {
            plan,
            journal,
            mirror: mirror.clone(),
        })
    }

    /// Carries out a prepared plan; the journal, if any, is compacted at
    /// the end.
    pub fn carry_out(&self, prepared: Prepared) -> Result<Report> {
        let Prepared {
            plan,
            mut journal,
            mirror,
        } = prepared;
        let report = run::carry_out(self, &mirror, plan, journal.as_mut())?;
        if let Some(journal) = journal {
            journal.finish()?;
        }
        Ok(report)
    }

    /// Downloads the server's `remote` directory into `local` (`get -r`):
    /// a mirror down without deletions.
    pub fn download_tree(&self, remote: &str, local: &Path) -> Result<Report> {
        self.mirror(&Mirror::down(remote, local))
    }

    /// Uploads `local` to the server's `remote` directory (`put -r`).
    pub fn upload_tree(&self, local: &Path, remote: &str) -> Result<Report> {
        self.mirror(&Mirror::up(local, remote))
    }
}
