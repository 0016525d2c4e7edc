//! Remote path helpers for the tree operations, and the rule for names a
//! server lists before they become parts of paths.

/// `dir/name`, without doubling a slash.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// Whether a name a server listed is one plain path component, safe to
/// join onto a path and follow, delete or write locally: not empty, not `.`
/// or `..`, and free of `/`, `\\`, NUL and every other control character.
/// A hostile listing that names `x/..` or `../../etc` fails this rule.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_base_names() {
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("/", "a"), "/a");
        assert_eq!(join("x/", "a"), "x/a");
        assert_eq!(join("x", "a"), "x/a");
    }

    #[test]
    fn plain_names_only() {
        for ok in ["a", "a b", "..a", "a..", "...", "ünïcode", "-rf", "a.b"] {
            assert!(is_plain_name(ok), "{ok:?}");
        }
        for bad in [
            "", ".", "..", "x/..", "../x", "/etc", "a\\b", "a\0b", "a\x1b[2J", "a\nb", "a\rb", "\x7f", "a\u{85}",
        ] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }
}
