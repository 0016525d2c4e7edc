//! Compiled component code kept on disk: a process after the first loads the
//! component in milliseconds instead of compiling it for most of a second.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::Engine;

/// The default cache directory: `ftp-host` in the user's cache directory
/// (`$XDG_CACHE_HOME`, else `~/.cache`, on Linux).
pub(crate) fn default_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("ftp-host"))
}

/// Compiles `wasm`, or loads the code compiled for it earlier from `dir`.
pub(crate) fn load(engine: &Engine, wasm: &[u8], dir: Option<&Path>) -> wasmtime::Result<Component> {
    let Some(dir) = dir else {
        return Component::new(engine, wasm);
    };
    let path = dir.join(format!("{}.cwasm", key(engine, wasm)));
    // Read, not mapped: a file changed or truncated later by someone else
    // cannot then pull code out from under a running session.
    if let Ok(bytes) = std::fs::read(&path) {
        // SAFETY: wasmtime requires the bytes to be code it serialized for a
        // compatible engine. The name is the hash of the component and of
        // this engine's compatibility settings, and only `save` below writes
        // such names, atomically, into the user's own cache directory; a
        // stale or damaged file fails wasmtime's header checks and is
        // replaced. Whoever can write there can change the user's programs
        // anyway; `ClientBuilder::no_cache` opts out.
        if let Ok(component) = unsafe { Component::deserialize(engine, &bytes) } {
            return Ok(component);
        }
    }
    let component = Component::new(engine, wasm)?;
    // A cache that cannot be written costs the next process time, nothing else.
    let _ = component.serialize().map(|bytes| save(dir, &path, &bytes));
    Ok(component)
}

/// Writes the file under a temporary name, then renames it into place, so a
/// reader never sees half of it.
fn save(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Hex SHA-256 of the component and of what makes compiled code compatible
/// with this engine (wasmtime's version, target and settings).
fn key(engine: &Engine, wasm: &[u8]) -> String {
    let mut hasher = DigestHasher(Sha256::new());
    hasher.0.update(wasm);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds `Hash` input into SHA-256, which, unlike std's hasher, is stable
/// across Rust releases.
struct DigestHasher(Sha256);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        digest.iter().take(8).fold(0, |acc, b| acc << 8 | u64::from(*b))
    }
}
