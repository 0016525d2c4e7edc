//! The subcommands. Each connects (granting the component that server
//! only), does its job and says QUIT.

use crate::args::Global;
use crate::failure::{connecting, copying, read_error, write_error, Failure, Outcome};
use crate::progress;
use crate::target::Target;
use ftp_host::{Client, Entry, EntryKind, Error, Options, Reply, Session, TransferType};
use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Connects to the target's server and logs in.
fn connect(client: &Client, options: &Options, global: &Global) -> Outcome<Session> {
    let session = client.connect(options).map_err(connecting)?;
    note(global, session.welcome());
    Ok(session)
}

/// Prints a server reply with --verbose.
fn note(global: &Global, reply: &Reply) {
    if global.verbose {
        eprintln!("< {reply}");
    }
}

fn quit(session: Session, global: &Global) -> Outcome {
    note(global, &session.quit()?);
    Ok(())
}

fn set_ascii(session: &mut Session, ascii: bool, global: &Global) -> Outcome {
    if ascii {
        note(global, &session.set_transfer_type(TransferType::Ascii)?);
    }
    Ok(())
}

pub fn ls(client: &Client, global: &Global, url: &str, long: bool) -> Outcome {
    let target = Target::parse(url, global)?;
    let mut session = connect(client, &target.options, global)?;
    let mut entries = session.list(target.dir())?;
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = io::stdout().lock();
    for entry in &entries {
        let line = if long { long_line(entry) } else { entry.name.clone() };
        writeln!(out, "{line}").map_err(write_error(Path::new("stdout")))?;
    }
    quit(session, global)
}

/// `drwxr-xr-x        4096 2026-11-25T16:57:00Z name -> target`.
fn long_line(e: &Entry) -> String {
    let kind = match e.kind {
        EntryKind::Directory => 'd',
        EntryKind::Link => 'l',
        EntryKind::File => '-',
        EntryKind::Other | EntryKind::Unparsed => '?',
    };
    let mode = e.unix_mode.map_or_else(|| "?????????".to_string(), rwx);
    let size = e.size.map_or_else(|| "-".to_string(), |s| s.to_string());
    let time = e.modified.map_or_else(
        || "-".to_string(),
        |t| humantime::format_rfc3339_seconds(SystemTime::from(t)).to_string(),
    );
    let link = e.link_target.as_ref().map(|t| format!(" -> {t}")).unwrap_or_default();
    format!("{kind}{mode} {size:>12} {time:<20} {}{link}", e.name)
}

fn rwx(mode: u32) -> String {
    (0..9)
        .map(|i| {
            let bit = 0o400 >> i;
            match (mode & bit != 0, i % 3) {
                (false, _) => '-',
                (true, 0) => 'r',
                (true, 1) => 'w',
                (true, _) => 'x',
            }
        })
        .collect()
}

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

pub fn put(client: &Client, global: &Global, source: &Path, url: &str, resume: bool, ascii: bool) -> Outcome {
    let target = Target::parse(url, global)?;
    let ascii = ascii || target.ascii;
    let stdin = source == Path::new("-");
    if resume && (ascii || stdin) {
        return Err(Failure::usage("--continue needs a binary upload from a file"));
    }
    let remote = if target.path.is_empty() || target.path.ends_with('/') {
        let name = source
            .file_name()
            .filter(|_| !stdin)
            .ok_or_else(|| Failure::usage(format!("{url} must name the file to upload {}", source.display())))?;
        format!("{}{}", target.path, name.to_string_lossy())
    } else {
        target.path.clone()
    };
    // The file and its length; stdin has neither.
    let file = if stdin {
        None
    } else {
        let file = File::open(source).map_err(read_error(source))?;
        let len = file.metadata().map_err(read_error(source))?.len();
        Some((file, len))
    };
    let len = file.as_ref().map(|(_, len)| *len);

    let mut session = connect(client, &target.options, global)?;
    set_ascii(&mut session, ascii, global)?;
    let offset = if resume {
        match session.size(&remote) {
            Ok(size) => size,
            Err(Error::Permanent(r)) if r.code == 550 => 0,
            Err(e) => return Err(e.into()),
        }
    } else {
        0
    };
    let reader: Box<dyn io::Read> = match file {
        Some((mut file, len)) => {
            if offset > len {
                return Err(Failure::new(
                    36,
                    format!("the remote file is larger ({offset} bytes) than the local one ({len})"),
                ));
            }
            if resume && offset == len {
                eprintln!("{remote}: already complete ({len} bytes)");
                return quit(session, global);
            }
            file.seek(SeekFrom::Start(offset)).map_err(read_error(source))?;
            Box::new(file)
        }
        None => Box::new(io::stdin().lock()),
    };
    if offset > 0 && global.verbose {
        eprintln!("resuming at byte {offset}");
    }
    let mut upload = if offset > 0 {
        session.append(&remote)?
    } else {
        session.store(&remote)?
    };
    let bar = progress::bar(len.map(|l| l.saturating_sub(offset)), global.quiet);
    let copied = io::copy(&mut bar.wrap_read(reader), &mut upload).map_err(|e| copying(e, read_error(source)));
    bar.finish_and_clear();
    copied?;
    note(global, &upload.finish()?);
    quit(session, global)
}

pub fn rm(client: &Client, global: &Global, urls: &[String], recursive: bool) -> Outcome {
    // URLs on the same server share one session.
    let mut open: Option<(Options, Session)> = None;
    for url in urls {
        let target = Target::parse(url, global)?;
        if target.path.is_empty() {
            return Err(Failure::usage(format!("{url} names no file")));
        }
        let session = match &mut open {
            Some((options, session)) if *options == target.options => session,
            _ => {
                if let Some((_, previous)) = open.take() {
                    quit(previous, global)?;
                }
                let session = connect(client, &target.options, global)?;
                &mut open.insert((target.options.clone(), session)).1
            }
        };
        if recursive {
            session.remove_tree(&target.path)?;
        } else {
            let reply = session
                .delete(&target.path)
                .map_err(|e| Failure::from(e).missing_if_550())?;
            note(global, &reply);
        }
    }
    match open {
        Some((_, session)) => quit(session, global),
        None => Ok(()),
    }
}

pub fn mkdir(client: &Client, global: &Global, url: &str, parents: bool) -> Outcome {
    let target = Target::parse(url, global)?;
    let path = target
        .dir()
        .ok_or_else(|| Failure::usage(format!("{url} names no directory")))?;
    let mut session = connect(client, &target.options, global)?;
    if parents {
        session.mkdir_all(path)?;
    } else {
        let created = session.mkdir(path)?;
        if global.verbose {
            eprintln!("created {created}");
        }
    }
    quit(session, global)
}

pub fn mv(client: &Client, global: &Global, url: &str, to: &str) -> Outcome {
    let target = Target::parse(url, global)?;
    if target.path.is_empty() {
        return Err(Failure::usage(format!("{url} names nothing to move")));
    }
    // The new name may be a path, or a URL on the same server.
    let to = if to.starts_with("ftp://") || to.starts_with("ftps://") {
        let other = Target::parse(to, global)?;
        if (&other.options.host, other.options.port) != (&target.options.host, target.options.port) {
            return Err(Failure::usage("mv moves within one server"));
        }
        other.path
    } else {
        to.to_string()
    };
    let mut session = connect(client, &target.options, global)?;
    let reply = session
        .rename(&target.path, &to)
        .map_err(|e| Failure::from(e).missing_if_550())?;
    note(global, &reply);
    quit(session, global)
}
