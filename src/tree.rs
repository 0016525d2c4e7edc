//! Operations on whole trees, built on the session's primitives: a
//! recursive walk, `mkdir -p`, and recursive removal.

use crate::error::{Error, Result};
use crate::proto::listing::{Entry, Kind};
use crate::proto::path::{is_plain_name, join};
use crate::proto::ProtocolError;
use crate::session::Session;

/// Deeper trees than this are refused rather than followed (a server can
/// present an endless chain of directories).
const MAX_DEPTH: usize = 64;
/// Entries a walk may collect before giving up.
const MAX_ENTRIES: usize = 1_000_000;

/// What a walk found: the entries, and those refused for their names.
#[derive(Debug, Default)]
pub struct Walk {
    pub entries: Vec<Entry>,
    pub refused: Vec<Entry>,
}

impl Session {
    /// Every entry below `root`. Names that are not one plain component are
    /// refused (reported, never followed): see `is_plain_name`.
    pub fn walk(&mut self, root: &str) -> Result<Walk> {
        let mut out = Vec::new();
        let mut refused = Vec::new();
        // (remote path to list, path relative to root, depth)
        let mut pending = vec![(root.to_string(), String::new(), 0usize)];
        while let Some((dir, relative, depth)) = pending.pop() {
            if depth > MAX_DEPTH {
                return Err(Error::InvalidInput(format!("{dir} is deeper than {MAX_DEPTH} levels")));
            }
            let mut entries = self.list(Some(&dir))?;
            // Depth first in name order: push in reverse so the first pops first.
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            for mut entry in entries.into_iter().filter(|e| e.kind != Kind::Unparsed) {
                let name = std::mem::take(&mut entry.name);
                let rel = join(&relative, &name);
                if !is_plain_name(&name) {
                    entry.name = rel;
                    refused.push(entry);
                    continue;
                }
                if entry.kind == Kind::Directory {
                    pending.push((join(&dir, &name), rel.clone(), depth + 1));
                }
                entry.name = rel;
                out.push(entry);
                if out.len() > MAX_ENTRIES {
                    return Err(Error::InvalidInput(format!(
                        "more than {MAX_ENTRIES} entries below {root}"
                    )));
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Walk { entries: out, refused })
    }

    pub fn make_dirs(&mut self, path: &str) -> Result<()> {
        let absolute = path.starts_with('/');
        let mut prefix = String::from(if absolute { "/" } else { "" });
        let mut origin = None;
        for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
            prefix = join(&prefix, part);
            match self.mkd(&prefix) {
                Ok(_) => {}
                Err(Error::Permanent(reply)) => {
                    // It may exist already: it is fine if it is a directory.
                    let home = match &origin {
                        Some(h) => h,
                        None => origin.insert(self.pwd()?),
                    }
                    .clone();
                    let is_dir = self.cwd(&prefix).is_ok();
                    self.cwd(&home)?;
                    if !is_dir {
                        return Err(Error::Permanent(reply));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    pub fn remove_tree(&mut self, path: &str) -> Result<()> {
        self.remove_tree_at(path, 0)
    }

    fn remove_tree_at(&mut self, path: &str, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::InvalidInput(format!("{path} is deeper than {MAX_DEPTH} levels")));
        }
        let entries = self.list(Some(path))?;
        // Checked before anything is deleted: a hostile name such as `x/..`
        // must not steer a deletion outside the tree.
        if let Some(bad) = entries
            .iter()
            .find(|e| e.kind != Kind::Unparsed && !is_plain_name(&e.name))
        {
            return Err(ProtocolError::UnsafeName {
                dir: path.to_string(),
                name: bad.name.clone(),
            }
            .into());
        }
        for entry in entries {
            let child = join(path, &entry.name);
            match entry.kind {
                Kind::Directory => self.remove_tree_at(&child, depth + 1)?,
                Kind::Unparsed => {}
                _ => {
                    self.delete(&child)?;
                }
            }
        }
        self.rmd(path).map(drop)
    }
}
