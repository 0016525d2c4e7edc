//! `ftp-host`'s jobs: whole trees both ways over a pool with progress
//! events and totals, a dry run's plan as data, names a server lists twice,
//! cancelling and resuming, one rate limit for all sessions, the mirror
//! journal, the stat cache, and single files resumed or refused.

mod common;

use ftp_host::tree::{Action, Mirror, Rules, SkipReason};
use ftp_host::{Cancel, Error, Event, Options, Pool, RateLimit, Start, Totals};
use ftp_test_server::{TestServer, PASSWORD, USER};
use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

fn options(server: &TestServer) -> Options {
    Options::new("127.0.0.1")
        .port(server.addr().port())
        .login(USER, PASSWORD)
}

fn pool(options: Options, cap: usize) -> Pool {
    Pool::new(common::runtime(), options, cap)
}

fn bytes(len: usize, seed: u64) -> Vec<u8> {
    common::random_bytes(len, seed)
}

/// `n` files in nested directories, sizes from 0 to ~100 KiB.
fn populate(root: &Path, n: usize) -> u64 {
    let mut total = 0;
    for i in 0..n {
        let dir = root.join(format!("d{}/e{}", i % 4, i % 3));
        std::fs::create_dir_all(&dir).unwrap();
        let size = (i * 7919) % 100_000 * usize::from(i % 5 != 0);
        std::fs::write(dir.join(format!("f {i}.bin")), bytes(size, i as u64)).unwrap();
        total += size as u64;
    }
    total
}

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

/// The files below `root` whose names mark a download's partial file.
fn partials(root: &Path) -> Vec<String> {
    tree(root)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.rsplit('/').next().is_some_and(|n| n.starts_with(".wftp-")))
        .collect()
}

#[test]
fn a_tree_goes_up_and_comes_back_with_progress_and_totals() {
    let server = TestServer::start().unwrap();
    let local = tempfile::tempdir().unwrap();
    let total = populate(local.path(), 60);
    let pool = pool(options(&server), 3);
    let (tx, rx) = mpsc::channel::<(Event, Totals)>();
    let up = pool.job().observe(tx).upload_tree(local.path(), "site").unwrap();
    assert_eq!(up.copied(), (60, total));
    assert_eq!(
        up.dirs_made(),
        4 + 12,
        "d0..d3 and their e0..e2 (site itself is made first)"
    );
    assert!(up.failures().next().is_none());
    assert!(
        tree(&server.root().join("site")) == tree(local.path()),
        "the server's copy differs"
    );
    let events: Vec<(Event, Totals)> = rx.try_iter().collect();
    assert!(events.contains(&(
        Event::Planned {
            files: 60,
            bytes: total
        },
        Totals {
            files_total: 60,
            bytes_total: total,
            ..Totals::default()
        }
    )));
    let finished = events
        .iter()
        .filter(|(e, _)| matches!(e, Event::Finished { result: Ok(_), .. }))
        .count();
    assert_eq!(finished, 60);
    let (_, last) = events.last().unwrap();
    assert_eq!((last.files_done, last.bytes_done, last.bytes_total), (60, total, total));

    let back = tempfile::tempdir().unwrap();
    let down = pool.job().download_tree("site", back.path()).unwrap();
    assert_eq!(down.copied(), (60, total));
    assert!(
        tree(back.path()) == tree(local.path()),
        "the tree that came back differs"
    );
    assert!(partials(back.path()).is_empty());
    // Nothing changed: both ways plan nothing.
    assert!(pool
        .job()
        .plan(&Mirror::down("site", back.path()))
        .unwrap()
        .actions
        .is_empty());
    assert!(pool
        .job()
        .plan(&Mirror::up(local.path(), "site/"))
        .unwrap()
        .actions
        .is_empty());
}

#[test]
fn a_dry_run_is_the_plan_as_data_and_changes_nothing() {
    let server = TestServer::start().unwrap();
    populate(&server.root().join("site"), 12);
    std::fs::write(server.root().join("site/notes.txt"), b"notes").unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("stray.txt"), b"mine").unwrap();
    let mut rules = Rules::default().exclude("d3").unwrap().include("*.txt").unwrap();
    rules.delete = true;
    let pool = pool(options(&server), 1);
    let plan = pool
        .job()
        .plan(&Mirror::down("site", local.path()).rules(rules))
        .unwrap();
    // Directories are walked into (and made) whatever the includes say; d3
    // is excluded, and so is all below it.
    assert!(plan.actions.iter().all(|a| !a.path().starts_with("d3")));
    let described: Vec<String> = plan
        .actions
        .iter()
        .filter(|a| !matches!(a, Action::MakeDir(_)))
        .map(|a| match a {
            Action::Copy { item, .. } => format!("copy {}", item.path),
            Action::Delete { path, .. } => format!("delete {path}"),
            Action::MakeDir(path) => format!("mkdir {path}"),
            Action::Conflict(path) => format!("conflict {path}"),
        })
        .collect();
    assert_eq!(described, ["copy notes.txt", "delete stray.txt"]);
    assert!(
        std::fs::read_dir(local.path()).unwrap().count() == 1,
        "the dry run changed something"
    );
    assert!(matches!(Rules::default().include("[z"), Err(Error::InvalidInput(_))));
}

/// A listing that names `a.txt` twice alike and `x` as both a file and a
/// directory: `a.txt` is fetched once, `x` not at all, both reported, and
/// nothing is left behind (it used to fail with "No such file or
/// directory" and leave partial files).
#[test]
fn duplicated_and_conflicting_remote_entries_are_reported_and_skipped() {
    let server = ScriptedServer::start(b"220 scripted\r\n", |line, ctx: &mut Ctx| {
        match line {
            "FEAT" => ctx.send("211-Features:\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n211 End\r\n"),
            "MLSD" | "MLSD ." => ctx.transfer(
                b"type=file;size=4;modify=20260101000000; a.txt\r\n\
                  type=file;size=4;modify=20260101000000; x\r\n\
                  type=file;size=4;modify=20260101000000; a.txt\r\n\
                  type=dir;modify=20260101000000; x\r\n\
                  type=file;size=4;modify=20260101000000; ok.txt\r\n",
            ),
            l if l.starts_with("MLSD") => ctx.transfer(b"type=file;size=4;modify=20260101000000; inner\r\n"),
            l if l.starts_with("RETR") => ctx.transfer(b"data"),
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let options = Options::new("127.0.0.1").port(server.port()).login("u", "p");
    let local = tempfile::tempdir().unwrap();
    // A scripted server takes one control connection: one session.
    let report = pool(options, 1).job().download_tree("", local.path()).unwrap();
    let skipped: Vec<(&str, SkipReason)> = report
        .plan
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            ("a.txt", SkipReason::ListedTwice),
            ("x", SkipReason::ListedTwiceDiffering)
        ]
    );
    assert!(report.failures().next().is_none(), "{report:?}");
    assert_eq!(report.copied(), (2, 8), "{report:?}");
    assert_eq!(
        tree(local.path()),
        [
            ("a.txt".to_string(), b"data".to_vec()),
            ("ok.txt".to_string(), b"data".to_vec())
        ]
    );
    assert!(
        !server.conversation().iter().any(|c| c.starts_with("MLSD x")),
        "went into x"
    );
}

/// Cancelling mid-file stops the run: the file in flight is aborted (its
/// partial file kept, to resume), the rest never start; the next run takes
/// the partial file up where it stopped (REST) and leaves none behind.
#[test]
fn cancel_stops_a_run_and_the_next_resumes_it() {
    let server = TestServer::start().unwrap();
    let big = bytes(6 << 20, 7);
    std::fs::create_dir_all(server.root().join("site")).unwrap();
    std::fs::write(server.root().join("site/big.bin"), &big).unwrap();
    std::fs::write(server.root().join("site/later.txt"), b"later").unwrap();
    // A partial file is resumed only if written after the server's file
    // last changed, as its listing shows it (to the minute, from LIST).
    age(&server.root().join("site/big.bin"), 3_600);
    let local = tempfile::tempdir().unwrap();
    let slow = options(&server).rate_limit(RateLimit::new(4 << 20));
    let cancel = Cancel::new();
    let trigger = cancel.clone();
    let report = pool(slow, 1)
        .job()
        .cancel_with(cancel.clone())
        .observe(move |_: &Event, totals: &Totals| {
            if totals.bytes_done >= 1 << 20 {
                trigger.cancel();
            }
        })
        .mirror(&Mirror::down("site", local.path()))
        .unwrap();
    let outcomes: Vec<(&str, String)> = report
        .outcomes
        .iter()
        .map(|(a, o)| (a.path(), format!("{o:?}")))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("big.bin", "Failed(Cancelled)".to_string()),
            ("later.txt", "NotStarted".to_string())
        ]
    );
    assert_eq!(partials(local.path()), [".wftp-big.bin.part"]);
    let kept = std::fs::metadata(local.path().join(".wftp-big.bin.part"))
        .unwrap()
        .len();
    assert!(kept >= 1 << 20 && kept < big.len() as u64, "{kept}");

    let offsets = Arc::new(Mutex::new(Vec::new()));
    let seen = offsets.clone();
    let again = pool(options(&server), 1)
        .job()
        .observe(move |e: &Event, _: &Totals| {
            if let Event::Started { path, offset, .. } = e {
                seen.lock().unwrap().push((path.clone(), *offset));
            }
        })
        .mirror(&Mirror::down("site", local.path()))
        .unwrap();
    assert_eq!(again.copied().0, 2);
    assert_eq!(
        *offsets.lock().unwrap(),
        [("big.bin".to_string(), kept), ("later.txt".to_string(), 0)]
    );
    assert!(std::fs::read(local.path().join("big.bin")).unwrap() == big);
    assert!(partials(local.path()).is_empty());
}

/// One limit for every session of the run: two files over two sessions at
/// 256 KiB/s together cannot take less than about two seconds (a lower
/// bound, which a slow machine cannot fail), and lifting the limit while
/// it runs is seen at once by both.
#[test]
fn a_rate_limit_holds_all_sessions_together() {
    let server = TestServer::start().unwrap();
    std::fs::create_dir_all(server.root().join("r")).unwrap();
    for name in ["a", "b"] {
        std::fs::write(server.root().join("r").join(name), bytes(256 << 10, 3)).unwrap();
    }
    let limit = RateLimit::new(256 << 10);
    let local = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let report = pool(options(&server).rate_limit(limit.clone()), 2)
        .job()
        .download_tree("r", local.path())
        .unwrap();
    assert_eq!(report.copied(), (2, 512 << 10));
    assert!(start.elapsed() >= Duration::from_millis(1_800), "{:?}", start.elapsed());
    assert_eq!(limit.get(), Some(256 << 10));
    limit.set(None);
    assert_eq!(limit.get(), None);
}

/// Sets a file's or directory's modification time `seconds` back, as an
/// old tree has it.
fn age(path: &Path, seconds: u64) {
    let when = SystemTime::now() - Duration::from_secs(seconds);
    std::fs::File::open(path).unwrap().set_modified(when).unwrap();
}

/// With a journal, the second run lists the top directory only (its leaf
/// directories' times are unchanged); a directory that gains a file is
/// listed again and the file fetched; a journal cut short by a kill still
/// serves.
#[test]
fn the_journal_lists_again_only_what_changed() {
    let server = TestServer::start().unwrap();
    let site = server.root().join("site");
    for d in 0..5 {
        let dir = site.join(format!("leaf{d}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..4 {
            std::fs::write(dir.join(format!("f{f}")), bytes(100 + f, d as u64)).unwrap();
        }
        age(&dir, 3_600);
    }
    let local = tempfile::tempdir().unwrap();
    let journal = local.path().join("journal.jsonl");
    let copy = local.path().join("copy");
    let pool = pool(options(&server), 2);
    let run = || {
        let listed = Arc::new(Mutex::new(Vec::new()));
        let seen = listed.clone();
        let report = pool
            .job()
            .observe(move |e: &Event, _: &Totals| {
                if let Event::Listed { path, .. } = e {
                    seen.lock().unwrap().push(path.clone());
                }
            })
            .mirror(&Mirror::down("site", &copy).journal(&journal))
            .unwrap();
        let mut listed = listed.lock().unwrap().clone();
        listed.sort();
        (report, listed)
    };
    let (first, listed) = run();
    assert_eq!(first.copied().0, 20);
    assert_eq!(listed.len(), 6, "{listed:?}");
    let (second, listed) = run();
    assert_eq!((second.copied().0, second.plan.up_to_date), (0, 20));
    assert_eq!(listed, [""], "only the top directory is listed again");

    std::fs::write(site.join("leaf2/new"), b"new").unwrap();
    let (third, listed) = run();
    assert_eq!(third.copied(), (1, 3));
    assert_eq!(listed, ["", "leaf2"]);
    assert_eq!(std::fs::read(copy.join("leaf2/new")).unwrap(), b"new");

    // A kill halfway through writing a record leaves the rest usable.
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str("{\"dir\":\"leaf3\",\"seen\":{\"mod");
    std::fs::write(&journal, text).unwrap();
    age(&site.join("leaf2"), 3_600);
    let (_, listed) = run();
    assert_eq!(
        listed,
        ["", "leaf2"],
        "leaf2's time changed again; the rest are vouched for"
    );
}

/// SIZE after a listing of the file's directory is answered from it; the
/// session's own upload forgets it; with the cache off, SIZE is asked.
#[test]
fn the_stat_cache_answers_from_listings_and_forgets_what_the_session_changes() {
    let script = || {
        |line: &str, ctx: &mut Ctx| {
            match line.split(' ').next().unwrap_or_default() {
                "LIST" => ctx.transfer(b"-rw-r--r-- 1 u g 5 Jan  1  2025 f.bin\r\n"),
                "SIZE" => ctx.send("213 7\r\n"),
                "STOR" => ctx.transfer(b""),
                _ => return ordinary(line, ctx),
            }
            Flow::Next
        }
    };
    let server = ScriptedServer::start(b"220 scripted\r\n", script());
    let options = Options::new("127.0.0.1").port(server.port()).login("u", "p");
    let mut session = common::runtime().connect(options.clone()).unwrap();
    session.list(None).unwrap();
    assert_eq!(session.size("f.bin").unwrap(), 5, "from the listing");
    session.store("f.bin").unwrap().finish().unwrap();
    assert_eq!(session.size("f.bin").unwrap(), 7, "asked again after the upload");
    drop(session);
    let sizes = server.conversation().iter().filter(|c| c.starts_with("SIZE")).count();
    assert_eq!(sizes, 1);

    let server = ScriptedServer::start(b"220 scripted\r\n", script());
    let off = Options {
        stat_cache: None,
        ..options.port(server.port())
    };
    let mut session = common::runtime().connect(off).unwrap();
    session.list(None).unwrap();
    assert_eq!(session.size("f.bin").unwrap(), 7, "the cache is off");
}

#[test]
fn single_files_resume_and_refuse_what_cannot_be_done() {
    let server = TestServer::start().unwrap();
    let data = bytes(300_000, 9);
    std::fs::write(server.root().join("f.bin"), &data).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("f.bin");
    let pool = pool(options(&server), 1);
    let job = pool.job();

    std::fs::write(&target, &data[..100_000]).unwrap();
    let done = job.download_with("f.bin", &target, true, false).unwrap();
    assert_eq!(
        (done.size, done.resumed_from, done.size_checked),
        (300_000, 100_000, true)
    );
    assert!(std::fs::read(&target).unwrap() == data);
    assert!(
        job.download_with("f.bin", &target, true, false)
            .unwrap()
            .already_complete
    );
    std::fs::write(&target, bytes(400_000, 1)).unwrap();
    assert!(matches!(
        job.download_with("f.bin", &target, true, false),
        Err(Error::CannotResume {
            offset: 400_000,
            size: 300_000
        })
    ));
    assert!(matches!(
        job.download_with("f.bin", &target, true, true),
        Err(Error::InvalidInput(_))
    ));

    // A refused download leaves the file that was there, and no twin.
    let kept = std::fs::read(&target).unwrap();
    assert!(matches!(job.download("missing.bin", &target), Err(Error::Permanent(r)) if r.code == 550));
    assert!(std::fs::read(&target).unwrap() == kept);
    assert!(partials(local.path()).is_empty());

    let source = local.path().join("up.bin");
    std::fs::write(&source, &data).unwrap();
    std::fs::write(server.root().join("up.bin"), &data[..1_000]).unwrap();
    let done = job.upload_with(&source, "up.bin", Start::Resume, false).unwrap();
    assert_eq!((done.size, done.resumed_from), (300_000, 1_000));
    assert!(std::fs::read(server.root().join("up.bin")).unwrap() == data);
    assert!(matches!(
        job.upload_with(&source, "up.bin", Start::At(400_000), false),
        Err(Error::CannotResume { .. })
    ));
    assert!(matches!(
        job.upload(local.path(), "dir.bin"),
        Err(Error::LocalRead { .. })
    ));
    let mut sink = Vec::new();
    assert_eq!(job.download_to("f.bin", &mut sink, false).unwrap().size, 300_000);
    assert!(sink == data);
}
