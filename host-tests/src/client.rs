//! Typed calls into one component instance. Every call returns either the
//! guest's answer or a `Failure`: the guest's typed error, or a trap (which a
//! correct guest never causes, whatever the server sends).

use crate::streams::{DataIn, DataOut};
use crate::{NetworkPolicy, Runtime};
use ftp_host::raw::{
    ConnectOptions, Endpoint, Entry, Error, Feature, FileHash, FtpClientComponent, HashAlgorithm, HostState, Reply,
    Security, StoreMode, Timestamp, TransferType, WalkResult,
};
use std::fmt;
use wasmtime::component::ResourceAny;
use wasmtime::Store;

#[derive(Debug)]
pub enum Failure {
    /// The guest returned its typed error.
    Ftp(Error),
    /// The guest trapped or the host failed: always a bug.
    Trap(wasmtime::Error),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Ftp(e) => write!(f, "ftp error: {e:?}"),
            Failure::Trap(e) => write!(f, "trap: {e:?}"),
        }
    }
}

impl std::error::Error for Failure {}

impl Failure {
    /// The guest's error, or a panic if the guest trapped.
    pub fn ftp(self) -> Error {
        match self {
            Failure::Ftp(e) => e,
            Failure::Trap(e) => panic!("guest trapped: {e:?}"),
        }
    }
}

pub type CallResult<T> = Result<T, Failure>;

fn flatten<T>(r: wasmtime::Result<Result<T, Error>>) -> CallResult<T> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure::Ftp(e)),
        Err(e) => Err(Failure::Trap(e)),
    }
}

/// Handles to guest resources. Copyable; drop them with the client's `drop_*`.
#[derive(Debug, Clone, Copy)]
pub struct SessionHandle(ResourceAny);
#[derive(Debug, Clone, Copy)]
pub struct RetrieveHandle(ResourceAny);
#[derive(Debug, Clone, Copy)]
pub struct StoreHandle(ResourceAny);
#[derive(Debug, Clone, Copy)]
pub struct ListingHandle(ResourceAny);

/// One component instance in its own store.
pub struct Client {
    store: Store<HostState>,
    bindings: FtpClientComponent,
    /// The component leaves TLS to the host (it imports wasi:tls).
    host_tls: bool,
}

/// Connect options with every default.
pub fn default_options() -> ConnectOptions {
    ConnectOptions {
        connect_timeout_ms: None,
        reply_timeout_ms: None,
        data_timeout_ms: None,
        transfer_timeout_ms: None,
        low_speed: None,
        trust_pasv_host: false,
        max_line_length: None,
        tls: None,
        encoding: None,
        source_address: None,
    }
}

macro_rules! session_call {
    ($(#[$doc:meta])* $name:ident => $call:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty) => {
        $(#[$doc])*
        pub fn $name(&mut self, s: SessionHandle $(, $arg: $ty)*) -> CallResult<$ret> {
            let r = self.bindings.ftp_client_client().session().$call(&mut self.store, s.0 $(, $arg)*);
            flatten(r)
        }
    };
}

impl Client {
    pub fn new(runtime: &Runtime, grant: NetworkPolicy) -> wasmtime::Result<Self> {
        Self::with_memory_limit(runtime, grant, ftp_host::DEFAULT_MEMORY_LIMIT)
    }

    pub fn with_memory_limit(runtime: &Runtime, grant: NetworkPolicy, limit: usize) -> wasmtime::Result<Self> {
        let (store, bindings) = runtime.instantiate(&grant, limit)?;
        Ok(Self {
            store,
            bindings,
            host_tls: runtime.host_tls(),
        })
    }

    /// The largest linear memory the guest has grown to, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.store.data().peak_memory()
    }

    /// The store's resource table, where handed-over data streams live.
    pub(crate) fn table(&mut self) -> &mut wasmtime::component::ResourceTable {
        self.store.data_mut().table()
    }

    /// Connects; with a component that leaves TLS to the host, the CA
    /// bundle goes to the host's TLS instead (as `ftp-host` does), so one
    /// test serves both builds.
    pub fn connect(&mut self, host: &str, port: u16, options: &ConnectOptions) -> CallResult<SessionHandle> {
        let mut options = options.clone();
        if let Some(tls) = options.tls.as_mut().filter(|_| self.host_tls) {
            let pem = tls.ca_bundle.take();
            self.store
                .data_mut()
                .configure_tls(pem.as_deref(), tls.version)
                .map_err(|e| Failure::Ftp(Error::InvalidInput(e)))?;
        }
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_connect(&mut self.store, host, port, &options);
        flatten(r).map(SessionHandle)
    }

    pub fn welcome(&mut self, s: SessionHandle) -> CallResult<Reply> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_welcome(&mut self.store, s.0);
        r.map_err(Failure::Trap)
    }

    pub fn security(&mut self, s: SessionHandle) -> CallResult<Security> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_security(&mut self.store, s.0);
        r.map_err(Failure::Trap)
    }

    pub fn login(&mut self, s: SessionHandle, user: Option<&str>, password: Option<&str>) -> CallResult<Reply> {
        self.login_with_account(s, user, password, None)
    }

    /// Login with ACCT information for servers that ask (332).
    pub fn login_with_account(
        &mut self,
        s: SessionHandle,
        user: Option<&str>,
        password: Option<&str>,
        account: Option<&str>,
    ) -> CallResult<Reply> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_login(&mut self.store, s.0, user, password, account);
        flatten(r)
    }

    session_call!(command => call_command(line: &str) -> Reply);
    session_call!(noop => call_noop() -> Reply);
    session_call!(quit => call_quit() -> Reply);
    session_call!(cwd => call_cwd(path: &str) -> Reply);
    session_call!(cdup => call_cdup() -> Reply);
    session_call!(pwd => call_pwd() -> String);
    session_call!(mkd => call_mkd(path: &str) -> String);
    session_call!(rmd => call_rmd(path: &str) -> Reply);
    session_call!(delete => call_delete(path: &str) -> Reply);
    session_call!(rename => call_rename(from: &str, to: &str) -> Reply);
    session_call!(size => call_size(path: &str) -> u64);
    session_call!(nlst => call_nlst(path: Option<&str>) -> Vec<String>);
    session_call!(set_transfer_type => call_set_transfer_type(kind: TransferType) -> Reply);
    session_call!(features => call_features() -> Vec<Feature>);
    session_call!(system => call_system() -> String);
    session_call!(status => call_status(path: Option<&str>) -> Reply);
    session_call!(help => call_help(topic: Option<&str>) -> Reply);
    session_call!(site => call_site(arguments: &str) -> Reply);
    session_call!(account => call_account(info: &str) -> Reply);
    session_call!(reinitialize => call_reinitialize() -> Reply);
    session_call!(modified_time => call_modified_time(path: &str) -> Timestamp);
    session_call!(set_modified_time => call_set_modified_time(path: &str, time: Timestamp) -> Reply);
    session_call!(list => call_list(path: Option<&str>) -> Vec<Entry>);
    session_call!(set_data_protection => call_set_data_protection(private: bool) -> Reply);
    session_call!(clear_command_channel => call_clear_command_channel() -> Reply);
    session_call!(relay_listen => call_relay_listen() -> Endpoint);
    session_call!(hash => call_hash(path: &str, algorithm: Option<HashAlgorithm>) -> FileHash);
    session_call!(mlsd => call_mlsd(path: Option<&str>, facts: &[String]) -> Vec<Entry>);
    session_call!(stat_entry => call_stat_entry(path: &str) -> Entry);
    session_call!(walk => call_walk(path: &str) -> WalkResult);
    session_call!(make_dirs => call_make_dirs(path: &str) -> ());
    session_call!(remove_tree => call_remove_tree(path: &str) -> ());

    pub fn retrieve(&mut self, s: SessionHandle, path: &str, offset: u64) -> CallResult<RetrieveHandle> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_retrieve(&mut self.store, s.0, path, offset);
        flatten(r).map(RetrieveHandle)
    }

    pub fn open_listing(&mut self, s: SessionHandle, path: Option<&str>) -> CallResult<ListingHandle> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_open_listing(&mut self.store, s.0, path);
        flatten(r).map(ListingHandle)
    }

    pub fn next_batch(&mut self, l: ListingHandle, max: u32) -> CallResult<Option<Vec<Entry>>> {
        let r = self
            .bindings
            .ftp_client_client()
            .listing()
            .call_next_batch(&mut self.store, l.0, max);
        flatten(r)
    }

    pub fn set_trace(&mut self, s: SessionHandle, on: bool) -> CallResult<()> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_set_trace(&mut self.store, s.0, on);
        r.map_err(Failure::Trap)
    }

    pub fn take_trace(&mut self, s: SessionHandle) -> CallResult<Vec<String>> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_take_trace(&mut self.store, s.0);
        r.map_err(Failure::Trap)
    }

    pub fn store_at(&mut self, s: SessionHandle, path: &str, offset: u64) -> CallResult<StoreHandle> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_store_at(&mut self.store, s.0, path, offset);
        flatten(r).map(StoreHandle)
    }

    pub fn store(&mut self, s: SessionHandle, path: &str, mode: StoreMode) -> CallResult<StoreHandle> {
        let r = self
            .bindings
            .ftp_client_client()
            .session()
            .call_store(&mut self.store, s.0, path, mode);
        flatten(r).map(StoreHandle)
    }

    pub fn read(&mut self, t: RetrieveHandle, max: u32) -> CallResult<Option<Vec<u8>>> {
        let r = self
            .bindings
            .ftp_client_client()
            .retrieve()
            .call_read(&mut self.store, t.0, max);
        flatten(r)
    }

    /// Takes over a download's data connection (see `crate::streams`).
    pub fn data_in(&mut self, t: RetrieveHandle) -> CallResult<DataIn> {
        let r = self
            .bindings
            .ftp_client_client()
            .retrieve()
            .call_data_stream(&mut self.store, t.0);
        flatten(r).map(|stream| DataIn(stream, t))
    }

    /// Reports bytes read from a handed-over download's stream; how long
    /// the next wait may last, in milliseconds.
    pub fn progress_retrieve(&mut self, t: RetrieveHandle, bytes: u64) -> CallResult<u32> {
        let r = self
            .bindings
            .ftp_client_client()
            .retrieve()
            .call_progress(&mut self.store, t.0, bytes);
        flatten(r)
    }

    pub fn finish_retrieve(&mut self, t: RetrieveHandle) -> CallResult<Reply> {
        let r = self
            .bindings
            .ftp_client_client()
            .retrieve()
            .call_finish(&mut self.store, t.0);
        flatten(r)
    }

    pub fn abort_retrieve(&mut self, t: RetrieveHandle) -> CallResult<()> {
        let r = self
            .bindings
            .ftp_client_client()
            .retrieve()
            .call_abort(&mut self.store, t.0);
        flatten(r)
    }

    pub fn write(&mut self, t: StoreHandle, data: &[u8]) -> CallResult<()> {
        let r = self
            .bindings
            .ftp_client_client()
            .store()
            .call_write(&mut self.store, t.0, data);
        flatten(r)
    }

    pub fn unique_name(&mut self, t: StoreHandle) -> CallResult<Option<String>> {
        let r = self
            .bindings
            .ftp_client_client()
            .store()
            .call_unique_name(&mut self.store, t.0);
        r.map_err(Failure::Trap)
    }

    /// Takes over an upload's data connection (see `crate::streams`).
    pub fn data_out(&mut self, t: StoreHandle) -> CallResult<DataOut> {
        let r = self
            .bindings
            .ftp_client_client()
            .store()
            .call_data_stream(&mut self.store, t.0);
        flatten(r).map(DataOut)
    }

    pub fn finish_store(&mut self, t: StoreHandle) -> CallResult<Reply> {
        let r = self
            .bindings
            .ftp_client_client()
            .store()
            .call_finish(&mut self.store, t.0);
        flatten(r)
    }

    pub fn abort_store(&mut self, t: StoreHandle) -> CallResult<()> {
        let r = self
            .bindings
            .ftp_client_client()
            .store()
            .call_abort(&mut self.store, t.0);
        flatten(r)
    }

    /// Drops a resource handle, running the guest's destructor.
    pub fn drop_resource(&mut self, handle: impl Into<ResourceAny>) -> CallResult<()> {
        handle.into().resource_drop(&mut self.store).map_err(Failure::Trap)
    }

    /// Downloads a whole file into memory, `chunk` bytes per read.
    pub fn get(&mut self, s: SessionHandle, path: &str, offset: u64, chunk: u32) -> CallResult<Vec<u8>> {
        let t = self.retrieve(s, path, offset)?;
        let mut out = Vec::new();
        while let Some(bytes) = self.read(t, chunk)? {
            out.extend_from_slice(&bytes);
        }
        self.finish_retrieve(t)?;
        self.drop_resource(t)?;
        Ok(out)
    }

    /// Uploads `data`, `chunk` bytes per write.
    pub fn put(
        &mut self,
        s: SessionHandle,
        path: &str,
        mode: StoreMode,
        data: &[u8],
        chunk: usize,
    ) -> CallResult<Reply> {
        let t = self.store(s, path, mode)?;
        for part in data.chunks(chunk.max(1)) {
            self.write(t, part)?;
        }
        let reply = self.finish_store(t)?;
        self.drop_resource(t)?;
        Ok(reply)
    }
}

impl From<SessionHandle> for ResourceAny {
    fn from(h: SessionHandle) -> Self {
        h.0
    }
}
impl From<RetrieveHandle> for ResourceAny {
    fn from(h: RetrieveHandle) -> Self {
        h.0
    }
}
impl From<ListingHandle> for ResourceAny {
    fn from(h: ListingHandle) -> Self {
        h.0
    }
}

impl From<StoreHandle> for ResourceAny {
    fn from(h: StoreHandle) -> Self {
        h.0
    }
}
