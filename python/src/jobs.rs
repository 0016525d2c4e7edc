//! `Pool`: sessions to one server for work over many files or one large
//! one, each call watched by a progress callable (called with an event
//! dict and the run's totals), stoppable by a `Cancel`, retried on
//! transient failures, and held to a `RateLimit` shared by every session.

use crate::convert::{self, Settings};
use crate::error::{misuse, OrRaise};
use crate::session::client;
use ftp_host::tree::{Mirror, Rules};
use ftp_host::{Event, Job, Observer, Start, Totals};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// A handle that stops a pool's work from any thread.
#[pyclass(module = "ftp_client._native", frozen)]
#[derive(Clone, Default)]
pub struct Cancel {
    pub inner: ftp_host::Cancel,
}

#[pymethods]
impl Cancel {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    fn cancel(&self) {
        self.inner.cancel();
    }

    #[getter]
    fn cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

/// Bytes a second for every transfer of the sessions given it, together;
/// `set` changes it while they run (`None` lifts it).
#[pyclass(module = "ftp_client._native", frozen)]
pub struct RateLimit {
    pub inner: ftp_host::RateLimit,
}

#[pymethods]
impl RateLimit {
    #[new]
    fn new(bytes_per_second: u64) -> Self {
        Self {
            inner: ftp_host::RateLimit::new(bytes_per_second),
        }
    }

    #[pyo3(signature = (bytes_per_second))]
    fn set(&self, bytes_per_second: Option<u64>) {
        self.inner.set(bytes_per_second);
    }

    fn get(&self) -> Option<u64> {
        self.inner.get()
    }
}

/// Calls a Python callable with each event; the first exception it raises
/// cancels the work and is raised when the call returns.
struct Callback {
    callable: Py<PyAny>,
    cancel: ftp_host::Cancel,
    raised: Mutex<Option<PyErr>>,
}

impl Observer for Callback {
    fn on_event(&self, event: &Event, totals: &Totals) {
        Python::attach(|py| {
            let called = convert::event(py, event)
                .and_then(|e| Ok((e, convert::totals(py, totals)?)))
                .and_then(|args| self.callable.call1(py, args));
            if let Err(e) = called {
                self.cancel.cancel();
                self.raised
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get_or_insert(e);
            }
        });
    }
}

#[pyclass(module = "ftp_client._native", frozen)]
pub struct Pool {
    inner: Arc<ftp_host::Pool>,
}

/// How one call on a pool runs.
struct Run {
    progress: Option<Arc<Callback>>,
    cancel: ftp_host::Cancel,
    retries: u32,
}

impl Run {
    fn new(progress: Option<Py<PyAny>>, cancel: Option<&Cancel>, retries: u32) -> Self {
        let cancel = cancel.map(|c| c.inner.clone()).unwrap_or_default();
        Self {
            progress: progress.map(|callable| {
                Arc::new(Callback {
                    callable,
                    cancel: cancel.clone(),
                    raised: Mutex::new(None),
                })
            }),
            cancel,
            retries,
        }
    }

    fn job<'p>(&self, pool: &'p ftp_host::Pool) -> Job<'p> {
        let job = pool.job().cancel_with(self.cancel.clone()).retries(self.retries);
        match &self.progress {
            Some(callback) => job.observe(callback.clone()),
            None => job,
        }
    }

    /// The callback's exception, if it raised one, else `result`.
    fn settle<T>(&self, result: PyResult<T>) -> PyResult<T> {
        if let Some(e) = self
            .progress
            .as_ref()
            .and_then(|c| c.raised.lock().unwrap_or_else(PoisonError::into_inner).take())
        {
            return Err(e);
        }
        result
    }
}

fn done<'py>(py: Python<'py>, d: &ftp_host::FileDone) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("size", d.size)?;
    out.set_item("resumed_from", d.resumed_from)?;
    out.set_item("already_complete", d.already_complete)?;
    out.set_item("size_checked", d.size_checked)?;
    Ok(out)
}

fn start(start: &Bound<'_, PyAny>) -> PyResult<Start> {
    if let Ok(at) = start.extract::<u64>() {
        return Ok(Start::At(at));
    }
    match start.extract::<String>()?.as_str() {
        "whole" => Ok(Start::Whole),
        "resume" => Ok(Start::Resume),
        other => Err(misuse(
            "invalid-input",
            &format!("start is 'whole', 'resume' or a byte offset, not {other}"),
        )),
    }
}

#[pymethods]
impl Pool {
    /// Up to `size` sessions to the URL's server (with `connect`'s
    /// keyword arguments).
    #[new]
    #[pyo3(signature = (url, size=4, **settings))]
    fn new(py: Python<'_>, url: &str, size: usize, settings: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let settings = Settings::from_kwargs(settings)?;
        let options = convert::options(py, url, &settings)?;
        Ok(Self {
            inner: Arc::new(ftp_host::Pool::new(client()?, options, size)),
        })
    }

    /// How many sessions are open.
    #[getter]
    fn open(&self) -> usize {
        self.inner.open()
    }

    /// Downloads `remote` to `local`, replacing it only once whole;
    /// `resume` appends to `local` from its size.
    #[pyo3(signature = (remote, local, *, resume=false, ascii=false, progress=None, cancel=None, retries=0))]
    #[allow(clippy::too_many_arguments)]
    fn download<'py>(
        &self,
        py: Python<'py>,
        remote: String,
        local: PathBuf,
        resume: bool,
        ascii: bool,
        progress: Option<Py<PyAny>>,
        cancel: Option<PyRef<'_, Cancel>>,
        retries: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let run = Run::new(progress, cancel.as_deref(), retries);
        let pool = &self.inner;
        let result = py
            .detach(|| run.job(pool).download_with(&remote, &local, resume, ascii))
            .or_raise();
        done(py, &run.settle(result)?)
    }

    /// One large file in `segments` parts over as many sessions.
    #[pyo3(signature = (remote, local, segments, *, progress=None, cancel=None, retries=0))]
    #[allow(clippy::too_many_arguments)]
    fn download_segmented<'py>(
        &self,
        py: Python<'py>,
        remote: String,
        local: PathBuf,
        segments: usize,
        progress: Option<Py<PyAny>>,
        cancel: Option<PyRef<'_, Cancel>>,
        retries: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let run = Run::new(progress, cancel.as_deref(), retries);
        let pool = &self.inner;
        let result = py
            .detach(|| run.job(pool).download_segmented(&remote, &local, segments))
            .or_raise();
        done(py, &run.settle(result)?)
    }

    /// Uploads `local` to `remote`; `start` is `"whole"`, `"resume"`
    /// (SIZE, then APPE) or a byte offset (REST, then STOR).
    #[pyo3(signature = (local, remote, *, start=None, ascii=false, progress=None, cancel=None, retries=0))]
    #[allow(clippy::too_many_arguments)]
    fn upload<'py>(
        &self,
        py: Python<'py>,
        local: PathBuf,
        remote: String,
        start: Option<Bound<'py, PyAny>>,
        ascii: bool,
        progress: Option<Py<PyAny>>,
        cancel: Option<PyRef<'_, Cancel>>,
        retries: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let start = match &start {
            Some(s) => self::start(s)?,
            None => Start::Whole,
        };
        let run = Run::new(progress, cancel.as_deref(), retries);
        let pool = &self.inner;
        let result = py
            .detach(|| run.job(pool).upload_with(&local, &remote, start, ascii))
            .or_raise();
        done(py, &run.settle(result)?)
    }

    /// Makes a local directory a copy of the server's (`direction="down"`)
    /// or the reverse (`"up"`); `dry_run` returns the plan and changes
    /// nothing. The report: the plan, each action's outcome, the counts.
    #[pyo3(signature = (direction, remote, local, *, delete=false, only_missing=false, only_newer=false,
                        include=Vec::new(), exclude=Vec::new(), verify=false, journal=None, dry_run=false,
                        progress=None, cancel=None, retries=0, infer_time_zone=true))]
    #[allow(clippy::too_many_arguments)]
    fn mirror<'py>(
        &self,
        py: Python<'py>,
        direction: &str,
        remote: String,
        local: PathBuf,
        delete: bool,
        only_missing: bool,
        only_newer: bool,
        include: Vec<String>,
        exclude: Vec<String>,
        verify: bool,
        journal: Option<PathBuf>,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
        cancel: Option<PyRef<'_, Cancel>>,
        retries: u32,
        infer_time_zone: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut rules = Rules::default();
        for glob in &include {
            rules = rules.include(glob).or_raise()?;
        }
        for glob in &exclude {
            rules = rules.exclude(glob).or_raise()?;
        }
        rules.delete = delete;
        rules.only_missing = only_missing;
        rules.only_newer = only_newer;
        let mut mirror = match direction {
            "down" => Mirror::down(&remote, local),
            "up" => Mirror::up(local, &remote),
            other => {
                return Err(misuse(
                    "invalid-input",
                    &format!("direction is down or up, not {other}"),
                ))
            }
        }
        .rules(rules)
        .verify(verify)
        .infer_time_zone(infer_time_zone);
        if let Some(journal) = journal {
            mirror = mirror.journal(journal);
        }
        let run = Run::new(progress, cancel.as_deref(), retries);
        let pool = &self.inner;
        if dry_run {
            let plan = py.detach(|| run.job(pool).plan(&mirror)).or_raise();
            let plan = run.settle(plan)?;
            return convert::plan(py, &plan);
        }
        let report = py.detach(|| run.job(pool).mirror(&mirror)).or_raise();
        convert::report(py, &run.settle(report)?)
    }

    /// Closes the idle sessions (saying QUIT to each).
    fn close(&self, py: Python<'_>) {
        let pool = &self.inner;
        py.detach(|| drop(pool.drain()));
    }
}
