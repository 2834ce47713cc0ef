//! The Debug Adapter Protocol on the wire: framing and message envelopes, owned here on serde
//! rather than taken from the `dap` crate, whose types drop or misname fields real clients send
//! (see the README). Requests are read as an envelope first and their arguments decoded per
//! command, so an unknown command or bad arguments gets an error response, never a crash.

pub mod bodies;
mod coordinates;
mod error;
mod framing;
mod outbox;
pub mod types;

pub use coordinates::{ClientCoordinates, byte_offset_of_column, utf16_len};
pub use error::DapError;
pub use framing::{FrameError, read_message, write_message};
pub use outbox::{MAX_QUEUED_OUTPUT, Outbox, OutboxReceiver, outbox};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Any incoming message, as far as the envelope goes.
#[derive(Debug, Clone, Deserialize)]
pub struct Incoming {
    /// Sequence number.
    #[serde(default)]
    pub seq: i64,
    /// `request` (anything else is ignored).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The command.
    #[serde(default)]
    pub command: String,
    /// Arguments, decoded per command.
    #[serde(default)]
    pub arguments: Option<Value>,
}

impl Incoming {
    /// Decodes the arguments; absent arguments decode like `{}`.
    pub fn arguments<T: serde::de::DeserializeOwned>(&self) -> Result<T, DapError> {
        let value = match &self.arguments {
            None | Some(Value::Null) => json!({}),
            Some(value) => value.clone(),
        };
        serde_json::from_value(value).map_err(|e| DapError::BadArguments {
            command: self.command.clone(),
            message: e.to_string(),
        })
    }
}

/// An outgoing message without its `seq` (the writer numbers them).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Outgoing {
    /// A response to a request.
    Response {
        /// The request's seq.
        request_seq: i64,
        /// Whether it succeeded.
        success: bool,
        /// The request's command.
        command: String,
        /// Error text when it failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// Result, or `{ "error": {...} }` on failure.
        #[serde(skip_serializing_if = "Option::is_none")]
        body: Option<Value>,
    },
    /// An event.
    Event {
        /// Event name.
        event: String,
        /// Its body.
        #[serde(skip_serializing_if = "Option::is_none")]
        body: Option<Value>,
    },
}

impl Outgoing {
    /// A successful response.
    pub fn success(request: &Incoming, body: Option<Value>) -> Outgoing {
        Outgoing::Response {
            request_seq: request.seq,
            success: true,
            command: request.command.clone(),
            message: None,
            body,
        }
    }

    /// A failed response: the error's text as `message`, and in `body.error` with its id (as
    /// VS Code shows it).
    pub fn failure(request_seq: i64, command: &str, error: &DapError) -> Outgoing {
        Outgoing::Response {
            request_seq,
            success: false,
            command: command.to_string(),
            message: Some(error.to_string()),
            body: Some(bodies::to_body(&error.body())),
        }
    }

    /// An event, named by its body's type.
    pub fn event<B: bodies::EventBody>(body: &B) -> Outgoing {
        Outgoing::Event {
            event: B::EVENT.to_string(),
            body: Some(bodies::to_body(body)),
        }
    }

    /// Serialises with a sequence number.
    pub fn to_json(&self, seq: i64) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(object) = value.as_object_mut() {
            object.insert("seq".into(), json!(seq));
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_tolerates_missing_and_empty_arguments() {
        let request: Incoming =
            serde_json::from_str(r#"{"seq":3,"type":"request","command":"configurationDone","arguments":{}}"#).unwrap();
        let _: types::Empty = request.arguments().unwrap();
        let request: Incoming = serde_json::from_str(r#"{"seq":4,"type":"request","command":"disconnect"}"#).unwrap();
        let args: types::DisconnectArguments = request.arguments().unwrap();
        assert_eq!(args.terminate_debuggee, None);
    }

    #[test]
    fn responses_carry_command_seq_and_error_body() {
        let unknown = DapError::UnknownCommand {
            command: "frobnicate".into(),
        };
        let failure = Outgoing::failure(7, "frobnicate", &unknown).to_json(12);
        assert_eq!(
            failure,
            json!({
                "seq": 12, "type": "response", "request_seq": 7, "success": false,
                "command": "frobnicate", "message": "unknown or unsupported request `frobnicate`",
                "body": { "error": { "id": 1, "format": "unknown or unsupported request `frobnicate`", "showUser": true } }
            })
        );
        let event = Outgoing::event(&bodies::StoppedEvent {
            reason: bodies::StoppedReason::Breakpoint,
            description: None,
            thread_id: Some(1),
            preserve_focus_hint: None,
            text: None,
            all_threads_stopped: None,
            hit_breakpoint_ids: Vec::new(),
        })
        .to_json(1);
        assert_eq!(
            event,
            json!({"seq": 1, "type": "event", "event": "stopped", "body": {"reason": "breakpoint", "threadId": 1}})
        );
    }
}
