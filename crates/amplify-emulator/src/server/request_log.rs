//! The request log: one `tracing` event per request, target [`TARGET`], at `INFO`, that the
//! binary's `--log json` prints as a JSON line. The library installs no subscriber. The same
//! lines go to the web console's request history (`crate::console`), except the console's own.
//!
//! Fields: `time` (the emulator's clock, ISO 8601), `operation` (the name counters and faults
//! use), `method`, `path` (never the query string: OAuth redirects carry codes there), `status`,
//! `request_id` (empty when the answer has none) and `decision`: `accepted`, or the refusal's
//! error type (`x-amzn-ErrorType`, the body's `__type`, `errors[0].errorType` or OAuth `error`),
//! `dropped` (with `status` 0) when the connection was closed without an answer. Never a header value or a body
//! field besides the error type: no token, password, code or key.

use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode};
use serde_json::Value;

use crate::backend::Backend;
use crate::console::RequestEntry;
use crate::timefmt::iso8601_millis;

/// The `tracing` target of request-log events.
const TARGET: &str = "amplify_emulator::request";

/// The operation name of the console's requests.
const CONSOLE: &str = "console";

/// What is known about a request before it is answered.
pub(super) struct Line {
    operation: String,
    method: Method,
    path: String,
}

impl Line {
    pub(super) fn new(operation: &str, method: &Method, path: &str) -> Self {
        Self {
            operation: operation.to_owned(),
            method: method.clone(),
            path: path.to_owned(),
        }
    }

    /// Logs an answered request.
    pub(super) fn emit(&self, backend: &Backend, response: &Response<Bytes>) {
        if !self.wanted() {
            return;
        }
        let decision = decision(response.status(), response.headers(), Some(response.body()));
        self.write(
            backend,
            Some(response.status()),
            response.headers(),
            &decision,
        );
    }

    /// Logs an answer whose body is not at hand (the realtime upgrade).
    pub(super) fn emit_head(&self, backend: &Backend, status: StatusCode, headers: &HeaderMap) {
        if !self.wanted() {
            return;
        }
        let decision = decision(status, headers, None);
        self.write(backend, Some(status), headers, &decision);
    }

    /// Logs a request whose connection was dropped (a fault or a panic).
    pub(super) fn emit_dropped(&self, backend: &Backend) {
        self.write(backend, None, &HeaderMap::new(), "dropped");
    }

    /// Whether anyone reads the line: the console's history (all but the console's own
    /// requests, which would drown the rest as its pages poll) or a subscriber.
    fn wanted(&self) -> bool {
        self.operation != CONSOLE || tracing::enabled!(target: TARGET, tracing::Level::INFO)
    }

    fn write(
        &self,
        backend: &Backend,
        status: Option<StatusCode>,
        headers: &HeaderMap,
        decision: &str,
    ) {
        let request_id = headers
            .get("x-amzn-requestid")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let time = iso8601_millis(backend.clock().now());
        let status = status.map_or(0, |s| s.as_u16());
        if self.operation != CONSOLE {
            backend.console().history().push(RequestEntry {
                time: time.clone(),
                operation: self.operation.clone(),
                method: self.method.as_str().to_owned(),
                path: self.path.clone(),
                status,
                request_id: request_id.to_owned(),
                decision: decision.to_owned(),
            });
        }
        tracing::info!(
            target: TARGET,
            time,
            operation = self.operation,
            method = self.method.as_str(),
            path = self.path,
            status,
            request_id,
            decision,
            "request"
        );
    }
}

/// `accepted`, or the refusal's error type.
fn decision(status: StatusCode, headers: &HeaderMap, body: Option<&Bytes>) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
    };
    if let Some(kind) = header("x-amzn-errortype") {
        // `NotAuthorizedException:http://internal.amazon.com/coral/...` names the type first.
        return kind.split(':').next().unwrap_or(kind).to_owned();
    }
    if let Some(kind) = header("x-emulator-oauth-error") {
        return kind.to_owned();
    }
    if status.as_u16() < 400 {
        return "accepted".to_owned();
    }
    body.and_then(|b| serde_json::from_slice::<Value>(b).ok())
        .and_then(|v| error_type(&v))
        .unwrap_or_else(|| format!("HTTP {}", status.as_u16()))
}

/// The error type an error body names.
fn error_type(body: &Value) -> Option<String> {
    let named = body
        .get("__type")
        .or_else(|| body.get("errorType"))
        .or_else(|| body.get("error"))
        .or_else(|| body.pointer("/errors/0/errorType"))?
        .as_str()?;
    // Coral's `com.amazon.coral.service#UnknownOperationException`.
    Some(named.rsplit('#').next().unwrap_or(named).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions() {
        let ok = HeaderMap::new();
        assert_eq!(decision(StatusCode::OK, &ok, None), "accepted");
        let mut cognito = HeaderMap::new();
        cognito.insert(
            "x-amzn-errortype",
            http::HeaderValue::from_static("NotAuthorizedException"),
        );
        assert_eq!(
            decision(StatusCode::BAD_REQUEST, &cognito, None),
            "NotAuthorizedException"
        );
        let body = Bytes::from_static(
            br#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#,
        );
        assert_eq!(
            decision(StatusCode::BAD_REQUEST, &ok, Some(&body)),
            "UnknownOperationException"
        );
        let oauth = Bytes::from_static(br#"{"error":"invalid_grant"}"#);
        assert_eq!(
            decision(StatusCode::BAD_REQUEST, &ok, Some(&oauth)),
            "invalid_grant"
        );
        assert_eq!(decision(StatusCode::NOT_FOUND, &ok, None), "HTTP 404");
    }
}
