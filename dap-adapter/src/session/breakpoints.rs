//! Source and function breakpoints: where each request's lines land in every loaded plugin,
//! what the client is told about them, and the pcs (with their rules) each debuggee gets.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Session, Thread};
use crate::breakpoint_rules::BreakpointRule;
use crate::dwarf::{BreakpointPlacement, path_suffix_score};
use crate::protocol::DapError;
use crate::protocol::bodies::{self, Breakpoint, SetBreakpointsResponse, SetFunctionBreakpointsResponse};
use crate::protocol::types::{SetBreakpointsArguments, SetFunctionBreakpointsArguments, SourceBreakpoint};

impl Session {
    /// Recomputes each debuggee's breakpoint pcs from every source and function breakpoint.
    pub(super) fn apply_breakpoints(&self) {
        for thread in &self.threads {
            let mut lines: BTreeMap<u32, Vec<Arc<BreakpointRule>>> = BTreeMap::new();
            for (path, breakpoints) in &self.source_breakpoints {
                for (_, breakpoint, rule) in breakpoints {
                    if let (BreakpointPlacement::At { addresses, .. }, _) = self.place(thread, path, breakpoint.line) {
                        for &address in addresses.iter() {
                            lines.entry(address as u32).or_default().push(rule.clone());
                        }
                    }
                }
            }
            let mut functions = BTreeSet::new();
            for name in &self.function_breakpoints {
                functions.extend(self.function_pcs(thread, name));
            }
            thread.debuggee.set_breakpoints(lines, functions);
        }
    }

    pub(super) fn place(&self, thread: &Thread, client_path: &str, line: u32) -> (BreakpointPlacement, Option<String>) {
        let Some(index) = &thread.debuggee.index else {
            return (BreakpointPlacement::UnknownFile, None);
        };
        // Exact local path first, then the best suffix match.
        let locals: Vec<String> = index.files().iter().map(|f| thread.paths.to_local(f)).collect();
        let exact: Vec<usize> = (0..locals.len()).filter(|&i| locals[i] == client_path).collect();
        let files = if exact.is_empty() {
            let best = locals
                .iter()
                .map(|l| path_suffix_score(l, client_path))
                .max()
                .unwrap_or(0);
            if best == 0 {
                return (BreakpointPlacement::UnknownFile, None);
            }
            (0..locals.len())
                .filter(|&i| path_suffix_score(&locals[i], client_path) == best)
                .collect()
        } else {
            exact
        };
        let local = files.first().map(|&i| locals[i].clone());
        (index.place_breakpoint(&files, line), local)
    }

    pub(super) fn function_pcs(&self, thread: &Thread, name: &str) -> Vec<u32> {
        let Some(index) = &thread.debuggee.index else {
            return Vec::new();
        };
        index.function_entries(name).into_iter().map(|a| a as u32).collect()
    }

    /// The DAP `Breakpoint` for a requested one: verified at the line that has code, or not,
    /// with the reason.
    pub(super) fn verify(&self, id: i64, path: &str, breakpoint: &SourceBreakpoint) -> Breakpoint {
        let mut verified_line = None;
        let mut source_path = None;
        let mut message = None;
        for thread in &self.threads {
            match self.place(thread, path, breakpoint.line) {
                (BreakpointPlacement::At { line, .. }, local) => {
                    verified_line = Some(line);
                    source_path = local;
                }
                (BreakpointPlacement::NoCodeAfter, _) => {
                    message.get_or_insert_with(|| format!("no code at or after line {} in this file", breakpoint.line));
                }
                (BreakpointPlacement::UnknownFile, _) => {
                    message.get_or_insert_with(|| "no loaded plugin has code in this file".to_string());
                }
            }
        }
        if self.threads.is_empty() {
            message = Some("no plugin is loaded yet".into());
        }
        match verified_line {
            Some(line) => Breakpoint {
                id: Some(id),
                verified: true,
                message: None,
                source: Some(bodies::Source {
                    path: Some(source_path.unwrap_or_else(|| path.to_string())),
                    ..bodies::Source::default()
                }),
                line: Some(self.coordinates.line_to_client(line)),
                column: None,
            },
            None => Breakpoint {
                id: Some(id),
                verified: false,
                message: Some(message.unwrap_or_default()),
                source: None,
                line: Some(self.coordinates.line_to_client(breakpoint.line)),
                column: None,
            },
        }
    }

    pub(super) fn set_breakpoints(
        &mut self,
        args: SetBreakpointsArguments,
    ) -> Result<SetBreakpointsResponse, DapError> {
        let path = args.source.path.clone().ok_or(DapError::MissingSourcePath)?;
        // `lines` is the deprecated copy of `breakpoints`: VS Code sends both, and reading both
        // would double every breakpoint and lose its condition and log message.
        let requested = args.breakpoints.unwrap_or_else(|| {
            args.lines
                .iter()
                .map(|&line| SourceBreakpoint {
                    line,
                    column: None,
                    condition: None,
                    hit_condition: None,
                    log_message: None,
                })
                .collect()
        });
        let coordinates = self.coordinates;
        let requested = requested.into_iter().map(|mut breakpoint| {
            breakpoint.line = coordinates.line_from_client(breakpoint.line);
            breakpoint
        });
        let mut results = Vec::new();
        let mut kept = Vec::new();
        for breakpoint in requested {
            self.next_breakpoint_id += 1;
            let id = self.next_breakpoint_id;
            let rule = BreakpointRule::new(
                breakpoint.condition.as_deref(),
                breakpoint.hit_condition.as_deref(),
                breakpoint.log_message.as_deref(),
            );
            match rule {
                Ok(rule) => {
                    results.push(self.verify(id, &path, &breakpoint));
                    kept.push((id, breakpoint, Arc::new(rule)));
                }
                // A condition that does not parse would never hold: refuse it, saying why.
                Err(message) => results.push(Breakpoint {
                    id: Some(id),
                    verified: false,
                    message: Some(message),
                    source: None,
                    line: Some(coordinates.line_to_client(breakpoint.line)),
                    column: None,
                }),
            }
        }
        self.source_breakpoints.insert(path, kept);
        self.apply_breakpoints();
        Ok(SetBreakpointsResponse { breakpoints: results })
    }

    /// Tells the client how each breakpoint resolves against the modules now loaded.
    pub(super) fn reverify_breakpoints(&self) {
        for (path, breakpoints) in &self.source_breakpoints {
            for (id, breakpoint, _) in breakpoints {
                self.event(bodies::BreakpointEvent {
                    reason: bodies::ChangeReason::Changed,
                    breakpoint: self.verify(*id, path, breakpoint),
                });
            }
        }
    }

    pub(super) fn set_function_breakpoints(
        &mut self,
        args: SetFunctionBreakpointsArguments,
    ) -> Result<SetFunctionBreakpointsResponse, DapError> {
        let mut results = Vec::new();
        for breakpoint in &args.breakpoints {
            let found = self
                .threads
                .iter()
                .any(|t| !self.function_pcs(t, &breakpoint.name).is_empty());
            results.push(Breakpoint {
                id: None,
                verified: found,
                message: (!found).then(|| format!("no function named `{}` in the loaded plugins", breakpoint.name)),
                source: None,
                line: None,
                column: None,
            });
        }
        self.function_breakpoints = args.breakpoints.into_iter().map(|b| b.name).collect();
        self.apply_breakpoints();
        Ok(SetBreakpointsResponse { breakpoints: results })
    }
}
