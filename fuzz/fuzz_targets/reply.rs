//! Control-connection bytes, split into lines and replies: never a panic,
//! every reply code in 100..=599, no line past its bound.
#![no_main]

use ftp_client::proto::encoding::Encoding;
use ftp_client::proto::lines::LineBuffer;
use ftp_client::proto::reply::ReplyParser;
use libfuzzer_sys::fuzz_target;

const MAX_LINE: usize = 512;

fuzz_target!(|data: &[u8]| {
    let mut lines = LineBuffer::new(MAX_LINE);
    // The first byte picks the encoding, so both decoders see every input.
    let encoding = if data.first().is_some_and(|b| b & 1 == 1) {
        Encoding::Latin1
    } else {
        Encoding::Utf8
    };
    let mut parser = ReplyParser::new(MAX_LINE * 8, encoding);
    // Feed in uneven chunks, as a network would.
    for chunk in data.chunks(7) {
        lines.extend(&chunk[..chunk.len().min(lines.room())]);
        loop {
            match lines.next_line() {
                Ok(Some(line)) => {
                    assert!(line.len() <= MAX_LINE);
                    match parser.push_line(&line) {
                        Ok(Some(reply)) => assert!((100..=599).contains(&reply.code)),
                        Ok(None) => {}
                        Err(_) => return,
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
});
