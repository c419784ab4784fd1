//! The GraphQL request: its JSON body, and the coercion of its variables.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A GraphQL request body.
#[derive(Debug, Clone)]
pub(crate) struct GraphQlRequest {
    pub(crate) query: String,
    pub(crate) operation_name: Option<String>,
    pub(crate) variables: Map<String, Value>,
}

/// A complete answer: status and JSON body.
pub(crate) type Answer = (StatusCode, Value);

pub(super) fn request_error(error_type: &str, message: &str) -> Answer {
    (
        StatusCode::BAD_REQUEST,
        json!({ "errors": [{ "errorType": error_type, "message": message }] }),
    )
}

/// Reads `{"query", "variables"?, "operationName"?}`.
pub(crate) fn parse_request(body: &[u8]) -> Result<GraphQlRequest, Answer> {
    let malformed = |message: &str| request_error("MalformedHttpRequestException", message);
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| malformed("Unable to parse the request body as JSON."))?;
    let Value::Object(mut map) = value else {
        return Err(malformed("The request body must be a JSON object."));
    };
    let Some(Value::String(query)) = map.remove("query") else {
        return Err(malformed("The request has no 'query' string."));
    };
    let operation_name = match map.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err(malformed("'operationName' must be a string.")),
    };
    let variables = match map.remove("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(vars)) => vars,
        // Some clients send the variables as a JSON string.
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(vars)) => vars,
            _ => return Err(malformed("'variables' must be a JSON object.")),
        },
        Some(_) => return Err(malformed("'variables' must be a JSON object.")),
    };
    Ok(GraphQlRequest {
        query,
        operation_name,
        variables,
    })
}

/// What execution needs besides the document.
pub(super) fn coerce_variables(
    schema: &Schema,
    defs: &[VariableDefinition<'_, String>],
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<Value>> {
    let mut out = Map::new();
    let mut errors = Vec::new();
    for def in defs {
        let ty = TypeRef::from_ast(&def.var_type);
        let value = match given.get(def.name.as_str()) {
            None => match &def.default_value {
                Some(default) => {
                    let mut vars = Variables::Values(&out);
                    match coerce::coerce_literal(schema, default, &ty, &mut vars) {
                        Ok(v) => Some(v),
                        Err(problem) => {
                            errors.push(variable_error(&def.name, &problem, def.position));
                            continue;
                        }
                    }
                }
                None if ty.is_non_null() => {
                    errors.push(variable_error(
                        &def.name,
                        &InputProblem::NullForNonNull(ty.to_string()),
                        def.position,
                    ));
                    continue;
                }
                None => None,
            },
            Some(value) => match coerce::coerce_json(schema, Some(value), &ty) {
                Ok(v) => Some(v),
                Err(problem) => {
                    errors.push(variable_error(&def.name, &problem, def.position));
                    continue;
                }
            },
        };
        if let Some(value) = value {
            out.insert(def.name.clone(), value);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub(super) fn variable_error(name: &str, problem: &InputProblem, pos: Pos) -> Value {
    let message = match problem {
        InputProblem::NullForNonNull(ty) => {
            format!("Variable '{name}' has coerced Null value for NonNull type '{ty}'")
        }
        InputProblem::Invalid(detail) => {
            format!("Variable '{name}' has an invalid value: {detail}")
        }
    };
    json!({
        "path": null,
        "locations": [location(pos)],
        "message": message,
        "errorType": "ValidationError",
    })
}

/// A short rendering of a literal for messages.
pub(super) fn render_literal(value: &Literal<'_, String>) -> String {
    match value {
        Literal::Variable(v) => format!("VariableReference{{name='{v}'}}"),
        Literal::Int(n) => format!("IntValue{{value={}}}", n.as_i64().unwrap_or_default()),
        Literal::Float(f) => format!("FloatValue{{value={f}}}"),
        Literal::String(s) => format!("StringValue{{value='{s}'}}"),
        Literal::Boolean(b) => format!("BooleanValue{{value={b}}}"),
        Literal::Null => "NullValue{}".to_owned(),
        Literal::Enum(e) => format!("EnumValue{{name='{e}'}}"),
        Literal::List(items) => format!(
            "ArrayValue{{values=[{}]}}",
            items
                .iter()
                .map(render_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Literal::Object(fields) => format!(
            "ObjectValue{{objectFields=[{}]}}",
            fields
                .iter()
                .map(|(k, v)| format!("ObjectField{{name='{k}', value={}}}", render_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
