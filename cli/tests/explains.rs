//! A CLI that explains itself, tried as a new user would: a URL without
//! its scheme gets a suggestion, a timeout says how long it waited and
//! which option sets it, `ftps://` against a plain server says so, `--user`
//! without a password asks on a terminal, a transfer ends with a one-line
//! summary on a terminal, and Ctrl-C ends the run cleanly. Terminals are
//! real ones: util-linux `script` runs wftp on a pseudo-terminal.

mod common;

use common::{bytes, Env};
use ftp_test_server::TestServer;
use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_url_without_a_scheme_gets_a_suggestion() {
    let said = Env::new().fails(&["ls", "alice:secret@files.example.com/pub/"], 3);
    assert!(
        said.contains(
            "alice:****@files.example.com/pub/ is not a URL: did you mean ftp://alice:****@files.example.com/pub/?"
        ),
        "{said}"
    );
    assert!(!said.contains("secret"), "{said}");
}

#[test]
fn a_timeout_says_how_long_it_waited_and_what_sets_it() {
    let server = ScriptedServer::start(b"220 scripted\r\n", |line, ctx: &mut Ctx| {
        if line.starts_with("LIST") || line.starts_with("MLSD") {
            ctx.sleep_ms(4_000);
            return Flow::Close;
        }
        ordinary(line, ctx)
    });
    let said = Env::new().fails(&["--timeout", "1", "ls", &format!("ftp://u:p@{}/", server.addr())], 28);
    assert!(
        said.contains("timed out after 1 s waiting for a reply (--timeout sets it)"),
        "{said}"
    );
}

#[test]
fn ftps_against_a_plain_server_says_so() {
    let server = TestServer::start().unwrap();
    let url = server.url("/").replacen("ftp://", "ftps://", 1);
    let said = Env::new().fails(&["ls", &url], 35);
    assert!(said.contains("the server did not answer in TLS"), "{said}");
    assert!(said.contains("--tls with ftp://"), "{said}");
}

/// `script -qec COMMAND /dev/null` with `input` typed after a pause; what
/// the terminal showed, and the exit status.
fn on_a_terminal(env: &Env, args: &[&str], input: &str) -> Option<(String, i32)> {
    let wftp = env.command(args);
    let line = format!(
        "{} {}",
        wftp.get_program().to_string_lossy(),
        args.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" ")
    );
    let mut script = Command::new("script");
    script.args(["-qec", &line, "/dev/null"]);
    for (key, value) in wftp.get_envs() {
        match value {
            Some(v) => script.env(key, v),
            None => script.env_remove(key),
        };
    }
    script.current_dir(env.home_dir());
    let mut child = script
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    std::thread::sleep(Duration::from_millis(1_500));
    let _ = stdin.write_all(input.as_bytes());
    let out = child.wait_with_output().ok()?;
    Some((String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code()?))
}

#[test]
fn user_without_a_password_asks_on_a_terminal_and_a_transfer_ends_with_a_summary() {
    if Command::new("script").arg("--version").output().is_err() {
        println!("skipped: util-linux script is not installed");
        return;
    }
    let server = TestServer::start().unwrap();
    std::fs::write(server.root().join("f.bin"), bytes(3 << 20, 1)).unwrap();
    let env = Env::new();
    let url = format!("ftp://{}/f.bin", server.addr());
    let (shown, code) = on_a_terminal(
        &env,
        &["--user", ftp_test_server::USER, "get", &url, "copy.bin"],
        &format!("{}\r", ftp_test_server::PASSWORD),
    )
    .expect("run script");
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains(&format!("Password for {} on 127.0.0.1:", ftp_test_server::USER)),
        "{shown}"
    );
    assert!(
        !shown.contains(ftp_test_server::PASSWORD),
        "the password was echoed: {shown}"
    );
    assert!(shown.contains("get: 3.0 MiB in "), "{shown}");
    assert_eq!(std::fs::read(env.path("copy.bin")).unwrap(), bytes(3 << 20, 1));
    // Without a terminal there is no one to ask: the login is refused.
    let said = env.fails(
        &[
            "--user",
            ftp_test_server::USER,
            "ls",
            &format!("ftp://{}/", server.addr()),
        ],
        67,
    );
    assert!(said.contains("530"), "{said}");
}

#[test]
fn ctrl_c_removes_the_download_in_flight_and_exits_130() {
    let server = TestServer::start().unwrap();
    std::fs::write(server.root().join("big.bin"), bytes(20 << 20, 2)).unwrap();
    let env = Env::new();
    let child = env
        .command(&["--limit-rate", "2m", "get", &server.url("/big.bin"), "big.bin"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let partial = || {
        std::fs::read_dir(env.home_dir())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".wftp-"))
            .count()
    };
    let mut waited = 0;
    while partial() == 0 && waited < 100 {
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    }
    assert_eq!(partial(), 1, "the download never started");
    // SAFETY: plain FFI, signalling our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wftp: interrupted"));
    assert_eq!(partial(), 0, "the temporary file was left behind");
    assert!(!env.path("big.bin").exists());
}

/// `mv URL NEWNAME` renames within the file's directory, as mv and lftp
/// do; a path is taken from the login directory.
#[test]
fn mv_to_a_bare_name_stays_in_the_directory() {
    let server = TestServer::start().unwrap();
    std::fs::create_dir(server.root().join("docs")).unwrap();
    std::fs::write(server.root().join("docs/draft.txt"), b"text").unwrap();
    let env = Env::new();
    env.ok(&["mv", &server.url("/docs/draft.txt"), "final.txt"]);
    assert!(server.root().join("docs/final.txt").exists());
    assert!(!server.root().join("final.txt").exists());
    env.ok(&["mv", &server.url("/docs/final.txt"), "archive.txt"]);
    env.ok(&["mv", &server.url("/docs/archive.txt"), "/top.txt"]);
    assert_eq!(std::fs::read(server.root().join("top.txt")).unwrap(), b"text");
}
