//! Passive mode: EPSV and PASV replies that are malformed, refused, or point where they must not.

use crate::support::*;

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

/// curl's rule: any 4xx or 5xx to EPSV (not only "not implemented")
/// falls back to PASV.
#[test]
fn epsv_refused_with_any_error_code_falls_back_to_pasv() {
    for refusal in ["425 try later\r\n", "550 no\r\n", "522 use (1)\r\n"] {
        let (server, mut c, s) = logged_in(move |line, ctx| match line {
            "EPSV" => {
                ctx.send(refusal);
                Flow::Next
            }
            "NLST" => {
                ctx.send("150 listing\r\n");
                ctx.data_write(b"a\r\n");
                ctx.data_close();
                ctx.send("226 done\r\n");
                Flow::Next
            }
            _ => ordinary(line, ctx),
        });
        assert_eq!(c.nlst(s, None).unwrap(), ["a"], "{refusal:?}");
        assert!(server.commands().contains(&"PASV".to_string()), "{refusal:?}");
        still_usable(&mut c, s);
    }
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

/// As curl does: a port EPSV named that refuses the connection is tried
/// again through PASV, which the session then keeps using.
#[test]
fn unreachable_epsv_port_falls_back_to_pasv() {
    let closed_port = closed_port();
    let (server, mut c, s) = logged_in(move |line, ctx| match line {
        "EPSV" => {
            ctx.send(format!("229 Entering Extended Passive Mode (|||{closed_port}|)\r\n"));
            Flow::Next
        }
        "NLST" => {
            ctx.send("150 listing\r\n");
            ctx.data_write(b"a\r\n");
            ctx.data_close();
            ctx.send("226 done\r\n");
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    assert_eq!(timed(|| c.nlst(s, None)).unwrap(), ["a"]);
    assert_eq!(c.nlst(s, None).unwrap(), ["a"]);
    let epsv = server.commands().iter().filter(|l| *l == "EPSV").count();
    assert_eq!(epsv, 1, "EPSV is not tried again");
}

#[test]
fn data_port_not_accepting() {
    let closed_port = closed_port();
    let (_server, mut c, s) = logged_in(move |line, ctx| {
        if line == "EPSV" {
            ctx.send(format!("229 Entering Extended Passive Mode (|||{closed_port}|)\r\n"));
            Flow::Next
        } else if line == "PASV" {
            let (hi, lo) = (closed_port >> 8, closed_port & 0xff);
            ctx.send(format!("227 Entering Passive Mode (127,0,0,1,{hi},{lo})\r\n"));
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

/// A local address not in use on 127.0.0.2 (any 127/8 address is loopback).
fn free_source() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.2:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// ftplib's `source_address`: the control connection leaves from the chosen
/// address and port, every data connection from its IP, on both data paths.
#[test]
fn a_source_address_binds_control_and_data() {
    for path in BOTH {
        let source = free_source();
        let limits = Limits {
            source: Some(source),
            ..Limits::quick()
        };
        let server = ScriptedServer::start(b"220 scripted\r\n", serve_file(b"data", "226 done\r\n"));
        let mut d = paths::connect(common::runtime(), path, server.port(), limits).unwrap();
        assert_eq!(d.download("f", 0).unwrap(), b"data", "{path:?}");
        let peers = server.peers();
        assert_eq!(peers[0], source, "{path:?}: the control connection");
        assert_eq!(peers.len(), 2, "{path:?}: {peers:?}");
        assert!(peers.iter().all(|p| p.ip() == source.ip()), "{path:?}: {peers:?}");
    }
}

#[test]
fn a_source_address_needs_the_hosts_grant() {
    let server = ScriptedServer::start(b"220 scripted\r\n", ordinary);
    let mut c = client_for(&server);
    let mut o = quick();
    o.source_address = Some(free_source().to_string());
    match c.connect("127.0.0.1", server.port(), &o).unwrap_err().ftp() {
        Error::AccessDenied(m) => assert!(m.contains("no binding to 127.0.0.2"), "{m}"),
        e => panic!("{e:?}"),
    }
    o.source_address = Some("not-an-address".into());
    assert!(matches!(
        c.connect("127.0.0.1", server.port(), &o).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
}
