//! A mirror up: a local directory onto the server.

use super::plan::Item;
use super::remote::remote_path;
use super::run::{verify, Side};
use super::{SkipReason, Skipped};
use crate::error::read_error;
use crate::files::resumes;
use crate::job::{Job, LocalSide};
use crate::names::is_plain_name;
use crate::{Result, Session, Timestamp};
use std::cell::Cell;
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
/// the directory is sent; the rest go to `skipped`.
pub fn sendable(items: Vec<Item>, skipped: &mut Vec<Skipped>) -> Vec<Item> {
    items
        .into_iter()
        .filter(|item| {
            let reason = if !item.path.split('/').all(is_plain_name) {
                Some(SkipReason::NotPlainName)
            } else if !item.dir && item.size.is_none() {
                Some(SkipReason::NotFileOrDirectory)
            } else {
                None
            };
            if let Some(reason) = reason {
                skipped.push(Skipped {
                    path: item.path.clone(),
                    reason,
                });
            }
            reason.is_none()
        })
        .collect()
}

impl Side for Up<'_> {
    const CHANGES_REMOTE: bool = true;

    fn make_dir(&self, session: &mut Session, path: &str) -> Result<()> {
        session.mkdir(&remote_path(&self.base, path))?;
        Ok(())
    }

    fn delete(&self, session: &mut Session, path: &str, dir: bool) -> Result<()> {
        let path = remote_path(&self.base, path);
        if dir {
            session.rmdir(&path)?;
        } else {
            session.delete(&path)?;
        }
        Ok(())
    }

    /// STOR, checked by SIZE where the server has it, then given the local
    /// time (MFMT) where the server allows, so the next run sees it as up
    /// to date. A retry on a server that resumes sends only what the last
    /// try did not (REST at the server's size, then STOR), once a try got
    /// as far as the server taking data (`sent`): before, the server's
    /// file may be an older one, which must not be added to.
    fn copy(
        &self,
        job: &Job<'_>,
        session: &mut Session,
        item: &Item,
        sent: &Cell<bool>,
    ) -> Result<(u64, Option<String>)> {
        let local = self.dir.join(&item.path);
        let remote = remote_path(&self.base, &item.path);
        let mut file = File::open(&local).map_err(read_error(&local))?;
        let offset = if sent.get() {
            resumable(session, &remote, item)
        } else {
            0
        };
        file.seek(SeekFrom::Start(offset)).map_err(read_error(&local))?;
        let mut upload = session.store_from(&remote, offset)?;
        sent.set(true);
        let mut moving = job.start(&item.path, item.size, offset);
        let copied = moving.pump(
            &mut BufReader::with_capacity(1 << 20, file),
            &mut upload,
            &LocalSide::Source(&local),
        )?;
        upload.finish()?;
        let size = offset + copied;
        session.verify_size(&remote, size)?;
        let digest = if self.verify {
            verify(session, &remote, &local)?
        } else {
            None
        };
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
        moving.keep();
        Ok((size, digest))
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
