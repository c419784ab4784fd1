//! [`HttpResponse`]: a fully read HTTP response (REST results and error responses).
//!
//! Decoding its body ([`HttpResponse::text`], [`HttpResponse::json`]) lives in
//! [`decode`](crate::decode), above [`error`](crate::error), because the errors carry responses:
//! this module imports nothing else of the crate.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, StatusCode};

/// `x-amzn-RequestId`, the request id of AppSync and of most AWS services.
pub(crate) const X_AMZN_REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// Where a response's request id may be, in order (see [`HttpResponse::request_id`]).
const REQUEST_ID_HEADERS: [HeaderName; 3] = [
    X_AMZN_REQUEST_ID,
    HeaderName::from_static("x-amz-request-id"),
    HeaderName::from_static("x-amz-apigw-id"),
];

/// A complete HTTP response: status, headers and the whole body.
///
/// REST calls return it for 2xx statuses; [`ApiError::Unauthorized`](crate::ApiError::Unauthorized) and
/// [`ApiError::HttpStatus`](crate::ApiError::HttpStatus) carry it for the others. `Debug` shows the body's length only.
#[derive(Clone)]
pub struct HttpResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl HttpResponse {
    /// A response (mostly for tests and interceptors).
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers,
            body: body.into(),
        }
    }

    pub(crate) fn from_http(response: http::Response<Bytes>) -> Self {
        let (parts, body) = response.into_parts();
        Self {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body, by value.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// The service's request id (`x-amzn-RequestId`, or API Gateway's `x-amzn-requestid` /
    /// `x-amz-apigw-id`).
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.headers.get(name))
            .and_then(|v| v.to_str().ok())
    }

    /// The `x-amzn-ErrorType` header without its `:` suffix (`InvalidSignatureException`).
    pub fn error_type(&self) -> Option<&str> {
        self.headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v))
            .filter(|v| !v.is_empty())
    }
}

/// Headers whose values `Debug` never shows: servers set cookies and may echo credentials.
const REDACTED_HEADERS: &[&str] = &[
    "set-cookie",
    "cookie",
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "x-amz-security-token",
];

/// `Debug` for a header map with the values of [`REDACTED_HEADERS`] (and of values marked
/// sensitive) replaced by `[redacted]`.
struct RedactedHeaders<'a>(&'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || REDACTED_HEADERS.contains(&name.as_str()) {
                map.entry(name, &"[redacted]");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// Shows the status, the headers with credential and cookie values redacted, and the body's
/// length.
impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_cookies_and_echoed_credentials() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("set-cookie", "session=SECRET-COOKIE; HttpOnly"),
            ("cookie", "a=SECRET-REQUEST-COOKIE"),
            ("authorization", "SECRET-TOKEN"),
            ("x-api-key", "SECRET-KEY"),
            ("x-amz-security-token", "SECRET-SESSION"),
            ("x-amzn-requestid", "req-visible"),
        ] {
            headers.append(name, http::HeaderValue::from_static(value));
        }
        let mut marked = http::HeaderValue::from_static("SECRET-MARKED");
        marked.set_sensitive(true);
        headers.append("x-custom", marked);
        let shown = format!("{:?}", HttpResponse::new(StatusCode::OK, headers, "body"));
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("req-visible"), "{shown}");
        assert!(shown.contains("\"set-cookie\": \"[redacted]\""), "{shown}");
        assert!(shown.contains("body_len: 4"), "{shown}");
    }
}
