//! `hash URL [FILE]`: the server's digest of a file, and with FILE, whether
//! the local copy has the same one (SHA-256 or SHA-512 are computed here;
//! the server is asked for one of those when FILE is given).

use super::{connect, quit, show_trace};
use crate::args::Global;
use crate::failure::{read_error, visible, Failure, Outcome};
use crate::target::Target;
use ftp_host::{Client, HashAlgorithm};
use sha2::{Digest, Sha256, Sha512};
use std::io::Read;
use std::path::Path;

pub fn hash(client: &Client, global: &Global, url: &str, local: Option<&Path>) -> Outcome {
    let target = Target::parse(url, global)?;
    let mut session = connect(client, &target.options, global)?;
    let digest = match local {
        None => session.hash(&target.path, None),
        Some(_) => session
            .hash(&target.path, Some(HashAlgorithm::Sha256))
            .or_else(|_| session.hash(&target.path, Some(HashAlgorithm::Sha512))),
    }
    .map_err(|e| Failure::from(e).missing_if_550())?;
    show_trace(&mut session, global);
    quit(session, global)?;
    println!("{}  {}  {}", name(digest.algorithm), digest.hex, visible(&target.path));
    let Some(file) = local else { return Ok(()) };
    let ours = match digest.algorithm {
        HashAlgorithm::Sha256 => hex_of::<Sha256>(file)?,
        HashAlgorithm::Sha512 => hex_of::<Sha512>(file)?,
        other => {
            return Err(Failure::new(
                1,
                format!("the server gave {}, which is not computed here", name(other)),
            ))
        }
    };
    println!("{}  {ours}  {}", name(digest.algorithm), file.display());
    if ours != digest.hex {
        return Err(Failure::new(
            1,
            format!("{} differs from the server's copy", file.display()),
        ));
    }
    Ok(())
}

fn name(algorithm: HashAlgorithm) -> &'static str {
    match algorithm {
        HashAlgorithm::Sha256 => "sha256",
        HashAlgorithm::Sha512 => "sha512",
        HashAlgorithm::Sha1 => "sha1",
        HashAlgorithm::Md5 => "md5",
        HashAlgorithm::Crc32 => "crc32",
    }
}

/// The file's digest in lower-case hex, read in 1 MiB chunks.
fn hex_of<D: Digest>(path: &Path) -> Outcome<String> {
    let mut file = std::fs::File::open(path).map_err(read_error(path))?;
    let mut digest = D::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf).map_err(read_error(path))? {
            0 => break,
            n => digest.update(&buf[..n]),
        }
    }
    Ok(digest.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
