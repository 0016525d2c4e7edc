//! The control connection's life: its opening (implicit TLS, the
//! greeting, AUTH TLS and its handshake, PBSZ and PROT), PROT later on,
//! CCC, and QUIT.

use super::command::Chain;
use super::{settle, unexpected};
use crate::proto::engine::state::{ControlSecurity, DataProtection, TlsMode};
use crate::proto::engine::task::{Cx, Event, Expect, Move, Task, Until};
use crate::proto::engine::{Accept, Deadline, Failure, Outcome, GOODBYE_NS};
use crate::proto::reply::{Class, Reply};

/// From a fresh connection to a session ready to log in. Every failure
/// closes it: the connection is not one to keep.
pub struct Open {
    until: Deadline,
    stage: OpenStage,
    welcome: Option<Reply>,
}

enum OpenStage {
    ImplicitTls,
    Greeting,
    Auth,
    Handshake,
    Pbsz,
    Prot,
}

impl Open {
    pub fn new(until: u64) -> Self {
        Self {
            until: Deadline {
                at: until,
                what: "connect",
            },
            stage: OpenStage::Greeting,
            welcome: None,
        }
    }

    fn greeting(&mut self) -> Move {
        self.stage = OpenStage::Greeting;
        Move::Await {
            expect: Expect::Final,
            until: Until::At(self.until),
            tell: false,
            handshake: false,
        }
    }

    /// After the greeting (or AUTH TLS): PBSZ and PROT where TLS is on.
    fn protect(&mut self, cx: &mut Cx<'_>) -> Move {
        match *cx.security {
            ControlSecurity::Secured { .. } => {
                self.stage = OpenStage::Pbsz;
                Move::send(b"PBSZ 0\r\n".to_vec())
            }
            _ => self.done(),
        }
    }

    fn done(&mut self) -> Move {
        match self.welcome.take() {
            Some(welcome) => Move::Done(Ok(Outcome::Reply(welcome))),
            None => Move::fail(Failure::Invalid("no greeting".into())),
        }
    }

    fn fail(cx: &mut Cx<'_>, failure: Failure) -> Move {
        cx.close();
        Move::fail(failure)
    }
}

impl Task for Open {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match (&self.stage, event) {
            (_, Event::Begin) => match *cx.security {
                ControlSecurity::Pending {
                    mode: TlsMode::Implicit,
                    ..
                } => {
                    self.stage = OpenStage::ImplicitTls;
                    Move::SecureControl(Until::At(self.until))
                }
                _ => self.greeting(),
            },
            (OpenStage::ImplicitTls, Event::ControlChanged) => {
                if let ControlSecurity::Pending { data, .. } = *cx.security {
                    *cx.security = ControlSecurity::Secured {
                        mode: TlsMode::Implicit,
                        data,
                    };
                }
                self.greeting()
            }
            (OpenStage::Greeting, Event::Reply(reply)) => {
                if reply.class() != Class::Completion {
                    return Self::fail(cx, Failure::Refused(reply));
                }
                self.welcome = Some(reply);
                match *cx.security {
                    ControlSecurity::Pending {
                        mode: TlsMode::Explicit,
                        ..
                    } => {
                        self.stage = OpenStage::Auth;
                        Move::send(b"AUTH TLS\r\n".to_vec())
                    }
                    _ => self.protect(cx),
                }
            }
            (OpenStage::Auth, Event::Reply(reply)) => {
                let ControlSecurity::Pending { allow_plaintext, .. } = *cx.security else {
                    return Self::fail(cx, Failure::Invalid("AUTH TLS without TLS asked for".into()));
                };
                if reply.code == 234 {
                    self.stage = OpenStage::Handshake;
                    return Move::SecureControl(Until::At(self.until));
                }
                if allow_plaintext && reply.class() != Class::Completion {
                    *cx.security = ControlSecurity::Plain;
                    return self.done();
                }
                Self::fail(cx, Failure::TlsRefused(reply))
            }
            (OpenStage::Handshake, Event::ControlChanged) => {
                if let ControlSecurity::Pending { data, .. } = *cx.security {
                    *cx.security = ControlSecurity::Secured {
                        mode: TlsMode::Explicit,
                        data,
                    };
                }
                self.protect(cx)
            }
            (OpenStage::Pbsz, Event::Reply(reply)) if reply.class() == Class::Completion => {
                self.stage = OpenStage::Prot;
                let level = match cx.security.data() {
                    DataProtection::Private => "P",
                    DataProtection::Clear => "C",
                };
                Move::send(format!("PROT {level}\r\n").into_bytes())
            }
            (OpenStage::Prot, Event::Reply(reply)) if reply.class() == Class::Completion => self.done(),
            (OpenStage::Pbsz | OpenStage::Prot, Event::Reply(reply)) => Self::fail(cx, Failure::Refused(reply)),
            (_, other) => {
                cx.close();
                unexpected(other)
            }
        }
    }
}

/// PROT P or C for the transfers from now on (ftplib's `prot_p`/`prot_c`),
/// on a session where TLS was negotiated; the state follows once the
/// server agrees (`state::after_command`).
pub fn protection(security: ControlSecurity, data: DataProtection) -> Result<Chain, Failure> {
    if security.mode().is_none() {
        return Err(Failure::Invalid("PROT is for a TLS session".into()));
    }
    let level = match data {
        DataProtection::Private => "P",
        DataProtection::Clear => "C",
    };
    Ok(Chain::one(format!("PROT {level}\r\n").into_bytes(), Accept::Completion))
}

/// CCC (RFC 4217 §6): after login, the control connection goes back to
/// plain text so a NAT firewall can follow it; data connections keep the
/// protection PROT set. A fault while TLS is ended closes the session.
pub struct Clear {
    reply: Option<Reply>,
}

impl Clear {
    pub fn new(security: ControlSecurity) -> Result<Self, Failure> {
        match security {
            ControlSecurity::Secured { .. } => Ok(Self { reply: None }),
            _ => Err(Failure::Invalid(
                "CCC is for a control connection secured by TLS".into(),
            )),
        }
    }
}

impl Task for Clear {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => Move::send(b"CCC\r\n".to_vec()),
            Event::Reply(reply) if reply.class() == Class::Completion => {
                self.reply = Some(reply);
                Move::ClearControl
            }
            Event::Reply(reply) => Move::fail(Failure::Refused(reply)),
            Event::ControlChanged => {
                if let ControlSecurity::Secured { mode, data } = *cx.security {
                    *cx.security = ControlSecurity::Cleared { mode, data };
                }
                match self.reply.take() {
                    Some(reply) => Move::Done(Ok(Outcome::Reply(reply))),
                    None => unexpected(Event::ControlChanged),
                }
            }
            other => unexpected(other),
        }
    }
}

/// QUIT, and the session closed whatever the answer. A dropped session's
/// goodbye waits `GOODBYE_NS` at most and takes any answer.
pub struct Quit {
    goodbye: bool,
}

impl Quit {
    pub fn new(goodbye: bool) -> Self {
        Self { goodbye }
    }
}

impl Task for Quit {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => {
                let until = if self.goodbye {
                    let wait = GOODBYE_NS.min(cx.config.reply_ns);
                    Until::At(Deadline {
                        at: cx.now.saturating_add(wait),
                        what: "reply",
                    })
                } else {
                    Until::Reply
                };
                Move::Send {
                    line: b"QUIT\r\n".to_vec(),
                    expect: if self.goodbye { Expect::Any } else { Expect::Answer },
                    until,
                    handshake: false,
                }
            }
            Event::Reply(reply) => {
                cx.close();
                settle(reply, if self.goodbye { Accept::Any } else { Accept::Completion })
            }
            other => {
                cx.close();
                unexpected(other)
            }
        }
    }
}
