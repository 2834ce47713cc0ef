//! The compiled-code cache: `Engine::precompile_module` output on disk, keyed by the module's
//! hash, the engine's compatibility hash and whether the code is debug-instrumented.
//!
//! Entries carry a checksum of their payload: wasmtime trusts precompiled code, so a
//! corrupted entry must never reach `Module::deserialize`; it is recompiled instead. Writers
//! write a temporary file and rename it, so concurrent runtimes never see half an entry.
//! Entries unused for longer than the time to live, or beyond the size cap (oldest first), are
//! evicted after each store.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use wasmtime::{Engine, Module};
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

const MAGIC: &[u8; 8] = b"QIRVOC01";
const HEADER: usize = MAGIC.len() + 16;

/// Cache settings.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// Directory of the entries.
    pub dir: PathBuf,
    /// Entries not used for this long are evicted.
    pub time_to_live: Duration,
    /// Total size above which the oldest entries are evicted.
    pub max_bytes: u64,
}

impl CacheConfig {
    /// The per-user default: `$QIRVO_CACHE_DIR`, else `$XDG_CACHE_HOME/qirvo`, else
    /// `~/.cache/qirvo`, else a directory under the system temp dir.
    pub fn default_for_user() -> CacheConfig {
        let dir = std::env::var_os("QIRVO_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("qirvo")))
            .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/qirvo")))
            .unwrap_or_else(|| std::env::temp_dir().join("qirvo-cache"));
        CacheConfig {
            dir: dir.join("modules"),
            time_to_live: Duration::from_secs(7 * 24 * 3600),
            max_bytes: 1 << 30,
        }
    }
}

/// How a module was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Compiled now and stored.
    Compiled,
    /// Loaded from a cache entry.
    Hit,
    /// A corrupt entry was found, removed and replaced.
    Recompiled,
    /// Compiled; caching is off or the entry could not be written.
    Uncached,
}

/// The on-disk cache.
#[derive(Debug, Clone)]
pub struct CodeCache {
    config: Option<CacheConfig>,
}

impl CodeCache {
    /// A cache in `config.dir`.
    pub fn new(config: CacheConfig) -> Self {
        CodeCache { config: Some(config) }
    }

    /// No caching: every load compiles.
    pub fn disabled() -> Self {
        CodeCache { config: None }
    }

    fn entry_path(&self, engine: &Engine, wasm: &[u8], debug: bool) -> Option<PathBuf> {
        let config = self.config.as_ref()?;
        let mut engine_hash = Xxh3::new();
        engine.precompile_compatibility_hash().hash(&mut engine_hash);
        debug.hash(&mut engine_hash);
        let name = format!(
            "{:032x}-{:016x}{}.cwasm",
            xxh3_128(wasm),
            engine_hash.finish(),
            if debug { "-debug" } else { "" }
        );
        Some(config.dir.join(name))
    }

    /// Compiles `wasm`, or loads its compiled code from the cache.
    pub fn load(&self, engine: &Engine, wasm: &[u8], debug: bool) -> wasmtime::Result<(Module, CacheOutcome)> {
        let Some(path) = self.entry_path(engine, wasm, debug) else {
            return Ok((Module::new(engine, wasm)?, CacheOutcome::Uncached));
        };
        let mut corrupt = false;
        if let Ok(entry) = std::fs::read(&path) {
            match verified_payload(&entry) {
                // SAFETY: the payload is exactly what `precompile_module` wrote for this engine
                // configuration (the key includes its compatibility hash), and the checksum proves
                // it was not altered on disk.
                Some(payload) => match unsafe { Module::deserialize(engine, payload) } {
                    Ok(module) => {
                        touch(&path);
                        return Ok((module, CacheOutcome::Hit));
                    }
                    Err(error) => {
                        tracing::warn!(path = %path.display(), %error, "unusable cache entry; recompiling");
                        corrupt = true;
                    }
                },
                None => {
                    tracing::warn!(path = %path.display(), "corrupt cache entry; recompiling");
                    corrupt = true;
                }
            }
            let _ = std::fs::remove_file(&path);
        }
        let compiled = engine.precompile_module(wasm)?;
        // SAFETY: produced just now by this engine.
        let module = unsafe { Module::deserialize(engine, &compiled)? };
        let stored = self.store(&path, &compiled);
        let outcome = match (stored, corrupt) {
            (false, _) => CacheOutcome::Uncached,
            (true, true) => CacheOutcome::Recompiled,
            (true, false) => CacheOutcome::Compiled,
        };
        Ok((module, outcome))
    }

    fn store(&self, path: &Path, compiled: &[u8]) -> bool {
        let Some(config) = &self.config else { return false };
        if std::fs::create_dir_all(&config.dir).is_err() {
            return false;
        }
        let mut entry = Vec::with_capacity(HEADER + compiled.len());
        entry.extend_from_slice(MAGIC);
        entry.extend_from_slice(&xxh3_128(compiled).to_le_bytes());
        entry.extend_from_slice(compiled);
        // Unique per process and per write, so concurrent writers never share a temporary.
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let temporary = config.dir.join(format!(
            ".{}.{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id(),
            WRITES.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::write(&temporary, &entry).is_ok() && std::fs::rename(&temporary, path).is_ok();
        if !written {
            let _ = std::fs::remove_file(&temporary);
        }
        self.evict();
        written
    }

    /// Removes expired entries, then the oldest ones while the total exceeds the cap.
    pub fn evict(&self) {
        let Some(config) = &self.config else { return };
        let Ok(entries) = std::fs::read_dir(&config.dir) else {
            return;
        };
        let now = SystemTime::now();
        let mut live: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "cwasm") {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            let used = meta.modified().unwrap_or(now);
            if now.duration_since(used).unwrap_or_default() > config.time_to_live {
                let _ = std::fs::remove_file(&path);
            } else {
                live.push((used, meta.len(), path));
            }
        }
        live.sort();
        let mut total: u64 = live.iter().map(|(_, size, _)| size).sum();
        for (_, size, path) in live {
            if total <= config.max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= size;
            }
        }
    }
}

fn verified_payload(entry: &[u8]) -> Option<&[u8]> {
    let rest = entry.strip_prefix(MAGIC)?;
    let (checksum, payload) = rest.split_at_checked(16)?;
    let expected = u128::from_le_bytes(checksum.try_into().ok()?);
    (xxh3_128(payload) == expected).then_some(payload)
}

/// Marks an entry as used now (eviction is by last use).
fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::new(&wasmtime::Config::new()).unwrap()
    }

    fn cache(dir: &Path) -> CodeCache {
        CodeCache::new(CacheConfig {
            dir: dir.to_path_buf(),
            time_to_live: Duration::from_secs(3600),
            max_bytes: 1 << 30,
        })
    }

    #[test]
    fn second_load_hits_and_a_corrupt_entry_is_recompiled() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let wasm = wat::parse_str("(module (func (export \"f\") (result i32) i32.const 7))").unwrap();
        let cache = cache(dir.path());
        assert_eq!(cache.load(&engine, &wasm, false).unwrap().1, CacheOutcome::Compiled);
        assert_eq!(cache.load(&engine, &wasm, false).unwrap().1, CacheOutcome::Hit);
        assert_eq!(
            cache.load(&engine, &wasm, true).unwrap().1,
            CacheOutcome::Compiled,
            "debug code is separate"
        );

        let entry = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| !p.to_string_lossy().contains("debug"))
            .unwrap();
        let mut bytes = std::fs::read(&entry).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&entry, &bytes).unwrap();
        let (module, outcome) = cache.load(&engine, &wasm, false).unwrap();
        assert_eq!(outcome, CacheOutcome::Recompiled);
        assert!(module.get_export("f").is_some());
        assert_eq!(cache.load(&engine, &wasm, false).unwrap().1, CacheOutcome::Hit);

        std::fs::write(&entry, b"garbage").unwrap();
        assert_eq!(cache.load(&engine, &wasm, false).unwrap().1, CacheOutcome::Recompiled);
    }

    #[test]
    fn concurrent_writers_of_one_entry_leave_a_valid_entry() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let wasm = wat::parse_str("(module (func (export \"g\") (result i32) i32.const 1))").unwrap();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| cache(dir.path()).load(&engine, &wasm, false).unwrap());
            }
        });
        assert_eq!(
            cache(dir.path()).load(&engine, &wasm, false).unwrap().1,
            CacheOutcome::Hit
        );
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "tmp"));
        assert_eq!(leftovers.count(), 0);
    }

    #[test]
    fn eviction_keeps_the_cache_under_its_cap() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let cache = CodeCache::new(CacheConfig {
            dir: dir.path().to_path_buf(),
            time_to_live: Duration::from_secs(3600),
            max_bytes: 1,
        });
        for n in 0..3 {
            let wasm = wat::parse_str(format!("(module (func (export \"f{n}\")))")).unwrap();
            cache.load(&engine, &wasm, false).unwrap();
        }
        assert!(std::fs::read_dir(dir.path()).unwrap().count() <= 1);
    }
}
