//! Host-side I/O on the data streams the component hands over
//! (`retrieve.data-stream`, `store.data-stream`): file data is read and
//! written here, natively, never passing through the component's memory.

use crate::{Error, Result};
use bytes::Bytes;
use wasmtime::component::{Resource, ResourceTable};
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, StreamError};
use wasmtime_wasi::runtime::in_tokio;

/// A handed-over stream, which must be stopped before it is dropped.
pub trait DataStream: Send + 'static {
    fn stop(&mut self);
}

impl DataStream for DynInputStream {
    fn stop(&mut self) {
        in_tokio(self.cancel());
    }
}

impl DataStream for DynOutputStream {
    fn stop(&mut self) {
        in_tokio(self.cancel());
    }
}

/// A failure of the network under a stream is the network's, not a bug.
fn stream_error(e: StreamError) -> Error {
    match e {
        StreamError::Closed => Error::Network("the server closed the data connection".into()),
        StreamError::LastOperationFailed(e) => Error::Network(format!("{e:#}")),
        StreamError::Trap(e) => Error::Runtime(e),
    }
}

/// The next chunk (at most `max` bytes, waiting for one), or `None` at the
/// end of the data.
pub fn read(table: &mut ResourceTable, stream: &Resource<DynInputStream>, max: usize) -> Result<Option<Bytes>> {
    let stream = table.get_mut(stream).map_err(|e| Error::Runtime(e.into()))?;
    match in_tokio(stream.blocking_read(max)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(StreamError::Closed) => Ok(None),
        Err(e) => Err(stream_error(e)),
    }
}

/// Sends `bytes`, waiting until the network has taken them.
pub fn write(table: &mut ResourceTable, stream: &Resource<DynOutputStream>, bytes: Bytes) -> Result<()> {
    let stream = table.get_mut(stream).map_err(|e| Error::Runtime(e.into()))?;
    in_tokio(stream.blocking_write_and_flush(bytes)).map_err(stream_error)
}

/// Stops and drops a stream; the transfer it came from may then finish.
pub fn close<S: DataStream>(table: &mut ResourceTable, stream: Resource<S>) -> Result<()> {
    let mut stream = table.delete(stream).map_err(|e| Error::Runtime(e.into()))?;
    stream.stop();
    Ok(())
}
