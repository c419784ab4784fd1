//! AWS JSON 1.1 framing: reading request members with Cognito's validation errors.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::CognitoError;

/// The largest request body accepted.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// The services on the single endpoint, by `X-Amz-Target` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// `AWSCognitoIdentityProviderService` (user pools).
    UserPools,
    /// `AWSCognitoIdentityService` (identity pools).
    Identity,
}

/// Splits `AWSCognitoIdentityProviderService.InitiateAuth` into service and operation.
pub(crate) fn parse_target(target: &str) -> Option<(Service, &str)> {
    let (prefix, op) = target.split_once('.')?;
    let service = match prefix {
        "AWSCognitoIdentityProviderService" => Service::UserPools,
        "AWSCognitoIdentityService" => Service::Identity,
        _ => return None,
    };
    if op.is_empty() || !op.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((service, op))
}

/// Parses a request body: empty means `{}`; anything but a JSON object is a SerializationException.
pub(crate) fn parse_body(body: &[u8]) -> Result<Map<String, Value>, CognitoError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(CognitoError::serialization(format!(
            "Start of {} found where not expected",
            json_kind(&other)
        ))),
        Err(_) => Err(CognitoError::serialization(
            "The request body is not valid JSON.",
        )),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "structure",
    }
}

/// `clientId` from `ClientId`, as AWS validation messages name members.
fn member_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn wrong_type(name: &str, expected: &str, found: &Value) -> CognitoError {
    CognitoError::serialization(format!(
        "{} can not be converted to {expected} (member '{}')",
        json_kind(found).to_uppercase(),
        member_name(name)
    ))
}

/// A request's members.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    members: &'a Map<String, Value>,
}

impl<'a> Input<'a> {
    pub(crate) fn new(members: &'a Map<String, Value>) -> Self {
        Self { members }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.members.get(name).filter(|v| !v.is_null())
    }

    /// A required string member (non-empty, at most `max` characters).
    pub(crate) fn str(&self, name: &str) -> Result<&'a str, CognitoError> {
        match self.opt_str(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length greater than or equal to 1",
                member_name(name)
            ))),
            None => Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                member_name(name)
            ))),
        }
    }

    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<&'a str>, CognitoError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => {
                if s.len() > 32 * 1024 {
                    return Err(CognitoError::invalid_parameter(format!(
                        "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length less than or equal to 32768",
                        member_name(name)
                    )));
                }
                Ok(Some(s.as_str()))
            }
            Some(other) => Err(wrong_type(name, "a String", other)),
        }
    }

    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>, CognitoError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_type(name, "a Boolean", other)),
        }
    }

    pub(crate) fn opt_i64(&self, name: &str) -> Result<Option<i64>, CognitoError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| wrong_type(name, "an Integer", &Value::Number(n.clone()))),
            Some(other) => Err(wrong_type(name, "an Integer", other)),
        }
    }

    /// A nested structure (absent means `None`).
    pub(crate) fn opt_struct(&self, name: &str) -> Result<Option<Input<'a>>, CognitoError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Input::new(map))),
            Some(other) => Err(wrong_type(name, "a Structure", other)),
        }
    }

    /// A map of strings (`AuthParameters`, `ClientMetadata`, `Logins`); absent means empty.
    pub(crate) fn str_map(&self, name: &str) -> Result<BTreeMap<String, String>, CognitoError> {
        match self.get(name) {
            None => Ok(BTreeMap::new()),
            Some(Value::Object(map)) => {
                let mut out = BTreeMap::new();
                for (key, value) in map {
                    match value {
                        Value::String(s) => {
                            out.insert(key.clone(), s.clone());
                        }
                        Value::Null => {}
                        other => return Err(wrong_type(name, "a String map value", other)),
                    }
                }
                Ok(out)
            }
            Some(other) => Err(wrong_type(name, "a Map", other)),
        }
    }

    /// A list of strings; absent means empty.
    pub(crate) fn str_list(&self, name: &str) -> Result<Vec<String>, CognitoError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(wrong_type(name, "a String list element", other)),
                })
                .collect(),
            Some(other) => Err(wrong_type(name, "a List", other)),
        }
    }

    /// `[{"Name": ..., "Value": ...}]` attribute lists; absent means empty.
    pub(crate) fn attributes(&self, name: &str) -> Result<Vec<(String, String)>, CognitoError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let Value::Object(map) = item else {
                        return Err(wrong_type(name, "an AttributeType", item));
                    };
                    let attr = Input::new(map);
                    let attr_name = attr.str("Name")?;
                    let value = attr.opt_str("Value")?.unwrap_or_default();
                    out.push((attr_name.to_owned(), value.to_owned()));
                }
                Ok(out)
            }
            Some(other) => Err(wrong_type(name, "a List", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("AWSCognitoIdentityProviderService.InitiateAuth"),
            Some((Service::UserPools, "InitiateAuth"))
        );
        assert_eq!(
            parse_target("AWSCognitoIdentityService.GetId"),
            Some((Service::Identity, "GetId"))
        );
        assert_eq!(parse_target("Other.GetId"), None);
        assert_eq!(parse_target("AWSCognitoIdentityService."), None);
        assert_eq!(parse_target("nodot"), None);
    }

    #[test]
    fn bodies() {
        assert!(parse_body(b"").unwrap().is_empty());
        assert_eq!(
            parse_body(b"[]").unwrap_err().kind(),
            ErrorKind::Serialization
        );
        assert_eq!(
            parse_body(b"{").unwrap_err().kind(),
            ErrorKind::Serialization
        );
        assert_eq!(
            parse_body(b"\xff").unwrap_err().kind(),
            ErrorKind::Serialization
        );
    }

    #[test]
    fn members() {
        let body = json!({"ClientId": "", "Name": 3, "M": {"a": "b", "c": 1}, "Attrs": [{"Name": "email", "Value": "x"}]});
        let map = body.as_object().unwrap();
        let input = Input::new(map);
        assert_eq!(
            input.str("ClientId").unwrap_err().kind(),
            ErrorKind::InvalidParameter
        );
        assert!(
            input
                .str("Missing")
                .unwrap_err()
                .message()
                .contains("'missing'")
        );
        assert_eq!(
            input.str("Name").unwrap_err().kind(),
            ErrorKind::Serialization
        );
        assert_eq!(
            input.str_map("M").unwrap_err().kind(),
            ErrorKind::Serialization
        );
        assert_eq!(
            input.attributes("Attrs").unwrap(),
            vec![("email".to_owned(), "x".to_owned())]
        );
    }
}
