//! The documentation kept true: the API reference (`docs/wit-api.md`) is
//! generated from the WIT doc comments, and this test renders `wit/` and
//! compares the result with the part between the `api:begin` and `api:end`
//! markers (after changing the WIT, `UPDATE_DOCS=1 cargo test -p
//! host-tests --test docs` rewrites it); every relative link in the README
//! and `docs/` names a file that exists; and the README stays a front door.

use std::fmt::Write;
use std::path::Path;
use wit_parser::{Docs, Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId};

const BEGIN: &str = "<!-- api:begin -->";
const END: &str = "<!-- api:end -->";

/// A doc comment as one paragraph.
fn doc(docs: &Docs) -> String {
    docs.contents
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A type as WIT writes it.
fn ty(resolve: &Resolve, t: &Type) -> String {
    match t {
        Type::Bool => "bool".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S8 => "s8".into(),
        Type::S16 => "s16".into(),
        Type::S32 => "s32".into(),
        Type::S64 => "s64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::ErrorContext => "error-context".into(),
        Type::Id(id) => type_id(resolve, *id),
    }
}

fn type_id(resolve: &Resolve, id: TypeId) -> String {
    let def = &resolve.types[id];
    if let Some(name) = &def.name {
        return name.clone();
    }
    match &def.kind {
        TypeDefKind::Option(t) => format!("option<{}>", ty(resolve, t)),
        TypeDefKind::List(t) => format!("list<{}>", ty(resolve, t)),
        TypeDefKind::Tuple(t) => {
            let parts: Vec<_> = t.types.iter().map(|t| ty(resolve, t)).collect();
            format!("tuple<{}>", parts.join(", "))
        }
        TypeDefKind::Result(r) => {
            let part = |t: &Option<Type>| t.as_ref().map_or("_".into(), |t| ty(resolve, t));
            format!("result<{}, {}>", part(&r.ok), part(&r.err))
        }
        TypeDefKind::Handle(Handle::Own(r)) => type_id(resolve, *r),
        TypeDefKind::Handle(Handle::Borrow(r)) => format!("borrow<{}>", type_id(resolve, *r)),
        TypeDefKind::Type(t) => ty(resolve, t),
        other => panic!("the API renderer does not know {other:?}"),
    }
}

/// `name(params) -> result`, without the implicit `self`.
fn signature(resolve: &Resolve, f: &Function) -> String {
    let name = f.name.rsplit('.').next().unwrap_or(&f.name);
    let skip = usize::from(matches!(f.kind, FunctionKind::Method(_)));
    let params: Vec<_> = f.params[skip..]
        .iter()
        .map(|p| format!("{}: {}", p.name, ty(resolve, &p.ty)))
        .collect();
    let result = f
        .result
        .as_ref()
        .map(|r| format!(" -> {}", ty(resolve, r)))
        .unwrap_or_default();
    let marker = if matches!(f.kind, FunctionKind::Static(_)) {
        "static "
    } else {
        ""
    };
    format!("{marker}{name}({}){result}", params.join(", "))
}

fn render_types(resolve: &Resolve, iface: InterfaceId, out: &mut String) {
    for (name, id) in &resolve.interfaces[iface].types {
        let def = &resolve.types[*id];
        let cases: Vec<(String, String)> = match &def.kind {
            TypeDefKind::Record(r) => {
                let fields = r.fields.iter();
                fields
                    .map(|f| (format!("{}: {}", f.name, ty(resolve, &f.ty)), doc(&f.docs)))
                    .collect()
            }
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .map(|c| {
                    let payload =
                        c.ty.as_ref()
                            .map(|t| format!("({})", ty(resolve, t)))
                            .unwrap_or_default();
                    (format!("{}{payload}", c.name), doc(&c.docs))
                })
                .collect(),
            TypeDefKind::Enum(e) => e.cases.iter().map(|c| (c.name.clone(), doc(&c.docs))).collect(),
            // Resources are rendered with their functions; uses of other
            // interfaces' types need no entry here.
            _ => continue,
        };
        let kind = match def.kind {
            TypeDefKind::Record(_) => "record",
            TypeDefKind::Variant(_) => "variant",
            _ => "enum",
        };
        writeln!(out, "- `{kind} {name}`: {}", doc(&def.docs)).unwrap();
        for (case, text) in cases {
            let text = if text.is_empty() {
                String::new()
            } else {
                format!(": {text}")
            };
            writeln!(out, "  - `{case}`{text}").unwrap();
        }
    }
}

fn render_resources(resolve: &Resolve, iface: InterfaceId, out: &mut String) {
    let interface = &resolve.interfaces[iface];
    for (name, id) in &interface.types {
        let def = &resolve.types[*id];
        if !matches!(def.kind, TypeDefKind::Resource) {
            continue;
        }
        writeln!(out, "- `resource {name}`: {}", doc(&def.docs)).unwrap();
        for f in interface.functions.values() {
            let owner = match f.kind {
                FunctionKind::Method(r) | FunctionKind::Static(r) | FunctionKind::Constructor(r) => r,
                _ => continue,
            };
            if owner == *id {
                writeln!(out, "  - `{}`: {}", signature(resolve, f), doc(&f.docs)).unwrap();
            }
        }
    }
}

/// The reference for package `wftp:client`: its worlds, then each interface.
fn render(wit: &Path) -> String {
    let mut resolve = Resolve::default();
    // wasi:tls, which one world imports, is `@unstable(feature = tls)`.
    resolve.features.insert("tls".into());
    let (pkg, _) = resolve.push_dir(wit).expect("the WIT parses");
    let package = &resolve.packages[pkg];
    let mut out = String::new();
    writeln!(out, "Package `{}` (`wit/client.wit`).\n", package.name).unwrap();
    for (name, world) in &package.worlds {
        writeln!(out, "- `world {name}`: {}", doc(&resolve.worlds[*world].docs)).unwrap();
    }
    for (name, iface) in &package.interfaces {
        writeln!(
            out,
            "\n#### `interface {name}`\n\n{}\n",
            doc(&resolve.interfaces[*iface].docs)
        )
        .unwrap();
        render_resources(&resolve, *iface, &mut out);
        render_types(&resolve, *iface, &mut out);
    }
    out
}

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_api_reference_matches_the_wit() {
    let generated = render(&root().join("wit"));
    let path = root().join("docs/wit-api.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, rest) = text
        .split_once(BEGIN)
        .expect("docs/wit-api.md has the api:begin marker");
    let (current, tail) = rest.split_once(END).expect("docs/wit-api.md has the api:end marker");
    let wanted = format!("\n{generated}");
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&path, format!("{head}{BEGIN}{wanted}{END}{tail}")).unwrap();
        return;
    }
    panic!(
        "docs/wit-api.md is out of date with wit/; run\n  UPDATE_DOCS=1 cargo test -p host-tests --test docs\n\
         --- generated ---\n{generated}"
    );
}

/// The README and every page in `docs/`.
fn pages() -> Vec<std::path::PathBuf> {
    let mut pages = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    pages
}

#[test]
fn every_relative_link_names_a_file_that_exists() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (_, rest) in text.match_indices("](").map(|(i, _)| ((), &text[i + 2..])) {
            let target = rest.split([')', '#']).next().unwrap_or_default();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let dir = page.parent().unwrap();
            if !dir.join(target).exists() {
                broken.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "links to nothing:\n{}", broken.join("\n"));
}

/// The README is the front door: what it is, the two commands, a short
/// example each, the layers and where to change what; the rest is in docs/.
#[test]
fn the_readme_stays_short() {
    let lines = std::fs::read_to_string(root().join("README.md"))
        .unwrap()
        .lines()
        .count();
    assert!(lines <= 200, "README.md has {lines} lines: move detail into docs/");
}
