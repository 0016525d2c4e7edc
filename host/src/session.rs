//! A logged-in session: one component instance, granted one server, holding
//! one control connection.

use crate::bindings::{self, Entry, Feature, FtpClientComponent, GuestSession, Reply, Security, StoreMode};
use crate::bindings::{FileHash, HashAlgorithm, Timestamp, TransferType, WalkResult};
use crate::download::{DetachedDownload, Download};
use crate::error::flatten;
use crate::options::{Options, Proxy, DEFAULT_CONNECT_TIMEOUT};
use crate::policy::NetworkPolicy;
use crate::stat_cache::StatCache;
use crate::state::HostState;
use crate::upload::{DetachedUpload, Upload};
use crate::{Cancel, Client, Error, RateLimit, Result};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;
use wasmtime::component::ResourceAny;
use wasmtime::Store;

/// One connection to a server, logged in. Its calls block until the server
/// answers (or a deadline passes). Dropping it says `QUIT` (waiting a second
/// at most for the reply) and closes the connection.
pub struct Session {
    pub(crate) store: Store<HostState>,
    pub(crate) bindings: FtpClientComponent,
    pub(crate) handle: ResourceAny,
    peer: SocketAddr,
    welcome: Reply,
    /// Shared with every session of the same options.
    pub(crate) rate: Option<RateLimit>,
    pub(crate) stats: StatCache,
    /// ASCII transfers: SIZE then counts converted bytes, not what a
    /// listing showed.
    ascii: bool,
    /// The cancel handle of the job using the session: its transfers
    /// check it between chunks and while they wait.
    pub(crate) cancel: Option<Cancel>,
    /// Which session this is, for detached transfers to check theirs.
    pub(crate) id: u64,
}

/// Numbers sessions, from 1.
static SESSIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// How long a transfer of a cancellable job waits before it looks again.
pub(crate) const CANCEL_POLL: Duration = Duration::from_millis(250);

impl Session {
    /// Resolves the host here (the component gets no name lookups), then
    /// tries its addresses in turn, each granted to a fresh instance alone.
    pub(crate) fn open(client: &Client, options: &Options) -> Result<Self> {
        if let Some(proxy) = &options.proxy {
            return Self::open_through(client, options, proxy);
        }
        let resolve_error = |source| Error::Resolve {
            host: options.host.clone(),
            source,
        };
        let addrs = resolve(
            &options.host,
            options.port,
            options.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        )?
        .map_err(resolve_error)?;
        let wit = options.to_wit(options.host.parse::<IpAddr>().is_err(), client.host_tls())?;
        let mut last = None;
        for addr in addrs {
            let policy = options.also_allow.iter().fold(
                NetworkPolicy::ftp_server(addr, options.passive_ports.clone()),
                |p, (ip, ports)| p.allow(*ip, ports.clone()),
            );
            match Self::open_at(client, options, &wit, policy, &addr.ip().to_string(), addr) {
                Err(e @ (Error::Network(_) | Error::Timeout(_))) => last = Some(e),
                done => return done,
            }
        }
        Err(last.unwrap_or_else(|| resolve_error(std::io::ErrorKind::NotFound.into())))
    }

    /// Through a proxy: its name is resolved here and its address is the
    /// only one granted; the server's name is the proxy's to resolve.
    fn open_through(client: &Client, options: &Options, proxy: &Proxy) -> Result<Self> {
        let resolve_error = |source| Error::Resolve {
            host: proxy.host.clone(),
            source,
        };
        let addrs = resolve(
            &proxy.host,
            proxy.port,
            options.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        )?
        .map_err(resolve_error)?;
        let mut last = None;
        for addr in addrs {
            let mut wit = options.to_wit(options.host.parse::<IpAddr>().is_err(), client.host_tls())?;
            wit.proxy = Some(proxy.to_wit(addr));
            let policy = NetworkPolicy::default().allow(addr.ip(), addr.port()..=addr.port());
            match Self::open_at(client, options, &wit, policy, &options.host, addr) {
                Err(e @ (Error::Network(_) | Error::Timeout(_))) => last = Some(e),
                done => return done,
            }
        }
        Err(last.unwrap_or_else(|| resolve_error(std::io::ErrorKind::NotFound.into())))
    }

    /// Connects to `host` (an address, or a name a proxy resolves) as
    /// `wit` says, granted `policy` alone; `peer` is where the connection
    /// goes first (the server, or the proxy).
    fn open_at(
        client: &Client,
        options: &Options,
        wit: &bindings::ConnectOptions,
        policy: NetworkPolicy,
        host: &str,
        peer: SocketAddr,
    ) -> Result<Self> {
        let policy = match options.source_address {
            Some(source) => policy.bind_from(source),
            None => policy,
        };
        let (mut store, bindings) = client
            .instantiate(&policy, options.memory_limit)
            .map_err(Error::Runtime)?;
        if let Some(tls) = options.tls.as_ref().filter(|_| client.host_tls()) {
            store
                .data_mut()
                .configure_tls(tls.ca_pem.as_deref(), tls.version, tls.client_identity.as_ref())
                .map_err(Error::InvalidInput)?;
        }
        let guest = bindings.wftp_client_client().session();
        let handle = flatten(guest.call_connect(&mut store, host, options.port, wit))?;
        let welcome = guest.call_welcome(&mut store, handle).map_err(Error::Runtime)?;
        let mut session = Session {
            store,
            bindings,
            handle,
            peer,
            welcome,
            rate: options.rate_limit.clone(),
            stats: StatCache::new(options.stat_cache),
            ascii: false,
            cancel: None,
            id: SESSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        if options.trace {
            session.set_trace(true)?;
        }
        let (user, password, account) = (&options.user, &options.password, &options.account);
        session.call(|g, st, h| g.call_login(st, h, user.as_deref(), password.as_deref(), account.as_deref()))?;
        Ok(session)
    }

    /// Runs one call on the session resource.
    pub(crate) fn call<T>(
        &mut self,
        f: impl FnOnce(GuestSession<'_>, &mut Store<HostState>, ResourceAny) -> wasmtime::Result<Result<T, bindings::Error>>,
    ) -> Result<T> {
        let guest = self.bindings.wftp_client_client().session();
        flatten(f(guest, &mut self.store, self.handle))
    }

    /// Fails once the job using the session was cancelled.
    pub(crate) fn check_cancel(&self) -> Result<()> {
        self.cancel.as_ref().map_or(Ok(()), Cancel::check)
    }

    /// How long a transfer may wait before it looks again: `wait`, or less
    /// for a cancellable job.
    pub(crate) fn wait_at_most(&self, wait: Duration) -> Duration {
        match self.cancel {
            Some(_) => wait.min(CANCEL_POLL),
            None => wait,
        }
    }

    /// How many bytes to move at a time: `max`, or less under a rate limit.
    pub(crate) fn chunk(&self, max: usize) -> usize {
        self.rate.as_ref().map_or(max, |rate| rate.chunk(max))
    }

    /// The session's rate limit, shared with the others of its options.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.rate.as_ref()
    }

    /// Forgets every path the stat cache knows (after a change made by
    /// other means: another client, a raw command).
    pub fn forget_stats(&mut self) {
        self.stats.forget_all();
    }

    /// Checks an upload's result: the server's SIZE of `path` must be
    /// `expected`. `Ok(false)` when the server cannot say (no SIZE).
    pub fn verify_size(&mut self, path: &str, expected: u64) -> Result<bool> {
        self.stats.forget(path);
        match self.size(path) {
            Ok(size) if size == expected => Ok(true),
            Ok(received) => Err(Error::Partial { expected, received }),
            Err(Error::Permanent(r)) if r.code == 500 || r.code == 502 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The address the control connection went to.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The server's welcome reply.
    pub fn welcome(&self) -> &Reply {
        &self.welcome
    }

    /// How the session is secured: `none` if explicit TLS was refused and
    /// plain text allowed.
    pub fn security(&mut self) -> Result<Security> {
        let guest = self.bindings.wftp_client_client().session();
        guest
            .call_security(&mut self.store, self.handle)
            .map_err(Error::Runtime)
    }

    /// The largest linear memory the component has used, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.store.data().peak_memory()
    }

    /// Sends one command line and returns the final reply, whatever its code
    /// (ftplib's `sendcmd`).
    pub fn command(&mut self, line: &str) -> Result<Reply> {
        // A raw command may change anything: the stat cache trusts nothing after it.
        self.stats.forget_all();
        self.call(|g, st, h| g.call_command(st, h, line))
    }

    /// The digest of `path` computed by the server (HASH, or XSHA256 and its
    /// kin, as FEAT offers), in `algorithm` or the best offered.
    pub fn hash(&mut self, path: &str, algorithm: Option<HashAlgorithm>) -> Result<FileHash> {
        self.call(|g, st, h| g.call_hash(st, h, path, algorithm))
    }

    /// CCC (ftplib's `ccc`): end TLS on the control connection after login,
    /// keeping data connections as PROT left them. Only with
    /// [`SELF_CONTAINED_COMPONENT`](crate::SELF_CONTAINED_COMPONENT): the
    /// host's TLS cannot hand its connection back in the clear.
    pub fn clear_command_channel(&mut self) -> Result<Reply> {
        self.call(|g, st, h| g.call_clear_command_channel(st, h))
    }

    /// PROT P (`private`) or PROT C for the transfers from now on (ftplib's
    /// `prot_p`/`prot_c`); the session follows only if the server agrees.
    pub fn set_data_protection(&mut self, private: bool) -> Result<Reply> {
        self.call(|g, st, h| g.call_set_data_protection(st, h, private))
    }

    /// Starts (afresh) or stops recording the control conversation
    /// (ftplib's `set_debuglevel`); [`Options::trace`] starts it before the
    /// login.
    pub fn set_trace(&mut self, on: bool) -> Result<()> {
        let guest = self.bindings.wftp_client_client().session();
        guest
            .call_set_trace(&mut self.store, self.handle, on)
            .map_err(Error::Runtime)
    }

    /// The conversation recorded since the last call, oldest first:
    /// `> USER bob`, `> PASS ****`, `< 230 Login successful.`
    pub fn take_trace(&mut self) -> Result<Vec<String>> {
        let guest = self.bindings.wftp_client_client().session();
        guest
            .call_take_trace(&mut self.store, self.handle)
            .map_err(Error::Runtime)
    }

    /// Sends one command line and fails unless the final reply is 2xx
    /// (ftplib's `voidcmd`): 4xx is [`Error::Transient`], 5xx
    /// [`Error::Permanent`], anything else [`Error::Unexpected`].
    pub fn void_command(&mut self, line: &str) -> Result<Reply> {
        let reply = self.command(line)?;
        match reply.code / 100 {
            2 => Ok(reply),
            4 => Err(Error::Transient(reply)),
            5 => Err(Error::Permanent(reply)),
            _ => Err(Error::Unexpected(reply)),
        }
    }

    pub fn noop(&mut self) -> Result<Reply> {
        self.call(|g, st, h| g.call_noop(st, h))
    }

    /// QUIT, then close the connection.
    pub fn quit(mut self) -> Result<Reply> {
        self.call(|g, st, h| g.call_quit(st, h))
    }

    /// Changes the working directory (relative paths the stat cache knows
    /// mean something else after it, so it forgets them all).
    pub fn cwd(&mut self, path: &str) -> Result<Reply> {
        self.stats.forget_all();
        self.call(|g, st, h| g.call_cwd(st, h, path))
    }

    pub fn cdup(&mut self) -> Result<Reply> {
        self.stats.forget_all();
        self.call(|g, st, h| g.call_cdup(st, h))
    }

    /// The working directory.
    pub fn pwd(&mut self) -> Result<String> {
        self.call(|g, st, h| g.call_pwd(st, h))
    }

    /// Creates a directory; returns the path the server reports.
    pub fn mkdir(&mut self, path: &str) -> Result<String> {
        self.stats.forget(path);
        let made = self.call(|g, st, h| g.call_mkd(st, h, path))?;
        self.stats.remember_dir(path);
        Ok(made)
    }

    /// Creates a directory and any missing parents (`mkdir -p`); nothing is
    /// sent for one the session's listings or own `mkdir`s already showed.
    pub fn mkdir_all(&mut self, path: &str) -> Result<()> {
        if self.stats.is_dir(path) {
            return Ok(());
        }
        self.call(|g, st, h| g.call_make_dirs(st, h, path))?;
        self.stats.remember_dir(path);
        Ok(())
    }

    /// Removes an empty directory.
    pub fn rmdir(&mut self, path: &str) -> Result<Reply> {
        self.stats.forget(path);
        self.call(|g, st, h| g.call_rmd(st, h, path))
    }

    /// Removes a directory and everything below it.
    pub fn remove_tree(&mut self, path: &str) -> Result<()> {
        self.stats.forget(path);
        self.call(|g, st, h| g.call_remove_tree(st, h, path))
    }

    /// Deletes a file.
    pub fn delete(&mut self, path: &str) -> Result<Reply> {
        self.stats.forget(path);
        self.call(|g, st, h| g.call_delete(st, h, path))
    }

    pub fn rename(&mut self, from: &str, to: &str) -> Result<Reply> {
        self.stats.forget(from);
        self.stats.forget(to);
        self.call(|g, st, h| g.call_rename(st, h, from, to))
    }

    /// A file's size in bytes (SIZE), or what a listing of its directory
    /// showed (see [`Options::stat_cache`]).
    pub fn size(&mut self, path: &str) -> Result<u64> {
        if let Some(size) = self.stats.size(path).filter(|_| !self.ascii) {
            return Ok(size);
        }
        self.call(|g, st, h| g.call_size(st, h, path))
    }

    /// A file's modification time (MDTM), or what an MLSD of its directory
    /// showed (see [`Options::stat_cache`]).
    pub fn modified(&mut self, path: &str) -> Result<Timestamp> {
        if let Some(time) = self.stats.modified(path) {
            return Ok(time);
        }
        self.call(|g, st, h| g.call_modified_time(st, h, path))
    }

    /// Sets a file's modification time (MFMT, or the `MDTM time path` form).
    pub fn set_modified(&mut self, path: &str, time: Timestamp) -> Result<Reply> {
        self.stats.forget(path);
        self.call(|g, st, h| g.call_set_modified_time(st, h, path, time))
    }

    /// The names in a directory (NLST; `None`: the working directory).
    pub fn nlst(&mut self, path: Option<&str>) -> Result<Vec<String>> {
        self.call(|g, st, h| g.call_nlst(st, h, path))
    }

    /// A directory's entries, typed: MLSD where offered, else LIST parsed.
    pub fn list(&mut self, path: Option<&str>) -> Result<Vec<Entry>> {
        let entries = self.call(|g, st, h| g.call_list(st, h, path))?;
        for entry in &entries {
            self.stats.remember(path, entry);
        }
        Ok(entries)
    }

    /// MLSD as the server sends it, `cdir` and `pdir` included (ftplib's
    /// `mlsd`); with `facts`, `OPTS MLST` first asks for just those.
    pub fn mlsd(&mut self, path: Option<&str>, facts: &[&str]) -> Result<Vec<Entry>> {
        let facts: Vec<String> = facts.iter().map(|f| f.to_string()).collect();
        let entries = self.call(|g, st, h| g.call_mlsd(st, h, path, &facts))?;
        // Entries with only some facts would answer for all: not kept.
        if facts.is_empty() {
            for entry in &entries {
                self.stats.remember(path, entry);
            }
        }
        Ok(entries)
    }

    /// The facts of one path (MLST).
    pub fn stat(&mut self, path: &str) -> Result<Entry> {
        self.call(|g, st, h| g.call_stat_entry(st, h, path))
    }

    /// Every entry below `path`, depth first, names relative to it, and the
    /// entries refused for names that are not one plain path component.
    pub fn walk(&mut self, path: &str) -> Result<WalkResult> {
        self.call(|g, st, h| g.call_walk(st, h, path))
    }

    /// The server's FEAT lines, read once per session.
    pub fn features(&mut self) -> Result<Vec<Feature>> {
        self.call(|g, st, h| g.call_features(st, h))
    }

    /// SYST.
    pub fn system(&mut self) -> Result<String> {
        self.call(|g, st, h| g.call_system(st, h))
    }

    /// STAT, or with a path, that path's status.
    pub fn status(&mut self, path: Option<&str>) -> Result<Reply> {
        self.call(|g, st, h| g.call_status(st, h, path))
    }

    pub fn help(&mut self, topic: Option<&str>) -> Result<Reply> {
        self.call(|g, st, h| g.call_help(st, h, topic))
    }

    /// SITE with these arguments (`CHMOD 644 file`).
    pub fn site(&mut self, arguments: &str) -> Result<Reply> {
        self.call(|g, st, h| g.call_site(st, h, arguments))
    }

    /// Binary (the default) or ASCII, which converts line endings.
    pub fn set_transfer_type(&mut self, kind: TransferType) -> Result<Reply> {
        let reply = self.call(|g, st, h| g.call_set_transfer_type(st, h, kind))?;
        self.ascii = kind == TransferType::Ascii;
        Ok(reply)
    }

    /// Opens a download of `path`, read through `std::io::Read`.
    pub fn retrieve(&mut self, path: &str) -> Result<Download<'_>> {
        self.retrieve_from(path, 0)
    }

    /// Opens a download of `path` starting at byte `offset` (REST).
    pub fn retrieve_from(&mut self, path: &str, offset: u64) -> Result<Download<'_>> {
        let handle = self.call(|g, st, h| g.call_retrieve(st, h, path, offset))?;
        Download::start(self, handle)
    }

    /// Opens an upload replacing (or creating) `path`, written through
    /// `std::io::Write`.
    pub fn store(&mut self, path: &str) -> Result<Upload<'_>> {
        self.store_with(path, StoreMode::Replace)
    }

    /// Opens an upload that appends to `path` (APPE).
    pub fn append(&mut self, path: &str) -> Result<Upload<'_>> {
        self.store_with(path, StoreMode::Append)
    }

    /// Opens an upload that writes `path` from byte `offset` on (REST, then
    /// STOR: ftplib's `storbinary(..., rest=offset)`), to complete a file an
    /// earlier upload left short; binary mode only.
    pub fn store_from(&mut self, path: &str, offset: u64) -> Result<Upload<'_>> {
        self.stats.forget(path);
        let handle = self.call(|g, st, h| g.call_store_at(st, h, path, offset))?;
        Upload::start(self, handle)
    }

    /// Opens an upload to a name the server picks (STOU); see
    /// [`Upload::unique_name`].
    pub fn store_unique(&mut self) -> Result<Upload<'_>> {
        self.store_with("", StoreMode::Unique)
    }

    /// A download of `path` from byte `offset`, detached (see
    /// [`DetachedDownload`]).
    pub fn retrieve_detached(&mut self, path: &str, offset: u64) -> Result<DetachedDownload> {
        let handle = self.call(|g, st, h| g.call_retrieve(st, h, path, offset))?;
        DetachedDownload::start(self, handle)
    }

    /// An upload to `path`, detached (see [`DetachedUpload`]): appending
    /// (APPE) with `append`, else from byte `offset` (REST, then STOR; 0
    /// replaces the file).
    pub fn store_detached(&mut self, path: &str, append: bool, offset: u64) -> Result<DetachedUpload> {
        self.stats.forget(path);
        let handle = match (append, offset) {
            (true, _) => self.call(|g, st, h| g.call_store(st, h, path, StoreMode::Append))?,
            (false, 0) => self.call(|g, st, h| g.call_store(st, h, path, StoreMode::Replace))?,
            (false, at) => self.call(|g, st, h| g.call_store_at(st, h, path, at))?,
        };
        DetachedUpload::start(self, handle)
    }

    fn store_with(&mut self, path: &str, mode: StoreMode) -> Result<Upload<'_>> {
        self.stats.forget(path);
        let handle = self.call(|g, st, h| g.call_store(st, h, path, mode))?;
        Upload::start(self, handle)
    }
}

/// The host's name lookup, bounded by the connect deadline: the system
/// resolver has no deadline of its own, so it runs on a thread that is left
/// behind if it outlives `wait`.
fn resolve(host: &str, port: u16, wait: Duration) -> Result<std::io::Result<Vec<SocketAddr>>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Ok(vec![SocketAddr::new(ip, port)]));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send((name.as_str(), port).to_socket_addrs().map(Iterator::collect));
    });
    rx.recv_timeout(wait)
        .map_err(|_| Error::Timeout(format!("resolving {host} took longer than {wait:?}")))
}

impl Drop for Session {
    fn drop(&mut self) {
        // The component closes the connection in the resource's destructor.
        let _ = self.handle.resource_drop(&mut self.store);
    }
}
