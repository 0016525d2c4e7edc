//! Turning a host string into socket addresses: literal IPs directly, names
//! through `wasi:sockets/ip-name-lookup` (which the host may refuse).

use super::convert::{ip_of, map_socket_error};
use super::deadline::Deadline;
use crate::error::{Error, Result};
use std::net::IpAddr;
use wasi::sockets::network::{ErrorCode, Network};

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
