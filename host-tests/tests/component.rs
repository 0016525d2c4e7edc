//! What the built component is: its exports and the only imports it needs.

mod common;

use wasmtime::component::types::ComponentItem;

/// The names of a build's exports or imports.
fn names(rt: &host_tests::Runtime, exports: bool) -> Vec<String> {
    let ty = rt.component().component_type();
    if exports {
        ty.exports(rt.engine()).map(|(n, _)| n.to_string()).collect()
    } else {
        ty.imports(rt.engine()).map(|(n, _)| n.to_string()).collect()
    }
}

#[test]
fn exports_the_client_interface_with_three_resources() {
    let exports = names(common::runtime(), true);
    assert!(exports.contains(&"wftp:client/client@0.1.0".to_string()), "{exports:?}");
    assert!(exports.contains(&"wftp:client/types@0.1.0".to_string()), "{exports:?}");
}

#[test]
fn client_interface_declares_session_retrieve_and_store() {
    let engine = wasmtime::Engine::default();
    let component = wasmtime::component::Component::new(&engine, ftp_host::COMPONENT).unwrap();
    let ty = component.component_type();
    let (_, item) = ty
        .exports(&engine)
        .find(|(n, _)| *n == "wftp:client/client@0.1.0")
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
    // The two streams are wasi:io's own, used (not defined) by `data-stream`;
    // `listing` is a listing read in batches, `relay` one side of a
    // server-to-server copy.
    assert_eq!(
        resources,
        [
            "input-stream",
            "listing",
            "output-stream",
            "relay",
            "retrieve",
            "session",
            "store"
        ]
    );
}

/// The self-contained build imports sockets, io, clocks and what std
/// needs; the default build adds wasi:tls, and nothing else.
#[test]
fn imports_only_sockets_io_clocks_and_std_basics() {
    for (flavour, rt) in common::flavours() {
        let imports = names(rt, false);
        println!("{flavour}: component imports: {imports:#?}");
        assert!(
            imports.iter().any(|i| i.starts_with("wasi:sockets/tcp@")),
            "{imports:?}"
        );
        assert_eq!(
            imports.iter().any(|i| i.starts_with("wasi:tls/")),
            rt.host_tls(),
            "{flavour}: {imports:?}"
        );
        for import in &imports {
            let allowed = [
                "wasi:sockets/",
                "wasi:io/",
                "wasi:clocks/",
                "wasi:cli/",
                "wasi:random/",
                "wasi:tls/types@0.2.0-draft",
            ];
            assert!(
                allowed.iter().any(|p| import.starts_with(p)),
                "{flavour}: unexpected import {import}"
            );
        }
    }
    assert!(
        common::runtime().host_tls(),
        "ftp-host's default build leaves TLS to the host"
    );
}
