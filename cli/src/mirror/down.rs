//! A mirror down: the server's tree into a local directory.

use super::{local, remote_path, verify, Attempt, Item, Side};
use crate::commands::resume_into;
use crate::commands::retry::resumes;
use crate::failure::{visible, write_error, Failure, Outcome};
use ftp_host::Session;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub struct Down<'a> {
    /// The mirrored directory on the server.
    pub base: String,
    pub dir: &'a Path,
    pub verify: bool,
}

impl Down<'_> {
    /// Where `path` goes under the directory, or a refusal if it would
    /// leave it.
    fn local(&self, path: &str) -> Outcome<PathBuf> {
        local::inside(self.dir, path)
            .ok_or_else(|| Failure::new(9, format!("{:?} would leave {}", visible(path), self.dir.display())))
    }
}

/// Where a file is downloaded before it is whole: beside it, under a name
/// the local scan leaves out (`local::is_partial`).
fn partial_of(file: &Path) -> PathBuf {
    let name = file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    file.with_file_name(format!(".wftp-{name}.part"))
}

/// How much of an earlier try's partial file can be kept: all of it if it
/// is shorter than the remote file and was written after the remote file
/// last changed (its listed time plus that time's precision), on a server
/// that resumes; else nothing.
fn resumable(session: &mut Session, partial: &Path, item: &Item) -> u64 {
    let Ok(meta) = std::fs::metadata(partial) else {
        return 0;
    };
    let written = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    let fresh = matches!((written, item.modified), (Some(w), Some(m)) if w >= m.saturating_add(item.precision));
    let short = item.size.is_some_and(|size| meta.len() < size);
    if meta.len() > 0 && fresh && short && resumes(session) {
        meta.len()
    } else {
        0
    }
}

impl Side for Down<'_> {
    const COPIED: &'static str = "fetched";
    const COPY: &'static str = "fetch";

    fn make_dir(&self, _: &mut Session, path: &str) -> Outcome {
        let dir = self.local(path)?;
        std::fs::create_dir(&dir).map_err(write_error(&dir))
    }

    fn delete(&self, _: &mut Session, path: &str, dir: bool) -> Outcome {
        let gone = self.local(path)?;
        if dir {
            std::fs::remove_dir(&gone)
        } else {
            std::fs::remove_file(&gone)
        }
        .map_err(write_error(&gone))
    }

    /// Into a partial file renamed over the old one when whole, then given
    /// the server's time so the next run sees it as up to date. A try cut
    /// short leaves its partial file, which the next try (or run) resumes
    /// (REST) where it still matches; one the server overran is removed.
    fn copy(&self, session: &mut Session, item: &Item, attempt: &Attempt) -> Outcome<u64> {
        let file = self.local(&item.path)?;
        let partial = partial_of(&file);
        let remote = remote_path(&self.base, &item.path);
        let offset = resumable(session, &partial, item);
        if offset == 0 {
            File::create(&partial).map_err(write_error(&partial))?;
        }
        let mut download = session
            .retrieve_from(&remote, offset)
            .map_err(|e| Failure::from(e).missing_if_550())?;
        let expected = download
            .expected_size()?
            .or(item.size.map(|size| size.saturating_sub(offset)));
        attempt.bar.inc(offset);
        if let Err(failure) = resume_into(download, expected, &partial, offset, attempt.bar) {
            if failure.code == 18 {
                let _ = std::fs::remove_file(&partial);
            }
            return Err(failure);
        }
        std::fs::rename(&partial, &file).map_err(write_error(&file))?;
        if self.verify {
            if let Err(failure) = verify(session, &remote, &file) {
                // Gone, so the next run fetches it again.
                let _ = std::fs::remove_file(&file);
                return Err(failure);
            }
        }
        if let Some(seconds) = item.modified.and_then(|s| u64::try_from(s).ok()) {
            let when = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
            File::options()
                .write(true)
                .open(&file)
                .and_then(|f| f.set_modified(when))
                .map_err(write_error(&file))?;
        }
        std::fs::metadata(&file).map(|m| m.len()).map_err(write_error(&file))
    }
}
