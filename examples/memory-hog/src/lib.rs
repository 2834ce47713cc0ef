//! Misbehaves: `start` allocates until memory runs out. The memory limit must refuse growth.

use qirvo_pdk::{Error, Plugin, info};

#[derive(Default)]
struct Hog {
    blocks: Vec<Vec<u8>>,
}

impl Plugin for Hog {
    fn start(&mut self) -> Result<(), Error> {
        loop {
            let mut block = Vec::new();
            if block.try_reserve_exact(1 << 20).is_err() {
                let megabytes = self.blocks.len();
                info!("allocation refused after {megabytes} MB");
                return Err(Error::new(format!("out of memory after {megabytes} MB")));
            }
            block.resize(1 << 20, 1);
            self.blocks.push(block);
        }
    }
}

qirvo_pdk::plugin!(Hog);
