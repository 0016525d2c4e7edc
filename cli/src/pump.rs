//! Copying between a transfer and a local file in the reader's own chunks
//! (up to 1 MiB), not `io::copy`'s 8 KiB: fewer, larger writes; held to
//! `--limit-rate` when one is set.

use std::io::{self, BufRead, Write};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// `--limit-rate`, bytes a second for each transfer; set once, at start.
static LIMIT: OnceLock<u64> = OnceLock::new();

pub fn limit_rate(bytes_per_second: u64) {
    let _ = LIMIT.set(bytes_per_second.max(1));
}

/// Copies `from` to `to` to its end; the bytes copied. Under a rate limit,
/// chunks are a tenth of a second's worth, and the copy sleeps whenever it
/// is ahead of the rate.
pub fn pump(from: &mut impl BufRead, to: &mut impl Write) -> io::Result<u64> {
    let limit = LIMIT.get().copied();
    let started = Instant::now();
    let mut copied = 0;
    loop {
        let chunk = from.fill_buf()?;
        if chunk.is_empty() {
            return Ok(copied);
        }
        let n = limit.map_or(chunk.len(), |rate| chunk.len().min((rate / 10).max(1) as usize));
        to.write_all(&chunk[..n])?;
        from.consume(n);
        copied += n as u64;
        if let Some(rate) = limit {
            let due = Duration::from_secs_f64(copied as f64 / rate as f64);
            if let Some(ahead) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(ahead);
            }
        }
    }
}
