//! The stream hand-off: the guest gives the host a transfer's own data
//! stream (`retrieve.data-stream`, `store.data-stream`), which the host then
//! reads or writes natively. Round trips by sha256, and every misuse refused.

mod common;

use bytes::Bytes;
use host_tests::{Error, StoreMode, TransferType};

fn upload_by_stream(c: &mut host_tests::Client, s: host_tests::SessionHandle, name: &str, data: &[u8]) {
    let t = c.store(s, name, StoreMode::Replace).unwrap();
    let out = c.data_out(t).unwrap();
    for part in data.chunks(1 << 20) {
        c.write_data(&out, Bytes::copy_from_slice(part)).unwrap();
    }
    c.close_data_out(out).unwrap();
    assert_eq!(c.finish_store(t).unwrap().code, 226);
    c.drop_resource(t).unwrap();
}

fn download_by_stream(c: &mut host_tests::Client, s: host_tests::SessionHandle, name: &str, offset: u64) -> Vec<u8> {
    let t = c.retrieve(s, name, offset).unwrap();
    let input = c.data_in(t).unwrap();
    let mut back = Vec::new();
    while let Some(bytes) = c.read_data(&input, 1 << 20).unwrap() {
        back.extend_from_slice(&bytes);
    }
    c.close_data_in(input).unwrap();
    assert_eq!(c.finish_retrieve(t).unwrap().code, 226);
    c.drop_resource(t).unwrap();
    back
}

#[test]
fn round_trip_through_handed_over_streams() {
    let (server, mut c, s) = common::logged_in();
    for (len, seed) in [(0usize, 40u64), (1, 41), (8 << 20, 42)] {
        let data = common::random_bytes(len, seed);
        let name = format!("stream-{len}.bin");
        upload_by_stream(&mut c, s, &name, &data);
        let on_disk = std::fs::read(server.root().join(&name)).unwrap();
        assert_eq!(
            common::sha256(&on_disk),
            common::sha256(&data),
            "uploaded bytes differ ({len} B)"
        );
        let back = download_by_stream(&mut c, s, &name, 0);
        assert_eq!(
            common::sha256(&back),
            common::sha256(&data),
            "downloaded bytes differ ({len} B)"
        );
    }
    // The session carries on as usual afterwards.
    assert_eq!(c.size(s, "stream-1.bin").unwrap(), 1);
}

#[test]
fn a_handed_over_download_resumes_with_rest() {
    let (_server, mut c, s) = common::logged_in();
    let data = common::random_bytes(300_000, 43);
    c.put(s, "rest.bin", StoreMode::Replace, &data, 1 << 16).unwrap();
    assert_eq!(download_by_stream(&mut c, s, "rest.bin", 123_456), &data[123_456..]);
}

#[test]
fn the_stream_may_take_over_after_chunked_reads() {
    let (_server, mut c, s) = common::logged_in();
    let data = common::random_bytes(1 << 20, 44);
    c.put(s, "mixed.bin", StoreMode::Replace, &data, 1 << 16).unwrap();
    let t = c.retrieve(s, "mixed.bin", 0).unwrap();
    let mut back = c.read(t, 1000).unwrap().unwrap();
    let input = c.data_in(t).unwrap();
    while let Some(bytes) = c.read_data(&input, 1 << 16).unwrap() {
        back.extend_from_slice(&bytes);
    }
    c.close_data_in(input).unwrap();
    c.finish_retrieve(t).unwrap();
    c.drop_resource(t).unwrap();
    assert_eq!(back, data);
}

#[test]
fn chunked_calls_and_a_second_hand_over_are_refused_after_it() {
    let (_server, mut c, s) = common::logged_in();
    c.put(s, "f.bin", StoreMode::Replace, b"hello", 5).unwrap();

    let t = c.retrieve(s, "f.bin", 0).unwrap();
    let input = c.data_in(t).unwrap();
    assert!(matches!(c.read(t, 10).unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(c.data_in(t).unwrap_err().ftp(), Error::InvalidInput(_)));
    c.close_data_in(input).unwrap();
    c.finish_retrieve(t).unwrap();
    c.drop_resource(t).unwrap();

    let t = c.store(s, "g.bin", StoreMode::Replace).unwrap();
    let out = c.data_out(t).unwrap();
    assert!(matches!(c.write(t, b"x").unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(c.data_out(t).unwrap_err().ftp(), Error::InvalidInput(_)));
    c.close_data_out(out).unwrap();
    c.finish_store(t).unwrap();
    c.drop_resource(t).unwrap();
    assert_eq!(c.size(s, "g.bin").unwrap(), 0);
}

#[test]
fn ascii_transfers_keep_their_conversion_and_refuse_the_hand_over() {
    let (_server, mut c, s) = common::logged_in();
    c.put(s, "t.txt", StoreMode::Replace, b"a\nb\n", 100).unwrap();
    c.set_transfer_type(s, TransferType::Ascii).unwrap();
    let t = c.retrieve(s, "t.txt", 0).unwrap();
    assert!(matches!(c.data_in(t).unwrap_err().ftp(), Error::InvalidInput(_)));
    // Refusing left the transfer intact.
    assert_eq!(c.read(t, 100).unwrap().unwrap(), b"a\nb\n");
    c.finish_retrieve(t).unwrap();
    c.drop_resource(t).unwrap();

    let t = c.store(s, "u.txt", StoreMode::Replace).unwrap();
    assert!(matches!(c.data_out(t).unwrap_err().ftp(), Error::InvalidInput(_)));
    c.write(t, b"x\n").unwrap();
    c.finish_store(t).unwrap();
    c.drop_resource(t).unwrap();
}

#[test]
fn abort_after_the_hand_over_recovers_the_session() {
    let (_server, mut c, s) = common::logged_in();
    let data = common::random_bytes(32 << 20, 45);
    c.put(s, "big.bin", StoreMode::Replace, &data, 1 << 20).unwrap();
    let t = c.retrieve(s, "big.bin", 0).unwrap();
    let input = c.data_in(t).unwrap();
    let first = c.read_data(&input, 1 << 16).unwrap().unwrap();
    assert_eq!(&first[..], &data[..first.len()]);
    c.abort_retrieve(t).unwrap();
    // The data connection is shut: the stream ends or fails, never hangs.
    while let Ok(Some(_)) = c.read_data(&input, 1 << 20) {}
    c.close_data_in(input).unwrap();
    c.drop_resource(t).unwrap();
    assert_eq!(c.noop(s).unwrap().code, 200);
    assert_eq!(c.size(s, "big.bin").unwrap(), data.len() as u64);
}
