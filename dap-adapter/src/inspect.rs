//! Reading a stopped plugin: runs on the debuggee's thread against the frozen store, turns a
//! scope or an expandable value into rows for a `variables` response. The session gives each
//! row that expands a reference; this module only describes what the row holds.

use std::ops::ControlFlow;

use qirvo_runtime::runtime::state::HostState;
use wasmtime::{AsContextMut, FrameHandle, Instance, StoreContextMut, Val};

use crate::dwarf::variables::{Machine, Place, VariableIndex};
use crate::stepping::StoppedFrame;
use crate::values::{Children, Radix, Rendered, Renderer};

/// A scope of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// DWARF locals of the frame.
    Locals,
    /// DWARF parameters of the frame.
    Arguments,
    /// Variables with static storage of the frame's compilation unit.
    Globals,
    /// Raw wasm state: locals, operand stack, globals.
    Wasm,
    /// The plugin: identity, limits and usage.
    Plugin,
}

impl ScopeKind {
    /// Every scope, in the order a client shows them.
    pub const ALL: [ScopeKind; 5] = [
        ScopeKind::Locals,
        ScopeKind::Arguments,
        ScopeKind::Globals,
        ScopeKind::Wasm,
        ScopeKind::Plugin,
    ];

    /// Its name in the client.
    pub fn name(self) -> &'static str {
        match self {
            ScopeKind::Locals => "Locals",
            ScopeKind::Arguments => "Arguments",
            ScopeKind::Globals => "Globals",
            ScopeKind::Wasm => "Wasm",
            ScopeKind::Plugin => "Plugin",
        }
    }
}

/// Which frame a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameSelector {
    /// Physical wasm frame, innermost 0.
    pub physical: usize,
    /// Inlined frame within it, innermost 0.
    pub inline_depth: usize,
    /// DWARF address to look variables up at (a caller's return address minus one).
    pub address: Option<u64>,
}

/// What a `variables` request expands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    /// A scope of a frame.
    Scope(FrameSelector, ScopeKind),
    /// The children of a value.
    Value(FrameSelector, Children),
}

/// One row of a `variables` response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Name.
    pub name: String,
    /// The value.
    pub rendered: Rendered,
}

impl Row {
    /// A row with a value that does not expand.
    pub fn plain(name: impl Into<String>, value: impl Into<String>, ty: &str) -> Row {
        Row {
            name: name.into(),
            rendered: Rendered {
                value: value.into(),
                ty: ty.into(),
                children: None,
                memory_reference: None,
            },
        }
    }

    /// A row showing `rendered`.
    pub fn value(name: impl Into<String>, rendered: Rendered) -> Row {
        Row {
            name: name.into(),
            rendered,
        }
    }
}

/// Walks the physical wasm frames of a frozen store, innermost first (each activation's
/// innermost frame from `debug_exit_frames`, then its callers through `parent`), until `visit`
/// breaks: the one stack walk, behind both the frames of a stop and the frame an inspection
/// reads.
pub fn walk_frames<T>(
    store: &mut StoreContextMut<'_, HostState>,
    mut visit: impl FnMut(&FrameHandle, StoppedFrame) -> ControlFlow<T>,
) -> Option<T> {
    let activations: Vec<_> = store.debug_exit_frames().collect();
    for innermost in activations {
        let mut current = Some(innermost);
        while let Some(frame) = current {
            if let Ok(Some((function, pc))) = frame.wasm_function_index_and_pc(store.as_context_mut()) {
                let stopped = StoppedFrame {
                    function: function.as_u32(),
                    pc: pc.raw(),
                };
                if let ControlFlow::Break(found) = visit(&frame, stopped) {
                    return Some(found);
                }
            }
            current = frame.parent(store.as_context_mut()).ok().flatten();
        }
    }
    None
}

/// The physical wasm frame `index` of a frozen store, counted as [`walk_frames`] counts.
pub fn frame_handle(store: &mut StoreContextMut<'_, HostState>, index: usize) -> Option<FrameHandle> {
    let mut seen = 0;
    walk_frames(store, |frame, _| {
        if seen == index {
            return ControlFlow::Break(frame.clone());
        }
        seen += 1;
        ControlFlow::Continue(())
    })
}

/// A stopped frame as location expressions see it.
pub struct FrameMachine<'a, 's> {
    store: &'a mut StoreContextMut<'s, HostState>,
    frame: FrameHandle,
    instance: Option<Instance>,
}

impl<'a, 's> FrameMachine<'a, 's> {
    /// The machine of `frame`.
    pub fn new(store: &'a mut StoreContextMut<'s, HostState>, frame: FrameHandle) -> Self {
        let instance = frame.instance(store.as_context_mut()).ok();
        FrameMachine { store, frame, instance }
    }

    fn memory(&mut self) -> Option<wasmtime::Memory> {
        self.instance?.debug_memory(self.store.as_context_mut(), 0)
    }

    /// Writes `bytes` to linear memory; false when out of bounds.
    pub fn write(&mut self, address: u64, bytes: &[u8]) -> bool {
        let Some(memory) = self.memory() else { return false };
        let Ok(start) = usize::try_from(address) else {
            return false;
        };
        memory.write(self.store.as_context_mut(), start, bytes).is_ok()
    }

    fn global_val(&mut self, index: u32) -> Option<Val> {
        let global = self.instance?.debug_global(self.store.as_context_mut(), index)?;
        Some(global.get(self.store.as_context_mut()))
    }
}

fn gimli_value(value: Val) -> Option<gimli::Value> {
    Some(match value {
        // Addresses are computed in 64 bits: zero-extend i32 like a wasm32 pointer.
        Val::I32(v) => gimli::Value::Generic(u64::from(v as u32)),
        Val::I64(v) => gimli::Value::Generic(v as u64),
        Val::F32(bits) => gimli::Value::F32(f32::from_bits(bits)),
        Val::F64(bits) => gimli::Value::F64(f64::from_bits(bits)),
        _ => return None,
    })
}

impl Machine for FrameMachine<'_, '_> {
    fn local(&mut self, index: u32) -> Option<gimli::Value> {
        gimli_value(self.frame.local(self.store.as_context_mut(), index).ok()?)
    }

    fn global(&mut self, index: u32) -> Option<gimli::Value> {
        gimli_value(self.global_val(index)?)
    }

    fn stack(&mut self, index: u32) -> Option<gimli::Value> {
        gimli_value(self.frame.stack(self.store.as_context_mut(), index).ok()?)
    }

    fn read(&mut self, address: u64, buffer: &mut [u8]) -> bool {
        let Some(memory) = self.memory() else { return false };
        let Ok(start) = usize::try_from(address) else {
            return false;
        };
        memory.read(self.store.as_context_mut(), start, buffer).is_ok()
    }
}

impl crate::eval::Frame for FrameMachine<'_, '_> {
    fn raw(&mut self, raw: crate::eval::Raw) -> Option<crate::eval::Value> {
        use crate::eval::{Raw, Scalar, Value};
        let value = match raw {
            Raw::Local(index) => self.frame.local(self.store.as_context_mut(), index).ok()?,
            Raw::Stack(index) => self.frame.stack(self.store.as_context_mut(), index).ok()?,
            Raw::Global(index) => self.global_val(index)?,
        };
        Some(match value {
            Val::I32(v) => Value::Int(i128::from(v), Scalar::Signed(4)),
            Val::I64(v) => Value::Int(i128::from(v), Scalar::Signed(8)),
            Val::F32(bits) => Value::Float(f64::from(f32::from_bits(bits)), Scalar::F32),
            Val::F64(bits) => Value::Float(f64::from_bits(bits), Scalar::F64),
            _ => return None,
        })
    }
}

/// Evaluates `expression` in the selected frame.
pub fn evaluate(
    store: &mut StoreContextMut<'_, HostState>,
    variables: Option<&VariableIndex>,
    selector: FrameSelector,
    expression: &crate::eval::Expr,
    radix: Radix,
) -> Result<Rendered, String> {
    let frame = frame_handle(store, selector.physical).ok_or("the frame is gone (the plugin ran on)")?;
    let mut machine = FrameMachine::new(store, frame);
    let scope = crate::eval::Scope {
        index: variables,
        address: selector.address,
        inline_depth: selector.inline_depth,
    };
    let mut evaluator = crate::eval::Evaluator::new(scope, &mut machine).with_radix(radix);
    let value = evaluator.eval(expression)?;
    Ok(evaluator.render(&value))
}

/// Longest page of a scope or value returned at once when the client does not page.
const MAX_ROWS: u64 = 10_000;

fn val_text(value: &Val) -> (String, &'static str) {
    match value {
        Val::I32(v) => (v.to_string(), "i32"),
        Val::I64(v) => (v.to_string(), "i64"),
        Val::F32(v) => (f32::from_bits(*v).to_string(), "f32"),
        Val::F64(v) => (f64::from_bits(*v).to_string(), "f64"),
        Val::V128(v) => (format!("{:#034x}", v.as_u128()), "v128"),
        other => (format!("{other:?}"), "ref"),
    }
}

/// The rows of `container`, `start..start + count` of them.
pub fn rows(
    store: &mut StoreContextMut<'_, HostState>,
    variables: Option<&VariableIndex>,
    container: &Container,
    start: u64,
    count: Option<u64>,
    radix: Radix,
) -> Result<Vec<Row>, String> {
    let selector = match container {
        Container::Scope(selector, _) | Container::Value(selector, _) => *selector,
    };
    if let Container::Scope(_, ScopeKind::Plugin) = container {
        return Ok(plugin_rows(store.data()));
    }
    let frame = frame_handle(store, selector.physical).ok_or("the frame is gone (the plugin ran on)")?;
    let wanted = |len: u64| start..start.saturating_add(count.unwrap_or(MAX_ROWS)).min(len);
    match container {
        Container::Scope(_, ScopeKind::Wasm) => Ok(wasm_rows(store, frame)),
        Container::Scope(_, kind) => {
            let (Some(index), Some(address)) = (variables, selector.address) else {
                return Ok(Vec::new());
            };
            let declared: Vec<_> = match kind {
                ScopeKind::Globals => index.globals_at(address),
                _ => index
                    .variables_at(address, selector.inline_depth)
                    .into_iter()
                    .filter(|v| v.parameter == (*kind == ScopeKind::Arguments))
                    .collect(),
            };
            let mut machine = FrameMachine::new(store, frame);
            let renderer = Renderer::new(index.types()).with_radix(radix);
            let mut rows = Vec::new();
            for variable in declared {
                let place = index.place(&variable, address, &mut machine);
                let rendered = match place {
                    Ok(place) => renderer.render(variable.ty, &place, &mut machine),
                    Err(why) => Rendered {
                        value: format!("<unreadable: {why}>"),
                        ty: variable
                            .ty
                            .and_then(|t| index.types().read(t))
                            .map_or(String::new(), |t| t.name),
                        children: None,
                        memory_reference: None,
                    },
                };
                let name = if variable.name.is_empty() {
                    "<unnamed>".to_string()
                } else {
                    variable.name
                };
                rows.push(Row::value(name, rendered));
            }
            Ok(rows)
        }
        Container::Value(_, children) => {
            let index = variables.ok_or("the module has no DWARF")?;
            let renderer = Renderer::new(index.types()).with_radix(radix);
            let mut machine = FrameMachine::new(store, frame);
            Ok(match children {
                Children::Fields { place, ty } => renderer
                    .fields(place, *ty, &mut machine)
                    .into_iter()
                    .map(|(name, rendered)| Row::value(name, rendered))
                    .collect(),
                Children::Elements { count: total, .. } => wanted(*total)
                    .map(|i| Row::value(format!("[{i}]"), renderer.element(children, i, &mut machine, 0)))
                    .collect(),
                Children::Pointee { address, ty } => {
                    let rendered = renderer.render(Some(*ty), &Place::Memory(*address), &mut machine);
                    vec![Row::value("*", rendered)]
                }
                Children::Entries(collection) => {
                    let range = wanted(collection.count);
                    let first = range.start;
                    let keys = Renderer::new(index.types());
                    renderer
                        .entries(collection, range, &mut machine)
                        .into_iter()
                        .zip(first..)
                        .map(|(entry, position)| {
                            let (place, ty) = &entry.value;
                            let value = renderer.render(Some(*ty), place, &mut machine);
                            // A map's rows are named by their keys, as `{:?}` shows them: in
                            // decimal always, so that the name is the key `map[name]` looks up.
                            let name = match &entry.key {
                                Some((place, ty)) => keys.render(Some(*ty), place, &mut machine).value,
                                None => format!("[{position}]"),
                            };
                            Row::value(name, value)
                        })
                        .collect()
                }
            })
        }
    }
}

fn wasm_rows(store: &mut StoreContextMut<'_, HostState>, frame: FrameHandle) -> Vec<Row> {
    let mut rows = Vec::new();
    let locals = frame.num_locals(store.as_context_mut()).unwrap_or(0);
    for i in 0..locals {
        if let Ok(value) = frame.local(store.as_context_mut(), i) {
            let (text, ty) = val_text(&value);
            rows.push(Row::plain(format!("$local{i}"), text, ty));
        }
    }
    let stack = frame.num_stacks(store.as_context_mut()).unwrap_or(0);
    for i in 0..stack {
        if let Ok(value) = frame.stack(store.as_context_mut(), i) {
            let (text, ty) = val_text(&value);
            rows.push(Row::plain(format!("$stack{i}"), text, ty));
        }
    }
    if let Ok(instance) = frame.instance(store.as_context_mut()) {
        // Globals have no count in the debug API: read until the index runs out.
        for i in 0..1024 {
            let Some(global) = instance.debug_global(store.as_context_mut(), i) else {
                break;
            };
            let (text, ty) = val_text(&global.get(store.as_context_mut()));
            rows.push(Row::plain(format!("$global{i}"), text, ty));
        }
        if let Some(memory) = instance.debug_memory(store.as_context_mut(), 0) {
            let bytes = memory.data_size(store.as_context_mut()) as u64;
            let mut row = Row::plain("memory", format!("{bytes} bytes ({} pages)", bytes / 65536), "memory");
            row.rendered.memory_reference = Some(0);
            rows.push(row);
        }
    }
    rows
}

fn plugin_rows(state: &HostState) -> Vec<Row> {
    let resources = &state.manifest().resources;
    let (used, limit) = state.memory_usage();
    let clock = state.call_clock_ref();
    let mut rows = vec![
        Row::plain("id", format!("{:?}", state.plugin_id()), "string"),
        Row::plain("memory", format!("{used} of {limit} bytes"), "limit"),
        Row::plain(
            "time in this call",
            format!(
                "{} ms of {} ms (time stopped in the debugger does not count)",
                clock.counted().as_millis(),
                resources.timeout().as_millis()
            ),
            "limit",
        ),
        Row::plain("cpu", format!("{}%", resources.cpu_percent()), "limit"),
        Row::plain("storage quota", format!("{} bytes", resources.storage_bytes()), "limit"),
        Row::plain("max connections", resources.max_connections().to_string(), "limit"),
    ];
    let permissions: Vec<String> = state
        .manifest()
        .permissions
        .iter()
        .map(|p| p.name().to_string())
        .collect();
    rows.push(Row::plain(
        "permissions",
        format!("[{}]", permissions.join(", ")),
        "permissions",
    ));
    rows
}

/// Sets the child `name` of `container` to the value of the expression `text` (evaluated in
/// the frame, so `x + 1` works), converted to the child's type. Only values in linear memory
/// can change: wasmtime cannot write a frame's wasm locals.
pub fn set_value(
    store: &mut StoreContextMut<'_, HostState>,
    variables: Option<&VariableIndex>,
    container: &Container,
    name: &str,
    text: &str,
) -> Result<Rendered, String> {
    use crate::dwarf::types::Kind;
    use crate::eval::{self, Scalar, Value};

    let index = variables.ok_or("the module has no DWARF: there is nothing to set")?;
    let selector = match container {
        Container::Scope(selector, _) | Container::Value(selector, _) => *selector,
    };
    let frame = frame_handle(store, selector.physical).ok_or("the frame is gone (the plugin ran on)")?;
    let mut machine = FrameMachine::new(store, frame);
    let renderer = Renderer::new(index.types());
    let (place, ty) = match container {
        Container::Scope(_, kind @ (ScopeKind::Locals | ScopeKind::Arguments | ScopeKind::Globals)) => {
            let address = selector.address.ok_or("no source position here")?;
            let declared = match kind {
                ScopeKind::Globals => index.globals_at(address),
                _ => index.variables_at(address, selector.inline_depth),
            };
            let variable = declared
                .into_iter()
                .find(|v| v.name == name)
                .ok_or_else(|| format!("no variable `{name}` in this frame"))?;
            let place = index.place(&variable, address, &mut machine)?;
            (place, variable.ty.ok_or("the variable has no type information")?)
        }
        Container::Scope(..) => return Err("raw wasm state and plugin facts cannot be set".into()),
        Container::Value(_, children) => renderer
            .child(children, name, &mut machine)
            .ok_or_else(|| format!("`{name}` cannot be set (only single values can)"))?,
    };
    let Place::Memory(address) = place else {
        return Err(match place {
            Place::Unavailable => format!("`{name}` is optimized out here"),
            _ => format!("`{name}` lives in a wasm local or is a constant here; wasmtime cannot change wasm locals"),
        });
    };
    let target = index.types().read(ty).ok_or("unknown type")?;
    let scalar = eval::scalar_of(&target)
        .ok_or_else(|| format!("`{name}` is a `{}`; set its fields one by one", target.name))?;
    // An enumerator name is a value of its enum.
    let enumerator = match &target.kind {
        Kind::Enum { enumerators, .. } => enumerators.iter().find(|(n, _)| n == text.trim()).map(|(_, v)| *v),
        _ => None,
    };
    let value = match enumerator {
        Some(value) => Value::Int(i128::from(value), Scalar::Signed(8)),
        None => {
            let expr = eval::parse(text).map_err(|e| e.to_string())?;
            let scope = eval::Scope {
                index: Some(index),
                address: selector.address,
                inline_depth: selector.inline_depth,
            };
            eval::Evaluator::new(scope, &mut machine).scalar(&expr)?
        }
    };
    let value = eval::cast(value, scalar)?;
    // A scalar is at most 16 bytes whatever its DWARF size says (it can say 2^64).
    let bytes = eval::to_bytes(&value, target.size.unwrap_or(4).min(16) as usize);
    if !machine.write(address, &bytes) {
        return Err(format!("address {address:#x} is outside linear memory"));
    }
    Ok(renderer.render(Some(ty), &Place::Memory(address), &mut machine))
}
