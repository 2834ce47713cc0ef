//! The queue of messages to the client. A plugin's output arrives as fast as the plugin prints,
//! and a client may stop reading (a paused editor, a stuck pipe): the text of queued `output`
//! events is capped at [`MAX_QUEUED_OUTPUT`] bytes, output beyond it is dropped and counted, and
//! the client is told how much once the queue drains. Responses and other events are never
//! dropped: they are bounded by what the client asks.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::mpsc;

use super::Outgoing;
use super::bodies::{OutputCategory, OutputEvent};

/// Most bytes of output text waiting for the client.
pub const MAX_QUEUED_OUTPUT: usize = 4 << 20;

#[derive(Debug, Default)]
struct Counters {
    queued_output: AtomicUsize,
    dropped_output: AtomicUsize,
}

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub struct Outbox {
    sender: mpsc::UnboundedSender<Outgoing>,
    counters: Arc<Counters>,
}

/// The receiving side, read by the writer task.
#[derive(Debug)]
pub struct OutboxReceiver {
    receiver: mpsc::UnboundedReceiver<Outgoing>,
    counters: Arc<Counters>,
    /// The notice of dropped output, written after the message that drained the queue.
    notice: Option<Outgoing>,
}

/// The message was not queued: the writer is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// A new queue.
pub fn outbox() -> (Outbox, OutboxReceiver) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let counters = Arc::new(Counters::default());
    (
        Outbox {
            sender,
            counters: counters.clone(),
        },
        OutboxReceiver {
            receiver,
            counters,
            notice: None,
        },
    )
}

/// The bytes of output text `message` carries (0 for anything but an `output` event).
fn output_bytes(message: &Outgoing) -> usize {
    match message {
        Outgoing::Event {
            event,
            body: Some(body),
        } if event == "output" => body["output"].as_str().map_or(0, str::len),
        _ => 0,
    }
}

impl Outbox {
    /// Queues `message`; output beyond [`MAX_QUEUED_OUTPUT`] is dropped (and counted).
    pub fn send(&self, message: Outgoing) -> Result<(), Closed> {
        let bytes = output_bytes(&message);
        if bytes > 0 {
            let queued = &self.counters.queued_output;
            let taken = queued.fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                now.checked_add(bytes).filter(|total| *total <= MAX_QUEUED_OUTPUT)
            });
            if taken.is_err() {
                self.counters.dropped_output.fetch_add(bytes, Ordering::AcqRel);
                return Ok(());
            }
        }
        self.sender.send(message).map_err(|_| Closed)
    }
}

impl OutboxReceiver {
    /// The next message to write. Once the queue has drained below half after output was
    /// dropped, the message after that says how much. `None` when every sender is gone and
    /// the queue is empty.
    pub async fn recv(&mut self) -> Option<Outgoing> {
        if let Some(notice) = self.notice.take() {
            return Some(notice);
        }
        let message = self.receiver.recv().await?;
        let bytes = output_bytes(&message);
        let left = self.counters.queued_output.fetch_sub(bytes, Ordering::AcqRel) - bytes;
        if left <= MAX_QUEUED_OUTPUT / 2 {
            let dropped = self.counters.dropped_output.swap(0, Ordering::AcqRel);
            if dropped > 0 {
                let text =
                    format!("qirvo: {dropped} bytes of plugin output were dropped: the client was not reading\n");
                self.notice = Some(Outgoing::event(&OutputEvent::new(OutputCategory::Console, text)));
            }
        }
        Some(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(text: &str) -> Outgoing {
        Outgoing::event(&OutputEvent::new(OutputCategory::Stdout, text))
    }

    #[tokio::test]
    async fn output_beyond_the_cap_is_dropped_counted_and_reported_while_the_rest_is_kept() {
        let (outbox, mut receiver) = outbox();
        let line = "x".repeat(1 << 10);
        let lines = 2 * MAX_QUEUED_OUTPUT / line.len();
        for _ in 0..lines {
            outbox.send(output(&line)).unwrap();
        }
        let response = Outgoing::failure(7, "threads", &super::super::DapError::Inspection("kept".into()));
        outbox.send(response.clone()).unwrap();
        drop(outbox);
        let mut received = Vec::new();
        while let Some(message) = receiver.recv().await {
            received.push(message);
        }
        let texts: Vec<String> = received
            .iter()
            .filter_map(|m| match m {
                Outgoing::Event { body: Some(body), .. } => body["output"].as_str().map(str::to_string),
                _ => None,
            })
            .collect();
        let kept = texts.iter().filter(|t| **t == line).count();
        assert_eq!(kept, MAX_QUEUED_OUTPUT / line.len(), "exactly the cap is kept");
        let notice = texts.iter().find(|t| t.starts_with("qirvo:")).expect("a notice");
        assert!(
            notice.contains(&format!("{} bytes", (lines - kept) * line.len())),
            "{notice}"
        );
        assert!(received.contains(&response), "responses are never dropped");
        assert_eq!(receiver.counters.queued_output.load(Ordering::Acquire), 0);
    }
}
