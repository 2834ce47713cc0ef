//! Greets on every `greeting` event and announces it on `greeting.seen`.

use qirvo_pdk::{Error, Plugin, events, info};

#[derive(Default)]
struct Events {
    seen: u32,
}

impl Plugin for Events {
    fn on_event(&mut self, topic: &str, payload: &[u8]) -> Result<(), Error> {
        self.seen += 1;
        let text = String::from_utf8_lossy(payload);
        info!("event #{} on {topic}: {text}", self.seen);
        if topic == "greeting" {
            events::publish("greeting.seen", format!("{{\"count\":{}}}", self.seen))?;
        }
        Ok(())
    }
}

qirvo_pdk::plugin!(Events);
