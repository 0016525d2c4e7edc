//! The two ways file data leaves the component, behind one interface, so a
//! fault case is written once and run on both: the component's own chunked
//! `read`/`write` calls (what jco, wasmtime-py and composed components use),
//! and `ftp-host`'s `Download`/`Upload`, which take the data connection's
//! stream over from the component (what `wftp` and Rust callers use).

use crate::client::{default_options, Client, RetrieveHandle, SessionHandle, StoreHandle};
use crate::{NetworkPolicy, Runtime};
use ftp_host::raw::{Entry, LowSpeedLimit, NameEncoding, Reply, Security, StoreMode, TlsOptions, WalkResult};
use ftp_host::{Error, LowSpeed, Options};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataPath {
    /// The component's `retrieve.read` / `store.write`, 1 MiB at a time.
    Chunked,
    /// `ftp-host`'s `Download`/`Upload` on the handed-over stream.
    HandOff,
}

pub const BOTH: [DataPath; 2] = [DataPath::Chunked, DataPath::HandOff];

/// Deadlines for a case, in milliseconds, its TLS and its source address.
#[derive(Debug, Clone)]
pub struct Limits {
    pub connect_ms: u32,
    pub reply_ms: u32,
    pub data_ms: u32,
    pub transfer_ms: Option<u32>,
    /// Bytes a second, and the window in milliseconds.
    pub low_speed: Option<(u64, u32)>,
    /// The component's linear memory limit, in bytes.
    pub memory: usize,
    /// Implicit FTPS, trusting this CA (PEM).
    pub implicit_tls_ca: Option<String>,
    /// Connect from this local address (granted to the session).
    pub source: Option<SocketAddr>,
    pub encoding: NameEncoding,
    /// A NOOP on the control connection this often while a transfer runs.
    pub keep_alive_ms: Option<u32>,
}

impl Limits {
    /// Short deadlines so stalls end quickly; generous for a loaded machine.
    pub fn quick() -> Self {
        Self {
            connect_ms: 1_000,
            reply_ms: 1_000,
            data_ms: 1_000,
            transfer_ms: None,
            low_speed: None,
            memory: ftp_host::DEFAULT_MEMORY_LIMIT,
            implicit_tls_ca: None,
            source: None,
            encoding: NameEncoding::Utf8,
            keep_alive_ms: None,
        }
    }

    /// An instance of `memory` bytes, with time to move a large listing.
    pub fn memory_bound(memory: usize) -> Self {
        Self {
            memory,
            reply_ms: 5_000,
            data_ms: 5_000,
            ..Self::quick()
        }
    }
}

/// A logged-in session on one data path.
pub trait Driver {
    fn path(&self) -> DataPath;
    /// The whole file, checked by `finish`.
    fn download(&mut self, path: &str, offset: u64) -> Result<Vec<u8>, Error>;
    fn upload(&mut self, path: &str, data: &[u8], mode: StoreMode) -> Result<Reply, Error>;
    /// REST `offset`, then STOR of `data`.
    fn upload_at(&mut self, path: &str, data: &[u8], offset: u64) -> Result<Reply, Error>;
    fn noop(&mut self) -> Result<Reply, Error>;
    fn command(&mut self, line: &str) -> Result<Reply, Error>;
    fn list(&mut self, path: Option<&str>) -> Result<Vec<Entry>, Error>;
    /// The streamed listing (`open-listing`), `batch` entries per call,
    /// each entry handed to `each` until it returns false (which drops the
    /// listing early); how many entries it was handed.
    fn stream_list(
        &mut self,
        path: Option<&str>,
        batch: u32,
        each: &mut dyn FnMut(Entry) -> bool,
    ) -> Result<usize, Error>;
    fn nlst(&mut self, path: Option<&str>) -> Result<Vec<String>, Error>;
    fn walk(&mut self, path: &str) -> Result<WalkResult, Error>;
    fn remove_tree(&mut self, path: &str) -> Result<(), Error>;
}

/// Connects to a fake server on loopback `port` on `path` and logs in as
/// `u`/`p`, granted loopback only (a fake server's passive ports are the
/// system's choice).
pub fn connect(runtime: &Runtime, path: DataPath, port: u16, limits: Limits) -> Result<Box<dyn Driver>, Error> {
    match path {
        DataPath::Chunked => Chunked::connect(runtime, port, limits).map(|d| Box::new(d) as Box<dyn Driver>),
        DataPath::HandOff => Hosted::connect(runtime, port, limits).map(|d| Box::new(d) as Box<dyn Driver>),
    }
}

fn ftp(f: crate::Failure) -> Error {
    Error::from(f.ftp())
}

struct Chunked {
    client: Client,
    session: SessionHandle,
}

impl Chunked {
    fn connect(runtime: &Runtime, port: u16, l: Limits) -> Result<Self, Error> {
        let mut grant = NetworkPolicy::default().allow(Ipv4Addr::LOCALHOST.into(), 1..=u16::MAX);
        if let Some(source) = l.source {
            grant = grant.bind_from(source);
        }
        let mut client = Client::with_memory_limit(runtime, grant, l.memory).map_err(Error::Runtime)?;
        let mut o = default_options();
        o.connect_timeout_ms = Some(l.connect_ms);
        o.reply_timeout_ms = Some(l.reply_ms);
        o.data_timeout_ms = Some(l.data_ms);
        o.transfer_timeout_ms = l.transfer_ms;
        o.low_speed = l.low_speed.map(|(bytes_per_second, window_ms)| LowSpeedLimit {
            bytes_per_second,
            window_ms,
        });
        o.tls = l.implicit_tls_ca.clone().map(|ca| TlsOptions {
            mode: Security::Implicit,
            ca_bundle: Some(ca),
            server_name: None,
            allow_plaintext: false,
            clear_data: false,
            version: None,
            client_identity: None,
        });
        o.source_address = l.source.map(|a| a.to_string());
        o.encoding = Some(l.encoding);
        o.keep_alive_ms = l.keep_alive_ms;
        let session = client.connect("127.0.0.1", port, &o).map_err(ftp)?;
        client.login(session, Some("u"), Some("p")).map_err(ftp)?;
        Ok(Self { client, session })
    }

    fn read_all(&mut self, t: RetrieveHandle) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        while let Some(chunk) = self.client.read(t, 1 << 20).map_err(ftp)? {
            out.extend_from_slice(&chunk);
        }
        self.client.finish_retrieve(t).map_err(ftp)?;
        Ok(out)
    }

    fn write_all(&mut self, t: StoreHandle, data: &[u8]) -> Result<Reply, Error> {
        for chunk in data.chunks(1 << 20) {
            self.client.write(t, chunk).map_err(ftp)?;
        }
        self.client.finish_store(t).map_err(ftp)
    }
}

impl Driver for Chunked {
    fn path(&self) -> DataPath {
        DataPath::Chunked
    }

    fn download(&mut self, path: &str, offset: u64) -> Result<Vec<u8>, Error> {
        let t = self.client.retrieve(self.session, path, offset).map_err(ftp)?;
        let result = self.read_all(t);
        let _ = self.client.drop_resource(t);
        result
    }

    fn upload(&mut self, path: &str, data: &[u8], mode: StoreMode) -> Result<Reply, Error> {
        let t = self.client.store(self.session, path, mode).map_err(ftp)?;
        let result = self.write_all(t, data);
        let _ = self.client.drop_resource(t);
        result
    }

    fn upload_at(&mut self, path: &str, data: &[u8], offset: u64) -> Result<Reply, Error> {
        let t = self.client.store_at(self.session, path, offset).map_err(ftp)?;
        let result = self.write_all(t, data);
        let _ = self.client.drop_resource(t);
        result
    }

    fn noop(&mut self) -> Result<Reply, Error> {
        self.client.noop(self.session).map_err(ftp)
    }

    fn command(&mut self, line: &str) -> Result<Reply, Error> {
        self.client.command(self.session, line).map_err(ftp)
    }

    fn list(&mut self, path: Option<&str>) -> Result<Vec<Entry>, Error> {
        self.client.list(self.session, path).map_err(ftp)
    }

    fn stream_list(
        &mut self,
        path: Option<&str>,
        batch: u32,
        each: &mut dyn FnMut(Entry) -> bool,
    ) -> Result<usize, Error> {
        let listing = self.client.open_listing(self.session, path).map_err(ftp)?;
        let mut handed = 0;
        let result = loop {
            match self.client.next_batch(listing, batch) {
                Ok(Some(entries)) => {
                    assert!(
                        entries.len() <= batch as usize,
                        "a batch of {} > {batch}",
                        entries.len()
                    );
                    let mut more = true;
                    for entry in entries {
                        handed += 1;
                        more = each(entry);
                        if !more {
                            break;
                        }
                    }
                    if !more {
                        break Ok(handed);
                    }
                }
                Ok(None) => break Ok(handed),
                Err(e) => break Err(ftp(e)),
            }
        };
        let _ = self.client.drop_resource(listing);
        result
    }

    fn nlst(&mut self, path: Option<&str>) -> Result<Vec<String>, Error> {
        self.client.nlst(self.session, path).map_err(ftp)
    }

    fn walk(&mut self, path: &str) -> Result<WalkResult, Error> {
        self.client.walk(self.session, path).map_err(ftp)
    }

    fn remove_tree(&mut self, path: &str) -> Result<(), Error> {
        self.client.remove_tree(self.session, path).map_err(ftp)
    }
}

struct Hosted {
    session: ftp_host::Session,
    /// TLS data goes through the component even here.
    tls: bool,
}

impl Hosted {
    fn connect(runtime: &Runtime, port: u16, l: Limits) -> Result<Self, Error> {
        let ms = |ms: u32| Some(Duration::from_millis(u64::from(ms)));
        let mut o = Options::new("127.0.0.1").port(port).login("u", "p");
        o.connect_timeout = ms(l.connect_ms);
        o.reply_timeout = ms(l.reply_ms);
        o.data_timeout = ms(l.data_ms);
        o.transfer_timeout = l.transfer_ms.and_then(ms);
        o.low_speed = l.low_speed.map(|(bytes_per_second, window_ms)| LowSpeed {
            bytes_per_second,
            window: Duration::from_millis(u64::from(window_ms)),
        });
        o.memory_limit = l.memory;
        o.source_address = l.source;
        o.encoding = l.encoding;
        o.keep_alive = l.keep_alive_ms.and_then(ms);
        o.tls = l.implicit_tls_ca.map(|ca| ftp_host::Tls::implicit().ca_pem(ca));
        let tls = o.tls.is_some();
        runtime.connect(o).map(|session| Self { session, tls })
    }
}

/// The FTP error inside an `io::Error` from `Read`/`Write`.
fn unwrap_io(e: std::io::Error) -> Error {
    match e.into_inner().map(|inner| inner.downcast::<Error>()) {
        Some(Ok(ftp)) => *ftp,
        Some(Err(other)) => Error::Network(other.to_string()),
        None => Error::Network("an io error without an FTP error".into()),
    }
}

impl Driver for Hosted {
    fn path(&self) -> DataPath {
        DataPath::HandOff
    }

    fn download(&mut self, path: &str, offset: u64) -> Result<Vec<u8>, Error> {
        let mut download = self.session.retrieve_from(path, offset)?;
        assert!(
            download.is_direct() || self.tls,
            "binary plain downloads take the stream over"
        );
        let mut out = Vec::new();
        download.read_to_end(&mut out).map_err(unwrap_io)?;
        download.finish()?;
        Ok(out)
    }

    fn upload(&mut self, path: &str, data: &[u8], mode: StoreMode) -> Result<Reply, Error> {
        let mut upload = match mode {
            StoreMode::Replace => self.session.store(path)?,
            StoreMode::Append => self.session.append(path)?,
            StoreMode::Unique => self.session.store_unique()?,
        };
        assert!(
            upload.is_direct() || self.tls,
            "binary plain uploads take the stream over"
        );
        upload.write_all(data).map_err(unwrap_io)?;
        upload.finish()
    }

    fn upload_at(&mut self, path: &str, data: &[u8], offset: u64) -> Result<Reply, Error> {
        let mut upload = self.session.store_from(path, offset)?;
        assert!(
            upload.is_direct() || self.tls,
            "binary plain uploads take the stream over"
        );
        upload.write_all(data).map_err(unwrap_io)?;
        upload.finish()
    }

    fn noop(&mut self) -> Result<Reply, Error> {
        self.session.noop()
    }

    fn command(&mut self, line: &str) -> Result<Reply, Error> {
        self.session.command(line)
    }

    fn list(&mut self, path: Option<&str>) -> Result<Vec<Entry>, Error> {
        self.session.list(path)
    }

    /// `ftp-host`'s `Listing` asks for batches of its own size.
    fn stream_list(
        &mut self,
        path: Option<&str>,
        _batch: u32,
        each: &mut dyn FnMut(Entry) -> bool,
    ) -> Result<usize, Error> {
        let mut handed = 0;
        for entry in self.session.listing(path)? {
            handed += 1;
            if !each(entry?) {
                break;
            }
        }
        Ok(handed)
    }

    fn nlst(&mut self, path: Option<&str>) -> Result<Vec<String>, Error> {
        self.session.nlst(path)
    }

    fn walk(&mut self, path: &str) -> Result<WalkResult, Error> {
        self.session.walk(path)
    }

    fn remove_tree(&mut self, path: &str) -> Result<(), Error> {
        self.session.remove_tree(path)
    }
}
