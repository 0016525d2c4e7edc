//! Deadlines as monotonic-clock instants, and waiting on a pollable until one.

use crate::error::{Error, Result};
use wasi::clocks::monotonic_clock;
use wasi::io::poll::{poll, Pollable};

/// How long a wait checks readiness before it blocks, in nanoseconds.
const SPIN_NS: u64 = 50_000;

/// A point in monotonic time after which an operation gives up.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: monotonic_clock::Instant,
    what: &'static str,
}

impl Deadline {
    /// `millis` from now; `what` names the deadline in the timeout error.
    pub fn after_ms(millis: u32, what: &'static str) -> Self {
        let at = monotonic_clock::now().saturating_add(u64::from(millis) * 1_000_000);
        Self { at, what }
    }

    /// At `at` on the monotonic clock (`clock::now`'s count).
    pub fn at(at: u64, what: &'static str) -> Self {
        Self { at, what }
    }

    /// When it passes, on the monotonic clock.
    pub fn at_ns(&self) -> u64 {
        self.at
    }

    /// `nanos` from now.
    pub fn after_ns(nanos: u64, what: &'static str) -> Self {
        Self {
            at: monotonic_clock::now().saturating_add(nanos),
            what,
        }
    }

    /// Blocks until `ready` fires, or fails with a timeout once the deadline passes.
    pub fn wait(&self, ready: &Pollable) -> Result<()> {
        self.wait_any(&[ready])
    }

    /// Blocks until any of `ready` fires, or fails with a timeout.
    pub fn wait_any(&self, ready: &[&Pollable]) -> Result<()> {
        // A reply on a fast network arrives within microseconds: checking
        // for it briefly before blocking saves the host's reactor hand-offs
        // that a blocking poll costs on every round trip.
        let spin_until = monotonic_clock::now().saturating_add(SPIN_NS);
        loop {
            if ready.iter().any(|p| p.ready()) {
                return Ok(());
            }
            if monotonic_clock::now() >= spin_until {
                break;
            }
        }
        let timer = monotonic_clock::subscribe_instant(self.at);
        let mut all: Vec<&Pollable> = ready.to_vec();
        all.push(&timer);
        let fired = poll(&all);
        if fired.iter().any(|&i| (i as usize) < ready.len()) {
            Ok(())
        } else {
            Err(Error::Timeout(self.what))
        }
    }
}
