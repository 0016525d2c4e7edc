//! A connected TCP stream with deadline-bounded reads and writes.

use super::convert::{map_socket_error, to_wasi};
use super::deadline::Deadline;
use crate::error::{Error, Result};
use std::net::SocketAddr;
use wasi::io::poll::Pollable;
use wasi::io::streams::{InputStream, OutputStream, StreamError};
use wasi::sockets::network::{ErrorCode, IpAddressFamily, IpSocketAddress, Network};
use wasi::sockets::tcp::{ShutdownType, TcpSocket};
use wasi::sockets::tcp_create_socket::create_tcp_socket;

/// The network the host gave this component instance.
pub fn instance_network() -> Network {
    wasi::sockets::instance_network::instance_network()
}

/// A failed connect, naming the address it tried.
fn connect_error(code: ErrorCode, to: SocketAddr) -> Error {
    match map_socket_error(code) {
        Error::AccessDenied(_) => Error::AccessDenied(format!("the host grants no connection to {to}")),
        Error::Io(e) => Error::Io(format!("{to}: {e}")),
        other => other,
    }
}

fn map_stream_error(e: StreamError) -> Error {
    match e {
        StreamError::Closed => Error::Io("connection closed".into()),
        StreamError::LastOperationFailed(err) => {
            let text = err.to_debug_string();
            // The host's TLS under a layered connection reports a server's
            // alert about the client's certificate as a stream error.
            #[cfg(feature = "secure")]
            if let Some(refused) = crate::error::TlsFailure::client_certificate_refused(&text) {
                return Error::Tls(refused);
            }
            Error::Io(text)
        }
    }
}

/// Binds `socket` to the local address `from`, which must be of the
/// family of the address it will connect to.
fn bind(socket: &TcpSocket, network: &Network, from: SocketAddr, ready: &Pollable, deadline: &Deadline) -> Result<()> {
    let fail = |code: ErrorCode| match map_socket_error(code) {
        Error::AccessDenied(_) => Error::AccessDenied(format!("the host grants no binding to {from}")),
        Error::Io(e) => Error::Io(format!("binding to {from}: {e}")),
        other => other,
    };
    socket
        .start_bind(network, to_wasi(from.ip(), from.port()))
        .map_err(fail)?;
    loop {
        match socket.finish_bind() {
            Ok(()) => return Ok(()),
            Err(ErrorCode::WouldBlock) => deadline.wait(ready)?,
            Err(e) => return Err(fail(e)),
        }
    }
}

/// What a connection's streams may come from instead of the socket itself
/// (the host's TLS, in that build): it must outlive them, and it is told
/// when the sending side ends. This layer knows nothing more of it.
pub trait Layer {
    /// Starts ending the sending side (TLS: close_notify); the output
    /// stream reports closed once that is out.
    fn close_output(&self);
}

/// A connected socket. Child resources (pollables, then streams) are declared
/// first so they drop before their parents, as the component model requires.
pub struct TcpConn {
    readable: Pollable,
    writable: Pollable,
    input: InputStream,
    output: OutputStream,
    /// The layer whose streams these are, if any (their parent).
    layer: Option<Box<dyn Layer>>,
    socket: TcpSocket,
}

impl TcpConn {
    /// Connects to `to`, first binding to `from` when the caller chose the
    /// local address (ftplib's `source_address`).
    pub fn connect(network: &Network, to: SocketAddr, from: Option<SocketAddr>, deadline: &Deadline) -> Result<Self> {
        let family = match to {
            SocketAddr::V4(_) => IpAddressFamily::Ipv4,
            SocketAddr::V6(_) => IpAddressFamily::Ipv6,
        };
        let fail = |code| connect_error(code, to);
        let socket = create_tcp_socket(family).map_err(fail)?;
        let ready = socket.subscribe();
        if let Some(from) = from {
            bind(&socket, network, from, &ready, deadline)?;
        }
        socket
            .start_connect(network, to_wasi(to.ip(), to.port()))
            .map_err(fail)?;
        let (input, output) = loop {
            match socket.finish_connect() {
                Ok(streams) => break streams,
                Err(ErrorCode::WouldBlock) => deadline.wait(&ready)?,
                Err(e) => return Err(fail(e)),
            }
        };
        drop(ready);
        Ok(Self {
            readable: input.subscribe(),
            writable: output.subscribe(),
            input,
            output,
            layer: None,
            socket,
        })
    }

    /// A connection whose streams are `layer`'s (the host's TLS: its
    /// plaintext ones) over `socket`. Only the host-TLS build layers.
    #[cfg_attr(not(feature = "host-tls"), allow(dead_code))]
    pub fn layered(input: InputStream, output: OutputStream, layer: Box<dyn Layer>, socket: TcpSocket) -> Self {
        Self {
            readable: input.subscribe(),
            writable: output.subscribe(),
            input,
            output,
            layer: Some(layer),
            socket,
        }
    }

    /// The streams and socket, for a layer to take the streams over.
    #[cfg_attr(not(feature = "host-tls"), allow(dead_code))]
    pub fn into_parts(self) -> (InputStream, OutputStream, TcpSocket) {
        let (input, output, Parents { _layer, socket }) = self.split();
        drop(_layer);
        (input, output, socket)
    }

    pub fn peer(&self) -> Result<IpSocketAddress> {
        self.socket.remote_address().map_err(map_socket_error)
    }

    /// Up to `max` bytes, waiting until some arrive; `None` at end of stream.
    pub fn read(&self, max: usize, deadline: &Deadline) -> Result<Option<Vec<u8>>> {
        loop {
            match self.input.read(max as u64) {
                Ok(bytes) if !bytes.is_empty() => return Ok(Some(bytes)),
                Ok(_) => deadline.wait(&self.readable)?,
                Err(StreamError::Closed) => return Ok(None),
                Err(e) => return Err(map_stream_error(e)),
            }
        }
    }

    /// Whatever has arrived, without waiting: an empty vector if nothing
    /// has, `None` at end of stream.
    #[cfg(feature = "secure")]
    pub fn try_read(&self, max: usize) -> Result<Option<Vec<u8>>> {
        match self.input.read(max as u64) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(StreamError::Closed) => Ok(None),
            Err(e) => Err(map_stream_error(e)),
        }
    }

    /// Fires when data (or the end of the stream) is ready to read.
    #[cfg(feature = "secure")]
    pub fn readable(&self) -> &Pollable {
        &self.readable
    }

    /// Writes as much of `data` as the network takes now, waiting until it
    /// takes something; returns how much. Nothing is lost to a timeout.
    pub fn write_some(&self, data: &[u8], deadline: &Deadline) -> Result<usize> {
        loop {
            let permitted = self.output.check_write().map_err(map_stream_error)?;
            if permitted == 0 {
                deadline.wait(&self.writable)?;
                continue;
            }
            let n = data.len().min(usize::try_from(permitted).unwrap_or(usize::MAX));
            self.output.write(&data[..n]).map_err(map_stream_error)?;
            return Ok(n);
        }
    }

    /// Writes all of `data`, waiting for the network to take each part.
    pub fn write_all(&self, mut data: &[u8], deadline: &Deadline) -> Result<()> {
        while !data.is_empty() {
            let permitted = self.output.check_write().map_err(map_stream_error)?;
            if permitted == 0 {
                deadline.wait(&self.writable)?;
                continue;
            }
            let n = data.len().min(usize::try_from(permitted).unwrap_or(usize::MAX));
            self.output.write(&data[..n]).map_err(map_stream_error)?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Waits until everything written has been handed to the network.
    pub fn flush(&self, deadline: &Deadline) -> Result<()> {
        self.output.flush().map_err(map_stream_error)?;
        loop {
            if self.output.check_write().map_err(map_stream_error)? > 0 {
                return Ok(());
            }
            deadline.wait(&self.writable)?;
        }
    }

    /// Ends the sending side once everything written has gone, so the
    /// peer sees the end of the data: with a layer (the host's TLS), its
    /// end first (close_notify), and the FIN only once that is out (so it
    /// cannot overtake it; proftpd waits ten seconds for the FIN before
    /// its 226).
    pub fn close_send(&self, deadline: &Deadline) -> Result<()> {
        self.flush(deadline)?;
        if let Some(layer) = &self.layer {
            layer.close_output();
            // The output stream reports closed once the layer's end is out.
            loop {
                match self.output.check_write() {
                    Ok(0) => deadline.wait(&self.writable)?,
                    Err(StreamError::Closed) | Ok(_) => break,
                    Err(e) => return Err(map_stream_error(e)),
                }
            }
        }
        shutdown(&self.socket, ShutdownType::Send);
        Ok(())
    }

    /// Drops the connection, unless a write is still pending (a peer that
    /// stopped reading): wasmtime-wasi waits for a pending write before it
    /// lets an output stream go, which against such a peer is forever, and
    /// a socket cannot go before its streams. Such a connection is
    /// abandoned instead; the host frees it with the component instance.
    pub fn discard(self) {
        if matches!(self.output.check_write(), Ok(0)) {
            std::mem::forget(self);
        }
    }

    /// TCP keep-alive probes once the connection has been idle for
    /// `idle_ns`, so the kernel notices a peer that is gone and a NAT box
    /// sees traffic. Best effort: a host that refuses leaves it off.
    pub fn keep_alive(&self, idle_ns: u64) {
        let socket = &self.socket;
        let _ = socket
            .set_keep_alive_enabled(true)
            .and_then(|()| socket.set_keep_alive_idle_time(idle_ns))
            .and_then(|()| socket.set_keep_alive_interval(idle_ns.div_ceil(4).max(1_000_000_000)))
            .and_then(|()| socket.set_keep_alive_count(4));
    }

    /// Gives up the input stream, for a caller to read directly; what
    /// must outlive the stream (its parents) is returned too.
    pub fn into_input(self) -> (InputStream, Parents) {
        let (input, _, parents) = self.split();
        (input, parents)
    }

    /// Whether a layer (the host's TLS) is under these streams.
    pub fn is_layered(&self) -> bool {
        self.layer.is_some()
    }

    /// Gives up the output stream, for a caller to write directly; what
    /// must outlive the stream (its parents) is returned too.
    pub fn into_output(self) -> (OutputStream, Parents) {
        let (_, output, parents) = self.split();
        (output, parents)
    }

    fn split(self) -> (InputStream, OutputStream, Parents) {
        let TcpConn {
            readable,
            writable,
            input,
            output,
            layer,
            socket,
        } = self;
        drop((readable, writable));
        let parents = Parents { _layer: layer, socket };
        (input, output, parents)
    }
}

/// What a handed-over stream hangs from: the socket, and the layer whose
/// stream it is, if any.
pub struct Parents {
    /// Held only to outlive the stream.
    _layer: Option<Box<dyn Layer>>,
    socket: TcpSocket,
}

impl Parents {
    /// Ends the connection both ways (a download done or given up).
    pub fn shutdown(&self) {
        shutdown(&self.socket, ShutdownType::Both);
    }

    /// Ends the sending side of an upload whose stream the caller wrote
    /// and flushed (never a TLS one: see `Store::data_stream`).
    pub fn close_send(&self) {
        shutdown(&self.socket, ShutdownType::Send);
    }
}

/// Shuts a socket down in one or both directions. Best effort: a peer that
/// already closed makes this fail harmlessly.
pub fn shutdown(socket: &TcpSocket, how: ShutdownType) {
    let _ = socket.shutdown(how);
}
