//! Turning a host string into socket addresses: literal IPs directly, names
//! through `wasi:sockets/ip-name-lookup` (which the host may refuse).

use super::deadline::Deadline;
use super::tcp::map_socket_error;
use crate::error::{Error, Result};
use std::net::IpAddr;
use wasi::sockets::network::{ErrorCode, IpAddress, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, Network};

pub fn to_wasi(ip: IpAddr, port: u16) -> IpSocketAddress {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port,
                address: (a, b, c, d),
            })
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port,
                flow_info: 0,
                address: (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
                scope_id: 0,
            })
        }
    }
}

pub fn ip_of(addr: &IpAddress) -> IpAddr {
    match *addr {
        IpAddress::Ipv4((a, b, c, d)) => IpAddr::from([a, b, c, d]),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => IpAddr::from([a, b, c, d, e, f, g, h]),
    }
}

pub fn socket_ip(addr: &IpSocketAddress) -> IpAddr {
    match addr {
        IpSocketAddress::Ipv4(a) => ip_of(&IpAddress::Ipv4(a.address)),
        IpSocketAddress::Ipv6(a) => ip_of(&IpAddress::Ipv6(a.address)),
    }
}

fn lookup_error(code: ErrorCode, name: &str) -> Error {
    match code {
        ErrorCode::NameUnresolvable => Error::Io(format!("cannot resolve {name:?}")),
        // wasmtime answers a lookup the host did not allow this way too.
        ErrorCode::PermanentResolverFailure => Error::Io(format!(
            "name lookup of {name:?} failed permanently (the host may not allow name lookups)"
        )),
        other => map_socket_error(other),
    }
}

/// The addresses to try for `host` (`[::1]` brackets allowed), in order.
pub fn resolve(network: &Network, host: &str, deadline: &Deadline) -> Result<Vec<IpAddr>> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    if bare.is_empty() || bare.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::InvalidInput(format!("bad host name {host:?}")));
    }
    let stream = wasi::sockets::ip_name_lookup::resolve_addresses(network, bare).map_err(|e| lookup_error(e, bare))?;
    let ready = stream.subscribe();
    let mut found = Vec::new();
    loop {
        match stream.resolve_next_address() {
            Ok(Some(addr)) => found.push(ip_of(&addr)),
            Ok(None) => break,
            Err(ErrorCode::WouldBlock) => deadline.wait(&ready)?,
            Err(e) => return Err(lookup_error(e, bare)),
        }
    }
    drop(ready);
    if found.is_empty() {
        return Err(Error::Io(format!("{bare:?} has no address")));
    }
    Ok(found)
}
