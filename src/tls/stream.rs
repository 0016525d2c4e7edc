//! TLS over a wasi TCP connection, driving rustls's sans-IO state machine
//! with our deadline-bounded reads and writes.

use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::tcp::TcpConn;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use wasi::io::poll::Pollable;

/// How much network data is read at a time.
const CHUNK: usize = 64 * 1024;

pub struct TlsStream {
    tls: ClientConnection,
    /// Bytes from the network rustls has not taken yet.
    incoming: Vec<u8>,
    /// The TCP stream ended.
    eof: bool,
    tcp: TcpConn,
}

fn truncated() -> Error {
    Error::Io("the TLS connection ended without close_notify: the data may be truncated".into())
}

fn tls_error(e: rustls::Error) -> Error {
    Error::Tls(e.into())
}

impl TlsStream {
    /// Starts a handshake: the ClientHello is sent before this returns, so a
    /// server that waits for it can proceed.
    pub fn start(
        tcp: TcpConn,
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
        deadline: &Deadline,
    ) -> Result<Self> {
        let tls = ClientConnection::new(config, name).map_err(tls_error)?;
        let mut stream = Self {
            tls,
            incoming: Vec::new(),
            eof: false,
            tcp,
        };
        stream.send_pending(deadline)?;
        Ok(stream)
    }

    /// Completes the handshake, waiting as needed.
    pub fn handshake(&mut self, deadline: &Deadline) -> Result<()> {
        while !self.handshake_step(deadline)? {
            if self.eof {
                return Err(Error::Tls(crate::error::TlsFailure::Handshake(
                    "connection closed during the handshake".into(),
                )));
            }
            self.pump(true, deadline)?;
        }
        Ok(())
    }

    /// Advances the handshake with whatever has arrived, without waiting.
    /// True once it is complete.
    pub fn handshake_step(&mut self, deadline: &Deadline) -> Result<bool> {
        if self.tls.is_handshaking() && !self.eof {
            self.pump(false, deadline)?;
        }
        self.send_pending(deadline)?;
        Ok(!self.tls.is_handshaking())
    }

    /// The TCP connection underneath, giving up the TLS state.
    pub fn into_tcp(self) -> TcpConn {
        self.tcp
    }

    pub fn readable(&self) -> &Pollable {
        self.tcp.readable()
    }

    fn send_pending(&mut self, deadline: &Deadline) -> Result<()> {
        while self.tls.wants_write() {
            let mut out = Vec::new();
            self.tls.write_tls(&mut out).map_err(|e| Error::Io(e.to_string()))?;
            self.tcp.write_all(&out, deadline)?;
        }
        Ok(())
    }

    /// Hands buffered network bytes to rustls and processes them; what
    /// rustls cannot take yet (its buffer is full until the plaintext is
    /// read) stays, moved once rather than after every record.
    fn feed(&mut self) -> Result<()> {
        let mut taken = 0;
        while taken < self.incoming.len() {
            match self.tls.read_tls(&mut &self.incoming[taken..]) {
                Ok(n) if n > 0 => taken += n,
                _ => break,
            }
            self.tls.process_new_packets().map_err(tls_error)?;
        }
        self.incoming.drain(..taken);
        Ok(())
    }

    /// Reads from the network (waiting if `wait`) and processes it.
    fn pump(&mut self, wait: bool, deadline: &Deadline) -> Result<()> {
        let bytes = if wait {
            self.tcp.read(CHUNK, deadline)?
        } else {
            self.tcp.try_read(CHUNK)?
        };
        match bytes {
            None => self.eof = true,
            Some(bytes) if self.incoming.is_empty() => self.incoming = bytes,
            Some(bytes) => self.incoming.extend_from_slice(&bytes),
        }
        self.feed()?;
        // Post-handshake messages (tickets, key updates) may want answers.
        self.send_pending(deadline)
    }

    /// Decrypted bytes ready now: `Some(None)` at a clean end, `None` if none.
    fn plaintext(&mut self, max: usize) -> Result<Option<Option<Vec<u8>>>> {
        let ready = self
            .tls
            .process_new_packets()
            .map_err(tls_error)?
            .plaintext_bytes_to_read();
        // Sized to what is there, so no large buffer is zeroed for a record.
        let mut buf = vec![0u8; ready.clamp(1, max.max(1))];
        match self.tls.reader().read(&mut buf) {
            Ok(0) => Ok(Some(None)),
            Ok(n) => {
                buf.truncate(n);
                Ok(Some(Some(buf)))
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(None),
            // A TLS stream that ends without close_notify may have been
            // cut short by anyone on the path: a truncation, not an end.
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => Err(truncated()),
            Err(e) => Err(Error::Io(e.to_string())),
        }
    }

    pub fn read(&mut self, max: usize, deadline: &Deadline) -> Result<Option<Vec<u8>>> {
        loop {
            if let Some(out) = self.plaintext(max)? {
                return Ok(out);
            }
            if !self.incoming.is_empty() {
                self.feed()?;
                if let Some(out) = self.plaintext(max)? {
                    return Ok(out);
                }
            }
            if self.eof {
                // rustls ends its plaintext (Ok(0) above) only after
                // close_notify: a TCP end before it may be an attacker's cut.
                return Err(truncated());
            }
            self.pump(true, deadline)?;
        }
    }

    pub fn try_read(&mut self, max: usize, deadline: &Deadline) -> Result<Option<Vec<u8>>> {
        if let Some(out) = self.plaintext(max)? {
            return Ok(out);
        }
        if self.eof {
            return Ok(None);
        }
        self.pump(false, deadline)?;
        Ok(self.plaintext(max)?.unwrap_or_else(|| Some(Vec::new())))
    }

    /// Sends what rustls holds, then encrypts up to one chunk of `data`,
    /// which goes out with the next write or flush; returns how much of
    /// `data` was taken.
    pub fn write_some(&mut self, data: &[u8], deadline: &Deadline) -> Result<usize> {
        self.send_pending(deadline)?;
        let chunk = &data[..data.len().min(CHUNK)];
        self.tls
            .writer()
            .write_all(chunk)
            .map_err(|e| Error::Io(e.to_string()))?;
        Ok(chunk.len())
    }

    pub fn write_all(&mut self, data: &[u8], deadline: &Deadline) -> Result<()> {
        for chunk in data.chunks(CHUNK) {
            self.tls
                .writer()
                .write_all(chunk)
                .map_err(|e| Error::Io(e.to_string()))?;
            self.send_pending(deadline)?;
        }
        Ok(())
    }

    pub fn flush(&mut self, deadline: &Deadline) -> Result<()> {
        self.send_pending(deadline)?;
        self.tcp.flush(deadline)
    }

    /// Ends TLS but keeps the connection (after `CCC`, RFC 4217 §6):
    /// close_notify both ways, as ftplib's `unwrap()` does, then the TCP
    /// connection, in the clear. Bytes that came after the server's
    /// close_notify are refused: they would be plain text read as TLS.
    pub fn unwrap(mut self, deadline: &Deadline) -> Result<TcpConn> {
        self.tls.send_close_notify();
        self.send_pending(deadline)?;
        loop {
            match self.plaintext(1)? {
                Some(None) if self.incoming.is_empty() => return Ok(self.tcp),
                Some(None) => return Err(Error::Io("data after the server's close_notify".into())),
                Some(Some(_)) => return Err(Error::Io("data before the server's close_notify after CCC".into())),
                None if self.eof => return Err(truncated()),
                None => self.pump(true, deadline)?,
            }
        }
    }

    pub fn close_send(&mut self, deadline: &Deadline) -> Result<()> {
        self.tls.send_close_notify();
        self.send_pending(deadline)?;
        self.tcp.close_send(deadline)
    }
}
