//! The manifest rules: from a manifest text (and the module it names) to diagnostics.
//!
//! [`check`] is what `qirvo check`, the runtime's load step and the language server all call,
//! so a problem gets the same code and message everywhere. Rules walk the spanned JSON tree and
//! report one diagnostic per cause, on the text that is wrong.

mod access;
pub mod edits;
mod identity;
mod module;
mod permissions;
mod resources;
mod shape;

pub use identity::is_valid_id;
pub use module::{MAX_TOPIC_BYTES, is_valid_topic};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::json::{self, Node, Span};
use crate::manifest::Manifest;
use crate::module_info::{ModuleError, ModuleInfo};
use crate::permissions::Permission;

/// The largest values the runtime accepts. The language server lets users lower or raise
/// them through its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeLimits {
    /// Largest `resources.memory` (wasm32 cannot address more than 4GB).
    pub max_memory: u64,
    /// Largest `resources.timeout`.
    pub max_timeout: Duration,
    /// Largest `resources.storage`.
    pub max_storage: u64,
    /// Largest `resources.max_connections`.
    pub max_connections: u32,
}

impl Default for RuntimeLimits {
    fn default() -> Self {
        RuntimeLimits {
            max_memory: 4 << 30,
            max_timeout: Duration::from_secs(600),
            max_storage: 1 << 30,
            max_connections: 256,
        }
    }
}

/// Where the rules get the module that `main` names. The CLI reads files; the language server
/// caches parsed modules and re-reads one only when it changes on disk.
pub trait ModuleProvider: Sync {
    /// Summarises the module at `path`.
    fn module(&self, path: &Path) -> Result<Arc<ModuleInfo>, ModuleError>;
}

/// Reads modules from the file system on every call.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsModules;

impl ModuleProvider for FsModules {
    fn module(&self, path: &Path) -> Result<Arc<ModuleInfo>, ModuleError> {
        ModuleInfo::from_file(path).map(Arc::new)
    }
}

/// Everything a check needs besides the text.
pub struct CheckContext<'a> {
    /// Directory `main` and filesystem paths are relative to; `None` skips the module checks.
    pub manifest_dir: Option<PathBuf>,
    /// Runtime maximums.
    pub limits: RuntimeLimits,
    /// Module source.
    pub modules: &'a dyn ModuleProvider,
}

impl CheckContext<'static> {
    /// A context for a manifest file on disk, reading its module from disk.
    pub fn for_file(manifest_path: &Path) -> Self {
        CheckContext {
            manifest_dir: Some(manifest_path.parent().unwrap_or(Path::new(".")).to_path_buf()),
            limits: RuntimeLimits::default(),
            modules: &FsModules,
        }
    }
}

/// The outcome of checking a manifest.
#[derive(Debug, Clone)]
pub struct CheckOutput {
    /// Every problem, ordered by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The typed manifest, when there is no error.
    pub manifest: Option<Manifest>,
    /// The module `main` names, when it could be read.
    pub module: Option<Arc<ModuleInfo>>,
    /// The resolved path of the module.
    pub module_path: Option<PathBuf>,
}

impl CheckOutput {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// What the rules share while checking one document.
struct Checker<'a> {
    text: &'a str,
    root: &'a Node,
    context: &'a CheckContext<'a>,
    diagnostics: Vec<Diagnostic>,
    /// Whether the text is valid JSON. Recovery drops broken members, so "missing field"
    /// would only repeat the syntax error.
    valid_json: bool,
    /// Canonical permissions granted, with the span of the entry that grants each.
    granted: BTreeMap<Permission, Span>,
    module: Option<Arc<ModuleInfo>>,
    module_path: Option<PathBuf>,
    /// "Did you mean" searches left: past a few hundred unknown names, more suggestions help
    /// nobody, and each costs a comparison with every known name.
    suggestions_left: usize,
}

/// "Did you mean" searches per check.
const MAX_SUGGESTIONS: usize = 500;

impl<'a> Checker<'a> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The known name closest to `input`, while the check's budget of searches lasts.
    fn suggest<'n>(&mut self, input: &str, names: impl IntoIterator<Item = &'n str>) -> Option<&'n str> {
        self.suggestions_left = self.suggestions_left.checked_sub(1)?;
        crate::suggest::closest(input, names)
    }

    /// The root member `key` (canonical name or one of its accepted aliases).
    fn field(&self, key: &str) -> Option<&'a json::Member> {
        let aliases = identity::aliases_of(key);
        self.root
            .as_object()?
            .iter()
            .find(|member| member.key == key || aliases.contains(&member.key.as_str()))
    }

    /// The value of root member `key`, if present.
    fn value(&self, key: &str) -> Option<&'a Node> {
        self.field(key).map(|member| &member.value)
    }

    /// The span that stands for the whole manifest: its opening brace.
    fn root_anchor(&self) -> Span {
        self.root.span.start..self.root.span.start + 1
    }
}

/// Checks a manifest text.
pub fn check(text: &str, context: &CheckContext) -> CheckOutput {
    check_parsed(text, &json::parse(text), context)
}

/// Checks a manifest text that the caller has parsed already (the language server keeps the
/// tree for hover, symbols and formatting).
pub fn check_parsed(text: &str, parsed: &json::Parsed, context: &CheckContext) -> CheckOutput {
    let valid_json = parsed.is_valid_json();
    let mut diagnostics = parsed.diagnostics.clone();
    let Some(root) = &parsed.root else {
        return CheckOutput {
            diagnostics,
            manifest: None,
            module: None,
            module_path: None,
        };
    };
    if root.as_object().is_none() {
        diagnostics.push(Diagnostic::new(
            crate::codes::Code::RootNotObject,
            root.span.clone(),
            format!(
                "the manifest must be a JSON object, found {}",
                root.kind().with_article()
            ),
        ));
        return CheckOutput {
            diagnostics,
            manifest: None,
            module: None,
            module_path: None,
        };
    }
    let mut checker = Checker {
        text,
        root,
        context,
        diagnostics,
        valid_json,
        granted: BTreeMap::new(),
        module: None,
        module_path: None,
        suggestions_left: MAX_SUGGESTIONS,
    };
    shape::check(&mut checker);
    identity::check(&mut checker);
    permissions::check(&mut checker);
    resources::check(&mut checker);
    access::check(&mut checker);
    module::check(&mut checker);

    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diagnostics.dedup();
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let manifest = if has_errors {
        None
    } else {
        serde_json::from_value::<Manifest>(root.to_json()).ok()
    };
    CheckOutput {
        diagnostics,
        manifest,
        module: checker.module,
        module_path: checker.module_path,
    }
}
