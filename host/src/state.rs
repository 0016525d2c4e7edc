//! What each instance's store holds: its WASI context (with the network
//! grant), its TLS context (for a component that imports wasi:tls), the
//! resource table where handed-over data streams live, and the memory limit.

use crate::bindings::TlsVersion;
use crate::policy::NetworkPolicy;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_tls::{WasiTlsCtx, WasiTlsCtxView, WasiTlsView};

/// Per-store state of one component instance.
pub struct HostState {
    ctx: WasiCtx,
    tls: WasiTlsCtx,
    table: ResourceTable,
    limits: MeteredLimits,
}

/// The store's limits, recording the largest linear memory the guest grew to.
struct MeteredLimits {
    inner: StoreLimits,
    peak_memory: usize,
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
    /// TCP only, to the addresses `policy` allows; no files, no environment.
    pub(crate) fn new(policy: &NetworkPolicy, memory_limit: usize) -> Result<Self, String> {
        let mut builder = WasiCtxBuilder::new();
        builder
            .allow_tcp(true)
            .allow_udp(false)
            .allow_ip_name_lookup(policy.name_lookup());
        builder.socket_addr_check(policy.clone().into_check());
        Ok(Self {
            ctx: builder.build(),
            tls: crate::tls::context(None, None, None)?,
            table: ResourceTable::new(),
            limits: MeteredLimits {
                inner: StoreLimitsBuilder::new()
                    .memory_size(memory_limit)
                    // A refused growth is an allocation failure the guest
                    // reports as a typed error, not a trap.
                    .trap_on_grow_failure(false)
                    .build(),
                peak_memory: 0,
            },
        })
    }

    /// The resources the guest shares with the host, such as data streams.
    pub fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    /// Sets up the TLS connections the host makes for the component from
    /// now on: trusting the certificates in `ca_pem` (PEM) instead of the
    /// bundled web roots, in `version` (`None`: TLS 1.2 until a handshake
    /// fails for want of it, then 1.3, as the component's retry expects),
    /// presenting `identity` to a server that asks for a client certificate.
    pub fn configure_tls(
        &mut self,
        ca_pem: Option<&str>,
        version: Option<TlsVersion>,
        identity: Option<&crate::ClientIdentity>,
    ) -> Result<(), String> {
        self.tls = crate::tls::context(ca_pem, version, identity)?;
        Ok(())
    }

    /// The largest linear memory the guest has grown to, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.limits.peak_memory
    }

    pub(crate) fn limiter(&mut self) -> &mut dyn ResourceLimiter {
        &mut self.limits
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

impl WasiTlsView for HostState {
    fn tls(&mut self) -> WasiTlsCtxView<'_> {
        WasiTlsCtxView {
            ctx: &mut self.tls,
            table: &mut self.table,
        }
    }
}
