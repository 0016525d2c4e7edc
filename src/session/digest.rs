//! A file's digest, computed by the server: HASH where FEAT offers it
//! (`OPTS HASH` first when another algorithm is selected), else the older
//! X command FEAT lists for the algorithm.

use super::{is_2xx, Session};
use crate::error::{Error, Result};
use crate::proto::command::check_path;
use crate::proto::feat;
use crate::proto::hash::{choose, hash_feature, parse_hash, parse_x_digest, Algorithm, PREFERENCE};
use crate::proto::ProtocolError;

impl Session {
    /// The digest of `path` in `wanted` (or the best the server offers):
    /// the algorithm used and the digest in lower-case hex.
    pub fn hash(&mut self, path: &str, wanted: Option<Algorithm>) -> Result<(Algorithm, String)> {
        self.ensure_idle()?;
        check_path("path", path)?;
        let features = self.features()?.to_vec();
        if let Some(params) = features.iter().find(|f| f.name == "HASH").map(|f| f.params.as_str()) {
            let (offered, listed) = hash_feature(params);
            if let Some(algorithm) = choose(&offered, wanted) {
                if self.hash_selected.or(listed) != Some(algorithm) {
                    self.expect("OPTS", Some(&format!("HASH {}", algorithm.hash_name())), is_2xx)?;
                    self.hash_selected = Some(algorithm);
                }
                let reply = self.expect("HASH", Some(path), is_2xx)?;
                let (used, hex) = parse_hash(&reply.text())?;
                if used != algorithm {
                    return Err(Error::Protocol(ProtocolError::MalformedValue {
                        verb: "HASH",
                        text: format!("asked for {}, got {}", algorithm.hash_name(), used.hash_name()),
                    }));
                }
                return Ok((used, hex));
            }
        }
        let offered: Vec<Algorithm> = PREFERENCE
            .into_iter()
            .filter(|a| feat::has(&features, a.x_command()))
            .collect();
        let algorithm = choose(&offered, wanted).ok_or_else(|| {
            Error::InvalidInput(match wanted {
                Some(a) => format!("the server offers no {} digest (FEAT)", a.hash_name()),
                None => "the server offers no file digest (FEAT lists neither HASH nor XSHA256 and its kin)".into(),
            })
        })?;
        let reply = self.expect(algorithm.x_command(), Some(path), is_2xx)?;
        Ok((algorithm, parse_x_digest(&reply.text(), algorithm)?))
    }
}
