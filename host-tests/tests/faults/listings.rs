//! Listings read as they arrive (`open-listing`): a directory too large for
//! the instance's memory as a whole streams within it (where `list` gives
//! a typed error before parsing, not a trap halfway: the memory its
//! entries need is reserved, and given back, first), and every fault on
//! the way (an endless line, a stall, a failed final reply, a listing
//! dropped halfway) is a typed error that leaves the session in step.

use crate::support::*;

/// `n` LIST lines (Unix dialect), about 45 bytes each.
fn lines(n: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..n {
        body.extend_from_slice(format!("-rw-r--r-- 1 u g 1 Jan  1  2024 n{i:07}\r\n").as_bytes());
    }
    body
}

/// A server answering LIST with 150, `body`, the data connection's close
/// (unless `stall`) and `last`.
fn serves_list(body: Vec<u8>, stall: bool, last: &'static str) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    move |line, ctx| {
        if !line.starts_with("LIST") {
            return ordinary(line, ctx);
        }
        ctx.send("150 listing\r\n");
        ctx.data_write(&body);
        if stall {
            ctx.sleep_ms(STALL_MS);
        }
        ctx.data_close();
        ctx.send(last);
        Flow::Next
    }
}

#[test]
fn a_listing_too_large_for_memory_as_a_whole_streams_within_it() {
    let limits = Limits::memory_bound(40 << 20);
    on_both_paths(
        limits,
        || serves_list(lines(280_000), false, "226 done\r\n"),
        |d, _| {
            // Whole, it does not fit...
            assert!(matches!(d.list(None), Err(HostError::Protocol(m)) if m.contains("memory")));
            in_step(d);
            // ...streamed, every entry arrives, in order, in bounded batches.
            let mut next = 0;
            let handed = d
                .stream_list(None, 500, &mut |entry| {
                    assert_eq!(entry.name, format!("n{next:07}"), "{:?}", entry.raw);
                    next += 1;
                    true
                })
                .unwrap_or_else(|e| panic!("{:?}: {e}", d.path()));
            assert_eq!((handed, next), (280_000, 280_000), "{:?}", d.path());
            in_step(d);
        },
    );
}

#[test]
fn a_listing_dropped_halfway_is_aborted_and_the_session_goes_on() {
    on_both_paths(
        Limits::quick(),
        || serves_list(lines(100_000), false, "226 done\r\n"),
        |d, server| {
            let handed = d.stream_list(None, 100, &mut |_| false).unwrap();
            assert_eq!(handed, 1, "{:?}", d.path());
            in_step(d);
            assert!(server.commands().iter().any(|c| c == "ABOR"), "{:?}", d.path());
        },
    );
}

#[test]
fn an_endless_line_is_a_typed_error() {
    on_both_paths(
        Limits::quick(),
        || serves_list(vec![b'x'; 1 << 20], false, "226 done\r\n"),
        |d, _| {
            match d.stream_list(None, 100, &mut |_| true) {
                Err(HostError::Protocol(m)) => assert!(m.contains("longer than"), "{m}"),
                other => panic!("{:?}: {other:?}", d.path()),
            }
            in_step(d);
        },
    );
}

#[test]
fn a_stalled_listing_times_out() {
    on_both_paths(
        Limits::quick(),
        || serves_list(lines(10), true, "226 done\r\n"),
        |d, _| {
            let mut seen = 0;
            let outcome = d.stream_list(None, 4, &mut |_| {
                seen += 1;
                true
            });
            assert!(
                matches!(outcome, Err(HostError::Timeout(_))),
                "{:?}: {outcome:?}",
                d.path()
            );
            // What arrived before the stall was handed on.
            assert_eq!(seen, 10, "{:?}", d.path());
        },
    );
}

#[test]
fn a_failed_final_reply_fails_the_listing() {
    on_both_paths(
        Limits::quick(),
        || serves_list(lines(10), false, "451 local error, listing incomplete\r\n"),
        |d, _| {
            let outcome = d.stream_list(None, 100, &mut |_| true);
            assert!(
                matches!(outcome, Err(HostError::Transient(_))),
                "{:?}: {outcome:?}",
                d.path()
            );
            in_step(d);
        },
    );
}

/// LIST is made from inside the directory and the session goes back; a
/// path CWD refuses, whose own listing is only the server's complaint, is
/// CWD's refusal.
#[test]
fn a_directory_is_listed_from_inside_and_a_missing_one_is_refused() {
    let script = || {
        |line: &str, ctx: &mut Ctx| {
            match line {
                "CWD /gone" => ctx.send("550 no such directory\r\n"),
                "LIST /gone" => ctx.transfer(b"ls: cannot access '/gone': No such file\r\n"),
                "LIST" => ctx.transfer(&lines(3)),
                _ => return ordinary(line, ctx),
            }
            Flow::Next
        }
    };
    on_both_paths(Limits::quick(), script, |d, server| {
        assert_eq!(d.stream_list(Some("/dir"), 2, &mut |_| true).unwrap(), 3);
        let commands = server.commands();
        let at = commands.iter().position(|c| c == "CWD /dir").expect("CWD /dir");
        assert_eq!(commands.last().map(String::as_str), Some("CWD /"), "{commands:?}");
        assert!(commands[at..].iter().any(|c| c == "LIST"), "{commands:?}");
        match d.stream_list(Some("/gone"), 2, &mut |_| true) {
            Err(HostError::Permanent(reply)) => assert_eq!(reply.code, 550),
            other => panic!("{:?}: {other:?}", d.path()),
        }
        in_step(d);
    });
}
