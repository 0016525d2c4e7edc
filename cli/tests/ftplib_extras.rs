//! The rest of ftplib from the command line: `put --offset` (REST+STOR),
//! `--source-address`, `--encoding latin1`, `--ccc` and `copy` (FXP),
//! each against a server that shows the effect.

mod common;

use common::{bytes, Env};
use ftp_test_server::TestServer;
use host_tests::interop::{self, Kind, RealServer, ServerTls};
use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};

fn login_url(server: &RealServer, path: &str) -> String {
    format!("ftp://{}:{}@{}/{path}", interop::USER, interop::PASSWORD, server.addr)
}

/// ftplib's `storbinary(..., rest=N)`: the remote file is written from byte
/// N on with the local file's bytes from N on, so a half-sent file is
/// completed without re-sending the first half.
#[test]
fn put_at_an_offset_finishes_a_short_file() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    let data = bytes(300_000, 4);
    std::fs::write(env.path("whole.bin"), &data).unwrap();
    std::fs::write(server.root().join("whole.bin"), &data[..120_000]).unwrap();
    env.ok(&["put", "--offset", "120000", "whole.bin", &server.url("/whole.bin")]);
    assert!(std::fs::read(server.root().join("whole.bin")).unwrap() == data);
    // Past the local file's end is refused before anything is sent.
    env.fails(
        &["put", "--offset", "400000", "whole.bin", &server.url("/whole.bin")],
        36,
    );
    env.fails(
        &["put", "--offset", "5", "-c", "whole.bin", &server.url("/whole.bin")],
        2,
    );
}

/// ftplib's `source_address`: the control and data connections leave from
/// the address given.
#[test]
fn source_address_is_where_connections_come_from() {
    let server = ScriptedServer::start(b"220 scripted\r\n", |line, ctx: &mut Ctx| {
        if line.starts_with("RETR") {
            ctx.transfer(b"hello");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let env = Env::new();
    let url = format!("ftp://u:p@{}/f.txt", server.addr());
    let out = env.ok(&["--source-address", "127.0.0.2", "cat", &url]);
    assert_eq!(out, "hello");
    let peers = server.peers();
    assert_eq!(peers.len(), 2, "{peers:?}");
    assert!(peers.iter().all(|p| p.ip().to_string() == "127.0.0.2"), "{peers:?}");
    env.fails(&["--source-address", "nowhere", "cat", &url], 2);
}

/// ftplib's `encoding="latin-1"`: a file whose name is not UTF-8 is listed,
/// fetched and deleted by its exact bytes, against vsftpd (which keeps
/// names as bytes).
#[test]
fn latin1_names_round_trip_with_vsftpd() {
    let Some(server) = interop::start_or_skip(Kind::Vsftpd, None) else {
        return;
    };
    use std::os::unix::ffi::OsStrExt;
    let dir = format!("latin1-{}", std::process::id());
    let home = std::path::Path::new(interop::USER_HOME).join(&dir);
    let env = Env::new();
    // Made by the server's user, so the server may delete in it.
    env.ok(&["mkdir", &login_url(&server, &dir)]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(home.join(name), b"latin-1 name").unwrap();
    let listed = env.ok(&["--encoding", "latin1", "ls", &login_url(&server, &format!("{dir}/"))]);
    assert_eq!(listed, "caf\u{e9}.txt\n");
    let url = login_url(&server, &format!("{dir}/caf%C3%A9.txt"));
    assert_eq!(env.ok(&["--encoding", "latin1", "cat", &url]), "latin-1 name");
    // In UTF-8 the same name is not the file's.
    env.fails(&["cat", &url], 78);
    env.ok(&["--encoding", "latin1", "rm", &url]);
    assert!(!home.join(name).exists());
    std::fs::remove_dir(&home).unwrap();
}

/// ftplib's `ccc()`: against proftpd, `--ccc` clears the control
/// connection after login and the data still moves, encrypted.
#[test]
fn ccc_with_proftpd() {
    let pki = host_tests::pki::TestPki::generate().unwrap();
    let tls = ServerTls {
        pki: &pki,
        implicit: false,
        client_certs: false,
    };
    let Some(server) = interop::start_or_skip(Kind::Proftpd, Some(tls)) else {
        return;
    };
    let env = Env::new();
    std::fs::write(env.path("ca.pem"), &pki.ca_pem).unwrap();
    let data = bytes(1 << 20, 7);
    std::fs::write(env.path("ccc.bin"), &data).unwrap();
    let name = format!("ccc-cli-{}.bin", std::process::id());
    let url = login_url(&server, &name);
    let tls = ["--tls", "--cacert", "ca.pem", "--ccc", "-v"];
    let out = env.run(&[&tls[..], &["put", "ccc.bin", &url]].concat());
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("> CCC") && said.contains("< 200"), "{said}");
    env.ok(&[&tls[..], &["get", &url, "back.bin"]].concat());
    assert!(std::fs::read(env.path("back.bin")).unwrap() == data);
    env.ok(&[&tls[..], &["rm", &url]].concat());
    // Without TLS there is nothing to clear.
    env.fails(&["--ccc", "ls", &url], 2);
}

/// ftplib's `ftpcp`: `wftp copy` moves a file from pure-ftpd to vsftpd
/// directly; a URL ending in / keeps the name.
#[test]
fn copy_between_two_servers() {
    let (Some(source), Some(target)) = (
        interop::start_or_skip(Kind::PureFtpd, None),
        interop::start_or_skip(Kind::Vsftpd, None),
    ) else {
        return;
    };
    let dir = format!("fxp-cli-{}", std::process::id());
    let home = std::path::Path::new(interop::USER_HOME).join(&dir);
    let env = Env::new();
    env.ok(&["mkdir", "-p", &login_url(&target, &format!("{dir}/to"))]);
    let data = bytes(2 << 20, 9);
    std::fs::write(home.join("from.bin"), &data).unwrap();
    env.ok(&[
        "copy",
        &login_url(&source, &format!("{dir}/from.bin")),
        &login_url(&target, &format!("{dir}/to/")),
    ]);
    assert!(std::fs::read(home.join("to/from.bin")).unwrap() == data);
    env.fails(
        &[
            "copy",
            &login_url(&source, &format!("{dir}/missing.bin")),
            &login_url(&target, &format!("{dir}/to/")),
        ],
        9,
    );
    std::fs::remove_dir_all(&home).unwrap();
}

/// `wftp hash` against proftpd (mod_digest): the server's SHA-256 equals
/// the local copy's, and a changed local copy is reported (exit 1).
#[test]
fn hash_compares_with_proftpd() {
    let Some(server) = interop::start_or_skip(Kind::Proftpd, None) else {
        return;
    };
    let env = Env::new();
    let data = bytes(500_000, 3);
    let name = format!("hash-cli-{}.bin", std::process::id());
    std::fs::write(std::path::Path::new(interop::USER_HOME).join(&name), &data).unwrap();
    std::fs::write(env.path("same.bin"), &data).unwrap();
    std::fs::write(env.path("other.bin"), &data[1..]).unwrap();
    let url = login_url(&server, &name);
    let out = env.ok(&["hash", &url, "same.bin"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("sha256  ") && lines.len() == 2, "{out}");
    assert_eq!(lines[0].split_whitespace().nth(1), lines[1].split_whitespace().nth(1));
    env.fails(&["hash", &url, "other.bin"], 1);
    assert!(env.ok(&["hash", &url]).starts_with("sha256  "));
    std::fs::remove_file(std::path::Path::new(interop::USER_HOME).join(&name)).unwrap();
}
