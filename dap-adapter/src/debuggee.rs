//! One plugin under the debugger: the [`DebugSink`] that wasmtime calls with the guest frozen,
//! and the control state the session changes (breakpoints, stepping, pause, terminate).
//!
//! Stops happen inside the sink's future: it reports the stop to the session and then waits
//! for commands (resume, or inspections that need the frozen store). Changes made while the
//! plugin runs are applied at the next epoch tick, between calls by the driver, or at a stop.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use qirvo_runtime::runtime::debug::{DebugSink, TickAction};
use qirvo_runtime::runtime::state::HostState;
use tokio::sync::mpsc;
use wasmtime::{AsContextMut, DebugEvent, Module, ModulePC, StoreContextMut};

use crate::breakpoint_rules::{BreakpointRule, Verdict};
use crate::dwarf::DwarfIndex;
use crate::stepping::{self, Control, Decision, LineTable, StepMode};
pub use crate::stepping::{Resume, Stop, StoppedFrame};

/// Which failures stop the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionFilters {
    /// Wasm traps.
    pub trap: bool,
    /// Host functions returning an error to wasm.
    pub hostcall: bool,
    /// A call about to be stopped by its timeout.
    pub timeout: bool,
}

impl Default for ExceptionFilters {
    fn default() -> Self {
        ExceptionFilters {
            trap: true,
            hostcall: false,
            timeout: true,
        }
    }
}

/// What a debuggee tells the session.
pub enum DebuggeeEvent {
    /// Stopped, with its frames.
    Stopped {
        /// Thread.
        thread: i64,
        /// Why.
        stop: Stop,
        /// Frames, innermost first.
        frames: Vec<StoppedFrame>,
    },
    /// A line for the debug console (a logpoint, a failed breakpoint condition).
    Output {
        /// Thread.
        thread: i64,
        /// The line, without its newline.
        line: String,
    },
    /// The plugin or program finished.
    Exited {
        /// Thread.
        thread: i64,
        /// 0 when the lifecycle completed (or the program's exit status).
        code: i32,
    },
}

/// How long a stopped plugin may take to answer a question.
pub const INSPECTION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The error of a question the plugin did not answer.
const NOT_ANSWERED: &str = "the plugin did not answer (it is no longer stopped)";

/// A closure run against the frozen store.
type Inspection = Box<dyn FnOnce(StoreContextMut<'_, HostState>) + Send>;

enum Command {
    Resume(Resume),
    Inspect(Inspection),
}

/// A plugin being debugged.
pub struct Debuggee {
    /// DAP thread id.
    pub thread_id: i64,
    /// Plugin id (thread name).
    pub name: String,
    /// DWARF of its module, if it has any.
    pub index: Option<Arc<DwarfIndex>>,
    control: Mutex<Control>,
    module: Mutex<Option<Module>>,
    commands: tokio::sync::Mutex<mpsc::UnboundedReceiver<Command>>,
    command_sender: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedSender<DebuggeeEvent>,
    /// Set once termination is requested; the driver drops the running call when it is.
    terminated: tokio::sync::watch::Sender<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// The physical wasm frames of a frozen store, innermost first.
pub fn frames_of(store: &mut StoreContextMut<'_, HostState>) -> Vec<StoppedFrame> {
    let mut frames = Vec::new();
    crate::inspect::walk_frames(store, |_, frame| {
        frames.push(frame);
        ControlFlow::<()>::Continue(())
    });
    frames
}

impl Debuggee {
    /// A debuggee reporting to `events`.
    pub fn new(
        thread_id: i64,
        name: String,
        index: Option<Arc<DwarfIndex>>,
        stop_on_entry: bool,
        events: mpsc::UnboundedSender<DebuggeeEvent>,
    ) -> Arc<Debuggee> {
        let (command_sender, commands) = mpsc::unbounded_channel();
        Arc::new(Debuggee {
            thread_id,
            name,
            index,
            control: Mutex::new(Control {
                entry: stop_on_entry,
                ..Control::default()
            }),
            module: Mutex::new(None),
            commands: tokio::sync::Mutex::new(commands),
            command_sender,
            events,
            terminated: tokio::sync::watch::Sender::new(false),
        })
    }

    /// Resolves when termination is requested. The driver races the plugin's calls against
    /// it: dropping a call that is parked at a stop ends it right there, before the guest
    /// runs another instruction (a storage write or HTTP call after the stop never happens).
    pub async fn termination(&self) {
        let mut requested = self.terminated.subscribe();
        let _ = requested.wait_for(|requested| *requested).await;
    }

    /// Replaces the breakpoint pcs: those of source breakpoints (with their rules) and the
    /// function entries of function breakpoints. Applied at the next opportunity.
    pub fn set_breakpoints(
        &self,
        source_lines: BTreeMap<u32, Vec<Arc<BreakpointRule>>>,
        function_entries: BTreeSet<u32>,
    ) {
        let mut control = lock(&self.control);
        control.wanted = source_lines.keys().chain(&function_entries).copied().collect();
        control.function_entries = function_entries;
        control.rules = source_lines;
        control.dirty = true;
    }

    /// Sets which failures stop the plugin.
    pub fn set_filters(&self, filters: ExceptionFilters) {
        lock(&self.control).filters = filters;
    }

    /// Asks a running plugin to stop as soon as it runs wasm.
    pub fn request_pause(&self) {
        lock(&self.control).pause = true;
    }

    /// Ends the plugin: at once when it is stopped or between calls (the driver drops the
    /// call), else at its next tick.
    pub fn terminate(&self) {
        lock(&self.control).terminate = true;
        self.terminated.send_replace(true);
        let _ = self.command_sender.send(Command::Resume(Resume::Continue));
    }

    /// Whether termination was requested.
    pub fn is_terminating(&self) -> bool {
        lock(&self.control).terminate
    }

    /// Resumes a stopped plugin.
    pub fn resume(&self, how: Resume) {
        let _ = self.command_sender.send(Command::Resume(how));
    }

    /// Asks the stopped plugin something: `work` runs against its frozen store on the plugin's
    /// task, and its answer comes back here. This is the one way in, so every question gets the
    /// same limits: a plugin that resumes, terminates or takes longer than
    /// [`INSPECTION_TIMEOUT`] answers with an error, and a panic in `work` (a value that
    /// malformed DWARF describes, say) is that question's error, not the adapter's end.
    pub async fn query<T: Send + 'static>(
        &self,
        work: impl FnOnce(StoreContextMut<'_, HostState>) -> T + Send + 'static,
    ) -> Result<T, String> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let inspection: Inspection = Box::new(move |store| {
            let answer = qirvo_panics::contained_call(|| work(store))
                .map_err(|panic| format!("internal error while inspecting the plugin: {panic}"));
            let _ = reply.send(answer);
        });
        let _ = self.command_sender.send(Command::Inspect(inspection));
        let mut terminated = self.terminated.subscribe();
        tokio::select! {
            biased;
            answer = answer => answer.unwrap_or_else(|_| Err(NOT_ANSWERED.into())),
            _ = terminated.wait_for(|terminated| *terminated) => Err(NOT_ANSWERED.into()),
            () = tokio::time::sleep(INSPECTION_TIMEOUT) => Err(NOT_ANSWERED.into()),
        }
    }

    /// Applies breakpoint changes to a store (at a stop, a tick, or between calls).
    pub fn sync_breakpoints(&self, store: StoreContextMut<'_, HostState>) {
        let module = lock(&self.module).clone();
        let Some(module) = module else { return };
        let mut control = lock(&self.control);
        if !control.dirty {
            return;
        }
        let Some(mut edit) = store.edit_breakpoints() else {
            return;
        };
        let add: Vec<u32> = control.wanted.difference(&control.applied).copied().collect();
        let remove: Vec<u32> = control.applied.difference(&control.wanted).copied().collect();
        for pc in remove {
            let _ = edit.remove_breakpoint(&module, ModulePC::new(pc));
            control.applied.remove(&pc);
        }
        for pc in add {
            if edit.add_breakpoint(&module, ModulePC::new(pc)).is_ok() {
                control.applied.insert(pc);
            }
        }
        control.dirty = false;
    }

    /// Switches single-stepping; switching costs about half a millisecond, so it is done only
    /// when the state changes.
    fn set_single_step(&self, store: StoreContextMut<'_, HostState>, on: bool) {
        if lock(&self.control).single_stepping == on {
            return;
        }
        if let Some(mut edit) = store.edit_breakpoints()
            && edit.single_step(on).is_ok()
        {
            lock(&self.control).single_stepping = on;
        }
    }

    /// Decides whether an instruction event is a stop.
    fn on_instruction(&self, store: &mut StoreContextMut<'_, HostState>) -> Decision {
        if self.passes_through(store) {
            return Decision::default();
        }
        let frames = frames_of(store);
        let timeout = store.data().call_clock_ref().timeout;
        let lines = self.index.as_deref().map(|index| index as &dyn LineTable);
        stepping::decide(&mut lock(&self.control), &frames, lines, timeout)
    }

    /// The fast path of stepping: an instruction that [`stepping::passes_through`] says cannot
    /// end the step is let go after reading only the innermost pc, not the whole stack.
    fn passes_through(&self, store: &mut StoreContextMut<'_, HostState>) -> bool {
        let Some(index) = &self.index else { return false };
        if !stepping::is_quiet(&lock(&self.control)) {
            return false;
        }
        let Some(frame) = store.debug_exit_frames().next() else {
            return false;
        };
        let Ok(Some((_, pc))) = frame.wasm_function_index_and_pc(store.as_context_mut()) else {
            return false;
        };
        stepping::passes_through(&mut lock(&self.control), pc.raw(), index.as_ref())
    }

    /// Applies a decision's breakpoint and single-step changes.
    fn apply(&self, store: &mut StoreContextMut<'_, HostState>, decision: &Decision) {
        let module = lock(&self.module).clone();
        if let (Some(module), Some(mut edit)) = (module, store.as_context_mut().edit_breakpoints()) {
            if let Some(pc) = decision.remove_temporary {
                let _ = edit.remove_breakpoint(&module, ModulePC::new(pc));
            }
            if let Some(pc) = decision.add_temporary {
                let _ = edit.add_breakpoint(&module, ModulePC::new(pc));
            }
        }
        if let Some(on) = decision.single_step {
            self.set_single_step(store.as_context_mut(), on);
        }
    }

    /// Waits at a stop until resumed; runs inspections meanwhile.
    async fn wait_at_stop(&self, store: &mut StoreContextMut<'_, HostState>, frames: &[StoppedFrame]) {
        let mut commands = self.commands.lock().await;
        loop {
            let Some(command) = commands.recv().await else { return };
            match command {
                Command::Inspect(inspection) => inspection(store.as_context_mut()),
                Command::Resume(how) => {
                    self.sync_breakpoints(store.as_context_mut());
                    let terminate = lock(&self.control).terminate;
                    let lines = self.index.as_deref().map(|index| index as &dyn LineTable);
                    let mode = if terminate {
                        StepMode::None
                    } else {
                        StepMode::starting(how, frames, lines)
                    };
                    let stepping = mode != StepMode::None;
                    {
                        let mut control = lock(&self.control);
                        control.step = mode;
                        control.in_callee = false;
                        control.callee_steps = 0;
                    }
                    self.set_single_step(store.as_context_mut(), stepping);
                    return;
                }
            }
        }
    }

    /// Checks a breakpoint's rules in the stopped frame: logpoints print, and the stop stands
    /// only if a rule says so. Otherwise the step the breakpoint interrupted goes on.
    fn check_rules(
        &self,
        store: &mut StoreContextMut<'_, HostState>,
        pc: u32,
        rules: &[Arc<BreakpointRule>],
        interrupted: StepMode,
        stop: Option<Stop>,
    ) -> Option<Stop> {
        let frame = crate::inspect::frame_handle(store, 0)?;
        let variables = self.index.as_ref().map(|index| index.variables());
        let address = self
            .index
            .as_ref()
            .and_then(|index| u64::from(pc).checked_sub(index.code_offset()));
        let mut machine = crate::inspect::FrameMachine::new(store, frame);
        let scope = crate::eval::Scope {
            index: variables.as_deref(),
            address,
            inline_depth: 0,
        };
        let mut evaluator = crate::eval::Evaluator::new(scope, &mut machine);
        let mut stops = false;
        for rule in rules {
            match rule.check(&mut evaluator) {
                Verdict::Stop => stops = true,
                Verdict::StopWithError(message) => {
                    self.output(message);
                    stops = true;
                }
                Verdict::Log(line) => self.output(line),
                Verdict::Continue => {}
            }
        }
        if stops {
            return stop;
        }
        lock(&self.control).step = interrupted;
        None
    }

    fn output(&self, line: String) {
        let _ = self.events.send(DebuggeeEvent::Output {
            thread: self.thread_id,
            line,
        });
    }

    async fn stop(&self, mut store: StoreContextMut<'_, HostState>, stop: Stop) {
        let frames = frames_of(&mut store);
        let _ = self.events.send(DebuggeeEvent::Stopped {
            thread: self.thread_id,
            stop,
            frames: frames.clone(),
        });
        self.wait_at_stop(&mut store, &frames).await;
    }

    /// Reports that the plugin finished (`ok`: its lifecycle completed).
    pub fn exited(&self, ok: bool) {
        self.exited_with(if ok { 0 } else { 1 });
    }

    /// Reports an exit status.
    pub fn exited_with(&self, code: i32) {
        let _ = self.events.send(DebuggeeEvent::Exited {
            thread: self.thread_id,
            code,
        });
    }
}

impl DebugSink for Debuggee {
    fn module_loaded(&self, mut store: StoreContextMut<'_, HostState>, module: &Module) {
        *lock(&self.module) = Some(module.clone());
        lock(&self.control).dirty = true;
        self.sync_breakpoints(store.as_context_mut());
        if lock(&self.control).entry {
            self.set_single_step(store, true);
        }
    }

    fn on_tick(&self, mut store: StoreContextMut<'_, HostState>) -> TickAction {
        if lock(&self.control).terminate {
            return TickAction::Terminate;
        }
        self.sync_breakpoints(store.as_context_mut());
        let (pause, filters, reported) = {
            let control = lock(&self.control);
            (control.pause, control.filters, control.timeout_reported)
        };
        if pause {
            self.set_single_step(store, true);
            return TickAction::Proceed;
        }
        let clock = store.data().call_clock_ref();
        if filters.timeout && clock.counted() > clock.timeout && reported != Some(clock.started()) {
            let started = clock.started();
            {
                let mut control = lock(&self.control);
                control.timeout_reported = Some(started);
                control.timeout_stop = true;
            }
            self.set_single_step(store, true);
            return TickAction::Hold;
        }
        TickAction::Proceed
    }

    fn handle<'a>(
        &'a self,
        mut store: StoreContextMut<'a, HostState>,
        event: DebugEvent<'a>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            let filters = lock(&self.control).filters;
            let stop = match event {
                DebugEvent::Breakpoint => {
                    let mut decision = self.on_instruction(&mut store);
                    self.apply(&mut store, &decision);
                    match decision.rules.take() {
                        Some((pc, rules, interrupted)) => {
                            self.check_rules(&mut store, pc, &rules, interrupted, decision.stop)
                        }
                        None => decision.stop,
                    }
                }
                DebugEvent::Trap(trap) if filters.trap => Some(Stop {
                    reason: crate::protocol::bodies::StoppedReason::Exception,
                    description: Some("Trap".into()),
                    text: Some(format!("wasm trap: {trap}")),
                }),
                DebugEvent::HostcallError(error) if filters.hostcall => Some(Stop {
                    reason: crate::protocol::bodies::StoppedReason::Exception,
                    description: Some("Host call error".into()),
                    text: Some(error.to_string()),
                }),
                _ => None,
            };
            // Single-stepping stays as it is during the stop: the resume sets what the next step
            // needs, so consecutive steps do not pay to switch it off and on again.
            if let Some(stop) = stop {
                self.stop(store, stop).await;
            }
        })
    }
}
