//! The crate's examples, run against the in-process server, so they stay
//! true.

use ftp_test_server::TestServer;

#[allow(dead_code)]
#[path = "../examples/mirror.rs"]
mod mirror;
#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;
#[allow(dead_code)]
#[path = "../examples/tree.rs"]
mod tree;

#[test]
fn quickstart_runs_and_cleans_up() {
    let server = TestServer::start().unwrap();
    std::fs::create_dir(server.root().join("work")).unwrap();
    quickstart::run(&server.url("/work/")).unwrap();
    assert_eq!(std::fs::read_dir(server.root().join("work")).unwrap().count(), 0);
}

#[test]
fn tree_prints_the_walk() {
    let server = TestServer::start().unwrap();
    std::fs::create_dir_all(server.root().join("pub/sub")).unwrap();
    std::fs::write(server.root().join("pub/a.txt"), "aaa").unwrap();
    std::fs::write(server.root().join("pub/sub/b.bin"), [0u8; 10]).unwrap();
    let lines = tree::run(&server.url("/pub")).unwrap();
    assert_eq!(
        lines,
        ["pub", "    a.txt (3 bytes)", "    sub/", "        b.bin (10 bytes)"]
    );
}

#[test]
fn mirror_takes_a_tree_down_and_sends_the_changes_back() {
    use ftp_host::tree::Action;
    let server = TestServer::start().unwrap();
    std::fs::create_dir_all(server.root().join("site/docs")).unwrap();
    std::fs::write(server.root().join("site/docs/readme.txt"), "read me").unwrap();
    std::fs::write(server.root().join("site/index.html"), "<h1>hi</h1>").unwrap();
    let local = tempfile::tempdir().unwrap();
    let down = mirror::download(&server.url("/site/"), local.path()).unwrap();
    assert_eq!(down.copied(), (2, 18));
    assert_eq!(std::fs::read(local.path().join("docs/readme.txt")).unwrap(), b"read me");

    std::fs::remove_file(local.path().join("index.html")).unwrap();
    std::fs::write(local.path().join("docs/new.txt"), "new").unwrap();
    std::fs::write(local.path().join("scratch.tmp"), "not sent").unwrap();
    let (plan, up) = mirror::upload_with_delete(local.path(), &server.url("/site/")).unwrap();
    let planned: Vec<String> = plan
        .iter()
        .map(|a| match a {
            Action::Copy { item, .. } => format!("send {}", item.path),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        planned,
        ["send docs/new.txt", "Delete { path: \"index.html\", dir: false }"]
    );
    assert_eq!((up.copied().0, up.deleted()), (1, 1));
    assert!(!server.root().join("site/index.html").exists());
    assert!(!server.root().join("site/scratch.tmp").exists());
    assert_eq!(std::fs::read(server.root().join("site/docs/new.txt")).unwrap(), b"new");
}
