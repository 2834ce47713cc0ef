//! Identity fields: format version, id, name, version, description, type, category, author,
//! `main`, and the legacy camelCase spellings of field names.

use super::{Checker, edits};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Fix, Severity, Tag};
use crate::json::{self, Node};
use crate::manifest::schema;

/// Legacy spellings of root fields, and the canonical name of each.
pub(super) const ALIASES: &[(&str, &str)] = &[
    ("manifestVersion", "manifest_version"),
    ("entryPoint", "main"),
    ("entry", "main"),
    ("configSchema", "config_schema"),
];

/// The canonical name of a legacy spelling.
pub(super) fn canonical_of(alias: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(a, _)| *a == alias)
        .map(|(_, canonical)| *canonical)
}

/// The legacy spellings of a canonical name.
pub(super) fn aliases_of(canonical: &str) -> Vec<&'static str> {
    ALIASES
        .iter()
        .filter(|(_, c)| *c == canonical)
        .map(|(alias, _)| *alias)
        .collect()
}

/// Supported `manifest_version` values.
const SUPPORTED_FORMATS: &[u32] = &[1, 2];

pub(super) fn check(checker: &mut Checker) {
    aliases(checker);
    manifest_version(checker);
    id(checker);
    name(checker);
    version(checker);
    description(checker);
    enum_field(checker, "type");
    enum_field(checker, "category");
    author(checker);
    main(checker);
    type_sections(checker);
}

fn aliases(checker: &mut Checker) {
    let members = checker.root.as_object().unwrap_or_default();
    // Per canonical name, the first member of each spelling that sets it (a handful), so a
    // manifest repeating an alias is not searched once per repetition.
    let mut spellings: Vec<(&str, &json::Member)> = Vec::new();
    for member in members {
        let canonical =
            canonical_of(&member.key).or_else(|| ALIASES.iter().map(|(_, c)| *c).find(|c| *c == member.key));
        if let Some(canonical) = canonical
            && !spellings.iter().any(|(_, first)| first.key == member.key)
        {
            spellings.push((canonical, member));
        }
    }
    for member in members {
        let Some(canonical) = canonical_of(&member.key) else {
            continue;
        };
        let spelled_both = spellings
            .iter()
            .find(|(c, other)| *c == canonical && other.key != member.key)
            .map(|(_, other)| *other);
        if let Some(other) = spelled_both {
            if other.key_span.start < member.key_span.start {
                checker.push(
                    Diagnostic::new(
                        Code::DuplicateKey,
                        member.key_span.clone(),
                        format!("`{}` and `{}` both set `{canonical}`; keep one", other.key, member.key),
                    )
                    .with_related(other.key_span.clone(), "also set here"),
                );
            }
            continue;
        }
        checker.push(
            Diagnostic::new(
                Code::DeprecatedKey,
                member.key_span.clone(),
                format!("`{}` is a legacy spelling of `{canonical}`", member.key),
            )
            .with_tag(Tag::Deprecated)
            .with_fix(Fix::replace(
                format!("Rename to `{canonical}`"),
                member.key_span.clone(),
                edits::quote(canonical),
            )),
        );
    }
}

fn manifest_version(checker: &mut Checker) {
    let Some(node) = checker.value("manifest_version") else {
        return;
    };
    let Some(number) = node.as_f64() else { return };
    let supported = SUPPORTED_FORMATS.iter().any(|v| f64::from(*v) == number);
    if !supported {
        checker.push(
            Diagnostic::new(
                Code::UnsupportedManifestVersion,
                node.span.clone(),
                format!(
                    "manifest_version {} is not supported; this runtime reads 1 (current) and 2",
                    &checker.text[node.span.clone()]
                ),
            )
            .with_fix(Fix::replace("Use manifest_version 1", node.span.clone(), "1")),
        );
    }
}

/// The id rule: 3–100 characters, lowercase ASCII letters and digits in segments separated by
/// single dots or dashes.
pub fn is_valid_id(id: &str) -> bool {
    (3..=100).contains(&id.len())
        && id
            .split(['.', '-'])
            .all(|segment| !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// The nearest valid id: lowercase, other characters turned into dashes.
fn normalise_id(id: &str) -> String {
    let mut out = String::new();
    for c in id.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if c == '.' && !out.ends_with(['.', '-']) && !out.is_empty() {
            out.push('.');
        } else if !out.ends_with(['.', '-']) && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches(['.', '-']).to_string()
}

fn id(checker: &mut Checker) {
    let Some(node) = checker.value("id") else { return };
    let Some(id) = node.as_str() else { return };
    if is_valid_id(id) {
        return;
    }
    let reason = if id.len() < 3 {
        "is shorter than 3 characters"
    } else if id.len() > 100 {
        "is longer than 100 characters"
    } else if id.chars().any(|c| c.is_ascii_uppercase()) {
        "must be lowercase"
    } else {
        "may contain only lowercase letters and digits, in segments separated by `.` or `-`"
    };
    let mut diagnostic = Diagnostic::new(Code::InvalidId, node.span.clone(), format!("plugin id `{id}` {reason}"))
        .with_help("an id looks like `com.example.my-plugin`");
    let fixed = normalise_id(id);
    if fixed != id && is_valid_id(&fixed) {
        diagnostic = diagnostic.with_fix(Fix::replace(
            format!("Use `{fixed}`"),
            node.span.clone(),
            edits::quote(&fixed),
        ));
    }
    checker.push(diagnostic);
}

fn name(checker: &mut Checker) {
    let Some(node) = checker.value("name") else { return };
    let Some(name) = node.as_str() else { return };
    let length = name.chars().count();
    let problem = if name.trim().is_empty() {
        Some("the plugin name is empty".to_string())
    } else if length < 3 {
        Some(format!("the plugin name `{name}` is shorter than 3 characters"))
    } else if length > 50 {
        Some(format!(
            "the plugin name is {length} characters long; the maximum is 50"
        ))
    } else {
        name.chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_')))
            .map(|c| format!("the plugin name may contain letters, digits, spaces, `-` and `_`, not `{c}`"))
    };
    if let Some(message) = problem {
        checker.push(Diagnostic::new(Code::InvalidName, node.span.clone(), message));
    }
}

fn version(checker: &mut Checker) {
    let Some(node) = checker.value("version") else { return };
    let Some(version) = node.as_str() else { return };
    if semver::Version::parse(version).is_ok() {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Code::InvalidVersion,
        node.span.clone(),
        format!("version `{version}` is not semantic versioning (MAJOR.MINOR.PATCH, e.g. `1.0.0`)"),
    );
    let candidate = version.trim().trim_start_matches(['v', 'V']);
    let parts = candidate.split('.').count();
    let padded = match parts {
        1 => format!("{candidate}.0.0"),
        2 => format!("{candidate}.0"),
        _ => candidate.to_string(),
    };
    if padded != version && semver::Version::parse(&padded).is_ok() {
        diagnostic = diagnostic.with_fix(Fix::replace(
            format!("Use `{padded}`"),
            node.span.clone(),
            edits::quote(&padded),
        ));
    }
    checker.push(diagnostic);
}

fn description(checker: &mut Checker) {
    let Some(node) = checker.value("description") else {
        return;
    };
    let Some(text) = node.as_str() else { return };
    let length = text.chars().count();
    let (severity, message) = match length {
        0..10 => (
            Severity::Error,
            format!("the description is {length} characters long; the minimum is 10"),
        ),
        501.. => (
            Severity::Error,
            format!("the description is {length} characters long; the maximum is 500"),
        ),
        201..=500 => (
            Severity::Warning,
            format!("the description is {length} characters long; the Qirvo marketplace rejects more than 200"),
        ),
        _ => return,
    };
    checker.push(Diagnostic::new(Code::InvalidDescription, node.span.clone(), message).with_severity(severity));
}

/// Checks a string against the schema's enum for a root field, with "did you mean".
fn enum_field(checker: &mut Checker, field: &str) {
    let Some(node) = checker.value(field) else { return };
    check_enum(checker, node, &[field], field);
}

/// Reports `node` if it is a string outside the enum at `path`.
pub(super) fn check_enum(checker: &mut Checker, node: &Node, path: &[&str], label: &str) {
    let Some(value) = node.as_str() else { return };
    let allowed = schema::enum_values(path);
    if allowed.is_empty() || allowed.contains(&value) {
        return;
    }
    let suggestion = checker.suggest(value, allowed.iter().copied());
    let mut diagnostic = Diagnostic::new(
        Code::InvalidEnumValue,
        node.span.clone(),
        match suggestion {
            Some(s) => format!("`{value}` is not a valid {label}; did you mean `{s}`?"),
            None => format!("`{value}` is not a valid {label}"),
        },
    )
    .with_help(format!("valid values: {}", allowed.join(", ")));
    if let Some(s) = suggestion {
        diagnostic = diagnostic.with_fix(Fix::replace(format!("Use `{s}`"), node.span.clone(), edits::quote(s)));
    }
    checker.push(diagnostic);
}

fn looks_like_email(email: &str) -> bool {
    let Some((user, domain)) = email.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
}

fn author(checker: &mut Checker) {
    let Some(node) = checker.value("author") else { return };
    if let Some(text) = node.as_str() {
        let (name, email) = match text.split_once('<') {
            Some((name, rest)) => (name.trim(), Some(rest)),
            None => (text.trim(), None),
        };
        let problem = if name.is_empty() {
            Some("the author has no name; write `Name <email>`".to_string())
        } else {
            match email {
                Some(rest) => match rest.strip_suffix('>') {
                    Some(email) if looks_like_email(email.trim()) => None,
                    Some(email) => Some(format!("`{}` is not an e-mail address", email.trim())),
                    None => Some("the author's e-mail is missing its closing `>`".to_string()),
                },
                None => None,
            }
        };
        if let Some(message) = problem {
            checker.push(Diagnostic::new(Code::InvalidAuthor, node.span.clone(), message));
        }
    } else if node.as_object().is_some() {
        if let Some(name) = node
            .get("name")
            .filter(|m| m.value.as_str().is_some_and(|s| s.trim().is_empty()))
        {
            checker.push(Diagnostic::new(
                Code::EmptyValue,
                name.value.span.clone(),
                "the author's name is empty",
            ));
        }
        if let Some(email) = node.get("email")
            && let Some(text) = email.value.as_str()
            && !text.is_empty()
            && !looks_like_email(text)
        {
            checker.push(Diagnostic::new(
                Code::InvalidAuthor,
                email.value.span.clone(),
                format!("`{text}` is not an e-mail address"),
            ));
        }
    }
}

fn main(checker: &mut Checker) {
    let Some(node) = checker.value("main") else { return };
    if node.as_str().is_some_and(|s| s.trim().is_empty()) {
        checker.push(Diagnostic::new(
            Code::EmptyValue,
            node.span.clone(),
            "`main` is empty; name the plugin's .wasm module, relative to the manifest",
        ));
    }
}

fn type_sections(checker: &mut Checker) {
    let Some(node) = checker.value("type") else { return };
    if node.as_str() == Some("dashboard-widget") && checker.field("dashboard_widget").is_none() {
        let block = "{ \"name\": \"\", \"component\": \"\" }";
        checker.push(
            Diagnostic::new(
                Code::MissingTypeSection,
                node.span.clone(),
                "a `dashboard-widget` plugin needs a `dashboard_widget` section",
            )
            .with_fix(Fix {
                title: "Add a `dashboard_widget` section".to_string(),
                edits: vec![edits::insert_member(
                    checker.text,
                    checker.root,
                    "dashboard_widget",
                    block,
                )],
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for good in ["com.example.hello", "abc", "my-plugin.v2", "qirvo.weather-widget"] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in ["ab", "Com.Example", "a..b", ".abc", "abc-", "a_b_c", "hé.llo"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
        assert_eq!(normalise_id("My Plugin_Name"), "my-plugin-name");
        assert_eq!(normalise_id("Com.Example.Hello"), "com.example.hello");
    }
}
