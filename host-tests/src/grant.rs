//! The network a guest may reach: exact addresses and port ranges, nothing else.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use wasmtime_wasi::sockets::SocketAddrUse;

/// TCP destinations a guest may connect to, and whether it may look up names.
#[derive(Debug, Clone, Default)]
pub struct Grant {
    allowed: Vec<(IpAddr, RangeInclusive<u16>)>,
    pub name_lookup: bool,
}

impl Grant {
    /// Exactly an FTP server: its control address and its passive port range.
    pub fn ftp_server(control: SocketAddr, passive: RangeInclusive<u16>) -> Self {
        Self::default()
            .allow(control.ip(), control.port()..=control.port())
            .allow(control.ip(), passive)
    }

    pub fn allow(mut self, ip: IpAddr, ports: RangeInclusive<u16>) -> Self {
        self.allowed.push((ip, ports));
        self
    }

    pub fn with_name_lookup(mut self) -> Self {
        self.name_lookup = true;
        self
    }

    pub fn permits(&self, addr: SocketAddr, use_: SocketAddrUse) -> bool {
        match use_ {
            // wasmtime asks about the implicit wildcard bind before each connect.
            SocketAddrUse::TcpBind => addr.ip().is_unspecified() && addr.port() == 0,
            SocketAddrUse::TcpConnect => self
                .allowed
                .iter()
                .any(|(ip, ports)| *ip == addr.ip() && ports.contains(&addr.port())),
            _ => false,
        }
    }

    /// The check wasmtime-wasi calls for every socket address.
    pub fn into_check(
        self,
    ) -> impl Fn(SocketAddr, SocketAddrUse) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + Sync>>
           + Send
           + Sync
           + 'static {
        let grant = Arc::new(self);
        move |addr, use_| {
            let ok = grant.permits(addr, use_);
            Box::pin(async move { ok })
        }
    }
}
