//! The plugin manifest: its typed model, its JSON Schema, and checking a manifest text.

mod model;
mod reference;
pub mod schema;

pub use reference::reference_markdown;

pub use model::*;
