//! A debug session: DAP requests in, DAP responses and events out, plugins driven through
//! runtime-core with a [`Debuggee`] each (one DAP thread per plugin instance).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use qirvo_runtime::runtime::PluginRuntime;
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::breakpoint_rules::BreakpointRule;
use crate::debuggee::{Debuggee, DebuggeeEvent, ExceptionFilters, Resume, Stop, StoppedFrame};
use crate::dwarf::SourcePaths;
use crate::inspect::Container;
use crate::protocol::bodies::{self, EventBody, OutputCategory, OutputEvent, to_body};
use crate::protocol::types::*;
use crate::protocol::{ClientCoordinates, DapError, Incoming, Outbox, Outgoing};

mod breakpoints;
mod disassemble;
mod evaluate;
mod launch;
mod memory;
mod variables;

/// Compares without an early exit, so timing does not tell how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Exception filters offered in `initialize`.
fn exception_filters() -> Vec<bodies::ExceptionBreakpointsFilter> {
    let filter = |filter: &str, label: &str, description: &str, default| bodies::ExceptionBreakpointsFilter {
        filter: filter.into(),
        label: label.into(),
        description: Some(description.into()),
        default: Some(default),
        supports_condition: None,
    };
    vec![
        filter(
            "trap",
            "Traps",
            "Stop when the plugin traps (unreachable, out-of-bounds access, division by zero, ...).",
            true,
        ),
        filter(
            "timeout",
            "Timeouts",
            "Stop when a call is about to be ended by resources.timeout.",
            true,
        ),
        filter(
            "hostcall",
            "Host call errors",
            "Stop when a host function fails with an error that traps the plugin.",
            false,
        ),
    ]
}

fn capabilities() -> bodies::Capabilities {
    let yes = Some(true);
    bodies::Capabilities {
        supports_configuration_done_request: yes,
        supports_function_breakpoints: yes,
        supports_exception_info_request: yes,
        supports_terminate_request: yes,
        supports_loaded_sources_request: yes,
        supports_modules_request: yes,
        supports_delayed_stack_trace_loading: yes,
        supports_read_memory_request: yes,
        supports_write_memory_request: yes,
        supports_conditional_breakpoints: yes,
        supports_hit_conditional_breakpoints: yes,
        supports_log_points: yes,
        supports_evaluate_for_hovers: yes,
        supports_completions_request: yes,
        supports_set_variable: yes,
        supports_restart_request: yes,
        supports_stepping_granularity: yes,
        supports_disassemble_request: yes,
        supports_value_formatting_options: yes,
        exception_breakpoint_filters: exception_filters(),
        ..bodies::Capabilities::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ThreadState {
    Waiting,
    Running,
    Stopped,
    Exited,
}

struct Thread {
    debuggee: Arc<Debuggee>,
    paths: SourcePaths,
    state: ThreadState,
    frames: Vec<StoppedFrame>,
    stop: Option<Stop>,
    module_path: PathBuf,
    /// The module's instructions, disassembled on the first `disassemble`.
    disassembly: Option<Arc<crate::disassembly::Disassembly>>,
}

#[derive(Clone)]
struct FrameRef {
    thread: i64,
    physical: usize,
    /// Inlined frame within the physical one, innermost 0.
    inline_depth: usize,
}

/// One DAP frame derived from a physical frame (inlined frames expand into several); their
/// `id`s are given by the caller.
fn dap_frames(
    thread: &Thread,
    physical: usize,
    frame: &StoppedFrame,
    coordinates: ClientCoordinates,
) -> Vec<bodies::StackFrame> {
    let no_source = || {
        vec![bodies::StackFrame {
            id: 0,
            name: format!("wasm function {}", frame.function),
            source: None,
            line: 0,
            column: 0,
            instruction_pointer_reference: Some(format!("{:#x}", frame.pc)),
            presentation_hint: Some(bodies::StackFramePresentationHint::Subtle),
        }]
    };
    let Some(index) = &thread.debuggee.index else {
        return no_source();
    };
    let source_frames = index.frames(frame.pc, physical > 0);
    if source_frames.is_empty() {
        return no_source();
    }
    source_frames
        .into_iter()
        .map(|source_frame| bodies::StackFrame {
            id: 0,
            name: source_frame.function,
            source: source_frame
                .location
                .as_ref()
                .map(|location| bodies::Source::at_path(thread.paths.to_local(&location.file))),
            line: source_frame
                .location
                .as_ref()
                .map_or(0, |l| coordinates.line_to_client(l.line)),
            column: source_frame
                .location
                .as_ref()
                .map_or(0, |l| coordinates.column_to_client(l.column.max(1))),
            instruction_pointer_reference: Some(format!("{:#x}", frame.pc)),
            presentation_hint: source_frame
                .inlined
                .then_some(bodies::StackFramePresentationHint::Normal),
        })
        .collect()
}

/// A handler's typed body as the envelope carries it.
fn some_body(body: impl serde::Serialize) -> Option<Value> {
    Some(to_body(&body))
}

/// The session.
pub struct Session {
    out: Outbox,
    runtime: Option<Arc<PluginRuntime>>,
    threads: Vec<Thread>,
    events_tx: mpsc::UnboundedSender<DebuggeeEvent>,
    go: Option<watch::Sender<bool>>,
    /// Breakpoints requested per client source path.
    source_breakpoints: HashMap<String, Vec<(i64, SourceBreakpoint, Arc<BreakpointRule>)>>,
    /// Ids of breakpoints are unique for the session (`breakpoint` events refer to them).
    next_breakpoint_id: i64,
    function_breakpoints: Vec<String>,
    filters: ExceptionFilters,
    frame_refs: Vec<FrameRef>,
    /// What each `variablesReference` expands (index + 1), per thread.
    /// What each `variablesReference` expands: its thread, the container, and the expression
    /// that names the container's value (for the children's `evaluateName`), if there is one.
    variable_refs: Vec<(i64, Container, Option<String>)>,
    /// The lifecycle state of each plugin by id, as the runtime last reported it.
    lifecycle: Arc<std::sync::Mutex<HashMap<String, String>>>,
    exited: bool,
    exit_code: i32,
    /// The last launch configuration, for `restart`.
    last_launch: Option<Value>,
    /// Thread ids of this launch start after this (a restart gets fresh ids).
    thread_base: i64,
    /// How the client counts lines and columns.
    coordinates: ClientCoordinates,
    /// The token `launch` must carry (`qirvo dap --token`), until one did.
    required_token: Option<String>,
    /// Set when a `launch` carried the wrong token: the connection is closed.
    pub refused_token: bool,
    /// Set once the client said `disconnect`.
    pub finished: bool,
}

impl Session {
    /// A session writing to `out`; debuggee events arrive on the returned receiver.
    pub fn new(out: Outbox) -> (Session, mpsc::UnboundedReceiver<DebuggeeEvent>) {
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        (
            Session {
                out,
                runtime: None,
                threads: Vec::new(),
                events_tx,
                go: None,
                source_breakpoints: HashMap::new(),
                next_breakpoint_id: 0,
                function_breakpoints: Vec::new(),
                filters: ExceptionFilters::default(),
                frame_refs: Vec::new(),
                variable_refs: Vec::new(),
                lifecycle: Arc::default(),
                exited: false,
                exit_code: 0,
                last_launch: None,
                thread_base: 0,
                coordinates: ClientCoordinates::default(),
                required_token: None,
                refused_token: false,
                finished: false,
            },
            events_rx,
        )
    }

    fn send(&self, message: Outgoing) {
        let _ = self.out.send(message);
    }

    fn event(&self, body: impl EventBody) {
        self.send(Outgoing::event(&body));
    }

    fn thread(&self, id: i64) -> Result<&Thread, DapError> {
        self.threads
            .iter()
            .find(|t| t.debuggee.thread_id == id)
            .ok_or(DapError::NoSuchThread { thread: id })
    }

    fn thread_mut(&mut self, id: i64) -> Result<&mut Thread, DapError> {
        self.threads
            .iter_mut()
            .find(|t| t.debuggee.thread_id == id)
            .ok_or(DapError::NoSuchThread { thread: id })
    }

    /// Handles one request.
    /// Makes `launch` require `token` (no token: anyone on the stream may launch).
    pub fn require_token(&mut self, token: Option<String>) {
        self.required_token = token;
    }

    /// Whether `request` may be handled before the client presented the token; launching with
    /// the right one presents it.
    fn check_token(&mut self, request: &Incoming) -> Result<(), DapError> {
        let Some(expected) = &self.required_token else {
            return Ok(());
        };
        match request.command.as_str() {
            "initialize" | "disconnect" => return Ok(()),
            "launch" | "attach" => {}
            _ => return Err(DapError::TokenRequired),
        }
        let given = request
            .arguments
            .as_ref()
            .and_then(|a| a.get("token"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            self.required_token = None;
            Ok(())
        } else {
            self.refused_token = true;
            Err(DapError::TokenMismatch)
        }
    }

    /// A panic while handling it answers the request with an error; the session goes on.
    pub async fn handle(&mut self, request: Incoming) {
        if let Err(error) = self.check_token(&request) {
            self.send(Outgoing::failure(request.seq, &request.command, &error));
            return;
        }
        let result = match qirvo_panics::contained(self.dispatch(&request)).await {
            Ok(result) => result,
            Err(panic) => Err(DapError::Internal {
                panic: panic.to_string(),
            }),
        };
        match result {
            Ok(body) => self.send(Outgoing::success(&request, body)),
            Err(error) => self.send(Outgoing::failure(request.seq, &request.command, &error)),
        }
    }

    async fn dispatch(&mut self, request: &Incoming) -> Result<Option<Value>, DapError> {
        match request.command.as_str() {
            "initialize" => {
                let args: InitializeArguments = request.arguments()?;
                self.coordinates = ClientCoordinates::new(args.lines_start_at1, args.columns_start_at1);
                Ok(some_body(capabilities()))
            }
            "launch" => {
                let arguments: LaunchArguments = request.arguments()?;
                self.launch(arguments)?;
                self.last_launch = request.arguments.clone();
                self.event(bodies::InitializedEvent {});
                Ok(None)
            }
            "setBreakpoints" => self.set_breakpoints(request.arguments()?).map(some_body),
            "setFunctionBreakpoints" => self.set_function_breakpoints(request.arguments()?).map(some_body),
            "setExceptionBreakpoints" => {
                let args: SetExceptionBreakpointsArguments = request.arguments()?;
                self.filters = ExceptionFilters {
                    trap: args.filters.iter().any(|f| f == "trap"),
                    hostcall: args.filters.iter().any(|f| f == "hostcall"),
                    timeout: args.filters.iter().any(|f| f == "timeout"),
                };
                for thread in &self.threads {
                    thread.debuggee.set_filters(self.filters);
                }
                Ok(None)
            }
            "configurationDone" => {
                let _: Empty = request.arguments()?;
                if let Some(go) = &self.go {
                    let _ = go.send(true);
                }
                for thread in &mut self.threads {
                    if thread.state == ThreadState::Waiting {
                        thread.state = ThreadState::Running;
                    }
                }
                Ok(None)
            }
            "threads" => {
                let _: Empty = request.arguments()?;
                let threads = self
                    .threads
                    .iter()
                    .filter(|t| t.state != ThreadState::Exited)
                    .map(|t| bodies::Thread {
                        id: t.debuggee.thread_id,
                        name: t.debuggee.name.clone(),
                    })
                    .collect();
                Ok(some_body(bodies::ThreadsResponse { threads }))
            }
            "stackTrace" => self.stack_trace(request.arguments()?).map(some_body),
            "scopes" => self.scopes(request.arguments()?).map(some_body),
            "variables" => self.variables(request.arguments()?).await.map(some_body),
            "setVariable" => self.set_variable(request.arguments()?).await.map(some_body),
            "evaluate" => self.evaluate(request.arguments()?).await.map(some_body),
            "completions" => self.completions(request.arguments()?).map(some_body),
            "disassemble" => self.disassemble(request.arguments()?).map(some_body),
            "readMemory" => self.read_memory(request.arguments()?).await.map(some_body),
            "writeMemory" => self.write_memory(request.arguments()?).await.map(some_body),
            "continue" => self.resume(request.arguments()?, Resume::Continue).map(|()| {
                some_body(bodies::ContinueResponse {
                    all_threads_continued: Some(false),
                })
            }),
            "next" => self.step(request.arguments()?, Resume::StepOver).map(|()| None),
            "stepIn" => self.step(request.arguments()?, Resume::StepIn).map(|()| None),
            "stepOut" => self.resume(request.arguments()?, Resume::StepOut).map(|()| None),
            "pause" => {
                let args: ThreadArguments = request.arguments()?;
                let thread = self.thread(args.thread_id)?;
                if thread.state == ThreadState::Running {
                    thread.debuggee.request_pause();
                }
                Ok(None)
            }
            "exceptionInfo" => {
                let args: ThreadArguments = request.arguments()?;
                let thread = self.thread(args.thread_id)?;
                match &thread.stop {
                    Some(stop) if stop.reason == bodies::StoppedReason::Exception => {
                        Ok(some_body(bodies::ExceptionInfoResponse {
                            exception_id: stop.description.clone().unwrap_or_default(),
                            description: Some(stop.text.clone().unwrap_or_default()),
                            break_mode: bodies::ExceptionBreakMode::Always,
                        }))
                    }
                    _ => Err(DapError::NotStoppedOnException { thread: args.thread_id }),
                }
            }
            "loadedSources" => {
                let _: Empty = request.arguments()?;
                Ok(some_body(bodies::LoadedSourcesResponse {
                    sources: self.loaded_sources(),
                }))
            }
            "modules" => {
                let _: Empty = request.arguments()?;
                let modules: Vec<bodies::Module> = self.threads.iter().map(|t| self.module(t)).collect();
                Ok(some_body(bodies::ModulesResponse {
                    total_modules: Some(modules.len()),
                    modules,
                }))
            }
            "source" => {
                let args: SourceArguments = request.arguments()?;
                let path = args.source.and_then(|s| s.path).ok_or(DapError::NoSourceForReference)?;
                // Only the sources the loaded modules were built from: `source` is no way to
                // read any file the adapter can.
                let known = self
                    .loaded_sources()
                    .iter()
                    .any(|s| s.path.as_deref() == Some(path.as_str()));
                if !known {
                    return Err(DapError::UnknownSource { path });
                }
                let content = std::fs::read_to_string(&path).map_err(|e| DapError::CannotRead {
                    path: path.clone(),
                    error: e.to_string(),
                })?;
                Ok(some_body(bodies::SourceResponse {
                    content,
                    mime_type: None,
                }))
            }
            "terminate" => {
                let _: Empty = request.arguments()?;
                self.terminate_all();
                Ok(None)
            }
            "disconnect" => {
                let _: DisconnectArguments = request.arguments()?;
                self.terminate_all();
                self.finished = true;
                Ok(None)
            }
            "restart" => self.restart(request).map(|()| None),
            "" => Err(DapError::NoCommand),
            other => Err(DapError::UnknownCommand {
                command: other.to_string(),
            }),
        }
    }

    fn stack_trace(&mut self, args: StackTraceArguments) -> Result<bodies::StackTraceResponse, DapError> {
        let thread = self.thread(args.thread_id)?;
        if thread.state != ThreadState::Stopped {
            return Err(DapError::NotStopped { thread: args.thread_id });
        }
        let mut all = Vec::new();
        for (physical, frame) in thread.frames.iter().enumerate() {
            for (inline_depth, value) in dap_frames(thread, physical, frame, self.coordinates)
                .into_iter()
                .enumerate()
            {
                all.push(((physical, inline_depth), value));
            }
        }
        let total = all.len();
        let start = args.start_frame.unwrap_or(0).min(total);
        let count = match args.levels {
            Some(0) | None => total - start,
            Some(levels) => levels.min(total - start),
        };
        let thread_id = args.thread_id;
        let mut frames = Vec::new();
        for ((physical, inline_depth), mut value) in all.into_iter().skip(start).take(count) {
            self.frame_refs.push(FrameRef {
                thread: thread_id,
                physical,
                inline_depth,
            });
            value.id = self.frame_refs.len() as i64;
            frames.push(value);
        }
        Ok(bodies::StackTraceResponse {
            stack_frames: frames,
            total_frames: Some(total),
        })
    }

    /// `next` and `stepIn`, by line or (granularity `instruction`) by wasm instruction.
    fn step(&mut self, args: ThreadArguments, how: Resume) -> Result<(), DapError> {
        let how = match args.granularity.as_deref() {
            Some("instruction") => Resume::Instruction {
                over: how == Resume::StepOver,
            },
            _ => how,
        };
        self.resume(args, how)
    }

    fn resume(&mut self, args: ThreadArguments, how: Resume) -> Result<(), DapError> {
        let thread = self.thread_mut(args.thread_id)?;
        if thread.state != ThreadState::Stopped {
            return Err(DapError::NotStopped { thread: args.thread_id });
        }
        thread.state = ThreadState::Running;
        thread.frames.clear();
        thread.stop = None;
        thread.debuggee.resume(how);
        self.frame_refs.clear();
        self.variable_refs.clear();
        Ok(())
    }

    /// Ends every plugin of the session.
    pub fn terminate_all(&mut self) {
        if let Some(go) = &self.go {
            let _ = go.send(true);
        }
        for thread in &self.threads {
            thread.debuggee.terminate();
        }
    }

    /// Handles an event from a debuggee.
    pub fn on_debuggee(&mut self, event: DebuggeeEvent) {
        match event {
            DebuggeeEvent::Stopped { thread, stop, frames } => {
                let Ok(state) = self.thread_mut(thread) else { return };
                if state.debuggee.is_terminating() {
                    state.debuggee.resume(Resume::Continue);
                    return;
                }
                state.state = ThreadState::Stopped;
                state.frames = frames;
                state.stop = Some(stop.clone());
                self.event(bodies::StoppedEvent {
                    reason: stop.reason,
                    description: stop.description,
                    thread_id: Some(thread),
                    preserve_focus_hint: None,
                    text: stop.text,
                    all_threads_stopped: Some(false),
                    hit_breakpoint_ids: Vec::new(),
                });
            }
            DebuggeeEvent::Output { line, .. } => {
                self.event(OutputEvent::new(OutputCategory::Console, format!("{line}\n")));
            }
            DebuggeeEvent::Exited { thread, code } => {
                // Threads of a launch replaced by `restart` are already gone.
                let Ok(state) = self.thread_mut(thread) else { return };
                state.state = ThreadState::Exited;
                if self.exit_code == 0 {
                    self.exit_code = code;
                }
                self.event(bodies::ThreadEvent {
                    reason: bodies::ThreadReason::Exited,
                    thread_id: thread,
                });
                if !self.exited && self.threads.iter().all(|t| t.state == ThreadState::Exited) {
                    self.exited = true;
                    self.event(bodies::ExitedEvent {
                        exit_code: self.exit_code,
                    });
                    self.event(bodies::TerminatedEvent::default());
                }
            }
        }
    }

    /// Whether every plugin finished; the exit code of the debug session.
    pub fn exit_code(&self) -> Option<i32> {
        if self.threads.is_empty() {
            return Some(0);
        }
        self.exited.then_some(self.exit_code)
    }
}
