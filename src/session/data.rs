//! Transfers and listings over data connections: each is begun by an
//! engine operation (passive mode, TYPE, REST, TLS and the first reply,
//! or a listing's PWD and CWD) and ended by another (`Finish`, `Abort`);
//! what is read in between is the caller's.

use super::{reply_of, Session, MAX_LISTING};
use crate::error::{Error, Result};
use crate::net::clock;
use crate::net::deadline::Deadline;
use crate::proto::encoding::Encoding;
use crate::proto::engine::{ListingKind, Op, Outcome};
use crate::proto::listing::{parse_listing, Entry, Kind};
use crate::proto::reply::Reply;
use crate::proto::time::Timestamp;
use crate::proto::ProtocolError;
use crate::stream::Stream;

/// How an open listing was begun, for its end.
pub struct ListingStart {
    /// MLSD, not LIST.
    pub machine: bool,
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

impl Session {
    /// The current wall-clock time, to place LIST dates that omit the year.
    pub(crate) fn now() -> Timestamp {
        clock::wall()
    }

    /// MLSD where offered, else LIST from inside the directory (the
    /// engine's `ListingKind::Auto`); a missing directory is an error even
    /// where LIST prints its complaint as data.
    pub fn list(&mut self, path: Option<&str>) -> Result<Vec<Entry>> {
        let (body, start) = self.listing_body(ListingKind::Auto, path)?;
        let mut entries = parse_bounded(&body, start.machine, self.options.encoding)?;
        entries.retain(|e| !e.is_self_or_parent());
        start.check(entries.iter().any(|e| e.kind != Kind::Unparsed))?;
        Ok(entries)
    }

    /// `list`'s listing, opened to be read as it arrives (see
    /// `listing.rs`): the data connection and how it was begun. The
    /// session is busy until `end_listing`.
    pub fn open_listing(&mut self, path: Option<&str>) -> Result<(Stream, ListingStart)> {
        self.start_listing(ListingKind::Auto, path)
    }

    /// MLSD as the server sends it, `cdir` and `pdir` entries included
    /// (ftplib's `mlsd`); with `facts`, `OPTS MLST` first asks for just
    /// those facts.
    pub fn mlsd(&mut self, path: Option<&str>, facts: &[String]) -> Result<Vec<Entry>> {
        let kind = ListingKind::Mlsd { facts: facts.to_vec() };
        let (body, _) = self.listing_body(kind, path)?;
        parse_bounded(&body, true, self.options.encoding)
    }

    /// NLST: the names in a directory, one per line of the listing.
    pub fn nlst(&mut self, path: Option<&str>) -> Result<Vec<String>> {
        let (body, _) = self.listing_body(ListingKind::Nlst, path)?;
        Ok(body
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
            .map(|l| self.options.encoding.decode(l))
            .collect())
    }

    fn start_listing(&mut self, kind: ListingKind, path: Option<&str>) -> Result<(Stream, ListingStart)> {
        let opened = match self.run(Op::Listing {
            kind,
            path: path.map(str::to_string),
        })? {
            Outcome::Opened(opened) => opened,
            _ => return Err(Error::InvalidInput("the listing did not open".into())),
        };
        let data = self.take_data()?;
        Ok((
            data,
            ListingStart {
                machine: opened.machine,
                refusal: opened.refusal,
            },
        ))
    }

    /// Ends a listing whose data connection is closed: its final reply
    /// when it was read to the end (`complete`), else an abort; then (the
    /// engine's doing) back to the directory it was listed from.
    pub fn end_listing(&mut self, complete: bool) -> Result<()> {
        if complete {
            self.finish_transfer().map(drop)
        } else {
            self.abort_transfer()
        }
    }

    /// Opens the data connection and sends the transfer command; once the
    /// server accepts it the session is busy until `finish_transfer` or
    /// `abort_transfer`.
    pub fn open_transfer(&mut self, verb: &'static str, arg: Option<&str>, rest: u64) -> Result<(Stream, Reply)> {
        let first = self.run(Op::Transfer {
            verb,
            path: arg.map(str::to_string),
            rest,
        })?;
        let data = self.take_data()?;
        Ok((data, reply_of(first)?))
    }

    /// Reads the transfer's final reply (the data connection must be closed
    /// or at its end); 2xx is success.
    pub fn finish_transfer(&mut self) -> Result<Reply> {
        self.reply(Op::Finish)
    }

    /// A NOOP on the control connection while the transfer runs (see
    /// `Options::keep_alive_ms`); its reply is read at the transfer's end.
    pub fn keep_alive(&mut self) -> Result<()> {
        self.run(Op::KeepAlive).map(drop)
    }

    /// Ends an open transfer early; the caller has already closed the data
    /// connection (see the engine's abort for how the connection is
    /// brought back in step).
    pub fn abort_transfer(&mut self) -> Result<()> {
        self.run(Op::Abort).map(drop)
    }

    /// The whole body of a listing, bounded by `MAX_LISTING`.
    fn listing_body(&mut self, kind: ListingKind, path: Option<&str>) -> Result<(Vec<u8>, ListingStart)> {
        let (mut data, start) = self.start_listing(kind, path)?;
        let body = self.read_all(&mut data, MAX_LISTING);
        drop(data);
        // The error that stopped the listing, if any, is the one to report.
        let ended = self.end_listing(body.is_ok());
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
