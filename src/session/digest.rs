//! A file's digest, computed by the server (the engine's `Op::Hash`: HASH
//! where FEAT offers it, `OPTS HASH` first when another algorithm is
//! selected, else the older X command FEAT lists for the algorithm).

use super::Session;
use crate::error::{Error, Result};
use crate::proto::engine::{Op, Outcome};
use crate::proto::hash::Algorithm;

impl Session {
    /// The digest of `path` in `wanted` (or the best the server offers):
    /// the algorithm used and the digest in lower-case hex.
    pub fn hash(&mut self, path: &str, wanted: Option<Algorithm>) -> Result<(Algorithm, String)> {
        match self.run(Op::Hash {
            path: path.to_string(),
            wanted,
        })? {
            Outcome::Digest { algorithm, hex } => Ok((algorithm, hex)),
            _ => Err(Error::InvalidInput("HASH gave no digest".into())),
        }
    }
}
