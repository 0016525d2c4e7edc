//! The component's timestamps as `std::time::SystemTime`.

use crate::bindings::Timestamp;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> Self {
        let nanos = Duration::from_nanos(u64::from(t.nanoseconds));
        let secs = Duration::from_secs(t.seconds.unsigned_abs());
        if t.seconds >= 0 {
            UNIX_EPOCH + secs + nanos
        } else {
            UNIX_EPOCH - secs + nanos
        }
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp {
                seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanoseconds: d.subsec_nanos(),
            },
            Err(before) => {
                let d = before.duration();
                let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                match d.subsec_nanos() {
                    0 => Timestamp {
                        seconds: -whole,
                        nanoseconds: 0,
                    },
                    n => Timestamp {
                        seconds: -whole - 1,
                        nanoseconds: 1_000_000_000 - n,
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_either_side_of_the_epoch() {
        for (seconds, nanoseconds) in [(0, 0), (1_700_000_000, 5), (-1, 250_000_000), (-86_400, 0)] {
            let t = Timestamp { seconds, nanoseconds };
            assert_eq!(Timestamp::from(SystemTime::from(t)), t);
        }
        let t = SystemTime::from(Timestamp {
            seconds: -1,
            nanoseconds: 250_000_000,
        });
        assert_eq!(UNIX_EPOCH.duration_since(t).unwrap(), Duration::from_millis(750));
    }
}
