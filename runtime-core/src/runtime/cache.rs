//! The compiled-code cache: `Engine::precompile_module` output on disk, keyed by the module's
//! BLAKE3 hash, the engine's compatibility hash and whether the code is debug-instrumented.
//!
//! wasmtime runs precompiled code as it finds it, so what reaches `Module::deserialize` must be
//! exactly what this user's runtime wrote: each entry carries a BLAKE3 MAC, keyed by a secret
//! that lives (mode 0600) in the cache directory, over its name and payload. A corrupt entry, one
//! altered by someone who cannot read the key, or one copied from another cache or renamed to
//! another module's name is recompiled instead. The directory itself is created 0700 and is not
//! used at all (every load compiles) when it is world-writable or owned by another user.
//! Writers write a temporary file and rename it, so concurrent runtimes never see half an
//! entry. Entries unused for longer than the time to live, or beyond the size cap (oldest
//! first), are evicted after each store.

use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use wasmtime::{Engine, Module};
use xxhash_rust::xxh3::Xxh3;

const MAGIC: &[u8; 8] = b"QIRVOC02";
const MAC_LEN: usize = blake3::OUT_LEN;
const HEADER: usize = MAGIC.len() + MAC_LEN;
/// The MAC key's file in the cache directory (eviction only touches `.cwasm` files).
const KEY_FILE: &str = "key";

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
    /// A corrupt or unverifiable entry was found, removed and replaced.
    Recompiled,
    /// Compiled; caching is off, the directory is not safe to use, or the entry could not be
    /// written.
    Uncached,
}

/// The on-disk cache.
#[derive(Debug, Clone)]
pub struct CodeCache {
    config: Option<CacheConfig>,
}

/// A cache directory that passed the checks, with its MAC key.
struct OpenCache<'a> {
    config: &'a CacheConfig,
    key: [u8; 32],
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

    /// The directory, created if needed, when it is safe to run code from; warns when not.
    fn open(&self) -> Option<OpenCache<'_>> {
        let config = self.config.as_ref()?;
        let opened = create_private_dir(&config.dir)
            .and_then(|()| check_private_dir(&config.dir))
            .and_then(|()| cache_key(&config.dir));
        match opened {
            Ok(key) => Some(OpenCache { config, key }),
            Err(error) => {
                tracing::warn!(
                    dir = %config.dir.display(),
                    %error,
                    "not using the code cache; compiling without it"
                );
                None
            }
        }
    }

    /// Compiles `wasm`, or loads its compiled code from the cache.
    pub fn load(&self, engine: &Engine, wasm: &[u8], debug: bool) -> wasmtime::Result<(Module, CacheOutcome)> {
        let Some(cache) = self.open() else {
            return Ok((Module::new(engine, wasm)?, CacheOutcome::Uncached));
        };
        let name = entry_name(engine, wasm, debug);
        let path = cache.config.dir.join(&name);
        let mut corrupt = false;
        if let Ok(entry) = std::fs::read(&path) {
            match cache.verified_payload(&name, &entry) {
                // SAFETY: the MAC proves the payload is what this runtime's `precompile_module`
                // stored under this name, and the name includes the engine's compatibility hash.
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
                    tracing::warn!(path = %path.display(), "cache entry fails verification; recompiling");
                    corrupt = true;
                }
            }
            let _ = std::fs::remove_file(&path);
        }
        let compiled = engine.precompile_module(wasm)?;
        // SAFETY: produced just now by this engine.
        let module = unsafe { Module::deserialize(engine, &compiled)? };
        let stored = cache.store(&name, &compiled);
        let outcome = match (stored, corrupt) {
            (false, _) => CacheOutcome::Uncached,
            (true, true) => CacheOutcome::Recompiled,
            (true, false) => CacheOutcome::Compiled,
        };
        Ok((module, outcome))
    }

    /// Removes expired entries, then the oldest ones while the total exceeds the cap.
    pub fn evict(&self) {
        if let Some(cache) = self.open() {
            cache.evict();
        }
    }
}

/// `<module hash>-<engine hash>[-debug].cwasm`. The module hash is cryptographic: a module
/// crafted to share another's name would otherwise be handed that module's code.
fn entry_name(engine: &Engine, wasm: &[u8], debug: bool) -> String {
    let mut engine_hash = Xxh3::new();
    engine.precompile_compatibility_hash().hash(&mut engine_hash);
    debug.hash(&mut engine_hash);
    format!(
        "{}-{:016x}{}.cwasm",
        blake3::hash(wasm).to_hex(),
        engine_hash.finish(),
        if debug { "-debug" } else { "" }
    )
}

impl OpenCache<'_> {
    fn mac(&self, name: &str, payload: &[u8]) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(payload);
        hasher.finalize()
    }

    fn verified_payload<'e>(&self, name: &str, entry: &'e [u8]) -> Option<&'e [u8]> {
        let rest = entry.strip_prefix(MAGIC)?;
        let (mac, payload) = rest.split_at_checked(MAC_LEN)?;
        let expected = blake3::Hash::from_bytes(mac.try_into().ok()?);
        // `blake3::Hash` compares in constant time.
        (self.mac(name, payload) == expected).then_some(payload)
    }

    fn store(&self, name: &str, compiled: &[u8]) -> bool {
        let mut entry = Vec::with_capacity(HEADER + compiled.len());
        entry.extend_from_slice(MAGIC);
        entry.extend_from_slice(self.mac(name, compiled).as_bytes());
        entry.extend_from_slice(compiled);
        let temporary = temporary_path(&self.config.dir, name);
        let path = self.config.dir.join(name);
        let written = write_private(&temporary, &entry).is_ok() && std::fs::rename(&temporary, path).is_ok();
        if !written {
            let _ = std::fs::remove_file(&temporary);
        }
        self.evict();
        written
    }

    fn evict(&self) {
        let config = self.config;
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

/// Unique per process and per write, so concurrent writers never share a temporary.
fn temporary_path(dir: &Path, name: &str) -> PathBuf {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Writes a new file only its owner can read or write.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = std::fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(unix)]
fn effective_uid() -> u32 {
    // SAFETY: `geteuid` has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Refuses a directory where others could plant or swap entries.
#[cfg(unix)]
fn check_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir)?;
    let refuse = |why: String| Err(io::Error::new(io::ErrorKind::PermissionDenied, why));
    if !meta.is_dir() {
        return refuse("it is not a directory".to_string());
    }
    if meta.uid() != effective_uid() {
        return refuse(format!("it is owned by uid {}, not by this user", meta.uid()));
    }
    if meta.mode() & 0o002 != 0 {
        return refuse(format!("it is world-writable (mode {:o})", meta.mode() & 0o7777));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private_dir(dir: &Path) -> io::Result<()> {
    match std::fs::metadata(dir)?.is_dir() {
        true => Ok(()),
        false => Err(io::Error::other("it is not a directory")),
    }
}

/// The cache's MAC key, created on first use. A key file that others could have written or
/// read is replaced, which only makes the existing entries recompile.
fn cache_key(dir: &Path) -> io::Result<[u8; 32]> {
    let path = dir.join(KEY_FILE);
    let replace = match read_key(&path) {
        Ok(Some(key)) => return Ok(key),
        Ok(None) => {
            tracing::warn!(path = %path.display(), "cache key has the wrong owner, mode or size; replacing it");
            true
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => false,
        Err(error) => return Err(error),
    };
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| io::Error::other(format!("no randomness for the cache key: {e}")))?;
    let temporary = temporary_path(dir, KEY_FILE);
    write_private(&temporary, &key)?;
    // Linking fails if a concurrent runtime created the key meanwhile; then theirs counts.
    let placed = if replace {
        std::fs::rename(&temporary, &path)
    } else {
        std::fs::hard_link(&temporary, &path)
    };
    let _ = std::fs::remove_file(&temporary);
    match placed {
        Ok(()) => Ok(key),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            read_key(&path)?.ok_or_else(|| io::Error::other("the cache key is unusable"))
        }
        Err(error) => Err(error),
    }
}

/// The key, or `None` when the file is not a private 32-byte file of this user.
fn read_key(path: &Path) -> io::Result<Option<[u8; 32]>> {
    use std::io::Read;
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW | libc::O_NONBLOCK);
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(error),
        // A symlink (refused by O_NOFOLLOW) or anything else odd: replace it.
        Err(_) => return Ok(None),
    };
    let meta = file.metadata()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != effective_uid() || meta.mode() & 0o077 != 0 {
            return Ok(None);
        }
    }
    let mut key = [0u8; 32];
    if !meta.is_file() || meta.len() != key.len() as u64 || file.read_exact(&mut key).is_err() {
        return Ok(None);
    }
    Ok(Some(key))
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

    fn entries(dir: &Path) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
            .collect();
        found.sort();
        found
    }

    const WAT: &str = "(module (func (export \"f\") (result i32) i32.const 7))";

    #[test]
    fn second_load_hits_and_a_corrupt_entry_is_recompiled() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let wasm = wat::parse_str(WAT).unwrap();
        let cache = cache(dir.path());
        assert_eq!(cache.load(&engine, &wasm, false).unwrap().1, CacheOutcome::Compiled);
        assert_eq!(cache.load(&engine, &wasm, false).unwrap().1, CacheOutcome::Hit);
        assert_eq!(
            cache.load(&engine, &wasm, true).unwrap().1,
            CacheOutcome::Compiled,
            "debug code is separate"
        );

        let entry = entries(dir.path())
            .into_iter()
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

    /// What someone who can write the entry but not read the key can do: change the code and
    /// recompute any checksum or unkeyed hash over it.
    #[test]
    fn a_tampered_entry_with_a_recomputed_hash_is_recompiled_not_run() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let wasm = wat::parse_str(WAT).unwrap();
        let cache = cache(dir.path());
        cache.load(&engine, &wasm, false).unwrap();
        let entry = entries(dir.path()).remove(0);
        let name = entry.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&entry).unwrap();
        let mut payload = bytes[HEADER..].to_vec();
        let last = payload.len() - 1;
        payload[last] ^= 0x01;

        // The old format's checksum: xxh3 of the payload after the magic.
        let mut old_format = b"QIRVOC01".to_vec();
        old_format.extend_from_slice(&xxhash_rust::xxh3::xxh3_128(&payload).to_le_bytes());
        old_format.extend_from_slice(&payload);
        // The new format with an unkeyed BLAKE3 in place of the MAC.
        let mut hasher = blake3::Hasher::new();
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(&payload);
        let mut unkeyed = MAGIC.to_vec();
        unkeyed.extend_from_slice(hasher.finalize().as_bytes());
        unkeyed.extend_from_slice(&payload);

        for forged in [old_format, unkeyed] {
            std::fs::write(&entry, &forged).unwrap();
            assert_eq!(cache.load(&engine, &wasm, false).unwrap().1, CacheOutcome::Recompiled);
        }
        assert_eq!(cache.load(&engine, &wasm, false).unwrap().1, CacheOutcome::Hit);
    }

    #[test]
    fn an_entry_from_another_cache_or_under_another_name_is_recompiled() {
        let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let engine = engine();
        let wasm = wat::parse_str(WAT).unwrap();
        let other = wat::parse_str("(module (func (export \"g\")))").unwrap();
        cache(first.path()).load(&engine, &wasm, false).unwrap();
        cache(second.path()).load(&engine, &other, false).unwrap();
        let copied = entries(first.path()).remove(0);
        let target = second.path().join(copied.file_name().unwrap());
        std::fs::copy(&copied, &target).unwrap();
        let (module, outcome) = cache(second.path()).load(&engine, &wasm, false).unwrap();
        assert_eq!(outcome, CacheOutcome::Recompiled, "another cache's key");
        assert!(module.get_export("f").is_some());

        // A valid entry of this cache renamed to another module's name.
        let other_entry = entries(second.path()).into_iter().find(|p| *p != target).unwrap();
        std::fs::copy(&target, &other_entry).unwrap();
        let (module, outcome) = cache(second.path()).load(&engine, &other, false).unwrap();
        assert_eq!(outcome, CacheOutcome::Recompiled);
        assert!(module.get_export("g").is_some(), "the other module's code was used");
    }

    #[cfg(unix)]
    #[test]
    fn the_directory_and_key_are_private_and_a_world_writable_directory_is_not_used() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let engine = engine();
        let wasm = wat::parse_str(WAT).unwrap();
        let dir = root.path().join("new/modules");
        cache(&dir).load(&engine, &wasm, false).unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(KEY_FILE)), 0o600);

        // A key others can read is replaced; entries made with it recompile.
        std::fs::set_permissions(dir.join(KEY_FILE), std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            cache(&dir).load(&engine, &wasm, false).unwrap().1,
            CacheOutcome::Recompiled
        );
        assert_eq!(mode(&dir.join(KEY_FILE)), 0o600);

        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
        for _ in 0..2 {
            let (module, outcome) = cache(&shared).load(&engine, &wasm, false).unwrap();
            assert_eq!(outcome, CacheOutcome::Uncached);
            assert!(module.get_export("f").is_some());
        }
        assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0, "nothing written there");
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_owned_by_another_user_is_not_used() {
        if effective_uid() != 0 {
            eprintln!("skipped: changing a directory's owner needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::chown(dir.path(), Some(65534), None).unwrap();
        let engine = engine();
        let wasm = wat::parse_str(WAT).unwrap();
        assert_eq!(
            cache(dir.path()).load(&engine, &wasm, false).unwrap().1,
            CacheOutcome::Uncached
        );
        assert!(entries(dir.path()).is_empty());
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
        assert!(entries(dir.path()).len() <= 1);
        assert!(dir.path().join(KEY_FILE).exists(), "the key is not evicted");
    }
}
