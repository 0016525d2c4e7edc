//! Which names from a server may become local paths: one plain component,
//! so nothing a server lists can land outside the directory it is written
//! into.

/// Whether `name` is exactly one plain path component: not `.`, `..` or
/// empty, with no separator and no control character.
pub fn is_plain_name(name: &str) -> bool {
    let mut parts = std::path::Path::new(name).components();
    let plain = matches!(parts.next(), Some(std::path::Component::Normal(_))) && parts.next().is_none();
    plain && !name.contains(['/', '\\']) && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_plain_component_passes() {
        for good in ["a", "a b.txt", "café", ".hidden", "..x"] {
            assert!(is_plain_name(good), "{good:?}");
        }
        for bad in ["", ".", "..", "a/b", "/etc", "a\\b", "a\nb", "b\x07", "./a"] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }
}
