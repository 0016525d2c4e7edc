//! Commands over several files: one session per server (the next URL on
//! the same server reuses the open session, and the transfer type is sent
//! only when it changes), and per-file failures that do not stop the rest.

use super::{connect, quit, show_trace};
use crate::args::Global;
use crate::failure::{visible, Failure, Outcome};
use ftp_host::{Client, Options, Session, TransferType};

pub struct Sessions {
    open: Option<Open>,
    /// --verbose: a session dropped on a failure prints its trace.
    verbose: bool,
}

struct Open {
    options: Options,
    session: Session,
    ascii: bool,
}

impl Sessions {
    pub fn new(global: &Global) -> Self {
        Self {
            open: None,
            verbose: global.verbose,
        }
    }

    /// The session for `options`, connecting (and closing the previous
    /// server's) when it differs, in the transfer type asked for.
    pub fn get(&mut self, client: &Client, options: &Options, ascii: bool, global: &Global) -> Outcome<&mut Session> {
        let open = match self.open.take() {
            Some(open) if open.options == *options => open,
            other => {
                if let Some(previous) = other {
                    quit(previous.session, global)?;
                }
                Open {
                    options: options.clone(),
                    session: connect(client, options, global)?,
                    ascii: false,
                }
            }
        };
        let open = self.open.insert(open);
        if open.ascii != ascii {
            let kind = if ascii {
                TransferType::Ascii
            } else {
                TransferType::Binary
            };
            open.session.set_transfer_type(kind)?;
            show_trace(&mut open.session, global);
            open.ascii = ascii;
        }
        Ok(&mut open.session)
    }

    /// Drops the open session without QUIT: a failure left it out of
    /// step, and the next `get` connects afresh.
    pub fn discard(&mut self) {
        self.open = None;
    }

    /// Says QUIT to the open session, if any.
    pub fn close(&mut self, global: &Global) -> Outcome {
        match self.open.take() {
            Some(open) => quit(open.session, global),
            None => Ok(()),
        }
    }
}

/// A command that failed leaves its session here: with --verbose the
/// conversation up to the failure is printed before the error.
impl Drop for Sessions {
    fn drop(&mut self) {
        if let Some(open) = self.open.as_mut().filter(|_| self.verbose) {
            for line in open.session.take_trace().unwrap_or_default() {
                eprintln!("{}", crate::failure::visible(&line));
            }
        }
    }
}

/// The files that failed so far. A file the server refuses (missing,
/// denied: exit 78 or 9) is reported and the others go on; any other
/// failure stops the command.
#[derive(Default)]
pub struct Failures {
    count: usize,
    first_code: Option<u8>,
}

impl Failures {
    pub fn check(&mut self, what: &str, many: bool, outcome: Outcome) -> Outcome {
        match outcome {
            Err(failure) if many && matches!(failure.code, 9 | 78) => {
                eprintln!("wftp: {}: {}", visible(what), visible(&failure.message));
                self.count += 1;
                self.first_code.get_or_insert(failure.code);
                Ok(())
            }
            other => other,
        }
    }

    /// Failure (with the first failure's status) if any file failed.
    pub fn result(self) -> Outcome {
        match self.first_code {
            Some(code) => Err(Failure::new(code, format!("{} file(s) failed", self.count))),
            None => Ok(()),
        }
    }
}
