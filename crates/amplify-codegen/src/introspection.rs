//! An introspection result back into SDL, for [`ModelsModule::from_introspection`]
//! (crate::ModelsModule::from_introspection).

use std::fmt::Write as _;

use serde_json::Value;

use crate::CodegenError;
use crate::error::IntrospectionProblem;
use crate::schema::BUILT_IN_SCALARS;

/// The standard introspection query (what graphql-js's `getIntrospectionQuery()` produces with
/// its default options), for fetching a schema from AppSync or amplify-emulator.
pub const INTROSPECTION_QUERY: &str = "query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
}

fragment TypeRef on __Type {
  kind
  name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType {
    kind name ofType { kind name ofType { kind name } } } } } } }
}
";

fn problem(path: &str, message: &str) -> CodegenError {
    CodegenError::Introspection(IntrospectionProblem {
        path: path.to_owned(),
        message: message.to_owned(),
    })
}

fn string<'a>(value: &'a Value, key: &str, path: &str) -> Result<&'a str, CodegenError> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| problem(&format!("{path}.{key}"), "expected a string"))
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `ID!`, `[Todo]` from a `__Type` reference.
fn type_ref(value: &Value, path: &str) -> Result<String, CodegenError> {
    let kind = string(value, "kind", path)?;
    let inner = || {
        value
            .get("ofType")
            .filter(|v| v.is_object())
            .ok_or_else(|| problem(&format!("{path}.ofType"), "a wrapper type needs ofType"))
            .and_then(|inner| type_ref(inner, &format!("{path}.ofType")))
    };
    Ok(match kind {
        "NON_NULL" => format!("{}!", inner()?),
        "LIST" => format!("[{}]", inner()?),
        _ => string(value, "name", path)?.to_owned(),
    })
}

/// A description as a block string, indented.
fn description(out: &mut String, value: &Value, indent: &str) {
    if let Some(text) = value.get("description").and_then(Value::as_str)
        && !text.is_empty()
    {
        let text = text.replace("\"\"\"", "\\\"\"\"");
        let _ = writeln!(out, "{indent}\"\"\"{text}\"\"\"");
    }
}

fn deprecated(value: &Value) -> String {
    if value.get("isDeprecated").and_then(Value::as_bool) != Some(true) {
        return String::new();
    }
    match value.get("deprecationReason").and_then(Value::as_str) {
        Some(reason) => format!(" @deprecated(reason: {})", Value::from(reason)),
        None => " @deprecated".to_owned(),
    }
}

/// `name: Type = default` for an argument or input field.
fn input_value(value: &Value, path: &str) -> Result<String, CodegenError> {
    let name = string(value, "name", path)?;
    let ty = type_ref(
        value
            .get("type")
            .ok_or_else(|| problem(&format!("{path}.type"), "missing"))?,
        &format!("{path}.type"),
    )?;
    let default = value
        .get("defaultValue")
        .and_then(Value::as_str)
        .map(|d| format!(" = {d}"))
        .unwrap_or_default();
    Ok(format!("{name}: {ty}{default}{}", deprecated(value)))
}

/// The SDL of an introspection result.
pub(crate) fn to_sdl(json: &Value) -> Result<String, CodegenError> {
    let (schema, base) = if let Some(s) = json.pointer("/data/__schema") {
        (s, "data.__schema")
    } else if let Some(s) = json.get("__schema") {
        (s, "__schema")
    } else if json.get("types").is_some() {
        (json, "")
    } else {
        return Err(problem("data.__schema", "the result has no __schema"));
    };
    let at = |rest: &str| {
        if base.is_empty() {
            rest.to_owned()
        } else {
            format!("{base}.{rest}")
        }
    };
    let mut out = String::new();
    out.push_str("schema {\n");
    for (key, op) in [
        ("queryType", "query"),
        ("mutationType", "mutation"),
        ("subscriptionType", "subscription"),
    ] {
        match schema.get(key) {
            Some(root) if root.is_object() => {
                let name = string(root, "name", &at(key))?;
                let _ = writeln!(out, "  {op}: {name}");
            }
            _ if op == "query" => return Err(problem(&at(key), "the schema has no query type")),
            _ => {}
        }
    }
    out.push_str("}\n");
    for (i, ty) in list(schema, "types").iter().enumerate() {
        let path = at(&format!("types[{i}]"));
        let name = string(ty, "name", &path)?;
        let kind = string(ty, "kind", &path)?;
        if name.starts_with("__") || (kind == "SCALAR" && BUILT_IN_SCALARS.contains(&name)) {
            continue;
        }
        out.push('\n');
        description(&mut out, ty, "");
        match kind {
            "SCALAR" => {
                let _ = writeln!(out, "scalar {name}");
            }
            "UNION" => {
                let members = list(ty, "possibleTypes")
                    .iter()
                    .enumerate()
                    .map(|(j, t)| type_ref(t, &format!("{path}.possibleTypes[{j}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                let _ = writeln!(out, "union {name} = {}", members.join(" | "));
            }
            "ENUM" => {
                let _ = writeln!(out, "enum {name} {{");
                for (j, value) in list(ty, "enumValues").iter().enumerate() {
                    let value_name = string(value, "name", &format!("{path}.enumValues[{j}]"))?;
                    description(&mut out, value, "  ");
                    let _ = writeln!(out, "  {value_name}{}", deprecated(value));
                }
                out.push_str("}\n");
            }
            "INPUT_OBJECT" => {
                let _ = writeln!(out, "input {name} {{");
                for (j, field) in list(ty, "inputFields").iter().enumerate() {
                    description(&mut out, field, "  ");
                    let line = input_value(field, &format!("{path}.inputFields[{j}]"))?;
                    let _ = writeln!(out, "  {line}");
                }
                out.push_str("}\n");
            }
            "OBJECT" | "INTERFACE" => {
                let keyword = if kind == "OBJECT" {
                    "type"
                } else {
                    "interface"
                };
                let interfaces = list(ty, "interfaces")
                    .iter()
                    .enumerate()
                    .map(|(j, t)| type_ref(t, &format!("{path}.interfaces[{j}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                let implements = if interfaces.is_empty() {
                    String::new()
                } else {
                    format!(" implements {}", interfaces.join(" & "))
                };
                let _ = writeln!(out, "{keyword} {name}{implements} {{");
                for (j, field) in list(ty, "fields").iter().enumerate() {
                    let field_path = format!("{path}.fields[{j}]");
                    let field_name = string(field, "name", &field_path)?;
                    let args = list(field, "args")
                        .iter()
                        .enumerate()
                        .map(|(k, a)| input_value(a, &format!("{field_path}.args[{k}]")))
                        .collect::<Result<Vec<_>, _>>()?;
                    let args = if args.is_empty() {
                        String::new()
                    } else {
                        format!("({})", args.join(", "))
                    };
                    let field_ty = type_ref(
                        field
                            .get("type")
                            .ok_or_else(|| problem(&format!("{field_path}.type"), "missing"))?,
                        &format!("{field_path}.type"),
                    )?;
                    description(&mut out, field, "  ");
                    let _ = writeln!(out, "  {field_name}{args}: {field_ty}{}", deprecated(field));
                }
                out.push_str("}\n");
            }
            other => {
                return Err(problem(
                    &format!("{path}.kind"),
                    &format!("unknown kind {other}"),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn named(kind: &str, name: &str) -> Value {
        json!({ "kind": kind, "name": name, "ofType": null })
    }

    #[test]
    fn types_wrappers_inputs_enums_and_descriptions_become_sdl() {
        let id = json!({ "kind": "NON_NULL", "name": null, "ofType": named("SCALAR", "ID") });
        let list = json!({ "kind": "LIST", "name": null, "ofType": named("OBJECT", "Todo") });
        let result = json!({ "data": { "__schema": {
            "queryType": { "name": "Query" }, "mutationType": null, "subscriptionType": null,
            "types": [
                { "kind": "OBJECT", "name": "Query", "interfaces": [], "fields": [
                    { "name": "todos", "args": [
                        { "name": "status", "type": named("ENUM", "Status"), "defaultValue": "OPEN" },
                        { "name": "id", "type": id, "defaultValue": null }
                    ], "type": list, "isDeprecated": false, "deprecationReason": null }
                ] },
                { "kind": "OBJECT", "name": "Todo", "description": "A \"\"\" thing.", "fields": [
                    { "name": "id", "args": [], "type": id, "description": "The key." },
                    { "name": "old", "args": [], "type": named("SCALAR", "Blob"),
                      "isDeprecated": true, "deprecationReason": "Gone." }
                ] },
                { "kind": "ENUM", "name": "Status", "enumValues": [{ "name": "OPEN" }, { "name": "DONE" }] },
                { "kind": "INPUT_OBJECT", "name": "Page", "inputFields": [
                    { "name": "limit", "type": named("SCALAR", "Int"), "defaultValue": "10" }
                ] },
                { "kind": "SCALAR", "name": "Blob" },
                { "kind": "SCALAR", "name": "AWSDateTime" },
                { "kind": "OBJECT", "name": "__Schema", "fields": [] }
            ]
        } } });
        let sdl = to_sdl(&result).unwrap_or_default();
        assert_eq!(
            sdl,
            "schema {\n  query: Query\n}\n\ntype Query {\n  todos(status: Status = OPEN, id: ID!): [Todo]\n}\n\n\"\"\"A \\\"\"\" thing.\"\"\"\ntype Todo {\n  \"\"\"The key.\"\"\"\n  id: ID!\n  old: Blob @deprecated(reason: \"Gone.\")\n}\n\nenum Status {\n  OPEN\n  DONE\n}\n\ninput Page {\n  limit: Int = 10\n}\n\nscalar Blob\n"
        );
        assert!(graphql_parser::parse_schema::<String>(&sdl).is_ok());
    }

    #[test]
    fn a_broken_result_names_the_json_path() {
        let err = to_sdl(&json!({ "data": null })).err();
        assert_eq!(
            err.as_ref().and_then(CodegenError::json_path),
            Some("data.__schema")
        );
        let result = json!({ "__schema": { "queryType": { "name": "Query" },
            "types": [{ "kind": "OBJECT", "name": "Query", "fields": [{ "name": "a", "args": [] }] }] } });
        let err = to_sdl(&result).err();
        assert_eq!(
            err.as_ref().and_then(CodegenError::json_path),
            Some("__schema.types[0].fields[0].type")
        );
    }
}
