//! The extended command set against the in-process server: FEAT, SYST,
//! STAT, HELP, MDTM/MFMT, typed listings, STOU, tree operations, IPv6.

mod common;

use host_tests::ServerGrant;
use host_tests::{default_options, Client, EntryKind, Error, StoreMode, TestServer};
use std::net::{IpAddr, Ipv6Addr};

#[test]
fn features_system_status_help() {
    let (_server, mut c, s) = common::logged_in();
    let features = c.features(s).unwrap();
    let names: Vec<&str> = features.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"SIZE") && names.contains(&"MDTM"), "{names:?}");
    assert!(!c.system(s).unwrap().is_empty());
    assert_eq!(c.status(s, None).unwrap().code / 100, 2);
    assert_eq!(c.help(s, None).unwrap().code / 100, 2);
    assert!(matches!(
        c.help(s, Some("a\nb")).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
}

#[test]
fn mdtm_reads_the_files_time() {
    let (server, mut c, s) = common::logged_in();
    c.put(s, "t.bin", StoreMode::Replace, b"x", 1).unwrap();
    let when = filetime_of(&server.root().join("t.bin"));
    let got = c.modified_time(s, "t.bin").unwrap();
    assert!(
        (got.seconds - when).abs() <= 1,
        "server says {}, disk says {when}",
        got.seconds
    );
    assert!(matches!(
        c.modified_time(s, "nope").unwrap_err().ftp(),
        Error::Permanent(_)
    ));
}

fn filetime_of(path: &std::path::Path) -> i64 {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    modified.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn list_returns_typed_entries_matching_the_disk() {
    let (server, mut c, s) = common::logged_in();
    let root = server.root();
    std::fs::write(root.join("a file.txt"), vec![b'a'; 1234]).unwrap();
    std::fs::create_dir(root.join("sub dir")).unwrap();
    std::fs::write(root.join("sub dir/inner.bin"), b"12345").unwrap();
    let mut entries = c.list(s, None).unwrap();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let summary: Vec<(String, EntryKind, Option<u64>)> = entries
        .iter()
        .map(|e| (e.name.clone(), e.kind, e.size.filter(|_| e.kind == EntryKind::File)))
        .collect();
    assert_eq!(
        summary,
        [
            ("a file.txt".to_string(), EntryKind::File, Some(1234)),
            ("sub dir".to_string(), EntryKind::Directory, None)
        ]
    );
    for e in &entries {
        assert!(e.modified.is_some(), "{e:?}");
        assert!(!e.raw.is_empty());
    }
    let inner = c.list(s, Some("sub dir")).unwrap();
    assert_eq!(inner.len(), 1);
    assert_eq!((inner[0].name.as_str(), inner[0].size), ("inner.bin", Some(5)));
}

#[test]
fn tree_operations_make_walk_and_remove() {
    let (server, mut c, s) = common::logged_in();
    c.make_dirs(s, "a/b/c").unwrap();
    assert!(server.root().join("a/b/c").is_dir());
    // Again: existing directories are fine.
    c.make_dirs(s, "a/b/c/d").unwrap();
    assert!(server.root().join("a/b/c/d").is_dir());
    c.put(s, "a/b/file.txt", StoreMode::Replace, b"hello", 5).unwrap();
    c.put(s, "a/top.txt", StoreMode::Replace, b"top", 5).unwrap();
    let walked: Vec<(String, EntryKind)> = c
        .walk(s, "a")
        .unwrap()
        .entries
        .into_iter()
        .map(|e| (e.name, e.kind))
        .collect();
    assert_eq!(
        walked,
        [
            ("b".to_string(), EntryKind::Directory),
            ("b/c".to_string(), EntryKind::Directory),
            ("b/c/d".to_string(), EntryKind::Directory),
            ("b/file.txt".to_string(), EntryKind::File),
            ("top.txt".to_string(), EntryKind::File),
        ]
    );
    // make_dirs over an existing file fails.
    assert!(matches!(
        c.make_dirs(s, "a/top.txt/x").unwrap_err().ftp(),
        Error::Permanent(_)
    ));
    assert_eq!(c.pwd(s).unwrap(), "/");
    c.remove_tree(s, "a").unwrap();
    assert!(!server.root().join("a").exists());
    assert_eq!(c.noop(s).unwrap().code, 200);
}

#[test]
fn ipv6_connect_and_epsv() {
    let Ok(server) = TestServer::start_on(IpAddr::V6(Ipv6Addr::LOCALHOST)) else {
        eprintln!("skipped: ::1 is not available on this machine");
        return;
    };
    let mut c = Client::new(common::runtime(), server.grant()).unwrap();
    let s = c.connect("::1", server.addr().port(), &default_options()).unwrap();
    c.login(s, None, None).unwrap();
    c.put(s, "v6.bin", StoreMode::Replace, b"over ipv6", 64).unwrap();
    assert_eq!(c.get(s, "v6.bin", 0, 64).unwrap(), b"over ipv6");
    let s2 = c.connect("[::1]", server.addr().port(), &default_options()).unwrap();
    assert_eq!(c.welcome(s2).unwrap().code, 220);
}
