//! `rm`, `mkdir` and `mv`: changes to the server's tree.

use super::several::Sessions;
use super::show_trace;
use crate::args::Global;
use crate::failure::{Failure, Outcome};
use crate::target::Target;
use ftp_host::Client;

pub fn rm(client: &Client, global: &Global, urls: &[String], recursive: bool) -> Outcome {
    let mut sessions = Sessions::new(global);
    for url in urls {
        let target = Target::parse(url, global)?;
        if target.path.is_empty() {
            return Err(Failure::usage(format!("{url} names no file")));
        }
        let session = sessions.get(client, &target.options, false, global)?;
        if recursive {
            session.remove_tree(&target.path)?;
        } else {
            session
                .delete(&target.path)
                .map_err(|e| Failure::from(e).missing_if_550())?;
        }
        show_trace(session, global);
    }
    sessions.close(global)
}

pub fn mkdir(client: &Client, global: &Global, url: &str, parents: bool) -> Outcome {
    let target = Target::parse(url, global)?;
    let path = target
        .dir()
        .ok_or_else(|| Failure::usage(format!("{url} names no directory")))?;
    let mut sessions = Sessions::new(global);
    let session = sessions.get(client, &target.options, false, global)?;
    if parents {
        session.mkdir_all(path)?;
    } else {
        let created = session.mkdir(path)?;
        if global.verbose {
            eprintln!("created {created}");
        }
    }
    sessions.close(global)
}

pub fn mv(client: &Client, global: &Global, url: &str, to: &str) -> Outcome {
    let target = Target::parse(url, global)?;
    if target.path.is_empty() {
        return Err(Failure::usage(format!("{url} names nothing to move")));
    }
    // The new name may be a bare name, a path, or a URL on the same server.
    let to = if to.starts_with("ftp://") || to.starts_with("ftps://") {
        let other = Target::parse(to, global)?;
        if (&other.options.host, other.options.port) != (&target.options.host, target.options.port) {
            return Err(Failure::usage("mv moves within one server"));
        }
        other.path
    } else if to.contains('/') {
        to.to_string()
    } else {
        // A bare name renames within the file's own directory, as mv does.
        match target.path.trim_end_matches('/').rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{to}"),
            None => to.to_string(),
        }
    };
    let mut sessions = Sessions::new(global);
    sessions
        .get(client, &target.options, false, global)?
        .rename(&target.path, &to)
        .map_err(|e| Failure::from(e).missing_if_550())?;
    sessions.close(global)
}
