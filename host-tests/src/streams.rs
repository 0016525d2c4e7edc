//! Data streams the guest hands over (`retrieve.data-stream`,
//! `store.data-stream`): the host reads and writes them natively, so file
//! data never passes through the component's memory.

use crate::client::{CallResult, Client, Failure};
use bytes::Bytes;
use wasmtime::component::Resource;
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, StreamError};
use wasmtime_wasi::runtime::in_tokio;

/// A download's data connection, read by the host.
#[derive(Debug)]
pub struct DataIn(pub(crate) Resource<DynInputStream>);

/// An upload's data connection, written by the host.
#[derive(Debug)]
pub struct DataOut(pub(crate) Resource<DynOutputStream>);

fn stream_failure(e: StreamError) -> Failure {
    Failure::Trap(wasmtime::format_err!("data stream: {e}"))
}

impl Client {
    /// The next chunk (at most `max` bytes, waiting for one), or `None` at
    /// the end of the data.
    pub fn read_data(&mut self, data: &DataIn, max: usize) -> CallResult<Option<Bytes>> {
        let stream = self.table().get_mut(&data.0).map_err(|e| Failure::Trap(e.into()))?;
        match in_tokio(stream.blocking_read(max)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(StreamError::Closed) => Ok(None),
            Err(e) => Err(stream_failure(e)),
        }
    }

    /// Sends `bytes`, waiting until the network has taken them.
    pub fn write_data(&mut self, data: &DataOut, bytes: Bytes) -> CallResult<()> {
        let stream = self.table().get_mut(&data.0).map_err(|e| Failure::Trap(e.into()))?;
        in_tokio(stream.blocking_write_and_flush(bytes)).map_err(stream_failure)
    }

    /// Drops a download's stream: the guest may then `finish` it.
    pub fn close_data_in(&mut self, data: DataIn) -> CallResult<()> {
        let mut stream = self.table().delete(data.0).map_err(|e| Failure::Trap(e.into()))?;
        in_tokio(stream.cancel());
        Ok(())
    }

    /// Drops an upload's stream once its last write is on the wire.
    pub fn close_data_out(&mut self, data: DataOut) -> CallResult<()> {
        let mut stream = self.table().delete(data.0).map_err(|e| Failure::Trap(e.into()))?;
        in_tokio(stream.cancel());
        Ok(())
    }
}
