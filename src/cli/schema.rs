//! `qirvo schema`: the manifest JSON Schema, generated from the same types the runtime reads.

use std::io::Write;
use std::process::ExitCode;

/// Prints the schema to stdout.
pub fn run() -> ExitCode {
    let schema = qirvo_manifest::manifest::schema::manifest_schema();
    let text = serde_json::to_string_pretty(schema).unwrap_or_default();
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}
