//! The machine's tables: whole conversations scripted line by line (what
//! the client must send, what the server answers, what becomes of data
//! connections, TLS and time), run against the engine the component runs.

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

const SECOND: u64 = 1_000_000_000;

/// One turn of a scripted conversation.
#[derive(Debug, Clone, Copy)]
enum T {
    /// The client sends this line.
    C(&'static str),
    /// The server sends this (a whole reply; `\r\n` between its lines).
    S(&'static str),
    /// A data connection to this port of the peer is asked for, and made.
    Connect(u16),
    /// ... and refused.
    Refused(u16),
    /// ... and it fails otherwise (times out, say).
    ConnectFails(u16),
    /// The wait the engine asked for runs out.
    Wait,
    /// The server ends the control connection.
    Hangup,
    /// TLS on the control connection is asked for and done.
    Secure,
    /// TLS on the control connection is asked for and fails.
    SecureFails,
    /// TLS ended on the control connection (CCC).
    Clear,
    /// The data connection's TLS starts.
    TlsStart,
    /// The data connection's handshake completes (while a reply is
    /// awaited, or when asked to).
    TlsDone,
    /// The data connection's handshake fails.
    TlsFail,
}

use T::*;

fn config(security: ControlSecurity) -> Config {
    Config {
        reply_ns: 10 * SECOND,
        connect_ns: 5 * SECOND,
        max_line: 512,
        encoding: Encoding::Utf8,
        trust_pasv_host: false,
        peer: IpAddr::V4(Ipv4Addr::LOCALHOST),
        security,
        keep_alive_ns: None,
    }
}

fn plain() -> Engine {
    Engine::new(config(ControlSecurity::Plain))
}

/// An engine secured by TLS (as after `Op::Open`), data as `data`.
fn secured(data: DataProtection) -> Engine {
    let mut engine = Engine::new(config(ControlSecurity::Pending {
        mode: TlsMode::Explicit,
        allow_plaintext: false,
        data,
    }));
    let prot = match data {
        DataProtection::Private => "PROT P",
        DataProtection::Clear => "PROT C",
    };
    let script = [
        S("220 hi"),
        C("AUTH TLS"),
        S("234 go"),
        Secure,
        C("PBSZ 0"),
        S("200 ok"),
        C(prot),
        S("200 ok"),
    ];
    talk(&mut engine, Op::Open { until: 5 * SECOND }, &script).unwrap();
    engine
}

/// Runs `op` against `script`, checking every step the engine asks for
/// against the script's next turn; the operation's result.
fn talk(engine: &mut Engine, op: Op, script: &[T]) -> Result<Outcome, Failure> {
    engine.start(op)?;
    let mut now = 0;
    let mut input = Input::Ready;
    let mut turns = script.iter();
    loop {
        let step = engine.next(now, std::mem::replace(&mut input, Input::Ready));
        if let Step::Done(result) = step {
            let left: Vec<_> = turns.collect();
            assert!(left.is_empty(), "done ({result:?}) with the script left: {left:?}");
            return result;
        }
        let turn = *turns
            .next()
            .unwrap_or_else(|| panic!("the script ended where the engine asks {step:?}"));
        input = match (turn, &step) {
            // One write may carry several lines (ABOR and its sentinel).
            (C(line), Step::Send { bytes, .. }) => {
                let text = String::from_utf8_lossy(bytes);
                let mut lines = text.split_inclusive("\r\n");
                assert_eq!(lines.next(), Some(format!("{line}\r\n").as_str()));
                for more in lines {
                    match turns.next() {
                        Some(C(line)) => assert_eq!(more, format!("{line}\r\n")),
                        other => panic!("the engine sent {more:?} where the script says {other:?}"),
                    }
                }
                Input::Sent
            }
            (S(reply), Step::Receive { .. }) => Input::Received(format!("{reply}\r\n").into_bytes()),
            (Hangup, Step::Receive { .. }) => Input::ControlClosed,
            (Connect(port), Step::Connect { to, .. }) => {
                assert_eq!(to.port(), port, "{step:?}");
                Input::DataConnected
            }
            (Refused(port), Step::Connect { to, .. }) => {
                assert_eq!(to.port(), port, "{step:?}");
                Input::DataFailed { refused: true }
            }
            (ConnectFails(port), Step::Connect { to, .. }) => {
                assert_eq!(to.port(), port, "{step:?}");
                Input::DataFailed { refused: false }
            }
            (Wait, Step::Receive { until, .. } | Step::Connect { until, .. } | Step::Send { until, .. }) => {
                now = until.at;
                Input::TimedOut
            }
            (Secure, Step::SecureControl { .. }) | (Clear, Step::ClearControl { .. }) => Input::ControlChanged,
            (SecureFails, Step::SecureControl { .. }) => Input::ControlFailed,
            (TlsStart, Step::StartDataTls { .. }) => Input::DataTlsStarted,
            (TlsDone, Step::Receive { handshake: true, .. } | Step::FinishDataTls { .. }) => Input::DataSecured,
            (TlsFail, Step::Receive { handshake: true, .. } | Step::FinishDataTls { .. }) => {
                Input::DataFailed { refused: false }
            }
            (turn, step) => panic!("the script says {turn:?} where the engine asks {step:?}"),
        };
    }
}

fn reply(outcome: Result<Outcome, Failure>) -> Reply {
    outcome.unwrap().into_reply().expect("a reply")
}

fn code(outcome: Result<Outcome, Failure>) -> u16 {
    reply(outcome).code
}

fn refused_code(outcome: Result<Outcome, Failure>) -> u16 {
    match outcome {
        Err(Failure::Refused(reply)) => reply.code,
        other => panic!("not a refusal: {other:?}"),
    }
}

fn login(user: &str, password: &str, account: Option<&str>) -> Op {
    Op::Login {
        user: user.into(),
        password: password.into(),
        account: account.map(Into::into),
    }
}

const NO_FEATURES: T = S("502 no FEAT");

/// The code a conversation ends with: `Ok`, a success; `Err`, a refusal.
type Codes = Result<u16, u16>;

/// A login's account, its conversation, and the code it ends with.
type LoginCase<'a> = (Option<&'a str>, &'a [T], Codes);

#[test]
fn login_follows_the_replies() {
    let table: &[LoginCase<'_>] = &[
        (None, &[C("USER bob"), S("230 in"), C("FEAT"), NO_FEATURES], Ok(230)),
        (
            None,
            &[
                C("USER bob"),
                S("331 pass"),
                C("PASS pw"),
                S("230 in"),
                C("FEAT"),
                NO_FEATURES,
            ],
            Ok(230),
        ),
        (
            None,
            &[
                C("USER bob"),
                S("331 pass"),
                C("PASS pw"),
                S("202 superfluous"),
                C("FEAT"),
                NO_FEATURES,
            ],
            Ok(202),
        ),
        (
            Some("acc"),
            &[
                C("USER bob"),
                S("331 pass"),
                C("PASS pw"),
                S("332 account"),
                C("ACCT acc"),
                S("230 in"),
                C("FEAT"),
                NO_FEATURES,
            ],
            Ok(230),
        ),
        (
            Some("acc"),
            &[
                C("USER bob"),
                S("332 account"),
                C("ACCT acc"),
                S("230 in"),
                C("FEAT"),
                NO_FEATURES,
            ],
            Ok(230),
        ),
        (None, &[C("USER bob"), S("332 account")], Err(332)),
        (
            None,
            &[C("USER bob"), S("331 pass"), C("PASS pw"), S("530 no")],
            Err(530),
        ),
        (
            None,
            &[C("USER bob"), S("331 pass"), C("PASS pw"), S("331 again?")],
            Err(331),
        ),
        (
            Some("acc"),
            &[
                C("USER bob"),
                S("331 pass"),
                C("PASS pw"),
                S("332 acct"),
                C("ACCT acc"),
                S("532 no"),
            ],
            Err(532),
        ),
        (None, &[C("USER bob"), S("530 no")], Err(530)),
    ];
    for (account, script, want) in table {
        let got = talk(&mut plain(), login("bob", "pw", *account), script);
        let got = match got {
            Ok(outcome) => Ok(outcome.into_reply().unwrap().code),
            Err(Failure::Refused(reply)) => Err(reply.code),
            other => panic!("{script:?}: {other:?}"),
        };
        assert_eq!(&got, want, "{script:?}");
    }
}

#[test]
fn login_asks_for_utf8_where_offered_and_spoken() {
    let feat = S("211-Features:\r\n UTF8\r\n MLST type*;size*;\r\n211 End");
    let script = [
        C("USER anonymous"),
        S("331 pass"),
        C("PASS anonymous@"),
        S("230 in"),
        C("FEAT"),
        feat,
        C("OPTS UTF8 ON"),
        S("501 always on"),
    ];
    let mut engine = plain();
    assert_eq!(code(talk(&mut engine, login("", "-", None), &script)), 230);
    assert_eq!(engine.server().features.as_ref().map(Vec::len), Some(2));

    let mut latin1 = config(ControlSecurity::Plain);
    latin1.encoding = Encoding::Latin1;
    let script = [
        C("USER anonymous"),
        S("331 pass"),
        C("PASS anonymous@"),
        S("230 in"),
        C("FEAT"),
        feat,
    ];
    assert_eq!(
        code(talk(&mut Engine::new(latin1), login("anonymous", "", None), &script)),
        230
    );
}

#[test]
fn arguments_with_line_breaks_are_refused_before_anything_is_sent() {
    let mut engine = plain();
    for op in [
        login("bob\r\nDELE x", "pw", None),
        login("bob", "pw\nQUIT", None),
        Op::path("CWD", "a\r\nDELE b"),
        Op::path("DELE", ""),
        Op::Raw("NOOP\r\nDELE x".into()),
        Op::Raw("RETR x".into()),
        Op::Raw("ABOR".into()),
        Op::Rename {
            from: "a".into(),
            to: "b\nc".into(),
        },
        Op::Transfer {
            verb: "RETR",
            path: Some("x\0y".into()),
            rest: 0,
        },
        Op::Listing {
            kind: ListingKind::Mlsd {
                facts: vec!["size;type".into()],
            },
            path: None,
        },
    ] {
        assert!(matches!(engine.start(op.clone()), Err(Failure::Invalid(_))), "{op:?}");
    }
    assert_eq!(engine.phase(), &Phase::Idle);
}

/// 421 at any point ends the session with the server's reply, and
/// nothing is sent after it.
#[test]
fn a_421_at_any_point_closes_the_session_with_its_reply() {
    let goodbye = S("421 Timeout, closing");
    let cases: Vec<(&str, Engine, Op, Vec<T>)> = vec![
        ("greeting", plain(), Op::Open { until: SECOND }, vec![goodbye]),
        ("login", plain(), login("bob", "pw", None), vec![C("USER bob"), goodbye]),
        (
            "password",
            plain(),
            login("bob", "pw", None),
            vec![C("USER bob"), S("331 p"), C("PASS pw"), goodbye],
        ),
        (
            "command",
            plain(),
            Op::bare("NOOP", Accept::Completion),
            vec![C("NOOP"), goodbye],
        ),
        ("raw", plain(), Op::Raw("SITE X".into()), vec![C("SITE X"), goodbye]),
        (
            "passive",
            plain(),
            retr(0),
            vec![C("TYPE I"), S("200 ok"), C("EPSV"), goodbye],
        ),
        (
            "first reply",
            plain(),
            retr(0),
            vec![
                C("TYPE I"),
                S("200 ok"),
                C("EPSV"),
                S("229 (|||2000|)"),
                Connect(2000),
                C("RETR f"),
                goodbye,
            ],
        ),
        ("final reply", transferring(), Op::Finish, vec![goodbye]),
        ("abort's grace", transferring(), Op::Abort, vec![goodbye]),
        (
            "abort's sentinel",
            transferring(),
            Op::Abort,
            vec![Wait, C("ABOR"), C("PWD"), goodbye],
        ),
    ];
    for (what, mut engine, op, script) in cases {
        match talk(&mut engine, op, &script) {
            Err(Failure::Closing(reply)) => assert_eq!(reply.code, 421, "{what}"),
            other => panic!("{what}: {other:?}"),
        }
        assert!(
            matches!(engine.phase(), Phase::Closed { by: Some(r) } if r.code == 421),
            "{what}: {:?}",
            engine.phase()
        );
        assert_eq!(
            engine.start(Op::bare("NOOP", Accept::Completion)),
            Err(Failure::Closed),
            "{what}"
        );
    }
}

fn retr(rest: u64) -> Op {
    Op::Transfer {
        verb: "RETR",
        path: Some("f".into()),
        rest,
    }
}

/// An engine with a RETR open (1xx received).
fn transferring() -> Engine {
    let mut engine = plain();
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("RETR f"),
        S("150 here"),
    ];
    talk(&mut engine, retr(0), &script).unwrap();
    assert!(matches!(engine.phase(), Phase::Transfer { early_final: None, .. }));
    engine
}

#[test]
fn a_transfers_first_reply() {
    // (replies after the command, opened?, an early final kept?)
    let table: &[(&[T], Result<bool, u16>)] = &[
        (&[S("150 here")], Ok(false)),
        (&[S("125 already open")], Ok(false)),
        (&[S("226 done at once")], Ok(true)),
        (&[S("250 done")], Ok(true)),
        (&[S("200 stray"), S("150 here")], Ok(false)),
        (&[S("200 stray"), S("226 done")], Ok(true)),
        (&[S("200 stray"), S("200 again")], Err(200)),
        (&[S("425 no data")], Err(425)),
        (&[S("550 no file")], Err(550)),
        (&[S("350 what?")], Err(350)),
    ];
    for (replies, want) in table {
        let mut engine = plain();
        let mut script = vec![
            C("TYPE I"),
            S("200 ok"),
            C("EPSV"),
            S("229 (|||2000|)"),
            Connect(2000),
            C("RETR f"),
        ];
        script.extend_from_slice(replies);
        let got = talk(&mut engine, retr(0), &script);
        match (want, got) {
            (Ok(early), Ok(Outcome::Opened(_))) => {
                let Phase::Transfer { early_final, .. } = engine.phase() else {
                    panic!("{replies:?}: {:?}", engine.phase())
                };
                assert_eq!(early_final.is_some(), *early, "{replies:?}");
            }
            (Err(code), Err(Failure::Refused(reply))) => {
                assert_eq!(reply.code, *code, "{replies:?}");
                assert_eq!(engine.phase(), &Phase::Idle, "{replies:?}");
            }
            (want, got) => panic!("{replies:?}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn an_early_final_reply_finishes_and_aborts_without_a_word() {
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("RETR f"),
        S("226 sent"),
    ];
    let mut engine = plain();
    talk(&mut engine, retr(0), &script).unwrap();
    assert_eq!(code(talk(&mut engine, Op::Finish, &[])), 226);
    let mut engine = plain();
    talk(&mut engine, retr(0), &script).unwrap();
    assert_eq!(talk(&mut engine, Op::Abort, &[]), Ok(Outcome::Done));
    assert_eq!(engine.phase(), &Phase::Idle);
}

#[test]
fn the_session_keeps_its_phase() {
    let mut engine = transferring();
    let busy = engine.start(Op::bare("NOOP", Accept::Completion));
    assert!(matches!(busy, Err(Failure::Invalid(m)) if m.contains("transfer is open")));
    assert_eq!(refused_code(talk(&mut engine, Op::Finish, &[S("451 lost")])), 451);
    assert_eq!(engine.phase(), &Phase::Idle);
    assert!(matches!(engine.start(Op::Finish), Err(Failure::Invalid(_))));
    assert!(matches!(engine.start(Op::Abort), Err(Failure::Invalid(_))));
    engine.close();
    assert_eq!(engine.start(Op::Features), Err(Failure::Closed));
}

#[test]
fn abort_in_each_state() {
    let cases: &[(&str, &[T], Result<(), &str>)] = &[
        (
            "426 in the grace, then 226 and the sentinel",
            &[S("426 aborted"), C("ABOR"), C("PWD"), S("226 abort ok"), S("257 \"/\"")],
            Ok(()),
        ),
        (
            "nothing in the grace",
            &[Wait, C("ABOR"), C("PWD"), S("225 no transfer"), S("257 \"/\"")],
            Ok(()),
        ),
        (
            "a late 226 and a stray 200",
            &[
                Wait,
                C("ABOR"),
                C("PWD"),
                S("426 x"),
                S("226 y"),
                S("200 z"),
                S("257 \"/\""),
            ],
            Ok(()),
        ),
        (
            "1xx are skipped",
            &[S("150 still"), S("226 done"), C("ABOR"), C("PWD"), S("257 \"/\"")],
            Ok(()),
        ),
        (
            "the sentinel never answered",
            &[Wait, C("ABOR"), C("PWD"), S("226 ok"), Wait],
            Err("timeout"),
        ),
        (
            "replies without end",
            &[
                Wait,
                C("ABOR"),
                C("PWD"),
                S("226 a"),
                S("226 b"),
                S("226 c"),
                S("226 d"),
                S("226 e"),
            ],
            Err("protocol"),
        ),
        (
            "the server hangs up",
            &[Wait, C("ABOR"), C("PWD"), Hangup],
            Err("closed"),
        ),
    ];
    for (what, script, want) in cases {
        let mut engine = transferring();
        let got = talk(&mut engine, Op::Abort, script);
        match (want, &got) {
            (Ok(()), Ok(Outcome::Done)) => assert_eq!(engine.phase(), &Phase::Idle, "{what}"),
            (Err("timeout"), Err(Failure::Timeout("reply")))
            | (Err("protocol"), Err(Failure::Protocol(_)))
            | (Err("closed"), Err(Failure::Closed)) => assert!(engine.is_closed(), "{what}"),
            _ => panic!("{what}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn the_abort_keeps_one_deadline_for_the_whole() {
    let mut engine = transferring();
    engine.start(Op::Abort).unwrap();
    let grace = match engine.next(0, Input::Ready) {
        Step::Receive { until, .. } => until.at,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        grace, ABORT_GRACE_NS,
        "the grace is the shorter of 2 s and half the reply deadline"
    );
    assert!(matches!(engine.next(grace, Input::TimedOut), Step::Send { until, .. } if until.at == 10 * SECOND));
    assert!(matches!(engine.next(grace, Input::Sent), Step::Receive { until, .. } if until.at == 10 * SECOND));
}

#[test]
fn finish_reads_the_final_reply() {
    for (replies, want) in [
        (&[S("226 ok")][..], Ok(226)),
        (&[S("150 late 1xx"), S("226 ok")][..], Ok(226)),
        (&[S("426 broken")][..], Err(426)),
        (&[S("552 full")][..], Err(552)),
    ] {
        let mut engine = transferring();
        match (want, talk(&mut engine, Op::Finish, replies)) {
            (Ok(want), Ok(outcome)) => assert_eq!(outcome.into_reply().unwrap().code, want),
            (Err(want), got) => assert_eq!(refused_code(got), want),
            (want, got) => panic!("{want:?} {got:?}"),
        }
        assert_eq!(engine.phase(), &Phase::Idle);
    }
}

#[test]
fn epsv_falls_back_to_pasv() {
    // Refused EPSV: PASV, now and from then on.
    let mut engine = plain();
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("500 what?"),
        C("PASV"),
        S("227 Entering (10,0,0,9,7,208)"),
        Connect(2000),
        C("RETR f"),
        S("150 ok"),
    ];
    talk(&mut engine, retr(0), &script).unwrap();
    talk(&mut engine, Op::Finish, &[S("226 ok")]).unwrap();
    assert_eq!(engine.server().passive, Passive::PasvOnly);
    let script = [
        C("PASV"),
        S("227 (127,0,0,1,7,209)"),
        Connect(2001),
        C("RETR f"),
        S("150 ok"),
    ];
    talk(&mut engine, retr(0), &script).unwrap();

    // A refused connection to the port EPSV named: PASV once, then kept.
    let mut engine = plain();
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Refused(2000),
        C("PASV"),
        S("227 (127,0,0,1,7,209)"),
        Connect(2001),
        C("RETR f"),
        S("150 ok"),
    ];
    talk(&mut engine, retr(0), &script).unwrap();
    assert_eq!(engine.server().passive, Passive::PasvOnly);

    // Refused through PASV too: the driver's error, the session usable.
    let mut engine = plain();
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Refused(2000),
        C("PASV"),
        S("227 (127,0,0,1,7,209)"),
        Refused(2001),
    ];
    assert_eq!(talk(&mut engine, retr(0), &script), Err(Failure::Reported));
    assert_eq!(engine.phase(), &Phase::Idle);

    // A connection that times out is not retried.
    let mut engine = plain();
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        ConnectFails(2000),
    ];
    assert_eq!(talk(&mut engine, retr(0), &script), Err(Failure::Reported));
    assert_eq!(engine.server().passive, Passive::TryEpsv);
}

#[test]
fn on_ipv6_epsv_has_no_fallback() {
    let mut v6 = config(ControlSecurity::Plain);
    v6.peer = IpAddr::V6(Ipv6Addr::LOCALHOST);
    let mut engine = Engine::new(v6.clone());
    let script = [C("TYPE I"), S("200 ok"), C("EPSV"), S("500 what?")];
    assert_eq!(refused_code(talk(&mut engine, retr(0), &script)), 500);
    let mut engine = Engine::new(v6);
    let script = [C("TYPE I"), S("200 ok"), C("EPSV"), S("229 (|||2000|)"), Refused(2000)];
    assert_eq!(talk(&mut engine, retr(0), &script), Err(Failure::Reported));
}

#[test]
fn pasv_points_at_the_peer_unless_trusted() {
    for (trust, want) in [(false, Ipv4Addr::LOCALHOST), (true, Ipv4Addr::new(10, 0, 0, 9))] {
        let mut config = config(ControlSecurity::Plain);
        config.trust_pasv_host = trust;
        let mut engine = Engine::new(config);
        engine.start(Op::RelayListen).unwrap();
        let mut now_input = Input::Ready;
        let script = [
            C("TYPE I"),
            S("200 ok"),
            C("EPSV"),
            S("502 no"),
            C("PASV"),
            S("227 Entering Passive Mode (10,0,0,9,4,1)"),
        ];
        for turn in script {
            let step = engine.next(0, std::mem::replace(&mut now_input, Input::Ready));
            now_input = match (turn, step) {
                (C(_), Step::Send { .. }) => Input::Sent,
                (S(r), Step::Receive { .. }) => Input::Received(format!("{r}\r\n").into_bytes()),
                (turn, step) => panic!("{turn:?} {step:?}"),
            };
        }
        let Step::Done(Ok(Outcome::Listening(at))) = engine.next(0, now_input) else {
            panic!("no address")
        };
        assert_eq!(at, SocketAddr::new(IpAddr::V4(want), 1025));
    }
}

#[test]
fn rest_goes_before_the_command() {
    let mut engine = plain();
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("REST 5000"),
        S("350 restarting"),
        C("RETR f"),
        S("150 ok"),
    ];
    talk(&mut engine, retr(5000), &script).unwrap();
    let mut engine = plain();
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("REST 5"),
        S("502 no REST"),
    ];
    assert_eq!(refused_code(talk(&mut engine, retr(5), &script)), 502);
}

#[test]
fn tls_comes_in_the_order_of_its_mode() {
    // Explicit: greeting, AUTH TLS, the handshake, PBSZ and PROT.
    let engine = secured(DataProtection::Private);
    assert_eq!(
        engine.security(),
        ControlSecurity::Secured {
            mode: TlsMode::Explicit,
            data: DataProtection::Private
        }
    );
    // Implicit: the handshake first.
    let mut engine = Engine::new(config(ControlSecurity::Pending {
        mode: TlsMode::Implicit,
        allow_plaintext: false,
        data: DataProtection::Clear,
    }));
    let script = [Secure, S("220 hi"), C("PBSZ 0"), S("200 ok"), C("PROT C"), S("200 ok")];
    assert_eq!(code(talk(&mut engine, Op::Open { until: SECOND }, &script)), 220);
    assert_eq!(engine.security().mode(), Some(TlsMode::Implicit));
    assert_eq!(engine.security().data(), DataProtection::Clear);
}

#[test]
fn auth_tls_refused() {
    let pending = |allow_plaintext| {
        Engine::new(config(ControlSecurity::Pending {
            mode: TlsMode::Explicit,
            allow_plaintext,
            data: DataProtection::Private,
        }))
    };
    let mut engine = pending(true);
    let script = [S("220 hi"), C("AUTH TLS"), S("502 no TLS here")];
    assert_eq!(code(talk(&mut engine, Op::Open { until: SECOND }, &script)), 220);
    assert_eq!(engine.security(), ControlSecurity::Plain);
    assert_eq!(engine.security().data(), DataProtection::Clear);

    let mut engine = pending(false);
    match talk(&mut engine, Op::Open { until: SECOND }, &script) {
        Err(Failure::TlsRefused(reply)) => assert_eq!(reply.code, 502),
        other => panic!("{other:?}"),
    }
    assert!(engine.is_closed());

    // A 2xx that is not 234 is no refusal to fall back from.
    let mut engine = pending(true);
    let script = [S("220 hi"), C("AUTH TLS"), S("200 sure")];
    assert!(matches!(
        talk(&mut engine, Op::Open { until: SECOND }, &script),
        Err(Failure::TlsRefused(_))
    ));

    // Bytes behind the 234 would cross into TLS.
    let mut engine = pending(false);
    let script = [S("220 hi"), C("AUTH TLS"), S("234 go\r\n200 extra")];
    assert!(matches!(
        talk(&mut engine, Op::Open { until: SECOND }, &script),
        Err(Failure::Protocol(_))
    ));
    assert!(engine.is_closed());

    // A handshake that fails: the driver's error, the session closed.
    let mut engine = pending(false);
    let script = [S("220 hi"), C("AUTH TLS"), S("234 go"), SecureFails];
    assert_eq!(
        talk(&mut engine, Op::Open { until: SECOND }, &script),
        Err(Failure::Reported)
    );
    assert!(engine.is_closed());
}

#[test]
fn the_greeting_is_held_to_the_connect_deadline() {
    let mut engine = plain();
    engine.start(Op::Open { until: 3 * SECOND }).unwrap();
    let Step::Receive { until, .. } = engine.next(0, Input::Ready) else {
        panic!()
    };
    assert_eq!(
        until,
        Deadline {
            at: 3 * SECOND,
            what: "connect"
        }
    );
    assert_eq!(
        engine.next(until.at, Input::Ready),
        Step::Done(Err(Failure::Timeout("connect")))
    );
    assert!(engine.is_closed());
    let mut engine = plain();
    assert_eq!(
        refused_code(talk(&mut engine, Op::Open { until: SECOND }, &[S("530 go away")])),
        530
    );
    assert!(engine.is_closed());
}

/// PROT P: the data connection's handshake runs while the first reply is
/// awaited, in whichever order the server takes them.
#[test]
fn the_data_handshake_interleaves_with_the_first_reply() {
    let start = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        TlsStart,
        C("RETR f"),
    ];
    let cases: &[(&str, &[T], &str)] = &[
        ("vsftpd: 150, then TLS", &[S("150 ok"), TlsDone], "open"),
        ("proftpd: TLS, then 150", &[TlsDone, S("150 ok")], "open"),
        ("a refusal with the handshake under way", &[S("550 no file")], "refused"),
        (
            "the server drops the handshake and refuses",
            &[TlsFail, S("550 no file")],
            "refused",
        ),
        (
            "the handshake fails, the server goes on",
            &[TlsFail, S("150 ok")],
            "reported",
        ),
        ("150, then the handshake fails", &[S("150 ok"), TlsFail], "reported"),
    ];
    for (what, rest, want) in cases {
        let mut engine = secured(DataProtection::Private);
        let mut script = start.to_vec();
        script.extend_from_slice(rest);
        let got = talk(&mut engine, retr(0), &script);
        match (*want, got) {
            ("open", Ok(Outcome::Opened(_))) => assert!(matches!(engine.phase(), Phase::Transfer { .. }), "{what}"),
            ("refused", Err(Failure::Refused(r))) => {
                assert_eq!(r.code, 550, "{what}");
                assert_eq!(engine.phase(), &Phase::Idle, "{what}");
            }
            ("reported", Err(Failure::Reported)) => assert!(engine.is_closed(), "{what}"),
            (_, got) => panic!("{what}: wanted {want}, got {got:?}"),
        }
    }
    // A TLS start that fails: the driver's error, the session goes on.
    let mut engine = secured(DataProtection::Private);
    engine.start(retr(0)).unwrap();
    let script = [C("TYPE I"), S("200 ok"), C("EPSV"), S("229 (|||2000|)"), Connect(2000)];
    let mut input = Input::Ready;
    for turn in script {
        let step = engine.next(0, input);
        input = match (turn, step) {
            (C(_), Step::Send { .. }) => Input::Sent,
            (S(r), Step::Receive { .. }) => Input::Received(format!("{r}\r\n").into_bytes()),
            (Connect(_), Step::Connect { .. }) => Input::DataConnected,
            (turn, step) => panic!("{turn:?} {step:?}"),
        };
    }
    assert!(matches!(engine.next(0, input), Step::StartDataTls { .. }));
    assert_eq!(
        engine.next(0, Input::DataFailed { refused: false }),
        Step::Done(Err(Failure::Reported))
    );
    assert_eq!(engine.phase(), &Phase::Idle);
}

#[test]
fn prot_follows_the_servers_answer() {
    let mut engine = secured(DataProtection::Private);
    let got = talk(
        &mut engine,
        Op::SetProtection(DataProtection::Clear),
        &[C("PROT C"), S("536 not allowed")],
    );
    assert_eq!(refused_code(got), 536);
    assert_eq!(engine.security().data(), DataProtection::Private);
    talk(
        &mut engine,
        Op::SetProtection(DataProtection::Clear),
        &[C("PROT C"), S("200 ok")],
    )
    .unwrap();
    assert_eq!(engine.security().data(), DataProtection::Clear);
    // A plain session has no PROT to set.
    assert!(matches!(
        plain().start(Op::SetProtection(DataProtection::Private)),
        Err(Failure::Invalid(_))
    ));
}

#[test]
fn ccc_clears_the_control_connection_only() {
    let mut engine = secured(DataProtection::Private);
    assert_eq!(
        code(talk(
            &mut engine,
            Op::ClearControl,
            &[C("CCC"), S("200 cleared"), Clear]
        )),
        200
    );
    assert_eq!(
        engine.security(),
        ControlSecurity::Cleared {
            mode: TlsMode::Explicit,
            data: DataProtection::Private
        }
    );
    // Once cleared, or never secured: no CCC.
    assert!(matches!(engine.start(Op::ClearControl), Err(Failure::Invalid(_))));
    assert!(matches!(plain().start(Op::ClearControl), Err(Failure::Invalid(_))));
    // Refused: still secured.
    let mut engine = secured(DataProtection::Clear);
    assert_eq!(
        refused_code(talk(&mut engine, Op::ClearControl, &[C("CCC"), S("534 no")])),
        534
    );
    assert!(matches!(engine.security(), ControlSecurity::Secured { .. }));
}

#[test]
fn a_listing_is_made_from_inside_its_directory_and_goes_back() {
    let list = |path: &str| Op::Listing {
        kind: ListingKind::Auto,
        path: Some(path.into()),
    };
    let mut engine = plain();
    let script = [
        C("FEAT"),
        NO_FEATURES,
        C("PWD"),
        S("257 \"/home/me\" is current"),
        C("CWD a dir"),
        S("250 ok"),
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("LIST"),
        S("150 here"),
    ];
    match talk(&mut engine, list("a dir"), &script) {
        Ok(Outcome::Opened(opened)) => assert!(!opened.machine && opened.refusal.is_none()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        code(talk(
            &mut engine,
            Op::Finish,
            &[S("226 ok"), C("CWD /home/me"), S("250 back")]
        )),
        226
    );
    assert_eq!(engine.phase(), &Phase::Idle);

    // A path CWD refuses is listed directly, and the refusal kept.
    let script = [
        C("PWD"),
        S("257 \"/\""),
        C("CWD f.txt"),
        S("550 not a directory"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("LIST f.txt"),
        S("150 here"),
    ];
    match talk(&mut engine, list("f.txt"), &script) {
        Ok(Outcome::Opened(opened)) => assert_eq!(opened.refusal.map(|r| r.code), Some(550)),
        other => panic!("{other:?}"),
    }
    // Aborted, and no way home was needed.
    let abort = [S("426 aborted"), C("ABOR"), C("PWD"), S("226 ok"), S("257 \"/\"")];
    assert_eq!(talk(&mut engine, Op::Abort, &abort), Ok(Outcome::Done));

    // An aborted listing from inside goes home too.
    let script = [
        C("PWD"),
        S("257 \"/\""),
        C("CWD d"),
        S("250 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("LIST"),
        S("150 here"),
    ];
    talk(&mut engine, list("d"), &script).unwrap();
    let abort = [Wait, C("ABOR"), C("PWD"), S("257 \"/d\""), C("CWD /"), S("250 ok")];
    assert_eq!(talk(&mut engine, Op::Abort, &abort), Ok(Outcome::Done));

    // A refused LIST from inside: home again, and LIST's refusal reported.
    let script = [
        C("PWD"),
        S("257 \"/\""),
        C("CWD d"),
        S("250 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("LIST"),
        S("450 busy"),
        C("CWD /"),
        S("250 ok"),
    ];
    assert_eq!(refused_code(talk(&mut engine, list("d"), &script)), 450);

    // With MLST: MLSD of the whole path, nothing else.
    let mut engine = plain();
    let script = [
        C("FEAT"),
        S("211-x\r\n MLST type*;\r\n211 end"),
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("MLSD a dir"),
        S("150 ok"),
    ];
    match talk(&mut engine, list("a dir"), &script) {
        Ok(Outcome::Opened(opened)) => assert!(opened.machine),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_pwd_that_names_no_directory_lists_the_path_directly() {
    let mut engine = plain();
    let script = [
        C("FEAT"),
        NO_FEATURES,
        C("PWD"),
        S("257 somewhere"),
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("LIST a dir"),
        S("150 here"),
    ];
    let got = talk(
        &mut engine,
        Op::Listing {
            kind: ListingKind::Auto,
            path: Some("a dir".into()),
        },
        &script,
    );
    assert!(matches!(got, Ok(Outcome::Opened(_))), "{got:?}");
    // Nowhere to go back to at the end.
    assert_eq!(code(talk(&mut engine, Op::Finish, &[S("226 ok")])), 226);
}

/// The one transition after every command: a login or REIN starts the
/// server's state over, whoever sent it, so a hash selection the server
/// dropped is never trusted.
#[test]
fn rein_and_a_new_login_reset_what_the_server_had_selected() {
    let feat = S("211-x\r\n HASH SHA-256*;SHA-1;MD5\r\n211 end");
    let sha1 = "213 SHA-1 0-10 aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d f";
    let hash = |wanted| Op::Hash {
        path: "f".into(),
        wanted,
    };
    let mut engine = plain();
    let script = [
        C("FEAT"),
        feat,
        C("OPTS HASH SHA-1"),
        S("200 SHA-1"),
        C("HASH f"),
        S(sha1),
    ];
    let digest = talk(&mut engine, hash(Some(Algorithm::Sha1)), &script).unwrap();
    assert!(matches!(
        digest,
        Outcome::Digest {
            algorithm: Algorithm::Sha1,
            ..
        }
    ));
    // Selected: asked again, no OPTS.
    talk(&mut engine, hash(Some(Algorithm::Sha1)), &[C("HASH f"), S(sha1)]).unwrap();
    // REIN: the selection is the server's no more, nor FEAT's answer.
    talk(
        &mut engine,
        Op::bare("REIN", Accept::Completion),
        &[C("REIN"), S("220 again")],
    )
    .unwrap();
    assert_eq!(engine.server().hash_selected, None);
    let script = [
        C("FEAT"),
        feat,
        C("OPTS HASH SHA-1"),
        S("200 SHA-1"),
        C("HASH f"),
        S(sha1),
    ];
    talk(&mut engine, hash(Some(Algorithm::Sha1)), &script).unwrap();
    // The same through a raw line, and through a new USER.
    talk(&mut engine, Op::Raw("REIN".into()), &[C("REIN"), S("220 again")]).unwrap();
    assert_eq!(engine.server().features, None);
    talk(
        &mut engine,
        Op::Raw("OPTS HASH MD5".into()),
        &[C("OPTS HASH MD5"), S("200 MD5")],
    )
    .unwrap();
    assert_eq!(engine.server().hash_selected, Some(Algorithm::Md5));
    let relogin = [C("USER bob"), S("230 in"), C("FEAT"), feat];
    talk(&mut engine, login("bob", "", None), &relogin).unwrap();
    assert_eq!(engine.server().hash_selected, None);
    // A server that answers with another algorithm than asked is caught.
    let script = [
        C("OPTS HASH SHA-1"),
        S("200 SHA-1"),
        C("HASH f"),
        S("213 SHA-256 0-10 ab f"),
    ];
    assert!(matches!(
        talk(&mut engine, hash(Some(Algorithm::Sha1)), &script),
        Err(Failure::Protocol(_))
    ));
}

#[test]
fn the_servers_type_is_tracked_through_every_path() {
    let mut engine = plain();
    talk(
        &mut engine,
        Op::Size("f".into()),
        &[C("TYPE I"), S("200 ok"), C("SIZE f"), S("213 5")],
    )
    .unwrap();
    assert_eq!(engine.server().server_type, Some(TransferType::Binary));
    talk(&mut engine, Op::Size("f".into()), &[C("SIZE f"), S("213 5")]).unwrap();
    // A raw TYPE A: the next binary command puts it back.
    talk(&mut engine, Op::Raw("TYPE A".into()), &[C("TYPE A"), S("200 ascii")]).unwrap();
    assert_eq!(engine.server().server_type, Some(TransferType::Ascii));
    talk(
        &mut engine,
        Op::Size("f".into()),
        &[C("TYPE I"), S("200 ok"), C("SIZE f"), S("213 5")],
    )
    .unwrap();
    // A refused TYPE leaves it unknown.
    let got = talk(
        &mut engine,
        Op::SetType(TransferType::Ascii),
        &[C("TYPE A"), S("504 no")],
    );
    assert_eq!(refused_code(got), 504);
    assert_eq!(engine.server().server_type, None);
    assert_eq!(engine.server().wanted_type, TransferType::Binary);
    talk(
        &mut engine,
        Op::SetType(TransferType::Ascii),
        &[C("TYPE A"), S("200 ok")],
    )
    .unwrap();
    assert_eq!(engine.server().wanted_type, TransferType::Ascii);
}

#[test]
fn late_transfer_replies_are_skipped_by_the_next_command() {
    let mut engine = plain();
    let got = talk(
        &mut engine,
        Op::bare("NOOP", Accept::Completion),
        &[C("NOOP"), S("226 late"), S("200 ok")],
    );
    assert_eq!(code(got), 200);
    let got = talk(
        &mut engine,
        Op::bare("NOOP", Accept::Completion),
        &[C("NOOP"), S("426 late\r\n200 ok")],
    );
    assert_eq!(code(got), 200);
}

#[test]
fn rename_and_set_time_chain_their_commands() {
    let mut engine = plain();
    let rename = || Op::Rename {
        from: "a".into(),
        to: "b".into(),
    };
    assert_eq!(
        code(talk(
            &mut engine,
            rename(),
            &[C("RNFR a"), S("350 ok"), C("RNTO b"), S("250 done")]
        )),
        250
    );
    assert_eq!(
        refused_code(talk(&mut engine, rename(), &[C("RNFR a"), S("550 none")])),
        550
    );
    assert_eq!(
        refused_code(talk(&mut engine, rename(), &[C("RNFR a"), S("200 odd")])),
        200
    );
    let set = || Op::SetTime {
        path: "f".into(),
        time: "20240101000000".into(),
    };
    let script = [C("MFMT 20240101000000 f"), S("213 ok")];
    assert_eq!(code(talk(&mut engine, set(), &script)), 213);
    let script = [
        C("MFMT 20240101000000 f"),
        S("502 no"),
        C("MDTM 20240101000000 f"),
        S("213 ok"),
    ];
    assert_eq!(code(talk(&mut engine, set(), &script)), 213);
    let script = [C("MFMT 20240101000000 f"), S("550 no file")];
    assert_eq!(refused_code(talk(&mut engine, set(), &script)), 550);
}

#[test]
fn faults_on_the_control_connection_close_the_session() {
    let noop = || Op::bare("NOOP", Accept::Completion);
    let cases: &[(&str, &[T], Failure)] = &[
        ("silence", &[C("NOOP"), Wait], Failure::Timeout("reply")),
        ("a hang-up", &[C("NOOP"), Hangup], Failure::Closed),
        (
            "a line that is no reply",
            &[C("NOOP"), S("hello there")],
            Failure::Protocol(ProtocolError::MalformedReply("hello there".into())),
        ),
        (
            "a code out of range",
            &[C("NOOP"), S("999 no")],
            Failure::Protocol(ProtocolError::CodeOutOfRange(999)),
        ),
    ];
    for (what, script, want) in cases {
        let mut engine = plain();
        assert_eq!(&talk(&mut engine, noop(), script).unwrap_err(), want, "{what}");
        assert!(engine.is_closed(), "{what}");
    }
    // An endless line: refused once past the bound, however it arrives.
    let mut engine = plain();
    engine.start(noop()).unwrap();
    assert!(matches!(engine.next(0, Input::Ready), Step::Send { .. }));
    let mut input = Input::Sent;
    let failure = loop {
        match engine.next(0, input) {
            Step::Receive { max, .. } => {
                assert!(max <= 514, "reads are bounded by the line bound: {max}");
                input = Input::Received(vec![b'2'; max]);
            }
            Step::Done(Err(failure)) => break failure,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(failure, Failure::Protocol(ProtocolError::LineTooLong(512)));
}

#[test]
fn a_step_asked_again_without_news_is_the_same_step() {
    let mut engine = plain();
    engine.start(Op::bare("NOOP", Accept::Completion)).unwrap();
    let first = engine.next(0, Input::Ready);
    assert_eq!(engine.next(0, Input::Ready), first);
    assert!(
        matches!(engine.next(0, Input::DataConnected), Step::Send { .. }),
        "an input out of turn is ignored"
    );
    let waiting = engine.next(0, Input::Sent);
    assert_eq!(engine.next(1, Input::Ready), waiting);
}

#[test]
fn the_trace_shows_each_line_with_secrets_masked() {
    let mut engine = plain();
    engine.set_trace(true);
    let script = [
        C("USER bob"),
        S("331 p"),
        C("PASS secret"),
        S("230 in"),
        C("FEAT"),
        NO_FEATURES,
    ];
    talk(&mut engine, login("bob", "secret", None), &script).unwrap();
    assert_eq!(
        engine.take_trace(),
        [
            "> USER bob",
            "< 331 p",
            "> PASS ****",
            "< 230 in",
            "> FEAT",
            "< 502 no FEAT"
        ]
    );
    let mut engine = transferring();
    engine.set_trace(true);
    talk(&mut engine, Op::Abort, &[Wait, C("ABOR"), C("PWD"), S("257 \"/\"")]).unwrap();
    assert_eq!(engine.take_trace(), ["> ABOR", "> PWD", "< 257 \"/\""]);
}

#[test]
fn quit_closes_whatever_the_answer() {
    let mut engine = plain();
    assert_eq!(
        code(talk(
            &mut engine,
            Op::Quit { goodbye: false },
            &[C("QUIT"), S("221 bye")]
        )),
        221
    );
    assert!(engine.is_closed());
    let mut engine = plain();
    engine.start(Op::Quit { goodbye: true }).unwrap();
    let Step::Send { until, .. } = engine.next(0, Input::Ready) else {
        panic!()
    };
    assert_eq!(until.at, GOODBYE_NS, "a goodbye waits briefly");
    assert!(matches!(engine.next(0, Input::Sent), Step::Receive { .. }));
    assert_eq!(
        engine.next(GOODBYE_NS, Input::TimedOut),
        Step::Done(Err(Failure::Timeout("reply")))
    );
    assert!(engine.is_closed());
}

#[test]
fn relays_need_clear_data() {
    assert!(matches!(
        secured(DataProtection::Private).start(Op::RelayListen),
        Err(Failure::Invalid(_))
    ));
    let mut engine = plain();
    let from = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 1025);
    let script = [
        C("TYPE I"),
        S("200 ok"),
        C("PORT 10,0,0,1,4,1"),
        S("200 ok"),
        C("STOR f"),
        S("150 ok"),
    ];
    let got = talk(
        &mut engine,
        Op::RelayStart {
            path: "f".into(),
            from: Some(from),
        },
        &script,
    );
    assert!(matches!(got, Ok(Outcome::Opened(_))));
    assert!(matches!(engine.phase(), Phase::Transfer { .. }));
}

/// Keep-alive NOOPs during a transfer: posted without waiting, and their
/// replies matched at the end wherever the server put them.
#[test]
fn keep_alive_replies_never_swallow_the_transfers_own() {
    let keep_alive = |engine: &mut Engine| talk(engine, Op::KeepAlive, &[C("NOOP")]).unwrap();
    // (what, NOOPs sent, the replies at the end, the code it ends with)
    let cases: &[(&str, usize, &[T], Codes)] = &[
        ("answered at once", 1, &[S("200 NOOP ok"), S("226 done")], Ok(226)),
        ("queued until the end", 1, &[S("226 done"), S("200 NOOP ok")], Ok(226)),
        (
            "some of each",
            2,
            &[S("200 NOOP ok"), S("226 done"), S("200 NOOP ok")],
            Ok(226),
        ),
        (
            "a failed transfer",
            2,
            &[S("200 a"), S("451 lost"), S("200 b")],
            Err(451),
        ),
        ("in one read", 1, &[S("200 NOOP ok\r\n226 done")], Ok(226)),
    ];
    for (what, noops, replies, want) in cases {
        let mut engine = transferring();
        for _ in 0..*noops {
            keep_alive(&mut engine);
        }
        assert!(
            matches!(engine.phase(), Phase::Transfer { noops: n, .. } if *n == *noops as u32),
            "{what}"
        );
        let got = talk(&mut engine, Op::Finish, replies);
        match (want, got) {
            (Ok(code), Ok(outcome)) => assert_eq!(outcome.into_reply().unwrap().code, *code, "{what}"),
            (Err(code), got) => assert_eq!(refused_code(got), *code, "{what}"),
            (want, got) => panic!("{what}: {want:?} {got:?}"),
        }
        // Nothing is left for the next command.
        let got = talk(
            &mut engine,
            Op::bare("PWD", Accept::Codes(&[257])),
            &[C("PWD"), S("257 \"/\"")],
        );
        assert_eq!(code(got), 257, "{what}");
    }
}

#[test]
fn keep_alive_with_an_early_final_reply_and_an_abort() {
    // The final reply came first: the NOOP's is still read.
    let mut engine = plain();
    let opening = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("RETR f"),
        S("226 sent"),
    ];
    talk(&mut engine, retr(0), &opening).unwrap();
    talk(&mut engine, Op::KeepAlive, &[C("NOOP")]).unwrap();
    assert_eq!(code(talk(&mut engine, Op::Finish, &[S("200 NOOP ok")])), 226);

    // An abort reads the NOOPs' replies on its way to the sentinel, beyond
    // its own bound.
    let mut engine = transferring();
    for _ in 0..4 {
        talk(&mut engine, Op::KeepAlive, &[C("NOOP")]).unwrap();
    }
    let script = [
        S("200 a"),
        C("ABOR"),
        C("PWD"),
        S("200 b"),
        S("200 c"),
        S("200 d"),
        S("426 aborted"),
        S("226 abort ok"),
        S("257 \"/\""),
    ];
    assert_eq!(talk(&mut engine, Op::Abort, &script), Ok(Outcome::Done));
    assert_eq!(engine.phase(), &Phase::Idle);

    // Only while a transfer is open.
    assert!(matches!(plain().start(Op::KeepAlive), Err(Failure::Invalid(_))));
}

/// With keep-alive on, the wait for a transfer's final reply (a server
/// still draining an upload) keeps the control connection busy too, and
/// still ends at the reply deadline.
#[test]
fn keep_alive_goes_on_while_the_final_reply_is_awaited() {
    let mut config = config(ControlSecurity::Plain);
    config.keep_alive_ns = Some(SECOND);
    let opening = [
        C("TYPE I"),
        S("200 ok"),
        C("EPSV"),
        S("229 (|||2000|)"),
        Connect(2000),
        C("STOR f"),
        S("150 ok"),
    ];
    let stor = || Op::Transfer {
        verb: "STOR",
        path: Some("f".into()),
        rest: 0,
    };
    let mut engine = Engine::new(config.clone());
    talk(&mut engine, stor(), &opening).unwrap();
    let script = [
        Wait,
        C("NOOP"),
        S("200 NOOP ok"),
        Wait,
        C("NOOP"),
        S("226 stored"),
        S("200 NOOP ok"),
    ];
    assert_eq!(code(talk(&mut engine, Op::Finish, &script)), 226);
    assert_eq!(engine.phase(), &Phase::Idle);

    // The NOOPs stop at the reply deadline, which ends the session.
    let mut engine = Engine::new(config);
    talk(&mut engine, stor(), &opening).unwrap();
    engine.start(Op::Finish).unwrap();
    let (mut now, mut input, mut noops) = (0, Input::Ready, 0);
    let failure = loop {
        match engine.next(now, input) {
            Step::Receive { until, .. } => {
                now = until.at;
                input = Input::TimedOut;
            }
            Step::Send { bytes, .. } => {
                assert_eq!(bytes, b"NOOP\r\n");
                noops += 1;
                input = Input::Sent;
            }
            Step::Done(result) => break result,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(failure, Err(Failure::Timeout("reply")));
    assert_eq!(noops, 9, "one a second within the ten-second reply deadline");
    assert!(engine.is_closed());
}
