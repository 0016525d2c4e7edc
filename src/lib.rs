//! An FTP client (RFC 959 and extensions) as a WebAssembly component speaking
//! FTP over `wasi:sockets/tcp`.
//!
//! `proto` is the sans-IO protocol core and builds everywhere, so it
//! unit-tests and fuzzes natively, as do `error` and rustls's side of
//! `tls`. The rest is wasm-only: `net` is the thin wasi I/O layer (TCP,
//! knowing nothing of TLS); `stream` joins it and `tls`; `control`,
//! `session`, `transfer` and `listing` are the client built on them;
//! `component` exports it through the WIT interface in `wit/`.

#[cfg(all(feature = "tls", feature = "host-tls"))]
compile_error!("features `tls` and `host-tls` are two builds of the component: pick one");

pub mod error;
pub mod proto;
#[cfg(feature = "secure")]
pub mod tls;

#[cfg(target_arch = "wasm32")]
mod bindings;
#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod listing;
#[cfg(target_arch = "wasm32")]
mod net;
#[cfg(target_arch = "wasm32")]
mod relay;
#[cfg(target_arch = "wasm32")]
mod secure;
#[cfg(target_arch = "wasm32")]
mod session;
#[cfg(target_arch = "wasm32")]
mod stream;
#[cfg(target_arch = "wasm32")]
mod transfer;
#[cfg(target_arch = "wasm32")]
mod tree;
#[cfg(target_arch = "wasm32")]
mod tunnel;
