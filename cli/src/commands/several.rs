//! Commands over several files: one session per server (the next URL on
//! the same server reuses the open session, and the transfer type is sent
//! only when it changes), and per-file failures that do not stop the rest.

use super::{connect, note, quit, show_trace};
use crate::args::Global;
use crate::failure::{connecting, visible, Failure, Outcome};
use crate::progress::Display;
use ftp_host::{Client, Job, Options, Pool, Session, TransferType};
use std::sync::Arc;

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
                eprintln!("{}", visible(&line));
            }
        }
    }
}

/// The pool for each server in turn of a transfer command: the next URL
/// on the same server reuses its sessions.
#[derive(Default)]
pub struct Pools {
    open: Option<(Options, Pool)>,
}

impl Pools {
    /// The pool of up to `cap` sessions for `options`, closing the previous
    /// server's when it differs. Its first session is opened here, so a
    /// failure to connect is reported as one (exit 7, not 56).
    pub fn get(&mut self, client: &Client, options: &Options, cap: usize, global: &Global) -> Outcome<&Pool> {
        if self.open.as_ref().is_some_and(|(o, _)| o != options) {
            self.close(global)?;
        }
        if self.open.is_none() {
            let pool = connected(client, options, cap, global)?;
            self.open = Some((options.clone(), pool));
        }
        match &self.open {
            Some((_, pool)) => Ok(pool),
            None => Err(Failure::new(1, "no pool")),
        }
    }

    /// Says QUIT to every open session.
    pub fn close(&mut self, global: &Global) -> Outcome {
        if let Some((_, pool)) = self.open.take() {
            for session in pool.drain() {
                quit(session, global)?;
            }
        }
        Ok(())
    }
}

/// A pool for `options` as wftp opens sessions (welcome shown with
/// --verbose, CCC after login with --ccc), with its first session open.
pub fn connected(client: &Client, options: &Options, cap: usize, global: &Global) -> Outcome<Pool> {
    let shown = global.clone();
    let pool = Pool::new(client, options.clone(), cap).with_setup(move |session| {
        note(&shown, session.welcome());
        if shown.ccc {
            session.clear_command_channel()?;
        }
        Ok(())
    });
    let mut first = pool.get().map_err(connecting)?;
    show_trace(&mut first, global);
    drop(first);
    Ok(pool)
}

/// Work on `pool` as wftp runs it: shown by `display`, cancelled by
/// Ctrl-C, retried `retries` times.
pub fn job<'p>(pool: &'p Pool, display: &Arc<Display>, retries: u32) -> Job<'p> {
    pool.job()
        .observe(display.clone())
        .cancel_with(crate::interrupt::cancel())
        .retries(retries)
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
            Err(failure) if many && failure.is_refusal() => {
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
