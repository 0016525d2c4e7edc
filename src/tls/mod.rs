//! FTPS (RFC 4217): what a TLS failure means to a caller (`failure`),
//! and either rustls inside the component (`config`, pure and tested
//! natively, and `stream`, a TLS stream over a wasi TCP connection) or the
//! host's TLS through `wasi:tls` (`host`).

#[cfg(feature = "tls")]
pub mod config;
pub mod failure;
#[cfg(all(target_arch = "wasm32", feature = "host-tls"))]
pub mod host;
#[cfg(all(target_arch = "wasm32", feature = "tls"))]
pub mod stream;
