//! A mirror up: a local directory onto the server.

use super::{remote_path, verify, Item, Side};
use crate::commands::is_plain_name;
use crate::failure::{copying, read_error, visible, Failure, Outcome};
use crate::progress;
use crate::pump::pump;
use ftp_host::{Session, Timestamp};
use std::fs::File;
use std::io::BufReader;
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
    /// to date.
    fn copy(&self, session: &mut Session, item: &Item, quiet: bool) -> Outcome<u64> {
        let local = self.dir.join(&item.path);
        let remote = remote_path(&self.base, &item.path);
        let file = File::open(&local).map_err(read_error(&local))?;
        let mut upload = session.store(&remote)?;
        let bar = progress::bar(item.size, quiet);
        let sent = pump(&mut bar.wrap_read(BufReader::with_capacity(1 << 20, file)), &mut upload)
            .map_err(|e| copying(e, read_error(&local)));
        bar.finish_and_clear();
        let sent = sent?;
        upload.finish()?;
        session.verify_size(&remote, sent)?;
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
        Ok(sent)
    }
}
