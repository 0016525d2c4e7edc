//! What every fault case shares: short deadlines, a logged-in session on
//! a scripted server, and checks that nothing hangs and how the session ends.

#![allow(dead_code)]

pub(crate) use crate::common;
pub use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};
pub use host_tests::timing::{assert_ended_at, clocked, SETTLE, SLACK, STALL_MS};
pub use host_tests::{default_options, Client, ConnectOptions, Error, SessionHandle, StoreMode, TransferType};
pub use std::time::{Duration, Instant};

/// Short deadlines so stalls end quickly; generous enough for a loaded machine.
pub fn quick() -> ConnectOptions {
    let mut o = default_options();
    o.connect_timeout_ms = Some(1_000);
    o.reply_timeout_ms = Some(1_000);
    o.data_timeout_ms = Some(1_000);
    o
}

/// Every call in these tests must finish well within this: the longest
/// deadline a case sets (5 s), plus the scheduler's `SLACK`.
pub const HANG: Duration = Duration::from_secs(8);

pub fn client_for(server: &ScriptedServer) -> Client {
    Client::new(common::runtime(), server.grant()).unwrap()
}

/// Connects and logs in through `ordinary` answers.
pub fn logged_in(
    script: impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static,
) -> (ScriptedServer, Client, SessionHandle) {
    let server = ScriptedServer::start(b"220 scripted\r\n", script);
    let mut c = client_for(&server);
    let s = c.connect("127.0.0.1", server.port(), &quick()).unwrap();
    c.login(s, Some("u"), Some("p")).unwrap();
    (server, c, s)
}

pub fn timed<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < HANG, "took {:?}", start.elapsed());
    out
}

pub fn is_closed_after(c: &mut Client, s: SessionHandle) {
    assert!(matches!(c.noop(s).unwrap_err().ftp(), Error::Closed));
}

pub fn still_usable(c: &mut Client, s: SessionHandle) {
    assert_eq!(c.noop(s).unwrap().code, 200);
}

/// A script that answers RETR of anything with `data` and then `final_reply`.
pub fn serve_file(data: &'static [u8], final_reply: &'static str) -> impl FnMut(&str, &mut Ctx) -> Flow + Send {
    move |line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 here it comes\r\n");
            ctx.data_write(data);
            ctx.data_close();
            ctx.send(final_reply);
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    }
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub use ftp_host::Error as HostError;
pub use host_tests::paths::{self, Driver, Limits, BOTH};

/// Runs `case` once per data path (the component's chunked calls, and
/// `ftp-host`'s hand-off), each against its own server running `script()`,
/// each within `HANG`.
pub fn on_both_paths<S>(limits: Limits, script: impl Fn() -> S, case: impl Fn(&mut dyn Driver, &ScriptedServer))
where
    S: FnMut(&str, &mut Ctx) -> Flow + Send + 'static,
{
    for path in BOTH {
        let server = ScriptedServer::start(b"220 scripted\r\n", script());
        let mut driver = paths::connect(common::runtime(), path, server.port(), limits.clone())
            .unwrap_or_else(|e| panic!("{path:?}: connect and login: {e}"));
        let start = Instant::now();
        case(&mut *driver, &server);
        assert!(start.elapsed() < HANG, "{path:?}: took {:?}", start.elapsed());
    }
}

/// A script that answers RETR with `first`, then `body` from the offset
/// REST asked for (or from 0 when `honour_rest` is false), then `last`;
/// SIZE with `size` when given.
pub fn retr(
    size: Option<&'static str>,
    first: &'static str,
    body: Vec<u8>,
    honour_rest: bool,
    last: &'static str,
) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    let mut offset = 0usize;
    move |line, ctx| {
        let verb = line.split(' ').next().unwrap_or_default();
        match (verb, size) {
            ("SIZE", Some(reply)) => ctx.send(reply),
            ("REST", _) => {
                offset = line[5..].trim().parse().unwrap_or(0);
                ctx.send("350 restarting\r\n");
            }
            ("RETR", _) => {
                ctx.send(first);
                let from = if honour_rest { offset.min(body.len()) } else { 0 };
                ctx.data_write(&body[from..]);
                ctx.data_close();
                ctx.send(last);
                offset = 0;
            }
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    }
}

/// The session answers NOOP: the conversation is still in step.
pub fn in_step(d: &mut dyn Driver) {
    assert_eq!(
        d.noop().map(|r| r.code).ok(),
        Some(200),
        "{:?}: NOOP after the fault",
        d.path()
    );
}

/// The session reports closed.
pub fn closed(d: &mut dyn Driver) {
    assert!(matches!(d.noop(), Err(HostError::Closed)), "{:?}: still open", d.path());
}

/// `n` bytes of a recognisable pattern.
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// A server that answers RETR with 150 and 1 000 bytes, then holds the
/// transfer open (for the abort cases); each verb in `answers` gets its
/// reply as given (an empty one: no reply at all), the rest `ordinary`.
pub fn holding_download(answers: &'static [(&'static str, &'static str)]) -> (ScriptedServer, Client, SessionHandle) {
    logged_in(move |line, ctx| {
        let verb = line.split(' ').next().unwrap_or_default();
        if verb == "RETR" {
            ctx.send("150 go\r\n");
            ctx.data_write(&[1u8; 1000]);
        } else if let Some((_, reply)) = answers.iter().find(|(v, _)| *v == verb) {
            ctx.send(reply);
        } else {
            return ordinary(line, ctx);
        }
        Flow::Next
    })
}

/// Opens a download, reads a little of it, and aborts it (within `HANG`).
pub fn read_then_abort(c: &mut Client, s: SessionHandle) -> Result<(), host_tests::Failure> {
    let t = c.retrieve(s, "f", 0).unwrap();
    c.read(t, 10).unwrap();
    timed(|| c.abort_retrieve(t))
}

/// Takes a STOR's (or APPE's) data whole and says how much: `226 got N`.
pub fn accept_upload(ctx: &mut Ctx) -> Flow {
    ctx.send("150 send\r\n");
    let data = ctx.data_read_all();
    ctx.send(format!("226 got {}\r\n", data.len()));
    Flow::Next
}
