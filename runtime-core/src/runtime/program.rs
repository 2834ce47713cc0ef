//! Running a WASI command module (`_start`) the way `wasmtime run` does, for the debug adapter's
//! `program` launches: arguments, environment, the working directory preopened as `.`, output
//! captured like a plugin's. Only WASI is linked; Qirvo host functions need a manifest.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::Linker;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use super::instance::{CallError, PluginInstance};
use super::lifecycle::LifecycleState;
use super::limits::{CallClock, MemoryLimiter};
use super::metrics::Metrics;
use super::output::{PluginOutput, Stream};
use super::state::{HostState, PluginContext};
use super::{LoadError, LoadOptions, PluginRuntime, new_store};
use qirvo_manifest::manifest::Manifest;

/// How to run a command module.
#[derive(Debug, Clone, Default)]
pub struct ProgramOptions {
    /// Arguments after the program name.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Directory preopened as `.` (none when absent).
    pub cwd: Option<PathBuf>,
}

/// Memory a program may use: all a wasm32 module can address.
const PROGRAM_MEMORY: u64 = 4 << 30;

/// A loaded command module; [`run`](Self::run) calls `_start`.
pub struct Program {
    instance: PluginInstance,
}

impl Program {
    /// The underlying instance (for the debugger).
    pub fn instance_mut(&mut self) -> &mut PluginInstance {
        &mut self.instance
    }

    /// Runs `_start` to completion and returns the exit code (`proc_exit`, or 0).
    pub async fn run(&mut self) -> Result<i32, CallError> {
        match self.instance.call_export("_start", &[]).await {
            Ok(_) => Ok(0),
            Err(CallError::Exit { code, .. }) => Ok(code),
            Err(other) => Err(other),
        }
    }
}

impl PluginRuntime {
    /// Loads a WASI command module.
    pub async fn load_program(
        &self,
        path: &Path,
        program: ProgramOptions,
        options: LoadOptions,
    ) -> Result<Program, LoadError> {
        let wasm = qirvo_manifest::module_info::read_module(path).map_err(|error| LoadError::Read {
            path: path.to_path_buf(),
            error: error.into(),
        })?;
        let name = path
            .file_stem()
            .map_or_else(|| "program".to_string(), |s| s.to_string_lossy().into_owned());
        let (engine, module, _) = self.compile(&wasm, &options)?;
        let manifest: Manifest = serde_json::from_value(serde_json::json!({
            "manifest_version": 1,
            "id": "program",
            "name": name,
            "version": "0.0.0",
            "main": path.to_string_lossy(),
        }))
        .map_err(|e| LoadError::Sandbox(e.to_string()))?;
        let sink = self.config.sink.clone();
        let stdout = PluginOutput::new(&name, Stream::Stdout, sink.clone());
        let stderr = PluginOutput::new(&name, Stream::Stderr, sink.clone());
        let mut wasi = WasiCtxBuilder::new();
        let mut argv = vec![name.clone()];
        argv.extend(program.args.iter().cloned());
        wasi.stdout(stdout.clone()).stderr(stderr.clone()).args(&argv);
        for (key, value) in &program.env {
            wasi.env(key, value);
        }
        if let Some(cwd) = &program.cwd {
            wasi.preopened_dir(cwd, ".", FsPerms::ReadWrite)
                .map_err(|e| LoadError::Sandbox(format!("cwd `{}`: {e}", cwd.display())))?;
        }
        let metrics = Arc::new(Metrics::new(&name, PROGRAM_MEMORY));
        let context = Arc::new(PluginContext {
            id: name.clone(),
            manifest,
            metrics: metrics.clone(),
            storage: None,
            http: None,
            sink,
            stdout,
            stderr,
            loaded_at: Instant::now(),
        });
        let state = HostState::new(
            wasi.build_p1(),
            MemoryLimiter::new(PROGRAM_MEMORY, metrics.clone()),
            CallClock::new(Duration::from_secs(365 * 24 * 3600), 100),
            context,
        );
        let mut store = new_store(&engine, state, &options, &module);
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |state: &mut HostState| &mut state.wasi)
            .map_err(|e| LoadError::Instantiate(e.to_string()))?;
        let instance = linker
            .instantiate_async(&mut store, &module)
            .await
            .map_err(|e| LoadError::Instantiate(format!("{e:?}")))?;
        Ok(Program {
            instance: PluginInstance {
                store,
                instance,
                state: LifecycleState::Running,
                hooks: self.hooks.clone(),
                metrics,
                violations_seen: 0,
            },
        })
    }
}
