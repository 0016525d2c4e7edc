//! What a mirror must do, decided before anything is done: a pure function
//! of the source tree, the destination tree and the rules (either side may
//! be the server), so the plan can be shown (a dry run), tested, and run
//! again after an interruption (what is already complete plans as
//! nothing).

use crate::{Error, Result};
use glob::Pattern;
use std::collections::HashMap;

/// Times within this many seconds are the same (servers round them).
pub const SKEW_SECONDS: i64 = 1;

/// One entry of either tree: its path relative to the mirrored directory
/// (components joined by `/`), and what is known of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub path: String,
    pub dir: bool,
    pub size: Option<u64>,
    /// Seconds since the Unix epoch.
    pub modified: Option<i64>,
    /// What `modified` is exact to, in seconds: 1 from MLSD or a local
    /// file, 60 or a day from a LIST line (`Nov 26 06:20`, `Nov 26 2025`).
    pub precision: i64,
}

/// Which files a mirror moves, and whether it deletes.
#[derive(Debug, Default, Clone)]
pub struct Rules {
    /// Remove what the destination has and the source does not.
    pub delete: bool,
    /// Copy only files the destination lacks, never replace one.
    pub only_missing: bool,
    /// Replace a file only when the source's is newer (lftp's
    /// `--only-newer`): a size difference alone is not enough.
    pub only_newer: bool,
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

impl Rules {
    /// Only paths matching `glob` (by name or by relative path), or one of
    /// the other includes; directories are still walked into.
    pub fn include(mut self, glob: &str) -> Result<Self> {
        self.include.push(pattern(glob)?);
        Ok(self)
    }

    /// Never paths matching `glob` (by name or relative path); an excluded
    /// directory takes everything below it, on both sides.
    pub fn exclude(mut self, glob: &str) -> Result<Self> {
        self.exclude.push(pattern(glob)?);
        Ok(self)
    }
}

fn pattern(glob: &str) -> Result<Pattern> {
    Pattern::new(glob).map_err(|e| Error::InvalidInput(format!("{glob}: {e}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Missing,
    SizeDiffers,
    Newer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    MakeDir(String),
    /// The file goes from the source to the destination.
    Copy {
        item: Item,
        why: Why,
    },
    Delete {
        path: String,
        dir: bool,
    },
    /// A file where the other side has a directory, or the reverse: left
    /// alone and reported.
    Conflict(String),
}

impl Action {
    /// The path the action is about.
    pub fn path(&self) -> &str {
        match self {
            Action::MakeDir(p) | Action::Conflict(p) | Action::Delete { path: p, .. } => p,
            Action::Copy { item, .. } => &item.path,
        }
    }
}

impl Rules {
    fn selected(&self, item: &Item) -> bool {
        let name = item.path.rsplit('/').next().unwrap_or(&item.path);
        let hit = |p: &Pattern| p.matches(name) || p.matches(&item.path);
        // Directories are walked into whatever the includes say: a file
        // deep inside may be included.
        let included = item.dir || self.include.is_empty() || self.include.iter().any(hit);
        included && !self.exclude.iter().any(hit)
    }

    /// Whether `path` lies under an excluded directory.
    fn under_excluded(&self, path: &str, excluded_dirs: &[&str]) -> bool {
        excluded_dirs
            .iter()
            .any(|d| path.strip_prefix(d).is_some_and(|rest| rest.starts_with('/')))
    }
}

/// The actions that make `dest` mirror `source`: directories first
/// (parents before children), then copies, then deletions (children
/// before parents), each group in path order.
pub fn plan(source: &[Item], dest: &[Item], rules: &Rules) -> Vec<Action> {
    let by_path =
        |items: &[Item]| -> HashMap<String, Item> { items.iter().map(|i| (i.path.clone(), i.clone())).collect() };
    let (sources, dests) = (by_path(source), by_path(dest));
    let excluded_dirs: Vec<&str> = source
        .iter()
        .chain(dest)
        .filter(|i| i.dir && !rules.selected(i))
        .map(|i| i.path.as_str())
        .collect();
    let wanted = |i: &&Item| rules.selected(i) && !rules.under_excluded(&i.path, &excluded_dirs);

    let mut dirs = Vec::new();
    let mut copies = Vec::new();
    let mut deletes = Vec::new();
    let mut conflicts = Vec::new();
    for item in source.iter().filter(wanted) {
        match (item.dir, dests.get(&item.path)) {
            (true, None) => dirs.push(Action::MakeDir(item.path.clone())),
            (true, Some(d)) if !d.dir => conflicts.push(Action::Conflict(item.path.clone())),
            (true, Some(_)) => {}
            (false, None) => copies.push(copy(item, Why::Missing)),
            (false, Some(d)) if d.dir => conflicts.push(Action::Conflict(item.path.clone())),
            (false, Some(_)) if rules.only_missing => {}
            (false, Some(d)) if rules.only_newer => {
                if newer(item, d) {
                    copies.push(copy(item, Why::Newer));
                }
            }
            (false, Some(d)) => {
                if item.size.is_some() && item.size != d.size {
                    copies.push(copy(item, Why::SizeDiffers));
                } else if newer(item, d) {
                    copies.push(copy(item, Why::Newer));
                }
            }
        }
    }
    if rules.delete {
        for item in dest.iter().filter(wanted) {
            if !sources.contains_key(&item.path) {
                deletes.push(Action::Delete {
                    path: item.path.clone(),
                    dir: item.dir,
                });
            }
        }
    }
    let key = |a: &Action| a.path().to_string();
    dirs.sort_by_key(key);
    copies.sort_by_key(key);
    deletes.sort_by_key(key);
    deletes.reverse();
    conflicts.sort_by_key(key);
    [dirs, copies, deletes, conflicts].concat()
}

fn copy(item: &Item, why: Why) -> Action {
    Action::Copy {
        item: item.clone(),
        why,
    }
}

/// The source is newer than the destination by more than the skew, both
/// cut to the coarser of their precisions (a LIST time says nothing of
/// seconds).
fn newer(source: &Item, dest: &Item) -> bool {
    let step = source.precision.max(dest.precision).max(1);
    let cut = |t: i64| t - t.rem_euclid(step);
    matches!((source.modified, dest.modified), (Some(s), Some(d)) if cut(s) > cut(d) + SKEW_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64, modified: i64) -> Item {
        Item {
            path: path.into(),
            dir: false,
            size: Some(size),
            modified: Some(modified),
            precision: 1,
        }
    }

    fn dir(path: &str) -> Item {
        Item {
            path: path.into(),
            dir: true,
            size: None,
            modified: None,
            precision: 1,
        }
    }

    fn paths(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                Action::MakeDir(p) => format!("mkdir {p}"),
                Action::Copy { item, why } => format!("copy {} {why:?}", item.path),
                Action::Delete { path, .. } => format!("delete {path}"),
                Action::Conflict(p) => format!("conflict {p}"),
            })
            .collect()
    }

    #[test]
    fn an_empty_side_gets_everything_parents_first() {
        let source = [file("a/b/c.bin", 3, 100), dir("a/b"), dir("a"), file("top.txt", 1, 100)];
        let got = paths(&plan(&source, &[], &Rules::default()));
        assert_eq!(
            got,
            ["mkdir a", "mkdir a/b", "copy a/b/c.bin Missing", "copy top.txt Missing"]
        );
    }

    #[test]
    fn only_differences_move() {
        let source = [
            file("same", 5, 100),
            file("grown", 9, 100),
            file("touched", 5, 200),
            file("old", 5, 100),
        ];
        let dest = [
            file("same", 5, 100),
            file("grown", 5, 100),
            file("touched", 5, 100),
            file("old", 5, 101),
        ];
        let got = paths(&plan(&source, &dest, &Rules::default()));
        assert_eq!(got, ["copy grown SizeDiffers", "copy touched Newer"]);
        let only_missing = Rules {
            only_missing: true,
            ..Rules::default()
        };
        assert!(plan(&source, &dest, &only_missing).is_empty());
        // lftp's --only-newer: a size difference alone is not enough, and
        // a newer destination (`old`) is kept.
        let dest = [
            file("same", 5, 100),
            file("grown", 5, 100),
            file("touched", 9, 100),
            file("old", 9, 101),
        ];
        let only_newer = Rules {
            only_newer: true,
            ..Rules::default()
        };
        assert_eq!(paths(&plan(&source, &dest, &only_newer)), ["copy touched Newer"]);
    }

    #[test]
    fn times_within_the_skew_are_equal() {
        let source = [file("f", 5, 101)];
        let dest = [file("f", 5, 100)];
        assert!(plan(&source, &dest, &Rules::default()).is_empty());
    }

    #[test]
    fn a_list_time_is_compared_to_the_minute() {
        let local = [file("f", 5, 6 * 3600 + 20 * 60 + 37)];
        let listed = Item {
            precision: 60,
            ..file("f", 5, 6 * 3600 + 20 * 60)
        };
        assert!(plan(&local, std::slice::from_ref(&listed), &Rules::default()).is_empty());
        let later = [file("f", 5, 6 * 3600 + 22 * 60 + 1)];
        assert_eq!(paths(&plan(&later, &[listed], &Rules::default())), ["copy f Newer"]);
    }

    #[test]
    fn delete_removes_exactly_the_extraneous_children_first() {
        let source = [dir("keep"), file("keep/a", 1, 1)];
        let dest = [
            dir("keep"),
            file("keep/a", 1, 1),
            file("keep/x", 1, 1),
            dir("gone"),
            file("gone/y", 1, 1),
        ];
        assert!(plan(&source, &dest, &Rules::default()).is_empty());
        let rules = Rules {
            delete: true,
            ..Rules::default()
        };
        assert_eq!(
            paths(&plan(&source, &dest, &rules)),
            ["delete keep/x", "delete gone/y", "delete gone"]
        );
    }

    #[test]
    fn include_and_exclude_by_name_or_path() {
        let source = [
            dir("logs"),
            file("logs/a.log", 1, 1),
            file("b.bin", 1, 1),
            file("c.bin", 1, 1),
        ];
        let rules = Rules::default().include("*.bin").unwrap().exclude("c.*").unwrap();
        assert_eq!(paths(&plan(&source, &[], &rules)), ["mkdir logs", "copy b.bin Missing"]);
        // An excluded directory takes everything below it, and --delete
        // leaves it alone on the destination too.
        let rules = Rules {
            delete: true,
            ..Rules::default().exclude("logs").unwrap()
        };
        let dest = [dir("logs"), file("logs/mine.log", 1, 1)];
        assert_eq!(
            paths(&plan(&source, &dest, &rules)),
            ["copy b.bin Missing", "copy c.bin Missing"]
        );
    }

    #[test]
    fn a_bad_glob_is_invalid_input() {
        assert!(matches!(Rules::default().include("[a"), Err(Error::InvalidInput(_))));
    }

    #[test]
    fn a_file_against_a_directory_is_a_conflict_left_alone() {
        let source = [file("x", 1, 1), dir("y")];
        let dest = [dir("x"), file("y", 1, 1)];
        let rules = Rules {
            delete: true,
            ..Rules::default()
        };
        assert_eq!(paths(&plan(&source, &dest, &rules)), ["conflict x", "conflict y"]);
    }
}
