//! The subcommands. Each connects (granting the component that server
//! only), does its job and says QUIT.

mod copy;
mod get;
mod hash;
mod ls;
mod paths;
mod put;
mod segments;
mod several;

pub use copy::copy;
pub use get::{cat, get};
pub use hash::hash;
pub use ls::ls;
pub use paths::{mkdir, mv, rm};
pub use put::put;
pub use segments::get_segmented;
pub(crate) use several::{connected, job, Failures};

use crate::args::Global;
use crate::failure::{connecting, visible, Outcome};
use ftp_host::{Client, Options, Reply, Session};

/// Connects to the target's server and logs in (then, with --ccc, clears
/// the control connection).
pub(crate) fn connect(client: &Client, options: &Options, global: &Global) -> Outcome<Session> {
    let mut session = client.connect(options).map_err(connecting)?;
    note(global, session.welcome());
    if global.ccc {
        session.clear_command_channel()?;
        show_trace(&mut session, global);
    }
    Ok(session)
}

/// Prints a server reply with --verbose (the welcome and the goodbye, which
/// the session's trace does not hold).
pub(crate) fn note(global: &Global, reply: &Reply) {
    if global.verbose {
        eprintln!("< {}", visible(&reply.to_string()));
    }
}

/// Prints, with --verbose, what the session sent (secrets masked) and
/// received since the last call.
pub(crate) fn show_trace(session: &mut Session, global: &Global) {
    if global.verbose {
        for line in session.take_trace().unwrap_or_default() {
            eprintln!("{}", visible(&line));
        }
    }
}

pub(crate) fn quit(mut session: Session, global: &Global) -> Outcome {
    show_trace(&mut session, global);
    if global.verbose {
        eprintln!("> QUIT");
    }
    note(global, &session.quit()?);
    Ok(())
}
