//! Host-side I/O on the data streams the component hands over
//! (`retrieve.data-stream`, `store.data-stream`): file data is read and
//! written here, natively, never passing through the component's memory.

use crate::{Error, Result};
use bytes::Bytes;
use std::time::Duration;
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
    /// Nothing to stop: a finished upload was flushed before this, and a
    /// given-up one must not wait for its pending write (against a server
    /// that stopped reading, forever). Cancelling would also close a TLS
    /// stream of the host's without its close_notify, which the component
    /// still has to send.
    fn stop(&mut self) {}
}

/// A failure of the network under a stream is the network's, not a bug.
fn stream_error(e: StreamError) -> Error {
    match e {
        StreamError::Closed => Error::Network("the server closed the data connection".into()),
        StreamError::LastOperationFailed(e) => Error::Network(format!("{e:#}")),
        StreamError::Trap(e) => Error::Runtime(e),
    }
}

/// The end of one wait on a stream: what it gave, or that it ran out.
#[derive(Debug, PartialEq, Eq)]
pub enum Waited<T> {
    Ready(T),
    TimedOut,
}

/// Runs `f` on the runtime the streams live on, for at most `wait`.
fn within<F: std::future::Future + Send>(wait: Option<Duration>, f: F) -> Waited<F::Output>
where
    F::Output: Send,
{
    in_tokio(async move {
        match wait {
            Some(d) => tokio::time::timeout(d, f).await.map_or(Waited::TimedOut, Waited::Ready),
            None => Waited::Ready(f.await),
        }
    })
}

fn get<'t, S: DataStream>(table: &'t mut ResourceTable, stream: &Resource<S>) -> Result<&'t mut S> {
    table.get_mut(stream).map_err(|e| Error::Runtime(e.into()))
}

/// The next chunk (at most `max` bytes, waiting up to `wait` for one), or
/// `None` at the end of the data. A wait that runs out consumes nothing.
pub fn read_within(
    table: &mut ResourceTable,
    stream: &Resource<DynInputStream>,
    max: usize,
    wait: Option<Duration>,
) -> Result<Waited<Option<Bytes>>> {
    let stream = get(table, stream)?;
    // What has already arrived is taken without waiting: a wait costs a
    // hand-off between threads (the reactor's and ours), and wasmtime-wasi
    // reads at most 64 KiB at a time, so waiting before every read of a
    // fast download made one such hand-off per 64 KiB.
    match stream.read(max) {
        Ok(bytes) if !bytes.is_empty() => return Ok(Waited::Ready(Some(bytes))),
        Ok(_) => {}
        Err(StreamError::Closed) => return Ok(Waited::Ready(None)),
        Err(e) => return Err(stream_error(e)),
    }
    match within(wait, stream.blocking_read(max)) {
        Waited::Ready(Ok(bytes)) => Ok(Waited::Ready(Some(bytes))),
        Waited::Ready(Err(StreamError::Closed)) => Ok(Waited::Ready(None)),
        Waited::Ready(Err(e)) => Err(stream_error(e)),
        Waited::TimedOut => Ok(Waited::TimedOut),
    }
}

/// The next chunk, waiting as long as it takes.
pub fn read(table: &mut ResourceTable, stream: &Resource<DynInputStream>, max: usize) -> Result<Option<Bytes>> {
    match read_within(table, stream, max, None)? {
        Waited::Ready(chunk) => Ok(chunk),
        Waited::TimedOut => unreachable!("no deadline was set"),
    }
}

/// Writes the front of `bytes`, as much as the network takes once it takes
/// anything (waiting up to `wait`), and returns how much. A wait that runs
/// out writes nothing.
pub fn write_within(
    table: &mut ResourceTable,
    stream: &Resource<DynOutputStream>,
    bytes: &mut Bytes,
    wait: Option<Duration>,
) -> Result<Waited<usize>> {
    let stream = get(table, stream)?;
    let permit = match within(wait, stream.write_ready()) {
        Waited::Ready(permit) => permit.map_err(stream_error)?,
        Waited::TimedOut => return Ok(Waited::TimedOut),
    };
    let chunk = bytes.split_to(permit.min(bytes.len()));
    let n = chunk.len();
    stream.write(chunk).map_err(stream_error)?;
    Ok(Waited::Ready(n))
}

/// Waits (up to `wait`) until everything written has gone to the network.
pub fn flush_within(
    table: &mut ResourceTable,
    stream: &Resource<DynOutputStream>,
    wait: Option<Duration>,
) -> Result<Waited<()>> {
    let stream = get(table, stream)?;
    stream.flush().map_err(stream_error)?;
    match within(wait, stream.write_ready()) {
        Waited::Ready(ready) => ready.map(|_| Waited::Ready(())).map_err(stream_error),
        Waited::TimedOut => Ok(Waited::TimedOut),
    }
}

/// Sends `bytes`, waiting as long as it takes for the network to take them.
pub fn write(table: &mut ResourceTable, stream: &Resource<DynOutputStream>, mut bytes: Bytes) -> Result<()> {
    while !bytes.is_empty() {
        write_within(table, stream, &mut bytes, None)?;
    }
    flush_within(table, stream, None).map(drop)
}

/// Stops and drops a stream; the transfer it came from may then finish.
pub fn close<S: DataStream>(table: &mut ResourceTable, stream: Resource<S>) -> Result<()> {
    let mut stream = table.delete(stream).map_err(|e| Error::Runtime(e.into()))?;
    stream.stop();
    Ok(())
}
