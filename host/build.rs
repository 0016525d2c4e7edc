//! Tells the crate where the two builds of the component are: the
//! self-contained one (rustls inside; runs on any host) and the one that
//! imports `wasi:tls` (the host's TLS; this crate's default). In the
//! workspace it builds them from the guest crate's sources for
//! wasm32-wasip2, each in its own target directory, so a plain `cargo test`
//! always exercises fresh code; a packaged crate carries them built
//! (`component/`, put there by `.ci/package`) and builds nothing.

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
        ("guest", "FTP_CLIENT_COMPONENT", "ftp-client.wasm", &[][..]),
        (
            "guest-host-tls",
            "FTP_CLIENT_HOST_TLS_COMPONENT",
            "ftp-client-host-tls.wasm",
            &["--no-default-features", "--features", "host-tls"][..],
        ),
    ];
    if !root.join("src/lib.rs").exists() || !root.join("wit/client.wit").exists() {
        for (_, variable, packaged, _) in flavours {
            let wasm = manifest.join("component").join(packaged);
            assert!(wasm.exists(), "{} is missing from the package", wasm.display());
            println!("cargo:rustc-env={variable}={}", wasm.display());
        }
        return;
    }
    check_c_toolchain();
    for (dir, variable, _, features) in flavours {
        let target_dir = root.join("target").join(dir);
        build(&root, &target_dir, features);
        let wasm = target_dir.join("wasm32-wasip2").join("guest").join("ftp_client.wasm");
        println!("cargo:rustc-env={variable}={}", wasm.display());
    }
    for watched in ["src", "wit", "Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
}

/// The self-contained build compiles ring's C for wasm32: without clang
/// and llvm-ar the nested build fails deep in ring's build script, so say
/// what to install first.
fn check_c_toolchain() {
    for (variable, default) in [("CC_wasm32_wasip2", "clang"), ("AR_wasm32_wasip2", "llvm-ar")] {
        println!("cargo:rerun-if-env-changed={variable}");
        let tool = env::var(variable).unwrap_or_else(|_| default.into());
        let runs = Command::new(&tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !runs {
            eprintln!(
                "\nerror: `{tool}` is not installed. The component's self-contained build compiles \
                 C (ring, its TLS crypto) for wasm32 with clang and llvm-ar. Install them, then build again:\n\n    \
                 sudo apt-get install clang llvm      # Debian, Ubuntu\n    \
                 brew install llvm                    # macOS (then put its bin/ on PATH)\n"
            );
            std::process::exit(1);
        }
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
