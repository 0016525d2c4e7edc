//! `put`: uploads of one file or several over one session (resumable), or
//! of stdin (the library's `Job::upload_with` and `upload_from`).

use super::get::report;
use super::several::{job, Failures, Pools};
use crate::args::Global;
use crate::failure::{Failure, Outcome};
use crate::progress::Display;
use crate::target::Target;
use ftp_host::{Client, Start};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    let display = Arc::new(Display::files("put", global));
    let mut pools = Pools::default();
    let mut failures = Failures::default();
    for source in sources {
        let stdin = source == Path::new("-");
        if start != Start::Whole && (ascii || stdin) {
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
        let pool = pools.get(client, &target.options, 1, global)?;
        let job = job(pool, &display, retries);
        let done = if stdin {
            job.upload_from(std::io::stdin().lock(), &remote, ascii)
        } else {
            job.upload_with(source, &remote, start, ascii)
        };
        let outcome = done.map_err(Failure::from).map(|done| {
            let name = remote.rsplit('/').next().unwrap_or(&remote);
            report(
                global,
                "put",
                &remote,
                Some(source).filter(|_| !stdin).map(PathBuf::as_path),
                &done,
                name,
            );
        });
        failures.check(&remote, many, outcome)?;
    }
    pools.close(global)?;
    failures.result()
}
