//! What a mirror must do, decided before anything is done: a pure function
//! of the remote tree, the local tree and the rules, so the plan can be
//! printed (`--dry-run`), tested, and run again after an interruption
//! (what is already complete plans as nothing).

use glob::Pattern;

/// Times within this many seconds are the same: servers round them, and
/// a listing's time may be whole seconds or (LIST) whole minutes.
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
}

#[derive(Debug, Default)]
pub struct Rules {
    /// Remove what the local side has and the remote does not.
    pub delete: bool,
    /// Fetch only files the local side lacks, never replace one.
    pub only_missing: bool,
    /// Only paths matching one of these (by name or by relative path).
    pub include: Vec<Pattern>,
    /// Never paths matching one of these.
    pub exclude: Vec<Pattern>,
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
    Fetch {
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

/// The actions that make `local` mirror `remote`: directories first
/// (parents before children), then fetches, then deletions (children
/// before parents), each group in path order.
pub fn plan(remote: &[Item], local: &[Item], rules: &Rules) -> Vec<Action> {
    let find = |items: &[Item], path: &str| items.iter().find(|i| i.path == path).cloned();
    let excluded_dirs: Vec<&str> = remote
        .iter()
        .chain(local)
        .filter(|i| i.dir && !rules.selected(i))
        .map(|i| i.path.as_str())
        .collect();
    let wanted = |i: &&Item| rules.selected(i) && !rules.under_excluded(&i.path, &excluded_dirs);

    let mut dirs = Vec::new();
    let mut fetches = Vec::new();
    let mut deletes = Vec::new();
    let mut conflicts = Vec::new();
    for item in remote.iter().filter(wanted) {
        match (item.dir, find(local, &item.path)) {
            (true, None) => dirs.push(Action::MakeDir(item.path.clone())),
            (true, Some(l)) if !l.dir => conflicts.push(Action::Conflict(item.path.clone())),
            (true, Some(_)) => {}
            (false, None) => fetches.push(fetch(item, Why::Missing)),
            (false, Some(l)) if l.dir => conflicts.push(Action::Conflict(item.path.clone())),
            (false, Some(_)) if rules.only_missing => {}
            (false, Some(l)) => {
                if item.size.is_some() && item.size != l.size {
                    fetches.push(fetch(item, Why::SizeDiffers));
                } else if newer(item.modified, l.modified) {
                    fetches.push(fetch(item, Why::Newer));
                }
            }
        }
    }
    if rules.delete {
        for item in local.iter().filter(wanted) {
            if find(remote, &item.path).is_none() {
                deletes.push(Action::Delete {
                    path: item.path.clone(),
                    dir: item.dir,
                });
            }
        }
    }
    let key = |a: &Action| match a {
        Action::MakeDir(p) | Action::Conflict(p) | Action::Delete { path: p, .. } => p.clone(),
        Action::Fetch { item, .. } => item.path.clone(),
    };
    dirs.sort_by_key(key);
    fetches.sort_by_key(key);
    deletes.sort_by_key(key);
    deletes.reverse();
    conflicts.sort_by_key(key);
    [dirs, fetches, deletes, conflicts].concat()
}

fn fetch(item: &Item, why: Why) -> Action {
    Action::Fetch {
        item: item.clone(),
        why,
    }
}

/// The remote copy is newer than the local one by more than the skew.
fn newer(remote: Option<i64>, local: Option<i64>) -> bool {
    matches!((remote, local), (Some(r), Some(l)) if r > l + SKEW_SECONDS)
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
        }
    }

    fn dir(path: &str) -> Item {
        Item {
            path: path.into(),
            dir: true,
            size: None,
            modified: None,
        }
    }

    fn paths(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                Action::MakeDir(p) => format!("mkdir {p}"),
                Action::Fetch { item, why } => format!("fetch {} {why:?}", item.path),
                Action::Delete { path, .. } => format!("delete {path}"),
                Action::Conflict(p) => format!("conflict {p}"),
            })
            .collect()
    }

    #[test]
    fn an_empty_side_gets_everything_parents_first() {
        let remote = [file("a/b/c.bin", 3, 100), dir("a/b"), dir("a"), file("top.txt", 1, 100)];
        let got = paths(&plan(&remote, &[], &Rules::default()));
        assert_eq!(
            got,
            [
                "mkdir a",
                "mkdir a/b",
                "fetch a/b/c.bin Missing",
                "fetch top.txt Missing"
            ]
        );
    }

    #[test]
    fn only_differences_move() {
        let remote = [
            file("same", 5, 100),
            file("grown", 9, 100),
            file("touched", 5, 200),
            file("old", 5, 100),
        ];
        let local = [
            file("same", 5, 100),
            file("grown", 5, 100),
            file("touched", 5, 100),
            file("old", 5, 101),
        ];
        let got = paths(&plan(&remote, &local, &Rules::default()));
        assert_eq!(got, ["fetch grown SizeDiffers", "fetch touched Newer"]);
        let only_missing = Rules {
            only_missing: true,
            ..Rules::default()
        };
        assert!(plan(&remote, &local, &only_missing).is_empty());
    }

    #[test]
    fn times_within_the_skew_are_equal() {
        let remote = [file("f", 5, 101)];
        let local = [file("f", 5, 100)];
        assert!(plan(&remote, &local, &Rules::default()).is_empty());
    }

    #[test]
    fn delete_removes_exactly_the_extraneous_children_first() {
        let remote = [dir("keep"), file("keep/a", 1, 1)];
        let local = [
            dir("keep"),
            file("keep/a", 1, 1),
            file("keep/x", 1, 1),
            dir("gone"),
            file("gone/y", 1, 1),
        ];
        assert!(plan(&remote, &local, &Rules::default()).is_empty());
        let rules = Rules {
            delete: true,
            ..Rules::default()
        };
        assert_eq!(
            paths(&plan(&remote, &local, &rules)),
            ["delete keep/x", "delete gone/y", "delete gone"]
        );
    }

    #[test]
    fn include_and_exclude_by_name_or_path() {
        let remote = [
            dir("logs"),
            file("logs/a.log", 1, 1),
            file("b.bin", 1, 1),
            file("c.bin", 1, 1),
        ];
        let rules = Rules {
            include: vec![Pattern::new("*.bin").unwrap()],
            exclude: vec![Pattern::new("c.*").unwrap()],
            ..Rules::default()
        };
        assert_eq!(
            paths(&plan(&remote, &[], &rules)),
            ["mkdir logs", "fetch b.bin Missing"]
        );
        // An excluded directory takes everything below it, and --delete
        // leaves it alone on the local side too.
        let rules = Rules {
            exclude: vec![Pattern::new("logs").unwrap()],
            delete: true,
            ..Rules::default()
        };
        let local = [dir("logs"), file("logs/mine.log", 1, 1)];
        assert_eq!(
            paths(&plan(&remote, &local, &rules)),
            ["fetch b.bin Missing", "fetch c.bin Missing"]
        );
    }

    #[test]
    fn a_file_against_a_directory_is_a_conflict_left_alone() {
        let remote = [file("x", 1, 1), dir("y")];
        let local = [dir("x"), file("y", 1, 1)];
        let rules = Rules {
            delete: true,
            ..Rules::default()
        };
        assert_eq!(paths(&plan(&remote, &local, &rules)), ["conflict x", "conflict y"]);
    }
}
