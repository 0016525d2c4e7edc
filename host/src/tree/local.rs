//! The local side of a mirror: the tree under the destination, and the one
//! way into it. Symbolic links are never followed: one is listed as an
//! entry that is not a directory (so a remote directory of its name is a
//! conflict, left alone), and no write goes through one.

use super::plan::Item;
use crate::files::{PARTIAL_PREFIX, PARTIAL_SUFFIX};
use crate::names::is_plain_name;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Temporary files a download leaves beside its target while it runs.
pub fn is_partial(name: &str) -> bool {
    name.starts_with(PARTIAL_PREFIX) && name.ends_with(PARTIAL_SUFFIX)
}

/// What lies below a local directory.
#[derive(Debug, Default)]
pub struct Scanned {
    pub items: Vec<Item>,
    /// Downloads' temporary files, relative paths: an earlier run's, to
    /// resume or remove.
    pub partials: Vec<String>,
    /// Names that are not UTF-8: no remote name can match them.
    pub unreadable: Vec<PathBuf>,
}

/// Every entry below `root` (which may not exist yet: then nothing).
pub fn scan(root: &Path) -> io::Result<Scanned> {
    let mut scanned = Scanned::default();
    if root.is_dir() {
        scan_into(root, "", &mut scanned)?;
    }
    Ok(scanned)
}

fn scan_into(dir: &Path, prefix: &str, scanned: &mut Scanned) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            scanned.unreadable.push(entry.path());
            continue;
        };
        if is_partial(&name) {
            scanned.partials.push(format!("{prefix}{name}"));
            continue;
        }
        let items = &mut scanned.items;
        let meta = entry.path().symlink_metadata()?;
        let path = format!("{prefix}{name}");
        let dir = meta.is_dir();
        items.push(Item {
            path: path.clone(),
            dir,
            size: meta.is_file().then_some(meta.len()),
            modified: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok()),
            precision: 1,
        });
        if dir {
            scan_into(&entry.path(), &format!("{path}/"), scanned)?;
        }
    }
    Ok(())
}

/// `root` joined with the relative `path`, if every component is a plain
/// name and no directory on the way (below `root`) is a symbolic link: the
/// only way a mirror reaches a local path, so nothing is written or
/// deleted outside `root`, whatever the server lists.
pub fn inside(root: &Path, path: &str) -> Option<PathBuf> {
    let mut full = root.to_path_buf();
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if !is_plain_name(part) {
            return None;
        }
        full.push(part);
        let last = i + 1 == parts.len();
        if !last && full.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
            return None;
        }
    }
    Some(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_and_never_pass_a_link() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("real")).unwrap();
        std::os::unix::fs::symlink("/tmp", root.path().join("link")).unwrap();
        assert_eq!(inside(root.path(), "real/a.bin"), Some(root.path().join("real/a.bin")));
        assert_eq!(inside(root.path(), "link"), Some(root.path().join("link")));
        for bad in ["../x", "a/../../x", "link/x", "/etc/passwd", "a//b", "", "a\nb"] {
            assert_eq!(inside(root.path(), bad), None, "{bad:?}");
        }
    }

    #[test]
    fn scan_lists_entries_and_skips_partial_downloads() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("d")).unwrap();
        std::fs::write(root.path().join("d/f"), b"abc").unwrap();
        std::fs::write(root.path().join(".wftp-x.part"), b"").unwrap();
        let scanned = scan(root.path()).unwrap();
        let mut got: Vec<(String, bool, Option<u64>)> =
            scanned.items.into_iter().map(|i| (i.path, i.dir, i.size)).collect();
        got.sort();
        assert_eq!(got, [("d".into(), true, None), ("d/f".into(), false, Some(3))]);
        assert_eq!(scanned.partials, [".wftp-x.part"]);
        assert!(scan(&root.path().join("absent")).unwrap().items.is_empty());
    }
}
