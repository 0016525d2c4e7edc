//! What a session's listings showed of each path, so SIZE, MDTM and the
//! existence checks of `mkdir_all` need not ask again; the session's own
//! changes forget what they touch, and anything else that may change the
//! server's tree or the meaning of a relative path forgets everything.

use crate::bindings::{Entry, EntryKind, Timestamp};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// At most this many paths are kept: a huge listing must not grow the
/// host without bound (the oldest half goes when it is full).
const MAX_PATHS: usize = 100_000;

#[derive(Debug, Clone)]
struct Known {
    dir: bool,
    size: Option<u64>,
    /// Only a time exact to the second (MLSD's `modify`): a LIST line's is
    /// to the minute at best, not what MDTM says.
    modified: Option<Timestamp>,
    at: Instant,
}

#[derive(Debug)]
pub(crate) struct StatCache {
    max_age: Option<Duration>,
    known: HashMap<String, Known>,
}

/// `dir/name`, the way paths are written to the server.
pub(crate) fn join(dir: Option<&str>, name: &str) -> String {
    match dir.map(|d| d.trim_end_matches('/')) {
        None | Some("") | Some(".") => name.to_string(),
        Some(d) => format!("{d}/{name}"),
    }
}

/// One spelling per path: no trailing slash, no `./` in front.
fn key(path: &str) -> &str {
    let path = path.strip_prefix("./").unwrap_or(path);
    match path.trim_end_matches('/') {
        "" if path.starts_with('/') => "/",
        trimmed => trimmed,
    }
}

impl StatCache {
    /// `max_age: None` keeps nothing.
    pub fn new(max_age: Option<Duration>) -> Self {
        Self {
            max_age,
            known: HashMap::new(),
        }
    }

    /// Records a listed entry of the directory `dir` (`None`: the working
    /// directory).
    pub fn remember(&mut self, dir: Option<&str>, entry: &Entry) {
        if self.max_age.is_none() || !matches!(entry.kind, EntryKind::File | EntryKind::Directory) {
            return;
        }
        if self.known.len() >= MAX_PATHS {
            self.evict_oldest_half();
        }
        let exact = entry.facts.iter().any(|(fact, _)| fact.eq_ignore_ascii_case("modify"));
        self.known.insert(
            key(&join(dir, &entry.name)).to_string(),
            Known {
                dir: entry.kind == EntryKind::Directory,
                size: entry.size.filter(|_| entry.kind == EntryKind::File),
                modified: entry.modified.filter(|_| exact),
                at: Instant::now(),
            },
        );
    }

    /// Records that `path` is a directory (the session just made it).
    pub fn remember_dir(&mut self, path: &str) {
        if self.max_age.is_some() {
            self.known.insert(
                key(path).to_string(),
                Known {
                    dir: true,
                    size: None,
                    modified: None,
                    at: Instant::now(),
                },
            );
        }
    }

    fn fresh(&self, path: &str) -> Option<&Known> {
        let max_age = self.max_age?;
        self.known.get(key(path)).filter(|k| k.at.elapsed() < max_age)
    }

    pub fn size(&self, path: &str) -> Option<u64> {
        self.fresh(path).and_then(|k| k.size)
    }

    pub fn modified(&self, path: &str) -> Option<Timestamp> {
        self.fresh(path).and_then(|k| k.modified)
    }

    pub fn is_dir(&self, path: &str) -> bool {
        self.fresh(path).is_some_and(|k| k.dir)
    }

    /// Forgets `path` and, should it be a directory, all below it.
    pub fn forget(&mut self, path: &str) {
        let path = key(path);
        let below = format!("{path}/");
        self.known.retain(|p, _| p != path && !p.starts_with(&below));
    }

    pub fn forget_all(&mut self) {
        self.known.clear();
    }

    fn evict_oldest_half(&mut self) {
        let mut ages: Vec<Instant> = self.known.values().map(|k| k.at).collect();
        ages.sort_unstable();
        if let Some(cut) = ages.get(ages.len() / 2).copied() {
            self.known.retain(|_, k| k.at > cut);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, kind: EntryKind, size: Option<u64>, facts: &[(&str, &str)]) -> Entry {
        Entry {
            name: name.into(),
            kind,
            size,
            modified: Some(Timestamp {
                seconds: 1_700_000_000,
                nanoseconds: 0,
            }),
            permissions: None,
            unix_mode: None,
            link_target: None,
            facts: facts.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            raw: String::new(),
        }
    }

    #[test]
    fn listed_files_answer_until_forgotten_or_old() {
        let mut cache = StatCache::new(Some(Duration::from_secs(60)));
        cache.remember(Some("pub/"), &entry("a.bin", EntryKind::File, Some(5), &[]));
        cache.remember(
            Some("pub"),
            &entry("d", EntryKind::Directory, Some(4096), &[("modify", "x")]),
        );
        cache.remember(Some("pub/d"), &entry("e", EntryKind::File, Some(1), &[("modify", "x")]));
        assert_eq!(cache.size("pub/a.bin"), Some(5));
        assert_eq!(cache.size("./pub/a.bin"), Some(5));
        // A LIST time is not MDTM's; MLSD's is.
        assert_eq!(cache.modified("pub/a.bin"), None);
        assert!(cache.modified("pub/d/e").is_some());
        assert!(cache.is_dir("pub/d/") && cache.size("pub/d").is_none());
        cache.forget("pub/d");
        assert!(!cache.is_dir("pub/d") && cache.size("pub/d/e").is_none());
        assert_eq!(cache.size("pub/a.bin"), Some(5));
        cache.forget_all();
        assert_eq!(cache.size("pub/a.bin"), None);

        let mut off = StatCache::new(None);
        off.remember(None, &entry("a", EntryKind::File, Some(1), &[]));
        assert_eq!(off.size("a"), None);
        let mut expired = StatCache::new(Some(Duration::ZERO));
        expired.remember(None, &entry("a", EntryKind::File, Some(1), &[]));
        assert_eq!(expired.size("a"), None);
    }

    #[test]
    fn links_and_unparsed_lines_are_not_kept() {
        let mut cache = StatCache::new(Some(Duration::from_secs(60)));
        cache.remember(None, &entry("l", EntryKind::Link, Some(3), &[]));
        cache.remember(None, &entry("u", EntryKind::Unparsed, Some(3), &[]));
        assert_eq!((cache.size("l"), cache.size("u")), (None, None));
    }
}
