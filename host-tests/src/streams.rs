//! Data streams the guest hands over (`retrieve.data-stream`,
//! `store.data-stream`), read and written through `ftp-host`'s host-side
//! stream I/O, as typed calls on the harness client.

use crate::client::{CallResult, Client, Failure, RetrieveHandle};
use bytes::Bytes;
use ftp_host::raw::streams;
use wasmtime::component::Resource;
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream};

/// A download's data connection, read by the host, and its transfer.
#[derive(Debug)]
pub struct DataIn(pub(crate) Resource<DynInputStream>, pub(crate) RetrieveHandle);

/// An upload's data connection, written by the host.
#[derive(Debug)]
pub struct DataOut(pub(crate) Resource<DynOutputStream>);

/// A network failure under a stream is the guest's `io` error, as it would
/// be had the guest read the socket itself; anything else is a host bug.
fn failure(e: ftp_host::Error) -> Failure {
    match e {
        ftp_host::Error::Network(m) => Failure::Ftp(ftp_host::raw::Error::Io(m)),
        ftp_host::Error::Runtime(e) => Failure::Trap(e),
        other => Failure::Trap(wasmtime::format_err!("data stream: {other}")),
    }
}

impl Client {
    /// The next chunk (at most `max` bytes, waiting for one), or `None` at
    /// the end of the data; each chunk is reported to the transfer, which
    /// holds it to the announced size.
    pub fn read_data(&mut self, data: &DataIn, max: usize) -> CallResult<Option<Bytes>> {
        let chunk = streams::read(self.table(), &data.0, max).map_err(failure)?;
        if let Some(bytes) = &chunk {
            self.progress_retrieve(data.1, bytes.len() as u64)?;
        }
        Ok(chunk)
    }

    /// Sends `bytes`, waiting until the network has taken them.
    pub fn write_data(&mut self, data: &DataOut, bytes: Bytes) -> CallResult<()> {
        streams::write(self.table(), &data.0, bytes).map_err(failure)
    }

    /// Drops a download's stream: the guest may then `finish` it.
    pub fn close_data_in(&mut self, data: DataIn) -> CallResult<()> {
        streams::close(self.table(), data.0).map_err(failure)
    }

    /// Drops an upload's stream once its last write is on the wire.
    pub fn close_data_out(&mut self, data: DataOut) -> CallResult<()> {
        streams::close(self.table(), data.0).map_err(failure)
    }
}
