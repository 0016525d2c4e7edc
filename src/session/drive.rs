//! The engine's driver: one loop that asks the engine for its next step,
//! does it on the real connections with the deadline it names, and tells
//! the engine what came of it. An I/O error is kept here (the engine only
//! hears that the step failed) and is the one reported.

use super::Session;
use crate::error::{Error, Result};
use crate::net::clock;
use crate::net::deadline::Deadline;
use crate::net::tcp::TcpConn;
use crate::proto::engine::{self, Input, Op, Outcome, Step};
use crate::proto::proxy::Target;
#[cfg(feature = "secure")]
use crate::secure::Pending;
use crate::stream::Stream;

/// The data connection an operation is setting up.
pub enum Data {
    None,
    Tcp(TcpConn),
    #[cfg(feature = "secure")]
    Tls(Box<Pending>),
}

fn deadline(until: engine::Deadline) -> Deadline {
    Deadline::at(until.at, until.what)
}

impl Session {
    /// Carries `op` out to its outcome. A transfer's data connection is
    /// left for `take_data`; any other is dropped.
    pub(super) fn run(&mut self, op: Op) -> Result<Outcome> {
        if let Err(failure) = self.engine.start(op) {
            return Err(self.error(failure));
        }
        let mut input = Input::Ready;
        loop {
            input = match self.engine.next(clock::now(), input) {
                Step::Done(result) => return self.done(result),
                Step::Send { bytes, until } => self.send(&bytes, &deadline(until)),
                Step::Receive { max, until, handshake } => self.receive(max, &deadline(until), handshake),
                Step::Connect { to, until } => {
                    let from = self.options.source.map(|s| std::net::SocketAddr::new(s.ip(), 0));
                    let connected = match &self.options.proxy {
                        Some(proxy) => proxy.connect(&self.network, self.data_target(to), from, &deadline(until)),
                        None => TcpConn::connect(&self.network, to, from, &deadline(until)),
                    };
                    match connected {
                        Ok(conn) => {
                            self.data = Data::Tcp(conn);
                            Input::DataConnected
                        }
                        Err(e) => {
                            let refused = matches!(e, Error::Io(_));
                            self.keep(e, Input::DataFailed { refused })
                        }
                    }
                }
                Step::StartDataTls { until } => self.start_data_tls(&deadline(until)),
                Step::FinishDataTls { until } => self.finish_data_tls(&deadline(until)),
                Step::SecureControl { until } => self.secure_control(&deadline(until)),
                Step::ClearControl { until } => self.clear_control(&deadline(until)),
            };
        }
    }

    /// Where a data connection through the proxy goes: to the server's
    /// name where the control connection went by name and `to` is its peer.
    fn data_target(&self, to: std::net::SocketAddr) -> Target {
        match &self.far_name {
            Some(name) if to.ip() == self.engine.config().peer => Target::Name(name.clone(), to.port()),
            _ => Target::Addr(to),
        }
    }

    fn done(&mut self, result: Result<Outcome, engine::Failure>) -> Result<Outcome> {
        if self.engine.is_closed() {
            self.control = None;
        }
        if !matches!(result, Ok(Outcome::Opened(_))) {
            self.data = Data::None;
        }
        result.map_err(|failure| self.error(failure))
    }

    /// The error for an engine's failure.
    fn error(&mut self, failure: engine::Failure) -> Error {
        let reported = self.reported.take();
        Error::from_failure(failure, reported)
    }

    /// Keeps `e` for the engine's `Failure::Reported`.
    fn keep(&mut self, e: Error, input: Input) -> Input {
        self.reported = Some(e);
        input
    }

    /// The connection of the transfer just opened.
    pub(super) fn take_data(&mut self) -> Result<Stream> {
        match std::mem::replace(&mut self.data, Data::None) {
            Data::Tcp(conn) => Ok(Stream::Plain(conn)),
            #[cfg(feature = "secure")]
            Data::Tls(tls) => crate::secure::finish(*tls),
            Data::None => Err(Error::InvalidInput("the transfer has no data connection".into())),
        }
    }

    fn send(&mut self, bytes: &[u8], deadline: &Deadline) -> Input {
        let Some(control) = self.control.as_mut() else {
            return Input::ControlClosed;
        };
        match control
            .write_all(bytes, deadline)
            .and_then(|()| control.flush(deadline))
        {
            Ok(()) => Input::Sent,
            Err(Error::Timeout(_)) => Input::TimedOut,
            Err(e) => self.keep(e, Input::ControlFailed),
        }
    }

    /// Reads the control connection; with `handshake`, drives the data
    /// connection's TLS handshake meanwhile, waiting on both.
    fn receive(&mut self, max: usize, deadline: &Deadline, handshake: bool) -> Input {
        #[cfg(feature = "secure")]
        if handshake {
            return self.receive_beside_handshake(max, deadline);
        }
        #[cfg(not(feature = "secure"))]
        let _ = handshake;
        let Some(control) = self.control.as_mut() else {
            return Input::ControlClosed;
        };
        match control.read(max, deadline) {
            Ok(Some(bytes)) => Input::Received(bytes),
            Ok(None) => Input::ControlClosed,
            Err(Error::Timeout(_)) => Input::TimedOut,
            Err(e) => self.keep(e, Input::ControlFailed),
        }
    }

    #[cfg(feature = "secure")]
    fn receive_beside_handshake(&mut self, max: usize, deadline: &Deadline) -> Input {
        let (Some(control), Data::Tls(tls)) = (self.control.as_mut(), &mut self.data) else {
            return self.keep(
                Error::InvalidInput("no data handshake is under way".into()),
                Input::DataFailed { refused: false },
            );
        };
        loop {
            match tls.handshake_step(deadline) {
                Ok(true) => return Input::DataSecured,
                Ok(false) => {}
                Err(e) => return self.keep(e, Input::DataFailed { refused: false }),
            }
            match control.try_read(max, deadline) {
                Ok(Some(bytes)) if bytes.is_empty() => {}
                Ok(Some(bytes)) => return Input::Received(bytes),
                Ok(None) => return Input::ControlClosed,
                Err(Error::Timeout(_)) => return Input::TimedOut,
                Err(e) => return self.keep(e, Input::ControlFailed),
            }
            match deadline.wait_any(&[tls.readable(), control.readable()]) {
                Ok(()) => {}
                Err(Error::Timeout(_)) => return Input::TimedOut,
                Err(e) => return self.keep(e, Input::ControlFailed),
            }
        }
    }

    #[cfg(feature = "secure")]
    fn start_data_tls(&mut self, deadline: &Deadline) -> Input {
        let (Data::Tcp(tcp), Some(tls)) = (std::mem::replace(&mut self.data, Data::None), self.tls.as_ref()) else {
            let e = Error::InvalidInput("no data connection to secure".into());
            return self.keep(e, Input::DataFailed { refused: false });
        };
        match tls.start(tcp, deadline) {
            Ok(pending) => {
                self.data = Data::Tls(Box::new(pending));
                Input::DataTlsStarted
            }
            Err(e) => self.keep(e, Input::DataFailed { refused: false }),
        }
    }

    #[cfg(feature = "secure")]
    fn finish_data_tls(&mut self, deadline: &Deadline) -> Input {
        let Data::Tls(tls) = &mut self.data else {
            let e = Error::InvalidInput("no data handshake is under way".into());
            return self.keep(e, Input::DataFailed { refused: false });
        };
        match tls.handshake(deadline) {
            Ok(()) => Input::DataSecured,
            Err(e) => self.keep(e, Input::DataFailed { refused: false }),
        }
    }

    #[cfg(not(feature = "secure"))]
    fn start_data_tls(&mut self, _: &Deadline) -> Input {
        let e = Error::InvalidInput("this component was built without TLS".into());
        self.keep(e, Input::DataFailed { refused: false })
    }

    #[cfg(not(feature = "secure"))]
    fn finish_data_tls(&mut self, deadline: &Deadline) -> Input {
        self.start_data_tls(deadline)
    }

    /// TLS on the control connection (implicit FTPS, or after AUTH TLS).
    fn secure_control(&mut self, deadline: &Deadline) -> Input {
        let secured = match (self.control.take(), self.tls.as_ref()) {
            (Some(Stream::Plain(tcp)), Some(tls)) => tls.wrap(tcp, deadline),
            _ => Err(Error::InvalidInput(
                "the control connection cannot be secured: no TLS asked for, or already secured".into(),
            )),
        };
        match secured {
            Ok(stream) => {
                self.control = Some(stream);
                Input::ControlChanged
            }
            Err(e) => self.keep(e, Input::ControlFailed),
        }
    }

    /// CCC: close_notify both ways, then plain text on the same connection.
    /// Only where TLS is the component's own.
    fn clear_control(&mut self, deadline: &Deadline) -> Input {
        #[cfg(feature = "tls")]
        if let Some(Stream::Tls(tls)) = self.control.take() {
            return match tls.unwrap(deadline) {
                Ok(tcp) => {
                    self.control = Some(Stream::Plain(tcp));
                    Input::ControlChanged
                }
                Err(e) => self.keep(e, Input::ControlFailed),
            };
        }
        let _ = deadline;
        let e = Error::InvalidInput("the control connection is not secured by this component's TLS".into());
        self.keep(e, Input::ControlFailed)
    }
}
