//! Subcommands. Each is a thin layer over `qirvo-runtime`.

pub mod check;
pub mod dap;
pub mod debug;
pub mod lsp;
mod render;
pub mod run;
pub mod schema;
