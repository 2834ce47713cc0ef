//! Diagnostics produced by the manifest rules.
//!
//! One [`Diagnostic`] type serves every front end: `qirvo check` renders it like rustc, the
//! runtime refuses to load on any error, and the language server turns it into an LSP
//! diagnostic with quick fixes. Spans are byte ranges into the manifest text.

use std::ops::Range;

use serde::Serialize;

pub use crate::codes::Code;

/// How serious a diagnostic is. Only [`Severity::Error`] prevents a plugin from loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A hint: the manifest works, but something is superfluous or could be simpler.
    Hint,
    /// A warning: the manifest loads, but something is probably not what the author meant.
    Warning,
    /// An error: the runtime refuses to load the plugin.
    Error,
}

impl Severity {
    /// The lowercase name used in human and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Extra meaning an editor can render (greyed-out or struck-through text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    /// The marked text can be removed without changing behaviour.
    Unnecessary,
    /// The marked text uses a deprecated spelling.
    Deprecated,
}

/// One replacement of a byte range of the manifest text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    /// Byte range to replace (empty for an insertion).
    pub span: Range<usize>,
    /// Text to put in its place.
    pub new_text: String,
}

/// A machine-applicable fix: a title for the editor's menu and the edits that make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, e.g. "Add `network-access` to permissions".
    pub title: String,
    /// The edits, non-overlapping, in any order.
    pub edits: Vec<TextEdit>,
}

impl Fix {
    /// A fix made of a single replacement.
    pub fn replace(title: impl Into<String>, span: Range<usize>, new_text: impl Into<String>) -> Self {
        Fix {
            title: title.into(),
            edits: vec![TextEdit {
                span,
                new_text: new_text.into(),
            }],
        }
    }

    /// Applies the fix to `text`, returning the new text. Edits that fall outside `text` or
    /// off a character boundary are skipped, so a stale fix can never panic.
    pub fn apply(&self, text: &str) -> String {
        let mut edits: Vec<&TextEdit> = self.edits.iter().collect();
        edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
        let mut out = text.to_string();
        for edit in edits {
            let Range { start, end } = edit.span;
            if start <= end && end <= out.len() && out.is_char_boundary(start) && out.is_char_boundary(end) {
                out.replace_range(start..end, &edit.new_text);
            }
        }
        out
    }
}

/// A secondary location that explains a diagnostic (e.g. the first of two duplicates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Byte range in the same manifest.
    pub span: Range<usize>,
    /// What this location has to do with the diagnostic.
    pub message: String,
}

/// A problem found in a manifest, located by byte span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code such as `Q0201`; see [`Code`].
    pub code: Code,
    /// Severity; defaults to the code's own severity.
    pub severity: Severity,
    /// Byte range of the offending text.
    pub span: Range<usize>,
    /// One sentence that names the field, the value and what is wrong.
    pub message: String,
    /// Secondary locations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// Machine-applicable fixes, best first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
    /// Editor tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// A short extra line shown under the snippet (e.g. "help: ...").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            span,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
            tags: Vec::new(),
            help: None,
        }
    }

    /// Overrides the severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// Adds a related location.
    pub fn with_related(mut self, span: Range<usize>, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds an editor tag.
    pub fn with_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic prevents loading.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
