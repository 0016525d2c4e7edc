//! `get` and `cat`: downloads of one file, several, or a remote glob over
//! one session, resumable, to files or stdout, each checked to be whole
//! before it counts as done (the library's `Job::download_with`).

use super::several::{job, Failures, Pools};
use crate::args::Global;
use crate::failure::{visible, Failure, Outcome};
use crate::json;
use crate::progress::Display;
use crate::target::Target;
use ftp_host::{Client, EntryKind, Error, FileDone, Job, Pool};
use glob::Pattern;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn get(client: &Client, global: &Global, args: &[String], (resume, ascii): (bool, bool), retries: u32) -> Outcome {
    let (urls, dest) = sources_and_dest(args);
    let many = urls.len() > 1 || urls.iter().any(|u| glob_of(u).is_some());
    if many && dest.is_some_and(|d| d != Path::new("-") && !d.is_dir()) {
        return Err(Failure::usage("with several files, DEST must be a directory or -"));
    }
    let display = Arc::new(Display::files("get", global));
    let mut pools = Pools::default();
    let mut failures = Failures::default();
    for url in urls {
        let target = Target::parse(url, global)?;
        let ascii = ascii || target.ascii;
        let pool = pools.get(client, &target.options, 1, global)?;
        let paths = match glob_of(url) {
            Some(pattern) => matching(pool, &target, pattern)?,
            None => vec![target.path.clone()],
        };
        let job = job(pool, &display, retries);
        for path in &paths {
            let outcome = get_one(&job, global, path, dest, (resume, ascii));
            failures.check(path, many, outcome)?;
        }
    }
    pools.close(global)?;
    failures.result()
}

/// `URL... [DEST]`: the last argument is the destination when there are
/// several and it is not a URL.
fn sources_and_dest(args: &[String]) -> (&[String], Option<&Path>) {
    match args.split_last() {
        Some((last, urls)) if !urls.is_empty() && !last.contains("://") => (urls, Some(Path::new(last))),
        _ => (args, None),
    }
}

/// The glob in a URL's last path segment (`*`, `?` or `[...]`), if any.
fn glob_of(url: &str) -> Option<&str> {
    let name = url.rsplit('/').next()?;
    name.contains(['*', '?', '[']).then_some(name)
}

/// The files in the target's directory whose names match `pattern`,
/// sorted; names that are not one plain component are reported and skipped.
fn matching(pool: &Pool, target: &Target, pattern: &str) -> Outcome<Vec<String>> {
    let pattern = Pattern::new(pattern).map_err(|e| Failure::usage(format!("{pattern}: {e}")))?;
    let dir = target.path.rsplit_once('/').map(|(dir, _)| dir);
    let mut names = Vec::new();
    for entry in pool.get()?.list(dir.filter(|d| !d.is_empty()))? {
        if !matches!(entry.kind, EntryKind::File | EntryKind::Link) || !pattern.matches(&entry.name) {
            continue;
        }
        if !ftp_host::is_plain_name(&entry.name) {
            eprintln!("wftp: skipped {:?}: not a plain file name", visible(&entry.name));
            continue;
        }
        names.push(dir.map_or_else(|| entry.name.clone(), |d| format!("{d}/{}", entry.name)));
    }
    if names.is_empty() {
        return Err(Failure::new(78, format!("no file matches {pattern}")));
    }
    names.sort();
    Ok(names)
}

fn get_one(job: &Job<'_>, global: &Global, path: &str, dest: Option<&Path>, (resume, ascii): (bool, bool)) -> Outcome {
    let name = path
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Failure::usage(format!("{path} names a directory; give a file")))?;
    if !ftp_host::is_plain_name(name) {
        return Err(Failure::usage(format!("{name:?} is not a plain file name")));
    }
    let dest: Option<PathBuf> = match dest {
        Some(d) if d == Path::new("-") => None,
        Some(d) if d.is_dir() => Some(d.join(name)),
        Some(d) => Some(d.to_path_buf()),
        None => Some(PathBuf::from(name)),
    };
    if resume && (dest.is_none() || ascii) {
        return Err(Failure::usage("--continue needs a binary download to a file"));
    }
    let done = match &dest {
        None => job.download_to(path, &mut stdout(), ascii),
        Some(file) => job.download_with(path, file, resume, ascii),
    };
    let done = done.map_err(|e| {
        if let (Error::Partial { expected, received }, Some(file)) = (&e, &dest) {
            if resume && received > expected {
                eprintln!(
                    "wftp: the server sent more than the rest of the file; {} is back to its size before",
                    file.display()
                );
            }
        }
        Failure::from(e).missing_if_550()
    })?;
    report(global, "get", path, dest.as_deref(), &done, name);
    Ok(())
}

/// What a finished transfer says: a line when nothing needed moving or the
/// size could not be checked, and the record with --json.
pub(crate) fn report(global: &Global, verb: &str, remote: &str, local: Option<&Path>, done: &FileDone, name: &str) {
    if done.already_complete {
        eprintln!("{}: already complete ({} bytes)", visible(name), done.size);
    } else if !done.size_checked && done.resumed_from > 0 && verb == "get" {
        eprintln!(
            "wftp: warning: the server gave no size, so whether it resumed at byte {} cannot be checked",
            done.resumed_from
        );
    } else if !done.size_checked && verb == "put" {
        eprintln!("wftp: warning: the server has no SIZE, so the upload's length cannot be checked");
    }
    if global.json {
        json::print(&json::file_result(verb, remote, local, done));
    }
}

/// Standard output without std's line buffering, which would scan every
/// chunk for its last newline; a duplicate of the descriptor, so std's
/// own handle is left alone.
#[cfg(unix)]
fn stdout() -> Box<dyn Write> {
    use std::os::fd::AsFd;
    match io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(io::stdout().lock()),
    }
}

#[cfg(not(unix))]
fn stdout() -> Box<dyn Write> {
    Box::new(io::stdout().lock())
}

pub fn cat(client: &Client, global: &Global, urls: &[String]) -> Outcome {
    let quiet = Global {
        quiet: true,
        json: false,
        ..global.clone()
    };
    let mut args = urls.to_vec();
    args.push("-".into());
    get(client, &quiet, &args, (false, false), 0)
}
