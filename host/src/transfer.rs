//! What a download and an upload share: the transfer resource, and the data
//! connection's stream when the component hands it over.

use crate::bindings;
use crate::session::flatten;
use crate::state::HostState;
use crate::streams::{self, DataStream};
use crate::{Error, Result};
use wasmtime::component::{Resource, ResourceAny};
use wasmtime::Store;

/// The resources of one open transfer.
pub(crate) struct Transfer<S: DataStream> {
    /// `None` once finished or aborted.
    handle: Option<ResourceAny>,
    /// The data connection's stream, when the component handed it over.
    pub stream: Option<Resource<S>>,
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
        })
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

    /// Drops the transfer resource; the component aborts it if unfinished.
    pub fn release(&mut self, store: &mut Store<HostState>) {
        self.close_stream(store);
        if let Some(handle) = self.handle.take() {
            let _ = handle.resource_drop(store);
        }
    }
}
