//! The Qirvo plugin manifest: parsing that keeps every span, the rules that turn a manifest (and
//! the module it names) into diagnostics, the host API table (which import needs which
//! permission), the JSON Schema and the reference generated from the same types.
//!
//! This crate knows nothing of wasmtime, tokio or the network: the runtime (`qirvo-runtime`),
//! the language server and the CLI all check manifests through it, so one rule set serves all
//! three, and the language server builds without the runtime.

pub mod codes;
pub mod diagnostic;
pub mod host_api;
pub mod host_pattern;
pub mod json;
pub mod location;
pub mod manifest;
pub mod module_info;
pub mod paths;
pub mod permissions;
pub mod rules;
pub mod units;

mod suggest;
