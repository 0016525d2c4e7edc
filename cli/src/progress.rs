//! Progress bars on stderr for transfers (hidden when stderr is not a
//! terminal, or with --quiet).

use indicatif::{ProgressBar, ProgressStyle};

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
