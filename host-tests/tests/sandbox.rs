//! The sandbox holds: a hostile server cannot make the guest allocate past the
//! host's memory limit (the guest fails typed instead of trapping), and many
//! sessions run side by side, each in its own instance, without losing a byte.

mod common;

use host_tests::scripted::{ordinary, Flow, ScriptedServer};
use host_tests::ServerGrant;
use host_tests::{default_options, Client, Error, StoreMode, TestServer};
use std::io::Write;
use std::time::Instant;

const LIMIT: usize = 24 << 20;

/// A server whose listing never ends (it stops after 1 GiB or when the client goes).
fn endless_listing_server() -> ScriptedServer {
    ScriptedServer::start(b"220 hostile\r\n", |line, ctx| {
        if line.starts_with("NLST") || line.starts_with("LIST") {
            ctx.send("150 here is everything\r\n");
            let chunk = "an-entry-name-that-goes-on\r\n".repeat(2048);
            if let Some(data) = ctx.data() {
                for _ in 0..(1usize << 30) / chunk.len() {
                    if data.write_all(chunk.as_bytes()).is_err() {
                        break;
                    }
                }
            }
            ctx.data_close();
            ctx.send("226 there is more where that came from\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    })
}

#[test]
fn endless_listing_under_a_memory_limit_is_a_typed_error() {
    let server = endless_listing_server();
    let mut c = Client::with_memory_limit(common::runtime(), server.grant(), LIMIT).unwrap();
    let s = c.connect("127.0.0.1", server.port(), &default_options()).unwrap();
    c.login(s, Some("u"), Some("p")).unwrap();
    match c.nlst(s, None).unwrap_err().ftp() {
        Error::Protocol(m) => assert!(m.contains("memory"), "{m}"),
        e => panic!("expected a protocol error, got {e:?}"),
    }
    // The instance survived and the session is back in step.
    assert_eq!(c.noop(s).unwrap().code, 200);
}

#[test]
fn endless_reply_line_under_a_memory_limit_is_a_typed_error() {
    let server = ScriptedServer::start(b"220 hostile\r\n", |line, ctx| {
        if line == "SYST" {
            let junk = "x".repeat(1 << 20);
            for _ in 0..256 {
                ctx.send(&junk);
            }
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let mut c = Client::with_memory_limit(common::runtime(), server.grant(), LIMIT).unwrap();
    let s = c.connect("127.0.0.1", server.port(), &default_options()).unwrap();
    c.login(s, Some("u"), Some("p")).unwrap();
    assert!(matches!(c.system(s).unwrap_err().ftp(), Error::Protocol(_)));
    assert!(matches!(c.noop(s).unwrap_err().ftp(), Error::Closed));
}

#[test]
fn many_sessions_in_parallel_lose_nothing() {
    const SESSIONS: usize = 32;
    const SIZE: usize = 2 << 20;
    let server = TestServer::start().unwrap();
    let started = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..SESSIONS)
            .map(|i| {
                let server = &server;
                scope.spawn(move || {
                    let mut c = Client::new(common::runtime(), server.grant()).unwrap();
                    let s = c
                        .connect("127.0.0.1", server.addr().port(), &default_options())
                        .unwrap();
                    c.login(s, Some(ftp_test_server::USER), Some(ftp_test_server::PASSWORD))
                        .unwrap();
                    let data = common::random_bytes(SIZE, i as u64);
                    let name = format!("load-{i}.bin");
                    c.put(s, &name, StoreMode::Replace, &data, 256 << 10).unwrap();
                    let back = c.get(s, &name, 0, 256 << 10).unwrap();
                    assert_eq!(common::sha256(&back), common::sha256(&data), "session {i}");
                    let disk = std::fs::read(server.root().join(&name)).unwrap();
                    assert_eq!(common::sha256(&disk), common::sha256(&data), "session {i} on disk");
                    c.quit(s).unwrap();
                })
            })
            .collect();
        for h in handles {
            h.join().expect("a session thread failed");
        }
    });
    let took = started.elapsed();
    let moved = (SESSIONS * SIZE * 2) as f64 / f64::from(1 << 20);
    println!(
        "load: {SESSIONS} sessions, {moved:.0} MiB moved and verified in {:.2} s ({:.0} MiB/s aggregate)",
        took.as_secs_f64(),
        moved / took.as_secs_f64()
    );
}
