//! A whole conversation against arbitrary server bytes, through the rules
//! the session follows (`proto::conversation`, `proto::pace`, the reply
//! parser, the passive and listing parsers, the safe-name rule): banner,
//! login, EPSV/PASV, a transfer's first reply, its data paced against the
//! size announced, an abort to its sentinel, a late reply skipped, and a
//! listing whose names are checked before they become paths. Invariants:
//! no panic, every loop bounded as the session bounds it, byte counts and
//! verdicts consistent, no accepted name that could climb out of a path.
#![no_main]

use ftp_client::proto::conversation::{self, login_step, transfer_start, LoginStep, TransferStart};
use ftp_client::proto::lines::LineBuffer;
use ftp_client::proto::listing::{parse_listing, Kind};
use ftp_client::proto::pace::{Limits, LowSpeed, Pace, PaceError};
use ftp_client::proto::passive::{parse_epsv, parse_pasv};
use ftp_client::proto::path::{is_plain_name, join};
use ftp_client::proto::encoding::Encoding;
use ftp_client::proto::reply::{Reply, ReplyParser};
use ftp_client::proto::response::parse_transfer_size;
use ftp_client::proto::time::Timestamp;
use libfuzzer_sys::fuzz_target;

const MAX_LINE: usize = 512;

/// The server's control bytes, read reply by reply.
struct Server<'a> {
    bytes: &'a [u8],
    lines: LineBuffer,
    parser: ReplyParser,
}

impl Server<'_> {
    /// The next reply; `None` when the bytes end or break the protocol
    /// (where the session would close).
    fn reply(&mut self) -> Option<Reply> {
        loop {
            match self.lines.next_line() {
                Ok(Some(line)) => match self.parser.push_line(&line) {
                    Ok(Some(reply)) => return Some(reply),
                    Ok(None) => continue,
                    Err(_) => return None,
                },
                Ok(None) => {}
                Err(_) => return None,
            }
            if self.bytes.is_empty() {
                return None;
            }
            let n = self.bytes.len().min(self.lines.room().max(1)).min(13);
            self.lines.extend(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
        }
    }

    /// `read_final`: 1xx replies are skipped.
    fn final_reply(&mut self) -> Option<Reply> {
        loop {
            let r = self.reply()?;
            if r.code >= 200 {
                return Some(r);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (knobs, rest) = data.split_at(8);
    let split = usize::from(u16::from_le_bytes([knobs[0], knobs[1]])).min(rest.len());
    let (control, payload) = rest.split_at(split);
    let mut server = Server {
        bytes: control,
        lines: LineBuffer::new(MAX_LINE),
        parser: ReplyParser::new(MAX_LINE * 16, Encoding::Utf8),
    };
    converse(&mut server, knobs, payload);
});

fn converse(server: &mut Server, knobs: &[u8], payload: &[u8]) -> Option<()> {
    // Banner.
    let banner = server.final_reply()?;
    assert!((200..600).contains(&banner.code));
    if banner.code >= 300 {
        return None;
    }
    // Login: at most USER, PASS, ACCT.
    let have_account = knobs[2] & 1 == 1;
    let mut sent = "USER";
    let mut replies = 0;
    loop {
        let reply = server.final_reply()?;
        replies += 1;
        assert!(replies <= 3, "login never loops");
        sent = match login_step(sent, reply.code, have_account) {
            LoginStep::Done => break,
            LoginStep::Fail => return None,
            LoginStep::SendPass => "PASS",
            LoginStep::SendAccount => {
                assert!(have_account, "ACCT only when there is one");
                "ACCT"
            }
        };
    }
    // Passive: EPSV, then PASV where refused.
    let epsv = server.final_reply()?;
    if epsv.code == 229 {
        if let Ok(port) = parse_epsv(&epsv.text()) {
            assert_ne!(port, 0);
        }
    } else if conversation::epsv_falls_back(epsv.code, true) {
        let pasv = server.final_reply()?;
        if let Ok((_, port)) = parse_pasv(&pasv.text()) {
            assert_ne!(port, 0);
        }
    } else {
        assert!(epsv.code < 400 || epsv.code >= 600);
    }
    // The transfer command's first reply, with ftplib's one skip.
    let mut first = server.reply()?;
    let mut skipped = false;
    let open = loop {
        match transfer_start(first.code, skipped) {
            TransferStart::Open | TransferStart::AlreadyDone => break true,
            TransferStart::ReadNext => {
                assert!(!skipped, "a stray 2xx is skipped once");
                skipped = true;
                first = server.reply()?;
            }
            TransferStart::Closing | TransferStart::Refused => break false,
        }
    };
    if open {
        pace_the_data(&first, knobs, payload);
    }
    // The abort: replies until the sentinel's, within the bound.
    let mut in_step = false;
    for _ in 0..conversation::ABORT_MAX_REPLIES {
        let reply = server.final_reply()?;
        if conversation::ends_abort(&reply) {
            in_step = true;
            break;
        }
        if reply.code == 421 {
            return None;
        }
    }
    if !in_step {
        return None;
    }
    // The next command skips late transfer replies.
    let mut next = server.final_reply()?;
    while conversation::is_late_transfer_reply(&next) {
        next = server.final_reply()?;
    }
    assert!(!conversation::is_late_transfer_reply(&next));
    // A listing; its names become paths only if plain.
    let now = Timestamp {
        seconds: 1_795_559_400,
        nanoseconds: 0,
    };
    for entry in parse_listing(payload, knobs[3] & 1 == 1, now, Encoding::Utf8) {
        if entry.kind == Kind::Unparsed || !is_plain_name(&entry.name) {
            continue;
        }
        let path = join("/target", &entry.name);
        let parts: Vec<&str> = path.split('/').collect();
        assert_eq!(parts.len(), 3, "{path:?}: one component below /target");
        assert!(parts[2] != ".." && parts[2] != "." && !parts[2].is_empty(), "{path:?}");
    }
    Some(())
}

/// The payload as data chunks at fuzzed times, against the limits and the
/// announced size: the verdicts must agree with the byte count.
fn pace_the_data(first: &Reply, knobs: &[u8], payload: &[u8]) {
    const S: u64 = 1_000_000_000;
    let limits = Limits {
        data_ns: u64::from(knobs[4].max(1)) * S / 16,
        transfer_ns: (knobs[5] & 1 == 1).then(|| u64::from(knobs[5]) * S / 8),
        low_speed: (knobs[6] & 1 == 1).then(|| LowSpeed {
            bytes_per_second: u64::from(knobs[6]) * 64,
            window_ns: u64::from(knobs[7].max(1)) * S / 32,
        }),
    };
    let expected = parse_transfer_size(&first.text());
    let mut pace = Pace::new(limits, 0, expected);
    let mut now = 0u64;
    let mut total = 0u64;
    for chunk in payload.chunks(17) {
        assert!(pace.budget(now) >= 1 && pace.write_budget(now) >= 1);
        now = now.saturating_add(u64::from(chunk[0]) * S / 64);
        let n = chunk.len() as u64;
        total += n;
        match pace.record(now, n) {
            Ok(()) => assert_eq!(pace.total(), total),
            Err(PaceError::Overrun { expected: e, received }) => {
                assert_eq!(Some(e), expected);
                assert!(received > e);
                return;
            }
            Err(PaceError::Timeout(what)) => {
                assert!(["data", "transfer", "low-speed"].contains(&what));
                return;
            }
        }
    }
    match pace.complete() {
        Ok(()) => assert!(expected.is_none_or(|e| e == total)),
        Err((e, got)) => assert!(Some(e) == expected && got == total && e != total),
    }
}
