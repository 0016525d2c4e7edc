//! OpenVMS listings: `NAME.EXT;VERSION  used/allocated  DD-MMM-YYYY
//! HH:MM:SS  [owner]  (protection)`, directories as `NAME.DIR;1`. The
//! `Directory DISK:[PATH]` heading and the `Total of ...` footer carry no
//! entry; a name too long for its column stands alone on its line, its
//! details on the next (which then carries no entry of its own).

use super::{Entry, Kind};
use crate::proto::time::{from_civil, Timestamp};

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// The bytes in a VMS block.
const BLOCK: u64 = 512;

/// `DD-MMM-YYYY` and `HH:MM[:SS[.CC]]`.
fn stamp(date: &str, time: &str) -> Option<Timestamp> {
    let mut d = date.split('-');
    let day: u32 = d.next()?.parse().ok()?;
    let month_name = d.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month_name))? as u32 + 1;
    let year: i64 = d.next()?.parse().ok()?;
    let mut t = time.split([':', '.']);
    let hour = t.next()?.parse().ok()?;
    let minute = t.next()?.parse().ok()?;
    let second = t.next().map_or(Some(0), |s| s.parse().ok())?;
    from_civil(year, month, day, hour, minute, second)
}

/// `NAME.EXT;N`: the name without its version, and whether it is a directory.
fn file_name(word: &str) -> Option<(String, Kind)> {
    let (name, version) = word.rsplit_once(';')?;
    if name.is_empty() || version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'$'))
    {
        return None;
    }
    match name.strip_suffix(".DIR").or_else(|| name.strip_suffix(".dir")) {
        Some("") => None,
        Some(dir) => Some((dir.to_string(), Kind::Directory)),
        None => Some((name.to_string(), Kind::File)),
    }
}

/// A heading, a footer or a name's wrapped details: no entry.
pub fn carries_no_entry(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words[..] {
        ["Directory", place] => place.ends_with(']'),
        ["Total", "of", ..] | ["Grand", "total", ..] => true,
        // The details of a name on the line before.
        [size, date, time, ..] if line.starts_with(char::is_whitespace) => {
            size.split('/')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                && stamp(date, time).is_some()
        }
        _ => false,
    }
}

pub fn parse(line: &str) -> Option<Entry> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (name, kind) = file_name(words.first()?)?;
    let mut entry = Entry::new(name, kind, line);
    match words[1..] {
        [] => {}
        [size, date, time, ..] => {
            let used = size.split('/').next()?;
            entry.size = Some(used.parse::<u64>().ok()?.saturating_mul(BLOCK));
            entry.modified = Some(stamp(date, time)?);
            if let Some(protection) = words.iter().find(|w| w.starts_with('(') && w.ends_with(')')) {
                entry.permissions = Some(protection.to_string());
            }
        }
        _ => return None,
    }
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::super::{parse_list_line, TEST_NOW};
    use super::*;

    /// As OpenVMS's FTP server (and MultiNet's) lists a directory.
    const LISTING: &str = "\
Directory DISK$USER:[USER.FTPTEST]

BUILD.COM;1           2/4         29-JUN-2015 08:36:03  [USER,USER]    (RWED,RWED,RE,)
SUBDIR.DIR;1          1/3         30-JUN-2015 10:12:41  [USER,USER]    (RWED,RWED,RE,)
A_VERY_LONG_FILE_NAME_INDEED.TXT;12
                      9/9         01-JAN-2020 00:00:00.00  [USER,USER]    (RWED,RWED,RE,)
00README.TXT;1      2 30-DEC-1996 17:44 [SYSTEM] (RWED,RWED,RE,RE)

Total of 4 files, 14/20 blocks.";

    #[test]
    fn files_and_directories() {
        let entries: Vec<Entry> = LISTING.lines().filter_map(|l| parse_list_line(l, TEST_NOW)).collect();
        let seen: Vec<(&str, Kind, Option<u64>)> = entries.iter().map(|e| (e.name.as_str(), e.kind, e.size)).collect();
        assert_eq!(
            seen,
            [
                ("BUILD.COM", Kind::File, Some(1024)),
                ("SUBDIR", Kind::Directory, Some(512)),
                ("A_VERY_LONG_FILE_NAME_INDEED.TXT", Kind::File, None),
                ("00README.TXT", Kind::File, Some(1024)),
            ]
        );
        assert_eq!(entries[0].modified, from_civil(2015, 6, 29, 8, 36, 3));
        assert_eq!(entries[3].modified, from_civil(1996, 12, 30, 17, 44, 0));
        assert_eq!(entries[0].permissions.as_deref(), Some("(RWED,RWED,RE,)"));
    }

    #[test]
    fn other_lines_are_not_vms() {
        assert!(parse("readme.txt").is_none());
        assert!(parse("file;x 1 01-JAN-2020 00:00").is_none());
        assert!(parse("a/b;1 1 01-JAN-2020 00:00").is_none());
        // Found by the listing fuzzer: a directory whose name is only `.DIR`.
        assert!(parse(".DIR;1 1/3 30-JUN-2015 10:12:41").is_none());
    }
}
