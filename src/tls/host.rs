//! FTPS by the host, through `wasi:tls`: the TCP streams go to the host,
//! which returns plaintext streams. The connection then reads and writes
//! like plain TCP, so a binary transfer's stream can be handed to the
//! caller over TLS too. wasi:tls takes only a server name: trust and
//! session resumption are the host's configuration.

use crate::bindings::wasi::tls::types::{ClientConnection, ClientHandshake, FutureClientStreams};
use crate::error::TlsFailure;
use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::tcp::{Layer, TcpConn};
use wasi::io::poll::Pollable;
use wasi::io::streams::{InputStream, OutputStream};
use wasi::sockets::tcp::TcpSocket;

/// The streams a finished handshake gives.
type Secured = (ClientConnection, InputStream, OutputStream);

/// A handshake the host is running. The pollable is the future's child and
/// is declared first so it drops first.
pub struct Pending {
    ready: Pollable,
    future: FutureClientStreams,
    done: Option<Secured>,
    socket: TcpSocket,
}

impl Pending {
    /// Hands `tcp`'s streams to the host's TLS for `name`.
    pub fn start(tcp: TcpConn, name: &str) -> Self {
        let (input, output, socket) = tcp.into_parts();
        let future = ClientHandshake::finish(ClientHandshake::new(name, input, output));
        Self {
            ready: future.subscribe(),
            future,
            done: None,
            socket,
        }
    }

    /// Whether the handshake is complete, without waiting.
    pub fn handshake_step(&mut self, _: &Deadline) -> Result<bool> {
        if self.done.is_some() {
            return Ok(true);
        }
        match self.future.get() {
            None => Ok(false),
            Some(Ok(Ok(secured))) => {
                self.done = Some(secured);
                Ok(true)
            }
            Some(Ok(Err(e))) => Err(Error::Tls(TlsFailure::from_host(e.to_debug_string()))),
            Some(Err(())) => Err(Error::Tls(TlsFailure::Handshake(
                "the handshake was already taken".into(),
            ))),
        }
    }

    /// Waits for the handshake to complete.
    pub fn handshake(&mut self, deadline: &Deadline) -> Result<()> {
        while !self.handshake_step(deadline)? {
            deadline.wait(&self.ready)?;
        }
        Ok(())
    }

    /// Fires when the handshake has ended.
    pub fn readable(&self) -> &Pollable {
        &self.ready
    }

    /// The secured connection, once the handshake is complete.
    pub fn into_conn(self) -> Result<TcpConn> {
        let Pending {
            ready,
            future,
            done,
            socket,
        } = self;
        drop(ready);
        drop(future);
        let (tls, input, output) =
            done.ok_or_else(|| Error::Tls(TlsFailure::Handshake("the handshake is not complete".into())))?;
        Ok(TcpConn::layered(input, output, Box::new(HostTls(tls)), socket))
    }
}

/// The host's TLS connection under a `TcpConn`'s (plaintext) streams.
struct HostTls(ClientConnection);

impl Layer for HostTls {
    fn close_output(&self) {
        self.0.close_output();
    }
}
