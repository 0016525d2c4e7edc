//! A mirror up: a local directory onto the server.

use super::{remote_path, verify, Attempt, Item, Side};
use crate::commands::is_plain_name;
use crate::commands::retry::resumes;
use crate::failure::{copying, read_error, visible, Failure, Outcome};
use crate::pump::pump;
use ftp_host::{Session, Timestamp};
use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;

pub struct Up<'a> {
    /// The mirrored directory on the server.
    pub base: String,
    pub dir: &'a Path,
    pub verify: bool,
}

/// What of the local tree can be sent: files and directories with plain
/// names. Links (listed with no size) are not followed, so nothing outside
/// the directory is sent; both are reported.
pub fn sendable(items: Vec<Item>) -> Vec<Item> {
    items
        .into_iter()
        .filter(|item| {
            let plain = item.path.split('/').all(is_plain_name);
            let kind = item.dir || item.size.is_some();
            if !plain || !kind {
                eprintln!("wftp: skipped {:?}: not a plain file or directory", visible(&item.path));
            }
            plain && kind
        })
        .collect()
}

impl Side for Up<'_> {
    const COPIED: &'static str = "sent";
    const COPY: &'static str = "send ";

    fn make_dir(&self, session: &mut Session, path: &str) -> Outcome {
        session.mkdir(&remote_path(&self.base, path))?;
        Ok(())
    }

    fn delete(&self, session: &mut Session, path: &str, dir: bool) -> Outcome {
        let path = remote_path(&self.base, path);
        if dir {
            session.rmdir(&path)?;
        } else {
            session.delete(&path).map_err(|e| Failure::from(e).missing_if_550())?;
        }
        Ok(())
    }

    /// STOR, checked by SIZE where the server has it, then given the local
    /// time (MFMT) where the server allows, so the next run sees it as up
    /// to date. A retry on a server that resumes sends only what the last
    /// try did not (REST at the server's size, then STOR), once a try got
    /// as far as the server taking data: before, the server's file may be
    /// an older one, which must not be added to.
    fn copy(&self, session: &mut Session, item: &Item, attempt: &Attempt) -> Outcome<u64> {
        let local = self.dir.join(&item.path);
        let remote = remote_path(&self.base, &item.path);
        let mut file = File::open(&local).map_err(read_error(&local))?;
        let offset = if attempt.sent.get() {
            resumable(session, &remote, item)
        } else {
            0
        };
        file.seek(SeekFrom::Start(offset)).map_err(read_error(&local))?;
        let mut upload = session.store_from(&remote, offset)?;
        attempt.sent.set(true);
        attempt.bar.inc(offset);
        let sent = pump(
            &mut attempt.bar.wrap_read(BufReader::with_capacity(1 << 20, file)),
            &mut upload,
        )
        .map_err(|e| copying(e, read_error(&local)))?;
        upload.finish()?;
        let size = offset + sent;
        session.verify_size(&remote, size)?;
        if self.verify {
            verify(session, &remote, &local)?;
        }
        if let Some(seconds) = item.modified {
            // Servers without MFMT keep their own time: the next run then
            // compares by size alone.
            let _ = session.set_modified(
                &remote,
                Timestamp {
                    seconds,
                    nanoseconds: 0,
                },
            );
        }
        Ok(size)
    }
}

/// What the server holds of a file an earlier try was sending, if it can
/// be kept: shorter than the local file, on a server that resumes.
fn resumable(session: &mut Session, remote: &str, item: &Item) -> u64 {
    match (session.size(remote), item.size) {
        (Ok(held), Some(size)) if held > 0 && held < size && resumes(session) => held,
        _ => 0,
    }
}
