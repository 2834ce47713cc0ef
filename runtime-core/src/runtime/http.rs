//! The HTTP client behind `http_request`: `reqwest` with the manifest's rules applied. Every
//! request and every redirect is checked against `allowed_hosts`; requests in flight are capped
//! by `max_connections` until their response is collected; response bodies are read no faster
//! than `bandwidth`. What the host holds for a plugin's requests (request texts, response
//! headers and bodies) counts against one budget, the smaller of its memory limit and
//! [`MAX_HTTP_BUFFERED`], so a plugin cannot make the host hold more than it could itself.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

use qirvo_manifest::host_pattern::HostPattern;

use super::metrics::Metrics;

/// A request as the plugin sends it (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// `GET`, `POST`, ... (default `GET`).
    #[serde(default = "get")]
    pub method: String,
    /// Absolute `http://` or `https://` URL.
    pub url: String,
    /// Request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Request body (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

fn get() -> String {
    "GET".to_string()
}

/// The response as the plugin receives it (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Response headers (the last of repeated headers).
    pub headers: BTreeMap<String, String>,
    /// Body as text (invalid UTF-8 replaced).
    pub body: String,
}

/// Why a request failed; each becomes an error code and message for the plugin.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL is not allowed by the manifest.
    #[error("{0}")]
    Denied(String),
    /// `max_connections` requests are already in flight (or not yet collected).
    #[error("too many connections: {0} requests are in flight or waiting to be collected, and max_connections is {0}")]
    TooManyConnections(u32),
    /// The request JSON or URL is malformed.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The request took longer than the network timeout.
    #[error("the request timed out after {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The request or response does not fit in the plugin's HTTP budget.
    #[error("too large: the plugin's requests and responses may hold at most {0} bytes in the host at once")]
    TooLarge(usize),
    /// Connection, TLS or protocol failure.
    #[error("request failed: {0}")]
    Failed(String),
}

/// A plugin's HTTP client.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    allowed: Arc<Vec<HostPattern>>,
    connections: Arc<Semaphore>,
    max_connections: u32,
    bandwidth: Option<u64>,
    timeout: Duration,
    budget: Arc<Budget>,
    metrics: Arc<Metrics>,
}

/// Settings of a client, from the manifest.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Allowed host patterns.
    pub allowed_hosts: Vec<HostPattern>,
    /// Concurrent requests.
    pub max_connections: u32,
    /// Bytes per second, if capped.
    pub bandwidth: Option<u64>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Most bytes of requests and responses the host holds at once, over all requests.
    pub max_buffered: usize,
}

/// The default cap of [`HttpSettings::max_buffered`] (below it: the plugin's memory limit).
pub const MAX_HTTP_BUFFERED: usize = 64 << 20;

/// Bytes the host holds for one plugin's requests and responses.
#[derive(Debug)]
struct Budget {
    held: AtomicUsize,
    limit: usize,
}

/// A share of a [`Budget`], given back when dropped.
#[derive(Debug)]
pub struct Held {
    budget: Arc<Budget>,
    bytes: usize,
}

impl Held {
    fn new(budget: &Arc<Budget>) -> Held {
        Held {
            budget: budget.clone(),
            bytes: 0,
        }
    }

    /// Takes `more` bytes of the budget, or fails when they do not fit.
    fn grow(&mut self, more: usize) -> Result<(), HttpError> {
        let limit = self.budget.limit;
        self.budget
            .held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                held.checked_add(more).filter(|total| *total <= limit)
            })
            .map_err(|_| HttpError::TooLarge(limit))?;
        self.bytes += more;
        Ok(())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.held.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// A response with the share of the budget it holds until it is handed to the plugin.
#[derive(Debug)]
pub struct HeldResponse {
    /// The response.
    pub response: HttpResponse,
    _held: Held,
}

/// A request started on its own task. Dropping it (the plugin was unloaded or dropped, or its
/// call was cancelled) aborts the request; its connection permit is held until then.
#[derive(Debug)]
pub struct InFlight {
    task: JoinHandle<Result<HeldResponse, HttpError>>,
    _permit: OwnedSemaphorePermit,
}

impl InFlight {
    /// Starts `request` (prepared by [`HttpClient::prepare`]) on its own task.
    pub fn start(client: HttpClient, request: HttpRequest, url: Url, permit: OwnedSemaphorePermit) -> InFlight {
        InFlight {
            task: tokio::spawn(async move { client.send(request, url).await }),
            _permit: permit,
        }
    }

    /// Waits for the response.
    pub async fn finish(mut self) -> Result<HeldResponse, HttpError> {
        (&mut self.task)
            .await
            .map_err(|e| HttpError::Failed(format!("request task failed: {e}")))?
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn allowed_by(patterns: &[HostPattern], url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let port = url.port_or_known_default().unwrap_or(0);
    patterns.iter().any(|p| p.matches(url.scheme(), host, port))
}

impl HttpClient {
    /// Builds a client.
    pub fn new(settings: HttpSettings, metrics: Arc<Metrics>) -> Result<HttpClient, HttpError> {
        let allowed = Arc::new(settings.allowed_hosts);
        let redirect_allowed = allowed.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else if allowed_by(&redirect_allowed, attempt.url()) {
                attempt.follow()
            } else {
                let url = attempt.url().to_string();
                attempt.error(format!("redirect to {url} is not in allowed_hosts"))
            }
        });
        let client = reqwest::Client::builder()
            .redirect(redirects)
            .timeout(settings.timeout)
            .pool_max_idle_per_host(settings.max_connections as usize)
            .build()
            .map_err(|e| HttpError::Failed(e.to_string()))?;
        Ok(HttpClient {
            client,
            allowed,
            connections: Arc::new(Semaphore::new(settings.max_connections as usize)),
            max_connections: settings.max_connections,
            bandwidth: settings.bandwidth,
            timeout: settings.timeout,
            budget: Arc::new(Budget {
                held: AtomicUsize::new(0),
                limit: settings.max_buffered,
            }),
            metrics,
        })
    }

    /// Parses and checks a request, and reserves a connection for it.
    pub fn prepare(&self, request: &HttpRequest) -> Result<(Url, OwnedSemaphorePermit), HttpError> {
        let url =
            Url::parse(&request.url).map_err(|e| HttpError::Invalid(format!("bad url `{}`: {e}", request.url)))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(HttpError::Invalid(format!("unsupported scheme `{}`", url.scheme())));
        }
        if !allowed_by(&self.allowed, &url) {
            self.metrics.update(|m| m.network_denied += 1);
            return Err(HttpError::Denied(format!(
                "{} is not in allowed_hosts",
                url.host_str().map_or_else(
                    || url.to_string(),
                    |h| match url.port() {
                        Some(port) => format!("{h}:{port}"),
                        None => h.to_string(),
                    }
                )
            )));
        }
        let permit = self.connections.clone().try_acquire_owned().map_err(|_| {
            self.metrics.update(|m| m.network_denied += 1);
            HttpError::TooManyConnections(self.max_connections)
        })?;
        Ok((url, permit))
    }

    /// Sends a prepared request (the caller keeps its connection permit).
    pub async fn send(&self, request: HttpRequest, url: Url) -> Result<HeldResponse, HttpError> {
        let request_bytes = request.url.len()
            + request.body.as_ref().map_or(0, String::len)
            + request.headers.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
        let mut sending = Held::new(&self.budget);
        sending.grow(request_bytes)?;
        let method = reqwest::Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| HttpError::Invalid(format!("bad method `{}`", request.method)))?;
        let mut builder = self.client.request(method, url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let started = Instant::now();
        if let Some(body) = request.body {
            self.pace(body.len() as u64, started).await;
            builder = builder.body(body);
        }
        self.metrics.update(|m| m.network_requests += 1);
        let mut response = builder.send().await.map_err(|e| self.classify(e))?;
        drop(sending);
        let mut held = Held::new(&self.budget);
        let status = response.status().as_u16();
        let headers: BTreeMap<String, String> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        held.grow(headers.iter().map(|(k, v)| k.len() + v.len()).sum())?;
        let mut body = Vec::new();
        let reading = Instant::now();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(e))? {
            held.grow(chunk.len())?;
            body.extend_from_slice(&chunk);
            self.metrics.update(|m| m.network_bytes_received += chunk.len() as u64);
            self.pace(body.len() as u64, reading).await;
        }
        let body = String::from_utf8(body).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(HeldResponse {
            response: HttpResponse { status, headers, body },
            _held: held,
        })
    }

    /// Sleeps so that `bytes` since `since` stay within the bandwidth cap.
    async fn pace(&self, bytes: u64, since: Instant) {
        if let Some(rate) = self.bandwidth.filter(|r| *r > 0) {
            let due = Duration::from_secs_f64(bytes as f64 / rate as f64);
            let elapsed = since.elapsed();
            if due > elapsed {
                tokio::time::sleep(due - elapsed).await;
            }
        }
    }

    fn classify(&self, error: reqwest::Error) -> HttpError {
        if error.is_timeout() {
            HttpError::Timeout(self.timeout)
        } else if error.is_redirect() {
            self.metrics.update(|m| m.network_denied += 1);
            let message = std::error::Error::source(&error).map_or_else(|| error.to_string(), |s| s.to_string());
            HttpError::Denied(message)
        } else {
            HttpError::Failed(error.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_one_budget_add_up_and_are_given_back() {
        let budget = Arc::new(Budget {
            held: AtomicUsize::new(0),
            limit: 100,
        });
        let mut first = Held::new(&budget);
        first.grow(60).unwrap();
        let mut second = Held::new(&budget);
        assert!(
            matches!(second.grow(50), Err(HttpError::TooLarge(100))),
            "60 + 50 > 100"
        );
        second.grow(40).unwrap();
        assert!(second.grow(1).is_err(), "exactly full");
        drop(first);
        second.grow(50).unwrap();
        drop(second);
        assert_eq!(budget.held.load(Ordering::Acquire), 0, "everything given back");
    }
}
