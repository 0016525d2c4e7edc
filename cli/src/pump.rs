//! Copying between a transfer and a local file in the reader's own chunks
//! (up to 1 MiB), not `io::copy`'s 8 KiB: fewer, larger writes.

use std::io::{self, BufRead, Write};

/// Copies `from` to `to` to its end; the bytes copied.
pub fn pump(from: &mut impl BufRead, to: &mut impl Write) -> io::Result<u64> {
    let mut copied = 0;
    loop {
        let chunk = from.fill_buf()?;
        if chunk.is_empty() {
            return Ok(copied);
        }
        to.write_all(chunk)?;
        let n = chunk.len();
        from.consume(n);
        copied += n as u64;
    }
}
