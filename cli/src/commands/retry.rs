//! Trying a file again after a transient failure (`--retry N`): what
//! counts as transient, how long to wait, and whether the server can take
//! a transfer up where the last one stopped.

use crate::failure::{visible, Failure, Outcome};
use ftp_host::Session;
use std::time::Duration;

/// Failures worth another try: a 4xx (75), a lost connection (56), a
/// deadline (28).
pub fn transient(failure: &Failure) -> bool {
    matches!(failure.code, 28 | 56 | 75)
}

/// Whether a failure may have left the session out of step (anything but
/// a reply), so the next try needs a fresh one.
pub fn breaks_session(failure: &Failure) -> bool {
    !matches!(failure.code, 9 | 75 | 78)
}

/// The wait before try `tries + 1`: 0.5 s, 1 s, 2 s... (at most 32 s).
pub fn backoff(tries: u32) -> Duration {
    Duration::from_millis(500 << tries.min(6))
}

/// Whether the server resumes transfers at an offset (FEAT `REST
/// STREAM`, RFC 3659): only then is a part already copied kept.
pub fn resumes(session: &mut Session) -> bool {
    session.features().is_ok_and(|features| {
        features
            .iter()
            .any(|f| f.name == "REST" && f.params.to_ascii_uppercase().contains("STREAM"))
    })
}

/// Runs `once` until it succeeds, fails other than transiently, or has
/// been tried `retries` more times; `say` prints each retry's line (above
/// a progress bar, for instance). A try whose failure `breaks_session`
/// must leave that session behind itself.
pub fn retrying<T>(what: &str, retries: u32, say: impl Fn(String), mut once: impl FnMut() -> Outcome<T>) -> Outcome<T> {
    let mut tries = 0;
    loop {
        match once() {
            Err(failure) if transient(&failure) && tries < retries => {
                say(format!(
                    "wftp: {}: {}; trying again",
                    visible(what),
                    visible(&failure.message)
                ));
                std::thread::sleep(backoff(tries));
                tries += 1;
            }
            done => return done,
        }
    }
}
