//! The server's shared state and the diagnostics schedule.
//!
//! "Debounced, latest edit wins" without a fixed wait (lsp.md): an edit starts a check of its
//! document unless one is already running; a running check, when done, publishes only if its
//! version is still the newest and otherwise checks the newest version next. A burst of edits
//! therefore costs at most one check in flight plus one after it, and a single keystroke gets its
//! diagnostics as soon as one check takes.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

use qirvo_panics::contained_call;
use tower_lsp::Client;
use tower_lsp::lsp_types::{MessageType, Url};

use crate::analysis::Analysis;
use crate::documents::Documents;
use crate::module_watcher::ModuleWatcher;
use crate::modules::ModuleCache;
use crate::settings::Settings;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Everything the handlers share.
pub struct Workspace {
    /// The connection to the editor.
    pub client: Client,
    /// Open manifests.
    pub documents: Documents,
    /// Modules named by `main`, parsed once per change on disk.
    pub modules: ModuleCache,
    /// Our own watch on those modules, for clients that do not watch files for us.
    watcher: OnceLock<ModuleWatcher>,
    settings: RwLock<Settings>,
    /// Bumped whenever something besides the text changes what a check says (settings, a module
    /// on disk), so cached analyses and pull result ids go stale.
    generation: AtomicU64,
    analyses: Mutex<HashMap<Url, Arc<Analysis>>>,
    checking: Mutex<HashSet<Url>>,
    /// Checks running at once: one per core. Opening 50 manifests must not start 50 threads,
    /// each reading a module and keeping its allocator arena.
    check_slots: tokio::sync::Semaphore,
    /// The client pulls diagnostics (`textDocument/diagnostic`); then nothing is pushed.
    pub pulls_diagnostics: AtomicBool,
}

impl Workspace {
    /// An empty workspace talking to `client`.
    pub fn new(client: Client) -> Workspace {
        Workspace {
            client,
            documents: Documents::default(),
            modules: ModuleCache::default(),
            watcher: OnceLock::new(),
            settings: RwLock::default(),
            generation: AtomicU64::new(0),
            analyses: Mutex::default(),
            checking: Mutex::default(),
            check_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            ),
            pulls_diagnostics: AtomicBool::new(false),
        }
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the settings; returns whether they changed.
    pub fn set_settings(&self, settings: Settings) -> bool {
        let mut current = self.settings.write().unwrap_or_else(|p| p.into_inner());
        if *current == settings {
            return false;
        }
        *current = settings;
        self.invalidate();
        true
    }

    /// Marks every analysis stale (settings or a module changed).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The analysis of the document's current version, checking it if needed.
    pub fn analysis(&self, uri: &Url) -> Option<Arc<Analysis>> {
        let cached = lock(&self.analyses).get(uri).cloned();
        if let Some(cached) = cached
            && self.is_current(uri, &cached)
        {
            return Some(cached);
        }
        // Read the generation before the text: a change in between makes this analysis stale,
        // never a stale one current.
        let generation = self.generation.load(Ordering::SeqCst);
        let document = self.documents.get(uri)?;
        let settings = self.settings();
        let analysis = Arc::new(Analysis::new(
            uri,
            document.version,
            generation,
            document.text,
            &settings,
            &self.modules,
        ));
        if let Some(watcher) = self.watcher.get() {
            let module = analysis.output.module_path.as_deref();
            watcher.track(uri, module, || self.documents.is_open(uri));
        }
        lock(&self.analyses).insert(uri.clone(), analysis.clone());
        Some(analysis)
    }

    /// Forgets a closed document.
    pub fn close(&self, uri: &Url) {
        self.documents.close(uri);
        if let Some(watcher) = self.watcher.get() {
            watcher.untrack(uri);
        }
        lock(&self.analyses).remove(uri);
    }

    /// Watches the modules of open manifests ourselves (the client does not watch files for us).
    /// Events are handled as they come, without a fixed wait: those that pile up while a
    /// re-check is being scheduled are taken together.
    pub fn watch_modules(self: &Arc<Self>) {
        let (sender, mut events) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
        let watcher = match ModuleWatcher::start(move |paths| {
            let _ = sender.send(paths);
        }) {
            Ok(watcher) => watcher,
            Err(error) => {
                tracing::warn!(%error, "cannot watch modules: rebuilt modules are seen on the next edit");
                return;
            }
        };
        if self.watcher.set(watcher).is_err() {
            return; // already watching
        }
        let workspace = self.clone();
        tokio::spawn(async move {
            while let Some(mut paths) = events.recv().await {
                while let Ok(more) = events.try_recv() {
                    paths.extend(more);
                }
                let Some(watcher) = workspace.watcher.get() else { return };
                let changed = watcher.affected(&paths);
                if !changed.is_empty() {
                    workspace.modules_changed(&changed).await;
                }
            }
        });
    }

    /// Re-checks every open manifest after modules changed on disk.
    pub async fn modules_changed(self: &Arc<Self>, paths: &[PathBuf]) {
        for path in paths {
            self.modules.invalidate(path);
        }
        self.invalidate();
        self.recheck_all().await;
    }

    /// Whether `analysis` still describes the document as the editor has it.
    fn is_current(&self, uri: &Url, analysis: &Analysis) -> bool {
        analysis.generation == self.generation.load(Ordering::SeqCst)
            && self.documents.is_at(uri, analysis.version, &analysis.text)
    }

    /// Checks `uri` and publishes its diagnostics, coalescing with a check already running.
    pub fn schedule(self: &Arc<Self>, uri: Url) {
        if self.pulls_diagnostics.load(Ordering::SeqCst) {
            return;
        }
        if !lock(&self.checking).insert(uri.clone()) {
            return; // the running check picks up the newest version when it finishes
        }
        let workspace = self.clone();
        tokio::spawn(async move { workspace.check_until_current(uri).await });
    }

    /// Re-checks every open document (settings or a module changed).
    pub async fn recheck_all(self: &Arc<Self>) {
        if self.pulls_diagnostics.load(Ordering::SeqCst) {
            if let Err(error) = self.client.workspace_diagnostic_refresh().await {
                tracing::debug!(%error, "diagnostic refresh not accepted");
            }
            return;
        }
        for uri in self.documents.uris() {
            self.schedule(uri);
        }
    }

    async fn check_until_current(self: Arc<Self>, uri: Url) {
        loop {
            let workspace = self.clone();
            let target = uri.clone();
            // Checks are synchronous work (a large module is parsed on a change on disk): keep
            // them off the threads that read client messages.
            let Ok(_slot) = self.check_slots.acquire().await else {
                return; // closed only when the server shuts down
            };
            // A panic in the rules fails this check only (contained: the panic hook would end the
            // process otherwise).
            let check = move || contained_call(|| workspace.analysis(&target));
            let outcome = tokio::task::spawn_blocking(check)
                .await
                .map_err(|error| error.to_string())
                .and_then(|result| result);
            let analysis = match outcome {
                Ok(analysis) => analysis,
                Err(error) => {
                    tracing::error!(%error, %uri, "a check failed");
                    self.client
                        .log_message(MessageType::ERROR, format!("qirvo: checking {uri} failed: {error}"))
                        .await;
                    None
                }
            };
            if let Some(analysis) = &analysis
                && self.is_current(&uri, analysis)
            {
                self.client
                    .publish_diagnostics(uri.clone(), analysis.lsp_diagnostics(), Some(analysis.version))
                    .await;
            }
            // Decide under the lock: an edit that lands after this sees the flag cleared and
            // schedules its own check; one that landed before is picked up by the next loop.
            let mut checking = lock(&self.checking);
            let done = match &analysis {
                None => true,
                Some(analysis) => self.is_current(&uri, analysis) || !self.documents.is_open(&uri),
            };
            if done {
                checking.remove(&uri);
                return;
            }
        }
    }
}
