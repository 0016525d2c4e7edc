//! FTPS (RFC 4217) with rustls inside the component: the client
//! configuration and error classification (`config`, pure, tested natively)
//! and a TLS stream over a wasi TCP connection (`stream`, wasm-only).

pub mod config;
#[cfg(target_arch = "wasm32")]
pub mod stream;
