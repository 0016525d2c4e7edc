//! EPSV/PASV replies: never a panic, never port 0, and what parses re-parses
//! to the same value from its canonical form.
#![no_main]

use ftp_client::proto::passive::{parse_epsv, parse_pasv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(port) = parse_epsv(text) {
        assert_ne!(port, 0);
        assert_eq!(parse_epsv(&format!("(|||{port}|)")), Ok(port));
    }
    if let Ok((ip, port)) = parse_pasv(text) {
        assert_ne!(port, 0);
        let o = ip.octets();
        let canonical = format!("({},{},{},{},{},{})", o[0], o[1], o[2], o[3], port >> 8, port & 0xff);
        assert_eq!(parse_pasv(&canonical), Ok((ip, port)));
    }
});
