//! The control conversation as one sans-IO machine. A driver starts an
//! operation (`Op`), then calls `next` with the time and what came of the
//! last step, and gets the next thing to do: send these bytes, read the
//! control connection until T, connect a data connection to this address,
//! secure or clear a connection, or done with this outcome. The engine
//! never touches a socket or a clock (time is a number of nanoseconds the
//! driver reads from its monotonic clock), so the native tests and the
//! fuzzers drive the very machine the component runs.
//!
//! One operation runs at a time (FTP is lock-step), and `next` is the one
//! call: it takes one input and answers one step, like rustls's
//! unbuffered connection. A driver may hold many engines and poll all
//! their connections from one thread.

mod ops;
mod reader;
mod state;
mod task;
#[cfg(test)]
mod tests;

pub use state::{ControlSecurity, DataProtection, Passive, Phase, Server, TlsMode, TransferType};

use super::command::CommandError;
use super::encoding::Encoding;
use super::hash::Algorithm;
use super::reply::Reply;
use super::trace::Trace;
use super::ProtocolError;
use reader::Reader;
use std::net::{IpAddr, SocketAddr};
use task::{Cx, Event, Expect, Move, Task, Until};

/// How the session talks, fixed when it connects.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a reply may take.
    pub reply_ns: u64,
    /// How long a data connection may take to connect.
    pub connect_ns: u64,
    /// The longest reply line accepted.
    pub max_line: usize,
    pub encoding: Encoding,
    /// Connect where PASV's reply points rather than to the control
    /// connection's peer.
    pub trust_pasv_host: bool,
    /// The control connection's peer: where data connections go.
    pub peer: IpAddr,
    /// The security asked for: `Plain`, or `Pending` with its mode.
    pub security: ControlSecurity,
    /// While a transfer's final reply is awaited, a NOOP this often (the
    /// driver sends them while data moves: `Op::KeepAlive`).
    pub keep_alive_ns: Option<u64>,
}

/// A moment on the driver's monotonic clock, and what a wait that ends
/// there was for (`reply`, `data connect`, `connect`), for the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub at: u64,
    pub what: &'static str,
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Write `bytes` to the control connection; then `Input::Sent`.
    Send { bytes: Vec<u8>, until: Deadline },
    /// Read at most `max` bytes from the control connection; then
    /// `Received`, `ControlClosed` or `TimedOut`. With `handshake`, the data
    /// connection's TLS handshake is driven meanwhile, and its end
    /// (`DataSecured`, `DataFailed`) may come instead.
    Receive {
        max: usize,
        until: Deadline,
        handshake: bool,
    },
    /// Connect a data connection to `to`; then `DataConnected` or `DataFailed`.
    Connect { to: SocketAddr, until: Deadline },
    /// Begin TLS on the data connection (PROT P); then `DataTlsStarted`.
    StartDataTls { until: Deadline },
    /// Complete the data connection's handshake; then `DataSecured`.
    FinishDataTls { until: Deadline },
    /// TLS on the control connection; then `ControlChanged`.
    SecureControl { until: Deadline },
    /// End TLS on the control connection (CCC); then `ControlChanged`.
    ClearControl { until: Deadline },
    /// The operation is over. On a transfer's success the data connection
    /// is the driver's to use; on failure it is dropped.
    Done(Result<Outcome, Failure>),
}

/// What came of the last step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Nothing yet: an operation's first call, or a wait that was cut short.
    Ready,
    Sent,
    Received(Vec<u8>),
    /// The wait ran to its deadline.
    TimedOut,
    /// The server ended the control connection.
    ControlClosed,
    /// The control connection failed; the driver keeps its error.
    ControlFailed,
    ControlChanged,
    DataConnected,
    /// The data connection failed to connect or to secure; `refused`: it
    /// was refused or unreachable (not timed out, not denied).
    DataFailed {
        refused: bool,
    },
    DataTlsStarted,
    DataSecured,
}

/// What an operation gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The reply that settled it.
    Reply(Reply),
    /// Done, with no reply to show (FEAT already known, say).
    Done,
    /// Where a server listens for a server-to-server copy.
    Listening(SocketAddr),
    /// A transfer is open (`Phase::Transfer`) and its data connection the driver's.
    Opened(Opened),
    Digest {
        algorithm: Algorithm,
        hex: String,
    },
}

impl Outcome {
    /// The reply, where the outcome has one.
    pub fn into_reply(self) -> Option<Reply> {
        match self {
            Outcome::Reply(reply) => Some(reply),
            Outcome::Opened(opened) => Some(opened.first),
            _ => None,
        }
    }
}

/// How a transfer began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// Its first reply (a 1xx, or the final reply that came first).
    pub first: Reply,
    /// A listing by MLSD (machine-readable), not LIST.
    pub machine: bool,
    /// A listing of a path CWD refused, listed directly: CWD's refusal,
    /// which is the answer if the listing holds nothing a parser reads.
    pub refusal: Option<Reply>,
}

/// Why an operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server's reply was not the one wanted (a 4xx or 5xx refusal, or
    /// an unexpected code); the session goes on.
    Refused(Reply),
    /// 421: the server is closing the connection; the session is closed.
    Closing(Reply),
    /// AUTH TLS refused where plaintext is not allowed.
    TlsRefused(Reply),
    /// The server broke the protocol: the session is closed where the
    /// connection can no longer be in step (a bad line), not where one
    /// reply's value was malformed.
    Protocol(ProtocolError),
    /// A deadline passed; the session is closed.
    Timeout(&'static str),
    /// The session is closed (or the server closed it).
    Closed,
    /// The call was wrong: nothing was sent.
    Invalid(String),
    /// The I/O the driver reported failed: its own error is the one to
    /// report (the session is closed if it was the control connection's).
    Reported,
}

impl From<CommandError> for Failure {
    fn from(e: CommandError) -> Self {
        Failure::Invalid(e.to_string())
    }
}

impl From<ProtocolError> for Failure {
    fn from(e: ProtocolError) -> Self {
        Failure::Protocol(e)
    }
}

/// Which final replies make a command a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// 2xx.
    Completion,
    Codes(&'static [u16]),
    /// Whatever the server answers (the raw command).
    Any,
}

impl Accept {
    pub fn admits(self, code: u16) -> bool {
        match self {
            Accept::Completion => (200..300).contains(&code),
            Accept::Codes(codes) => codes.contains(&code),
            Accept::Any => true,
        }
    }
}

/// A command's argument: a path (never empty) or free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Path(String),
    Text(String),
}

/// What a listing lists by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingKind {
    /// MLSD where FEAT offers MLST, else LIST made from inside the
    /// directory (curl's way: servers split LIST's argument at spaces).
    Auto,
    /// MLSD as the server sends it; with facts, `OPTS MLST` first.
    Mlsd {
        facts: Vec<String>,
    },
    Nlst,
}

/// An operation a driver starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// From a fresh control connection: TLS first where implicit, the
    /// greeting, then AUTH TLS (explicit) and PBSZ/PROT. The whole is held
    /// to `until`, the connect deadline (AUTH TLS's reply to its own).
    Open {
        until: u64,
    },
    Login {
        user: String,
        password: String,
        account: Option<String>,
    },
    /// FEAT, unless known since the last login.
    Features,
    Command {
        verb: &'static str,
        arg: Option<Arg>,
        accept: Accept,
    },
    /// A caller's own line (ftplib's `sendcmd`): whatever it answers.
    Raw(String),
    Rename {
        from: String,
        to: String,
    },
    /// MFMT, or where refused as unknown, MDTM with two arguments.
    SetTime {
        path: String,
        time: String,
    },
    /// SIZE, in the session's type.
    Size(String),
    SetType(TransferType),
    SetProtection(DataProtection),
    /// CCC: the control connection back to plain text.
    ClearControl,
    /// The server's digest of a file (HASH, or the older X commands).
    Hash {
        path: String,
        wanted: Option<Algorithm>,
    },
    /// Opens a transfer: TYPE, EPSV/PASV, the data connection, REST, the command.
    Transfer {
        verb: &'static str,
        path: Option<String>,
        rest: u64,
    },
    Listing {
        kind: ListingKind,
        path: Option<String>,
    },
    /// The open transfer's final reply, its data connection at its end
    /// (and the replies to its keep-alive NOOPs, wherever they fall).
    Finish,
    /// Ends the open transfer early, its data connection dropped.
    Abort,
    /// A NOOP while the transfer runs, so a middlebox that drops idle
    /// connections keeps the control connection; its reply is not awaited.
    KeepAlive,
    /// The source of a server-to-server copy: where its server listens.
    RelayListen,
    /// A server-to-server copy's side: STOR with the server connecting to
    /// `from`, or (no `from`) RETR from where `RelayListen` listens.
    RelayStart {
        path: String,
        from: Option<SocketAddr>,
    },
    /// QUIT; `goodbye` (a dropped session's) waits briefly, whatever comes.
    Quit {
        goodbye: bool,
    },
}

impl Op {
    /// A command with a path argument, 2xx for success.
    pub fn path(verb: &'static str, path: &str) -> Self {
        Op::Command {
            verb,
            arg: Some(Arg::Path(path.to_string())),
            accept: Accept::Completion,
        }
    }

    /// A command without an argument.
    pub fn bare(verb: &'static str, accept: Accept) -> Self {
        Op::Command {
            verb,
            arg: None,
            accept,
        }
    }

    /// Whether it needs an open transfer (else an idle session).
    fn on_transfer(&self) -> bool {
        matches!(self, Op::Finish | Op::Abort | Op::KeepAlive)
    }
}

/// How long a dropped session waits for the reply to its QUIT.
pub const GOODBYE_NS: u64 = 1_000_000_000;

/// How long an abort waits for the transfer's own final reply before ABOR
/// (at most half of the one reply deadline the whole abort gets).
pub const ABORT_GRACE_NS: u64 = 2_000_000_000;

/// Where the operation under way stands.
enum Wait {
    /// The task's next move is due, on this event.
    Due(Event),
    /// A line going out, and what follows once it is sent.
    Send {
        line: Vec<u8>,
        then: AfterSend,
    },
    Reply {
        expect: Expect,
        tell: bool,
        handshake: bool,
        /// The line this reply answers, for the transition after it.
        answers: Option<String>,
        timed_out: bool,
    },
    Connect(SocketAddr),
    StartDataTls,
    FinishDataTls,
    SecureControl,
    ClearControl,
}

/// What follows a line once it is sent.
#[derive(Clone, Copy)]
enum AfterSend {
    /// Its reply is awaited.
    Reply { expect: Expect, handshake: bool },
    /// It was posted: the task goes on (a keep-alive NOOP).
    Posted,
}

struct Running {
    task: Box<dyn Task>,
    wait: Wait,
    /// The current wait's deadline.
    until: Deadline,
}

pub struct Engine {
    config: Config,
    phase: Phase,
    security: ControlSecurity,
    server: Server,
    reader: Reader,
    trace: Option<Trace>,
    running: Option<Running>,
}

impl Engine {
    /// An engine for a control connection just made.
    pub fn new(config: Config) -> Self {
        Self {
            phase: Phase::Idle,
            security: config.security,
            server: Server::default(),
            reader: Reader::new(config.max_line, config.encoding),
            trace: None,
            running: None,
            config,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn security(&self) -> ControlSecurity {
        self.security
    }

    pub fn server(&self) -> &Server {
        &self.server
    }

    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed { .. })
    }

    /// Ends the session where it stands: nothing more is sent.
    pub fn close(&mut self) {
        self.running = None;
        if !self.is_closed() {
            self.phase = Phase::Closed { by: None };
        }
    }

    /// Starts (with a fresh record) or stops recording the conversation.
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on.then(|| Trace::new(self.config.encoding));
    }

    /// The conversation recorded since the last call.
    pub fn take_trace(&mut self) -> Vec<String> {
        self.trace.as_mut().map(Trace::take).unwrap_or_default()
    }

    /// Starts `op`, if the session is in the phase it needs; then `next`
    /// (with `Input::Ready`) gives its first step. A bad argument fails
    /// here, before anything is sent.
    pub fn start(&mut self, op: Op) -> Result<(), Failure> {
        if self.running.is_some() {
            return Err(Failure::Invalid("an operation is already under way".into()));
        }
        match (&self.phase, op.on_transfer()) {
            (Phase::Closed { .. }, _) => return Err(Failure::Closed),
            (Phase::Transfer { .. }, false) => {
                return Err(Failure::Invalid(
                    "a transfer is open on this session; finish or abort it first".into(),
                ))
            }
            (Phase::Idle, true) => return Err(Failure::Invalid("no transfer is open".into())),
            _ => {}
        }
        let task = ops::task(op, &self.config, &self.server, self.security)?;
        self.running = Some(Running {
            task,
            wait: Wait::Due(Event::Begin),
            until: Deadline { at: 0, what: "reply" },
        });
        Ok(())
    }

    /// The next step of the operation under way, given the time and what
    /// came of the last step. Asked again without news (`Input::Ready`),
    /// it answers the same step.
    pub fn next(&mut self, now: u64, input: Input) -> Step {
        let Some(mut run) = self.running.take() else {
            return Step::Done(Err(Failure::Invalid("no operation is under way".into())));
        };
        let mut input = input;
        loop {
            match self.advance(&mut run, now, std::mem::replace(&mut input, Input::Ready)) {
                Flow::Again => {}
                Flow::Step(step) => {
                    self.running = Some(run);
                    return step;
                }
                Flow::Done(result) => return Step::Done(result),
            }
        }
    }

    /// Ends the operation and the session with `failure`.
    fn fail_closed(&mut self, failure: Failure) -> Flow {
        self.close();
        Flow::Done(Err(failure))
    }

    fn advance(&mut self, run: &mut Running, now: u64, input: Input) -> Flow {
        let wait = std::mem::replace(&mut run.wait, Wait::Due(Event::Begin));
        match wait {
            Wait::Due(event) => {
                let mut cx = Cx {
                    config: &self.config,
                    server: &mut self.server,
                    security: &mut self.security,
                    phase: &mut self.phase,
                    now,
                };
                let step = run.task.on(event, &mut cx);
                self.begin(run, step, now)
            }
            Wait::Send { line, then } => match input {
                Input::Sent => match then {
                    AfterSend::Reply { expect, handshake } => {
                        let answers = Some(String::from_utf8_lossy(&line).into_owned());
                        run.wait = Wait::Reply {
                            expect,
                            tell: false,
                            handshake,
                            answers,
                            timed_out: false,
                        };
                        Flow::Again
                    }
                    AfterSend::Posted => self.due(run, Event::Posted),
                },
                Input::ControlFailed => self.fail_closed(Failure::Reported),
                Input::TimedOut => self.fail_closed(Failure::Timeout(run.until.what)),
                Input::ControlClosed => self.fail_closed(Failure::Closed),
                _ => {
                    let step = Step::Send {
                        bytes: line.clone(),
                        until: run.until,
                    };
                    run.wait = Wait::Send { line, then };
                    Flow::Step(step)
                }
            },
            Wait::Reply {
                expect,
                tell,
                handshake,
                answers,
                mut timed_out,
            } => {
                match input {
                    Input::Received(bytes) => self.reader.extend(&bytes),
                    Input::ControlClosed => return self.fail_closed(Failure::Closed),
                    Input::ControlFailed => return self.fail_closed(Failure::Reported),
                    Input::TimedOut => timed_out = true,
                    Input::DataSecured if handshake => {
                        run.wait = Wait::Due(Event::DataSecured);
                        return Flow::Again;
                    }
                    Input::DataFailed { .. } if handshake => {
                        run.wait = Wait::Due(Event::DataFailed { refused: false });
                        return Flow::Again;
                    }
                    _ => {}
                }
                self.take_reply(run, now, expect, tell, handshake, answers, timed_out)
            }
            Wait::Connect(to) => match input {
                Input::DataConnected => self.due(run, Event::DataConnected),
                Input::DataFailed { refused } => self.due(run, Event::DataFailed { refused }),
                Input::TimedOut => self.due(run, Event::DataFailed { refused: false }),
                _ => {
                    run.wait = Wait::Connect(to);
                    Flow::Step(Step::Connect { to, until: run.until })
                }
            },
            Wait::StartDataTls => match input {
                Input::DataTlsStarted => self.due(run, Event::DataTlsStarted),
                Input::DataFailed { .. } | Input::TimedOut => self.due(run, Event::DataFailed { refused: false }),
                _ => {
                    run.wait = Wait::StartDataTls;
                    Flow::Step(Step::StartDataTls { until: run.until })
                }
            },
            Wait::FinishDataTls => match input {
                Input::DataSecured => self.due(run, Event::DataSecured),
                Input::DataFailed { .. } | Input::TimedOut => self.due(run, Event::DataFailed { refused: false }),
                _ => {
                    run.wait = Wait::FinishDataTls;
                    Flow::Step(Step::FinishDataTls { until: run.until })
                }
            },
            Wait::SecureControl | Wait::ClearControl => {
                let secure = matches!(wait, Wait::SecureControl);
                match input {
                    Input::ControlChanged => self.due(run, Event::ControlChanged),
                    Input::ControlFailed => self.fail_closed(Failure::Reported),
                    Input::ControlClosed => self.fail_closed(Failure::Closed),
                    Input::TimedOut => self.fail_closed(Failure::Timeout(run.until.what)),
                    _ => {
                        let until = run.until;
                        run.wait = wait;
                        Flow::Step(if secure {
                            Step::SecureControl { until }
                        } else {
                            Step::ClearControl { until }
                        })
                    }
                }
            }
        }
    }

    fn due(&mut self, run: &mut Running, event: Event) -> Flow {
        run.wait = Wait::Due(event);
        Flow::Again
    }

    /// Takes the next whole reply the wait admits from what has arrived,
    /// or asks for more. Every reply passes here: 1xx and late transfer
    /// replies are skipped where the wait says so, a 421 ends the session
    /// (the one place it is handled), and the reply to a command moves the
    /// session's state on (`state::after_command`).
    #[allow(clippy::too_many_arguments)]
    fn take_reply(
        &mut self,
        run: &mut Running,
        now: u64,
        expect: Expect,
        tell: bool,
        handshake: bool,
        mut answers: Option<String>,
        timed_out: bool,
    ) -> Flow {
        loop {
            let reply = match self.reader.next_reply(self.trace.as_mut()) {
                Err(e) => return self.fail_closed(Failure::Protocol(e)),
                Ok(Some(reply)) => reply,
                Ok(None) if timed_out || now >= run.until.at => {
                    if tell {
                        return self.due(run, Event::TimedOut);
                    }
                    return self.fail_closed(Failure::Timeout(run.until.what));
                }
                Ok(None) => {
                    let step = Step::Receive {
                        max: self.reader.room(),
                        until: run.until,
                        handshake,
                    };
                    run.wait = Wait::Reply {
                        expect,
                        tell,
                        handshake,
                        answers,
                        timed_out: false,
                    };
                    return Flow::Step(step);
                }
            };
            if reply.code < 200 && expect != Expect::Any {
                continue;
            }
            if expect == Expect::Answer && super::conversation::is_late_transfer_reply(&reply) {
                continue;
            }
            if reply.code == 421 {
                self.phase = Phase::Closed {
                    by: Some(reply.clone()),
                };
                return Flow::Done(Err(Failure::Closing(reply)));
            }
            if reply.code >= 200 {
                if let Some(line) = answers.take() {
                    state::after_command(&mut self.server, &mut self.security, &line, &reply);
                }
            }
            return self.due(run, Event::Reply(reply));
        }
    }

    /// Records the lines of what is sent, one by one.
    fn trace_sent(&mut self, line: &[u8]) {
        if let Some(trace) = self.trace.as_mut() {
            for one in line.split_inclusive(|&b| b == b'\n') {
                trace.sent(one);
            }
        }
    }

    /// Sets up the wait a task's move asks for.
    fn begin(&mut self, run: &mut Running, step: Move, now: u64) -> Flow {
        let reply = Deadline {
            at: now.saturating_add(self.config.reply_ns),
            what: "reply",
        };
        let resolve = |until: Until, kept: Deadline| match until {
            Until::Reply => reply,
            Until::Keep => kept,
            Until::At(deadline) => deadline,
        };
        let change = match step {
            Move::SecureControl(_) => Some("AUTH TLS"),
            Move::ClearControl => Some("CCC"),
            _ => None,
        };
        if let Some(verb) = change.filter(|_| !self.reader.is_empty()) {
            // Bytes past the reply would cross from one side of the change
            // to the other (curl's CVE-2021-22947).
            return self.fail_closed(Failure::Protocol(ProtocolError::MalformedReply(format!(
                "data after the {verb} reply"
            ))));
        }
        match step {
            Move::Done(result) => return Flow::Done(result),
            Move::Send {
                line,
                expect,
                until,
                handshake,
            } => {
                self.trace_sent(&line);
                run.until = resolve(until, run.until);
                run.wait = Wait::Send {
                    line,
                    then: AfterSend::Reply { expect, handshake },
                };
            }
            Move::Await {
                expect,
                until,
                tell,
                handshake,
            } => {
                run.until = resolve(until, run.until);
                run.wait = Wait::Reply {
                    expect,
                    tell,
                    handshake,
                    answers: None,
                    timed_out: false,
                };
            }
            Move::Post(line) => {
                self.trace_sent(&line);
                run.until = reply;
                run.wait = Wait::Send {
                    line,
                    then: AfterSend::Posted,
                };
            }
            Move::Connect(to) => {
                run.until = Deadline {
                    at: now.saturating_add(self.config.connect_ns),
                    what: "data connect",
                };
                run.wait = Wait::Connect(to);
            }
            Move::StartDataTls => {
                run.until = reply;
                run.wait = Wait::StartDataTls;
            }
            Move::FinishDataTls => run.wait = Wait::FinishDataTls,
            Move::SecureControl(until) => {
                run.until = resolve(until, run.until);
                run.wait = Wait::SecureControl;
            }
            Move::ClearControl => {
                run.until = reply;
                run.wait = Wait::ClearControl;
            }
        }
        Flow::Again
    }
}

/// What one turn of the core came to.
enum Flow {
    /// Turn again: a task's move is due or a wait was set up.
    Again,
    Step(Step),
    Done(Result<Outcome, Failure>),
}
