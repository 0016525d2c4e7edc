//! `wftp` run as a user runs it: the binary, against the in-process server
//! (and vsftpd for FTPS), checking files, output and exit statuses.

mod common;

use common::{bytes, Env};
use ftp_test_server::TestServer;
use std::io::Write;

#[test]
fn help_documents_commands_and_exit_statuses() {
    let env = Env::new();
    let help = env.ok(&["--help"]);
    for word in [
        "ls",
        "get",
        "put",
        "cat",
        "rm",
        "mkdir",
        "mv",
        "--tls",
        "--netrc-file",
        "Exit status",
        "78",
    ] {
        assert!(help.contains(word), "--help lacks {word}");
    }
    env.fails(&["frobnicate"], 2);
    env.fails(&["get"], 2);
}

#[test]
fn put_ls_get_cat_round_trip() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    let data = bytes(3 << 20, 1);
    std::fs::write(env.path("data.bin"), &data).unwrap();
    std::fs::write(env.path("note.txt"), "hello\n").unwrap();

    let out = env.run(&["put", "data.bin", &server.url("/")]);
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "no progress bar without a terminal");
    assert_eq!(std::fs::read(server.root().join("data.bin")).unwrap(), data);
    env.ok(&["put", "note.txt", &server.url("/renamed.txt")]);

    assert_eq!(env.ok(&["ls", &server.url("/")]), "data.bin\nrenamed.txt\n");
    let long = env.ok(&["ls", "-l", &server.url("/")]);
    assert!(
        long.lines()
            .any(|l| l.starts_with('-') && l.contains(" 3145728 ") && l.ends_with(" data.bin")),
        "{long}"
    );

    env.ok(&["get", &server.url("/data.bin")]);
    assert_eq!(std::fs::read(env.path("data.bin")).unwrap(), data);
    std::fs::create_dir(env.path("into")).unwrap();
    env.ok(&["get", &server.url("/data.bin"), "into"]);
    assert_eq!(std::fs::read(env.path("into/data.bin")).unwrap(), data);
    assert_eq!(env.ok(&["cat", &server.url("/renamed.txt")]), "hello\n");

    // From stdin, to a named file.
    let mut put = env.command(&["put", "-", &server.url("/piped.bin")]);
    let mut child = put.stdin(std::process::Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&data[..100_000]).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        std::fs::read(server.root().join("piped.bin")).unwrap(),
        &data[..100_000]
    );
    env.fails(&["put", "-", &server.url("/")], 2);
}

#[test]
fn get_resumes_from_the_local_size() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    let remote = bytes(1 << 20, 2);
    std::fs::write(server.root().join("r.bin"), &remote).unwrap();
    // A local first part that differs from the remote one: only a real
    // resume (REST) keeps it.
    let local_head = bytes(300_000, 3);
    std::fs::write(env.path("r.bin"), &local_head).unwrap();
    env.ok(&["get", "-c", &server.url("/r.bin")]);
    let got = std::fs::read(env.path("r.bin")).unwrap();
    assert_eq!(got.len(), remote.len());
    assert_eq!(&got[..300_000], &local_head[..]);
    assert_eq!(&got[300_000..], &remote[300_000..]);

    let said = env.fails(&["get", "-c", &server.url("/r.bin")], 0);
    assert!(said.contains("already complete"), "{said}");
    std::fs::write(env.path("r.bin"), bytes((1 << 20) + 1, 2)).unwrap();
    env.fails(&["get", "-c", &server.url("/r.bin")], 36);
    env.fails(&["get", "-c", &server.url("/r.bin"), "-"], 2);
}

#[test]
fn put_resumes_from_the_remote_size() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    let local = bytes(1 << 20, 4);
    std::fs::write(env.path("up.bin"), &local).unwrap();
    let remote_head = bytes(400_000, 5);
    std::fs::write(server.root().join("up.bin"), &remote_head).unwrap();
    env.ok(&["put", "--continue", "up.bin", &server.url("/")]);
    let got = std::fs::read(server.root().join("up.bin")).unwrap();
    assert_eq!(got.len(), local.len());
    assert_eq!(&got[..400_000], &remote_head[..]);
    assert_eq!(&got[400_000..], &local[400_000..]);

    let said = env.fails(&["put", "-c", "up.bin", &server.url("/")], 0);
    assert!(said.contains("already complete"), "{said}");
    // Nothing there yet: a resume is a plain upload.
    env.ok(&["put", "-c", "up.bin", &server.url("/fresh.bin")]);
    assert_eq!(std::fs::read(server.root().join("fresh.bin")).unwrap(), local);
    std::fs::write(server.root().join("big.bin"), bytes((1 << 20) + 7, 4)).unwrap();
    env.fails(&["put", "-c", "up.bin", &server.url("/big.bin")], 36);
}

#[test]
fn mkdir_mv_rm() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    env.ok(&["mkdir", &server.url("/solo")]);
    assert!(server.root().join("solo").is_dir());
    env.fails(&["mkdir", &server.url("/a/b/c")], 9);
    env.ok(&["mkdir", "-p", &server.url("/a/b/c")]);
    env.ok(&["mkdir", "-p", &server.url("/a/b/c")]);
    assert!(server.root().join("a/b/c").is_dir());

    std::fs::write(server.root().join("f.txt"), "x").unwrap();
    env.ok(&["mv", &server.url("/f.txt"), "a/b/g.txt"]);
    assert!(server.root().join("a/b/g.txt").is_file());
    env.ok(&["mv", &server.url("/a/b/g.txt"), &server.url("/h.txt")]);
    assert!(server.root().join("h.txt").is_file());
    env.fails(&["mv", &server.url("/nothing"), "x"], 78);

    std::fs::write(server.root().join("one"), "1").unwrap();
    std::fs::write(server.root().join("two"), "2").unwrap();
    env.ok(&["rm", &server.url("/one"), &server.url("/two")]);
    assert!(!server.root().join("one").exists() && !server.root().join("two").exists());
    env.fails(&["rm", &server.url("/one")], 78);
    env.ok(&["rm", "-r", &server.url("/a")]);
    assert!(!server.root().join("a").exists());
}

#[test]
fn netrc_supplies_credentials() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    std::fs::write(server.root().join("f"), "netrc").unwrap();
    let url = format!("ftp://{}/f", server.addr());
    let host = server.addr().ip().to_string();

    std::fs::write(env.path("wrong"), format!("machine {host} login alice password nope\n")).unwrap();
    env.fails(&["cat", "--netrc-file", "wrong", &url], 67);
    std::fs::write(
        env.path("right"),
        format!("machine {host} login alice password wonderland\n"),
    )
    .unwrap();
    assert_eq!(env.ok(&["cat", "--netrc-file", "right", &url]), "netrc");
    // ~/.netrc by default, and --no-netrc to ignore it.
    std::fs::copy(env.path("wrong"), env.path(".netrc")).unwrap();
    env.fails(&["cat", &url], 67);
    assert_eq!(env.ok(&["cat", "--no-netrc", &url]), "netrc");
    // --user wins over .netrc.
    assert_eq!(env.ok(&["cat", "-u", "alice:wonderland", &url]), "netrc");
    std::fs::write(env.path("broken"), "machine\n").unwrap();
    env.fails(&["cat", "--netrc-file", "broken", &url], 2);
}

#[test]
fn failures_have_their_own_exit_statuses() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    let said = env.fails(&["get", &server.url("/missing.bin")], 78);
    assert!(said.starts_with("wftp: 550"), "{said}");
    assert!(!env.path("missing.bin").exists(), "a refused download leaves no file");
    env.fails(&["ls", &format!("ftp://alice:wrong@{}/", server.addr())], 67);
    env.fails(&["ls", "http://example.com/"], 3);
    env.fails(&["ls", "ftp://no-such-host.invalid/"], 6);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    env.fails(&["ls", &format!("ftp://{closed}/")], 7);
    env.fails(&["put", "no-such-local-file", &server.url("/")], 26);
    env.fails(&["get", &server.url("/x"), "no-such-dir/x"], 78);
    std::fs::write(server.root().join("x"), "x").unwrap();
    env.fails(&["get", &server.url("/x"), "no-such-dir/x"], 23);
    env.fails(&["ls", "--cacert", "ca.pem", &server.url("/")], 26);
    std::fs::write(env.path("ca.pem"), "").unwrap();
    env.fails(&["ls", "--cacert", "ca.pem", &server.url("/")], 2);
    // CR/LF smuggled into a path is refused before anything is sent.
    env.fails(&["cat", &server.url("/x%0D%0ADELE%20x")], 2);
    assert!(server.root().join("x").exists());
}

#[test]
fn the_component_reaches_only_the_granted_ports() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    // The server's passive ports (50000-59999) are outside this grant, so
    // the listing's data connection is refused by the host.
    let said = env.fails(&["ls", "--passive-ports", "1024-1100", &server.url("/")], 7);
    assert!(said.contains("grants no connection"), "{said}");
    env.ok(&["ls", "--passive-ports", "50000-59999", &server.url("/")]);
}

#[test]
fn tls_refused_by_a_plain_server() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    let said = env.fails(&["--tls", "ls", &server.url("/")], 35);
    assert!(said.contains("AUTH TLS"), "{said}");
}

#[test]
fn tls_with_vsftpd() {
    use host_tests::interop::{self, Kind, ServerTls};
    let pki = host_tests::pki::TestPki::generate().unwrap();
    let server = match interop::start_with(
        Kind::Vsftpd,
        Some(ServerTls {
            pki: &pki,
            implicit: false,
            client_certs: false,
        }),
    ) {
        Ok(s) => s,
        Err(reason) if !interop::required() => return println!("skipped vsftpd with TLS: {reason}"),
        Err(reason) => panic!("vsftpd with TLS is required but: {reason}"),
    };
    let env = Env::new();
    std::fs::write(env.path("ca.pem"), &pki.ca_pem).unwrap();
    let dir = format!("wftp-tls-{}", std::process::id());
    let base = format!("ftp://{}:{}@{}/{dir}/", interop::USER, interop::PASSWORD, server.addr);
    let data = bytes(2 << 20, 6);
    std::fs::write(env.path("secret.bin"), &data).unwrap();

    fn with<'a>(args: &[&'a str]) -> Vec<&'a str> {
        [&["--tls", "--cacert", "ca.pem"][..], args].concat()
    }
    env.ok(&with(&["mkdir", &base]));
    env.ok(&with(&["put", "secret.bin", &base]));
    assert_eq!(env.ok(&with(&["ls", &base])), "secret.bin\n");
    env.ok(&with(&["get", &format!("{base}secret.bin"), "back.bin"]));
    assert_eq!(std::fs::read(env.path("back.bin")).unwrap(), data);
    env.ok(&with(&["rm", "-r", &base]));
    // Without the CA the certificate is not trusted.
    env.fails(&["--tls", "ls", &base], 60);
}

/// `--cert` (and `--key`) against vsftpd requiring a client certificate
/// the test CA signed: the CA's client certificate lists the login
/// directory; the certificate of another CA is refused by the server with
/// a message that says so; a key that is not the certificate's is a usage
/// error before any connection; and without `--cert` the server refuses.
#[test]
fn client_certificates_with_vsftpd() {
    use host_tests::interop::{self, Kind, ServerTls};
    let pki = host_tests::pki::TestPki::generate().unwrap();
    let ids = pki.client_identities().unwrap();
    let server = match interop::start_with(
        Kind::Vsftpd,
        Some(ServerTls {
            pki: &pki,
            implicit: false,
            client_certs: true,
        }),
    ) {
        Ok(s) => s,
        Err(reason) if !interop::required() => return println!("skipped vsftpd with TLS: {reason}"),
        Err(reason) => panic!("vsftpd with TLS is required but: {reason}"),
    };
    let env = Env::new();
    std::fs::write(env.path("ca.pem"), &pki.ca_pem).unwrap();
    for (name, (chain, key)) in [("good", &ids.good), ("unknown", &ids.unknown)] {
        std::fs::write(env.path(&format!("{name}.pem")), chain).unwrap();
        std::fs::write(env.path(&format!("{name}.key")), key).unwrap();
    }
    // Certificate and key in one file, as curl's --cert takes them.
    std::fs::write(env.path("both.pem"), format!("{}{}", ids.good.0, ids.good.1)).unwrap();
    let url = format!("ftp://{}:{}@{}/", interop::USER, interop::PASSWORD, server.addr);
    let tls = ["--tls", "--cacert", "ca.pem"];
    let with = |more: &[&'static str]| [&tls[..], more, &["ls", url.as_str()]].concat();
    env.ok(&with(&["--cert", "good.pem", "--key", "good.key"]));
    env.ok(&with(&["--cert", "both.pem"]));
    let said = env.fails(&with(&["--cert", "unknown.pem", "--key", "unknown.key"]), 35);
    assert!(said.contains("refused this client's certificate"), "{said}");
    let said = env.fails(&with(&["--cert", "good.pem", "--key", "unknown.key"]), 2);
    assert!(said.contains("not the certificate's"), "{said}");
    let said = env.fails(&with(&[]), 35);
    assert!(said.contains("certificate"), "{said}");
}

/// `-v` shows the conversation, commands and replies, with the password
/// masked; the failure's own conversation is shown too.
#[test]
fn verbose_shows_the_conversation_without_the_password() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    let out = env.run(&["-v", "ls", &server.url("/")]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    for line in ["> USER alice", "> PASS ****", "< 230", "> QUIT", "< 221"] {
        assert!(said.contains(line), "{line:?} missing from {said}");
    }
    assert!(!said.contains("wonderland"), "{said}");
    let said = env.fails(&["-v", "get", &server.url("/missing.bin")], 78);
    assert!(
        said.contains("> RETR missing.bin") || said.contains("> SIZE missing.bin"),
        "{said}"
    );
}

/// `--limit-rate`: 600 KiB at 300 KiB/s cannot take less than about two
/// seconds (the check is a lower bound, so a slow machine cannot fail it),
/// and the bytes are whole; a rate that is not one is a usage error.
#[test]
fn limit_rate_holds_a_transfer_back() {
    let server = TestServer::start().unwrap();
    let data = bytes(600 << 10, 8);
    std::fs::write(server.root().join("slow.bin"), &data).unwrap();
    let env = Env::new();
    let start = std::time::Instant::now();
    env.ok(&["--limit-rate", "300k", "get", &server.url("/slow.bin"), "slow.bin"]);
    assert!(
        start.elapsed() >= std::time::Duration::from_millis(1800),
        "{:?}",
        start.elapsed()
    );
    assert!(std::fs::read(env.path("slow.bin")).unwrap() == data);
    env.fails(&["--limit-rate", "fast", "get", &server.url("/slow.bin")], 2);
    env.fails(&["--limit-rate", "0", "get", &server.url("/slow.bin")], 2);
}

/// `--proxy` and the proxy variables: a listing and a download through
/// microsocks and tinyproxy; `all_proxy` is used when `--proxy` is not
/// given, and `--noproxy` (or `no_proxy`) names hosts to reach directly; a
/// proxy that is not running is a connection error, not a hang; a proxy
/// URL of another scheme is a usage error.
#[test]
fn proxies_from_the_command_line_and_the_environment() {
    use host_tests::proxies;
    let (socks, http) = match (proxies::socks5(None), proxies::http_connect(Some(("u", "p")))) {
        (Ok(s), Ok(h)) => (s, h),
        (Err(reason), _) | (_, Err(reason)) if !host_tests::interop::required() => {
            return println!("skipped: {reason}")
        }
        (Err(reason), _) | (_, Err(reason)) => panic!("the proxies are required but: {reason}"),
    };
    let server = TestServer::start().unwrap();
    std::fs::write(server.root().join("f.txt"), b"through the tunnel").unwrap();
    let env = Env::new();
    let socks_url = format!("socks5://{}", socks.addr);
    let http_url = format!("http://u:p@{}", http.addr);
    for proxy in [&socks_url, &http_url] {
        assert_eq!(env.ok(&["--proxy", proxy, "ls", &server.url("/")]), "f.txt\n");
        env.ok(&["--proxy", proxy, "get", &server.url("/f.txt"), "got.txt"]);
        assert_eq!(std::fs::read(env.path("got.txt")).unwrap(), b"through the tunnel");
    }
    // From the environment, and around it.
    let run = |vars: &[(&str, &str)], args: &[&str]| {
        let mut command = env.command(args);
        for (name, value) in vars {
            command.env(name, value);
        }
        command.output().unwrap()
    };
    let listed = run(&[("all_proxy", &socks_url)], &["ls", &server.url("/")]);
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let nowhere = "socks5://127.0.0.1:1";
    let failed = run(&[("all_proxy", nowhere)], &["ls", &server.url("/")]);
    assert_eq!(
        failed.status.code(),
        Some(7),
        "a proxy that is not there: {}",
        String::from_utf8_lossy(&failed.stderr)
    );
    let root = server.url("/");
    for around in [&["--noproxy", "127.0.0.1", "ls"][..], &["--noproxy", "*", "ls"]] {
        let args = [around, &[root.as_str()]].concat();
        let direct = run(&[("all_proxy", nowhere)], &args);
        assert!(direct.status.success(), "{}", String::from_utf8_lossy(&direct.stderr));
    }
    let direct = run(
        &[("all_proxy", nowhere), ("no_proxy", "localhost,127.0.0.1")],
        &["ls", &server.url("/")],
    );
    assert!(direct.status.success(), "{}", String::from_utf8_lossy(&direct.stderr));
    env.fails(&["--proxy", "gopher://x:70", "ls", &server.url("/")], 2);
}
