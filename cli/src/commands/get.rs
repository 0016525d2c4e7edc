//! `get` and `cat`: downloads, resumable, to a file or stdout, each
//! checked to be whole before it counts as done.

use super::{connect, note, quit, set_ascii};
use crate::args::Global;
use crate::failure::{copying, write_error, Failure, Outcome};
use crate::progress;
use crate::target::Target;
use ftp_host::{Client, Download, Error, Reply};
use indicatif::ProgressBar;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

pub fn get(client: &Client, global: &Global, url: &str, dest: Option<&Path>, resume: bool, ascii: bool) -> Outcome {
    let target = Target::parse(url, global)?;
    let name = target
        .file_name()
        .ok_or_else(|| Failure::usage(format!("{url} names a directory; give a file")))?;
    let ascii = ascii || target.ascii;
    let dest = match dest {
        Some(d) if d == Path::new("-") => None,
        Some(d) if d.is_dir() => Some(d.join(name)),
        Some(d) => Some(d.to_path_buf()),
        None => Some(PathBuf::from(name)),
    };
    if resume && (dest.is_none() || ascii) {
        return Err(Failure::usage("--continue needs a binary download to a file"));
    }
    let offset = match &dest {
        Some(path) if resume => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        _ => 0,
    };

    let mut session = connect(client, &target.options, global)?;
    set_ascii(&mut session, ascii, global)?;
    // For the progress bar and resuming; servers may refuse SIZE in ASCII.
    let size = session.size(&target.path).ok();
    if let Some(size) = size.filter(|_| resume) {
        if offset > size {
            return Err(Failure::new(
                36,
                format!("the local file is larger ({offset} bytes) than the remote one ({size})"),
            ));
        }
        if offset == size {
            eprintln!("{name}: already complete ({size} bytes)");
            return quit(session, global);
        }
    }

    if offset > 0 && global.verbose {
        eprintln!("resuming at byte {offset}");
    }
    let mut download = session
        .retrieve_from(&target.path, offset)
        .map_err(|e| Failure::from(e).missing_if_550())?;
    // What must arrive: the component holds the transfer to what the server
    // announced; SIZE covers servers that announce nothing in their 150.
    let announced = download.expected_size()?;
    let expected = announced.or_else(|| size.filter(|_| !ascii).map(|s| s.saturating_sub(offset)));
    if offset > 0 && expected.is_none() {
        eprintln!("wftp: warning: the server gave no size, so whether it resumed at byte {offset} cannot be checked");
    }
    let bar = progress::bar(expected, global.quiet);
    let outcome = match &dest {
        None => receive(
            download,
            expected,
            &mut bar.wrap_write(io::stdout().lock()),
            Path::new("stdout"),
        ),
        Some(path) if offset > 0 => resume_into(download, expected, path, offset, &bar),
        Some(path) => replace(download, expected, path, &bar),
    };
    bar.finish_and_clear();
    note(global, &outcome?);
    quit(session, global)
}

/// Copies a download to `out` and checks its end: the server's final reply,
/// and the byte count where the size is known.
fn receive(mut download: Download, expected: Option<u64>, out: &mut impl Write, local: &Path) -> Outcome<Reply> {
    let copied = io::copy(&mut download, out).map_err(|e| copying(e, write_error(local)).missing_if_550())?;
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

/// A download into a temporary file beside `path`, renamed over it only on
/// success, so a failed download never destroys the file that was there.
/// The temporary file is made when the first bytes arrive (or the transfer
/// ends), so a server that refuses only after its 150 leaves nothing behind.
fn replace(download: Download, expected: Option<u64>, path: &Path, bar: &ProgressBar) -> Outcome<Reply> {
    let mut temp = LazyTemp { path, file: None };
    let reply = receive(download, expected, &mut bar.wrap_write(&mut temp), path)?;
    temp.open().map_err(write_error(path))?;
    if let Some(file) = temp.file {
        file.persist(path).map_err(|e| write_error(path)(e.error))?;
    }
    Ok(reply)
}

/// `path`'s temporary twin, created on first use.
struct LazyTemp<'a> {
    path: &'a Path,
    file: Option<NamedTempFile>,
}

impl LazyTemp<'_> {
    fn open(&mut self) -> io::Result<&mut NamedTempFile> {
        let file = match self.file.take() {
            Some(file) => file,
            None => {
                let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty());
                tempfile::Builder::new()
                    .prefix(".wftp-")
                    .suffix(".part")
                    .tempfile_in(dir.unwrap_or(Path::new(".")))?
            }
        };
        Ok(self.file.insert(file))
    }
}

impl Write for LazyTemp<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.open()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// A resumed download appended in place. When more arrives than the rest
/// of the file (a server that ignored REST and sent it from the start), the
/// file is cut back to where it was, so the bad bytes do not stay.
fn resume_into(
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

pub fn cat(client: &Client, global: &Global, url: &str) -> Outcome {
    let quiet = Global {
        quiet: true,
        ..global.clone()
    };
    get(client, &quiet, url, Some(Path::new("-")), false, false)
}
