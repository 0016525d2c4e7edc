//! The thin wasi I/O layer: TCP connections with deadlines on
//! `wasi:sockets/tcp`, `wasi:io/poll` and `wasi:clocks/monotonic-clock`.

pub mod deadline;
pub mod resolve;
pub mod stream;
pub mod tcp;
