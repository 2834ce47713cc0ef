//! The plugin manifest: its typed model, its JSON Schema, and checking a manifest text.

mod file;
mod model;
mod reference;
pub mod schema;

pub use file::{MAX_MANIFEST_BYTES, is_wasm_module, read_manifest};
pub use reference::reference_markdown;

pub use model::*;
