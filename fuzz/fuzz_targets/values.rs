//! The small value parsers and converters: timestamps round-trip, sizes and
//! quoted paths never panic, ASCII conversion round-trips CR-free text.
#![no_main]

use ftp_client::proto::ascii::{CrlfToLf, LfToCrlf};
use ftp_client::proto::feat::parse_feat;
use ftp_client::proto::reply::Reply;
use ftp_client::proto::response::{parse_257, parse_size, parse_unique_name};
use ftp_client::proto::time::{format_time_val, parse_time_val};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(ts) = parse_time_val(&text) {
        let again = parse_time_val(&format_time_val(ts)).expect("formatted time parses");
        assert_eq!(again.seconds, ts.seconds);
    }
    let _ = parse_size(&text);
    let _ = parse_257(&text);
    let _ = parse_unique_name(&text);
    let _ = parse_feat(&Reply {
        code: 211,
        lines: text.lines().map(str::to_string).collect(),
    });

    let plain: Vec<u8> = data.iter().copied().filter(|&b| b != b'\r').collect();
    let split = data.first().map_or(0, |&b| usize::from(b)).min(plain.len());
    let mut wire = Vec::new();
    let mut up = LfToCrlf::default();
    up.convert(&plain[..split], &mut wire);
    up.convert(&plain[split..], &mut wire);
    let mut back = Vec::new();
    let mut down = CrlfToLf::default();
    let cut = wire.len() / 2;
    down.convert(&wire[..cut], &mut back);
    down.convert(&wire[cut..], &mut back);
    down.finish(&mut back);
    assert_eq!(back, plain);
});
