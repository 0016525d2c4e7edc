//! Data transfers through the component: round trips verified by sha256,
//! resume, append, ASCII conversion, abort and recovery.

mod common;

use host_tests::{Error, StoreMode, TransferType};
use std::time::Instant;

fn round_trip(len: usize, seed: u64) {
    let (server, mut c, s) = common::logged_in();
    let data = common::random_bytes(len, seed);
    let name = format!("round-{len}.bin");
    let started = Instant::now();
    let reply = c.put(s, &name, StoreMode::Replace, &data, 1 << 20).unwrap();
    let up = started.elapsed();
    assert_eq!(reply.code, 226);
    let on_disk = std::fs::read(server.root().join(&name)).unwrap();
    assert_eq!(common::sha256(&on_disk), common::sha256(&data), "uploaded bytes differ");
    let started = Instant::now();
    let back = c.get(s, &name, 0, 1 << 20).unwrap();
    let down = started.elapsed();
    assert_eq!(back.len(), len);
    assert_eq!(common::sha256(&back), common::sha256(&data), "downloaded bytes differ");
    if len >= 1 << 20 {
        let mib = len as f64 / (1 << 20) as f64;
        println!(
            "{len} B: upload {:.0} MiB/s, download {:.0} MiB/s",
            mib / up.as_secs_f64(),
            mib / down.as_secs_f64()
        );
    }
}

#[test]
fn round_trip_empty() {
    round_trip(0, 10);
}

#[test]
fn round_trip_one_byte() {
    round_trip(1, 11);
}

#[test]
fn round_trip_one_mib() {
    round_trip(1 << 20, 12);
}

#[test]
fn round_trip_64_mib() {
    round_trip(64 << 20, 13);
}

#[test]
fn small_reads_reassemble_the_file() {
    let (_server, mut c, s) = common::logged_in();
    let data = common::random_bytes(100_003, 14);
    c.put(s, "odd.bin", StoreMode::Replace, &data, 777).unwrap();
    assert_eq!(c.get(s, "odd.bin", 0, 1000).unwrap(), data);
}

#[test]
fn resume_from_an_offset_with_rest() {
    let (_server, mut c, s) = common::logged_in();
    let data = common::random_bytes(1 << 20, 15);
    c.put(s, "resume.bin", StoreMode::Replace, &data, 1 << 16).unwrap();
    for offset in [1u64, 300_000, (1 << 20) - 1] {
        let tail = c.get(s, "resume.bin", offset, 1 << 16).unwrap();
        assert_eq!(tail, &data[offset as usize..], "offset {offset}");
    }
}

#[test]
fn append_extends_the_remote_file() {
    let (server, mut c, s) = common::logged_in();
    let first = common::random_bytes(5000, 16);
    let second = common::random_bytes(7000, 17);
    c.put(s, "log.bin", StoreMode::Append, &first, 1000).unwrap();
    c.put(s, "log.bin", StoreMode::Append, &second, 1000).unwrap();
    let expected = [first, second].concat();
    assert_eq!(std::fs::read(server.root().join("log.bin")).unwrap(), expected);
    assert_eq!(c.get(s, "log.bin", 0, 4096).unwrap(), expected);
}

#[test]
fn ascii_mode_converts_line_endings_both_ways() {
    let (server, mut c, s) = common::logged_in();
    c.set_transfer_type(s, TransferType::Ascii).unwrap();
    let text = b"first line\nsecond line\n\nlast line without newline";
    c.put(s, "notes.txt", StoreMode::Replace, text, 7).unwrap();
    // The wire (and this server, which stores what it receives) has CRLF.
    let stored = std::fs::read(server.root().join("notes.txt")).unwrap();
    assert_eq!(stored, b"first line\r\nsecond line\r\n\r\nlast line without newline");
    assert_eq!(c.get(s, "notes.txt", 0, 5).unwrap(), text);
    c.set_transfer_type(s, TransferType::Binary).unwrap();
    assert_eq!(c.get(s, "notes.txt", 0, 1024).unwrap(), stored);
}

#[test]
fn abort_in_the_middle_of_a_large_retrieve() {
    let (server, mut c, s) = common::logged_in();
    std::fs::write(server.root().join("big.bin"), common::random_bytes(64 << 20, 18)).unwrap();
    let t = c.retrieve(s, "big.bin", 0).unwrap();
    let first = c.read(t, 65536).unwrap().expect("some data");
    assert!(!first.is_empty());
    c.abort_retrieve(t).unwrap();
    c.drop_resource(t).unwrap();
    assert_eq!(c.noop(s).unwrap().code, 200);
    c.put(s, "small.bin", StoreMode::Replace, b"after abort", 64).unwrap();
    assert_eq!(c.get(s, "small.bin", 0, 64).unwrap(), b"after abort");
}

#[test]
fn abort_an_upload_then_continue() {
    let (_server, mut c, s) = common::logged_in();
    let t = c.store(s, "partial.bin", StoreMode::Replace).unwrap();
    c.write(t, &common::random_bytes(100_000, 19)).unwrap();
    c.abort_store(t).unwrap();
    c.drop_resource(t).unwrap();
    assert_eq!(c.noop(s).unwrap().code, 200);
    assert_eq!(c.pwd(s).unwrap(), "/");
}

#[test]
fn dropping_an_unfinished_retrieve_recovers_the_session() {
    let (server, mut c, s) = common::logged_in();
    std::fs::write(server.root().join("drop.bin"), common::random_bytes(8 << 20, 20)).unwrap();
    let t = c.retrieve(s, "drop.bin", 0).unwrap();
    c.read(t, 1024).unwrap();
    c.drop_resource(t).unwrap();
    assert_eq!(c.noop(s).unwrap().code, 200);
    assert_eq!(c.size(s, "drop.bin").unwrap(), 8 << 20);
}

#[test]
fn finish_discards_unread_data_and_checks_the_reply() {
    let (server, mut c, s) = common::logged_in();
    std::fs::write(server.root().join("skip.bin"), common::random_bytes(3 << 20, 21)).unwrap();
    let t = c.retrieve(s, "skip.bin", 0).unwrap();
    c.read(t, 10).unwrap();
    assert_eq!(c.finish_retrieve(t).unwrap().code, 226);
    c.drop_resource(t).unwrap();
    assert_eq!(c.noop(s).unwrap().code, 200);
}

#[test]
fn read_size_bounds_are_enforced() {
    let (_server, mut c, s) = common::logged_in();
    c.put(s, "r.bin", StoreMode::Replace, b"abc", 3).unwrap();
    let t = c.retrieve(s, "r.bin", 0).unwrap();
    assert!(matches!(c.read(t, 0).unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(
        c.read(t, (4 << 20) + 1).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert_eq!(c.read(t, 3).unwrap().unwrap(), b"abc");
    assert_eq!(c.read(t, 3).unwrap(), None);
    c.finish_retrieve(t).unwrap();
}
