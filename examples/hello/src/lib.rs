//! Logs a line in each lifecycle phase and prints to stdout.

use qirvo_pdk::{Error, Plugin, info};

#[derive(Default)]
struct Hello {
    greeting: String,
}

impl Plugin for Hello {
    fn initialize(&mut self) -> Result<(), Error> {
        self.greeting = qirvo_pdk::config_str("greeting").unwrap_or_else(|| "Hello".to_string());
        info!("initialize: greeting is {:?}", self.greeting);
        Ok(())
    }

    fn start(&mut self) -> Result<(), Error> {
        info!("start");
        println!("{}, world!", self.greeting);
        Ok(())
    }

    fn stop(&mut self) -> Result<(), Error> {
        info!("stop");
        Ok(())
    }
}

qirvo_pdk::plugin!(Hello);
