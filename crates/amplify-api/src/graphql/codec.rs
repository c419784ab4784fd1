//! Sans-IO GraphQL wire format: building request bodies and reading response bodies.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::graphql::GraphQlError;

/// `{"query": .., "variables": .., "operationName": ..}` as bytes: the same bytes as serde_json
/// would write for a struct of those fields (the tests compare them), with the strings escaped by
/// [`push_json_string`].
pub(crate) fn encode_request(
    document: &str,
    variables: Option<&serde_json::Value>,
    operation_name: Option<&str>,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(document.len() + 64);
    out.extend_from_slice(br#"{"query":"#);
    push_json_string(&mut out, document);
    if let Some(variables) = variables {
        out.extend_from_slice(br#","variables":"#);
        serde_json::to_writer(&mut out, variables)?;
    }
    if let Some(name) = operation_name {
        out.extend_from_slice(br#","operationName":"#);
        push_json_string(&mut out, name);
    }
    out.push(b'}');
    Ok(out)
}

/// Appends `value` as a JSON string, escaped as serde_json escapes it (`\"`, `\\`, `\n`, `\r`,
/// `\t`, `\b`, `\f`, other control characters as `\u00xx`; everything else as is). A document
/// is checked 16 bytes at a time, and a block with nothing to escape is copied whole: serde_json
/// looks each byte up in a table, which for a generated document of a few kilobytes costs
/// microseconds.
fn push_json_string(out: &mut Vec<u8>, value: &str) {
    const BLOCK: usize = 16;
    out.reserve(value.len() + 2);
    out.push(b'"');
    let mut blocks = value.as_bytes().chunks_exact(BLOCK);
    for block in blocks.by_ref() {
        push_block(out, block);
    }
    push_block(out, blocks.remainder());
    out.push(b'"');
}

/// Appends a block whole when nothing in it needs escaping, else through [`push_escaped`].
#[inline]
fn push_block(out: &mut Vec<u8>, block: &[u8]) {
    // No early exit, so the check compiles to a few vector instructions.
    if block.iter().fold(false, |any, &b| any | needs_escape(b)) {
        push_escaped(out, block);
    } else {
        out.extend_from_slice(block);
    }
}

const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Appends `bytes`, a piece of a `str`, with the bytes that need it escaped. A piece may start
/// or end inside a multi-byte character: those bytes are all 0x80 or above, never escaped, and
/// are copied in order, so the output stays the UTF-8 it was.
fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if !needs_escape(byte) {
            continue;
        }
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        start = i + 1;
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                let high = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
                let low = HEX.get(usize::from(byte & 0x0f)).copied().unwrap_or(b'0');
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', high, low]);
            }
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    errors: Option<Vec<GraphQlError>>,
}

/// Just the `errors` of a body, for error responses (empty when the body is not GraphQL-shaped).
pub(crate) fn decode_errors(body: &[u8]) -> Vec<GraphQlError> {
    #[derive(Deserialize)]
    struct ErrorsOnly {
        #[serde(default)]
        errors: Option<Vec<GraphQlError>>,
    }
    serde_json::from_slice::<ErrorsOnly>(body)
        .ok()
        .and_then(|e| e.errors)
        .unwrap_or_default()
}

/// A body that could not be decoded: where, the GraphQL errors of its envelope (when it could be
/// read) and serde's error. The operation turns it into a
/// [`DecodeFailure`](crate::DecodeFailure) with the response's request id.
#[derive(Debug)]
pub(crate) struct Undecodable {
    pub(crate) path: String,
    pub(crate) errors: Vec<GraphQlError>,
    pub(crate) source: serde_json::Error,
}

#[cfg(test)]
impl Undecodable {
    fn path(&self) -> &str {
        &self.path
    }

    fn graphql_errors(&self) -> &[GraphQlError] {
        &self.errors
    }
}

/// The decoded parts of a response.
pub(crate) struct Decoded<T> {
    pub(crate) data: Option<T>,
    pub(crate) errors: Vec<GraphQlError>,
}

/// Reads `{"data": .., "errors": [..]}`, decoding `data` (or the value at `decode_path` inside it)
/// into `T`. A missing or `null` value gives `data: None`.
pub(crate) fn decode_response<T: DeserializeOwned>(
    body: &[u8],
    decode_path: Option<&str>,
) -> Result<Decoded<T>, Box<Undecodable>> {
    let decode_path = decode_path.filter(|p| !p.is_empty());
    if decode_path.is_none() {
        // Fast path: one pass, no path tracking. On failure, the slower path below runs to find
        // where decoding failed and to keep the GraphQL errors.
        #[derive(Deserialize)]
        #[serde(bound(deserialize = "T: DeserializeOwned"))]
        struct Direct<T> {
            #[serde(default)]
            data: Option<T>,
            #[serde(default)]
            errors: Option<Vec<GraphQlError>>,
        }
        // The body's UTF-8 is checked once, up front: from bytes, serde_json checks every string
        // it reads on its own, at a call's cost each.
        if let Ok(text) = std::str::from_utf8(body)
            && let Ok(direct) = serde_json::from_str::<Direct<T>>(text)
        {
            return Ok(Decoded {
                data: direct.data,
                errors: direct.errors.unwrap_or_default(),
            });
        }
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).map_err(|source| {
        Box::new(Undecodable {
            path: String::new(),
            errors: Vec::new(),
            source,
        })
    })?;
    let errors = envelope.errors.unwrap_or_default();
    let Some(raw) = envelope.data else {
        return Ok(Decoded { data: None, errors });
    };
    let decoded = match decode_path {
        None => {
            let mut de = serde_json::Deserializer::from_str(raw.get());
            serde_path_to_error::deserialize::<_, Option<T>>(&mut de)
                .map_err(|e| (join_path("data", &e.path().to_string()), e.into_inner()))
        }
        Some(path) => decode_at_path(raw.get(), path),
    };
    match decoded {
        Ok(data) => Ok(Decoded { data, errors }),
        Err((path, source)) => Err(Box::new(Undecodable {
            path,
            errors,
            source,
        })),
    }
}

/// Walks `path` through the raw JSON without building a tree, so the value found keeps its
/// original text (for raw responses) and large responses are not copied.
fn decode_at_path<T: DeserializeOwned>(
    raw: &str,
    path: &str,
) -> Result<Option<T>, (String, serde_json::Error)> {
    let mut current: &RawValue = serde_json::from_str(raw).map_err(|e| ("data".to_owned(), e))?;
    let mut walked = String::from("data");
    for segment in path.split('.') {
        let text = current.get();
        let next = match text.as_bytes().first() {
            Some(b'{') => {
                let map: HashMap<String, &RawValue> =
                    serde_json::from_str(text).map_err(|e| (walked.clone(), e))?;
                map.get(segment).copied()
            }
            Some(b'[') => {
                let items: Vec<&RawValue> =
                    serde_json::from_str(text).map_err(|e| (walked.clone(), e))?;
                segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).copied())
            }
            _ => None,
        };
        match next {
            Some(value) => current = value,
            None => return Ok(None),
        }
        walked.push('.');
        walked.push_str(segment);
    }
    if current.get() == "null" {
        return Ok(None);
    }
    let mut de = serde_json::Deserializer::from_str(current.get());
    serde_path_to_error::deserialize::<_, T>(&mut de)
        .map(Some)
        .map_err(|e| (join_path(&walked, &e.path().to_string()), e.into_inner()))
}

fn join_path(base: &str, inner: &str) -> String {
    match inner {
        "" | "." => base.to_owned(),
        _ if inner.starts_with('[') => format!("{base}{inner}"),
        _ => format!("{base}.{inner}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::GraphQlPathSegment;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Todo {
        id: String,
        done: bool,
    }

    /// serde_json's bytes for the same body, as the oracle for `encode_request`.
    fn serde_body(
        document: &str,
        variables: Option<&serde_json::Value>,
        operation_name: Option<&str>,
    ) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct RequestBody<'a> {
            query: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            variables: Option<&'a serde_json::Value>,
            #[serde(rename = "operationName", skip_serializing_if = "Option::is_none")]
            operation_name: Option<&'a str>,
        }
        serde_json::to_vec(&RequestBody {
            query: document,
            variables,
            operation_name,
        })
        .unwrap()
    }

    #[test]
    fn request_bodies_are_the_bytes_serde_json_writes() {
        let mut documents: Vec<String> = vec![
            String::new(),
            "{ a }".into(),
            "query GetTodo($id: ID!) {\n  getTodo(id: $id) {\n    id\n    name\n  }\n}\n".into(),
            r#"mutation { say(text: "a \"quoted\" \\ back\\slash") }"#.into(),
            "tabs\tand\rreturns and \u{8}\u{c} and \u{7f} and \u{1f}\u{0}".into(),
            "unicode: é, 日本語, 🦀, and \u{2028}".into(),
        ];
        // Every control character, quote and backslash at every offset of a 16-byte block,
        // with multi-byte characters around.
        for special in (0u8..0x20).chain([b'"', b'\\']) {
            for offset in 0..33 {
                let mut document = "é".repeat(offset % 3) + &"x".repeat(offset);
                document.push(char::from(special));
                document.push_str("🦀 tail of the block");
                documents.push(document);
            }
        }
        let variables = json!({"id": "t\n1", "nested": {"list": [1, "two", null]}});
        for document in &documents {
            for (vars, name) in [
                (None, None),
                (Some(&variables), None),
                (Some(&variables), Some("Q\"x")),
                (None, Some("GetTodo")),
            ] {
                let ours = encode_request(document, vars, name).unwrap();
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    String::from_utf8(serde_body(document, vars, name)).unwrap(),
                    "{document:?}"
                );
            }
        }
    }

    #[test]
    fn request_body_has_query_variables_and_operation_name() {
        let vars = json!({"id": "1"});
        let body = encode_request("query Q { a }", Some(&vars), Some("Q")).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            back,
            json!({"query": "query Q { a }", "variables": {"id": "1"}, "operationName": "Q"})
        );
        let bare = encode_request("{ a }", None, None).unwrap();
        assert_eq!(bare, br#"{"query":"{ a }"}"#);
    }

    #[test]
    fn data_decodes_directly_and_at_a_path() {
        let body = br#"{"data":{"getTodo":{"id":"t1","done":true}}}"#;
        let whole: Decoded<serde_json::Value> = decode_response(body, None).unwrap();
        assert_eq!(whole.data.unwrap()["getTodo"]["id"], "t1");
        let at: Decoded<Todo> = decode_response(body, Some("getTodo")).unwrap();
        assert_eq!(
            at.data,
            Some(Todo {
                id: "t1".into(),
                done: true
            })
        );
        assert!(at.errors.is_empty());
    }

    #[test]
    fn array_indexes_and_missing_or_null_paths() {
        let body = br#"{"data":{"list":{"items":[{"id":"a","done":false},null]}}}"#;
        let first: Decoded<Todo> = decode_response(body, Some("list.items.0")).unwrap();
        assert_eq!(first.data.unwrap().id, "a");
        let null: Decoded<Todo> = decode_response(body, Some("list.items.1")).unwrap();
        assert!(null.data.is_none());
        let missing: Decoded<Todo> = decode_response(body, Some("nope.x")).unwrap();
        assert!(missing.data.is_none());
        let no_data: Decoded<Todo> =
            decode_response(br#"{"data":null,"errors":[]}"#, Some("x")).unwrap();
        assert!(no_data.data.is_none());
    }

    #[test]
    fn decode_errors_name_the_path_and_keep_graphql_errors() {
        let body =
            br#"{"data":{"getTodo":{"id":"t1","done":"yes"}},"errors":[{"message":"partial"}]}"#;
        let err = decode_response::<Todo>(body, Some("getTodo"))
            .err()
            .unwrap();
        assert_eq!(err.path(), "data.getTodo.done");
        assert_eq!(err.graphql_errors()[0].message, "partial");
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Whole {
            #[serde(rename = "getTodo")]
            get_todo: Todo,
        }
        let err = decode_response::<Whole>(body, None).err().unwrap();
        assert_eq!(err.path(), "data.getTodo.done");
        let err = decode_response::<Todo>(b"<html>", None).err().unwrap();
        assert_eq!(err.path(), "");
    }

    #[test]
    fn every_error_field_is_read() {
        let body = br#"{"data":null,"errors":[{
            "message":"Not Authorized to access getTodo on type Query",
            "locations":[{"line":2,"column":3,"sourceName":null}],
            "path":["getTodo", 0, "owner"],
            "errorType":"Unauthorized",
            "errorInfo":{"reason":"owner"},
            "extensions":{"code":"FORBIDDEN"}
        }]}"#;
        let decoded: Decoded<serde_json::Value> = decode_response(body, None).unwrap();
        let e = &decoded.errors[0];
        assert_eq!(e.message, "Not Authorized to access getTodo on type Query");
        assert_eq!(e.locations[0].line, 2);
        assert_eq!(e.locations[0].column, 3);
        assert_eq!(
            e.path,
            vec![
                GraphQlPathSegment::Field("getTodo".into()),
                GraphQlPathSegment::Index(0),
                GraphQlPathSegment::Field("owner".into())
            ]
        );
        assert_eq!(e.error_type.as_deref(), Some("Unauthorized"));
        assert_eq!(e.error_info, Some(json!({"reason": "owner"})));
        assert_eq!(e.extensions.as_ref().unwrap()["code"], "FORBIDDEN");
    }

    #[test]
    fn errors_of_error_bodies() {
        let errors = decode_errors(
            br#"{"errors":[{"errorType":"UnauthorizedException","message":"Valid authorization header not provided."}]}"#,
        );
        assert_eq!(
            errors[0].error_type.as_deref(),
            Some("UnauthorizedException")
        );
        assert!(decode_errors(b"not json").is_empty());
        assert!(decode_errors(br#"{"message":"Forbidden"}"#).is_empty());
    }
}
