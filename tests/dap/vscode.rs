//! A DAP client that sends what VS Code sends, in VS Code's order and shape.
//!
//! Reproduced from microsoft/vscode, `src/vs/workbench/contrib/debug/` (read, not copied):
//! `browser/debugSession.ts` (the session: initialize, launch, breakpoints, stops, terminate),
//! `browser/rawDebugSession.ts` (what goes on the wire: capability checks, `disconnect`),
//! `common/abstractDebugAdapter.ts` (framing: `arguments` is left out when empty),
//! `browser/debugService.ts` (`sendAllBreakpoints`, the Stop button),
//! `common/debugModel.ts` (breakpoint order, call stack loading, variable paging),
//! `common/debugSource.ts` (which frames need a `source` request),
//! `browser/variablesView.ts`, `browser/watchExpressionsView.ts`, `browser/debugHover.ts`,
//! `browser/repl.ts`, `browser/debugCommands.ts` (what the views ask for, and when).
//!
//! VS Code does some of this on timers (the Variables view refreshes 400 ms after a stop, the
//! rest of the call stack is fetched after 420 ms, Watch after 50 ms); this client sends the
//! same requests in the order those timers put them in, one at a time, waiting for each answer
//! (VS Code pipelines the configuration requests after `initialized`, and so does this client).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::{DapClient, PATIENCE};

/// `clientName`: `productService.nameLong` of the stable build.
pub const CLIENT_NAME: &str = "Visual Studio Code";
/// `locale`: `platform.language` with an English display language.
pub const LOCALE: &str = "en";
/// `ConfigurationTarget.WORKSPACE_FOLDER`, which `Launch.getConfiguration`
/// (`browser/debugConfigurationManager.ts`) adds to a configuration from `.vscode/launch.json`.
pub const CONFIGURATION_TARGET_WORKSPACE_FOLDER: i64 = 6;
/// `ExpressionContainer.BASE_CHUNK_SIZE` (`common/debugModel.ts`).
pub const BASE_CHUNK_SIZE: u64 = 100;
/// Stop reasons for which a `subtle` top frame is still focused (`common/debugModel.ts`).
const KEEP_SUBTLE_FRAME_AT_TOP_REASONS: [&str; 3] = ["breakpoint", "step", "function breakpoint"];

/// A source breakpoint as the editor holds it (`Breakpoint` in `common/debugModel.ts`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breakpoint {
    pub line: u32,
    pub column: Option<u32>,
    pub condition: Option<String>,
    pub hit_condition: Option<String>,
    pub log_message: Option<String>,
}

impl Breakpoint {
    /// A plain breakpoint (a click in the gutter).
    pub fn at(line: u32) -> Breakpoint {
        Breakpoint {
            line,
            ..Breakpoint::default()
        }
    }

    /// "Edit Condition" → Expression.
    pub fn when(mut self, condition: &str) -> Breakpoint {
        self.condition = Some(condition.into());
        self
    }

    /// "Edit Condition" → Hit Count.
    pub fn hits(mut self, hit_condition: &str) -> Breakpoint {
        self.hit_condition = Some(hit_condition.into());
        self
    }

    /// "Add Logpoint…".
    pub fn log(mut self, message: &str) -> Breakpoint {
        self.log_message = Some(message.into());
        self
    }

    /// `Breakpoint.toDAP` (`common/debugModel.ts`): line, column, condition, hitCondition,
    /// logMessage and mode, the unset ones left out as `JSON.stringify` leaves out `undefined`.
    fn to_dap(&self) -> Value {
        defined(json!({
            "line": self.line,
            "column": self.column,
            "condition": self.condition,
            "hitCondition": self.hit_condition,
            "logMessage": self.log_message,
        }))
    }
}

/// A node of the Variables, Watch or hover tree: a scope, a variable, an evaluated expression
/// or one of the `[start..end]` chunks VS Code makes for long arrays (`ExpressionContainer` in
/// `common/debugModel.ts`).
#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub value: String,
    pub type_name: Option<String>,
    pub reference: i64,
    pub named_variables: u64,
    pub indexed_variables: u64,
    /// First index of a chunk (`startOfVariables`).
    pub start: u64,
    pub evaluate_name: Option<String>,
    pub memory_reference: Option<String>,
    pub expensive: bool,
    /// A chunk or an error row (`presentationHint.kind == "virtual"`).
    pub is_virtual: bool,
    /// What the adapter sent (`Value::Null` for chunks).
    pub raw: Value,
}

impl Node {
    fn from_dap(name: &str, value: &str, raw: &Value) -> Node {
        Node {
            name: name.to_string(),
            value: value.to_string(),
            type_name: raw["type"].as_str().map(str::to_string),
            reference: raw["variablesReference"].as_i64().unwrap_or(0),
            named_variables: raw["namedVariables"].as_u64().unwrap_or(0),
            indexed_variables: raw["indexedVariables"].as_u64().unwrap_or(0),
            start: 0,
            evaluate_name: raw["evaluateName"].as_str().map(str::to_string),
            memory_reference: raw["memoryReference"].as_str().map(str::to_string),
            expensive: raw["expensive"].as_bool().unwrap_or(false),
            is_virtual: raw["presentationHint"]["kind"] == "virtual",
            raw: raw.clone(),
        }
    }

    fn variable(raw: &Value) -> Node {
        Node::from_dap(
            raw["name"].as_str().unwrap_or_default(),
            raw["value"].as_str().unwrap_or_default(),
            raw,
        )
    }

    fn scope(raw: &Value) -> Node {
        Node::from_dap(raw["name"].as_str().unwrap_or_default(), "", raw)
    }

    fn expression(expression: &str, body: &Value) -> Node {
        Node::from_dap(expression, body["result"].as_str().unwrap_or_default(), body)
    }

    /// The row VS Code shows when fetching children failed: the error text, nothing else.
    fn error(message: &str) -> Node {
        let mut node = Node::from_dap("", message, &Value::Null);
        node.is_virtual = true;
        node
    }

    /// `ExpressionContainer.hasChildren`: a positive reference that is not lazy.
    pub fn has_children(&self) -> bool {
        self.reference > 0 && self.raw["presentationHint"]["lazy"] != true
    }

    /// `name: type = value`, as the tests of this crate print variables.
    pub fn line(&self) -> String {
        format!(
            "{}: {} = {}",
            self.name,
            self.type_name.as_deref().unwrap_or("?"),
            self.value
        )
    }
}

/// What VS Code fetched and showed when a thread stopped.
#[derive(Clone, Debug)]
pub struct Stopped {
    /// The `stopped` event's body.
    pub event: Value,
    pub reason: String,
    pub thread_id: i64,
    /// The `threads` answer.
    pub threads: Vec<Value>,
    /// The call stack as loaded (top frame first, then the rest).
    pub frames: Vec<Value>,
    /// `totalFrames` of the first `stackTrace` answer.
    pub total_frames: Option<u64>,
    /// The index of the frame the editor and the views show (`Thread.getTopStackFrame`).
    pub focused: Option<usize>,
    /// The `exceptionInfo` answer the exception widget shows.
    pub exception: Option<Value>,
    /// The scopes of the focused frame.
    pub scopes: Vec<Node>,
    /// The children of the scope the Variables view expands by itself.
    pub variables: Vec<Node>,
    /// The Watch view: each expression and what it showed.
    pub watches: Vec<(String, Result<Node, String>)>,
}

impl Stopped {
    /// The focused frame as the adapter sent it.
    pub fn frame(&self) -> &Value {
        &self.frames[self.focused.expect("a focused frame")]
    }

    /// The variable of the expanded scope named `name`.
    pub fn variable(&self, name: &str) -> &Node {
        self.variables
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("{name} not in {:#?}", self.variables))
    }

    /// The scope named `name`.
    pub fn scope(&self, name: &str) -> &Node {
        self.scopes
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("{name} not in {:#?}", self.scopes))
    }
}

/// An exception filter of the BREAKPOINTS view (`ExceptionBreakpoint` in `common/debugModel.ts`).
#[derive(Clone, Debug)]
pub struct ExceptionFilter {
    pub filter: String,
    pub enabled: bool,
    pub condition: Option<String>,
}

/// A client that behaves like VS Code's debug UI, on top of [`DapClient`].
pub struct VsCodeClient {
    pub dap: DapClient,
    /// `AbstractDebugAdapter.sequence`: VS Code numbers its messages from 1.
    seq: i64,
    /// Every request sent, as it went on the wire.
    pub sent: Vec<Value>,
    /// The adapter's capabilities (`initialize` answer, merged with `launch`'s and with
    /// `capabilities` events, as `RawDebugSession.mergeCapabilities` does).
    pub capabilities: Value,
    /// The id `DebugService.createSession` made (a UUID), sent as `__sessionId`.
    pub session_id: String,
    configuration: Value,
    /// The editor's breakpoints: (file, breakpoint), kept sorted like `DebugModel.sortAndDeDup`.
    breakpoints: Vec<(String, Breakpoint)>,
    /// `setFunctionBreakpoints` entries (`FunctionBreakpoint.toDAP`).
    pub function_breakpoints: Vec<Value>,
    pub exception_filters: Vec<ExceptionFilter>,
    /// Watch expressions (the WATCH view).
    pub watches: Vec<String>,
    /// `RawDebugSession.readyForBreakpoints`: set by `initialized`.
    ready_for_breakpoints: bool,
    /// `RawDebugSession.terminated`: a second Stop disconnects.
    terminate_sent: bool,
    /// `RawDebugSession.inShutdown`: `disconnect` is sent once.
    in_shutdown: bool,
    /// The last stop, whose frame the views show.
    pub stopped: Option<Stopped>,
    events_seen: usize,
    adapter_pid: Option<u32>,
}

impl VsCodeClient {
    /// Starts `qirvo dap` the way `ExecutableDebugAdapter` does (stdio).
    pub fn start() -> VsCodeClient {
        let dap = DapClient::start();
        // The environment shows once the child has exec'd and settled: look until it does.
        let deadline = Instant::now() + PATIENCE;
        let adapter_pid = loop {
            match find_adapter_pid(dap._home.path()) {
                Some(pid) => break Some(pid),
                None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                None => break None,
            }
        };
        VsCodeClient {
            dap,
            seq: 0,
            sent: Vec::new(),
            capabilities: json!({}),
            session_id: uuid(),
            configuration: Value::Null,
            breakpoints: Vec::new(),
            function_breakpoints: Vec::new(),
            exception_filters: Vec::new(),
            watches: Vec::new(),
            ready_for_breakpoints: false,
            terminate_sent: false,
            in_shutdown: false,
            stopped: None,
            events_seen: 0,
            adapter_pid,
        }
    }

    // ---- the wire

    /// `AbstractDebugAdapter.sendRequest` (`common/abstractDebugAdapter.ts`): `command`, then
    /// `arguments` only when there are some (`configurationDone` and `threads` go without), then
    /// `type` and `seq`.
    pub fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.seq += 1;
        let mut message = Map::new();
        message.insert("command".into(), json!(command));
        let empty = arguments.is_null() || arguments.as_object().is_some_and(Map::is_empty);
        if !empty {
            message.insert("arguments".into(), arguments);
        }
        message.insert("type".into(), json!("request"));
        message.insert("seq".into(), json!(self.seq));
        let message = Value::Object(message);
        let mut bytes = Vec::new();
        crate::wire::write_frame(&mut bytes, &message);
        self.dap.send_raw(&bytes);
        self.sent.push(message);
        self.seq
    }

    /// The answer to request `seq`: its body, or the error message VS Code would show.
    pub fn answer(&mut self, seq: i64) -> Result<Value, String> {
        let response = self.dap.response(seq);
        self.process_events();
        if response["success"] == true {
            Ok(response["body"].clone())
        } else {
            Err(response["message"].as_str().unwrap_or_default().to_string())
        }
    }

    /// `RawDebugSession.send`: one request and its answer.
    pub fn try_request(&mut self, command: &str, arguments: Value) -> Result<Value, String> {
        let seq = self.send(command, arguments);
        self.answer(seq)
    }

    /// A request that must succeed.
    pub fn request(&mut self, command: &str, arguments: Value) -> Value {
        self.try_request(command, arguments)
            .unwrap_or_else(|message| panic!("{command} failed: {message}"))
    }

    /// The requests sent so far whose command is `command`, with their arguments.
    pub fn sent_of(&self, command: &str) -> Vec<Value> {
        self.sent
            .iter()
            .filter(|m| m["command"] == command)
            .map(|m| m.get("arguments").cloned().unwrap_or(Value::Null))
            .collect()
    }

    /// The commands sent so far, in order.
    pub fn commands(&self) -> Vec<String> {
        self.sent
            .iter()
            .map(|m| m["command"].as_str().unwrap().to_string())
            .collect()
    }

    fn capability(&self, name: &str) -> bool {
        self.capabilities[name] == true
    }

    /// What `DebugSession.registerListeners` does for events that need no user: a `thread`
    /// `started` fetches the threads (`fetchThreadsScheduler`, 100 ms later, once for a burst),
    /// `capabilities` merges, an `output` that carries a `variablesReference` fetches its
    /// children for the Debug Console. `stopped` and `terminated` are handled by whoever waits
    /// for them.
    fn process_events(&mut self) {
        loop {
            let new: Vec<Value> = self.dap.events[self.events_seen..].to_vec();
            if new.is_empty() {
                return;
            }
            self.events_seen = self.dap.events.len();
            let mut fetch_threads = false;
            for event in new {
                let body = &event["body"];
                match event["event"].as_str() {
                    Some("thread") if body["reason"] == "started" => fetch_threads = true,
                    Some("capabilities") => merge(&mut self.capabilities, &body["capabilities"]),
                    Some("output") if body["variablesReference"].as_i64().unwrap_or(0) > 0 => {
                        let reference = body["variablesReference"].as_i64().unwrap();
                        let seq = self.send("variables", json!({ "variablesReference": reference }));
                        let _ = self.dap.response(seq);
                    }
                    _ => {}
                }
            }
            if fetch_threads {
                let seq = self.send("threads", Value::Null);
                let _ = self.dap.response(seq);
            }
        }
    }

    // ---- starting

    /// `DebugSession.initialize` (`browser/debugSession.ts`): the arguments VS Code sends, then
    /// the exception filters the adapter offers become the BREAKPOINTS view's checkboxes,
    /// checked when `default` (`DebugModel.setExceptionBreakpointsForSession`).
    pub fn initialize(&mut self, adapter_id: &str) -> Value {
        let capabilities = self.request(
            "initialize",
            json!({
                "clientID": "vscode",
                "clientName": CLIENT_NAME,
                "adapterID": adapter_id,
                "pathFormat": "path",
                "linesStartAt1": true,
                "columnsStartAt1": true,
                "supportsVariableType": true,
                "supportsVariablePaging": true,
                "supportsRunInTerminalRequest": true,
                "locale": LOCALE,
                "supportsProgressReporting": true,
                "supportsInvalidatedEvent": true,
                "supportsMemoryReferences": true,
                "supportsArgsCanBeInterpretedByShell": true,
                "supportsMemoryEvent": true,
                "supportsStartDebuggingRequest": true,
                "supportsANSIStyling": true
            }),
        );
        merge(&mut self.capabilities, &capabilities);
        self.exception_filters = capabilities["exceptionBreakpointFilters"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|f| ExceptionFilter {
                filter: f["filter"].as_str().unwrap_or_default().to_string(),
                enabled: f["default"] == true,
                condition: None,
            })
            .collect();
        capabilities
    }

    /// F5 on a configuration of `.vscode/launch.json` (`DebugService.startDebugging` →
    /// `createSession` → `doCreateSession` → `launchOrAttachToSession`): `initialize`, then the
    /// configuration as `launch`, with `__configurationTarget` (from `Launch.getConfiguration`)
    /// and `__sessionId` (from `DebugSession.launchOrAttach`) added at its end. When the
    /// adapter says `initialized`, `DebugSession.registerListeners` sends all breakpoints
    /// ([`VsCodeClient::send_all_breakpoints`]), then `configurationDone`, then `threads`; the
    /// answer to `launch` is awaited on its own, whenever it comes.
    ///
    /// Returns the `setBreakpoints` answers per file.
    pub fn launch(&mut self, configuration: Value) -> Vec<(String, Vec<Value>)> {
        let adapter_id = configuration["type"]
            .as_str()
            .expect("a configuration has a type")
            .to_string();
        self.initialize(&adapter_id);
        let mut configuration = configuration;
        configuration["__configurationTarget"] = json!(CONFIGURATION_TARGET_WORKSPACE_FOLDER);
        configuration["__sessionId"] = json!(self.session_id);
        self.configuration = configuration.clone();
        let request = configuration["request"].as_str().unwrap_or("launch").to_string();
        let launch = self.send(&request, configuration);
        self.dap.wait_event("initialized");
        self.ready_for_breakpoints = true;
        let set = self.send_all_breakpoints();
        if self.capability("supportsConfigurationDoneRequest") {
            // On failure VS Code shows the error and disconnects (#10596).
            if let Err(message) = self.try_request("configurationDone", Value::Null) {
                panic!("configurationDone failed: {message}");
            }
        }
        self.request("threads", Value::Null);
        let launched = self.answer(launch);
        // `launchOrAttach` merges the capabilities a launch answer may carry.
        if let Ok(body) = &launched {
            merge(&mut self.capabilities, body);
        }
        launched.unwrap_or_else(|message| panic!("{request} failed: {message}"));
        set
    }

    // ---- breakpoints

    /// `DebugService.addBreakpoints` (a click in the gutter, or the breakpoint widget): the
    /// breakpoint joins the model, which `DebugModel.sortAndDeDup` keeps sorted by file name,
    /// then line, then column, without two at the same line and column. During a session the
    /// file's breakpoints are sent at once (`sendBreakpoints`); returns that answer then.
    pub fn add_breakpoint(&mut self, path: &str, breakpoint: Breakpoint) -> Option<Vec<Value>> {
        self.breakpoints.push((path.to_string(), breakpoint));
        sort_and_dedup(&mut self.breakpoints);
        self.ready_for_breakpoints.then(|| self.send_breakpoints(path))
    }

    /// Removing every breakpoint of `path` (Remove All in the file), then `sendBreakpoints`.
    pub fn remove_breakpoints(&mut self, path: &str) -> Option<Vec<Value>> {
        self.breakpoints.retain(|(p, _)| p != path);
        self.ready_for_breakpoints.then(|| self.send_breakpoints(path))
    }

    /// A function breakpoint (`FunctionBreakpoint.toDAP`: name, condition, hitCondition).
    pub fn add_function_breakpoint(&mut self, name: &str) {
        self.function_breakpoints.push(json!({ "name": name }));
    }

    /// Checks or unchecks an exception filter of the BREAKPOINTS view.
    pub fn set_exception_filter(&mut self, filter: &str, enabled: bool) {
        let found = self
            .exception_filters
            .iter_mut()
            .find(|f| f.filter == filter)
            .unwrap_or_else(|| panic!("the adapter offers no exception filter {filter}"));
        found.enabled = enabled;
    }

    /// The breakpoints of `path` in the order VS Code sends them.
    pub fn breakpoints_of(&self, path: &str) -> Vec<Breakpoint> {
        self.breakpoints
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// The arguments of `setBreakpoints` for `path` (`DebugSession.sendBreakpoints`): the raw
    /// source (`getRawSource`: the adapter's own `Source` once a frame showed the file, else
    /// name and path from the file's URI), `lines` and `breakpoints` side by side, and
    /// `sourceModified: false`.
    fn set_breakpoints_arguments(&self, path: &str) -> Value {
        let breakpoints = self.breakpoints_of(path);
        json!({
            "source": self.raw_source(path),
            "lines": breakpoints.iter().map(|b| b.line).collect::<Vec<_>>(),
            "breakpoints": breakpoints.iter().map(Breakpoint::to_dap).collect::<Vec<_>>(),
            "sourceModified": false
        })
    }

    /// `DebugSession.getRawSource`.
    fn raw_source(&self, path: &str) -> Value {
        let known = self.stopped.as_ref().and_then(|s| {
            s.frames
                .iter()
                .find(|f| f["source"]["path"].as_str() == Some(path))
                .map(|f| f["source"].clone())
        });
        known.unwrap_or_else(|| {
            let name = Path::new(path).file_name().unwrap().to_string_lossy().into_owned();
            json!({ "name": name, "path": path })
        })
    }

    /// `DebugService.sendBreakpoints` → `DebugSession.sendBreakpoints` for one file; VS Code
    /// pairs the answer's breakpoints with its own by index.
    pub fn send_breakpoints(&mut self, path: &str) -> Vec<Value> {
        let arguments = self.set_breakpoints_arguments(path);
        let body = self.request("setBreakpoints", arguments);
        body["breakpoints"].as_array().cloned().unwrap_or_default()
    }

    /// `DebugService.sendAllBreakpoints`. To an adapter with `supportsConfigurationDoneRequest`
    /// everything goes at once, in this order: `setBreakpoints` per file (files in the model's
    /// order), `setFunctionBreakpoints` (when supported, even with none), `setInstructionBreakpoints`
    /// (when supported), `setExceptionBreakpoints` (unless the adapter offers no filters), and
    /// `setDataBreakpoints` last (when supported: it awaits a conversion first). Without
    /// `configurationDone`, files go at once and the rest one after the other, exceptions last.
    pub fn send_all_breakpoints(&mut self) -> Vec<(String, Vec<Value>)> {
        let mut files: Vec<String> = Vec::new();
        for (path, _) in &self.breakpoints {
            if !files.contains(path) {
                files.push(path.clone());
            }
        }
        let parallel = self.capability("supportsConfigurationDoneRequest");
        let file_seqs: Vec<(String, i64)> = files
            .iter()
            .map(|path| {
                let arguments = self.set_breakpoints_arguments(path);
                (path.clone(), self.send("setBreakpoints", arguments))
            })
            .collect();
        let mut others = Vec::new();
        if !parallel {
            // `await Promise.all(setBreakpointsPromises)` comes first.
            for (_, seq) in &file_seqs {
                let _ = self.dap.response(*seq);
            }
        }
        let mut later = |client: &mut VsCodeClient, command: &str, arguments: Value| {
            let seq = client.send(command, arguments);
            if parallel {
                others.push(seq);
            } else {
                let _ = client.answer(seq);
            }
        };
        if self.capability("supportsFunctionBreakpoints") {
            let arguments = json!({ "breakpoints": self.function_breakpoints.clone() });
            later(self, "setFunctionBreakpoints", arguments);
        }
        if !parallel && self.capability("supportsDataBreakpoints") {
            later(self, "setDataBreakpoints", json!({ "breakpoints": [] }));
        }
        if self.capability("supportsInstructionBreakpoints") {
            later(self, "setInstructionBreakpoints", json!({ "breakpoints": [] }));
        }
        let has_filters = self.capabilities["exceptionBreakpointFilters"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        // Only as the protocol says (#90001): not to an adapter with `configurationDone` and no
        // filters.
        if has_filters || !self.capability("supportsConfigurationDoneRequest") {
            let arguments = self.set_exception_breakpoints_arguments();
            later(self, "setExceptionBreakpoints", arguments);
        }
        if parallel && self.capability("supportsDataBreakpoints") {
            later(self, "setDataBreakpoints", json!({ "breakpoints": [] }));
        }
        let mut results = Vec::new();
        for (path, seq) in file_seqs {
            let response = self.dap.response(seq);
            assert_eq!(response["success"], true, "setBreakpoints failed: {response}");
            results.push((
                path,
                response["body"]["breakpoints"].as_array().cloned().unwrap_or_default(),
            ));
        }
        for seq in others {
            let response = self.dap.response(seq);
            assert_eq!(response["success"], true, "{response}");
        }
        self.process_events();
        results
    }

    /// `DebugSession.sendExceptionBreakpoints`: with `supportsExceptionFilterOptions`, an empty
    /// `filters` and one `filterOptions` entry per checked filter (with its condition when it
    /// has one); without, just the checked filters' ids.
    fn set_exception_breakpoints_arguments(&self) -> Value {
        let enabled: Vec<&ExceptionFilter> = self.exception_filters.iter().filter(|f| f.enabled).collect();
        if self.capability("supportsExceptionFilterOptions") {
            let options: Vec<Value> = enabled
                .iter()
                .map(|f| defined(json!({ "filterId": f.filter, "condition": f.condition })))
                .collect();
            json!({ "filters": [], "filterOptions": options })
        } else {
            json!({ "filters": enabled.iter().map(|f| f.filter.clone()).collect::<Vec<_>>() })
        }
    }

    // ---- stops

    /// Waits for the next stop and fetches what VS Code fetches (see
    /// [`VsCodeClient::handle_stop`]); panics if the session ends first.
    pub fn wait_stopped(&mut self) -> Stopped {
        self.wait_stopped_or_end()
            .unwrap_or_else(|| panic!("the session ended instead of stopping; output:\n{}", self.dap.output()))
    }

    /// The next stop, or `None` when the adapter says `terminated` first.
    pub fn wait_stopped_or_end(&mut self) -> Option<Stopped> {
        if self.saw("terminated") {
            return None;
        }
        let (name, body) = self.dap.wait_event_of(&["stopped", "terminated"]);
        if name == "terminated" {
            return None;
        }
        Some(self.handle_stop(body))
    }

    /// `DebugSession.handleStop` with the views' reactions to the new focus:
    /// 1. `threads` (`fetchThreads`);
    /// 2. `DebugModel.refreshTopOfCallstack`: with `supportsDelayedStackTraceLoading`,
    ///    `stackTrace { threadId, startFrame: 0, levels: 1 }` now and
    ///    `{ startFrame: 1, levels: 19 }` 420 ms later; without, `{ startFrame: 0, levels: 20 }`;
    /// 3. focus on `Thread.getTopStackFrame` (the first frame with a source, or a `subtle` one
    ///    only for breakpoint/step stops), which opens it in an editor (a `source` request
    ///    when `common/debugSource.ts` makes it a `debug:` URI), shows the exception widget
    ///    (`exceptionInfo`), evaluates the Watch view (50 ms) and fills the Variables view
    ///    (400 ms: `scopes`, then the first non-expensive scope expanded);
    /// 4. after the whole stack, focus again if nothing (or a de-emphasized frame) was focused.
    pub fn handle_stop(&mut self, event: Value) -> Stopped {
        self.process_events();
        let reason = event["reason"].as_str().unwrap_or_default().to_string();
        let threads = self.request("threads", Value::Null)["threads"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let thread_id = event["threadId"]
            .as_i64()
            .or_else(|| threads.first().and_then(|t| t["id"].as_i64()))
            .expect("a stopped thread");
        let delayed = self.capability("supportsDelayedStackTraceLoading");
        let first = self.request(
            "stackTrace",
            json!({ "threadId": thread_id, "startFrame": 0, "levels": if delayed { 1 } else { 20 } }),
        );
        let mut stopped = Stopped {
            event: event.clone(),
            reason: reason.clone(),
            thread_id,
            threads,
            frames: first["stackFrames"].as_array().cloned().unwrap_or_default(),
            total_frames: first["totalFrames"].as_u64(),
            focused: None,
            exception: None,
            scopes: Vec::new(),
            variables: Vec::new(),
            watches: Vec::new(),
        };
        if let Some(index) = top_stack_frame(&stopped.frames, &reason) {
            self.focus_frame(&mut stopped, index);
        }
        if delayed {
            let start = stopped.frames.len();
            let rest = self.request(
                "stackTrace",
                json!({ "threadId": thread_id, "startFrame": start, "levels": 19 }),
            );
            stopped
                .frames
                .extend(rest["stackFrames"].as_array().cloned().unwrap_or_default());
            let deemphasized = stopped
                .focused
                .is_none_or(|i| is_frame_deemphasized(&stopped.frames[i]));
            if deemphasized
                && let Some(index) = top_stack_frame(&stopped.frames, &reason)
                && Some(index) != stopped.focused
            {
                self.focus_frame(&mut stopped, index);
            }
        }
        self.stopped = Some(stopped.clone());
        stopped
    }

    /// `DebugService.focusStackFrame` and what follows: `StackFrame.openInEditor` (a `source`
    /// request for a `debug:` URI: `sourceReference > 0`, or a path that is neither absolute
    /// nor a URI; `DebugSession.loadSource` sends `{ sourceReference: ref || 0, source }`), the
    /// exception widget (`exceptionInfo` when the stop is an exception and the adapter has
    /// `supportsExceptionInfoRequest`), the Watch view and the Variables view.
    fn focus_frame(&mut self, stopped: &mut Stopped, index: usize) {
        stopped.focused = Some(index);
        let frame = stopped.frames[index].clone();
        let source = &frame["source"];
        if source.is_object() && needs_source_request(source) {
            let reference = source["sourceReference"].as_i64().unwrap_or(0);
            let _ = self.try_request("source", json!({ "sourceReference": reference, "source": source }));
        }
        if stopped.reason == "exception" && self.capability("supportsExceptionInfoRequest") {
            stopped.exception = self
                .try_request("exceptionInfo", json!({ "threadId": stopped.thread_id }))
                .ok();
        }
        let frame_id = frame["id"].as_i64();
        stopped.watches = self
            .watches
            .clone()
            .into_iter()
            .map(|w| {
                let result = self.evaluate_in(frame_id, &w, "watch", None);
                (w, result)
            })
            .collect();
        self.fill_variables_view(stopped, frame_id);
    }

    /// `VariablesView`'s `updateTreeScheduler`: `StackFrame.getScopes` (`scopes { frameId }`),
    /// then the first scope that is not `expensive` expanded (`ExpressionContainer.getChildren`).
    fn fill_variables_view(&mut self, stopped: &mut Stopped, frame_id: Option<i64>) {
        let Some(frame_id) = frame_id else { return };
        stopped.scopes = match self.try_request("scopes", json!({ "frameId": frame_id })) {
            Ok(body) => body["scopes"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(Node::scope)
                .collect(),
            Err(message) => vec![Node::error(&message)],
        };
        stopped.variables = match stopped.scopes.iter().find(|s| !s.expensive).cloned() {
            Some(scope) => self.children(&scope),
            None => Vec::new(),
        };
    }

    /// The thread the views show.
    pub fn thread_id(&self) -> i64 {
        self.stopped.as_ref().expect("stopped").thread_id
    }

    /// The frame id the views use (`focusedStackFrame.frameId`).
    pub fn frame_id(&self) -> Option<i64> {
        let stopped = self.stopped.as_ref()?;
        stopped.focused.and_then(|i| stopped.frames[i]["id"].as_i64())
    }

    /// A click on another frame of the CALL STACK view: the same as a stop's focus.
    pub fn select_frame(&mut self, index: usize) -> Stopped {
        let mut stopped = self.stopped.take().expect("stopped");
        self.focus_frame(&mut stopped, index);
        self.stopped = Some(stopped.clone());
        stopped
    }

    // ---- variables

    /// `ExpressionContainer.getChildren` → `doGetChildren` (`common/debugModel.ts`): nothing
    /// without a reference; `variables { variablesReference }` without `indexedVariables`;
    /// otherwise the named children first (`filter: "named"`, when `namedVariables`), then
    /// either `[start..end]` chunks (no request: 100 per chunk, or 100× that until a hundred
    /// chunks suffice) or the indexed children at once
    /// (`filter: "indexed", start, count`). A failure shows as one row with the message.
    pub fn children(&mut self, node: &Node) -> Vec<Node> {
        if !node.has_children() {
            return Vec::new();
        }
        if node.indexed_variables == 0 {
            return self.fetch_variables(node.reference, None, None, None);
        }
        let mut children = if node.named_variables > 0 {
            self.fetch_variables(node.reference, None, None, Some("named"))
        } else {
            Vec::new()
        };
        let indexed = node.indexed_variables;
        let mut chunk = BASE_CHUNK_SIZE;
        while indexed > chunk * BASE_CHUNK_SIZE {
            chunk *= BASE_CHUNK_SIZE;
        }
        if indexed > chunk {
            for i in 0..indexed.div_ceil(chunk) {
                let start = node.start + i * chunk;
                let count = chunk.min(indexed - i * chunk);
                let mut row = Node::from_dap(&format!("[{start}..{}]", start + count - 1), "", &Value::Null);
                row.reference = node.reference;
                row.indexed_variables = count;
                row.start = start;
                row.is_virtual = true;
                children.push(row);
            }
            return children;
        }
        children.extend(self.fetch_variables(node.reference, Some(node.start), Some(indexed), Some("indexed")));
        children
    }

    /// `ExpressionContainer.fetchVariables`: `variables { variablesReference, filter, start,
    /// count }`, the unset ones left out.
    fn fetch_variables(
        &mut self,
        reference: i64,
        start: Option<u64>,
        count: Option<u64>,
        filter: Option<&str>,
    ) -> Vec<Node> {
        let arguments =
            defined(json!({ "variablesReference": reference, "filter": filter, "start": start, "count": count }));
        match self.try_request("variables", arguments) {
            Ok(body) => body["variables"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|v| {
                    if v["value"].is_string() && v["name"].is_string() && v["variablesReference"].is_number() {
                        Node::variable(v)
                    } else {
                        Node::error("Invalid variable attributes")
                    }
                })
                .collect(),
            Err(message) => vec![Node::error(&message)],
        }
    }

    /// Expands the path of names (`Locals`, `many`, `[200..299]`, …) from the scopes down, as a
    /// user clicking twisties would; returns the children of the last.
    pub fn expand_path(&mut self, path: &[&str]) -> Vec<Node> {
        let stopped = self.stopped.clone().expect("stopped");
        let (first, rest) = path.split_first().expect("a path");
        let mut node = stopped
            .scopes
            .iter()
            .find(|s| s.name == *first)
            .unwrap_or_else(|| panic!("no scope {first}"))
            .clone();
        let mut children = self.children(&node);
        for name in rest {
            node = children
                .iter()
                .find(|c| c.name == *name)
                .unwrap_or_else(|| panic!("no {name} in {children:#?}"))
                .clone();
            children = self.children(&node);
        }
        children
    }

    // ---- evaluate

    /// `ExpressionContainer.evaluateExpression` → `DebugSession.evaluate`: `evaluate
    /// { expression, frameId, context }` plus `line`, `column` and `source` for hovers.
    fn evaluate_in(
        &mut self,
        frame_id: Option<i64>,
        expression: &str,
        context: &str,
        location: Option<(u32, u32, Value)>,
    ) -> Result<Node, String> {
        let (line, column, source) = match location {
            Some((line, column, source)) => (Some(line), Some(column), source),
            None => (None, None, Value::Null),
        };
        let arguments = defined(json!({
            "expression": expression,
            "frameId": frame_id,
            "context": context,
            "line": line,
            "column": column,
            "source": source,
        }));
        self.try_request("evaluate", arguments)
            .map(|body| Node::expression(expression, &body))
    }

    /// The mouse over `expression` at `line`:`column` of the focused frame's file
    /// (`DebugHoverComputer.evaluate`, `browser/debugHover.ts`). With
    /// `supportsEvaluateForHovers`: `evaluate` with context `hover` and the position and
    /// source; an expandable result is shown as a tree, so its children are fetched. Without:
    /// `findExpressionInStackFrame` looks the dotted names up in the non-expensive scopes.
    /// `Err` when VS Code would show no hover.
    pub fn hover(&mut self, expression: &str, line: u32, column: u32) -> Result<(Node, Vec<Node>), String> {
        let stopped = self.stopped.clone().expect("stopped");
        let frame = stopped.frame().clone();
        let found = if self.capability("supportsEvaluateForHovers") {
            self.evaluate_in(
                frame["id"].as_i64(),
                expression,
                "hover",
                Some((line, column, frame["source"].clone())),
            )?
        } else {
            let names: Vec<&str> = expression.split('.').map(str::trim).filter(|n| !n.is_empty()).collect();
            let mut found: Vec<Node> = Vec::new();
            for scope in stopped.scopes.iter().filter(|s| !s.expensive) {
                if let Some(node) = self.find_in(scope, &names) {
                    found.push(node);
                }
            }
            match found.first() {
                Some(first) if found.iter().all(|f| f.value == first.value) => first.clone(),
                _ => return Err("not found".into()),
            }
        };
        let children = if found.has_children() {
            self.children(&found)
        } else {
            Vec::new()
        };
        Ok((found, children))
    }

    /// `doFindExpression` of `browser/debugHover.ts`.
    fn find_in(&mut self, container: &Node, names: &[&str]) -> Option<Node> {
        let children = self.children(container);
        let matching: Vec<&Node> = children.iter().filter(|c| c.name == names[0]).collect();
        if matching.len() != 1 {
            return None;
        }
        let found = matching[0].clone();
        if names.len() == 1 {
            Some(found)
        } else {
            self.find_in(&found, &names[1..])
        }
    }

    /// "Add Expression" in the WATCH view: `evaluate` with context `watch` in the focused frame
    /// (and again at every stop).
    pub fn add_watch(&mut self, expression: &str) -> Result<Node, String> {
        self.watches.push(expression.to_string());
        let frame_id = self.frame_id();
        if self.stopped.is_none() {
            return Err("not available".into());
        }
        self.evaluate_in(frame_id, expression, "watch", None)
    }

    /// Enter in the DEBUG CONSOLE (`Repl.acceptReplInput` → `ReplModel.addReplExpression`):
    /// `evaluate` with context `repl` and the focused frame, then `ViewModel.updateViews`,
    /// after which the Variables view forgets its scopes and fetches them again (with the
    /// expanded scope's children) and the Watch view evaluates again.
    pub fn repl(&mut self, expression: &str) -> Result<Node, String> {
        let frame_id = self.frame_id();
        let result = self.evaluate_in(frame_id, expression, "repl", None);
        if let Some(mut stopped) = self.stopped.take() {
            self.fill_variables_view(&mut stopped, frame_id);
            stopped.watches = self
                .watches
                .clone()
                .into_iter()
                .map(|w| {
                    let result = self.evaluate_in(frame_id, &w, "watch", None);
                    (w, result)
                })
                .collect();
            self.stopped = Some(stopped);
        }
        result
    }

    /// "Copy Value" on a variable (`COPY_VALUE_ID` in `browser/debugCommands.ts`): evaluates
    /// its `evaluateName`, or else its value text, in the focused frame with context
    /// `clipboard` when the adapter has `supportsClipboardContext` and `variables` otherwise;
    /// on an error the shown value is copied instead. Returns (context used, text copied).
    pub fn copy_value(&mut self, node: &Node) -> (String, String) {
        let context = if self.capability("supportsClipboardContext") {
            "clipboard"
        } else {
            "variables"
        };
        let expression = node.evaluate_name.clone().unwrap_or_else(|| node.value.clone());
        let frame_id = self.frame_id();
        let copied = match self.evaluate_in(frame_id, &expression, context, None) {
            Ok(result) => result.value,
            Err(_) => node.value.clone(),
        };
        (context.to_string(), copied)
    }

    /// The DEBUG CONSOLE's completion provider (`browser/repl.ts`): `completions { frameId,
    /// text, column, line }` with the whole input as `text` and the cursor's editor position
    /// (1-based, columns in UTF-16 code units).
    pub fn completions(&mut self, text: &str, line: u32, column: u32) -> Result<Value, String> {
        if !self.capability("supportsCompletionsRequest") {
            return Err("completions not supported".into());
        }
        let frame_id = self.frame_id();
        self.try_request(
            "completions",
            defined(json!({ "frameId": frame_id, "text": text, "column": column, "line": line })),
        )
    }

    /// Typing `text` into the DEBUG CONSOLE one character at a time (Shift+Enter for `\n`),
    /// asking for completions after each keystroke: the most often VS Code asks (its suggest
    /// widget asks as words start and at trigger characters, and filters in between). Returns
    /// (text so far, line, column, answer) per keystroke.
    pub fn type_in_repl(&mut self, text: &str) -> Vec<(String, u32, u32, Result<Value, String>)> {
        let mut typed = String::new();
        let mut results = Vec::new();
        for c in text.chars() {
            typed.push(c);
            let line = typed.matches('\n').count() as u32 + 1;
            let current = typed.rsplit('\n').next().unwrap_or_default();
            let column = current.encode_utf16().count() as u32 + 1;
            let answer = self.completions(&typed, line, column);
            results.push((typed.clone(), line, column, answer));
        }
        results
    }

    // ---- running

    /// Continue (F5): `continue { threadId }` (`Thread.continue` → `RawDebugSession.continue`).
    pub fn continue_(&mut self) {
        let thread = self.thread_id();
        self.request("continue", json!({ "threadId": thread }));
        self.stopped = None;
    }

    /// Step Over (F10): `next { threadId }` (`granularity` only from the Disassembly view).
    pub fn next(&mut self) {
        let thread = self.thread_id();
        self.request("next", json!({ "threadId": thread }));
        self.stopped = None;
    }

    /// Step Into (F11): `stepIn { threadId }`.
    pub fn step_in(&mut self) {
        let thread = self.thread_id();
        self.request("stepIn", json!({ "threadId": thread }));
        self.stopped = None;
    }

    /// Step Out (Shift+F11): `stepOut { threadId }`.
    pub fn step_out(&mut self) {
        let thread = self.thread_id();
        self.request("stepOut", json!({ "threadId": thread }));
        self.stopped = None;
    }

    // ---- ending

    fn saw(&self, event: &str) -> bool {
        self.dap.events.iter().any(|e| e["event"] == event)
    }

    /// The Stop button (`DebugService.stopSession` → `DebugSession.terminate` →
    /// `RawDebugSession.terminate`): `terminate { restart: false }` when the adapter has
    /// `supportsTerminateRequest` and the session was launched (a second Stop disconnects
    /// with `terminateDebuggee: true`); otherwise `disconnect { restart: false,
    /// terminateDebuggee: true }`. Then the adapter's `terminated` gets VS Code's
    /// `disconnect` ([`VsCodeClient::end`]). Returns the adapter's exit status.
    pub fn stop(&mut self) -> i32 {
        let launched = self.configuration["request"] == "launch";
        if self.capability("supportsTerminateRequest") && launched && !self.terminate_sent {
            self.terminate_sent = true;
            self.request("terminate", json!({ "restart": false }));
            self.end()
        } else {
            self.disconnect(false, Some(true), None);
            self.wait_adapter_exit()
        }
    }

    /// What VS Code does when the adapter says `terminated` (`onDidTerminateDebugee` in
    /// `DebugSession.registerListeners`): `RawDebugSession.disconnect({ terminateDebuggee:
    /// false })`, which sends `disconnect { restart: false }` (`terminateDebuggee` only to an
    /// adapter with `supportTerminateDebuggee`), then stops the adapter. Waits for
    /// `terminated` first; returns the adapter's exit status (it must exit on its own: VS Code
    /// would kill it 2 s later).
    pub fn end(&mut self) -> i32 {
        if !self.saw("terminated") {
            self.dap.wait_event("terminated");
        }
        self.disconnect(false, Some(false), None);
        self.wait_adapter_exit()
    }

    /// `RawDebugSession.disconnect` → `shutdown`: `disconnect { restart }`, with
    /// `terminateDebuggee` only when the adapter has `supportTerminateDebuggee`, and
    /// `suspendDebuggee` only when it has that and `supportSuspendDebuggee`; sent once.
    pub fn disconnect(&mut self, restart: bool, terminate_debuggee: Option<bool>, suspend_debuggee: Option<bool>) {
        if self.in_shutdown {
            return;
        }
        self.in_shutdown = true;
        let terminate = self.capability("supportTerminateDebuggee");
        let suspend = terminate && self.capability("supportSuspendDebuggee");
        let arguments = defined(json!({
            "restart": restart,
            "terminateDebuggee": if terminate { terminate_debuggee } else { None },
            "suspendDebuggee": if suspend { suspend_debuggee } else { None },
        }));
        let seq = self.send("disconnect", arguments);
        let response = self.dap.response(seq);
        assert_eq!(response["success"], true, "disconnect failed: {response}");
    }

    /// The adapter process's exit status once it exits (read from `/proc`, since the
    /// [`DapClient`] owns the child): the code, or minus the signal.
    pub fn wait_adapter_exit(&self) -> i32 {
        let pid = self.adapter_pid.expect("the adapter's pid was found in /proc");
        let deadline = Instant::now() + PATIENCE;
        loop {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the adapter is not reaped");
            let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split_whitespace().collect();
            if fields[0] == "Z" || fields[0] == "X" {
                // Field 52, `exit_code`, in the form `waitpid` reports.
                let status: i32 = fields[49].parse().unwrap();
                return if status & 0x7f == 0 {
                    (status >> 8) & 0xff
                } else {
                    -(status & 0x7f)
                };
            }
            assert!(
                Instant::now() < deadline,
                "the adapter did not exit; sent: {:#?}",
                self.commands()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `Thread.getTopStackFrame` (`common/debugModel.ts`): the first frame whose source is
/// available (a frame without `source` has none), unless it is de-emphasized, which is kept
/// only for breakpoint and step stops.
pub fn top_stack_frame(frames: &[Value], reason: &str) -> Option<usize> {
    frames.iter().position(|f| {
        f["source"].is_object() && (KEEP_SUBTLE_FRAME_AT_TOP_REASONS.contains(&reason) || !is_frame_deemphasized(f))
    })
}

/// `isFrameDeemphasized` (`common/debug.ts`): the frame's hint, or its source's, is
/// `deemphasize` or `subtle`.
pub fn is_frame_deemphasized(frame: &Value) -> bool {
    let hint = if frame["presentationHint"].is_string() {
        &frame["presentationHint"]
    } else {
        &frame["source"]["presentationHint"]
    };
    hint == "deemphasize" || hint == "subtle"
}

/// Whether `Source` (`common/debugSource.ts`) gives this source a `debug:` URI, whose content
/// VS Code asks the adapter for: a positive `sourceReference`, or a path (or else name) that is
/// neither a URI nor absolute.
pub fn needs_source_request(source: &Value) -> bool {
    if source["sourceReference"].as_i64().unwrap_or(0) > 0 {
        return true;
    }
    let path = source["path"].as_str().or(source["name"].as_str()).unwrap_or_default();
    let is_uri = path.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1 && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    !(is_uri || Path::new(path).is_absolute())
}

/// Accepting a completion in the DEBUG CONSOLE (`browser/repl.ts`): the `length` UTF-16 code
/// units before the cursor (`column`, 1-based) are replaced by the target's `text` or `label`.
pub fn apply_completion(line: &str, column: u32, target: &Value) -> String {
    let units: Vec<u16> = line.encode_utf16().collect();
    let cursor = (column as usize - 1).min(units.len());
    let length = target["length"].as_u64().unwrap_or(0) as usize;
    let from = cursor.saturating_sub(length);
    let insert = target["text"].as_str().or(target["label"].as_str()).unwrap_or_default();
    let mut out: Vec<u16> = units[..from].to_vec();
    out.extend(insert.encode_utf16());
    out.extend(&units[cursor..]);
    String::from_utf16(&out).expect("the replaced range splits no character")
}

/// `DebugModel.sortAndDeDup`: by file name (when the files differ), then line, then column;
/// one breakpoint per file, line and column.
fn sort_and_dedup(breakpoints: &mut Vec<(String, Breakpoint)>) {
    let name = |p: &str| {
        Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    breakpoints.sort_by(|(pa, a), (pb, b)| {
        if pa != pb {
            return name(pa).cmp(&name(pb));
        }
        match (a.line.cmp(&b.line), a.column, b.column) {
            (std::cmp::Ordering::Equal, Some(x), Some(y)) => x.cmp(&y),
            (order, ..) => order,
        }
    });
    let mut seen = Vec::new();
    breakpoints.retain(|(path, b)| {
        let key = (path.clone(), b.line, b.column);
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
}

/// What `JSON.stringify` makes of an object with `undefined` members: they are left out.
fn defined(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, defined(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(defined).collect()),
        other => other,
    }
}

/// `objects.mixin`: the new members over the old.
fn merge(into: &mut Value, from: &Value) {
    if let (Some(into), Some(from)) = (into.as_object_mut(), from.as_object()) {
        for (k, v) in from {
            into.insert(k.clone(), v.clone());
        }
    }
}

/// A random UUID (v4), as `generateUuid` makes session ids.
fn uuid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(i);
        hasher.write_u128(nanos);
        chunk.copy_from_slice(&hasher.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The pid of the `qirvo dap` child that `DapClient::start` spawned with this home: the only
/// process of ours whose environment names that data directory.
fn find_adapter_pid(home: &Path) -> Option<u32> {
    let needle = format!("QIRVO_DATA_DIR={}", home.join("data").display());
    let me = std::process::id().to_string();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if !environ.split(|b| *b == 0).any(|v| v == needle.as_bytes()) {
            continue;
        }
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let parent = stat.rfind(')').and_then(|i| stat[i + 2..].split_whitespace().nth(1));
        if parent == Some(me.as_str()) {
            return Some(pid);
        }
    }
    None
}
