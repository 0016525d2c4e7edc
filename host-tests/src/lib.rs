//! The wasmtime harness for the ftp-client component: typed calls on the
//! raw WIT resources (through `ftp-host`'s loader and network policy) for
//! tests and benchmarks, the real servers of the interop suite, a scripted
//! fake server for faults, and the benchmark's source/sink server.

pub mod bench_server;
pub mod client;
pub mod conformance;
pub mod interop;
pub mod middlebox;
pub mod paths;
pub mod pki;
pub mod proxies;
pub mod scripted;
pub mod streams;
pub mod timing;

pub use client::{default_options, Client, Failure, RetrieveHandle, SessionHandle, StoreHandle};
pub use ftp_host::raw::{
    ConnectOptions, Entry, EntryKind, Error, Feature, FileHash, HashAlgorithm, NameEncoding, Reply, Security,
    StoreMode, Timestamp, TlsError, TlsOptions, TlsVersion, TransferType,
};
/// The loaded component every harness client instantiates from.
pub use ftp_host::Client as Runtime;
pub use ftp_host::NetworkPolicy;
pub use ftp_test_server::TestServer;

/// The grant a client of the in-process server needs.
pub trait ServerGrant {
    fn grant(&self) -> NetworkPolicy;
}

impl ServerGrant for TestServer {
    fn grant(&self) -> NetworkPolicy {
        NetworkPolicy::ftp_server(self.addr(), ftp_test_server::PASSIVE_PORTS)
    }
}
