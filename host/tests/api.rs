//! The Rust API against the in-process server: transfers through
//! `Read`/`Write` on both paths (the host reading the data connection
//! directly, and the component decoding ASCII), early ends, typed errors,
//! the network policy, name resolution and the compiled-code cache.

use ftp_host::{Client, Error, Options, Session, TransferType};
use ftp_test_server::{TestServer, PASSWORD, USER};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| Client::new().expect("load the component"))
}

fn session() -> (TestServer, Session) {
    let server = TestServer::start().unwrap();
    let session = client().connect(server.url("/").as_str()).unwrap();
    (server, session)
}

fn bytes(len: usize, seed: u32) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) ^ seed).rotate_left(seed % 31) as u8)
        .collect()
}

#[test]
fn binary_round_trip_reads_the_data_connection_directly() {
    let (server, mut s) = session();
    let data = bytes(24 << 20, 1);
    let mut up = s.store("big.bin").unwrap();
    assert!(up.is_direct());
    io::copy(&mut data.as_slice(), &mut up).unwrap();
    assert_eq!(up.finish().unwrap().code, 226);
    assert_eq!(std::fs::read(server.root().join("big.bin")).unwrap(), data);

    let mut down = s.retrieve("big.bin").unwrap();
    assert!(down.is_direct());
    let mut back = Vec::new();
    down.read_to_end(&mut back).unwrap();
    assert_eq!(down.finish().unwrap().code, 226);
    assert!(back == data, "downloaded bytes differ");
    // File data never passed through the guest's memory.
    assert!(s.peak_memory() < 8 << 20, "peak {} bytes", s.peak_memory());
}

#[test]
fn ascii_goes_through_the_component() {
    let (server, mut s) = session();
    s.set_transfer_type(TransferType::Ascii).unwrap();
    let mut up = s.store("notes.txt").unwrap();
    assert!(!up.is_direct());
    // Many small writes are gathered, and line endings converted.
    for line in ["one\n", "two\n", "\n", "last"] {
        up.write_all(line.as_bytes()).unwrap();
    }
    up.finish().unwrap();
    assert_eq!(
        std::fs::read(server.root().join("notes.txt")).unwrap(),
        b"one\r\ntwo\r\n\r\nlast"
    );
    let down = s.retrieve("notes.txt").unwrap();
    assert!(!down.is_direct());
    let lines: Vec<String> = down.lines().collect::<io::Result<_>>().unwrap();
    assert_eq!(lines, ["one", "two", "", "last"]);
}

#[test]
fn finish_discards_what_was_not_read_on_both_paths() {
    let (server, mut s) = session();
    std::fs::write(server.root().join("big.txt"), "line\n".repeat(1 << 20)).unwrap();
    for kind in [TransferType::Binary, TransferType::Ascii] {
        s.set_transfer_type(kind).unwrap();
        let mut down = s.retrieve("big.txt").unwrap();
        let mut line = String::new();
        down.read_line(&mut line).unwrap();
        assert_eq!(line, "line\n");
        assert_eq!(down.finish().unwrap().code, 226, "{kind:?}");
    }
    assert_eq!(s.noop().unwrap().code, 200);
}

#[test]
fn resume_append_and_line_reads() {
    let (server, mut s) = session();
    std::fs::write(server.root().join("log.txt"), "alpha\nbeta\n").unwrap();
    let mut up = s.append("log.txt").unwrap();
    up.write_all(b"gamma\n").unwrap();
    up.finish().unwrap();
    let mut down = s.retrieve_from("log.txt", 6).unwrap();
    let mut line = String::new();
    down.read_line(&mut line).unwrap();
    assert_eq!(line, "beta\n");
    let mut rest = String::new();
    down.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "gamma\n");
    down.finish().unwrap();
}

#[test]
fn ending_a_transfer_early_keeps_the_session() {
    let (server, mut s) = session();
    std::fs::write(server.root().join("big.bin"), bytes(32 << 20, 2)).unwrap();
    let mut down = s.retrieve("big.bin").unwrap();
    let mut first = [0u8; 1000];
    down.read_exact(&mut first).unwrap();
    drop(down); // aborts
    assert_eq!(s.noop().unwrap().code, 200);

    let mut down = s.retrieve("big.bin").unwrap();
    down.read_exact(&mut first).unwrap();
    down.abort().unwrap();
    assert_eq!(s.noop().unwrap().code, 200);

    let mut up = s.store("partial.bin").unwrap();
    up.write_all(&[7; 5000]).unwrap();
    up.abort().unwrap();
    let mut up = s.store("after.bin").unwrap();
    up.write_all(b"still working").unwrap();
    up.finish().unwrap();
    assert_eq!(
        std::fs::read(server.root().join("after.bin")).unwrap(),
        b"still working"
    );
}

#[test]
fn errors_are_typed_and_reach_io_callers() {
    let (server, mut s) = session();
    match s.size("missing") {
        Err(Error::Permanent(r)) => assert_eq!(r.code, 550),
        other => panic!("{other:?}"),
    }
    // The server says 150, then 550: the download fails at its end.
    let mut d = s.retrieve("missing").unwrap();
    assert_eq!(io::copy(&mut d, &mut io::sink()).unwrap(), 0);
    let outcome = d.finish();
    assert!(
        matches!(outcome, Err(Error::Permanent(ref r)) if r.code == 550),
        "{outcome:?}"
    );
    assert!(matches!(s.cwd("a\r\nDELE x"), Err(Error::InvalidInput(_))));
    // A call while a transfer is open is refused by the borrow checker, so
    // the session needs no runtime check from this API.
    let bad = client().connect(format!("ftp://{USER}:nope@{}/", server.addr()).as_str());
    assert!(
        matches!(bad, Err(Error::Permanent(ref r)) if r.code == 530),
        "{:?}",
        bad.err()
    );
    assert!(matches!(client().connect("http://x/"), Err(Error::Url(_))));
    let e = io::Error::from(Error::Timeout("reply".into()));
    assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    assert!(matches!(
        e.get_ref().and_then(|i| i.downcast_ref::<Error>()),
        Some(Error::Timeout(_))
    ));
}

#[test]
fn the_session_reaches_the_server_and_nothing_else() {
    let server = TestServer::start().unwrap();
    let mut options = Options::new("127.0.0.1")
        .port(server.addr().port())
        .login(USER, PASSWORD);
    // Data connections go to the server's passive ports; grant others only.
    options.passive_ports = 1024..=2048;
    let mut s = client().connect(&options).unwrap();
    assert!(matches!(s.list(None), Err(Error::AccessDenied(_))));
    // Granting the server's real passive range makes the same call work.
    options.passive_ports = ftp_test_server::PASSIVE_PORTS;
    let mut s = client().connect(&options).unwrap();
    assert!(s.list(None).unwrap().is_empty());
}

#[test]
fn names_resolve_on_the_host_and_every_address_is_tried() {
    // localhost may resolve to ::1 first, where nothing listens: the
    // session moves on to 127.0.0.1.
    let server = TestServer::start().unwrap();
    let options = Options::new("localhost")
        .port(server.addr().port())
        .login(USER, PASSWORD);
    let mut s = client().connect(options).unwrap();
    assert_eq!(s.peer_addr(), server.addr());
    assert_eq!(s.pwd().unwrap(), "/");
    let missing = client().connect("ftp://no-such-host.invalid/");
    assert!(matches!(missing, Err(Error::Resolve { .. })), "{:?}", missing.err());
}

#[test]
fn sessions_run_in_parallel_from_one_client() {
    let server = TestServer::start().unwrap();
    let url = server.url("/");
    std::thread::scope(|scope| {
        for i in 0..4u32 {
            let url = url.as_str();
            let root = server.root();
            scope.spawn(move || {
                let mut s = client().connect(url).unwrap();
                let data = bytes(2 << 20, i);
                let name = format!("t{i}.bin");
                let mut up = s.store(&name).unwrap();
                up.write_all(&data).unwrap();
                up.finish().unwrap();
                assert_eq!(std::fs::read(root.join(&name)).unwrap(), data);
                s.quit().unwrap();
            });
        }
    });
}

#[test]
fn compiled_code_is_cached_and_a_damaged_cache_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let first = Client::builder().cache_dir(dir.path()).build().unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let cached = std::fs::read(&files[0]).unwrap();
    assert!(cached.len() > 100_000);

    let second = Client::builder().cache_dir(dir.path()).build().unwrap();
    std::fs::write(&files[0], b"not compiled code").unwrap();
    let third = Client::builder().cache_dir(dir.path()).build().unwrap();
    assert_eq!(std::fs::read(&files[0]).unwrap(), cached, "rewritten after damage");

    let server = TestServer::start().unwrap();
    for c in [first, second, third] {
        let mut s = c.connect(server.url("/").as_str()).unwrap();
        assert_eq!(s.noop().unwrap().code, 200);
    }
}

#[test]
fn the_cache_keeps_the_eight_most_recently_used_and_nothing_else_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let hours_ago = |h: u64| SystemTime::now() - Duration::from_secs(h * 3600);
    let age = |path: &Path, when: SystemTime| {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    };
    // Ten earlier compilations, the oldest ten hours old, and a file of
    // someone else's that pruning must leave alone.
    let earlier: Vec<PathBuf> = (1..=10)
        .map(|h| {
            let path = dir.path().join(format!("{h:064x}.cwasm"));
            std::fs::write(&path, b"old code").unwrap();
            age(&path, hours_ago(h));
            path
        })
        .collect();
    let foreign = dir.path().join("notes.cwasm");
    std::fs::write(&foreign, b"not ours").unwrap();
    age(&foreign, hours_ago(100));

    Client::builder().cache_dir(dir.path()).build().unwrap();
    let kept: Vec<bool> = earlier.iter().map(|p| p.exists()).collect();
    assert_eq!(kept, [true, true, true, true, true, true, true, false, false, false]);
    assert!(foreign.exists());
    let ours: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !earlier.contains(p) && *p != foreign)
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");

    // A load from the cache marks the code used.
    age(&ours[0], hours_ago(1000));
    Client::builder().cache_dir(dir.path()).build().unwrap();
    let used = std::fs::metadata(&ours[0]).unwrap().modified().unwrap();
    assert!(used > hours_ago(1), "{used:?}");
}

#[test]
fn clients_and_sessions_move_between_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_and_sync::<Client>();
    send::<Session>();
    let (_server, mut s) = session();
    let reply = std::thread::spawn(move || s.noop().map(|r| r.code)).join().unwrap();
    assert_eq!(reply.unwrap(), 200);
}

/// ftplib's `storbinary(..., rest=N)`: an upload that a first attempt left
/// short is finished from byte N (REST, then STOR), whatever the first
/// attempt wrote past N is replaced.
#[test]
fn an_upload_finishes_from_an_offset() {
    let (server, mut s) = session();
    let data = bytes(3 << 20, 9);
    let cut = 1_234_567;
    let mut first = s.store("part.bin").unwrap();
    first.write_all(&data[..cut]).unwrap();
    first.finish().unwrap();
    let mut rest = s.store_from("part.bin", cut as u64).unwrap();
    assert!(rest.is_direct());
    rest.write_all(&data[cut..]).unwrap();
    rest.finish().unwrap();
    assert_eq!(std::fs::read(server.root().join("part.bin")).unwrap(), data);
}

/// ftplib's `voidcmd`: a 2xx reply is the answer, anything else an error.
#[test]
fn void_command_fails_unless_2xx() {
    let (_server, mut s) = session();
    assert_eq!(s.void_command("NOOP").unwrap().code, 200);
    match s.void_command("SITE NO-SUCH-THING") {
        Err(Error::Permanent(r)) => assert_eq!(r.code / 100, 5),
        other => panic!("{other:?}"),
    }
    s.noop().unwrap();
}

/// CPython's `test_voidcmd`: a 3xx reply is not success either.
#[test]
fn void_command_refuses_a_3xx() {
    let (server, mut s) = session();
    std::fs::write(server.root().join("a.txt"), "a").unwrap();
    match s.void_command("RNFR a.txt") {
        Err(Error::Unexpected(r)) => assert_eq!(r.code, 350),
        other => panic!("{other:?}"),
    }
}

/// A pool of two sessions shared by four threads: never more than two
/// open, every download whole; a discarded session is replaced, and with
/// no idle time allowed each taker gets a fresh session that works.
#[test]
fn a_pool_caps_sessions_and_replaces_them() {
    use ftp_host::Pool;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = TestServer::start().unwrap();
    let files: Vec<Vec<u8>> = (0..8).map(|i| bytes(50_000 + i * 1000, i as u32)).collect();
    for (i, data) in files.iter().enumerate() {
        std::fs::write(server.root().join(format!("p{i}.bin")), data).unwrap();
    }
    let options = server.url("/").parse::<ftp_host::FtpUrl>().unwrap().options;
    let pool = Pool::new(client(), options.clone(), 2);
    let most = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for worker in 0..4 {
            let (pool, files, most) = (&pool, &files, &most);
            scope.spawn(move || {
                for round in 0..4 {
                    let i = (worker * 4 + round) % files.len();
                    let mut session = pool.get().unwrap();
                    most.fetch_max(pool.open(), Ordering::SeqCst);
                    let mut down = session.retrieve(&format!("p{i}.bin")).unwrap();
                    let mut back = Vec::new();
                    down.read_to_end(&mut back).unwrap();
                    down.finish().unwrap();
                    assert!(back == files[i], "p{i}.bin differs");
                }
            });
        }
    });
    assert_eq!(most.load(Ordering::SeqCst), 2);
    pool.get().unwrap().discard();
    assert_eq!(pool.open(), 1);
    assert_eq!(pool.get().unwrap().noop().unwrap().code, 200);

    let fresh = Pool::new(client(), options, 1).with_idle_limits(Duration::ZERO, Duration::ZERO);
    for _ in 0..3 {
        assert_eq!(fresh.get().unwrap().pwd().unwrap(), "/");
        assert_eq!(fresh.open(), 1);
    }
}

/// A directory of 3 000 files streamed through `Session::listing` holds the
/// same entries as `list`; a listing dropped after its first entry leaves
/// the session in step.
#[test]
fn a_listing_streams_as_it_is_read() {
    let (server, mut s) = session();
    let dir = server.root().join("many");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..3_000 {
        std::fs::write(dir.join(format!("f{i:04}")), i.to_string()).unwrap();
    }
    let mut whole: Vec<(String, Option<u64>)> = s
        .list(Some("many"))
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.size))
        .collect();
    let mut streamed: Vec<(String, Option<u64>)> = s
        .listing(Some("many"))
        .unwrap()
        .map(|e| e.map(|e| (e.name, e.size)))
        .collect::<Result<_, _>>()
        .unwrap();
    whole.sort();
    streamed.sort();
    assert_eq!(whole.len(), 3_000);
    assert_eq!(streamed, whole);
    let first = s.listing(Some("many")).unwrap().next().unwrap().unwrap();
    assert!(first.name.starts_with('f'));
    assert_eq!(s.noop().unwrap().code, 200);
    let missing = s
        .listing(Some("missing"))
        .and_then(|l| l.collect::<Result<Vec<_>, _>>());
    assert!(matches!(missing, Err(Error::Permanent(_))), "{missing:?}");
}
