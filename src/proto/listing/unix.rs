//! Unix `ls -l` lines, as vsftpd, proftpd, pure-ftpd, pyftpdlib and most
//! others send them:
//! `drwxr-xr-x 2 owner group 4096 Nov 24 10:30 name` (recent: time, no year)
//! or `... Jan  1  2020 name` (older: year), with `name -> target` for links,
//! `major, minor` in place of the size for devices, and the group column
//! sometimes missing. The date is found by shape, so column counts may vary.

use super::{Entry, Kind};
use crate::proto::time::{civil_from_days, from_civil, Timestamp};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Whitespace-separated words with their byte offsets.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

fn kind_of(perms: &str) -> Option<Kind> {
    Some(match perms.as_bytes().first()? {
        b'-' => Kind::File,
        b'd' => Kind::Directory,
        b'l' => Kind::Link,
        b'c' | b'b' | b'p' | b's' | b'D' => Kind::Other,
        _ => return None,
    })
}

/// `rwxr-xr-x` (with s/S/t/T) into mode bits.
fn mode_of(bits: &str) -> Option<u32> {
    let b = bits.as_bytes();
    if b.len() != 9 {
        return None;
    }
    let mut mode = 0u32;
    for (i, &c) in b.iter().enumerate() {
        let shift = 8 - i as u32;
        let (set, special) = match (i % 3, c) {
            (0, b'r') | (1, b'w') | (2, b'x') => (true, false),
            (_, b'-') => (false, false),
            (2, b's') | (2, b't') => (true, true),
            (2, b'S') | (2, b'T') => (false, true),
            _ => return None,
        };
        if set {
            mode |= 1 << shift;
        }
        if special {
            mode |= match i {
                2 => 0o4000,
                5 => 0o2000,
                _ => 0o1000,
            };
        }
    }
    Some(mode)
}

fn month_of(word: &str) -> Option<u32> {
    let lower = word.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == lower).map(|i| i as u32 + 1)
}

fn number(word: &str) -> Option<u32> {
    (!word.is_empty() && word.len() <= 9 && word.bytes().all(|b| b.is_ascii_digit())).then(|| word.parse().ok())?
}

/// `HH:MM` or a four-digit year.
enum TimeOrYear {
    Time(u32, u32),
    Year(i64),
}

fn time_or_year(word: &str) -> Option<TimeOrYear> {
    if let Some((h, m)) = word.split_once(':') {
        let (h, m) = (number(h)?, number(m)?);
        return (h < 24 && m < 60).then_some(TimeOrYear::Time(h, m));
    }
    (word.len() == 4).then(|| number(word).map(|y| TimeOrYear::Year(i64::from(y))))?
}

/// A date without a year is the latest one not more than a day in the future.
fn place_year(month: u32, day: u32, hour: u32, minute: u32, now: Timestamp) -> Option<Timestamp> {
    let (year, _, _) = civil_from_days(now.seconds.div_euclid(86_400));
    let this_year = from_civil(year, month, day, hour, minute, 0);
    match this_year {
        Some(ts) if ts.seconds <= now.seconds + 86_400 => Some(ts),
        _ => from_civil(year - 1, month, day, hour, minute, 0),
    }
}

pub fn parse(line: &str, now: Timestamp) -> Option<Entry> {
    let w = words(line);
    let perms = w.first()?.1;
    let kind = kind_of(perms)?;
    if perms.len() < 10 {
        return None;
    }
    // Find `Mon DD HH:MM|YYYY` followed by a name.
    let at = (2..w.len().saturating_sub(3)).find(|&i| {
        month_of(w[i].1).is_some()
            && number(w[i + 1].1).is_some_and(|d| (1..=31).contains(&d))
            && time_or_year(w[i + 2].1).is_some()
    })?;
    let month = month_of(w[at].1)?;
    let day = number(w[at + 1].1)?;
    let modified = match time_or_year(w[at + 2].1)? {
        TimeOrYear::Time(h, m) => place_year(month, day, h, m, now),
        TimeOrYear::Year(y) => from_civil(y, month, day, 0, 0, 0),
    };
    // The name starts one separator after the time/year word.
    let (offset, word) = w[at + 2];
    let name_start = offset + word.len() + 1;
    let full_name = line.get(name_start..).filter(|n| !n.is_empty())?;
    let before = w[at - 1].1;
    let size = if kind == Kind::Other {
        None
    } else {
        before.parse::<u64>().ok()
    };

    let (name, target) = match (kind, full_name.split_once(" -> ")) {
        (Kind::Link, Some((n, t))) => (n.to_string(), Some(t.to_string())),
        _ => (full_name.to_string(), None),
    };
    let mut entry = Entry::new(name, kind, line);
    entry.link_target = target;
    entry.size = size;
    entry.modified = modified;
    let bits = perms.get(1..10)?;
    entry.unix_mode = mode_of(bits);
    entry.permissions = Some(bits.to_string());
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::super::parse_list_line;
    use super::*;

    const NOW: Timestamp = super::super::TEST_NOW;

    fn ts(y: i64, mo: u32, d: u32, h: u32, mi: u32) -> Option<Timestamp> {
        from_civil(y, mo, d, h, mi, 0)
    }

    #[test]
    fn vsftpd_numeric_ids_recent_file() {
        let e = parse_list_line(
            "-rw-r--r--    1 0        0            1234 Nov 24 10:30 report.pdf",
            NOW,
        )
        .unwrap();
        assert_eq!(
            (e.name.as_str(), e.kind, e.size),
            ("report.pdf", Kind::File, Some(1234))
        );
        assert_eq!(e.modified, ts(2026, 11, 24, 10, 30));
        assert_eq!(e.unix_mode, Some(0o644));
        assert_eq!(e.permissions.as_deref(), Some("rw-r--r--"));
    }

    #[test]
    fn year_form_and_last_year_for_future_dates() {
        let e = parse_list_line("drwxr-xr-x   2 ftp ftp 4096 Jan  1  2020 old dir", NOW).unwrap();
        assert_eq!((e.name.as_str(), e.kind), ("old dir", Kind::Directory));
        assert_eq!(e.modified, ts(2020, 1, 1, 0, 0));
        // Dec 30 10:00 is in the future on Nov 24, so it was last year.
        let e = parse_list_line("-rw-r--r-- 1 u g 1 Dec 30 10:00 f", NOW).unwrap();
        assert_eq!(e.modified, ts(2025, 12, 30, 10, 0));
    }

    #[test]
    fn symlink_with_target_and_spaces() {
        let e = parse_list_line("lrwxrwxrwx 1 root root 11 Nov 24 10:30 my link -> /a b/target", NOW).unwrap();
        assert_eq!(e.kind, Kind::Link);
        assert_eq!(e.name, "my link");
        assert_eq!(e.link_target.as_deref(), Some("/a b/target"));
    }

    #[test]
    fn names_with_leading_and_repeated_spaces() {
        let e = parse_list_line("-rw-r--r-- 1 u g 5 Nov 24 10:30  two  spaces ", NOW).unwrap();
        assert_eq!(e.name, " two  spaces ");
    }

    #[test]
    fn devices_have_no_size() {
        let e = parse_list_line("crw-rw-rw- 1 root root 1,   3 Nov 24 10:30 null", NOW).unwrap();
        assert_eq!((e.kind, e.size, e.name.as_str()), (Kind::Other, None, "null"));
    }

    #[test]
    fn missing_group_column_and_acl_marker() {
        let e = parse_list_line("-rw-r--r--+ 1 owner 77 Mar  3 2024 f.txt", NOW).unwrap();
        assert_eq!((e.name.as_str(), e.size), ("f.txt", Some(77)));
        assert_eq!(e.modified, ts(2024, 3, 3, 0, 0));
    }

    #[test]
    fn setuid_sticky_bits() {
        let e = parse_list_line("drwxrwxrwt 2 u g 0 Nov 24 10:30 tmp", NOW).unwrap();
        assert_eq!(e.unix_mode, Some(0o1777));
        let e = parse_list_line("-rwsr-Sr-x 1 u g 0 Nov 24 10:30 s", NOW).unwrap();
        assert_eq!(e.unix_mode, Some(0o4000 | 0o2000 | 0o745));
    }

    #[test]
    fn names_that_look_like_dates_or_numbers() {
        let e = parse_list_line("-rw-r--r-- 1 u g 9 Nov 24 10:30 Nov 24 10:30", NOW).unwrap();
        assert_eq!(e.name, "Nov 24 10:30");
        let e = parse_list_line("-rw-r--r-- 1 u g 9 Nov 24 2021 2021", NOW).unwrap();
        assert_eq!(e.name, "2021");
    }
}
