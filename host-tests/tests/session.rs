//! The session commands against the in-process server: login, file-system
//! commands, raw commands, errors, and the session's state rules.

mod common;

use ftp_test_server::{PASSWORD, USER};
use host_tests::ServerGrant;
use host_tests::{default_options, Client, Error, Failure, StoreMode, TestServer};

#[test]
fn welcome_and_anonymous_login() {
    let server = TestServer::start().unwrap();
    let mut c = Client::new(common::runtime(), server.grant()).unwrap();
    let s = c
        .connect("127.0.0.1", server.addr().port(), &default_options())
        .unwrap();
    let welcome = c.welcome(s).unwrap();
    assert_eq!(welcome.code, 220);
    assert!(welcome.text.contains("ftp-client test server"), "{welcome:?}");
    let reply = c.login(s, None, None).unwrap();
    assert_eq!(reply.code, 230);
    assert_eq!(c.pwd(s).unwrap(), "/");
}

#[test]
fn user_login_with_good_and_bad_password() {
    let server = TestServer::start().unwrap();
    let mut c = Client::new(common::runtime(), server.grant()).unwrap();
    let s = c
        .connect("127.0.0.1", server.addr().port(), &default_options())
        .unwrap();
    match c.login(s, Some(USER), Some("not the password")).unwrap_err().ftp() {
        Error::Permanent(reply) => assert_eq!(reply.code, 530),
        other => panic!("expected a permanent error, got {other:?}"),
    }
    // A failed login leaves the session usable for another attempt.
    assert_eq!(c.login(s, Some(USER), Some(PASSWORD)).unwrap().code, 230);
    assert_eq!(c.noop(s).unwrap().code, 200);
}

#[test]
fn directory_commands() {
    let (server, mut c, s) = common::logged_in();
    assert_eq!(c.pwd(s).unwrap(), "/");
    let made = c.mkd(s, "photos").unwrap();
    assert!(made.ends_with("photos"), "{made}");
    assert!(server.root().join("photos").is_dir());
    c.cwd(s, "photos").unwrap();
    assert_eq!(c.pwd(s).unwrap(), "/photos");
    c.mkd(s, "2026").unwrap();
    c.cwd(s, "2026").unwrap();
    assert_eq!(c.pwd(s).unwrap(), "/photos/2026");
    c.cdup(s).unwrap();
    assert_eq!(c.pwd(s).unwrap(), "/photos");
    c.cdup(s).unwrap();
    c.rmd(s, "photos/2026").unwrap();
    assert!(!server.root().join("photos/2026").exists());
    match c.cwd(s, "no-such-dir").unwrap_err().ftp() {
        Error::Permanent(r) => assert_eq!(r.code / 100, 5),
        other => panic!("{other:?}"),
    }
}

#[test]
fn file_commands_size_rename_delete_nlst() {
    let (server, mut c, s) = common::logged_in();
    let data = common::random_bytes(12_345, 1);
    c.put(s, "a.bin", StoreMode::Replace, &data, 4096).unwrap();
    assert_eq!(c.size(s, "a.bin").unwrap(), 12_345);
    c.rename(s, "a.bin", "b.bin").unwrap();
    assert!(!server.root().join("a.bin").exists());
    assert_eq!(std::fs::read(server.root().join("b.bin")).unwrap(), data);
    c.put(s, "c.txt", StoreMode::Replace, b"c", 1).unwrap();
    std::fs::create_dir(server.root().join("sub")).unwrap();
    let mut names = c.nlst(s, None).unwrap();
    names.sort();
    assert_eq!(names, ["b.bin", "c.txt", "sub"]);
    c.delete(s, "b.bin").unwrap();
    assert!(!server.root().join("b.bin").exists());
    match c.size(s, "b.bin").unwrap_err().ftp() {
        Error::Permanent(r) => assert_eq!(r.code, 550),
        other => panic!("{other:?}"),
    }
    match c.rename(s, "missing", "x").unwrap_err().ftp() {
        Error::Permanent(r) => assert_eq!(r.code / 100, 5),
        other => panic!("{other:?}"),
    }
}

#[test]
fn raw_command_returns_any_reply() {
    let (_server, mut c, s) = common::logged_in();
    let syst = c.command(s, "SYST").unwrap();
    assert_eq!(syst.code, 215);
    // An unknown command is a reply, not a failure, for the raw call.
    let reply = c.command(s, "XYZZY").unwrap();
    assert_eq!(reply.code / 100, 5);
    match c.command(s, "RETR x").unwrap_err().ftp() {
        Error::InvalidInput(m) => assert!(m.contains("RETR"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.noop(s).unwrap().code, 200);
}

#[test]
fn missing_file_is_permanent_and_session_stays_usable() {
    let (_server, mut c, s) = common::logged_in();
    // Servers differ on when they say so: libunftp answers RETR with 150 and
    // reports the 550 as the transfer's final reply; others refuse RETR itself.
    match c.get(s, "does-not-exist.bin", 0, 1024).unwrap_err().ftp() {
        Error::Permanent(reply) => assert_eq!(reply.code, 550),
        other => panic!("expected a permanent error, got {other:?}"),
    }
    assert_eq!(c.noop(s).unwrap().code, 200);
    c.put(s, "after.txt", StoreMode::Replace, b"still works", 64).unwrap();
    assert_eq!(c.get(s, "after.txt", 0, 1024).unwrap(), b"still works");
}

#[test]
fn quit_closes_the_session() {
    let (_server, mut c, s) = common::logged_in();
    assert_eq!(c.quit(s).unwrap().code, 221);
    assert!(matches!(c.noop(s).unwrap_err().ftp(), Error::Closed));
    assert!(matches!(c.retrieve(s, "x", 0).unwrap_err().ftp(), Error::Closed));
    c.drop_resource(s).unwrap();
}

#[test]
fn calls_during_an_open_transfer_are_refused() {
    let (_server, mut c, s) = common::logged_in();
    c.put(s, "f.bin", StoreMode::Replace, &common::random_bytes(1000, 2), 1000)
        .unwrap();
    let t = c.retrieve(s, "f.bin", 0).unwrap();
    assert!(matches!(c.noop(s).unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(
        c.retrieve(s, "f.bin", 0).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert!(matches!(
        c.store(s, "g.bin", StoreMode::Replace).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert_eq!(c.finish_retrieve(t).unwrap().code, 226);
    // A finished transfer refuses further use.
    assert!(matches!(c.read(t, 10).unwrap_err().ftp(), Error::InvalidInput(_)));
    c.drop_resource(t).unwrap();
    assert_eq!(c.noop(s).unwrap().code, 200);
}

#[test]
fn bad_options_and_arguments_are_invalid_input() {
    let server = TestServer::start().unwrap();
    let mut c = Client::new(common::runtime(), server.grant()).unwrap();
    let mut opts = default_options();
    opts.max_line_length = Some(10);
    assert!(matches!(
        c.connect("127.0.0.1", server.addr().port(), &opts),
        Err(Failure::Ftp(Error::InvalidInput(_)))
    ));
    let s = c
        .connect("127.0.0.1", server.addr().port(), &default_options())
        .unwrap();
    c.login(s, None, None).unwrap();
    assert!(matches!(c.cwd(s, "").unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(
        c.retrieve(s, "", 0).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert!(matches!(c.mkd(s, "").unwrap_err().ftp(), Error::InvalidInput(_)));
    assert_eq!(c.noop(s).unwrap().code, 200);
}

/// A shared pool keeps its idle session alive with NOOP on its own (no
/// taker asks), and closes it once idle past the idle timeout, not before.
#[test]
fn a_shared_pool_keeps_idle_sessions_alive_then_closes_them() {
    use host_tests::scripted::{ordinary, ScriptedServer};
    use host_tests::timing::{until_eq, SETTLE, SLACK};
    use std::time::{Duration, Instant};
    let server = ScriptedServer::start(b"220 scripted\r\n", ordinary);
    let options = ftp_host::Options::new("127.0.0.1").port(server.port()).login("u", "p");
    // A NOOP is due every 200 ms; the idle timeout leaves room for two of
    // them even if the tending thread waits SLACK for a core.
    let (keep_alive, idle) = (Duration::from_millis(200), Duration::from_millis(400) + SLACK);
    let pool = ftp_host::Pool::new(common::runtime(), options, 1)
        .with_idle_limits(keep_alive, idle)
        .shared();
    assert_eq!(pool.get().unwrap().pwd().unwrap(), "/");
    let handed_back = Instant::now();
    let conversation = server.conversation();
    // The pool checks every 100 ms, so it may close late, never early.
    let idle_for = handed_back.elapsed();
    assert!(
        idle_for >= idle - Duration::from_millis(100),
        "closed after {idle_for:?}"
    );
    let after_pwd: Vec<&str> = conversation
        .iter()
        .map(String::as_str)
        .skip_while(|c| *c != "PWD")
        .skip(1)
        .collect();
    let (quit, noops) = after_pwd.split_last().expect("something after PWD");
    assert_eq!(*quit, "QUIT", "{conversation:?}");
    assert!(
        noops.len() >= 2 && noops.iter().all(|c| *c == "NOOP"),
        "{conversation:?}"
    );
    // The pool counts the session gone once its close returns, a moment
    // after the server saw it.
    until_eq(SETTLE, "sessions open after the idle timeout", 0, || pool.open());
}
