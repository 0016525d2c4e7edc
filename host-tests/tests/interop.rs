//! The shared conformance scenario against real servers: vsftpd, pure-ftpd,
//! proftpd, pyftpdlib and the in-process libunftp server. A server missing
//! from this machine is skipped with the reason, unless FTP_INTEROP_REQUIRED=1
//! (as in CI), which turns a skip into a failure.

mod common;

use host_tests::conformance::{self, Target};
use host_tests::interop::{self, Kind};
use host_tests::ServerGrant;
use host_tests::TestServer;
use std::path::PathBuf;

fn assert_all_pass(name: &str, steps: &[conformance::Step]) {
    let report = conformance::report(name, steps);
    println!("{report}");
    assert_eq!(
        steps.len(),
        conformance::STEPS.len(),
        "scenario stopped early:\n{report}"
    );
    assert!(steps.iter().all(|s| s.outcome.is_ok()), "{report}");
}

fn real(kind: Kind) {
    let Some(server) = interop::start_or_skip(kind, None) else {
        return;
    };
    let target = Target {
        name: kind.name().to_string(),
        addr: server.addr,
        grant: server.grant(),
        user: interop::USER.into(),
        password: interop::PASSWORD.into(),
        user_home: PathBuf::from(interop::USER_HOME),
        anon_dir: Some(PathBuf::from(interop::ANON_DIR)),
        options: host_tests::default_options(),
    };
    let steps = conformance::run(common::runtime(), &target);
    assert_all_pass(kind.name(), &steps);
}

#[test]
fn vsftpd() {
    real(Kind::Vsftpd);
}

#[test]
fn pure_ftpd() {
    real(Kind::PureFtpd);
}

#[test]
fn proftpd() {
    real(Kind::Proftpd);
}

#[test]
fn pyftpdlib() {
    real(Kind::Pyftpdlib);
}

#[test]
fn in_process_libunftp() {
    let server = TestServer::start().unwrap();
    let target = Target {
        name: "libunftp".into(),
        addr: server.addr(),
        grant: server.grant(),
        user: ftp_test_server::USER.into(),
        password: ftp_test_server::PASSWORD.into(),
        user_home: server.root().to_path_buf(),
        anon_dir: None,
        options: host_tests::default_options(),
    };
    let steps = conformance::run(common::runtime(), &target);
    assert_all_pass("libunftp", &steps);
}

/// A tree whose names have spaces, in the interop user's home, owned by it.
fn spaced_tree(tag: &str) -> (String, PathBuf) {
    let root = format!("spaces-{tag}-{}", std::process::id());
    let base = PathBuf::from(interop::USER_HOME).join(&root);
    std::fs::create_dir_all(base.join("sub dir/inner dir")).unwrap();
    std::fs::write(base.join("sub dir/a file.txt"), "a").unwrap();
    std::fs::write(base.join("sub dir/inner dir/b.txt"), "b").unwrap();
    let owned = std::process::Command::new("chown")
        .args(["-R", interop::USER])
        .arg(&base)
        .status()
        .unwrap();
    assert!(owned.success());
    (root, base)
}

/// inetutils ftpd splits LIST's argument at spaces (`LIST sub dir` lists
/// `sub` and `dir`, as errors inside a 226 listing) and reports a missing
/// directory the same way. Listing from inside the directory (curl's way)
/// gets the right entries, a missing directory is an error, and a tree with
/// spaces is removed whole.
#[test]
fn inetutils_paths_with_spaces() {
    let server = match interop::start(Kind::Inetutils) {
        Ok(server) => server,
        Err(reason) if !interop::required() => {
            println!("skipped inetutils-ftpd: {reason}");
            return;
        }
        Err(reason) => panic!("inetutils-ftpd is required (FTP_INTEROP_REQUIRED=1) but: {reason}"),
    };
    let (root, base) = spaced_tree("lib");
    let mut c = host_tests::Client::new(common::runtime(), server.grant()).unwrap();
    let s = c
        .connect("127.0.0.1", server.addr.port(), &host_tests::default_options())
        .unwrap();
    c.login(s, Some(interop::USER), Some(interop::PASSWORD)).unwrap();
    let dir = format!("{root}/sub dir");
    let mut names: Vec<String> = c.list(s, Some(&dir)).unwrap().into_iter().map(|e| e.name).collect();
    names.sort();
    assert_eq!(names, ["a file.txt", "inner dir"]);
    assert!(c.nlst(s, Some(&dir)).unwrap().contains(&"a file.txt".to_string()));
    match c.list(s, Some(&format!("{root}/missing"))).unwrap_err().ftp() {
        host_tests::Error::Permanent(r) => assert_eq!(r.code, 550),
        e => panic!("{e:?}"),
    }
    c.remove_tree(s, &dir).unwrap();
    assert!(!base.join("sub dir").exists(), "the whole tree is gone");
    assert_eq!(c.pwd(s).unwrap(), interop::USER_HOME, "back where it started");
    std::fs::remove_dir_all(base).unwrap();
}

/// Against pyftpdlib (CPython's own test server in spirit): ftplib's
/// `mlsd(facts=...)` gets just those facts, and `storbinary(rest=N)` (REST
/// then STOR) finishes a file from an offset.
#[test]
fn pyftpdlib_mlsd_facts_and_stor_at_an_offset() {
    let server = match interop::start(Kind::Pyftpdlib) {
        Ok(server) => server,
        Err(reason) if !interop::required() => return println!("skipped pyftpdlib: {reason}"),
        Err(reason) => panic!("pyftpdlib is required (FTP_INTEROP_REQUIRED=1) but: {reason}"),
    };
    let mut c = host_tests::Client::new(common::runtime(), server.grant()).unwrap();
    let s = c
        .connect("127.0.0.1", server.addr.port(), &host_tests::default_options())
        .unwrap();
    c.login(s, Some(interop::USER), Some(interop::PASSWORD)).unwrap();
    let name = format!("rest-{}.bin", std::process::id());
    let data = common::random_bytes(300_000, 3);
    c.put(s, &name, host_tests::StoreMode::Replace, &data[..100_000], 1 << 16)
        .unwrap();
    let t = c.store_at(s, &name, 100_000).unwrap();
    c.write(t, &data[100_000..]).unwrap();
    c.finish_store(t).unwrap();
    assert_eq!(c.get(s, &name, 0, 1 << 20).unwrap(), data);

    let facts = vec!["type".to_string(), "size".to_string()];
    let entries = c.mlsd(s, None, &facts).unwrap();
    let ours = entries.iter().find(|e| e.name == name).expect("listed");
    assert_eq!(ours.size, Some(data.len() as u64));
    for entry in &entries {
        assert!(entry.facts.iter().all(|(k, _)| k == "type" || k == "size"), "{entry:?}");
    }
    c.delete(s, &name).unwrap();
}

fn logged_in(server: &interop::RealServer) -> ftp_host::Session {
    let options = ftp_host::Options::new("127.0.0.1")
        .port(server.addr.port())
        .login(interop::USER, interop::PASSWORD)
        .timeout(std::time::Duration::from_secs(8));
    common::runtime().connect(options).unwrap()
}

/// ftplib's `ftpcp`: a file copied from one real server to another, the
/// target connecting to the source's passive port (each session granted
/// its own server only), byte-identical on disk; then a copy whose source
/// is missing fails with the source's 550, the target's STOR is aborted,
/// and both sessions go on.
#[test]
fn server_to_server_copy() {
    let pairs = [
        (Kind::Vsftpd, Kind::PureFtpd),
        (Kind::PureFtpd, Kind::Proftpd),
        (Kind::Proftpd, Kind::Pyftpdlib),
        (Kind::Pyftpdlib, Kind::Vsftpd),
    ];
    let data = common::random_bytes(3 << 20, 8);
    for (from, to) in pairs {
        let (Some(source_server), Some(target_server)) =
            (interop::start_or_skip(from, None), interop::start_or_skip(to, None))
        else {
            continue;
        };
        let tag = format!("{}-{}-{}", from.name(), to.name(), std::process::id());
        let (src, dst) = (format!("fxp-src-{tag}.bin"), format!("fxp-dst-{tag}.bin"));
        let home = PathBuf::from(interop::USER_HOME);
        std::fs::write(home.join(&src), &data).unwrap();
        let mut source = logged_in(&source_server);
        let mut target = logged_in(&target_server);
        let copied = source
            .copy_to(&src, &mut target, &dst)
            .unwrap_or_else(|e| panic!("{tag}: {e}"));
        assert_eq!((copied.source.code / 100, copied.target.code / 100), (2, 2), "{tag}");
        assert!(std::fs::read(home.join(&dst)).unwrap() == data, "{tag}: copy differs");

        match source.copy_to("no-such-file", &mut target, &format!("fxp-none-{tag}")) {
            Err(ftp_host::Error::Permanent(r)) => assert_eq!(r.code, 550, "{tag}"),
            other => panic!("{tag}: {other:?}"),
        }
        assert_eq!(source.noop().unwrap().code, 200, "{tag}: source after the failure");
        assert_eq!(target.noop().unwrap().code, 200, "{tag}: target after the failure");
        let _ = target.delete(&format!("fxp-none-{tag}"));
        source.delete(&src).unwrap();
        target.delete(&dst).unwrap();
    }
}

/// A file's digest computed by proftpd (mod_digest: HASH with OPTS HASH,
/// and the X commands) in each algorithm, equal to Python's hashlib and
/// zlib over the same bytes; with none asked for, SHA-256.
#[test]
fn proftpd_hashes_a_file_in_every_algorithm() {
    use ftp_host::HashAlgorithm;
    let Some(server) = interop::start_or_skip(Kind::Proftpd, None) else {
        return;
    };
    let name = format!("hash-{}.bin", std::process::id());
    let path = PathBuf::from(interop::USER_HOME).join(&name);
    std::fs::write(&path, common::random_bytes(300_000, 4)).unwrap();
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import hashlib, zlib, sys; d = open(sys.argv[1], 'rb').read(); \
             print(hashlib.sha256(d).hexdigest(), hashlib.sha512(d).hexdigest(), \
             hashlib.sha1(d).hexdigest(), hashlib.md5(d).hexdigest(), '%08x' % zlib.crc32(d))",
        )
        .arg(&path)
        .output()
        .unwrap();
    let expected: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut s = logged_in(&server);
    let algorithms = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha512,
        HashAlgorithm::Sha1,
        HashAlgorithm::Md5,
        HashAlgorithm::Crc32,
    ];
    for (algorithm, want) in algorithms.into_iter().zip(&expected) {
        let got = s.hash(&name, Some(algorithm)).unwrap();
        assert_eq!((got.algorithm, &got.hex), (algorithm, want));
    }
    let default = s.hash(&name, None).unwrap();
    assert_eq!((default.algorithm, &default.hex), (HashAlgorithm::Sha256, &expected[0]));
    assert!(matches!(
        s.hash("no-such-file", None),
        Err(ftp_host::Error::Permanent(_))
    ));
    std::fs::remove_file(&path).unwrap();
}
