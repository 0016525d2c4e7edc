//! Between std's types and wasi:sockets': socket addresses both ways, and
//! socket error codes as the guest's errors. Shared by `tcp` and `resolve`.

use crate::error::Error;
use std::net::IpAddr;
use wasi::sockets::network::{ErrorCode, IpAddress, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress};

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

pub fn map_socket_error(code: ErrorCode) -> Error {
    match code {
        ErrorCode::AccessDenied | ErrorCode::NotSupported => {
            Error::AccessDenied(format!("the host refused the network operation ({code:?})"))
        }
        ErrorCode::Timeout => Error::Timeout("connect"),
        other => Error::Io(format!("{}: {}", other.name(), other.message())),
    }
}
