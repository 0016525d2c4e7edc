//! LIST and MLSD bodies: never a panic, every line accounted for (an entry,
//! an unparsed entry, or a blank/total line), names of parsed entries non-empty.
#![no_main]

use ftp_client::proto::encoding::Encoding;
use ftp_client::proto::listing::{parse_listing, Kind};
use ftp_client::proto::time::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = Timestamp {
        seconds: 1_795_559_400,
        nanoseconds: 0,
    };
    let lines = data.split(|&b| b == b'\n').count();
    for (machine, encoding) in [
        (false, Encoding::Utf8),
        (true, Encoding::Utf8),
        (false, Encoding::Latin1),
        (true, Encoding::Latin1),
    ] {
        let entries = parse_listing(data, machine, now, encoding);
        assert!(entries.len() <= lines);
        for e in entries {
            assert!(!e.raw.is_empty());
            if e.kind != Kind::Unparsed {
                assert!(!e.name.is_empty());
            }
        }
    }
});
