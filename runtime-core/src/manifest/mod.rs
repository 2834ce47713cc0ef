//! The plugin manifest: its typed model, its JSON Schema, and checking a manifest text.

mod model;
pub mod schema;

pub use model::*;
