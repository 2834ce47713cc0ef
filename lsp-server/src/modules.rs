//! Compiled modules named by `main`, parsed once per change on disk (keyed by modification
//! time and size), not once per keystroke.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use qirvo_manifest::module_info::{ModuleError, ModuleInfo};
use qirvo_manifest::rules::ModuleProvider;

type Stamp = Option<(SystemTime, u64)>;
type Summary = Result<Arc<ModuleInfo>, ModuleError>;

/// A cache of module summaries.
#[derive(Default)]
pub struct ModuleCache {
    entries: Mutex<HashMap<PathBuf, (Stamp, Summary)>>,
}

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl ModuleCache {
    /// Forgets a module (the watcher saw it change).
    pub fn invalidate(&self, path: &Path) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(path);
    }
}

impl ModuleProvider for ModuleCache {
    fn module(&self, path: &Path) -> Result<Arc<ModuleInfo>, ModuleError> {
        let now = stamp(path);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((seen, result)) = entries.get(path)
            && *seen == now
        {
            return result.clone();
        }
        let result = ModuleInfo::from_file(path).map(Arc::new);
        // A file rewritten while it was read may be half old, half new: such a reading serves
        // this check only, and the next one (the watcher reports the write) reads it again.
        if stamp(path) == now {
            entries.insert(path.to_path_buf(), (now, result.clone()));
        } else {
            entries.remove(path);
        }
        result
    }
}
