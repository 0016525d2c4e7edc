//! What a run shows on stderr as it goes, drawn from the library's progress
//! events: a bar per transfer (or one for a whole tree, with a line per
//! file above it), retries, and with --verbose the conversation. Bars are
//! hidden when stderr is not a terminal, or with --quiet or --json.

use crate::args::Global;
use crate::failure::visible;
use ftp_host::{Event, Observer, Totals};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Shows a run's events.
pub struct Display {
    bar: ProgressBar,
    kind: Kind,
    verbose: bool,
    /// For one file at a time: the run's bytes done before the current
    /// file's first byte, so the bar counts that file alone.
    before: Mutex<u64>,
}

enum Kind {
    /// One bar per file, ended by `VERB: 3.0 MiB in 0.15 s (20.0 MiB/s)`.
    Files(&'static str),
    /// One bar for the whole run, `fetched PATH` above it per file.
    Tree(&'static str),
}

impl Display {
    /// For transfers of one file after another (`get`, `put`).
    pub fn files(verb: &'static str, global: &Global) -> Self {
        Self::new(Kind::Files(verb), global)
    }

    /// For a tree run; `copied` is `fetched` or `sent`.
    pub fn tree(copied: &'static str, global: &Global) -> Self {
        let display = Self::new(Kind::Tree(copied), global);
        if let Ok(style) =
            ProgressStyle::with_template("{wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}")
        {
            display.bar.set_style(style);
        }
        display
    }

    fn new(kind: Kind, global: &Global) -> Self {
        let bar = if global.quiet || global.json {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0)
        };
        Self {
            bar,
            kind,
            verbose: global.verbose,
            before: Mutex::new(0),
        }
    }

    /// Clears the bar (a run that ended early leaves none behind).
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }

    fn say(&self, line: String) {
        self.bar.suspend(|| eprintln!("{line}"));
    }

    /// A new bar for one file of `size` bytes (a counter if unknown).
    fn start_file(&self, size: Option<u64>) {
        let template = match size {
            Some(_) => "{wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
            None => "{spinner} {bytes} {binary_bytes_per_sec}",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style);
        }
        self.bar.reset();
        self.bar.set_length(size.unwrap_or(0));
    }
}

impl Observer for Display {
    fn on_event(&self, event: &Event, totals: &Totals) {
        match (event, &self.kind) {
            (Event::Trace { lines }, _) if self.verbose => {
                for line in lines {
                    self.say(visible(line));
                }
            }
            (Event::Retrying { path, error, .. }, _) => {
                self.say(format!(
                    "wftp: {}: {}; trying again",
                    visible(path),
                    visible(&error.message)
                ));
            }
            (Event::Started { size, offset, .. }, Kind::Files(_)) => {
                if self.verbose && *offset > 0 {
                    self.say(format!("resuming at byte {offset}"));
                }
                self.start_file(*size);
                *self.before.lock().unwrap_or_else(PoisonError::into_inner) = totals.bytes_done - offset;
                self.bar.set_position(*offset);
            }
            (Event::Moved { .. }, Kind::Files(_)) => {
                let before = *self.before.lock().unwrap_or_else(PoisonError::into_inner);
                self.bar.set_position(totals.bytes_done.saturating_sub(before));
            }
            (Event::Finished { result, .. }, Kind::Files(verb)) => done(&self.bar, verb, result.is_ok()),
            (Event::Planned { .. }, Kind::Tree(_)) => {
                self.bar.set_length(totals.bytes_total);
                self.bar.set_message(format!("0/{} files", totals.files_total));
            }
            (Event::Started { .. } | Event::Moved { .. }, Kind::Tree(_)) => self.bar.set_position(totals.bytes_done),
            (Event::Finished { path, result: Ok(_) }, Kind::Tree(copied)) => {
                self.bar.println(format!("{copied} {}", visible(path)));
                self.bar
                    .set_message(format!("{}/{} files", totals.files_done, totals.files_total));
            }
            _ => {}
        }
    }
}

/// Clears a transfer's bar and, if it succeeded where the bar was shown (a
/// terminal, no -q), leaves one line in its place:
/// `get: 19.1 MiB in 0.15 s (127.3 MiB/s)`.
fn done(bar: &ProgressBar, verb: &str, succeeded: bool) {
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
