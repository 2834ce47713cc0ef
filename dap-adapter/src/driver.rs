//! The tasks that run debugged code: a plugin's whole lifecycle, or a command's `_start`,
//! started once the client has said `configurationDone`.

use std::path::PathBuf;
use std::sync::Arc;

use qirvo_runtime::runtime::debug::DebugSink;
use qirvo_runtime::runtime::program::ProgramOptions;
use qirvo_runtime::runtime::{LoadOptions, PluginRuntime, events};
use tokio::sync::watch;

use crate::debuggee::Debuggee;
use crate::protocol::bodies::{OutputCategory, OutputEvent};
use crate::protocol::{Outbox, Outgoing};

/// Runs one plugin's lifecycle under the debugger once configuration is done.
pub(crate) async fn drive(
    out: Outbox,
    runtime: Arc<PluginRuntime>,
    manifest: PathBuf,
    debuggee: Arc<Debuggee>,
    mut go: watch::Receiver<bool>,
    launch_events: Vec<(String, Vec<u8>)>,
    debug: bool,
) {
    let _ = go.wait_for(|go| *go).await;
    if debuggee.is_terminating() {
        return debuggee.exited(true);
    }
    let options = LoadOptions {
        debugger: debug.then(|| debuggee.clone() as Arc<dyn DebugSink>),
    };
    let report = |text: String| {
        let _ = out.send(Outgoing::event(&OutputEvent::new(
            OutputCategory::Stderr,
            format!("{text}\n"),
        )));
    };
    let lifecycle = async {
        let mut plugin = match runtime.load(&manifest, options).await {
            Ok(plugin) => plugin,
            Err(error) => {
                report(format!("{}: {error}", manifest.display()));
                return false;
            }
        };
        let mut ok = true;
        if let Err(error) = plugin.start().await {
            report(format!("{}: {error}", debuggee.name));
            ok = false;
        }
        let mut plugins = vec![plugin];
        if ok {
            for (topic, payload) in &launch_events {
                if debuggee.is_terminating() {
                    break;
                }
                let published = events::publish(&mut plugins, topic, payload).await;
                for failure in &published.failed {
                    report(format!(
                        "{}: event `{}`: {}",
                        failure.plugin, failure.topic, failure.error
                    ));
                }
                ok &= published.failed.is_empty();
            }
        }
        if let Some(plugin) = plugins.pop() {
            if debuggee.is_terminating() {
                drop(plugin);
            } else if let Err(error) = plugin.unload().await {
                report(format!("{}: {error}", debuggee.name));
                ok = false;
            }
        }
        ok
    };
    // A terminate request drops the lifecycle wherever it is, a stop included. Biased: the
    // request also releases the stop, and the guest must not get to run first.
    let ok = tokio::select! {
        biased;
        () = debuggee.termination() => true,
        ok = lifecycle => ok,
    };
    // Ending the plugin on request is not a failure of the plugin.
    debuggee.exited(ok);
}

/// Runs a command module's `_start` under the debugger once configuration is done.
pub(crate) async fn drive_program(
    out: Outbox,
    runtime: Arc<PluginRuntime>,
    path: PathBuf,
    options: ProgramOptions,
    debuggee: Arc<Debuggee>,
    mut go: watch::Receiver<bool>,
    debug: bool,
) {
    let _ = go.wait_for(|go| *go).await;
    if debuggee.is_terminating() {
        return debuggee.exited(true);
    }
    let report = |text: String| {
        let _ = out.send(Outgoing::event(&OutputEvent::new(
            OutputCategory::Console,
            format!("{text}\n"),
        )));
    };
    let load = LoadOptions {
        debugger: debug.then(|| debuggee.clone() as Arc<dyn DebugSink>),
    };
    let mut program = match runtime.load_program(&path, options, load).await {
        Ok(program) => program,
        Err(error) => {
            report(format!("{}: {error}", path.display()));
            return debuggee.exited(false);
        }
    };
    let run = tokio::select! {
        biased;
        () = debuggee.termination() => return debuggee.exited(true),
        run = program.run() => run,
    };
    match run {
        Ok(code) => {
            report(format!("{} exited with status {code}", path.display()));
            debuggee.exited_with(code);
        }
        Err(error) => {
            report(format!("{}: {error}", path.display()));
            debuggee.exited(false);
        }
    }
}
