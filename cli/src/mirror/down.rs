//! A mirror down: the server's tree into a local directory.

use super::{local, remote_path, verify, Item, Side};
use crate::commands::replace;
use crate::failure::{visible, write_error, Failure, Outcome};
use crate::progress;
use ftp_host::Session;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

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

    /// Into a temporary file renamed over the old one when whole, then
    /// given the server's time so the next run sees it as up to date.
    fn copy(&self, session: &mut Session, item: &Item, quiet: bool) -> Outcome<u64> {
        let file = self.local(&item.path)?;
        let mut download = session
            .retrieve(&remote_path(&self.base, &item.path))
            .map_err(|e| Failure::from(e).missing_if_550())?;
        let expected = download.expected_size()?.or(item.size);
        let bar = progress::bar(expected, quiet);
        let done = replace(download, expected, &file, &bar);
        bar.finish_and_clear();
        done?;
        if self.verify {
            if let Err(failure) = verify(session, &remote_path(&self.base, &item.path), &file) {
                // Gone, so the next run fetches it again.
                let _ = std::fs::remove_file(&file);
                return Err(failure);
            }
        }
        if let Some(seconds) = item.modified.and_then(|s| u64::try_from(s).ok()) {
            let when = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
            std::fs::File::options()
                .write(true)
                .open(&file)
                .and_then(|f| f.set_modified(when))
                .map_err(write_error(&file))?;
        }
        std::fs::metadata(&file).map(|m| m.len()).map_err(write_error(&file))
    }
}
