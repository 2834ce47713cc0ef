//! Arguments of the requests this adapter handles, in the DAP's camelCase. Unknown fields are
//! ignored; every optional field is optional here too.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// Arguments of requests that take none.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

/// `initialize`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeArguments {
    /// Client name, for logs.
    pub client_id: Option<String>,
    /// Whether lines start at 1 (default true).
    pub lines_start_at1: Option<bool>,
    /// Whether columns start at 1 (default true).
    pub columns_start_at1: Option<bool>,
}

/// An event to publish during a launch.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum LaunchEvent {
    /// `"topic=payload"`.
    Text(String),
    /// `{ "topic": ..., "payload": ... }` (a non-string payload is sent as JSON).
    Object {
        /// Topic.
        topic: String,
        /// Payload.
        #[serde(default)]
        payload: Value,
    },
}

impl LaunchEvent {
    /// Topic and payload bytes.
    pub fn parts(&self) -> (String, Vec<u8>) {
        match self {
            LaunchEvent::Text(text) => {
                let (topic, payload) = text.split_once('=').unwrap_or((text.as_str(), ""));
                (topic.to_string(), payload.as_bytes().to_vec())
            }
            LaunchEvent::Object { topic, payload } => {
                let bytes = match payload {
                    Value::String(text) => text.as_bytes().to_vec(),
                    Value::Null => Vec::new(),
                    other => other.to_string().into_bytes(),
                };
                (topic.clone(), bytes)
            }
        }
    }
}

/// `launch`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchArguments {
    /// A plugin manifest.
    pub manifest: Option<String>,
    /// Several manifests: one thread per plugin.
    #[serde(default)]
    pub manifests: Vec<String>,
    /// A WASI command module (runs `_start`).
    pub program: Option<String>,
    /// Arguments for `program`.
    #[serde(default)]
    pub args: Vec<String>,
    /// Environment for `program`.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Working directory for relative paths.
    pub cwd: Option<String>,
    /// Stop at the first instruction.
    #[serde(default)]
    pub stop_on_entry: bool,
    /// Events published after start.
    #[serde(default)]
    pub events: Vec<LaunchEvent>,
    /// DWARF path prefix → local path prefix.
    #[serde(default)]
    pub source_map: BTreeMap<String, String>,
    /// Run without debugging.
    #[serde(default)]
    pub no_debug: bool,
}

/// A source reference.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// Display name.
    pub name: Option<String>,
    /// Path.
    pub path: Option<String>,
    /// Reference for sources without a path.
    pub source_reference: Option<i64>,
}

/// One requested breakpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceBreakpoint {
    /// Line.
    pub line: u32,
    /// Column.
    pub column: Option<u32>,
    /// Condition: the breakpoint stops only when it holds.
    pub condition: Option<String>,
    /// Hit condition.
    pub hit_condition: Option<String>,
    /// Log message.
    pub log_message: Option<String>,
}

/// `setBreakpoints`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetBreakpointsArguments {
    /// The file.
    pub source: Source,
    /// The breakpoints (replacing all in the file).
    #[serde(default)]
    pub breakpoints: Option<Vec<SourceBreakpoint>>,
    /// The deprecated form, used only when `breakpoints` is absent (VS Code sends both).
    #[serde(default)]
    pub lines: Vec<u32>,
}

/// A function breakpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct FunctionBreakpoint {
    /// Function name (demangled, or a suffix of it).
    pub name: String,
}

/// `setFunctionBreakpoints`.
#[derive(Debug, Deserialize)]
pub struct SetFunctionBreakpointsArguments {
    /// The breakpoints (replacing all).
    #[serde(default)]
    pub breakpoints: Vec<FunctionBreakpoint>,
}

/// `setExceptionBreakpoints`.
#[derive(Debug, Deserialize)]
pub struct SetExceptionBreakpointsArguments {
    /// Enabled filter ids.
    #[serde(default)]
    pub filters: Vec<String>,
}

/// Requests that name a thread.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadArguments {
    /// Thread id.
    pub thread_id: i64,
    /// Steps: `statement`/`line` (the default) or `instruction`.
    #[serde(default)]
    pub granularity: Option<String>,
}

/// `stackTrace`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackTraceArguments {
    /// Thread id.
    pub thread_id: i64,
    /// First frame.
    pub start_frame: Option<usize>,
    /// How many (0 or absent = all).
    pub levels: Option<usize>,
}

/// `scopes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopesArguments {
    /// Frame id.
    pub frame_id: i64,
}

/// `variables`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariablesArguments {
    /// Reference from a scope or variable.
    pub variables_reference: i64,
    /// `indexed` or `named` (both when absent).
    #[serde(default)]
    pub filter: Option<String>,
    /// First child to return (paging).
    #[serde(default)]
    pub start: Option<u64>,
    /// How many children to return (0 or absent: all).
    #[serde(default)]
    pub count: Option<u64>,
    /// How values are written (`hex`).
    #[serde(default)]
    pub format: Option<ValueFormat>,
}

/// DAP `ValueFormat`: how numbers in values are written.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueFormat {
    /// Integers in hexadecimal.
    #[serde(default)]
    pub hex: Option<bool>,
}

impl ValueFormat {
    /// The radix a request's `format` asks for (decimal when absent).
    pub fn radix(format: Option<ValueFormat>) -> crate::values::Radix {
        match format.and_then(|f| f.hex) {
            Some(true) => crate::values::Radix::Hex,
            _ => crate::values::Radix::Decimal,
        }
    }
}

/// `disconnect`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectArguments {
    /// Whether to end the plugins (always true for launched plugins).
    pub terminate_debuggee: Option<bool>,
}

/// `source`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceArguments {
    /// The source.
    pub source: Option<Source>,
    /// Its reference.
    #[serde(default)]
    pub source_reference: i64,
}

/// `readMemory`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadMemoryArguments {
    /// Where: a `memoryReference` from a variable (`0x…`).
    pub memory_reference: String,
    /// Byte offset from the reference (may be negative).
    #[serde(default)]
    pub offset: i64,
    /// How many bytes.
    pub count: u64,
}

/// `writeMemory`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteMemoryArguments {
    /// Where: a `memoryReference` from a variable (`0x…`).
    pub memory_reference: String,
    /// Byte offset from the reference (may be negative).
    #[serde(default)]
    pub offset: i64,
    /// Write what fits when part of the range is outside memory.
    #[serde(default)]
    pub allow_partial: bool,
    /// The bytes, base64.
    pub data: String,
}

/// `evaluate`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluateArguments {
    /// The expression.
    pub expression: String,
    /// The frame to evaluate in (the top frame of the first stopped plugin when absent).
    #[serde(default)]
    pub frame_id: Option<i64>,
    /// `watch`, `repl`, `hover`, `clipboard`, `variables`.
    #[serde(default)]
    pub context: Option<String>,
    /// How the result is written (`hex`).
    #[serde(default)]
    pub format: Option<ValueFormat>,
}

/// `completions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionsArguments {
    /// The frame whose names complete.
    #[serde(default)]
    pub frame_id: Option<i64>,
    /// The Debug Console input: several lines when the user typed Shift+Enter.
    pub text: String,
    /// Cursor column in the cursor's line (1-based by default).
    pub column: i64,
    /// Cursor line in `text` (1-based by default); the first when absent.
    #[serde(default)]
    pub line: Option<i64>,
}

/// `setVariable`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetVariableArguments {
    /// The container (scope or value) the variable is in.
    pub variables_reference: i64,
    /// The variable's name in that container.
    pub name: String,
    /// The new value, as an expression.
    pub value: String,
}

/// `disassemble`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisassembleArguments {
    /// Where: an `instructionPointerReference` (`0x…`, a module offset).
    pub memory_reference: String,
    /// Byte offset from the reference.
    #[serde(default)]
    pub offset: i64,
    /// Instructions to skip from there (negative: before it).
    #[serde(default)]
    pub instruction_offset: i64,
    /// How many instructions to return.
    pub instruction_count: i64,
}

/// A `memoryReference` or `instructionPointerReference`: an address this adapter handed out as
/// `0x…` (decimal is accepted too, as some clients send typed-in addresses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryReference(pub u64);

impl MemoryReference {
    /// Reads a reference a client sent back.
    pub fn parse(text: &str) -> Result<MemoryReference, String> {
        let trimmed = text.trim();
        match trimmed.strip_prefix("0x").or_else(|| trimmed.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => trimmed.parse(),
        }
        .map(MemoryReference)
        .map_err(|_| format!("`{text}` is not a memory reference (expected an address such as 0x1f40)"))
    }

    /// The address `offset` bytes from this one.
    pub fn offset_by(self, offset: i64) -> Result<u64, String> {
        self.0
            .checked_add_signed(offset)
            .ok_or_else(|| format!("{self} + {offset} is outside the address space"))
    }
}

impl std::fmt::Display for MemoryReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_references_parse_hex_and_decimal_and_never_overflow() {
        assert_eq!(MemoryReference::parse("0x1f40"), Ok(MemoryReference(0x1f40)));
        assert_eq!(MemoryReference::parse(" 8000 "), Ok(MemoryReference(8000)));
        assert!(MemoryReference::parse("0x").is_err());
        assert!(MemoryReference::parse("“0x10”").is_err());
        assert_eq!(MemoryReference(16).offset_by(-16), Ok(0));
        assert!(MemoryReference(16).offset_by(-17).is_err());
        assert!(MemoryReference(u64::MAX).offset_by(i64::MAX).is_err());
        assert_eq!(MemoryReference(255).to_string(), "0xff");
    }
}
