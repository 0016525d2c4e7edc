//! Listings: MLSD where FEAT offers MLST (its argument is one whole path
//! by RFC 3659), else LIST the way curl does it: from inside the
//! directory (PWD, CWD there, LIST, and CWD back at the end), since
//! servers split LIST's argument at spaces and take a leading `-` as `ls`
//! options. A path CWD refuses (a file, a glob, a missing directory) is
//! listed directly, and CWD's refusal kept: it is the answer if the
//! listing holds nothing a parser understood. So is a path where PWD's
//! reply names no directory to come back to.

use super::command::Features;
use super::transfer::Opening;
use super::{line_in, unexpected};
use crate::proto::command::mlst_facts;
use crate::proto::encoding::Encoding;
use crate::proto::engine::task::{Cx, Event, Inner, Move, Sub, Task};
use crate::proto::engine::{Failure, ListingKind, Outcome, Phase};
use crate::proto::feat;
use crate::proto::reply::{Class, Reply};
use crate::proto::response::parse_257;

pub struct Listing {
    kind: ListingKind,
    path: Option<String>,
    encoding: Encoding,
    verb: &'static str,
    stage: Stage,
    inner: Inner,
    home: Option<String>,
    refusal: Option<Reply>,
    /// The opening's failure, while the listing goes back home.
    failed: Option<Failure>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Features,
    Facts,
    Pwd,
    Cwd,
    Open,
    Back,
}

impl Listing {
    pub fn new(kind: ListingKind, path: Option<String>, encoding: Encoding) -> Result<Self, Failure> {
        if let ListingKind::Mlsd { facts } = &kind {
            if !facts.is_empty() {
                mlst_facts(facts)?;
            }
        }
        if let Some(path) = &path {
            line_in("CWD", Some(path), encoding)?;
        }
        Ok(Self {
            kind,
            path,
            encoding,
            verb: "LIST",
            stage: Stage::Features,
            inner: Inner::default(),
            home: None,
            refusal: None,
            failed: None,
        })
    }

    fn begin(&mut self, cx: &mut Cx<'_>) -> Move {
        match &self.kind {
            ListingKind::Auto => {
                self.stage = Stage::Features;
                self.inner.start(Features, cx).then(|_| self.by_features(cx))
            }
            ListingKind::Mlsd { facts } if !facts.is_empty() => match mlst_facts(facts) {
                Ok(list) => {
                    self.stage = Stage::Facts;
                    self.verb = "MLSD";
                    self.line("OPTS", Some(&list))
                }
                Err(e) => Move::fail(e.into()),
            },
            ListingKind::Mlsd { .. } => {
                self.verb = "MLSD";
                self.open(self.path.clone(), cx)
            }
            ListingKind::Nlst => {
                self.verb = "NLST";
                let inside = self.path.as_deref().is_some_and(splits_at_spaces);
                self.inside_if(inside, cx)
            }
        }
    }

    /// FEAT known: MLSD, or LIST from inside.
    fn by_features(&mut self, cx: &mut Cx<'_>) -> Move {
        let machine = cx.server.features.as_deref().is_some_and(|f| feat::has(f, "MLST"));
        self.verb = if machine { "MLSD" } else { "LIST" };
        self.inside_if(!machine, cx)
    }

    fn inside_if(&mut self, inside: bool, cx: &mut Cx<'_>) -> Move {
        if inside && self.path.is_some() {
            self.stage = Stage::Pwd;
            return Move::send(b"PWD\r\n".to_vec());
        }
        self.open(self.path.clone(), cx)
    }

    fn line(&self, verb: &str, arg: Option<&str>) -> Move {
        match line_in(verb, arg, self.encoding) {
            Ok(line) => Move::send(line),
            Err(failure) => Move::fail(failure),
        }
    }

    /// The transfer itself, of `path` (none: from inside).
    fn open(&mut self, path: Option<String>, cx: &mut Cx<'_>) -> Move {
        let line = match line_in(self.verb, path.as_deref(), self.encoding) {
            Ok(line) => line,
            Err(failure) => return Move::fail(failure),
        };
        self.stage = Stage::Open;
        let opening = Opening::new(line, 0, self.home.clone());
        let step = self.inner.start(opening, cx);
        self.opened(step, cx)
    }

    fn opened(&mut self, step: Sub, cx: &mut Cx<'_>) -> Move {
        match step {
            Sub::Move(step) => step,
            Sub::Done(Ok(Outcome::Opened(mut opened))) => {
                opened.machine = self.verb == "MLSD";
                opened.refusal = self.refusal.take();
                Move::Done(Ok(Outcome::Opened(opened)))
            }
            Sub::Done(Ok(_)) => Move::fail(Failure::Invalid("the listing did not open".into())),
            // Not opened: back home (if the session still stands), then the failure.
            Sub::Done(Err(failure)) => match self.home.take() {
                Some(home) if !matches!(cx.phase, Phase::Closed { .. }) => {
                    self.failed = Some(failure);
                    self.stage = Stage::Back;
                    self.line("CWD", Some(&home))
                }
                _ => Move::fail(failure),
            },
        }
    }
}

impl Task for Listing {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        if self.inner.is_running() {
            let step = self.inner.forward(event, cx);
            return match self.stage {
                Stage::Features => step.then(|_| self.by_features(cx)),
                _ => self.opened(step, cx),
            };
        }
        match (self.stage, event) {
            (_, Event::Begin) => self.begin(cx),
            (Stage::Facts, Event::Reply(reply)) if reply.class() == Class::Completion => {
                self.open(self.path.clone(), cx)
            }
            (Stage::Pwd, Event::Reply(reply)) if reply.code == 257 => match parse_257(reply.first_line()) {
                Some(home) => {
                    self.home = Some(home);
                    self.stage = Stage::Cwd;
                    let dir = self.path.clone();
                    self.line("CWD", dir.as_deref())
                }
                // No way back: list the path directly, as where CWD refuses.
                None => self.open(self.path.clone(), cx),
            },
            (Stage::Cwd, Event::Reply(reply)) if reply.class() == Class::Completion => self.open(None, cx),
            (Stage::Cwd, Event::Reply(reply))
                if reply.class() == Class::Permanent && !self.path.as_deref().is_some_and(splits_at_spaces) =>
            {
                // Listed directly: no way home is needed.
                self.home = None;
                self.refusal = Some(reply);
                self.open(self.path.clone(), cx)
            }
            (Stage::Back, Event::Reply(_)) => Move::fail(
                self.failed
                    .take()
                    .unwrap_or_else(|| Failure::Invalid("no failure to report".into())),
            ),
            (Stage::Facts | Stage::Pwd | Stage::Cwd, Event::Reply(reply)) => Move::fail(Failure::Refused(reply)),
            (_, other) => unexpected(other),
        }
    }
}

/// Whether a server may take `path` as several LIST arguments or options.
pub fn splits_at_spaces(path: &str) -> bool {
    path.starts_with('-') || path.chars().any(char::is_whitespace)
}
