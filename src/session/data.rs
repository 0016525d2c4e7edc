//! Data connections: passive mode, opening a transfer and its first reply,
//! finishing and aborting it, and the listings read over one.

use super::{is_2xx, is_code, Passive, Session, ABORT_GRACE_MS, MAX_LISTING};
#[cfg(feature = "secure")]
use crate::control::Control;
use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::tcp::TcpConn;
use crate::proto::command::{self, check_path};
use crate::proto::conversation::{self, transfer_start, TransferStart};
use crate::proto::encoding::Encoding;
use crate::proto::feat;
use crate::proto::listing::{parse_listing, Entry, Kind};
use crate::proto::passive::{parse_epsv, parse_pasv};
#[cfg(feature = "secure")]
use crate::proto::reply::Class;
use crate::proto::reply::Reply;
use crate::proto::time::Timestamp;
use crate::proto::ProtocolError;
#[cfg(feature = "secure")]
use crate::secure::Pending;
use crate::stream::Stream;
use std::net::{IpAddr, SocketAddr};

impl Session {
    /// The current wall-clock time, to place LIST dates that omit the year.
    pub(crate) fn now() -> Timestamp {
        let now = wasi::clocks::wall_clock::now();
        Timestamp {
            seconds: i64::try_from(now.seconds).unwrap_or(i64::MAX),
            nanoseconds: now.nanoseconds,
        }
    }

    /// MLSD where offered (its argument is one whole path by RFC 3659),
    /// else LIST the way curl does it: CWD into the directory and LIST
    /// there, since servers split LIST's argument at spaces and take a
    /// leading `-` as `ls` options. A path CWD refuses (a file, a glob, a
    /// missing directory) is listed directly; if that yields no entry a
    /// parser understood, CWD's refusal is the answer, so a missing
    /// directory is an error even where LIST prints its complaint as data.
    pub fn list(&mut self, path: Option<&str>) -> Result<Vec<Entry>> {
        let machine = self.check_listing_path(path)?;
        let verb = if machine { "MLSD" } else { "LIST" };
        let (body, start) = self.listing_body(verb, path, !machine)?;
        let mut entries = parse_bounded(&body, machine, self.options.encoding)?;
        entries.retain(|e| !e.is_self_or_parent());
        start.check(entries.iter().any(|e| e.kind != Kind::Unparsed))?;
        Ok(entries)
    }

    /// `list`'s listing, opened to be read as it arrives (see
    /// `crate::listing`): the data connection and how it was begun, which
    /// `end_listing` needs. The session is busy until then.
    pub fn open_listing(&mut self, path: Option<&str>) -> Result<(Stream, ListingStart)> {
        let machine = self.check_listing_path(path)?;
        self.start_listing(if machine { "MLSD" } else { "LIST" }, path, !machine)
    }

    /// Checks `path`; whether the server lists by MLSD.
    fn check_listing_path(&mut self, path: Option<&str>) -> Result<bool> {
        if let Some(p) = path {
            check_path("path", p)?;
        }
        Ok(feat::has(self.features()?, "MLST"))
    }

    /// MLSD as the server sends it, `cdir` and `pdir` entries included
    /// (ftplib's `mlsd`); with `facts`, `OPTS MLST` first asks for just
    /// those facts.
    pub fn mlsd(&mut self, path: Option<&str>, facts: &[String]) -> Result<Vec<Entry>> {
        if let Some(p) = path {
            check_path("path", p)?;
        }
        if !facts.is_empty() {
            let list = command::mlst_facts(facts)?;
            self.expect("OPTS", Some(&list), is_2xx)?;
        }
        let (body, _) = self.listing_body("MLSD", path, false)?;
        parse_bounded(&body, true, self.options.encoding)
    }

    /// Opens `verb`'s data connection. With `from_inside` and a path, the
    /// listing is made from inside it (CWD there, and back in
    /// `end_listing`); when CWD refuses, the path itself is listed and the
    /// refusal kept for `ListingStart::check`.
    fn start_listing(&mut self, verb: &str, path: Option<&str>, from_inside: bool) -> Result<(Stream, ListingStart)> {
        let machine = verb == "MLSD";
        let mut start = ListingStart {
            machine,
            home: None,
            refusal: None,
        };
        if let Some(dir) = path.filter(|_| from_inside) {
            let home = self.pwd()?;
            match self.cwd(dir) {
                Ok(_) => {
                    return match self.open_transfer(verb, None, 0) {
                        Ok((data, _)) => {
                            start.home = Some(home);
                            Ok((data, start))
                        }
                        Err(e) => {
                            self.cwd(&home)?;
                            Err(e)
                        }
                    };
                }
                Err(Error::Permanent(refusal)) if !splits_at_spaces(dir) => start.refusal = Some(refusal),
                Err(e) => return Err(e),
            }
        }
        let (data, _) = self.open_transfer(verb, path, 0)?;
        Ok((data, start))
    }

    /// Ends a listing whose data connection is closed: its final reply
    /// when it was read to the end (`complete`), else an abort; then back
    /// to the directory it was listed from. The first error is the one
    /// reported.
    pub fn end_listing(&mut self, start: &ListingStart, complete: bool) -> Result<()> {
        let ended = if complete {
            self.finish_transfer().map(drop)
        } else {
            self.abort_transfer()
        };
        let back = match &start.home {
            Some(home) => self.cwd(home).map(drop),
            None => Ok(()),
        };
        ended.and(back)
    }

    /// Sends TYPE if the server's type is not (known to be) the one wanted:
    /// servers start in ASCII, the session in binary.
    pub(super) fn sync_type(&mut self) -> Result<()> {
        if self.server_type != Some(self.wanted_type) {
            self.expect("TYPE", Some(self.wanted_type.code()), is_2xx)?;
            self.server_type = Some(self.wanted_type);
        }
        Ok(())
    }

    /// EPSV (or PASV where refused), then a connection to the port named.
    /// As curl does, a refused connection to the port EPSV named is retried
    /// once through PASV, and the session uses PASV from then on.
    fn open_data(&mut self) -> Result<TcpConn> {
        let epsv = self.passive == Passive::TryEpsv;
        let (ip, port) = self.passive_address()?;
        let deadline = Deadline::after_ms(self.options.connect_ms, "data connect");
        let from = self.data_source();
        match TcpConn::connect(&self.network, SocketAddr::new(ip, port), from, &deadline) {
            Err(Error::Io(_)) if epsv && self.passive == Passive::TryEpsv && self.peer.is_ipv4() => {
                self.passive = Passive::PasvOnly;
                let (ip, port) = self.passive_address()?;
                let deadline = Deadline::after_ms(self.options.connect_ms, "data connect");
                TcpConn::connect(&self.network, SocketAddr::new(ip, port), from, &deadline)
            }
            done => done,
        }
    }

    /// Data connections leave from the source address's IP, on a port the
    /// system picks: the control connection holds the chosen port.
    fn data_source(&self) -> Option<SocketAddr> {
        self.options.source.map(|s| SocketAddr::new(s.ip(), 0))
    }

    pub(super) fn passive_address(&mut self) -> Result<(IpAddr, u16)> {
        if self.passive == Passive::TryEpsv {
            let reply = self.cmd("EPSV", None)?;
            match reply.code {
                229 => return Ok((self.peer, parse_epsv(&reply.text())?)),
                code if conversation::epsv_falls_back(code, self.peer.is_ipv4()) => self.passive = Passive::PasvOnly,
                _ => return Err(Error::from_reply(reply)),
            }
        }
        let reply = self.expect("PASV", None, is_code(&[227]))?;
        let (named, port) = parse_pasv(&reply.text())?;
        let ip = if self.options.trust_pasv_host {
            IpAddr::V4(named)
        } else {
            self.peer
        };
        Ok((ip, port))
    }

    /// Opens the data connection and sends the transfer command; once the
    /// server accepts it the session is busy until `finish_transfer` or
    /// `abort_transfer`. What the first reply means is
    /// `conversation::transfer_start`'s rule.
    pub fn open_transfer(&mut self, verb: &str, arg: Option<&str>, rest: u64) -> Result<(Stream, Reply)> {
        self.ensure_idle()?;
        let line = command::format(verb, arg, self.options.encoding)?;
        self.sync_type()?;
        let data = self.open_data()?;
        if rest > 0 {
            self.expect("REST", Some(&rest.to_string()), is_code(&[350]))?;
        }
        let (data, reply) = self.send_transfer_command(&line, data)?;
        let reply = self.await_transfer_start(reply)?;
        // Only a refusal leaves no data stream, and refusals failed above.
        let data = data.ok_or_else(|| Error::from_reply(reply.clone()))?;
        Ok((data, reply))
    }

    /// Reads on from a transfer command's first reply until the transfer
    /// has started (1xx) or already ended (a 2xx kept for `finish_transfer`);
    /// the session is busy from then on.
    pub(super) fn await_transfer_start(&mut self, mut reply: Reply) -> Result<Reply> {
        let mut skipped = false;
        loop {
            match transfer_start(reply.code, skipped) {
                TransferStart::Open => break,
                TransferStart::AlreadyDone => {
                    self.early_final = Some(reply.clone());
                    break;
                }
                TransferStart::ReadNext => {
                    skipped = true;
                    reply = self.on_control(|control, deadline| control.read_reply(deadline))?;
                }
                TransferStart::Closing => {
                    self.close();
                    return Err(Error::Transient(reply));
                }
                TransferStart::Refused => return Err(Error::from_reply(reply)),
            }
        }
        self.busy = true;
        Ok(reply)
    }

    /// Sends the transfer command and reads its first reply; with PROT P,
    /// secures the data connection at the same time. A refusal (4xx, 5xx)
    /// leaves no data stream: the server never took the connection, so its
    /// handshake is abandoned rather than awaited.
    fn send_transfer_command(&mut self, line: &[u8], data: TcpConn) -> Result<(Option<Stream>, Reply)> {
        #[cfg(feature = "secure")]
        if let Some(secured) = self.secured.as_ref().filter(|s| s.protect_data()) {
            let tls = secured.start(data, &self.reply_deadline())?;
            return self.on_control(move |control, deadline| {
                control.send(line, deadline)?;
                let (tls, reply) = secure_data_handshake(control, tls, deadline)?;
                let stream = if is_refusal(&reply) {
                    None
                } else {
                    Some(tls.into_stream()?)
                };
                Ok((stream, reply))
            });
        }
        self.on_control(|control, deadline| {
            control.send(line, deadline)?;
            Ok((Some(Stream::Plain(data)), control.read_reply(deadline)?))
        })
    }

    /// Reads the transfer's final reply (the data connection must be closed
    /// or at its end); 2xx is success.
    pub fn finish_transfer(&mut self) -> Result<Reply> {
        self.busy = false;
        let reply = match self.early_final.take() {
            Some(reply) => reply,
            None => self.on_control(|control, deadline| control.read_final(deadline))?,
        };
        if reply.code == 421 {
            self.close();
        }
        if is_2xx(reply.code) {
            Ok(reply)
        } else {
            Err(Error::from_reply(reply))
        }
    }

    /// Ends an open transfer early; the caller has already closed the data
    /// connection. Most servers then send the transfer's final reply (426,
    /// or 226 if it had just completed) at once, so that is awaited briefly
    /// first. Then ABOR goes out with a sentinel behind it (see
    /// `conversation::ABORT_SENTINEL`): servers answer ABOR with 426+226,
    /// 225, 226 or even 200, and some report the transfer late, so replies
    /// are read until the sentinel's shows the connection is back in step.
    /// The whole abort gets one reply deadline; failing it closes the session.
    pub fn abort_transfer(&mut self) -> Result<()> {
        self.busy = false;
        if self.early_final.take().is_some() {
            return Ok(());
        }
        let reply_ms = self.options.reply_ms;
        let result = self.on_control(|control, deadline| {
            let grace = Deadline::after_ms(ABORT_GRACE_MS.min(reply_ms / 2), "reply");
            match control.read_final(&grace) {
                Ok(reply) if reply.code == 421 => return Err(Error::Transient(reply)),
                Ok(_) | Err(Error::Timeout(_)) => {}
                Err(e) => return Err(e),
            }
            control.send(conversation::ABORT_SENTINEL, deadline)?;
            for _ in 0..conversation::ABORT_MAX_REPLIES {
                let reply = control.read_final(deadline)?;
                if conversation::ends_abort(&reply) {
                    return Ok(());
                }
                if reply.code == 421 {
                    return Err(Error::Transient(reply));
                }
            }
            Err(Error::Protocol(ProtocolError::MalformedReply(
                "no reply to the abort's sentinel".into(),
            )))
        });
        if result.is_err() {
            self.close();
        }
        result
    }

    /// NLST: the names in a directory, one per line of the listing.
    /// A path the server would split (see `list`) is listed from inside.
    pub fn nlst(&mut self, path: Option<&str>) -> Result<Vec<String>> {
        if let Some(p) = path {
            check_path("path", p)?;
        }
        let (body, _) = self.listing_body("NLST", path, path.is_some_and(splits_at_spaces))?;
        Ok(body
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
            .map(|l| self.options.encoding.decode(l))
            .collect())
    }

    /// The whole body of a listing command (see `start_listing`), bounded
    /// by `MAX_LISTING`.
    fn listing_body(&mut self, verb: &str, path: Option<&str>, from_inside: bool) -> Result<(Vec<u8>, ListingStart)> {
        let (mut data, start) = self.start_listing(verb, path, from_inside)?;
        let body = self.read_all(&mut data, MAX_LISTING);
        drop(data);
        // The error that stopped the listing, if any, is the one to report.
        let ended = self.end_listing(&start, body.is_ok());
        let body = body?;
        ended?;
        Ok((body, start))
    }

    fn read_all(&self, data: &mut Stream, max_bytes: usize) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let deadline = Deadline::after_ms(self.options.data_ms, "data");
            match data.read(64 * 1024, &deadline)? {
                Some(chunk) => {
                    if out.len() + chunk.len() > max_bytes {
                        return Err(ProtocolError::ListingTooLong(max_bytes).into());
                    }
                    // The host may cap memory below `max_bytes`: fail typed, not trap.
                    out.try_reserve(chunk.len())
                        .map_err(|_| ProtocolError::ListingExceedsMemory(out.len()))?;
                    out.extend_from_slice(&chunk);
                }
                None => return Ok(out),
            }
        }
    }
}

/// How an open listing was begun, for its end.
pub struct ListingStart {
    /// MLSD, not LIST.
    pub machine: bool,
    /// The directory to go back to after a listing made from inside.
    home: Option<String>,
    /// CWD's refusal, when the path was listed directly instead.
    refusal: Option<Reply>,
}

impl ListingStart {
    /// A path CWD refused and whose own listing held no entry a parser
    /// understood: the refusal is the answer (see `Session::list`).
    pub fn check(&self, understood: bool) -> Result<()> {
        match &self.refusal {
            Some(refusal) if !understood => Err(Error::from_reply(refusal.clone())),
            _ => Ok(()),
        }
    }
}

/// Whether a server may take `path` as several LIST arguments or options.
fn splits_at_spaces(path: &str) -> bool {
    path.starts_with('-') || path.chars().any(char::is_whitespace)
}

/// Memory the parsed entries of a listing may take, per byte of listing and
/// per line: the entries with their raw lines, names and facts, plus their
/// copy on the way out of the component.
const PARSE_BYTES_PER_BYTE: usize = 4;
const PARSE_BYTES_PER_LINE: usize = 384;

/// Parses a listing after checking that the memory its entries need can be
/// had, so a listing that fits but whose entries would not is a typed error
/// rather than an allocation failure (a trap) halfway through.
fn parse_bounded(body: &[u8], machine: bool, encoding: Encoding) -> Result<Vec<Entry>> {
    let lines = body.iter().filter(|&&b| b == b'\n').count() + 1;
    let need = body
        .len()
        .saturating_mul(PARSE_BYTES_PER_BYTE)
        .saturating_add(lines.saturating_mul(PARSE_BYTES_PER_LINE));
    let mut probe: Vec<u8> = Vec::new();
    probe
        .try_reserve_exact(need)
        .map_err(|_| ProtocolError::ListingExceedsMemory(body.len()))?;
    drop(probe);
    Ok(parse_listing(body, machine, Session::now(), encoding))
}

/// Completes the data connection's TLS handshake while waiting for the
/// transfer command's first reply. Servers differ in order: vsftpd sends 150
/// and then accepts TLS, ProFTPD completes TLS before its 150, so both the
/// handshake and the control connection are driven until each is done (or
/// the server answers with an error).
/// A transfer command's reply that means no data connection will be used.
#[cfg(feature = "secure")]
fn is_refusal(reply: &Reply) -> bool {
    matches!(reply.class(), Class::Transient | Class::Permanent)
}

#[cfg(feature = "secure")]
fn secure_data_handshake(control: &mut Control, mut tls: Pending, deadline: &Deadline) -> Result<(Pending, Reply)> {
    let mut reply: Option<Reply> = None;
    let mut done = false;
    loop {
        if !done {
            match tls.handshake_step(deadline) {
                Ok(step) => done = step,
                // A server that refuses the command may drop the data
                // connection mid-handshake: its reply is the error to report.
                Err(e) => {
                    let reply = match reply {
                        Some(r) => r,
                        None => control.read_reply(deadline)?,
                    };
                    return if is_refusal(&reply) { Ok((tls, reply)) } else { Err(e) };
                }
            }
        }
        if reply.is_none() {
            reply = control.try_read_reply(deadline)?;
        }
        match (reply, done) {
            (Some(r), _) if is_refusal(&r) => return Ok((tls, r)),
            (Some(r), true) => return Ok((tls, r)),
            (Some(r), false) => {
                tls.handshake(deadline)?;
                return Ok((tls, r));
            }
            (None, true) => return Ok((tls, control.read_reply(deadline)?)),
            (None, false) => {
                deadline.wait_any(&[tls.readable(), control.readable()])?;
                reply = None;
            }
        }
    }
}
