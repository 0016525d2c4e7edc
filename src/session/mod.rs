//! A session: the control connection and its state (connecting, TLS,
//! login, features), and how one exchange on it goes. Plain commands are in
//! `commands`, data connections and listings in `data`; transfers build on
//! `open_transfer`, `finish_transfer` and `abort_transfer`.

mod commands;
mod data;
mod digest;
mod relay;

pub use data::ListingStart;

use crate::control::Control;
use crate::error::{Error, Result};
use crate::net::convert::socket_ip;
use crate::net::deadline::Deadline;
use crate::net::resolve::resolve;
use crate::net::tcp::TcpConn;
use crate::proto::command::{self, check_path};
use crate::proto::conversation::{self, login_step, LoginStep};
use crate::proto::encoding::Encoding;
use crate::proto::feat::{self, Feature};
use crate::proto::hash::Algorithm;
use crate::proto::pace::{Limits, LowSpeed};
use crate::proto::reply::{Class, Reply};
use crate::secure::{Secured, Security, TlsSettings, TlsVersion};
use crate::stream::Stream;
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
    /// How names and reply text map to bytes.
    pub encoding: Encoding,
    /// The local address to connect from (ftplib's `source_address`); data
    /// connections use its IP with a port of the system's choosing.
    pub source: Option<SocketAddr>,
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
            encoding: Encoding::Utf8,
            source: None,
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

/// How long a dropped session waits for the reply to its QUIT.
const GOODBYE_MS: u32 = 1_000;

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
    /// CCC ended the control connection's TLS (data keeps its PROT).
    control_cleared: bool,
    /// The HASH algorithm `OPTS HASH` selected last; none: as FEAT says.
    hash_selected: Option<Algorithm>,
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
    /// Connects, logs nothing in yet. With TLS and no version chosen, TLS
    /// 1.2 is tried first (its session resumes for any number of data
    /// connections) and TLS 1.3 on a second connection if the server's TLS
    /// 1.2 has nothing this client speaks.
    pub fn connect(host: &str, port: u16, options: Options) -> Result<Self> {
        let auto = options
            .tls
            .as_ref()
            .is_some_and(|t| t.mode != Security::None && t.version == TlsVersion::Auto);
        if !auto {
            return Self::connect_once(host, port, options);
        }
        let with = |version| {
            let mut o = options.clone();
            if let Some(t) = o.tls.as_mut() {
                t.version = version;
            }
            o
        };
        match Self::connect_once(host, port, with(TlsVersion::Tls12)) {
            #[cfg(feature = "secure")]
            Err(Error::Tls(crate::error::TlsFailure::Handshake(_))) => {
                Self::connect_once(host, port, with(TlsVersion::Tls13))
            }
            done => done,
        }
    }

    fn connect_once(host: &str, port: u16, options: Options) -> Result<Self> {
        if port == 0 {
            return Err(Error::InvalidInput("port 0".into()));
        }
        let network = instance_network();
        let deadline = Deadline::after_ms(options.connect_ms, "connect");
        let tls = options.tls.clone().filter(|t| t.mode != Security::None);
        // Check the TLS settings (CA bundle, name) before any connection.
        let secured = tls.as_ref().map(|t| Secured::new(t, host)).transpose()?;
        let mut last_err = None;
        let source = options.source;
        // A source address can only reach addresses of its own family.
        let reachable = |ip: &IpAddr| source.is_none_or(|s| s.is_ipv4() == ip.is_ipv4());
        let addresses: Vec<IpAddr> = resolve(&network, host, &deadline)?
            .into_iter()
            .filter(reachable)
            .collect();
        for ip in addresses {
            match TcpConn::connect(&network, SocketAddr::new(ip, port), source, &deadline) {
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
        Err(last_err.unwrap_or_else(|| match source {
            Some(source) => Error::Io(format!("no address for {host} reachable from {source}")),
            None => Error::Io(format!("no address for {host}")),
        }))
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
        let mut control = Control::new(stream, options.max_line, options.encoding);
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
            control_cleared: false,
            hash_selected: None,
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
        let mut control = self.control.take().ok_or(Error::Closed)?;
        let trace = control.detach_trace();
        #[allow(irrefutable_let_patterns)] // refutable with the `tls` feature
        let Stream::Plain(tcp) = control.into_stream("AUTH TLS")?
        else {
            return Err(Error::InvalidInput("the control connection is already secured".into()));
        };
        let stream = secured.wrap(tcp, deadline)?;
        let mut control = Control::new(stream, self.options.max_line, self.options.encoding);
        control.attach_trace(trace);
        self.control = Some(control);
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

    /// PROT P (`private`) or PROT C for the transfers from now on (ftplib's
    /// `prot_p`/`prot_c`); the session follows only once the server agrees.
    pub fn set_data_protection(&mut self, private: bool) -> Result<Reply> {
        self.ensure_idle()?;
        if self.secured.is_none() {
            return Err(Error::InvalidInput("PROT is for a TLS session".into()));
        }
        let reply = self.expect("PROT", Some(if private { "P" } else { "C" }), is_2xx)?;
        if let Some(secured) = self.secured.as_mut() {
            secured.set_protect_data(private);
        }
        Ok(reply)
    }

    /// CCC (RFC 4217 §6, ftplib's `ccc`): after login, the control
    /// connection goes back to plain text so a NAT firewall can follow it;
    /// data connections keep the protection PROT set. Only where TLS is the
    /// component's own: the host's `wasi:tls` cannot hand its connection
    /// back in the clear. A fault while TLS is being ended closes the session.
    pub fn clear_command_channel(&mut self) -> Result<Reply> {
        self.ensure_idle()?;
        if self.secured.is_none() || self.control_cleared {
            return Err(Error::InvalidInput(
                "CCC is for a control connection secured by TLS".into(),
            ));
        }
        self.clear_control()
    }

    #[cfg(not(feature = "tls"))]
    fn clear_control(&mut self) -> Result<Reply> {
        Err(Error::InvalidInput(
            "CCC needs the build with TLS inside the component: the host's TLS cannot hand back its connection".into(),
        ))
    }

    #[cfg(feature = "tls")]
    fn clear_control(&mut self) -> Result<Reply> {
        let reply = self.expect("CCC", None, is_2xx)?;
        let deadline = self.reply_deadline();
        let mut control = self.control.take().ok_or(Error::Closed)?;
        let trace = control.detach_trace();
        let tcp = match control.into_stream("CCC")? {
            Stream::Tls(tls) => tls.unwrap(&deadline)?,
            Stream::Plain(_) => return Err(Error::InvalidInput("the control connection is not secured".into())),
        };
        let mut control = Control::new(Stream::Plain(tcp), self.options.max_line, self.options.encoding);
        control.attach_trace(trace);
        self.control = Some(control);
        self.control_cleared = true;
        Ok(reply)
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

    /// Whether data connections are TLS (PROT P).
    #[cfg(feature = "secure")]
    pub fn data_is_private(&self) -> bool {
        self.secured.as_ref().is_some_and(|s| s.protect_data())
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

    /// Starts (afresh) or stops recording the control conversation.
    pub fn set_trace(&mut self, on: bool) {
        if let Some(control) = self.control.as_mut() {
            control.set_trace(on);
        }
    }

    /// The conversation recorded since the last call.
    pub fn take_trace(&mut self) -> Vec<String> {
        self.control.as_mut().map(Control::take_trace).unwrap_or_default()
    }

    /// QUIT without asking for the reply to be right, bounded by a short
    /// deadline: what a session dropped while idle says to its server.
    fn say_goodbye(&mut self) {
        if self.busy {
            return;
        }
        let deadline = Deadline::after_ms(self.options.reply_ms.min(GOODBYE_MS), "reply");
        if let Some(control) = self.control.as_mut() {
            if control.send(b"QUIT\r\n", &deadline).is_ok() {
                let _ = control.read_reply(&deadline);
            }
        }
        self.close();
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
        let line = command::format(verb, arg, self.options.encoding)?;
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
        let encoding = self.options.encoding;
        command::format("USER", Some(user), encoding)?;
        command::format("PASS", Some(&password), encoding)?;
        if let Some(acct) = account {
            command::format("ACCT", Some(acct), encoding)?;
        }
        self.server_type = None;
        self.features = None;
        self.hash_selected = None;
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
        if encoding == Encoding::Utf8 && feat::has(self.features()?, "UTF8") {
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
}

/// A session dropped while idle says QUIT first (as ftplib's `with` block
/// does), so the server logs a clean goodbye rather than a lost client.
impl Drop for Session {
    fn drop(&mut self) {
        self.say_goodbye();
    }
}
