//! `get --segments N`: one large file over N sessions at once (the
//! library's `Job::download_segmented`).

use super::get::report;
use super::several::{connected, job};
use crate::args::Global;
use crate::failure::{Failure, Outcome};
use crate::progress::Display;
use crate::target::Target;
use ftp_host::Client;
use std::path::Path;
use std::sync::Arc;

pub fn get_segmented(client: &Client, global: &Global, url: &str, dest: Option<&Path>, segments: usize) -> Outcome {
    let target = Target::parse(url, global)?;
    let name = target
        .path
        .rsplit('/')
        .next()
        .filter(|n| ftp_host::is_plain_name(n))
        .ok_or_else(|| Failure::usage(format!("{url} names no plain file")))?;
    let dest = match dest {
        Some(d) if d.is_dir() => d.join(name),
        Some(d) => d.to_path_buf(),
        None => Path::new(name).to_path_buf(),
    };
    let pool = connected(client, &target.options, segments, global)?;
    let display = Arc::new(Display::files("get", global));
    let done = job(&pool, &display, 0)
        .download_segmented(&target.path, &dest, segments)
        .map_err(|e| Failure::from(e).missing_if_550())?;
    report(global, "get", &target.path, Some(&dest), &done, name);
    Ok(())
}
