//! Fault injection: a scripted server does what real servers will not do on
//! demand. Every case asserts the exact typed error (or the correct result),
//! that nothing hangs past its deadline, that the host never traps (`.ftp()`
//! panics on a trap), and whether the session survives or reports closed.

mod common;

use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};
use host_tests::{default_options, Client, ConnectOptions, Error, SessionHandle, StoreMode};
use std::time::{Duration, Instant};

/// Short deadlines so stalls end quickly; generous enough for a loaded machine.
fn quick() -> ConnectOptions {
    let mut o = default_options();
    o.connect_timeout_ms = Some(1_000);
    o.reply_timeout_ms = Some(1_000);
    o.data_timeout_ms = Some(1_000);
    o
}

/// Every call in these tests must finish well within this.
const HANG: Duration = Duration::from_secs(8);

fn client_for(server: &ScriptedServer) -> Client {
    Client::new(common::runtime(), server.grant()).unwrap()
}

/// Connects and logs in through `ordinary` answers.
fn logged_in(script: impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static) -> (ScriptedServer, Client, SessionHandle) {
    let server = ScriptedServer::start(b"220 scripted\r\n", script);
    let mut c = client_for(&server);
    let s = c.connect("127.0.0.1", server.port(), &quick()).unwrap();
    c.login(s, Some("u"), Some("p")).unwrap();
    (server, c, s)
}

fn timed<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < HANG, "took {:?}", start.elapsed());
    out
}

fn is_closed_after(c: &mut Client, s: SessionHandle) {
    assert!(matches!(c.noop(s).unwrap_err().ftp(), Error::Closed));
}

fn still_usable(c: &mut Client, s: SessionHandle) {
    assert_eq!(c.noop(s).unwrap().code, 200);
}

/// A script that answers RETR of anything with `data` and then `final_reply`.
fn serve_file(data: &'static [u8], final_reply: &'static str) -> impl FnMut(&str, &mut Ctx) -> Flow + Send {
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

// ---- control connection ----

#[test]
fn connection_refused() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let grant = host_tests::NetworkPolicy::default().allow("127.0.0.1".parse().unwrap(), port..=port);
    let mut c = Client::new(common::runtime(), grant).unwrap();
    match timed(|| c.connect("127.0.0.1", port, &quick())).unwrap_err().ftp() {
        Error::Io(m) => assert!(m.contains("connection-refused"), "{m}"),
        e => panic!("{e:?}"),
    }
}

#[test]
fn reset_after_banner() {
    let server = ScriptedServer::start(b"220 hi\r\n", |_, _| Flow::Reset);
    let mut c = client_for(&server);
    let s = c.connect("127.0.0.1", server.port(), &quick()).unwrap();
    let e = timed(|| c.noop(s)).unwrap_err().ftp();
    assert!(matches!(e, Error::Io(_) | Error::Closed), "{e:?}");
    is_closed_after(&mut c, s);
}

#[test]
fn closed_mid_reply() {
    let server = ScriptedServer::start(b"220 hi\r\n", |_, ctx| {
        ctx.send("230-first line of a reply that never ends\r\n230-more");
        Flow::Close
    });
    let mut c = client_for(&server);
    let s = c.connect("127.0.0.1", server.port(), &quick()).unwrap();
    assert!(matches!(timed(|| c.noop(s)).unwrap_err().ftp(), Error::Closed));
    is_closed_after(&mut c, s);
}

#[test]
fn banner_never_sent_hits_the_connect_deadline() {
    let server = ScriptedServer::start_with(None, |_, _| Flow::Next);
    let mut c = client_for(&server);
    let start = Instant::now();
    match c.connect("127.0.0.1", server.port(), &quick()).unwrap_err().ftp() {
        Error::Timeout(what) => assert_eq!(what, "connect"),
        e => panic!("{e:?}"),
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

#[test]
fn stalled_reply_hits_the_reply_deadline_and_closes() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line == "NOOP" {
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let start = Instant::now();
    match c.noop(s).unwrap_err().ftp() {
        Error::Timeout(what) => assert_eq!(what, "reply"),
        e => panic!("{e:?}"),
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(4),
        "{took:?}"
    );
    is_closed_after(&mut c, s);
    assert!(
        server.wait_client_closed(Duration::from_secs(5)),
        "the control socket leaked"
    );
}

#[test]
fn service_not_available_421_at_banner() {
    let server = ScriptedServer::start(b"421 too many users\r\n", |_, _| Flow::Close);
    let mut c = client_for(&server);
    match c.connect("127.0.0.1", server.port(), &quick()).unwrap_err().ftp() {
        Error::Transient(r) => assert_eq!(r.code, 421),
        e => panic!("{e:?}"),
    }
}

#[test]
fn service_closing_421_after_a_command() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line == "PWD" {
            ctx.send("421 shutting down\r\n");
            Flow::Close
        } else {
            ordinary(line, ctx)
        }
    });
    match c.pwd(s).unwrap_err().ftp() {
        Error::Transient(r) => assert_eq!((r.code, r.text.as_str()), (421, "shutting down")),
        e => panic!("{e:?}"),
    }
    is_closed_after(&mut c, s);
    assert!(server.wait_client_closed(Duration::from_secs(5)));
}

#[test]
fn service_closing_421_instead_of_the_transfer_reply() {
    let (_server, mut c, s) = logged_in(serve_file(b"abc", "421 timeout\r\n"));
    match c.get(s, "f", 0, 16).unwrap_err().ftp() {
        Error::Transient(r) => assert_eq!(r.code, 421),
        e => panic!("{e:?}"),
    }
    is_closed_after(&mut c, s);
}

#[test]
fn reply_line_over_the_maximum_length() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "PWD" {
            ctx.send(format!("257 \"/{}\"\r\n", "a".repeat(20_000)));
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match timed(|| c.pwd(s)).unwrap_err().ftp() {
        Error::Protocol(m) => assert!(m.contains("longer than 8192"), "{m}"),
        e => panic!("{e:?}"),
    }
    is_closed_after(&mut c, s);
}

#[test]
fn longer_lines_pass_with_a_larger_bound() {
    let server = ScriptedServer::start(b"220 hi\r\n", |line, ctx| {
        if line == "PWD" {
            ctx.send(format!("257 \"/{}\"\r\n", "a".repeat(20_000)));
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let mut c = client_for(&server);
    let mut o = quick();
    o.max_line_length = Some(32_768);
    let s = c.connect("127.0.0.1", server.port(), &o).unwrap();
    assert_eq!(c.pwd(s).unwrap().len(), 20_001);
}

#[test]
fn endless_multi_line_reply() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "HELP" {
            ctx.send("214-help follows\r\n");
            for _ in 0..100_000 {
                ctx.send(" more help, forever and ever and ever and ever\r\n");
            }
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match timed(|| c.help(s, None)).unwrap_err().ftp() {
        Error::Protocol(m) => assert!(m.contains("endless"), "{m}"),
        e => panic!("{e:?}"),
    }
    is_closed_after(&mut c, s);
}

#[test]
fn multi_line_reply_with_other_codes_inside() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "STAT" {
            ctx.send("211-status:\r\n200 not the end\r\n211-nor this\r\n226 nor this\r\n211 End\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let r = c.status(s, None).unwrap();
    assert_eq!(r.code, 211);
    assert_eq!(r.text, "status:\n200 not the end\n211-nor this\n226 nor this\nEnd");
    still_usable(&mut c, s);
}

#[test]
fn codes_outside_100_to_599() {
    for code in ["099", "600", "999", "000"] {
        let (_server, mut c, s) = logged_in(move |line, ctx| {
            if line == "SYST" {
                ctx.send(format!("{code} odd\r\n"));
                Flow::Next
            } else {
                ordinary(line, ctx)
            }
        });
        match c.system(s).unwrap_err().ftp() {
            Error::Protocol(m) => assert!(m.contains("outside 100-599"), "{code}: {m}"),
            e => panic!("{code}: {e:?}"),
        }
        is_closed_after(&mut c, s);
    }
}

#[test]
fn malformed_reply_lines() {
    for bad in ["hello\r\n", "20 short\r\n", "2x0 letters\r\n", "200x no separator\r\n"] {
        let (_server, mut c, s) = logged_in(move |line, ctx| {
            if line == "NOOP" {
                ctx.send(bad);
                Flow::Next
            } else {
                ordinary(line, ctx)
            }
        });
        assert!(matches!(c.noop(s).unwrap_err().ftp(), Error::Protocol(_)), "{bad:?}");
        is_closed_after(&mut c, s);
    }
}

#[test]
fn non_utf8_bytes_are_replaced() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "PWD" {
            ctx.send(b"257 \"/caf\xe9\xff\" is current\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    assert_eq!(c.pwd(s).unwrap(), "/caf\u{fffd}\u{fffd}");
    still_usable(&mut c, s);
}

#[test]
fn bare_lf_line_endings() {
    let server = ScriptedServer::start(b"220-multi\n220 line banner\n", |line, ctx| {
        match line {
            "USER u" => ctx.send("331 pw\n"),
            "PASS p" => ctx.send("230 in\n"),
            "FEAT" => ctx.send("211-f\n UTF8\n211 e\n"),
            "NOOP" => ctx.send("200 ok\n"),
            _ => ctx.send("200 fine\n"),
        }
        Flow::Next
    });
    let mut c = client_for(&server);
    let s = c.connect("127.0.0.1", server.port(), &quick()).unwrap();
    assert_eq!(c.welcome(s).unwrap().text, "multi\nline banner");
    c.login(s, Some("u"), Some("p")).unwrap();
    still_usable(&mut c, s);
    assert!(server.commands().contains(&"OPTS UTF8 ON".to_string()));
}

#[test]
fn preliminary_replies_are_skipped_for_plain_commands() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "NOOP" {
            ctx.send("100 hold on\r\n110-restart marker\r\n110 done\r\n200 ok\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    still_usable(&mut c, s);
    still_usable(&mut c, s);
}

#[test]
fn banner_120_then_220() {
    let server = ScriptedServer::start(b"120 ready in 1 minute\r\n220 ready now\r\n", ordinary);
    let mut c = client_for(&server);
    let s = c.connect("127.0.0.1", server.port(), &quick()).unwrap();
    assert_eq!(c.welcome(s).unwrap().code, 220);
}

#[test]
fn banner_5xx_is_permanent() {
    let server = ScriptedServer::start(b"530 not welcome\r\n", |_, _| Flow::Close);
    let mut c = client_for(&server);
    match c.connect("127.0.0.1", server.port(), &quick()).unwrap_err().ftp() {
        Error::Permanent(r) => assert_eq!(r.code, 530),
        e => panic!("{e:?}"),
    }
}

// ---- passive mode ----

fn passive_reply(epsv: &'static str, pasv: &'static str) -> impl FnMut(&str, &mut Ctx) -> Flow + Send {
    move |line, ctx| match line {
        "EPSV" => {
            ctx.send(epsv);
            Flow::Next
        }
        "PASV" => {
            ctx.send(pasv);
            Flow::Next
        }
        _ => ordinary(line, ctx),
    }
}

#[test]
fn malformed_227() {
    let (_server, mut c, s) = logged_in(passive_reply("500 no EPSV\r\n", "227 no numbers here\r\n"));
    match c.nlst(s, None).unwrap_err().ftp() {
        Error::Protocol(m) => assert!(m.contains("PASV"), "{m}"),
        e => panic!("{e:?}"),
    }
    still_usable(&mut c, s);
}

#[test]
fn out_of_range_pasv_octets() {
    let (_server, mut c, s) = logged_in(passive_reply("502 no\r\n", "227 Entering (127,0,0,1,300,1)\r\n"));
    assert!(matches!(c.nlst(s, None).unwrap_err().ftp(), Error::Protocol(_)));
    still_usable(&mut c, s);
}

#[test]
fn malformed_229() {
    for bad in [
        "229 (|||abc|)\r\n",
        "229 (|||0|)\r\n",
        "229 (|||65536|)\r\n",
        "229 no parens\r\n",
    ] {
        let (_server, mut c, s) = logged_in(passive_reply(bad, "227 unused\r\n"));
        assert!(
            matches!(c.nlst(s, None).unwrap_err().ftp(), Error::Protocol(_)),
            "{bad:?}"
        );
        still_usable(&mut c, s);
    }
}

#[test]
fn epsv_refused_falls_back_to_pasv_and_remembers() {
    let (server, mut c, s) = logged_in(|line, ctx| match line {
        "EPSV" => {
            ctx.send("500 EPSV not understood\r\n");
            Flow::Next
        }
        "NLST" => {
            ctx.send("150 listing\r\n");
            ctx.data_write(b"a\r\nb\r\n");
            ctx.data_close();
            ctx.send("226 done\r\n");
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    assert_eq!(c.nlst(s, None).unwrap(), ["a", "b"]);
    assert_eq!(c.nlst(s, None).unwrap(), ["a", "b"]);
    let epsv = server.commands().iter().filter(|l| *l == "EPSV").count();
    let pasv = server.commands().iter().filter(|l| *l == "PASV").count();
    assert_eq!((epsv, pasv), (1, 2));
}

#[test]
fn epsv_transient_error_does_not_fall_back() {
    let (server, mut c, s) = logged_in(passive_reply("425 try later\r\n", "227 unused\r\n"));
    match c.nlst(s, None).unwrap_err().ftp() {
        Error::Transient(r) => assert_eq!(r.code, 425),
        e => panic!("{e:?}"),
    }
    assert!(!server.commands().contains(&"PASV".to_string()));
    still_usable(&mut c, s);
}

/// A PASV reply naming 10.9.8.7: ignored by default (the data connection goes
/// to the control peer, 127.0.0.1).
#[test]
fn pasv_naming_another_host_is_ignored_by_default() {
    let (_server, mut c, s) = logged_in(|line, ctx| match line {
        "EPSV" => {
            ctx.send("502 no\r\n");
            Flow::Next
        }
        "PASV" => {
            let port = ctx.passive();
            ctx.send(format!(
                "227 Entering Passive Mode (10,9,8,7,{},{})\r\n",
                port >> 8,
                port & 0xff
            ));
            Flow::Next
        }
        "NLST" => {
            ctx.send("150 listing\r\n");
            ctx.data_write(b"only-entry\r\n");
            ctx.data_close();
            ctx.send("226 done\r\n");
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    assert_eq!(c.nlst(s, None).unwrap(), ["only-entry"]);
}

#[test]
fn trusted_pasv_host_is_still_subject_to_the_grant() {
    let server = ScriptedServer::start(b"220 hi\r\n", |line, ctx| match line {
        "EPSV" => {
            ctx.send("502 no\r\n");
            Flow::Next
        }
        "PASV" => {
            let port = ctx.passive();
            ctx.send(format!(
                "227 Entering Passive Mode (127,0,0,2,{},{})\r\n",
                port >> 8,
                port & 0xff
            ));
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    let mut c = client_for(&server);
    let mut o = quick();
    o.trust_pasv_host = true;
    let s = c.connect("127.0.0.1", server.port(), &o).unwrap();
    c.login(s, Some("u"), Some("p")).unwrap();
    assert!(matches!(c.nlst(s, None).unwrap_err().ftp(), Error::AccessDenied(_)));
    still_usable(&mut c, s);
}

#[test]
fn data_port_not_accepting() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_server, mut c, s) = logged_in(move |line, ctx| {
        if line == "EPSV" {
            ctx.send(format!("229 Entering Extended Passive Mode (|||{closed_port}|)\r\n"));
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match timed(|| c.retrieve(s, "f", 0)).unwrap_err().ftp() {
        Error::Io(m) => assert!(m.contains("connection-refused"), "{m}"),
        e => panic!("{e:?}"),
    }
    still_usable(&mut c, s);
}

// ---- transfers ----

#[test]
fn data_reset_mid_retrieve() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(&[7u8; 100_000]);
            ctx.sleep_ms(100);
            ctx.data_reset();
            ctx.send("426 connection reset\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    let mut got = 0;
    let err = loop {
        match timed(|| c.read(t, 65536)) {
            Ok(Some(b)) => got += b.len(),
            Ok(None) => panic!("a reset connection must not look like a clean end"),
            Err(e) => break e.ftp(),
        }
    };
    assert!(matches!(err, Error::Io(_)), "{err:?} after {got} bytes");
    still_usable(&mut c, s);
}

#[test]
fn data_reset_mid_store() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 send it\r\n");
            ctx.data_read_some_then_reset(10_000);
            ctx.send("426 aborted\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.store(s, "f", StoreMode::Replace).unwrap();
    let chunk = vec![1u8; 1 << 20];
    let err = (0..64)
        .find_map(|_| timed(|| c.write(t, &chunk)).err())
        .expect("writes into a reset connection fail");
    assert!(matches!(err.ftp(), Error::Io(_)));
    still_usable(&mut c, s);
}

/// A server that sends bytes the client never reads (as TLS servers send
/// session tickets) and reads the upload slowly: closing the data
/// connection before the final reply would reset it, and the kernel would
/// drop what the server had not yet received.
#[test]
fn upload_is_whole_when_the_server_sent_unread_bytes() {
    const SIZE: usize = 16 << 20;
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 send it\r\n");
            ctx.data_write(b"unsolicited");
            let got = ctx.data_read_slowly(256 << 10, 20);
            let code = if got == SIZE { 226 } else { 426 };
            ctx.send(format!("{code} received {got} bytes\r\n"));
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let reply = timed(|| c.put(s, "f", StoreMode::Replace, &vec![3u8; SIZE], 1 << 20)).unwrap();
    assert_eq!((reply.code, reply.text.as_str()), (226, "received 16777216 bytes"));
    still_usable(&mut c, s);
}

#[test]
fn final_reply_before_the_data_ends() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n226 already done\r\n");
            ctx.sleep_ms(100);
            ctx.data_write(&[9u8; 300_000]);
            ctx.data_close();
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let data = c.get(s, "f", 0, 65536).unwrap();
    assert_eq!(data, vec![9u8; 300_000]);
    still_usable(&mut c, s);
}

#[test]
fn data_ending_without_a_final_reply() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(b"partial");
            ctx.data_close();
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match timed(|| c.get(s, "f", 0, 1024)).unwrap_err().ftp() {
        Error::Timeout(what) => assert_eq!(what, "reply"),
        e => panic!("{e:?}"),
    }
    is_closed_after(&mut c, s);
    assert!(server.wait_client_closed(Duration::from_secs(5)));
}

#[test]
fn error_replies_after_a_transfer() {
    for (reply, code, permanent) in [
        ("426 connection closed; transfer aborted\r\n", 426, false),
        ("451 local error\r\n", 451, false),
        // libunftp's way of saying the file is missing: 150, then 550.
        ("550 no such file\r\n", 550, true),
    ] {
        let (_server, mut c, s) = logged_in(serve_file(b"data", reply));
        match (c.get(s, "f", 0, 1024).unwrap_err().ftp(), permanent) {
            (Error::Transient(r), false) | (Error::Permanent(r), true) => assert_eq!(r.code, code),
            (e, _) => panic!("{reply:?}: {e:?}"),
        }
        still_usable(&mut c, s);
    }
}

#[test]
fn stalled_data_connection_hits_the_data_deadline() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(b"a little");
            Flow::Next
        } else if line == "ABOR" {
            ctx.send("426 aborted\r\n226 abort done\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    assert_eq!(c.read(t, 100).unwrap().unwrap(), b"a little");
    let start = Instant::now();
    match c.read(t, 100).unwrap_err().ftp() {
        Error::Timeout(what) => assert_eq!(what, "data"),
        e => panic!("{e:?}"),
    }
    // 1 s data deadline, then up to 1 s waiting for a transfer reply before ABOR.
    assert!(start.elapsed() >= Duration::from_millis(950) && start.elapsed() < Duration::from_secs(5));
    still_usable(&mut c, s);
}

#[test]
fn abor_answered_with_426_then_226() {
    let (_server, mut c, s) = logged_in(|line, ctx| match line {
        l if l.starts_with("RETR") => {
            ctx.send("150 go\r\n");
            ctx.data_write(&[1u8; 1000]);
            Flow::Next
        }
        "ABOR" => {
            ctx.send("426 transfer aborted\r\n226 abort successful\r\n");
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    c.read(t, 10).unwrap();
    timed(|| c.abort_retrieve(t)).unwrap();
    still_usable(&mut c, s);
    assert_eq!(c.pwd(s).unwrap_err().ftp().to_string_lossy(), "502");
}

trait Code {
    fn to_string_lossy(&self) -> String;
}

impl Code for Error {
    fn to_string_lossy(&self) -> String {
        match self {
            Error::Permanent(r) | Error::Transient(r) | Error::Unexpected(r) => r.code.to_string(),
            e => format!("{e:?}"),
        }
    }
}

#[test]
fn abor_answered_with_225_alone() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(&[1u8; 1000]);
            Flow::Next
        } else {
            // ordinary answers ABOR with a lone 225.
            ordinary(line, ctx)
        }
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    c.read(t, 10).unwrap();
    timed(|| c.abort_retrieve(t)).unwrap();
    still_usable(&mut c, s);
}

#[test]
fn transfer_reply_arriving_late_after_abor() {
    // libunftp's order: ABOR's 226, NOOP's 200, then the transfer's 426.
    let (_server, mut c, s) = logged_in(|line, ctx| match line {
        l if l.starts_with("RETR") => {
            ctx.send("150 go\r\n");
            ctx.data_write(&[1u8; 1000]);
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    c.read(t, 10).unwrap();
    timed(|| c.abort_retrieve(t)).unwrap();
    still_usable(&mut c, s);
}

#[test]
fn retr_refused_outright() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("550 no access\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    assert!(matches!(c.retrieve(s, "f", 0).unwrap_err().ftp(), Error::Permanent(_)));
    still_usable(&mut c, s);
}

#[test]
fn rest_refused() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("REST") {
            ctx.send("502 no restarts\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match c.retrieve(s, "f", 100).unwrap_err().ftp() {
        Error::Permanent(r) => assert_eq!(r.code, 502),
        e => panic!("{e:?}"),
    }
    assert!(!server.commands().iter().any(|l| l.starts_with("RETR")));
    still_usable(&mut c, s);
}

#[test]
fn completion_reply_instead_of_150_is_unexpected() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("250 what transfer?\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match c.store(s, "f", StoreMode::Replace).unwrap_err().ftp() {
        Error::Unexpected(r) => assert_eq!(r.code, 250),
        e => panic!("{e:?}"),
    }
    still_usable(&mut c, s);
}

#[test]
fn upload_reaches_the_server_intact() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 send\r\n");
            let data = ctx.data_read_all();
            ctx.send(format!("226 got {}\r\n", data.len()));
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let reply = c.put(s, "f", StoreMode::Replace, &vec![5u8; 777_777], 100_000).unwrap();
    assert_eq!(reply.text, "got 777777");
    assert!(server.commands().contains(&"TYPE I".to_string()));
}

// ---- misuse ----

#[test]
fn calls_after_quit_are_closed() {
    let (server, mut c, s) = logged_in(ordinary);
    c.quit(s).unwrap();
    for e in [
        c.noop(s).unwrap_err().ftp(),
        c.pwd(s).unwrap_err().ftp(),
        c.retrieve(s, "f", 0).unwrap_err().ftp(),
        c.quit(s).unwrap_err().ftp(),
    ] {
        assert!(matches!(e, Error::Closed), "{e:?}");
    }
    assert!(server.wait_client_closed(Duration::from_secs(5)));
}

#[test]
fn second_transfer_while_one_is_open() {
    let (_server, mut c, s) = logged_in(serve_file(b"0123456789", "226 ok\r\n"));
    let t = c.retrieve(s, "f", 0).unwrap();
    assert!(matches!(
        c.retrieve(s, "g", 0).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert!(matches!(c.list(s, None).unwrap_err().ftp(), Error::InvalidInput(_)));
    assert_eq!(c.read(t, 100).unwrap().unwrap(), b"0123456789");
    c.finish_retrieve(t).unwrap();
    still_usable(&mut c, s);
}

#[test]
fn dropping_an_unfinished_retrieve() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(&[1u8; 5000]);
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    c.read(t, 10).unwrap();
    timed(|| c.drop_resource(t)).unwrap();
    still_usable(&mut c, s);
    assert!(server.commands().contains(&"ABOR".to_string()));
}

#[test]
fn dropping_an_unfinished_store() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 send\r\n");
            let data = ctx.data_read_all();
            ctx.send(format!("226 got {}\r\n", data.len()));
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.store(s, "f", StoreMode::Replace).unwrap();
    c.write(t, b"partial").unwrap();
    timed(|| c.drop_resource(t)).unwrap();
    still_usable(&mut c, s);
    assert!(server.commands().contains(&"ABOR".to_string()));
}

#[test]
fn finished_transfers_refuse_further_use() {
    let (_server, mut c, s) = logged_in(serve_file(b"x", "226 ok\r\n"));
    let t = c.retrieve(s, "f", 0).unwrap();
    c.finish_retrieve(t).unwrap();
    assert!(matches!(c.read(t, 1).unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(
        c.finish_retrieve(t).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert!(matches!(c.abort_retrieve(t).unwrap_err().ftp(), Error::InvalidInput(_)));
    still_usable(&mut c, s);
}

#[test]
fn aborted_store_refuses_writes() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 send\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.store(s, "f", StoreMode::Replace).unwrap();
    c.abort_store(t).unwrap();
    assert!(matches!(c.write(t, b"x").unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(c.abort_store(t).unwrap_err().ftp(), Error::InvalidInput(_)));
    still_usable(&mut c, s);
}
