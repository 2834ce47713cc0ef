//! The host API table: every function a plugin may import, the permission that unlocks it, its
//! wasm signature and a one-line doc. This is the single source for the linker (which links only
//! what the manifest grants), the manifest rules (which compare a module's imports with its
//! permissions) and the language server (hover and completion).
//!
//! # ABI
//! Strings and byte buffers go to the host as `(ptr: i32, len: i32)` into the plugin's memory.
//! Functions that return data return an `i64`: a non-negative value packs a buffer the host
//! allocated through the plugin's `qirvo_alloc` export as `(ptr << 32) | len`; a negative value is
//! an [`ErrorCode`], and `last_error` returns the message. Functions without data return an
//! `i32`: 0 on success, a negative [`ErrorCode`] on failure.

use crate::permissions::Permission;

/// The import module of Qirvo's own host functions.
pub const QIRVO_MODULE: &str = "qirvo";
/// The import module of WASI preview 1.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// A wasm value type, as the table spells signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
}

impl ValType {
    /// The wasm text-format name.
    pub fn name(self) -> &'static str {
        match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
        }
    }
}

/// A function type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types.
    pub results: &'static [ValType],
}

impl std::fmt::Display for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |types: &[ValType]| types.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
        write!(f, "({}) -> ({})", list(self.params), list(self.results))
    }
}

/// When the runtime links a host function into a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linking {
    /// Every plugin gets it.
    Always,
    /// Linked only when the manifest grants the permission; otherwise the import is refused.
    WithPermission(Permission),
    /// Always linked, but it reaches nothing unless the permission is granted (WASI path
    /// functions see only the directories that `filesystem-access` preopens). Importing it
    /// counts as using the permission.
    GatedAtRuntime(Permission),
    /// The permission exists, but this host cannot provide the function.
    Unavailable(Permission),
}

impl Linking {
    /// The permission this function is about, if any.
    pub fn permission(self) -> Option<Permission> {
        match self {
            Linking::Always => None,
            Linking::WithPermission(p) | Linking::GatedAtRuntime(p) | Linking::Unavailable(p) => Some(p),
        }
    }
}

/// One importable host function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostFunction {
    /// Import module name.
    pub module: &'static str,
    /// Import field name.
    pub name: &'static str,
    /// Its type; `None` for WASI functions, whose types wasmtime checks at link time.
    pub signature: Option<Signature>,
    /// When it is linked.
    pub linking: Linking,
    /// One line for hover and error messages.
    pub doc: &'static str,
}

/// Error codes host functions return (as negative numbers) to the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorCode {
    /// The key, setting or resource does not exist.
    NotFound = -1,
    /// The manifest does not allow this (e.g. a host outside `allowed_hosts`).
    Denied = -2,
    /// A resource limit was hit (storage quota, connections, bandwidth).
    LimitExceeded = -3,
    /// An argument was malformed (bad UTF-8, bad JSON, pointer outside memory).
    InvalidArgument = -4,
    /// The operation failed in the host (I/O error, network error).
    Failed = -5,
    /// The operation took longer than allowed.
    Timeout = -6,
    /// This host does not offer the function.
    Unsupported = -7,
}

use ValType::{I32, I64};

const fn sig(params: &'static [ValType], results: &'static [ValType]) -> Option<Signature> {
    Some(Signature { params, results })
}

const fn qirvo(name: &'static str, signature: Option<Signature>, linking: Linking, doc: &'static str) -> HostFunction {
    HostFunction {
        module: QIRVO_MODULE,
        name,
        signature,
        linking,
        doc,
    }
}

const fn wasi(name: &'static str, linking: Linking, doc: &'static str) -> HostFunction {
    HostFunction {
        module: WASI_MODULE,
        name,
        signature: None,
        linking,
        doc,
    }
}

use Linking::{Always, GatedAtRuntime, Unavailable, WithPermission};
use Permission as P;

/// Every host function, Qirvo's first, then WASI preview 1.
pub const HOST_FUNCTIONS: &[HostFunction] = &[
    qirvo(
        "log",
        sig(&[I32, I32, I32], &[]),
        Always,
        "Write a log line: (level 0=trace..4=error, ptr, len).",
    ),
    qirvo(
        "now_ms",
        sig(&[], &[I64]),
        Always,
        "Wall-clock time in milliseconds since the Unix epoch.",
    ),
    qirvo(
        "monotonic_ns",
        sig(&[], &[I64]),
        Always,
        "Monotonic time in nanoseconds since the plugin was loaded.",
    ),
    qirvo(
        "config_get",
        sig(&[I32, I32], &[I64]),
        Always,
        "Read a `config` value by key, as JSON.",
    ),
    qirvo(
        "last_error",
        sig(&[], &[I64]),
        Always,
        "The message of the last failed host call.",
    ),
    qirvo(
        "event_publish",
        sig(&[I32, I32, I32, I32], &[I32]),
        Always,
        "Publish a JSON payload to an event topic.",
    ),
    qirvo(
        "storage_get",
        sig(&[I32, I32], &[I64]),
        WithPermission(P::StorageRead),
        "Read a value from the plugin's storage.",
    ),
    qirvo(
        "storage_list",
        sig(&[I32, I32], &[I64]),
        WithPermission(P::StorageRead),
        "List storage keys with a prefix, as a JSON array.",
    ),
    qirvo(
        "storage_set",
        sig(&[I32, I32, I32, I32], &[I32]),
        WithPermission(P::StorageWrite),
        "Write a value to the plugin's storage (counted against `resources.storage`).",
    ),
    qirvo(
        "storage_delete",
        sig(&[I32, I32], &[I32]),
        WithPermission(P::StorageWrite),
        "Delete a key from the plugin's storage.",
    ),
    qirvo(
        "http_request",
        sig(&[I32, I32], &[I64]),
        WithPermission(P::NetworkAccess),
        "Send an HTTP request (JSON) to an allowed host and wait; returns the response as JSON.",
    ),
    qirvo(
        "http_send",
        sig(&[I32, I32], &[I64]),
        WithPermission(P::NetworkAccess),
        "Start an HTTP request (JSON) without waiting; returns a request id for `http_wait`.",
    ),
    qirvo(
        "http_wait",
        sig(&[I64], &[I64]),
        WithPermission(P::NetworkAccess),
        "Wait for a request started by `http_send`; returns the response as JSON.",
    ),
    qirvo(
        "notify",
        sig(&[I32, I32, I32, I32], &[I32]),
        WithPermission(P::Notifications),
        "Show a notification: (title, body).",
    ),
    qirvo(
        "clipboard_read",
        sig(&[], &[I64]),
        Unavailable(P::ClipboardRead),
        "Read the clipboard.",
    ),
    qirvo(
        "clipboard_write",
        sig(&[I32, I32], &[I32]),
        Unavailable(P::ClipboardWrite),
        "Write text to the clipboard.",
    ),
    qirvo(
        "geolocation_get",
        sig(&[], &[I64]),
        Unavailable(P::Geolocation),
        "Read the user's location.",
    ),
    qirvo(
        "camera_capture",
        sig(&[], &[I64]),
        Unavailable(P::Camera),
        "Capture a camera image.",
    ),
    qirvo(
        "microphone_record",
        sig(&[I32], &[I64]),
        Unavailable(P::Microphone),
        "Record audio for a number of milliseconds.",
    ),
    qirvo(
        "calendar_events",
        sig(&[I32, I32], &[I64]),
        Unavailable(P::Calendar),
        "Query calendar events.",
    ),
    qirvo(
        "contacts_list",
        sig(&[I32, I32], &[I64]),
        Unavailable(P::Contacts),
        "Query contacts.",
    ),
    wasi("args_get", Always, "WASI: command-line arguments."),
    wasi("args_sizes_get", Always, "WASI: sizes of the command-line arguments."),
    wasi("environ_get", Always, "WASI: environment variables."),
    wasi("environ_sizes_get", Always, "WASI: sizes of the environment variables."),
    wasi("clock_res_get", Always, "WASI: clock resolution."),
    wasi("clock_time_get", Always, "WASI: current time."),
    wasi("fd_advise", Always, "WASI: file access advice."),
    wasi("fd_allocate", Always, "WASI: allocate file space."),
    wasi("fd_close", Always, "WASI: close a descriptor."),
    wasi("fd_datasync", Always, "WASI: sync file data."),
    wasi("fd_fdstat_get", Always, "WASI: descriptor attributes."),
    wasi("fd_fdstat_set_flags", Always, "WASI: set descriptor flags."),
    wasi("fd_fdstat_set_rights", Always, "WASI: reduce descriptor rights."),
    wasi("fd_filestat_get", Always, "WASI: file attributes."),
    wasi("fd_filestat_set_size", Always, "WASI: truncate or extend a file."),
    wasi("fd_filestat_set_times", Always, "WASI: set file times."),
    wasi("fd_pread", Always, "WASI: read at an offset."),
    wasi("fd_prestat_get", Always, "WASI: describe a preopened directory."),
    wasi("fd_prestat_dir_name", Always, "WASI: name of a preopened directory."),
    wasi("fd_pwrite", Always, "WASI: write at an offset."),
    wasi("fd_read", Always, "WASI: read (stdin is empty for plugins)."),
    wasi("fd_readdir", Always, "WASI: read directory entries."),
    wasi("fd_renumber", Always, "WASI: renumber a descriptor."),
    wasi("fd_seek", Always, "WASI: move the file offset."),
    wasi("fd_sync", Always, "WASI: sync a file."),
    wasi("fd_tell", Always, "WASI: current file offset."),
    wasi(
        "fd_write",
        Always,
        "WASI: write (stdout and stderr are captured as plugin output).",
    ),
    wasi(
        "path_create_directory",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: create a directory in a granted directory.",
    ),
    wasi(
        "path_filestat_get",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: attributes of a path in a granted directory.",
    ),
    wasi(
        "path_filestat_set_times",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: set times of a path in a granted directory.",
    ),
    wasi(
        "path_link",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: hard-link within granted directories.",
    ),
    wasi(
        "path_open",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: open a file in a granted directory.",
    ),
    wasi(
        "path_readlink",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: read a symbolic link in a granted directory.",
    ),
    wasi(
        "path_remove_directory",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: remove a directory in a granted directory.",
    ),
    wasi(
        "path_rename",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: rename within granted directories.",
    ),
    wasi(
        "path_symlink",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: create a symbolic link in a granted directory.",
    ),
    wasi(
        "path_unlink_file",
        GatedAtRuntime(P::FilesystemAccess),
        "WASI: delete a file in a granted directory.",
    ),
    wasi("poll_oneoff", Always, "WASI: wait for clocks or descriptors."),
    wasi("proc_exit", Always, "WASI: end the current call with an exit code."),
    wasi("proc_raise", Always, "WASI: raise a signal (traps)."),
    wasi("sched_yield", Always, "WASI: yield."),
    wasi("random_get", Always, "WASI: random bytes."),
    wasi(
        "sock_accept",
        Always,
        "WASI: accept on a socket (plugins get no sockets; use `http_request`).",
    ),
    wasi("sock_recv", Always, "WASI: receive (plugins get no sockets)."),
    wasi("sock_send", Always, "WASI: send (plugins get no sockets)."),
    wasi(
        "sock_shutdown",
        Always,
        "WASI: shut a socket down (plugins get no sockets).",
    ),
];

/// Looks up an import by module and name.
pub fn lookup(module: &str, name: &str) -> Option<&'static HostFunction> {
    HOST_FUNCTIONS.iter().find(|f| f.module == module && f.name == name)
}

/// The host functions a permission unlocks (for hover and docs).
pub fn functions_for(permission: Permission) -> impl Iterator<Item = &'static HostFunction> {
    HOST_FUNCTIONS
        .iter()
        .filter(move |f| f.linking.permission() == Some(permission))
}

/// Whether a module may import `function` given the granted permissions.
pub fn is_linked(function: &HostFunction, granted: impl Fn(Permission) -> bool) -> bool {
    match function.linking {
        Linking::Always | Linking::GatedAtRuntime(_) => true,
        Linking::WithPermission(permission) => granted(permission),
        Linking::Unavailable(_) => false,
    }
}

/// A function the plugin exports for the host to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginExport {
    /// Export name.
    pub name: &'static str,
    /// Its type.
    pub signature: Signature,
    /// Whether every plugin must export it.
    pub required: bool,
    /// What the host uses it for.
    pub doc: &'static str,
}

/// Name of the memory every plugin exports.
pub const MEMORY_EXPORT: &str = "memory";
/// Name of the allocator export the host uses to hand buffers to the plugin.
pub const ALLOC_EXPORT: &str = "qirvo_alloc";
/// Name of the event handler export.
pub const ON_EVENT_EXPORT: &str = "qirvo_on_event";

/// The plugin's side of the ABI. Entry points return 0 on success and anything else on failure.
pub const PLUGIN_EXPORTS: &[PluginExport] = &[
    PluginExport {
        name: "qirvo_initialize",
        signature: Signature {
            params: &[],
            results: &[I32],
        },
        required: true,
        doc: "Called once after loading; read `config` here.",
    },
    PluginExport {
        name: "qirvo_start",
        signature: Signature {
            params: &[],
            results: &[I32],
        },
        required: true,
        doc: "Called when the plugin starts running.",
    },
    PluginExport {
        name: "qirvo_stop",
        signature: Signature {
            params: &[],
            results: &[I32],
        },
        required: true,
        doc: "Called when the plugin is stopped.",
    },
    PluginExport {
        name: "qirvo_health_check",
        signature: Signature {
            params: &[],
            results: &[I32],
        },
        required: false,
        doc: "Called by periodic health checks; non-zero means unhealthy.",
    },
    PluginExport {
        name: ON_EVENT_EXPORT,
        signature: Signature {
            params: &[I32, I32, I32, I32],
            results: &[I32],
        },
        required: false,
        doc: "Receives subscribed events: (topic ptr, topic len, payload ptr, payload len).",
    },
    PluginExport {
        name: ALLOC_EXPORT,
        signature: Signature {
            params: &[I32],
            results: &[I32],
        },
        required: false,
        doc: "Allocates a buffer of the given size for data the host passes in; needed when the module imports a function that returns data or exports `qirvo_on_event`.",
    },
];

/// Whether calling `function` makes the host write into plugin memory through `qirvo_alloc`.
pub fn returns_buffer(function: &HostFunction) -> bool {
    function.module == QIRVO_MODULE
        && function.signature.is_some_and(|s| s.results == [I64])
        && !matches!(function.name, "now_ms" | "monotonic_ns" | "http_send")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for function in HOST_FUNCTIONS {
            assert!(seen.insert((function.module, function.name)), "{}", function.name);
        }
    }

    #[test]
    fn every_offered_permission_unlocks_something_and_no_other_does() {
        for permission in Permission::ALL {
            let functions: Vec<_> = functions_for(*permission).collect();
            assert!(!functions.is_empty(), "{permission} unlocks nothing");
            let offered = functions.iter().any(|f| !matches!(f.linking, Linking::Unavailable(_)));
            assert_eq!(offered, permission.is_offered_by_wasm_runtime(), "{permission}");
        }
    }
}
