//! EPLF (Easily Parsed LIST Format, D. J. Bernstein):
//! `+i8388621.48594,m825718503,r,s280,\tdjb.html`.

use super::{Entry, Kind};
use crate::proto::time::Timestamp;

pub fn parse(line: &str) -> Option<Entry> {
    let body = line.strip_prefix('+')?;
    let (facts, name) = body.split_once('\t')?;
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name.to_string(), Kind::Other, line);
    for fact in facts.split(',').filter(|f| !f.is_empty()) {
        let mut chars = fact.chars();
        let Some(tag) = chars.next() else { continue };
        let value = chars.as_str();
        match tag {
            'r' => entry.kind = Kind::File,
            '/' => entry.kind = Kind::Directory,
            's' => entry.size = value.parse().ok(),
            'm' => {
                entry.modified = value.parse().ok().map(|seconds| Timestamp {
                    seconds,
                    nanoseconds: 0,
                })
            }
            'u' => entry.unix_mode = value.strip_prefix('p').and_then(|m| u32::from_str_radix(m, 8).ok()),
            _ => {}
        }
        entry.facts.push((tag.to_string(), value.to_string()));
    }
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::super::parse_list_line;
    use super::*;

    const NOW: Timestamp = Timestamp {
        seconds: 0,
        nanoseconds: 0,
    };

    #[test]
    fn file_and_directory() {
        let f = parse_list_line("+i8388621.48594,m825718503,r,s280,up644,\tdjb.html", NOW).unwrap();
        assert_eq!(
            (f.name.as_str(), f.kind, f.size, f.unix_mode),
            ("djb.html", Kind::File, Some(280), Some(0o644))
        );
        assert_eq!(
            f.modified,
            Some(Timestamp {
                seconds: 825_718_503,
                nanoseconds: 0
            })
        );
        let d = parse_list_line("+i8388621.50690,m824255907,/,\t514", NOW).unwrap();
        assert_eq!((d.name.as_str(), d.kind), ("514", Kind::Directory));
    }

    #[test]
    fn multibyte_fact_tags_found_by_fuzzing() {
        let e = parse("+\u{fffd}\u{fffd},r,\tname").unwrap();
        assert_eq!((e.kind, e.name.as_str()), (Kind::File, "name"));
        assert_eq!(e.facts[0], ("\u{fffd}".to_string(), "\u{fffd}".to_string()));
    }

    #[test]
    fn not_eplf_without_tab() {
        assert!(parse("+r,s1, name").is_none());
    }
}
