//! What the conversation fuzzers share: a driver for the real engine
//! (`ftp_client::proto::engine`, the machine the component runs) that
//! answers each step from a fuzzed peer and checks, step by step, what must
//! hold whatever the server does: no panic, every operation ends in a
//! bounded number of turns, nothing but whole command lines is sent, reads
//! stay within the line bound, and the outcome agrees with the phase.

use ftp_client::proto::encoding::Encoding;
use ftp_client::proto::engine::{
    Accept, Config, ControlSecurity, DataProtection, Engine, Failure, Input, ListingKind, Op, Outcome, Phase, Step,
    TlsMode, TransferType,
};
use ftp_client::proto::hash::Algorithm;
use ftp_client::proto::listing::{parse_listing, Kind};
use ftp_client::proto::path::{is_plain_name, join};
use ftp_client::proto::time::Timestamp;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

pub const MAX_LINE: usize = 512;
const SECOND: u64 = 1_000_000_000;

/// The other side of the conversation: how each step the engine asks for
/// turns out. `consumed` counts what the peer has spent of its input
/// (bytes, or scripted answers), so the turns an operation takes can be
/// bounded by it.
pub trait Peer {
    fn answer(&mut self, step: &Step) -> Input;
    fn consumed(&self) -> usize;
}

/// An engine for a fuzzed configuration: its security and peer family.
pub fn engine(pick: u8) -> Engine {
    let security = match pick % 5 {
        0 | 1 => ControlSecurity::Plain,
        2 => ControlSecurity::Pending {
            mode: TlsMode::Explicit,
            allow_plaintext: pick & 0x10 != 0,
            data: DataProtection::Private,
        },
        3 => ControlSecurity::Pending {
            mode: TlsMode::Explicit,
            allow_plaintext: false,
            data: DataProtection::Clear,
        },
        _ => ControlSecurity::Pending {
            mode: TlsMode::Implicit,
            allow_plaintext: false,
            data: DataProtection::Private,
        },
    };
    Engine::new(Config {
        reply_ns: 10 * SECOND,
        connect_ns: 5 * SECOND,
        max_line: MAX_LINE,
        encoding: if pick & 0x20 != 0 {
            Encoding::Latin1
        } else {
            Encoding::Utf8
        },
        trust_pasv_host: pick & 0x40 != 0,
        peer: if pick & 0x80 != 0 {
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        },
        security,
        keep_alive_ns: (pick & 0x08 != 0).then_some(SECOND),
    })
}

/// The operation `pick` names, with arguments from `arg`.
pub fn op(pick: u8, arg: u8) -> Op {
    let path = match arg % 4 {
        0 => "f",
        1 => "a dir",
        2 => "-la",
        _ => "dir/f.txt",
    };
    let algorithm = [
        None,
        Some(Algorithm::Sha256),
        Some(Algorithm::Sha1),
        Some(Algorithm::Md5),
    ][usize::from(arg % 4)];
    match pick % 23 {
        0 => Op::Open { until: 5 * SECOND },
        1 => Op::Login {
            user: if arg & 1 == 0 { "bob".into() } else { String::new() },
            password: "pw".into(),
            account: (arg & 2 != 0).then(|| "acct".into()),
        },
        2 => Op::Features,
        3 => Op::bare("NOOP", Accept::Completion),
        4 => Op::Raw(["SITE CHMOD 644 f", "REIN", "TYPE A", "OPTS HASH SHA-1", "USER x"][usize::from(arg % 5)].into()),
        5 => Op::Rename {
            from: path.into(),
            to: "g".into(),
        },
        6 => Op::SetTime {
            path: path.into(),
            time: "20240101000000".into(),
        },
        7 => Op::Size(path.into()),
        8 => Op::SetType(if arg & 1 == 0 {
            TransferType::Binary
        } else {
            TransferType::Ascii
        }),
        9 => Op::SetProtection(if arg & 1 == 0 {
            DataProtection::Private
        } else {
            DataProtection::Clear
        }),
        10 => Op::ClearControl,
        11 => Op::Hash {
            path: path.into(),
            wanted: algorithm,
        },
        12 | 13 => Op::Transfer {
            verb: ["RETR", "STOR", "APPE", "STOU"][usize::from(arg % 4)],
            path: (arg % 4 != 3).then(|| path.into()),
            rest: u64::from(arg >> 4) * 1000,
        },
        14 => Op::Listing {
            kind: ListingKind::Auto,
            path: (arg & 4 != 0).then(|| path.into()),
        },
        15 => Op::Listing {
            kind: ListingKind::Mlsd {
                facts: if arg & 1 == 0 {
                    vec![]
                } else {
                    vec!["type".into(), "size".into()]
                },
            },
            path: (arg & 4 != 0).then(|| path.into()),
        },
        16 => Op::Listing {
            kind: ListingKind::Nlst,
            path: (arg & 4 != 0).then(|| path.into()),
        },
        17 | 18 => Op::Finish,
        19 => Op::Abort,
        20 => {
            if arg & 1 == 0 {
                Op::RelayListen
            } else {
                Op::RelayStart {
                    path: path.into(),
                    from: (arg & 2 != 0).then(|| SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 2121)),
                }
            }
        }
        21 => Op::Quit { goodbye: arg & 1 == 0 },
        _ => Op::KeepAlive,
    }
}

/// Runs `op` to its end, checking every step; `None` when the engine
/// refused to start it (which must leave the session as it was).
pub fn drive(engine: &mut Engine, op: Op, peer: &mut dyn Peer) -> Option<Result<Outcome, Failure>> {
    let before = engine.phase().clone();
    let ends_transfer = matches!(op, Op::Finish | Op::Abort);
    if let Err(failure) = engine.start(op) {
        assert!(
            matches!(failure, Failure::Invalid(_) | Failure::Closed),
            "a refused start is the caller's fault: {failure:?}"
        );
        assert_eq!(engine.phase(), &before, "a refused start changes nothing");
        return None;
    }
    let mut now = 0u64;
    let mut input = Input::Ready;
    let mut turns = 0usize;
    let start = peer.consumed();
    loop {
        // Every turn that waits on the server spends some of its input;
        // the others are bounded by the operation's own sequence.
        turns += 1;
        let spent = peer.consumed() - start;
        assert!(
            turns <= spent + 64,
            "an operation ends within its peer's input: {turns} turns for {spent} spent"
        );
        let step = engine.next(now, std::mem::replace(&mut input, Input::Ready));
        match &step {
            Step::Done(result) => {
                check_done(result, engine, ends_transfer);
                return Some(result.clone());
            }
            Step::Send { bytes, until } => {
                check_lines(bytes);
                assert!(until.at >= now);
            }
            Step::Receive { max, until, .. } => {
                assert!(
                    (1..=MAX_LINE + 2).contains(max),
                    "reads stay within the line bound: {max}"
                );
                now = now.max(until.at.saturating_sub(1));
            }
            Step::Connect { to, .. } => assert_ne!(to.port(), 0, "no connection to port 0"),
            _ => {}
        }
        input = peer.answer(&step);
        if input == Input::TimedOut {
            if let Step::Receive { until, .. } | Step::Connect { until, .. } | Step::Send { until, .. } = step {
                now = until.at;
            }
        }
    }
}

/// Command lines: CRLF-terminated, no other CR or LF, no NUL.
fn check_lines(bytes: &[u8]) {
    assert!(bytes.ends_with(b"\r\n"), "{bytes:?}");
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let body = line
            .strip_suffix(b"\r\n")
            .unwrap_or_else(|| panic!("a bare LF: {bytes:?}"));
        assert!(!body.contains(&b'\r') && !body.contains(&0), "{bytes:?}");
        assert!(!body.is_empty(), "an empty command line: {bytes:?}");
    }
}

fn check_done(result: &Result<Outcome, Failure>, engine: &Engine, ended_transfer: bool) {
    match result {
        Err(Failure::Closing(reply)) => {
            assert_eq!(reply.code, 421);
            assert!(matches!(engine.phase(), Phase::Closed { by: Some(r) } if r.code == 421));
        }
        Err(Failure::Timeout(_) | Failure::Closed) => assert!(engine.is_closed(), "{result:?}"),
        Err(Failure::Refused(reply) | Failure::TlsRefused(reply)) => {
            assert!((100..600).contains(&reply.code));
            assert_ne!(reply.code, 421, "a 421 is never a mere refusal");
        }
        Ok(Outcome::Opened(opened)) => {
            assert!(matches!(engine.phase(), Phase::Transfer { .. }), "{:?}", engine.phase());
            assert!((100..300).contains(&opened.first.code), "{:?}", opened.first);
        }
        Ok(Outcome::Reply(reply)) => assert!((100..600).contains(&reply.code)),
        _ => {}
    }
    if ended_transfer {
        assert!(
            !matches!(engine.phase(), Phase::Transfer { .. }),
            "Finish and Abort end the transfer"
        );
    }
}

/// A listing's names become local paths only when plain: whatever the
/// server lists, a name that passes stays one component below the root.
pub fn check_listing(body: &[u8], machine: bool, latin1: bool) {
    let now = Timestamp {
        seconds: 1_795_559_400,
        nanoseconds: 0,
    };
    let encoding = if latin1 { Encoding::Latin1 } else { Encoding::Utf8 };
    for entry in parse_listing(body, machine, now, encoding) {
        if entry.kind == Kind::Unparsed || !is_plain_name(&entry.name) {
            continue;
        }
        let path = join("/target", &entry.name);
        let parts: Vec<&str> = path.split('/').collect();
        assert_eq!(parts.len(), 3, "{path:?}: one component below /target");
        assert!(parts[2] != ".." && parts[2] != "." && !parts[2].is_empty(), "{path:?}");
    }
}
