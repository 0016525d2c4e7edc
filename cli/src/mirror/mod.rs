//! `mirror SRC DEST`, `get -r` and `put -r`: the library's tree mirror
//! (`ftp_host::tree`), with its plan printed for `--dry-run`, its progress
//! on a bar, what it skipped on stderr and a summary line at the end.

use crate::args::Global;
use crate::commands::{connected, job, Failures};
use crate::failure::{visible, Failure, Outcome};
use crate::json;
use crate::progress::{human_bytes, Display};
use crate::target::Target;
use ftp_host::tree::{Action, Direction, Mirror, Outcome as Done, Plan, Report, Rules, SkipReason, Why};
use ftp_host::Client;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// How a mirror runs: sessions at once, tries after a transient failure,
/// whether it only prints its plan, checks digests, keeps a journal.
#[derive(Clone)]
pub struct Run {
    pub parallel: usize,
    pub retries: u32,
    pub dry_run: bool,
    /// Check each copy against the server's digest where it offers one.
    pub verify: bool,
    pub journal: Option<PathBuf>,
    /// Learn a LIST server's time zone from its MDTM.
    pub infer_zone: bool,
}

impl Run {
    /// One session, no retries, for real (`get -r`, `put -r`).
    pub fn once() -> Self {
        Self {
            parallel: 1,
            retries: 0,
            dry_run: false,
            verify: false,
            journal: None,
            infer_zone: true,
        }
    }
}

pub fn mirror(client: &Client, global: &Global, source: &str, dest: &str, rules: Rules, run: Run) -> Outcome {
    let is_url = |s: &str| s.contains("://");
    let (url, local, direction) = match (is_url(source), is_url(dest)) {
        (true, false) => (source, dest, Direction::Down),
        (false, true) => (dest, source, Direction::Up),
        _ => return Err(Failure::usage("mirror needs one URL and one local directory")),
    };
    let target = Target::parse(url, global)?;
    let mut mirror = match direction {
        Direction::Down => Mirror::down(&target.path, local),
        Direction::Up => Mirror::up(local, &target.path),
    }
    .rules(rules)
    .verify(run.verify)
    .infer_time_zone(run.infer_zone);
    if let Some(journal) = &run.journal {
        mirror = mirror.journal(journal);
    }
    let pool = connected(client, &target.options, run.parallel, global)?;
    let copied = match direction {
        Direction::Down => "fetched",
        Direction::Up => "sent",
    };
    let display = Arc::new(Display::tree(copied, global));
    let job = job(&pool, &display, run.retries);
    let started = Instant::now();
    if run.dry_run {
        let plan = job.plan(&mirror)?;
        show_skipped(&plan);
        if global.json {
            json::plan(&plan).iter().for_each(json::print);
        } else {
            for action in &plan.actions {
                println!("{}", describe(action, direction));
            }
        }
        return Ok(());
    }
    let prepared = job.prepare(&mirror)?;
    show_skipped(&prepared.plan);
    if global.json {
        json::plan(&prepared.plan).iter().for_each(json::print);
    }
    let report = job.carry_out(prepared);
    display.clear();
    let report = report?;
    for (action, outcome) in &report.outcomes {
        if matches!((action, outcome), (Action::Conflict(_), Done::LeftAlone)) {
            eprintln!(
                "wftp: {}: a file on one side, a directory on the other; left alone",
                visible(action.path())
            );
        }
    }
    if global.json {
        json::report(&report, started.elapsed().as_secs_f64())
            .iter()
            .for_each(json::print);
    } else {
        eprintln!("{}", summary(&report, copied, started));
    }
    outcome(&report)
}

/// What the walk and the scan left out, on stderr (lines no parser
/// understood are not news: the listing's own noise).
fn show_skipped(plan: &Plan) {
    for skipped in &plan.skipped {
        if skipped.reason != SkipReason::Unparsed {
            eprintln!(
                "wftp: skipped {:?}: {}",
                visible(&skipped.path),
                skipped.reason.describe()
            );
        }
    }
}

/// `mirror: 3 fetched (127.0 KiB), 0 up to date, 2 directories made, 0 deleted, in 0.15 s`.
fn summary(report: &Report, copied: &str, started: Instant) -> String {
    let (files, bytes) = report.copied();
    let conflicts = match report.conflicts() {
        0 => ",".to_string(),
        n => format!(", {n} conflicts left alone,"),
    };
    format!(
        "mirror: {files} {copied} ({}), {} up to date, {} directories made, {} deleted{conflicts} in {:.2} s",
        human_bytes(bytes),
        report.plan.up_to_date,
        report.dirs_made(),
        report.deleted(),
        started.elapsed().as_secs_f64()
    )
}

/// The run's exit: the failure that stopped it, else the first refusal's
/// status with how many files failed, else success. Each failure is
/// reported on the way.
fn outcome(report: &Report) -> Outcome {
    if let Some((_, e)) = report.stopped_by() {
        return Err(Failure::from_ref(e));
    }
    let mut failures = Failures::default();
    for (action, e) in report.failures() {
        let failure = Failure::from_ref(e);
        let failure = match action {
            Action::Copy { .. } | Action::Delete { .. } => failure.missing_if_550(),
            _ => failure,
        };
        failures.check(action.path(), true, Err(failure))?;
    }
    failures.result()
}

/// One line of the plan, as `--dry-run` prints it.
fn describe(action: &Action, direction: Direction) -> String {
    let path = visible(action.path());
    match action {
        Action::MakeDir(_) => format!("mkdir  {path}"),
        Action::Copy { item, why } => {
            let why = match why {
                Why::Missing => "missing",
                Why::SizeDiffers => "size differs",
                Why::Newer => "newer",
            };
            let size = item.size.map_or_else(|| "?".into(), human_bytes);
            let verb = match direction {
                Direction::Down => "fetch",
                Direction::Up => "send ",
            };
            format!("{verb}  {path} ({size}, {why})")
        }
        Action::Delete { .. } => format!("delete {path}"),
        Action::Conflict(_) => format!("skip   {path} (file against directory)"),
    }
}
