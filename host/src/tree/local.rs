//! The local side of a mirror: the tree under the destination, and the one
//! way into it. Symbolic links are never followed: one is listed as an
//! entry that is not a directory (so a remote directory of its name is a
//! conflict, left alone), and no write goes through one.

use super::plan::Item;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Temporary files `get` leaves beside a destination while it downloads.
fn is_partial(name: &str) -> bool {
    name.starts_with(".wftp-") && name.ends_with(".part")
}

/// Every entry below `root` (which may not exist yet: then nothing).
pub fn scan(root: &Path) -> io::Result<Vec<Item>> {
    let mut items = Vec::new();
    if root.is_dir() {
        scan_into(root, "", &mut items)?;
    }
    Ok(items)
}

fn scan_into(dir: &Path, prefix: &str, items: &mut Vec<Item>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue; // Not UTF-8: no remote name can match it.
        };
        if is_partial(&name) {
            continue;
        }
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
            scan_into(&entry.path(), &format!("{path}/"), items)?;
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
        if !crate::commands::is_plain_name(part) {
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
        let mut got: Vec<(String, bool, Option<u64>)> = scan(root.path())
            .unwrap()
            .into_iter()
            .map(|i| (i.path, i.dir, i.size))
            .collect();
        got.sort();
        assert_eq!(got, [("d".into(), true, None), ("d/f".into(), false, Some(3))]);
        assert!(scan(&root.path().join("absent")).unwrap().is_empty());
    }
}
