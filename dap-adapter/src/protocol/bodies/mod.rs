//! The bodies of the responses and events this adapter sends, as serde types in the DAP's
//! spelling: every key is checked by the compiler and by the golden tests (`tests.rs`) instead of
//! being typed into a `json!` literal. Names and fields follow the DAP specification
//! (<https://microsoft.github.io/debug-adapter-protocol/specification>); only what the adapter
//! sends is modelled, and every field the specification makes optional is left out when unset.
//!
//! Responses are here; events are in `events.rs`. Handlers return these and the session turns
//! them into the envelope's `body` in one place ([`to_body`]).

mod events;
#[cfg(test)]
mod tests;

pub use events::*;

use serde::Serialize;
use serde_json::Value;

/// A body as the envelope carries it. Serialising these types cannot fail (no maps with
/// non-string keys, no floats that are not finite): `Null` would only hide a bug the golden
/// tests catch.
pub fn to_body(body: &impl Serialize) -> Value {
    serde_json::to_value(body).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------------------
// Shared types

/// A `Source`: a source file the debuggee was built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The short name shown in the UI (the file name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The path of the source as the client can open it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// If > 0 the content is retrieved through the `source` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_reference: Option<i64>,
}

impl Source {
    /// A source on disk, named by its file name.
    pub fn at_path(path: String) -> Source {
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        Source {
            name,
            path: Some(path),
            source_reference: None,
        }
    }
}

/// A `Message`: the structured error of an `ErrorResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Unique (within this adapter) identifier of the message (see `DapError::id`).
    pub id: u32,
    /// The text shown; `{name}` placeholders would be replaced from `variables`.
    pub format: String,
    /// Whether the client should show the message to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_user: Option<bool>,
}

/// The body of an `ErrorResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorResponse {
    /// The error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Message>,
}

// ---------------------------------------------------------------------------------------------
// initialize

/// An `ExceptionBreakpointsFilter` offered in the capabilities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionBreakpointsFilter {
    /// The id passed back in `setExceptionBreakpoints`.
    pub filter: String,
    /// The name shown in the UI.
    pub label: String,
    /// A help text shown on hover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the filter is enabled by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// Whether a condition may be set for this filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_condition: Option<bool>,
}

/// `Capabilities`: the body of the `initialize` response (and of a `capabilities` event).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// The adapter supports the `configurationDone` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_configuration_done_request: Option<bool>,
    /// The adapter supports function breakpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_function_breakpoints: Option<bool>,
    /// The adapter supports the `exceptionInfo` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_exception_info_request: Option<bool>,
    /// The adapter supports the `terminate` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_terminate_request: Option<bool>,
    /// The adapter supports the `loadedSources` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_loaded_sources_request: Option<bool>,
    /// The adapter supports the `modules` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_modules_request: Option<bool>,
    /// The adapter supports `startFrame` and `levels` in `stackTrace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_delayed_stack_trace_loading: Option<bool>,
    /// The adapter supports the `readMemory` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_read_memory_request: Option<bool>,
    /// The adapter supports the `writeMemory` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_write_memory_request: Option<bool>,
    /// The adapter supports conditional breakpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_conditional_breakpoints: Option<bool>,
    /// The adapter supports breakpoints that break after a number of hits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_hit_conditional_breakpoints: Option<bool>,
    /// The adapter supports log points (`logMessage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_log_points: Option<bool>,
    /// The adapter supports `evaluate` for data hovers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_evaluate_for_hovers: Option<bool>,
    /// The adapter supports the `completions` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_completions_request: Option<bool>,
    /// The adapter supports setting a variable to a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_set_variable: Option<bool>,
    /// The adapter supports the `setExpression` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_set_expression: Option<bool>,
    /// The adapter supports the `restart` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_restart_request: Option<bool>,
    /// The adapter supports `granularity` on stepping requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_stepping_granularity: Option<bool>,
    /// The adapter supports the `disassemble` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_disassemble_request: Option<bool>,
    /// Whether `variables`, `evaluate` and friends take a `format` (`hex`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_value_formatting_options: Option<bool>,
    /// The adapter supports the `gotoTargets` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_goto_targets_request: Option<bool>,
    /// The adapter supports the `stepInTargets` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_step_in_targets_request: Option<bool>,
    /// The adapter supports the `cancel` request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_cancel_request: Option<bool>,
    /// The exception filters `setExceptionBreakpoints` accepts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exception_breakpoint_filters: Vec<ExceptionBreakpointsFilter>,
}

// ---------------------------------------------------------------------------------------------
// threads, stackTrace, scopes, variables

/// A `Thread`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thread {
    /// Unique identifier for the thread.
    pub id: i64,
    /// The name of the thread.
    pub name: String,
}

/// The `threads` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadsResponse {
    /// All threads.
    pub threads: Vec<Thread>,
}

/// How a stack frame is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StackFramePresentationHint {
    /// Shown as usual.
    Normal,
    /// A label (a separator), not a frame.
    Label,
    /// De-emphasised (no source to show).
    Subtle,
}

/// A `StackFrame`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackFrame {
    /// Identifier for the frame, unique across all threads, valid while stopped.
    pub id: i64,
    /// The name of the frame, typically a function name.
    pub name: String,
    /// The source of the frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The line within the source (0 when there is no source).
    pub line: u32,
    /// Start position of the range covered by the frame (0 when there is no source).
    pub column: u32,
    /// A memory reference for the current instruction pointer in this frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction_pointer_reference: Option<String>,
    /// How the UI shows the frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<StackFramePresentationHint>,
}

/// The `stackTrace` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackTraceResponse {
    /// The frames of the stack (innermost first).
    pub stack_frames: Vec<StackFrame>,
    /// The total number of frames available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_frames: Option<usize>,
}

/// What a scope holds, for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ScopePresentationHint {
    /// The function's arguments.
    Arguments,
    /// The function's local variables.
    Locals,
    /// Registers (here: wasm locals, globals and the operand stack).
    Registers,
    /// The return value of the last call.
    ReturnValue,
}

/// A `Scope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Name of the scope, shown as is.
    pub name: String,
    /// What the scope holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<ScopePresentationHint>,
    /// The reference that `variables` expands.
    pub variables_reference: i64,
    /// The number of named variables (paging), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_variables: Option<u64>,
    /// The number of indexed variables (paging), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_variables: Option<u64>,
    /// Whether retrieving the variables is expensive.
    pub expensive: bool,
}

/// The `scopes` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopesResponse {
    /// The scopes of the frame.
    pub scopes: Vec<Scope>,
}

/// The kind of a variable, for its icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum VariableKind {
    /// A property.
    Property,
    /// A method.
    Method,
    /// A class.
    Class,
    /// Data.
    Data,
    /// An event.
    Event,
    /// A base class.
    BaseClass,
    /// An inner class.
    InnerClass,
    /// An interface.
    Interface,
    /// The most derived class.
    MostDerivedClass,
    /// A virtual object.
    Virtual,
}

/// A `VariablePresentationHint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariablePresentationHint {
    /// The kind of variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<VariableKind>,
    /// Attributes (`static`, `constant`, `readOnly`, `rawString`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Visibility (`public`, `private`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    /// The value is fetched only when the user asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lazy: Option<bool>,
}

/// A `Variable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    /// The variable's name.
    pub name: String,
    /// The variable's value (may be empty, or a summary of a structured value).
    pub value: String,
    /// The type of the variable's value.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// How the UI shows the variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<VariablePresentationHint>,
    /// An expression that evaluates to this variable ("Add to Watch", "Copy as Expression").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluate_name: Option<String>,
    /// If > 0, `variables` with this reference returns the children.
    pub variables_reference: i64,
    /// The number of named children, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_variables: Option<u64>,
    /// The number of indexed children (paging), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_variables: Option<u64>,
    /// Where the value is in memory, for `readMemory`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reference: Option<String>,
}

/// The `variables` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariablesResponse {
    /// The variables (children) of the reference.
    pub variables: Vec<Variable>,
}

/// The `setVariable` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetVariableResponse {
    /// The new value.
    pub value: String,
    /// The type of the new value.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// If > 0, the new value is structured and this reference expands it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables_reference: Option<i64>,
    /// The number of named children, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_variables: Option<u64>,
    /// The number of indexed children, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_variables: Option<u64>,
    /// Where the new value is in memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reference: Option<String>,
}

/// The `evaluate` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluateResponse {
    /// The result of the evaluation.
    pub result: String,
    /// The type of the result.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// How the UI shows the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<VariablePresentationHint>,
    /// If > 0, the result is structured and this reference expands it.
    pub variables_reference: i64,
    /// The number of named children, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_variables: Option<u64>,
    /// The number of indexed children, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_variables: Option<u64>,
    /// Where the result is in memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reference: Option<String>,
}

/// The type of a completion item, for its icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CompletionItemType {
    /// A method.
    Method,
    /// A function.
    Function,
    /// A constructor.
    Constructor,
    /// A field.
    Field,
    /// A variable.
    Variable,
    /// A class.
    Class,
    /// An interface.
    Interface,
    /// A module.
    Module,
    /// A property (here: the `$` names of raw wasm state).
    Property,
    /// A unit.
    Unit,
    /// A value.
    Value,
    /// An enum.
    Enum,
    /// A keyword.
    Keyword,
    /// A snippet.
    Snippet,
    /// Text.
    Text,
    /// A color.
    Color,
    /// A file.
    File,
    /// A reference.
    Reference,
    /// A custom color.
    Customcolor,
}

/// A `CompletionItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionItem {
    /// The label, also the text inserted when `text` is absent.
    pub label: String,
    /// The text inserted, if not the label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The item's type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<CompletionItemType>,
    /// Where the replaced text starts, in UTF-16 code units of the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// How many UTF-16 code units the item replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
}

/// The `completions` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletionsResponse {
    /// The possible completions.
    pub targets: Vec<CompletionItem>,
}

// ---------------------------------------------------------------------------------------------
// breakpoints and exceptions

/// A `Breakpoint`: how a requested breakpoint resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakpoint {
    /// The identifier, for `breakpoint` events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Whether the breakpoint could be set.
    pub verified: bool,
    /// Why it is not verified (or a note on how it was placed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The source where the breakpoint is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The line where the breakpoint is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The column where the breakpoint is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

/// The `setBreakpoints` response (also the `setFunctionBreakpoints` one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetBreakpointsResponse {
    /// One per requested breakpoint, in the order requested.
    pub breakpoints: Vec<Breakpoint>,
}

/// The `setFunctionBreakpoints` response has the shape of the `setBreakpoints` one.
pub type SetFunctionBreakpointsResponse = SetBreakpointsResponse;

/// When an exception stops the debuggee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ExceptionBreakMode {
    /// Never.
    Never,
    /// Always.
    Always,
    /// When it is not handled.
    Unhandled,
    /// When it is not handled by user code.
    UserUnhandled,
}

/// The `exceptionInfo` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionInfoResponse {
    /// The exception's id (here: its short description, such as `Trap`).
    pub exception_id: String,
    /// A description of the exception.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the exception stops the debuggee.
    pub break_mode: ExceptionBreakMode,
}

/// The `continue` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueResponse {
    /// Whether every thread continued (false: only the one named).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_threads_continued: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// memory and disassembly

/// The `readMemory` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadMemoryResponse {
    /// The address of the first byte read (`0x…`).
    pub address: String,
    /// The bytes after the data that could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable_bytes: Option<u64>,
    /// The bytes read, base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// The `writeMemory` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteMemoryResponse {
    /// Where writing started, relative to the request's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// How many bytes were written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_written: Option<usize>,
}

/// How a disassembled instruction is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum InstructionPresentationHint {
    /// An instruction.
    Normal,
    /// A placeholder outside the code.
    Invalid,
}

/// A `DisassembledInstruction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisassembledInstruction {
    /// The instruction's address (`0x…`, a module offset).
    pub address: String,
    /// The instruction's text.
    pub instruction: String,
    /// The name of the function it starts (shown once per run of instructions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// The source it comes from (shown once per run of instructions from one line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Source>,
    /// The line in `location`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// How the UI shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_hint: Option<InstructionPresentationHint>,
}

/// The `disassemble` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisassembleResponse {
    /// The instructions, as many as were asked for.
    pub instructions: Vec<DisassembledInstruction>,
}

// ---------------------------------------------------------------------------------------------
// sources and modules

/// The `loadedSources` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadedSourcesResponse {
    /// The sources of the loaded modules.
    pub sources: Vec<Source>,
}

/// The `source` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceResponse {
    /// The source's text.
    pub content: String,
    /// Its MIME type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// A `Module` (here: one plugin's wasm module; its id is the plugin's thread id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Module {
    /// Unique identifier for the module (the specification allows a number or a string).
    pub id: i64,
    /// A name for the module.
    pub name: String,
    /// Where the module is on disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Whether its symbols were loaded, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol_status: Option<String>,
}

/// The `modules` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModulesResponse {
    /// The modules.
    pub modules: Vec<Module>,
    /// How many there are in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_modules: Option<usize>,
}
