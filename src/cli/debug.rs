//! `qirvo debug`: headless debugging (see `qirvo_dap::batch`).

use std::process::ExitCode;

use clap::Args;
use qirvo_dap::batch::{self, BatchOptions};

#[derive(Args)]
pub struct DebugArgs {
    /// Manifests of the plugins to debug.
    #[arg(required = true)]
    pub manifests: Vec<String>,
    /// Breakpoint as FILE:LINE (repeatable).
    #[arg(long = "break", value_name = "FILE:LINE")]
    pub breakpoints: Vec<String>,
    /// Breakpoint on a function by name (repeatable).
    #[arg(long = "break-function", value_name = "NAME")]
    pub functions: Vec<String>,
    /// Expression to print at each stop (repeatable), e.g. `count + 1`, `shape->corner.x`,
    /// `$local0`.
    #[arg(long = "eval", value_name = "EXPR")]
    pub evaluate: Vec<String>,
    /// Lines to step over after each breakpoint stop.
    #[arg(long, default_value_t = 0)]
    pub steps: usize,
    /// Publish an event after start: `topic=payload` (repeatable).
    #[arg(long = "event", value_name = "TOPIC=PAYLOAD")]
    pub events: Vec<String>,
    /// Stop at the first instruction.
    #[arg(long)]
    pub stop_on_entry: bool,
    /// Give up after this many stops.
    #[arg(long, default_value_t = 100)]
    pub max_stops: usize,
}

pub fn run(args: &DebugArgs) -> ExitCode {
    super::dap::init_logging(None);
    let runtime = match super::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let options = BatchOptions {
        manifests: args.manifests.clone(),
        breakpoints: args.breakpoints.clone(),
        functions: args.functions.clone(),
        evaluate: args.evaluate.clone(),
        steps: args.steps,
        events: args.events.clone(),
        stop_on_entry: args.stop_on_entry,
        max_stops: args.max_stops,
    };
    let mut stdout = std::io::stdout();
    let code = runtime.block_on(batch::run(options, &mut stdout));
    runtime.shutdown_background();
    ExitCode::from(code.clamp(0, 255) as u8)
}
