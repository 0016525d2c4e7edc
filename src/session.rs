//! A session: the control connection, its state, and every command that is a
//! plain request/reply exchange. Transfers build on `open_transfer`,
//! `finish_transfer` and `abort_transfer`.

use crate::control::Control;
use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::resolve::{resolve, socket_ip};
use crate::net::stream::Stream;
use crate::net::tcp::TcpConn;
use crate::proto::command::{self, check_path};
use crate::proto::conversation::{self, login_step, transfer_start, LoginStep, TransferStart};
use crate::proto::feat::{self, Feature};
use crate::proto::listing::{parse_listing, parse_mlsd_line, Entry, Kind};
use crate::proto::pace::{Limits, LowSpeed};
use crate::proto::passive::{parse_epsv, parse_pasv};
use crate::proto::reply::{Class, Reply};
use crate::proto::response::{parse_257, parse_size};
use crate::proto::time::{format_time_val, parse_mdtm, Timestamp};
use crate::proto::ProtocolError;
use crate::secure::{Secured, Security, TlsSettings};
use std::net::{IpAddr, SocketAddr};
use wasi::sockets::instance_network::instance_network;
use wasi::sockets::network::Network;

/// Connect options with defaults applied.
#[derive(Debug, Clone)]
pub struct Options {
    pub connect_ms: u32,
    pub reply_ms: u32,
    pub data_ms: u32,
    /// The whole of one transfer, if limited.
    pub transfer_ms: Option<u32>,
    pub low_speed: Option<LowSpeed>,
    pub trust_pasv_host: bool,
    pub max_line: usize,
    pub tls: Option<TlsSettings>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            connect_ms: 30_000,
            reply_ms: 30_000,
            data_ms: 60_000,
            transfer_ms: None,
            low_speed: None,
            trust_pasv_host: false,
            max_line: 8192,
            tls: None,
        }
    }
}

impl Options {
    /// The limits each transfer runs under.
    pub fn limits(&self) -> Limits {
        Limits {
            data_ns: u64::from(self.data_ms) * 1_000_000,
            transfer_ns: self.transfer_ms.map(|ms| u64::from(ms) * 1_000_000),
            low_speed: self.low_speed,
        }
    }
}

/// How long an abort waits for the transfer's own final reply before ABOR
/// (at most half of the one reply deadline the whole abort gets).
const ABORT_GRACE_MS: u32 = 2_000;

/// The smallest line bound accepted: RFC 959 replies and paths need room.
pub const MIN_LINE: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferType {
    Binary,
    Ascii,
}

impl TransferType {
    fn code(self) -> &'static str {
        match self {
            TransferType::Binary => "I",
            TransferType::Ascii => "A",
        }
    }
}

/// What the server has shown about passive modes so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Passive {
    TryEpsv,
    PasvOnly,
}

pub struct Session {
    /// `None` once the session is closed.
    control: Option<Control>,
    network: Network,
    peer: IpAddr,
    options: Options,
    welcome: Reply,
    passive: Passive,
    wanted_type: TransferType,
    server_type: Option<TransferType>,
    features: Option<Vec<Feature>>,
    busy: bool,
    /// A transfer's final reply that came as its first (226 without 150).
    early_final: Option<Reply>,
    /// The TLS state once the control connection is secured.
    secured: Option<Secured>,
    /// Explicit mode: the TLS state waiting for AUTH TLS.
    pending_tls: Option<Secured>,
    security: Security,
}

/// Listings kept in memory (LIST, MLSD, NLST) are bounded so a hostile
/// server cannot exhaust the guest's memory.
pub const MAX_LISTING: usize = 64 << 20;

fn is_code(codes: &'static [u16]) -> impl Fn(u16) -> bool {
    move |c| codes.contains(&c)
}

fn is_2xx(code: u16) -> bool {
    (200..300).contains(&code)
}

impl Session {
    pub fn connect(host: &str, port: u16, options: Options) -> Result<Self> {
        if port == 0 {
            return Err(Error::InvalidInput("port 0".into()));
        }
        let network = instance_network();
        let deadline = Deadline::after_ms(options.connect_ms, "connect");
        let tls = options.tls.clone().filter(|t| t.mode != Security::None);
        // Check the TLS settings (CA bundle, name) before any connection.
        let secured = tls.as_ref().map(|t| Secured::new(t, host)).transpose()?;
        let mut last_err = None;
        for ip in resolve(&network, host, &deadline)? {
            match TcpConn::connect(&network, SocketAddr::new(ip, port), &deadline) {
                Ok(conn) => {
                    let mut session = Self::greet(network, conn, ip, options, secured, &deadline)?;
                    if let Some(t) = tls.filter(|t| t.mode == Security::Explicit) {
                        session.auth_tls(&t, &deadline)?;
                    }
                    session.protect()?;
                    return Ok(session);
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| Error::Io(format!("no address for {host}"))))
    }

    fn greet(
        network: Network,
        conn: TcpConn,
        ip: IpAddr,
        options: Options,
        secured: Option<Secured>,
        deadline: &Deadline,
    ) -> Result<Self> {
        let peer = conn.peer().map(|addr| socket_ip(&addr)).unwrap_or(ip);
        let implicit = options.tls.as_ref().is_some_and(|t| t.mode == Security::Implicit);
        let stream = match (&secured, implicit) {
            (Some(s), true) => s.wrap(conn, deadline)?,
            _ => Stream::Plain(conn),
        };
        let mut control = Control::new(stream, options.max_line);
        let welcome = control.read_final(deadline)?;
        if !is_2xx(welcome.code) {
            return Err(Error::from_reply(welcome));
        }
        let (secured, pending, security) = if implicit {
            (secured, None, Security::Implicit)
        } else {
            (None, secured, Security::None)
        };
        Ok(Self {
            secured,
            security,
            pending_tls: pending,
            control: Some(control),
            network,
            peer,
            options,
            welcome,
            passive: Passive::TryEpsv,
            wanted_type: TransferType::Binary,
            server_type: None,
            features: None,
            busy: false,
            early_final: None,
        })
    }

    /// Explicit FTPS: AUTH TLS, then the handshake on the same connection.
    fn auth_tls(&mut self, settings: &TlsSettings, deadline: &Deadline) -> Result<()> {
        let Some(secured) = self.pending_tls.take() else {
            return Ok(());
        };
        let reply = self.cmd("AUTH", Some("TLS"))?;
        if reply.code != 234 {
            if settings.allow_plaintext && reply.class() != Class::Completion {
                return Ok(());
            }
            return Err(Error::TlsRefused(reply));
        }
        let control = self.control.take().ok_or(Error::Closed)?;
        #[allow(irrefutable_let_patterns)] // refutable with the `tls` feature
        let Stream::Plain(tcp) = control.into_stream()?
        else {
            return Err(Error::InvalidInput("the control connection is already secured".into()));
        };
        let stream = secured.wrap(tcp, deadline)?;
        self.control = Some(Control::new(stream, self.options.max_line));
        self.secured = Some(secured);
        self.security = Security::Explicit;
        Ok(())
    }

    /// PBSZ 0 and PROT P (or C) once the control connection is secured.
    fn protect(&mut self) -> Result<()> {
        let Some(secured) = &self.secured else { return Ok(()) };
        let level = if secured.protect_data() { "P" } else { "C" };
        self.expect("PBSZ", Some("0"), is_2xx)?;
        self.expect("PROT", Some(level), is_2xx)?;
        Ok(())
    }

    pub fn security(&self) -> Security {
        self.security
    }

    pub fn welcome(&self) -> &Reply {
        &self.welcome
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    fn reply_deadline(&self) -> Deadline {
        Deadline::after_ms(self.options.reply_ms, "reply")
    }

    /// Refuses calls while a transfer is open or after the session closed.
    pub fn ensure_idle(&self) -> Result<()> {
        if self.control.is_none() {
            return Err(Error::Closed);
        }
        if self.busy {
            return Err(Error::InvalidInput(
                "a transfer is open on this session; finish or abort it first".into(),
            ));
        }
        Ok(())
    }

    /// Closes the session: drops the control connection.
    pub fn close(&mut self) {
        self.control = None;
        self.busy = false;
        self.early_final = None;
    }

    /// Runs one step on the control connection; a fault that leaves the
    /// connection out of step, or a 421, closes the session.
    fn on_control<T>(&mut self, step: impl FnOnce(&mut Control, &Deadline) -> Result<T>) -> Result<T> {
        let deadline = self.reply_deadline();
        let control = self.control.as_mut().ok_or(Error::Closed)?;
        let result = step(control, &deadline);
        match &result {
            Err(e) if e.breaks_control() => self.close(),
            Err(Error::Transient(r)) if r.code == 421 => self.close(),
            _ => {}
        }
        result
    }

    /// Sends a line and returns the final (non-1xx) reply. A 421 closes the
    /// session and is returned as a transient error.
    /// Late replies to an earlier transfer (a 226 after the abort's
    /// sentinel) are skipped: see `conversation::is_late_transfer_reply`.
    fn exchange(&mut self, line: &[u8]) -> Result<Reply> {
        self.on_control(|control, deadline| {
            control.send(line, deadline)?;
            let mut reply = control.read_final(deadline)?;
            while conversation::is_late_transfer_reply(&reply) {
                reply = control.read_final(deadline)?;
            }
            if reply.code == 421 {
                return Err(Error::Transient(reply));
            }
            Ok(reply)
        })
    }

    fn cmd(&mut self, verb: &str, arg: Option<&str>) -> Result<Reply> {
        let line = command::format(verb, arg)?;
        self.exchange(&line)
    }

    /// Sends a command and accepts only the replies `ok` admits.
    fn expect(&mut self, verb: &str, arg: Option<&str>, ok: impl Fn(u16) -> bool) -> Result<Reply> {
        let reply = self.cmd(verb, arg)?;
        if ok(reply.code) {
            Ok(reply)
        } else {
            Err(Error::from_reply(reply))
        }
    }

    fn path_cmd(&mut self, verb: &str, path: &str) -> Result<Reply> {
        self.ensure_idle()?;
        check_path("path", path)?;
        self.expect(verb, Some(path), is_2xx)
    }

    pub fn login(&mut self, user: Option<&str>, password: Option<&str>, account: Option<&str>) -> Result<Reply> {
        self.ensure_idle()?;
        let user = user.filter(|u| !u.is_empty()).unwrap_or("anonymous");
        let mut password = password.unwrap_or("").to_string();
        if user == "anonymous" && (password.is_empty() || password == "-") {
            password.push_str("anonymous@");
        }
        command::format("USER", Some(user))?;
        command::format("PASS", Some(&password))?;
        if let Some(acct) = account {
            command::format("ACCT", Some(acct))?;
        }
        self.server_type = None;
        self.features = None;
        let mut sent = "USER";
        let mut reply = self.cmd(sent, Some(user))?;
        loop {
            let (verb, arg) = match login_step(sent, reply.code, account.is_some()) {
                LoginStep::Done => break,
                LoginStep::Fail => return Err(Error::from_reply(reply)),
                LoginStep::SendPass => ("PASS", password.as_str()),
                LoginStep::SendAccount => ("ACCT", account.unwrap_or_default()),
            };
            sent = verb;
            reply = self.cmd(verb, Some(arg))?;
        }
        if feat::has(self.features()?, "UTF8") {
            // RFC 2640; servers that always speak UTF-8 may refuse, harmlessly.
            self.cmd("OPTS", Some("UTF8 ON"))?;
        }
        Ok(reply)
    }

    /// FEAT, once per login; a server without FEAT has no features.
    pub fn features(&mut self) -> Result<&[Feature]> {
        self.ensure_idle()?;
        if self.features.is_none() {
            let reply = self.cmd("FEAT", None)?;
            self.features = Some(match reply.code {
                211 => feat::parse_feat(&reply),
                _ if reply.class() == Class::Permanent => Vec::new(),
                _ => return Err(Error::from_reply(reply)),
            });
        }
        Ok(self.features.as_deref().unwrap_or_default())
    }

    pub fn system(&mut self) -> Result<String> {
        self.ensure_idle()?;
        Ok(self.expect("SYST", None, is_code(&[215]))?.first_line().to_string())
    }

    /// A command whose optional argument is checked, accepting `ok` replies.
    fn optional_arg_cmd(&mut self, verb: &str, arg: Option<&str>, ok: impl Fn(u16) -> bool) -> Result<Reply> {
        self.ensure_idle()?;
        if let Some(a) = arg {
            check_path("argument", a)?;
        }
        self.expect(verb, arg, ok)
    }

    pub fn status(&mut self, path: Option<&str>) -> Result<Reply> {
        self.optional_arg_cmd("STAT", path, is_2xx)
    }

    pub fn help(&mut self, topic: Option<&str>) -> Result<Reply> {
        self.optional_arg_cmd("HELP", topic, is_2xx)
    }

    pub fn site(&mut self, arguments: &str) -> Result<Reply> {
        self.optional_arg_cmd("SITE", Some(arguments), is_2xx)
    }

    pub fn account(&mut self, info: &str) -> Result<Reply> {
        self.optional_arg_cmd("ACCT", Some(info), is_2xx)
    }

    pub fn reinitialize(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        self.server_type = None;
        self.features = None;
        self.expect("REIN", None, is_2xx)
    }

    pub fn modified_time(&mut self, path: &str) -> Result<Timestamp> {
        self.ensure_idle()?;
        check_path("path", path)?;
        let reply = self.expect("MDTM", Some(path), is_code(&[213]))?;
        Ok(parse_mdtm(reply.first_line())?)
    }

    pub fn set_modified_time(&mut self, path: &str, time: Timestamp) -> Result<Reply> {
        self.ensure_idle()?;
        check_path("path", path)?;
        let arg = format!("{} {path}", format_time_val(time));
        let reply = self.cmd("MFMT", Some(&arg))?;
        match reply.code {
            200..=299 => Ok(reply),
            // vsftpd and others set times with the two-argument MDTM form.
            500 | 502 => self.expect("MDTM", Some(&arg), is_2xx),
            _ => Err(Error::from_reply(reply)),
        }
    }

    /// The current wall-clock time, to place LIST dates that omit the year.
    fn now() -> Timestamp {
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
        if let Some(p) = path {
            check_path("path", p)?;
        }
        let machine = feat::has(self.features()?, "MLST");
        let (body, refusal) = match (machine, path) {
            (true, _) | (false, None) => (self.listing_body(if machine { "MLSD" } else { "LIST" }, path)?, None),
            (false, Some(path)) => self.listing_in_dir("LIST", path)?,
        };
        let mut entries = parse_bounded(&body, machine)?;
        entries.retain(|e| !e.is_self_or_parent());
        match refusal {
            Some(reply) if entries.iter().all(|e| e.kind == Kind::Unparsed) => Err(Error::from_reply(reply)),
            _ => Ok(entries),
        }
    }

    /// A listing of `path` made from inside it (CWD there, list, CWD back);
    /// when CWD refuses, the listing of `path` itself and the refusal.
    fn listing_in_dir(&mut self, verb: &str, path: &str) -> Result<(Vec<u8>, Option<Reply>)> {
        let home = self.pwd()?;
        match self.cwd(path) {
            Ok(_) => {
                let body = self.listing_body(verb, None);
                self.cwd(&home)?;
                Ok((body?, None))
            }
            Err(Error::Permanent(refusal)) if !splits_at_spaces(path) => {
                Ok((self.listing_body(verb, Some(path))?, Some(refusal)))
            }
            Err(e) => Err(e),
        }
    }

    pub fn stat_entry(&mut self, path: &str) -> Result<Entry> {
        self.ensure_idle()?;
        check_path("path", path)?;
        let reply = self.expect("MLST", Some(path), is_code(&[250]))?;
        // 250-Listing path / " facts; name" / 250 End
        reply
            .lines
            .iter()
            .skip(1)
            .find(|l| l.starts_with(' '))
            .and_then(|l| parse_mlsd_line(l))
            .ok_or_else(|| {
                Error::Protocol(ProtocolError::MalformedValue {
                    verb: "MLST",
                    text: reply.text(),
                })
            })
    }

    pub fn command(&mut self, line: &str) -> Result<Reply> {
        self.ensure_idle()?;
        let bytes = command::format_raw(line)?;
        let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        if let Some(why) = conversation::raw_verb_refusal(&verb) {
            return Err(Error::InvalidInput(format!("{verb} {why}")));
        }
        let reply = self.exchange(&bytes)?;
        // The server's TYPE or login state may have changed behind our back.
        if matches!(verb.as_str(), "TYPE" | "REIN" | "USER") {
            self.server_type = None;
        }
        if matches!(verb.as_str(), "REIN" | "USER" | "PASS" | "ACCT") {
            self.features = None;
        }
        Ok(reply)
    }

    pub fn noop(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        self.expect("NOOP", None, is_2xx)
    }

    pub fn quit(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        let result = self.expect("QUIT", None, is_2xx);
        self.close();
        result
    }

    pub fn cwd(&mut self, path: &str) -> Result<Reply> {
        self.path_cmd("CWD", path)
    }

    pub fn cdup(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        self.expect("CDUP", None, is_2xx)
    }

    pub fn pwd(&mut self) -> Result<String> {
        self.ensure_idle()?;
        let reply = self.expect("PWD", None, is_code(&[257]))?;
        parse_257(reply.first_line()).ok_or_else(|| {
            Error::Protocol(ProtocolError::MalformedValue {
                verb: "PWD",
                text: reply.text(),
            })
        })
    }

    pub fn mkd(&mut self, path: &str) -> Result<String> {
        let reply = self.path_cmd("MKD", path)?;
        Ok(parse_257(reply.first_line()).unwrap_or_else(|| path.to_string()))
    }

    pub fn rmd(&mut self, path: &str) -> Result<Reply> {
        self.path_cmd("RMD", path)
    }

    pub fn delete(&mut self, path: &str) -> Result<Reply> {
        self.path_cmd("DELE", path)
    }

    pub fn rename(&mut self, from: &str, to: &str) -> Result<Reply> {
        self.ensure_idle()?;
        check_path("source path", from)?;
        check_path("target path", to)?;
        self.expect("RNFR", Some(from), is_code(&[350]))?;
        self.expect("RNTO", Some(to), is_2xx)
    }

    pub fn size(&mut self, path: &str) -> Result<u64> {
        self.ensure_idle()?;
        check_path("path", path)?;
        self.sync_type()?;
        let reply = self.expect("SIZE", Some(path), is_code(&[213]))?;
        Ok(parse_size(reply.first_line())?)
    }

    pub fn set_transfer_type(&mut self, kind: TransferType) -> Result<Reply> {
        self.ensure_idle()?;
        self.server_type = None;
        let reply = self.expect("TYPE", Some(kind.code()), is_2xx)?;
        self.wanted_type = kind;
        self.server_type = Some(kind);
        Ok(reply)
    }

    pub fn transfer_type(&self) -> TransferType {
        self.wanted_type
    }

    /// Sends TYPE if the server's type is not (known to be) the one wanted:
    /// servers start in ASCII, the session in binary.
    fn sync_type(&mut self) -> Result<()> {
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
        match TcpConn::connect(&self.network, SocketAddr::new(ip, port), &deadline) {
            Err(Error::Io(_)) if epsv && self.passive == Passive::TryEpsv && self.peer.is_ipv4() => {
                self.passive = Passive::PasvOnly;
                let (ip, port) = self.passive_address()?;
                let deadline = Deadline::after_ms(self.options.connect_ms, "data connect");
                TcpConn::connect(&self.network, SocketAddr::new(ip, port), &deadline)
            }
            done => done,
        }
    }

    fn passive_address(&mut self) -> Result<(IpAddr, u16)> {
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
        let line = command::format(verb, arg)?;
        self.sync_type()?;
        let data = self.open_data()?;
        if rest > 0 {
            self.expect("REST", Some(&rest.to_string()), is_code(&[350]))?;
        }
        let (data, mut reply) = self.send_transfer_command(&line, data)?;
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
        Ok((data, reply))
    }

    /// Sends the transfer command and reads its first reply; with PROT P,
    /// secures the data connection at the same time.
    fn send_transfer_command(&mut self, line: &[u8], data: TcpConn) -> Result<(Stream, Reply)> {
        #[cfg(feature = "tls")]
        if let Some(secured) = self.secured.as_ref().filter(|s| s.protect_data()) {
            let tls = secured.start(data, &self.reply_deadline())?;
            return self.on_control(move |control, deadline| {
                control.send(line, deadline)?;
                let (tls, reply) = secure_data_handshake(control, tls, deadline)?;
                Ok((Stream::Tls(Box::new(tls)), reply))
            });
        }
        self.on_control(|control, deadline| {
            control.send(line, deadline)?;
            Ok((Stream::Plain(data), control.read_reply(deadline)?))
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
        let body = match path {
            Some(p) if splits_at_spaces(p) => self.listing_in_dir("NLST", p)?.0,
            _ => self.listing_body("NLST", path)?,
        };
        Ok(body
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect())
    }

    /// The whole body of a listing command, bounded by `MAX_LISTING`.
    fn listing_body(&mut self, verb: &str, path: Option<&str>) -> Result<Vec<u8>> {
        let (mut data, _) = self.open_transfer(verb, path, 0)?;
        let body = self.read_all(&mut data, MAX_LISTING);
        drop(data);
        match body {
            Ok(bytes) => {
                self.finish_transfer()?;
                Ok(bytes)
            }
            Err(e) => {
                // Best effort: the error that stopped the listing is the one to report.
                let _ = self.abort_transfer();
                Err(e)
            }
        }
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
fn parse_bounded(body: &[u8], machine: bool) -> Result<Vec<Entry>> {
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
    Ok(parse_listing(body, machine, Session::now()))
}

/// Completes the data connection's TLS handshake while waiting for the
/// transfer command's first reply. Servers differ in order: vsftpd sends 150
/// and then accepts TLS, ProFTPD completes TLS before its 150, so both the
/// handshake and the control connection are driven until each is done (or
/// the server answers with an error).
#[cfg(feature = "tls")]
fn secure_data_handshake(
    control: &mut Control,
    mut tls: crate::tls::stream::TlsStream,
    deadline: &Deadline,
) -> Result<(crate::tls::stream::TlsStream, Reply)> {
    let mut reply: Option<Reply> = None;
    let mut done = false;
    loop {
        if !done {
            done = tls.handshake_step(deadline)?;
        }
        if reply.is_none() {
            reply = control.try_read_reply(deadline)?;
        }
        match (reply, done) {
            (Some(r), _) if r.class() != Class::Preliminary => return Ok((tls, r)),
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
