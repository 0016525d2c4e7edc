//! Remote path helpers for the tree operations.

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

/// The last path component of a listed name (MLSD may return full paths).
pub fn base_name(name: &str) -> &str {
    name.rsplit('/').find(|p| !p.is_empty()).unwrap_or(name)
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
        assert_eq!(base_name("/srv/ftp/a.txt"), "a.txt");
        assert_eq!(base_name("dir/"), "dir");
        assert_eq!(base_name("plain"), "plain");
    }
}
