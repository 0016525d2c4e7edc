//! MLSD/MLST lines: `fact=value;fact=value; name` (RFC 3659 §7).

use super::{Entry, Kind};
use crate::proto::time::parse_time_val;

/// One MLSD line (or the entry line of an MLST reply, which starts with a
/// space). `None` for a blank line.
pub fn parse_mlsd_line(line: &str) -> Option<Entry> {
    let line = line.strip_prefix(' ').unwrap_or(line);
    if line.trim().is_empty() {
        return None;
    }
    let Some((facts_part, name)) = line.split_once(' ') else {
        return Some(Entry::unparsed(line));
    };
    if name.is_empty() || (!facts_part.is_empty() && !facts_part.contains('=')) {
        return Some(Entry::unparsed(line));
    }
    let mut entry = Entry::new(name.to_string(), Kind::Other, line);
    for fact in facts_part.split(';').filter(|f| !f.is_empty()) {
        let Some((key, value)) = fact.split_once('=') else {
            return Some(Entry::unparsed(line));
        };
        let key = key.to_ascii_lowercase();
        apply_fact(&mut entry, &key, value);
        entry.facts.push((key, value.to_string()));
    }
    if entry.facts.iter().all(|(k, _)| k != "type") {
        entry.kind = Kind::File;
    }
    Some(entry)
}

fn apply_fact(entry: &mut Entry, key: &str, value: &str) {
    match key {
        "type" => {
            let lower = value.to_ascii_lowercase();
            entry.kind = match lower.as_str() {
                "file" => Kind::File,
                "dir" | "cdir" | "pdir" => Kind::Directory,
                _ if lower.starts_with("os.unix=slink") || lower.starts_with("os.unix=symlink") => {
                    // `OS.unix=slink:/target` carries the target after a colon.
                    entry.link_target = value
                        .split_once(':')
                        .map(|(_, t)| t.to_string())
                        .filter(|t| !t.is_empty());
                    Kind::Link
                }
                _ => Kind::Other,
            }
        }
        "size" | "sizd" => entry.size = value.parse().ok(),
        "modify" => entry.modified = parse_time_val(value),
        "perm" => entry.permissions = Some(value.to_string()),
        "unix.mode" => entry.unix_mode = u32::from_str_radix(value, 8).ok(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::time::Timestamp;

    /// CPython's `test_mlsd` cases: `=` inside a value, spaces and `;` in
    /// names (kept exactly, leading and trailing spaces included), and fact
    /// names lower-cased.
    #[test]
    fn ftplib_mlsd_cases() {
        let cases = [
            ("type=ty=pe;perm=perm;unique=unique; name", "ty=pe", "name"),
            ("type==type;perm=perm;unique=unique; name", "=type", "name"),
            ("type=t=y=pe;perm=perm;unique=unique; name", "t=y=pe", "name"),
            ("type=====;perm=perm;unique=unique; name", "====", "name"),
            ("type=type;perm=perm;unique=unique; na me", "type", "na me"),
            ("type=type;perm=perm;unique=unique; name ", "type", "name "),
            ("type=type;perm=perm;unique=unique;  name", "type", " name"),
            ("type=type;perm=perm;unique=unique; n am  e", "type", "n am  e"),
            ("type=type;perm=perm;unique=unique; na;me", "type", "na;me"),
            ("type=type;perm=perm;unique=unique; ;name", "type", ";name"),
            ("type=type;perm=perm;unique=unique; ;name;", "type", ";name;"),
            ("type=type;perm=perm;unique=unique; ;;;;", "type", ";;;;"),
        ];
        for (line, kind, name) in cases {
            let body = format!("{line}\r\n");
            let entries = super::super::parse_listing(
                body.as_bytes(),
                true,
                super::super::TEST_NOW,
                crate::proto::encoding::Encoding::Utf8,
            );
            assert_eq!(entries.len(), 1, "{line:?}");
            let e = &entries[0];
            assert_eq!(e.name, name, "{line:?}");
            let fact = |k: &str| e.facts.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
            assert_eq!(fact("type"), Some(kind), "{line:?}");
            assert_eq!(
                (fact("perm"), fact("unique")),
                (Some("perm"), Some("unique")),
                "{line:?}"
            );
        }
        let e = parse_mlsd_line("Type=type;TyPe=perm;UNIQUE=unique; name").unwrap();
        assert!(e.facts.iter().all(|(k, _)| k.chars().all(|c| !c.is_ascii_uppercase())));
        assert!(super::super::parse_listing(
            b"",
            true,
            super::super::TEST_NOW,
            crate::proto::encoding::Encoding::Utf8
        )
        .is_empty());
    }

    #[test]
    fn proftpd_file_line() {
        let e = parse_mlsd_line(
            "modify=20261124103000;perm=adfrw;size=1234;type=file;unique=FD00U1234;UNIX.group=0;UNIX.mode=0644;UNIX.owner=0; a file; with spaces",
        )
        .unwrap();
        assert_eq!(e.name, "a file; with spaces");
        assert_eq!(e.kind, Kind::File);
        assert_eq!(e.size, Some(1234));
        assert_eq!(e.permissions.as_deref(), Some("adfrw"));
        assert_eq!(e.unix_mode, Some(0o644));
        assert_eq!(
            e.modified,
            Some(Timestamp {
                seconds: 1_795_516_200,
                nanoseconds: 0
            })
        );
        assert!(e.facts.contains(&("unique".to_string(), "FD00U1234".to_string())));
    }

    #[test]
    fn dirs_links_and_mlst_leading_space() {
        assert_eq!(
            parse_mlsd_line("type=dir;modify=20200101000000; sub").unwrap().kind,
            Kind::Directory
        );
        let cdir = parse_mlsd_line("type=cdir; .").unwrap();
        assert!(cdir.is_self_or_parent());
        let l = parse_mlsd_line(" type=OS.unix=slink:/etc/target;size=10; link").unwrap();
        assert_eq!(
            (l.kind, l.link_target.as_deref(), l.name.as_str()),
            (Kind::Link, Some("/etc/target"), "link")
        );
        let l = parse_mlsd_line("type=OS.unix=symlink; link2").unwrap();
        assert_eq!((l.kind, l.link_target), (Kind::Link, None));
        assert_eq!(parse_mlsd_line("type=OS.unix=chr-1/3; null").unwrap().kind, Kind::Other);
    }

    #[test]
    fn malformed_lines_are_unparsed_not_lost() {
        for bad in ["nospace", "type=file;", "notafact name", "type=file;broken; name"] {
            assert_eq!(parse_mlsd_line(bad).unwrap().kind, Kind::Unparsed, "{bad}");
        }
        assert_eq!(parse_mlsd_line(""), None);
        // A bad size or time leaves the field empty rather than failing.
        let e = parse_mlsd_line("type=file;size=huge;modify=yesterday; f").unwrap();
        assert_eq!((e.size, e.modified), (None, None));
    }
}
