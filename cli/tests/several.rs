//! Several files in one `wftp` run: `get URL... DIR`, a remote glob,
//! `put FILE... URL/`, over one session; a file the server refuses does not
//! stop the others; a hostile listing cannot steer a glob outside DEST.

mod common;

use common::{bytes, Env};
use ftp_test_server::TestServer;
use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};

#[test]
fn put_and_get_several_files_and_a_glob() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    let files = [
        ("a.bin", bytes(70_000, 1)),
        ("b.bin", bytes(5, 2)),
        ("c.txt", bytes(300, 3)),
    ];
    for (name, data) in &files {
        std::fs::write(env.path(name), data).unwrap();
    }
    env.ok(&["mkdir", &server.url("/in")]);
    env.ok(&["put", "a.bin", "b.bin", "c.txt", &server.url("/in/")]);
    for (name, data) in &files {
        assert_eq!(&std::fs::read(server.root().join("in").join(name)).unwrap(), data);
    }
    // Several files must go into a directory.
    env.fails(&["put", "a.bin", "b.bin", &server.url("/in/x")], 2);

    std::fs::create_dir(env.path("named")).unwrap();
    env.ok(&["get", &server.url("/in/a.bin"), &server.url("/in/c.txt"), "named"]);
    assert_eq!(std::fs::read(env.path("named/a.bin")).unwrap(), files[0].1);
    assert_eq!(std::fs::read(env.path("named/c.txt")).unwrap(), files[2].1);
    assert!(!env.path("named/b.bin").exists());

    std::fs::create_dir(env.path("globbed")).unwrap();
    env.ok(&["get", &server.url("/in/*.bin"), "globbed"]);
    let mut got: Vec<String> = std::fs::read_dir(env.path("globbed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    got.sort();
    assert_eq!(got, ["a.bin", "b.bin"]);
    assert_eq!(std::fs::read(env.path("globbed/b.bin")).unwrap(), files[1].1);

    // `cat` of several prints them one after another.
    let out = env
        .command(&["cat", &server.url("/in/b.bin"), &server.url("/in/b.bin")])
        .output()
        .unwrap();
    assert_eq!(out.stdout, [files[1].1.clone(), files[1].1.clone()].concat());

    // With several URLs DEST must be a directory; a glob matching nothing is 78.
    env.fails(
        &["get", &server.url("/in/a.bin"), &server.url("/in/b.bin"), "nowhere"],
        2,
    );
    env.fails(&["get", &server.url("/in/*.none"), "globbed"], 78);
}

#[test]
fn a_missing_file_among_several_fails_alone() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    std::fs::write(server.root().join("one"), "1").unwrap();
    std::fs::write(server.root().join("two"), "2").unwrap();
    std::fs::create_dir(env.path("out")).unwrap();
    let said = env.fails(
        &[
            "get",
            &server.url("/one"),
            &server.url("/missing"),
            &server.url("/two"),
            "out",
        ],
        78,
    );
    assert!(said.contains("missing") && said.contains("1 file(s) failed"), "{said}");
    assert_eq!(std::fs::read(env.path("out/one")).unwrap(), b"1");
    assert_eq!(std::fs::read(env.path("out/two")).unwrap(), b"2");
}

/// A server whose listing names `../evil.bin`, `sub/x.bin` and a name with
/// a control character next to `ok.bin`: a glob gets `ok.bin` only, writes
/// nothing outside DEST, says what it skipped, and logs in once.
#[test]
fn a_glob_over_a_hostile_listing_stays_inside_dest() {
    let server = ScriptedServer::start(b"220 scripted\r\n", |line: &str, ctx: &mut Ctx| {
        match line.split(' ').next().unwrap_or_default() {
            "FEAT" => ctx.send("211-Features:\r\n MLST type*;size*;\r\n SIZE\r\n211 End\r\n"),
            "MLSD" => {
                ctx.send("150 listing\r\n");
                ctx.data_write(
                    b"type=file;size=4; ../evil.bin\r\ntype=file;size=4; sub/x.bin\r\n\
                      type=file;size=4; bell\x07.bin\r\ntype=file;size=4; ok.bin\r\n",
                );
                ctx.data_close();
                ctx.send("226 done\r\n");
            }
            "SIZE" => ctx.send("213 4\r\n"),
            "RETR" => {
                ctx.send("150 sending (4 bytes)\r\n");
                ctx.data_write(b"good");
                ctx.data_close();
                ctx.send("226 done\r\n");
            }
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let env = Env::new();
    let dest = env.path("deep/dest");
    std::fs::create_dir_all(&dest).unwrap();
    let url = format!("ftp://u:p@127.0.0.1:{}/pub/*.bin", server.port());
    let out = env.run(&["--no-netrc", "get", &url, dest.to_str().unwrap()]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("skipped") && said.contains("evil"), "{said}");
    assert_eq!(std::fs::read(dest.join("ok.bin")).unwrap(), b"good");
    assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 1);
    assert!(!env.path("deep/evil.bin").exists());
    let sent = server.commands();
    let retrieved: Vec<&String> = sent.iter().filter(|c| c.starts_with("RETR")).collect();
    assert_eq!(retrieved, ["RETR pub/ok.bin"], "{sent:?}");
    assert_eq!(sent.iter().filter(|c| c.starts_with("USER")).count(), 1, "{sent:?}");
}

/// `get --segments 4`: one file fetched as four parts over four sessions
/// equals the file, whatever its size (parts end at odd offsets), and
/// `--segments` refuses what it cannot do.
#[test]
fn a_segmented_download_equals_the_file() {
    let server = TestServer::start().unwrap();
    let data = bytes((9 << 20) + 12_345, 5);
    std::fs::write(server.root().join("big.bin"), &data).unwrap();
    let env = Env::new();
    env.ok(&["get", "--segments", "4", &server.url("/big.bin"), "got.bin"]);
    assert!(
        std::fs::read(env.path("got.bin")).unwrap() == data,
        "segmented download differs"
    );
    let names: Vec<String> = std::fs::read_dir(env.home_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".part")), "{names:?}");
    env.fails(&["get", "--segments", "4", &server.url("/missing.bin")], 78);
    env.fails(&["get", "--segments", "1", &server.url("/big.bin")], 2);
}
