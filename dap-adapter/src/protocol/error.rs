//! The errors request handlers return, by cause. Each has a stable numeric [`DapError::id`] that
//! a client sees as `body.error.id` of the error response; the text (`message` and
//! `body.error.format`) is what clients show and tests compare, so it is kept as it was.
//!
//! | id | variant | |
//! |---:|---|---|
//! | 1 | `UnknownCommand` | a command this adapter does not handle |
//! | 2 | `NoCommand` | a request without a command |
//! | 3 | `Malformed` | a message that is not a request envelope |
//! | 4 | `NoType` | a message without `type` |
//! | 5 | `BadArguments` | arguments that do not decode |
//! | 6 | `TokenRequired` | a request before `launch` presented the token |
//! | 7 | `TokenMismatch` | `launch` with the wrong token |
//! | 8 | `AlreadyLaunched` | a second `launch` |
//! | 9 | `NothingToRestart` | `restart` before any launch |
//! | 10 | `InvalidLaunchConfiguration` | `restart` arguments that do not decode |
//! | 11 | `NoManifest` | a launch configuration without `manifest` or `program` |
//! | 12 | `Launch` | the plugins cannot be launched (runtime, manifest, module) |
//! | 13 | `NoSuchThread` | a thread id that is not (or no longer) there |
//! | 14 | `NotStopped` | a request that needs a stopped thread |
//! | 15 | `NotStoppedOnException` | `exceptionInfo` when the stop is not an exception |
//! | 16 | `NoStoppedPlugin` | a request that needs some stopped plugin |
//! | 17 | `NoFrames` | the stopped plugin has no frames |
//! | 18 | `NoSuchFrame` | a frame id that is not (or no longer) there |
//! | 19 | `NoSuchReference` | a `variablesReference` that is not (or no longer) there |
//! | 20 | `NoSourceForReference` | `source` without a path |
//! | 21 | `UnknownSource` | `source` for a file the modules were not built from |
//! | 22 | `CannotRead` | a file that cannot be read |
//! | 23 | `MissingSourcePath` | `setBreakpoints` without `source.path` |
//! | 24 | `NoPluginLoaded` | `disassemble` before any launch |
//! | 25 | `NotInModule` | an address outside any module |
//! | 26 | `BadAddress` | a memory reference that does not parse or overflows |
//! | 27 | `BadData` | `writeMemory` data that is not base64 |
//! | 28 | `Disassembly` | the module cannot be disassembled |
//! | 29 | `Evaluation` | an expression that does not parse |
//! | 30 | `Inspection` | a message from inspecting the plugin (reading, evaluating, assigning) |
//! | 31 | `Internal` | a panic inside the adapter |
//! | 32 | `NotJson` | a message body that is not JSON |
//!
//! Ids are never reused: a variant that goes away leaves its number behind.

use super::bodies::{ErrorResponse, Message};

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DapError {
    /// A command this adapter does not handle.
    #[error("unknown or unsupported request `{command}`")]
    UnknownCommand {
        /// The command.
        command: String,
    },
    /// A request without a command.
    #[error("the request has no command")]
    NoCommand,
    /// A message that is not a request envelope.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// A message without `type`.
    #[error("the message has no `type`")]
    NoType,
    /// Arguments that do not decode.
    #[error("invalid arguments for `{command}`: {message}")]
    BadArguments {
        /// The command.
        command: String,
        /// What serde said.
        message: String,
    },
    /// A request before `launch` presented the token.
    #[error("launch first, with the `token` that `qirvo dap --token` was given")]
    TokenRequired,
    /// `launch` with the wrong token.
    #[error("the launch configuration's `token` does not match the one `qirvo dap --token` was given")]
    TokenMismatch,
    /// A second `launch`.
    #[error("this session has already launched")]
    AlreadyLaunched,
    /// `restart` before any launch.
    #[error("there is nothing to restart: launch first")]
    NothingToRestart,
    /// `restart` arguments that do not decode.
    #[error("invalid launch configuration: {0}")]
    InvalidLaunchConfiguration(String),
    /// A launch configuration without `manifest` or `program`.
    #[error("the launch configuration names no `manifest`")]
    NoManifest,
    /// The plugins cannot be launched; the text says why (runtime, manifest diagnostics, module).
    #[error("{0}")]
    Launch(String),
    /// A thread id that is not (or no longer) there.
    #[error("no thread {thread}")]
    NoSuchThread {
        /// The thread id.
        thread: i64,
    },
    /// A request that needs a stopped thread.
    #[error("thread {thread} is not stopped")]
    NotStopped {
        /// The thread id.
        thread: i64,
    },
    /// `exceptionInfo` when the stop is not an exception.
    #[error("thread {thread} is not stopped on an exception")]
    NotStoppedOnException {
        /// The thread id.
        thread: i64,
    },
    /// A request that needs some stopped plugin.
    #[error("no plugin is stopped")]
    NoStoppedPlugin,
    /// The stopped plugin has no frames.
    #[error("the stopped plugin has no frames")]
    NoFrames,
    /// A frame id that is not (or no longer) there.
    #[error("no frame {frame}")]
    NoSuchFrame {
        /// The frame id.
        frame: i64,
    },
    /// A `variablesReference` that is not (or no longer) there.
    #[error("no variables reference {reference}")]
    NoSuchReference {
        /// The reference.
        reference: i64,
    },
    /// `source` without a path.
    #[error("no source is available for this reference")]
    NoSourceForReference,
    /// `source` for a file the loaded modules were not built from.
    #[error("`{path}` is not a source of the loaded plugins")]
    UnknownSource {
        /// The path asked for.
        path: String,
    },
    /// A file that cannot be read.
    #[error("cannot read `{path}`: {error}")]
    CannotRead {
        /// The file.
        path: String,
        /// The I/O error.
        error: String,
    },
    /// `setBreakpoints` without `source.path`.
    #[error("setBreakpoints needs `source.path`")]
    MissingSourcePath,
    /// `disassemble` before any launch.
    #[error("no plugin is loaded")]
    NoPluginLoaded,
    /// An address outside any module.
    #[error("the address is not in the module")]
    NotInModule,
    /// A memory reference that does not parse, or an offset that overflows it.
    #[error("{0}")]
    BadAddress(String),
    /// `writeMemory` data that is not base64.
    #[error("`data` is not base64: {0}")]
    BadData(String),
    /// The module cannot be disassembled.
    #[error("{0}")]
    Disassembly(String),
    /// An expression that does not parse.
    #[error("{0}")]
    Evaluation(String),
    /// A message from inspecting the plugin: reading, evaluating or assigning a value, or the
    /// plugin not answering.
    #[error("{0}")]
    Inspection(String),
    /// A message body that is not JSON (the framing was intact).
    #[error("the message is not valid JSON: {0}")]
    NotJson(String),
    /// A panic inside the adapter, contained to the request.
    #[error("internal error in the debug adapter: {panic}")]
    Internal {
        /// The panic's message.
        panic: String,
    },
}

impl DapError {
    /// The stable id (the table in the module documentation).
    pub fn id(&self) -> u32 {
        match self {
            DapError::UnknownCommand { .. } => 1,
            DapError::NoCommand => 2,
            DapError::Malformed(_) => 3,
            DapError::NoType => 4,
            DapError::BadArguments { .. } => 5,
            DapError::TokenRequired => 6,
            DapError::TokenMismatch => 7,
            DapError::AlreadyLaunched => 8,
            DapError::NothingToRestart => 9,
            DapError::InvalidLaunchConfiguration(_) => 10,
            DapError::NoManifest => 11,
            DapError::Launch(_) => 12,
            DapError::NoSuchThread { .. } => 13,
            DapError::NotStopped { .. } => 14,
            DapError::NotStoppedOnException { .. } => 15,
            DapError::NoStoppedPlugin => 16,
            DapError::NoFrames => 17,
            DapError::NoSuchFrame { .. } => 18,
            DapError::NoSuchReference { .. } => 19,
            DapError::NoSourceForReference => 20,
            DapError::UnknownSource { .. } => 21,
            DapError::CannotRead { .. } => 22,
            DapError::MissingSourcePath => 23,
            DapError::NoPluginLoaded => 24,
            DapError::NotInModule => 25,
            DapError::BadAddress(_) => 26,
            DapError::BadData(_) => 27,
            DapError::Disassembly(_) => 28,
            DapError::Evaluation(_) => 29,
            DapError::Inspection(_) => 30,
            DapError::Internal { .. } => 31,
            DapError::NotJson(_) => 32,
        }
    }

    /// Whether the user caused it (and should see it): bad input, configuration or expressions.
    /// Errors of the adapter, and requests a client makes about state that has moved on (a
    /// thread that is running again, a stale reference), are not shown.
    pub fn show_user(&self) -> bool {
        !matches!(
            self,
            DapError::Malformed(_)
                | DapError::NoType
                | DapError::NotJson(_)
                | DapError::NoSuchThread { .. }
                | DapError::NotStopped { .. }
                | DapError::NotStoppedOnException { .. }
                | DapError::NoSuchFrame { .. }
                | DapError::NoSuchReference { .. }
                | DapError::Disassembly(_)
                | DapError::Internal { .. }
        )
    }

    /// The body of the error response.
    pub fn body(&self) -> ErrorResponse {
        ErrorResponse {
            error: Some(Message {
                id: self.id(),
                format: self.to_string(),
                show_user: Some(self.show_user()),
            }),
        }
    }
}

/// Deeper layers (inspection, evaluation, the debuggee's query channel) say what went wrong in
/// words; their messages pass through unchanged.
impl From<String> for DapError {
    fn from(message: String) -> DapError {
        DapError::Inspection(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_variant() -> Vec<DapError> {
        let text = || "x".to_string();
        vec![
            DapError::UnknownCommand { command: text() },
            DapError::NoCommand,
            DapError::Malformed(text()),
            DapError::NoType,
            DapError::BadArguments {
                command: text(),
                message: text(),
            },
            DapError::TokenRequired,
            DapError::TokenMismatch,
            DapError::AlreadyLaunched,
            DapError::NothingToRestart,
            DapError::InvalidLaunchConfiguration(text()),
            DapError::NoManifest,
            DapError::Launch(text()),
            DapError::NoSuchThread { thread: 1 },
            DapError::NotStopped { thread: 1 },
            DapError::NotStoppedOnException { thread: 1 },
            DapError::NoStoppedPlugin,
            DapError::NoFrames,
            DapError::NoSuchFrame { frame: 1 },
            DapError::NoSuchReference { reference: 1 },
            DapError::NoSourceForReference,
            DapError::UnknownSource { path: text() },
            DapError::CannotRead {
                path: text(),
                error: text(),
            },
            DapError::MissingSourcePath,
            DapError::NoPluginLoaded,
            DapError::NotInModule,
            DapError::BadAddress(text()),
            DapError::BadData(text()),
            DapError::Disassembly(text()),
            DapError::Evaluation(text()),
            DapError::Inspection(text()),
            DapError::Internal { panic: text() },
            DapError::NotJson(text()),
        ]
    }

    #[test]
    fn every_id_is_unique_and_the_table_is_dense() {
        let mut ids: Vec<u32> = every_variant().iter().map(DapError::id).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "two variants share an id");
        assert_eq!(ids, (1..=count as u32).collect::<Vec<_>>());
    }

    #[test]
    fn the_documented_table_matches_the_ids() {
        let docs = include_str!("error.rs");
        for error in every_variant() {
            let name = format!("{error:?}");
            let name = name.split(|c: char| !c.is_alphanumeric()).next().unwrap();
            let row = format!("//! | {} | `{name}` |", error.id());
            assert!(docs.contains(&row), "the table lacks `{row}`");
        }
    }

    #[test]
    fn messages_are_the_texts_clients_have_always_seen() {
        assert_eq!(
            DapError::NotStopped { thread: 2 }.to_string(),
            "thread 2 is not stopped"
        );
        assert_eq!(
            DapError::BadArguments {
                command: "threads".into(),
                message: "bad".into()
            }
            .to_string(),
            "invalid arguments for `threads`: bad"
        );
        assert_eq!(
            DapError::Internal { panic: "boom".into() }.to_string(),
            "internal error in the debug adapter: boom"
        );
        assert_eq!(DapError::from("plain".to_string()).to_string(), "plain");
    }

    #[test]
    fn the_error_body_carries_id_text_and_whether_to_show_it() {
        assert_eq!(
            serde_json::to_string(&DapError::NoSuchFrame { frame: 4 }.body()).unwrap(),
            r#"{"error":{"id":18,"format":"no frame 4","showUser":false}}"#
        );
        assert_eq!(
            serde_json::to_string(&DapError::Evaluation("unexpected `)`".into()).body()).unwrap(),
            r#"{"error":{"id":29,"format":"unexpected `)`","showUser":true}}"#
        );
    }
}
