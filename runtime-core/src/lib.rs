//! The Qirvo plugin runtime on wasmtime: loading a plugin from its checked manifest, linking only
//! the host functions its permissions grant, enforcing its resource limits, and driving its
//! lifecycle; shared by `qirvo run` and the debug adapter. The manifest itself (model, rules,
//! host API table) is `qirvo-manifest`.

pub mod runtime;
