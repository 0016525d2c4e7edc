//! `copy`: a file from one server to another, directly between them (FXP).

use super::{connect, quit, show_trace};
use crate::args::Global;
use crate::failure::{Failure, Outcome};
use crate::target::Target;
use ftp_host::Client;

pub fn copy(client: &Client, global: &Global, from: &str, to: &str) -> Outcome {
    let source = Target::parse(from, global)?;
    let target = Target::parse(to, global)?;
    let name = source
        .path
        .rsplit('/')
        .next()
        .filter(|name| !name.is_empty())
        .ok_or_else(|| Failure::usage(format!("{from} names no file")))?;
    let to_path = if target.path.is_empty() || target.path.ends_with('/') {
        format!("{}{name}", target.path)
    } else {
        target.path.clone()
    };
    let mut from_session = connect(client, &source.options, global)?;
    let mut to_session = connect(client, &target.options, global)?;
    let copied = from_session.copy_to(&source.path, &mut to_session, &to_path);
    show_trace(&mut from_session, global);
    show_trace(&mut to_session, global);
    copied?;
    quit(from_session, global)?;
    quit(to_session, global)
}
