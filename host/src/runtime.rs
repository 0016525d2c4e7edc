//! Loading the component: compiled once per process, instantiated cheaply
//! per session from an `InstancePre`.

use crate::grant::Grant;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "ftp-client-component",
    // Data streams handed over by the guest are wasmtime-wasi's own.
    with: {
        "wasi:io": wasmtime_wasi::p2::bindings::io,
    },
    // wasmtime-wasi's stream types require it.
    require_store_data_send: true,
});

pub use exports::ftp::client::types::{
    ConnectOptions, Entry, EntryKind, Error, Feature, Reply, Security, StoreMode, Timestamp, TlsError, TlsOptions,
    TransferType,
};

/// Path of the component built by `build.rs`.
pub const COMPONENT_PATH: &str = env!("FTP_CLIENT_COMPONENT");

/// Per-store state: the WASI context with its network grant, and limits.
pub struct HostState {
    ctx: WasiCtx,
    table: ResourceTable,
    pub limits: MeteredLimits,
}

/// The store's limits, recording the largest linear memory the guest grew to.
pub struct MeteredLimits {
    inner: StoreLimits,
    pub peak_memory: usize,
}

impl ResourceLimiter for MeteredLimits {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if allowed {
            self.peak_memory = self.peak_memory.max(desired);
        }
        Ok(allowed)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }
}

impl HostState {
    /// The resources the guest shares with the host, such as data streams.
    pub fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// The compiled component, ready to instantiate.
pub struct Runtime {
    engine: Engine,
    pre: FtpClientComponentPre<HostState>,
}

/// Guest linear memory allowed per instance unless a test asks otherwise.
pub const DEFAULT_MEMORY_LIMIT: usize = 256 << 20;

impl Runtime {
    pub fn load() -> wasmtime::Result<Self> {
        Self::from_file(COMPONENT_PATH)
    }

    pub fn from_file(path: &str) -> wasmtime::Result<Self> {
        let engine = Engine::default();
        let component = Component::from_file(&engine, path)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        let pre = FtpClientComponentPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Self { engine, pre })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The interfaces the component imports, by name.
    pub fn imports(&self) -> Vec<String> {
        let ty = self.pre.instance_pre().component().component_type();
        ty.imports(&self.engine).map(|(name, _)| name.to_string()).collect()
    }

    /// The interfaces the component exports, by name.
    pub fn exports(&self) -> Vec<String> {
        let ty = self.pre.instance_pre().component().component_type();
        ty.exports(&self.engine).map(|(name, _)| name.to_string()).collect()
    }

    /// A fresh instance in its own store, reaching only what `grant` allows.
    pub fn instantiate(
        &self,
        grant: Grant,
        memory_limit: usize,
    ) -> wasmtime::Result<(Store<HostState>, FtpClientComponent)> {
        let mut builder = WasiCtxBuilder::new();
        builder
            .allow_tcp(true)
            .allow_udp(false)
            .allow_ip_name_lookup(grant.name_lookup);
        builder.socket_addr_check(grant.into_check());
        let state = HostState {
            ctx: builder.build(),
            table: ResourceTable::new(),
            limits: MeteredLimits {
                inner: StoreLimitsBuilder::new()
                    .memory_size(memory_limit)
                    .trap_on_grow_failure(false)
                    .build(),
                peak_memory: 0,
            },
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        let bindings = self.pre.instantiate(&mut store)?;
        Ok((store, bindings))
    }
}
