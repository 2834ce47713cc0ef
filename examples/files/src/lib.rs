//! Reads `/data/input.txt` and writes its length to `/data/output.txt` through WASI: works only
//! with `filesystem-access` and a granted directory.

use qirvo_pdk::{Error, Plugin, info};

#[derive(Default)]
struct Files;

impl Plugin for Files {
    fn start(&mut self) -> Result<(), Error> {
        let input = std::fs::read_to_string("/data/input.txt").map_err(|e| Error::new(format!("cannot read /data/input.txt: {e}")))?;
        std::fs::write("/data/output.txt", input.len().to_string())
            .map_err(|e| Error::new(format!("cannot write /data/output.txt: {e}")))?;
        info!("read {} bytes", input.len());
        Ok(())
    }
}

qirvo_pdk::plugin!(Files);
