//! `hash URL [FILE]`: the server's digest of a file, and with FILE, whether
//! the local copy has the same one (the server is then asked for one of
//! the algorithms computed here).

use super::{connect, quit, show_trace};
use crate::args::Global;
use crate::failure::{visible, Failure, Outcome};
use crate::target::Target;
use ftp_host::Client;
use ftp_host::{digest_name as name, local_digest as local_hex, LOCAL_DIGESTS as LOCAL};
use std::path::Path;

pub fn hash(client: &Client, global: &Global, url: &str, local: Option<&Path>) -> Outcome {
    let target = Target::parse(url, global)?;
    let mut session = connect(client, &target.options, global)?;
    let digest = match local {
        None => session.hash(&target.path, None),
        Some(_) => session
            .hash(&target.path, Some(LOCAL[0]))
            .or_else(|_| session.hash(&target.path, Some(LOCAL[1]))),
    }
    .map_err(|e| Failure::from(e).missing_if_550())?;
    show_trace(&mut session, global);
    quit(session, global)?;
    println!("{}  {}  {}", name(digest.algorithm), digest.hex, visible(&target.path));
    let Some(file) = local else { return Ok(()) };
    let ours = local_hex(digest.algorithm, file)
        .map_err(Failure::from)?
        .ok_or_else(|| {
            Failure::new(
                1,
                format!("the server gave {}, which is not computed here", name(digest.algorithm)),
            )
        })?;
    println!("{}  {ours}  {}", name(digest.algorithm), file.display());
    if ours != digest.hex {
        return Err(Failure::new(
            1,
            format!("{} differs from the server's copy", file.display()),
        ));
    }
    Ok(())
}
