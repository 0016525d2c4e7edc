//! Between Python's values and the library's: connection options from a
//! URL and keyword arguments, entries, events and reports as Python
//! objects.

use crate::error::{misuse, OrRaise};
use ftp_host::tree::{Action, Outcome, Plan, Report, Why};
use ftp_host::{EntryKind, Event, IntoOptions, NameEncoding, Options, Tls, Totals};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::time::Duration;

/// What `connect` and `Pool` take besides the URL.
#[derive(Default)]
pub struct Settings {
    pub user: Option<String>,
    pub password: Option<String>,
    /// `"explicit"` (AUTH TLS) or `"implicit"`; `ftps://` URLs are implicit.
    pub tls: Option<String>,
    pub ca_pem: Option<String>,
    /// A client certificate chain and its key, PEM.
    pub client_cert_pem: Option<String>,
    pub client_key_pem: Option<String>,
    /// Seconds, for connecting, each reply and data that stops moving.
    pub timeout: Option<f64>,
    pub transfer_timeout: Option<f64>,
    pub passive_ports: Option<(u16, u16)>,
    pub encoding: Option<String>,
    pub trace: Option<bool>,
    pub rate_limit: Option<Py<crate::jobs::RateLimit>>,
    /// Seconds the stat cache trusts a listing; 0 turns it off.
    pub stat_cache: Option<f64>,
    /// Seconds between keep-alive NOOPs while a transfer runs.
    pub keep_alive: Option<f64>,
    /// `socks5://` or `http://` proxy URL.
    pub proxy: Option<String>,
}

impl Settings {
    /// From keyword arguments; a name that is none of the fields is an
    /// error, not ignored.
    pub fn from_kwargs(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut settings = Settings::default();
        let Some(kwargs) = kwargs else {
            return Ok(settings);
        };
        for (key, value) in kwargs.iter() {
            let key: String = key.extract()?;
            if value.is_none() {
                continue;
            }
            match key.as_str() {
                "user" => settings.user = Some(value.extract()?),
                "password" => settings.password = Some(value.extract()?),
                "tls" => settings.tls = Some(value.extract()?),
                "ca_pem" => settings.ca_pem = Some(value.extract()?),
                "client_cert_pem" => settings.client_cert_pem = Some(value.extract()?),
                "client_key_pem" => settings.client_key_pem = Some(value.extract()?),
                "timeout" => settings.timeout = Some(value.extract()?),
                "transfer_timeout" => settings.transfer_timeout = Some(value.extract()?),
                "passive_ports" => settings.passive_ports = Some(value.extract()?),
                "encoding" => settings.encoding = Some(value.extract()?),
                "trace" => settings.trace = Some(value.extract()?),
                "rate_limit" => settings.rate_limit = Some(value.extract()?),
                "stat_cache" => settings.stat_cache = Some(value.extract()?),
                "keep_alive" => settings.keep_alive = Some(value.extract()?),
                "proxy" => settings.proxy = Some(value.extract()?),
                other => return Err(misuse("invalid-input", &format!("no setting named {other}"))),
            }
        }
        Ok(settings)
    }
}

fn seconds(what: &str, s: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(s)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| misuse("invalid-input", &format!("{what} must be a positive number of seconds")))
}

/// The library's options for `url` with `settings` applied.
pub fn options(py: Python<'_>, url: &str, settings: &Settings) -> PyResult<Options> {
    let mut options = url.into_options().or_raise()?;
    if let Some(user) = &settings.user {
        options.user = Some(user.clone());
    }
    if let Some(password) = &settings.password {
        options.password = Some(password.clone());
    }
    match settings.tls.as_deref() {
        None => {}
        Some("explicit") => options.tls = Some(Tls::explicit()),
        Some("implicit") => options.tls = Some(Tls::implicit()),
        Some(other) => {
            return Err(misuse(
                "invalid-input",
                &format!("tls is explicit or implicit, not {other}"),
            ))
        }
    }
    if let Some(pem) = &settings.ca_pem {
        let tls = options
            .tls
            .as_mut()
            .ok_or_else(|| misuse("invalid-input", "ca_pem needs tls= or an ftps:// URL"))?;
        tls.ca_pem = Some(pem.clone());
    }
    if let Some(chain) = &settings.client_cert_pem {
        let key = settings.client_key_pem.clone().unwrap_or_else(|| chain.clone());
        let tls = options
            .tls
            .take()
            .ok_or_else(|| misuse("invalid-input", "client_cert_pem needs tls= or an ftps:// URL"))?;
        options.tls = Some(tls.client_identity(chain.clone(), key));
    } else if settings.client_key_pem.is_some() {
        return Err(misuse("invalid-input", "client_key_pem needs client_cert_pem"));
    }
    if let Some(t) = settings.timeout {
        options = options.timeout(seconds("timeout", t)?);
    }
    if let Some(t) = settings.transfer_timeout {
        options.transfer_timeout = Some(seconds("transfer_timeout", t)?);
    }
    if let Some((first, last)) = settings.passive_ports {
        options.passive_ports = first..=last;
    }
    match settings.encoding.as_deref() {
        None | Some("utf8" | "utf-8") => {}
        Some("latin1" | "latin-1") => options.encoding = NameEncoding::Latin1,
        Some(other) => {
            return Err(misuse(
                "invalid-input",
                &format!("encoding is utf8 or latin1, not {other}"),
            ))
        }
    }
    if let Some(trace) = settings.trace {
        options.trace = trace;
    }
    if let Some(url) = &settings.proxy {
        options.proxy = Some(ftp_host::Proxy::from_url(url).or_raise()?);
    }
    if let Some(every) = settings.keep_alive {
        options.keep_alive = Some(seconds("keep_alive", every)?);
    }
    if let Some(limit) = &settings.rate_limit {
        options.rate_limit = Some(limit.borrow(py).inner.clone());
    }
    match settings.stat_cache {
        None => {}
        Some(s) if s <= 0.0 => options.stat_cache = None,
        Some(s) => options.stat_cache = Some(seconds("stat_cache", s)?),
    }
    Ok(options)
}

/// One entry of a listing.
#[pyclass(module = "ftp_client._native", frozen, get_all)]
pub struct Entry {
    pub name: String,
    /// `file`, `dir`, `link`, `other` or `unparsed`.
    pub kind: &'static str,
    pub size: Option<u64>,
    /// Seconds since the Unix epoch.
    pub modified: Option<f64>,
    pub permissions: Option<String>,
    pub unix_mode: Option<u32>,
    pub link_target: Option<String>,
    pub facts: Vec<(String, String)>,
    pub raw: String,
}

#[pymethods]
impl Entry {
    fn __repr__(&self) -> String {
        format!(
            "Entry(name={:?}, kind={:?}, size={:?})",
            self.name, self.kind, self.size
        )
    }
}

pub fn kind(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Directory => "dir",
        EntryKind::Link => "link",
        EntryKind::Other => "other",
        EntryKind::Unparsed => "unparsed",
    }
}

impl From<ftp_host::Entry> for Entry {
    fn from(e: ftp_host::Entry) -> Self {
        Self {
            name: e.name,
            kind: kind(e.kind),
            size: e.size,
            modified: e.modified.map(|t| t.seconds as f64 + f64::from(t.nanoseconds) / 1e9),
            permissions: e.permissions,
            unix_mode: e.unix_mode,
            link_target: e.link_target,
            facts: e.facts,
            raw: e.raw,
        }
    }
}

/// An event as a dict: `{"event": "finished", "path": ..., ...}`.
pub fn event<'py>(py: Python<'py>, event: &Event) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match event {
        Event::Listed { path, entries } => {
            d.set_item("event", "listed")?;
            d.set_item("path", path)?;
            d.set_item("entries", entries)?;
        }
        Event::Planned { files, bytes } => {
            d.set_item("event", "planned")?;
            d.set_item("files", files)?;
            d.set_item("bytes", bytes)?;
        }
        Event::Started { path, size, offset } => {
            d.set_item("event", "started")?;
            d.set_item("path", path)?;
            d.set_item("size", size)?;
            d.set_item("offset", offset)?;
        }
        Event::Moved { path, bytes } => {
            d.set_item("event", "moved")?;
            d.set_item("path", path)?;
            d.set_item("bytes", bytes)?;
        }
        Event::Retrying {
            path,
            attempt,
            error,
            wait,
        } => {
            d.set_item("event", "retrying")?;
            d.set_item("path", path)?;
            d.set_item("attempt", attempt)?;
            d.set_item("error", &error.message)?;
            d.set_item("wait", wait.as_secs_f64())?;
        }
        Event::Finished { path, result } => {
            d.set_item("event", "finished")?;
            d.set_item("path", path)?;
            match result {
                Ok(size) => d.set_item("size", size)?,
                Err(e) => {
                    d.set_item("error", &e.message)?;
                    d.set_item("kind", e.kind.name())?;
                }
            }
        }
        Event::Trace { lines } => {
            d.set_item("event", "trace")?;
            d.set_item("lines", lines)?;
        }
        _ => d.set_item("event", "other")?,
    }
    Ok(d)
}

pub fn totals<'py>(py: Python<'py>, t: &Totals) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("files_done", t.files_done)?;
    d.set_item("files_failed", t.files_failed)?;
    d.set_item("files_total", t.files_total)?;
    d.set_item("bytes_done", t.bytes_done)?;
    d.set_item("bytes_total", t.bytes_total)?;
    Ok(d)
}

fn action<'py>(py: Python<'py>, a: &Action) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("path", a.path())?;
    match a {
        Action::MakeDir(_) => d.set_item("action", "mkdir")?,
        Action::Copy { item, why } => {
            d.set_item("action", "copy")?;
            d.set_item("size", item.size)?;
            let why = match why {
                Why::Missing => "missing",
                Why::SizeDiffers => "size-differs",
                Why::Newer => "newer",
            };
            d.set_item("why", why)?;
        }
        Action::Delete { dir, .. } => {
            d.set_item("action", "delete")?;
            d.set_item("dir", dir)?;
        }
        Action::Conflict(_) => d.set_item("action", "conflict")?,
    }
    Ok(d)
}

/// A plan as a dict: `actions` (dicts), `skipped` (`(path, reason)`),
/// `up_to_date`.
pub fn plan<'py>(py: Python<'py>, plan: &Plan) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let actions = PyList::empty(py);
    for a in &plan.actions {
        actions.append(action(py, a)?)?;
    }
    d.set_item("actions", actions)?;
    let skipped: Vec<(String, &str)> = plan
        .skipped
        .iter()
        .map(|s| (s.path.clone(), s.reason.describe()))
        .collect();
    d.set_item("skipped", skipped)?;
    d.set_item("up_to_date", plan.up_to_date)?;
    Ok(d)
}

/// A report as a dict: the plan's fields, `outcomes` (each action's dict
/// with `outcome` and `size` or `error`/`kind`), and the counts.
pub fn report<'py>(py: Python<'py>, report: &Report) -> PyResult<Bound<'py, PyDict>> {
    let d = plan(py, &report.plan)?;
    let outcomes = PyList::empty(py);
    for (a, o) in &report.outcomes {
        let item = action(py, a)?;
        match o {
            Outcome::Done(size) => {
                item.set_item("outcome", "done")?;
                item.set_item("size", size)?;
            }
            Outcome::LeftAlone => item.set_item("outcome", "left-alone")?,
            Outcome::NotStarted => item.set_item("outcome", "not-started")?,
            Outcome::Failed(e) => {
                item.set_item("outcome", "failed")?;
                item.set_item("error", e.to_string())?;
                item.set_item("kind", e.kind().name())?;
            }
        }
        outcomes.append(item)?;
    }
    d.set_item("outcomes", outcomes)?;
    let (copied, bytes) = report.copied();
    d.set_item("copied", copied)?;
    d.set_item("bytes", bytes)?;
    d.set_item("dirs_made", report.dirs_made())?;
    d.set_item("deleted", report.deleted())?;
    d.set_item("failed", report.failures().count())?;
    Ok(d)
}
