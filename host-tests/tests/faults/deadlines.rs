//! Every wait ends by its deadline, within a second of it, on both data
//! paths: a stalled download or upload, a stalled listing, a slow drip that
//! never trips the per-read deadline but breaks the whole-transfer or the
//! low-speed limit. A data-side timeout closes the session (a stalled server
//! is not asked to abort); progress, however slow, moves the data deadline.

use crate::support::*;

fn expect_timeout(d: &mut dyn Driver, what: &str, result: Result<impl std::fmt::Debug, HostError>) {
    match result {
        Err(HostError::Timeout(w)) => assert_eq!(w, what, "{:?}", d.path()),
        other => panic!("{:?}: expected a {what} timeout, got {other:?}", d.path()),
    }
}

/// The wait ended by the deadline of `ms`: not early, and within the
/// scheduler's `SLACK` after it.
fn ended_at(d: &dyn Driver, took: Duration, ms: u64) {
    assert_ended_at(took, Duration::from_millis(ms), &format!("{:?}", d.path()));
}

/// Part of a file, then silence with the connection held open.
fn stalls_after(part: usize) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    move |line, ctx| {
        if line.starts_with("RETR") || line.starts_with("LIST") || line.starts_with("MLSD") {
            ctx.send("150 go\r\n");
            ctx.data_write(&pattern(part));
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    }
}

/// `chunks` pieces of `size` bytes, `pause_ms` apart, then 226.
fn drips(chunks: usize, size: usize, pause_ms: u64) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    move |line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            for _ in 0..chunks {
                ctx.data_write(&pattern(size));
                ctx.sleep_ms(pause_ms);
            }
            ctx.data_close();
            ctx.send("226 done\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    }
}

/// Accepts an upload's data connection, then reads `chunk` bytes every
/// `pause_ms` (never, with `chunk` 0).
fn reads_slowly(chunk: usize, pause_ms: u64) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    move |line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 go\r\n");
            if chunk == 0 {
                ctx.data();
                ctx.sleep_ms(STALL_MS);
            } else {
                ctx.data_read_slowly(chunk, pause_ms);
                ctx.send("226 done\r\n");
            }
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    }
}

/// A 1 s data deadline against a 5 s reply deadline: a client that asked
/// the stalled server to abort, or waited for its final reply, would take
/// 6 s, past the data deadline's `SLACK`.
fn data_stall_limits() -> Limits {
    Limits {
        reply_ms: 5_000,
        ..Limits::quick()
    }
}

#[test]
fn stalled_download_ends_at_the_data_deadline_and_closes() {
    on_both_paths(
        data_stall_limits(),
        || stalls_after(5000),
        |d, server| {
            let (result, took) = clocked(|| d.download("f", 0));
            expect_timeout(d, "data", result);
            ended_at(d, took, 1_000);
            closed(d);
            assert!(!server.conversation().contains(&"ABOR".to_string()), "{:?}", d.path());
        },
    );
}

#[test]
fn stalled_listing_ends_at_the_data_deadline() {
    on_both_paths(
        data_stall_limits(),
        || stalls_after(100),
        |d, _| {
            let (result, took) = clocked(|| d.list(None));
            expect_timeout(d, "data", result);
            ended_at(d, took, 1_000);
        },
    );
}

#[test]
fn upload_to_a_server_that_stops_reading_ends_at_the_data_deadline() {
    on_both_paths(
        Limits::quick(),
        || reads_slowly(0, 0),
        |d, _| {
            let (result, took) = clocked(|| d.upload("f", &pattern(64 << 20), StoreMode::Replace));
            expect_timeout(d, "data", result);
            // The deadline counts from the last progress: the socket buffers
            // take the first megabytes before the server's silence shows
            // (well under 2 s here); the server stalls for `STALL_MS`.
            assert!(
                took >= Duration::from_millis(950) && took < Duration::from_secs(3) + SLACK,
                "{:?}: {took:?}",
                d.path()
            );
            closed(d);
        },
    );
}

#[test]
fn a_slow_drip_within_the_data_deadline_completes() {
    on_both_paths(
        Limits::quick(),
        || drips(8, 1000, 300),
        |d, _| {
            let (result, took) = clocked(|| d.download("f", 0));
            assert_eq!(result.unwrap().len(), 8000, "{:?}", d.path());
            assert!(
                took > Duration::from_millis(2000),
                "{took:?}: longer than the data deadline in all"
            );
        },
    );
}

/// 32 MiB read 1 MiB every 100 ms: over three seconds in all against a
/// 1 s data deadline, but never a second without progress. (The reply
/// deadline is longer: the server drains its buffers before its 226.)
#[test]
fn a_slow_reader_within_the_data_deadline_completes() {
    on_both_paths(
        Limits {
            reply_ms: 5_000,
            ..Limits::quick()
        },
        || reads_slowly(1 << 20, 100),
        |d, _| {
            let (result, took) = clocked(|| d.upload("f", &pattern(32 << 20), StoreMode::Replace));
            assert_eq!(result.unwrap().code, 226, "{:?}", d.path());
            assert!(took > Duration::from_millis(2000), "{took:?}");
        },
    );
}

#[test]
fn a_drip_past_the_transfer_deadline_ends_there() {
    let limits = Limits {
        transfer_ms: Some(1500),
        ..Limits::quick()
    };
    on_both_paths(
        limits,
        || drips(40, 100, 100),
        |d, _| {
            let (result, took) = clocked(|| d.download("f", 0));
            expect_timeout(d, "transfer", result);
            ended_at(d, took, 1_500);
            closed(d);
        },
    );
}

#[test]
fn an_upload_past_the_transfer_deadline_ends_there() {
    let limits = Limits {
        data_ms: 10_000,
        transfer_ms: Some(1500),
        ..Limits::quick()
    };
    on_both_paths(
        limits,
        || reads_slowly(64 << 10, 100),
        |d, _| {
            let (result, took) = clocked(|| d.upload("f", &pattern(16 << 20), StoreMode::Replace));
            expect_timeout(d, "transfer", result);
            ended_at(d, took, 1_500);
        },
    );
}

/// Ten bytes every 200 ms never trips a 2 s per-read deadline, but stays
/// under 1 000 B/s for the whole 1 s window.
#[test]
fn a_drip_below_the_low_speed_limit_ends_with_the_window() {
    let limits = Limits {
        data_ms: 2_000,
        low_speed: Some((1000, 1000)),
        ..Limits::quick()
    };
    on_both_paths(
        limits,
        || drips(40, 10, 200),
        |d, _| {
            let (result, took) = clocked(|| d.download("f", 0));
            expect_timeout(d, "low-speed", result);
            ended_at(d, took, 1_000);
        },
    );
}

#[test]
fn a_transfer_above_the_low_speed_limit_completes() {
    let limits = Limits {
        low_speed: Some((1000, 500)),
        ..Limits::quick()
    };
    on_both_paths(
        limits,
        || drips(6, 4000, 250),
        |d, _| assert_eq!(d.download("f", 0).unwrap().len(), 24000, "{:?}", d.path()),
    );
}

#[test]
fn no_final_reply_after_the_data_ends_at_the_reply_deadline() {
    on_both_paths(
        Limits::quick(),
        || {
            |line: &str, ctx: &mut Ctx| {
                if line.starts_with("RETR") {
                    ctx.send("150 go\r\n");
                    ctx.data_write(b"all of it");
                    ctx.data_close();
                    Flow::Next
                } else {
                    ordinary(line, ctx)
                }
            }
        },
        |d, _| {
            let (result, took) = clocked(|| d.download("f", 0));
            expect_timeout(d, "reply", result);
            ended_at(d, took, 1_000);
            closed(d);
        },
    );
}

#[test]
fn no_150_ends_at_the_reply_deadline() {
    on_both_paths(
        Limits::quick(),
        || {
            |line: &str, ctx: &mut Ctx| {
                if line.starts_with("RETR") {
                    Flow::Next
                } else {
                    ordinary(line, ctx)
                }
            }
        },
        |d, _| {
            let (result, took) = clocked(|| d.download("f", 0));
            expect_timeout(d, "reply", result);
            ended_at(d, took, 1_000);
            closed(d);
        },
    );
}
