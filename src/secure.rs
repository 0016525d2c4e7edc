//! FTPS for a session: the TLS options asked for, and securing connections
//! by rustls in the component (`tls`) or by the host (`host-tls`). Whether
//! and when a connection is secured is the engine's; this makes it so.
//! Built with neither, asking for TLS is `invalid-input`.

use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::tcp::TcpConn;
use crate::proto::engine::{ControlSecurity, DataProtection, TlsMode};
use crate::stream::Stream;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    None,
    Explicit,
    Implicit,
}

/// The caller's TLS options.
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "secure"), allow(dead_code))]
pub struct TlsSettings {
    pub mode: Security,
    pub ca_bundle: Option<String>,
    pub server_name: Option<String>,
    pub allow_plaintext: bool,
    pub clear_data: bool,
    pub version: TlsVersion,
    /// A client certificate chain and its key, both PEM.
    pub identity: Option<(String, String)>,
}

impl TlsSettings {
    /// The security the engine starts from.
    pub fn asked(settings: Option<&TlsSettings>) -> ControlSecurity {
        let Some(settings) = settings else {
            return ControlSecurity::Plain;
        };
        let mode = match settings.mode {
            Security::None => return ControlSecurity::Plain,
            Security::Explicit => TlsMode::Explicit,
            Security::Implicit => TlsMode::Implicit,
        };
        ControlSecurity::Pending {
            mode,
            allow_plaintext: settings.allow_plaintext,
            data: if settings.clear_data {
                DataProtection::Clear
            } else {
                DataProtection::Private
            },
        }
    }
}

/// Which TLS versions a session offers; `Auto` is settled at connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersion {
    /// TLS 1.2 first, TLS 1.3 on a second connection if that fails.
    Auto,
    Tls12,
    Tls13,
}

/// What both kinds of FTPS share: wrapping a connection with the
/// flavour's handshake, whole or begun.
#[cfg(feature = "secure")]
mod imp {
    use super::*;
    pub use flavour::Pending;

    pub struct Tls(flavour::Flavour);

    impl Tls {
        /// Checks the settings (CA bundle, name) before any connection.
        pub fn new(settings: &TlsSettings, host: &str) -> Result<Self> {
            Ok(Self(flavour::Flavour::new(settings, host)?))
        }

        /// TLS on `tcp`, handshake complete.
        pub fn wrap(&self, tcp: TcpConn, deadline: &Deadline) -> Result<Stream> {
            let mut tls = self.start(tcp, deadline)?;
            tls.handshake(deadline)?;
            flavour::finish(tls)
        }

        /// TLS on `tcp`, the handshake under way and left to the caller.
        pub fn start(&self, tcp: TcpConn, deadline: &Deadline) -> Result<Pending> {
            self.0.start(tcp, deadline)
        }
    }

    /// The connection of a completed handshake.
    pub fn finish(tls: Pending) -> Result<Stream> {
        flavour::finish(tls)
    }
}

/// rustls in the component.
#[cfg(feature = "tls")]
mod flavour {
    use super::*;
    use crate::tls::config::{client_config, server_name};
    use crate::tls::stream::TlsStream;
    use rustls::pki_types::ServerName;
    use rustls::ClientConfig;
    use std::sync::Arc;

    /// A data connection's handshake under way.
    pub type Pending = TlsStream;

    /// What every TLS connection of the session is made with.
    pub struct Flavour {
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    }

    impl Flavour {
        pub fn new(settings: &TlsSettings, host: &str) -> Result<Self> {
            let identity = settings
                .identity
                .as_ref()
                .map(|(chain, key)| (chain.as_str(), key.as_str()));
            let config = client_config(
                settings.ca_bundle.as_deref(),
                settings.version != TlsVersion::Tls12,
                identity,
            )
            .map_err(Error::InvalidInput)?;
            let name = server_name(settings.server_name.as_deref().unwrap_or(host)).map_err(Error::InvalidInput)?;
            Ok(Self { config, name })
        }

        /// The ClientHello is sent before this returns. Sharing the config
        /// makes the handshake resume the control connection's session, as
        /// vsftpd and ProFTPD demand.
        pub fn start(&self, tcp: TcpConn, deadline: &Deadline) -> Result<Pending> {
            TlsStream::start(tcp, self.config.clone(), self.name.clone(), deadline)
        }
    }

    pub fn finish(tls: Pending) -> Result<Stream> {
        Ok(Stream::Tls(Box::new(tls)))
    }
}

/// The host's TLS through wasi:tls.
#[cfg(feature = "host-tls")]
mod flavour {
    use super::*;
    pub use crate::tls::host::Pending;

    /// Trust (the CA bundle) and session resumption are the host's:
    /// wasi:tls takes only a server name, so the caller configures its host
    /// for the rest.
    pub struct Flavour {
        name: String,
    }

    impl Flavour {
        /// A CA bundle is refused rather than ignored: trust is the host's,
        /// and a caller who pinned a CA must not silently get another.
        pub fn new(settings: &TlsSettings, host: &str) -> Result<Self> {
            if settings.ca_bundle.is_some() {
                return Err(Error::InvalidInput(
                    "this build uses the host's TLS (wasi:tls): trust a CA in the host's TLS configuration, not in ca-bundle"
                        .into(),
                ));
            }
            if settings.identity.is_some() {
                return Err(Error::InvalidInput(
                    "this build uses the host's TLS (wasi:tls): give the client certificate to the host's TLS configuration, not to client-identity"
                        .into(),
                ));
            }
            Ok(Self {
                name: settings.server_name.clone().unwrap_or_else(|| host.to_string()),
            })
        }

        pub fn start(&self, tcp: TcpConn, _: &Deadline) -> Result<Pending> {
            Ok(Pending::start(tcp, &self.name))
        }
    }

    /// The host's plaintext streams read and write like plain TCP.
    pub fn finish(tls: Pending) -> Result<Stream> {
        Ok(Stream::Plain(tls.into_conn()?))
    }
}

#[cfg(not(feature = "secure"))]
mod imp {
    use super::*;

    /// Never constructed: this build has no TLS.
    pub enum Tls {}

    impl Tls {
        pub fn new(_: &TlsSettings, _: &str) -> Result<Self> {
            Err(Error::InvalidInput("this component was built without TLS".into()))
        }

        pub fn wrap(&self, _: TcpConn, _: &Deadline) -> Result<Stream> {
            match *self {}
        }
    }
}

pub use imp::Tls;
#[cfg(feature = "secure")]
pub use imp::{finish, Pending};
