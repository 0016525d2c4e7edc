//! The guest's layers, kept apart: the protocol core is pure (no wasi, no
//! I/O layer above it), the I/O layer knows nothing of TLS or of what is
//! built on it, and the error type depends on no TLS module. A `use` that
//! crosses a line fails here, naming the file.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each file under `under` (a file or directory below `src/`) that names
/// one of `forbidden`.
fn crossings(under: &str, forbidden: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    let mut files = Vec::new();
    let root = src.join(under);
    if root.is_dir() {
        sources(&root, &mut files);
    } else {
        files.push(root);
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            if text.contains(word) {
                found.push(format!("{} uses {word}", file.display()));
            }
        }
    }
    found
}

#[test]
fn the_protocol_core_is_pure() {
    let found = crossings(
        "proto",
        &[
            "wasi::",
            "crate::net",
            "crate::session",
            "crate::tls",
            "crate::stream",
            "crate::error",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_io_layer_knows_nothing_of_tls_or_what_is_built_on_it() {
    let found = crossings(
        "net",
        &[
            "crate::tls",
            "crate::stream",
            "crate::component",
            "crate::session",
            "crate::control",
            "crate::transfer",
            "rustls::",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_error_type_depends_on_no_tls_module() {
    let found = crossings("error.rs", &["crate::tls", "rustls::", "crate::net", "crate::session"]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_io_layer_has_no_import_cycle() {
    // `convert` is what `tcp` and `resolve` share; neither uses the other.
    let tcp = crossings("net/tcp.rs", &["resolve::"]);
    let resolve = crossings("net/resolve.rs", &["tcp::"]);
    assert!(tcp.is_empty() && resolve.is_empty(), "{tcp:#?} {resolve:#?}");
}
