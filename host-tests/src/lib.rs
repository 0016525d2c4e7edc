//! The wasmtime host for the ftp-client component: loads it once, runs each
//! session in its own store with a network grant limited to one server, and
//! offers typed calls for tests, the demo and benchmarks. Also starts the
//! in-process FTP server the fast suite and the demo run against.

pub mod bench_server;
pub mod client;
pub mod conformance;
pub mod grant;
pub mod interop;
pub mod pki;
pub mod runtime;
pub mod scripted;
pub mod server;
pub mod streams;

pub use client::{default_options, Client, Failure, RetrieveHandle, SessionHandle, StoreHandle};
pub use grant::Grant;
pub use runtime::Runtime;
pub use runtime::{
    ConnectOptions, Entry, EntryKind, Error, Feature, Reply, Security, StoreMode, Timestamp, TlsError, TlsOptions,
    TransferType,
};
pub use server::TestServer;
