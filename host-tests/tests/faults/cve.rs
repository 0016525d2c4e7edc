//! One named regression test per class of CVE that FTP clients have had,
//! each against a server that attempts it. (Hostile listing names are the
//! `hostile` module's; CR/LF in arguments is also `security.rs`'s.)

use crate::support::*;
use host_tests::{Security, TlsOptions};

fn explicit_tls() -> ConnectOptions {
    let mut o = quick();
    o.tls = Some(TlsOptions {
        mode: Security::Explicit,
        ca_bundle: None,
        server_name: None,
        allow_plaintext: false,
        clear_data: false,
        version: None,
        client_identity: None,
    });
    o
}

/// CVE-2021-22947 (curl): replies sent before the TLS handshake, pipelined
/// behind the 234, must not be read as if they came over TLS.
#[test]
fn cve_2021_22947_replies_pipelined_after_auth_tls_are_refused() {
    let server = ScriptedServer::start(b"220 hi\r\n", |line, ctx| {
        if line == "AUTH TLS" {
            ctx.send("234 go ahead\r\n230 User logged in (injected)\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let mut c = client_for(&server);
    match c
        .connect("127.0.0.1", server.port(), &explicit_tls())
        .unwrap_err()
        .ftp()
    {
        Error::Protocol(m) => assert!(m.contains("AUTH TLS"), "{m}"),
        e => panic!("{e:?}"),
    }
    assert!(!server.commands().iter().any(|l| l.starts_with("USER")));
}

/// STARTTLS stripping: a server (or a man in the middle) that refuses AUTH
/// TLS gets no plain-text login unless the caller allowed it.
#[test]
fn cve_starttls_stripping_is_refused() {
    let server = ScriptedServer::start(b"220 hi\r\n", |line, ctx| {
        if line == "AUTH TLS" {
            ctx.send("502 AUTH not supported\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let mut c = client_for(&server);
    match c
        .connect("127.0.0.1", server.port(), &explicit_tls())
        .unwrap_err()
        .ftp()
    {
        Error::Tls(host_tests::TlsError::Refused(r)) => assert_eq!(r.code, 502),
        e => panic!("{e:?}"),
    }
    assert!(!server
        .commands()
        .iter()
        .any(|l| l.starts_with("USER") || l.starts_with("PASS")));
}

/// PASV pointing at another host (FTP bounce, CVE-1999-0017 class, and the
/// client-side SSRF in curl's CVE-2020-8284): the data connection goes to
/// the control connection's peer instead, on both data paths.
#[test]
fn cve_pasv_naming_a_foreign_host_is_not_followed() {
    on_both_paths(
        Limits::quick(),
        || {
            |line: &str, ctx: &mut Ctx| match line.split(' ').next().unwrap_or_default() {
                "EPSV" => {
                    ctx.send("500 no\r\n");
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
                "RETR" => {
                    ctx.send("150 go\r\n");
                    ctx.data_write(b"from the real server");
                    ctx.data_close();
                    ctx.send("226 done\r\n");
                    Flow::Next
                }
                _ => ordinary(line, ctx),
            }
        },
        |d, _| assert_eq!(d.download("f", 0).unwrap(), b"from the real server", "{:?}", d.path()),
    );
}

/// An unclosed quote in a 257 reply (wget's CVE-2024-38428 class of
/// quote-parsing bugs): no path is made up from the rest of the line.
#[test]
fn cve_unclosed_257_quote() {
    let (_server, mut c, s) = logged_in(|line, ctx| match line.split(' ').next().unwrap_or_default() {
        "PWD" => {
            ctx.send("257 \"/home/u/../../etc is the current directory\r\n");
            Flow::Next
        }
        "MKD" => {
            ctx.send("257 \"/made/../../etc\r\n");
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    assert!(matches!(c.pwd(s).unwrap_err().ftp(), Error::Protocol(_)));
    assert_eq!(c.mkd(s, "d").unwrap(), "d", "the path asked for, not the reply's");
    still_usable(&mut c, s);
}

/// CR/LF smuggled in a path (CVE-2017-1000254 class, command injection):
/// refused before anything is sent, on both data paths.
#[test]
fn cve_crlf_injection_in_a_transfer_path() {
    on_both_paths(
        Limits::quick(),
        || ordinary,
        |d, server| {
            assert!(matches!(
                d.download("f\r\nDELE precious", 0),
                Err(HostError::InvalidInput(_))
            ));
            assert!(matches!(
                d.upload("f\nDELE precious", b"x", StoreMode::Replace),
                Err(HostError::InvalidInput(_))
            ));
            assert!(!server.commands().iter().any(|l| l.contains("DELE")), "{:?}", d.path());
            in_step(d);
        },
    );
}

/// An endless reply line (unbounded read, CVE-2020-8285 class): cut at the
/// line bound, a typed error, the session closed (it is out of step).
#[test]
fn cve_unbounded_reply_line() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "NOOP" {
            let junk = vec![b'x'; 64 << 10];
            for _ in 0..64 {
                ctx.send(&junk);
            }
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    assert!(matches!(timed(|| c.noop(s)).unwrap_err().ftp(), Error::Protocol(_)));
    is_closed_after(&mut c, s);
}

/// An endless listing (unbounded memory): cut at the listing bound or the
/// instance's memory, typed, on both data paths; the session recovers.
#[test]
fn cve_unbounded_listing() {
    let limits = Limits::memory_bound(48 << 20);
    on_both_paths(
        limits,
        || {
            |line: &str, ctx: &mut Ctx| {
                if line.starts_with("NLST") {
                    ctx.send("150 here it comes\r\n");
                    let chunk = "name-that-goes-on\r\n".repeat(4096);
                    for _ in 0..(96 << 20) / chunk.len() {
                        ctx.data_write(chunk.as_bytes());
                    }
                    ctx.data_close();
                    ctx.send("226 done\r\n");
                    Flow::Next
                } else {
                    ordinary(line, ctx)
                }
            }
        },
        |d, _| {
            match d.nlst(None) {
                Err(HostError::Protocol(m)) => assert!(m.contains("listing"), "{m}"),
                other => panic!("{:?}: {:?}", d.path(), other.map(|v| v.len())),
            }
            in_step(d);
        },
    );
}
