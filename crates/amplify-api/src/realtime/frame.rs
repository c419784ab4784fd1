//! Sans-IO frames of AppSync's realtime protocol: encoding what the client sends, decoding what
//! the server sends. No sockets, no clocks; the connection task feeds text in and gets values out.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::graphql::GraphQlError;

/// The keep-alive timeout when `connection_ack` names none (AppSync's default, 5 minutes).
pub(crate) const DEFAULT_CONNECTION_TIMEOUT_MS: u64 = 300_000;

/// A frame the client sends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClientFrame<'a> {
    /// `{"type":"connection_init"}`.
    ConnectionInit,
    /// `{"id":..,"type":"start","payload":{"data":..,"extensions":{"authorization":{..}}}}`:
    /// `data` is the JSON text of `{"query","variables"}`, `authorization` the headers that
    /// authorize this subscription (see [`super::auth`]).
    Start {
        id: &'a str,
        data: &'a str,
        authorization: &'a serde_json::Map<String, serde_json::Value>,
    },
    /// `{"id":..,"type":"stop"}`.
    Stop { id: &'a str },
}

#[derive(Serialize)]
struct StartPayload<'a> {
    data: &'a str,
    extensions: Extensions<'a>,
}

#[derive(Serialize)]
struct Extensions<'a> {
    authorization: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct Outgoing<'a, P> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<P>,
}

impl ClientFrame<'_> {
    /// The frame as the JSON text of one WebSocket text message.
    pub(crate) fn encode(&self) -> String {
        let encoded = match *self {
            ClientFrame::ConnectionInit => serde_json::to_string(&Outgoing::<()> {
                id: None,
                kind: "connection_init",
                payload: None,
            }),
            ClientFrame::Start {
                id,
                data,
                authorization,
            } => serde_json::to_string(&Outgoing {
                id: Some(id),
                kind: "start",
                payload: Some(StartPayload {
                    data,
                    extensions: Extensions { authorization },
                }),
            }),
            ClientFrame::Stop { id } => serde_json::to_string(&Outgoing::<()> {
                id: Some(id),
                kind: "stop",
                payload: None,
            }),
        };
        // Strings and maps of JSON values always serialize.
        encoded.unwrap_or_default()
    }
}

/// A frame the server sent.
#[derive(Debug)]
pub(crate) enum ServerFrame {
    /// `connection_ack`, with the keep-alive timeout (`payload.connectionTimeoutMs`, or
    /// [`DEFAULT_CONNECTION_TIMEOUT_MS`]).
    ConnectionAck { connection_timeout_ms: u64 },
    /// `connection_error` with its errors (the connection is refused).
    ConnectionError { errors: Vec<GraphQlError> },
    /// `ka`.
    KeepAlive,
    /// `start_ack` of a subscription.
    StartAck { id: String },
    /// `data` of a subscription: the payload `{"data":..,"errors":[..]}` as raw JSON text.
    Data { id: String, payload: Box<RawValue> },
    /// `error`, for a subscription (`id`) or the connection (no `id`); `errors` a list or a
    /// single object.
    Error {
        id: Option<String>,
        errors: Vec<GraphQlError>,
    },
    /// `complete` of a subscription (after `stop`, or ended by the server).
    Complete { id: String },
    /// A frame of another type (ignored).
    Other { kind: String },
}

#[derive(Deserialize)]
struct Incoming<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct AckPayload {
    #[serde(rename = "connectionTimeoutMs", default)]
    connection_timeout_ms: Option<u64>,
}

#[derive(Deserialize, Default)]
struct ErrorPayload {
    #[serde(default, deserialize_with = "one_or_many")]
    errors: Vec<GraphQlError>,
}

/// `errors` as AppSync sends it: a list, a single object, or absent/null.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<GraphQlError>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<GraphQlError>),
        One(GraphQlError),
    }
    Ok(match Option::<OneOrMany>::deserialize(deserializer)? {
        Some(OneOrMany::Many(errors)) => errors,
        Some(OneOrMany::One(error)) => vec![error],
        None => Vec::new(),
    })
}

/// Why a text message is not a frame.
#[derive(Debug)]
pub(crate) struct BadFrame {
    pub(crate) reason: &'static str,
}

impl ServerFrame {
    /// Decodes one WebSocket text message.
    ///
    /// # Errors
    ///
    /// [`BadFrame`] when the text is not a JSON object with a `type`, or a subscription frame
    /// has no `id`, or a `data` frame no payload.
    pub(crate) fn decode(text: &str) -> Result<Self, BadFrame> {
        let incoming: Incoming<'_> = serde_json::from_str(text).map_err(|_| BadFrame {
            reason: "not a JSON object with a `type`",
        })?;
        let payload = incoming.payload.map(RawValue::get);
        let id = || {
            incoming.id.clone().ok_or(BadFrame {
                reason: "a subscription frame without an `id`",
            })
        };
        Ok(match incoming.kind.as_str() {
            "connection_ack" => {
                let ack: AckPayload = payload
                    .and_then(|p| serde_json::from_str(p).ok())
                    .unwrap_or_default();
                ServerFrame::ConnectionAck {
                    connection_timeout_ms: ack
                        .connection_timeout_ms
                        .filter(|ms| *ms > 0)
                        .unwrap_or(DEFAULT_CONNECTION_TIMEOUT_MS),
                }
            }
            "connection_error" => ServerFrame::ConnectionError {
                errors: errors_of(payload),
            },
            "ka" => ServerFrame::KeepAlive,
            "start_ack" => ServerFrame::StartAck { id: id()? },
            "data" => {
                let payload = incoming.payload.ok_or(BadFrame {
                    reason: "a `data` frame without a payload",
                })?;
                ServerFrame::Data {
                    id: id()?,
                    payload: payload.to_owned(),
                }
            }
            "error" => ServerFrame::Error {
                id: incoming.id.clone(),
                errors: errors_of(payload),
            },
            "complete" => ServerFrame::Complete { id: id()? },
            _ => ServerFrame::Other {
                kind: incoming.kind.clone(),
            },
        })
    }
}

fn errors_of(payload: Option<&str>) -> Vec<GraphQlError> {
    payload
        .and_then(|p| serde_json::from_str::<ErrorPayload>(p).ok())
        .map(|p| p.errors)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn client_frames_encode_exactly() {
        assert_eq!(
            ClientFrame::ConnectionInit.encode(),
            r#"{"type":"connection_init"}"#
        );
        assert_eq!(
            ClientFrame::Stop { id: "s-1" }.encode(),
            r#"{"id":"s-1","type":"stop"}"#
        );
        let mut authorization = serde_json::Map::new();
        authorization.insert(
            "host".into(),
            json!("x.appsync-api.us-east-1.amazonaws.com"),
        );
        authorization.insert("x-api-key".into(), json!("da2-key"));
        let data = r#"{"query":"subscription { onCreateTodo { id } }","variables":{}}"#;
        let start = ClientFrame::Start {
            id: "s-1",
            data,
            authorization: &authorization,
        }
        .encode();
        let value: serde_json::Value = serde_json::from_str(&start).unwrap();
        assert_eq!(
            value,
            json!({
                "id": "s-1",
                "type": "start",
                "payload": {
                    "data": data,
                    "extensions": {"authorization": {
                        "host": "x.appsync-api.us-east-1.amazonaws.com",
                        "x-api-key": "da2-key"
                    }}
                }
            })
        );
        // `data` is a JSON string holding the request, not an object.
        assert!(value["payload"]["data"].is_string());
    }

    #[test]
    fn connection_frames_decode() {
        match ServerFrame::decode(
            r#"{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}"#,
        ) {
            Ok(ServerFrame::ConnectionAck {
                connection_timeout_ms,
            }) => assert_eq!(connection_timeout_ms, 300_000),
            other => panic!("{other:?}"),
        }
        // No payload, or a zero: AppSync's default.
        for text in [
            r#"{"type":"connection_ack"}"#,
            r#"{"type":"connection_ack","payload":{"connectionTimeoutMs":0}}"#,
            r#"{"type":"connection_ack","payload":{}}"#,
        ] {
            assert!(matches!(
                ServerFrame::decode(text),
                Ok(ServerFrame::ConnectionAck {
                    connection_timeout_ms: DEFAULT_CONNECTION_TIMEOUT_MS
                })
            ));
        }
        assert!(matches!(
            ServerFrame::decode(r#"{"type":"ka"}"#),
            Ok(ServerFrame::KeepAlive)
        ));
        match ServerFrame::decode(
            r#"{"type":"connection_error","payload":{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call.","errorCode":401}]}}"#,
        ) {
            Ok(ServerFrame::ConnectionError { errors }) => {
                assert_eq!(
                    errors[0].error_type.as_deref(),
                    Some("UnauthorizedException")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn subscription_frames_decode() {
        assert!(matches!(
            ServerFrame::decode(r#"{"id":"s-1","type":"start_ack"}"#),
            Ok(ServerFrame::StartAck { id }) if id == "s-1"
        ));
        match ServerFrame::decode(
            r#"{"id":"s-1","type":"data","payload":{"data":{"onCreateTodo":{"id":"t1"}}}}"#,
        ) {
            Ok(ServerFrame::Data { id, payload }) => {
                assert_eq!(id, "s-1");
                assert_eq!(payload.get(), r#"{"data":{"onCreateTodo":{"id":"t1"}}}"#);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            ServerFrame::decode(r#"{"id":"s-1","type":"complete"}"#),
            Ok(ServerFrame::Complete { id }) if id == "s-1"
        ));
        assert!(matches!(
            ServerFrame::decode(r#"{"type":"something_new","payload":1}"#),
            Ok(ServerFrame::Other { kind }) if kind == "something_new"
        ));
    }

    #[test]
    fn error_frames_take_a_list_or_a_single_object() {
        match ServerFrame::decode(
            r#"{"id":"s-1","type":"error","payload":{"errors":[{"errorType":"UnauthorizedException","message":"Token has expired."},{"message":"second"}]}}"#,
        ) {
            Ok(ServerFrame::Error { id, errors }) => {
                assert_eq!(id.as_deref(), Some("s-1"));
                assert_eq!(errors.len(), 2);
                assert_eq!(errors[0].message, "Token has expired.");
            }
            other => panic!("{other:?}"),
        }
        match ServerFrame::decode(
            r#"{"id":"s-2","type":"error","payload":{"errors":{"errorType":"MaxSubscriptionsReachedError","message":"Max number of 100 subscriptions reached"}}}"#,
        ) {
            Ok(ServerFrame::Error { id, errors }) => {
                assert_eq!(id.as_deref(), Some("s-2"));
                assert_eq!(
                    errors[0].error_type.as_deref(),
                    Some("MaxSubscriptionsReachedError")
                );
            }
            other => panic!("{other:?}"),
        }
        // A connection-level error has no id; a missing payload is no errors.
        assert!(matches!(
            ServerFrame::decode(r#"{"type":"error"}"#),
            Ok(ServerFrame::Error { id: None, errors }) if errors.is_empty()
        ));
    }

    #[test]
    fn malformed_frames_are_errors_not_panics() {
        for text in [
            "",
            "not json",
            "[]",
            r#"{"id":"x"}"#,
            r#"{"type":"start_ack"}"#,
            r#"{"type":"data","payload":{}}"#,
            r#"{"id":"x","type":"data"}"#,
            r#"{"type":"complete"}"#,
        ] {
            assert!(ServerFrame::decode(text).is_err(), "{text}");
        }
    }
}
