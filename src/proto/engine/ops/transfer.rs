//! Data connections: passive mode (EPSV, PASV where refused or where the
//! port EPSV named refuses the connection), a transfer's start (TYPE,
//! REST, the PROT P handshake interleaved with the command's first reply,
//! what that reply means), its end, its abort, and the two sides of a
//! server-to-server copy.

use super::command::type_line;
use super::{line_in, unexpected};
use crate::proto::conversation::{self, epsv_falls_back, transfer_start, TransferStart};
use crate::proto::encoding::Encoding;
use crate::proto::engine::state::{ControlSecurity, DataProtection, Passive as Mode, Phase, TransferType};
use crate::proto::engine::task::{Cx, Event, Expect, Inner, Move, Task, Until};
use crate::proto::engine::{Deadline, Failure, Opened, Outcome, ABORT_GRACE_NS};
use crate::proto::passive::{parse_epsv, parse_pasv, port_command};
use crate::proto::reply::{Class, Reply};
use crate::proto::ProtocolError;
use std::net::{IpAddr, SocketAddr};

/// EPSV (or PASV where the server has refused EPSV): where the server now
/// listens. EPSV names a port on the control connection's peer; PASV's
/// address is used only where the caller trusts it.
#[derive(Default)]
pub struct Passive;

impl Task for Passive {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        let peer = cx.config.peer;
        match event {
            Event::Begin if cx.server.passive == Mode::TryEpsv => Move::send(b"EPSV\r\n".to_vec()),
            Event::Begin => Move::send(b"PASV\r\n".to_vec()),
            Event::Reply(reply) if reply.code == 229 => match parse_epsv(&reply.text()) {
                Ok(port) => listening(peer, port),
                Err(e) => Move::fail(Failure::Protocol(e)),
            },
            Event::Reply(reply) if reply.code == 227 => match parse_pasv(&reply.text()) {
                Ok((named, port)) => listening(
                    if cx.config.trust_pasv_host {
                        IpAddr::V4(named)
                    } else {
                        peer
                    },
                    port,
                ),
                Err(e) => Move::fail(Failure::Protocol(e)),
            },
            Event::Reply(reply)
                if cx.server.passive == Mode::TryEpsv && epsv_falls_back(reply.code, peer.is_ipv4()) =>
            {
                cx.server.passive = Mode::PasvOnly;
                Move::send(b"PASV\r\n".to_vec())
            }
            Event::Reply(reply) => Move::fail(Failure::Refused(reply)),
            other => unexpected(other),
        }
    }
}

fn listening(ip: IpAddr, port: u16) -> Move {
    Move::Done(Ok(Outcome::Listening(SocketAddr::new(ip, port))))
}

/// The data connection's TLS handshake, while the command's first reply
/// is awaited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Handshake {
    None,
    InFlight,
    Done,
    Failed,
}

/// Opens a transfer: TYPE if the server is in another, passive mode, the
/// data connection, REST for an offset, TLS on the data connection (PROT
/// P), the command, and what its first reply means.
pub struct Opening {
    line: Vec<u8>,
    rest: u64,
    /// Where a listing made from inside its directory goes back to.
    home: Option<String>,
    stage: Stage,
    passive: Inner,
    /// EPSV was asked for this connection (so a refused connection to its
    /// port may be retried through PASV, once).
    by_epsv: bool,
    handshake: Handshake,
    /// A first reply held while the data handshake completes.
    held: Option<Reply>,
    /// A stray 2xx before the 1xx was skipped (ftplib's rule: once).
    skipped: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Type,
    Passive,
    Connect,
    Rest,
    StartTls,
    Command,
    FinishTls,
}

impl Opening {
    pub fn new(line: Vec<u8>, rest: u64, home: Option<String>) -> Self {
        Self {
            line,
            rest,
            home,
            stage: Stage::Type,
            passive: Inner::default(),
            by_epsv: false,
            handshake: Handshake::None,
            held: None,
            skipped: false,
        }
    }

    fn passive(&mut self, cx: &mut Cx<'_>) -> Move {
        self.stage = Stage::Passive;
        self.by_epsv = cx.server.passive == Mode::TryEpsv;
        self.passive.start(Passive, cx).then(|outcome| self.connect(outcome))
    }

    fn connect(&mut self, outcome: Outcome) -> Move {
        match outcome {
            Outcome::Listening(to) => {
                self.stage = Stage::Connect;
                Move::Connect(to)
            }
            _ => Move::fail(Failure::Invalid("passive mode gave no address".into())),
        }
    }

    /// Connected: REST, then TLS or the command.
    fn connected(&mut self, cx: &mut Cx<'_>) -> Move {
        if self.rest > 0 {
            self.stage = Stage::Rest;
            return Move::send(format!("REST {}\r\n", self.rest).into_bytes());
        }
        self.secure_or_send(cx)
    }

    fn secure_or_send(&mut self, cx: &mut Cx<'_>) -> Move {
        if cx.security.data() == DataProtection::Private {
            self.stage = Stage::StartTls;
            return Move::StartDataTls;
        }
        self.send()
    }

    fn send(&mut self) -> Move {
        self.stage = Stage::Command;
        Move::Send {
            line: self.line.clone(),
            expect: Expect::Any,
            until: Until::Reply,
            handshake: self.handshake == Handshake::InFlight,
        }
    }

    /// The command's first reply, with PROT P's rules: a refusal means no
    /// data connection will be used (its handshake is abandoned); any other
    /// reply needs the handshake complete. Servers differ in order:
    /// vsftpd sends 150 and then accepts TLS, ProFTPD completes TLS first.
    fn first_reply(&mut self, reply: Reply, cx: &mut Cx<'_>) -> Move {
        let refusal = matches!(reply.class(), Class::Transient | Class::Permanent);
        match self.handshake {
            Handshake::InFlight | Handshake::Failed if refusal => Move::fail(Failure::Refused(reply)),
            Handshake::InFlight => {
                self.held = Some(reply);
                self.stage = Stage::FinishTls;
                Move::FinishDataTls
            }
            Handshake::Failed => {
                cx.close();
                Move::fail(Failure::Reported)
            }
            Handshake::None | Handshake::Done => started(reply, &mut self.skipped, &mut self.home, cx),
        }
    }
}

impl Task for Opening {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        if self.passive.is_running() {
            return self.passive.forward(event, cx).then(|outcome| self.connect(outcome));
        }
        match (self.stage, event) {
            (_, Event::Begin) => match type_line(cx.server, cx.server.wanted_type) {
                Some(line) => Move::send(line),
                None => self.passive(cx),
            },
            (Stage::Type, Event::Reply(reply)) if reply.class() == Class::Completion => self.passive(cx),
            (Stage::Connect, Event::DataConnected) => self.connected(cx),
            // As curl does: a refused connection to the port EPSV named is
            // retried once through PASV, and the session keeps to PASV.
            (Stage::Connect, Event::DataFailed { refused: true })
                if self.by_epsv && cx.server.passive == Mode::TryEpsv && cx.config.peer.is_ipv4() =>
            {
                cx.server.passive = Mode::PasvOnly;
                self.passive(cx)
            }
            (Stage::Connect | Stage::StartTls, Event::DataFailed { .. }) => Move::fail(Failure::Reported),
            (Stage::Rest, Event::Reply(reply)) if reply.code == 350 => self.secure_or_send(cx),
            (Stage::StartTls, Event::DataTlsStarted) => {
                self.handshake = Handshake::InFlight;
                self.send()
            }
            (Stage::Command, Event::DataSecured) => {
                self.handshake = Handshake::Done;
                Move::await_kept(Expect::Any)
            }
            // A server that refuses the command may drop the data
            // connection mid-handshake: its reply says which it was.
            (Stage::Command, Event::DataFailed { .. }) => {
                self.handshake = Handshake::Failed;
                Move::await_kept(Expect::Any)
            }
            (Stage::Command, Event::Reply(reply)) => self.first_reply(reply, cx),
            (Stage::FinishTls, Event::DataSecured) => {
                self.handshake = Handshake::Done;
                match self.held.take() {
                    Some(reply) => started(reply, &mut self.skipped, &mut self.home, cx),
                    None => unexpected(Event::DataSecured),
                }
            }
            (Stage::FinishTls, Event::DataFailed { .. }) => {
                cx.close();
                Move::fail(Failure::Reported)
            }
            (Stage::Type | Stage::Rest, Event::Reply(reply)) => Move::fail(Failure::Refused(reply)),
            (_, other) => unexpected(other),
        }
    }
}

/// What a transfer command's first reply means (`conversation::transfer_start`):
/// the transfer is open (the session in `Phase::Transfer`), already over
/// (its final reply kept for `Finish`), one more reply to read, or refused.
fn started(reply: Reply, skipped: &mut bool, home: &mut Option<String>, cx: &mut Cx<'_>) -> Move {
    let early_final = match transfer_start(reply.code, *skipped) {
        TransferStart::Open => None,
        TransferStart::AlreadyDone => Some(reply.clone()),
        TransferStart::ReadNext => {
            *skipped = true;
            return Move::Await {
                expect: Expect::Any,
                until: Until::Reply,
                tell: false,
                handshake: false,
            };
        }
        TransferStart::Closing => {
            cx.close();
            return Move::fail(Failure::Closing(reply));
        }
        TransferStart::Refused => return Move::fail(Failure::Refused(reply)),
    };
    *cx.phase = Phase::Transfer {
        early_final,
        home: home.take(),
        noops: 0,
    };
    Move::Done(Ok(Outcome::Opened(Opened {
        first: reply,
        machine: false,
        refusal: None,
    })))
}

/// After a transfer or listing: back to the directory a listing was made
/// from, where there is one. The first failure is the one reported.
fn go_home(
    home: Option<String>,
    result: Result<Outcome, Failure>,
    cx: &mut Cx<'_>,
) -> (Move, Option<Result<Outcome, Failure>>) {
    match home {
        Some(home) if !matches!(cx.phase, Phase::Closed { .. }) => {
            match line_in("CWD", Some(&home), cx.config.encoding) {
                Ok(line) => (Move::send(line), Some(result)),
                Err(failure) => (Move::Done(result.and(Err(failure))), None),
            }
        }
        _ => (Move::Done(result), None),
    }
}

/// The open transfer's final reply (its data connection at its end), or
/// the one that came first; 2xx is success. The replies to keep-alive
/// NOOPs are read wherever they fall: a 200 while NOOPs are unanswered is
/// one of theirs (servers answer at once, or queue NOOP until the
/// transfer ends), anything else is the transfer's; so its final reply is
/// never taken for a NOOP's, nor a NOOP's left for the next command. With
/// keep-alive on, NOOPs go on while the final reply is awaited (a server
/// still draining an upload may take long over it). Then home, for a
/// listing.
#[derive(Default)]
pub struct Finish {
    home: Option<String>,
    noops: u32,
    /// The transfer's final reply, while NOOPs' replies are still to come.
    last: Option<Reply>,
    /// The transfer's result, while the listing goes home.
    result: Option<Result<Outcome, Failure>>,
    /// When the wait for the final reply gives up.
    until: Option<Deadline>,
}

impl Finish {
    /// The transfer's final reply is in: the NOOPs' still to come, then home.
    fn ended(&mut self, reply: Reply, cx: &mut Cx<'_>) -> Move {
        if self.noops > 0 {
            self.last = Some(reply);
            return Move::await_final();
        }
        let result = if reply.class() == Class::Completion {
            Ok(Outcome::Reply(reply))
        } else {
            Err(Failure::Refused(reply))
        };
        let (step, pending) = go_home(self.home.take(), result, cx);
        self.result = pending;
        step
    }

    /// Waits for the transfer's final reply: until the reply deadline, or
    /// with keep-alive on, until the next NOOP is due.
    fn await_final(&mut self, cx: &Cx<'_>) -> Move {
        let until = *self.until.get_or_insert(Deadline {
            at: cx.now.saturating_add(cx.config.reply_ns),
            what: "reply",
        });
        match cx.config.keep_alive_ns {
            Some(every) if self.last.is_none() && cx.now.saturating_add(every) < until.at => Move::Await {
                expect: Expect::Final,
                until: Until::At(Deadline {
                    at: cx.now.saturating_add(every),
                    what: "reply",
                }),
                tell: true,
                handshake: false,
            },
            _ => Move::Await {
                expect: Expect::Final,
                until: Until::At(until),
                tell: false,
                handshake: false,
            },
        }
    }
}

/// The open transfer's phase, which the session leaves now: its early
/// final reply, the way home, and the NOOPs unanswered.
fn leave_transfer(cx: &mut Cx<'_>) -> (Option<Reply>, Option<String>, u32) {
    match std::mem::replace(cx.phase, Phase::Idle) {
        Phase::Transfer {
            early_final,
            home,
            noops,
        } => (early_final, home, noops),
        other => {
            *cx.phase = other;
            (None, None, 0)
        }
    }
}

impl Task for Finish {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => {
                let (early_final, home, noops) = leave_transfer(cx);
                self.home = home;
                self.noops = noops;
                match early_final {
                    Some(reply) => self.ended(reply, cx),
                    None => self.await_final(cx),
                }
            }
            // Still no final reply, and a NOOP is due.
            Event::TimedOut => Move::Post(b"NOOP\r\n".to_vec()),
            Event::Posted => {
                self.noops += 1;
                self.await_final(cx)
            }
            // CWD home answered: the transfer's result stands, unless it
            // was a success and going home failed.
            Event::Reply(reply) if self.result.is_some() => match self.result.take() {
                Some(Ok(_)) if reply.class() != Class::Completion => Move::fail(Failure::Refused(reply)),
                Some(result) => Move::Done(result),
                None => unexpected(Event::Reply(reply)),
            },
            // A NOOP's reply, after the transfer's own or before it.
            Event::Reply(reply) if self.noops > 0 && (self.last.is_some() || reply.code == 200) => {
                self.noops -= 1;
                match self.last.take() {
                    Some(last) => self.ended(last, cx),
                    None => self.await_final(cx),
                }
            }
            Event::Reply(reply) => self.ended(reply, cx),
            other => unexpected(other),
        }
    }
}

/// A NOOP while a transfer runs; its reply is left for the transfer's end.
pub struct KeepAlive;

impl Task for KeepAlive {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => Move::Post(b"NOOP\r\n".to_vec()),
            Event::Posted => {
                if let Phase::Transfer { noops, .. } = cx.phase {
                    *noops += 1;
                }
                Move::Done(Ok(Outcome::Done))
            }
            other => unexpected(other),
        }
    }
}

/// Ends an open transfer early; the driver has already dropped the data
/// connection. Most servers then send the transfer's final reply (426, or
/// 226 if it had just completed) at once, so that is awaited briefly
/// first. Then ABOR goes out with a sentinel behind it
/// (`conversation::ABORT_SENTINEL`): servers answer ABOR with 426+226,
/// 225, 226 or even 200, and some report the transfer late, so replies are
/// read until the sentinel's shows the connection is back in step. The
/// whole abort gets one reply deadline; failing it closes the session.
#[derive(Default)]
pub struct Abort {
    until: Option<Deadline>,
    /// Replies read since the sentinel went out.
    replies: usize,
    /// The most that may come before the sentinel's: the abort's own and
    /// those of the keep-alive NOOPs still unanswered.
    most: usize,
    home: Option<String>,
    going_home: bool,
}

impl Task for Abort {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => {
                let (early_final, home, noops) = leave_transfer(cx);
                self.most = conversation::ABORT_MAX_REPLIES + noops as usize;
                if early_final.is_some() && noops == 0 {
                    return self.home(home, cx);
                }
                self.home = home;
                let reply_ns = cx.config.reply_ns;
                self.until = Some(Deadline {
                    at: cx.now.saturating_add(reply_ns),
                    what: "reply",
                });
                Move::Await {
                    expect: Expect::Final,
                    until: Until::At(Deadline {
                        at: cx.now.saturating_add(ABORT_GRACE_NS.min(reply_ns / 2)),
                        what: "reply",
                    }),
                    tell: true,
                    handshake: false,
                }
            }
            Event::Reply(_) if self.going_home => Move::Done(Ok(Outcome::Done)),
            // The grace wait's end, however it came: ABOR and the sentinel.
            Event::Reply(_) | Event::TimedOut if self.replies == 0 && self.until.is_some() => {
                self.replies = 1;
                Move::Send {
                    line: conversation::ABORT_SENTINEL.to_vec(),
                    expect: Expect::Final,
                    until: self.until.map_or(Until::Reply, Until::At),
                    handshake: false,
                }
            }
            Event::Reply(reply) if conversation::ends_abort(&reply) => {
                let home = self.home.take();
                self.home(home, cx)
            }
            Event::Reply(_) if self.replies < self.most => {
                self.replies += 1;
                Move::await_kept(Expect::Final)
            }
            Event::Reply(_) => {
                cx.close();
                Move::fail(Failure::Protocol(ProtocolError::MalformedReply(
                    "no reply to the abort's sentinel".into(),
                )))
            }
            other => {
                cx.close();
                unexpected(other)
            }
        }
    }
}

impl Abort {
    fn home(&mut self, home: Option<String>, cx: &mut Cx<'_>) -> Move {
        let (step, pending) = go_home(home, Ok(Outcome::Done), cx);
        self.going_home = pending.is_some();
        step
    }
}

/// The data connections of a server-to-server copy run between the two
/// servers: they cannot secure them without extensions (SSCN, CPSV) few
/// offer, and the bytes are copied as they are (TYPE I).
fn relay_ready(security: ControlSecurity) -> Result<(), Failure> {
    if security.data() == DataProtection::Private {
        return Err(Failure::Invalid(
            "a server-to-server copy needs clear data connections (PROT C) on both sessions".into(),
        ));
    }
    Ok(())
}

/// The source side's first step: TYPE I, then where its server listens,
/// by the same rule as a data connection's.
pub struct RelayListen {
    passive: Inner,
}

impl RelayListen {
    pub fn new(security: ControlSecurity) -> Result<Self, Failure> {
        relay_ready(security)?;
        Ok(Self {
            passive: Inner::default(),
        })
    }
}

impl Task for RelayListen {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        if self.passive.is_running() {
            return self.passive.forward(event, cx).then(|o| Move::Done(Ok(o)));
        }
        match event {
            Event::Begin => match type_line(cx.server, TransferType::Binary) {
                Some(line) => Move::send(line),
                None => self.passive.start(Passive, cx).then(|o| Move::Done(Ok(o))),
            },
            Event::Reply(reply) if reply.class() == Class::Completion => {
                self.passive.start(Passive, cx).then(|o| Move::Done(Ok(o)))
            }
            Event::Reply(reply) => Move::fail(Failure::Refused(reply)),
            other => unexpected(other),
        }
    }
}

/// A side of a server-to-server copy: the target (PORT/EPRT to where the
/// source listens, then STOR) or the source (RETR); open once its first
/// reply says so, as a transfer is.
pub struct RelayStart {
    /// TYPE I (if need be), PORT or EPRT (the target), then the command.
    lines: Vec<Vec<u8>>,
    skipped: bool,
    home: Option<String>,
}

impl RelayStart {
    pub fn new(
        security: ControlSecurity,
        path: &str,
        from: Option<SocketAddr>,
        encoding: Encoding,
    ) -> Result<Self, Failure> {
        relay_ready(security)?;
        let mut lines = Vec::new();
        let verb = match from {
            Some(from) => {
                let (port_verb, address) = port_command(from);
                lines.push(line_in(port_verb, Some(&address), encoding)?);
                "STOR"
            }
            None => "RETR",
        };
        lines.push(line_in(verb, Some(path), encoding)?);
        lines.reverse();
        Ok(Self {
            lines,
            skipped: false,
            home: None,
        })
    }

    fn send_next(&mut self) -> Move {
        match self.lines.pop() {
            Some(line) if self.lines.is_empty() => Move::Send {
                line,
                expect: Expect::Any,
                until: Until::Reply,
                handshake: false,
            },
            Some(line) => Move::send(line),
            None => Move::fail(Failure::Invalid("nothing to send".into())),
        }
    }
}

impl Task for RelayStart {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => {
                if let Some(line) = type_line(cx.server, TransferType::Binary) {
                    self.lines.push(line);
                }
                self.send_next()
            }
            Event::Reply(reply) if !self.lines.is_empty() => {
                if reply.class() != Class::Completion {
                    return Move::fail(Failure::Refused(reply));
                }
                self.send_next()
            }
            Event::Reply(reply) => started(reply, &mut self.skipped, &mut self.home, cx),
            other => unexpected(other),
        }
    }
}
