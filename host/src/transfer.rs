//! What a download and an upload share: the transfer resource, and the data
//! connection's stream when the component hands it over.

use crate::bindings;
use crate::error::flatten;
use crate::state::HostState;
use crate::streams::{self, DataStream};
use crate::{Error, Result};
use std::time::Duration;
use wasmtime::component::{Resource, ResourceAny};
use wasmtime::Store;

/// The resources of one open transfer.
pub(crate) struct Transfer<S: DataStream> {
    /// `None` once finished or aborted.
    handle: Option<ResourceAny>,
    /// The data connection's stream, when the component handed it over.
    pub stream: Option<Resource<S>>,
    /// How long the next wait on `stream` may last, as the component said.
    pub wait: Duration,
}

impl<S: DataStream> Transfer<S> {
    /// Takes the data connection's stream over where the component allows
    /// it (binary, no TLS), else leaves the data to go through the component.
    pub fn start(
        store: &mut Store<HostState>,
        handle: ResourceAny,
        data_stream: impl FnOnce(&mut Store<HostState>) -> wasmtime::Result<Result<Resource<S>, bindings::Error>>,
    ) -> Result<Self> {
        let stream = match flatten(data_stream(store)) {
            Ok(stream) => Some(stream),
            Err(Error::InvalidInput(_)) => None,
            Err(e) => {
                let _ = handle.resource_drop(store);
                return Err(e);
            }
        };
        Ok(Self {
            handle: Some(handle),
            stream,
            wait: Duration::ZERO,
        })
    }

    /// One that is over: no handle, no stream.
    pub fn ended() -> Self {
        Self {
            handle: None,
            stream: None,
            wait: Duration::ZERO,
        }
    }

    /// Tells the component what moved on the handed-over stream through
    /// `progress` (the transfer's `progress` call), which checks its limits
    /// and says how long the next wait may last.
    pub fn report(
        &mut self,
        store: &mut Store<HostState>,
        progress: impl FnOnce(&mut Store<HostState>, ResourceAny) -> wasmtime::Result<Result<u32, bindings::Error>>,
    ) -> Result<()> {
        let handle = self.handle()?;
        let ms = flatten(progress(store, handle))?;
        self.wait = Duration::from_millis(u64::from(ms));
        Ok(())
    }

    pub fn handle(&self) -> Result<ResourceAny> {
        self.handle
            .ok_or_else(|| Error::InvalidInput("the transfer is finished".into()))
    }

    /// Drops the handed-over stream, which must go before the transfer.
    pub fn close_stream(&mut self, store: &mut Store<HostState>) {
        if let Some(stream) = self.stream.take() {
            let _ = streams::close(store.data_mut().table(), stream);
        }
    }

    /// Ends the transfer with `call` (finish or abort), then drops it.
    pub fn end<T>(
        &mut self,
        store: &mut Store<HostState>,
        call: impl FnOnce(&mut Store<HostState>, ResourceAny) -> wasmtime::Result<Result<T, bindings::Error>>,
    ) -> Result<T> {
        self.close_stream(store);
        let handle = self.handle()?;
        let done = flatten(call(store, handle));
        self.release(store);
        done
    }

    /// The handed-over stream failed under the caller with `e`: the transfer
    /// is aborted (the component reads the server's account of it), and a
    /// server going away says why in a 421, which is then the error
    /// reported, its code and text.
    pub fn failed(
        &mut self,
        store: &mut Store<HostState>,
        abort: impl FnOnce(&mut Store<HostState>, ResourceAny) -> wasmtime::Result<Result<(), bindings::Error>>,
        e: Error,
    ) -> Error {
        match self.end(store, abort) {
            Err(closing) if closing.reply().is_some_and(|r| r.code == 421) => closing,
            _ => e,
        }
    }

    /// Drops the transfer resource; the component aborts it if unfinished.
    pub fn release(&mut self, store: &mut Store<HostState>) {
        self.close_stream(store);
        if let Some(handle) = self.handle.take() {
            let _ = handle.resource_drop(store);
        }
    }
}
