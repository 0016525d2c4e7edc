//! The languages benchmark: the Python package (`ftp_client`) and the
//! Node.js package (`ftp-client`) beside `wftp`, and the jco route
//! (`compose/node`, run by `.ci/integrations`) for comparison, each downloading and
//! uploading one large file against vsftpd on loopback, rounds
//! interleaved, medians compared as ratios in one table; with how much the
//! Python process's peak memory rose over a run that only connects, and
//! how many of its ticks a 10 ms Python thread (or a Node.js 10 ms timer)
//! kept while the transfer ran. Every copy is checked by SHA-256 after it
//! is timed.
//!
//! `cargo bench -p wftp --bench languages`. Needs vsftpd
//! (.ci/install-ftp-servers) and the packages' release builds: the Python
//! wheel installed in `target/python-bench-venv` (`python3 -m venv
//! target/python-bench-venv && target/python-bench-venv/bin/pip install
//! ./python`, or `BENCH_PYTHON=path/to/python`) and the Node addon (`cargo
//! build --release -p ftp-client-node`); a missing one is a blank column.
//! `BENCH_MIB` (default 256) and `BENCH_ROUNDS` (3) size it.

use host_tests::interop::{self, Kind};
use sha2::{Digest, Sha256};
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A download or an upload of the big file, by one tool.
#[derive(Clone, Copy, PartialEq)]
enum Way {
    Get,
    Put,
    /// Connect and quit (wftp: and list the bench's directory): the
    /// Python memory baseline, and wftp's start-up, which its transfer
    /// times leave out.
    Idle,
}

/// What one run measured.
struct Measured {
    seconds: f64,
    /// Peak resident memory of the process, KiB.
    rss: u64,
    /// Ticks of the 10 ms ticker kept, of those due.
    ticks: Option<f64>,
}

const PYTHON: &str = r#"
import json, sys, threading, time
import ftp_client
way, url, remote, local = sys.argv[1:5]
ticks = 0
stop = threading.Event()
def ticker():
    global ticks
    while not stop.is_set():
        time.sleep(0.01)
        ticks += 1
with ftp_client.connect(url, timeout=60) as ftp:
    thread = threading.Thread(target=ticker)
    start = time.perf_counter()
    thread.start()
    if way == "get":
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        with ftp.open_read(remote) as down, open(local, "wb") as out:
            while (n := down.readinto(buf)):
                out.write(view[:n])
    elif way == "put":
        with ftp.open_write(remote) as up, open(local, "rb") as src:
            while (chunk := src.read(1 << 20)):
                up.write(chunk)
    elapsed = time.perf_counter() - start
    stop.set()
    thread.join()
print(json.dumps({"seconds": elapsed, "ticks": ticks / max(elapsed / 0.01, 1)}))
"#;

const NODE: &str = r#"
const { createReadStream, createWriteStream } = require('node:fs');
const { open } = require('node:fs/promises');
const { pipeline } = require('node:stream/promises');
const ftp = require(process.env.FTP_CLIENT_NODE);
const [way, url, remote, local] = process.argv.slice(1);
(async () => {
  const s = await ftp.connect(url, { timeout: 60 });
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 10);
  const start = process.hrtime.bigint();
  if (way === 'get-stream') {
    await pipeline((await s.openRead(remote)).stream(), createWriteStream(local));
  } else if (way === 'get') {
    // As the Python case does: one buffer, filled and written in turn.
    const down = await s.openRead(remote);
    const out = await open(local, 'w');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = await down.readInto(buf)) > 0;) await out.write(buf, 0, n);
    await down.finish();
    await out.close();
  } else {
    const up = await s.openWrite(remote);
    await pipeline(createReadStream(local, { highWaterMark: 1 << 20 }), up.stream());
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  await s.quit();
  console.log(JSON.stringify({ seconds, ticks: ticks / Math.max(seconds / 0.01, 1) }));
})().catch((e) => { console.error(e); process.exit(1); });
"#;

/// The jco route (compose/node), for the design's comparison: the
/// component transpiled, its wasi imports served by preview2-shim.
const JCO: &str = r#"
import { openSync, writeSync, readSync, closeSync } from 'node:fs';
const { client } = await import(process.env.FTP_CLIENT_JCO);
const [way, url, remote, local] = process.argv.slice(1);
const u = new URL(url);
const options = { connectTimeoutMs: 60000, replyTimeoutMs: 60000, dataTimeoutMs: 60000, transferTimeoutMs: undefined,
  lowSpeed: undefined, trustPasvHost: false, maxLineLength: undefined, tls: undefined, encoding: undefined, sourceAddress: undefined };
const s = client.Session.connect(u.hostname, Number(u.port), options);
s.login(decodeURIComponent(u.username), decodeURIComponent(u.password), undefined);
let ticks = 0;
const timer = setInterval(() => { ticks += 1; }, 10);
const start = process.hrtime.bigint();
if (way === 'get') {
  const out = openSync(local, 'w');
  const down = s.retrieve(remote, 0n);
  for (let chunk; (chunk = down.read(1 << 20)) !== undefined;) writeSync(out, chunk);
  down.finish();
  down[Symbol.dispose]();
  closeSync(out);
} else {
  const src = openSync(local, 'r');
  const buf = Buffer.alloc(1 << 20);
  const up = s.store(remote, 'replace');
  for (let n; (n = readSync(src, buf)) > 0;) up.write(buf.subarray(0, n));
  up.finish();
  up[Symbol.dispose]();
  closeSync(src);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
// The timer's ticks that ran during the transfer: let the due ones fire first.
await new Promise((resolve) => setImmediate(resolve));
const kept = ticks;
clearInterval(timer);
s.quit();
console.log(JSON.stringify({ seconds, ticks: kept / Math.max(seconds / 0.01, 1) }));
"#;

/// Runs `command`: its stdout, and the process's peak RSS (KiB).
fn run(mut command: Command) -> Result<(String, Duration, u64), String> {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut out);
    }
    let mut status = 0;
    // SAFETY: a rusage is plain integers, for which zero is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: plain FFI: waits for our own child and fills `usage`.
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    if waited < 0 || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.read_to_string(&mut err);
        }
        return Err(format!("exit {}: {}", libc::WEXITSTATUS(status), err.trim()));
    }
    Ok((out, elapsed, usage.ru_maxrss as u64))
}

fn field(json: &str, name: &str) -> Option<f64> {
    let key = format!("\"{name}\":");
    let at = json.find(&key)? + key.len();
    let rest = &json[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

struct Bench {
    url: String,
    root: String,
    scratch: tempfile::TempDir,
    python: Option<PathBuf>,
    node: Option<PathBuf>,
    jco: Option<PathBuf>,
}

impl Bench {
    fn local(&self, name: &str) -> PathBuf {
        self.scratch.path().join(name)
    }

    fn measure(&self, tool: &str, way: Way) -> Option<Result<Measured, String>> {
        let remote_get = format!("{}/big.bin", self.root);
        let remote_put = format!("{}/up-{tool}.bin", self.root);
        let (remote, local) = match way {
            Way::Get | Way::Idle => (remote_get, self.local(&format!("got-{}.bin", tool.replace(' ', "-")))),
            Way::Put => (remote_put, self.local("source.bin")),
        };
        let way_name = match way {
            Way::Get => "get",
            Way::Put => "put",
            Way::Idle => "idle",
        };
        let command = match tool {
            "wftp" => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_wftp"));
                c.arg("-q");
                let url = format!("{}{}", self.url, remote);
                match way {
                    Way::Get => c.arg("get").arg(&url).arg(&local),
                    Way::Put => c.arg("put").arg(&local).arg(&url),
                    Way::Idle => c.arg("ls").arg(format!("{}{}/", self.url, self.root)),
                };
                c
            }
            "python" => {
                let mut c = Command::new(self.python.as_ref()?);
                c.args(["-c", PYTHON, way_name, &self.url, &remote]).arg(&local);
                c
            }
            "jco" => {
                if way == Way::Idle {
                    return None;
                }
                let mut c = Command::new("node");
                c.env("FTP_CLIENT_JCO", self.jco.as_ref()?);
                c.args(["--input-type=module", "-e", JCO, "--", way_name, &self.url, &remote])
                    .arg(&local);
                c
            }
            "node" | "node stream" => {
                let way_name = match (way, tool) {
                    (Way::Idle, _) | (Way::Put, "node stream") => return None,
                    (Way::Get, "node stream") => "get-stream",
                    _ => way_name,
                };
                let mut c = Command::new("node");
                c.env("FTP_CLIENT_NODE", self.node.as_ref()?);
                c.args(["-e", NODE, "--", way_name, &self.url, &remote]).arg(&local);
                c
            }
            _ => return None,
        };
        Some(run(command).map(|(out, elapsed, rss)| Measured {
            seconds: field(&out, "seconds").unwrap_or(elapsed.as_secs_f64()),
            rss,
            ticks: field(&out, "ticks"),
        }))
    }
}

/// The Node package with the release addon, assembled in `scratch` (the
/// checkout's `node/ftp-client.node` may be the tests' dev build).
fn node_package(repo: &Path, scratch: &Path) -> Option<PathBuf> {
    let addon = repo.join("target/release/libftp_client_node.so");
    let package = scratch.join("node-package");
    std::fs::create_dir_all(&package).ok()?;
    std::fs::copy(&addon, package.join("ftp-client.node")).ok()?;
    std::fs::copy(repo.join("node/index.js"), package.join("index.js")).ok()?;
    Some(package.join("index.js"))
}

fn sha256_file(path: &Path) -> Vec<u8> {
    let mut file = std::fs::File::open(path).unwrap();
    let mut digest = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf).unwrap() {
            0 => return digest.finalize().to_vec(),
            n => digest.update(&buf[..n]),
        }
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for the list of benchmarks
    }
    let mib = env_or("BENCH_MIB", 256);
    let rounds = env_or("BENCH_ROUNDS", 3) as usize;
    let server = interop::start_with(Kind::Vsftpd, None).unwrap_or_else(|e| panic!("vsftpd: {e}"));
    let root = format!("languages-bench-{}", std::process::id());
    let base = Path::new(interop::USER_HOME).join(&root);
    std::fs::create_dir_all(&base).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let block: Vec<u8> = (0..MIB as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for path in [base.join("big.bin"), scratch.path().join("source.bin")] {
        let mut f = std::fs::File::create(path).unwrap();
        for _ in 0..mib {
            f.write_all(&block).unwrap();
        }
    }
    let chown = Command::new("chown").args(["-R", interop::USER]).arg(&base).status();
    assert!(chown.is_ok_and(|s| s.success()));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = std::env::var_os("BENCH_PYTHON")
        .map(PathBuf::from)
        .or_else(|| Some(repo.join("target/python-bench-venv/bin/python")))
        .filter(|p| p.exists());
    let node = node_package(&repo, scratch.path());
    let jco = Some(repo.join("compose/node/generated/ftp-client/ftp_client.js")).filter(|p| p.exists());
    let bench = Bench {
        url: format!("ftp://{}:{}@{}/", interop::USER, interop::PASSWORD, server.addr),
        root,
        scratch,
        python,
        node,
        jco,
    };
    let tools = ["wftp", "python", "node", "node stream", "jco"];
    let ways = [(Way::Get, "RETR"), (Way::Put, "STOR")];
    let want = sha256_file(&bench.local("source.bin"));
    let mut seconds = vec![vec![Vec::new(); tools.len()]; ways.len()];
    let mut ticks = vec![vec![Vec::new(); tools.len()]; ways.len()];
    let mut rss = vec![vec![0u64; tools.len()]; ways.len()];
    let mut idle_rss = 0u64;
    let mut wftp_idle = Vec::new();
    let mut failures = Vec::new();
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        if let Some(Ok(m)) = bench.measure("python", Way::Idle) {
            idle_rss = idle_rss.max(m.rss);
        }
        if let Some(Ok(m)) = bench.measure("wftp", Way::Idle) {
            wftp_idle.push(m.seconds);
        }
        for (w, (way, _)) in ways.iter().enumerate() {
            for (t, tool) in tools.iter().enumerate() {
                match bench.measure(tool, *way) {
                    None => {}
                    Some(Err(e)) => failures.push(format!("{tool} {}: {e}", w)),
                    Some(Ok(m)) => {
                        let copy = match way {
                            Way::Get => bench.local(&format!("got-{}.bin", tool.replace(' ', "-"))),
                            _ => base.join(format!("up-{tool}.bin")),
                        };
                        if sha256_file(&copy) != want {
                            failures.push(format!("{tool}: {} differs by SHA-256", copy.display()));
                            continue;
                        }
                        let _ = std::fs::remove_file(&copy);
                        seconds[w][t].push(m.seconds);
                        if let Some(k) = m.ticks {
                            ticks[w][t].push(k);
                        }
                        rss[w][t] = rss[w][t].max(m.rss);
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&base);
    // wftp's times are its whole run less a run that only connects and
    // lists (which also leaves out its transfer's setup: in its favour);
    // the packages time the transfer itself.
    let start_up = median(wftp_idle).unwrap_or(0.0);
    println!(
        "\n{mib} MiB against vsftpd on loopback, medians of {rounds} interleaved rounds; `× wftp` is the \
         tool's throughput over wftp's (wftp's run less its start-up, {start_up:.2} s: connecting and listing); ticks: the share of a 10 ms ticker's ticks kept while the transfer ran \
         (a Python thread, a Node.js setInterval); each copy checked by SHA-256\n"
    );
    let heads: Vec<String> = tools[1..].iter().map(|t| format!("{t} | × wftp | {t} ticks")).collect();
    println!("| work | wftp | {} |", heads.join(" | "));
    println!("|---|---|{}", "---|---|---|".repeat(tools.len() - 1));
    for (w, (_, label)) in ways.iter().enumerate() {
        let rate = |t: usize| {
            let s = median(seconds[w][t].clone())?;
            Some(mib as f64 / if t == 0 { (s - start_up).max(1e-3) } else { s })
        };
        let cell = |t: usize| rate(t).map_or("-".into(), |r| format!("{r:.0} MiB/s"));
        let ratio = |t: usize| match (rate(t), rate(0)) {
            (Some(r), Some(ours)) => format!("{:.2}", r / ours),
            _ => "-".into(),
        };
        let tick = |t: usize| median(ticks[w][t].clone()).map_or("-".into(), |k| format!("{:.0} %", k * 100.0));
        let columns: Vec<String> = (1..tools.len()).flat_map(|t| [cell(t), ratio(t), tick(t)]).collect();
        println!("| {label} {mib} MiB | {} | {} |", cell(0), columns.join(" | "));
    }
    let python_peak = rss[0][1];
    if python_peak > 0 && idle_rss > 0 {
        println!(
            "\nPython peak RSS: {:.1} MiB downloading, {:.1} MiB connecting only: the download raised it by {:.1} MiB",
            python_peak as f64 / 1024.0,
            idle_rss as f64 / 1024.0,
            python_peak.saturating_sub(idle_rss) as f64 / 1024.0
        );
    }
    for failure in failures {
        println!("\nfailed: {failure}");
    }
}
