//! Greets on every `greeting` event and announces it on `greeting.seen`; shows a
//! notification for every `notify` event.

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
        match topic {
            "greeting" => events::publish("greeting.seen", format!("{{\"count\":{}}}", self.seen))?,
            "notify" => qirvo_pdk::notify("Events", &text)?,
            _ => {}
        }
        Ok(())
    }
}

qirvo_pdk::plugin!(Events);
