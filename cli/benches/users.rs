//! The user-level benchmark: `wftp` beside curl, lftp and Python's ftplib,
//! each run as a user runs it (one process per job) against vsftpd on
//! loopback, rounds interleaved, medians compared as ratios in one table.
//!
//! `cargo bench -p wftp --bench users`. Needs vsftpd and the
//! `ftpinterop` user (`.ci/install-ftp-servers`), openssl, and whichever of
//! curl, lftp and python3 are installed (a missing peer is a blank column).
//! `BENCH_MIB` (default 1024; FTPS rows a quarter of it), `BENCH_ROUNDS`
//! (5), `BENCH_SMALL` (200 files) and `BENCH_LIST` (10 000 names) size it.
//! `BENCH_ROWS=mirror,a connection` runs only the rows whose label has one
//! of those words. The rate-limited rows fetch the `BENCH_MIB` file from a second vsftpd
//! that holds each connection to `BENCH_RATE_MIB` MiB/s (default 64): one
//! stream, then four segments (wftp `--segments 4`, lftp `pget -n 4`).
//! The mirror-again rows copy a tree of `BENCH_TREE` files (10 000) once,
//! then time a second run with nothing changed, wftp with `--journal` and
//! without, lftp beside it.

use host_tests::interop::{self, Kind, RealServer, ServerTls};
use host_tests::pki::TestPki;
use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;
/// `wftp-tls-inside` is wftp running the self-contained build (rustls in
/// the component), on the FTPS rows only; the peers follow.
const TOOLS: [&str; 5] = ["wftp", "wftp-tls-inside", "curl", "lftp", "ftplib"];

/// The self-contained build, which `ftp-host`'s build script makes.
const SELF_CONTAINED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../target/guest/wasm32-wasip2/guest/ftp_client.wasm"
);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One server, its credentials and the tree the rows read and write.
struct Site {
    server: RealServer,
    root: String,
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!(
            "ftp://{}:{}@{}/{}/{path}",
            interop::USER,
            interop::PASSWORD,
            self.server.addr,
            self.root
        )
    }
}

/// What a row measures, so each tool can be told how to do it.
#[derive(Clone, Copy)]
enum Job {
    Get {
        to_file: bool,
    },
    Put,
    SmallEach,
    SmallOnce,
    List,
    Startup,
    /// A whole directory copied down over 4 sessions: `small/` or `four/`.
    Mirror {
        dir: &'static str,
    },
    /// The big file, to a file, from the rate-limited server in this many
    /// segments (1: one stream, every tool).
    Limited {
        segments: u32,
    },
    /// A second mirror of `tree/` (`BENCH_TREE` files, nothing changed
    /// since the first, which primes it), with wftp's journal or without.
    Remirror {
        journal: bool,
    },
}

struct Row {
    label: String,
    job: Job,
    tls: bool,
    /// Bytes moved, for a MiB/s figure; `None` prints seconds.
    bytes: Option<u64>,
}

struct Bench {
    plain: Site,
    secure: Site,
    /// vsftpd holding each data connection to a rate.
    limited: Site,
    ca: PathBuf,
    scratch: tempfile::TempDir,
    home: PathBuf,
    small: u64,
}

/// Runs `command` to its end: wall time and peak resident memory (KiB).
fn run(mut command: Command) -> Result<(Duration, u64), String> {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut status = 0;
    // SAFETY: a rusage is plain integers, for which zero is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let stderr = child.stderr;
    // SAFETY: plain FFI: waits for our own child and fills `usage`.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        let mut text = String::new();
        if let Some(mut e) = stderr {
            let _ = std::io::Read::read_to_string(&mut e, &mut text);
        }
        return Err(format!("exit {}: {}", libc::WEXITSTATUS(status), text.trim()));
    }
    Ok((elapsed, usage.ru_maxrss as u64))
}

impl Bench {
    fn site(&self, tls: bool) -> &Site {
        if tls {
            &self.secure
        } else {
            &self.plain
        }
    }

    fn local(&self, name: &str) -> PathBuf {
        self.scratch.path().join(name)
    }

    /// The command `tool` runs for `job`, or `None` where it has no way.
    fn command(&self, tool: &str, job: Job, tls: bool) -> Option<Command> {
        let site = match job {
            Job::Limited { .. } => &self.limited,
            _ => self.site(tls),
        };
        let big = if tls { "tls.bin" } else { "big.bin" };
        let source = self.local(if tls { "tls-source.bin" } else { "source.bin" });
        let out = self.local("out");
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).ok()?;
        match tool {
            "wftp" | "wftp-tls-inside" => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_wftp"));
                c.env("HOME", &self.home).arg("-q");
                if tool == "wftp-tls-inside" {
                    if !tls {
                        return None;
                    }
                    c.args(["--component", SELF_CONTAINED]);
                }
                if tls {
                    c.arg("--tls").arg("--cacert").arg(&self.ca);
                }
                match job {
                    Job::Get { to_file } => {
                        c.args(["get", &site.url(big)]);
                        c.arg(if to_file { out.join("big") } else { "-".into() });
                    }
                    Job::Put => {
                        c.arg("put").arg(source).arg(site.url("up/put.bin"));
                    }
                    Job::SmallEach => {
                        c.args(["get", &site.url("small/f001.bin")]).arg(&out);
                    }
                    Job::SmallOnce => {
                        c.args(["get", &site.url("small/*.bin")]).arg(&out);
                    }
                    Job::List => {
                        c.args(["ls", &site.url("list/")]);
                    }
                    Job::Startup => {
                        c.args(["ls", &site.url("empty/")]);
                    }
                    Job::Mirror { dir } => {
                        c.args(["mirror", "-P", "4", &site.url(&format!("{dir}/"))])
                            .arg(out.join(dir));
                    }
                    Job::Limited { segments } => {
                        c.arg("get");
                        if segments > 1 {
                            c.args(["--segments", &segments.to_string()]);
                        }
                        c.arg(site.url(big)).arg(out.join("big"));
                    }
                    Job::Remirror { journal } => {
                        let copy = self.local(if journal { "tree-journal" } else { "tree-wftp" });
                        c.args(["mirror", "-P", "4"]);
                        if journal {
                            c.arg("--journal").arg(self.local("tree.journal"));
                        }
                        c.arg(site.url("tree/")).arg(copy);
                    }
                }
                Some(c)
            }
            "curl" => {
                let mut c = Command::new("curl");
                c.args(["-s", "-S"]);
                if tls {
                    c.args(["--ssl-reqd", "--cacert"]).arg(&self.ca);
                }
                match job {
                    Job::Get { to_file } => {
                        c.arg("-o")
                            .arg(if to_file { out.join("big") } else { "/dev/null".into() });
                        c.arg(site.url(big));
                    }
                    Job::Put => {
                        c.arg("-T").arg(source).arg(site.url("up/put.bin"));
                    }
                    Job::SmallEach => {
                        c.arg("-o").arg(out.join("f001.bin")).arg(site.url("small/f001.bin"));
                    }
                    Job::SmallOnce => {
                        c.arg("-o").arg(out.join("#1"));
                        c.arg(site.url(&format!("small/f[001-{:03}].bin", self.small)));
                    }
                    Job::List => {
                        c.arg(site.url("list/"));
                    }
                    Job::Startup => {
                        c.arg(site.url("empty/"));
                    }
                    Job::Mirror { .. } | Job::Remirror { .. } | Job::Limited { segments: 2.. } => return None,
                    Job::Limited { .. } => {
                        c.arg("-o").arg(out.join("big")).arg(site.url(big));
                    }
                }
                Some(c)
            }
            "lftp" => {
                let mut script = format!(
                    "set cmd:fail-exit yes; set xfer:clobber yes; set net:max-retries 1; set ftp:ssl-allow {}; ",
                    if tls { "yes" } else { "no" }
                );
                if tls {
                    let _ = write!(
                        script,
                        "set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set ssl:ca-file {}; ",
                        self.ca.display()
                    );
                }
                let _ = write!(
                    script,
                    "open -u {},{} -p {} {}; cd {}; ",
                    interop::USER,
                    interop::PASSWORD,
                    site.server.addr.port(),
                    site.server.addr.ip(),
                    site.root
                );
                let o = out.display();
                match job {
                    Job::Get { to_file } if to_file => write!(script, "get {big} -o {o}/big"),
                    Job::Get { .. } => write!(script, "get {big} -o /dev/null"),
                    Job::Put => write!(script, "put {} -o up/put.bin", source.display()),
                    Job::SmallEach => write!(script, "get small/f001.bin -o {o}/f001.bin"),
                    Job::SmallOnce => write!(script, "mget -O {o} small/*.bin"),
                    Job::List => write!(script, "cls -1 list/"),
                    Job::Startup => write!(script, "cls -1 empty/"),
                    Job::Mirror { dir } => write!(script, "mirror --parallel=4 {dir} {o}/{dir}"),
                    Job::Limited { segments } => write!(script, "pget -n {segments} {big} -o {o}/big"),
                    Job::Remirror { journal: true } => return None,
                    Job::Remirror { .. } => {
                        write!(script, "mirror --parallel=4 tree {}", self.local("tree-lftp").display())
                    }
                }
                .ok()?;
                let mut c = Command::new("lftp");
                c.env("HOME", &self.home).args(["-c", &script]);
                Some(c)
            }
            "ftplib" => {
                let mut c = Command::new(python());
                c.arg("-c").arg(FTPLIB).arg(if tls { "tls" } else { "plain" });
                c.arg(site.server.addr.ip().to_string())
                    .arg(site.server.addr.port().to_string());
                c.args([interop::USER, interop::PASSWORD, &site.root]).arg(&self.ca);
                match job {
                    Job::Get { to_file } if to_file => c.arg("get").arg(big).arg(out.join("big")),
                    Job::Get { .. } => c.args(["get", big, "/dev/null"]),
                    Job::Put => c.arg("put").arg(source).arg("up/put.bin"),
                    Job::SmallEach => c.arg("get").arg("small/f001.bin").arg(out.join("f001.bin")),
                    Job::SmallOnce => c.arg("mget").arg("small").arg(&out),
                    Job::List => c.args(["list", "list", ""]),
                    Job::Startup => c.args(["list", "empty", ""]),
                    Job::Mirror { .. } | Job::Remirror { .. } | Job::Limited { segments: 2.. } => return None,
                    Job::Limited { .. } => c.arg("get").arg(big).arg(out.join("big")),
                };
                Some(c)
            }
            _ => None,
        }
    }

    /// One measurement (`None` where the tool has no way to do the job);
    /// a many-files-each row runs `small` processes.
    fn measure(&self, tool: &str, row: &Row) -> Option<Result<(Duration, u64), String>> {
        let times = if matches!(row.job, Job::SmallEach) {
            self.small
        } else {
            1
        };
        let mut total = Duration::ZERO;
        let mut peak = 0;
        for _ in 0..times {
            match run(self.command(tool, row.job, row.tls)?) {
                Ok((time, rss)) => {
                    total += time;
                    peak = peak.max(rss);
                }
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok((total, peak)))
    }
}

/// ftplib as its users write it: retrbinary/storbinary with the defaults,
/// and for FTPS the usual subclass that resumes the control connection's
/// TLS session on data connections (vsftpd requires it; ftplib does not).
const FTPLIB: &str = r#"
import ftplib, ssl, sys, os
mode, host, port, user, pw, root, ca, job, a, b = sys.argv[1:11]
class Reusing(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size
if mode == "tls":
    f = Reusing(context=ssl.create_default_context(cafile=ca))
else:
    f = ftplib.FTP()
f.connect(host, int(port))
f.login(user, pw)
if mode == "tls":
    f.prot_p()
f.cwd(root)
if job == "get":
    with open(b, "wb") as out:
        f.retrbinary("RETR " + a, out.write)
elif job == "put":
    with open(a, "rb") as src:
        f.storbinary("STOR " + b, src)
elif job == "mget":
    for name in f.nlst(a):
        with open(os.path.join(b, os.path.basename(name)), "wb") as out:
            f.retrbinary("RETR " + name, out.write)
elif job == "list":
    lines = []
    f.retrlines("LIST " + a, lines.append)
f.quit()
"#;

/// The Python interpreter itself, not a shim (pyenv's costs ~0.2 s a run).
fn python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "python3".into())
    })
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn available(tool: &str) -> bool {
    let probe = match tool {
        "wftp" => return true,
        "wftp-tls-inside" => return Path::new(SELF_CONTAINED).exists(),
        "ftplib" => Command::new(python()).args(["-c", "import ftplib"]).output(),
        other => Command::new(other).arg("--version").output(),
    };
    probe.is_ok_and(|o| o.status.success())
}

fn fill(path: &Path, bytes: u64) {
    let block: Vec<u8> = (0..MIB as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut file = File::create(path).unwrap();
    let mut left = bytes;
    while left > 0 {
        let n = left.min(MIB) as usize;
        file.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
}

fn start(tls: Option<ServerTls<'_>>) -> RealServer {
    interop::start_with(Kind::Vsftpd, tls).unwrap_or_else(|e| panic!("vsftpd: {e} (run .ci/install-ftp-servers)"))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for the list of benchmarks
    }
    let mib = env_or("BENCH_MIB", 1024);
    let rounds = env_or("BENCH_ROUNDS", 5) as usize;
    let small = env_or("BENCH_SMALL", 200);
    let list = env_or("BENCH_LIST", 10_000);
    let four = env_or("BENCH_MIRROR_MIB", 256);
    let rate = env_or("BENCH_RATE_MIB", 64);
    let tree_files = env_or("BENCH_TREE", 10_000);
    let big = mib * MIB;
    let tls_big = (big / 4).max(MIB);

    let pki = TestPki::generate().expect("openssl makes the test certificates");
    let scratch = tempfile::tempdir().unwrap();
    let ca = scratch.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();

    // The remote tree, owned by the user the servers log in as.
    let root = format!("wftp-bench-{}", std::process::id());
    let base = Path::new(interop::USER_HOME).join(&root);
    for dir in ["small", "list", "empty", "up", "four"] {
        std::fs::create_dir_all(base.join(dir)).unwrap();
    }
    fill(&base.join("big.bin"), big);
    fill(&base.join("tls.bin"), tls_big);
    for i in 1..=small {
        fill(&base.join(format!("small/f{i:03}.bin")), 4096);
    }
    for i in 1..=4 {
        fill(&base.join(format!("four/part{i}.bin")), four * MIB);
    }
    for i in 0..list {
        File::create(base.join(format!("list/name-{i:06}.txt"))).unwrap();
    }
    // The remirror tree: a hundred files a leaf directory, the leaves an
    // hour old (as an unchanged tree's are).
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3_600);
    for i in 0..tree_files {
        let dir = base.join(format!("tree/d{:03}", i / 100));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("f{i:05}.txt")), format!("file {i}\n")).unwrap();
    }
    for d in 0..tree_files.div_ceil(100) {
        let dir = base.join(format!("tree/d{d:03}"));
        File::open(&dir).and_then(|f| f.set_modified(hour_ago)).unwrap();
    }
    let chown = Command::new("chown").args(["-R", interop::USER]).arg(&base).status();
    assert!(chown.is_ok_and(|s| s.success()), "chown {}", base.display());

    let secure_tls = ServerTls {
        pki: &pki,
        implicit: false,
        client_certs: false,
    };
    let bench = Bench {
        plain: Site {
            server: start(None),
            root: root.clone(),
        },
        secure: Site {
            server: start(Some(secure_tls)),
            root: root.clone(),
        },
        limited: Site {
            server: interop::start_rate_limited(rate * MIB).unwrap_or_else(|e| panic!("vsftpd: {e}")),
            root,
        },
        ca,
        home,
        small,
        scratch,
    };
    fill(&bench.local("source.bin"), big);
    fill(&bench.local("tls-source.bin"), tls_big);

    let rows = vec![
        row(
            &format!("RETR {mib} MiB to /dev/null"),
            Job::Get { to_file: false },
            false,
            Some(big),
        ),
        row(
            &format!("RETR {mib} MiB to a file"),
            Job::Get { to_file: true },
            false,
            Some(big),
        ),
        row(&format!("STOR {mib} MiB from a file"), Job::Put, false, Some(big)),
        row(
            &format!("FTPS RETR {} MiB", tls_big / MIB),
            Job::Get { to_file: false },
            true,
            Some(tls_big),
        ),
        row(
            &format!("FTPS STOR {} MiB", tls_big / MIB),
            Job::Put,
            true,
            Some(tls_big),
        ),
        row(
            &format!("{small} × 4 KiB, one process each"),
            Job::SmallEach,
            false,
            None,
        ),
        row(&format!("{small} × 4 KiB in one process"), Job::SmallOnce, false, None),
        row(&format!("LIST of {list} names"), Job::List, false, None),
        row("start-up: LIST of an empty dir", Job::Startup, false, None),
        row(
            &format!("mirror {small} × 4 KiB, 4 sessions"),
            Job::Mirror { dir: "small" },
            false,
            None,
        ),
        row(
            &format!("mirror 4 × {four} MiB, 4 sessions"),
            Job::Mirror { dir: "four" },
            false,
            Some(4 * four * MIB),
        ),
        row(
            &format!("RETR {mib} MiB, server at {rate} MiB/s a connection, 1 stream"),
            Job::Limited { segments: 1 },
            false,
            Some(big),
        ),
        row(
            &format!("RETR {mib} MiB, server at {rate} MiB/s a connection, 4 segments"),
            Job::Limited { segments: 4 },
            false,
            Some(big),
        ),
        row(
            &format!("mirror again, {tree_files} files unchanged, 4 sessions"),
            Job::Remirror { journal: false },
            false,
            None,
        ),
        row(
            &format!("mirror again, {tree_files} files unchanged, 4 sessions, wftp --journal"),
            Job::Remirror { journal: true },
            false,
            None,
        ),
    ];
    // BENCH_ROWS=mirror,segments runs only the rows whose label has one
    // of those words.
    let only = std::env::var("BENCH_ROWS").ok();
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|w| r.label.contains(w)))
        })
        .collect();
    let tools: Vec<&str> = TOOLS.into_iter().filter(|t| available(t)).collect();
    // Warm-up: wftp compiles the component once and caches it; a mirror
    // run again first makes its copy (and journal).
    let _ = run(bench.command("wftp", Job::Startup, false).unwrap());
    for row in rows.iter().filter(|r| matches!(r.job, Job::Remirror { .. })) {
        for tool in &tools {
            if let Some(Err(e)) = bench.measure(tool, row) {
                eprintln!("priming {} / {tool}: {e}", row.label);
            }
        }
    }

    let mut times = vec![vec![Vec::new(); tools.len()]; rows.len()];
    let mut errors = vec![vec![None; tools.len()]; rows.len()];
    let mut rss = vec![0u64; tools.len()];
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        for (r, row) in rows.iter().enumerate() {
            for (t, tool) in tools.iter().enumerate() {
                match bench.measure(tool, row) {
                    None => {}
                    Some(Ok((time, peak))) => {
                        times[r][t].push(time);
                        if r == 0 {
                            rss[t] = rss[t].max(peak);
                        }
                    }
                    Some(Err(e)) => errors[r][t] = Some(e),
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&base);
    print_table(&rows, &tools, &times, &errors, &rss, rounds);
}

fn row(label: &str, job: Job, tls: bool, bytes: Option<u64>) -> Row {
    Row {
        label: label.into(),
        job,
        tls,
        bytes,
    }
}

fn print_table(
    rows: &[Row],
    tools: &[&str],
    times: &[Vec<Vec<Duration>>],
    errors: &[Vec<Option<String>>],
    rss: &[u64],
    rounds: usize,
) {
    println!(
        "\nwftp against vsftpd on loopback, medians of {rounds} interleaved rounds; \
         `wftp ×` is the best peer's time over wftp's (≥ 1: wftp level or ahead); \
         wftp-tls-inside runs the self-contained build (rustls in the component)\n"
    );
    let mut header = "| work |".to_string();
    for tool in tools {
        let _ = write!(header, " {tool} |");
    }
    println!("{header} wftp × |");
    println!("|---|{}---|", "---|".repeat(tools.len()));
    let mut notes = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let mut line = format!("| {} |", row.label);
        let medians: Vec<Option<Duration>> = times[r]
            .iter()
            .map(|v| (!v.is_empty()).then(|| median(v.clone())))
            .collect();
        for (t, m) in medians.iter().enumerate() {
            let cell = match (m, &errors[r][t]) {
                (Some(d), _) => match row.bytes {
                    Some(b) => format!("{:.0} MiB/s", b as f64 / MIB as f64 / d.as_secs_f64()),
                    None => format!("{:.3} s", d.as_secs_f64()),
                },
                (None, Some(e)) => {
                    notes.push(format!("{} / {}: {e}", row.label, tools[t]));
                    "failed".into()
                }
                (None, None) => "-".into(),
            };
            let _ = write!(line, " {cell} |");
        }
        let best_peer = medians
            .iter()
            .zip(tools)
            .filter(|(_, tool)| !tool.starts_with("wftp"))
            .filter_map(|(m, _)| *m)
            .min();
        let ratio = match (medians[0], best_peer) {
            (Some(ours), Some(peer)) => format!("{:.2}", peer.as_secs_f64() / ours.as_secs_f64()),
            _ => "-".into(),
        };
        println!("{line} {ratio} |");
    }
    let mut line = "| peak RSS, first row |".to_string();
    for kib in rss {
        match kib {
            0 => line.push_str(" - |"),
            kib => {
                let _ = write!(line, " {:.1} MiB |", *kib as f64 / 1024.0);
            }
        }
    }
    println!("{line} |");
    for note in notes {
        println!("\n{note}");
    }
}
