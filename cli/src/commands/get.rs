//! `get` and `cat`: downloads, resumable, to a file or stdout.

use super::{connect, note, quit, set_ascii};
use crate::args::Global;
use crate::failure::{copying, write_error, Failure, Outcome};
use crate::progress;
use crate::target::Target;
use ftp_host::Client;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
    let bar = progress::bar(size.map(|s| s.saturating_sub(offset)), global.quiet);
    let mut file = dest.as_deref().map(|path| LazyFile {
        path,
        append: offset > 0,
        file: None,
    });
    let copied = match &mut file {
        Some(file) => io::copy(&mut download, &mut bar.wrap_write(&mut *file)),
        None => io::copy(&mut download, &mut bar.wrap_write(io::stdout().lock())),
    };
    bar.finish_and_clear();
    let local = dest.as_deref().unwrap_or(Path::new("stdout"));
    copied.map_err(|e| copying(e, write_error(local)).missing_if_550())?;
    note(
        global,
        &download.finish().map_err(|e| Failure::from(e).missing_if_550())?,
    );
    if let Some(file) = &mut file {
        // An empty file arrives with no bytes to create it.
        file.open().map_err(write_error(local))?;
    }
    quit(session, global)
}

/// A download's file, created when the first bytes arrive (or the transfer
/// ends), so a refused download leaves no empty file behind.
struct LazyFile<'a> {
    path: &'a Path,
    append: bool,
    file: Option<File>,
}

impl LazyFile<'_> {
    fn open(&mut self) -> io::Result<&mut File> {
        let file = match self.file.take() {
            Some(file) => file,
            None => OpenOptions::new()
                .create(true)
                .write(true)
                .append(self.append)
                .truncate(!self.append)
                .open(self.path)?,
        };
        Ok(self.file.insert(file))
    }
}

impl Write for LazyFile<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.open()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

pub fn cat(client: &Client, global: &Global, url: &str) -> Outcome {
    let quiet = Global {
        quiet: true,
        ..global.clone()
    };
    get(client, &quiet, url, Some(Path::new("-")), false, false)
}
