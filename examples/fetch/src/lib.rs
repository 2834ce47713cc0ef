//! Fetches the URL in `config.url` on start and logs the status and body size.
//! On the `fetch.parallel` event it starts as many requests as the payload says at once.

use qirvo_pdk::http::{self, Request};
use qirvo_pdk::{Error, Plugin, info};

#[derive(Default)]
struct Fetch {
    url: String,
}

impl Plugin for Fetch {
    fn initialize(&mut self) -> Result<(), Error> {
        self.url = qirvo_pdk::config_str("url").ok_or_else(|| Error::new("config.url is not set"))?;
        Ok(())
    }

    fn start(&mut self) -> Result<(), Error> {
        let response = http::request(&Request::get(&self.url))?;
        info!("GET {} -> {} ({} bytes)", self.url, response.status, response.body.len());
        Ok(())
    }

    fn on_event(&mut self, topic: &str, payload: &[u8]) -> Result<(), Error> {
        match topic {
            "fetch.url" => {
                let url = String::from_utf8_lossy(payload);
                let response = http::request(&Request::get(url.as_ref()))?;
                info!("GET {url} -> {}", response.status);
            }
            "fetch.parallel" => {
                let count: usize = String::from_utf8_lossy(payload).trim().parse().unwrap_or(2);
                let pending = (0..count)
                    .map(|_| http::send(&Request::get(&self.url)))
                    .collect::<Result<Vec<_>, _>>()?;
                for request in pending {
                    request.wait()?;
                }
                info!("{count} parallel requests done");
            }
            _ => {}
        }
        Ok(())
    }
}

qirvo_pdk::plugin!(Fetch);
