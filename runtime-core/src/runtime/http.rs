//! The HTTP client behind `http_request`: `reqwest` with the manifest's rules applied. Every
//! request and every redirect is checked against `allowed_hosts`; requests in flight are capped
//! by `max_connections`; response bodies are read no faster than `bandwidth`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::host_pattern::HostPattern;

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
    /// `max_connections` requests are already in flight.
    #[error("too many connections: {0} requests are in flight and max_connections is {0}")]
    TooManyConnections(u32),
    /// The request JSON or URL is malformed.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The request took longer than the network timeout.
    #[error("the request timed out after {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The response body is larger than allowed.
    #[error("the response is larger than {0} bytes")]
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
    max_body: usize,
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
    /// Largest response body.
    pub max_body: usize,
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
            max_body: settings.max_body,
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

    /// Sends a prepared request; the permit is held until the body is read.
    pub async fn send(
        &self,
        request: HttpRequest,
        url: Url,
        _permit: OwnedSemaphorePermit,
    ) -> Result<HttpResponse, HttpError> {
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
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let reading = Instant::now();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(e))? {
            body.extend_from_slice(&chunk);
            if body.len() > self.max_body {
                return Err(HttpError::TooLarge(self.max_body));
            }
            self.metrics.update(|m| m.network_bytes_received += chunk.len() as u64);
            self.pace(body.len() as u64, reading).await;
        }
        Ok(HttpResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
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
