//! Code lenses "Run" and "Debug" above the manifest. The editors implement the commands
//! (`qirvo.run`, `qirvo.debug`), each taking one argument: the manifest's file system path.

use qirvo_manifest::json::Node;
use tower_lsp::lsp_types::{CodeLens, Command, Url};

use crate::analysis::Analysis;
use crate::convert;

/// Command id of "run this manifest".
pub const RUN: &str = "qirvo.run";
/// Command id of "debug this manifest".
pub const DEBUG: &str = "qirvo.debug";

/// The lenses of a manifest on disk.
pub fn lenses(uri: &Url, analysis: &Analysis) -> Vec<CodeLens> {
    let Ok(path) = uri.to_file_path() else {
        return Vec::new();
    };
    let Some(root) = analysis.root.as_ref().filter(|r| r.as_object().is_some()) else {
        return Vec::new();
    };
    let range = convert::range(&analysis.locator(), &anchor(root));
    let argument = serde_json::Value::String(path.display().to_string());
    [(RUN, "▶ Run"), (DEBUG, "Debug")]
        .into_iter()
        .map(|(command, title)| CodeLens {
            range,
            command: Some(Command {
                title: title.into(),
                command: command.into(),
                arguments: Some(vec![argument.clone()]),
            }),
            data: None,
        })
        .collect()
}

/// The root's opening brace: lenses sit above the first line.
fn anchor(root: &Node) -> std::ops::Range<usize> {
    root.span.start..root.span.start + 1
}
