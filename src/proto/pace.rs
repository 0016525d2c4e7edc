//! A transfer's clock and byte count: when its next wait must end (the data
//! deadline, the whole-transfer deadline, the low-speed window), and whether
//! the bytes so far fit the size the server announced. Pure: the caller
//! passes the monotonic time in, so every rule is table-tested natively, and
//! the same `Pace` serves the component's own reads and writes and the
//! streams it hands to the host (which reports its bytes back).

/// Why a transfer must stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaceError {
    /// A deadline passed: `data`, `transfer` or `low-speed`.
    Timeout(&'static str),
    /// More bytes arrived than the server announced.
    Overrun { expected: u64, received: u64 },
}

/// curl's `--speed-limit`/`--speed-time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowSpeed {
    pub bytes_per_second: u64,
    pub window_ns: u64,
}

/// The limits a transfer runs under, from the session's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Each wait for the data to make progress.
    pub data_ns: u64,
    /// The whole transfer, if limited.
    pub transfer_ns: Option<u64>,
    pub low_speed: Option<LowSpeed>,
}

#[derive(Debug, Clone)]
pub struct Pace {
    limits: Limits,
    started: u64,
    last_progress: u64,
    window_start: u64,
    window_bytes: u64,
    total: u64,
    expected: Option<u64>,
}

impl Pace {
    pub fn new(limits: Limits, now: u64, expected: Option<u64>) -> Self {
        Self {
            limits,
            started: now,
            last_progress: now,
            window_start: now,
            window_bytes: 0,
            total: 0,
            expected,
        }
    }

    pub fn expected(&self) -> Option<u64> {
        self.expected
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Counts `bytes` moved at `now` (0 after a wait ran out), then checks
    /// every limit.
    pub fn record(&mut self, now: u64, bytes: u64) -> Result<(), PaceError> {
        self.total = self.total.saturating_add(bytes);
        if let Some(expected) = self.expected.filter(|e| self.total > *e) {
            return Err(PaceError::Overrun {
                expected,
                received: self.total,
            });
        }
        if bytes > 0 {
            self.last_progress = now;
            self.window_bytes = self.window_bytes.saturating_add(bytes);
        }
        self.check(now)
    }

    /// Fails once a deadline has passed; rolls the low-speed window over
    /// when it ended fast enough.
    fn check(&mut self, now: u64) -> Result<(), PaceError> {
        if now >= self.last_progress.saturating_add(self.limits.data_ns) {
            return Err(PaceError::Timeout("data"));
        }
        if let Some(limit) = self.limits.transfer_ns {
            if now >= self.started.saturating_add(limit) {
                return Err(PaceError::Timeout("transfer"));
            }
        }
        if let Some(low) = self.limits.low_speed {
            while now >= self.window_start.saturating_add(low.window_ns) {
                let needed = u128::from(low.bytes_per_second) * u128::from(low.window_ns) / 1_000_000_000;
                if u128::from(self.window_bytes) < needed {
                    return Err(PaceError::Timeout("low-speed"));
                }
                self.window_start = self.window_start.saturating_add(low.window_ns);
                self.window_bytes = 0;
            }
        }
        Ok(())
    }

    /// How long, from `now`, the next read may wait before a limit must be
    /// checked again (at least 1 ns, so a caller never waits forever on 0).
    /// The low-speed window's end is one such point: a read that ran out
    /// there is simply retried if the window was fast enough.
    pub fn budget(&self, now: u64) -> u64 {
        let end = match self.limits.low_speed {
            Some(low) => self.hard_end().min(self.window_start.saturating_add(low.window_ns)),
            None => self.hard_end(),
        };
        end.saturating_sub(now).max(1)
    }

    /// How long the next write may wait: only until a limit has surely
    /// passed, since a write cut short cannot be retried. The low-speed
    /// window is checked as each write's bytes are recorded.
    pub fn write_budget(&self, now: u64) -> u64 {
        self.hard_end().saturating_sub(now).max(1)
    }

    /// The data deadline or the transfer's, whichever comes first.
    fn hard_end(&self) -> u64 {
        let data = self.last_progress.saturating_add(self.limits.data_ns);
        match self.limits.transfer_ns {
            Some(limit) => data.min(self.started.saturating_add(limit)),
            None => data,
        }
    }

    /// At the end of the data: whether the whole announced size arrived.
    pub fn complete(&self) -> Result<(), (u64, u64)> {
        match self.expected {
            Some(expected) if expected != self.total => Err((expected, self.total)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    fn limits() -> Limits {
        Limits {
            data_ns: 10 * S,
            transfer_ns: None,
            low_speed: None,
        }
    }

    #[test]
    fn data_deadline_moves_with_progress() {
        let mut p = Pace::new(limits(), 0, None);
        assert_eq!(p.budget(0), 10 * S);
        p.record(4 * S, 100).unwrap();
        assert_eq!(p.budget(4 * S), 10 * S);
        assert_eq!(p.record(13 * S, 0), Ok(()));
        assert_eq!(p.record(14 * S, 0), Err(PaceError::Timeout("data")));
    }

    #[test]
    fn transfer_deadline_is_fixed() {
        let mut p = Pace::new(
            Limits {
                transfer_ns: Some(5 * S),
                ..limits()
            },
            0,
            None,
        );
        p.record(4 * S, 1).unwrap();
        assert_eq!(p.budget(4 * S), S, "the transfer ends before the data deadline");
        assert_eq!(p.write_budget(4 * S), S);
        assert_eq!(p.record(5 * S, 1 << 20), Err(PaceError::Timeout("transfer")));
    }

    #[test]
    fn a_slow_drip_fails_the_low_speed_window() {
        let low = LowSpeed {
            bytes_per_second: 1000,
            window_ns: 2 * S,
        };
        let mut p = Pace::new(
            Limits {
                low_speed: Some(low),
                ..limits()
            },
            0,
            None,
        );
        // 2 000 bytes in the first window: fast enough.
        p.record(S, 2000).unwrap();
        p.record(2 * S, 0).unwrap();
        assert_eq!(p.budget(2 * S), 2 * S);
        assert_eq!(p.write_budget(2 * S), 9 * S, "writes wait for the data deadline only");
        // One byte a second never trips the data deadline, but is too slow.
        p.record(3 * S, 1).unwrap();
        assert_eq!(p.record(4 * S, 1), Err(PaceError::Timeout("low-speed")));
    }

    #[test]
    fn overrun_and_short_counts() {
        let mut p = Pace::new(limits(), 0, Some(1024));
        p.record(1, 1000).unwrap();
        assert_eq!(p.complete(), Err((1024, 1000)));
        p.record(2, 24).unwrap();
        assert_eq!(p.complete(), Ok(()));
        assert_eq!(
            p.record(3, 1),
            Err(PaceError::Overrun {
                expected: 1024,
                received: 1025
            })
        );
        assert_eq!(Pace::new(limits(), 0, None).complete(), Ok(()));
    }

    #[test]
    fn budget_is_never_zero() {
        let p = Pace::new(limits(), 0, None);
        assert_eq!(p.budget(20 * S), 1);
    }
}
