//! The plugin runtime on wasmtime: load a plugin from its manifest (validate → allocate →
//! link granted imports only → compile through the code cache → instantiate → initialise),
//! then drive its lifecycle under the manifest's limits.

pub mod cache;
pub mod debug;
mod engine;
pub mod events;
pub mod hooks;
mod host;
pub mod http;
mod instance;
pub mod lifecycle;
pub mod limits;
pub mod metrics;
pub mod output;
pub mod program;
pub mod state;
pub mod storage;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use wasmtime::{AsContextMut, Engine, Linker, Store};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

pub use self::engine::EPOCH_TICK;
pub use self::instance::{CallError, HealthReport, PluginInstance, WATCHDOG_MARGIN};

use self::cache::{CacheOutcome, CodeCache};
use self::debug::{DebugSink, Debugger};
use self::hooks::{HookFailure, HookPhase, Hooks};
use self::http::{HttpClient, HttpSettings};
use self::lifecycle::LifecycleState;
use self::limits::{CallClock, MemoryLimiter};
use self::metrics::Metrics;
use self::output::{EventSink, PluginOutput, RuntimeEvent, Stream};
use self::state::{HostState, PluginContext};
use self::storage::PluginStorage;
use qirvo_manifest::diagnostic::Diagnostic;
use qirvo_manifest::host_pattern::HostPattern;
use qirvo_manifest::manifest::{AccessMode, Manifest, PermissionEntry};
use qirvo_manifest::permissions::{self, Permission, PermissionName};
use qirvo_manifest::rules::{self, CheckContext, FsModules, RuntimeLimits};

/// How a runtime is set up.
#[derive(Clone)]
pub struct RuntimeConfig {
    /// Compiled-code cache.
    pub cache: CodeCache,
    /// Where plugins' storage lives (`<data_dir>/storage/<id>.redb`).
    pub data_dir: PathBuf,
    /// Maximums the manifest rules enforce.
    pub limits: RuntimeLimits,
    /// Receives output, logs, notifications and lifecycle changes.
    pub sink: EventSink,
}

impl RuntimeConfig {
    /// Per-user defaults: cache under the user's cache dir, data under
    /// `$QIRVO_DATA_DIR`, `$XDG_DATA_HOME/qirvo` or `~/.local/share/qirvo`.
    pub fn default_for_user() -> RuntimeConfig {
        let data_dir = std::env::var_os("QIRVO_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("qirvo")))
            .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".local/share/qirvo")))
            .unwrap_or_else(|| std::env::temp_dir().join("qirvo-data"));
        RuntimeConfig {
            cache: CodeCache::new(cache::CacheConfig::default_for_user()),
            data_dir,
            limits: RuntimeLimits::default(),
            sink: output::discard(),
        }
    }
}

/// Per-load choices.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Load with guest debugging and send debug events here.
    pub debugger: Option<Arc<dyn DebugSink>>,
}

/// Why a plugin did not load.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The manifest cannot be read.
    #[error("cannot read `{}`: {error}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The manifest (or the module it names) breaks the rules.
    #[error("`{}` has {} error(s)", path.display(), diagnostics.iter().filter(|d| d.is_error()).count())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// Its text, for rendering the diagnostics.
        text: String,
        /// Every diagnostic (errors and others).
        diagnostics: Vec<Diagnostic>,
    },
    /// A critical pre-load or post-load hook failed.
    #[error(transparent)]
    Hook(#[from] HookFailure),
    /// Storage could not be opened.
    #[error("cannot open the plugin's storage: {0}")]
    Storage(String),
    /// The HTTP client could not be built, or a directory not granted.
    #[error("cannot set up the sandbox: {0}")]
    Sandbox(String),
    /// Compilation failed.
    #[error("cannot compile the module: {0}")]
    Compile(String),
    /// Linking or instantiation failed.
    #[error("cannot instantiate the module: {0}")]
    Instantiate(String),
    /// `qirvo_initialize` (or the WASI `_initialize`) failed.
    #[error("initialization failed: {0}")]
    Initialize(CallError),
}

/// A store for one plugin or program: memory limiter, epoch callback, and the debugger (which
/// sees the module before instantiation, to set early breakpoints).
fn new_store(engine: &Engine, state: HostState, options: &LoadOptions, module: &wasmtime::Module) -> Store<HostState> {
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.limiter);
    install_epoch_callback(&mut store);
    if let Some(debugger) = &options.debugger {
        store.data_mut().debugger = Some(debugger.clone());
        store.set_debug_handler(Debugger(debugger.clone()));
        debugger.module_loaded(store.as_context_mut(), module);
    }
    store
}

/// At every epoch tick: let the debugger act, then apply the timeout and CPU share.
fn install_epoch_callback(store: &mut Store<HostState>) {
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut context| {
        if let Some(debugger) = context.data().debugger.clone() {
            match debugger.on_tick(context.as_context_mut()) {
                debug::TickAction::Proceed => {}
                debug::TickAction::Hold => return Ok(wasmtime::UpdateDeadline::Continue(1)),
                debug::TickAction::Terminate => return Err(debug::TerminatedByDebugger.into()),
            }
        }
        context.data_mut().clock.on_tick()
    });
}

/// The runtime: engines, cache, hooks, and the settings every plugin shares.
pub struct PluginRuntime {
    config: RuntimeConfig,
    plain: Engine,
    debug: Mutex<Option<Engine>>,
    hooks: Hooks,
}

/// Canonical permissions a manifest grants (legacy names resolved).
pub fn granted_permissions(manifest: &Manifest) -> BTreeSet<Permission> {
    manifest
        .permissions
        .iter()
        .flat_map(|entry| match permissions::resolve(entry.name()) {
            PermissionName::Canonical(p) => vec![p],
            PermissionName::Legacy(targets) => targets.to_vec(),
            PermissionName::Unknown { .. } => Vec::new(),
        })
        .collect()
}

fn allowed_hosts(manifest: &Manifest) -> Vec<HostPattern> {
    let scoped = manifest.permissions.iter().filter_map(|entry| match entry {
        PermissionEntry::Detailed(details) => details.scope.clone(),
        PermissionEntry::Name(_) => None,
    });
    manifest
        .network
        .iter()
        .map(|n| n.allowed_hosts.clone())
        .chain(scoped)
        .flatten()
        .filter_map(|pattern| HostPattern::parse(&pattern).ok())
        .collect()
}

impl PluginRuntime {
    /// Creates a runtime.
    pub fn new(config: RuntimeConfig) -> wasmtime::Result<PluginRuntime> {
        Ok(PluginRuntime {
            plain: engine::new_engine(false)?,
            debug: Mutex::new(None),
            config,
            hooks: Hooks::default(),
        })
    }

    /// The lifecycle hooks shared by every plugin of this runtime.
    pub fn hooks(&self) -> &Hooks {
        &self.hooks
    }

    /// The settings.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    fn engine(&self, debug: bool) -> wasmtime::Result<Engine> {
        if !debug {
            return Ok(self.plain.clone());
        }
        let mut slot = self.debug.lock().unwrap_or_else(|p| p.into_inner());
        match &*slot {
            Some(engine) => Ok(engine.clone()),
            None => {
                let engine = engine::new_engine(true)?;
                *slot = Some(engine.clone());
                Ok(engine)
            }
        }
    }

    /// Compiles (or loads from the cache) for the plain or the guest-debug engine.
    fn compile(
        &self,
        wasm: &[u8],
        options: &LoadOptions,
    ) -> Result<(Engine, wasmtime::Module, CacheOutcome), LoadError> {
        let debug = options.debugger.is_some();
        let engine = self.engine(debug).map_err(|e| LoadError::Compile(e.to_string()))?;
        let (module, outcome) = self
            .config
            .cache
            .load(&engine, wasm, debug)
            .map_err(|e| LoadError::Compile(format!("{e:?}")))?;
        Ok((engine, module, outcome))
    }

    fn emit_state(&self, plugin: &str, state: LifecycleState) {
        (self.config.sink)(RuntimeEvent::Lifecycle {
            plugin: plugin.to_string(),
            state,
        });
    }

    /// Loads the plugin a manifest describes and runs `qirvo_initialize`.
    pub async fn load(&self, manifest_path: &Path, options: LoadOptions) -> Result<PluginInstance, LoadError> {
        let began = Instant::now();
        let read = |error| LoadError::Read {
            path: manifest_path.to_path_buf(),
            error,
        };
        let text = qirvo_manifest::manifest::read_manifest(manifest_path).map_err(read)?;
        let manifest_dir = manifest_path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let checked = rules::check(
            &text,
            &CheckContext {
                manifest_dir: Some(manifest_dir.clone()),
                limits: self.config.limits,
                modules: &FsModules,
            },
        );
        let (Some(manifest), Some(module_path), false) = (
            checked.manifest,
            checked.module_path.clone(),
            checked.diagnostics.iter().any(Diagnostic::is_error),
        ) else {
            return Err(LoadError::Manifest {
                path: manifest_path.to_path_buf(),
                text,
                diagnostics: checked.diagnostics,
            });
        };
        let id = manifest.id.clone();
        self.emit_state(&id, LifecycleState::Initializing);
        self.hooks.run(HookPhase::PreLoad, &id)?;

        let wasm = qirvo_manifest::module_info::read_module(&module_path).map_err(|error| LoadError::Read {
            path: module_path.clone(),
            error: error.into(),
        })?;
        let (engine, module, outcome) = self.compile(&wasm, &options)?;

        let granted = granted_permissions(&manifest);
        let resources = manifest.resources.clone();
        let metrics = Arc::new(Metrics::new(&id, resources.memory_bytes()));
        let storage = if granted.contains(&Permission::StorageRead) || granted.contains(&Permission::StorageWrite) {
            let path = self.config.data_dir.join("storage").join(format!("{id}.redb"));
            let store =
                PluginStorage::open(&path, resources.storage_bytes()).map_err(|e| LoadError::Storage(e.to_string()))?;
            let used = store.used_bytes().unwrap_or(0);
            metrics.update(|m| m.storage_bytes = used);
            Some(store)
        } else {
            None
        };
        let http = if granted.contains(&Permission::NetworkAccess) {
            let settings = HttpSettings {
                allowed_hosts: allowed_hosts(&manifest),
                max_connections: resources.max_connections(),
                bandwidth: resources.bandwidth_bytes_per_second(),
                timeout: manifest
                    .network
                    .as_ref()
                    .and_then(|n| n.timeout)
                    .map_or(qirvo_manifest::manifest::defaults::HTTP_TIMEOUT, |t| t.0),
                max_buffered: usize::try_from(resources.memory_bytes())
                    .unwrap_or(usize::MAX)
                    .min(http::MAX_HTTP_BUFFERED),
            };
            Some(HttpClient::new(settings, metrics.clone()).map_err(|e| LoadError::Sandbox(e.to_string()))?)
        } else {
            None
        };

        let sink = self.config.sink.clone();
        let stdout = PluginOutput::new(&id, Stream::Stdout, sink.clone());
        let stderr = PluginOutput::new(&id, Stream::Stderr, sink.clone());
        let mut wasi = WasiCtxBuilder::new();
        wasi.stdout(stdout.clone()).stderr(stderr.clone()).args(&[id.as_str()]);
        if granted.contains(&Permission::FilesystemAccess) {
            // The rules refused escapes already; resolving again here covers what changed on
            // disk since, and preopening the canonical path pins where the plugin lands.
            let folder = std::fs::canonicalize(&manifest_dir)
                .map_err(|e| LoadError::Sandbox(format!("the plugin's folder `{}`: {e}", manifest_dir.display())))?;
            for directory in manifest.filesystem.iter().flat_map(|f| &f.directories) {
                let read_write = directory.mode == AccessMode::ReadWrite;
                let host =
                    qirvo_manifest::paths::prepare_grant(&folder, &directory.path, read_write).map_err(|message| {
                        tracing::warn!(plugin = %id, %message, "granted directory refused");
                        LoadError::Sandbox(message)
                    })?;
                let guest = directory
                    .guest
                    .clone()
                    .unwrap_or_else(|| format!("/{}", directory.path.trim_start_matches("./")));
                let perms = match directory.mode {
                    AccessMode::ReadOnly => FsPerms::ReadOnly,
                    AccessMode::ReadWrite => FsPerms::ReadWrite,
                };
                wasi.preopened_dir(&host, &guest, perms)
                    .map_err(|e| LoadError::Sandbox(format!("directory `{}`: {e}", directory.path)))?;
            }
        }
        let plugin = Arc::new(PluginContext {
            id: id.clone(),
            manifest,
            metrics: metrics.clone(),
            storage,
            http,
            sink,
            stdout,
            stderr,
            loaded_at: Instant::now(),
        });
        let state = HostState::new(
            wasi.build_p1(),
            MemoryLimiter::new(resources.memory_bytes(), metrics.clone()),
            CallClock::new(resources.timeout(), resources.cpu_percent()),
            plugin,
        );
        let mut store = new_store(&engine, state, &options, &module);
        let mut linker = Linker::new(&engine);
        host::link(&mut linker, |p| granted.contains(&p)).map_err(|e| LoadError::Instantiate(e.to_string()))?;
        store.set_epoch_deadline(1);
        let instance = linker
            .instantiate_async(&mut store, &module)
            .await
            .map_err(|e| LoadError::Instantiate(format!("{e:?}")))?;
        let mut plugin = PluginInstance {
            store,
            instance,
            state: LifecycleState::Initializing,
            hooks: self.hooks.clone(),
            metrics: metrics.clone(),
            violations_seen: 0,
        };
        // WASI reactors run their constructors in `_initialize` before anything else.
        if plugin.instance.get_func(&mut plugin.store, "_initialize").is_some()
            && let Err(error) = plugin.call("_initialize", &[]).await
        {
            return Err(LoadError::Initialize(error));
        }
        if let Err(error) = plugin.lifecycle_call("qirvo_initialize").await {
            metrics.error("initialize");
            self.emit_state(&id, LifecycleState::Error);
            return Err(LoadError::Initialize(error));
        }
        plugin
            .set_state(LifecycleState::Initialized, "load")
            .map_err(|e| LoadError::Initialize(e.into()))?;
        metrics.update(|m| m.loaded_from_cache = outcome == CacheOutcome::Hit);
        metrics.duration(|m, ms| m.initialization_ms = ms, began.elapsed());
        if let Err(failure) = self.hooks.run(HookPhase::PostLoad, &id) {
            let _ = plugin.unload().await;
            return Err(failure.into());
        }
        Ok(plugin)
    }
}
