//! `mirror URL DIR`: make a local directory a copy of a remote one. The
//! remote tree is walked, the local one scanned, the plan made (`plan`),
//! shown with `--dry-run`, else carried out file by file over one
//! session: a file the server refuses is reported and the rest go on, and
//! a run cut short is finished by the next, which fetches only what is
//! still missing or different.

mod local;
pub mod plan;

use crate::args::Global;
use crate::commands::{connect, is_plain_name, quit, replace, show_trace, Failures};
use crate::failure::{visible, write_error, Failure, Outcome};
use crate::progress;
use crate::target::Target;
use ftp_host::{Client, EntryKind, Session};
use plan::{Action, Item, Rules, Why};
use std::path::Path;
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

pub fn mirror(client: &Client, global: &Global, url: &str, dest: &Path, rules: &Rules, dry_run: bool) -> Outcome {
    let started = Instant::now();
    let target = Target::parse(url, global)?;
    let base = target.path.trim_end_matches('/').to_string();
    let mut session = connect(client, &target.options, global)?;
    let remote = remote_tree(&mut session, if base.is_empty() { "." } else { &base })?;
    let local = local::scan(dest).map_err(write_error(dest))?;
    let actions = plan::plan(&remote, &local, rules);
    if dry_run {
        for action in &actions {
            println!("{}", describe(action));
        }
        return quit(session, global);
    }
    std::fs::create_dir_all(dest).map_err(write_error(dest))?;
    let mut tally = Tally::default();
    let mut failures = Failures::default();
    for action in &actions {
        let outcome = apply(&mut session, global, &base, dest, action, &mut tally);
        failures.check(&action_path(action), true, outcome)?;
    }
    show_trace(&mut session, global);
    quit(session, global)?;
    let files = remote.iter().filter(|i| !i.dir).count();
    eprintln!(
        "mirror: {} fetched ({}), {} up to date, {} directories made, {} deleted{} in {:.1} s",
        tally.fetched,
        human_bytes(tally.bytes),
        files.saturating_sub(tally.fetched + tally.conflicts),
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

fn apply(
    session: &mut Session,
    global: &Global,
    base: &str,
    dest: &Path,
    action: &Action,
    tally: &mut Tally,
) -> Outcome {
    let local = |path: &str| {
        local::inside(dest, path)
            .ok_or_else(|| Failure::new(9, format!("{:?} would leave {}", visible(path), dest.display())))
    };
    match action {
        Action::MakeDir(path) => {
            let dir = local(path)?;
            std::fs::create_dir(&dir).map_err(write_error(&dir))?;
            tally.dirs += 1;
        }
        Action::Fetch { item, .. } => {
            let file = local(&item.path)?;
            let remote = if base.is_empty() {
                item.path.clone()
            } else {
                format!("{base}/{}", item.path)
            };
            let mut download = session
                .retrieve(&remote)
                .map_err(|e| Failure::from(e).missing_if_550())?;
            let expected = download.expected_size()?.or(item.size);
            let bar = progress::bar(expected, global.quiet);
            let done = replace(download, expected, &file, &bar);
            bar.finish_and_clear();
            done?;
            if let Some(seconds) = item.modified.and_then(|s| u64::try_from(s).ok()) {
                // So the next run sees the file as up to date.
                let when = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
                std::fs::File::options()
                    .write(true)
                    .open(&file)
                    .and_then(|f| f.set_modified(when))
                    .map_err(write_error(&file))?;
            }
            tally.fetched += 1;
            tally.bytes += std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        }
        Action::Delete { path, dir } => {
            let gone = local(path)?;
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
    }
    Ok(())
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
