//! The Qirvo plugin runtime: manifest parsing and rules, the host API table, and the
//! wasmtime-based runtime that `qirvo run`, the debug adapter and the language server share.

pub mod codes;
pub mod diagnostic;
pub mod host_api;
pub mod host_pattern;
pub mod json;
pub mod location;
pub mod manifest;
pub mod module_info;
pub mod panics;
pub mod paths;
pub mod permissions;
pub mod rules;
pub mod runtime;
pub mod units;

mod suggest;
