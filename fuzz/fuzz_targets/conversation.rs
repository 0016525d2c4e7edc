//! Whole conversations against arbitrary server bytes, through the real
//! engine (`proto::engine`): a fuzzed configuration (TLS mode, encoding,
//! IPv4 or IPv6 peer) runs a fuzzed sequence of operations, the server's
//! control bytes arriving in fuzzed chunks, data connections and TLS
//! succeeding or failing as the knobs say. The checks are the driver's
//! (`ftp_client_fuzz::drive`); a transfer that opens has its data paced
//! against the size its first reply announced, and a listing that opens
//! has its names checked before they could become paths.
#![no_main]

use ftp_client::proto::engine::{Input, ListingKind, Op, Outcome, Step};
use ftp_client::proto::pace::{Limits, LowSpeed, Pace, PaceError};
use ftp_client::proto::response::parse_transfer_size;
use ftp_client_fuzz::{check_listing, drive, engine, op, Peer};
use libfuzzer_sys::fuzz_target;

/// The server as bytes, and knobs for everything that is not bytes.
struct Bytes<'a> {
    control: &'a [u8],
    knobs: &'a [u8],
    turn: usize,
    spent: usize,
}

impl Bytes<'_> {
    fn knob(&mut self) -> u8 {
        self.turn += 1;
        self.knobs[self.turn % self.knobs.len()]
    }
}

impl Peer for Bytes<'_> {
    fn answer(&mut self, step: &Step) -> Input {
        let knob = self.knob();
        match step {
            Step::Send { .. } if knob == 0xFF => Input::ControlFailed,
            Step::Send { .. } => Input::Sent,
            Step::Receive { handshake: true, .. } if knob & 0xC0 == 0xC0 => Input::DataSecured,
            Step::Receive { handshake: true, .. } if knob & 0xC0 == 0x80 => Input::DataFailed { refused: false },
            Step::Receive { max, .. } => {
                if self.control.is_empty() {
                    return if knob & 1 == 0 {
                        Input::TimedOut
                    } else {
                        Input::ControlClosed
                    };
                }
                let n = (usize::from(knob % 32) + 1).min(*max).min(self.control.len());
                let (chunk, rest) = self.control.split_at(n);
                self.control = rest;
                self.spent += n;
                Input::Received(chunk.to_vec())
            }
            Step::Connect { .. } => match knob % 4 {
                0 | 1 => Input::DataConnected,
                2 => Input::DataFailed { refused: true },
                _ => Input::DataFailed { refused: false },
            },
            Step::StartDataTls { .. } if knob % 8 == 7 => Input::DataFailed { refused: false },
            Step::StartDataTls { .. } => Input::DataTlsStarted,
            Step::FinishDataTls { .. } if knob % 8 == 7 => Input::DataFailed { refused: false },
            Step::FinishDataTls { .. } => Input::DataSecured,
            Step::SecureControl { .. } | Step::ClearControl { .. } if knob % 8 == 7 => Input::ControlFailed,
            Step::SecureControl { .. } | Step::ClearControl { .. } => Input::ControlChanged,
            Step::Done(_) => Input::Ready,
        }
    }

    fn consumed(&self) -> usize {
        self.spent
    }
}

fuzz_target!(|data: &[u8]| {
    // [config, n, (op, arg) x n, knobs x 8, control bytes...]
    if data.len() < 2 {
        return;
    }
    let (config, count) = (data[0], usize::from(data[1] % 9));
    let Some(ops) = data.get(2..2 + 2 * count) else { return };
    let Some(knobs) = data.get(2 + 2 * count..10 + 2 * count) else {
        return;
    };
    let control = &data[10 + 2 * count..];
    let mut engine = engine(config);
    let mut server = Bytes {
        control,
        knobs,
        turn: 0,
        spent: 0,
    };
    for pair in ops.chunks(2) {
        let op = op(pair[0], pair[1]);
        let listing = matches!(op, Op::Listing { .. });
        let machine = matches!(
            op,
            Op::Listing {
                kind: ListingKind::Mlsd { .. },
                ..
            }
        );
        match drive(&mut engine, op, &mut server) {
            Some(Ok(Outcome::Opened(opened))) if listing => {
                check_listing(server.control, machine || opened.machine, config & 0x20 != 0)
            }
            Some(Ok(Outcome::Opened(opened))) => pace_the_data(&opened.first.text(), knobs, server.control),
            _ => {}
        }
    }
});

/// The rest of the bytes as a transfer's data, in chunks at fuzzed times,
/// through the data plane's pace against its limits and the size the first
/// reply announced: the verdicts must agree with the byte count.
fn pace_the_data(first: &str, knobs: &[u8], payload: &[u8]) {
    const S: u64 = 1_000_000_000;
    let limits = Limits {
        data_ns: u64::from(knobs[4].max(1)) * S / 16,
        transfer_ns: (knobs[5] & 1 == 1).then(|| u64::from(knobs[5]) * S / 8),
        low_speed: (knobs[6] & 1 == 1).then(|| LowSpeed {
            bytes_per_second: u64::from(knobs[6]) * 64,
            window_ns: u64::from(knobs[7].max(1)) * S / 32,
        }),
    };
    let expected = parse_transfer_size(first);
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
