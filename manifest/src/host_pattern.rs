//! `network.allowed_hosts` patterns: `host`, `*.domain`, optionally with `scheme://` and
//! `:port`. The manifest rules use [`HostPattern::parse`] to report malformed entries and the
//! HTTP host call uses [`HostPattern::matches`] on every request and redirect.

use std::fmt;

/// Which hosts a pattern admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMatch {
    /// Every host (`*`).
    Any,
    /// Exactly this host (lowercase), e.g. `api.example.com`, `127.0.0.1`, `::1`.
    Exact(String),
    /// Any subdomain of this domain at any depth (`*.example.com`), not the domain itself.
    Subdomains(String),
}

/// One parsed `allowed_hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    /// `http` or `https`; `None` admits both.
    pub scheme: Option<String>,
    /// The host part.
    pub host: HostMatch,
    /// The port; `None` admits any port.
    pub port: Option<u16>,
}

/// Why a pattern is malformed, with a corrected pattern when one is obvious.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPatternError {
    /// What is wrong.
    pub message: String,
    /// A corrected pattern.
    pub suggestion: Option<String>,
}

impl fmt::Display for HostPatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn fail(message: impl Into<String>, suggestion: Option<String>) -> HostPatternError {
    HostPatternError {
        message: message.into(),
        suggestion,
    }
}

impl HostPattern {
    /// Parses a pattern.
    pub fn parse(text: &str) -> Result<HostPattern, HostPatternError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(fail("empty host pattern", None));
        }
        if trimmed != text {
            return Err(fail("host pattern has surrounding spaces", Some(trimmed.to_string())));
        }
        let (scheme, rest) = match trimmed.split_once("://") {
            Some((scheme, rest)) => {
                let lower = scheme.to_ascii_lowercase();
                if lower != "http" && lower != "https" {
                    return Err(fail(
                        format!("scheme `{scheme}` is not supported; use http or https"),
                        None,
                    ));
                }
                (Some(lower), rest)
            }
            None => (None, trimmed),
        };
        if let Some(cut) = rest.find(['/', '?', '#']) {
            let without_path = format!(
                "{}{}",
                scheme.as_ref().map(|s| format!("{s}://")).unwrap_or_default(),
                &rest[..cut]
            );
            return Err(fail(
                format!("host pattern `{trimmed}` has a path; allowed hosts name hosts, not URLs"),
                Some(without_path),
            ));
        }
        if rest.contains('@') {
            return Err(fail("host pattern must not contain credentials (`user@`)", None));
        }
        let (host, port) = split_port(rest)?;
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostMatch::Any
        } else if let Some(domain) = host.strip_prefix("*.") {
            check_domain(domain, trimmed)?;
            HostMatch::Subdomains(domain.to_string())
        } else if host.contains('*') {
            return Err(fail(
                format!("`*` may only stand alone or start a pattern as `*.domain`, found `{trimmed}`"),
                None,
            ));
        } else {
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                check_domain(&host, trimmed)?;
            }
            HostMatch::Exact(host)
        };
        Ok(HostPattern { scheme, host, port })
    }

    /// Whether a request to `scheme://host:port` is admitted.
    pub fn matches(&self, scheme: &str, host: &str, port: u16) -> bool {
        if self.scheme.as_deref().is_some_and(|s| !s.eq_ignore_ascii_case(scheme)) {
            return false;
        }
        if self.port.is_some_and(|p| p != port) {
            return false;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let host = host.trim_end_matches('.');
        match &self.host {
            HostMatch::Any => true,
            HostMatch::Exact(exact) => exact == host,
            HostMatch::Subdomains(domain) => host
                .strip_suffix(domain.as_str())
                .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
        }
    }
}

fn split_port(rest: &str) -> Result<(&str, Option<u16>), HostPatternError> {
    if let Some(inner) = rest.strip_prefix('[') {
        // [v6]:port
        let Some((host, after)) = inner.split_once(']') else {
            return Err(fail("unclosed `[` in IPv6 host", None));
        };
        let port = match after.strip_prefix(':') {
            Some(port) => Some(parse_port(port)?),
            None if after.is_empty() => None,
            None => return Err(fail(format!("unexpected `{after}` after IPv6 host"), None)),
        };
        return Ok((host, port));
    }
    match rest.rsplit_once(':') {
        Some((host, port)) => Ok((host, Some(parse_port(port)?))),
        None => Ok((rest, None)),
    }
}

fn parse_port(text: &str) -> Result<u16, HostPatternError> {
    match text.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(fail(format!("port `{text}` is not a number from 1 to 65535"), None)),
    }
}

fn check_domain(domain: &str, pattern: &str) -> Result<(), HostPatternError> {
    if domain.is_empty() {
        return Err(fail(format!("`{pattern}` names no host"), None));
    }
    if domain.len() > 253 {
        return Err(fail("host name is longer than 253 characters", None));
    }
    for label in domain.split('.') {
        let valid = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(fail(
                format!("`{label}` in `{pattern}` is not a valid host name label (letters, digits and inner hyphens)"),
                None,
            ));
        }
    }
    Ok(())
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(scheme) = &self.scheme {
            write!(f, "{scheme}://")?;
        }
        match &self.host {
            HostMatch::Any => f.write_str("*")?,
            HostMatch::Exact(host) if host.contains(':') => write!(f, "[{host}]")?,
            HostMatch::Exact(host) => f.write_str(host)?,
            HostMatch::Subdomains(domain) => write!(f, "*.{domain}")?,
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let p = HostPattern::parse("api.example.com").unwrap();
        assert!(p.matches("https", "api.example.com", 443));
        assert!(p.matches("http", "API.example.com", 80));
        assert!(!p.matches("https", "example.com", 443));

        let p = HostPattern::parse("*.example.com").unwrap();
        assert!(p.matches("https", "a.b.example.com", 443));
        assert!(!p.matches("https", "example.com", 443));
        assert!(!p.matches("https", "badexample.com", 443));

        let p = HostPattern::parse("https://127.0.0.1:8080").unwrap();
        assert!(p.matches("https", "127.0.0.1", 8080));
        assert!(!p.matches("http", "127.0.0.1", 8080));
        assert!(!p.matches("https", "127.0.0.1", 8081));

        let p = HostPattern::parse("[::1]:9000").unwrap();
        assert!(p.matches("http", "[::1]", 9000));
        assert_eq!(p.to_string(), "[::1]:9000");
        assert_eq!(HostPattern::parse("*").unwrap().host, HostMatch::Any);
    }

    #[test]
    fn rejects_malformed_patterns_with_reasons() {
        let cases = [
            ("", "empty"),
            ("ftp://x.com", "scheme"),
            ("https://x.com/api", "path"),
            ("x.*.com", "`*` may only"),
            ("exa mple.com", "not a valid host name label"),
            ("x.com:0", "port"),
            ("x.com:99999", "port"),
            ("-x.com", "label"),
            ("x..com", "label"),
            ("user@x.com", "credentials"),
            ("*.", "names no host"),
        ];
        for (pattern, expected) in cases {
            let error = HostPattern::parse(pattern).unwrap_err();
            assert!(error.message.contains(expected), "{pattern}: {}", error.message);
        }
        let with_path = HostPattern::parse("https://x.com/api").unwrap_err();
        assert_eq!(with_path.suggestion.as_deref(), Some("https://x.com"));
    }
}
