//! Whole scripted conversations fed to the real engine: a fuzzed sequence
//! of operations, each with the answers its server gives, well-formed
//! replies with the values the conversation looks for (EPSV and PASV
//! addresses, quoted paths, FEAT lists, digests, sizes) as well as any
//! code and text, silences, hang-ups, and data connections and TLS that
//! succeed or fail. Where the byte target explores the parsers, this one
//! reaches deep into the machine's states; the checks are the driver's.
#![no_main]

use ftp_client::proto::engine::{Input, Step};
use ftp_client_fuzz::{drive, engine, op, Peer};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use std::collections::VecDeque;

#[derive(Arbitrary, Debug)]
struct Conversation {
    config: u8,
    turns: Vec<Turn>,
}

#[derive(Arbitrary, Debug)]
struct Turn {
    op: u8,
    arg: u8,
    answers: Vec<Answer>,
}

#[derive(Arbitrary, Debug, Clone)]
enum Answer {
    /// A reply with `code` (folded into 100-599), its text, and as many
    /// lines again as `more` says (a multi-line reply).
    Reply {
        code: u16,
        text: Text,
        more: u8,
    },
    Silence,
    Hangup,
    ControlFails,
    DataOk,
    DataRefused,
    DataFails,
    TlsOk,
    TlsFails,
}

#[derive(Arbitrary, Debug, Clone)]
enum Text {
    Plain,
    Epsv(u16),
    Pasv([u8; 4], u16),
    Quoted { before: bool, path: String },
    Features { mlst: bool, utf8: bool, hash: u8, x: bool },
    Size(u64),
    Digest { algorithm: u8, hex: u8 },
    Opening(Option<u64>),
    Free(String),
}

impl Text {
    fn render(&self) -> String {
        match self {
            Text::Plain => "ok".into(),
            Text::Epsv(port) => format!("Entering Extended Passive Mode (|||{port}|)"),
            Text::Pasv([a, b, c, d], port) => {
                format!("Entering Passive Mode ({a},{b},{c},{d},{},{})", port >> 8, port & 0xff)
            }
            Text::Quoted { before, path } => {
                let quoted = format!("\"{}\"", path.replace('"', "\"\""));
                if *before {
                    format!("current directory is {quoted}")
                } else {
                    format!("{quoted} is current")
                }
            }
            Text::Features { mlst, utf8, hash, x } => {
                let mut lines = vec!["Features:".to_string()];
                if *mlst {
                    lines.push(" MLST type*;size*;modify*;".into());
                }
                if *utf8 {
                    lines.push(" UTF8".into());
                }
                let names = ["SHA-256", "SHA-1", "MD5", "SHA-512", "CRC32"];
                let offered: Vec<String> = (0..5)
                    .filter(|i| hash & (1 << i) != 0)
                    .map(|i| format!("{}{}", names[i], if hash & 0x80 != 0 && i == 0 { "*" } else { "" }))
                    .collect();
                if !offered.is_empty() {
                    lines.push(format!(" HASH {};", offered.join(";")));
                }
                if *x {
                    lines.push(" XSHA256".into());
                    lines.push(" XMD5".into());
                }
                lines.push("End".into());
                lines.join("\r\n211-")
            }
            Text::Size(n) => n.to_string(),
            Text::Digest { algorithm, hex } => {
                let name = ["SHA-256", "SHA-1", "MD5", "SHA-512", "CRC32"][usize::from(algorithm % 5)];
                let len = [64, 40, 32, 128, 8][usize::from(algorithm % 5)];
                format!("{name} 0-9 {} f", format!("{hex:02x}").repeat(len / 2))
            }
            Text::Opening(size) => match size {
                Some(n) => format!("Opening BINARY mode data connection for f ({n} bytes)"),
                None => "Opening data connection".into(),
            },
            Text::Free(text) => text.replace(['\r', '\n'], " "),
        }
    }
}

/// The scripted server: each step takes the answer it is about.
struct Script {
    answers: VecDeque<Answer>,
    spent: usize,
}

impl Script {
    /// The next answer if `fits`, else none (the step gets its default).
    fn take(&mut self, fits: impl Fn(&Answer) -> bool) -> Option<Answer> {
        if self.answers.front().is_some_and(fits) {
            self.spent += 1;
            self.answers.pop_front()
        } else {
            None
        }
    }
}

impl Peer for Script {
    fn answer(&mut self, step: &Step) -> Input {
        match step {
            Step::Send { .. } => match self.take(|a| matches!(a, Answer::ControlFails)) {
                Some(_) => Input::ControlFailed,
                None => Input::Sent,
            },
            Step::Receive { handshake, .. } => {
                let Some(answer) = self.answers.pop_front() else {
                    return Input::TimedOut;
                };
                self.spent += 1;
                match answer {
                    Answer::Reply { code, text, more } => {
                        let code = code % 500 + 100;
                        let text = text.render();
                        let mut bytes = String::new();
                        for i in 0..more % 4 {
                            bytes.push_str(&format!("{code}-{text}\r\n line {i}\r\n"));
                        }
                        bytes.push_str(&format!("{code} {text}\r\n"));
                        Input::Received(bytes.into_bytes())
                    }
                    Answer::Hangup => Input::ControlClosed,
                    Answer::ControlFails => Input::ControlFailed,
                    Answer::TlsOk if *handshake => Input::DataSecured,
                    Answer::TlsFails if *handshake => Input::DataFailed { refused: false },
                    _ => Input::TimedOut,
                }
            }
            Step::Connect { .. } => {
                match self.take(|a| matches!(a, Answer::DataOk | Answer::DataRefused | Answer::DataFails)) {
                    Some(Answer::DataRefused) => Input::DataFailed { refused: true },
                    Some(Answer::DataFails) => Input::DataFailed { refused: false },
                    _ => Input::DataConnected,
                }
            }
            Step::StartDataTls { .. } => match self.take(|a| matches!(a, Answer::TlsFails)) {
                Some(_) => Input::DataFailed { refused: false },
                None => Input::DataTlsStarted,
            },
            Step::FinishDataTls { .. } => match self.take(|a| matches!(a, Answer::TlsFails)) {
                Some(_) => Input::DataFailed { refused: false },
                None => Input::DataSecured,
            },
            Step::SecureControl { .. } | Step::ClearControl { .. } => {
                match self.take(|a| matches!(a, Answer::TlsFails | Answer::ControlFails)) {
                    Some(_) => Input::ControlFailed,
                    None => Input::ControlChanged,
                }
            }
            Step::Done(_) => Input::Ready,
        }
    }

    fn consumed(&self) -> usize {
        self.spent
    }
}

fuzz_target!(|conversation: Conversation| {
    let mut engine = engine(conversation.config);
    let mut spent = 0;
    for turn in conversation.turns.iter().take(16) {
        let mut script = Script {
            answers: turn.answers.iter().take(64).cloned().collect(),
            spent,
        };
        drive(&mut engine, op(turn.op, turn.arg), &mut script);
        spent = script.spent;
    }
});
