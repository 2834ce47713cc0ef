//! The bodies of the events this adapter sends. Each names its event ([`EventBody::EVENT`]), so
//! the event's name cannot be misspelt either: `Outgoing::event(body)` takes it from the type.

use serde::Serialize;

use super::{Breakpoint, Module, Source};

/// The body of an event, and the event's name.
pub trait EventBody: Serialize {
    /// The `event` field of the envelope.
    const EVENT: &'static str;
}

macro_rules! event {
    ($type:ty, $name:literal) => {
        impl EventBody for $type {
            const EVENT: &'static str = $name;
        }
    };
}

/// Why the debuggee stopped (the `reason` of a `stopped` event). Some are spelt with spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StoppedReason {
    /// A step finished.
    #[serde(rename = "step")]
    Step,
    /// A source breakpoint was hit.
    #[serde(rename = "breakpoint")]
    Breakpoint,
    /// An exception (a trap, a timeout, a failing host call).
    #[serde(rename = "exception")]
    Exception,
    /// The client asked to pause.
    #[serde(rename = "pause")]
    Pause,
    /// Stopped at the first instruction (`stopOnEntry`).
    #[serde(rename = "entry")]
    Entry,
    /// A `goto` finished.
    #[serde(rename = "goto")]
    Goto,
    /// A function breakpoint was hit.
    #[serde(rename = "function breakpoint")]
    FunctionBreakpoint,
    /// A data breakpoint was hit.
    #[serde(rename = "data breakpoint")]
    DataBreakpoint,
    /// An instruction breakpoint was hit.
    #[serde(rename = "instruction breakpoint")]
    InstructionBreakpoint,
}

impl StoppedReason {
    /// Every reason, for tests.
    pub const ALL: [StoppedReason; 9] = [
        StoppedReason::Step,
        StoppedReason::Breakpoint,
        StoppedReason::Exception,
        StoppedReason::Pause,
        StoppedReason::Entry,
        StoppedReason::Goto,
        StoppedReason::FunctionBreakpoint,
        StoppedReason::DataBreakpoint,
        StoppedReason::InstructionBreakpoint,
    ];

    /// The specification's spelling (what serde writes; a golden test keeps the two equal).
    pub const fn as_str(self) -> &'static str {
        match self {
            StoppedReason::Step => "step",
            StoppedReason::Breakpoint => "breakpoint",
            StoppedReason::Exception => "exception",
            StoppedReason::Pause => "pause",
            StoppedReason::Entry => "entry",
            StoppedReason::Goto => "goto",
            StoppedReason::FunctionBreakpoint => "function breakpoint",
            StoppedReason::DataBreakpoint => "data breakpoint",
            StoppedReason::InstructionBreakpoint => "instruction breakpoint",
        }
    }
}

/// `stopped`: the debuggee stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoppedEvent {
    /// Why it stopped.
    pub reason: StoppedReason,
    /// The full reason, shown in the UI (here: the exception's short name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The thread that stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Whether the client should keep the focus where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preserve_focus_hint: Option<bool>,
    /// Additional information (here: the exception's text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Whether every thread stopped (false: only `threadId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_threads_stopped: Option<bool>,
    /// The breakpoints that were hit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hit_breakpoint_ids: Vec<i64>,
}
event!(StoppedEvent, "stopped");

/// The category of an `output` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OutputCategory {
    /// The debug console (the adapter's own messages).
    Console,
    /// Important messages, shown prominently.
    Important,
    /// The debuggee's standard output.
    Stdout,
    /// The debuggee's standard error.
    Stderr,
    /// Telemetry, not shown.
    Telemetry,
}

/// `output`: text for the debug console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputEvent {
    /// The category (`console` when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<OutputCategory>,
    /// The text, with its line ends.
    pub output: String,
}
event!(OutputEvent, "output");

impl OutputEvent {
    /// `output` of `category`.
    pub fn new(category: OutputCategory, output: impl Into<String>) -> OutputEvent {
        OutputEvent {
            category: Some(category),
            output: output.into(),
        }
    }
}

/// Why a `breakpoint`, `module` or `loadedSource` event was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeReason {
    /// Changed.
    Changed,
    /// New.
    New,
    /// Removed.
    Removed,
}

/// `breakpoint`: a breakpoint changed (here: it resolved again after a restart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakpointEvent {
    /// What happened to it.
    pub reason: ChangeReason,
    /// The breakpoint, with its `id`.
    pub breakpoint: Breakpoint,
}
event!(BreakpointEvent, "breakpoint");

/// Why a `thread` event was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ThreadReason {
    /// The thread started.
    Started,
    /// The thread exited.
    Exited,
}

/// `thread`: a thread (here: a plugin) started or exited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadEvent {
    /// Started or exited.
    pub reason: ThreadReason,
    /// The thread.
    pub thread_id: i64,
}
event!(ThreadEvent, "thread");

/// `exited`: the debuggee exited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExitedEvent {
    /// Its exit code.
    pub exit_code: i32,
}
event!(ExitedEvent, "exited");

/// `terminated`: debugging ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TerminatedEvent {
    /// Data for restarting the session, if the client should.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<serde_json::Value>,
}
event!(TerminatedEvent, "terminated");

/// `initialized`: the adapter is ready for configuration requests. Its body is `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InitializedEvent {}
event!(InitializedEvent, "initialized");

/// `module`: a module was loaded, changed or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleEvent {
    /// What happened to it.
    pub reason: ChangeReason,
    /// The module.
    pub module: Module,
}
event!(ModuleEvent, "module");

/// `loadedSource`: a source was added, changed or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadedSourceEvent {
    /// What happened to it.
    pub reason: ChangeReason,
    /// The source.
    pub source: Source,
}
event!(LoadedSourceEvent, "loadedSource");

/// What an `invalidated` event says is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum InvalidatedAreas {
    /// Everything.
    All,
    /// Stack traces.
    Stacks,
    /// Threads.
    Threads,
    /// Variables (and watches).
    Variables,
}

/// `invalidated`: some state the client shows is stale and must be fetched again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidatedEvent {
    /// What is stale (everything when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<InvalidatedAreas>,
    /// The thread it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// The frame it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_frame_id: Option<i64>,
}
event!(InvalidatedEvent, "invalidated");

/// `memory`: memory changed (here: `writeMemory` wrote it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryEvent {
    /// The memory reference the change is relative to.
    pub memory_reference: String,
    /// Where the changed range starts, from the reference.
    pub offset: i64,
    /// How many bytes changed.
    pub count: usize,
}
event!(MemoryEvent, "memory");
