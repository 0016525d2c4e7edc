//! The clocks, read here only: the monotonic one the engine's deadlines
//! count on, and the wall clock that places LIST dates without a year.

use crate::proto::time::Timestamp;
use wasi::clocks::{monotonic_clock, wall_clock};

/// Nanoseconds on the monotonic clock.
pub fn now() -> u64 {
    monotonic_clock::now()
}

/// The wall-clock time.
pub fn wall() -> Timestamp {
    let now = wall_clock::now();
    Timestamp {
        seconds: i64::try_from(now.seconds).unwrap_or(i64::MAX),
        nanoseconds: now.nanoseconds,
    }
}
