//! The component, compiled once and ready to instantiate: one `Client` per
//! process serves any number of sessions, each in its own instance.

use crate::bindings::{FtpClientComponent, FtpClientComponentPre};
use crate::options::IntoOptions;
use crate::policy::NetworkPolicy;
use crate::state::HostState;
use crate::{cache, Error, Result, Session};
use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// The ftp-client component `Client::new` runs: the build that imports
/// `wasi:tls`, so FTPS is done by this process's rustls, natively.
pub const COMPONENT: &[u8] = include_bytes!(env!("FTP_CLIENT_HOST_TLS_COMPONENT"));

/// The self-contained build (rustls inside the component), for hosts
/// without `wasi:tls` (jco on Node, wasmtime-py) and for comparison.
pub const SELF_CONTAINED_COMPONENT: &[u8] = include_bytes!(env!("FTP_CLIENT_COMPONENT"));

/// The compiled component. Cheap to clone; sessions opened from it each get
/// a fresh instance (tens of microseconds) with its own network grant.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Loaded>,
}

struct Loaded {
    engine: Engine,
    pre: FtpClientComponentPre<HostState>,
    /// The component imports wasi:tls: TLS is the host's (trust included).
    host_tls: bool,
}

/// Whether `component` imports wasi:tls (the `host-tls` build).
fn imports_wasi_tls(engine: &Engine, component: &Component) -> bool {
    component
        .component_type()
        .imports(engine)
        .any(|(name, _)| name.starts_with("wasi:tls/"))
}

/// Where the component comes from and where its compiled code is cached.
pub struct ClientBuilder {
    wasm: Option<Vec<u8>>,
    cache_dir: Option<PathBuf>,
}

impl ClientBuilder {
    /// Runs another build of the component instead of the embedded one.
    pub fn component(mut self, wasm: Vec<u8>) -> Self {
        self.wasm = Some(wasm);
        self
    }

    /// Keeps compiled code in `dir` (default: `ftp-host` in the user's cache
    /// directory).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Compiles the component every time instead of caching it on disk.
    pub fn no_cache(mut self) -> Self {
        self.cache_dir = None;
        self
    }

    pub fn build(self) -> Result<Client> {
        let wasm = self.wasm.as_deref().unwrap_or(COMPONENT);
        let engine = Engine::default();
        let component = cache::load(&engine, wasm, self.cache_dir.as_deref()).map_err(Error::Load)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(Error::Load)?;
        let mut tls = wasmtime_wasi_tls::p2::LinkOptions::default();
        tls.tls(true);
        wasmtime_wasi_tls::p2::add_to_linker(&mut linker, &tls).map_err(Error::Load)?;
        let host_tls = imports_wasi_tls(&engine, &component);
        let pre = linker
            .instantiate_pre(&component)
            .and_then(FtpClientComponentPre::new)
            .map_err(Error::Load)?;
        Ok(Client {
            inner: Arc::new(Loaded { engine, pre, host_tls }),
        })
    }
}

impl Client {
    /// The embedded component, from the on-disk cache when it is there.
    pub fn new() -> Result<Self> {
        Self::builder().build()
    }

    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            wasm: None,
            cache_dir: cache::default_dir(),
        }
    }

    /// Connects and logs in: `client.connect("ftp://user:pass@host/")`, or
    /// with [`Options`](crate::Options) for TLS, deadlines and the rest.
    pub fn connect(&self, options: impl IntoOptions) -> Result<Session> {
        Session::open(self, &options.into_options()?)
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Whether the component leaves TLS to this host (it imports
    /// `wasi:tls`); then the host, not the component, decides trust.
    pub fn host_tls(&self) -> bool {
        self.inner.host_tls
    }

    /// The compiled component, for inspecting its type.
    pub fn component(&self) -> &Component {
        self.inner.pre.instance_pre().component()
    }

    /// A fresh instance in its own store, reaching only what `policy`
    /// allows: the raw WIT interface, for callers that want it.
    pub fn instantiate(
        &self,
        policy: &NetworkPolicy,
        memory_limit: usize,
    ) -> wasmtime::Result<(Store<HostState>, FtpClientComponent)> {
        let state = HostState::new(policy, memory_limit).map_err(wasmtime::Error::msg)?;
        let mut store = Store::new(&self.inner.engine, state);
        store.limiter(|s| s.limiter());
        let bindings = self.inner.pre.instantiate(&mut store)?;
        Ok((store, bindings))
    }
}
