//! A mirror's journal: what the last run learned of the server's tree (each
//! directory listed, with what its parent said of it) and what it copied,
//! so the next run need not list again what has not changed.
//!
//! It is a file of JSON lines, appended one whole record at a time and
//! flushed, so a run killed at any instant leaves every record before the
//! kill readable (a torn last line is ignored); a run that ends rewrites it
//! compacted, to a temporary file renamed over it. Its lines:
//!
//! ```text
//! {"journal":1,"direction":"down","remote":"site"}
//! {"dir":"d0","seen":{"modified":1764160800,"precision":60},"listed_at":1764164400,"entries":[{"path":"d0/f.bin","dir":false,"size":3,"modified":1764160800,"precision":60}]}
//! {"done":"d0/f.bin","size":3,"modified":1764160800,"sha256":"ab…"}
//! ```
//!
//! A directory is trusted, and not listed again, when (1) its parent's
//! fresh listing gives it the same modification time as when it was
//! listed, (2) that listing was made at least the time's precision after
//! it (so a change in the same minute cannot hide), and (3) it had no
//! subdirectories (whose own changes would not show in its time). Servers
//! change a directory's time when names are added, removed or renamed in
//! it, not when a file is rewritten in place under the same name: a run
//! with the journal does not see such a rewrite in a trusted directory.

use super::plan::Item;
use super::Direction;
use crate::error::{read_error, write_error};
use crate::Result;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// What a directory's parent listing said of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    modified: i64,
    precision: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    path: String,
    dir: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    modified: Option<i64>,
    precision: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Record {
    Header {
        journal: u32,
        direction: String,
        remote: String,
    },
    Listed {
        dir: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seen: Option<Seen>,
        listed_at: i64,
        entries: Vec<Entry>,
    },
    Done {
        done: String,
        size: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        modified: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
    },
}

/// One directory as last listed.
#[derive(Debug, Clone)]
struct Listing {
    seen: Option<Seen>,
    listed_at: i64,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Copied {
    size: u64,
    modified: Option<i64>,
    sha256: Option<String>,
}

/// The journal of one mirror (its direction and remote directory): what
/// an earlier run recorded, and this run's records appended as they come.
pub struct Journal {
    path: PathBuf,
    header: Record,
    listings: HashMap<String, Listing>,
    copied: HashMap<String, Copied>,
    out: BufWriter<File>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl From<&Item> for Entry {
    fn from(i: &Item) -> Self {
        Entry {
            path: i.path.clone(),
            dir: i.dir,
            size: i.size,
            modified: i.modified,
            precision: i.precision,
        }
    }
}

impl From<&Entry> for Item {
    fn from(e: &Entry) -> Self {
        Item {
            path: e.path.clone(),
            dir: e.dir,
            size: e.size,
            modified: e.modified,
            precision: e.precision,
        }
    }
}

impl Journal {
    /// Opens the journal at `path` for a mirror of `remote` in `direction`:
    /// what it holds of that mirror is read (records of another mirror, or
    /// a file that is not a journal, start it afresh), then it is open for
    /// this run's records.
    pub fn open(path: &Path, direction: Direction, remote: &str) -> Result<Self> {
        let header = Record::Header {
            journal: 1,
            direction: direction.name().to_string(),
            remote: remote.to_string(),
        };
        let mut listings = HashMap::new();
        let mut copied = HashMap::new();
        let ours = path.exists() && Self::read(path, &header, &mut listings, &mut copied)?;
        let out = if ours {
            OpenOptions::new().append(true).open(path).and_then(|mut file| {
                // A record a kill cut short must not run into the next one.
                if !Self::ends_a_line(path)? {
                    file.write_all(b"\n")?;
                }
                Ok(file)
            })
        } else {
            listings.clear();
            copied.clear();
            OpenOptions::new().create(true).write(true).truncate(true).open(path)
        }
        .map_err(write_error(path))?;
        let mut journal = Self {
            path: path.to_path_buf(),
            header: header.clone(),
            listings,
            copied,
            out: BufWriter::new(out),
        };
        if !ours {
            journal.append(&header)?;
        }
        Ok(journal)
    }

    /// Whether the file is empty or its last byte ends a line.
    fn ends_a_line(path: &Path) -> std::io::Result<bool> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = File::open(path)?;
        if file.metadata()?.len() == 0 {
            return Ok(true);
        }
        file.seek(SeekFrom::End(-1))?;
        let mut last = [0u8; 1];
        file.read_exact(&mut last)?;
        Ok(last[0] == b'\n')
    }

    /// Reads the records at `path`; whether they are this mirror's.
    fn read(
        path: &Path,
        header: &Record,
        listings: &mut HashMap<String, Listing>,
        copied: &mut HashMap<String, Copied>,
    ) -> Result<bool> {
        let file = File::open(path).map_err(read_error(path))?;
        let mut lines = BufReader::new(file).lines();
        let first = match lines.next() {
            Some(line) => line.map_err(read_error(path))?,
            None => return Ok(false),
        };
        let is_ours = matches!(
            (serde_json::from_str::<Record>(&first), header),
            (Ok(Record::Header { journal: 1, direction: d, remote: r }), Record::Header { direction, remote, .. })
                if d == *direction && r == *remote
        );
        if !is_ours {
            return Ok(false);
        }
        for line in lines {
            // A line cut short by a kill (or anything unreadable) is skipped.
            let Ok(line) = line else { break };
            match serde_json::from_str::<Record>(&line) {
                Ok(Record::Listed {
                    dir,
                    seen,
                    listed_at,
                    entries,
                }) => {
                    listings.insert(
                        dir,
                        Listing {
                            seen,
                            listed_at,
                            entries,
                        },
                    );
                }
                Ok(Record::Done {
                    done,
                    size,
                    modified,
                    sha256,
                }) => {
                    copied.insert(done, Copied { size, modified, sha256 });
                }
                Ok(Record::Header { .. }) | Err(_) => {}
            }
        }
        Ok(true)
    }

    fn append(&mut self, record: &Record) -> Result<()> {
        let path = self.path.clone();
        let line = serde_json::to_string(record).map_err(|e| write_error(&path)(e.into()))?;
        // One write per whole line, so a kill never splits a record
        // between two writes.
        self.out
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(write_error(&path))
    }

    /// The entries of the directory `item` (as its parent's fresh listing
    /// shows it), if the journal vouches that they have not changed.
    pub fn trusted(&self, item: &Item) -> Option<Vec<Item>> {
        let listing = self.listings.get(&item.path)?;
        let seen = listing.seen?;
        let now_seen = Seen {
            modified: item.modified?,
            precision: item.precision,
        };
        let settled = listing.listed_at >= seen.modified.saturating_add(seen.precision);
        let leaf = listing.entries.iter().all(|e| !e.dir);
        (seen == now_seen && settled && leaf).then(|| listing.entries.iter().map(Item::from).collect())
    }

    /// Records a fresh listing of `dir` (`seen`: what its parent's listing
    /// said of it).
    pub fn listed(&mut self, dir: &str, seen: Option<&Item>, entries: &[Item]) -> Result<()> {
        let seen = seen.and_then(|i| {
            Some(Seen {
                modified: i.modified?,
                precision: i.precision,
            })
        });
        let listing = Listing {
            seen,
            listed_at: now(),
            entries: entries.iter().map(Entry::from).collect(),
        };
        self.append(&Record::Listed {
            dir: dir.to_string(),
            seen,
            listed_at: listing.listed_at,
            entries: listing.entries.clone(),
        })?;
        self.listings.insert(dir.to_string(), listing);
        Ok(())
    }

    /// Records a file copied whole (its SHA-256 where it was checked).
    pub fn copied(&mut self, item: &Item, size: u64, sha256: Option<String>) -> Result<()> {
        let copied = Copied {
            size,
            modified: item.modified,
            sha256,
        };
        self.append(&Record::Done {
            done: item.path.clone(),
            size,
            modified: copied.modified,
            sha256: copied.sha256.clone(),
        })?;
        self.copied.insert(item.path.clone(), copied);
        Ok(())
    }

    /// A directory this run changed (an upload into it, a deletion): what
    /// the journal knew of its listing no longer holds.
    pub fn changed(&mut self, dir: &str) {
        self.listings.remove(dir);
    }

    /// Rewrites the journal compacted, one record a directory and file,
    /// through a temporary file renamed over it, then synced.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(write_error(&self.path))?;
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let temp = tempfile::NamedTempFile::new_in(dir).map_err(write_error(&self.path))?;
        let mut out = BufWriter::new(temp);
        let mut lines = vec![serde_json::to_string(&self.header)];
        let mut dirs: Vec<_> = self.listings.iter().collect();
        dirs.sort_by(|a, b| a.0.cmp(b.0));
        for (dir, l) in dirs {
            lines.push(serde_json::to_string(&Record::Listed {
                dir: dir.clone(),
                seen: l.seen,
                listed_at: l.listed_at,
                entries: l.entries.clone(),
            }));
        }
        let mut files: Vec<_> = self.copied.iter().collect();
        files.sort_by(|a, b| a.0.cmp(b.0));
        for (path, c) in files {
            lines.push(serde_json::to_string(&Record::Done {
                done: path.clone(),
                size: c.size,
                modified: c.modified,
                sha256: c.sha256.clone(),
            }));
        }
        for line in lines {
            let line = line.map_err(|e| write_error(&self.path)(e.into()))?;
            writeln!(out, "{line}").map_err(write_error(&self.path))?;
        }
        let temp = out.into_inner().map_err(|e| write_error(&self.path)(e.into_error()))?;
        temp.as_file().sync_all().map_err(write_error(&self.path))?;
        temp.persist(&self.path).map_err(|e| write_error(&self.path)(e.error))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(path: &str, dir: bool, modified: i64, precision: i64) -> Item {
        Item {
            path: path.into(),
            dir,
            size: (!dir).then_some(3),
            modified: Some(modified),
            precision,
        }
    }

    #[test]
    fn an_unchanged_settled_leaf_is_trusted_after_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let old = now() - 3_600;
        let leaf = item("a", true, old, 60);
        let parent = item("b", true, old, 60);
        let fresh = item("c", true, now(), 60);
        {
            let mut j = Journal::open(&path, Direction::Down, "site").unwrap();
            j.listed("a", Some(&leaf), &[item("a/f", false, old, 60)]).unwrap();
            j.listed("b", Some(&parent), &[item("b/sub", true, old, 60)]).unwrap();
            j.listed("c", Some(&fresh), &[item("c/f", false, old, 60)]).unwrap();
            // Killed here: no finish.
        }
        let j = Journal::open(&path, Direction::Down, "site").unwrap();
        assert_eq!(j.trusted(&leaf).unwrap(), [item("a/f", false, old, 60)]);
        assert!(j.trusted(&item("a", true, old + 60, 60)).is_none(), "its time changed");
        assert!(j.trusted(&parent).is_none(), "it has a subdirectory");
        assert!(j.trusted(&fresh).is_none(), "listed within its time's minute");
        j.finish().unwrap();
        let j = Journal::open(&path, Direction::Down, "site").unwrap();
        assert!(j.trusted(&leaf).is_some(), "compaction kept it");
        // Another mirror's journal starts afresh.
        let j = Journal::open(&path, Direction::Up, "site").unwrap();
        assert!(j.trusted(&leaf).is_none());
    }

    #[test]
    fn a_line_cut_short_by_a_kill_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let old = now() - 3_600;
        let leaf = item("a", true, old, 1);
        {
            let mut j = Journal::open(&path, Direction::Down, "").unwrap();
            j.listed("a", Some(&leaf), &[]).unwrap();
        }
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"dir\":\"b\",\"seen\":{\"modi");
        std::fs::write(&path, text).unwrap();
        let j = Journal::open(&path, Direction::Down, "").unwrap();
        assert!(j.trusted(&leaf).is_some());
    }
}
