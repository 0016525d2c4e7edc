//! Ctrl-C: the half-drawn progress line is cleared rather than left
//! behind, the temporary files of downloads in flight are removed (a
//! mirror's partial files stay, for the next run to resume), and the exit
//! status says why (128 + SIGINT, as shells do).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

pub fn install() {
    let _ = ctrlc::set_handler(|| {
        for path in IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner).iter() {
            let _ = std::fs::remove_file(path);
        }
        if std::io::stderr().is_terminal() {
            eprint!("\r\x1b[2K");
        }
        eprintln!("wftp: interrupted");
        std::process::exit(130);
    });
}

/// A temporary file removed if the run is interrupted while this lives
/// (it is dropped once the file is renamed into place or removed).
pub struct InFlight(PathBuf);

impl InFlight {
    pub fn new(path: &Path) -> Self {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(path.to_path_buf());
        Self(path.to_path_buf())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|p| *p != self.0);
    }
}
