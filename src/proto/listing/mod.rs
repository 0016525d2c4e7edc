//! Directory listings as typed entries: MLSD/MLST facts (RFC 3659) and LIST
//! in its dialects (Unix `ls -l`, MS-DOS/IIS, EPLF, IBM i, z/OS datasets
//! and members, OpenVMS). A line no parser understands is kept as an
//! `Unparsed` entry with its raw text, never dropped; a dialect's headings
//! and footers carry no entry.

mod dos;
mod eplf;
mod ibmi;
mod mlsd;
mod mvs;
mod stream;
mod unix;
mod vms;

pub use mlsd::parse_mlsd_line;
pub use stream::{EntryStream, MAX_LISTING_LINE};

use super::encoding::Encoding;
use super::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Directory,
    /// A symbolic link; `link_target` holds its target when the server says.
    Link,
    /// A device, socket, pipe or other special file.
    Other,
    /// A line no parser understood; only `raw` is meaningful.
    Unparsed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
    pub link_target: Option<String>,
    pub size: Option<u64>,
    pub modified: Option<Timestamp>,
    /// `rwxr-xr-x` from a Unix listing, or the RFC 3659 `perm` fact (`adfrw`).
    pub permissions: Option<String>,
    /// Permission bits (`unix.mode` fact, EPLF `up`, or decoded from `rwx`).
    pub unix_mode: Option<u32>,
    /// MLSD facts, names lower-cased, in server order.
    pub facts: Vec<(String, String)>,
    /// The line as the server sent it.
    pub raw: String,
}

impl Entry {
    fn new(name: String, kind: Kind, raw: &str) -> Self {
        Self {
            name,
            kind,
            link_target: None,
            size: None,
            modified: None,
            permissions: None,
            unix_mode: None,
            facts: Vec::new(),
            raw: raw.to_string(),
        }
    }

    pub fn unparsed(raw: &str) -> Self {
        Self::new(String::new(), Kind::Unparsed, raw)
    }

    /// `.` and `..` (and MLSD's `cdir`/`pdir`): listed, but not content.
    pub fn is_self_or_parent(&self) -> bool {
        self.name == "."
            || self.name == ".."
            || self
                .facts
                .iter()
                .any(|(k, v)| k == "type" && (v.eq_ignore_ascii_case("cdir") || v.eq_ignore_ascii_case("pdir")))
    }
}

/// One LIST line. `None` for lines that carry no entry (`total 42`, blank);
/// `now` places Unix dates that omit the year.
pub fn parse_list_line(line: &str, now: Timestamp) -> Option<Entry> {
    let trimmed = line.trim_end_matches(['\r', '\n']);
    if trimmed.trim().is_empty() || is_total_line(trimmed) || mvs::is_header(trimmed) || vms::carries_no_entry(trimmed)
    {
        return None;
    }
    let entry = eplf::parse(trimmed)
        .or_else(|| unix::parse(trimmed, now))
        .or_else(|| dos::parse(trimmed))
        .or_else(|| ibmi::parse(trimmed))
        .or_else(|| mvs::parse(trimmed))
        .or_else(|| vms::parse(trimmed))
        .unwrap_or_else(|| Entry::unparsed(trimmed));
    Some(entry)
}

fn is_total_line(line: &str) -> bool {
    let mut words = line.split_whitespace();
    matches!(words.next(), Some(w) if w.eq_ignore_ascii_case("total"))
        && words.next().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        && words.next().is_none()
}

/// A whole LIST or MLSD body (lines split on LF, CR stripped), decoded in
/// the session's `encoding`.
pub fn parse_listing(body: &[u8], machine: bool, now: Timestamp, encoding: Encoding) -> Vec<Entry> {
    body.split(|&b| b == b'\n')
        .filter_map(|l| parse_line(l.strip_suffix(b"\r").unwrap_or(l), machine, now, encoding))
        .collect()
}

/// One line of a LIST (`machine` false) or MLSD body, without its line
/// ending, decoded in `encoding`.
pub fn parse_line(line: &[u8], machine: bool, now: Timestamp, encoding: Encoding) -> Option<Entry> {
    let line = encoding.decode(line);
    if machine {
        parse_mlsd_line(&line)
    } else {
        parse_list_line(&line, now)
    }
}

/// 2026-11-24 22:30 UTC: the "now" the listing tests place yearless dates by.
#[cfg(test)]
pub(crate) const TEST_NOW: Timestamp = Timestamp {
    seconds: 1_795_559_400,
    nanoseconds: 0,
};

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = TEST_NOW;

    #[test]
    fn total_and_blank_lines_carry_no_entry() {
        assert_eq!(parse_list_line("total 24", NOW), None);
        assert_eq!(parse_list_line("   ", NOW), None);
    }

    #[test]
    fn garbage_is_kept_raw() {
        let e = parse_list_line("this is not a listing", NOW).unwrap();
        assert_eq!(e.kind, Kind::Unparsed);
        assert_eq!(e.raw, "this is not a listing");
    }

    /// Listings captured from the real servers of the interop suite, all of
    /// one directory: `link -> plain.txt`, `old.dat` (2020-01-02 03:04:05),
    /// `plain.txt` (5 B), `sub dir/`, `with  two spaces.bin` (123456 B).
    const CAPTURED: &[(&str, &str, bool, Kind)] = &[
        (
            "vsftpd LIST",
            include_str!("captured/vsftpd-list.txt"),
            false,
            Kind::Link,
        ),
        (
            "pure-ftpd LIST",
            include_str!("captured/pure-ftpd-list.txt"),
            false,
            Kind::Link,
        ),
        (
            "proftpd LIST",
            include_str!("captured/proftpd-list.txt"),
            false,
            Kind::Link,
        ),
        (
            "pyftpdlib LIST",
            include_str!("captured/pyftpdlib-list.txt"),
            false,
            Kind::Link,
        ),
        (
            "libunftp LIST",
            include_str!("captured/libunftp-list.txt"),
            false,
            Kind::Link,
        ),
        (
            "pure-ftpd MLSD",
            include_str!("captured/pure-ftpd-mlsd.txt"),
            true,
            Kind::Link,
        ),
        (
            "proftpd MLSD",
            include_str!("captured/proftpd-mlsd.txt"),
            true,
            Kind::Link,
        ),
        // These two follow the link and report the target.
        (
            "pyftpdlib MLSD",
            include_str!("captured/pyftpdlib-mlsd.txt"),
            true,
            Kind::File,
        ),
        (
            "libunftp MLSD",
            include_str!("captured/libunftp-mlsd.txt"),
            true,
            Kind::File,
        ),
    ];

    #[test]
    fn captured_real_server_listings() {
        let now = Timestamp {
            seconds: 1_795_561_200,
            nanoseconds: 0,
        }; // 2026-11-24 23:00 UTC
        let recent = crate::proto::time::from_civil(2026, 11, 24, 23, 6, 0).unwrap();
        for (server, body, machine, link_kind) in CAPTURED {
            let mut entries = parse_listing(body.as_bytes(), *machine, now, Encoding::Utf8);
            entries.retain(|e| !e.is_self_or_parent());
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
            assert_eq!(
                names,
                ["link", "old.dat", "plain.txt", "sub dir", "with  two spaces.bin"],
                "{server}"
            );
            let kinds: Vec<Kind> = entries.iter().map(|e| e.kind).collect();
            assert_eq!(
                kinds,
                [*link_kind, Kind::File, Kind::File, Kind::Directory, Kind::File],
                "{server}"
            );
            assert_eq!(entries[1].size, Some(3), "{server}");
            assert_eq!(entries[4].size, Some(123_456), "{server}");
            let old = entries[1].modified.unwrap();
            let day = crate::proto::time::from_civil(2020, 1, 2, 0, 0, 0).unwrap();
            assert!(
                old.seconds >= day.seconds && old.seconds < day.seconds + 86_400,
                "{server}: {old:?}"
            );
            let plain = entries[2].modified.unwrap();
            assert!((plain.seconds - recent.seconds).abs() < 60, "{server}: {plain:?}");
            if !machine {
                assert_eq!(entries[0].link_target.as_deref(), Some("plain.txt"), "{server}");
                assert_eq!(entries[2].unix_mode, Some(0o644), "{server}");
            }
        }
    }

    #[test]
    fn whole_body_mixed_endings() {
        let body = b"total 1\r\n-rw-r--r-- 1 a b 5 Nov 24 10:30 x\nweird\r\n";
        let entries = parse_listing(body, false, NOW, Encoding::Utf8);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "x");
        assert_eq!(entries[1].kind, Kind::Unparsed);
    }
}
