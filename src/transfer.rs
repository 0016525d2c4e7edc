//! Open transfers: a download the caller pulls from and an upload the caller
//! pushes to. Each holds its data connection and shares the session, which
//! stays busy until the transfer is finished or aborted (or dropped, which
//! aborts).

use crate::error::{Error, Result};
use crate::net::clock;
use crate::net::deadline::Deadline;
use crate::net::tcp::{Parents, TcpConn};
use crate::proto::ascii::{CrlfToLf, LfToCrlf};
use crate::proto::pace::{Pace, PaceError};
use crate::proto::reply::Reply;
use crate::proto::response::{parse_transfer_size, parse_unique_name};
use crate::session::{Session, TransferType};
use crate::stream::Stream;
use std::cell::RefCell;
use std::rc::Rc;
use wasi::io::streams::{InputStream, OutputStream};

/// The most a single `read` may ask for.
pub const MAX_READ: u32 = 4 << 20;

pub type Shared = Rc<RefCell<Session>>;

/// How long a finished TLS data connection is read for what the server
/// still sends (its session tickets) before it ends the connection.
#[cfg(feature = "secure")]
const DRAIN_MS: u32 = 2_000;

/// The data side of a transfer; `None` once finished or aborted.
struct Open {
    session: Shared,
    data: Option<Stream>,
    /// Deadlines and the byte count, for this component's reads and writes
    /// and for a handed-over stream's (which the caller reports).
    pace: Pace,
    /// With keep-alive on: how often a NOOP goes out, and when next.
    noop: Option<(u64, u64)>,
}

impl Open {
    fn new(session: Shared, data: Stream, expected: Option<u64>) -> Self {
        let (limits, keep_alive_ms) = {
            let s = session.borrow();
            (s.options().limits(), s.options().keep_alive_ms)
        };
        let now = clock::now();
        Self {
            session,
            data: Some(data),
            pace: Pace::new(limits, now, expected),
            noop: keep_alive_ms.map(|ms| {
                let every = u64::from(ms.max(1)) * 1_000_000;
                (every, now.saturating_add(every))
            }),
        }
    }

    /// How long a wait may last: `budget`, cut short when a NOOP falls due.
    fn wait_ns(&self, budget: u64) -> u64 {
        match self.noop {
            Some((_, next)) => budget.min(next.saturating_sub(clock::now()).max(1)),
            None => budget,
        }
    }

    /// Sends the keep-alive NOOP once it is due, so a middlebox that drops
    /// idle connections keeps the control connection through a long transfer.
    fn tend(&mut self) -> Result<()> {
        let now = clock::now();
        match self.noop.as_mut() {
            Some((every, next)) if now >= *next => {
                *next = now.saturating_add(*every);
                self.session.borrow_mut().keep_alive()
            }
            _ => Ok(()),
        }
    }

    /// When the next read must end for a limit to be checked (or a NOOP sent).
    fn read_deadline(&self) -> Deadline {
        Deadline::after_ns(self.wait_ns(self.pace.budget(clock::now())), "data")
    }

    /// When the next write must end: once a limit has surely passed (or a
    /// NOOP is due).
    fn write_deadline(&self) -> Deadline {
        Deadline::after_ns(self.wait_ns(self.pace.write_budget(clock::now())), "data")
    }

    /// Counts `bytes` (0 after a wait ran out) against the limits. A passed
    /// deadline closes the session: a server that stalled is not asked to
    /// abort, which would only stall again. Too many bytes abort the transfer.
    fn record(&mut self, bytes: u64) -> Result<()> {
        match self.pace.record(clock::now(), bytes) {
            Ok(()) => Ok(()),
            Err(PaceError::Timeout(what)) => {
                self.drop_data();
                self.session.borrow_mut().close();
                Err(Error::Timeout(what))
            }
            Err(PaceError::Overrun { expected, received }) => {
                let _ = self.abort();
                Err(Error::Partial { expected, received })
            }
        }
    }

    /// `record` for a caller that reads or writes a handed-over stream:
    /// how many milliseconds its next wait may last.
    fn progress(&mut self, bytes: u64) -> Result<u32> {
        self.record(bytes)?;
        self.tend()?;
        let ms = self.wait_ns(self.pace.budget(clock::now())).div_ceil(1_000_000);
        Ok(u32::try_from(ms).unwrap_or(u32::MAX))
    }

    /// Runs one wait on the data (until `deadline`); a wait that ran out
    /// is counted as no progress, which fails only when a limit has passed.
    fn on_data<T>(
        &mut self,
        deadline: Deadline,
        step: impl FnOnce(&mut Stream, &Deadline) -> Result<T>,
    ) -> Result<Option<T>> {
        self.tend()?;
        let data = self.data.as_mut().ok_or_else(finished)?;
        match step(data, &deadline) {
            Ok(out) => Ok(Some(out)),
            Err(Error::Timeout(_)) => self.record(0).map(|()| None),
            Err(e) => {
                // The data connection failed; abort so the session recovers.
                // A server that is going away says why in a 421 on the
                // control connection: that is the error to report.
                match self.abort() {
                    Err(closing @ Error::Transient(Reply { code: 421, .. })) => Err(closing),
                    _ => Err(e),
                }
            }
        }
    }

    /// Reads the final reply, and only then closes the data connection:
    /// closing it with bytes unread (a TLS session ticket after an upload,
    /// say) makes the kernel send a reset, and a server that has not yet
    /// read all of the upload then loses the rest of it. A TLS data
    /// connection is read until the server ends it, as it does after its
    /// final reply (for `DRAIN_MS` at most): its tickets may still be on
    /// their way through the host's TLS, and a ticket left unread is one
    /// resumption fewer for the next data connection (a server that
    /// requires reuse then refuses it; seen under load against vsftpd).
    fn finish(&mut self) -> Result<Reply> {
        let reply = self.session.borrow_mut().finish_transfer();
        #[cfg(feature = "secure")]
        if let Some(data) = self.data.as_mut() {
            let wait = if self.session.borrow().data_is_private() {
                DRAIN_MS.min(self.session.borrow().options().reply_ms)
            } else {
                0
            };
            data.drain(&Deadline::after_ms(wait, "data"));
        }
        self.data = None;
        reply
    }

    fn abort(&mut self) -> Result<()> {
        self.drop_data();
        self.session.borrow_mut().abort_transfer()
    }

    /// Drops the data connection of a transfer that ends early.
    fn drop_data(&mut self) {
        if let Some(data) = self.data.take() {
            data.discard();
        }
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

fn not_handed_over() -> Error {
    Error::InvalidInput("progress is for a handed-over data stream".into())
}

/// Runs `step` on an open transfer; an error ends it (the step has
/// already aborted it or closed the session).
fn on_open<T>(open: &mut Option<Open>, step: impl FnOnce(&mut Open) -> Result<T>) -> Result<T> {
    let result = step(open.as_mut().ok_or_else(finished)?);
    if result.is_err() {
        *open = None;
    }
    result
}

/// `Open::progress`, for a transfer whose stream was handed over.
fn handed_progress(open: &mut Option<Open>, handed: Option<&Parents>, bytes: u64) -> Result<u32> {
    handed.ok_or_else(not_handed_over)?;
    on_open(open, |open| open.progress(bytes))
}

pub struct Retrieve {
    open: Option<Open>,
    ascii: Option<CrlfToLf>,
    /// What a stream handed to the caller hangs from, kept until the
    /// transfer is dropped.
    handed: Option<Parents>,
}

impl Retrieve {
    /// RETR, with REST first for a non-zero `offset`. The size to expect is
    /// SIZE minus the offset on a resumed download (so a server that
    /// ignores REST is caught), else the 1xx reply's `(n bytes)`; ASCII
    /// transfers change the count, so they expect none.
    pub fn start(session: Shared, path: &str, offset: u64) -> Result<Self> {
        crate::proto::command::check_path("path", path)?;
        let (data, expected, kind) = {
            let mut s = session.borrow_mut();
            let kind = s.transfer_type();
            let remote = if offset > 0 && kind == TransferType::Binary {
                s.size(path).ok()
            } else {
                None
            };
            if let Some(size) = remote.filter(|size| offset > *size) {
                return Err(Error::InvalidInput(format!(
                    "cannot resume at byte {offset}: the file has {size} bytes"
                )));
            }
            let (data, first) = s.open_transfer("RETR", Some(path), offset)?;
            let expected = match kind {
                TransferType::Ascii => None,
                TransferType::Binary if offset > 0 => remote.map(|size| size - offset),
                TransferType::Binary => parse_transfer_size(&first.text()),
            };
            (data, expected, kind)
        };
        Ok(Self {
            open: Some(Open::new(session, data, expected)),
            ascii: (kind == TransferType::Ascii).then(CrlfToLf::default),
            handed: None,
        })
    }

    pub fn expected_size(&self) -> Option<u64> {
        self.open.as_ref().and_then(|o| o.pace.expected())
    }

    /// Up to `max` bytes; `None` at the end of the data.
    pub fn read(&mut self, max: u32) -> Result<Option<Vec<u8>>> {
        if max == 0 || max > MAX_READ {
            return Err(Error::InvalidInput(format!("read size must be 1..={MAX_READ}")));
        }
        if self.handed.is_some() {
            return Err(handed_over());
        }
        let ascii = &mut self.ascii;
        on_open(&mut self.open, |open| loop {
            if open.data.is_none() {
                return Ok(None);
            }
            let deadline = open.read_deadline();
            let Some(chunk) = open.on_data(deadline, |data, d| data.read(max as usize, d))? else {
                continue;
            };
            let Some(chunk) = chunk else {
                open.data = None;
                let mut tail = Vec::new();
                if let Some(conv) = ascii.as_mut() {
                    conv.finish(&mut tail);
                }
                return Ok((!tail.is_empty()).then_some(tail));
            };
            open.record(chunk.len() as u64)?;
            match ascii.as_mut() {
                None => return Ok(Some(chunk)),
                Some(conv) => {
                    let mut out = Vec::with_capacity(chunk.len());
                    conv.convert(&chunk, &mut out);
                    if !out.is_empty() {
                        return Ok(Some(out));
                    }
                }
            }
        })
    }

    /// Hands the data connection's input stream to the caller.
    pub fn data_stream(&mut self) -> Result<InputStream> {
        let open = self.open.as_mut().ok_or_else(finished)?;
        let (input, parents) = open.take_plain(self.ascii.is_some())?.into_input();
        self.handed = Some(parents);
        Ok(input)
    }

    /// The caller read `bytes` from the handed-over stream.
    pub fn progress(&mut self, bytes: u64) -> Result<u32> {
        handed_progress(&mut self.open, self.handed.as_ref(), bytes)
    }

    /// Drains the data, reads the final reply, and then checks that the
    /// whole announced size arrived.
    pub fn finish(&mut self) -> Result<Reply> {
        match &self.handed {
            None => while self.read(MAX_READ)?.is_some() {},
            // Our end of the data connection goes before the final reply is
            // awaited: vsftpd sends 226 only once its close is answered, so
            // an open socket costs a delayed ACK (~40 ms) per download.
            Some(parents) => parents.shutdown(),
        }
        let mut open = self.open.take().ok_or_else(finished)?;
        let reply = open.finish()?;
        match open.pace.complete() {
            Ok(()) => Ok(reply),
            Err((expected, received)) => Err(Error::Partial { expected, received }),
        }
    }

    pub fn abort(&mut self) -> Result<()> {
        let mut open = self.open.take().ok_or_else(finished)?;
        if let Some(parents) = &self.handed {
            parents.shutdown();
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
    handed: Option<Parents>,
}

/// What `store` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    Replace,
    Append,
    Unique,
}

impl Store {
    /// STOR, APPE or STOU; with a non-zero `offset` (STOR only, binary
    /// only), REST first, so the server writes from that byte on.
    pub fn start(session: Shared, path: &str, mode: StoreMode, offset: u64) -> Result<Self> {
        if offset > 0 && (mode != StoreMode::Replace || session.borrow().transfer_type() == TransferType::Ascii) {
            return Err(Error::InvalidInput(
                "an upload can start at an offset only as a binary STOR".into(),
            ));
        }
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
            let (data, reply) = s.open_transfer(verb, arg, offset)?;
            (data, reply, s.transfer_type())
        };
        let unique = mode == StoreMode::Unique;
        Ok(Self {
            open: Some(Open::new(session, data, None)),
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
        if self.handed.is_some() {
            return Err(handed_over());
        }
        let converted;
        let mut bytes = match self.ascii.as_mut() {
            Some(conv) => {
                let mut out = Vec::new();
                conv.convert(bytes, &mut out);
                converted = out;
                &converted[..]
            }
            None => bytes,
        };
        on_open(&mut self.open, |open| {
            while !bytes.is_empty() {
                let deadline = open.write_deadline();
                if let Some(n) = open.on_data(deadline, |data, d| data.write_some(bytes, d))? {
                    open.record(n as u64)?;
                    bytes = &bytes[n..];
                }
            }
            Ok(())
        })
    }

    /// Hands the data connection's output stream to the caller.
    pub fn data_stream(&mut self) -> Result<OutputStream> {
        let open = self.open.as_mut().ok_or_else(finished)?;
        let conn = open.take_plain(self.ascii.is_some())?;
        // The upload's close_notify must be out before its FIN (proftpd
        // waits ten seconds for the FIN), and only `write`'s own close can
        // see when it is.
        if conn.is_layered() {
            open.data = Some(Stream::Plain(conn));
            return Err(Error::InvalidInput("a TLS upload goes through write".into()));
        }
        let (output, parents) = conn.into_output();
        self.handed = Some(parents);
        Ok(output)
    }

    /// The caller wrote `bytes` to the handed-over stream.
    pub fn progress(&mut self, bytes: u64) -> Result<u32> {
        handed_progress(&mut self.open, self.handed.as_ref(), bytes)
    }

    pub fn finish(&mut self) -> Result<Reply> {
        if let Some(parents) = &self.handed {
            parents.close_send();
        }
        on_open(&mut self.open, |open| {
            while open.data.is_some() {
                let deadline = open.write_deadline();
                if open.on_data(deadline, |data, d| data.close_send(d))?.is_some() {
                    break;
                }
            }
            Ok(())
        })?;
        let mut open = self.open.take().ok_or_else(finished)?;
        let reply = open.finish()?;
        // Some servers name the file only in the final reply.
        if self.unique && self.unique_name.is_none() {
            self.unique_name = parse_unique_name(&reply.text());
        }
        Ok(reply)
    }

    pub fn abort(&mut self) -> Result<()> {
        let mut open = self.open.take().ok_or_else(finished)?;
        if let Some(parents) = &self.handed {
            parents.shutdown();
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
