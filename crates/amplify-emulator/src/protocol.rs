//! AWS JSON 1.1 framing: reading request members with Cognito's validation errors, and writing
//! answers and errors the way the service and its router send them.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Map, Value, json};

use crate::error::{CognitoError, ErrorKind};

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

/// An AWS JSON 1.1 answer: the body, `x-amzn-RequestId` and, for errors, `x-amzn-ErrorType`.
pub(crate) fn aws_response(
    status: StatusCode,
    body: &Value,
    request_id: &str,
    error_type: Option<&'static str>,
) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    if let Some(kind) = error_type {
        headers.insert("x-amzn-errortype", HeaderValue::from_static(kind));
    }
    response
}

/// The `__type` AWS's request router (Coral) sends for an `X-Amz-Target` the service does not
/// implement.
pub(crate) const CORAL_UNKNOWN_OPERATION: &str =
    "com.amazon.coral.service#UnknownOperationException";

/// The answer to an operation the endpoint does not implement: HTTP 400 with the body
/// `{"__type":"com.amazon.coral.service#UnknownOperationException"}`, no message and no
/// `x-amzn-ErrorType`. This is the router's answer, not the service's: captured AWS JSON
/// answers carry the fully qualified Coral type and no message (aws/aws-sdk-go#3689 shows
/// `{"__type":"com.amazon.coral.service#UnknownOperationException"}` inside an RPC envelope;
/// Kinesis through the Java SDK reports "null (Status Code: 400; Error Code:
/// UnknownOperationException)", mhart/kinesalite#95). Whether Cognito's router also sets
/// `x-amzn-ErrorType` is unverified; SDKs read the code from `__type` either way, stripping
/// the namespace before `#`.
pub(crate) fn unknown_operation_response(request_id: &str) -> Response<Bytes> {
    aws_response(
        StatusCode::BAD_REQUEST,
        &json!({ "__type": CORAL_UNKNOWN_OPERATION }),
        request_id,
        None,
    )
}

/// A proxy's HTML error page (a load balancer or captive portal in front of the endpoint).
pub(crate) fn html_error_response(status: u16) -> Response<Bytes> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let title = format!(
        "{} {}",
        status.as_str(),
        status.canonical_reason().unwrap_or("Error")
    );
    let mut response = Response::new(Bytes::from(format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// A Cognito error as sent on the wire.
pub(crate) fn error_response(error: &CognitoError, request_id: &str) -> Response<Bytes> {
    if error.kind() == ErrorKind::UnknownOperation {
        return unknown_operation_response(request_id);
    }
    let status = StatusCode::from_u16(error.kind().status()).unwrap_or(StatusCode::BAD_REQUEST);
    aws_response(
        status,
        &error.to_body(),
        request_id,
        Some(error.kind().as_str()),
    )
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
