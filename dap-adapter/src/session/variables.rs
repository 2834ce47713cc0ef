//! `scopes` and `variables`: what a stopped frame holds, read on the debuggee's thread.

use crate::protocol::DapError;
use crate::protocol::bodies::{
    InvalidatedAreas, InvalidatedEvent, Scope, ScopePresentationHint, ScopesResponse, SetVariableResponse, Variable,
    VariablesResponse,
};

use super::{Session, Thread, ThreadState};
use crate::inspect::{self, Container, FrameSelector, Row, ScopeKind};
use crate::protocol::types::{ScopesArguments, ValueFormat, VariablesArguments};
use crate::values::Children;

/// Physical frame `physical` (inlined frame `inline_depth`) of a stopped thread.
pub(super) fn frame_selector(thread: &Thread, physical: usize, inline_depth: usize) -> Option<FrameSelector> {
    let stopped = thread.frames.get(physical)?;
    // Caller frames hold the return address: look variables up inside the call.
    let address = thread.debuggee.index.as_ref().and_then(|index| {
        u64::from(stopped.pc)
            .checked_sub(index.code_offset())
            .map(|a| a.saturating_sub(u64::from(physical > 0)))
    });
    Some(FrameSelector {
        physical,
        inline_depth,
        address,
    })
}

impl Session {
    pub(super) fn selector(&self, frame_id: i64) -> Result<(i64, FrameSelector), DapError> {
        let frame = self
            .frame_refs
            .get(usize::try_from(frame_id.saturating_sub(1)).map_err(|_| DapError::NoSuchFrame { frame: frame_id })?)
            .cloned()
            .ok_or(DapError::NoSuchFrame { frame: frame_id })?;
        let thread = self.thread(frame.thread)?;
        let selector = frame_selector(thread, frame.physical, frame.inline_depth)
            .ok_or(DapError::NoSuchFrame { frame: frame_id })?;
        Ok((frame.thread, selector))
    }

    /// The first stopped plugin: what requests without a thread (memory, a frameless
    /// `evaluate`) are about.
    pub(super) fn stopped_thread(&self) -> Result<&Thread, DapError> {
        self.threads
            .iter()
            .find(|t| t.state == ThreadState::Stopped)
            .ok_or(DapError::NoStoppedPlugin)
    }

    /// What `reference` expands, in a plugin that is still stopped.
    fn container(&self, reference: i64) -> Result<(i64, Container), DapError> {
        self.container_named(reference)
            .map(|(thread, container, _)| (thread, container))
    }

    /// What `reference` expands, with the expression naming it.
    fn container_named(&self, reference: i64) -> Result<(i64, Container, Option<String>), DapError> {
        let (thread_id, container, expression) = usize::try_from(reference.saturating_sub(1))
            .ok()
            .and_then(|i| self.variable_refs.get(i))
            .cloned()
            .ok_or(DapError::NoSuchReference { reference })?;
        if self.thread(thread_id)?.state != ThreadState::Stopped {
            return Err(DapError::NotStopped { thread: thread_id });
        }
        Ok((thread_id, container, expression))
    }

    fn reference(&mut self, thread: i64, container: Container, expression: Option<String>) -> i64 {
        self.variable_refs.push((thread, container, expression));
        self.variable_refs.len() as i64
    }

    pub(super) fn scopes(&mut self, args: ScopesArguments) -> Result<ScopesResponse, DapError> {
        let (thread, selector) = self.selector(args.frame_id)?;
        let has_dwarf = self.thread(thread)?.debuggee.index.is_some();
        let mut scopes = Vec::new();
        for kind in ScopeKind::ALL {
            if !has_dwarf && matches!(kind, ScopeKind::Locals | ScopeKind::Arguments | ScopeKind::Globals) {
                continue;
            }
            // Rows of the plugin scope are facts about the plugin, not expressions.
            let roots = (kind != ScopeKind::Plugin).then(String::new);
            let reference = self.reference(thread, Container::Scope(selector, kind), roots);
            let hint = match kind {
                ScopeKind::Locals => Some(ScopePresentationHint::Locals),
                ScopeKind::Arguments => Some(ScopePresentationHint::Arguments),
                ScopeKind::Globals => None,
                ScopeKind::Wasm => Some(ScopePresentationHint::Registers),
                ScopeKind::Plugin => None,
            };
            let scope = Scope {
                name: kind.name().into(),
                presentation_hint: hint,
                variables_reference: reference,
                named_variables: None,
                indexed_variables: None,
                expensive: false,
            };
            scopes.push(scope);
        }
        Ok(ScopesResponse { scopes })
    }

    pub(super) async fn variables(&mut self, args: VariablesArguments) -> Result<VariablesResponse, DapError> {
        let (thread_id, container, parent) = self.container_named(args.variables_reference)?;
        let thread = self.thread(thread_id)?;
        if args.filter.as_deref() == Some("named")
            && matches!(
                container,
                Container::Value(_, Children::Elements { .. } | Children::Entries(_))
            )
        {
            return Ok(VariablesResponse { variables: Vec::new() });
        }
        let variables = thread.debuggee.index.as_ref().map(|index| index.variables());
        let start = args.start.unwrap_or(0);
        let radix = ValueFormat::radix(args.format);
        let count = args.count.filter(|c| *c > 0);
        let request = container.clone();
        let debuggee = thread.debuggee.clone();
        let mut rows = debuggee
            .query(move |mut store| inspect::rows(&mut store, variables.as_deref(), &request, start, count, radix))
            .await??;
        if let Container::Scope(_, ScopeKind::Plugin) = &container {
            let name = &self.thread(thread_id)?.debuggee.name;
            let state = self
                .lifecycle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(name)
                .cloned();
            rows.insert(
                1,
                Row::plain("lifecycle", state.unwrap_or_else(|| "loading".into()), "state"),
            );
        }
        let selector = match &container {
            Container::Scope(selector, _) | Container::Value(selector, _) => *selector,
        };
        let values: Vec<Variable> = rows
            .into_iter()
            .map(|row| {
                let name = parent
                    .as_deref()
                    .and_then(|p| child_expression(p, &container, &row.name));
                self.variable_json(thread_id, selector, row, name)
            })
            .collect();
        Ok(VariablesResponse { variables: values })
    }

    /// A `Variable` for `row`; `evaluate_name` is the expression that evaluates to it (VS Code's
    /// "Add to Watch", "Copy as Expression" and clipboard copies use it).
    pub(super) fn variable_json(
        &mut self,
        thread: i64,
        selector: FrameSelector,
        row: Row,
        evaluate_name: Option<String>,
    ) -> Variable {
        let Row { name, rendered } = row;
        // Arrays and sequences page through their elements.
        let indexed = rendered.children.as_ref().and_then(Children::indexed_count);
        let reference = match rendered.children {
            Some(children) => self.reference(thread, Container::Value(selector, children), evaluate_name.clone()),
            None => 0,
        };
        Variable {
            name,
            value: rendered.value,
            ty: Some(rendered.ty),
            presentation_hint: None,
            evaluate_name,
            variables_reference: reference,
            named_variables: None,
            indexed_variables: indexed,
            memory_reference: rendered.memory_reference.map(|address| format!("{address:#x}")),
        }
    }
}

impl Session {
    pub(super) async fn set_variable(
        &mut self,
        args: crate::protocol::types::SetVariableArguments,
    ) -> Result<SetVariableResponse, DapError> {
        let (thread_id, container) = self.container(args.variables_reference)?;
        let thread = self.thread(thread_id)?;
        let variables = thread.debuggee.index.as_ref().map(|index| index.variables());
        let target = container.clone();
        let debuggee = thread.debuggee.clone();
        let rendered = debuggee
            .query(move |mut store| {
                inspect::set_value(&mut store, variables.as_deref(), &target, &args.name, &args.value)
            })
            .await??;
        let selector = match &container {
            Container::Scope(selector, _) | Container::Value(selector, _) => *selector,
        };
        let row = self.variable_json(thread_id, selector, Row::value("", rendered), None);
        // Other views of the same memory (watches, other variables) are stale now.
        self.event(InvalidatedEvent {
            areas: vec![InvalidatedAreas::Variables],
            thread_id: Some(thread_id),
            stack_frame_id: None,
        });
        Ok(SetVariableResponse {
            value: row.value,
            ty: row.ty,
            variables_reference: Some(row.variables_reference),
            named_variables: None,
            indexed_variables: None,
            memory_reference: None,
        })
    }
}

/// The expression naming the row `name` of `container`, whose own value `parent` names (empty
/// for a scope, whose rows are roots); `None` where the expression language cannot name it.
fn child_expression(parent: &str, container: &Container, name: &str) -> Option<String> {
    // Anything but a chain of names, fields and indexes (`*p`, `a + b`) is parenthesised, or
    // `.x` and `[i]` would bind to its last operand.
    let operand = || {
        let chain = parent
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.' | '[' | ']'));
        if chain {
            parent.to_string()
        } else {
            format!("({parent})")
        }
    };
    let expression = match container {
        Container::Scope(..) => name.to_string(),
        Container::Value(_, Children::Fields { .. }) => format!("{}.{name}", operand()),
        // A row of a multi-dimensional array evaluates to a pointer, as in C: not what it shows.
        Container::Value(_, Children::Elements { inner, .. }) if name.starts_with('[') && inner.is_empty() => {
            format!("{}{name}", operand())
        }
        Container::Value(_, Children::Pointee { .. }) if name == "*" => format!("*{}", operand()),
        // A map's rows are named by their keys (`"apple"`, `42`); a set's and a deque's by
        // position. Keys that are not literals (`{a: 1}`) cannot be written back.
        Container::Value(_, Children::Entries(_)) => format!("{}[{name}]", operand()),
        Container::Value(..) => return None,
    };
    // Only what `evaluate` parses back (not `<unnamed>`, `0` of a tuple, or a mangled name).
    let is_name = |text: &str| {
        text.strip_prefix('$')
            .unwrap_or(text)
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_')
            && text
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
    };
    let last_name_ok = match container {
        Container::Scope(..) | Container::Value(_, Children::Fields { .. }) => is_name(name),
        _ => true,
    };
    (last_name_ok && crate::eval::parse(&expression).is_ok()).then_some(expression)
}
