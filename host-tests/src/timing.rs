//! Time in tests that run on shared, loaded 2-core machines: waiting for
//! what happens after an event (poll until true, with a bound, then fail
//! with what was seen), and the one allowance every upper bound on a
//! duration gets for the scheduler.
//!
//! The rules: a test never samples once what another thread or process
//! does later; a lower bound (a deadline must not fire early) stays strict;
//! an upper bound is the deadline plus [`SLACK`], and the test is built so
//! that the behaviour it rules out would take longer than that (a server
//! that stalls for [`STALL_MS`] rather than just past the bound).

use std::fmt::Debug;
use std::time::{Duration, Instant};

/// How late a wait may end on a loaded machine beyond the deadline that
/// ends it. Measured on these 2-core machines with two busy loops and
/// the suite running: of 240 000 10 ms sleeps, the median woke 0.1 ms
/// late, the 99th percentile 10 ms, the 99.9th 56 ms, the worst 570 ms;
/// 3 s leaves five times the worst for a worse moment, and stays below
/// every alternative a test rules out.
pub const SLACK: Duration = Duration::from_secs(3);

/// How long a scripted server stalls when a test needs "never answers":
/// far past any deadline plus [`SLACK`], so a client that waited for the
/// stall to end cannot pass for one that stopped at its deadline.
pub const STALL_MS: u64 = 30_000;

/// How long [`until`] waits by default for something that follows at
/// once in an idle machine.
pub const SETTLE: Duration = Duration::from_secs(10);

/// Polls `probe` every 10 ms until it gives `Ok`, for at most `bound`;
/// then panics with `what` and the last thing `probe` saw.
pub fn until<T, S: Debug>(bound: Duration, what: &str, mut probe: impl FnMut() -> Result<T, S>) -> T {
    let end = Instant::now() + bound;
    loop {
        match probe() {
            Ok(done) => return done,
            Err(seen) if Instant::now() >= end => panic!("{what}: not so within {bound:?}; last seen: {seen:?}"),
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// [`until`] for a value that must come to equal `want`.
pub fn until_eq<T: PartialEq + Debug>(bound: Duration, what: &str, want: T, mut probe: impl FnMut() -> T) {
    until(bound, what, || {
        let seen = probe();
        if seen == want {
            Ok(())
        } else {
            Err(seen)
        }
    })
}

/// Checks that a wait ended by its deadline: not before it (less 50 ms:
/// the guest's clock and ours round differently), and within [`SLACK`]
/// after it.
pub fn assert_ended_at(took: Duration, deadline: Duration, what: &str) {
    let early = deadline.saturating_sub(Duration::from_millis(50));
    assert!(
        took >= early && took < deadline + SLACK,
        "{what}: took {took:?}, expected {early:?} to {:?}",
        deadline + SLACK
    );
}

/// Runs `f`, returning its result and how long it took.
pub fn clocked<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}
