//! One large file over several sessions at once, each fetching its own
//! part (REST at the part's offset, then its bytes, then ABOR) into one
//! file at that offset; the file counts as done only when every part
//! arrived whole and the size is the server's SIZE. Faster where a server
//! or the path limits each connection's speed.

use crate::error::write_error;
use crate::files::{FileDone, PARTIAL_PREFIX, PARTIAL_SUFFIX};
use crate::job::Job;
use crate::{Error, Result, Session};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

/// Parts smaller than this are not worth a session of their own.
const MIN_PART: u64 = 1 << 20;

impl Job<'_> {
    /// Downloads `remote` to `local` in up to `segments` parts at once
    /// (no more than the pool's sessions), each retried from where it
    /// stopped; `local` is replaced only once the whole file is there.
    pub fn download_segmented(&self, remote: &str, local: &Path, segments: usize) -> Result<FileDone> {
        let result = self.segmented(remote, local, segments.clamp(1, self.pool.cap()));
        self.finished(remote, &result, |done| done.size);
        result
    }

    fn segmented(&self, remote: &str, local: &Path, segments: usize) -> Result<FileDone> {
        let size = self.retrying(remote, |session, _| session.size(remote))?;
        let dir = local
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let temp = tempfile::Builder::new()
            .prefix(PARTIAL_PREFIX)
            .suffix(PARTIAL_SUFFIX)
            .tempfile_in(dir)
            .map_err(write_error(local))?;
        temp.as_file().set_len(size).map_err(write_error(local))?;
        let moving = Mutex::new(self.start(remote, Some(size), 0));
        let results: Vec<Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts(size, segments)
                .into_iter()
                .map(|part| {
                    let (file, moving) = (temp.as_file(), &moving);
                    scope.spawn(move || self.part(remote, file, local, part, moving))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::InvalidInput("a part's thread panicked".into())))
                })
                .collect()
        });
        results.into_iter().collect::<Result<Vec<()>>>()?;
        let got = temp.as_file().metadata().map_err(write_error(local))?.len();
        if got != size {
            return Err(Error::Partial {
                expected: size,
                received: got,
            });
        }
        temp.persist(local).map_err(|e| write_error(local)(e.error))?;
        moving
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .keep();
        Ok(FileDone {
            size,
            resumed_from: 0,
            already_complete: false,
            size_checked: true,
        })
    }

    /// One part, its bytes from `start` written at `start`, each try taking
    /// up where the last one stopped.
    fn part(
        &self,
        remote: &str,
        file: &File,
        local: &Path,
        (start, len): (u64, u64),
        moving: &Mutex<crate::job::Moving<'_, '_>>,
    ) -> Result<()> {
        let mut done = 0u64;
        self.retrying(remote, |session, _| {
            self.part_once(
                session,
                remote,
                file,
                local,
                (start + done, len - done),
                &mut done,
                moving,
            )
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn part_once(
        &self,
        session: &mut Session,
        remote: &str,
        file: &File,
        local: &Path,
        (from, len): (u64, u64),
        done: &mut u64,
        moving: &Mutex<crate::job::Moving<'_, '_>>,
    ) -> Result<()> {
        if len == 0 {
            return Ok(());
        }
        let mut download = session.retrieve_from(remote, from)?;
        let mut buf = vec![0u8; (1 << 20).min(len) as usize];
        let mut got = 0u64;
        while got < len {
            let want = buf.len().min((len - got) as usize);
            let n = download
                .read(&mut buf[..want])
                .map_err(|e| crate::error::copying(e, write_error(local)))?;
            if n == 0 {
                return Err(Error::Partial {
                    expected: len,
                    received: got,
                });
            }
            file.write_at(&buf[..n], from + got).map_err(write_error(local))?;
            got += n as u64;
            *done += n as u64;
            moving
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .moved(n as u64);
            self.cancel.check()?;
        }
        // A part that ends where the file does finishes; one before the
        // end is aborted (the server would send the rest).
        if download.expected_size()?.is_some_and(|rest| rest == len) {
            download.finish()?;
        } else {
            download.abort()?;
        }
        Ok(())
    }
}

/// `size` split into at most `n` parts of at least `MIN_PART` (the last
/// takes the rest): (offset, length) each.
fn parts(size: u64, n: usize) -> Vec<(u64, u64)> {
    let n = (n as u64).clamp(1, (size / MIN_PART).max(1));
    let each = size / n;
    (0..n)
        .map(|i| {
            let start = i * each;
            let len = if i + 1 == n { size - start } else { each };
            (start, len)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_file_once() {
        for (size, n) in [(10 << 20, 4), ((10 << 20) + 3, 3), (100, 8), (0, 4), (5 << 20, 64)] {
            let parts = parts(size, n);
            assert!(parts.len() <= n.max(1));
            let mut next = 0;
            for (start, len) in &parts {
                assert_eq!(*start, next);
                next += len;
            }
            assert_eq!(next, size, "{size} in {n}");
        }
        assert_eq!(parts(100, 8).len(), 1, "small files are one part");
    }
}
