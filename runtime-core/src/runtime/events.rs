//! The event bus: the host (or `qirvo run --event`) publishes to a topic; each running plugin
//! subscribed to it gets `qirvo_on_event`; what plugins publish while handling is delivered
//! next, breadth first, up to a bound that stops publish loops.

use std::collections::VecDeque;

use super::instance::{CallError, PluginInstance};

/// Most deliveries one publication may cause, including what plugins publish in turn.
pub const MAX_DELIVERIES: usize = 1000;

/// Largest payload a plugin may publish.
pub const MAX_EVENT_PAYLOAD: usize = 1 << 20;

/// Most events one plugin may have waiting for delivery; `event_publish` fails beyond it.
pub const MAX_PENDING_EVENTS: usize = 256;

/// Most bytes (topics and payloads) one plugin may have waiting for delivery.
pub const MAX_PENDING_EVENT_BYTES: usize = 8 << 20;

/// Most bytes the bus holds waiting during one publication; what plugins publish beyond it is
/// dropped (and counted in the report).
pub const MAX_QUEUED_BYTES: usize = 32 << 20;

/// A delivery that failed.
#[derive(Debug)]
pub struct DeliveryError {
    /// The plugin.
    pub plugin: String,
    /// The topic.
    pub topic: String,
    /// What went wrong.
    pub error: CallError,
}

/// What happened to a publication.
#[derive(Debug, Default)]
pub struct PublishReport {
    /// Successful deliveries.
    pub delivered: usize,
    /// Failed deliveries.
    pub failed: Vec<DeliveryError>,
    /// Whether [`MAX_DELIVERIES`] cut the cascade short.
    pub truncated: bool,
    /// Events plugins published that [`MAX_QUEUED_BYTES`] left undelivered.
    pub dropped: usize,
}

/// The bus's waiting events and their size.
#[derive(Default)]
struct Queue {
    events: VecDeque<(String, Vec<u8>)>,
    bytes: usize,
}

impl Queue {
    /// Queues what a plugin published, dropping what does not fit.
    fn extend(&mut self, published: Vec<(String, Vec<u8>)>, report: &mut PublishReport) {
        for (topic, payload) in published {
            let size = topic.len() + payload.len();
            if self.bytes + size > MAX_QUEUED_BYTES {
                tracing::warn!(%topic, size, "event bus full; event dropped");
                report.dropped += 1;
                continue;
            }
            self.bytes += size;
            self.events.push_back((topic, payload));
        }
    }

    fn pop(&mut self) -> Option<(String, Vec<u8>)> {
        let event = self.events.pop_front()?;
        self.bytes -= event.0.len() + event.1.len();
        Some(event)
    }
}

/// Publishes `payload` on `topic` to `plugins`, then what they publish while handling it.
pub async fn publish(plugins: &mut [PluginInstance], topic: &str, payload: &[u8]) -> PublishReport {
    let mut report = PublishReport::default();
    // The host's own event is queued whatever its size; the cap is on what plugins add.
    let mut queue = Queue {
        events: VecDeque::from([(topic.to_string(), payload.to_vec())]),
        bytes: topic.len() + payload.len(),
    };
    // Events published outside a delivery (e.g. during start) go out first.
    for plugin in plugins.iter_mut() {
        queue.extend(plugin.take_published(), &mut report);
    }
    while let Some((topic, payload)) = queue.pop() {
        for plugin in plugins.iter_mut() {
            if !plugin.subscribes_to(&topic) || plugin.state() != super::lifecycle::LifecycleState::Running {
                continue;
            }
            if report.delivered + report.failed.len() >= MAX_DELIVERIES {
                report.truncated = true;
                return report;
            }
            match plugin.deliver_event(&topic, &payload).await {
                Ok(()) => report.delivered += 1,
                Err(error) => report.failed.push(DeliveryError {
                    plugin: plugin.id().to_string(),
                    topic: topic.clone(),
                    error,
                }),
            }
            queue.extend(plugin.take_published(), &mut report);
        }
    }
    report
}
