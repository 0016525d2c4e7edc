//! Typed calls into one component instance. Every call returns either the
//! guest's answer or a `Failure`: the guest's typed error, or a trap (which a
//! correct guest never causes, whatever the server sends).

use crate::streams::{DataIn, DataOut};
use crate::{NetworkPolicy, Runtime};
use ftp_host::raw::exports::wftp::client::client::Guest as Calls;
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
        keep_alive_ms: None,
        proxy: None,
    }
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

    /// The one way every typed call below is made: `f` calls into the
    /// instance, and its `result<_, error>` becomes a `CallResult`.
    fn call<T>(
        &mut self,
        f: impl FnOnce(&Calls, &mut Store<HostState>) -> wasmtime::Result<Result<T, Error>>,
    ) -> CallResult<T> {
        flatten(f(self.bindings.wftp_client_client(), &mut self.store))
    }

    /// `call` for the WIT functions that return a plain value: only a trap
    /// can fail them.
    fn call_plain<T>(&mut self, f: impl FnOnce(&Calls, &mut Store<HostState>) -> wasmtime::Result<T>) -> CallResult<T> {
        f(self.bindings.wftp_client_client(), &mut self.store).map_err(Failure::Trap)
    }

    /// Connects; with a component that leaves TLS to the host, the CA
    /// bundle and a client certificate go to the host's TLS instead (as
    /// `ftp-host` does), so one test serves both builds.
    pub fn connect(&mut self, host: &str, port: u16, options: &ConnectOptions) -> CallResult<SessionHandle> {
        let mut options = options.clone();
        if let Some(tls) = options.tls.as_mut().filter(|_| self.host_tls) {
            let pem = tls.ca_bundle.take();
            let identity = tls.client_identity.take().map(|i| ftp_host::ClientIdentity {
                certificate_chain_pem: i.certificate_chain,
                private_key_pem: i.private_key,
            });
            self.store
                .data_mut()
                .configure_tls(pem.as_deref(), tls.version, identity.as_ref())
                .map_err(|e| Failure::Ftp(Error::InvalidInput(e)))?;
        }
        self.call(|c, st| c.session().call_connect(st, host, port, &options))
            .map(SessionHandle)
    }

    pub fn login(&mut self, s: SessionHandle, user: Option<&str>, password: Option<&str>) -> CallResult<Reply> {
        self.login_with_account(s, user, password, None)
    }

    pub fn welcome(&mut self, s: SessionHandle) -> CallResult<Reply> {
        self.call_plain(|c, st| c.session().call_welcome(st, s.0))
    }

    pub fn security(&mut self, s: SessionHandle) -> CallResult<Security> {
        self.call_plain(|c, st| c.session().call_security(st, s.0))
    }

    /// Login with ACCT information for servers that ask (332).
    pub fn login_with_account(
        &mut self,
        s: SessionHandle,
        user: Option<&str>,
        password: Option<&str>,
        account: Option<&str>,
    ) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_login(st, s.0, user, password, account))
    }

    pub fn command(&mut self, s: SessionHandle, line: &str) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_command(st, s.0, line))
    }

    pub fn noop(&mut self, s: SessionHandle) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_noop(st, s.0))
    }

    pub fn quit(&mut self, s: SessionHandle) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_quit(st, s.0))
    }

    pub fn cwd(&mut self, s: SessionHandle, path: &str) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_cwd(st, s.0, path))
    }

    pub fn cdup(&mut self, s: SessionHandle) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_cdup(st, s.0))
    }

    pub fn pwd(&mut self, s: SessionHandle) -> CallResult<String> {
        self.call(|c, st| c.session().call_pwd(st, s.0))
    }

    pub fn mkd(&mut self, s: SessionHandle, path: &str) -> CallResult<String> {
        self.call(|c, st| c.session().call_mkd(st, s.0, path))
    }

    pub fn rmd(&mut self, s: SessionHandle, path: &str) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_rmd(st, s.0, path))
    }

    pub fn delete(&mut self, s: SessionHandle, path: &str) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_delete(st, s.0, path))
    }

    pub fn rename(&mut self, s: SessionHandle, from: &str, to: &str) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_rename(st, s.0, from, to))
    }

    pub fn size(&mut self, s: SessionHandle, path: &str) -> CallResult<u64> {
        self.call(|c, st| c.session().call_size(st, s.0, path))
    }

    pub fn nlst(&mut self, s: SessionHandle, path: Option<&str>) -> CallResult<Vec<String>> {
        self.call(|c, st| c.session().call_nlst(st, s.0, path))
    }

    pub fn set_transfer_type(&mut self, s: SessionHandle, kind: TransferType) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_set_transfer_type(st, s.0, kind))
    }

    pub fn features(&mut self, s: SessionHandle) -> CallResult<Vec<Feature>> {
        self.call(|c, st| c.session().call_features(st, s.0))
    }

    pub fn system(&mut self, s: SessionHandle) -> CallResult<String> {
        self.call(|c, st| c.session().call_system(st, s.0))
    }

    pub fn status(&mut self, s: SessionHandle, path: Option<&str>) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_status(st, s.0, path))
    }

    pub fn help(&mut self, s: SessionHandle, topic: Option<&str>) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_help(st, s.0, topic))
    }

    pub fn site(&mut self, s: SessionHandle, arguments: &str) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_site(st, s.0, arguments))
    }

    pub fn account(&mut self, s: SessionHandle, info: &str) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_account(st, s.0, info))
    }

    pub fn reinitialize(&mut self, s: SessionHandle) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_reinitialize(st, s.0))
    }

    pub fn modified_time(&mut self, s: SessionHandle, path: &str) -> CallResult<Timestamp> {
        self.call(|c, st| c.session().call_modified_time(st, s.0, path))
    }

    pub fn set_modified_time(&mut self, s: SessionHandle, path: &str, time: Timestamp) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_set_modified_time(st, s.0, path, time))
    }

    pub fn list(&mut self, s: SessionHandle, path: Option<&str>) -> CallResult<Vec<Entry>> {
        self.call(|c, st| c.session().call_list(st, s.0, path))
    }

    pub fn set_data_protection(&mut self, s: SessionHandle, private: bool) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_set_data_protection(st, s.0, private))
    }

    pub fn clear_command_channel(&mut self, s: SessionHandle) -> CallResult<Reply> {
        self.call(|c, st| c.session().call_clear_command_channel(st, s.0))
    }

    pub fn relay_listen(&mut self, s: SessionHandle) -> CallResult<Endpoint> {
        self.call(|c, st| c.session().call_relay_listen(st, s.0))
    }

    pub fn hash(&mut self, s: SessionHandle, path: &str, algorithm: Option<HashAlgorithm>) -> CallResult<FileHash> {
        self.call(|c, st| c.session().call_hash(st, s.0, path, algorithm))
    }

    pub fn mlsd(&mut self, s: SessionHandle, path: Option<&str>, facts: &[String]) -> CallResult<Vec<Entry>> {
        self.call(|c, st| c.session().call_mlsd(st, s.0, path, facts))
    }

    pub fn stat_entry(&mut self, s: SessionHandle, path: &str) -> CallResult<Entry> {
        self.call(|c, st| c.session().call_stat_entry(st, s.0, path))
    }

    pub fn walk(&mut self, s: SessionHandle, path: &str) -> CallResult<WalkResult> {
        self.call(|c, st| c.session().call_walk(st, s.0, path))
    }

    pub fn make_dirs(&mut self, s: SessionHandle, path: &str) -> CallResult<()> {
        self.call(|c, st| c.session().call_make_dirs(st, s.0, path))
    }

    pub fn remove_tree(&mut self, s: SessionHandle, path: &str) -> CallResult<()> {
        self.call(|c, st| c.session().call_remove_tree(st, s.0, path))
    }

    pub fn set_trace(&mut self, s: SessionHandle, on: bool) -> CallResult<()> {
        self.call_plain(|c, st| c.session().call_set_trace(st, s.0, on))
    }

    pub fn take_trace(&mut self, s: SessionHandle) -> CallResult<Vec<String>> {
        self.call_plain(|c, st| c.session().call_take_trace(st, s.0))
    }

    pub fn retrieve(&mut self, s: SessionHandle, path: &str, offset: u64) -> CallResult<RetrieveHandle> {
        self.call(|c, st| c.session().call_retrieve(st, s.0, path, offset))
            .map(RetrieveHandle)
    }

    pub fn store(&mut self, s: SessionHandle, path: &str, mode: StoreMode) -> CallResult<StoreHandle> {
        self.call(|c, st| c.session().call_store(st, s.0, path, mode))
            .map(StoreHandle)
    }

    pub fn store_at(&mut self, s: SessionHandle, path: &str, offset: u64) -> CallResult<StoreHandle> {
        self.call(|c, st| c.session().call_store_at(st, s.0, path, offset))
            .map(StoreHandle)
    }

    pub fn open_listing(&mut self, s: SessionHandle, path: Option<&str>) -> CallResult<ListingHandle> {
        self.call(|c, st| c.session().call_open_listing(st, s.0, path))
            .map(ListingHandle)
    }

    pub fn next_batch(&mut self, l: ListingHandle, max: u32) -> CallResult<Option<Vec<Entry>>> {
        self.call(|c, st| c.listing().call_next_batch(st, l.0, max))
    }

    pub fn read(&mut self, t: RetrieveHandle, max: u32) -> CallResult<Option<Vec<u8>>> {
        self.call(|c, st| c.retrieve().call_read(st, t.0, max))
    }

    /// Takes over a download's data connection (see `crate::streams`).
    pub fn data_in(&mut self, t: RetrieveHandle) -> CallResult<DataIn> {
        self.call(|c, st| c.retrieve().call_data_stream(st, t.0))
            .map(|stream| DataIn(stream, t))
    }

    /// Reports bytes read from a handed-over download's stream; how long
    /// the next wait may last, in milliseconds.
    pub fn progress_retrieve(&mut self, t: RetrieveHandle, bytes: u64) -> CallResult<u32> {
        self.call(|c, st| c.retrieve().call_progress(st, t.0, bytes))
    }

    pub fn finish_retrieve(&mut self, t: RetrieveHandle) -> CallResult<Reply> {
        self.call(|c, st| c.retrieve().call_finish(st, t.0))
    }

    pub fn abort_retrieve(&mut self, t: RetrieveHandle) -> CallResult<()> {
        self.call(|c, st| c.retrieve().call_abort(st, t.0))
    }

    pub fn write(&mut self, t: StoreHandle, data: &[u8]) -> CallResult<()> {
        self.call(|c, st| c.store().call_write(st, t.0, data))
    }

    pub fn unique_name(&mut self, t: StoreHandle) -> CallResult<Option<String>> {
        self.call_plain(|c, st| c.store().call_unique_name(st, t.0))
    }

    /// Takes over an upload's data connection (see `crate::streams`).
    pub fn data_out(&mut self, t: StoreHandle) -> CallResult<DataOut> {
        self.call(|c, st| c.store().call_data_stream(st, t.0)).map(DataOut)
    }

    pub fn finish_store(&mut self, t: StoreHandle) -> CallResult<Reply> {
        self.call(|c, st| c.store().call_finish(st, t.0))
    }

    pub fn abort_store(&mut self, t: StoreHandle) -> CallResult<()> {
        self.call(|c, st| c.store().call_abort(st, t.0))
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
