//! The server's side of a tree: walked one streamed directory listing at a
//! time (memory for the items kept, not for whole listings), taking only
//! what can be mirrored safely.

use super::journal::Journal;
use super::plan::Item;
use super::{SkipReason, Skipped};
use crate::names::is_plain_name;
use crate::progress::Event;
use crate::{EntryKind, Error, Job, Result, Session};
use std::collections::HashMap;

/// Deeper remote trees than this are refused rather than followed (a
/// server can present an endless chain of directories).
pub const MAX_DEPTH: usize = 64;

/// The remote tree.
#[derive(Debug, Default)]
pub struct Walked {
    pub items: Vec<Item>,
    pub skipped: Vec<Skipped>,
    /// False when the top directory does not exist (a mirror up makes it).
    pub exists: bool,
    /// The seconds added to every listed time: the server's zone, as
    /// learnt from its MDTM (`None` when not learnt: MLSD, or no file to
    /// ask about, or inference off).
    pub zone: Option<i64>,
}

/// `base/path` on the server (`path` alone at the login directory).
pub fn remote_path(base: &str, path: &str) -> String {
    match (base, path) {
        ("", p) => p.to_string(),
        (b, "") => b.to_string(),
        (b, p) => format!("{b}/{p}"),
    }
}

/// A directory still to list: its path relative to the top, depth, and
/// what its parent's listing said of it (to ask the journal).
struct Pending {
    relative: String,
    depth: usize,
    listed_as: Option<Item>,
}

/// The remote tree below `base`, names relative to it. Entries whose names
/// are not plain components (`..`, `a/b`, control characters), links,
/// special files and names a directory lists twice are reported in
/// `skipped` and left out: only files and directories are mirrored, and
/// only directories with plain names are entered. With a journal, a
/// directory it can vouch for (see [`Journal::trusted`]) is not listed
/// again; each directory listed is recorded there. A missing top
/// directory (550, or 501 from pyftpdlib) is `exists: false` when
/// `may_be_missing`. With `infer_zone`, a LIST server's listed times are
/// corrected to UTC by its zone (see [`learn_zone`]).
pub fn walk(
    job: &Job<'_>,
    session: &mut Session,
    base: &str,
    may_be_missing: bool,
    mut journal: Option<&mut Journal>,
    infer_zone: bool,
) -> Result<Walked> {
    let mut walked = Walked {
        exists: true,
        ..Walked::default()
    };
    let mut pending = vec![Pending {
        relative: String::new(),
        depth: 0,
        listed_as: None,
    }];
    while let Some(dir) = pending.pop() {
        job.cancel_handle().check()?;
        if dir.depth > MAX_DEPTH {
            return Err(Error::Protocol(format!(
                "{} is deeper than {MAX_DEPTH} levels",
                dir.relative
            )));
        }
        let vouched = journal
            .as_deref()
            .and_then(|j| dir.listed_as.as_ref().and_then(|item| j.trusted(item)));
        let entries = match vouched {
            Some(entries) => entries,
            None => match list(job, session, base, &dir.relative) {
                Err(Error::Permanent(_)) if may_be_missing && dir.relative.is_empty() => {
                    walked.exists = false;
                    return Ok(walked);
                }
                listed => {
                    let listed = listed?;
                    let mut entries = keep(&dir.relative, listed, &mut walked.skipped);
                    if infer_zone && walked.zone.is_none() {
                        walked.zone = learn_zone(session, base, &entries);
                        // What was listed before the zone was known.
                        if let Some(offset) = walked.zone {
                            walked.items.iter_mut().for_each(|i| shift(i, offset));
                        }
                    }
                    if let Some(offset) = walked.zone {
                        entries.iter_mut().for_each(|i| shift(i, offset));
                    }
                    if let Some(journal) = journal.as_deref_mut() {
                        journal.listed(&dir.relative, dir.listed_as.as_ref(), &entries)?;
                    }
                    entries
                }
            },
        };
        for item in entries {
            if item.dir {
                pending.push(Pending {
                    relative: item.path.clone(),
                    depth: dir.depth + 1,
                    listed_as: Some(item.clone()),
                });
            }
            walked.items.push(item);
        }
    }
    walked.items.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(walked)
}

/// The seconds that turn a LIST server's times (its local time) into
/// UTC, learnt from the first file listed to the minute: its MDTM is UTC
/// (RFC 3659), and the difference, to the nearest quarter hour, is the
/// zone. `None` while no such file has been listed; `Some(0)` where MDTM
/// is refused or disagrees by more than any zone does.
fn learn_zone(session: &mut Session, base: &str, entries: &[Item]) -> Option<i64> {
    let file = entries.iter().find(|i| !i.dir && i.precision == 60)?;
    let listed = file.modified?;
    match session.modified(&remote_path(base, &file.path)) {
        Ok(exact) => Some(zone_offset(listed, exact.seconds).unwrap_or(0)),
        Err(_) => Some(0),
    }
}

/// `exact - listed` to the nearest quarter hour, if that is a zone's
/// offset (UTC-12 to UTC+14).
pub fn zone_offset(listed: i64, exact: i64) -> Option<i64> {
    const QUARTER: i64 = 900;
    let offset = (exact - listed + QUARTER / 2).div_euclid(QUARTER) * QUARTER;
    (-14 * 3600..=14 * 3600).contains(&offset).then_some(offset)
}

/// Moves a LIST item's time by the server's zone (MLSD's are exact UTC).
fn shift(item: &mut Item, offset: i64) {
    if item.precision > 1 {
        item.modified = item.modified.map(|m| m + offset);
    }
}

/// One directory's entries as the server lists them, with what was
/// refused on the way into `skipped`'s caller.
fn list(
    job: &Job<'_>,
    session: &mut Session,
    base: &str,
    relative: &str,
) -> Result<Vec<(crate::Entry, Option<SkipReason>)>> {
    let dir = match remote_path(base, relative) {
        p if p.is_empty() => ".".to_string(),
        p => p,
    };
    let mut entries = Vec::new();
    for entry in session.listing(Some(&dir))? {
        let entry = entry?;
        let reason = unmirrorable(&entry);
        entries.push((entry, reason));
    }
    job.emit(Event::Listed {
        path: relative.to_string(),
        entries: entries.len() as u64,
    });
    Ok(entries)
}

/// Why an entry is not mirrored, if it is not.
fn unmirrorable(entry: &crate::Entry) -> Option<SkipReason> {
    if entry.kind == EntryKind::Unparsed {
        return Some(SkipReason::Unparsed);
    }
    if !is_plain_name(&entry.name) {
        return Some(SkipReason::NotPlainName);
    }
    match entry.kind {
        EntryKind::Directory | EntryKind::File => None,
        _ => Some(SkipReason::NotFileOrDirectory),
    }
}

/// The items of one directory's listing that are mirrored. A name listed
/// twice is kept once if both entries agree, else not at all (which of
/// them would be the file?); either way it is reported.
fn keep(relative: &str, listed: Vec<(crate::Entry, Option<SkipReason>)>, skipped: &mut Vec<Skipped>) -> Vec<Item> {
    let mut by_name: HashMap<String, Vec<Item>> = HashMap::new();
    let mut order = Vec::new();
    for (entry, reason) in listed {
        let path = remote_path(relative, &entry.name);
        if let Some(reason) = reason {
            skipped.push(Skipped { path, reason });
            continue;
        }
        let item = item(entry, path);
        let name = item.path.clone();
        match by_name.get_mut(&name) {
            Some(seen) => seen.push(item),
            None => {
                order.push(name.clone());
                by_name.insert(name, vec![item]);
            }
        }
    }
    let mut kept = Vec::new();
    for name in order {
        let Some(mut items) = by_name.remove(&name) else {
            continue;
        };
        let first = items.swap_remove(0);
        if items.is_empty() {
            kept.push(first);
        } else if items.iter().all(|i| *i == first) {
            skipped.push(Skipped {
                path: name,
                reason: SkipReason::ListedTwice,
            });
            kept.push(first);
        } else {
            skipped.push(Skipped {
                path: name,
                reason: SkipReason::ListedTwiceDiffering,
            });
        }
    }
    kept
}

/// The item for one entry, at `path` relative to the top.
fn item(entry: crate::Entry, path: String) -> Item {
    let precision = match entry.modified {
        // MLSD's `modify` is exact to the second; a LIST line's time
        // is to the minute, or (older files) the day.
        Some(_) if entry.facts.iter().any(|(fact, _)| fact == "modify") => 1,
        Some(t) if t.seconds % 86_400 == 0 => 86_400,
        Some(_) => 60,
        None => 1,
    };
    Item {
        path,
        dir: entry.kind == EntryKind::Directory,
        size: entry.size.filter(|_| entry.kind == EntryKind::File),
        modified: entry.modified.map(|t| t.seconds),
        precision,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Entry, Timestamp};

    fn entry(name: &str, kind: EntryKind, size: u64) -> (Entry, Option<SkipReason>) {
        let e = Entry {
            name: name.into(),
            kind,
            link_target: None,
            size: Some(size),
            modified: Some(Timestamp {
                seconds: 1_700_000_040,
                nanoseconds: 0,
            }),
            permissions: None,
            unix_mode: None,
            facts: Vec::new(),
            raw: String::new(),
        };
        let reason = unmirrorable(&e);
        (e, reason)
    }

    #[test]
    fn a_name_listed_twice_is_kept_once_if_the_entries_agree_else_skipped() {
        let mut skipped = Vec::new();
        let kept = keep(
            "d",
            vec![
                entry("same", EntryKind::File, 3),
                entry("x", EntryKind::File, 3),
                entry("same", EntryKind::File, 3),
                entry("x", EntryKind::Directory, 4096),
                entry("../up", EntryKind::File, 1),
                entry("l", EntryKind::Link, 1),
                entry("ok", EntryKind::Directory, 4096),
            ],
            &mut skipped,
        );
        let kept: Vec<&str> = kept.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(kept, ["d/same", "d/ok"]);
        let skipped: Vec<(&str, SkipReason)> = skipped.iter().map(|s| (s.path.as_str(), s.reason)).collect();
        assert_eq!(
            skipped,
            [
                ("d/../up", SkipReason::NotPlainName),
                ("d/l", SkipReason::NotFileOrDirectory),
                ("d/same", SkipReason::ListedTwice),
                ("d/x", SkipReason::ListedTwiceDiffering),
            ]
        );
    }

    #[test]
    fn a_zone_is_the_quarter_hour_nearest_the_difference() {
        let listed = 1_700_000_040;
        // A server two hours ahead of UTC lists 10:30 for 08:30 UTC; its
        // LIST time is to the minute, so MDTM's seconds fall either side.
        assert_eq!(zone_offset(listed, listed - 7200 + 35), Some(-7200));
        assert_eq!(
            zone_offset(listed, listed + 5 * 3600 + 1800 - 40),
            Some(5 * 3600 + 1800)
        );
        assert_eq!(zone_offset(listed, listed + 20), Some(0));
        assert_eq!(zone_offset(listed, listed + 15 * 3600), None, "no zone is 15 hours off");
        let mut item = Item {
            path: "f".into(),
            dir: false,
            size: Some(1),
            modified: Some(listed),
            precision: 60,
        };
        shift(&mut item, -7200);
        assert_eq!(item.modified, Some(listed - 7200));
        item.precision = 1;
        shift(&mut item, -7200);
        assert_eq!(item.modified, Some(listed - 7200), "MLSD times are UTC already");
    }

    #[test]
    fn paths_join_below_the_base() {
        assert_eq!(remote_path("", "a"), "a");
        assert_eq!(remote_path("pub", ""), "pub");
        assert_eq!(remote_path("pub", "a/b"), "pub/a/b");
    }
}
