//! A rate limit shared by every transfer that holds a clone of it, across
//! sessions and threads, and changeable while they run.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Bytes a second for all the transfers that share it, together. Set it in
/// [`Options::rate_limit`](crate::Options::rate_limit): every session made
/// from those options (a pool's, a mirror's) then draws on the same limit.
#[derive(Debug, Clone)]
pub struct RateLimit(Arc<Mutex<Schedule>>);

#[derive(Debug)]
struct Schedule {
    /// `None`: no limit for now.
    bytes_per_second: Option<u64>,
    /// When the next chunk may go: each chunk moves it on by its own
    /// length's worth of time, so chunks from any thread queue up.
    next: Instant,
}

impl RateLimit {
    pub fn new(bytes_per_second: u64) -> Self {
        Self(Arc::new(Mutex::new(Schedule {
            bytes_per_second: Some(bytes_per_second.max(1)),
            next: Instant::now(),
        })))
    }

    /// Changes the limit for every transfer sharing it, from its next
    /// chunk on; `None` lifts it.
    pub fn set(&self, bytes_per_second: Option<u64>) {
        let mut schedule = self.lock();
        schedule.bytes_per_second = bytes_per_second.map(|b| b.max(1));
        schedule.next = schedule.next.min(Instant::now());
    }

    pub fn get(&self) -> Option<u64> {
        self.lock().bytes_per_second
    }

    /// How many bytes to move at a time under the limit: a tenth of a
    /// second's worth (so the pace is even and a change takes hold soon),
    /// at most `max`.
    pub(crate) fn chunk(&self, max: usize) -> usize {
        match self.get() {
            Some(rate) => usize::try_from(rate / 10).unwrap_or(max).clamp(1, max),
            None => max,
        }
    }

    /// Waits until `bytes` may go (they are counted as gone).
    pub(crate) fn take(&self, bytes: usize) {
        let due = {
            let mut schedule = self.lock();
            let Some(rate) = schedule.bytes_per_second else {
                return;
            };
            let now = Instant::now();
            let start = schedule.next.max(now);
            schedule.next = start + Duration::from_secs_f64(bytes as f64 / rate as f64);
            start
        };
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Handles are equal when they are the same limit.
impl PartialEq for RateLimit {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_a_tenth_of_a_second_and_queue_across_threads() {
        let limit = RateLimit::new(100_000);
        assert_eq!(limit.chunk(1 << 20), 10_000);
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..5 {
                        limit.take(10_000);
                    }
                });
            }
        });
        // Ten chunks of a tenth of a second: the first goes at once, so at
        // least 0.9 s (a lower bound: a slow machine cannot fail it).
        assert!(start.elapsed() >= Duration::from_millis(890), "{:?}", start.elapsed());
    }

    #[test]
    fn lifting_the_limit_lets_everything_through() {
        let limit = RateLimit::new(10);
        limit.set(None);
        assert_eq!(limit.chunk(4096), 4096);
        // At 10 B/s this would wait three years; unlimited, it returns.
        let start = Instant::now();
        limit.take(1 << 30);
        assert!(start.elapsed() < Duration::from_secs(10));
        limit.set(Some(0));
        assert_eq!(limit.get(), Some(1));
    }
}
