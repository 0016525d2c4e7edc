//! IBM i (AS/400, OS/400) listings: owner, size, date and time (absent for
//! members), the object type, then the name:
//! `QDFTOWN  65536 03/22/02 12:02:49 *STMF  test.txt`. Libraries, folders,
//! directories and database files (`*FILE`, `NAME.FILE`) hold others.

use super::{Entry, Kind};
use crate::proto::time::from_civil;

/// The object types an IBM i listing names, and what each is to a client.
fn kind_of(object: &str, name: &str) -> Option<Kind> {
    Some(match object {
        "*DIR" | "*LIB" | "*FLR" | "*DDIR" => Kind::Directory,
        // A database file holds members: a directory, `NAME.FILE/NAME.MBR`.
        "*FILE" if name.to_ascii_uppercase().ends_with(".FILE") => Kind::Directory,
        "*FILE" | "*STMF" | "*DOC" | "*MEM" | "*DSTMF" => Kind::File,
        "*SYMLNK" => Kind::Link,
        other if other.len() > 1 && other.starts_with('*') && other[1..].bytes().all(|b| b.is_ascii_uppercase()) => {
            Kind::Other
        }
        _ => return None,
    })
}

/// `MM/DD/YY` (the system's default `*MDY`), `YY/MM/DD` where the first
/// number cannot be a month, or `DD.MM.YY`; with `HH:MM:SS`.
fn stamp(date: &str, time: &str) -> Option<crate::proto::time::Timestamp> {
    let dotted = date.contains('.');
    let parts: Vec<u32> = date
        .split(['/', '.', '-'])
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c] = parts[..] else { return None };
    let (year, month, day) = match (dotted, a) {
        (true, _) => (c, b, a),
        (false, 13..) => (a, b, c),
        (false, _) => (c, a, b),
    };
    let year = i64::from(if year < 70 {
        2000 + year
    } else if year < 100 {
        1900 + year
    } else {
        year
    });
    let clock: Vec<u32> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [hour, minute, second] = clock[..] else { return None };
    from_civil(year, month, day, hour, minute, second)
}

pub fn parse(line: &str) -> Option<Entry> {
    let words: Vec<&str> = line.split_whitespace().collect();
    // owner size date time *TYPE name, or owner *TYPE name (a member).
    let at = words.iter().position(|w| w.starts_with('*'))?;
    let (stats, rest) = words.split_at(at);
    let object = rest[0];
    let name_start = line.find(object)? + object.len();
    let name = line[name_start..].trim();
    if name.is_empty() || !(stats.len() == 1 || stats.len() == 4) {
        return None;
    }
    let kind = kind_of(object, name)?;
    let name = name.strip_suffix('/').unwrap_or(name);
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name.to_string(), kind, line);
    if let [_, size, date, time] = stats {
        entry.size = Some(size.parse().ok()?);
        entry.modified = stamp(date, time);
    }
    entry.facts.push(("ibmi.type".into(), object.to_string()));
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::super::{parse_list_line, TEST_NOW};
    use super::*;

    /// Captured from IBM i FTP servers (FileZilla's and commons-net's
    /// test listings), both date orders.
    const LISTING: &str = "\
QSYS            77824 02/23/00 15:09:55 *DIR QSYS/
QDOC             8192 12/11/01 11:35:39 *DIR       QDOC/
QDFTOWN         65536 03/22/02 12:02:49 *STMF      test.txt
QSYS                                    *MEM       QSYS.LIB/QGPL.LIB/QCLSRC.FILE/A.MBR
PEP              4019 04/03/18 18:58:16 *STMF      einladung.zip
PEP             16347 24/03/18 14:06:29 *STMF      build xml.bak
QSYS           114688 05.11.19 10:01:02 *FILE      QGPL.LIB/QCLSRC.FILE
QSYS                4 05.11.19 10:01:02 *LIB       QGPL.LIB";

    #[test]
    fn objects_become_entries() {
        let entries: Vec<Entry> = LISTING.lines().filter_map(|l| parse_list_line(l, TEST_NOW)).collect();
        let seen: Vec<(&str, Kind, Option<u64>)> = entries.iter().map(|e| (e.name.as_str(), e.kind, e.size)).collect();
        assert_eq!(
            seen,
            [
                ("QSYS", Kind::Directory, Some(77824)),
                ("QDOC", Kind::Directory, Some(8192)),
                ("test.txt", Kind::File, Some(65536)),
                ("QSYS.LIB/QGPL.LIB/QCLSRC.FILE/A.MBR", Kind::File, None),
                ("einladung.zip", Kind::File, Some(4019)),
                ("build xml.bak", Kind::File, Some(16347)),
                ("QGPL.LIB/QCLSRC.FILE", Kind::Directory, Some(114688)),
                ("QGPL.LIB", Kind::Directory, Some(4)),
            ]
        );
        assert_eq!(entries[0].modified, from_civil(2000, 2, 23, 15, 9, 55), "MM/DD/YY");
        assert_eq!(entries[5].modified, from_civil(2024, 3, 18, 14, 6, 29), "YY/MM/DD");
        assert_eq!(entries[6].modified, from_civil(2019, 11, 5, 10, 1, 2), "DD.MM.YY");
        assert!(entries.iter().all(|e| e.raw.contains(&e.name)));
        assert_eq!(entries[2].facts, [("ibmi.type".to_string(), "*STMF".to_string())]);
    }

    #[test]
    fn other_lines_are_not_ibm_i() {
        assert!(parse("-rw-r--r-- 1 u g 5 Jan 01 00:00 *star").is_none());
        assert!(parse("QSYS 1 2 *STMF").is_none());
        assert!(parse("QSYS 1 02/23/00 15:09:55 *NOTATYPE1 x").is_none());
        // Found by the listing fuzzer: a name that is only its slash.
        assert!(parse("QSYS 77824 02/23/00 15:09:55 *DIR /").is_none());
    }
}
