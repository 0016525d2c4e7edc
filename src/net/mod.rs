//! The thin wasi I/O layer: TCP connections with deadlines on
//! `wasi:sockets/tcp`, `wasi:io/poll` and `wasi:clocks/monotonic-clock`.

pub mod convert;
pub mod deadline;
pub mod resolve;
pub mod tcp;
