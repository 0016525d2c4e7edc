//! Progress bars on stderr for transfers (hidden when stderr is not a
//! terminal, or with --quiet).

use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// A bar over `total` bytes, or a byte counter when the size is unknown.
pub fn bar(total: Option<u64>, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::new(total),
            "{wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        ),
        None => (ProgressBar::new_spinner(), "{spinner} {bytes} {binary_bytes_per_sec}"),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// One bar for a whole run of `files` copies over `total` bytes (all the
/// sessions' bytes count toward it), with a line per file above it on a
/// terminal (`println` on a hidden bar prints nothing).
pub fn overall(total: u64, files: usize, quiet: bool) -> ProgressBar {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    let template = "{wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_message(format!("0/{files} files"));
    bar
}

/// Clears a transfer's bar and, if it succeeded where the bar was shown (a
/// terminal, no -q), leaves one line in its place:
/// `get: 19.1 MiB in 0.15 s (127.3 MiB/s)`.
pub fn done(bar: &ProgressBar, verb: &str, succeeded: bool) {
    bar.finish_and_clear();
    if succeeded && !bar.is_hidden() {
        eprintln!("{verb}: {}", summary(bar.position(), bar.elapsed()));
    }
}

/// Bytes, time and rate, as people read them.
pub fn summary(bytes: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64().max(1e-6);
    format!(
        "{} in {seconds:.2} s ({}/s)",
        human_bytes(bytes),
        human_bytes((bytes as f64 / seconds) as u64)
    )
}

pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_read_as_people_write_them() {
        assert_eq!(
            summary(20 << 20, Duration::from_millis(160)),
            "20.0 MiB in 0.16 s (125.0 MiB/s)"
        );
        assert_eq!(summary(512, Duration::from_secs(2)), "512 B in 2.00 s (256 B/s)");
    }
}
