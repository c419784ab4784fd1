//! AppSync's realtime frames: what clients send, and the server's answers.

use std::time::Duration;

use serde_json::{Value, json};

/// A client frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Incoming {
    /// `{"type":"connection_init"}`.
    Init,
    /// `{"type":"start","id","payload":{"data","extensions":{"authorization"}}}`.
    Start { id: String, payload: Value },
    /// `{"type":"stop","id"}`.
    Stop { id: String },
    /// Anything else: not JSON, no type, an unknown type, or a start / stop without an id.
    Invalid { id: Option<String>, kind: String },
}

/// Reads a text frame.
pub(crate) fn parse_frame(text: &str) -> Incoming {
    let Ok(Value::Object(mut frame)) = serde_json::from_str::<Value>(text) else {
        return Incoming::Invalid {
            id: None,
            kind: "unknown".to_owned(),
        };
    };
    let id = match frame.remove("id") {
        Some(Value::String(id)) if !id.is_empty() => Some(id),
        _ => None,
    };
    let kind = match frame.remove("type") {
        Some(Value::String(kind)) => kind,
        _ => "unknown".to_owned(),
    };
    match (kind.as_str(), id) {
        ("connection_init", _) => Incoming::Init,
        ("start", Some(id)) => Incoming::Start {
            id,
            payload: frame.remove("payload").unwrap_or(Value::Null),
        },
        ("stop", Some(id)) => Incoming::Stop { id },
        (_, id) => Incoming::Invalid { id, kind },
    }
}

/// `connection_ack` with `connectionTimeoutMs`.
pub(crate) fn connection_ack(timeout: Duration) -> String {
    let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    json!({ "type": "connection_ack", "payload": { "connectionTimeoutMs": ms } }).to_string()
}

/// `connection_error` with `errors`.
pub(crate) fn connection_error(errors: &Value) -> String {
    json!({ "type": "connection_error", "payload": { "errors": errors } }).to_string()
}

/// A keep-alive.
pub(crate) fn keep_alive() -> String {
    json!({ "type": "ka" }).to_string()
}

/// `start_ack`.
pub(crate) fn start_ack(id: &str) -> String {
    json!({ "type": "start_ack", "id": id }).to_string()
}

/// `complete` (the answer to `stop`).
pub(crate) fn complete(id: &str) -> String {
    json!({ "type": "complete", "id": id }).to_string()
}

/// `data` with a GraphQL response (`{"data", "errors"?}`).
pub(crate) fn data(id: &str, payload: &Value) -> String {
    json!({ "type": "data", "id": id, "payload": payload }).to_string()
}

/// `error` with `errors`, for a subscription or (without an id) the connection.
pub(crate) fn error(id: Option<&str>, errors: &Value) -> String {
    match id {
        Some(id) => json!({ "type": "error", "id": id, "payload": { "errors": errors } }),
        None => json!({ "type": "error", "payload": { "errors": errors } }),
    }
    .to_string()
}

/// The `errors` for a frame the endpoint does not understand.
pub(crate) fn unsupported(kind: &str) -> Value {
    json!([{
        "errorType": "UnsupportedOperation",
        "message": format!("{kind} not supported through the realtime channel"),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse() {
        assert_eq!(parse_frame(r#"{"type":"connection_init"}"#), Incoming::Init);
        assert_eq!(
            parse_frame(r#"{"type":"stop","id":"a"}"#),
            Incoming::Stop { id: "a".into() }
        );
        assert_eq!(
            parse_frame(r#"{"type":"start","id":"a","payload":{"data":"{}"}}"#),
            Incoming::Start {
                id: "a".into(),
                payload: json!({"data": "{}"})
            }
        );
        assert_eq!(
            parse_frame("not json"),
            Incoming::Invalid {
                id: None,
                kind: "unknown".into()
            }
        );
        assert_eq!(
            parse_frame(r#"{"type":"start"}"#),
            Incoming::Invalid {
                id: None,
                kind: "start".into()
            }
        );
        let ack: Value = serde_json::from_str(&connection_ack(Duration::from_secs(300))).unwrap();
        assert_eq!(
            ack,
            json!({"type": "connection_ack", "payload": {"connectionTimeoutMs": 300_000}})
        );
    }
}
