//! The thin wasi I/O layer: TCP connections with deadlines on
//! `wasi:sockets/tcp`, `wasi:io/poll` and `wasi:clocks`; the only module that
//! calls the wasi clocks and sockets (clippy's `disallowed-methods` keeps it so).
#![allow(clippy::disallowed_methods)]

pub mod clock;
pub mod convert;
pub mod deadline;
pub mod resolve;
pub mod tcp;
