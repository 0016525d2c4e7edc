//! Run the ftp-client WebAssembly component (the `ftp-client` crate of this
//! workspace) from Rust. The component speaks FTP (RFC 959 and its extensions, FTPS) over
//! `wasi:sockets`; this crate loads it into wasmtime once, gives every
//! session its own instance granted exactly one server's address, and
//! wraps the WIT interface in a typed API: downloads are `std::io::Read`,
//! uploads `std::io::Write`, errors one [`Error`] enum.
//!
//! ```
//! # let server = ftp_test_server::TestServer::start()?;
//! # let url = server.url("/");
//! use std::io::{Read, Write};
//!
//! let client = ftp_host::Client::new()?; // compiled once, cached on disk
//! let mut session = client.connect(url.as_str())?; // "ftp://user:pass@host:port/"
//!
//! let mut upload = session.store("hello.txt")?;
//! upload.write_all(b"hello from a wasm component\n")?;
//! upload.finish()?;
//!
//! for entry in session.list(None)? {
//!     println!("{:?} {:>8} {}", entry.kind, entry.size.unwrap_or(0), entry.name);
//! }
//!
//! let mut text = String::new();
//! let mut download = session.retrieve("hello.txt")?;
//! download.read_to_string(&mut text)?;
//! download.finish()?; // checks the server's 226
//! assert_eq!(text, "hello from a wasm component\n");
//!
//! session.quit()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Errors are typed: a missing file is the server's 550, kept whole.
//!
//! ```
//! # let server = ftp_test_server::TestServer::start()?;
//! # let mut session = ftp_host::Client::new()?.connect(server.url("/").as_str())?;
//! match session.size("no-such-file") {
//!     Err(ftp_host::Error::Permanent(reply)) => assert_eq!(reply.code, 550),
//!     other => panic!("expected a 550, got {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! FTPS, deadlines and the network grant are set through [`Options`]:
//!
//! ```no_run
//! use ftp_host::{Client, Options, Tls};
//! use std::time::Duration;
//!
//! let options = Options::new("ftp.example.com")
//!     .login("alice", "secret")
//!     .tls(Tls::explicit())
//!     .timeout(Duration::from_secs(10));
//! let session = Client::new()?.connect(options)?;
//! # Ok::<(), ftp_host::Error>(())
//! ```

mod bindings;
mod cache;
mod cancel;
mod client;
mod digest;
mod download;
mod error;
mod files;
mod job;
mod listing;
mod names;
mod options;
mod policy;
mod pool;
mod progress;
mod rate;
mod relay;
mod segments;
mod session;
mod stat_cache;
mod state;
mod streams;
mod timestamp;
mod tls;
mod transfer;
pub mod tree;
mod upload;
mod url;

pub use bindings::{
    Entry, EntryKind, Feature, FileHash, HashAlgorithm, NameEncoding, Reply, Security, Timestamp, TlsError, TlsVersion,
    TransferType, WalkResult,
};
pub use cancel::Cancel;
pub use client::{Client, ClientBuilder, COMPONENT, SELF_CONTAINED_COMPONENT};
pub use digest::{digest_name, local_digest, LOCAL_DIGESTS};
pub use download::{DetachedDownload, Download};
pub use error::{Error, ErrorInfo, ErrorKind, Result};
pub use files::{resumes, FileDone, Start};
pub use job::Job;
pub use listing::{DetachedListing, Listing};
pub use names::is_plain_name;
pub use options::{
    ClientIdentity, IntoOptions, LowSpeed, Options, Proxy, ProxyKind, Tls, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DATA_TIMEOUT, DEFAULT_MEMORY_LIMIT, DEFAULT_REPLY_TIMEOUT, DEFAULT_STAT_CACHE,
};
pub use policy::NetworkPolicy;
pub use pool::{Pool, Pooled};
pub use progress::{Event, Observer, Totals};
pub use rate::RateLimit;
pub use relay::Copied;
pub use session::Session;
pub use upload::{DetachedUpload, Upload};
pub use url::{redact, FtpUrl};

/// The WIT interface as wasmtime generates it, for callers who drive the
/// component's resources themselves (see [`Client::instantiate`]).
pub mod raw {
    pub use crate::bindings::*;
    pub use crate::state::HostState;
    /// Host-side I/O on the streams `data-stream` hands over.
    pub mod streams {
        pub use crate::streams::{close, read, write, DataStream};
    }
}
