//! `mirror SRC DEST`: make one directory a copy of another, the server's
//! (a URL) or this machine's, in either direction. Both trees are read,
//! the plan made (`plan`), shown with `--dry-run`, else carried out: a
//! file the other side refuses is reported and the rest go on, and a run
//! cut short is finished by the next, which copies only what is still
//! missing or different. Copies run over a pool of sessions (`-P`).

mod down;
mod local;
pub mod plan;
mod up;

use crate::args::Global;
use crate::commands::retry::{breaks_session, retrying};
use crate::commands::{is_plain_name, note, show_trace, Failures};
use crate::digest::{self, local_hex, LOCAL};
use crate::failure::{connecting, visible, Failure, Outcome};
use crate::progress::{self, human_bytes};
use crate::target::Target;
use ftp_host::{Client, EntryKind, Pool, Session};
use indicatif::ProgressBar;
use plan::{Action, Item, Rules, Why};
use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// How a mirror runs: sessions at once, tries after a transient failure,
/// and whether it only prints its plan.
#[derive(Clone, Copy)]
pub struct Run {
    pub parallel: usize,
    pub retries: u32,
    pub dry_run: bool,
    /// Check each copy against the server's digest where it offers one.
    pub verify: bool,
}

impl Run {
    /// One session, no retries, for real (`get -r`, `put -r`).
    pub fn once() -> Self {
        Self {
            parallel: 1,
            retries: 0,
            dry_run: false,
            verify: false,
        }
    }
}

/// What a run did, for its summary line.
#[derive(Default)]
struct Tally {
    copied: usize,
    bytes: u64,
    dirs: usize,
    deleted: usize,
    conflicts: usize,
}

/// One direction's ways of carrying out the plan.
trait Side: Sync {
    /// `fetched` or `sent`, for the summary.
    const COPIED: &'static str;
    /// `fetch` or `send`, for the plan.
    const COPY: &'static str;
    fn make_dir(&self, session: &mut Session, path: &str) -> Outcome;
    fn delete(&self, session: &mut Session, path: &str, dir: bool) -> Outcome;
    /// Copies one file; its size once copied.
    fn copy(&self, session: &mut Session, item: &Item, attempt: &Attempt) -> Outcome<u64>;
}

/// One try at copying a file.
pub struct Attempt<'a> {
    /// The run's overall bar; every byte moved counts toward it.
    pub bar: &'a ProgressBar,
    /// Set once a try has got the server to take the file's data (STOR's
    /// 1xx): only then does what the server holds come from this run, and
    /// may a later try keep it. Before that it may be an older file.
    pub sent: &'a Cell<bool>,
}

pub fn mirror(client: &Client, global: &Global, source: &str, dest: &str, rules: &Rules, run: Run) -> Outcome {
    let is_url = |s: &str| s.contains("://");
    let (url, up) = match (is_url(source), is_url(dest)) {
        (true, false) => (source, false),
        (false, true) => (dest, true),
        _ => return Err(Failure::usage("mirror needs one URL and one local directory")),
    };
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
        remote_tree(&mut session, &base, up, !run.dry_run)?
    };
    if up {
        let dir = Path::new(source);
        let local = local::scan(dir).map_err(crate::failure::read_error(dir))?;
        let local = up::sendable(local);
        carry_out(
            &pool,
            global,
            &plan::plan(&local, &remote, rules),
            &local,
            run,
            &up::Up {
                base,
                dir,
                verify: run.verify,
            },
        )
    } else {
        let dir = Path::new(dest);
        let local = local::scan(dir).map_err(crate::failure::write_error(dir))?;
        if !run.dry_run {
            std::fs::create_dir_all(dir).map_err(crate::failure::write_error(dir))?;
        }
        carry_out(
            &pool,
            global,
            &plan::plan(&remote, &local, rules),
            &remote,
            run,
            &down::Down {
                base,
                dir,
                verify: run.verify,
            },
        )
    }
}

/// Prints the plan (`--dry-run`), or carries it out: directories, then the
/// copies over the pool, then deletions; then the summary line.
fn carry_out<S: Side>(
    pool: &Pool,
    global: &Global,
    actions: &[Action],
    source: &[Item],
    run: Run,
    side: &S,
) -> Outcome {
    if run.dry_run {
        for action in actions {
            println!("{}", describe::<S>(action));
        }
        return Ok(());
    }
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut failures = Failures::default();
    let copies: Vec<&Item> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Copy { item, .. } => Some(item),
            _ => None,
        })
        .collect();
    let step = |action: &Action, tally: &mut Tally| -> Outcome {
        let mut session = pool.get().map_err(connecting)?;
        match action {
            Action::MakeDir(path) => {
                side.make_dir(&mut session, path)?;
                tally.dirs += 1;
            }
            Action::Delete { path, dir } => {
                side.delete(&mut session, path, *dir)?;
                tally.deleted += 1;
            }
            Action::Conflict(path) => {
                eprintln!(
                    "wftp: {}: a file on one side, a directory on the other; left alone",
                    visible(path)
                );
                tally.conflicts += 1;
            }
            Action::Copy { .. } => {}
        }
        show_trace(&mut session, global);
        Ok(())
    };
    for action in actions.iter().filter(|a| matches!(a, Action::MakeDir(_))) {
        failures.check(&action_path(action), true, step(action, &mut tally))?;
    }
    let total = copies.iter().filter_map(|item| item.size).sum();
    let bar = progress::overall(total, copies.len(), global.quiet);
    let done = AtomicUsize::new(0);
    let copy = |s: &mut Session, item: &Item, sent: &Cell<bool>| {
        let copied = side.copy(s, item, &Attempt { bar: &bar, sent });
        if copied.is_ok() {
            bar.println(format!("{} {}", S::COPIED, visible(&item.path)));
            let done = done.fetch_add(1, Ordering::SeqCst) + 1;
            bar.set_message(format!("{done}/{} files", copies.len()));
        }
        copied
    };
    let outcomes = in_parallel(pool, global, &copies, run, &bar, copy);
    bar.finish_and_clear();
    for (path, outcome) in outcomes {
        match outcome {
            Ok(bytes) => {
                tally.copied += 1;
                tally.bytes += bytes;
            }
            Err(failure) => failures.check(&path, true, Err(failure))?,
        }
    }
    for action in actions
        .iter()
        .filter(|a| matches!(a, Action::Delete { .. } | Action::Conflict(_)))
    {
        failures.check(&action_path(action), true, step(action, &mut tally))?;
    }
    let files = source.iter().filter(|i| !i.dir).count();
    eprintln!(
        "mirror: {} {} ({}), {} up to date, {} directories made, {} deleted{} in {:.2} s",
        tally.copied,
        S::COPIED,
        human_bytes(tally.bytes),
        files.saturating_sub(copies.len() + tally.conflicts),
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

/// Runs `work` on each item over up to `run.parallel` sessions of `pool`,
/// each worker taking the next item in plan order (`work` gets a flag
/// that lasts across the item's tries: see `Attempt::sent`). A failure
/// other than a
/// refusal (9, 78) closes that session; a transient one is tried again on
/// a fresh session up to `run.retries` times, waiting 0.5 s, 1 s, 2 s...
/// between; any other stops the workers from taking more. Each item's
/// path and outcome, in path order.
fn in_parallel(
    pool: &Pool,
    global: &Global,
    items: &[&Item],
    run: Run,
    bar: &ProgressBar,
    work: impl Fn(&mut Session, &Item, &Cell<bool>) -> Outcome<u64> + Sync,
) -> Vec<(String, Outcome<u64>)> {
    let once = |item: &Item, sent: &Cell<bool>| {
        pool.get().map_err(connecting).and_then(|mut session| {
            let done = work(&mut session, item, sent);
            show_trace(&mut session, global);
            // A session that failed other than by a reply (a refusal, a
            // 4xx) may be out of step.
            if done.as_ref().is_err_and(breaks_session) {
                session.discard();
            }
            done
        })
    };
    let say = |line: String| bar.suspend(|| eprintln!("{line}"));
    let with_retries = |item: &Item| {
        let sent = Cell::new(false);
        retrying(&item.path, run.retries, say, || once(item, &sent))
    };
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..run.parallel.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                while let Some(item) = items.get(next.fetch_add(1, Ordering::SeqCst)).copied() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let outcome = with_retries(item);
                    if outcome.as_ref().is_err_and(|f| !matches!(f.code, 9 | 78)) {
                        stop.store(true, Ordering::SeqCst);
                    }
                    results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((item.path.clone(), outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
}

/// Deeper remote trees than this are refused rather than followed (a
/// server can present an endless chain of directories).
const MAX_DEPTH: usize = 64;

/// The remote tree below `base`, names relative to it, read one streamed
/// directory listing at a time (memory for the items kept, not for whole
/// listings); for a mirror up (`may_be_missing`) a missing one is empty,
/// and made when `make` (not on a dry run). Entries whose names are not
/// plain components (`..`, `a/b`, control characters), links and special
/// files are reported and left out: only files and directories are
/// mirrored, and only directories with plain names are entered.
fn remote_tree(session: &mut Session, base: &str, may_be_missing: bool, make: bool) -> Outcome<Vec<Item>> {
    let mut items = Vec::new();
    let mut pending = vec![(String::new(), 0)];
    while let Some((relative, depth)) = pending.pop() {
        if depth > MAX_DEPTH {
            return Err(Failure::new(
                8,
                format!("{} is deeper than {MAX_DEPTH} levels", visible(&relative)),
            ));
        }
        let dir = match remote_path(base, &relative) {
            p if p.is_empty() => ".".to_string(),
            p => p,
        };
        let listed = session.listing(Some(&dir)).and_then(|listing| {
            for entry in listing {
                if let Some(item) = item(entry?, &relative) {
                    if item.dir {
                        pending.push((item.path.clone(), depth + 1));
                    }
                    items.push(item);
                }
            }
            Ok(())
        });
        match listed {
            // A mirror up makes the directory if it is missing (550, or 501
            // from pyftpdlib); if it cannot, that error is the one to see.
            Err(ftp_host::Error::Permanent(_)) if may_be_missing && relative.is_empty() => {
                if make {
                    session.mkdir_all(base)?;
                }
                return Ok(Vec::new());
            }
            listed => listed?,
        }
    }
    items.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(items)
}

/// The item for one entry of the directory `relative`, or `None` (and
/// why, on stderr) for what is not mirrored.
fn item(entry: ftp_host::Entry, relative: &str) -> Option<Item> {
    let path = remote_path(relative, &entry.name);
    if !is_plain_name(&entry.name) {
        if entry.kind != EntryKind::Unparsed {
            eprintln!("wftp: skipped {:?}: not a plain name", visible(&path));
        }
        return None;
    }
    let dir = match entry.kind {
        EntryKind::Directory => true,
        EntryKind::File => false,
        _ => {
            eprintln!("wftp: skipped {:?}: not a file or directory", visible(&path));
            return None;
        }
    };
    let precision = match entry.modified {
        // MLSD's `modify` is exact to the second; a LIST line's time
        // is to the minute, or (older files) the day.
        Some(_) if entry.facts.iter().any(|(fact, _)| fact == "modify") => 1,
        Some(t) if t.seconds % 86_400 == 0 => 86_400,
        Some(_) => 60,
        None => 1,
    };
    Some(Item {
        path,
        dir,
        size: entry.size,
        modified: entry.modified.map(|t| t.seconds),
        precision,
    })
}

/// `--verify`: the server's digest of `remote` (SHA-256, else SHA-512)
/// against `local`'s. Where the server offers neither, the size check
/// each copy already had stands alone.
fn verify(session: &mut Session, remote: &str, local: &Path) -> Outcome {
    for algorithm in LOCAL {
        match session.hash(remote, Some(algorithm)) {
            Ok(theirs) => {
                let ours = local_hex(algorithm, local)?;
                if ours.as_deref() != Some(theirs.hex.as_str()) {
                    return Err(Failure::new(
                        1,
                        format!(
                            "{} differs from the server's {} digest",
                            local.display(),
                            digest::name(algorithm)
                        ),
                    ));
                }
                return Ok(());
            }
            Err(ftp_host::Error::InvalidInput(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `base/path` on the server (`path` alone at the login directory).
fn remote_path(base: &str, path: &str) -> String {
    if base.is_empty() {
        path.to_string()
    } else {
        format!("{base}/{path}")
    }
}

fn action_path(action: &Action) -> String {
    match action {
        Action::MakeDir(p) | Action::Conflict(p) | Action::Delete { path: p, .. } => p.clone(),
        Action::Copy { item, .. } => item.path.clone(),
    }
}

/// One line of the plan, as `--dry-run` prints it.
fn describe<S: Side>(action: &Action) -> String {
    let path = visible(&action_path(action));
    match action {
        Action::MakeDir(_) => format!("mkdir  {path}"),
        Action::Copy { item, why } => {
            let why = match why {
                Why::Missing => "missing",
                Why::SizeDiffers => "size differs",
                Why::Newer => "newer",
            };
            let size = item.size.map_or_else(|| "?".into(), human_bytes);
            format!("{}  {path} ({size}, {why})", S::COPY)
        }
        Action::Delete { .. } => format!("delete {path}"),
        Action::Conflict(_) => format!("skip   {path} (file against directory)"),
    }
}
