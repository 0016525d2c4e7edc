//! FTPS for a session: which mode was asked for, the TLS state once the
//! control connection is secured, and wrapping connections in TLS, by
//! rustls in the component (`tls`) or by the host (`host-tls`). Built
//! with neither, asking for TLS is `invalid-input`.

use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::tcp::TcpConn;
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
}

/// Which TLS versions a session offers; `Auto` is settled at connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersion {
    /// TLS 1.2 first, TLS 1.3 on a second connection if that fails.
    Auto,
    Tls12,
    Tls13,
}

/// What both kinds of FTPS share: whether data connections are secured, and
/// wrapping a connection with the flavour's handshake.
#[cfg(feature = "secure")]
mod imp {
    use super::*;
    pub use flavour::Pending;

    pub struct Secured {
        flavour: flavour::Flavour,
        protect_data: bool,
    }

    impl Secured {
        pub fn new(settings: &TlsSettings, host: &str) -> Result<Self> {
            Ok(Self {
                flavour: flavour::Flavour::new(settings, host)?,
                protect_data: !settings.clear_data,
            })
        }

        /// PROT P: data connections are secured too.
        pub fn protect_data(&self) -> bool {
            self.protect_data
        }

        /// After the server accepted PROT P (true) or PROT C (false).
        pub fn set_protect_data(&mut self, on: bool) {
            self.protect_data = on;
        }

        /// TLS on `tcp`, handshake complete.
        pub fn wrap(&self, tcp: TcpConn, deadline: &Deadline) -> Result<Stream> {
            let mut tls = self.start(tcp, deadline)?;
            tls.handshake(deadline)?;
            tls.into_stream()
        }

        /// TLS on `tcp`, the handshake under way and left to the caller.
        pub fn start(&self, tcp: TcpConn, deadline: &Deadline) -> Result<Pending> {
            self.flavour.start(tcp, deadline)
        }
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
            let config = client_config(settings.ca_bundle.as_deref(), settings.version != TlsVersion::Tls12)
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
            Ok(Self {
                name: settings.server_name.clone().unwrap_or_else(|| host.to_string()),
            })
        }

        pub fn start(&self, tcp: TcpConn, _: &Deadline) -> Result<Pending> {
            Ok(Pending::start(tcp, &self.name))
        }
    }
}

#[cfg(not(feature = "secure"))]
mod imp {
    use super::*;

    /// Never constructed: this build has no TLS.
    pub enum Secured {}

    impl Secured {
        pub fn new(_: &TlsSettings, _: &str) -> Result<Self> {
            Err(Error::InvalidInput("this component was built without TLS".into()))
        }

        pub fn wrap(&self, _: TcpConn, _: &Deadline) -> Result<Stream> {
            match *self {}
        }

        pub fn protect_data(&self) -> bool {
            match *self {}
        }

        pub fn set_protect_data(&mut self, _: bool) {
            match *self {}
        }
    }
}

#[cfg(feature = "secure")]
pub use imp::Pending;
pub use imp::Secured;
