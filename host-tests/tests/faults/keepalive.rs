//! Keep-alive through a NAT box that forgets a control connection idle for
//! `IDLE`: a transfer that lasts three times that completes and verifies
//! when NOOPs keep the control connection busy, with a server that answers
//! them at once and with one that answers them only after the transfer
//! (whose replies must not be taken for the 226, nor left for the next
//! command), downloading and uploading, on both data paths. Without
//! keep-alive the same transfer loses its control connection: the box is
//! real.

use crate::common;
use crate::support::*;
use host_tests::middlebox::Middlebox;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How long the box keeps an idle connection.
const IDLE: Duration = Duration::from_secs(2);
/// A NOOP this often: a quarter of `IDLE`, which leaves a loaded machine
/// three quarters of it to be late in.
const EVERY_MS: u32 = 500;
/// The transfer: 64 pieces of 1 KiB, one every 100 ms, 6.4 s in all,
/// more than three times `IDLE`.
const PIECES: usize = 64;
const PAUSE_MS: u64 = 100;

/// Answers NOOP on the control connection as it arrives, until stopped.
struct Answering {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
    control: TcpStream,
}

impl Answering {
    fn start(control: &TcpStream) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let mut stream = control.try_clone().expect("clone the control connection");
        stream
            .set_read_timeout(Some(Duration::from_millis(20)))
            .expect("a read timeout");
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buf = [0u8; 256];
            while !flag.load(Ordering::SeqCst) {
                match stream.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => pending.extend_from_slice(&buf[..n]),
                    Err(_) => continue,
                }
                while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = pending.drain(..=end).collect();
                    if line.starts_with(b"NOOP") {
                        let _ = stream.write_all(b"200 NOOP ok\r\n");
                    }
                }
            }
        });
        Self {
            stop,
            thread,
            control: control.try_clone().expect("clone the control connection"),
        }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.thread.join();
        // The option is the socket's: the script's loop must block again.
        let _ = self.control.set_read_timeout(None);
    }
}

fn body() -> Vec<u8> {
    pattern(PIECES * 1024)
}

/// RETR trickles the body; STOR reads it as slowly. NOOPs meanwhile are
/// answered at once (`at_once`) or after the transfer (the script's loop
/// reads them then, as vsftpd does).
fn slow_server(at_once: bool) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    let body = body();
    move |line, ctx| {
        let verb = line.split(' ').next().unwrap_or_default();
        if verb != "RETR" && verb != "STOR" {
            return ordinary(line, ctx);
        }
        ctx.send("150 here it comes\r\n");
        let answering = at_once.then(|| Answering::start(ctx.control()));
        if verb == "RETR" {
            for piece in body.chunks(1024) {
                ctx.data_write(piece);
                ctx.sleep_ms(PAUSE_MS);
            }
            ctx.data_close();
        } else {
            let got = ctx.data_read_slowly(1024, PAUSE_MS);
            assert_eq!(got, body.len(), "the upload arrived whole");
        }
        if let Some(answering) = answering {
            answering.stop();
        }
        ctx.send("226 done\r\n");
        Flow::Next
    }
}

/// Runs `case` through a middlebox against `slow_server(at_once)`, on both
/// data paths, with keep-alive as given; the box, for what it saw.
fn through_a_middlebox(at_once: bool, keep_alive_ms: Option<u32>, case: impl Fn(&mut dyn Driver)) {
    for path in BOTH {
        let server = ScriptedServer::start(b"220 scripted\r\n", slow_server(at_once));
        let middlebox = Middlebox::start(server.addr(), IDLE);
        // The final reply of an upload comes once the server has drained
        // it: 6.4 s after the client's last write, so the reply deadline
        // must be longer than that (the NOOPs go on meanwhile).
        let limits = Limits {
            keep_alive_ms,
            reply_ms: 10_000,
            ..Limits::quick()
        };
        let mut driver = paths::connect(common::runtime(), path, middlebox.port(), limits)
            .unwrap_or_else(|e| panic!("{path:?}: connect and login: {e}"));
        case(&mut *driver);
        assert_eq!(
            middlebox.dropped(),
            keep_alive_ms.is_none(),
            "{path:?}: the box forgets the control connection only without keep-alive"
        );
    }
}

fn download_verifies(d: &mut dyn Driver) {
    let (got, took) = clocked(|| d.download("f", 0));
    assert_eq!(
        got.unwrap_or_else(|e| panic!("{:?}: {e}", d.path())),
        body(),
        "{:?}",
        d.path()
    );
    assert!(took > IDLE * 3, "{:?}: the transfer lasted {took:?}", d.path());
    in_step(d);
}

fn upload_verifies(d: &mut dyn Driver) {
    let (got, took) = clocked(|| d.upload("f", &body(), StoreMode::Replace));
    assert_eq!(
        got.map(|r| r.code).unwrap_or_else(|e| panic!("{:?}: {e}", d.path())),
        226
    );
    assert!(took > IDLE * 3, "{:?}: the transfer lasted {took:?}", d.path());
    in_step(d);
}

#[test]
fn a_long_download_survives_the_box_with_a_server_that_answers_noop_at_once() {
    through_a_middlebox(true, Some(EVERY_MS), download_verifies);
}

#[test]
fn a_long_download_survives_the_box_with_a_server_that_answers_noop_after_the_transfer() {
    through_a_middlebox(false, Some(EVERY_MS), download_verifies);
}

#[test]
fn a_long_upload_survives_the_box_both_ways() {
    through_a_middlebox(true, Some(EVERY_MS), upload_verifies);
    through_a_middlebox(false, Some(EVERY_MS), upload_verifies);
}

#[test]
fn without_keep_alive_the_box_drops_the_control_connection() {
    through_a_middlebox(false, None, |d| {
        let got = d.download("f", 0);
        assert!(got.is_err(), "{:?}: {got:?}", d.path());
    });
}

/// The control connection has TCP keep-alive on, whatever the options:
/// the kernel's keep-alive timer runs on its socket (`/proc/net/tcp`'s
/// timer 2), on both data paths' sessions.
#[test]
fn the_control_connection_has_tcp_keep_alive() {
    on_both_paths(
        Limits::quick(),
        || ordinary,
        |d, server| {
            in_step(d);
            let client = server.peers()[0];
            let local = format!("0100007F:{:04X}", client.port());
            let tcp = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
            let line = tcp
                .lines()
                .find(|l| l.split_whitespace().nth(1) == Some(local.as_str()))
                .unwrap_or_else(|| panic!("{:?}: no socket {local} in {tcp}", d.path()));
            let timer = line.split_whitespace().nth(5).unwrap_or_default();
            assert!(
                timer.starts_with("02:"),
                "{:?}: timer {timer} (2 is keep-alive): {line}",
                d.path()
            );
        },
    );
}
