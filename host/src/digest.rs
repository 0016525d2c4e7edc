//! Digests of local files, to hold beside the server's (HASH and its kin):
//! SHA-256 and SHA-512 are computed here.

use crate::error::read_error;
use crate::{HashAlgorithm, Result};
use sha2::{Digest, Sha256, Sha512};
use std::io::Read;
use std::path::Path;

/// The algorithms computed here, best first: what to ask a server for.
pub const LOCAL_DIGESTS: [HashAlgorithm; 2] = [HashAlgorithm::Sha256, HashAlgorithm::Sha512];

/// The algorithm's usual lower-case name (`sha256`).
pub fn digest_name(algorithm: HashAlgorithm) -> &'static str {
    match algorithm {
        HashAlgorithm::Sha256 => "sha256",
        HashAlgorithm::Sha512 => "sha512",
        HashAlgorithm::Sha1 => "sha1",
        HashAlgorithm::Md5 => "md5",
        HashAlgorithm::Crc32 => "crc32",
    }
}

/// `path`'s digest in lower-case hex, or `None` for an algorithm not
/// computed here.
pub fn local_digest(algorithm: HashAlgorithm, path: &Path) -> Result<Option<String>> {
    match algorithm {
        HashAlgorithm::Sha256 => hex_of::<Sha256>(path).map(Some),
        HashAlgorithm::Sha512 => hex_of::<Sha512>(path).map(Some),
        _ => Ok(None),
    }
}

fn hex_of<D: Digest>(path: &Path) -> Result<String> {
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
