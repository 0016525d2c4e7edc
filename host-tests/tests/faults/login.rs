//! The login step, RFC 959 §5.4's sequence: USER may be enough (230), PASS
//! may be refused temporarily (4xx) or for good (5xx), and a server may ask
//! for an account (332) at USER or PASS, which ACCT answers.

use crate::support::*;

/// A server answering USER, PASS and ACCT with the given replies.
fn server(user: &'static str, pass: &'static str, acct: &'static str) -> ScriptedServer {
    ScriptedServer::start(b"220 scripted\r\n", move |line, ctx| {
        let reply = match line.split(' ').next().unwrap_or_default() {
            "USER" => user,
            "PASS" => pass,
            "ACCT" => acct,
            _ => return ordinary(line, ctx),
        };
        ctx.send(reply);
        Flow::Next
    })
}

fn login(server: &ScriptedServer, account: Option<&str>) -> (Client, SessionHandle, Result<u16, Error>) {
    let mut c = client_for(server);
    let s = c.connect("127.0.0.1", server.port(), &quick()).unwrap();
    let result = timed(|| c.login_with_account(s, Some("u"), Some("p"), account));
    (c, s, result.map(|r| r.code).map_err(|f| f.ftp()))
}

fn sent(server: &ScriptedServer, verb: &str) -> bool {
    server.commands().iter().any(|l| l.starts_with(verb))
}

#[test]
fn user_answered_230_needs_no_password() {
    let srv = server("230 welcome, no password needed\r\n", "503 unexpected\r\n", "503 x\r\n");
    let (mut c, s, result) = login(&srv, None);
    assert_eq!(result.unwrap(), 230);
    assert!(!sent(&srv, "PASS"));
    still_usable(&mut c, s);
}

#[test]
fn pass_refused_for_good_is_permanent() {
    let srv = server("331 password\r\n", "530 Login incorrect\r\n", "503 x\r\n");
    let (mut c, s, result) = login(&srv, None);
    assert!(matches!(result, Err(Error::Permanent(r)) if r.code == 530));
    still_usable(&mut c, s);
}

#[test]
fn pass_refused_for_now_is_transient() {
    let srv = server("331 password\r\n", "430 try again later\r\n", "503 x\r\n");
    let (mut c, s, result) = login(&srv, None);
    assert!(matches!(result, Err(Error::Transient(r)) if r.code == 430));
    still_usable(&mut c, s);
}

#[test]
fn a_421_at_pass_closes() {
    let srv = server("331 password\r\n", "421 too many users\r\n", "503 x\r\n");
    let (mut c, s, result) = login(&srv, None);
    assert!(matches!(result, Err(Error::Transient(r)) if r.code == 421));
    is_closed_after(&mut c, s);
}

#[test]
fn user_refused_is_permanent_and_sends_no_password() {
    let srv = server("500 USER not understood\r\n", "230 x\r\n", "503 x\r\n");
    let (_c, _s, result) = login(&srv, None);
    assert!(matches!(result, Err(Error::Permanent(r)) if r.code == 500));
    assert!(!sent(&srv, "PASS"));
}

#[test]
fn an_account_asked_for_after_pass_is_sent() {
    let srv = server(
        "331 password\r\n",
        "332 need account\r\n",
        "230 logged in with account\r\n",
    );
    let (mut c, s, result) = login(&srv, Some("acct-1"));
    assert_eq!(result.unwrap(), 230);
    assert!(srv.commands().contains(&"ACCT acct-1".to_string()));
    still_usable(&mut c, s);
}

#[test]
fn an_account_asked_for_at_user_is_sent_without_a_password() {
    let srv = server("332 account first\r\n", "503 x\r\n", "230 in\r\n");
    let (_c, _s, result) = login(&srv, Some("acct-2"));
    assert_eq!(result.unwrap(), 230);
    assert!(!sent(&srv, "PASS"));
}

#[test]
fn an_account_refused_is_permanent() {
    let srv = server("331 password\r\n", "332 need account\r\n", "532 no such account\r\n");
    let (_c, _s, result) = login(&srv, Some("bad"));
    assert!(matches!(result, Err(Error::Permanent(r)) if r.code == 532));
}

#[test]
fn an_account_asked_for_but_not_given_fails_without_acct() {
    let srv = server("331 password\r\n", "332 need account\r\n", "230 x\r\n");
    let (mut c, s, result) = login(&srv, None);
    assert!(matches!(result, Err(Error::Unexpected(r)) if r.code == 332));
    assert!(!sent(&srv, "ACCT"));
    still_usable(&mut c, s);
}

#[test]
fn feat_refused_still_logs_in_with_no_features() {
    let srv = ScriptedServer::start(b"220 old server\r\n", |line, ctx| {
        if line == "FEAT" {
            ctx.send("500 FEAT not understood\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let (mut c, s, result) = login(&srv, None);
    assert_eq!(result.unwrap(), 230);
    assert!(c.features(s).unwrap().is_empty());
    assert!(!sent(&srv, "OPTS"), "no UTF8 offered, none asked");
}

#[test]
fn opts_utf8_refused_is_harmless() {
    let srv = ScriptedServer::start(b"220 utf8\r\n", |line, ctx| match line {
        "FEAT" => {
            ctx.send("211-Features:\r\n UTF8\r\n211 End\r\n");
            Flow::Next
        }
        "OPTS UTF8 ON" => {
            ctx.send("501 always on\r\n");
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    let (mut c, s, result) = login(&srv, None);
    assert_eq!(result.unwrap(), 230);
    still_usable(&mut c, s);
}
