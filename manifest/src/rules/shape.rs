//! Structure checks driven by the generated schema: duplicate keys, unknown keys (with "did
//! you mean"), missing required fields and wrong JSON types, everywhere the schema fixes the
//! shape. Value rules elsewhere then look only at values of the right type.

use std::collections::HashMap;
use std::rc::Rc;

use super::{Checker, edits, identity};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Fix, Severity, TextEdit};
use crate::json::{Kind, Member, Node, Span};
use crate::manifest::schema;

/// Fields the Qirvo marketplace requires that the wasm runtime can do without: missing ones
/// are warnings, not errors.
pub(super) const MARKETPLACE_REQUIRED: &[&str] = &["description", "type", "author", "category"];

pub(super) fn check(checker: &mut Checker) {
    duplicates(checker, checker.root);
    let anchor = checker.root_anchor();
    walk(
        checker,
        &mut SchemaCache::default(),
        checker.root,
        &mut Vec::new(),
        anchor,
    );
    for key in MARKETPLACE_REQUIRED {
        if checker.valid_json && checker.field(key).is_none() {
            checker.push(
                Diagnostic::new(
                    Code::MissingField,
                    checker.root_anchor(),
                    format!("missing field `{key}`: the Qirvo marketplace requires it"),
                )
                .with_severity(Severity::Warning),
            );
        }
    }
}

fn duplicates(checker: &mut Checker, node: &Node) {
    if let Some(members) = node.as_object() {
        let mut first_of: HashMap<&str, &Member> = HashMap::with_capacity(members.len());
        for (index, member) in members.iter().enumerate() {
            if let Some(first) = first_of.get(member.key.as_str()).copied().or_else(|| {
                first_of.insert(&member.key, member);
                None
            }) {
                let mut diagnostic = Diagnostic::new(
                    Code::DuplicateKey,
                    member.key_span.clone(),
                    format!("duplicate key `{}`; only the last value would count", member.key),
                )
                .with_related(first.key_span.clone(), "first defined here");
                if let Some(edit) = edits::remove_member(node, index) {
                    diagnostic = diagnostic.with_fix(Fix {
                        title: format!("Remove this `{}`", member.key),
                        edits: vec![edit],
                    });
                }
                checker.push(diagnostic);
            }
            duplicates(checker, &member.value);
        }
    } else if let Some(items) = node.as_array() {
        for item in items {
            duplicates(checker, item);
        }
    }
}

/// What the schema says about one path.
struct SchemaFacts {
    kinds: Vec<Kind>,
    properties: Option<Vec<&'static str>>,
    required: Vec<&'static str>,
}

/// Schema look-ups by path: every element of a long array has the same path, and a look-up
/// walks the schema.
#[derive(Default)]
struct SchemaCache(HashMap<Vec<&'static str>, Rc<SchemaFacts>>);

impl SchemaCache {
    fn facts(&mut self, path: &[&'static str]) -> Rc<SchemaFacts> {
        if let Some(facts) = self.0.get(path) {
            return facts.clone();
        }
        let facts = Rc::new(SchemaFacts {
            kinds: schema::accepted_kinds(path),
            properties: schema::property_names(path),
            required: schema::required_properties(path),
        });
        self.0.insert(path.to_vec(), facts.clone());
        facts
    }
}

/// Checks `node` against the schema at `path`. `anchor` is where "missing field" goes: the
/// key of the object, or its opening brace when it has no key.
fn walk(checker: &mut Checker, cache: &mut SchemaCache, node: &Node, path: &mut Vec<&'static str>, anchor: Span) {
    let facts = cache.facts(path);
    let segments = path.clone();
    let kinds = &facts.kinds;
    if !kinds.is_empty() && !kinds.contains(&node.kind()) {
        wrong_type(checker, node, &segments, kinds);
        return;
    }
    if let Some(members) = node.as_object() {
        let Some(known) = &facts.properties else {
            return;
        };
        let at_root = path.is_empty();
        for member in members {
            let alias = if at_root {
                identity::canonical_of(&member.key)
            } else {
                None
            };
            let name = known.iter().copied().find(|k| *k == member.key).or(alias);
            if let Some(canonical) = name {
                path.push(canonical);
                walk(checker, cache, &member.value, path, member.key_span.clone());
                path.pop();
            } else {
                unknown_key(checker, member.key.as_str(), &member.key_span, known, &segments);
            }
        }
        let required: &[&str] = if checker.valid_json { &facts.required } else { &[] };
        for &required in required {
            let present = members.iter().any(|member| {
                member.key == required || (at_root && identity::aliases_of(required).contains(&member.key.as_str()))
            });
            if !present {
                let mut diagnostic = Diagnostic::new(
                    Code::MissingField,
                    anchor.clone(),
                    match segments.is_empty() {
                        true => format!("missing required field `{required}`"),
                        false => format!("`{}` is missing required field `{required}`", display_path(&segments)),
                    },
                );
                if let Some(placeholder) = placeholder(&segments, required) {
                    diagnostic = diagnostic.with_fix(Fix {
                        title: format!("Add `{required}`"),
                        edits: vec![edits::insert_member(checker.text, node, required, &placeholder)],
                    });
                }
                checker.push(diagnostic);
            }
        }
    } else if let Some(items) = node.as_array() {
        path.push("[]");
        for item in items {
            let anchor = item.span.start..item.span.start + 1;
            walk(checker, cache, item, path, anchor);
        }
        path.pop();
    }
}

/// `resources.memory`, `permissions[]`.
fn display_path(segments: &[&str]) -> String {
    let mut out = String::new();
    for segment in segments {
        if *segment == "[]" {
            out.push_str("[]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

fn placeholder(segments: &[&str], field: &str) -> Option<String> {
    let value = match (segments, field) {
        ([], "manifest_version") => "1",
        ([], "main") => "\"plugin.wasm\"",
        ([], "version") => "\"0.1.0\"",
        ([], "id" | "name") => "\"\"",
        (["permissions", "[]"], "type") => "\"\"",
        (_, "path" | "name") => "\"\"",
        _ => return None,
    };
    Some(value.to_string())
}

fn unknown_key(checker: &mut Checker, key: &str, span: &Span, known: &[&str], segments: &[&str]) {
    let known_names = || {
        known.iter().copied().chain(if segments.is_empty() {
            identity::ALIASES.iter().map(|(alias, _)| *alias).collect()
        } else {
            Vec::new()
        })
    };
    let suggestion = checker
        .suggest(key, known_names())
        .map(|name| identity::canonical_of(name).unwrap_or(name));
    let place = if segments.is_empty() {
        "the manifest".to_string()
    } else {
        format!("`{}`", display_path(segments))
    };
    let mut diagnostic = Diagnostic::new(
        Code::UnknownKey,
        span.clone(),
        match suggestion {
            Some(name) => format!("unknown key `{key}` in {place}; did you mean `{name}`?"),
            None => format!("unknown key `{key}` in {place}"),
        },
    );
    if let Some(name) = suggestion {
        diagnostic = diagnostic.with_fix(Fix::replace(
            format!("Rename to `{name}`"),
            span.clone(),
            edits::quote(name),
        ));
    } else {
        diagnostic = diagnostic.with_help(format!("known keys: {}", known.join(", ")));
    }
    checker.push(diagnostic);
}

fn wrong_type(checker: &mut Checker, node: &Node, segments: &[&str], kinds: &[Kind]) {
    let expected = kinds
        .iter()
        .map(|kind| kind.with_article())
        .collect::<Vec<_>>()
        .join(" or ");
    let mut diagnostic = Diagnostic::new(
        Code::WrongType,
        node.span.clone(),
        format!(
            "`{}` must be {expected}, found {}",
            display_path(segments),
            node.kind().with_article()
        ),
    );
    let text = &checker.text[node.span.clone()];
    if kinds.contains(&Kind::Number)
        && let Some(number) = node.as_str().and_then(|s| {
            let trimmed = s.trim().trim_end_matches('%').trim();
            trimmed.parse::<f64>().ok().map(|_| trimmed.to_string())
        })
    {
        diagnostic = diagnostic.with_fix(Fix::replace(
            format!("Use the number {number}"),
            node.span.clone(),
            number,
        ));
    } else if kinds.contains(&Kind::Array) && matches!(node.kind(), Kind::String | Kind::Object) {
        diagnostic = diagnostic.with_fix(Fix {
            title: "Wrap in an array".to_string(),
            edits: vec![TextEdit {
                span: node.span.clone(),
                new_text: format!("[{text}]"),
            }],
        });
    }
    checker.push(diagnostic);
}
