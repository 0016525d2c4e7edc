//! `put`: uploads from a file (resumable) or stdin.

use super::{connect, note, quit, set_ascii};
use crate::args::Global;
use crate::failure::{copying, read_error, Failure, Outcome};
use crate::progress;
use crate::target::Target;
use ftp_host::{Client, Error};
use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;

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
