//! A CLI that explains itself, tried as a new user would: a URL without
//! its scheme gets a suggestion, a timeout says how long it waited and
//! which option sets it, `ftps://` against a plain server says so, `--user`
//! without a password asks on a terminal, a transfer ends with a one-line
//! summary on a terminal, and Ctrl-C ends the run cleanly. Terminals are
//! real ones: wftp runs on a pseudo-terminal whose controlling process it is.

mod common;

use common::{bytes, Env};
use ftp_test_server::TestServer;
use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};
use host_tests::timing::{until, SETTLE, STALL_MS};
use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

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
            ctx.sleep_ms(STALL_MS);
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

/// Runs wftp on a pseudo-terminal of its own (its controlling terminal,
/// as in a shell) and types `input` once the program has turned echo off
/// to ask for it: typed earlier, it would be echoed, whatever the program
/// does. What the terminal showed, and the exit status.
fn on_a_terminal(env: &Env, args: &[&str], input: &str) -> (String, i32) {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes the two descriptors it opens; the null
    // pointers ask for no name and default settings.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe { (std::fs::File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut wftp = env.command(args);
    wftp.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // SAFETY: only async-signal-safe calls between fork and exec: a new
    // session, whose controlling terminal is the pty on stdin.
    unsafe {
        wftp.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = wftp.spawn().unwrap();
    drop(wftp); // Our copies of the terminal's far end, so it ends with wftp.
    let shown = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let (shown, mut master) = (shown.clone(), master.try_clone().unwrap());
        // The terminal ends (EIO) once wftp and its copies are gone.
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 {
                    break;
                }
                shown.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    until(SETTLE, "wftp turning echo off to ask", || {
        // SAFETY: a termios is plain integers, for which zero is valid.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: tcgetattr fills the struct; on a pty's master it reads
        // the terminal's own settings.
        let read = unsafe { libc::tcgetattr(master.as_raw_fd(), &mut termios) };
        if read == 0 && termios.c_lflag & libc::ECHO == 0 {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&shown.lock().unwrap()).into_owned())
        }
    });
    (&master).write_all(input.as_bytes()).unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let shown = String::from_utf8_lossy(&shown.lock().unwrap()).into_owned();
    (shown, status.code().unwrap_or(-1))
}

#[test]
fn user_without_a_password_asks_on_a_terminal_and_a_transfer_ends_with_a_summary() {
    let server = TestServer::start().unwrap();
    std::fs::write(server.root().join("f.bin"), bytes(3 << 20, 1)).unwrap();
    let env = Env::new();
    let url = format!("ftp://{}/f.bin", server.addr());
    let (shown, code) = on_a_terminal(
        &env,
        &["--user", ftp_test_server::USER, "get", &url, "copy.bin"],
        &format!("{}\r", ftp_test_server::PASSWORD),
    );
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
    until(SETTLE, "the download's temporary file", || match partial() {
        1 => Ok(()),
        n => Err(n),
    });
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
