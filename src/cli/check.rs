//! `qirvo check`: find manifests, check them with the shared rules, print the diagnostics.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use qirvo_manifest::diagnostic::Severity;
use qirvo_manifest::rules::{self, CheckContext, CheckOutput};

use super::render;

#[derive(Args)]
pub struct CheckArgs {
    /// Manifest files, or directories to search for `manifest.json` and `*.qirvo.json`.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style messages with source snippets.
    Human,
    /// One JSON document, for tools.
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// A checked manifest.
pub struct Checked {
    pub path: PathBuf,
    pub text: String,
    pub output: CheckOutput,
}

/// Directories never searched: build output and dependencies.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", ".git"];

/// Whether a file name is a manifest's.
pub fn is_manifest_name(name: &str) -> bool {
    name == "manifest.json" || name.ends_with(".qirvo.json")
}

fn find_manifests(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_ref()) {
                find_manifests(&path, found)?;
            }
        } else if is_manifest_name(&name) {
            found.push(path);
        }
    }
    Ok(())
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let mut manifests = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            let before = manifests.len();
            if let Err(error) = find_manifests(path, &mut manifests) {
                eprintln!("error: cannot search `{}`: {error}", path.display());
                return ExitCode::from(2);
            }
            if manifests.len() == before {
                eprintln!(
                    "error: no manifest found in `{}` (looked for manifest.json and *.qirvo.json)",
                    path.display()
                );
                return ExitCode::from(2);
            }
        } else {
            manifests.push(path.clone());
        }
    }

    let mut checked = Vec::new();
    for path in manifests {
        let text = match qirvo_manifest::manifest::read_manifest(&path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: cannot read `{}`: {error}", path.display());
                return ExitCode::from(2);
            }
        };
        let output = rules::check(&text, &CheckContext::for_file(&path));
        checked.push(Checked { path, text, output });
    }

    let mut stdout = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => render::json(&mut stdout, &checked),
        Format::Human => {
            let colour = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            render::human(&checked, colour)
        }
    };
    if written.and_then(|()| stdout.flush()).is_err() {
        return ExitCode::from(2);
    }
    let failed = checked
        .iter()
        .any(|c| c.output.diagnostics.iter().any(|d| d.severity == Severity::Error));
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
