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

/// The ftp-client component this crate was built with.
pub const COMPONENT: &[u8] = include_bytes!(env!("FTP_CLIENT_COMPONENT"));

/// The compiled component. Cheap to clone; sessions opened from it each get
/// a fresh instance (tens of microseconds) with its own network grant.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Loaded>,
}

struct Loaded {
    engine: Engine,
    pre: FtpClientComponentPre<HostState>,
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
        let pre = linker
            .instantiate_pre(&component)
            .and_then(FtpClientComponentPre::new)
            .map_err(Error::Load)?;
        Ok(Client {
            inner: Arc::new(Loaded { engine, pre }),
        })
    }
}

/// Guest linear memory allowed per session unless the options say otherwise.
pub const DEFAULT_MEMORY_LIMIT: usize = 256 << 20;

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
        let mut store = Store::new(&self.inner.engine, HostState::new(policy, memory_limit));
        store.limiter(|s| s.limiter());
        let bindings = self.inner.pre.instantiate(&mut store)?;
        Ok((store, bindings))
    }
}
