//! The event bus: the host (or `qirvo run --event`) publishes to a topic; each running plugin
//! subscribed to it gets `qirvo_on_event`; what plugins publish while handling is delivered
//! next, breadth first, up to a bound that stops publish loops.

use std::collections::VecDeque;

use super::instance::{CallError, PluginInstance};

/// Most deliveries one publication may cause, including what plugins publish in turn.
pub const MAX_DELIVERIES: usize = 1000;

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
}

/// Publishes `payload` on `topic` to `plugins`, then what they publish while handling it.
pub async fn publish(plugins: &mut [PluginInstance], topic: &str, payload: &[u8]) -> PublishReport {
    let mut queue: VecDeque<(String, Vec<u8>)> = VecDeque::from([(topic.to_string(), payload.to_vec())]);
    // Events published outside a delivery (e.g. during start) go out first.
    for plugin in plugins.iter_mut() {
        queue.extend(plugin.take_published());
    }
    let mut report = PublishReport::default();
    while let Some((topic, payload)) = queue.pop_front() {
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
            queue.extend(plugin.take_published());
        }
    }
    report
}
