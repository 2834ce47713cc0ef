//! Stepping policy: what an instruction event means for the step, the breakpoints and the
//! requests in progress. It works on the frames of a stop and a line table, never on the store,
//! so that every rule (step over an inlined call, a recursion reaching the same return address,
//! a callee too long to single-step) is tested here with plain values; `debuggee.rs` does the
//! wasmtime side (reading frames, toggling single-step and temporary breakpoints).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::breakpoint_rules::BreakpointRule;
use crate::debuggee::ExceptionFilters;
use crate::dwarf::{DwarfIndex, SourceLocation};
use crate::protocol::bodies::StoppedReason;

/// What stepping needs to know of a module's lines.
pub(crate) trait LineTable {
    /// The statement that starts at `pc`, if one does.
    fn statement_at(&self, pc: u32) -> Option<SourceLocation>;
    /// The source location of `pc`.
    fn location(&self, pc: u32) -> Option<SourceLocation>;
    /// How many inlined frames surround `pc`.
    fn inline_depth(&self, pc: u32) -> usize;
}

impl LineTable for DwarfIndex {
    fn statement_at(&self, pc: u32) -> Option<SourceLocation> {
        DwarfIndex::statement_at(self, pc)
    }
    fn location(&self, pc: u32) -> Option<SourceLocation> {
        DwarfIndex::location(self, pc)
    }
    fn inline_depth(&self, pc: u32) -> usize {
        DwarfIndex::inline_depth(self, pc)
    }
}

/// How the plugin should run after a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Until the next breakpoint.
    Continue,
    /// To the next line, entering calls.
    StepIn,
    /// To the next line in this function or its callers.
    StepOver,
    /// Until this function returns.
    StepOut,
    /// One wasm instruction; `over` runs a call to its return.
    Instruction {
        /// Step over calls.
        over: bool,
    },
}

/// Where a step started: the statement and the frame depth counting inlined frames, so that
/// stepping over a call that was inlined does not stop inside it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum StepMode {
    #[default]
    None,
    In {
        from: Option<SourceLocation>,
        depth: Depth,
    },
    Over {
        from: Option<SourceLocation>,
        depth: Depth,
    },
    Out {
        depth: Depth,
    },
    /// One instruction, in this frame or any callee (`over: false`).
    Instruction {
        over: bool,
        depth: Depth,
    },
}

/// Physical wasm frames, then inlined frames around the innermost pc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Depth {
    pub(crate) physical: usize,
    pub(crate) inlined: usize,
}

impl StepMode {
    /// The step `how` asks for, started at a stop at `frames`.
    pub(crate) fn starting(how: Resume, frames: &[StoppedFrame], lines: Option<&dyn LineTable>) -> StepMode {
        let from = frames.first().and_then(|f| lines?.location(f.pc));
        let depth = Depth {
            physical: frames.len(),
            inlined: frames
                .first()
                .zip(lines)
                .map_or(0, |(f, lines)| lines.inline_depth(f.pc)),
        };
        match how {
            Resume::Continue => StepMode::None,
            Resume::StepIn => StepMode::In { from, depth },
            Resume::StepOver => StepMode::Over { from, depth },
            Resume::StepOut => StepMode::Out { depth },
            Resume::Instruction { over } => StepMode::Instruction { over, depth },
        }
    }
}

/// What the session asked of a debuggee and where its step stands; guarded by the debuggee's
/// lock, decided on by [`decide`].
#[derive(Default)]
pub(crate) struct Control {
    pub(crate) wanted: BTreeSet<u32>,
    /// The subset of `wanted` that function breakpoints asked for (stop reason differs).
    pub(crate) function_entries: BTreeSet<u32>,
    /// Conditions, hit conditions and log messages of source breakpoints, by pc.
    pub(crate) rules: BTreeMap<u32, Vec<Arc<BreakpointRule>>>,
    pub(crate) applied: BTreeSet<u32>,
    pub(crate) dirty: bool,
    pub(crate) step: StepMode,
    pub(crate) pause: bool,
    pub(crate) terminate: bool,
    pub(crate) entry: bool,
    pub(crate) filters: ExceptionFilters,
    pub(crate) timeout_reported: Option<Instant>,
    pub(crate) timeout_stop: bool,
    /// Whether wasmtime single-steps: without it, every instruction event is a breakpoint.
    pub(crate) single_stepping: bool,
    /// A temporary breakpoint at a return address, and the physical depth it returns to: a
    /// step over (or out) runs through a callee at full speed instead of single-stepping it.
    pub(crate) return_point: Option<(u32, usize)>,
    /// Instructions single-stepped inside callees during the current step.
    pub(crate) callee_steps: u32,
    /// Whether the last full look at the stack found the step inside a callee.
    pub(crate) in_callee: bool,
}

/// Instructions to single-step through a callee before running it to its return instead:
/// toggling single-step and a breakpoint costs about a millisecond, which single-stepping a
/// short callee (well under a microsecond per instruction) does not.
pub(crate) const CALLEE_STEP_BUDGET: u32 = 4096;

/// What an instruction event leads to, applied once the control lock is released.
#[derive(Default)]
pub(crate) struct Decision {
    pub(crate) stop: Option<Stop>,
    /// Rules to check before the stop stands, and the step to go on with if it does not.
    pub(crate) rules: Option<(u32, Vec<Arc<BreakpointRule>>, StepMode)>,
    pub(crate) single_step: Option<bool>,
    pub(crate) add_temporary: Option<u32>,
    pub(crate) remove_temporary: Option<u32>,
}

/// A physical wasm frame at a stop, innermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoppedFrame {
    /// Defined-function index.
    pub function: u32,
    /// Module pc (for caller frames: the return address).
    pub pc: u32,
}

/// Why a plugin stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// DAP reason: `entry`, `breakpoint`, `function breakpoint`, `step`, `pause`, `exception`.
    pub reason: StoppedReason,
    /// Short description (exceptions).
    pub description: Option<String>,
    /// Full text (exceptions).
    pub text: Option<String>,
}

/// Decides what an instruction event at `frames` (innermost first) means: a stop, a step
/// that goes on, or a callee run to its return. `timeout` is the call's, for the message of a
/// timeout stop.
pub(crate) fn decide(
    control: &mut Control,
    frames: &[StoppedFrame],
    lines: Option<&dyn LineTable>,
    timeout: Duration,
) -> Decision {
    let Some(top) = frames.first() else {
        return Decision::default();
    };
    let depth = frames.len();
    let stop = |reason| {
        Some(Stop {
            reason,
            description: None,
            text: None,
        })
    };
    if control.terminate {
        return Decision::default();
    }
    let mut decision = Decision::default();
    if let Some((pc, target)) = control.return_point {
        if top.pc == pc && depth <= target {
            // Back from the callee: step on from here instruction by instruction.
            control.return_point = None;
            if !control.applied.contains(&pc) {
                decision.remove_temporary = Some(pc);
            }
            decision.single_step = Some(true);
        } else if top.pc == pc || !control.applied.contains(&top.pc) && !control.wanted.contains(&top.pc) {
            // A deeper recursion reached the same return address, or a slipped temporary.
            return decision;
        }
    }
    if control.timeout_stop {
        control.timeout_stop = false;
        let text = format!("the call ran longer than its timeout of {} ms", timeout.as_millis());
        decision.stop = Some(Stop {
            reason: StoppedReason::Exception,
            description: Some("Timeout".into()),
            text: Some(text),
        });
        return decision;
    }
    if control.pause {
        control.pause = false;
        decision.stop = stop(StoppedReason::Pause);
        return decision;
    }
    if control.entry {
        control.entry = false;
        decision.stop = stop(StoppedReason::Entry);
        return decision;
    }
    let statement = lines.as_ref().and_then(|index| index.statement_at(top.pc));
    // Inline depth only matters where a step could stop, so look it up only there.
    let depth = Depth {
        physical: depth,
        inlined: match (&lines, &statement) {
            (Some(index), Some(_)) if control.step != StepMode::None => index.inline_depth(top.pc),
            _ => 0,
        },
    };
    let new_line = |from: &Option<SourceLocation>| match (&statement, from) {
        (Some(here), Some(from)) => here.line != from.line || here.file != from.file,
        (Some(_), None) => true,
        (None, _) => lines.is_none(),
    };
    let stepped = match &control.step {
        StepMode::None => false,
        StepMode::In { from, depth: start } => {
            (statement.is_some() || lines.is_none()) && (new_line(from) || depth != *start)
        }
        StepMode::Over { from, depth: start } => {
            depth.physical < start.physical
                || (depth.physical == start.physical
                    && statement.is_some()
                    && depth.inlined <= start.inlined
                    && (new_line(from) || depth.inlined < start.inlined))
                || (lines.is_none() && depth.physical == start.physical)
        }
        StepMode::Out { depth: start } => {
            depth.physical < start.physical
                || (depth.physical == start.physical && statement.is_some() && depth.inlined < start.inlined)
        }
        StepMode::Instruction { over, depth: start } => !over || depth.physical <= start.physical,
    };
    if stepped {
        control.step = StepMode::None;
        decision.stop = stop(StoppedReason::Step);
        return decision;
    }
    // wasmtime slips a breakpoint that is not on an instruction forward, so the pc may not be
    // one we asked for; without single-stepping, the event itself says it was a breakpoint.
    let single_stepping = control.single_stepping || decision.single_step == Some(true);
    if control.applied.contains(&top.pc) || control.wanted.contains(&top.pc) || !single_stepping {
        let interrupted = std::mem::replace(&mut control.step, StepMode::None);
        if let Some((pc, _)) = control.return_point.take()
            && !control.applied.contains(&pc)
        {
            decision.remove_temporary = Some(pc);
        }
        let reason = if control.function_entries.contains(&top.pc) {
            StoppedReason::FunctionBreakpoint
        } else {
            StoppedReason::Breakpoint
        };
        // A breakpoint with conditions stops only if they hold (checked without the lock).
        if let Some(rules) = control.rules.get(&top.pc)
            && reason == StoppedReason::Breakpoint
            && !rules.iter().any(|rule| rule.is_plain())
        {
            decision.rules = Some((top.pc, rules.clone(), interrupted));
        }
        decision.stop = stop(reason);
        return decision;
    }
    // Entered a callee while stepping over or out: run it at full speed to its return.
    let returns_to = match &control.step {
        StepMode::Over { depth: start, .. } if depth.physical > start.physical => Some(start.physical),
        // Out of a physical function (not of code inlined into one): run to its return.
        StepMode::Out { depth: start }
            if start.inlined == 0 && depth.physical >= start.physical && start.physical > 1 =>
        {
            Some(start.physical - 1)
        }
        _ => None,
    };
    control.in_callee = returns_to.is_some();
    if returns_to.is_some() {
        control.callee_steps += 1;
    } else {
        control.callee_steps = 0;
    }
    if let Some(target) = returns_to
        && control.callee_steps > CALLEE_STEP_BUDGET
        && let Some(frame) = frames.get(frames.len() - target)
    {
        control.callee_steps = 0;
        control.return_point = Some((frame.pc, target));
        decision.add_temporary = Some(frame.pc);
        decision.single_step = Some(false);
        return decision;
    }
    if control.step == StepMode::None {
        decision.single_step = Some(false);
    }
    decision
}

/// Whether a step is in a state where most instructions cannot end it (single-stepping a line
/// step, nothing else pending), so [`passes_through`] may decide from the pc alone.
pub(crate) fn is_quiet(control: &Control) -> bool {
    control.single_stepping
        && control.step != StepMode::None
        && !matches!(control.step, StepMode::Instruction { .. })
        && control.return_point.is_none()
        && !(control.pause || control.entry || control.timeout_stop || control.terminate)
}

/// Whether the instruction at `pc` of a quiet step cannot end it: it starts no statement, has
/// no breakpoint, and the step is not inside a callee that has used up its budget.
pub(crate) fn passes_through(control: &mut Control, pc: u32, lines: &dyn LineTable) -> bool {
    if control.wanted.contains(&pc) || control.applied.contains(&pc) || lines.statement_at(pc).is_some() {
        return false;
    }
    if control.in_callee {
        control.callee_steps += 1;
        // Over budget: take the slow path, which runs the callee to its return.
        return control.callee_steps <= CALLEE_STEP_BUDGET;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line table of (pc, line, starts a statement, inline depth) rows in one file; a pc not
    /// listed belongs to the row before it.
    struct Lines(&'static [(u32, u32, bool, usize)]);

    impl Lines {
        fn row(&self, pc: u32) -> Option<&(u32, u32, bool, usize)> {
            self.0.iter().rev().find(|row| row.0 <= pc)
        }
    }

    impl LineTable for Lines {
        fn statement_at(&self, pc: u32) -> Option<SourceLocation> {
            self.0.iter().find(|row| row.0 == pc && row.2).map(|row| at(row.1))
        }
        fn location(&self, pc: u32) -> Option<SourceLocation> {
            self.row(pc).map(|row| at(row.1))
        }
        fn inline_depth(&self, pc: u32) -> usize {
            self.row(pc).map_or(0, |row| row.3)
        }
    }

    fn at(line: u32) -> SourceLocation {
        SourceLocation {
            file: "src/lib.rs".into(),
            line,
            column: 0,
        }
    }

    /// main: pc 100 (line 10), 110 (line 10, not a statement), 120 (line 11, a call at 124),
    /// 130 (line 12); an inlined helper at 140..150 (line 30, depth 1); callee: 200 (line 20).
    const LINES: Lines = Lines(&[
        (100, 10, true, 0),
        (110, 10, false, 0),
        (120, 11, true, 0),
        (130, 12, true, 0),
        (140, 30, true, 1),
        (150, 13, true, 0),
        (200, 20, true, 0),
        (210, 21, true, 0),
    ]);

    /// Frames innermost first: `pcs[0]` is where the plugin is, the rest return addresses.
    fn frames(pcs: &[u32]) -> Vec<StoppedFrame> {
        pcs.iter().map(|&pc| StoppedFrame { function: 0, pc }).collect()
    }

    fn stepping(how: Resume, from: &[u32]) -> Control {
        Control {
            step: StepMode::starting(how, &frames(from), Some(&LINES)),
            single_stepping: true,
            ..Control::default()
        }
    }

    fn reason(decision: &Decision) -> Option<&'static str> {
        decision.stop.as_ref().map(|stop| stop.reason.as_str())
    }

    fn decide_at(control: &mut Control, pcs: &[u32]) -> Decision {
        decide(control, &frames(pcs), Some(&LINES), Duration::from_secs(1))
    }

    /// A step, the stack it started at, the stack of an instruction event, and the stop expected.
    type StepCase = (Resume, &'static [u32], &'static [u32], Option<&'static str>);

    #[test]
    fn line_steps_stop_where_their_rule_says() {
        // (step, started at, instruction event at, stops)
        let table: &[StepCase] = &[
            (Resume::StepOver, &[100, 900], &[110, 900], None), // same line, not a statement
            (Resume::StepOver, &[100, 900], &[120, 900], Some("step")), // next line
            (Resume::StepOver, &[124, 900], &[200, 128, 900], None), // into a callee: runs on
            (Resume::StepOver, &[124, 900], &[140, 900], None), // into an inlined call
            (Resume::StepOver, &[140, 900], &[150, 900], Some("step")), // out of the inlined call
            (Resume::StepOver, &[200, 128, 900], &[128, 900], Some("step")), // returned to the caller
            (Resume::StepIn, &[124, 900], &[200, 128, 900], Some("step")), // into the callee
            (Resume::StepIn, &[124, 900], &[140, 900], Some("step")), // into the inlined call
            (Resume::StepIn, &[100, 900], &[110, 900], None),
            (Resume::StepOut, &[200, 128, 900], &[210, 128, 900], None), // still in the callee
            (Resume::StepOut, &[200, 128, 900], &[128, 900], Some("step")), // back in the caller
            (Resume::StepOut, &[140, 900], &[150, 900], Some("step")),   // out of the inlined call
            (
                Resume::Instruction { over: false },
                &[100, 900],
                &[200, 104, 900],
                Some("step"),
            ),
            (Resume::Instruction { over: true }, &[100, 900], &[200, 104, 900], None),
            (
                Resume::Instruction { over: true },
                &[100, 900],
                &[104, 900],
                Some("step"),
            ),
        ];
        for (index, &(how, from, event, expected)) in table.iter().enumerate() {
            let mut control = stepping(how, from);
            let decision = decide_at(&mut control, event);
            assert_eq!(
                reason(&decision),
                expected,
                "row {index}: {how:?} from {from:?} at {event:?}"
            );
            if expected.is_some() {
                assert_eq!(control.step, StepMode::None, "row {index}: the step is over");
            }
        }
    }

    #[test]
    fn without_dwarf_a_line_step_stops_at_the_next_instruction_of_the_frame() {
        let mut control = Control {
            step: StepMode::starting(Resume::StepOver, &frames(&[100, 900]), None),
            single_stepping: true,
            ..Control::default()
        };
        let decision = decide(&mut control, &frames(&[104, 900]), None, Duration::from_secs(1));
        assert_eq!(reason(&decision), Some("step"));
    }

    #[test]
    fn a_long_callee_runs_to_its_return_point_and_stepping_resumes_there() {
        let mut control = stepping(Resume::StepOver, &[124, 900]);
        for _ in 0..CALLEE_STEP_BUDGET {
            let decision = decide_at(&mut control, &[210, 128, 900]);
            assert_eq!(reason(&decision), None);
            assert_eq!(decision.add_temporary, None);
        }
        let decision = decide_at(&mut control, &[210, 128, 900]);
        assert_eq!(
            decision.add_temporary,
            Some(128),
            "a temporary breakpoint at the return address"
        );
        assert_eq!(decision.single_step, Some(false), "the callee runs at full speed");
        assert_eq!(control.return_point, Some((128, 2)));

        // A deeper recursion reaches the same return address: not the return we wait for.
        let decision = decide_at(&mut control, &[128, 210, 128, 900]);
        assert_eq!(reason(&decision), None);
        assert_eq!(decision.single_step, None);

        // The real return, mid-line 11: the temporary goes and single-stepping resumes.
        let decision = decide_at(&mut control, &[128, 900]);
        assert_eq!(decision.remove_temporary, Some(128));
        assert_eq!(decision.single_step, Some(true));
        assert_eq!(control.return_point, None);
        assert_eq!(reason(&decision), None, "the rest of line 11 runs");
        assert_eq!(reason(&decide_at(&mut control, &[130, 900])), Some("step"), "line 12");
    }

    #[test]
    fn a_breakpoint_interrupts_a_step_and_conditions_decide_later() {
        let mut control = stepping(Resume::StepOver, &[124, 900]);
        control.wanted.insert(200);
        let decision = decide_at(&mut control, &[200, 128, 900]);
        assert_eq!(reason(&decision), Some("breakpoint"));
        assert!(decision.rules.is_none(), "a plain breakpoint stops at once");

        let mut control = stepping(Resume::StepOver, &[124, 900]);
        control.wanted.insert(200);
        let rule = BreakpointRule::new(Some("x > 1"), None, None).unwrap();
        control.rules.insert(200, vec![Arc::new(rule)]);
        let decision = decide_at(&mut control, &[200, 128, 900]);
        let (pc, rules, interrupted) = decision.rules.expect("the condition is checked first");
        assert_eq!((pc, rules.len()), (200, 1));
        assert!(
            matches!(interrupted, StepMode::Over { .. }),
            "the step goes on if it fails"
        );

        let mut control = Control::default();
        control.wanted.insert(200);
        control.function_entries.insert(200);
        let decision = decide_at(&mut control, &[200, 900]);
        assert_eq!(reason(&decision), Some("function breakpoint"));
    }

    #[test]
    fn requests_come_before_steps_and_terminate_before_everything() {
        let mut control = stepping(Resume::StepOver, &[100, 900]);
        control.timeout_stop = true;
        control.pause = true;
        let decision = decide_at(&mut control, &[120, 900]);
        let stop = decision.stop.expect("a stop");
        assert_eq!(
            (stop.reason.as_str(), stop.description.as_deref()),
            ("exception", Some("Timeout"))
        );
        assert!(stop.text.unwrap().contains("1000 ms"));
        assert_eq!(reason(&decide_at(&mut control, &[120, 900])), Some("pause"));

        let mut control = Control {
            entry: true,
            ..Control::default()
        };
        assert_eq!(reason(&decide_at(&mut control, &[100, 900])), Some("entry"));

        let mut control = stepping(Resume::StepOver, &[100, 900]);
        control.terminate = true;
        control.wanted.insert(120);
        assert_eq!(reason(&decide_at(&mut control, &[120, 900])), None);
    }

    #[test]
    fn only_quiet_steps_take_the_fast_path() {
        let mut control = stepping(Resume::StepOver, &[100, 900]);
        assert!(is_quiet(&control));
        assert!(passes_through(&mut control, 110, &LINES), "mid-line, no breakpoint");
        assert!(!passes_through(&mut control, 120, &LINES), "a statement starts");
        control.wanted.insert(110);
        assert!(!passes_through(&mut control, 110, &LINES), "a breakpoint");
        control.pause = true;
        assert!(!is_quiet(&control));
        assert!(!is_quiet(&stepping(Resume::Instruction { over: false }, &[100])));
    }
}
