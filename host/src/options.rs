//! What a session connects to and how: server, login, TLS, deadlines and the
//! network it is granted.

use crate::bindings::{self, NameEncoding, Security, TlsVersion};
use crate::{Error, RateLimit, Result};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::time::Duration;

/// FTPS settings. Certificates are always verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Tls {
    /// `AUTH TLS` on a plain connection (RFC 4217), or TLS from the first
    /// byte (`ftps://`, port 990).
    pub implicit: bool,
    /// PEM certificates to trust instead of the bundled webpki roots.
    pub ca_pem: Option<String>,
    /// The name to verify and send as SNI (default: the host connected to).
    pub server_name: Option<String>,
    /// Explicit mode: carry on in plain text if the server refuses `AUTH TLS`.
    pub allow_plaintext: bool,
    /// Leave data connections unencrypted (`PROT C`).
    pub clear_data: bool,
    /// The TLS version; `None` is TLS 1.2 where the server offers it, else
    /// 1.3 (see the WIT's `tls-options.version` for why 1.2 comes first).
    pub version: Option<TlsVersion>,
    /// A client certificate, for a server that asks for one.
    pub client_identity: Option<ClientIdentity>,
}

/// A TLS client certificate: the chain (the certificate first) and its
/// private key, both PEM. Checked when the session connects: a key that is
/// not the certificate's, or PEM without one or the other, is
/// `Error::InvalidInput` before anything is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    pub certificate_chain_pem: String,
    pub private_key_pem: String,
}

impl fmt::Debug for ClientIdentity {
    /// The key stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificate_chain_pem", &self.certificate_chain_pem)
            .field("private_key_pem", &"****")
            .finish()
    }
}

impl Tls {
    /// Explicit FTPS (`AUTH TLS`), with every default.
    pub fn explicit() -> Self {
        Self {
            implicit: false,
            ca_pem: None,
            server_name: None,
            allow_plaintext: false,
            clear_data: false,
            version: None,
            client_identity: None,
        }
    }

    /// Implicit FTPS (TLS from the first byte).
    pub fn implicit() -> Self {
        Self {
            implicit: true,
            ..Self::explicit()
        }
    }

    /// Trusts these PEM certificates instead of the bundled roots.
    pub fn ca_pem(mut self, pem: impl Into<String>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }

    /// Presents this client certificate (chain and key, PEM) to a server
    /// that asks for one.
    pub fn client_identity(
        mut self,
        certificate_chain_pem: impl Into<String>,
        private_key_pem: impl Into<String>,
    ) -> Self {
        self.client_identity = Some(ClientIdentity {
            certificate_chain_pem: certificate_chain_pem.into(),
            private_key_pem: private_key_pem.into(),
        });
        self
    }
}

/// A proxy every connection of a session goes through: the control
/// connection and each data connection, each tunnelled to the address the
/// server gave. The session is granted the proxy's address alone, and the
/// server's name is the proxy's to resolve.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    pub kind: ProxyKind,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// What a proxy speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// SOCKS5 (`socks5://`, `socks5h://`; the proxy resolves names either way).
    Socks5,
    /// An HTTP proxy's CONNECT (`http://`).
    HttpConnect,
}

impl Proxy {
    /// From `socks5://[user:password@]host[:port]` (1080 by default),
    /// `socks5h://...`, or `http://[user:password@]host[:port]` (3128), as
    /// curl and the `ALL_PROXY`/`ftp_proxy` variables write them.
    pub fn from_url(url: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidInput(format!("proxy {}: {why}", crate::redact(url)));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("no scheme (socks5:// or http://)"))?;
        let (kind, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "socks5" | "socks5h" => (ProxyKind::Socks5, 1080),
            "http" => (ProxyKind::HttpConnect, 3128),
            other => return Err(bad(&format!("{other}:// is not a proxy this client speaks"))),
        };
        let rest = rest.trim_end_matches('/');
        let (credentials, place) = match rest.rsplit_once('@') {
            Some((credentials, place)) => (Some(credentials), place),
            None => (None, rest),
        };
        let decode = |text: &str| crate::url::decode(text).map_err(|e| bad(&e.to_string()));
        let (user, password) = match credentials.map(|c| c.split_once(':').unwrap_or((c, ""))) {
            Some((user, password)) => (Some(decode(user)?), Some(decode(password)?)),
            None => (None, None),
        };
        let (host, port) = match place.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
                (host, port.parse().map_err(|_| bad("the port is not a number"))?)
            }
            _ => (place, default_port),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Self {
            kind,
            host: host.to_string(),
            port,
            user,
            password,
        })
    }

    /// The component's record for the proxy, at the address it resolved to.
    pub(crate) fn to_wit(&self, addr: SocketAddr) -> bindings::Proxy {
        bindings::Proxy {
            kind: match self.kind {
                ProxyKind::Socks5 => bindings::ProxyKind::Socks5,
                ProxyKind::HttpConnect => bindings::ProxyKind::HttpConnect,
            },
            address: addr.to_string(),
            user: self.user.clone(),
            password: self.password.clone(),
        }
    }
}

impl fmt::Debug for Proxy {
    /// The password stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .finish()
    }
}

/// A transfer slower than `bytes_per_second` over any `window` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowSpeed {
    pub bytes_per_second: u64,
    pub window: Duration,
}

/// How long connecting may take, name resolution included.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long each reply may take.
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long data may stand still on a data connection.
pub const DEFAULT_DATA_TIMEOUT: Duration = Duration::from_secs(60);
/// Guest linear memory allowed per session unless the options say otherwise.
pub const DEFAULT_MEMORY_LIMIT: usize = 256 << 20;

/// Everything `Client::connect` needs. Build it from a URL
/// (`"ftp://user:pass@host:port/".parse()`, or `Options::new(host)`) and
/// adjust it with the setters. Its `Debug` form shows `****` for the password.
#[derive(Clone, PartialEq)]
pub struct Options {
    pub host: String,
    pub port: u16,
    /// None logs in as `anonymous`, as ftplib does.
    pub user: Option<String>,
    pub password: Option<String>,
    pub account: Option<String>,
    pub tls: Option<Tls>,
    /// Connecting (name resolution included); `None`: the component's own
    /// default, the same 30 s.
    pub connect_timeout: Option<Duration>,
    /// Each reply.
    pub reply_timeout: Option<Duration>,
    /// Each wait for data to move on a data connection.
    pub data_timeout: Option<Duration>,
    /// The whole of one transfer (curl's `--max-time` for one file).
    pub transfer_timeout: Option<Duration>,
    /// Fail a transfer slower than this many bytes a second over each
    /// window (curl's `--speed-limit` and `--speed-time`).
    pub low_speed: Option<LowSpeed>,
    /// The ports the server may name for data connections, on its own
    /// address: the network policy grants these and the control port only.
    pub passive_ports: RangeInclusive<u16>,
    /// Connect data connections where the PASV reply points rather than to
    /// the server's address; such hosts must also be in `also_allow`.
    pub trust_pasv_host: bool,
    /// Further addresses the session may reach (for `trust_pasv_host`).
    pub also_allow: Vec<(IpAddr, RangeInclusive<u16>)>,
    /// Longest reply line accepted, in bytes.
    pub max_line_length: Option<u32>,
    /// The guest's linear memory limit, in bytes.
    pub memory_limit: usize,
    /// Record the control conversation from the start (the login
    /// included), for [`Session::take_trace`](crate::Session::take_trace).
    pub trace: bool,
    /// How names map to bytes: `Latin1` for a server whose names are not
    /// UTF-8 (ftplib's `encoding`); the default is UTF-8.
    pub encoding: NameEncoding,
    /// The local address to connect from (ftplib's `source_address`); the
    /// session is granted that binding and no other. Port 0: any port.
    pub source_address: Option<SocketAddr>,
    /// Holds every transfer of every session made from these options (and
    /// their clones: a pool's, a tree run's) to one rate together; it can
    /// be changed while they run.
    pub rate_limit: Option<RateLimit>,
    /// Answer SIZE, MDTM and MLST from what the session's listings showed,
    /// within this age, instead of asking again; the session's own changes
    /// (uploads, deletes, renames, new directories) forget what they touch.
    /// `None` asks the server every time.
    pub stat_cache: Option<Duration>,
    /// While a transfer runs, a NOOP on the control connection this often
    /// (FluentFTP's `NoopInterval`), so a NAT box or firewall that drops
    /// idle connections keeps it through a long transfer; the replies are
    /// matched, so the transfer's own final reply is never lost. `None`
    /// (the default) sends none; the control connection has TCP keep-alive
    /// either way.
    pub keep_alive: Option<Duration>,
    /// Connect through this proxy (see [`Proxy`]); `None` connects directly.
    pub proxy: Option<Proxy>,
}

/// How long a session's listings answer SIZE, MDTM and MLST by default.
pub const DEFAULT_STAT_CACHE: Duration = Duration::from_secs(30);

impl Options {
    /// Port 21, anonymous, plain FTP, the default deadlines
    /// ([`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_REPLY_TIMEOUT`],
    /// [`DEFAULT_DATA_TIMEOUT`]).
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: 21,
            user: None,
            password: None,
            account: None,
            tls: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            reply_timeout: Some(DEFAULT_REPLY_TIMEOUT),
            data_timeout: Some(DEFAULT_DATA_TIMEOUT),
            transfer_timeout: None,
            low_speed: None,
            passive_ports: 1024..=u16::MAX,
            trust_pasv_host: false,
            also_allow: Vec::new(),
            max_line_length: None,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            trace: false,
            encoding: NameEncoding::Utf8,
            source_address: None,
            rate_limit: None,
            stat_cache: Some(DEFAULT_STAT_CACHE),
            keep_alive: None,
            proxy: None,
        }
    }

    /// Holds all the transfers made with these options to `limit` together.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    pub fn login(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self.password = Some(password.into());
        self
    }

    pub fn tls(mut self, tls: Tls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Sets the connect, reply and data deadlines at once.
    pub fn timeout(mut self, deadline: Duration) -> Self {
        self.connect_timeout = Some(deadline);
        self.reply_timeout = Some(deadline);
        self.data_timeout = Some(deadline);
        self
    }

    /// The component's options for a connection to `host` (an address the
    /// host resolved `self.host` to). With `host_tls` the CA bundle stays
    /// here: the host's TLS does the trusting.
    pub(crate) fn to_wit(&self, host_is_name: bool, host_tls: bool) -> Result<bindings::ConnectOptions> {
        let tls = self.tls.as_ref().map(|t| bindings::TlsOptions {
            mode: if t.implicit {
                Security::Implicit
            } else {
                Security::Explicit
            },
            ca_bundle: t.ca_pem.clone().filter(|_| !host_tls),
            // The certificate names the host the user asked for, not the
            // address it resolved to.
            server_name: t
                .server_name
                .clone()
                .or_else(|| host_is_name.then(|| self.host.clone())),
            allow_plaintext: t.allow_plaintext,
            clear_data: t.clear_data,
            version: t.version,
            // With the host's TLS, the host presents it (see `tls::context`).
            client_identity: t
                .client_identity
                .as_ref()
                .filter(|_| !host_tls)
                .map(|i| bindings::ClientIdentity {
                    certificate_chain: i.certificate_chain_pem.clone(),
                    private_key: i.private_key_pem.clone(),
                }),
        });
        Ok(bindings::ConnectOptions {
            connect_timeout_ms: millis(self.connect_timeout)?,
            reply_timeout_ms: millis(self.reply_timeout)?,
            data_timeout_ms: millis(self.data_timeout)?,
            transfer_timeout_ms: millis(self.transfer_timeout)?,
            low_speed: self
                .low_speed
                .map(|l| {
                    Ok::<_, Error>(bindings::LowSpeedLimit {
                        bytes_per_second: l.bytes_per_second,
                        window_ms: millis(Some(l.window))?.unwrap_or(1),
                    })
                })
                .transpose()?,
            trust_pasv_host: self.trust_pasv_host,
            max_line_length: self.max_line_length,
            tls,
            encoding: Some(self.encoding),
            source_address: self.source_address.map(|a| a.to_string()),
            keep_alive_ms: millis(self.keep_alive)?,
            proxy: None,
        })
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("account", &self.account.as_ref().map(|_| "****"))
            .field("tls", &self.tls)
            .field("connect_timeout", &self.connect_timeout)
            .field("reply_timeout", &self.reply_timeout)
            .field("data_timeout", &self.data_timeout)
            .field("transfer_timeout", &self.transfer_timeout)
            .field("low_speed", &self.low_speed)
            .field("passive_ports", &self.passive_ports)
            .field("trust_pasv_host", &self.trust_pasv_host)
            .field("also_allow", &self.also_allow)
            .field("max_line_length", &self.max_line_length)
            .field("memory_limit", &self.memory_limit)
            .field("trace", &self.trace)
            .field("encoding", &self.encoding)
            .field("source_address", &self.source_address)
            .field("rate_limit", &self.rate_limit.as_ref().map(RateLimit::get))
            .field("stat_cache", &self.stat_cache)
            .field("keep_alive", &self.keep_alive)
            .field("proxy", &self.proxy)
            .finish()
    }
}

fn millis(d: Option<Duration>) -> Result<Option<u32>> {
    d.map(|d| {
        u32::try_from(d.as_millis())
            .ok()
            .filter(|ms| *ms > 0)
            .ok_or_else(|| Error::InvalidInput(format!("deadline {d:?} is not between 1 ms and 49 days")))
    })
    .transpose()
}

/// What `Client::connect` accepts: `Options`, or an `ftp://`/`ftps://` URL
/// (whose path, if any, is not used).
pub trait IntoOptions {
    fn into_options(self) -> Result<Options>;
}

impl IntoOptions for Options {
    fn into_options(self) -> Result<Options> {
        Ok(self)
    }
}

impl IntoOptions for &Options {
    fn into_options(self) -> Result<Options> {
        Ok(self.clone())
    }
}
