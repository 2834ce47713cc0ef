//! Per-plugin key-value storage in `redb`, an embedded ACID database: every committed write is
//! fsynced before the host call returns, so a crash loses nothing the plugin was told was
//! stored. The quota counts key and value bytes and is kept in the same transaction as the
//! data, so it is exact after a crash too.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

const DATA: TableDefinition<&str, &[u8]> = TableDefinition::new("data");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const USED_BYTES: &str = "used_bytes";

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 1024;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The write would take the store over its quota.
    #[error("storage quota exceeded: writing {needed} bytes would use {would_use} of {quota} bytes")]
    QuotaExceeded {
        /// Bytes the write adds.
        needed: u64,
        /// Total after the write.
        would_use: u64,
        /// The quota.
        quota: u64,
    },
    /// The key is empty or too long.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// The database failed.
    #[error("storage failed: {0}")]
    Database(String),
}

fn db_error(error: impl std::fmt::Display) -> StorageError {
    StorageError::Database(error.to_string())
}

/// One plugin's store.
#[derive(Clone)]
pub struct PluginStorage {
    db: Arc<Database>,
    quota: u64,
    path: PathBuf,
}

impl std::fmt::Debug for PluginStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginStorage")
            .field("path", &self.path)
            .field("quota", &self.quota)
            .finish()
    }
}

fn check_key(key: &str) -> Result<(), StorageError> {
    if key.is_empty() {
        return Err(StorageError::InvalidKey("the key is empty".into()));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(StorageError::InvalidKey(format!(
            "the key is longer than {MAX_KEY_LEN} bytes"
        )));
    }
    Ok(())
}

impl PluginStorage {
    /// Opens (creating if needed) the store at `path` with a quota in bytes.
    pub fn open(path: &Path, quota: u64) -> Result<PluginStorage, StorageError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(db_error)?;
        }
        let db = Database::create(path).map_err(db_error)?;
        let txn = db.begin_write().map_err(db_error)?;
        {
            txn.open_table(DATA).map_err(db_error)?;
            txn.open_table(META).map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        Ok(PluginStorage {
            db: Arc::new(db),
            quota,
            path: path.to_path_buf(),
        })
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads a value.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        check_key(key)?;
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(DATA).map_err(db_error)?;
        Ok(table.get(key).map_err(db_error)?.map(|value| value.value().to_vec()))
    }

    /// Keys starting with `prefix`, in order.
    pub fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(DATA).map_err(db_error)?;
        let mut keys = Vec::new();
        for entry in table.range(prefix..).map_err(db_error)? {
            let (key, _) = entry.map_err(db_error)?;
            let key = key.value();
            if !key.starts_with(prefix) {
                break;
            }
            keys.push(key.to_string());
        }
        Ok(keys)
    }

    /// Writes a value, durably, unless it would exceed the quota.
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        check_key(key)?;
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut data = txn.open_table(DATA).map_err(db_error)?;
            let mut meta = txn.open_table(META).map_err(db_error)?;
            let used = meta.get(USED_BYTES).map_err(db_error)?.map_or(0, |v| v.value());
            let old = data
                .get(key)
                .map_err(db_error)?
                .map_or(0, |v| (key.len() + v.value().len()) as u64);
            let new = (key.len() + value.len()) as u64;
            let would_use = used - old.min(used) + new;
            if would_use > self.quota && new > old {
                return Err(StorageError::QuotaExceeded {
                    needed: new,
                    would_use,
                    quota: self.quota,
                });
            }
            data.insert(key, value).map_err(db_error)?;
            meta.insert(USED_BYTES, would_use).map_err(db_error)?;
        }
        txn.commit().map_err(db_error)
    }

    /// Deletes a key; returns whether it existed.
    pub fn delete(&self, key: &str) -> Result<bool, StorageError> {
        check_key(key)?;
        let txn = self.db.begin_write().map_err(db_error)?;
        let existed = {
            let mut data = txn.open_table(DATA).map_err(db_error)?;
            let mut meta = txn.open_table(META).map_err(db_error)?;
            let removed = data
                .remove(key)
                .map_err(db_error)?
                .map(|v| (key.len() + v.value().len()) as u64);
            if let Some(bytes) = removed {
                let used = meta.get(USED_BYTES).map_err(db_error)?.map_or(0, |v| v.value());
                meta.insert(USED_BYTES, used.saturating_sub(bytes)).map_err(db_error)?;
            }
            removed.is_some()
        };
        txn.commit().map_err(db_error)?;
        Ok(existed)
    }

    /// Bytes used (keys plus values).
    pub fn used_bytes(&self) -> Result<u64, StorageError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let meta = txn.open_table(META).map_err(db_error)?;
        Ok(meta.get(USED_BYTES).map_err(db_error)?.map_or(0, |v| v.value()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_reopening_and_the_quota_is_exact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.redb");
        {
            let store = PluginStorage::open(&path, 20).unwrap();
            store.set("count", b"41").unwrap();
            store.set("count", b"42").unwrap();
            assert_eq!(store.used_bytes().unwrap(), 7);
            let refused = store.set("big", &[0; 32]).unwrap_err();
            assert!(
                matches!(refused, StorageError::QuotaExceeded { quota: 20, .. }),
                "{refused}"
            );
            store.set("a/1", b"x").unwrap();
            store.set("a/2", b"y").unwrap();
            store.set("b", b"z").unwrap();
            assert_eq!(store.list("a/").unwrap(), ["a/1", "a/2"]);
            assert!(store.delete("b").unwrap());
            assert!(!store.delete("b").unwrap());
        }
        let store = PluginStorage::open(&path, 20).unwrap();
        assert_eq!(store.get("count").unwrap().as_deref(), Some(&b"42"[..]));
        assert_eq!(store.get("missing").unwrap(), None);
        assert_eq!(store.used_bytes().unwrap(), 7 + 4 + 4);
        assert!(matches!(store.set("", b"x"), Err(StorageError::InvalidKey(_))));
    }
}
