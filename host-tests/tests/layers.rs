//! The guest's layers, kept apart: the protocol core is pure (no wasi, no
//! I/O layer above it) and its modules import each other without a cycle,
//! the I/O layer knows nothing of TLS or of what is built on it, the error
//! type depends on no TLS module, and no module imports one of a layer
//! above its own (the export glue, `component.rs`, at the top). A `use`
//! that crosses a line fails here, naming the file.

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

/// The guest's modules from the bottom up; a module may name only those
/// of lower layers (and itself). `bindings` is generated code that names
/// nothing of the crate.
const LAYERS: &[(&str, u8)] = &[
    ("proto", 0),
    ("error", 1),
    ("bindings", 1),
    ("net", 2),
    ("tls", 3),
    ("tunnel", 3),
    ("stream", 4),
    ("secure", 5),
    ("session", 6),
    ("transfer", 7),
    ("tree", 7),
    ("listing", 8),
    ("relay", 8),
    ("component", 9),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(name, _)| *name == module).map(|&(_, rank)| rank)
}

/// The code of a file, comments left out.
fn code(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `prefix` followed by a module name in `text`: the names.
fn names_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn no_module_imports_one_of_a_layer_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let own = relative.components().next().unwrap().as_os_str().to_string_lossy();
        let own = own.trim_end_matches(".rs");
        let Some(rank) = layer(own) else {
            assert_eq!(own, "lib", "{} has no layer: add it to LAYERS", relative.display());
            continue;
        };
        let text = code(&std::fs::read_to_string(&file).unwrap());
        for used in names_after(&text, "crate::") {
            match layer(used) {
                Some(theirs) if used != own && theirs >= rank => found.push(format!(
                    "{} (layer {rank}) uses crate::{used} (layer {theirs})",
                    relative.display()
                )),
                None => found.push(format!("{} uses crate::{used}, which has no layer", relative.display())),
                _ => {}
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_protocol_cores_modules_import_each_other_without_a_cycle() {
    let proto = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/proto");
    let mut files = Vec::new();
    sources(&proto, &mut files);
    let mut edges: Vec<(String, String)> = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&proto).unwrap();
        let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        let module = parts[0].trim_end_matches(".rs").to_string();
        if module == "mod" {
            continue;
        }
        let text = code(&std::fs::read_to_string(file).unwrap());
        // `super::` names a sibling from a file directly in proto/ or from
        // a module's own mod.rs; deeper, `super::super::` does.
        let sibling = match parts.len() {
            1 => "super::",
            2 if parts[1] == "mod.rs" => "super::",
            _ => "super::super::",
        };
        for prefix in ["crate::proto::", sibling] {
            for used in names_after(&text, prefix) {
                let is_module = proto.join(format!("{used}.rs")).exists() || proto.join(used).is_dir();
                if is_module && used != module {
                    edges.push((module.clone(), used.to_string()));
                }
            }
        }
    }
    edges.sort();
    edges.dedup();
    // Depth-first search for a way back to where it started.
    fn reaches(edges: &[(String, String)], from: &str, to: &str, seen: &mut Vec<String>) -> bool {
        for (_, b) in edges.iter().filter(|(a, _)| a == from) {
            if b == to {
                return true;
            }
            if !seen.contains(b) {
                seen.push(b.clone());
                if reaches(edges, b, to, seen) {
                    return true;
                }
            }
        }
        false
    }
    let cycles: Vec<String> = edges
        .iter()
        .filter(|(a, b)| reaches(&edges, b, a, &mut Vec::new()))
        .map(|(a, b)| format!("proto::{a} -> proto::{b} -> ... -> proto::{a}"))
        .collect();
    assert!(cycles.is_empty(), "{cycles:#?}");
    assert!(
        edges.iter().any(|(a, b)| a == "engine" && b == "reply"),
        "the scan sees imports: {edges:?}"
    );
}

#[test]
fn the_tls_modules_build_no_connection_of_the_layers_above() {
    let found = crossings(
        "tls",
        &[
            "crate::stream",
            "crate::secure",
            "crate::session",
            "crate::component",
            "crate::transfer",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}
