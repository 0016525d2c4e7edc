//! Open transfers: a download the caller pulls from and an upload the caller
//! pushes to. Each holds its data connection and shares the session, which
//! stays busy until the transfer is finished or aborted (or dropped, which
//! aborts).

use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::stream::Stream;
use crate::net::tcp::{shutdown, TcpConn};
use crate::proto::ascii::{CrlfToLf, LfToCrlf};
use crate::proto::reply::Reply;
use crate::proto::response::parse_unique_name;
use crate::session::{Session, TransferType};
use std::cell::RefCell;
use std::rc::Rc;
use wasi::io::streams::{InputStream, OutputStream};
use wasi::sockets::tcp::{ShutdownType, TcpSocket};

/// The most a single `read` may ask for.
pub const MAX_READ: u32 = 4 << 20;

pub type Shared = Rc<RefCell<Session>>;

/// The data side of a transfer; `None` once finished or aborted.
struct Open {
    session: Shared,
    data: Option<Stream>,
}

impl Open {
    fn data_deadline(&self) -> Deadline {
        Deadline::after_ms(self.session.borrow().options().data_ms, "data")
    }

    /// Reads the final reply, and only then closes the data connection:
    /// closing it with bytes unread (a TLS session ticket after an upload,
    /// say) makes the kernel send a reset, and a server that has not yet
    /// read all of the upload then loses the rest of it.
    fn finish(&mut self) -> Result<Reply> {
        let reply = self.session.borrow_mut().finish_transfer();
        self.data = None;
        reply
    }

    fn abort(&mut self) -> Result<()> {
        self.data = None;
        self.session.borrow_mut().abort_transfer()
    }

    /// The plain TCP connection under a binary transfer, taken out so its
    /// stream can be handed to the caller.
    fn take_plain(&mut self, ascii: bool) -> Result<TcpConn> {
        if ascii {
            return Err(Error::InvalidInput(
                "ASCII transfers convert line endings here: use read/write".into(),
            ));
        }
        match self.data.take() {
            Some(Stream::Plain(conn)) => Ok(conn),
            #[cfg(feature = "tls")]
            Some(tls @ Stream::Tls(_)) => {
                self.data = Some(tls);
                Err(Error::InvalidInput("TLS data is decrypted here: use read/write".into()))
            }
            None => Err(Error::InvalidInput("the data stream was already handed over".into())),
        }
    }
}

fn finished() -> Error {
    Error::InvalidInput("the transfer is already finished".into())
}

fn handed_over() -> Error {
    Error::InvalidInput("the data stream was handed over: use it instead".into())
}

pub struct Retrieve {
    open: Option<Open>,
    ascii: Option<CrlfToLf>,
    /// The socket under a stream handed to the caller. The stream is the
    /// socket's child, so the socket is kept until the transfer is dropped.
    handed: Option<TcpSocket>,
}

impl Retrieve {
    pub fn start(session: Shared, path: &str, offset: u64) -> Result<Self> {
        crate::proto::command::check_path("path", path)?;
        let (data, kind) = {
            let mut s = session.borrow_mut();
            (s.open_transfer("RETR", Some(path), offset)?.0, s.transfer_type())
        };
        Ok(Self {
            open: Some(Open {
                session,
                data: Some(data),
            }),
            ascii: (kind == TransferType::Ascii).then(CrlfToLf::default),
            handed: None,
        })
    }

    /// Up to `max` bytes; `None` at the end of the data.
    pub fn read(&mut self, max: u32) -> Result<Option<Vec<u8>>> {
        if max == 0 || max > MAX_READ {
            return Err(Error::InvalidInput(format!("read size must be 1..={MAX_READ}")));
        }
        let open = self.open.as_mut().ok_or_else(finished)?;
        if self.handed.is_some() {
            return Err(handed_over());
        }
        loop {
            let deadline = open.data_deadline();
            let Some(data) = open.data.as_mut() else {
                return Ok(None);
            };
            let chunk = match data.read(max as usize, &deadline) {
                Ok(chunk) => chunk,
                Err(e) => {
                    // The data connection failed; abort so the session recovers.
                    let _ = open.abort();
                    self.open = None;
                    return Err(e);
                }
            };
            let Some(chunk) = chunk else {
                open.data = None;
                let mut tail = Vec::new();
                if let Some(conv) = self.ascii.as_mut() {
                    conv.finish(&mut tail);
                }
                return Ok((!tail.is_empty()).then_some(tail));
            };
            match self.ascii.as_mut() {
                None => return Ok(Some(chunk)),
                Some(conv) => {
                    let mut out = Vec::with_capacity(chunk.len());
                    conv.convert(&chunk, &mut out);
                    if !out.is_empty() {
                        return Ok(Some(out));
                    }
                }
            }
        }
    }

    /// Hands the data connection's input stream to the caller.
    pub fn data_stream(&mut self) -> Result<InputStream> {
        let open = self.open.as_mut().ok_or_else(finished)?;
        let (input, socket) = open.take_plain(self.ascii.is_some())?.into_input();
        self.handed = Some(socket);
        Ok(input)
    }

    pub fn finish(&mut self) -> Result<Reply> {
        if self.handed.is_none() {
            while self.read(MAX_READ)?.is_some() {}
        }
        let mut open = self.open.take().ok_or_else(finished)?;
        open.finish()
    }

    pub fn abort(&mut self) -> Result<()> {
        let mut open = self.open.take().ok_or_else(finished)?;
        if let Some(socket) = &self.handed {
            shutdown(socket, ShutdownType::Both);
        }
        open.abort()
    }
}

impl Drop for Retrieve {
    fn drop(&mut self) {
        if self.open.is_some() {
            let _ = self.abort();
        }
    }
}

pub struct Store {
    open: Option<Open>,
    ascii: Option<LfToCrlf>,
    /// For STOU, the name the server reported choosing.
    unique_name: Option<String>,
    unique: bool,
    /// As for `Retrieve`: kept until the transfer is dropped.
    handed: Option<TcpSocket>,
}

/// What `store` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    Replace,
    Append,
    Unique,
}

impl Store {
    pub fn start(session: Shared, path: &str, mode: StoreMode) -> Result<Self> {
        let (verb, arg) = match mode {
            StoreMode::Replace => ("STOR", Some(path)),
            StoreMode::Append => ("APPE", Some(path)),
            StoreMode::Unique => ("STOU", Some(path).filter(|p| !p.is_empty())),
        };
        if mode != StoreMode::Unique || arg.is_some() {
            crate::proto::command::check_path("path", path)?;
        }
        let (data, preliminary, kind) = {
            let mut s = session.borrow_mut();
            let (data, reply) = s.open_transfer(verb, arg, 0)?;
            (data, reply, s.transfer_type())
        };
        let unique = mode == StoreMode::Unique;
        Ok(Self {
            open: Some(Open {
                session,
                data: Some(data),
            }),
            ascii: (kind == TransferType::Ascii).then(LfToCrlf::default),
            unique_name: if unique {
                parse_unique_name(&preliminary.text())
            } else {
                None
            },
            unique,
            handed: None,
        })
    }

    pub fn unique_name(&self) -> Option<String> {
        self.unique_name.clone()
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let open = self.open.as_mut().ok_or_else(finished)?;
        if self.handed.is_some() {
            return Err(handed_over());
        }
        let converted;
        let bytes = match self.ascii.as_mut() {
            Some(conv) => {
                let mut out = Vec::new();
                conv.convert(bytes, &mut out);
                converted = out;
                &converted[..]
            }
            None => bytes,
        };
        let deadline = open.data_deadline();
        let Some(data) = open.data.as_mut() else {
            return Err(finished());
        };
        if let Err(e) = data.write_all(bytes, &deadline) {
            let _ = open.abort();
            self.open = None;
            return Err(e);
        }
        Ok(())
    }

    /// Hands the data connection's output stream to the caller.
    pub fn data_stream(&mut self) -> Result<OutputStream> {
        let open = self.open.as_mut().ok_or_else(finished)?;
        let (output, socket) = open.take_plain(self.ascii.is_some())?.into_output();
        self.handed = Some(socket);
        Ok(output)
    }

    pub fn finish(&mut self) -> Result<Reply> {
        let mut open = self.open.take().ok_or_else(finished)?;
        let deadline = open.data_deadline();
        if let Some(socket) = &self.handed {
            shutdown(socket, ShutdownType::Send);
        }
        if let Some(data) = open.data.as_mut() {
            if let Err(e) = data.close_send(&deadline) {
                let _ = open.abort();
                return Err(e);
            }
        }
        let reply = open.finish()?;
        // Some servers name the file only in the final reply.
        if self.unique && self.unique_name.is_none() {
            self.unique_name = parse_unique_name(&reply.text());
        }
        Ok(reply)
    }

    pub fn abort(&mut self) -> Result<()> {
        let mut open = self.open.take().ok_or_else(finished)?;
        if let Some(socket) = &self.handed {
            shutdown(socket, ShutdownType::Both);
        }
        open.abort()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if self.open.is_some() {
            let _ = self.abort();
        }
    }
}
