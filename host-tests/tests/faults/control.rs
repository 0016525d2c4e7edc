//! The control connection: refused, reset, closed mid-reply, stalled, 421, malformed and endless replies.

use crate::support::*;

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
    assert_ended_at(start.elapsed(), Duration::from_secs(1), "a banner never sent");
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
    assert_ended_at(start.elapsed(), Duration::from_secs(1), "a stalled reply");
    is_closed_after(&mut c, s);
    assert!(server.wait_client_closed(SETTLE), "the control socket leaked");
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
    assert!(server.wait_client_closed(SETTLE));
}

/// A server's idle timeout: the 421 comes while the session is idle and
/// the server closes. The next call's error is that 421, its code and
/// text, and the session is closed.
#[test]
fn an_idle_timeout_421_is_the_next_calls_error() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "NOOP" {
            ctx.send("200 ok\r\n421 Timeout.\r\n");
            Flow::Close
        } else {
            ordinary(line, ctx)
        }
    });
    c.noop(s).unwrap();
    match c.pwd(s).unwrap_err().ftp() {
        Error::Transient(r) => assert_eq!((r.code, r.text.as_str()), (421, "Timeout.")),
        e => panic!("{e:?}"),
    }
    is_closed_after(&mut c, s);
}

/// A server going away mid-transfer: it drops the data connection and
/// says 421 on the control connection. The download's error is the 421
/// (the server's explanation), not the broken data connection, on both
/// data paths.
#[test]
fn a_421_with_a_broken_data_connection_is_reported_as_the_421() {
    on_both_paths(
        Limits::quick(),
        || {
            |line: &str, ctx: &mut Ctx| {
                if line.starts_with("RETR") {
                    ctx.send("150 here it comes (100000 bytes)\r\n");
                    ctx.data_write(&[7u8; 1000]);
                    ctx.data_reset();
                    ctx.send("421 Server shutting down\r\n");
                    Flow::Close
                } else {
                    ordinary(line, ctx)
                }
            }
        },
        |d, _| match d.download("f", 0) {
            Err(HostError::Transient(r)) => assert_eq!(
                (r.code, r.text.as_str()),
                (421, "Server shutting down"),
                "{:?}",
                d.path()
            ),
            other => panic!("{:?}: {other:?}", d.path()),
        },
    );
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

/// ftplib's `encoding="latin-1"`: a name that is not UTF-8 comes out of a
/// listing and goes back in a command byte for byte, on both data paths.
#[test]
fn latin1_names_round_trip_byte_for_byte() {
    let limits = Limits {
        encoding: host_tests::NameEncoding::Latin1,
        ..Limits::quick()
    };
    let script = || {
        |line: &str, ctx: &mut Ctx| {
            match line.split(' ').next().unwrap_or_default() {
                "LIST" => ctx.transfer(b"-rw-r--r-- 1 u g 2 Nov 25 10:00 caf\xe9\xff.txt\r\n"),
                "RETR" => ctx.transfer(b"ok"),
                "DELE" => ctx.send("250 deleted\r\n"),
                // Offered, but a Latin-1 session must not switch it on.
                "FEAT" => ctx.send("211-Features:\r\n UTF8\r\n211 End\r\n"),
                _ => return ordinary(line, ctx),
            }
            Flow::Next
        }
    };
    on_both_paths(limits, script, |d, server| {
        let listed = d.list(None).unwrap();
        assert_eq!(listed[0].name, "caf\u{e9}\u{ff}.txt", "{:?}", d.path());
        assert_eq!(d.download(&listed[0].name, 0).unwrap(), b"ok");
        assert_eq!(d.command(&format!("DELE {}", listed[0].name)).unwrap().code, 250);
        let sent = server.received();
        for line in [&b"RETR caf\xe9\xff.txt\r\n"[..], b"DELE caf\xe9\xff.txt\r\n"] {
            assert!(
                sent.windows(line.len()).any(|w| w == line),
                "{:?}: {line:?} not sent",
                d.path()
            );
        }
        assert!(!sent.windows(4).any(|w| w == b"OPTS"), "{:?}: OPTS UTF8 sent", d.path());
        let err = d.command("DELE \u{20ac}").unwrap_err();
        assert!(matches!(err, HostError::InvalidInput(_)), "{:?}: {err:?}", d.path());
        in_step(d);
    });
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

/// A session dropped while idle says QUIT first (ftplib's `with` block), on
/// the raw resource and through `ftp-host`; one whose server never answers
/// the QUIT is gone within the short goodbye deadline.
#[test]
fn a_dropped_session_says_quit() {
    let (server, mut c, s) = logged_in(ordinary);
    c.drop_resource(s).unwrap();
    assert_eq!(server.conversation().last().map(String::as_str), Some("QUIT"));

    // Through ftp-host, whose Session drops the resource.
    let server = ScriptedServer::start(b"220 scripted\r\n", ordinary);
    let driver = paths::connect(
        common::runtime(),
        paths::DataPath::HandOff,
        server.port(),
        Limits::quick(),
    )
    .unwrap();
    drop(driver);
    assert_eq!(server.conversation().last().map(String::as_str), Some("QUIT"));

    let silent = |line: &str, ctx: &mut Ctx| {
        if line == "QUIT" {
            ctx.sleep_ms(STALL_MS);
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    };
    let (_server, mut c, s) = logged_in(silent);
    // The goodbye deadline is the session's 1 s reply deadline here.
    let ((), took) = clocked(|| c.drop_resource(s).unwrap());
    assert_ended_at(took, Duration::from_secs(1), "a QUIT nobody answers");
}

/// The trace (ftplib's `set_debuglevel`) records what was sent and heard,
/// with the password and account masked, and nothing once turned off.
#[test]
fn the_trace_masks_secrets() {
    let server = ScriptedServer::start(b"220 scripted\r\n", ordinary);
    let mut c = client_for(&server);
    let s = c.connect("127.0.0.1", server.port(), &quick()).unwrap();
    c.set_trace(s, true).unwrap();
    c.login(s, Some("u"), Some("sesame")).unwrap();
    c.noop(s).unwrap();
    let trace = c.take_trace(s).unwrap();
    assert_eq!(
        trace,
        [
            "> USER u",
            "< 331 password please",
            "> PASS ****",
            "< 230 logged in",
            // The login asks what the server offers.
            "> FEAT",
            "< 211-Features:",
            "<  SIZE",
            "< 211 End",
            "> NOOP",
            "< 200 ok"
        ]
    );
    assert!(c.take_trace(s).unwrap().is_empty(), "taken once");
    c.set_trace(s, false).unwrap();
    c.noop(s).unwrap();
    assert!(c.take_trace(s).unwrap().is_empty());
}

/// ftplib's `with` block, second half: an error reply to the QUIT of a
/// session closed on purpose is reported (`quit` fails with it), and the
/// session is closed all the same. A dropped session cannot report it,
/// as its drop has no caller to tell (see `a_dropped_session_says_quit`).
#[test]
fn an_error_reply_to_quit_is_reported_and_the_session_still_closes() {
    let (server, mut c, s) = logged_in(|line: &str, ctx: &mut Ctx| {
        if line == "QUIT" {
            ctx.send("550 error on quit\r\n");
            Flow::Close
        } else {
            ordinary(line, ctx)
        }
    });
    match c.quit(s).unwrap_err().ftp() {
        Error::Permanent(r) => assert_eq!((r.code, r.text.as_str()), (550, "error on quit")),
        e => panic!("{e:?}"),
    }
    is_closed_after(&mut c, s);
    assert!(server.wait_client_closed(SETTLE));
}
