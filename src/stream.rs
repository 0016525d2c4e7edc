//! A connection that is either plain TCP or TLS over TCP (rustls in the
//! component), so the control and data code need not care which. It sits
//! above both `net` and `tls`, which know nothing of each other.

use crate::error::Result;
use crate::net::deadline::Deadline;
use crate::net::tcp::TcpConn;
#[cfg(feature = "tls")]
use crate::tls::stream::TlsStream;
#[cfg(feature = "secure")]
use wasi::io::poll::Pollable;

pub enum Stream {
    Plain(TcpConn),
    #[cfg(feature = "tls")]
    Tls(Box<TlsStream>),
}

impl Stream {
    /// Up to `max` bytes, waiting until some arrive; `None` at the end.
    pub fn read(&mut self, max: usize, deadline: &Deadline) -> Result<Option<Vec<u8>>> {
        match self {
            Stream::Plain(tcp) => tcp.read(max, deadline),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => tls.read(max, deadline),
        }
    }

    /// What has arrived, without waiting (empty if nothing); `None` at the end.
    #[cfg(feature = "secure")]
    #[cfg_attr(not(feature = "tls"), allow(unused_variables))]
    pub fn try_read(&mut self, max: usize, deadline: &Deadline) -> Result<Option<Vec<u8>>> {
        match self {
            Stream::Plain(tcp) => tcp.try_read(max),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => tls.try_read(max, deadline),
        }
    }

    /// Reads what arrived and was left unread, until the end of the stream
    /// or `deadline`: after an upload, the server's TLS session tickets.
    /// Read, they are stored for later data connections to resume the
    /// session with (servers that require reuse refuse a full handshake);
    /// left unread, each upload would spend a ticket and store none.
    /// Bounded; an error ends it.
    #[cfg(feature = "secure")]
    pub fn drain(&mut self, deadline: &Deadline) {
        for _ in 0..16 {
            match self.read(64 * 1024, deadline) {
                Ok(Some(bytes)) if !bytes.is_empty() => {}
                _ => break,
            }
        }
    }

    /// Writes part of `data`, waiting until some is taken; how much.
    pub fn write_some(&mut self, data: &[u8], deadline: &Deadline) -> Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write_some(data, deadline),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => tls.write_some(data, deadline),
        }
    }

    pub fn write_all(&mut self, data: &[u8], deadline: &Deadline) -> Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.write_all(data, deadline),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => tls.write_all(data, deadline),
        }
    }

    pub fn flush(&mut self, deadline: &Deadline) -> Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(deadline),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => tls.flush(deadline),
        }
    }

    /// Drops a connection that failed (see `TcpConn::discard`).
    pub fn discard(self) {
        match self {
            Stream::Plain(tcp) => tcp.discard(),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => tls.into_tcp().discard(),
        }
    }

    /// Ends the sending side (with TLS, close_notify first) so the peer
    /// sees the end of the data.
    pub fn close_send(&mut self, deadline: &Deadline) -> Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.close_send(deadline),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => tls.close_send(deadline),
        }
    }

    #[cfg(feature = "secure")]
    pub fn readable(&self) -> &Pollable {
        match self {
            Stream::Plain(tcp) => tcp.readable(),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => tls.readable(),
        }
    }
}
