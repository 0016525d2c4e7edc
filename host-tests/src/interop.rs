//! Real FTP servers for the interop suite, each started on loopback with a
//! temporary configuration: vsftpd, pure-ftpd, proftpd (Debian packages, see
//! `.ci/install-ftp-servers`) and pyftpdlib (PyPI). A server that is not
//! installed is reported with the reason; the caller decides whether that is
//! a skip (a developer's machine) or a failure (CI sets `FTP_INTEROP_REQUIRED`).

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

use crate::pki::TestPki;

/// The system user `.ci/install-ftp-servers` creates.
pub const USER: &str = "ftpinterop";
pub const PASSWORD: &str = "interop-pass";
pub const USER_HOME: &str = "/home/ftpinterop";
/// The anonymous root every server is pointed at.
pub const ANON_DIR: &str = "/srv/ftp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Vsftpd,
    PureFtpd,
    Proftpd,
    Pyftpdlib,
    /// GNU inetutils ftpd: splits LIST's argument at spaces, which is why
    /// it is here.
    Inetutils,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Vsftpd => "vsftpd",
            Kind::PureFtpd => "pure-ftpd",
            Kind::Proftpd => "proftpd",
            Kind::Pyftpdlib => "pyftpdlib",
            Kind::Inetutils => "inetutils-ftpd",
        }
    }

    /// Distinct passive ranges, so servers started in parallel never share
    /// one: a thousand ports each, plain and TLS apart, below Linux's
    /// ephemeral range (32768 on), so no outgoing connection holds one.
    /// (Fifty each ran out: a mirror of 2 500 files moves them in seconds,
    /// and a port a server closed first waits out TIME_WAIT; proftpd then
    /// answered PASV with "425 Address already in use".)
    fn passive(self, tls: bool) -> RangeInclusive<u16> {
        if self == Kind::Inetutils {
            // It has no setting for its passive ports.
            return 1024..=u16::MAX;
        }
        let base = 20_000
            + 2_000
                * match self {
                    Kind::Vsftpd => 0,
                    Kind::PureFtpd => 1,
                    Kind::Proftpd => 2,
                    Kind::Pyftpdlib | Kind::Inetutils => 3,
                };
        let base = if tls { base + 1_000 } else { base };
        base..=base + 999
    }
}

/// Whether a missing server must fail the suite instead of skipping.
pub fn required() -> bool {
    std::env::var_os("FTP_INTEROP_REQUIRED").is_some_and(|v| v == "1")
}

/// Starts `kind` (with FTPS when `tls` says so), or returns `None` and
/// says it skipped where the server is missing and not `required`; a
/// required one that cannot start fails the test.
pub fn start_or_skip(kind: Kind, tls: Option<ServerTls<'_>>) -> Option<RealServer> {
    match start_with(kind, tls) {
        Ok(server) => Some(server),
        Err(reason) if !required() => {
            println!("skipped {}: {reason}", kind.name());
            None
        }
        Err(reason) => panic!("{} is required (FTP_INTEROP_REQUIRED=1) but: {reason}", kind.name()),
    }
}

fn servers_dir() -> PathBuf {
    std::env::var_os("FTP_SERVERS_DIR").map_or_else(|| PathBuf::from("/opt/ftp-servers"), PathBuf::from)
}

pub struct RealServer {
    pub kind: Kind,
    pub addr: SocketAddr,
    pub passive: RangeInclusive<u16>,
    child: Child,
    _config: TempDir,
}

impl RealServer {
    pub fn grant(&self) -> crate::NetworkPolicy {
        crate::NetworkPolicy::ftp_server(self.addr, self.passive.clone())
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

fn find(candidates: &[PathBuf]) -> Option<PathBuf> {
    candidates.iter().find(|p| p.is_file()).cloned()
}

fn prerequisites() -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    if std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX) != 0 {
        return Err("the interop servers need root (system users, privilege separation)".into());
    }
    if !Path::new(USER_HOME).is_dir() {
        return Err(format!("user {USER} is missing; run .ci/install-ftp-servers"));
    }
    Ok(())
}

/// FTPS for a server: its certificate, and implicit (TLS from the first
/// byte) or explicit (AUTH TLS) mode.
#[derive(Clone, Copy)]
pub struct ServerTls<'a> {
    pub pki: &'a TestPki,
    pub implicit: bool,
    /// Require a client certificate the test CA signed (vsftpd only).
    pub client_certs: bool,
}

/// Starts `kind`, waiting until it sends its banner.
pub fn start(kind: Kind) -> Result<RealServer, String> {
    start_with(kind, None)
}

/// Starts `kind`, with FTPS when `tls` says so, waiting until it is ready.
pub fn start_with(kind: Kind, tls: Option<ServerTls<'_>>) -> Result<RealServer, String> {
    start_tuned(kind, tls, None)
}

/// Starts vsftpd holding each data connection to `bytes_per_second`
/// (`local_max_rate`), as servers that share their bandwidth do: what a
/// segmented download is for.
pub fn start_rate_limited(bytes_per_second: u64) -> Result<RealServer, String> {
    start_tuned(Kind::Vsftpd, None, Some(bytes_per_second))
}

fn start_tuned(kind: Kind, tls: Option<ServerTls<'_>>, max_rate: Option<u64>) -> Result<RealServer, String> {
    prerequisites()?;
    let port = free_port().map_err(|e| e.to_string())?;
    let passive = kind.passive(tls.is_some());
    let config = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut command = match kind {
        Kind::Vsftpd => vsftpd(port, &passive, config.path(), tls, max_rate)?,
        _ if max_rate.is_some() => return Err(format!("{} is not rate-limited here", kind.name())),
        Kind::PureFtpd => pure_ftpd(port, &passive, tls)?,
        Kind::Proftpd => proftpd(port, &passive, config.path(), tls)?,
        Kind::Pyftpdlib if tls.is_some() => return Err("the suite runs pyftpdlib without TLS".into()),
        Kind::Pyftpdlib => pyftpdlib(port, &passive)?,
        Kind::Inetutils if tls.is_some() => return Err("inetutils ftpd has no TLS".into()),
        Kind::Inetutils => inetutils(port)?,
    };
    let log = std::fs::File::create(config.path().join("server.log")).map_err(|e| e.to_string())?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    let child = command
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .spawn()
        .map_err(|e| format!("{} did not start: {e}", kind.name()))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut server = RealServer {
        kind,
        addr,
        passive,
        child,
        _config: config,
    };
    // An implicit-TLS banner is encrypted: there, accepting is readiness.
    wait_for_banner(&mut server, !tls.is_some_and(|t| t.implicit))?;
    Ok(server)
}

fn wait_for_banner(server: &mut RealServer, plain: bool) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = server.child.try_wait() {
            let log = std::fs::read_to_string(server._config.path().join("server.log")).unwrap_or_default();
            return Err(format!("{} exited with {status}: {log}", server.kind.name()));
        }
        if let Ok(stream) = TcpStream::connect(server.addr) {
            if !plain {
                return Ok(());
            }
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let mut line = String::new();
            if BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("220") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("{} sent no banner within 15 s", server.kind.name()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn vsftpd(
    port: u16,
    passive: &RangeInclusive<u16>,
    dir: &Path,
    tls: Option<ServerTls<'_>>,
    max_rate: Option<u64>,
) -> Result<Command, String> {
    let binary = find(&["/usr/sbin/vsftpd".into()]).ok_or("vsftpd is not installed")?;
    std::fs::create_dir_all("/var/run/vsftpd/empty").map_err(|e| e.to_string())?;
    let conf = dir.join("vsftpd.conf");
    write(
        &conf,
        &(format!(
            "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\nbackground=NO\n\
             anonymous_enable=YES\nanon_root={ANON_DIR}\nno_anon_password=YES\nlocal_enable=YES\nwrite_enable=YES\n\
             local_umask=022\npasv_enable=YES\npasv_min_port={}\npasv_max_port={}\nseccomp_sandbox=NO\n\
             secure_chroot_dir=/var/run/vsftpd/empty\nftp_username=ftp\npam_service_name=vsftpd\n\
             xferlog_enable=NO\nuse_localtime=NO\nmdtm_write=YES\ncheck_shell=NO\n",
            passive.start(),
            passive.end()
        ) + &tls.map_or(String::new(), |t| {
            format!(
                "ssl_enable=YES\nrsa_cert_file={}\nrsa_private_key_file={}\nrequire_ssl_reuse=YES\n\
                 force_local_logins_ssl=YES\nforce_local_data_ssl=YES\nallow_anon_ssl=NO\nimplicit_ssl={}\n",
                t.pki.cert().display(),
                t.pki.key().display(),
                if t.implicit { "YES" } else { "NO" }
            ) + &if t.client_certs {
                format!(
                    "require_cert=YES\nvalidate_cert=YES\nca_certs_file={}\n",
                    t.pki.ca().display()
                )
            } else {
                String::new()
            }
        }) + &max_rate.map_or(String::new(), |rate| format!("local_max_rate={rate}\n"))),
    )?;
    let mut c = Command::new(binary);
    c.arg(conf);
    Ok(c)
}

fn pure_ftpd(port: u16, passive: &RangeInclusive<u16>, tls: Option<ServerTls<'_>>) -> Result<Command, String> {
    let binary = find(&[
        servers_dir().join("pure-ftpd/usr/sbin/pure-ftpd"),
        "/usr/sbin/pure-ftpd".into(),
    ])
    .ok_or("pure-ftpd is not installed (run .ci/install-ftp-servers)")?;
    let mut c = Command::new(binary);
    c.args(["-S", &format!("127.0.0.1,{port}"), "-l", "unix", "-H", "-p"])
        .arg(format!("{}:{}", passive.start(), passive.end()));
    if let Some(t) = tls {
        if t.implicit {
            return Err("pure-ftpd offers explicit TLS only".into());
        }
        // 2: cleartext logins are refused.
        c.args(["-Y", "2", "-2"])
            .arg(format!("{},{}", t.pki.cert().display(), t.pki.key().display()));
    }
    Ok(c)
}

fn proftpd(
    port: u16,
    passive: &RangeInclusive<u16>,
    dir: &Path,
    tls: Option<ServerTls<'_>>,
) -> Result<Command, String> {
    let binary = find(&[
        servers_dir().join("proftpd/usr/sbin/proftpd"),
        "/usr/sbin/proftpd".into(),
    ])
    .ok_or("proftpd is not installed (run .ci/install-ftp-servers)")?;
    // Scoreboard and pid files may not live in a world-writable directory.
    let run = PathBuf::from(format!("/run/proftpd-interop-{port}"));
    std::fs::create_dir_all(&run).map_err(|e| e.to_string())?;
    let conf = dir.join("proftpd.conf");
    write(
        &conf,
        &(format!(
            "ServerType standalone\nServerName \"proftpd interop\"\nPort {port}\nDefaultAddress 127.0.0.1\n\
             UseIPv6 off\nUser nobody\nGroup nogroup\nWtmpLog off\nDelayTable none\n\
             ScoreboardFile {run}/scoreboard\nPidFile {run}/pid\nPassivePorts {} {}\nRequireValidShell off\n\
             AllowOverwrite on\nAllowStoreRestart on\nAuthOrder mod_auth_unix.c\nTimesGMT on\nUmask 022\n\
             <Anonymous {ANON_DIR}>\n  User ftp\n  Group nogroup\n  UserAlias anonymous ftp\n  \
             RequireValidShell off\n  <Limit WRITE>\n    DenyAll\n  </Limit>\n</Anonymous>\n",
            passive.start(),
            passive.end(),
            run = run.display()
        ) + &proftpd_modules(&binary, tls)?),
    )?;
    let mut c = Command::new(binary);
    c.arg("-n").arg("-c").arg(conf);
    Ok(c)
}

/// The loadable modules, from the unpacked proftpd-mod-crypto: mod_digest
/// always (HASH and XSHA256 and its kin), and with `tls` mod_tls: session
/// reuse on data connections is required by default, login and data must
/// be secured (`auth+data`), and the control connection may be cleared
/// with CCC.
fn proftpd_modules(binary: &Path, tls: Option<ServerTls<'_>>) -> Result<String, String> {
    let modules = binary
        .parent()
        .and_then(Path::parent)
        .map(|usr| usr.join("lib/proftpd"))
        .filter(|m| m.join("mod_tls.so").is_file() && m.join("mod_digest.so").is_file())
        .ok_or("proftpd's mod_tls and mod_digest are not installed (proftpd-mod-crypto)")?;
    let mut conf = format!(
        "ModulePath {}\nLoadModule mod_digest.c\nDigestEngine on\n",
        modules.display()
    );
    if let Some(t) = tls {
        conf += &format!(
            "LoadModule mod_tls.c\nTLSEngine on\nTLSRequired auth+data\nTLSProtocol TLSv1.2 TLSv1.3\n\
             TLSECCertificateFile {}\nTLSECCertificateKeyFile {}\n{}",
            t.pki.cert().display(),
            t.pki.key().display(),
            if t.implicit { "TLSOptions UseImplicitSSL\n" } else { "" }
        );
    }
    Ok(conf)
}

/// inetutils ftpd runs from inetd; `servers/inetd.py` plays inetd on `port`.
fn inetutils(port: u16) -> Result<Command, String> {
    let binary = find(&[servers_dir().join("inetutils/usr/sbin/ftpd"), "/usr/sbin/ftpd".into()])
        .ok_or("inetutils ftpd is not installed (run .ci/install-ftp-servers)")?;
    let launcher = Path::new(env!("CARGO_MANIFEST_DIR")).join("servers/inetd.py");
    let mut c = Command::new("python3");
    c.arg(launcher)
        .arg(port.to_string())
        .arg(binary)
        .args(["-a", "default"]);
    Ok(c)
}

fn pyftpdlib(port: u16, passive: &RangeInclusive<u16>) -> Result<Command, String> {
    let ok = Command::new("python3")
        .args(["-c", "import pyftpdlib"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return Err("pyftpdlib is not installed (pip install pyftpdlib)".into());
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("servers/pyftpd.py");
    let mut c = Command::new("python3");
    c.arg(script).args([
        port.to_string(),
        passive.start().to_string(),
        passive.end().to_string(),
        USER.into(),
        PASSWORD.into(),
        USER_HOME.into(),
        ANON_DIR.into(),
    ]);
    Ok(c)
}
