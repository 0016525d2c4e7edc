//! Nothing unsafe leaves the component: injected commands are refused before
//! a byte is sent, and the network grant is enforced.

mod common;

use host_tests::scripted::{Flow, ScriptedServer};
use host_tests::ServerGrant;
use host_tests::{default_options, Client, Error, NetworkPolicy, StoreMode, TestServer};
use std::net::{IpAddr, Ipv4Addr};

#[test]
fn cr_lf_and_nul_in_arguments_are_rejected_before_sending() {
    let server = ScriptedServer::start(b"220 fake\r\n", |line, ctx| {
        ctx.send(if line == "NOOP" {
            "200 ok\r\n"
        } else {
            "500 unexpected\r\n"
        });
        Flow::Next
    });
    let mut c = Client::new(common::runtime(), server.grant()).unwrap();
    let s = c
        .connect("127.0.0.1", server.addr().port(), &default_options())
        .unwrap();
    let injected = ["x\r\nDELE important", "x\nDELE important", "x\rDELE important", "x\0y"];
    for bad in injected {
        let errors = [
            c.cwd(s, bad).unwrap_err().ftp(),
            c.mkd(s, bad).unwrap_err().ftp(),
            c.rmd(s, bad).unwrap_err().ftp(),
            c.delete(s, bad).unwrap_err().ftp(),
            c.size(s, bad).unwrap_err().ftp(),
            c.rename(s, bad, "y").unwrap_err().ftp(),
            c.rename(s, "y", bad).unwrap_err().ftp(),
            c.retrieve(s, bad, 0).unwrap_err().ftp(),
            c.store(s, bad, StoreMode::Replace).unwrap_err().ftp(),
            c.nlst(s, Some(bad)).unwrap_err().ftp(),
            c.command(s, &format!("SITE {bad}")).unwrap_err().ftp(),
            c.login(s, Some(bad), None).unwrap_err().ftp(),
            c.login(s, Some("u"), Some(bad)).unwrap_err().ftp(),
        ];
        for e in errors {
            assert!(matches!(e, Error::InvalidInput(_)), "{bad:?}: {e:?}");
        }
    }
    // The first bytes the server ever saw are the NOOP sent after all that.
    assert_eq!(c.noop(s).unwrap().code, 200);
    assert_eq!(server.received(), b"NOOP\r\n");
}

#[test]
fn connecting_where_the_host_did_not_grant_is_access_denied() {
    let server = TestServer::start().unwrap();
    let other = TestServer::start().unwrap();
    let mut c = Client::new(common::runtime(), server.grant()).unwrap();
    // Another port on the same address.
    match c
        .connect("127.0.0.1", other.addr().port(), &default_options())
        .unwrap_err()
        .ftp()
    {
        Error::AccessDenied(_) => {}
        e => panic!("expected access-denied, got {e:?}"),
    }
    // Another loopback address.
    match c
        .connect("127.0.0.2", server.addr().port(), &default_options())
        .unwrap_err()
        .ftp()
    {
        Error::AccessDenied(_) => {}
        e => panic!("expected access-denied, got {e:?}"),
    }
    // Name lookups are not granted either; wasmtime reports that as a
    // permanent resolver failure, which the guest cannot tell from a real one.
    match c
        .connect("localhost", server.addr().port(), &default_options())
        .unwrap_err()
        .ftp()
    {
        Error::Io(m) => assert!(m.contains("name lookup"), "{m}"),
        e => panic!("expected a failed lookup, got {e:?}"),
    }
    // The granted server itself works.
    let s = c
        .connect("127.0.0.1", server.addr().port(), &default_options())
        .unwrap();
    assert_eq!(c.login(s, None, None).unwrap().code, 230);
}

#[test]
fn data_connections_outside_the_grant_are_refused_and_the_session_survives() {
    let server = TestServer::start().unwrap();
    // NetworkPolicy the control port only: the passive data port is not reachable.
    let grant = NetworkPolicy::default().allow(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        server.addr().port()..=server.addr().port(),
    );
    let mut c = Client::new(common::runtime(), grant).unwrap();
    let s = c
        .connect("127.0.0.1", server.addr().port(), &default_options())
        .unwrap();
    c.login(s, None, None).unwrap();
    match c.nlst(s, None).unwrap_err().ftp() {
        Error::AccessDenied(_) => {}
        e => panic!("expected access-denied, got {e:?}"),
    }
    assert_eq!(c.noop(s).unwrap().code, 200);
}

#[test]
fn name_lookup_works_when_granted() {
    let server = TestServer::start().unwrap();
    let mut grant = server.grant().with_name_lookup();
    grant = grant.allow(
        IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        server.addr().port()..=server.addr().port(),
    );
    let mut c = Client::new(common::runtime(), grant).unwrap();
    let s = c
        .connect("localhost", server.addr().port(), &default_options())
        .unwrap();
    assert_eq!(c.login(s, None, None).unwrap().code, 230);
}
