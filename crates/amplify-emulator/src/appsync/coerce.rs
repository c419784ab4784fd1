//! Input coercion (variables and literals to JSON of the schema's types) and output
//! serialization of scalars, with AppSync's scalar rules.

use graphql_parser::query::Value as Literal;
use serde_json::{Map, Value};

use super::schema::{Schema, TypeDef, TypeRef};

/// Why an input value does not fit its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InputProblem {
    /// `null` (or nothing) for a `!` type.
    NullForNonNull(String),
    /// Anything else; the text says what.
    Invalid(String),
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Int",
        Value::Number(_) => "Float",
        Value::String(_) => "String",
        Value::Array(_) => "List",
        Value::Object(_) => "Object",
    }
}

fn expected(ty: &str, value: &Value) -> InputProblem {
    InputProblem::Invalid(format!(
        "Expected type '{ty}' but was '{}'.",
        kind_of(value)
    ))
}

/// Coerces a JSON input (a variable value) to `ty`. `None` means the value was not given.
pub(crate) fn coerce_json(
    schema: &Schema,
    value: Option<&Value>,
    ty: &TypeRef,
) -> Result<Value, InputProblem> {
    match ty {
        TypeRef::NonNull(inner) => match value {
            None | Some(Value::Null) => Err(InputProblem::NullForNonNull(ty.to_string())),
            Some(v) => coerce_json(schema, Some(v), inner),
        },
        _ if matches!(value, None | Some(Value::Null)) => Ok(Value::Null),
        TypeRef::List(inner) => match value {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| coerce_json(schema, Some(item), inner))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            other => Ok(Value::Array(vec![coerce_json(schema, other, inner)?])),
        },
        TypeRef::Named(name) => {
            let value = value.unwrap_or(&Value::Null);
            match schema.types.get(name) {
                Some(TypeDef::Scalar) => coerce_scalar(name, value),
                Some(TypeDef::Enum(values)) => match value {
                    Value::String(s) if values.contains(s) => Ok(value.clone()),
                    _ => Err(InputProblem::Invalid(format!(
                        "Invalid input for Enum '{name}'. No value found for name '{}'",
                        value.as_str().unwrap_or_default()
                    ))),
                },
                Some(TypeDef::Input(def)) => {
                    let Value::Object(fields) = value else {
                        return Err(expected(name, value));
                    };
                    for key in fields.keys() {
                        if !def.fields.iter().any(|f| &f.name == key) {
                            return Err(InputProblem::Invalid(format!(
                                "The variables input contains a field name '{key}' that is not defined for input object type '{name}' "
                            )));
                        }
                    }
                    let mut out = Map::new();
                    for field in &def.fields {
                        match fields.get(&field.name) {
                            Some(v) => {
                                out.insert(
                                    field.name.clone(),
                                    coerce_json(schema, Some(v), &field.ty)?,
                                );
                            }
                            None => {
                                if let Some(default) = &field.default {
                                    out.insert(field.name.clone(), default.clone());
                                } else if field.ty.is_non_null() {
                                    return Err(InputProblem::NullForNonNull(field.ty.to_string()));
                                }
                            }
                        }
                    }
                    Ok(Value::Object(out))
                }
                Some(TypeDef::Object(_)) | None => Err(InputProblem::Invalid(format!(
                    "{name} is not an input type"
                ))),
            }
        }
    }
}

/// Checks a scalar input.
pub(crate) fn coerce_scalar(name: &str, value: &Value) -> Result<Value, InputProblem> {
    let ok = match name {
        "Int" | "AWSTimestamp" => value.as_i64().is_some(),
        "Float" => value.is_number(),
        "Boolean" => value.is_boolean(),
        "ID" => {
            if let Some(n) = value.as_i64() {
                return Ok(Value::String(n.to_string()));
            }
            value.is_string()
        }
        "AWSJSON" => match value {
            Value::String(s) => {
                if serde_json::from_str::<Value>(s).is_err() {
                    return Err(InputProblem::Invalid(format!(
                        "Variable value is not a valid JSON string: {}",
                        shorten(s)
                    )));
                }
                true
            }
            _ => false,
        },
        "AWSDate" | "AWSTime" | "AWSDateTime" | "AWSEmail" | "AWSPhone" | "AWSURL"
        | "AWSIPAddress" => match value {
            Value::String(s) => {
                if !scalar_format_ok(name, s) {
                    return Err(InputProblem::Invalid(format!(
                        "Unable to parse '{}' as a valid {name}.",
                        shorten(s)
                    )));
                }
                true
            }
            _ => false,
        },
        // String and custom scalars.
        "String" => value.is_string(),
        _ => true,
    };
    if ok {
        Ok(value.clone())
    } else {
        Err(expected(name, value))
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(64).collect()
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn date_ok(s: &str) -> bool {
    let mut parts = s.split('-');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d), None) => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
                && (1..=31).contains(&d.parse::<u32>().unwrap_or(0))
        }
        _ => false,
    }
}

fn time_ok(s: &str) -> bool {
    // HH:MM[:SS[.sss]] followed by an optional Z or ±hh:mm[:ss].
    let (clock, _zone) = match s.find(['Z', '+', '-']) {
        Some(i) => (
            s.get(..i).unwrap_or_default(),
            s.get(i..).unwrap_or_default(),
        ),
        None => (s, ""),
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
    let fields: Vec<&str> = hms.split(':').collect();
    let hms_ok = matches!(fields.as_slice(), [h, m] | [h, m, _] if digits(h, 2) && digits(m, 2))
        && fields.iter().all(|f| digits(f, 2));
    hms_ok && !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())
}

fn scalar_format_ok(name: &str, s: &str) -> bool {
    match name {
        "AWSDate" => {
            let date = s.strip_suffix('Z').unwrap_or(s);
            date_ok(date.get(..10).unwrap_or(date))
                && (date.len() == 10 || time_zone_ok(date.get(10..).unwrap_or_default()))
        }
        "AWSTime" => time_ok(s),
        "AWSDateTime" => match s.split_once('T') {
            Some((date, time)) => {
                date_ok(date)
                    && time_ok(time)
                    && (time.ends_with('Z') || time.contains('+') || time.contains('-'))
            }
            None => false,
        },
        "AWSEmail" => s
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.')),
        "AWSPhone" => {
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            digits >= 3
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || b" +-().".contains(&b))
        }
        "AWSURL" => s
            .split_once("://")
            .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty()),
        "AWSIPAddress" => {
            let ip = s.split_once('/').map_or(s, |(ip, _)| ip);
            ip.parse::<std::net::IpAddr>().is_ok()
        }
        _ => true,
    }
}

fn time_zone_ok(zone: &str) -> bool {
    zone.is_empty()
        || zone == "Z"
        || ((zone.starts_with('+') || zone.starts_with('-'))
            && zone
                .get(1..)
                .is_some_and(|rest| rest.split(':').all(|p| digits(p, 2))))
}

/// What a literal contains where a variable stands.
pub(crate) enum Variables<'a> {
    /// Validation: no values yet; report each use with the type expected there.
    Check(&'a mut dyn FnMut(&str, &TypeRef)),
    /// Execution: the coerced variable values.
    Values(&'a Map<String, Value>),
}

/// Coerces a literal (which may contain variables) to `ty`.
pub(crate) fn coerce_literal(
    schema: &Schema,
    literal: &Literal<'_, String>,
    ty: &TypeRef,
    vars: &mut Variables<'_>,
) -> Result<Value, InputProblem> {
    if let Literal::Variable(name) = literal {
        return match vars {
            Variables::Check(report) => {
                report(name, ty);
                Ok(Value::Null)
            }
            Variables::Values(values) => {
                let value = values.get(name).cloned().unwrap_or(Value::Null);
                if value.is_null() && ty.is_non_null() {
                    Err(InputProblem::NullForNonNull(ty.to_string()))
                } else {
                    Ok(value)
                }
            }
        };
    }
    match ty {
        TypeRef::NonNull(inner) => {
            if matches!(literal, Literal::Null) {
                Err(InputProblem::NullForNonNull(ty.to_string()))
            } else {
                coerce_literal(schema, literal, inner, vars)
            }
        }
        _ if matches!(literal, Literal::Null) => Ok(Value::Null),
        TypeRef::List(inner) => match literal {
            Literal::List(items) => items
                .iter()
                .map(|item| coerce_literal(schema, item, inner, vars))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            other => Ok(Value::Array(vec![coerce_literal(
                schema, other, inner, vars,
            )?])),
        },
        TypeRef::Named(name) => match schema.types.get(name) {
            Some(TypeDef::Scalar) => {
                let value = match (name.as_str(), literal) {
                    (_, Literal::Int(n)) => Value::from(n.as_i64().unwrap_or_default()),
                    (_, Literal::Float(f)) => {
                        serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
                    }
                    (_, Literal::String(s)) => Value::String(s.clone()),
                    (_, Literal::Boolean(b)) => Value::Bool(*b),
                    _ => return Err(wrong_literal(name)),
                };
                // A Float accepts an integer literal; nothing else converts.
                if name == "Float" && matches!(literal, Literal::Int(_)) {
                    return Ok(value);
                }
                coerce_scalar(name, &value).map_err(|_| wrong_literal(name))
            }
            Some(TypeDef::Enum(values)) => match literal {
                Literal::Enum(e) if values.contains(e) => Ok(Value::String(e.clone())),
                _ => Err(wrong_literal(name)),
            },
            Some(TypeDef::Input(def)) => {
                let Literal::Object(fields) = literal else {
                    return Err(wrong_literal(name));
                };
                for key in fields.keys() {
                    if !def.fields.iter().any(|f| &f.name == key) {
                        return Err(InputProblem::Invalid(format!(
                            "contains a field not in '{name}': '{key}'"
                        )));
                    }
                }
                let mut out = Map::new();
                for field in &def.fields {
                    match fields.get(&field.name) {
                        Some(v) => {
                            let value = coerce_literal(schema, v, &field.ty, vars)?;
                            // A variable that was not given counts as absent.
                            let absent_variable = matches!(v, Literal::Variable(n)
                                if matches!(vars, Variables::Values(values) if !values.contains_key(n)));
                            if !absent_variable {
                                out.insert(field.name.clone(), value);
                            }
                        }
                        None => {
                            if let Some(default) = &field.default {
                                out.insert(field.name.clone(), default.clone());
                            } else if field.ty.is_non_null() {
                                return Err(InputProblem::Invalid(format!(
                                    "missing required fields '[{}]'",
                                    field.name
                                )));
                            }
                        }
                    }
                }
                Ok(Value::Object(out))
            }
            Some(TypeDef::Object(_)) | None => Err(wrong_literal(name)),
        },
    }
}

fn wrong_literal(name: &str) -> InputProblem {
    InputProblem::Invalid(format!("is not a valid '{name}'"))
}

/// Serializes a resolver's value for a scalar or enum output type.
pub(crate) fn serialize_output(schema: &Schema, name: &str, value: Value) -> Result<Value, String> {
    let fail = |v: &Value| format!("Expected type '{name}' but was '{}'.", kind_of(v));
    match schema.types.get(name) {
        Some(TypeDef::Enum(values)) => match &value {
            Value::String(s) if values.contains(s) => Ok(value),
            _ => Err(fail(&value)),
        },
        Some(TypeDef::Scalar) => match name {
            "Int" | "AWSTimestamp" => {
                if value.as_i64().is_some() {
                    Ok(value)
                } else if let Some(f) = value.as_f64().filter(|f| f.fract() == 0.0) {
                    // Integral floats serialize as integers, as in graphql-java.
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(Value::from(f as i64))
                } else {
                    Err(fail(&value))
                }
            }
            "Float" => {
                if value.is_number() {
                    Ok(value)
                } else {
                    Err(fail(&value))
                }
            }
            "Boolean" => {
                if value.is_boolean() {
                    Ok(value)
                } else {
                    Err(fail(&value))
                }
            }
            "AWSJSON" => match value {
                Value::String(_) => Ok(value),
                other => Ok(Value::String(other.to_string())),
            },
            "ID" | "String" | "AWSDate" | "AWSTime" | "AWSDateTime" | "AWSEmail" | "AWSPhone"
            | "AWSURL" | "AWSIPAddress" => match value {
                Value::String(_) => Ok(value),
                Value::Number(n) => Ok(Value::String(n.to_string())),
                Value::Bool(b) => Ok(Value::String(b.to_string())),
                other => Err(fail(&other)),
            },
            _ => Ok(value),
        },
        _ => Err(fail(&value)),
    }
}
