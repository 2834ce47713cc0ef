//! From qirvo-manifest's diagnostics and fixes to LSP's, with UTF-16 positions.

use std::collections::HashMap;
use std::ops::Range as ByteRange;

use qirvo_manifest::diagnostic::{Diagnostic, Severity, Tag};
use qirvo_manifest::location::Locator;
use tower_lsp::lsp_types::{
    self, CodeAction, CodeActionKind, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, Position, Range, TextEdit, Url, WorkspaceEdit,
};

use crate::settings::{Override, Settings};

/// A byte range as an LSP range.
pub fn range(locator: &Locator, span: &ByteRange<usize>) -> Range {
    let start = locator.utf16(span.start);
    let end = locator.utf16(span.end);
    Range::new(
        Position::new(start.line, start.column),
        Position::new(end.line, end.column),
    )
}

/// One diagnostic for the editor, or `None` when the settings turn its code off.
pub fn diagnostic(
    uri: &Url,
    locator: &Locator,
    diagnostic: &Diagnostic,
    settings: &Settings,
) -> Option<lsp_types::Diagnostic> {
    let severity = match settings.severity.get(&diagnostic.code) {
        Some(Override::Off) => return None,
        Some(Override::Severity(severity)) => *severity,
        None => match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Hint => DiagnosticSeverity::HINT,
        },
    };
    let tags: Vec<DiagnosticTag> = diagnostic
        .tags
        .iter()
        .map(|tag| match tag {
            Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => DiagnosticTag::DEPRECATED,
        })
        .collect();
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .map(|related| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range(locator, &related.span)),
            message: related.message.clone(),
        })
        .collect();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\n{help}"));
    }
    Some(lsp_types::Diagnostic {
        range: range(locator, &diagnostic.span),
        severity: Some(severity),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        code_description: None,
        source: Some("qirvo".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: None,
    })
}

/// The quick fixes of the published diagnostics that touch `wanted`.
pub fn code_actions(
    uri: &Url,
    locator: &Locator,
    diagnostics: &[(Diagnostic, lsp_types::Diagnostic)],
    wanted: Range,
) -> Vec<CodeAction> {
    let overlaps = |r: &Range| r.start <= wanted.end && wanted.start <= r.end;
    let mut actions = Vec::new();
    for (item, lsp) in diagnostics {
        if !overlaps(&lsp.range) {
            continue;
        }
        for (index, fix) in item.fixes.iter().enumerate() {
            let edits: Vec<TextEdit> = fix
                .edits
                .iter()
                .map(|edit| TextEdit::new(range(locator, &edit.span), edit.new_text.clone()))
                .collect();
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(index == 0),
                ..CodeAction::default()
            });
        }
    }
    actions
}
