//! Ctrl-C: the run's work is cancelled (a download in flight is aborted and
//! its temporary file removed; a mirror's partial files stay, for the next
//! run to resume), the half-drawn progress line is cleared, and the exit
//! status says why (128 + SIGINT, as shells do). Work that does not notice
//! within a few seconds (a listing waiting on a silent server) is ended.

use ftp_host::Cancel;
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

/// How long the run has to stop by itself after Ctrl-C.
const GRACE: Duration = Duration::from_secs(5);

static CANCEL: OnceLock<Cancel> = OnceLock::new();

/// The run's cancel handle, cancelled by Ctrl-C.
pub fn cancel() -> Cancel {
    CANCEL.get_or_init(Cancel::new).clone()
}

pub fn install() {
    let cancel = cancel();
    let _ = ctrlc::set_handler(move || {
        cancel.cancel();
        if std::io::stderr().is_terminal() {
            eprint!("\r\x1b[2K");
        }
        std::thread::sleep(GRACE);
        eprintln!("wftp: interrupted");
        std::process::exit(130);
    });
}
