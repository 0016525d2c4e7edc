//! A mirror down: the server's tree into a local directory.

use super::local::inside;
use super::plan::Item;
use super::remote::remote_path;
use super::run::{verify, Side};
use crate::error::write_error;
use crate::files::{resumes, PARTIAL_PREFIX, PARTIAL_SUFFIX};
use crate::job::{Job, LocalSide};
use crate::{Error, Result, Session};
use std::cell::Cell;
use std::fs::{File, OpenOptions};
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
    fn local(&self, path: &str) -> Result<PathBuf> {
        inside(self.dir, path).ok_or_else(|| Error::UnsafeName(format!("{path:?} would leave {}", self.dir.display())))
    }
}

/// Where a file is downloaded before it is whole: beside it, under a name
/// the local scan leaves out.
pub fn partial_of(file: &Path) -> PathBuf {
    let name = file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    file.with_file_name(format!("{PARTIAL_PREFIX}{name}{PARTIAL_SUFFIX}"))
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
    const CHANGES_REMOTE: bool = false;

    fn make_dir(&self, _: &mut Session, path: &str) -> Result<()> {
        let dir = self.local(path)?;
        std::fs::create_dir(&dir).map_err(write_error(&dir))
    }

    fn delete(&self, _: &mut Session, path: &str, dir: bool) -> Result<()> {
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
    /// short on something worth another (or cancelled) leaves its partial
    /// file, which the next try (or run) resumes (REST) where it still
    /// matches; any other failure removes it.
    fn copy(&self, job: &Job<'_>, session: &mut Session, item: &Item, _: &Cell<bool>) -> Result<(u64, Option<String>)> {
        let file = self.local(&item.path)?;
        let partial = partial_of(&file);
        let copied = self.fetch(job, session, item, &file, &partial);
        if let Err(e) = &copied {
            if !e.is_transient() && !matches!(e, Error::Cancelled) {
                let _ = std::fs::remove_file(&partial);
            }
        }
        copied
    }
}

impl Down<'_> {
    fn fetch(
        &self,
        job: &Job<'_>,
        session: &mut Session,
        item: &Item,
        file: &Path,
        partial: &Path,
    ) -> Result<(u64, Option<String>)> {
        let remote = remote_path(&self.base, &item.path);
        let offset = resumable(session, partial, item);
        let mut out = OpenOptions::new()
            .create(true)
            .append(offset > 0)
            .write(true)
            .truncate(offset == 0)
            .open(partial)
            .map_err(write_error(partial))?;
        let mut download = session.retrieve_from(&remote, offset)?;
        let expected = download
            .expected_size()?
            .or(item.size.map(|size| size.saturating_sub(offset)));
        let mut moving = job.start(&item.path, expected.map(|e| e + offset), offset);
        let copied = moving.pump(&mut download, &mut out, &LocalSide::Target(partial))?;
        download.finish()?;
        if let Some(expected) = expected.filter(|e| *e != copied) {
            return Err(Error::Partial {
                expected,
                received: copied,
            });
        }
        drop(out);
        std::fs::rename(partial, file).map_err(write_error(file))?;
        let digest = if self.verify {
            match verify(session, &remote, file) {
                Ok(digest) => digest,
                Err(e) => {
                    // Gone, so the next run fetches it again.
                    let _ = std::fs::remove_file(file);
                    return Err(e);
                }
            }
        } else {
            None
        };
        if let Some(seconds) = item.modified.and_then(|s| u64::try_from(s).ok()) {
            let when = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
            File::options()
                .write(true)
                .open(file)
                .and_then(|f| f.set_modified(when))
                .map_err(write_error(file))?;
        }
        let size = std::fs::metadata(file).map(|m| m.len()).map_err(write_error(file))?;
        moving.keep();
        Ok((size, digest))
    }
}
