//! `get --segments N`: one large file over N sessions at once, each
//! fetching its own part (REST at the part's offset, then its bytes, then
//! ABOR) into one file at that offset; the file counts as done only when
//! every part arrived whole and the size is the server's SIZE. Faster where
//! a server or the path limits each connection's speed.

use crate::args::Global;
use crate::failure::{connecting, copying, write_error, Failure, Outcome};
use crate::interrupt::InFlight;
use crate::progress;
use crate::target::Target;
use ftp_host::{Client, Pool};
use indicatif::ProgressBar;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Parts smaller than this are not worth a session of their own.
const MIN_PART: u64 = 1 << 20;

pub fn get_segmented(client: &Client, global: &Global, url: &str, dest: Option<&Path>, segments: usize) -> Outcome {
    let target = Target::parse(url, global)?;
    let name = target
        .path
        .rsplit('/')
        .next()
        .filter(|n| super::is_plain_name(n))
        .ok_or_else(|| Failure::usage(format!("{url} names no plain file")))?;
    let dest = match dest {
        Some(d) if d.is_dir() => d.join(name),
        Some(d) => d.to_path_buf(),
        None => Path::new(name).to_path_buf(),
    };
    let pool = Pool::new(client, target.options.clone(), segments);
    let size = pool
        .get()
        .map_err(connecting)?
        .size(&target.path)
        .map_err(|e| Failure::from(e).missing_if_550())?;
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = tempfile::Builder::new()
        .prefix(".wftp-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(write_error(&dest))?;
    let _in_flight = InFlight::new(temp.path());
    temp.as_file().set_len(size).map_err(write_error(&dest))?;
    let bar = progress::bar(Some(size), global.quiet);
    let results: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts(size, segments)
            .into_iter()
            .map(|(start, len)| {
                let (pool, path, file, dest, bar) = (&pool, &target.path, temp.as_file(), &dest, &bar);
                scope.spawn(move || part(pool, path, file, dest, (start, len), bar))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Failure::new(1, "a part's thread panicked")))
            })
            .collect()
    });
    let results = results.into_iter().collect::<Outcome<Vec<()>>>();
    progress::done(&bar, "get", results.is_ok());
    results?;
    let got = temp.as_file().metadata().map_err(write_error(&dest))?.len();
    if got != size {
        return Err(ftp_host::Error::Partial {
            expected: size,
            received: got,
        }
        .into());
    }
    temp.persist(&dest).map_err(|e| write_error(&dest)(e.error))?;
    Ok(())
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

/// One part: its bytes from `start` written at `start`; a part that ends
/// before the file does is then aborted (the server would send the rest).
fn part(pool: &Pool, path: &str, file: &File, dest: &Path, (start, len): (u64, u64), bar: &ProgressBar) -> Outcome {
    let mut session = pool.get().map_err(connecting)?;
    let mut download = session
        .retrieve_from(path, start)
        .map_err(|e| Failure::from(e).missing_if_550())?;
    let mut buf = vec![0u8; (1 << 20).min(len.max(1)) as usize];
    let mut done = 0u64;
    while done < len {
        let want = buf.len().min((len - done) as usize);
        let n = download
            .read(&mut buf[..want])
            .map_err(|e| copying(e, write_error(dest)))?;
        if n == 0 {
            return Err(ftp_host::Error::Partial {
                expected: len,
                received: done,
            }
            .into());
        }
        file.write_at(&buf[..n], start + done).map_err(write_error(dest))?;
        done += n as u64;
        bar.inc(n as u64);
    }
    let ended = download.expected_size()?.is_some_and(|rest| rest == len);
    if ended {
        download.finish()?;
    } else {
        download.abort()?;
    }
    Ok(())
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
