//! `put`: uploads from a file (resumable) or stdin.

use super::{connect, note, quit, set_ascii};
use crate::args::Global;
use crate::failure::{copying, read_error, Failure, Outcome};
use crate::progress;
use crate::target::Target;
use ftp_host::{Client, Error};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes read from the source at a time.
const CHUNK: usize = 1 << 20;

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
    // The source is opened and its first chunk read before anything is
    // sent, so a local failure (a directory, an unreadable file) never
    // leaves the remote file truncated.
    let (mut file, mut stdin_reader) = (None, None);
    if stdin {
        let reader = stdin_reader.insert(BufReader::with_capacity(CHUNK, io::stdin().lock()));
        reader.fill_buf().map_err(read_error(source))?;
    } else {
        let opened = File::open(source).map_err(read_error(source))?;
        let len = opened.metadata().map_err(read_error(source))?.len();
        let (reader, _) = file.insert((BufReader::with_capacity(CHUNK, opened), len));
        reader.fill_buf().map_err(read_error(source))?;
    }
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
    if let Some(len) = len {
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
    }
    let reader: Box<dyn Read> = match (file, stdin_reader) {
        (Some((mut file, _)), _) => {
            file.seek(SeekFrom::Start(offset)).map_err(read_error(source))?;
            Box::new(file)
        }
        (None, Some(stdin)) => Box::new(stdin),
        (None, None) => unreachable!("a source was opened above"),
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
    let copied = copied?;
    note(global, &upload.finish()?);
    // The server must now hold the whole file (where it can say, by SIZE).
    if !ascii && !session.verify_size(&remote, offset + copied)? {
        eprintln!("wftp: warning: the server has no SIZE, so the upload's length cannot be checked");
    }
    quit(session, global)
}
