//! The manifest's JSON Schema, generated from [`Manifest`](super::Manifest) and its doc
//! comments, and look-ups into it: field docs for hover, the keys an object may have and the
//! JSON types a field takes, so that the rules and the editors never disagree with the schema.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::json::Kind;

/// The `$id` of the schema, versioned with the manifest format.
pub const SCHEMA_ID: &str = "https://qirvo.dev/schemas/manifest-v1.json";

static SCHEMA: LazyLock<Value> = LazyLock::new(|| {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<super::Manifest>();
    let mut value = schema.to_value();
    // An absent optional field is written by leaving it out; `null` is not a value any
    // manifest field takes, so the schema should not offer it.
    remove_null(&mut value);
    if let Some(object) = value.as_object_mut() {
        object.insert("$id".to_string(), Value::String(SCHEMA_ID.to_string()));
        object.insert(
            "description".to_string(),
            Value::String(
                "The manifest of a Qirvo WebAssembly plugin: identity, module, permissions and resource limits."
                    .to_string(),
            ),
        );
    }
    value
});

fn remove_null(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".to_string(), only);
                }
            }
            if let Some(Value::Array(branches)) = object.get_mut("anyOf") {
                branches.retain(|branch| branch.get("type").and_then(Value::as_str) != Some("null"));
                if branches.len() == 1 {
                    let Some(Value::Object(only)) = branches.pop() else {
                        return;
                    };
                    object.remove("anyOf");
                    for (key, child) in only {
                        object.entry(key).or_insert(child);
                    }
                }
            }
            object.values_mut().for_each(remove_null);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_null),
        _ => {}
    }
}

/// The whole schema as JSON.
pub fn manifest_schema() -> &'static Value {
    &SCHEMA
}

/// Resolves `$ref` (to `#/$defs/...`) and single-branch wrappers, returning the schema object
/// that describes the value itself.
fn resolve(schema: &Value) -> Option<&Map<String, Value>> {
    let object = schema.as_object()?;
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/")?;
        return resolve(SCHEMA.get("$defs")?.get(name)?);
    }
    Some(object)
}

/// The alternatives of a schema: itself, or each `anyOf`/`oneOf` branch, flattened.
fn branches(schema: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    for key in ["anyOf", "oneOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            return list.iter().filter_map(resolve).flat_map(branches).collect();
        }
    }
    vec![schema]
}

/// Walks from the root through object properties and array items. Path segments are property
/// names; `[]` steps into array items.
fn at_path(path: &[&str]) -> Option<(&'static Map<String, Value>, Option<&'static Value>)> {
    let mut current = resolve(&SCHEMA)?;
    let mut field = None;
    for segment in path {
        let next = branches(current).into_iter().find_map(|branch| {
            if *segment == "[]" {
                branch.get("items")
            } else {
                branch.get("properties")?.get(*segment)
            }
        })?;
        field = Some(next);
        current = resolve(next)?;
    }
    Some((current, field))
}

/// The documentation of the field at `path` (e.g. `["resources", "memory"]`).
pub fn field_doc(path: &[&str]) -> Option<&'static str> {
    let (resolved, field) = at_path(path)?;
    field
        .and_then(|f| f.get("description"))
        .or_else(|| resolved.get("description"))
        .and_then(Value::as_str)
}

/// The schema branch at `path` that describes an object with fixed properties, if any.
fn object_branch(path: &[&str]) -> Option<&'static Map<String, Value>> {
    let (resolved, _) = at_path(path)?;
    branches(resolved)
        .into_iter()
        .find(|branch| branch.get("properties").is_some_and(Value::is_object))
}

/// The property names an object at `path` declares, if the schema fixes them.
pub fn property_names(path: &[&str]) -> Option<Vec<&'static str>> {
    let properties = object_branch(path)?.get("properties")?.as_object()?;
    Some(properties.keys().map(String::as_str).collect())
}

/// The properties an object at `path` requires.
pub fn required_properties(path: &[&str]) -> Vec<&'static str> {
    object_branch(path)
        .and_then(|branch| branch.get("required")?.as_array())
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The JSON kinds the field at `path` accepts; empty when any value is accepted.
pub fn accepted_kinds(path: &[&str]) -> Vec<Kind> {
    let Some((resolved, _)) = at_path(path) else {
        return Vec::new();
    };
    let mut kinds = Vec::new();
    for branch in branches(resolved) {
        let names: Vec<&str> = match branch.get("type") {
            Some(Value::String(name)) => vec![name.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => return Vec::new(),
        };
        for name in names {
            let kind = match name {
                "null" => Kind::Null,
                "boolean" => Kind::Boolean,
                "integer" | "number" => Kind::Number,
                "string" => Kind::String,
                "array" => Kind::Array,
                "object" => Kind::Object,
                _ => continue,
            };
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds
}

/// The allowed values of a string enum at `path`, if it is one.
pub fn enum_values(path: &[&str]) -> Vec<&'static str> {
    let Some((resolved, _)) = at_path(path) else {
        return Vec::new();
    };
    branches(resolved)
        .into_iter()
        .flat_map(|branch| {
            let single = branch.get("const").into_iter();
            let many = branch.get("enum").and_then(Value::as_array).into_iter().flatten();
            single.chain(many).filter_map(Value::as_str).collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property of every object in the schema has a description (hover shows it).
    #[test]
    fn every_field_has_a_description() {
        fn walk(value: &Value, path: &str, missing: &mut Vec<String>) {
            match value {
                Value::Object(object) => {
                    if let Some(Value::Object(properties)) = object.get("properties") {
                        for (name, property) in properties {
                            let described = property.get("description").is_some()
                                || resolve(property).is_some_and(|r| r.get("description").is_some());
                            if !described {
                                missing.push(format!("{path}.{name}"));
                            }
                        }
                    }
                    for (key, child) in object {
                        walk(child, &format!("{path}/{key}"), missing);
                    }
                }
                Value::Array(items) => items.iter().for_each(|item| walk(item, path, missing)),
                _ => {}
            }
        }
        let mut missing = Vec::new();
        walk(manifest_schema(), "", &mut missing);
        assert!(missing.is_empty(), "fields without description: {missing:?}");
    }

    #[test]
    fn look_ups() {
        assert!(field_doc(&["resources", "memory"]).unwrap().contains("128MB"));
        assert!(field_doc(&["permissions"]).unwrap().contains("host functions"));
        let root = property_names(&[]).unwrap();
        assert!(root.contains(&"manifest_version") && root.contains(&"peerDependencies"));
        assert_eq!(
            required_properties(&[]),
            ["manifest_version", "id", "name", "version", "main"]
        );
        assert_eq!(accepted_kinds(&["author"]), [Kind::String, Kind::Object]);
        assert_eq!(accepted_kinds(&["resources", "timeout"]), [Kind::Number, Kind::String]);
        assert_eq!(accepted_kinds(&["hooks"]), []);
        assert!(enum_values(&["type"]).contains(&"dashboard-widget"));
        assert!(enum_values(&["permissions", "[]"]).contains(&"storage-read"));
        assert_eq!(
            property_names(&["filesystem", "directories", "[]"]).unwrap(),
            ["path", "guest", "mode"]
        );
    }
}
