//! z/OS (MVS) listings: a catalog's datasets (`Volume Unit Referred Ext
//! Used Recfm Lrecl BlkSz Dsorg Dsname`), partitioned ones (`PO`) holding
//! members, and a partitioned dataset's members (`Name VV.MM Created
//! Changed Size Init Mod Id`). The header lines carry no entry.

use super::{Entry, Kind};
use crate::proto::time::from_civil;

/// `YYYY/MM/DD` and, if given, `HH:MM`.
fn stamp(date: &str, time: Option<&str>) -> Option<crate::proto::time::Timestamp> {
    let d: Vec<u32> = date.split('/').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [year, month, day] = d[..] else { return None };
    let (hour, minute) = match time {
        Some(t) => {
            let (h, m) = t.split_once(':')?;
            (h.parse().ok()?, m.parse().ok()?)
        }
        None => (0, 0),
    };
    (year >= 1900).then(|| from_civil(i64::from(year), month, day, hour, minute, 0))?
}

/// The header lines of either listing: no entry.
pub fn is_header(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    matches!(
        words[..],
        ["Volume", "Unit", "Referred", ..] | ["Name", "VV.MM", "Created", ..]
    )
}

/// A name z/OS allows for a dataset (qualifiers of up to 8 characters,
/// dot-separated) or a member.
fn is_dsname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 44
        && name.split('.').all(|q| {
            (1..=8).contains(&q.len())
                && q.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'$' | b'#' | b'@' | b'-' | b'{'))
        })
}

pub fn parse(line: &str) -> Option<Entry> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words[..] {
        // A dataset: volume unit referred ext used recfm lrecl blksz dsorg dsname.
        [_volume, unit, referred, ext, used, recfm, lrecl, blksz, dsorg, dsname]
            if unit.bytes().all(|b| b.is_ascii_digit())
                && [ext, used, lrecl, blksz]
                    .iter()
                    .all(|w| w.bytes().all(|b| b.is_ascii_digit()))
                && recfm.bytes().all(|b| b.is_ascii_uppercase())
                && is_dsname(dsname) =>
        {
            let kind = if dsorg.starts_with("PO") {
                Kind::Directory
            } else {
                Kind::File
            };
            let mut entry = Entry::new(dsname.to_string(), kind, line);
            entry.modified = stamp(referred, None);
            entry.facts = vec![
                ("mvs.dsorg".into(), dsorg.to_string()),
                ("mvs.recfm".into(), recfm.to_string()),
            ];
            Some(entry)
        }
        // Migrated to tape, or a pseudo directory: a name and no statistics.
        ["Migrated", dsname] if is_dsname(dsname) => Some(Entry::new(dsname.to_string(), Kind::File, line)),
        ["Pseudo", "Directory", dsname] if is_dsname(dsname) => {
            Some(Entry::new(dsname.to_string(), Kind::Directory, line))
        }
        // A member: name vv.mm created changed-date changed-time size init mod id.
        [name, version, created, changed, time, size, init, modified, _id]
            if is_dsname(name)
                && version.split('.').count() == 2
                && [size, init, modified]
                    .iter()
                    .all(|w| w.bytes().all(|b| b.is_ascii_digit())) =>
        {
            stamp(created, None)?;
            let mut entry = Entry::new(name.to_string(), Kind::File, line);
            entry.modified = stamp(changed, Some(time));
            // Lines, not bytes: kept as a fact rather than a size.
            entry.facts = vec![("mvs.lines".into(), size.to_string())];
            Some(entry)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_list_line, TEST_NOW};
    use super::*;

    /// A catalog listing and a PDS's members, as z/OS's FTP server sends
    /// them (FileZilla's and commons-net's captured samples).
    const DATASETS: &str = "\
Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname
SAVE00 3390   2004/06/23  1    1  FB     128  6144  PS  INCOMING.RPTBM023.D061704
SAVE01 3390   2004/06/23  1    1  FB     128  6144  PO  INCOMING.RPTBM024
SAVE02 3390   2004/06/23  1    1  FB     128  6144  PO-E  USER.LOADLIB
Migrated                                                OLD.DATASET
Pseudo Directory                                        USER.DIR";

    const MEMBERS: &str = "\
 Name     VV.MM   Created       Changed      Size  Init   Mod   Id
SAVE03    01.03 2002/09/12 2002/10/11 09:37    11    11     0 KIL001
TESTMEM   01.00 2024/01/02 2024/01/03 17:45  1200  1200     0 IBMUSER";

    #[test]
    fn datasets_and_members() {
        let entries: Vec<Entry> = DATASETS.lines().filter_map(|l| parse_list_line(l, TEST_NOW)).collect();
        let seen: Vec<(&str, Kind)> = entries.iter().map(|e| (e.name.as_str(), e.kind)).collect();
        assert_eq!(
            seen,
            [
                ("INCOMING.RPTBM023.D061704", Kind::File),
                ("INCOMING.RPTBM024", Kind::Directory),
                ("USER.LOADLIB", Kind::Directory),
                ("OLD.DATASET", Kind::File),
                ("USER.DIR", Kind::Directory),
            ]
        );
        assert_eq!(entries[0].modified, from_civil(2004, 6, 23, 0, 0, 0));
        let members: Vec<Entry> = MEMBERS.lines().filter_map(|l| parse_list_line(l, TEST_NOW)).collect();
        assert_eq!(members.len(), 2, "{members:?}");
        assert_eq!((members[1].name.as_str(), members[1].kind), ("TESTMEM", Kind::File));
        assert_eq!(members[1].modified, from_civil(2024, 1, 3, 17, 45, 0));
        assert_eq!(members[1].facts, [("mvs.lines".to_string(), "1200".to_string())]);
    }

    #[test]
    fn headers_carry_no_entry() {
        assert!(parse_list_line(DATASETS.lines().next().unwrap(), TEST_NOW).is_none());
        assert!(parse_list_line(MEMBERS.lines().next().unwrap(), TEST_NOW).is_none());
    }
}
