//! One check of one document version: the parsed tree, the rules' output and the diagnostics as
//! the editor sees them. Every feature (diagnostics, fixes, hover, hints, lenses) reads the same
//! analysis, so a version is checked once however many requests ask about it.

use std::path::PathBuf;

use qirvo_manifest::diagnostic::Diagnostic;
use qirvo_manifest::json::{self, Node};
use qirvo_manifest::location::{Locator, Position as Offset};
use qirvo_manifest::rules::{self, CheckContext, CheckOutput, ModuleProvider};
use tower_lsp::lsp_types::{self, Position, Url};

use crate::convert;
use crate::settings::Settings;

/// The result of checking one version of a document.
pub struct Analysis {
    /// The document version checked.
    pub version: i32,
    /// The settings/module generation it was checked under.
    pub generation: u64,
    /// The text checked.
    pub text: String,
    /// The JSON tree, when the text parses far enough to have one.
    pub root: Option<Node>,
    /// Where the first JSON syntax error is, if any (formatting refuses then).
    pub syntax_error: Option<usize>,
    /// The rules' output.
    pub output: CheckOutput,
    /// The rules' diagnostics that are published (severity overrides applied, `off` removed),
    /// each with its LSP form.
    pub published: Vec<(Diagnostic, lsp_types::Diagnostic)>,
}

impl Analysis {
    /// Checks `text` as the manifest at `uri`.
    pub fn new(
        uri: &Url,
        version: i32,
        generation: u64,
        text: String,
        settings: &Settings,
        modules: &dyn ModuleProvider,
    ) -> Analysis {
        let manifest_dir = uri.to_file_path().ok().and_then(|p| p.parent().map(PathBuf::from));
        let parsed = json::parse(&text);
        let output = rules::check_parsed(
            &text,
            &parsed,
            &CheckContext {
                manifest_dir,
                limits: settings.limits,
                modules,
            },
        );
        let locator = Locator::new(&text);
        let published = output
            .diagnostics
            .iter()
            .filter_map(|d| convert::diagnostic(uri, &locator, d, settings).map(|lsp| (d.clone(), lsp)))
            .collect();
        Analysis {
            version,
            generation,
            syntax_error: parsed.diagnostics.first().map(|d| d.span.start),
            root: parsed.root,
            text,
            output,
            published,
        }
    }

    /// A locator over the checked text.
    pub fn locator(&self) -> Locator<'_> {
        Locator::new(&self.text)
    }

    /// The byte offset of an LSP position.
    pub fn offset(&self, position: Position) -> usize {
        self.locator().offset_of_utf16(Offset {
            line: position.line,
            column: position.character,
        })
    }

    /// The published diagnostics in LSP form.
    pub fn lsp_diagnostics(&self) -> Vec<lsp_types::Diagnostic> {
        self.published.iter().map(|(_, lsp)| lsp.clone()).collect()
    }

    /// An id for the pull-diagnostics protocol: equal ids mean equal diagnostics.
    pub fn result_id(&self) -> String {
        format!("{}:{}", self.version, self.generation)
    }
}
