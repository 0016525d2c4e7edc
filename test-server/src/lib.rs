//! An in-process FTP server (libunftp with its filesystem back end) on
//! loopback, serving a temporary root directory or a given one. Users:
//! `anonymous` (any password) and `alice` with password `wonderland`.
//!
//! It is what the fast test suite, the examples, the CLI tests and the demo
//! run against, so none of them needs a server installed.

use async_trait::async_trait;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};
use unftp_sbe_fs::Filesystem;

pub const USER: &str = "alice";
pub const PASSWORD: &str = "wonderland";

/// The passive ports the server hands out.
pub const PASSIVE_PORTS: RangeInclusive<u16> = 50000..=59999;

#[derive(Debug)]
struct TestAuthenticator;

#[async_trait]
impl Authenticator for TestAuthenticator {
    async fn authenticate(&self, username: &str, creds: &Credentials) -> Result<Principal, AuthenticationError> {
        let ok = match username {
            "anonymous" | "ftp" => true,
            USER => creds.password.as_deref() == Some(PASSWORD),
            _ => return Err(AuthenticationError::BadUser),
        };
        if ok {
            Ok(Principal {
                username: username.to_string(),
            })
        } else {
            Err(AuthenticationError::BadPassword)
        }
    }
}

/// Where the server's files live: a directory it made (removed with it) or
/// one it was given.
enum Root {
    Temporary(TempDir),
    Given(PathBuf),
}

/// A running server; stops when dropped (its runtime shuts down).
pub struct TestServer {
    addr: SocketAddr,
    root: Root,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TestServer {
    /// A server on 127.0.0.1, on a free port, serving a new temporary directory.
    pub fn start() -> std::io::Result<Self> {
        Self::start_on(IpAddr::V4(Ipv4Addr::LOCALHOST))
    }

    /// A server on the given loopback address (`::1` for IPv6).
    pub fn start_on(ip: IpAddr) -> std::io::Result<Self> {
        Self::start_at(SocketAddr::new(ip, 0), None)
    }

    /// A server on `addr` (port 0: any free port) serving `root`, or a new
    /// temporary directory.
    pub fn start_at(addr: SocketAddr, root: Option<&Path>) -> std::io::Result<Self> {
        let root = match root {
            Some(dir) => Root::Given(dir.to_path_buf()),
            None => Root::Temporary(tempfile::tempdir()?),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(addr))?;
        let addr = listener.local_addr()?;
        let dir = match &root {
            Root::Temporary(dir) => dir.path().to_path_buf(),
            Root::Given(dir) => dir.clone(),
        };
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let dir = dir.clone();
                let server = libunftp::ServerBuilder::with_authenticator(
                    Box::new(move || Filesystem::new(dir.clone()).expect("the server root exists")),
                    Arc::new(TestAuthenticator),
                )
                .greeting("Welcome to the ftp-client test server")
                .passive_ports(PASSIVE_PORTS)
                .build();
                if let Ok(server) = server {
                    tokio::spawn(server.service(stream));
                }
            }
        });
        Ok(Self {
            addr,
            root,
            runtime: Some(runtime),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The directory the server serves.
    pub fn root(&self) -> &Path {
        match &self.root {
            Root::Temporary(dir) => dir.path(),
            Root::Given(dir) => dir,
        }
    }

    /// `ftp://alice:wonderland@ADDR` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("ftp://{USER}:{PASSWORD}@{}{path}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
