//! The crate's examples, run against the in-process server, so they stay
//! true.

use ftp_test_server::TestServer;

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
