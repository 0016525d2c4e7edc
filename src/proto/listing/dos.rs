//! MS-DOS/IIS listings: `11-24-26  10:30AM  <DIR>  name` or
//! `11-24-2026  22:30  1234 name`.

use super::{Entry, Kind};
use crate::proto::time::from_civil;

fn num(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

fn date(word: &str) -> Option<(i64, u32, u32)> {
    let mut parts = word.split(['-', '/']);
    let (m, d, y) = (num(parts.next()?)?, num(parts.next()?)?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let year = match (y.len(), num(y)?) {
        (2, y) if y < 70 => 2000 + i64::from(y),
        (2, y) => 1900 + i64::from(y),
        (4, y) => i64::from(y),
        _ => return None,
    };
    Some((year, m, d))
}

fn time(word: &str) -> Option<(u32, u32)> {
    let upper = word.to_ascii_uppercase();
    let (clock, meridiem) = match upper.strip_suffix("AM").or_else(|| upper.strip_suffix("PM")) {
        Some(c) => (c.to_string(), Some(upper.ends_with("PM"))),
        None => (upper.clone(), None),
    };
    let (h, m) = clock.split_once(':')?;
    let (mut h, m) = (num(h)?, num(m)?);
    if let Some(pm) = meridiem {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    (h < 24 && m < 60).then_some((h, m))
}

/// Splits off the first whitespace-separated word.
fn next_word(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start();
    let end = s.find(char::is_whitespace)?;
    Some((&s[..end], &s[end..]))
}

pub fn parse(line: &str) -> Option<Entry> {
    let (d, rest) = next_word(line)?;
    let (year, month, day) = date(d)?;
    let (t, rest) = next_word(rest)?;
    let (hour, minute) = time(t)?;
    let (size_or_dir, rest) = next_word(rest)?;
    let name = rest.trim_start();
    if name.is_empty() {
        return None;
    }
    let (kind, size) = if size_or_dir.eq_ignore_ascii_case("<DIR>") {
        (Kind::Directory, None)
    } else {
        (Kind::File, Some(size_or_dir.replace(',', "").parse::<u64>().ok()?))
    };
    let mut entry = Entry::new(name.to_string(), kind, line);
    entry.size = size;
    entry.modified = from_civil(year, month, day, hour, minute, 0);
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::super::parse_list_line;
    use super::*;
    use crate::proto::time::Timestamp;

    const NOW: Timestamp = super::super::TEST_NOW;

    #[test]
    fn iis_directory_and_file() {
        let d = parse_list_line("11-24-26  10:30AM       <DIR>          Program Files", NOW).unwrap();
        assert_eq!(
            (d.name.as_str(), d.kind, d.size),
            ("Program Files", Kind::Directory, None)
        );
        assert_eq!(d.modified, from_civil(2026, 11, 24, 10, 30, 0));
        let f = parse_list_line("01-02-1999  12:05PM            1,234 readme.txt", NOW).unwrap();
        assert_eq!(
            (f.name.as_str(), f.kind, f.size),
            ("readme.txt", Kind::File, Some(1234))
        );
        assert_eq!(f.modified, from_civil(1999, 1, 2, 12, 5, 0));
    }

    #[test]
    fn midnight_and_24h_clock() {
        let f = parse_list_line("03-04-21  12:00AM  10 a", NOW).unwrap();
        assert_eq!(f.modified, from_civil(2021, 3, 4, 0, 0, 0));
        let f = parse_list_line("03-04-2021  23:59  10 b c", NOW).unwrap();
        assert_eq!(
            (f.name.as_str(), f.modified),
            ("b c", from_civil(2021, 3, 4, 23, 59, 0))
        );
    }

    #[test]
    fn bad_dates_are_not_dos() {
        assert!(parse("13-40-21  10:00AM 1 x").is_some_and(|e| e.modified.is_none()));
        assert!(parse("03-04-21  13:00PM 1 x").is_none());
        assert!(parse("03-04-21  10:00AM").is_none());
    }
}
