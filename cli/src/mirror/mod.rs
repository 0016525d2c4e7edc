//! `mirror URL DIR`: make a local directory a copy of a remote one. The
//! remote tree is walked, the local one scanned, the plan made (`plan`),
//! shown with `--dry-run`, else carried out file by file over one
//! session: a file the server refuses is reported and the rest go on, and
//! a run cut short is finished by the next, which fetches only what is
//! still missing or different.

mod local;
pub mod plan;

use crate::args::Global;
use crate::commands::{is_plain_name, note, replace, show_trace, Failures};
use crate::failure::{connecting, visible, write_error, Failure, Outcome};
use crate::progress;
use crate::target::Target;
use ftp_host::{Client, EntryKind, Pool, Session};
use plan::{Action, Item, Rules, Why};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// What a run did, for its summary line.
#[derive(Default)]
struct Tally {
    fetched: usize,
    bytes: u64,
    dirs: usize,
    deleted: usize,
    conflicts: usize,
}

/// How a mirror runs: sessions at once, and whether it only prints its plan.
#[derive(Clone, Copy)]
pub struct Run {
    pub parallel: usize,
    pub dry_run: bool,
}

pub fn mirror(client: &Client, global: &Global, url: &str, dest: &Path, rules: &Rules, run: Run) -> Outcome {
    let started = Instant::now();
    let target = Target::parse(url, global)?;
    let base = target.path.trim_end_matches('/').to_string();
    let ccc = global.ccc;
    let pool = Pool::new(client, target.options.clone(), run.parallel).with_setup(move |session| {
        if ccc {
            session.clear_command_channel()?;
        }
        Ok(())
    });
    let remote = {
        let mut session = pool.get().map_err(connecting)?;
        note(global, session.welcome());
        remote_tree(&mut session, if base.is_empty() { "." } else { &base })?
    };
    let local = local::scan(dest).map_err(write_error(dest))?;
    let actions = plan::plan(&remote, &local, rules);
    if run.dry_run {
        for action in &actions {
            println!("{}", describe(action));
        }
        return Ok(());
    }
    std::fs::create_dir_all(dest).map_err(write_error(dest))?;
    let mut tally = Tally::default();
    let mut failures = Failures::default();
    let (fetches, others): (Vec<&Action>, Vec<&Action>) =
        actions.iter().partition(|a| matches!(a, Action::Fetch { .. }));
    let (dirs, rest): (Vec<&Action>, Vec<&Action>) = others.into_iter().partition(|a| matches!(a, Action::MakeDir(_)));
    for action in dirs {
        failures.check(&action_path(action), true, apply_local(dest, action, &mut tally))?;
    }
    let quiet = global.quiet || run.parallel > 1;
    for (path, outcome) in fetch_all(&pool, global, &base, dest, &fetches, run.parallel, quiet) {
        match outcome {
            Ok(bytes) => {
                tally.fetched += 1;
                tally.bytes += bytes;
            }
            Err(failure) => failures.check(&path, true, Err(failure))?,
        }
    }
    for action in rest {
        failures.check(&action_path(action), true, apply_local(dest, action, &mut tally))?;
    }
    let files = remote.iter().filter(|i| !i.dir).count();
    eprintln!(
        "mirror: {} fetched ({}), {} up to date, {} directories made, {} deleted{} in {:.2} s",
        tally.fetched,
        human_bytes(tally.bytes),
        files.saturating_sub(fetches.len() + tally.conflicts),
        tally.dirs,
        tally.deleted,
        if tally.conflicts > 0 {
            format!(", {} conflicts left alone,", tally.conflicts)
        } else {
            ",".into()
        },
        started.elapsed().as_secs_f64()
    );
    failures.result()
}

/// Fetches over up to `parallel` sessions of `pool`, each worker taking the
/// next file in plan order; a failure other than a refusal (9, 78) stops
/// the workers from taking more. Each fetch's path and bytes, or failure.
fn fetch_all(
    pool: &Pool,
    global: &Global,
    base: &str,
    dest: &Path,
    fetches: &[&Action],
    parallel: usize,
    quiet: bool,
) -> Vec<(String, Outcome<u64>)> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, fetches.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(Action::Fetch { item, .. }) = fetches.get(i).copied() else {
                    break;
                };
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let outcome = pool.get().map_err(connecting).and_then(|mut session| {
                    let done = fetch(&mut session, global, base, dest, item, quiet);
                    show_trace(&mut session, global);
                    // A session that failed mid-transfer may be out of step.
                    if done.as_ref().is_err_and(|f| !matches!(f.code, 9 | 78)) {
                        session.discard();
                    }
                    done
                });
                if outcome.as_ref().is_err_and(|f| !matches!(f.code, 9 | 78)) {
                    stop.store(true, Ordering::SeqCst);
                }
                results
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((item.path.clone(), outcome));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
}

/// The remote tree below `base`, names relative to it. Entries whose names
/// are not plain components (`..`, `a/b`, control characters), links and
/// special files are reported and left out: only files and directories
/// are mirrored.
fn remote_tree(session: &mut Session, base: &str) -> Outcome<Vec<Item>> {
    let walked = session.walk(base)?;
    for refused in &walked.refused {
        eprintln!("wftp: skipped {:?}: not a plain name", visible(&refused.name));
    }
    let mut items = Vec::new();
    for entry in walked.entries {
        if !entry.name.split('/').all(is_plain_name) {
            eprintln!("wftp: skipped {:?}: not a plain name", visible(&entry.name));
            continue;
        }
        let dir = match entry.kind {
            EntryKind::Directory => true,
            EntryKind::File => false,
            _ => {
                eprintln!("wftp: skipped {:?}: not a file or directory", visible(&entry.name));
                continue;
            }
        };
        items.push(Item {
            path: entry.name,
            dir,
            size: entry.size,
            modified: entry.modified.map(|t| t.seconds),
        });
    }
    Ok(items)
}

/// Carries out an action that needs no server.
fn apply_local(dest: &Path, action: &Action, tally: &mut Tally) -> Outcome {
    match action {
        Action::MakeDir(path) => {
            let dir = local_path(dest, path)?;
            std::fs::create_dir(&dir).map_err(write_error(&dir))?;
            tally.dirs += 1;
        }
        Action::Delete { path, dir } => {
            let gone = local_path(dest, path)?;
            if *dir {
                std::fs::remove_dir(&gone)
            } else {
                std::fs::remove_file(&gone)
            }
            .map_err(write_error(&gone))?;
            tally.deleted += 1;
        }
        Action::Conflict(path) => {
            eprintln!(
                "wftp: {}: a file on one side, a directory on the other; left alone",
                visible(path)
            );
            tally.conflicts += 1;
        }
        Action::Fetch { .. } => {}
    }
    Ok(())
}

/// Where `path` goes under `dest`, or a refusal if it would leave it.
fn local_path(dest: &Path, path: &str) -> Outcome<PathBuf> {
    local::inside(dest, path)
        .ok_or_else(|| Failure::new(9, format!("{:?} would leave {}", visible(path), dest.display())))
}

/// One file, into a temporary file renamed over the old one when whole,
/// then given the remote time so the next run sees it as up to date; the
/// bytes written.
fn fetch(session: &mut Session, global: &Global, base: &str, dest: &Path, item: &Item, quiet: bool) -> Outcome<u64> {
    let file = local_path(dest, &item.path)?;
    let remote = if base.is_empty() {
        item.path.clone()
    } else {
        format!("{base}/{}", item.path)
    };
    let mut download = session
        .retrieve(&remote)
        .map_err(|e| Failure::from(e).missing_if_550())?;
    let expected = download.expected_size()?.or(item.size);
    let bar = progress::bar(expected, quiet || global.quiet);
    let done = replace(download, expected, &file, &bar);
    bar.finish_and_clear();
    done?;
    if let Some(seconds) = item.modified.and_then(|s| u64::try_from(s).ok()) {
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(when))
            .map_err(write_error(&file))?;
    }
    std::fs::metadata(&file).map(|m| m.len()).map_err(write_error(&file))
}

fn action_path(action: &Action) -> String {
    match action {
        Action::MakeDir(p) | Action::Conflict(p) | Action::Delete { path: p, .. } => p.clone(),
        Action::Fetch { item, .. } => item.path.clone(),
    }
}

/// One line of the plan, as `--dry-run` prints it.
fn describe(action: &Action) -> String {
    let path = visible(&action_path(action));
    match action {
        Action::MakeDir(_) => format!("mkdir  {path}"),
        Action::Fetch { item, why } => {
            let why = match why {
                Why::Missing => "missing",
                Why::SizeDiffers => "size differs",
                Why::Newer => "newer",
            };
            let size = item.size.map_or_else(|| "?".into(), human_bytes);
            format!("fetch  {path} ({size}, {why})")
        }
        Action::Delete { .. } => format!("delete {path}"),
        Action::Conflict(_) => format!("skip   {path} (file against directory)"),
    }
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
