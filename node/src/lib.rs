//! `ftp-client` for Node.js: `ftp-host` as a native addon. The component
//! runs inside the addon under wasmtime, each session granted its server
//! alone; every call returns a Promise whose work runs on libuv's thread
//! pool, so the event loop never waits on the network. `index.js` wraps
//! these in streams and the `FtpError` class.

use ftp_host::tree::{Action, Mirror, Outcome, Rules};
use ftp_host::{DetachedDownload, DetachedListing, DetachedUpload, IntoOptions, Observer, Start};
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status, Task};
use napi_derive::napi;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

/// A library error for JavaScript: the reason carries the kind, the reply
/// code and the message, which `index.js` turns into an `FtpError`.
fn raise(e: ftp_host::Error) -> napi::Error {
    let info = e.info();
    failure(info.kind.name(), info.code, &info.message)
}

fn failure(kind: &str, code: Option<u16>, message: &str) -> napi::Error {
    let reason = serde_json::json!({ "ftp": true, "kind": kind, "code": code, "message": message });
    napi::Error::new(Status::GenericFailure, reason.to_string())
}

fn misuse(kind: &str, message: &str) -> napi::Error {
    failure(kind, None, message)
}

/// Work for libuv's thread pool: a closure, its result resolved as is.
pub struct Work<T: Send + 'static>(Option<Box<dyn FnOnce() -> napi::Result<T> + Send>>);

impl<T: napi::bindgen_prelude::ToNapiValue + napi::bindgen_prelude::TypeName + Send + 'static> Task for Work<T> {
    type Output = T;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<T> {
        match self.0.take() {
            Some(work) => work(),
            None => Err(misuse("invalid-input", "the work was already done")),
        }
    }

    fn resolve(&mut self, _: Env, output: T) -> napi::Result<T> {
        Ok(output)
    }
}

fn work<T: Send + 'static>(f: impl FnOnce() -> napi::Result<T> + Send + 'static) -> AsyncTask<Work<T>>
where
    Work<T>: Task,
{
    AsyncTask::new(Work(Some(Box::new(f))))
}

/// The component, compiled once a process (and cached on disk).
fn client() -> napi::Result<&'static ftp_host::Client> {
    static CLIENT: OnceLock<ftp_host::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let client = ftp_host::Client::new().map_err(raise)?;
    Ok(CLIENT.get_or_init(|| client))
}

type Slot = Arc<Mutex<Option<ftp_host::Session>>>;

fn lock(slot: &Slot) -> MutexGuard<'_, Option<ftp_host::Session>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

fn on<T>(slot: &Slot, f: impl FnOnce(&mut ftp_host::Session) -> ftp_host::Result<T>) -> napi::Result<T> {
    let mut guard = lock(slot);
    let session = guard
        .as_mut()
        .ok_or_else(|| misuse("closed", "the session is closed"))?;
    f(session).map_err(raise)
}

/// What `connect` and `Pool` take besides the URL.
#[napi(object)]
#[derive(Default)]
pub struct ConnectOptions {
    pub user: Option<String>,
    pub password: Option<String>,
    /// `"explicit"` (AUTH TLS) or `"implicit"`.
    pub tls: Option<String>,
    pub ca_pem: Option<String>,
    /// A client certificate chain (PEM), and its key if not in it.
    pub client_cert_pem: Option<String>,
    pub client_key_pem: Option<String>,
    /// Seconds, for connecting, each reply, and data that stops moving.
    pub timeout: Option<f64>,
    pub transfer_timeout: Option<f64>,
    pub passive_ports: Option<Vec<u32>>,
    pub encoding: Option<String>,
    pub trace: Option<bool>,
    /// Bytes a second for all the transfers of this session (or pool).
    pub rate_limit: Option<f64>,
    /// Seconds between keep-alive NOOPs while a transfer runs.
    pub keep_alive: Option<f64>,
    /// A `socks5://` or `http://` proxy URL.
    pub proxy: Option<String>,
}

fn seconds(what: &str, s: f64) -> napi::Result<Duration> {
    Duration::try_from_secs_f64(s)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| misuse("invalid-input", &format!("{what} must be a positive number of seconds")))
}

fn options(url: &str, o: Option<ConnectOptions>) -> napi::Result<ftp_host::Options> {
    let o = o.unwrap_or_default();
    let mut options = url.into_options().map_err(raise)?;
    if o.user.is_some() {
        options.user = o.user;
    }
    if o.password.is_some() {
        options.password = o.password;
    }
    match o.tls.as_deref() {
        None => {}
        Some("explicit") => options.tls = Some(ftp_host::Tls::explicit()),
        Some("implicit") => options.tls = Some(ftp_host::Tls::implicit()),
        Some(other) => {
            return Err(misuse(
                "invalid-input",
                &format!("tls is explicit or implicit, not {other}"),
            ))
        }
    }
    if let Some(pem) = o.ca_pem {
        let tls = options
            .tls
            .as_mut()
            .ok_or_else(|| misuse("invalid-input", "caPem needs tls or an ftps:// URL"))?;
        tls.ca_pem = Some(pem);
    }
    if let Some(chain) = o.client_cert_pem {
        let key = o.client_key_pem.unwrap_or_else(|| chain.clone());
        let tls = options
            .tls
            .take()
            .ok_or_else(|| misuse("invalid-input", "clientCertPem needs tls or an ftps:// URL"))?;
        options.tls = Some(tls.client_identity(chain, key));
    } else if o.client_key_pem.is_some() {
        return Err(misuse("invalid-input", "clientKeyPem needs clientCertPem"));
    }
    if let Some(t) = o.timeout {
        options = options.timeout(seconds("timeout", t)?);
    }
    if let Some(t) = o.transfer_timeout {
        options.transfer_timeout = Some(seconds("transferTimeout", t)?);
    }
    match o.passive_ports.as_deref() {
        None => {}
        Some([first, last]) => {
            let port = |p: u32| u16::try_from(p).map_err(|_| misuse("invalid-input", "a port is 0 to 65535"));
            options.passive_ports = port(*first)?..=port(*last)?;
        }
        Some(_) => return Err(misuse("invalid-input", "passivePorts is [first, last]")),
    }
    match o.encoding.as_deref() {
        None | Some("utf8") => {}
        Some("latin1") => options.encoding = ftp_host::NameEncoding::Latin1,
        Some(other) => {
            return Err(misuse(
                "invalid-input",
                &format!("encoding is utf8 or latin1, not {other}"),
            ))
        }
    }
    if let Some(trace) = o.trace {
        options.trace = trace;
    }
    if let Some(rate) = o.rate_limit {
        options.rate_limit = Some(ftp_host::RateLimit::new(rate.max(1.0) as u64));
    }
    if let Some(url) = o.proxy {
        options.proxy = Some(ftp_host::Proxy::from_url(&url).map_err(raise)?);
    }
    if let Some(every) = o.keep_alive {
        options.keep_alive = Some(seconds("keepAlive", every)?);
    }
    Ok(options)
}

#[napi(object)]
pub struct Reply {
    pub code: u32,
    pub text: String,
}

impl From<ftp_host::Reply> for Reply {
    fn from(r: ftp_host::Reply) -> Self {
        Self {
            code: u32::from(r.code),
            text: r.text,
        }
    }
}

#[napi(object)]
pub struct Entry {
    pub name: String,
    /// `file`, `dir`, `link`, `other` or `unparsed`.
    pub kind: String,
    pub size: Option<f64>,
    /// Seconds since the Unix epoch.
    pub modified: Option<f64>,
    pub permissions: Option<String>,
    pub unix_mode: Option<u32>,
    pub link_target: Option<String>,
    pub raw: String,
}

fn kind(kind: ftp_host::EntryKind) -> &'static str {
    match kind {
        ftp_host::EntryKind::File => "file",
        ftp_host::EntryKind::Directory => "dir",
        ftp_host::EntryKind::Link => "link",
        ftp_host::EntryKind::Other => "other",
        ftp_host::EntryKind::Unparsed => "unparsed",
    }
}

impl From<ftp_host::Entry> for Entry {
    fn from(e: ftp_host::Entry) -> Self {
        Self {
            name: e.name,
            kind: kind(e.kind).into(),
            size: e.size.map(|s| s as f64),
            modified: e.modified.map(|t| t.seconds as f64 + f64::from(t.nanoseconds) / 1e9),
            permissions: e.permissions,
            unix_mode: e.unix_mode,
            link_target: e.link_target,
            raw: e.raw,
        }
    }
}

/// Connects and logs in.
#[napi(ts_return_type = "Promise<NativeSession>")]
pub fn connect(url: String, options: Option<ConnectOptions>) -> napi::Result<AsyncTask<Work<NativeSession>>> {
    let options = self::options(&url, options)?;
    Ok(work(move || {
        let session = client()?.connect(options).map_err(raise)?;
        let welcome = session.welcome().clone().into();
        Ok(NativeSession {
            slot: Arc::new(Mutex::new(Some(session))),
            welcome: Some(welcome),
        })
    }))
}

#[napi]
pub struct NativeSession {
    slot: Slot,
    welcome: Option<Reply>,
}

#[napi]
impl NativeSession {
    /// The server's welcome reply.
    #[napi(getter)]
    pub fn welcome(&self) -> Option<Reply> {
        self.welcome.as_ref().map(|r| Reply {
            code: r.code,
            text: r.text.clone(),
        })
    }

    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn command(&self, line: String) -> AsyncTask<Work<Reply>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.command(&line)).map(Reply::from))
    }
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn noop(&self) -> AsyncTask<Work<Reply>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.noop()).map(Reply::from))
    }
    #[napi(ts_return_type = "Promise<string>")]
    pub fn pwd(&self) -> AsyncTask<Work<String>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.pwd()))
    }
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn cwd(&self, path: String) -> AsyncTask<Work<Reply>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.cwd(&path)).map(Reply::from))
    }
    #[napi(ts_return_type = "Promise<string>")]
    pub fn mkdir(&self, path: String) -> AsyncTask<Work<String>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.mkdir(&path)))
    }
    #[napi(ts_return_type = "Promise<void>")]
    pub fn mkdir_all(&self, path: String) -> AsyncTask<Work<()>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.mkdir_all(&path)))
    }
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn rmdir(&self, path: String) -> AsyncTask<Work<Reply>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.rmdir(&path)).map(Reply::from))
    }
    #[napi(ts_return_type = "Promise<void>")]
    pub fn remove_tree(&self, path: String) -> AsyncTask<Work<()>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.remove_tree(&path)))
    }
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn delete(&self, path: String) -> AsyncTask<Work<Reply>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.delete(&path)).map(Reply::from))
    }
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn rename(&self, from: String, to: String) -> AsyncTask<Work<Reply>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.rename(&from, &to)).map(Reply::from))
    }
    #[napi(ts_return_type = "Promise<number>")]
    pub fn size(&self, path: String) -> AsyncTask<Work<f64>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.size(&path)).map(|n| n as f64))
    }
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn nlst(&self, path: Option<String>) -> AsyncTask<Work<Vec<String>>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.nlst(path.as_deref())))
    }
    #[napi(ts_return_type = "Promise<Entry[]>")]
    pub fn list(&self, path: Option<String>) -> AsyncTask<Work<Vec<Entry>>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.list(path.as_deref())).map(|e| e.into_iter().map(Entry::from).collect()))
    }
    #[napi(ts_return_type = "Promise<string>")]
    pub fn system(&self) -> AsyncTask<Work<String>> {
        let slot = self.slot.clone();
        work(move || on(&slot, |s| s.system()))
    }
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn set_transfer_type(&self, ascii: bool) -> AsyncTask<Work<Reply>> {
        let slot = self.slot.clone();
        work(move || {
            on(&slot, |s| {
                s.set_transfer_type(if ascii {
                    ftp_host::TransferType::Ascii
                } else {
                    ftp_host::TransferType::Binary
                })
            })
            .map(Reply::from)
        })
    }

    /// Opens a download from byte `offset`.
    #[napi(ts_return_type = "Promise<NativeDownload>")]
    pub fn open_read(&self, path: String, offset: Option<f64>) -> AsyncTask<Work<NativeDownload>> {
        let slot = self.slot.clone();
        work(move || {
            let inner = on(&slot, |s| s.retrieve_detached(&path, offset.unwrap_or(0.0) as u64))?;
            Ok(NativeDownload {
                slot,
                inner: Arc::new(Mutex::new(Some(inner))),
            })
        })
    }

    /// Opens an upload: appending, or from byte `offset` (0 replaces).
    #[napi(ts_return_type = "Promise<NativeUpload>")]
    pub fn open_write(&self, path: String, append: Option<bool>, offset: Option<f64>) -> AsyncTask<Work<NativeUpload>> {
        let slot = self.slot.clone();
        work(move || {
            let inner = on(&slot, |s| {
                s.store_detached(&path, append.unwrap_or(false), offset.unwrap_or(0.0) as u64)
            })?;
            Ok(NativeUpload {
                slot,
                inner: Arc::new(Mutex::new(Some(inner))),
            })
        })
    }

    /// Opens a listing read in batches.
    #[napi(ts_return_type = "Promise<NativeListing>")]
    pub fn open_listing(&self, path: Option<String>) -> AsyncTask<Work<NativeListing>> {
        let slot = self.slot.clone();
        work(move || {
            let inner = on(&slot, |s| s.listing_detached(path.as_deref()))?;
            Ok(NativeListing {
                slot,
                inner: Arc::new(Mutex::new(Some(inner))),
            })
        })
    }

    /// QUIT, then closes the connection.
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn quit(&self) -> AsyncTask<Work<Reply>> {
        let slot = self.slot.clone();
        work(move || {
            let session = lock(&slot)
                .take()
                .ok_or_else(|| misuse("closed", "the session is closed"))?;
            session.quit().map(Reply::from).map_err(raise)
        })
    }

    /// Closes the connection (saying QUIT, within a second) if open.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close(&self) -> AsyncTask<Work<()>> {
        let slot = self.slot.clone();
        work(move || {
            drop(lock(&slot).take());
            Ok(())
        })
    }
}

type Held<X> = Arc<Mutex<Option<X>>>;

fn with_transfer<X, T>(
    slot: &Slot,
    held: &Held<X>,
    f: impl FnOnce(&mut X, &mut ftp_host::Session) -> ftp_host::Result<T>,
) -> napi::Result<T> {
    let mut transfer = held.lock().unwrap_or_else(PoisonError::into_inner);
    let transfer = transfer
        .as_mut()
        .ok_or_else(|| misuse("invalid-input", "the transfer is finished"))?;
    on(slot, |s| f(transfer, s))
}

/// Reads into `buf` until it is full or the download ends.
fn fill(slot: &Slot, held: &Held<DetachedDownload>, buf: &mut [u8]) -> napi::Result<usize> {
    with_transfer(slot, held, |d, s| {
        let mut filled = 0;
        while filled < buf.len() {
            match d.read(s, &mut buf[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        Ok(filled)
    })
}

fn end_transfer<X, T>(
    slot: &Slot,
    held: &Held<X>,
    f: impl FnOnce(X, &mut ftp_host::Session) -> ftp_host::Result<T>,
) -> napi::Result<T> {
    let transfer = held
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .ok_or_else(|| misuse("invalid-input", "the transfer is finished"))?;
    on(slot, |s| f(transfer, s))
}

fn release<X>(slot: &Slot, held: &Held<X>, f: impl FnOnce(X, &mut ftp_host::Session)) {
    let transfer = held.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let (Some(transfer), Some(session)) = (transfer, lock(slot).as_mut()) {
        f(transfer, session);
    }
}

#[napi]
pub struct NativeDownload {
    slot: Slot,
    inner: Held<DetachedDownload>,
}

#[napi]
impl NativeDownload {
    /// `max` bytes, fewer only at the end; `null` after it. The buffer is
    /// filled on the worker thread: one trip through the event loop per
    /// `max` bytes, not per socket read (which cut downloads to a sixth).
    #[napi(ts_return_type = "Promise<Buffer | null>")]
    pub fn read(&self, max: u32) -> AsyncTask<Work<Option<Buffer>>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        work(move || {
            let mut buf = vec![0u8; max.clamp(1, 4 << 20) as usize];
            let n = fill(&slot, &inner, &mut buf)?;
            buf.truncate(n);
            Ok((n > 0).then(|| Buffer::from(buf)))
        })
    }

    /// Fills the caller's `buffer` (fewer bytes only at the end; 0 after
    /// it): no allocation per chunk, for callers that reuse one buffer.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn read_into(&self, mut buffer: Buffer) -> AsyncTask<Work<u32>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        work(move || fill(&slot, &inner, &mut buffer).map(|n| n as u32))
    }

    #[napi(ts_return_type = "Promise<number | null>")]
    pub fn expected_size(&self) -> AsyncTask<Work<Option<f64>>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        work(move || with_transfer(&slot, &inner, |d, s| d.expected_size(s)).map(|n| n.map(|n| n as f64)))
    }

    /// Reads to the end and checks the server's final reply.
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn finish(&self) -> AsyncTask<Work<Reply>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        work(move || end_transfer(&slot, &inner, |d, s| d.finish(s)).map(Reply::from))
    }

    /// Stops the transfer (ABOR); the session stays usable.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn abort(&self) -> AsyncTask<Work<()>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        work(move || end_transfer(&slot, &inner, |d, s| d.abort(s)))
    }
}

impl Drop for NativeDownload {
    fn drop(&mut self) {
        release(&self.slot, &self.inner, DetachedDownload::release);
    }
}

#[napi]
pub struct NativeUpload {
    slot: Slot,
    inner: Held<DetachedUpload>,
}

#[napi]
impl NativeUpload {
    #[napi(ts_return_type = "Promise<void>")]
    pub fn write(&self, data: Buffer) -> AsyncTask<Work<()>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        let data: Vec<u8> = data.into();
        work(move || with_transfer(&slot, &inner, |u, s| u.write(s, &data)))
    }

    /// Sends the rest, closes the data connection, checks the final reply.
    #[napi(ts_return_type = "Promise<Reply>")]
    pub fn finish(&self) -> AsyncTask<Work<Reply>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        work(move || end_transfer(&slot, &inner, |u, s| u.finish(s)).map(Reply::from))
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn abort(&self) -> AsyncTask<Work<()>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        work(move || end_transfer(&slot, &inner, |u, s| u.abort(s)))
    }
}

impl Drop for NativeUpload {
    fn drop(&mut self) {
        release(&self.slot, &self.inner, DetachedUpload::release);
    }
}

#[napi]
pub struct NativeListing {
    slot: Slot,
    inner: Held<DetachedListing>,
}

#[napi]
impl NativeListing {
    /// Up to `max` entries; an empty array at the end.
    #[napi(ts_return_type = "Promise<Entry[]>")]
    pub fn next_batch(&self, max: u32) -> AsyncTask<Work<Vec<Entry>>> {
        let (slot, inner) = (self.slot.clone(), self.inner.clone());
        work(move || {
            let mut out = Vec::new();
            let mut held = inner.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(listing) = held.as_mut() else {
                return Ok(out);
            };
            let mut guard = lock(&slot);
            let session = guard
                .as_mut()
                .ok_or_else(|| misuse("closed", "the session is closed"))?;
            while out.len() < max.max(1) as usize {
                match listing.next(session) {
                    Some(Ok(entry)) => out.push(Entry::from(entry)),
                    Some(Err(e)) => {
                        if let Some(listing) = held.take() {
                            listing.release(session);
                        }
                        return Err(raise(e));
                    }
                    None => {
                        *held = None;
                        break;
                    }
                }
            }
            Ok(out)
        })
    }
}

impl Drop for NativeListing {
    fn drop(&mut self) {
        release(&self.slot, &self.inner, DetachedListing::release);
    }
}

/// One progress event, flattened for JavaScript.
#[napi(object)]
#[derive(Clone)]
pub struct ProgressEvent {
    /// `listed`, `planned`, `started`, `moved`, `retrying`, `finished`, `trace`.
    pub event: String,
    pub path: Option<String>,
    pub bytes: Option<f64>,
    pub size: Option<f64>,
    pub error: Option<String>,
    pub files_done: f64,
    pub files_total: f64,
    pub bytes_done: f64,
    pub bytes_total: f64,
}

type Progress = ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false>;

struct ToJs(Progress);

impl Observer for ToJs {
    fn on_event(&self, event: &ftp_host::Event, t: &ftp_host::Totals) {
        use ftp_host::Event as E;
        let (name, path, bytes, size, error) = match event {
            E::Listed { path, entries } => ("listed", Some(path.clone()), Some(*entries as f64), None, None),
            E::Planned { files, bytes } => ("planned", None, Some(*bytes as f64), Some(*files as f64), None),
            E::Started { path, size, offset } => (
                "started",
                Some(path.clone()),
                Some(*offset as f64),
                size.map(|s| s as f64),
                None,
            ),
            E::Moved { path, bytes } => ("moved", Some(path.clone()), Some(*bytes as f64), None, None),
            E::Retrying { path, error, .. } => {
                ("retrying", Some(path.clone()), None, None, Some(error.message.clone()))
            }
            E::Finished { path, result } => match result {
                Ok(size) => ("finished", Some(path.clone()), None, Some(*size as f64), None),
                Err(e) => ("finished", Some(path.clone()), None, None, Some(e.message.clone())),
            },
            E::Trace { .. } => ("trace", None, None, None, None),
            _ => ("other", None, None, None, None),
        };
        let event = ProgressEvent {
            event: name.into(),
            path,
            bytes,
            size,
            error,
            files_done: t.files_done as f64,
            files_total: t.files_total as f64,
            bytes_done: t.bytes_done as f64,
            bytes_total: t.bytes_total as f64,
        };
        let _ = self.0.call(event, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

#[napi(object)]
pub struct FileDone {
    pub size: f64,
    pub resumed_from: f64,
    pub already_complete: bool,
    pub size_checked: bool,
}

impl From<ftp_host::FileDone> for FileDone {
    fn from(d: ftp_host::FileDone) -> Self {
        Self {
            size: d.size as f64,
            resumed_from: d.resumed_from as f64,
            already_complete: d.already_complete,
            size_checked: d.size_checked,
        }
    }
}

#[napi(object)]
pub struct MirrorOptions {
    pub delete: Option<bool>,
    pub only_missing: Option<bool>,
    pub only_newer: Option<bool>,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub verify: Option<bool>,
    pub journal: Option<String>,
    pub dry_run: Option<bool>,
    pub retries: Option<u32>,
    /// Learn a LIST server's time zone from its MDTM (default true).
    pub infer_time_zone: Option<bool>,
}

#[napi(object)]
pub struct ActionOutcome {
    /// `mkdir`, `copy`, `delete` or `conflict`.
    pub action: String,
    pub path: String,
    /// `done`, `left-alone`, `not-started`, `failed`, or `planned` (a dry run).
    pub outcome: String,
    pub size: Option<f64>,
    pub error: Option<String>,
}

#[napi(object)]
pub struct MirrorReport {
    pub actions: Vec<ActionOutcome>,
    pub skipped: Vec<String>,
    pub up_to_date: f64,
    pub copied: f64,
    pub bytes: f64,
    pub failed: f64,
}

fn action_name(a: &Action) -> &'static str {
    match a {
        Action::MakeDir(_) => "mkdir",
        Action::Copy { .. } => "copy",
        Action::Delete { .. } => "delete",
        Action::Conflict(_) => "conflict",
    }
}

/// A handle that stops a pool's work.
#[napi]
#[derive(Default)]
pub struct Cancel {
    inner: ftp_host::Cancel,
}

#[napi]
impl Cancel {
    #[napi(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    #[napi]
    pub fn cancel(&self) {
        self.inner.cancel();
    }

    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

/// Sessions to one server for files, segmented files and whole trees.
#[napi]
pub struct Pool {
    inner: Arc<ftp_host::Pool>,
}

fn job<'p>(
    pool: &'p ftp_host::Pool,
    progress: Option<Progress>,
    cancel: Option<ftp_host::Cancel>,
    retries: u32,
) -> ftp_host::Job<'p> {
    let mut job = pool.job().retries(retries);
    if let Some(cancel) = cancel {
        job = job.cancel_with(cancel);
    }
    match progress {
        Some(f) => job.observe(ToJs(f)),
        None => job,
    }
}

#[napi]
impl Pool {
    #[napi(constructor)]
    pub fn new(url: String, size: Option<u32>, options: Option<ConnectOptions>) -> napi::Result<Self> {
        let options = self::options(&url, options)?;
        Ok(Self {
            inner: Arc::new(ftp_host::Pool::new(client()?, options, size.unwrap_or(4) as usize)),
        })
    }

    /// Downloads `remote` to `local`, replacing it only once whole.
    #[napi(ts_return_type = "Promise<FileDone>")]
    pub fn download(
        &self,
        remote: String,
        local: String,
        progress: Option<Progress>,
        cancel: Option<&Cancel>,
    ) -> AsyncTask<Work<FileDone>> {
        let (pool, cancel) = (self.inner.clone(), cancel.map(|c| c.inner.clone()));
        work(move || {
            job(&pool, progress, cancel, 0)
                .download(&remote, std::path::Path::new(&local))
                .map(FileDone::from)
                .map_err(raise)
        })
    }

    /// Uploads `local` to `remote`.
    #[napi(ts_return_type = "Promise<FileDone>")]
    pub fn upload(
        &self,
        local: String,
        remote: String,
        progress: Option<Progress>,
        cancel: Option<&Cancel>,
    ) -> AsyncTask<Work<FileDone>> {
        let (pool, cancel) = (self.inner.clone(), cancel.map(|c| c.inner.clone()));
        work(move || {
            job(&pool, progress, cancel, 0)
                .upload_with(std::path::Path::new(&local), &remote, Start::Whole, false)
                .map(FileDone::from)
                .map_err(raise)
        })
    }

    /// Makes `local` a copy of the server's `remote` ("down") or the reverse.
    #[napi(ts_return_type = "Promise<MirrorReport>")]
    pub fn mirror(
        &self,
        direction: String,
        remote: String,
        local: String,
        options: Option<MirrorOptions>,
        progress: Option<Progress>,
        cancel: Option<&Cancel>,
    ) -> napi::Result<AsyncTask<Work<MirrorReport>>> {
        let o = options.unwrap_or(MirrorOptions {
            delete: None,
            only_missing: None,
            only_newer: None,
            include: None,
            exclude: None,
            verify: None,
            journal: None,
            dry_run: None,
            retries: None,
            infer_time_zone: None,
        });
        let mut rules = Rules::default();
        for glob in o.include.iter().flatten() {
            rules = rules.include(glob).map_err(raise)?;
        }
        for glob in o.exclude.iter().flatten() {
            rules = rules.exclude(glob).map_err(raise)?;
        }
        rules.delete = o.delete.unwrap_or(false);
        rules.only_missing = o.only_missing.unwrap_or(false);
        rules.only_newer = o.only_newer.unwrap_or(false);
        let local = PathBuf::from(local);
        let mut mirror = match direction.as_str() {
            "down" => Mirror::down(&remote, local),
            "up" => Mirror::up(local, &remote),
            other => {
                return Err(misuse(
                    "invalid-input",
                    &format!("direction is down or up, not {other}"),
                ))
            }
        }
        .rules(rules)
        .verify(o.verify.unwrap_or(false));
        mirror = mirror.infer_time_zone(o.infer_time_zone.unwrap_or(true));
        if let Some(journal) = o.journal {
            mirror = mirror.journal(journal);
        }
        let (pool, cancel) = (self.inner.clone(), cancel.map(|c| c.inner.clone()));
        let (dry, retries) = (o.dry_run.unwrap_or(false), o.retries.unwrap_or(0));
        Ok(work(move || {
            let job = job(&pool, progress, cancel, retries);
            if dry {
                let plan = job.plan(&mirror).map_err(raise)?;
                let actions = plan
                    .actions
                    .iter()
                    .map(|a| ActionOutcome {
                        action: action_name(a).into(),
                        path: a.path().into(),
                        outcome: "planned".into(),
                        size: match a {
                            Action::Copy { item, .. } => item.size.map(|s| s as f64),
                            _ => None,
                        },
                        error: None,
                    })
                    .collect();
                return Ok(MirrorReport {
                    actions,
                    skipped: plan.skipped.iter().map(|s| s.path.clone()).collect(),
                    up_to_date: plan.up_to_date as f64,
                    copied: 0.0,
                    bytes: 0.0,
                    failed: 0.0,
                });
            }
            let report = job.mirror(&mirror).map_err(raise)?;
            let (copied, bytes) = report.copied();
            let failed = report.failures().count() as f64;
            Ok(MirrorReport {
                actions: report
                    .outcomes
                    .iter()
                    .map(|(a, o)| {
                        let (outcome, size, error) = match o {
                            Outcome::Done(size) => ("done", Some(*size as f64), None),
                            Outcome::LeftAlone => ("left-alone", None, None),
                            Outcome::NotStarted => ("not-started", None, None),
                            Outcome::Failed(e) => ("failed", None, Some(e.to_string())),
                        };
                        ActionOutcome {
                            action: action_name(a).into(),
                            path: a.path().into(),
                            outcome: outcome.into(),
                            size,
                            error,
                        }
                    })
                    .collect(),
                skipped: report.plan.skipped.iter().map(|s| s.path.clone()).collect(),
                up_to_date: report.plan.up_to_date as f64,
                copied: copied as f64,
                bytes: bytes as f64,
                failed,
            })
        }))
    }
}
