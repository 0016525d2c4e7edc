//! The WIT exports: converts between the generated binding types and the
//! guest's own, and nothing else.

use crate::error::Error;
#[cfg(feature = "secure")]
use crate::error::TlsFailure;
use crate::listing::Listing;
use crate::proto::encoding::Encoding;
use crate::proto::feat::Feature;
use crate::proto::hash::Algorithm;
use crate::proto::listing::{Entry, Kind};
use crate::proto::pace::LowSpeed;
use crate::proto::proxy::ProxyKind;
use crate::proto::reply::Reply;
use crate::proto::time::Timestamp;
use crate::relay::Relay;
use crate::secure::{Security, TlsSettings, TlsVersion};
use crate::session::{Options, Session, TransferType, MIN_LINE};
use crate::transfer::{Retrieve, Shared, Store, StoreMode};
use crate::tree::Walk;
use crate::tunnel::Proxy;
use std::cell::RefCell;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;

use crate::bindings::exports::wftp::client::client as wit;
use crate::bindings::exports::wftp::client::types as witty;

struct Component;

crate::bindings::export!(Component with_types_in crate::bindings);

impl From<Reply> for witty::Reply {
    fn from(r: Reply) -> Self {
        witty::Reply {
            code: r.code,
            text: r.text(),
        }
    }
}

impl From<&Reply> for witty::Reply {
    fn from(r: &Reply) -> Self {
        witty::Reply {
            code: r.code,
            text: r.text(),
        }
    }
}

impl From<Error> for witty::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Transient(r) => witty::Error::Transient(r.into()),
            Error::Permanent(r) => witty::Error::Permanent(r.into()),
            Error::Unexpected(r) => witty::Error::Unexpected(r.into()),
            Error::Protocol(p) => witty::Error::Protocol(p.to_string()),
            Error::Io(m) => witty::Error::Io(m),
            Error::AccessDenied(m) => witty::Error::AccessDenied(m),
            #[cfg(feature = "secure")]
            Error::Tls(failure) => witty::Error::Tls(match failure {
                TlsFailure::UntrustedCertificate(m) => witty::TlsError::UntrustedCertificate(m),
                TlsFailure::NameMismatch(m) => witty::TlsError::NameMismatch(m),
                TlsFailure::Expired(m) => witty::TlsError::Expired(m),
                TlsFailure::Handshake(m) => witty::TlsError::Handshake(m),
            }),
            Error::TlsRefused(r) => witty::Error::Tls(witty::TlsError::Refused(r.into())),
            Error::Timeout(what) => witty::Error::Timeout(what.to_string()),
            Error::Partial { expected, received } => witty::Error::Partial(witty::SizeMismatch { expected, received }),
            Error::InvalidInput(m) => witty::Error::InvalidInput(m),
            Error::Closed => witty::Error::Closed,
        }
    }
}

impl From<Timestamp> for witty::Timestamp {
    fn from(t: Timestamp) -> Self {
        witty::Timestamp {
            seconds: t.seconds,
            nanoseconds: t.nanoseconds,
        }
    }
}

impl From<&Feature> for witty::Feature {
    fn from(f: &Feature) -> Self {
        witty::Feature {
            name: f.name.clone(),
            params: f.params.clone(),
        }
    }
}

impl From<Entry> for witty::Entry {
    fn from(e: Entry) -> Self {
        witty::Entry {
            name: e.name,
            kind: match e.kind {
                Kind::File => witty::EntryKind::File,
                Kind::Directory => witty::EntryKind::Directory,
                Kind::Link => witty::EntryKind::Link,
                Kind::Other => witty::EntryKind::Other,
                Kind::Unparsed => witty::EntryKind::Unparsed,
            },
            link_target: e.link_target,
            size: e.size,
            modified: e.modified.map(Into::into),
            permissions: e.permissions,
            unix_mode: e.unix_mode,
            facts: e.facts,
            raw: e.raw,
        }
    }
}

type R<T> = Result<T, witty::Error>;

fn options(o: witty::ConnectOptions) -> Result<Options, Error> {
    let d = Options::default();
    let max_line = o.max_line_length.map_or(d.max_line, |n| n as usize);
    if max_line < MIN_LINE {
        return Err(Error::InvalidInput(format!(
            "max-line-length must be at least {MIN_LINE}"
        )));
    }
    Ok(Options {
        connect_ms: o.connect_timeout_ms.unwrap_or(d.connect_ms),
        reply_ms: o.reply_timeout_ms.unwrap_or(d.reply_ms),
        data_ms: o.data_timeout_ms.unwrap_or(d.data_ms),
        transfer_ms: o.transfer_timeout_ms,
        low_speed: o.low_speed.map(|l| LowSpeed {
            bytes_per_second: l.bytes_per_second,
            window_ns: u64::from(l.window_ms) * 1_000_000,
        }),
        trust_pasv_host: o.trust_pasv_host,
        max_line,
        encoding: match o.encoding {
            None | Some(witty::NameEncoding::Utf8) => Encoding::Utf8,
            Some(witty::NameEncoding::Latin1) => Encoding::Latin1,
        },
        source: o.source_address.as_deref().map(source_address).transpose()?,
        keep_alive_ms: o.keep_alive_ms,
        proxy: o.proxy.map(proxy).transpose()?,
        tls: o.tls.map(|t| TlsSettings {
            mode: match t.mode {
                witty::Security::None => Security::None,
                witty::Security::Explicit => Security::Explicit,
                witty::Security::Implicit => Security::Implicit,
            },
            ca_bundle: t.ca_bundle,
            server_name: t.server_name,
            allow_plaintext: t.allow_plaintext,
            clear_data: t.clear_data,
            version: match t.version {
                None => TlsVersion::Auto,
                Some(witty::TlsVersion::Tls12) => TlsVersion::Tls12,
                Some(witty::TlsVersion::Tls13) => TlsVersion::Tls13,
            },
            identity: t.client_identity.map(|i| (i.certificate_chain, i.private_key)),
        }),
    })
}

/// The proxy a session goes through; its address must be an IP and port.
fn proxy(p: witty::Proxy) -> Result<Proxy, Error> {
    let address = p
        .address
        .parse::<SocketAddr>()
        .map_err(|_| Error::InvalidInput(format!("proxy address {:?} is not an IP address and port", p.address)))?;
    let credentials = match (p.user, p.password) {
        (Some(user), password) => Some((user, password.unwrap_or_default())),
        (None, Some(_)) => return Err(Error::InvalidInput("a proxy password needs a user".into())),
        (None, None) => None,
    };
    Ok(Proxy {
        kind: match p.kind {
            witty::ProxyKind::Socks5 => ProxyKind::Socks5,
            witty::ProxyKind::HttpConnect => ProxyKind::HttpConnect,
        },
        address,
        credentials,
    })
}

/// `ip` or `ip:port` (`[v6]:port`), as `source-address` takes it.
fn source_address(text: &str) -> Result<SocketAddr, Error> {
    text.parse::<SocketAddr>()
        .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 0)))
        .map_err(|_| Error::InvalidInput(format!("source-address {text:?} is not an IP address")))
}

struct SessionResource(Shared);

impl SessionResource {
    fn with<T>(&self, f: impl FnOnce(&mut Session) -> Result<T, Error>) -> R<T> {
        f(&mut self.0.borrow_mut()).map_err(Into::into)
    }
}

impl wit::Guest for Component {
    type Session = SessionResource;
    type Retrieve = RetrieveResource;
    type Store = StoreResource;
    type Relay = RelayResource;
    type Listing = ListingResource;
}

impl wit::GuestSession for SessionResource {
    fn connect(host: String, port: u16, opts: witty::ConnectOptions) -> R<wit::Session> {
        let session = Session::connect(&host, port, options(opts)?)?;
        Ok(wit::Session::new(SessionResource(Rc::new(RefCell::new(session)))))
    }

    fn welcome(&self) -> witty::Reply {
        self.0.borrow().welcome().into()
    }

    fn security(&self) -> witty::Security {
        match self.0.borrow().security() {
            Security::None => witty::Security::None,
            Security::Explicit => witty::Security::Explicit,
            Security::Implicit => witty::Security::Implicit,
        }
    }

    fn login(&self, user: Option<String>, password: Option<String>, account: Option<String>) -> R<witty::Reply> {
        self.with(|s| {
            s.login(user.as_deref(), password.as_deref(), account.as_deref())
                .map(Into::into)
        })
    }

    fn command(&self, line: String) -> R<witty::Reply> {
        self.with(|s| s.command(&line).map(Into::into))
    }

    fn noop(&self) -> R<witty::Reply> {
        self.with(|s| s.noop().map(Into::into))
    }

    fn set_data_protection(&self, private: bool) -> R<witty::Reply> {
        self.with(|s| s.set_data_protection(private).map(Into::into))
    }

    fn clear_command_channel(&self) -> R<witty::Reply> {
        self.with(|s| s.clear_command_channel().map(Into::into))
    }

    fn set_trace(&self, on: bool) {
        self.0.borrow_mut().set_trace(on);
    }

    fn take_trace(&self) -> Vec<String> {
        self.0.borrow_mut().take_trace()
    }

    fn quit(&self) -> R<witty::Reply> {
        self.with(|s| s.quit().map(Into::into))
    }

    fn cwd(&self, path: String) -> R<witty::Reply> {
        self.with(|s| s.cwd(&path).map(Into::into))
    }

    fn cdup(&self) -> R<witty::Reply> {
        self.with(|s| s.cdup().map(Into::into))
    }

    fn pwd(&self) -> R<String> {
        self.with(|s| s.pwd())
    }

    fn mkd(&self, path: String) -> R<String> {
        self.with(|s| s.mkd(&path))
    }

    fn rmd(&self, path: String) -> R<witty::Reply> {
        self.with(|s| s.rmd(&path).map(Into::into))
    }

    fn delete(&self, path: String) -> R<witty::Reply> {
        self.with(|s| s.delete(&path).map(Into::into))
    }

    fn rename(&self, source: String, target: String) -> R<witty::Reply> {
        self.with(|s| s.rename(&source, &target).map(Into::into))
    }

    fn size(&self, path: String) -> R<u64> {
        self.with(|s| s.size(&path))
    }

    fn nlst(&self, path: Option<String>) -> R<Vec<String>> {
        self.with(|s| s.nlst(path.as_deref()))
    }

    fn features(&self) -> R<Vec<witty::Feature>> {
        self.with(|s| Ok(s.features()?.iter().map(Into::into).collect()))
    }

    fn system(&self) -> R<String> {
        self.with(|s| s.system())
    }

    fn status(&self, path: Option<String>) -> R<witty::Reply> {
        self.with(|s| s.status(path.as_deref()).map(Into::into))
    }

    fn help(&self, topic: Option<String>) -> R<witty::Reply> {
        self.with(|s| s.help(topic.as_deref()).map(Into::into))
    }

    fn site(&self, arguments: String) -> R<witty::Reply> {
        self.with(|s| s.site(&arguments).map(Into::into))
    }

    fn account(&self, info: String) -> R<witty::Reply> {
        self.with(|s| s.account(&info).map(Into::into))
    }

    fn reinitialize(&self) -> R<witty::Reply> {
        self.with(|s| s.reinitialize().map(Into::into))
    }

    fn modified_time(&self, path: String) -> R<witty::Timestamp> {
        self.with(|s| s.modified_time(&path).map(Into::into))
    }

    fn set_modified_time(&self, path: String, time: witty::Timestamp) -> R<witty::Reply> {
        let time = Timestamp {
            seconds: time.seconds,
            nanoseconds: time.nanoseconds,
        };
        self.with(|s| s.set_modified_time(&path, time).map(Into::into))
    }

    fn list(&self, path: Option<String>) -> R<Vec<witty::Entry>> {
        self.with(|s| Ok(s.list(path.as_deref())?.into_iter().map(Into::into).collect()))
    }

    fn open_listing(&self, path: Option<String>) -> R<wit::Listing> {
        let listing = Listing::start(self.0.clone(), path.as_deref())?;
        Ok(wit::Listing::new(ListingResource(RefCell::new(listing))))
    }

    fn mlsd(&self, path: Option<String>, facts: Vec<String>) -> R<Vec<witty::Entry>> {
        self.with(|s| Ok(s.mlsd(path.as_deref(), &facts)?.into_iter().map(Into::into).collect()))
    }

    fn stat_entry(&self, path: String) -> R<witty::Entry> {
        self.with(|s| s.stat_entry(&path).map(Into::into))
    }

    fn walk(&self, path: String) -> R<witty::WalkResult> {
        self.with(|s| {
            let Walk { entries, refused } = s.walk(&path)?;
            Ok(witty::WalkResult {
                entries: entries.into_iter().map(Into::into).collect(),
                refused: refused.into_iter().map(Into::into).collect(),
            })
        })
    }

    fn make_dirs(&self, path: String) -> R<()> {
        self.with(|s| s.make_dirs(&path))
    }

    fn remove_tree(&self, path: String) -> R<()> {
        self.with(|s| s.remove_tree(&path))
    }

    fn set_transfer_type(&self, kind: witty::TransferType) -> R<witty::Reply> {
        let kind = match kind {
            witty::TransferType::Binary => TransferType::Binary,
            witty::TransferType::Ascii => TransferType::Ascii,
        };
        self.with(|s| s.set_transfer_type(kind).map(Into::into))
    }

    fn retrieve(&self, path: String, offset: u64) -> R<wit::Retrieve> {
        let transfer = Retrieve::start(self.0.clone(), &path, offset)?;
        Ok(wit::Retrieve::new(RetrieveResource(RefCell::new(transfer))))
    }

    fn store(&self, path: String, mode: witty::StoreMode) -> R<wit::Store> {
        let mode = match mode {
            witty::StoreMode::Replace => StoreMode::Replace,
            witty::StoreMode::Append => StoreMode::Append,
            witty::StoreMode::Unique => StoreMode::Unique,
        };
        let transfer = Store::start(self.0.clone(), &path, mode, 0)?;
        Ok(wit::Store::new(StoreResource(RefCell::new(transfer))))
    }

    fn store_at(&self, path: String, offset: u64) -> R<wit::Store> {
        let transfer = Store::start(self.0.clone(), &path, StoreMode::Replace, offset)?;
        Ok(wit::Store::new(StoreResource(RefCell::new(transfer))))
    }

    fn hash(&self, path: String, algorithm: Option<witty::HashAlgorithm>) -> R<witty::FileHash> {
        let wanted = algorithm.map(|a| match a {
            witty::HashAlgorithm::Sha256 => Algorithm::Sha256,
            witty::HashAlgorithm::Sha512 => Algorithm::Sha512,
            witty::HashAlgorithm::Sha1 => Algorithm::Sha1,
            witty::HashAlgorithm::Md5 => Algorithm::Md5,
            witty::HashAlgorithm::Crc32 => Algorithm::Crc32,
        });
        let (used, hex) = self.with(|s| s.hash(&path, wanted))?;
        let algorithm = match used {
            Algorithm::Sha256 => witty::HashAlgorithm::Sha256,
            Algorithm::Sha512 => witty::HashAlgorithm::Sha512,
            Algorithm::Sha1 => witty::HashAlgorithm::Sha1,
            Algorithm::Md5 => witty::HashAlgorithm::Md5,
            Algorithm::Crc32 => witty::HashAlgorithm::Crc32,
        };
        Ok(witty::FileHash { algorithm, hex })
    }

    fn relay_listen(&self) -> R<witty::Endpoint> {
        let at = self.with(Session::relay_listen)?;
        Ok(witty::Endpoint {
            address: at.ip().to_string(),
            port: at.port(),
        })
    }

    fn relay_store(&self, path: String, source: witty::Endpoint) -> R<wit::Relay> {
        let ip = source
            .address
            .parse::<IpAddr>()
            .map_err(|_| Error::InvalidInput(format!("{:?} is not an IP address", source.address)))?;
        let relay = Relay::start(self.0.clone(), &path, Some(SocketAddr::new(ip, source.port)))?;
        Ok(wit::Relay::new(RelayResource(RefCell::new(relay))))
    }

    fn relay_retrieve(&self, path: String) -> R<wit::Relay> {
        let relay = Relay::start(self.0.clone(), &path, None)?;
        Ok(wit::Relay::new(RelayResource(RefCell::new(relay))))
    }
}

struct RelayResource(RefCell<Relay>);

impl wit::GuestRelay for RelayResource {
    fn started(&self) -> witty::Reply {
        self.0.borrow().started().clone().into()
    }

    fn finish(&self) -> R<witty::Reply> {
        Ok(self.0.borrow_mut().finish()?.into())
    }

    fn abort(&self) -> R<()> {
        Ok(self.0.borrow_mut().abort()?)
    }
}

struct ListingResource(RefCell<Listing>);

impl wit::GuestListing for ListingResource {
    fn next_batch(&self, max: u32) -> R<Option<Vec<witty::Entry>>> {
        let batch = self.0.borrow_mut().next_batch(max)?;
        Ok(batch.map(|entries| entries.into_iter().map(Into::into).collect()))
    }
}

struct RetrieveResource(RefCell<Retrieve>);

impl wit::GuestRetrieve for RetrieveResource {
    fn read(&self, max: u32) -> R<Option<Vec<u8>>> {
        Ok(self.0.borrow_mut().read(max)?)
    }

    fn data_stream(&self) -> R<::wasi::io::streams::InputStream> {
        Ok(self.0.borrow_mut().data_stream()?)
    }

    fn expected_size(&self) -> Option<u64> {
        self.0.borrow().expected_size()
    }

    fn progress(&self, bytes: u64) -> R<u32> {
        Ok(self.0.borrow_mut().progress(bytes)?)
    }

    fn finish(&self) -> R<witty::Reply> {
        Ok(self.0.borrow_mut().finish()?.into())
    }

    fn abort(&self) -> R<()> {
        Ok(self.0.borrow_mut().abort()?)
    }
}

struct StoreResource(RefCell<Store>);

impl wit::GuestStore for StoreResource {
    fn write(&self, data: Vec<u8>) -> R<()> {
        Ok(self.0.borrow_mut().write(&data)?)
    }

    fn unique_name(&self) -> Option<String> {
        self.0.borrow().unique_name()
    }

    fn data_stream(&self) -> R<::wasi::io::streams::OutputStream> {
        Ok(self.0.borrow_mut().data_stream()?)
    }

    fn progress(&self, bytes: u64) -> R<u32> {
        Ok(self.0.borrow_mut().progress(bytes)?)
    }

    fn finish(&self) -> R<witty::Reply> {
        Ok(self.0.borrow_mut().finish()?.into())
    }

    fn abort(&self) -> R<()> {
        Ok(self.0.borrow_mut().abort()?)
    }
}
