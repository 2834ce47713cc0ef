//! Lifecycle hooks: host code that runs around each lifecycle phase, in priority order. A
//! failing critical hook aborts the phase; a failing non-critical one is logged and counted.

use std::fmt;
use std::sync::{Arc, RwLock};

use serde::Serialize;

/// When a hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookPhase {
    /// Before validation and compilation.
    PreLoad,
    /// After `qirvo_initialize` succeeded.
    PostLoad,
    /// Before `qirvo_start`.
    PreStart,
    /// After `qirvo_start` succeeded.
    PostStart,
    /// Before `qirvo_stop`.
    PreStop,
    /// After `qirvo_stop`.
    PostStop,
    /// Before resources are released.
    PreUnload,
    /// After resources were released.
    PostUnload,
}

impl HookPhase {
    /// Every phase, in lifecycle order.
    pub const ALL: [HookPhase; 8] = [
        HookPhase::PreLoad,
        HookPhase::PostLoad,
        HookPhase::PreStart,
        HookPhase::PostStart,
        HookPhase::PreStop,
        HookPhase::PostStop,
        HookPhase::PreUnload,
        HookPhase::PostUnload,
    ];

    /// Kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            HookPhase::PreLoad => "pre-load",
            HookPhase::PostLoad => "post-load",
            HookPhase::PreStart => "pre-start",
            HookPhase::PostStart => "post-start",
            HookPhase::PreStop => "pre-stop",
            HookPhase::PostStop => "post-stop",
            HookPhase::PreUnload => "pre-unload",
            HookPhase::PostUnload => "post-unload",
        }
    }
}

impl fmt::Display for HookPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a hook is told.
#[derive(Debug, Clone)]
pub struct HookContext {
    /// The plugin's id.
    pub plugin_id: String,
    /// The phase.
    pub phase: HookPhase,
}

type HookFn = dyn Fn(&HookContext) -> Result<(), String> + Send + Sync;

/// A registered hook.
#[derive(Clone)]
pub struct Hook {
    /// Name, for logs and errors.
    pub name: String,
    /// Higher runs first.
    pub priority: i32,
    /// Whether a failure aborts the phase.
    pub critical: bool,
    run: Arc<HookFn>,
}

impl Hook {
    /// A hook that runs `run`.
    pub fn new(
        name: impl Into<String>,
        priority: i32,
        critical: bool,
        run: impl Fn(&HookContext) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        Hook {
            name: name.into(),
            priority,
            critical,
            run: Arc::new(run),
        }
    }
}

impl fmt::Debug for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hook")
            .field("name", &self.name)
            .field("priority", &self.priority)
            .field("critical", &self.critical)
            .finish()
    }
}

/// A critical hook failed, so the phase was aborted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("critical {phase} hook `{hook}` failed: {message}")]
pub struct HookFailure {
    /// The phase.
    pub phase: HookPhase,
    /// The hook's name.
    pub hook: String,
    /// What it said.
    pub message: String,
}

/// The hooks of a runtime, shared by its plugins.
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    hooks: Arc<RwLock<Vec<(HookPhase, Hook)>>>,
}

impl Hooks {
    /// Registers a hook for a phase.
    pub fn register(&self, phase: HookPhase, hook: Hook) {
        let mut hooks = self.hooks.write().unwrap_or_else(|poison| poison.into_inner());
        hooks.push((phase, hook));
        // Stable: equal priorities keep registration order.
        hooks.sort_by_key(|(_, hook)| std::cmp::Reverse(hook.priority));
    }

    /// Runs the hooks of `phase`. Non-critical failures are returned in the `Ok` list.
    pub fn run(&self, phase: HookPhase, plugin_id: &str) -> Result<Vec<HookFailure>, HookFailure> {
        let hooks: Vec<Hook> = self
            .hooks
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
            .iter()
            .filter(|(p, _)| *p == phase)
            .map(|(_, hook)| hook.clone())
            .collect();
        let context = HookContext {
            plugin_id: plugin_id.to_string(),
            phase,
        };
        let mut tolerated = Vec::new();
        for hook in hooks {
            if let Err(message) = (hook.run)(&context) {
                let failure = HookFailure {
                    phase,
                    hook: hook.name.clone(),
                    message,
                };
                if hook.critical {
                    return Err(failure);
                }
                tracing::warn!(plugin = plugin_id, %failure, "non-critical hook failed");
                tolerated.push(failure);
            }
        }
        Ok(tolerated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn priority_order_and_criticality() {
        let hooks = Hooks::default();
        let order = Arc::new(Mutex::new(Vec::new()));
        for (name, priority, critical, fails) in [
            ("low", 1, false, false),
            ("high", 10, false, true),
            ("mid", 5, true, false),
        ] {
            let order = order.clone();
            hooks.register(
                HookPhase::PreStart,
                Hook::new(name, priority, critical, move |_| {
                    order.lock().unwrap().push(name);
                    if fails { Err(format!("{name} broke")) } else { Ok(()) }
                }),
            );
        }
        let tolerated = hooks.run(HookPhase::PreStart, "p").unwrap();
        assert_eq!(*order.lock().unwrap(), ["high", "mid", "low"]);
        assert_eq!(tolerated.len(), 1);
        assert_eq!(tolerated[0].hook, "high");

        hooks.register(HookPhase::PreStart, Hook::new("gate", 7, true, |_| Err("no".into())));
        order.lock().unwrap().clear();
        let failure = hooks.run(HookPhase::PreStart, "p").unwrap_err();
        assert_eq!(failure.to_string(), "critical pre-start hook `gate` failed: no");
        // `gate` (priority 7) failed critically, so `mid` and `low` never ran.
        assert_eq!(*order.lock().unwrap(), ["high"]);
        assert!(hooks.run(HookPhase::PostStop, "p").unwrap().is_empty());
    }
}
