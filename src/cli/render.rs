//! Rendering diagnostics: rustc-style text through `codespan-reporting`, or JSON for tools.

use std::io::Write;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config, termcolor};
use qirvo_manifest::diagnostic::{Diagnostic, Severity};
use qirvo_manifest::location::Locator;
use serde_json::{Value, json};

use super::check::Checked;

fn report(diagnostic: &Diagnostic) -> Report<()> {
    let severity = match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
        Severity::Hint => ReportSeverity::Help,
    };
    let mut labels = vec![Label::primary((), diagnostic.span.clone())];
    labels.extend(
        diagnostic
            .related
            .iter()
            .map(|related| Label::secondary((), related.span.clone()).with_message(related.message.clone())),
    );
    let mut notes = Vec::new();
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    for fix in &diagnostic.fixes {
        notes.push(format!("fix: {}", fix.title));
    }
    Report::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

fn colour_choice(colour: bool) -> termcolor::ColorChoice {
    if colour {
        termcolor::ColorChoice::Always
    } else {
        termcolor::ColorChoice::Never
    }
}

/// Prints one manifest's diagnostics to stderr (used when a plugin fails to load).
pub fn diagnostics_to_stderr(path: &str, text: &str, diagnostics: &[Diagnostic], colour: bool) -> std::io::Result<()> {
    let stream = termcolor::StandardStream::stderr(colour_choice(colour));
    let mut out = stream.lock();
    let file = SimpleFile::new(path, text);
    for diagnostic in diagnostics {
        term::emit_to_write_style(&mut out, &Config::default(), &file, &report(diagnostic))
            .map_err(|error| std::io::Error::other(error.to_string()))?;
    }
    Ok(())
}

/// Prints every diagnostic with a snippet, then a summary line.
pub fn human(checked: &[Checked], colour: bool) -> std::io::Result<()> {
    let stream = termcolor::StandardStream::stdout(colour_choice(colour));
    let mut out = stream.lock();
    let config = Config::default();
    let (mut errors, mut warnings, mut hints) = (0, 0, 0);
    for manifest in checked {
        let file = SimpleFile::new(manifest.path.display().to_string(), manifest.text.as_str());
        for diagnostic in &manifest.output.diagnostics {
            match diagnostic.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Hint => hints += 1,
            }
            term::emit_to_write_style(&mut out, &config, &file, &report(diagnostic))
                .map_err(|error| std::io::Error::other(error.to_string()))?;
        }
    }
    let summary = format!(
        "checked {}: {}, {}, {}",
        plural(checked.len(), "manifest"),
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(hints, "hint")
    );
    writeln!(out, "{summary}")
}

/// Prints one JSON document with every file's diagnostics and a summary.
pub fn json(out: &mut impl Write, checked: &[Checked]) -> std::io::Result<()> {
    let (mut errors, mut warnings, mut hints) = (0, 0, 0);
    let files: Vec<Value> = checked
        .iter()
        .map(|manifest| {
            let locator = Locator::new(&manifest.text);
            let place = |offset: usize| {
                let position = locator.chars(offset);
                (position.line + 1, position.column + 1)
            };
            let diagnostics: Vec<Value> = manifest
                .output
                .diagnostics
                .iter()
                .map(|diagnostic| {
                    match diagnostic.severity {
                        Severity::Error => errors += 1,
                        Severity::Warning => warnings += 1,
                        Severity::Hint => hints += 1,
                    }
                    let (line, column) = place(diagnostic.span.start);
                    let (end_line, end_column) = place(diagnostic.span.end);
                    let mut value = serde_json::to_value(diagnostic).unwrap_or(Value::Null);
                    if let Some(object) = value.as_object_mut() {
                        object.insert("file".into(), json!(manifest.path.display().to_string()));
                        object.insert("line".into(), json!(line));
                        object.insert("column".into(), json!(column));
                        object.insert("end_line".into(), json!(end_line));
                        object.insert("end_column".into(), json!(end_column));
                    }
                    value
                })
                .collect();
            json!({ "path": manifest.path.display().to_string(), "diagnostics": diagnostics })
        })
        .collect();
    let document = json!({
        "files": files,
        "summary": { "manifests": checked.len(), "errors": errors, "warnings": warnings, "hints": hints },
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
