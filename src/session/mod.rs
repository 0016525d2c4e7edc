//! A session: the engine (`proto::engine`, which owns the conversation)
//! and its driver, which does what the engine asks on real connections.
//! `drive` is the one loop that moves bytes and waits; `commands`, `data`,
//! `digest` and `relay` are the typed calls, each an engine operation.

mod commands;
mod data;
mod digest;
mod drive;
mod relay;

pub use crate::proto::engine::TransferType;
pub use data::ListingStart;

use crate::error::{Error, Result};
use crate::net::convert::socket_ip;
use crate::net::deadline::Deadline;
use crate::net::resolve::resolve;
use crate::net::tcp::{instance_network, TcpConn};
use crate::proto::encoding::Encoding;
use crate::proto::engine::{self, Engine, Op, Outcome, Phase};
use crate::proto::pace::{Limits, LowSpeed};
use crate::proto::proxy::Target;
use crate::proto::reply::Reply;
use crate::secure::{Security, Tls, TlsSettings, TlsVersion};
use crate::stream::Stream;
use crate::tunnel::Proxy;
use drive::Data;
use std::net::{IpAddr, SocketAddr};
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
    /// How often a NOOP goes out on the control connection while a
    /// transfer runs, if at all.
    pub keep_alive_ms: Option<u32>,
    /// The proxy every connection goes through, if any.
    pub proxy: Option<Proxy>,
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
            keep_alive_ms: None,
            proxy: None,
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

    /// What the engine needs of them, for a connection to `peer`.
    fn engine(&self, peer: IpAddr) -> engine::Config {
        engine::Config {
            reply_ns: u64::from(self.reply_ms) * 1_000_000,
            connect_ns: u64::from(self.connect_ms) * 1_000_000,
            max_line: self.max_line,
            encoding: self.encoding,
            trust_pasv_host: self.trust_pasv_host,
            peer,
            security: TlsSettings::asked(self.tls.as_ref()),
            keep_alive_ns: self.keep_alive_ms.map(|ms| u64::from(ms.max(1)) * 1_000_000),
        }
    }
}

/// How long the control connection may be idle before TCP keep-alive
/// probes start: below the few minutes NAT boxes commonly forget a
/// connection in.
const TCP_KEEP_ALIVE_NS: u64 = 60_000_000_000;

/// The smallest line bound accepted: RFC 959 replies and paths need room.
pub const MIN_LINE: usize = 512;

/// Listings kept in memory (LIST, MLSD, NLST) are bounded so a hostile
/// server cannot exhaust the guest's memory.
pub const MAX_LISTING: usize = 64 << 20;

pub struct Session {
    engine: Engine,
    /// The control connection; `None` once the session is closed.
    control: Option<Stream>,
    /// The data connection an operation is setting up.
    data: Data,
    network: Network,
    options: Options,
    welcome: Reply,
    /// What connections are secured with, where TLS was asked for.
    tls: Option<Tls>,
    /// The error behind the engine's last `Failure::Reported`.
    reported: Option<Error>,
    /// Through a proxy, the server's name where it was given one (the
    /// proxy resolves it): data connections to the control connection's
    /// peer go there.
    far_name: Option<String>,
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
        let settings = options.tls.as_ref().filter(|t| t.mode != Security::None);
        let tls = settings.map(|t| Tls::new(t, host)).transpose()?;
        if let Some(proxy) = options.proxy.clone() {
            return Self::connect_through(&proxy, network, host, port, options, tls, &deadline);
        }
        let source = options.source;
        // A source address can only reach addresses of its own family.
        let reachable = |ip: &IpAddr| source.is_none_or(|s| s.is_ipv4() == ip.is_ipv4());
        let addresses: Vec<IpAddr> = resolve(&network, host, &deadline)?
            .into_iter()
            .filter(reachable)
            .collect();
        let mut last_err = None;
        for ip in addresses {
            match TcpConn::connect(&network, SocketAddr::new(ip, port), source, &deadline) {
                Ok(conn) => {
                    let peer = conn.peer().map(|addr| socket_ip(&addr)).unwrap_or(ip);
                    return Self::open(conn, peer, None, network, options, tls, &deadline);
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| match source {
            Some(source) => Error::Io(format!("no address for {host} reachable from {source}")),
            None => Error::Io(format!("no address for {host}")),
        }))
    }

    /// Through `proxy`: the server's name, if it is one, is the proxy's to
    /// resolve; the engine's peer is then unknown (unspecified), and data
    /// connections to it go to the name (`far_name`).
    fn connect_through(
        proxy: &Proxy,
        network: Network,
        host: &str,
        port: u16,
        options: Options,
        tls: Option<Tls>,
        deadline: &Deadline,
    ) -> Result<Self> {
        let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        let (target, peer, far_name) = match bare.parse::<IpAddr>() {
            Ok(ip) => (Target::Addr(SocketAddr::new(ip, port)), ip, None),
            Err(_) => (
                Target::Name(bare.to_string(), port),
                IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
                Some(bare.to_string()),
            ),
        };
        let conn = proxy.connect(&network, target, options.source, deadline)?;
        Self::open(conn, peer, far_name, network, options, tls, deadline)
    }

    /// The session on a fresh control connection: the greeting, TLS, PBSZ
    /// and PROT (the engine's `Op::Open`).
    fn open(
        conn: TcpConn,
        peer: IpAddr,
        far_name: Option<String>,
        network: Network,
        options: Options,
        tls: Option<Tls>,
        deadline: &Deadline,
    ) -> Result<Self> {
        conn.keep_alive(TCP_KEEP_ALIVE_NS);
        let mut session = Self {
            engine: Engine::new(options.engine(peer)),
            control: Some(Stream::Plain(conn)),
            data: Data::None,
            network,
            options,
            welcome: Reply {
                code: 0,
                lines: Vec::new(),
            },
            tls,
            reported: None,
            far_name,
        };
        let opened = session.run(Op::Open {
            until: deadline.at_ns(),
        })?;
        session.welcome = reply_of(opened)?;
        Ok(session)
    }

    pub fn security(&self) -> Security {
        match self.engine.security().mode() {
            Some(engine::TlsMode::Explicit) => Security::Explicit,
            Some(engine::TlsMode::Implicit) => Security::Implicit,
            None => Security::None,
        }
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
        self.engine.security().data() == engine::DataProtection::Private
    }

    /// Refuses calls while a transfer is open or after the session closed.
    pub fn ensure_idle(&self) -> Result<()> {
        match self.engine.phase() {
            Phase::Idle => Ok(()),
            Phase::Closed { .. } => Err(Error::Closed),
            Phase::Transfer { .. } => Err(Error::InvalidInput(
                "a transfer is open on this session; finish or abort it first".into(),
            )),
        }
    }

    /// Closes the session: drops the control connection.
    pub fn close(&mut self) {
        self.engine.close();
        self.control = None;
        self.data = Data::None;
    }

    /// Starts (afresh) or stops recording the control conversation.
    pub fn set_trace(&mut self, on: bool) {
        self.engine.set_trace(on);
    }

    /// The conversation recorded since the last call.
    pub fn take_trace(&mut self) -> Vec<String> {
        self.engine.take_trace()
    }

    /// Runs `op` and expects a reply of it.
    fn reply(&mut self, op: Op) -> Result<Reply> {
        self.run(op).and_then(reply_of)
    }

    /// FEAT, once per login; a server without FEAT has no features.
    pub fn features(&mut self) -> Result<&[crate::proto::feat::Feature]> {
        self.run(Op::Features)?;
        Ok(self.engine.server().features.as_deref().unwrap_or_default())
    }

    pub fn login(&mut self, user: Option<&str>, password: Option<&str>, account: Option<&str>) -> Result<Reply> {
        self.reply(Op::Login {
            user: user.unwrap_or_default().to_string(),
            password: password.unwrap_or_default().to_string(),
            account: account.map(str::to_string),
        })
    }
}

/// The reply an operation's outcome holds.
fn reply_of(outcome: Outcome) -> Result<Reply> {
    outcome
        .into_reply()
        .ok_or_else(|| Error::InvalidInput("the operation gave no reply".into()))
}

/// A session dropped while idle says QUIT first (as ftplib's `with` block
/// does), so the server logs a clean goodbye rather than a lost client.
impl Drop for Session {
    fn drop(&mut self) {
        if *self.engine.phase() == Phase::Idle {
            let _ = self.run(Op::Quit { goodbye: true });
        }
    }
}
