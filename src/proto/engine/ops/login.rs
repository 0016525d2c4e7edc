//! Login: USER, then PASS and ACCT as the replies ask (RFC 959 §5.4, the
//! table in `conversation::login_step`), then FEAT and, where the server
//! offers UTF8 and the session speaks it, `OPTS UTF8 ON` (RFC 2640).

use super::command::Features;
use super::{line_in, unexpected};
use crate::proto::conversation::{login_step, LoginStep};
use crate::proto::encoding::Encoding;
use crate::proto::engine::task::{Cx, Event, Inner, Move, Task};
use crate::proto::engine::{Failure, Outcome};
use crate::proto::feat;
use crate::proto::reply::Reply;

pub struct Login {
    user: Vec<u8>,
    password: Vec<u8>,
    account: Option<Vec<u8>>,
    /// The verb the reply being waited for answers.
    sent: &'static str,
    /// The reply that logged the session in.
    done: Option<Reply>,
    features: Inner,
    encoding: Encoding,
}

impl Login {
    /// An empty user is `anonymous`, whose empty (or `-`) password is
    /// `anonymous@`, as ftplib does. Every line is checked here, before
    /// USER goes out.
    pub fn new(user: &str, password: &str, account: Option<&str>, encoding: Encoding) -> Result<Self, Failure> {
        let user = if user.is_empty() { "anonymous" } else { user };
        let password = match password {
            "" | "-" if user == "anonymous" => "anonymous@",
            other => other,
        };
        Ok(Self {
            user: line_in("USER", Some(user), encoding)?,
            password: line_in("PASS", Some(password), encoding)?,
            account: account.map(|a| line_in("ACCT", Some(a), encoding)).transpose()?,
            sent: "USER",
            done: None,
            features: Inner::default(),
            encoding,
        })
    }

    /// Logged in: FEAT (unless known), then UTF8 where offered.
    fn after_features(&mut self, cx: &mut Cx<'_>) -> Move {
        let offered = cx.server.features.as_deref().is_some_and(|f| feat::has(f, "UTF8"));
        if self.encoding == Encoding::Utf8 && offered {
            // Servers that always speak UTF-8 may refuse it, harmlessly.
            self.sent = "OPTS";
            return Move::send(b"OPTS UTF8 ON\r\n".to_vec());
        }
        self.finish()
    }

    fn finish(&mut self) -> Move {
        match self.done.take() {
            Some(reply) => Move::Done(Ok(Outcome::Reply(reply))),
            None => Move::fail(Failure::Invalid("not logged in".into())),
        }
    }
}

impl Task for Login {
    fn on(&mut self, event: Event, cx: &mut Cx<'_>) -> Move {
        if self.features.is_running() {
            return self.features.forward(event, cx).then(|_| self.after_features(cx));
        }
        match event {
            Event::Begin => Move::send(self.user.clone()),
            Event::Reply(_) if self.sent == "OPTS" => self.finish(),
            Event::Reply(reply) => match login_step(self.sent, reply.code, self.account.is_some()) {
                LoginStep::Done => {
                    self.done = Some(reply);
                    self.features.start(Features, cx).then(|_| self.after_features(cx))
                }
                LoginStep::SendPass => {
                    self.sent = "PASS";
                    Move::send(self.password.clone())
                }
                LoginStep::SendAccount => {
                    self.sent = "ACCT";
                    Move::send(self.account.clone().unwrap_or_default())
                }
                LoginStep::Fail => Move::fail(Failure::Refused(reply)),
            },
            other => unexpected(other),
        }
    }
}
