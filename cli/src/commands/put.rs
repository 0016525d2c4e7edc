//! `put`: uploads of one file or several over one session (resumable),
//! or of stdin.

use super::retry::{breaks_session, retrying};
use super::several::{Failures, Sessions};
use super::show_trace;
use crate::args::Global;
use crate::failure::{copying, read_error, Failure, Outcome};
use crate::progress;
use crate::pump::pump;
use crate::target::Target;
use ftp_host::{Client, Error, Session};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Bytes read from the source at a time.
const CHUNK: usize = 1 << 20;

/// Where an upload starts in the remote file.
#[derive(Clone, Copy)]
pub enum Start {
    /// STOR from byte 0.
    Whole,
    /// --continue: from the remote file's size, by APPE.
    Resume,
    /// --offset: from this byte, by REST and STOR.
    At(u64),
}

impl Start {
    pub fn new(resume: bool, offset: Option<u64>) -> Self {
        match (resume, offset) {
            (true, _) => Start::Resume,
            (false, Some(at)) => Start::At(at),
            (false, None) => Start::Whole,
        }
    }
}

pub fn put(
    client: &Client,
    global: &Global,
    sources: &[PathBuf],
    url: &str,
    (start, ascii): (Start, bool),
    retries: u32,
) -> Outcome {
    let target = Target::parse(url, global)?;
    let ascii = ascii || target.ascii;
    let many = sources.len() > 1;
    let into_dir = target.path.is_empty() || target.path.ends_with('/');
    if many && !into_dir {
        return Err(Failure::usage(format!("{url} must end in / to take several files")));
    }
    let mut sessions = Sessions::new(global);
    let mut failures = Failures::default();
    for source in sources {
        let stdin = source == Path::new("-");
        if !matches!(start, Start::Whole) && (ascii || stdin) {
            return Err(Failure::usage(
                "--continue and --offset need a binary upload from a file",
            ));
        }
        let remote = if into_dir {
            let name = source
                .file_name()
                .filter(|_| !stdin)
                .ok_or_else(|| Failure::usage(format!("{url} must name the file to upload {}", source.display())))?;
            format!("{}{}", target.path, name.to_string_lossy())
        } else {
            target.path.clone()
        };
        // Stdin cannot be read again: its upload gets one try.
        let retries = if stdin { 0 } else { retries };
        let mut sent = false;
        let outcome = retrying(
            &remote,
            retries,
            |line| eprintln!("{line}"),
            || {
                let source = Source::open(source)?;
                let session = sessions.get(client, &target.options, ascii, global)?;
                // A try after one the server took data from resumes (SIZE,
                // then APPE of the rest): what it holds is that try's. Before
                // that it may be an older file, which must not be added to.
                let start = if sent && matches!(start, Start::Whole) && !ascii {
                    Start::Resume
                } else {
                    start
                };
                let done = put_one(session, global, source, &remote, (start, ascii), &mut sent);
                if done.as_ref().is_err_and(breaks_session) {
                    sessions.discard();
                }
                done
            },
        );
        failures.check(&remote, many, outcome)?;
    }
    sessions.close(global)?;
    failures.result()
}

/// A local file (or stdin), opened and its first chunk read before anything
/// is sent, so a local failure (a directory, an unreadable file) never
/// leaves the remote file truncated.
struct Source<'a> {
    path: &'a Path,
    input: Input,
    /// The file's length; `None` for stdin.
    len: Option<u64>,
}

enum Input {
    File(BufReader<File>),
    Stdin(BufReader<io::StdinLock<'static>>),
}

impl<'a> Source<'a> {
    fn open(path: &'a Path) -> Outcome<Self> {
        let (mut input, len) = if path == Path::new("-") {
            (Input::Stdin(BufReader::with_capacity(CHUNK, io::stdin().lock())), None)
        } else {
            let file = File::open(path).map_err(read_error(path))?;
            let len = file.metadata().map_err(read_error(path))?.len();
            (Input::File(BufReader::with_capacity(CHUNK, file)), Some(len))
        };
        match &mut input {
            Input::File(r) => r.fill_buf(),
            Input::Stdin(r) => r.fill_buf(),
        }
        .map_err(read_error(path))?;
        Ok(Self { path, input, len })
    }

    /// The bytes from `offset` on (a resume is refused for stdin earlier).
    fn from(self, offset: u64) -> Outcome<Box<dyn BufRead + 'a>> {
        match self.input {
            Input::File(mut file) => {
                if offset > 0 {
                    file.seek(SeekFrom::Start(offset)).map_err(read_error(self.path))?;
                }
                Ok(Box::new(file))
            }
            Input::Stdin(stdin) => Ok(Box::new(stdin)),
        }
    }
}

/// One try at an upload; `sent` is set once the server takes its data.
fn put_one(
    session: &mut Session,
    global: &Global,
    source: Source,
    remote: &str,
    (start, ascii): (Start, bool),
    sent: &mut bool,
) -> Outcome {
    let (len, path) = (source.len, source.path);
    let offset = match start {
        Start::Whole => 0,
        Start::At(at) => at,
        Start::Resume => match session.size(remote) {
            Ok(size) => size,
            Err(Error::Permanent(r)) if r.code == 550 => 0,
            Err(e) => return Err(e.into()),
        },
    };
    if let Some(len) = len {
        if offset > len {
            let what = match start {
                Start::At(_) => "--offset is",
                _ => "the remote file is",
            };
            return Err(Failure::new(
                36,
                format!("{what} larger ({offset} bytes) than the local file ({len})"),
            ));
        }
        if matches!(start, Start::Resume) && offset == len {
            eprintln!("{remote}: already complete ({len} bytes)");
            return Ok(());
        }
    }
    let reader = source.from(offset)?;
    if offset > 0 && global.verbose {
        eprintln!("resuming at byte {offset}");
    }
    let mut upload = match start {
        Start::At(at) if at > 0 => session.store_from(remote, at)?,
        Start::Resume if offset > 0 => session.append(remote)?,
        _ => session.store(remote)?,
    };
    *sent = true;
    let bar = progress::bar(len.map(|l| l.saturating_sub(offset)), global.quiet);
    let copied = pump(&mut bar.wrap_read(reader), &mut upload).map_err(|e| copying(e, read_error(path)));
    let finished = copied.and_then(|copied| Ok((copied, upload.finish()?)));
    progress::done(&bar, "put", finished.is_ok());
    let (copied, _) = finished?;
    show_trace(session, global);
    // The server must now hold the whole file (where it can say, by SIZE).
    if !ascii && !session.verify_size(remote, offset + copied)? {
        eprintln!("wftp: warning: the server has no SIZE, so the upload's length cannot be checked");
    }
    Ok(())
}
