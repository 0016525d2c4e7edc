//! An FTP client (RFC 959 and extensions) as a WebAssembly component speaking
//! FTP over `wasi:sockets/tcp`.
//!
//! `proto` is the sans-IO protocol core and builds everywhere, so it
//! unit-tests and fuzzes natively. The rest is wasm-only: `net` is the thin
//! wasi I/O layer; `control`, `session` and `transfer` are the client built on
//! both; `component` exports it through the WIT interface in `wit/`.

#[cfg(all(feature = "tls", feature = "host-tls"))]
compile_error!("features `tls` and `host-tls` are two builds of the component: pick one");

pub mod proto;
#[cfg(feature = "secure")]
pub mod tls;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod control;
#[cfg(target_arch = "wasm32")]
mod error;
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
mod transfer;
#[cfg(target_arch = "wasm32")]
mod tree;
