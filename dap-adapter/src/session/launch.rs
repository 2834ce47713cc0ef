//! `launch` and `restart`: checking the manifests, starting the runtime with guest debugging
//! on, one [`Debuggee`] per plugin (or one WASI program), and announcing what was loaded.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use qirvo_manifest::rules::{self, CheckContext, FsModules, RuntimeLimits};
use qirvo_runtime::runtime::output::{RuntimeEvent, Stream};
use qirvo_runtime::runtime::{PluginRuntime, RuntimeConfig};
use tokio::sync::watch;

use super::{Session, Thread, ThreadState};
use crate::debuggee::Debuggee;
use crate::dwarf::{DwarfIndex, SourcePaths};
use crate::protocol::bodies::{self, OutputCategory, OutputEvent};
use crate::protocol::types::{LaunchArguments, LaunchEvent};
use crate::protocol::{DapError, Incoming, Outgoing};

impl Session {
    /// Ends the running plugins and launches again (with new arguments if the client sent
    /// them), keeping breakpoints and filters; configuration is not asked for again.
    pub(super) fn restart(&mut self, request: &Incoming) -> Result<(), DapError> {
        let arguments = request
            .arguments
            .as_ref()
            .and_then(|a| a.get("arguments").cloned())
            .or_else(|| self.last_launch.clone())
            .ok_or(DapError::NothingToRestart)?;
        let launch: LaunchArguments = serde_json::from_value(arguments.clone())
            .map_err(|e| DapError::InvalidLaunchConfiguration(e.to_string()))?;
        self.terminate_all();
        for thread in &self.threads {
            if thread.state != ThreadState::Exited {
                self.event(bodies::ThreadEvent {
                    reason: bodies::ThreadReason::Exited,
                    thread_id: thread.debuggee.thread_id,
                });
            }
        }
        self.thread_base = self.threads.iter().map(|t| t.debuggee.thread_id).max().unwrap_or(0);
        self.threads.clear();
        self.runtime = None;
        self.go = None;
        self.frame_refs.clear();
        self.variable_refs.clear();
        self.exited = false;
        self.exit_code = 0;
        self.launch(launch)?;
        self.last_launch = Some(arguments);
        // The modules may have been rebuilt: breakpoints can land on other lines now.
        self.reverify_breakpoints();
        self.apply_breakpoints();
        if let Some(go) = &self.go {
            let _ = go.send(true);
        }
        for thread in &mut self.threads {
            thread.state = ThreadState::Running;
        }
        Ok(())
    }

    /// Sources of the loaded modules that exist on this machine, each once.
    pub(super) fn loaded_sources(&self) -> Vec<bodies::Source> {
        let mut seen = BTreeSet::new();
        let mut sources = Vec::new();
        for thread in &self.threads {
            for file in thread.debuggee.index.iter().flat_map(|i| i.files()) {
                let local = thread.paths.to_local(file);
                if Path::new(&local).is_file() && seen.insert(local.clone()) {
                    sources.push(bodies::Source::at_path(local));
                }
            }
        }
        sources
    }

    /// Announces threads, modules and sources of a launch.
    pub(super) fn announce(&self) {
        for thread in &self.threads {
            self.event(bodies::ThreadEvent {
                reason: bodies::ThreadReason::Started,
                thread_id: thread.debuggee.thread_id,
            });
            self.event(bodies::ModuleEvent {
                reason: bodies::ChangeReason::New,
                module: self.module(thread),
            });
        }
        for source in self.loaded_sources() {
            self.event(bodies::LoadedSourceEvent {
                reason: bodies::ChangeReason::New,
                source,
            });
        }
    }

    pub(super) fn module(&self, thread: &Thread) -> bodies::Module {
        let status = if thread.debuggee.index.is_some() {
            "Symbols loaded."
        } else {
            "No DWARF debug information."
        };
        bodies::Module {
            id: thread.debuggee.thread_id,
            name: thread.debuggee.name.clone(),
            path: Some(thread.module_path.display().to_string()),
            symbol_status: Some(status.into()),
        }
    }

    pub(super) fn launch(&mut self, args: LaunchArguments) -> Result<(), DapError> {
        if self.runtime.is_some() {
            return Err(DapError::AlreadyLaunched);
        }
        let cwd = args
            .cwd
            .as_deref()
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
        if let Some(program) = &args.program {
            return self.launch_program(cwd.join(program), &args, cwd);
        }
        let manifests: Vec<PathBuf> = args
            .manifest
            .iter()
            .chain(args.manifests.iter())
            .map(|m| cwd.join(m))
            .collect();
        if manifests.is_empty() {
            return Err(DapError::NoManifest);
        }
        let config = self.runtime_config();
        let runtime = Arc::new(
            PluginRuntime::new(config).map_err(|e| DapError::Launch(format!("cannot create the runtime: {e}")))?,
        );
        let source_map: Vec<(String, String)> = args.source_map.into_iter().collect();
        let (go_tx, go_rx) = watch::channel(false);
        let launch_events: Vec<(String, Vec<u8>)> = args.events.iter().map(LaunchEvent::parts).collect();
        for (number, manifest) in manifests.iter().enumerate() {
            let text = qirvo_manifest::manifest::read_manifest(manifest).map_err(|e| DapError::CannotRead {
                path: manifest.display().to_string(),
                error: e.to_string(),
            })?;
            let checked = rules::check(
                &text,
                &CheckContext {
                    manifest_dir: manifest.parent().map(Path::to_path_buf),
                    limits: RuntimeLimits::default(),
                    modules: &FsModules,
                },
            );
            let errors: Vec<String> = checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| {
                    let at = qirvo_manifest::location::Locator::new(&text).chars(d.span.start);
                    format!(
                        "{}:{}:{}: error[{}]: {}",
                        manifest.display(),
                        at.line + 1,
                        at.column + 1,
                        d.code,
                        d.message
                    )
                })
                .collect();
            let (Some(parsed), Some(module_path), true) = (checked.manifest, checked.module_path, errors.is_empty())
            else {
                return Err(DapError::Launch(format!(
                    "cannot launch `{}`:\n{}",
                    manifest.display(),
                    errors.join("\n")
                )));
            };
            let bytes = std::fs::read(&module_path).map_err(|e| DapError::CannotRead {
                path: module_path.display().to_string(),
                error: e.to_string(),
            })?;
            let index = self.dwarf_index(&bytes, &parsed.id, args.no_debug);
            let thread_id = self.thread_base + number as i64 + 1;
            let debuggee = Debuggee::new(
                thread_id,
                parsed.id.clone(),
                index,
                args.stop_on_entry,
                self.events_tx.clone(),
            );
            debuggee.set_filters(self.filters);
            let paths = SourcePaths {
                source_map: source_map.clone(),
                roots: SourcePaths::roots_for(manifest),
            };
            self.threads.push(Thread {
                debuggee: debuggee.clone(),
                paths,
                state: ThreadState::Waiting,
                frames: Vec::new(),
                stop: None,
                module_path,
                disassembly: None,
            });
            tokio::spawn(crate::driver::drive(
                self.out.clone(),
                runtime.clone(),
                manifest.clone(),
                debuggee,
                go_rx.clone(),
                launch_events.clone(),
                !args.no_debug,
            ));
        }
        self.runtime = Some(runtime);
        self.go = Some(go_tx);
        self.announce();
        Ok(())
    }

    pub(super) fn runtime_config(&self) -> RuntimeConfig {
        let out = self.out.clone();
        let lifecycle = self.lifecycle.clone();
        let mut config = RuntimeConfig::default_for_user();
        config.sink = Arc::new(move |event| {
            let (category, text) = match event {
                RuntimeEvent::Output { stream, line, .. } => (
                    if stream == Stream::Stderr {
                        OutputCategory::Stderr
                    } else {
                        OutputCategory::Stdout
                    },
                    format!("{line}\n"),
                ),
                RuntimeEvent::Log { plugin, level, message } => (
                    OutputCategory::Stdout,
                    format!("[{plugin}] {}: {message}\n", level.name()),
                ),
                RuntimeEvent::Notification { plugin, title, body } => (
                    OutputCategory::Console,
                    format!("[{plugin}] notification: {title}: {body}\n"),
                ),
                RuntimeEvent::Lifecycle { plugin, state } => {
                    let text = format!("{plugin} is {state}\n");
                    lifecycle
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(plugin, state.to_string());
                    (OutputCategory::Console, text)
                }
                RuntimeEvent::Unhealthy { plugin, reasons } => (
                    OutputCategory::Console,
                    format!("{plugin} is unhealthy: {}\n", reasons.join("; ")),
                ),
            };
            let _ = out.send(Outgoing::event(&OutputEvent::new(category, text)));
        });
        config
    }

    /// The DWARF index of a module, or `None` (said on the console) when it has none.
    pub(super) fn dwarf_index(&self, bytes: &[u8], label: &str, no_debug: bool) -> Option<Arc<DwarfIndex>> {
        if no_debug {
            return None;
        }
        match DwarfIndex::from_module(bytes) {
            Ok(index) => Some(Arc::new(index)),
            Err(error) => {
                let text = format!("{label}: {error}; breakpoints cannot be set and stepping is by instruction\n");
                self.event(OutputEvent::new(OutputCategory::Console, text));
                None
            }
        }
    }

    /// `program` launches: a WASI command module run like `wasmtime run`.
    pub(super) fn launch_program(
        &mut self,
        path: PathBuf,
        args: &LaunchArguments,
        cwd: PathBuf,
    ) -> Result<(), DapError> {
        let bytes = std::fs::read(&path).map_err(|e| DapError::CannotRead {
            path: path.display().to_string(),
            error: e.to_string(),
        })?;
        qirvo_manifest::module_info::ModuleInfo::from_bytes(&bytes)
            .map_err(|e| DapError::Launch(format!("`{}` is not a wasm module: {e}", path.display())))?;
        let index = self.dwarf_index(&bytes, &path.display().to_string(), args.no_debug);
        let runtime = Arc::new(
            PluginRuntime::new(self.runtime_config())
                .map_err(|e| DapError::Launch(format!("cannot create the runtime: {e}")))?,
        );
        let name = path
            .file_stem()
            .map_or_else(|| "program".into(), |s| s.to_string_lossy().into_owned());
        let debuggee = Debuggee::new(
            self.thread_base + 1,
            name,
            index,
            args.stop_on_entry,
            self.events_tx.clone(),
        );
        debuggee.set_filters(self.filters);
        self.threads.push(Thread {
            debuggee: debuggee.clone(),
            paths: SourcePaths {
                source_map: args.source_map.clone().into_iter().collect(),
                roots: SourcePaths::roots_for(&path),
            },
            state: ThreadState::Waiting,
            frames: Vec::new(),
            stop: None,
            module_path: path.clone(),
            disassembly: None,
        });
        let (go_tx, go_rx) = watch::channel(false);
        let options = qirvo_runtime::runtime::program::ProgramOptions {
            args: args.args.clone(),
            env: args.env.clone().into_iter().collect(),
            cwd: Some(cwd),
        };
        tokio::spawn(crate::driver::drive_program(
            self.out.clone(),
            runtime.clone(),
            path,
            options,
            debuggee,
            go_rx,
            !args.no_debug,
        ));
        self.runtime = Some(runtime);
        self.go = Some(go_tx);
        self.announce();
        Ok(())
    }
}
