//! `get` and `cat`: downloads of one file, several, or a remote glob over
//! one session, resumable, to files or stdout, each checked to be whole
//! before it counts as done.

use super::retry::{breaks_session, resumes, retrying};
use super::several::{Failures, Sessions};
use super::show_trace;
use crate::args::Global;
use crate::failure::{copying, visible, write_error, Failure, Outcome};
use crate::interrupt::InFlight;
use crate::progress;
use crate::pump::pump;
use crate::target::Target;
use ftp_host::{Client, Download, EntryKind, Error, Reply, Session};
use glob::Pattern;
use indicatif::ProgressBar;
use std::fs::OpenOptions;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

pub fn get(client: &Client, global: &Global, args: &[String], (resume, ascii): (bool, bool), retries: u32) -> Outcome {
    let (urls, dest) = sources_and_dest(args);
    let many = urls.len() > 1 || urls.iter().any(|u| glob_of(u).is_some());
    if many && dest.is_some_and(|d| d != Path::new("-") && !d.is_dir()) {
        return Err(Failure::usage("with several files, DEST must be a directory or -"));
    }
    let mut sessions = Sessions::new(global);
    let mut failures = Failures::default();
    for url in urls {
        let target = Target::parse(url, global)?;
        let ascii = ascii || target.ascii;
        let session = sessions.get(client, &target.options, ascii, global)?;
        let paths = match glob_of(url) {
            Some(pattern) => matching(session, &target, pattern)?,
            None => vec![target.path.clone()],
        };
        for path in &paths {
            let mut kept = None;
            let outcome = retrying(
                path,
                retries,
                |line| eprintln!("{line}"),
                || {
                    let session = sessions.get(client, &target.options, ascii, global)?;
                    let done = get_one(session, global, path, dest, (resume, ascii), &mut kept);
                    if done.as_ref().is_err_and(breaks_session) {
                        sessions.discard();
                    }
                    done
                },
            );
            failures.check(path, many, outcome)?;
        }
    }
    sessions.close(global)?;
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
fn matching(session: &mut Session, target: &Target, pattern: &str) -> Outcome<Vec<String>> {
    let pattern = Pattern::new(pattern).map_err(|e| Failure::usage(format!("{pattern}: {e}")))?;
    let dir = target.path.rsplit_once('/').map(|(dir, _)| dir);
    let mut names = Vec::new();
    for entry in session.list(dir.filter(|d| !d.is_empty()))? {
        if !matches!(entry.kind, EntryKind::File | EntryKind::Link) || !pattern.matches(&entry.name) {
            continue;
        }
        if local_name(&entry.name).is_none() {
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

/// `name` as a local file name, if it is one plain component.
fn local_name(name: &str) -> Option<&Path> {
    super::is_plain_name(name).then_some(Path::new(name))
}

fn get_one(
    session: &mut Session,
    global: &Global,
    path: &str,
    dest: Option<&Path>,
    (resume, ascii): (bool, bool),
    kept: &mut Option<Partial>,
) -> Outcome {
    let name = path
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Failure::usage(format!("{path} names a directory; give a file")))?;
    let local = local_name(name).ok_or_else(|| Failure::usage(format!("{name:?} is not a plain file name")))?;
    let dest = match dest {
        Some(d) if d == Path::new("-") => None,
        Some(d) if d.is_dir() => Some(d.join(local)),
        Some(d) => Some(d.to_path_buf()),
        None => Some(local.to_path_buf()),
    };
    if resume && (dest.is_none() || ascii) {
        return Err(Failure::usage("--continue needs a binary download to a file"));
    }
    let offset = match &dest {
        Some(path) if resume => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        _ => 0,
    };
    // Into a temporary twin unless resuming in place; an earlier try's
    // bytes there are taken up (REST) where the server resumes.
    let partial = match &dest {
        Some(path) if offset == 0 => {
            let partial = kept.get_or_insert_with(|| Partial::new(path.clone()));
            if partial.written > 0 && (ascii || !resumes(session)) {
                partial.reset().map_err(write_error(path))?;
            }
            Some(partial)
        }
        _ => None,
    };
    let offset = partial.as_ref().map_or(offset, |p| p.written);

    // For the progress bar and resuming; servers may refuse SIZE in ASCII.
    let size = session.size(path).ok();
    if let Some(size) = size.filter(|_| resume && offset > 0) {
        if offset > size {
            return Err(Failure::new(
                36,
                format!("the local file is larger ({offset} bytes) than the remote one ({size})"),
            ));
        }
        if offset == size {
            eprintln!("{name}: already complete ({size} bytes)");
            return Ok(());
        }
    }

    if offset > 0 && global.verbose {
        eprintln!("resuming at byte {offset}");
    }
    let mut download = session
        .retrieve_from(path, offset)
        .map_err(|e| Failure::from(e).missing_if_550())?;
    // What must arrive: the component holds the transfer to what the server
    // announced; SIZE covers servers that announce nothing in their 150.
    let announced = download.expected_size()?;
    let expected = announced.or_else(|| size.filter(|_| !ascii).map(|s| s.saturating_sub(offset)));
    if offset > 0 && expected.is_none() {
        eprintln!("wftp: warning: the server gave no size, so whether it resumed at byte {offset} cannot be checked");
    }
    let bar = progress::bar(expected, global.quiet);
    bar.inc(offset);
    let outcome = match (&dest, partial) {
        (_, Some(partial)) => replace(download, expected, partial, &bar),
        (Some(path), None) => resume_into(download, expected, path, offset, &bar),
        (None, None) => receive(download, expected, &mut bar.wrap_write(stdout()), Path::new("stdout")),
    };
    progress::done(&bar, "get", outcome.is_ok());
    outcome?;
    show_trace(session, global);
    Ok(())
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

/// Copies a download to `out` and checks its end: the server's final reply,
/// and the byte count where the size is known.
fn receive(mut download: Download, expected: Option<u64>, out: &mut impl Write, local: &Path) -> Outcome<Reply> {
    let copied = pump(&mut download, out).map_err(|e| copying(e, write_error(local)).missing_if_550())?;
    out.flush().map_err(write_error(local))?;
    let reply = download.finish().map_err(|e| Failure::from(e).missing_if_550())?;
    match expected {
        Some(expected) if expected != copied => Err(Error::Partial {
            expected,
            received: copied,
        }
        .into()),
        _ => Ok(reply),
    }
}

/// A download into its destination's temporary twin (see `Partial`),
/// from byte `offset` (what an earlier try left there); renamed over the
/// destination only when whole, so a failed download never destroys the
/// file that was there. An overrun, whose bytes cannot be trusted, empties
/// the twin.
fn replace(download: Download, expected: Option<u64>, partial: &mut Partial, bar: &ProgressBar) -> Outcome<Reply> {
    let path = partial.path.clone();
    let received = receive(download, expected, &mut bar.wrap_write(&mut *partial), &path);
    if received.as_ref().is_err_and(|f| f.code == 18) {
        partial.reset().map_err(write_error(&path))?;
    }
    let reply = received?;
    partial.open().map_err(write_error(&path))?;
    if let Some(file) = partial.file.take() {
        file.persist(&path).map_err(|e| write_error(&path)(e.error))?;
    }
    Ok(reply)
}

/// A destination's temporary twin (`.wftp-*.part` beside it), made when
/// the first bytes arrive (or the transfer ends), so a server that refuses
/// only after its 150 leaves nothing behind. It lasts across the tries of
/// `--retry`, so a later try can take up where an earlier one stopped; it
/// is removed with the run if the download never completes.
pub struct Partial {
    path: PathBuf,
    file: Option<NamedTempFile>,
    /// Bytes written so far.
    written: u64,
    in_flight: Option<InFlight>,
}

impl Partial {
    fn new(path: PathBuf) -> Self {
        Self {
            path,
            file: None,
            written: 0,
            in_flight: None,
        }
    }

    fn open(&mut self) -> io::Result<&mut NamedTempFile> {
        let file = match self.file.take() {
            Some(file) => file,
            None => {
                let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty());
                let file = tempfile::Builder::new()
                    .prefix(".wftp-")
                    .suffix(".part")
                    .tempfile_in(dir.unwrap_or(Path::new(".")))?;
                self.in_flight = Some(InFlight::new(file.path()));
                file
            }
        };
        Ok(self.file.insert(file))
    }

    /// Starts over from byte 0.
    fn reset(&mut self) -> io::Result<()> {
        if let Some(file) = self.file.as_mut() {
            file.as_file().set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
        }
        self.written = 0;
        Ok(())
    }
}

impl Write for Partial {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.open()?.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// A resumed download appended in place. When more arrives than the rest
/// of the file (a server that ignored REST and sent it from the start), the
/// file is cut back to where it was, so the bad bytes do not stay.
pub(crate) fn resume_into(
    download: Download,
    expected: Option<u64>,
    path: &Path,
    offset: u64,
    bar: &ProgressBar,
) -> Outcome<Reply> {
    let mut file = OpenOptions::new().append(true).open(path).map_err(write_error(path))?;
    let result = receive(download, expected, &mut bar.wrap_write(&mut file), path);
    if let (Err(failure), Some(expected)) = (&result, expected) {
        let len = file.metadata().map_err(write_error(path))?.len();
        if failure.code == 18 && len > offset + expected {
            file.set_len(offset).map_err(write_error(path))?;
            eprintln!(
                "wftp: the server sent more than the rest of the file; {} is back to {offset} bytes",
                path.display()
            );
        }
    }
    result
}

pub fn cat(client: &Client, global: &Global, urls: &[String]) -> Outcome {
    let quiet = Global {
        quiet: true,
        ..global.clone()
    };
    let mut args = urls.to_vec();
    args.push("-".into());
    get(client, &quiet, &args, (false, false), 0)
}
