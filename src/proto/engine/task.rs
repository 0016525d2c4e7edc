//! How one operation talks to the engine's core: the core hands it events
//! (a reply, a data connection's outcome, a wait that ran out) and it
//! answers with its next move. Sending, reading whole replies, deadlines,
//! late replies, 421 and the state transition after each command are the
//! core's, written once; a task holds only its own sequence.

use super::state::{ControlSecurity, Phase, Server};
use super::{Config, Deadline, Failure, Outcome};
use crate::proto::reply::Reply;
use std::net::SocketAddr;

/// What happened since the task's last move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The task starts.
    Begin,
    /// A reply the task waited for (never a 421: the core ends the session).
    Reply(Reply),
    /// A wait whose timeout the task asked to hear of ran out.
    TimedOut,
    DataConnected,
    /// The data connection could not be made (`refused`: the address
    /// refused or could not be reached) or its TLS failed.
    DataFailed {
        refused: bool,
    },
    DataTlsStarted,
    DataSecured,
    /// The control connection was secured or cleared as asked.
    ControlChanged,
    /// A line posted without waiting for its reply went out.
    Posted,
}

/// Which replies a wait hands to the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The next reply, preliminary (1xx) or not.
    Any,
    /// The next reply that is not 1xx (RFC 959: another follows those).
    Final,
    /// `Final`, skipping a late reply to an earlier transfer or abort
    /// (`conversation::is_late_transfer_reply`): any command's answer.
    Answer,
}

/// When a wait ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The reply deadline, from now.
    Reply,
    /// The deadline of the wait before (an exchange that goes on).
    Keep,
    At(Deadline),
}

/// A task's next move.
#[derive(Debug)]
pub enum Move {
    /// Send a command line and wait for its reply. The state transition
    /// after the command follows its answer. `handshake` as in `Await`.
    Send {
        line: Vec<u8>,
        expect: Expect,
        until: Until,
        handshake: bool,
    },
    /// Wait for a reply without sending. `tell`: a wait that runs out is
    /// the task's event, not the end of the session. `handshake`: the data
    /// connection's TLS handshake is under way and is driven meanwhile.
    Await {
        expect: Expect,
        until: Until,
        tell: bool,
        handshake: bool,
    },
    /// Send a line and go on without waiting for its reply (a keep-alive
    /// NOOP during a transfer, whose reply the transfer's end reads).
    Post(Vec<u8>),
    Connect(SocketAddr),
    StartDataTls,
    /// Complete the data connection's TLS handshake, by the wait's deadline.
    FinishDataTls,
    SecureControl(Until),
    ClearControl,
    Done(Result<Outcome, Failure>),
}

impl Move {
    /// The next reply that is not 1xx, by the reply deadline.
    pub fn await_final() -> Self {
        Move::Await {
            expect: Expect::Final,
            until: Until::Reply,
            tell: false,
            handshake: false,
        }
    }

    /// Sends a command and waits for its answer.
    pub fn send(line: Vec<u8>) -> Self {
        Move::Send {
            line,
            expect: Expect::Answer,
            until: Until::Reply,
            handshake: false,
        }
    }

    /// Waits for what a task asked to be told of, by the deadline before.
    pub fn await_kept(expect: Expect) -> Self {
        Move::Await {
            expect,
            until: Until::Keep,
            tell: false,
            handshake: false,
        }
    }

    pub fn fail(failure: Failure) -> Self {
        Move::Done(Err(failure))
    }
}

/// What a task may read and change of the session.
pub struct Cx<'a> {
    pub config: &'a Config,
    pub server: &'a mut Server,
    pub security: &'a mut ControlSecurity,
    pub phase: &'a mut Phase,
    /// The time, for deadlines a task sets itself.
    pub now: u64,
}

impl Cx<'_> {
    /// Ends the session: nothing more is sent.
    pub fn close(&mut self) {
        *self.phase = Phase::Closed { by: None };
    }
}

/// One operation's own sequence.
pub trait Task {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move;
}

/// A task run inside another: the outer forwards events until the inner is
/// done, then goes on with its result.
#[derive(Default)]
pub struct Inner(Option<Box<dyn Task>>);

/// What the inner task did with an event.
pub enum Sub {
    Move(Move),
    Done(Result<Outcome, Failure>),
}

impl Sub {
    /// The inner task's move; once it is done, `then` with its outcome
    /// (its failure ends the outer task too).
    pub fn then(self, then: impl FnOnce(Outcome) -> Move) -> Move {
        match self {
            Sub::Move(step) => step,
            Sub::Done(Ok(outcome)) => then(outcome),
            Sub::Done(Err(failure)) => Move::fail(failure),
        }
    }
}

impl Inner {
    pub fn is_running(&self) -> bool {
        self.0.is_some()
    }

    /// Starts `task` with its first event.
    pub fn start(&mut self, task: impl Task + 'static, cx: &mut Cx<'_>) -> Sub {
        self.0 = Some(Box::new(task));
        self.forward(Event::Begin, cx)
    }

    /// Runs `first` ahead of the outer task's own sequence: started on
    /// `Begin`, handed every event while it runs. `Err` gives back an
    /// event that is the outer task's own.
    pub fn before<T: Task + 'static>(
        &mut self,
        event: Event,
        cx: &mut Cx<'_>,
        first: impl FnOnce() -> T,
    ) -> Result<Sub, Event> {
        match event {
            Event::Begin => Ok(self.start(first(), cx)),
            event if self.is_running() => Ok(self.forward(event, cx)),
            event => Err(event),
        }
    }

    /// Hands `event` to the inner task (which must be running).
    pub fn forward(&mut self, event: Event, cx: &mut Cx<'_>) -> Sub {
        let Some(task) = self.0.as_mut() else {
            return Sub::Done(Err(Failure::Invalid("no inner task runs".into())));
        };
        match task.on(event, cx) {
            Move::Done(result) => {
                self.0 = None;
                Sub::Done(result)
            }
            other => Sub::Move(other),
        }
    }
}
