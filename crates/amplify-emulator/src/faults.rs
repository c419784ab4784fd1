//! Fault injection and request counters, per operation.
//!
//! Operations are named as in `X-Amz-Target` without the service prefix (`InitiateAuth`,
//! `GetId`), or `jwks`, `openid-configuration`, `outbox` for the GET endpoints, `graphql` and
//! `rest` for the AppSync endpoints; `*` matches all.
//!
//! The realtime endpoint has three: `realtime-connect` (each WebSocket upgrade:
//! [`Fault::DropConnection`] closes the socket, [`Fault::Delay`] delays the `connection_ack`,
//! [`Fault::Silence`] never sends it, any error fault refuses the upgrade with that HTTP answer),
//! `realtime-start` (each `start`: drop, delay the `start_ack`, silence, or an error fault gives
//! an `error` frame) and `realtime-ka` (each keep-alive: drop the socket, delay, or skip it).
//! [`Fault::MalformedJson`] answers the `realtime-connect` upgrade with its HTTP 200 (the
//! handshake fails), gives `realtime-start` an internal-failure `error` frame and is ignored by
//! `realtime-ka`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{Response, StatusCode};

/// A failure to inject.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use amplify_emulator::{Emulator, ErrorKind, Fault};
/// let emu = Emulator::start().await?;
/// // The next GetTokensFromRefreshToken answers as if the token had been rotated out.
/// emu.faults().inject("GetTokensFromRefreshToken", Fault::ServiceError(ErrorKind::RefreshTokenReuse));
/// // An endpoint that predates GetTokensFromRefreshToken.
/// emu.faults().inject_always("GetTokensFromRefreshToken", Fault::UnknownOperation);
/// // A proxy in front of Cognito failing.
/// emu.faults().inject("InitiateAuth", Fault::HtmlError(502));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP 500 with `InternalErrorException` (`graphql`, `rest`: AppSync / API Gateway's
    /// `InternalFailureException`).
    InternalError,
    /// HTTP 400 with `TooManyRequestsException` (`graphql`, `rest`: HTTP 429).
    Throttle,
    /// Waits this long, then answers normally.
    Delay(Duration),
    /// Closes the connection without answering.
    DropConnection,
    /// Sends the headers (with the full `content-length`) and half the body, then closes.
    TruncatedBody,
    /// Answers with this modeled Cognito error exactly as the service sends it: the kind's
    /// [`status`](crate::ErrorKind::status), `x-amzn-ErrorType`, `x-amzn-RequestId` and
    /// `{"__type": <kind>, "message": "Injected fault: <kind>."}` (`graphql` and `rest` answer
    /// `InternalError` and `TooManyRequests` in AppSync / API Gateway shape, other kinds in
    /// Cognito's). `ServiceError(ErrorKind::UnknownOperation)` is [`Fault::UnknownOperation`].
    ServiceError(crate::error::ErrorKind),
    /// A proxy's HTML error page with this HTTP status (`content-type: text/html`, no AWS
    /// headers); an invalid status sends 502.
    HtmlError(u16),
    /// The answer AWS gives for an operation the endpoint does not implement: HTTP 400,
    /// `{"__type":"com.amazon.coral.service#UnknownOperationException"}`, no message and no
    /// `x-amzn-ErrorType` (the same answer as for an unknown `X-Amz-Target`). For testing a
    /// client's fall-back from GetTokensFromRefreshToken to `REFRESH_TOKEN_AUTH`.
    UnknownOperation,
    /// HTTP 200 with the operation's usual `content-type` and request id header, and a body
    /// that is not JSON: half of a plausible answer, e.g. `{"AuthenticationResult":{"AccessTo`
    /// for Cognito operations, `{"data":{"injectedF` for `graphql`. The `content-length` is the
    /// cut body's, so the body arrives in full: the client's JSON decoding fails, not its HTTP
    /// read (compare [`Fault::TruncatedBody`]). The operation does not run. What a broken proxy
    /// or a garbled gateway answer looks like.
    MalformedJson,
    /// Sends nothing: an HTTP request is never answered, `realtime-connect` never gets its
    /// `connection_ack`, `realtime-start` never gets its `start_ack` (the subscription is not
    /// registered), and on `realtime-ka` that keep-alive is skipped (`inject_always` stops them).
    Silence,
}

#[derive(Debug, Clone)]
struct Rule {
    operation: String,
    fault: Fault,
    /// `None`: forever.
    remaining: Option<u32>,
}

/// The fault table. Cheap to clone; clones share the rules.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl Faults {
    /// Fails the next request to `operation` with `fault`.
    pub fn inject(&self, operation: &str, fault: Fault) {
        self.inject_times(operation, fault, 1);
    }

    /// Fails the next `times` requests to `operation` with `fault`.
    pub fn inject_times(&self, operation: &str, fault: Fault, times: u32) {
        self.push(operation, fault, Some(times));
    }

    /// Fails every request to `operation` with `fault` until [`clear`](Self::clear).
    pub fn inject_always(&self, operation: &str, fault: Fault) {
        self.push(operation, fault, None);
    }

    fn push(&self, operation: &str, fault: Fault, remaining: Option<u32>) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Rule {
                operation: operation.to_owned(),
                fault,
                remaining,
            });
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Takes the fault for one request to `operation` (the oldest matching rule).
    pub(crate) fn take(&self, operation: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        let index = rules
            .iter()
            .position(|r| r.operation == operation || r.operation == "*")?;
        let rule = rules.get_mut(index)?;
        let fault = rule.fault.clone();
        match &mut rule.remaining {
            Some(n) if *n <= 1 => {
                rules.remove(index);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(fault)
    }
}

/// The answer to `operation` under [`Fault::MalformedJson`]: a plausible answer in the
/// operation's shape and content type, spoiled by [`malformed_json`].
pub(crate) fn malformed_json_response(operation: &str, request_id: &str) -> Response<Bytes> {
    let (content_type, body) = match operation {
        "graphql" => (
            "application/json; charset=UTF-8",
            serde_json::json!({ "data": { "injectedFault": { "id": "0", "name": "malformed" } } }),
        ),
        "rest" => (
            "application/json; charset=UTF-8",
            serde_json::json!({ "message": "Injected fault: malformed JSON." }),
        ),
        // `X-Amz-Target` operations (`InitiateAuth`, `GetId`) are capitalized.
        op if op.starts_with(|c: char| c.is_ascii_uppercase()) => (
            "application/x-amz-json-1.1",
            serde_json::json!({ "AuthenticationResult": {
                "AccessToken": "injected-fault", "ExpiresIn": 3600, "TokenType": "Bearer" } }),
        ),
        _ => (
            "application/json",
            serde_json::json!({ "message": "Injected fault: malformed JSON." }),
        ),
    };
    let mut response = Response::new(Bytes::from(body.to_string()));
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    if let Ok(value) = http::HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    malformed_json(response)
}

/// The answer `response` becomes under [`Fault::MalformedJson`]: status 200, the same headers,
/// the first half of the body (at a UTF-8 boundary, trailing whitespace ignored), never valid
/// JSON (a half that still parses, such as `12` from `12345`, gets a `{` in front).
pub(crate) fn malformed_json(response: Response<Bytes>) -> Response<Bytes> {
    let (mut parts, body) = response.into_parts();
    parts.status = StatusCode::OK;
    let trimmed = body.trim_ascii_end();
    let mut cut = trimmed.len() / 2;
    if let Ok(text) = std::str::from_utf8(trimmed) {
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
    }
    let half = trimmed.get(..cut).unwrap_or_default();
    let spoiled = if half.is_empty() {
        Bytes::from_static(b"{")
    } else if serde_json::from_slice::<serde::de::IgnoredAny>(half).is_ok() {
        Bytes::from([b"{".as_slice(), half].concat())
    } else {
        body.slice_ref(half)
    };
    Response::from_parts(parts, spoiled)
}

/// Requests received per operation. Cheap to clone; clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct RequestCounters {
    counts: Arc<Mutex<HashMap<String, u64>>>,
}

impl RequestCounters {
    pub(crate) fn bump(&self, operation: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry(operation.to_owned()).or_default() += 1;
    }

    /// Requests received for `operation` (including failed and fault-injected ones).
    pub fn get(&self, operation: &str) -> u64 {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(operation).copied().unwrap_or(0)
    }

    /// Requests received in all.
    pub fn total(&self) -> u64 {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .sum()
    }

    /// Every operation's count.
    pub fn snapshot(&self) -> HashMap<String, u64> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets every count back to zero.
    pub fn reset(&self) {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_consumed_in_order() {
        let faults = Faults::default();
        faults.inject_times("InitiateAuth", Fault::Throttle, 2);
        faults.inject("InitiateAuth", Fault::InternalError);
        assert_eq!(faults.take("SignUp"), None);
        assert_eq!(faults.take("InitiateAuth"), Some(Fault::Throttle));
        assert_eq!(faults.take("InitiateAuth"), Some(Fault::Throttle));
        assert_eq!(faults.take("InitiateAuth"), Some(Fault::InternalError));
        assert_eq!(faults.take("InitiateAuth"), None);
        faults.inject_always("*", Fault::DropConnection);
        assert_eq!(faults.take("GetId"), Some(Fault::DropConnection));
        assert_eq!(faults.take("GetId"), Some(Fault::DropConnection));
        faults.clear();
        assert_eq!(faults.take("GetId"), None);
    }

    #[test]
    fn malformed_json_is_a_200_with_the_same_headers_and_no_json() {
        fn spoil(status: StatusCode, body: &'static str) -> Response<Bytes> {
            let mut response = Response::new(Bytes::from_static(body.as_bytes()));
            *response.status_mut() = status;
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            malformed_json(response)
        }
        for (status, body, expected) in [
            (
                StatusCode::OK,
                r#"{"AuthenticationResult":{"AccessToken":"eyJ.x.y"}}"#,
                r#"{"AuthenticationResult":{"#,
            ),
            (StatusCode::BAD_REQUEST, r#"{"__type":"X"}"#, r#"{"__typ"#),
            (StatusCode::OK, "{}\n\n\n\n", "{"),
            (StatusCode::OK, "", "{"),
            (StatusCode::OK, "12345", "{12"),
            (StatusCode::OK, r#"["é"]"#, "[\""),
        ] {
            let spoiled = spoil(status, body);
            assert_eq!(spoiled.status(), StatusCode::OK, "{body}");
            assert_eq!(
                spoiled.headers()[http::header::CONTENT_TYPE],
                "application/x-amz-json-1.1"
            );
            assert_eq!(spoiled.body().as_ref(), expected.as_bytes(), "{body}");
            assert!(
                serde_json::from_slice::<serde_json::Value>(spoiled.body()).is_err(),
                "{body}"
            );
        }
    }

    #[test]
    fn malformed_json_answers_keep_the_operations_content_type() {
        for (operation, content_type, start) in [
            (
                "GetUser",
                "application/x-amz-json-1.1",
                "{\"AuthenticationResult\":",
            ),
            ("graphql", "application/json; charset=UTF-8", "{\"data\":"),
            ("rest", "application/json; charset=UTF-8", "{\"message\":"),
            ("jwks", "application/json", "{\"message\":"),
        ] {
            let response = malformed_json_response(operation, "req-1");
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.headers()[http::header::CONTENT_TYPE], content_type);
            assert_eq!(response.headers()["x-amzn-requestid"], "req-1");
            assert!(response.body().starts_with(start.as_bytes()), "{operation}");
            assert!(serde_json::from_slice::<serde_json::Value>(response.body()).is_err());
        }
    }

    #[test]
    fn counters_count() {
        let c = RequestCounters::default();
        c.bump("GetId");
        c.bump("GetId");
        c.bump("SignUp");
        assert_eq!(c.get("GetId"), 2);
        assert_eq!(c.total(), 3);
        c.reset();
        assert_eq!(c.get("GetId"), 0);
    }
}
