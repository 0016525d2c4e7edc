//! The bindings wit-bindgen generates from `wit/`: the exports
//! `component.rs` implements and, in the host-TLS build, the `wasi:tls`
//! import `tls::host` calls. Generated here, below everything that uses
//! them, so no module imports the export glue.

#[cfg(not(feature = "host-tls"))]
wit_bindgen::generate!({
    world: "ftp-client-component",
    path: "wit",
    // wasi:tls is `@unstable(feature = tls)`; this world does not import
    // it, but the package must parse.
    features: ["tls"],
    // The data streams handed to callers are the `wasi` crate's own.
    with: {
        "wasi:io/error@0.2.12": ::wasi::io::error,
        "wasi:io/poll@0.2.12": ::wasi::io::poll,
        "wasi:io/streams@0.2.12": ::wasi::io::streams,
    },
});

#[cfg(feature = "host-tls")]
wit_bindgen::generate!({
    world: "ftp-client-host-tls",
    path: "wit",
    features: ["tls"],
    with: {
        "wasi:tls/types@0.2.0-draft": generate,
        "wasi:io/error@0.2.12": ::wasi::io::error,
        "wasi:io/poll@0.2.12": ::wasi::io::poll,
        "wasi:io/streams@0.2.12": ::wasi::io::streams,
    },
});
