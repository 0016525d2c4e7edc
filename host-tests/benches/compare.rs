//! `cargo bench -p host-tests --bench compare`: one table, every row measured
//! in the same run against the same in-process source/sink server on
//! loopback: the component (chunked calls, and its data stream handed to the
//! host), curl, Python's ftplib, suppaftp (native Rust) and a plain TCP copy
//! (the ceiling). Medians of BENCH_RUNS runs (default 3); the many-files rows
//! run once each, after the previous rows' TIME_WAIT ports drain. BENCH_BYTES
//! sets the big transfer (default 1 GiB), BENCH_FILES the small-file count
//! (default 10 000).

use bytes::Bytes;
use ftp_client::proto::encoding::Encoding;
use ftp_client::proto::listing::parse_listing;
use ftp_client::proto::time::Timestamp;
use host_tests::bench_server::{listing, BenchServer};
use host_tests::{default_options, Client, Runtime, SessionHandle, StoreMode};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Runs `f` `runs` times; each returns seconds (or None if the tool is missing).
fn measure(runs: u64, mut f: impl FnMut() -> Option<f64>) -> Option<f64> {
    let mut samples = Vec::new();
    for _ in 0..runs {
        samples.push(f()?);
    }
    Some(median(samples))
}

/// Sockets in TIME_WAIT on this machine (Linux), if it says.
fn time_wait_sockets() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let tcp = stat.lines().find(|l| l.starts_with("TCP:"))?;
    let mut words = tcp.split_whitespace();
    words.find(|w| *w == "tw")?;
    words.next()?.parse().ok()
}

/// Runs a many-files row once, after earlier rows' ports have drained:
/// loopback has about 28 000 ephemeral ports and every transfer holds two
/// of them in TIME_WAIT for a minute, so back-to-back rows of 10 000
/// transfers would stall on port reuse and measure that instead.
fn once_ports_free(f: impl FnMut() -> Option<f64>) -> Option<f64> {
    let start = Instant::now();
    while time_wait_sockets().is_some_and(|n| n > 1000) && start.elapsed() < Duration::from_secs(90) {
        std::thread::sleep(Duration::from_secs(1));
    }
    measure(1, f)
}

fn timed(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

/// One row: operation, client, median seconds, rate, ratio to the group's first row.
struct Row {
    op: String,
    client: String,
    secs: Option<f64>,
    rate: String,
    ratio: Option<f64>,
}

struct Table {
    rows: Vec<Row>,
}

impl Table {
    /// A group of rows for one operation. The first row is ours and the
    /// base of the ratio column: a peer's time over ours, so above 1 means
    /// we are faster.
    fn group(&mut self, op: &str, bytes: Option<u64>, results: Vec<(&str, Option<f64>)>) {
        let ours = results.first().and_then(|(_, t)| *t);
        for (client, secs) in results {
            let rate = match (bytes, secs) {
                (Some(b), Some(s)) => format!("{:.0} MiB/s", b as f64 / f64::from(1 << 20) / s),
                _ => String::new(),
            };
            let ratio = ours.zip(secs).map(|(o, s)| s / o);
            self.rows.push(Row {
                op: op.to_string(),
                client: client.to_string(),
                secs,
                rate,
                ratio,
            });
        }
    }

    fn print(&self) {
        println!("| operation | client | median | rate | time ÷ first row |");
        println!("|---|---|---|---|---|");
        for row in &self.rows {
            let t = row.secs.map_or("n/a".to_string(), fmt_secs);
            let r = row.ratio.map_or(String::new(), |r| format!("{r:.2}"));
            println!("| {} | {} | {t} | {} | {r} |", row.op, row.client, row.rate);
        }
    }
}

fn fmt_secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

fn component_session(rt: &Runtime, server: &BenchServer) -> (Client, SessionHandle) {
    let mut c = Client::new(rt, server.grant()).expect("instantiate");
    let s = c
        .connect("127.0.0.1", server.addr().port(), &default_options())
        .expect("connect");
    c.login(s, Some("u"), Some("p")).expect("login");
    (c, s)
}

fn component_retr(c: &mut Client, s: SessionHandle, name: &str, chunk: u32) -> u64 {
    let t = c.retrieve(s, name, 0).expect("retrieve");
    let mut total = 0u64;
    while let Some(bytes) = c.read(t, chunk).expect("read") {
        total += bytes.len() as u64;
    }
    c.finish_retrieve(t).expect("finish");
    c.drop_resource(t).expect("drop");
    total
}

fn component_stor(c: &mut Client, s: SessionHandle, name: &str, size: u64, block: &[u8]) {
    let t = c.store(s, name, StoreMode::Replace).expect("store");
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        c.write(t, &block[..n]).expect("write");
        left -= n as u64;
    }
    c.finish_store(t).expect("finish");
    c.drop_resource(t).expect("drop");
}

/// RETR with the data stream handed to the host, read natively.
fn component_retr_stream(c: &mut Client, s: SessionHandle, name: &str) -> u64 {
    let t = c.retrieve(s, name, 0).expect("retrieve");
    let input = c.data_in(t).expect("data stream");
    let mut total = 0u64;
    while let Some(bytes) = c.read_data(&input, 1 << 20).expect("read") {
        total += bytes.len() as u64;
    }
    c.close_data_in(input).expect("close");
    c.finish_retrieve(t).expect("finish");
    c.drop_resource(t).expect("drop");
    total
}

/// STOR with the data stream handed to the host, written natively.
fn component_stor_stream(c: &mut Client, s: SessionHandle, name: &str, size: u64, block: &Bytes) {
    let t = c.store(s, name, StoreMode::Replace).expect("store");
    let out = c.data_out(t).expect("data stream");
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        c.write_data(&out, block.slice(..n)).expect("write");
        left -= n as u64;
    }
    c.close_data_out(out).expect("close");
    c.finish_store(t).expect("finish");
    c.drop_resource(t).expect("drop");
}

/// A session through `ftp-host`'s typed API.
fn host_session(rt: &Runtime, server: &BenchServer) -> ftp_host::Session {
    let options = ftp_host::Options::new("127.0.0.1")
        .port(server.addr().port())
        .login("u", "p");
    rt.connect(options).expect("connect")
}

/// RETR through `Download` as `io::Read`, as an application would.
fn host_retr(session: &mut ftp_host::Session, name: &str) -> u64 {
    let mut download = session.retrieve(name).expect("retrieve");
    let n = std::io::copy(&mut download, &mut std::io::sink()).expect("copy");
    download.finish().expect("finish");
    n
}

/// STOR of a file through `Upload` as `io::Write`.
fn host_stor(session: &mut ftp_host::Session, path: &std::path::Path) -> u64 {
    let mut file = std::fs::File::open(path).expect("open");
    let mut upload = session.store("up.bin").expect("store");
    let n = std::io::copy(&mut file, &mut upload).expect("copy");
    upload.finish().expect("finish");
    n
}

fn suppaftp_session(addr: SocketAddr) -> suppaftp::FtpStream {
    let mut f = suppaftp::FtpStream::connect(addr).expect("suppaftp connect");
    f.set_mode(suppaftp::Mode::ExtendedPassive);
    f.login("u", "p").expect("suppaftp login");
    f.transfer_type(suppaftp::types::FileType::Binary).expect("type");
    f
}

fn suppaftp_retr(f: &mut suppaftp::FtpStream, name: &str) -> u64 {
    let mut stream = f.retr_as_stream(name).expect("retr");
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = stream.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    stream.finish().expect("finish");
    total
}

fn suppaftp_stor(f: &mut suppaftp::FtpStream, name: &str, size: u64, block: &[u8]) {
    let mut stream = f.put_with_stream(name).expect("stor");
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        stream.write_all(&block[..n]).expect("write");
        left -= n as u64;
    }
    stream.finish().expect("finish");
}

/// Runs a Python snippet that prints its own elapsed seconds (startup excluded).
fn python(script: &str) -> Option<f64> {
    let out = Command::new("python3").args(["-c", script]).output().ok()?;
    if !out.status.success() {
        eprintln!("python: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn ftplib(port: u16, body: &str) -> Option<f64> {
    python(&format!(
        "import ftplib, time\nf = ftplib.FTP()\nf.connect('127.0.0.1', {port})\nf.login('u', 'p')\n\
         f.voidcmd('TYPE I')\nt = time.perf_counter()\n{body}\nprint(time.perf_counter() - t)\n"
    ))
}

fn curl(args: &[&str]) -> Option<f64> {
    let start = Instant::now();
    let status = Command::new("curl")
        .args(["-s", "-S", "--user", "u:p"])
        .args(args)
        .status()
        .ok()?;
    status.success().then(|| start.elapsed().as_secs_f64())
}

/// The ceiling: the same bytes over a plain loopback socket, native code.
fn raw_tcp(size: u64) -> f64 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let writer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        let block = vec![0x5au8; 1 << 20];
        let mut left = size;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            s.write_all(&block[..n]).expect("write");
            left -= n as u64;
        }
    });
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).expect("connect");
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    while total < size {
        let n = s.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    writer.join().expect("writer");
    secs
}

fn main() {
    let runs = env_or("BENCH_RUNS", 3);
    let size = env_or("BENCH_BYTES", 1 << 30);
    let files = env_or("BENCH_FILES", 10_000);
    let server = BenchServer::start().expect("bench server");
    let port = server.addr().port();
    let big = format!("{size}.bin");
    let block = vec![0x5au8; 1 << 20];
    let shared_block = Bytes::from(block.clone());
    let mut table = Table { rows: Vec::new() };

    let compile = || drop(Runtime::builder().no_cache().build().expect("compile"));
    let cold = measure(runs, || Some(timed(compile))).unwrap_or(0.0);
    let cache = tempfile::tempdir().expect("cache dir");
    let from_cache = || drop(Runtime::builder().cache_dir(cache.path()).build().expect("load"));
    from_cache();
    let cached = measure(runs, || Some(timed(from_cache))).unwrap_or(0.0);
    let rt = Runtime::builder().no_cache().build().expect("compile");
    let mut warm: Vec<f64> = (0..200)
        .map(|_| timed(|| drop(Client::new(&rt, server.grant()).expect("instantiate"))))
        .collect();
    let warm = median(std::mem::take(&mut warm));
    table.group("component compile (cold start)", None, vec![("component", Some(cold))]);
    table.group(
        "component load from the on-disk code cache",
        None,
        vec![("component", Some(cached))],
    );
    table.group(
        "instantiate from InstancePre (warm)",
        None,
        vec![("component", Some(warm))],
    );

    // Big transfers.
    let upload = tempfile::NamedTempFile::new().expect("temp file");
    {
        let mut f = upload.reopen().expect("reopen");
        let mut left = size;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            f.write_all(&block[..n]).expect("fill");
            left -= n as u64;
        }
    }
    let upload_path = upload.path().to_string_lossy().into_owned();
    let (mut c, s) = component_session(&rt, &server);
    let url = format!("ftp://127.0.0.1:{port}/{big}");
    let up_url = format!("ftp://127.0.0.1:{port}/up.bin");
    table.group(
        &format!("RETR {} MiB", size >> 20),
        Some(size),
        vec![
            (
                "component, data-stream",
                measure(runs, || {
                    Some(timed(|| assert_eq!(component_retr_stream(&mut c, s, &big), size)))
                }),
            ),
            (
                "component, read(1 MiB)",
                measure(runs, || {
                    Some(timed(|| assert_eq!(component_retr(&mut c, s, &big, 1 << 20), size)))
                }),
            ),
            ("ftp-host Download, io::copy", {
                let mut session = host_session(&rt, &server);
                measure(runs, || Some(timed(|| assert_eq!(host_retr(&mut session, &big), size))))
            }),
            ("curl", measure(runs, || curl(&["-o", "/dev/null", &url]))),
            (
                "ftplib",
                measure(runs, || {
                    ftplib(port, &format!("f.retrbinary('RETR {big}', lambda b: None)"))
                }),
            ),
            ("suppaftp", {
                let mut f = suppaftp_session(server.addr());
                measure(runs, || Some(timed(|| assert_eq!(suppaftp_retr(&mut f, &big), size))))
            }),
            ("raw TCP (ceiling)", measure(runs, || Some(raw_tcp(size)))),
        ],
    );
    table.group(
        &format!("STOR {} MiB", size >> 20),
        Some(size),
        vec![
            (
                "component, data-stream",
                measure(runs, || {
                    Some(timed(|| {
                        component_stor_stream(&mut c, s, "up.bin", size, &shared_block)
                    }))
                }),
            ),
            (
                "component, write(1 MiB)",
                measure(runs, || {
                    Some(timed(|| component_stor(&mut c, s, "up.bin", size, &block)))
                }),
            ),
            ("ftp-host Upload, io::copy from a file", {
                let mut session = host_session(&rt, &server);
                measure(runs, || {
                    Some(timed(|| assert_eq!(host_stor(&mut session, upload.path()), size)))
                })
            }),
            ("curl", measure(runs, || curl(&["-T", &upload_path, &up_url]))),
            (
                "ftplib",
                measure(runs, || {
                    ftplib(
                        port,
                        &format!("f.storbinary('STOR up.bin', open('{upload_path}', 'rb'), 1048576)"),
                    )
                }),
            ),
            ("suppaftp", {
                let mut f = suppaftp_session(server.addr());
                measure(runs, || Some(timed(|| suppaftp_stor(&mut f, "up.bin", size, &block))))
            }),
            ("raw TCP (ceiling)", measure(runs, || Some(raw_tcp(size)))),
        ],
    );
    let peak = c.peak_memory();

    // Many small files.
    table.group(
        &format!("RETR {files} × 4 KiB"),
        Some(files * 4096),
        vec![
            (
                "component",
                once_ports_free(|| {
                    Some(timed(|| {
                        (0..files).for_each(|_| assert_eq!(component_retr(&mut c, s, "4096.bin", 65536), 4096))
                    }))
                }),
            ),
            (
                "ftplib",
                once_ports_free(|| {
                    ftplib(
                        port,
                        &format!("for _ in range({files}): f.retrbinary('RETR 4096.bin', lambda b: None)"),
                    )
                }),
            ),
            ("suppaftp", {
                let mut f = suppaftp_session(server.addr());
                once_ports_free(|| {
                    Some(timed(|| {
                        (0..files).for_each(|_| assert_eq!(suppaftp_retr(&mut f, "4096.bin"), 4096))
                    }))
                })
            }),
        ],
    );
    table.group(
        &format!("STOR {files} × 4 KiB"),
        Some(files * 4096),
        vec![
            (
                "component",
                once_ports_free(|| {
                    Some(timed(|| {
                        (0..files).for_each(|_| component_stor(&mut c, s, "s.bin", 4096, &block))
                    }))
                }),
            ),
            (
                "ftplib",
                once_ports_free(|| {
                    ftplib(
                        port,
                        &format!(
                            "import io\nfor _ in range({files}): f.storbinary('STOR s.bin', io.BytesIO(b'Z' * 4096))"
                        ),
                    )
                }),
            ),
            ("suppaftp", {
                let mut f = suppaftp_session(server.addr());
                once_ports_free(|| {
                    Some(timed(|| {
                        (0..files).for_each(|_| suppaftp_stor(&mut f, "s.bin", 4096, &block))
                    }))
                })
            }),
        ],
    );

    // Round trips: the time of one NOOP, from 10 000.
    const NOOPS: u32 = 10_000;
    let per = |t: Option<f64>| t.map(|t| t / f64::from(NOOPS));
    table.group(
        "NOOP round trip (of 10 000)",
        None,
        vec![
            (
                "component",
                per(measure(runs, || {
                    Some(timed(|| (0..NOOPS).for_each(|_| drop(c.noop(s).expect("noop")))))
                })),
            ),
            (
                "ftplib",
                per(measure(runs, || {
                    ftplib(port, &format!("for _ in range({NOOPS}): f.voidcmd('NOOP')"))
                })),
            ),
            ("suppaftp", {
                let mut f = suppaftp_session(server.addr());
                per(measure(runs, || {
                    Some(timed(|| (0..NOOPS).for_each(|_| f.noop().expect("noop"))))
                }))
            }),
        ],
    );

    // Listings of 100 000 lines.
    const LINES: usize = 100_000;
    let now = Timestamp {
        seconds: 1_795_559_400,
        nanoseconds: 0,
    };
    let list_body = listing(LINES, false);
    let mlsd_body = listing(LINES, true);
    let parse = |body: &[u8], machine: bool| {
        measure(runs, || {
            Some(timed(|| {
                assert_eq!(parse_listing(body, machine, now, Encoding::Utf8).len(), LINES)
            }))
        })
    };
    table.group(
        "parse 100 000-line LIST (sans-IO, native)",
        None,
        vec![("component", parse(&list_body, false))],
    );
    table.group(
        "parse 100 000-line MLSD (sans-IO, native)",
        None,
        vec![("component", parse(&mlsd_body, true))],
    );
    table.group(
        "list() of 100 000 entries via MLSD (in the guest)",
        None,
        vec![(
            "component",
            measure(runs, || {
                Some(timed(|| {
                    assert_eq!(c.list(s, Some("100000")).expect("list").len(), LINES)
                }))
            }),
        )],
    );

    table.print();
    println!();
    println!(
        "guest peak linear memory through the {} MiB RETR and STOR rows: {:.2} MiB",
        size >> 20,
        peak as f64 / f64::from(1 << 20)
    );
    println!(
        "after the 100 000-entry listing: {:.2} MiB",
        c.peak_memory() as f64 / f64::from(1 << 20)
    );
    println!(
        "(runs: {runs}, many-files rows once; server: in-process source/sink on 127.0.0.1; curl times include its process start)"
    );
}
