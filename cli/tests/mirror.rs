//! `wftp mirror`: a remote tree copied down byte for byte; a second run
//! moves only what changed, `--delete` removes exactly the extraneous,
//! `--dry-run` changes nothing, a run cut short is finished by the next,
//! a hostile listing or a local link cannot make it write outside DIR,
//! `--json` gives the plan, each outcome and a summary as records, and
//! `--journal` lists again only what changed.

mod common;

use common::{bytes, Env};
use ftp_test_server::TestServer;
use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};
use std::path::Path;

/// Every file below `root`, relative path and contents, sorted.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push((name, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out.sort();
    out
}

/// A tree of `n` files in nested directories, sizes from 0 to ~200 KiB.
fn populate(root: &Path, n: usize) {
    for i in 0..n {
        let dir = root.join(format!("d{}/e{}", i % 7, i % 3));
        std::fs::create_dir_all(&dir).unwrap();
        let size = (i * 7919) % 200_000 * usize::from(i % 5 != 0);
        std::fs::write(dir.join(format!("f{i}.bin")), bytes(size, i as u8)).unwrap();
    }
}

fn summary(stderr: &str) -> &str {
    stderr.lines().find(|l| l.starts_with("mirror:")).unwrap_or("")
}

#[test]
fn mirror_down_then_only_the_differences() {
    let server = TestServer::start().unwrap();
    let remote = server.root().join("site");
    populate(&remote, 300);
    let env = Env::new();
    let url = server.url("/site/");

    let out = env.run(&["mirror", &url, "copy"]);
    assert!(out.status.success());
    assert!(tree(&env.path("copy")) == tree(&remote), "first mirror differs");
    assert!(summary(&String::from_utf8_lossy(&out.stderr)).starts_with("mirror: 300 fetched"));

    // Nothing changed: nothing moves.
    let out = env.run(&["mirror", &url, "copy"]);
    assert!(summary(&String::from_utf8_lossy(&out.stderr)).starts_with("mirror: 0 fetched"));

    // Change one (size), add one, delete one remotely; add a local stray.
    std::fs::write(remote.join("d1/e1/f1.bin"), b"changed").unwrap();
    std::fs::write(remote.join("d0/new.txt"), b"new").unwrap();
    std::fs::remove_file(remote.join("d2/e2/f2.bin")).unwrap();
    std::fs::write(env.path("copy/stray.txt"), b"mine").unwrap();

    let plan = env.ok(&["mirror", "--dry-run", "--delete", &url, "copy"]);
    assert_eq!(
        plan.lines().collect::<Vec<_>>(),
        [
            "fetch  d0/new.txt (3 B, missing)",
            "fetch  d1/e1/f1.bin (7 B, size differs)",
            "delete stray.txt",
            "delete d2/e2/f2.bin"
        ]
    );
    assert!(env.path("copy/stray.txt").exists(), "--dry-run changed something");
    // The local copy of f1.bin has the server's old time: the changed one
    // is newer, so --newer fetches it too.
    let plan = env.ok(&["mirror", "--dry-run", "--newer", &url, "copy"]);
    assert_eq!(
        plan.lines().collect::<Vec<_>>(),
        ["fetch  d0/new.txt (3 B, missing)", "fetch  d1/e1/f1.bin (7 B, newer)"]
    );
    // A local file made newer than the server's is left alone.
    let touched = env.path("copy/d1/e1/f1.bin");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3_600);
    std::fs::File::options()
        .write(true)
        .open(&touched)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let plan = env.ok(&["mirror", "--dry-run", "--newer", &url, "copy"]);
    assert_eq!(plan.lines().collect::<Vec<_>>(), ["fetch  d0/new.txt (3 B, missing)"]);

    // Without --delete the extraneous stay; with it they go.
    let out = env.run(&["mirror", &url, "copy"]);
    assert!(summary(&String::from_utf8_lossy(&out.stderr)).starts_with("mirror: 2 fetched"));
    assert!(env.path("copy/stray.txt").exists());
    let out = env.run(&["mirror", "--delete", &url, "copy"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary(&said).contains("0 fetched") && summary(&said).contains("2 deleted"),
        "{said}"
    );
    assert!(tree(&env.path("copy")) == tree(&remote), "mirror with --delete differs");
}

#[test]
fn a_run_cut_short_is_finished_by_the_next() {
    let server = TestServer::start().unwrap();
    let remote = server.root().join("site");
    populate(&remote, 40);
    let env = Env::new();
    let url = server.url("/site/");
    env.ok(&["mirror", &url, "copy"]);
    // As a run stopped halfway leaves it: some files missing, one short,
    // and a partial download's temporary file.
    std::fs::remove_dir_all(env.path("copy/d3")).unwrap();
    let short = env.path("copy/d1/e1/f1.bin");
    std::fs::write(&short, &std::fs::read(&short).unwrap()[..100]).unwrap();
    std::fs::write(env.path("copy/d1/.wftp-abc.part"), b"partial").unwrap();
    let expected_fetches = 1 + tree(&remote.join("d3")).len();
    let out = env.run(&["mirror", &url, "copy"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary(&said).starts_with(&format!("mirror: {expected_fetches} fetched")),
        "{said}"
    );
    // The partial file no copy needed is gone with the run.
    assert!(!env.path("copy/d1/.wftp-abc.part").exists());
    assert!(tree(&env.path("copy")) == tree(&remote));
}

#[test]
fn include_and_exclude() {
    let server = TestServer::start().unwrap();
    let remote = server.root().join("site");
    populate(&remote, 30);
    std::fs::write(remote.join("d0/readme.txt"), b"hi").unwrap();
    let env = Env::new();
    let url = server.url("/site/");
    env.ok(&["mirror", "--include", "*.txt", &url, "txt"]);
    assert_eq!(tree(&env.path("txt")), [("d0/readme.txt".to_string(), b"hi".to_vec())]);
    env.ok(&["mirror", "--exclude", "d0", "--exclude", "*.bin", &url, "none"]);
    assert!(tree(&env.path("none")).is_empty());
}

/// A listing naming `..` or `a/b`, and a local link pointing outside DIR:
/// nothing is written outside DIR, and the refusals are reported.
#[test]
fn a_hostile_listing_or_a_local_link_cannot_escape() {
    let server = ScriptedServer::start(b"220 scripted\r\n", |line, ctx: &mut Ctx| {
        let verb = line.split(' ').next().unwrap_or_default();
        match (verb, line) {
            ("FEAT", _) => ctx.send("211-Features:\r\n MLST type*;size*;modify*;\r\n211 End\r\n"),
            ("MLSD", "MLSD") | ("MLSD", "MLSD .") => ctx.transfer(
                b"type=file;size=4;modify=20260101000000; ok.txt\r\n\
                  type=file;size=4;modify=20260101000000; ../escape.txt\r\n\
                  type=dir;modify=20260101000000; link\r\n",
            ),
            ("MLSD", _) => ctx.transfer(b"type=file;size=4;modify=20260101000000; inner.txt\r\n"),
            ("RETR", _) => ctx.transfer(b"data"),
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let env = Env::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(env.path("copy")).unwrap();
    std::os::unix::fs::symlink(outside.path(), env.path("copy/link")).unwrap();
    let url = format!("ftp://u:p@{}/", server.addr());
    let out = env.run(&["mirror", &url, "copy"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("escape.txt"), "the refusal is not reported: {said}");
    assert_eq!(std::fs::read(env.path("copy/ok.txt")).unwrap(), b"data");
    assert!(!env.path("escape.txt").exists() && !env.home_dir().join("escape.txt").exists());
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        0,
        "wrote through the link"
    );
}

/// Four sessions at once make the same tree as one, and the next run,
/// parallel too, finds nothing to do.
#[test]
fn a_parallel_mirror_makes_the_same_tree() {
    let server = TestServer::start().unwrap();
    let remote = server.root().join("site");
    populate(&remote, 200);
    let env = Env::new();
    let url = server.url("/site/");
    let out = env.run(&["mirror", "--parallel", "4", &url, "copy"]);
    assert!(out.status.success());
    assert!(tree(&env.path("copy")) == tree(&remote), "parallel mirror differs");
    let out = env.run(&["mirror", "-P", "4", &url, "copy"]);
    assert!(summary(&String::from_utf8_lossy(&out.stderr)).starts_with("mirror: 0 fetched"));
    env.fails(&["mirror", "-P", "0", &url, "copy"], 2);
}

/// Up: a local tree onto the server, byte for byte; then only the local
/// changes are sent, and `--delete` removes exactly what the server has
/// beyond the local tree. A local link is not followed.
#[test]
fn mirror_up_then_only_the_differences() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    populate(&env.path("local"), 120);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), b"not for the server").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret"), env.path("local/link")).unwrap();
    let url = server.url("/up/");

    let out = env.run(&["mirror", "-P", "3", "local", &url]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(summary(&said).starts_with("mirror: 120 sent"), "{said}");
    assert!(said.contains("\"link\""), "the link is not reported: {said}");
    std::fs::remove_file(env.path("local/link")).unwrap();
    assert!(
        tree(&server.root().join("up")) == tree(&env.path("local")),
        "mirror up differs"
    );

    let out = env.run(&["mirror", "local", &url]);
    assert!(summary(&String::from_utf8_lossy(&out.stderr)).starts_with("mirror: 0 sent"));

    std::fs::write(env.path("local/d1/e1/f1.bin"), b"changed").unwrap();
    std::fs::write(server.root().join("up/extra.txt"), b"theirs").unwrap();
    // A dry run up to a directory the server lacks makes nothing there.
    env.ok(&["mirror", "--dry-run", "local", &server.url("/never/")]);
    assert!(!server.root().join("never").exists(), "--dry-run made the directory");
    let plan = env.ok(&["mirror", "--dry-run", "--delete", "local", &url]);
    assert_eq!(
        plan.lines().collect::<Vec<_>>(),
        ["send   d1/e1/f1.bin (7 B, size differs)", "delete extra.txt"]
    );
    env.ok(&["mirror", "--delete", "local", &url]);
    assert!(
        tree(&server.root().join("up")) == tree(&env.path("local")),
        "second mirror up differs"
    );
    env.fails(&["mirror", "local", "other-local"], 2);
}

/// Up then down against each real server in the interop set, over three
/// sessions: what comes back is what went up, and a second run each way
/// moves nothing.
#[test]
fn mirror_both_ways_with_real_servers() {
    use host_tests::interop::{self, Kind};
    for kind in [Kind::Vsftpd, Kind::PureFtpd, Kind::Proftpd, Kind::Pyftpdlib] {
        let Some(server) = interop::start_or_skip(kind, None) else {
            continue;
        };
        let env = Env::new();
        populate(&env.path("local"), 150);
        let dir = format!("mirror-{}-{}", kind.name(), std::process::id());
        let url = format!("ftp://{}:{}@{}/{dir}/", interop::USER, interop::PASSWORD, server.addr);
        let out = env.run(&["mirror", "-P", "3", "local", &url]);
        assert!(out.status.success(), "{}: up", kind.name());
        let out = env.run(&["mirror", "-P", "3", &url, "back"]);
        assert!(out.status.success(), "{}: down", kind.name());
        assert!(
            tree(&env.path("back")) == tree(&env.path("local")),
            "{}: round trip differs",
            kind.name()
        );
        for (from, to, word) in [("local", url.as_str(), "sent"), (url.as_str(), "back", "fetched")] {
            let out = env.run(&["mirror", from, to]);
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(
                summary(&said).starts_with(&format!("mirror: 0 {word}")),
                "{}: {said}",
                kind.name()
            );
        }
        let _ = std::fs::remove_dir_all(Path::new(interop::USER_HOME).join(&dir));
    }
}

/// A file the server answers with 450 (busy) is tried again with
/// `--retry`, on the same session (a 4xx leaves it in step), and fetched;
/// without it the run fails with 75, the others fetched.
#[test]
fn retry_gets_a_file_past_a_transient_refusal() {
    for retry in [false, true] {
        let mut busy = true;
        let server = ScriptedServer::start(b"220 scripted\r\n", move |line, ctx: &mut Ctx| {
            match line {
                "FEAT" => ctx.send("211-Features:\r\n MLST type*;size*;modify*;\r\n211 End\r\n"),
                "MLSD" | "MLSD ." => ctx.transfer(
                    b"type=file;size=4;modify=20260101000000; a.txt\r\n\
                      type=file;size=4;modify=20260101000000; b.txt\r\n",
                ),
                "RETR b.txt" if busy => {
                    busy = false;
                    ctx.send("450 busy, try later\r\n");
                }
                l if l.starts_with("RETR") => ctx.transfer(b"data"),
                _ => return ordinary(line, ctx),
            }
            Flow::Next
        });
        let env = Env::new();
        let url = format!("ftp://u:p@{}/", server.addr());
        let args: &[&str] = if retry {
            &["mirror", "--retry", "2", &url, "copy"]
        } else {
            &["mirror", &url, "copy"]
        };
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(if retry { 0 } else { 75 }));
        assert_eq!(std::fs::read(env.path("copy/a.txt")).unwrap(), b"data");
        assert_eq!(env.path("copy/b.txt").exists(), retry);
    }
}

/// `get -r` and `put -r` are a mirror each way (no deletions).
#[test]
fn get_and_put_recursive() {
    let server = TestServer::start().unwrap();
    let env = Env::new();
    populate(&env.path("tree"), 25);
    env.ok(&["put", "-r", "tree", &server.url("/site/")]);
    assert!(tree(&server.root().join("site")) == tree(&env.path("tree")));
    env.ok(&["get", "-r", &server.url("/site/")]);
    assert!(tree(&env.path("site")) == tree(&env.path("tree")));
    env.ok(&["get", "-r", &server.url("/site/d0"), "zero"]);
    assert!(tree(&env.path("zero")) == tree(&env.path("tree/d0")));
    env.fails(&["get", "-r", "-c", &server.url("/site/"), "x"], 2);
}

/// `--verify` against proftpd (mod_digest): every copy's SHA-256 is the
/// server's, both ways. A server whose digest does not match has the
/// file reported (exit 1) and removed, so the next run fetches it again.
#[test]
fn verify_checks_each_copy_against_the_servers_digest() {
    use host_tests::interop::{self, Kind};
    if let Some(server) = interop::start_or_skip(Kind::Proftpd, None) {
        let env = Env::new();
        populate(&env.path("local"), 30);
        let dir = format!("verify-{}", std::process::id());
        let url = format!("ftp://{}:{}@{}/{dir}/", interop::USER, interop::PASSWORD, server.addr);
        env.ok(&["mirror", "--verify", "-P", "2", "local", &url]);
        env.ok(&["mirror", "--verify", &url, "back"]);
        assert!(tree(&env.path("back")) == tree(&env.path("local")));
        let _ = std::fs::remove_dir_all(Path::new(interop::USER_HOME).join(&dir));
    }

    let server = ScriptedServer::start(b"220 scripted\r\n", |line, ctx: &mut Ctx| {
        match line {
            "FEAT" => ctx.send("211-Features:\r\n MLST type*;size*;modify*;\r\n XSHA256\r\n211 End\r\n"),
            "MLSD" | "MLSD ." => ctx.transfer(b"type=file;size=4;modify=20260101000000; a.txt\r\n"),
            l if l.starts_with("RETR") => ctx.transfer(b"data"),
            l if l.starts_with("XSHA256") => ctx.send(format!("250 {}\r\n", "0".repeat(64))),
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let env = Env::new();
    let said = env.fails(
        &["mirror", "--verify", &format!("ftp://u:p@{}/", server.addr()), "copy"],
        1,
    );
    assert!(said.contains("differs from the server's sha256 digest"), "{said}");
    assert!(!env.path("copy/a.txt").exists());
}

/// A download cut short (the server sent half, then 426) is retried from
/// where it stopped: REST at the half the partial file holds, and only the
/// rest is sent. A partial file older than the server's copy is not
/// trusted: that file is fetched whole.
#[test]
fn a_retried_download_resumes_where_it_stopped() {
    let data = bytes(10_000, 3);
    let body = data.clone();
    let mut cut = true;
    let mut rest = 0;
    let server = ScriptedServer::start(b"220 scripted\r\n", move |line, ctx: &mut Ctx| {
        match line {
            "FEAT" => ctx.send("211-Features:\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n SIZE\r\n211 End\r\n"),
            "MLSD" | "MLSD ." => ctx.transfer(
                b"type=file;size=10000;modify=20260101000000; big.bin\r\n\
                  type=file;size=10000;modify=20991231000000; future.bin\r\n",
            ),
            "SIZE big.bin" | "SIZE future.bin" => ctx.send("213 10000\r\n"),
            l if l.starts_with("REST ") => {
                rest = l[5..].parse().unwrap();
                ctx.send("350 restarting\r\n");
            }
            "RETR big.bin" if cut => {
                cut = false;
                ctx.send("150 here it comes\r\n");
                ctx.data_write(&body[..5_000]);
                ctx.data_close();
                ctx.send("426 connection lost, transfer aborted\r\n");
            }
            l if l.starts_with("RETR") => {
                ctx.transfer(&body[rest..]);
                rest = 0;
            }
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let env = Env::new();
    std::fs::create_dir(env.path("copy")).unwrap();
    // An earlier run's partial file of a file changed since (2099): not kept.
    std::fs::write(env.path("copy/.wftp-future.bin.part"), &data[..7_000]).unwrap();
    let out = env.run(&[
        "mirror",
        "--retry",
        "1",
        &format!("ftp://u:p@{}/", server.addr()),
        "copy",
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert_eq!(std::fs::read(env.path("copy/big.bin")).unwrap(), data);
    assert_eq!(std::fs::read(env.path("copy/future.bin")).unwrap(), data);
    assert!(!env.path("copy/.wftp-big.bin.part").exists());
    let commands = server.commands();
    let rests: Vec<&String> = commands.iter().filter(|c| c.starts_with("REST")).collect();
    assert_eq!(rests, ["REST 5000"], "{commands:?}");
}

/// An upload the server failed after keeping half (451) is retried from
/// the server's size: REST, then STOR of only the rest.
#[test]
fn a_retried_upload_resumes_at_the_servers_size() {
    let data = bytes(10_000, 4);
    let stored = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let on_server = stored.clone();
    let mut rest = 0;
    let server = ScriptedServer::start(b"220 scripted\r\n", move |line, ctx: &mut Ctx| {
        let mut held = on_server.lock().unwrap();
        match line {
            "FEAT" => ctx.send("211-Features:\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n SIZE\r\n211 End\r\n"),
            "MLSD" | "MLSD ." => ctx.transfer(b""),
            "SIZE up.bin" => ctx.send(format!("213 {}\r\n", held.len())),
            l if l.starts_with("REST ") => {
                rest = l[5..].parse().unwrap();
                ctx.send("350 restarting\r\n");
            }
            "STOR up.bin" => {
                ctx.send("150 send it\r\n");
                let got = ctx.data_read_all();
                held.truncate(rest);
                held.extend_from_slice(&got);
                if rest == 0 {
                    held.truncate(4_000);
                    ctx.send("451 local error: disk hiccup\r\n");
                } else {
                    ctx.send("226 stored\r\n");
                }
                rest = 0;
            }
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let rests = mirror_up_with_one_retry(&server, &data, &stored);
    assert_eq!(rests, ["REST 4000"]);
}

/// A tree of 2 500 files of mixed sizes (most under 8 KiB, one in a
/// hundred over 1 MiB) in 100 directories, mirrored up to vsftpd (LIST)
/// and proftpd (MLSD) and back down at 4 sessions, byte-identical, on the
/// server's disk too; then files changed, added and deleted on one side
/// move, and only they, each way, with `--delete` removing exactly the
/// extraneous.
#[test]
fn a_tree_of_thousands_of_files_both_ways() {
    use host_tests::interop::{self, Kind};
    for kind in [Kind::Vsftpd, Kind::Proftpd] {
        let Some(server) = interop::start_or_skip(kind, None) else {
            continue;
        };
        let env = Env::new();
        let local = env.path("local");
        for i in 0..2_500usize {
            let dir = local.join(format!("d{:02}/e{}", i % 20, i % 5));
            std::fs::create_dir_all(&dir).unwrap();
            let size = if i % 100 == 0 { (1 << 20) + i } else { (i * 7919) % 8192 };
            std::fs::write(dir.join(format!("f{i:04}.bin")), bytes(size, i as u8)).unwrap();
        }
        let dir = format!("many-{}-{}", kind.name(), std::process::id());
        let on_disk = Path::new(interop::USER_HOME).join(&dir);
        let url = format!("ftp://{}:{}@{}/{dir}/", interop::USER, interop::PASSWORD, server.addr);
        let said = |out: std::process::Output| {
            let text = String::from_utf8_lossy(&out.stderr).to_string();
            assert!(out.status.success(), "{}: {text}", kind.name());
            summary(&text).to_string()
        };

        let up = said(env.run(&["mirror", "-P", "4", "local", &url]));
        assert!(up.starts_with("mirror: 2500 sent"), "{}: {up}", kind.name());
        let down = said(env.run(&["mirror", "-P", "4", &url, "back"]));
        assert!(down.starts_with("mirror: 2500 fetched"), "{}: {down}", kind.name());
        let original = tree(&local);
        assert!(tree(&on_disk) == original, "{}: the server's copy differs", kind.name());
        assert!(
            tree(&env.path("back")) == original,
            "{}: the copy back differs",
            kind.name()
        );

        // Locally: two changed (sizes), one added, two deleted.
        std::fs::write(local.join("d01/e1/f0001.bin"), b"changed").unwrap();
        std::fs::write(local.join("d02/e2/f0002.bin"), bytes(20_000, 9)).unwrap();
        std::fs::write(local.join("d03/e3/added.txt"), b"new").unwrap();
        std::fs::remove_file(local.join("d04/e4/f0004.bin")).unwrap();
        std::fs::remove_file(local.join("d05/e0/f0005.bin")).unwrap();
        let up = said(env.run(&["mirror", "-P", "4", "--delete", "local", &url]));
        assert!(up.starts_with("mirror: 3 sent"), "{}: {up}", kind.name());
        assert!(up.contains(", 2 deleted"), "{}: {up}", kind.name());
        let down = said(env.run(&["mirror", "-P", "4", "--delete", &url, "back"]));
        assert!(down.starts_with("mirror: 3 fetched"), "{}: {down}", kind.name());
        assert!(down.contains(", 2 deleted"), "{}: {down}", kind.name());
        let changed = tree(&local);
        assert!(tree(&on_disk) == changed, "{}: the server's copy differs", kind.name());
        assert!(
            tree(&env.path("back")) == changed,
            "{}: the copy back differs",
            kind.name()
        );
        let _ = std::fs::remove_dir_all(&on_disk);
    }
}

/// A retry after the server refused the upload before taking any data
/// (450 to STOR) starts over: the file the server holds is an older one,
/// and adding the rest to it would make a file of the right size and the
/// wrong bytes.
#[test]
fn a_retry_after_a_refused_upload_starts_over() {
    let data = bytes(10_000, 5);
    let stored = std::sync::Arc::new(std::sync::Mutex::new(vec![0u8; 4_000]));
    let on_server = stored.clone();
    let mut refused = false;
    let server = ScriptedServer::start(b"220 scripted\r\n", move |line, ctx: &mut Ctx| {
        let mut held = on_server.lock().unwrap();
        match line {
            "FEAT" => ctx.send("211-Features:\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n SIZE\r\n211 End\r\n"),
            "MLSD" | "MLSD ." => ctx.transfer(b"type=file;size=4000;modify=20000101000000; up.bin\r\n"),
            "SIZE up.bin" => ctx.send(format!("213 {}\r\n", held.len())),
            l if l.starts_with("REST ") => ctx.send("350 restarting\r\n"),
            "STOR up.bin" if !refused => {
                refused = true;
                ctx.send("450 file busy, try later\r\n");
            }
            "STOR up.bin" => {
                ctx.send("150 send it\r\n");
                *held = ctx.data_read_all();
                ctx.send("226 stored\r\n");
            }
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let rests = mirror_up_with_one_retry(&server, &data, &stored);
    assert!(rests.is_empty(), "{rests:?}");
}

/// `mirror --retry 1 local URL` of `local/up.bin` holding `data`, which
/// must succeed with the server then holding `data`; the REST commands it
/// was sent.
fn mirror_up_with_one_retry(server: &ScriptedServer, data: &[u8], stored: &std::sync::Mutex<Vec<u8>>) -> Vec<String> {
    let env = Env::new();
    std::fs::create_dir(env.path("local")).unwrap();
    std::fs::write(env.path("local/up.bin"), data).unwrap();
    let url = format!("ftp://u:p@{}/", server.addr());
    let out = env.run(&["mirror", "--retry", "1", "local", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(*stored.lock().unwrap(), data);
    server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("REST"))
        .collect()
}

/// `--json`: the plan, then one record per action with its outcome, then
/// the summary, each one JSON object on its own line; a dry run gives the
/// plan alone, and a failed run ends with its error record.
#[test]
fn json_gives_the_plan_each_outcome_and_a_summary() {
    let server = TestServer::start().unwrap();
    let remote = server.root().join("site");
    populate(&remote, 5);
    let env = Env::new();
    let url = server.url("/site/");
    let records =
        |out: &str| -> Vec<serde_json::Value> { out.lines().map(|l| serde_json::from_str(l).expect(l)).collect() };
    let dry = records(&env.ok(&["--json", "mirror", "--dry-run", &url, "copy"]));
    assert!(dry.iter().all(|r| r["type"] == "plan"), "{dry:?}");
    let fetches = dry.iter().filter(|r| r["action"] == "fetch").count();
    assert_eq!(fetches, 5);
    assert!(dry.iter().any(|r| r["action"] == "mkdir" && r["path"] == "d0"));

    let run = records(&env.ok(&["--json", "mirror", &url, "copy"]));
    let kinds: Vec<&str> = run.iter().map(|r| r["type"].as_str().unwrap()).collect();
    let first_result = kinds.iter().position(|k| *k == "result").unwrap();
    assert!(kinds[..first_result].iter().all(|k| *k == "plan"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"summary"));
    let done: Vec<&serde_json::Value> = run
        .iter()
        .filter(|r| r["type"] == "result" && r["action"] == "fetch")
        .collect();
    assert_eq!(done.len(), 5);
    assert!(done.iter().all(|r| r["outcome"] == "done" && r["size"].is_u64()));
    let summary = run.last().unwrap();
    assert_eq!(summary["copied"], 5);
    assert_eq!(summary["failed"], 0);

    let listed = records(&env.ok(&["--json", "ls", &url]));
    assert!(listed.iter().all(|r| r["type"] == "entry"));
    assert!(listed.iter().any(|r| r["name"] == "d0" && r["kind"] == "dir"));

    let out = env.run(&["--json", "get", &server.url("/site/missing.bin")]);
    assert_eq!(out.status.code(), Some(78));
    let error = records(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(error.len(), 1);
    assert_eq!(error[0]["type"], "error");
    assert_eq!(error[0]["exit"], 78);
    assert_eq!(error[0]["reply"], 550);
    assert_eq!(error[0]["kind"], "permanent");
}

/// `--journal FILE`: the second run over an unchanged tree asks for the
/// top directory's listing only (its leaves' times are unchanged, and
/// older than a minute when they were listed).
#[test]
fn a_journal_spares_the_second_run_its_listings() {
    let server = TestServer::start().unwrap();
    let remote = server.root().join("site");
    populate(&remote, 40);
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3_600);
    for d in 0..7 {
        for e in 0..3 {
            let dir = remote.join(format!("d{d}/e{e}"));
            if dir.exists() {
                std::fs::File::open(&dir).unwrap().set_modified(hour_ago).unwrap();
            }
        }
    }
    let env = Env::new();
    let url = server.url("/site/");
    let listings = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("> LIST") || l.starts_with("> MLSD"))
            .count()
    };
    let first = env.run(&["-v", "mirror", "--journal", "j.jsonl", &url, "copy"]);
    assert!(first.status.success());
    let second = env.run(&["-v", "mirror", "--journal", "j.jsonl", &url, "copy"]);
    assert!(summary(&String::from_utf8_lossy(&second.stderr)).starts_with("mirror: 0 fetched"));
    // The d* directories hold directories, so they are listed each time;
    // the e* leaves are not.
    assert!(
        listings(&second) < listings(&first),
        "{} then {}",
        listings(&first),
        listings(&second)
    );
    assert_eq!(listings(&second), 1 + 7);
    assert!(tree(&env.path("copy")) == tree(&remote));
}

/// A LIST-only server two hours ahead of UTC lists a file at its local
/// time; its MDTM says the UTC time. The mirror learns the zone from the
/// MDTM and `--newer` then keeps the local copy, written an hour after the
/// server's (and an hour before the time the server listed); taken as
/// UTC (`--no-zone-inference`), the listed time looks newer and the file
/// is fetched.
#[test]
fn a_list_servers_time_zone_is_learnt_from_mdtm() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Three days ago, to the minute: listed with its time, not its year.
    let utc = (now - 3 * 86_400) / 60 * 60;
    let date = |secs: u64, format: &str| {
        let out = std::process::Command::new("date")
            .args(["-u", "-d", &format!("@{secs}"), &format!("+{format}")])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let listed = date(utc + 7200, "%b %d %H:%M");
    let mdtm = date(utc, "%Y%m%d%H%M%S");
    let script = move || {
        let (listed, mdtm) = (listed.clone(), mdtm.clone());
        move |line: &str, ctx: &mut Ctx| {
            let verb = line.split(' ').next().unwrap_or_default();
            match verb {
                "LIST" => ctx.transfer(format!("-rw-r--r-- 1 u g 4 {listed} f.txt\r\n").as_bytes()),
                "MDTM" => ctx.send(format!("213 {mdtm}\r\n")),
                "RETR" => ctx.transfer(b"news"),
                _ => return ordinary(line, ctx),
            }
            Flow::Next
        }
    };
    for (infer, fetched) in [(true, false), (false, true)] {
        let server = ScriptedServer::start(b"220 scripted\r\n", script());
        let env = Env::new();
        std::fs::create_dir(env.path("copy")).unwrap();
        std::fs::write(env.path("copy/f.txt"), b"mine").unwrap();
        let written = std::time::UNIX_EPOCH + std::time::Duration::from_secs(utc + 3600);
        std::fs::File::options()
            .write(true)
            .open(env.path("copy/f.txt"))
            .unwrap()
            .set_modified(written)
            .unwrap();
        let url = format!("ftp://u:p@{}/", server.addr());
        let mut args = vec!["mirror", "--newer"];
        if !infer {
            args.push("--no-zone-inference");
        }
        args.extend([url.as_str(), "copy"]);
        env.ok(&args);
        let got = std::fs::read(env.path("copy/f.txt")).unwrap();
        assert_eq!(
            got == b"news",
            fetched,
            "inference {infer}: {:?}",
            server.conversation()
        );
        assert_eq!(server.conversation().iter().any(|l| l.starts_with("MDTM")), infer);
    }
}
