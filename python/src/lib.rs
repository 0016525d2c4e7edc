//! `ftp_client._native`: `ftp-host` for Python. The component runs inside
//! this module under wasmtime, each session granted its one server; every
//! call that waits on the network releases the GIL. The Python package
//! (`ftp_client`) wraps these in file-like objects and an asyncio API.

mod convert;
mod error;
mod jobs;
mod session;
mod transfers;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("FtpError", m.py().get_type::<error::FtpError>())?;
    m.add_class::<session::Session>()?;
    m.add_class::<session::Reply>()?;
    m.add_class::<convert::Entry>()?;
    m.add_class::<transfers::Download>()?;
    m.add_class::<transfers::Upload>()?;
    m.add_class::<transfers::Listing>()?;
    m.add_class::<jobs::Pool>()?;
    m.add_class::<jobs::Cancel>()?;
    m.add_class::<jobs::RateLimit>()?;
    Ok(())
}
