//! `qirvo run`: load plugins, run their lifecycle, deliver events, report.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use qirvo_manifest::units;
use qirvo_runtime::runtime::cache::{CacheConfig, CodeCache};
use qirvo_runtime::runtime::events;
use qirvo_runtime::runtime::output::{RuntimeEvent, Stream};
use qirvo_runtime::runtime::{LoadError, LoadOptions, PluginInstance, PluginRuntime, RuntimeConfig};

use super::render;

#[derive(Args)]
pub struct RunArgs {
    /// Manifests of the plugins to run (several run side by side, isolated).
    #[arg(required = true)]
    pub manifests: Vec<PathBuf>,
    /// Publish an event after start: `topic=payload` (payload is usually JSON). Repeatable.
    #[arg(long = "event", value_name = "TOPIC=PAYLOAD")]
    pub events: Vec<String>,
    /// Print each plugin's metrics as JSON at the end.
    #[arg(long)]
    pub metrics: bool,
    /// Keep the plugins running this long before stopping them (e.g. `10s`, `500ms`).
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub run_for: Option<Duration>,
    /// Interval of health checks while running with `--for`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "1s")]
    pub health_interval: Duration,
    /// Compiled-code cache directory (default: the per-user cache).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile every time; do not read or write the code cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Where plugins' storage lives (default: the per-user data directory).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Also print lifecycle transitions.
    #[arg(long, short)]
    pub verbose: bool,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    units::parse_duration_text(text).map_err(|e| e.message)
}

/// Prints what plugins say: output and logs on stdout, stderr on stderr, prefixed by id.
fn printer(verbose: bool) -> Arc<dyn Fn(RuntimeEvent) + Send + Sync> {
    Arc::new(move |event| {
        let mut stdout = std::io::stdout().lock();
        let _ = match event {
            RuntimeEvent::Output {
                plugin,
                stream: Stream::Stdout,
                line,
            } => writeln!(stdout, "[{plugin}] {line}"),
            RuntimeEvent::Output {
                plugin,
                stream: Stream::Stderr,
                line,
            } => writeln!(std::io::stderr().lock(), "[{plugin}] {line}"),
            RuntimeEvent::Log { plugin, level, message } => {
                writeln!(stdout, "[{plugin}] {}: {message}", level.name())
            }
            RuntimeEvent::Notification { plugin, title, body } => {
                writeln!(stdout, "[{plugin}] notification: {title}: {body}")
            }
            RuntimeEvent::Lifecycle { plugin, state } if verbose => {
                writeln!(std::io::stderr().lock(), "qirvo: {plugin} is {state}")
            }
            RuntimeEvent::Lifecycle { .. } => Ok(()),
            RuntimeEvent::Unhealthy { plugin, reasons } => {
                writeln!(
                    std::io::stderr().lock(),
                    "qirvo: {plugin} is unhealthy: {}",
                    reasons.join("; ")
                )
            }
        };
    })
}

fn report_load_error(path: &std::path::Path, error: &LoadError) {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if let LoadError::Manifest { text, diagnostics, .. } = error {
        let _ = render::diagnostics_to_stderr(&path.display().to_string(), text, diagnostics, colour);
    }
    eprintln!("error: cannot load `{}`: {error}", path.display());
}

pub fn run(args: &RunArgs) -> ExitCode {
    let runtime = match super::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(run_async(args))
}

async fn run_async(args: &RunArgs) -> ExitCode {
    let mut config = RuntimeConfig::default_for_user();
    config.sink = printer(args.verbose);
    if args.no_cache {
        config.cache = CodeCache::disabled();
    } else if let Some(dir) = &args.cache_dir {
        config.cache = CodeCache::new(CacheConfig {
            dir: dir.clone(),
            ..CacheConfig::default_for_user()
        });
    }
    if let Some(dir) = &args.data_dir {
        config.data_dir = dir.clone();
    }
    let runtime = match PluginRuntime::new(config) {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot create the runtime: {error}");
            return ExitCode::from(2);
        }
    };

    let mut plugins: Vec<PluginInstance> = Vec::new();
    let mut failed = false;
    for path in &args.manifests {
        match runtime.load(path, LoadOptions::default()).await {
            Ok(plugin) => plugins.push(plugin),
            Err(error) => {
                report_load_error(path, &error);
                failed = true;
            }
        }
    }
    if failed {
        for plugin in plugins {
            let _ = plugin.unload().await;
        }
        return ExitCode::FAILURE;
    }

    for plugin in &mut plugins {
        if let Err(error) = plugin.start().await {
            eprintln!("error: `{}` failed to start: {error}", plugin.id());
            failed = true;
        }
    }
    for event in &args.events {
        let (topic, payload) = event.split_once('=').unwrap_or((event.as_str(), ""));
        let report = events::publish(&mut plugins, topic, payload.as_bytes()).await;
        for failure in &report.failed {
            eprintln!(
                "error: `{}` failed on event `{}`: {}",
                failure.plugin, failure.topic, failure.error
            );
            failed = true;
        }
        if report.delivered + report.failed.len() == 0 {
            eprintln!("warning: no running plugin subscribes to `{topic}`");
        }
        if report.truncated {
            eprintln!(
                "warning: event `{topic}` caused more than {} deliveries; the rest were dropped",
                events::MAX_DELIVERIES
            );
        }
    }
    if let Some(duration) = args.run_for {
        let until = tokio::time::Instant::now() + duration;
        while tokio::time::Instant::now() < until {
            let next = (tokio::time::Instant::now() + args.health_interval).min(until);
            tokio::time::sleep_until(next).await;
            for plugin in &mut plugins {
                plugin.health_check().await;
            }
        }
    }

    let mut snapshots = Vec::new();
    for plugin in plugins {
        let id = plugin.id().to_string();
        let fallback = plugin.metrics();
        match plugin.unload().await {
            Ok(metrics) => snapshots.push(metrics),
            Err(error) => {
                eprintln!("error: `{id}` failed to stop: {error}");
                snapshots.push(fallback);
                failed = true;
            }
        }
    }
    if args.metrics {
        println!("{}", serde_json::to_string_pretty(&snapshots).unwrap_or_default());
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
