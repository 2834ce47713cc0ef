//! The plugin lifecycle state machine. Every transition goes through [`LifecycleState::advance`],
//! so an illegal one is an error that names the current state instead of undefined behaviour.

use std::fmt;

use serde::Serialize;

/// Where a plugin is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LifecycleState {
    /// Not loaded (initial and final state).
    Unloaded,
    /// Being validated, compiled, instantiated and initialised.
    Initializing,
    /// `qirvo_initialize` succeeded.
    Initialized,
    /// `qirvo_start` is running.
    Starting,
    /// Started; receives events.
    Running,
    /// `qirvo_stop` is running.
    Stopping,
    /// Stopped; may be started again or unloaded.
    Stopped,
    /// A lifecycle call failed; the plugin can only be unloaded.
    Error,
}

impl LifecycleState {
    /// Lowercase name, as in messages and metrics.
    pub fn name(self) -> &'static str {
        match self {
            LifecycleState::Unloaded => "unloaded",
            LifecycleState::Initializing => "initializing",
            LifecycleState::Initialized => "initialized",
            LifecycleState::Starting => "starting",
            LifecycleState::Running => "running",
            LifecycleState::Stopping => "stopping",
            LifecycleState::Stopped => "stopped",
            LifecycleState::Error => "error",
        }
    }

    /// Whether `self → next` is allowed.
    pub fn can_advance_to(self, next: LifecycleState) -> bool {
        use LifecycleState::*;
        matches!(
            (self, next),
            (Unloaded, Initializing)
                | (Initializing, Initialized | Error)
                | (Initialized, Starting | Unloaded)
                | (Starting, Running | Error)
                | (Running, Stopping | Error)
                | (Stopping, Stopped | Error)
                | (Stopped, Starting | Unloaded)
                | (Error, Unloaded)
        )
    }

    /// Moves to `next`, or explains why it cannot.
    pub fn advance(&mut self, next: LifecycleState, action: &'static str) -> Result<(), IllegalTransition> {
        if self.can_advance_to(next) {
            *self = next;
            Ok(())
        } else {
            Err(IllegalTransition {
                from: *self,
                to: next,
                action,
            })
        }
    }
}

impl fmt::Display for LifecycleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A lifecycle operation asked for in a state that does not allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a plugin that is {from} (it would have to become {to})")]
pub struct IllegalTransition {
    /// The current state.
    pub from: LifecycleState,
    /// The state the operation needs to enter.
    pub to: LifecycleState,
    /// The operation, e.g. "start".
    pub action: &'static str,
}

#[cfg(test)]
mod tests {
    use super::LifecycleState::*;

    #[test]
    fn the_normal_life_is_allowed() {
        let mut state = Unloaded;
        for (next, action) in [
            (Initializing, "load"),
            (Initialized, "load"),
            (Starting, "start"),
            (Running, "start"),
            (Stopping, "stop"),
            (Stopped, "stop"),
            (Starting, "start"),
            (Running, "start"),
            (Stopping, "stop"),
            (Stopped, "stop"),
            (Unloaded, "unload"),
        ] {
            state.advance(next, action).unwrap();
        }
    }

    #[test]
    fn illegal_transitions_name_the_state() {
        let mut state = Initialized;
        let error = state.advance(Stopping, "stop").unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot stop a plugin that is initialized (it would have to become stopping)"
        );
        assert_eq!(state, Initialized, "a refused transition changes nothing");
        let mut state = Error;
        assert!(state.advance(Starting, "start").is_err());
        assert!(Running.can_advance_to(Error));
        assert!(!Unloaded.can_advance_to(Running));
    }
}
