//! Commands that are one request and its reply, or a few in a row: a
//! chain (RNFR then RNTO; TYPE then SIZE), MFMT with its MDTM fallback,
//! TYPE, FEAT, and a file's digest.

use super::{line_in, settle, unexpected};
use crate::proto::encoding::Encoding;
use crate::proto::engine::state::{Server, TransferType};
use crate::proto::engine::task::{Cx, Event, Inner, Move, Task};
use crate::proto::engine::{Accept, Failure, Outcome};
use crate::proto::feat::{self, parse_feat};
use crate::proto::hash::{choose, hash_feature, parse_hash, parse_x_digest, Algorithm, PREFERENCE};
use crate::proto::reply::{Class, Reply};
use crate::proto::ProtocolError;
use std::collections::VecDeque;

/// Commands sent one after another while each is admitted; the last
/// reply is the outcome.
pub struct Chain {
    steps: VecDeque<(Vec<u8>, Accept)>,
    accept: Accept,
}

impl Chain {
    pub fn one(line: Vec<u8>, accept: Accept) -> Self {
        Self {
            steps: VecDeque::from([(line, accept)]),
            accept,
        }
    }

    /// RNFR, which must be answered 350, then RNTO.
    pub fn rename(from: Vec<u8>, to: Vec<u8>) -> Self {
        Self {
            steps: VecDeque::from([(from, Accept::Codes(&[350])), (to, Accept::Completion)]),
            accept: Accept::Completion,
        }
    }

    /// SIZE in the session's type (a size in ASCII counts line endings).
    pub fn size(server: &Server, size: Vec<u8>) -> Self {
        let mut chain = Self::one(size, Accept::Codes(&[213]));
        if let Some(sync) = type_line(server, server.wanted_type) {
            chain.steps.push_front((sync, Accept::Completion));
        }
        chain
    }

    fn send_next(&mut self) -> Move {
        match self.steps.front() {
            Some((line, accept)) => {
                self.accept = *accept;
                Move::send(line.clone())
            }
            None => Move::fail(Failure::Invalid("an empty chain of commands".into())),
        }
    }
}

impl Task for Chain {
    fn on(&mut self, event: Event, _: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => self.send_next(),
            Event::Reply(reply) if self.accept.admits(reply.code) => {
                self.steps.pop_front();
                if self.steps.is_empty() {
                    Move::Done(Ok(Outcome::Reply(reply)))
                } else {
                    self.send_next()
                }
            }
            Event::Reply(reply) => Move::fail(Failure::Refused(reply)),
            other => unexpected(other),
        }
    }
}

/// `TYPE` for `kind` if the server is not known to be in it.
pub fn type_line(server: &Server, kind: TransferType) -> Option<Vec<u8>> {
    (server.server_type != Some(kind)).then(|| format!("TYPE {}\r\n", kind.code()).into_bytes())
}

/// TYPE, and the session's type from then on once the server agrees.
pub struct SetType(TransferType);

impl SetType {
    pub fn new(kind: TransferType) -> Self {
        Self(kind)
    }
}

impl Task for SetType {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => Move::send(format!("TYPE {}\r\n", self.0.code()).into_bytes()),
            Event::Reply(reply) if reply.class() == Class::Completion => {
                cx.server.wanted_type = self.0;
                Move::Done(Ok(Outcome::Reply(reply)))
            }
            Event::Reply(reply) => Move::fail(Failure::Refused(reply)),
            other => unexpected(other),
        }
    }
}

/// MFMT; a server that does not know it (500, 502) is asked with MDTM's
/// two-argument form, as vsftpd and others set times.
pub struct SetTime {
    mfmt: Vec<u8>,
    mdtm: Option<Vec<u8>>,
}

impl SetTime {
    pub fn new(mfmt: Vec<u8>, mdtm: Vec<u8>) -> Self {
        Self { mfmt, mdtm: Some(mdtm) }
    }
}

impl Task for SetTime {
    fn on(&mut self, event: Event, _: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin => Move::send(self.mfmt.clone()),
            Event::Reply(reply) if matches!(reply.code, 500 | 502) => match self.mdtm.take() {
                Some(mdtm) => Move::send(mdtm),
                None => Move::fail(Failure::Refused(reply)),
            },
            Event::Reply(reply) => settle(reply, Accept::Completion),
            other => unexpected(other),
        }
    }
}

/// FEAT, once per login; a server without FEAT has no features.
pub struct Features;

impl Task for Features {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        match event {
            Event::Begin if cx.server.features.is_some() => Move::Done(Ok(Outcome::Done)),
            Event::Begin => Move::send(b"FEAT\r\n".to_vec()),
            Event::Reply(reply) => {
                cx.server.features = Some(match reply.code {
                    211 => parse_feat(&reply),
                    _ if reply.class() == Class::Permanent => Vec::new(),
                    _ => return Move::fail(Failure::Refused(reply)),
                });
                Move::Done(Ok(Outcome::Reply(reply)))
            }
            other => unexpected(other),
        }
    }
}

/// A file's digest: HASH where FEAT offers it (`OPTS HASH` first when
/// another algorithm is selected), else the older X command FEAT lists.
pub struct Hash {
    path: String,
    wanted: Option<Algorithm>,
    encoding: Encoding,
    features: Inner,
    stage: HashStage,
}

enum HashStage {
    Features,
    Select(Algorithm),
    Hash(Algorithm),
    X(Algorithm),
}

impl Hash {
    pub fn new(path: String, wanted: Option<Algorithm>, encoding: Encoding) -> Result<Self, Failure> {
        line_in("HASH", Some(&path), encoding)?;
        Ok(Self {
            path,
            wanted,
            encoding,
            features: Inner::default(),
            stage: HashStage::Features,
        })
    }

    fn line(&self, verb: &str) -> Move {
        match line_in(verb, Some(&self.path), self.encoding) {
            Ok(line) => Move::send(line),
            Err(failure) => Move::fail(failure),
        }
    }

    /// With FEAT known: HASH, selecting first if need be, or an X command.
    fn choose(&mut self, cx: &mut Cx<'_>) -> Move {
        let features = cx.server.features.clone().unwrap_or_default();
        if let Some(params) = features.iter().find(|f| f.name == "HASH").map(|f| f.params.as_str()) {
            let (offered, listed) = hash_feature(params);
            if let Some(algorithm) = choose(&offered, self.wanted) {
                if cx.server.hash_selected.or(listed) == Some(algorithm) {
                    self.stage = HashStage::Hash(algorithm);
                    return self.line("HASH");
                }
                self.stage = HashStage::Select(algorithm);
                return Move::send(format!("OPTS HASH {}\r\n", algorithm.hash_name()).into_bytes());
            }
        }
        let offered: Vec<Algorithm> = PREFERENCE
            .into_iter()
            .filter(|a| feat::has(&features, a.x_command()))
            .collect();
        match choose(&offered, self.wanted) {
            Some(algorithm) => {
                self.stage = HashStage::X(algorithm);
                self.line(algorithm.x_command())
            }
            None => Move::fail(Failure::Invalid(match self.wanted {
                Some(a) => format!("the server offers no {} digest (FEAT)", a.hash_name()),
                None => "the server offers no file digest (FEAT lists neither HASH nor XSHA256 and its kin)".into(),
            })),
        }
    }

    fn digest(&self, reply: Reply) -> Move {
        if reply.class() != Class::Completion {
            return Move::fail(Failure::Refused(reply));
        }
        let text = reply.text();
        let parsed = match self.stage {
            HashStage::Hash(asked) => parse_hash(&text).and_then(|(used, hex)| {
                if used == asked {
                    Ok((used, hex))
                } else {
                    Err(ProtocolError::MalformedValue {
                        verb: "HASH",
                        text: format!("asked for {}, got {}", asked.hash_name(), used.hash_name()),
                    })
                }
            }),
            HashStage::X(algorithm) => parse_x_digest(&text, algorithm).map(|hex| (algorithm, hex)),
            _ => return Move::fail(Failure::Invalid("no digest was asked for".into())),
        };
        match parsed {
            Ok((algorithm, hex)) => Move::Done(Ok(Outcome::Digest { algorithm, hex })),
            Err(e) => Move::fail(Failure::Protocol(e)),
        }
    }
}

impl Task for Hash {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        let event = match self.features.before(event, cx, || Features) {
            Ok(sub) => return sub.then(|_| self.choose(cx)),
            Err(event) => event,
        };
        match (&self.stage, event) {
            (HashStage::Select(algorithm), Event::Reply(reply)) => {
                if reply.class() != Class::Completion {
                    return Move::fail(Failure::Refused(reply));
                }
                self.stage = HashStage::Hash(*algorithm);
                self.line("HASH")
            }
            (HashStage::Hash(_) | HashStage::X(_), Event::Reply(reply)) => self.digest(reply),
            (_, other) => unexpected(other),
        }
    }
}
