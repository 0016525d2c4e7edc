//! Connections through a proxy: a TCP connection to the proxy, then its
//! handshake (`proto::proxy`) to the target, within the connect deadline.
//! What comes back is a plain connection to the target, on which TLS and
//! FTP run as on any other.

use crate::error::{Error, Result};
use crate::net::deadline::Deadline;
use crate::net::tcp::TcpConn;
use crate::proto::proxy::{Handshake, ProxyError, ProxyKind, Target};
use std::net::SocketAddr;
use wasi::sockets::network::Network;

/// A proxy every connection of a session goes through.
#[derive(Debug, Clone)]
pub struct Proxy {
    pub kind: ProxyKind,
    pub address: SocketAddr,
    pub credentials: Option<(String, String)>,
}

fn proxy_error(e: ProxyError) -> Error {
    match e {
        ProxyError::Denied(why) => Error::AccessDenied(format!("proxy: {why}")),
        ProxyError::Invalid(why) => Error::InvalidInput(why),
        other => Error::Io(format!("proxy: {other}")),
    }
}

impl Proxy {
    /// A connection to `target` through the proxy, from `from` if given.
    pub fn connect(
        &self,
        network: &Network,
        target: Target,
        from: Option<SocketAddr>,
        deadline: &Deadline,
    ) -> Result<TcpConn> {
        let mut handshake = Handshake::new(self.kind, target, self.credentials.clone()).map_err(proxy_error)?;
        let conn = TcpConn::connect(network, self.address, from, deadline)?;
        loop {
            if let Some(bytes) = handshake.to_send() {
                conn.write_all(&bytes, deadline)?;
                conn.flush(deadline)?;
            }
            if handshake.is_done() {
                return Ok(conn);
            }
            match conn.read(handshake.want(), deadline)? {
                Some(bytes) => handshake.received(&bytes).map_err(proxy_error)?,
                None => return Err(Error::Io("proxy: it closed the connection during its handshake".into())),
            }
        }
    }
}
