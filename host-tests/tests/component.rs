//! What the built component is: its exports and the only imports it needs.

mod common;

use wasmtime::component::types::ComponentItem;

/// The names of the component's exports or imports.
fn names(exports: bool) -> Vec<String> {
    let rt = common::runtime();
    let ty = rt.component().component_type();
    if exports {
        ty.exports(rt.engine()).map(|(n, _)| n.to_string()).collect()
    } else {
        ty.imports(rt.engine()).map(|(n, _)| n.to_string()).collect()
    }
}

#[test]
fn exports_the_client_interface_with_three_resources() {
    let exports = names(true);
    assert!(exports.contains(&"ftp:client/client@0.1.0".to_string()), "{exports:?}");
    assert!(exports.contains(&"ftp:client/types@0.1.0".to_string()), "{exports:?}");
}

#[test]
fn client_interface_declares_session_retrieve_and_store() {
    let engine = wasmtime::Engine::default();
    let component = wasmtime::component::Component::new(&engine, ftp_host::COMPONENT).unwrap();
    let ty = component.component_type();
    let (_, item) = ty
        .exports(&engine)
        .find(|(n, _)| *n == "ftp:client/client@0.1.0")
        .expect("client export");
    let ComponentItem::ComponentInstance(instance) = item.ty else {
        panic!("client is not an instance")
    };
    let mut resources: Vec<String> = instance
        .exports(&engine)
        .filter(|(_, item)| matches!(item.ty, ComponentItem::Resource(_)))
        .map(|(name, _)| name.to_string())
        .collect();
    resources.sort();
    // The two streams are wasi:io's own, used (not defined) by `data-stream`.
    assert_eq!(
        resources,
        ["input-stream", "output-stream", "retrieve", "session", "store"]
    );
}

#[test]
fn imports_only_sockets_io_clocks_and_std_basics() {
    let imports = names(false);
    println!("component imports: {imports:#?}");
    assert!(
        imports.iter().any(|i| i.starts_with("wasi:sockets/tcp@")),
        "{imports:?}"
    );
    for import in &imports {
        assert!(!import.starts_with("wasi:filesystem"), "imports {import}");
        let allowed = ["wasi:sockets/", "wasi:io/", "wasi:clocks/", "wasi:cli/", "wasi:random/"];
        assert!(
            allowed.iter().any(|p| import.starts_with(p)),
            "unexpected import {import}"
        );
    }
}
