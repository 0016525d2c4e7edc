//! The network a component instance may reach: exact addresses and port
//! ranges, nothing else.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use wasmtime_wasi::sockets::SocketAddrUse;

/// TCP destinations a session may connect to, and whether the component may
/// look up names. The default allows nothing.
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    allowed: Vec<(IpAddr, RangeInclusive<u16>)>,
    name_lookup: bool,
    source: Option<SocketAddr>,
}

impl NetworkPolicy {
    /// Exactly an FTP server: its control address, and its passive port range
    /// on the same IP address.
    pub fn ftp_server(control: SocketAddr, passive: RangeInclusive<u16>) -> Self {
        Self::default()
            .allow(control.ip(), control.port()..=control.port())
            .allow(control.ip(), passive)
    }

    /// Also allows connecting to `ip` on `ports`.
    pub fn allow(mut self, ip: IpAddr, ports: RangeInclusive<u16>) -> Self {
        self.allowed.push((ip, ports));
        self
    }

    /// Also lets the component bind its sockets to `source`'s IP, on
    /// `source`'s port or one the system picks (port 0).
    pub fn bind_from(mut self, source: SocketAddr) -> Self {
        self.source = Some(source);
        self
    }

    /// Lets the component resolve names itself (off by default: the host
    /// resolves the server's name before granting its address).
    pub fn with_name_lookup(mut self) -> Self {
        self.name_lookup = true;
        self
    }

    pub fn name_lookup(&self) -> bool {
        self.name_lookup
    }

    /// Whether the component may use `addr` this way.
    pub fn permits(&self, addr: SocketAddr, use_: SocketAddrUse) -> bool {
        match use_ {
            // wasmtime asks about the implicit wildcard bind before each connect.
            SocketAddrUse::TcpBind => {
                let wildcard = addr.ip().is_unspecified() && addr.port() == 0;
                let chosen = self
                    .source
                    .is_some_and(|s| s.ip() == addr.ip() && (addr.port() == 0 || addr.port() == s.port()));
                wildcard || chosen
            }
            SocketAddrUse::TcpConnect => self
                .allowed
                .iter()
                .any(|(ip, ports)| *ip == addr.ip() && ports.contains(&addr.port())),
            _ => false,
        }
    }

    /// The check wasmtime-wasi calls for every socket address.
    pub(crate) fn into_check(
        self,
    ) -> impl Fn(SocketAddr, SocketAddrUse) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + Sync>>
           + Send
           + Sync
           + 'static {
        let policy = Arc::new(self);
        move |addr, use_| {
            let ok = policy.permits(addr, use_);
            Box::pin(async move { ok })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_the_server_and_its_passive_ports_only() {
        let server: SocketAddr = "192.0.2.7:21".parse().unwrap();
        let p = NetworkPolicy::ftp_server(server, 40000..=40099);
        assert!(p.permits(server, SocketAddrUse::TcpConnect));
        assert!(p.permits("192.0.2.7:40050".parse().unwrap(), SocketAddrUse::TcpConnect));
        assert!(!p.permits("192.0.2.7:22".parse().unwrap(), SocketAddrUse::TcpConnect));
        assert!(!p.permits("192.0.2.8:21".parse().unwrap(), SocketAddrUse::TcpConnect));
        assert!(!p.permits(server, SocketAddrUse::UdpBind));
        assert!(p.permits("0.0.0.0:0".parse().unwrap(), SocketAddrUse::TcpBind));
        assert!(!p.permits("0.0.0.0:2121".parse().unwrap(), SocketAddrUse::TcpBind));
        assert!(!p.name_lookup());
    }

    #[test]
    fn binds_only_the_chosen_source() {
        let server: SocketAddr = "192.0.2.7:21".parse().unwrap();
        let p = NetworkPolicy::ftp_server(server, 40000..=40099).bind_from("127.0.0.2:5021".parse().unwrap());
        assert!(p.permits("127.0.0.2:5021".parse().unwrap(), SocketAddrUse::TcpBind));
        assert!(p.permits("127.0.0.2:0".parse().unwrap(), SocketAddrUse::TcpBind));
        assert!(!p.permits("127.0.0.2:5022".parse().unwrap(), SocketAddrUse::TcpBind));
        assert!(!p.permits("127.0.0.3:0".parse().unwrap(), SocketAddrUse::TcpBind));
        assert!(!p.permits("127.0.0.2:5021".parse().unwrap(), SocketAddrUse::TcpConnect));
    }
}
