//! Conditions, hit conditions and log messages of source breakpoints, checked on the
//! debuggee's thread when a breakpoint's pc is reached: the plugin stops only when they say so,
//! and a logpoint prints instead of stopping.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::eval::{self, Evaluator, Expr};

/// When a hit count lets a breakpoint stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HitCondition {
    /// `N` or `== N`: the Nth hit only.
    Equal(u64),
    /// `>= N`
    AtLeast(u64),
    /// `> N`
    Above(u64),
    /// `< N`
    Below(u64),
    /// `<= N`
    AtMost(u64),
    /// `% N`: every Nth hit.
    Every(u64),
}

impl HitCondition {
    fn parse(text: &str) -> Result<HitCondition, String> {
        let text = text.trim();
        let (operator, number) = ["==", ">=", "<=", ">", "<", "%", "="]
            .iter()
            .find_map(|op| text.strip_prefix(op).map(|rest| (*op, rest)))
            .unwrap_or(("==", text));
        let n: u64 = number
            .trim()
            .parse()
            .map_err(|_| format!("hit condition `{text}`: expected a count such as `5`, `>= 5` or `% 5`"))?;
        Ok(match operator {
            "==" | "=" => HitCondition::Equal(n),
            ">=" => HitCondition::AtLeast(n),
            "<=" => HitCondition::AtMost(n),
            ">" => HitCondition::Above(n),
            "<" => HitCondition::Below(n),
            _ if n == 0 => return Err(format!("hit condition `{text}`: `% 0` never holds")),
            _ => HitCondition::Every(n),
        })
    }

    fn holds(self, hits: u64) -> bool {
        match self {
            HitCondition::Equal(n) => hits == n,
            HitCondition::AtLeast(n) => hits >= n,
            HitCondition::Above(n) => hits > n,
            HitCondition::Below(n) => hits < n,
            HitCondition::AtMost(n) => hits <= n,
            HitCondition::Every(n) => hits.is_multiple_of(n),
        }
    }
}

/// A piece of a log message.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Value(Expr),
}

/// What reaching a breakpoint leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Stop here.
    Stop,
    /// Stop, and say why the condition could not be checked.
    StopWithError(String),
    /// Print this line and go on.
    Log(String),
    /// Go on.
    Continue,
}

/// The rules of one source breakpoint.
#[derive(Debug)]
pub struct BreakpointRule {
    condition: Option<Expr>,
    hit_condition: Option<HitCondition>,
    log: Option<Vec<Part>>,
    /// Times the condition held (DAP: the hit count counts those).
    hits: AtomicU64,
}

fn parse_log(template: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("{{") || rest.starts_with("}}") {
            text.push(c);
            rest = &rest[2..];
        } else if c == '{' {
            let end = rest
                .find('}')
                .ok_or_else(|| format!("log message: `{{` at `{rest}` is not closed"))?;
            let expr = eval::parse(&rest[1..end]).map_err(|e| format!("log message `{{{}}}`: {e}", &rest[1..end]))?;
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(Part::Value(expr));
            rest = &rest[end + 1..];
        } else {
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

impl BreakpointRule {
    /// Parses a breakpoint's `condition`, `hitCondition` and `logMessage`; an error names
    /// which one is wrong and why.
    pub fn new(condition: Option<&str>, hit_condition: Option<&str>, log: Option<&str>) -> Result<Self, String> {
        fn present(text: Option<&str>) -> Option<&str> {
            text.filter(|t| !t.trim().is_empty())
        }
        Ok(BreakpointRule {
            condition: present(condition)
                .map(|c| eval::parse(c).map_err(|e| format!("condition: {e}")))
                .transpose()?,
            hit_condition: present(hit_condition).map(HitCondition::parse).transpose()?,
            log: present(log).map(parse_log).transpose()?,
            hits: AtomicU64::new(0),
        })
    }

    /// A breakpoint that always stops.
    pub fn is_plain(&self) -> bool {
        self.condition.is_none() && self.hit_condition.is_none() && self.log.is_none()
    }

    /// Checks the rule at a hit.
    pub fn check(&self, evaluator: &mut Evaluator) -> Verdict {
        if let Some(condition) = &self.condition {
            match evaluator.eval(condition).and_then(|v| eval::truth(&v)) {
                Ok(true) => {}
                Ok(false) => return Verdict::Continue,
                Err(error) => return Verdict::StopWithError(format!("the breakpoint condition failed: {error}")),
            }
        }
        let hits = self.hits.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(hit_condition) = self.hit_condition
            && !hit_condition.holds(hits)
        {
            return Verdict::Continue;
        }
        match &self.log {
            None => Verdict::Stop,
            Some(parts) => {
                let mut line = String::new();
                for part in parts {
                    match part {
                        Part::Text(text) => line.push_str(text),
                        Part::Value(expr) => match evaluator.eval(expr) {
                            Ok(value) => line.push_str(&evaluator.render(&value).value),
                            Err(error) => line.push_str(&format!("<{error}>")),
                        },
                    }
                }
                Verdict::Log(line)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hit_conditions() {
        let holds = |text: &str, hits: u64| HitCondition::parse(text).unwrap().holds(hits);
        assert!(holds("5", 5) && !holds("5", 6));
        assert!(holds(">= 3", 3) && holds(">=3", 9) && !holds(">= 3", 2));
        assert!(holds("% 2", 4) && !holds("%2", 3));
        assert!(holds("< 2", 1) && !holds("<2", 2));
        assert!(HitCondition::parse("often").unwrap_err().contains("expected a count"));
        assert!(HitCondition::parse("% 0").is_err());
    }

    #[test]
    fn log_messages_interpolate_expressions() {
        let parts = parse_log("i={i} sum={{literal}} {a + 1}!").unwrap();
        assert_eq!(parts.len(), 5);
        assert_eq!(parts[0], Part::Text("i=".into()));
        assert_eq!(parts[2], Part::Text(" sum={literal} ".into()));
        assert_eq!(parts[4], Part::Text("!".into()));
        assert!(parse_log("x={x").unwrap_err().contains("not closed"));
        assert!(parse_log("x={x +}").unwrap_err().contains("log message `{x +}`"));
        assert!(
            BreakpointRule::new(Some("i =="), None, None)
                .unwrap_err()
                .starts_with("condition: ")
        );
        assert!(BreakpointRule::new(Some(" "), Some(""), None).unwrap().is_plain());
    }
}
