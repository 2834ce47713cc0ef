//! `qirvo debug`: headless debugging (see `qirvo_dap::batch`).

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use qirvo_dap::batch::{self, BatchOptions};
use qirvo_manifest::manifest::is_wasm_module;

#[derive(Args)]
pub struct DebugArgs {
    /// Manifests of the plugins to debug, or one WASI program (a `.wasm` command module).
    #[arg(required = true, value_name = "MANIFEST|PROGRAM")]
    pub targets: Vec<String>,
    /// Arguments for a WASI program, after `--`.
    #[arg(last = true, value_name = "ARGS")]
    pub program_args: Vec<String>,
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
    // A module given where manifests go is a WASI program to run as `launch` with `program`.
    let (programs, manifests): (Vec<String>, Vec<String>) = args
        .targets
        .iter()
        .cloned()
        .partition(|target| is_wasm_module(Path::new(target)));
    let program = match (programs.as_slice(), manifests.is_empty()) {
        ([], _) => None,
        ([program], true) => Some(program.clone()),
        _ => {
            eprintln!("error: give either manifests or one WASI program (.wasm), not both or several programs");
            return ExitCode::from(2);
        }
    };
    if program.is_none() && !args.program_args.is_empty() {
        eprintln!("error: arguments after `--` are for a WASI program; plugins take events (--event)");
        return ExitCode::from(2);
    }
    let options = BatchOptions {
        manifests,
        program,
        program_args: args.program_args.clone(),
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
