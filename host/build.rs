//! Builds the guest component (the root crate) for wasm32-wasip2, in two
//! flavours each in its own target directory, so a plain `cargo test`
//! always exercises fresh code, and tells the crate where the `.wasm` files
//! are: the self-contained build (rustls inside; runs on any host) and the
//! one that imports `wasi:tls` (the host's TLS; this crate's default).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest
        .parent()
        .expect("host lives inside the workspace")
        .to_path_buf();
    let flavours = [
        ("guest", "FTP_CLIENT_COMPONENT", &[][..]),
        (
            "guest-host-tls",
            "FTP_CLIENT_HOST_TLS_COMPONENT",
            &["--no-default-features", "--features", "host-tls"][..],
        ),
    ];
    for (dir, variable, features) in flavours {
        let target_dir = root.join("target").join(dir);
        build(&root, &target_dir, features);
        let wasm = target_dir.join("wasm32-wasip2").join("guest").join("ftp_client.wasm");
        println!("cargo:rustc-env={variable}={}", wasm.display());
    }
    for watched in ["src", "wit", "Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
}

fn build(root: &Path, target_dir: &Path, features: &[&str]) {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--package",
            "ftp-client",
            "--target",
            "wasm32-wasip2",
            "--profile",
            "guest",
        ])
        .args(features)
        .arg("--target-dir")
        .arg(target_dir)
        // Flags meant for the host build must not leak into the wasm build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_PROFILE_RELEASE_DEBUG")
        .status()
        .expect("run cargo to build the guest");
    assert!(
        status.success(),
        "building the guest component failed (is `rustup target add wasm32-wasip2` done?)"
    );
}
