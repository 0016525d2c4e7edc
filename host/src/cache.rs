//! Compiled component code kept on disk: a process after the first loads the
//! component in milliseconds instead of compiling it for most of a second.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use wasmtime::component::Component;
use wasmtime::Engine;

/// How many compiled components the directory keeps, the most recently used
/// ones: enough for both builds of a few versions in use side by side, while
/// each upgrade's leftovers (a few MiB each) go instead of piling up.
const KEPT: usize = 8;

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
            // Marks it used, so that pruning keeps it.
            let _ = std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(SystemTime::now()));
            return Ok(component);
        }
    }
    let component = Component::new(engine, wasm)?;
    // A cache that cannot be written costs the next process time, nothing else.
    if let Ok(Ok(())) = component.serialize().map(|bytes| save(dir, &path, &bytes)) {
        let _ = prune(dir);
    }
    Ok(component)
}

/// Removes all but the `KEPT` most recently used compiled components. Only
/// names this module writes are touched: the directory may be shared.
fn prune(dir: &Path) -> std::io::Result<()> {
    let mut entries: Vec<(SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| is_ours(path))
        .filter_map(|path| Some((std::fs::metadata(&path).ok()?.modified().ok()?, path)))
        .collect();
    entries.sort_by_key(|(used, _)| std::cmp::Reverse(*used));
    for (_, path) in entries.into_iter().skip(KEPT) {
        // Another process pruning at the same time may have been first.
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Whether `path` is named as `load` names compiled code: a hex SHA-256
/// and `.cwasm`.
fn is_ours(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    path.extension().is_some_and(|e| e == "cwasm") && stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit())
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
