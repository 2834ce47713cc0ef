//! Server-side watching of the modules that open manifests name, for clients that do not watch
//! files for us (Neovim up to 0.11 offers no dynamic registration of
//! `workspace/didChangeWatchedFiles`; lsp.md). Only those modules are watched, through their
//! folders (non-recursively): builds often replace the file (rename over it, or remove and link),
//! which would end a watch on the file itself. A folder that does not exist yet (`target/…`
//! before the first build) is waited for from its nearest existing ancestor.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tower_lsp::lsp_types::Url;

/// A module one open manifest names.
struct Watched {
    /// As the rules resolved it (the module cache's key).
    path: PathBuf,
    /// With `.`/`..` removed and its folder's symbolic links resolved, as events name it.
    resolved: PathBuf,
}

struct State {
    watcher: RecommendedWatcher,
    modules: HashMap<Url, Watched>,
    folders: HashSet<PathBuf>,
}

/// Watches the modules of open manifests.
pub struct ModuleWatcher {
    state: Mutex<State>,
}

/// Whether an event can mean new module contents. Opening a file is an event too (the check's
/// own read of the module would otherwise trigger the next check, forever).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

fn lexically_normal(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    normal.push(component);
                }
            }
            other => normal.push(other),
        }
    }
    normal
}

/// `path` as watch events name it: its deepest existing ancestor canonicalized, the rest as is.
fn resolve(path: &Path) -> PathBuf {
    let normal = lexically_normal(path);
    let (Some(folder), Some(name)) = (normal.parent(), normal.file_name()) else {
        return normal;
    };
    let mut existing = folder;
    let mut missing = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let folder = missing.iter().rev().fold(real, |path, part| path.join(part));
            return folder.join(name);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(part)) => {
                missing.push(part);
                existing = parent;
            }
            _ => return normal,
        }
    }
}

/// The folder to watch for `module`: its own, or while that is missing its nearest existing
/// ancestor.
fn folder_for(module: &Path) -> Option<PathBuf> {
    module
        .ancestors()
        .skip(1)
        .find(|folder| folder.is_dir())
        .map(Path::to_path_buf)
}

impl State {
    /// Watches exactly the folders the tracked modules need.
    fn sync(&mut self) {
        for module in self.modules.values_mut() {
            module.resolved = resolve(&module.path);
        }
        let mut watching = self.folders.clone();
        let mut wanted = HashSet::new();
        for module in self.modules.values() {
            // A folder created between choosing the folder and watching it would go unseen:
            // choose again after each new watch until the choice holds.
            let mut chosen = None;
            while let Some(folder) = folder_for(&module.resolved) {
                if chosen.as_ref() == Some(&folder) {
                    break;
                }
                if !watching.contains(&folder) {
                    if let Err(error) = self.watcher.watch(&folder, RecursiveMode::NonRecursive) {
                        tracing::debug!(%error, folder = %folder.display(), "cannot watch");
                        break;
                    }
                    watching.insert(folder.clone());
                }
                chosen = Some(folder);
            }
            wanted.extend(chosen);
        }
        for folder in watching.difference(&wanted) {
            // Fails when the folder is gone, which ended its watch anyway.
            let _ = self.watcher.unwatch(folder);
        }
        self.folders = wanted;
    }
}

impl ModuleWatcher {
    /// Starts a watcher; `changed` gets the paths of each event that may change a file (called
    /// on the watcher's own thread: it must not block).
    pub fn start(changed: impl Fn(Vec<PathBuf>) + Send + 'static) -> notify::Result<ModuleWatcher> {
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| match event {
            Ok(event) if is_change(&event.kind) => changed(event.paths),
            Ok(_) => {}
            Err(error) => tracing::debug!(%error, "file watch error"),
        })?;
        Ok(ModuleWatcher {
            state: Mutex::new(State {
                watcher,
                modules: HashMap::new(),
                folders: HashSet::new(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Watches the module `uri` names now (`None`: none). `still_open` is asked under the
    /// watcher's lock, which `untrack` takes too, so a check that finishes after its manifest
    /// closed does not watch its module again.
    pub fn track(&self, uri: &Url, module: Option<&Path>, still_open: impl FnOnce() -> bool) {
        let mut state = self.lock();
        if state.modules.get(uri).map(|m| m.path.as_path()) == module {
            return;
        }
        match module {
            Some(path) if still_open() => {
                let watched = Watched {
                    path: path.to_path_buf(),
                    resolved: resolve(path),
                };
                state.modules.insert(uri.clone(), watched);
            }
            _ => {
                state.modules.remove(uri);
            }
        }
        state.sync();
    }

    /// Stops watching the module of a closed manifest.
    pub fn untrack(&self, uri: &Url) {
        let mut state = self.lock();
        if state.modules.remove(uri).is_some() {
            state.sync();
        }
    }

    /// The modules (as the module cache names them) that events on `paths` may have changed.
    /// An event on a folder on the way to a module (created, removed, renamed) re-chooses the
    /// folders to watch, and counts as a change: the module may have appeared with it.
    pub fn affected(&self, paths: &[PathBuf]) -> Vec<PathBuf> {
        let mut state = self.lock();
        let mut affected = Vec::new();
        let mut folders_changed = false;
        for module in state.modules.values() {
            let on_module = paths.contains(&module.resolved);
            let on_the_way = paths
                .iter()
                .any(|path| *path != module.resolved && module.resolved.starts_with(path));
            folders_changed |= on_the_way;
            if (on_module || on_the_way) && !affected.contains(&module.path) {
                affected.push(module.path.clone());
            }
        }
        if folders_changed {
            state.sync();
        }
        affected
    }

    #[cfg(test)]
    fn folders(&self) -> HashSet<PathBuf> {
        self.lock().folders.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use super::*;

    fn uri(name: &str) -> Url {
        Url::parse(&format!("file:///manifests/{name}/manifest.json")).unwrap()
    }

    fn watcher() -> (ModuleWatcher, mpsc::Receiver<Vec<PathBuf>>) {
        let (sender, events) = mpsc::channel();
        let watcher = ModuleWatcher::start(move |paths| {
            let _ = sender.send(paths);
        })
        .unwrap();
        (watcher, events)
    }

    /// Handles events until one affects `module` (a write may take several events).
    fn wait_until_affected(watcher: &ModuleWatcher, events: &mpsc::Receiver<Vec<PathBuf>>, module: &Path) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let paths = events.recv_timeout(left).expect("an event in time");
            if watcher.affected(&paths).iter().any(|path| path == module) {
                return;
            }
        }
    }

    #[test]
    fn folders_of_open_manifests_are_watched_until_they_close() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let (watcher, _events) = watcher();
        let module = dir.path().join("./plugin.wasm");
        watcher.track(&uri("a"), Some(&module), || true);
        watcher.track(&uri("b"), Some(&dir.path().join("sub/../plugin.wasm")), || true);
        assert_eq!(watcher.folders(), HashSet::from([root.clone()]), "one watch per folder");
        watcher.untrack(&uri("a"));
        assert_eq!(watcher.folders(), HashSet::from([root.clone()]));
        watcher.track(&uri("b"), None, || true);
        assert!(watcher.folders().is_empty(), "`main` no longer names a module");
        watcher.track(&uri("c"), Some(&module), || false);
        assert!(watcher.folders().is_empty(), "closed while its check ran");
    }

    #[test]
    fn a_module_written_or_replaced_on_disk_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("plugin.wasm");
        std::fs::write(&module, b"old").unwrap();
        let (watcher, events) = watcher();
        watcher.track(&uri("a"), Some(&module), || true);
        std::fs::write(dir.path().join("other.txt"), b"unrelated").unwrap();
        std::fs::write(&module, b"new").unwrap();
        wait_until_affected(&watcher, &events, &module);
        // Replaced by a rename, as linkers and `cargo` do.
        let renamed = dir.path().join("renamed.wasm");
        watcher.track(&uri("b"), Some(&renamed), || true);
        let staged = dir.path().join("renamed.wasm.tmp");
        std::fs::write(&staged, b"newer").unwrap();
        std::fs::rename(&staged, &renamed).unwrap();
        wait_until_affected(&watcher, &events, &renamed);
    }

    #[test]
    fn a_module_in_a_folder_that_does_not_exist_yet_is_seen_when_built() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let module = dir.path().join("target/wasm32-wasip1/release/plugin.wasm");
        let (watcher, events) = watcher();
        watcher.track(&uri("a"), Some(&module), || true);
        assert_eq!(watcher.folders(), HashSet::from([root.clone()]));
        std::fs::create_dir_all(module.parent().unwrap()).unwrap();
        std::fs::write(&module, b"built").unwrap();
        wait_until_affected(&watcher, &events, &module);
        // Events on the folders created on the way move the watch down to the module's folder.
        let release = HashSet::from([root.join("target/wasm32-wasip1/release")]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while watcher.folders() != release {
            let left = deadline.saturating_duration_since(Instant::now());
            let paths = events
                .recv_timeout(left)
                .expect("the module's folder is watched in time");
            watcher.affected(&paths);
        }
    }
}
