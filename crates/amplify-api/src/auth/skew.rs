//! Recognizing SigV4 rejections caused by clock skew. The offset itself lives in the
//! [`SkewCorrectedClock`](amplify_core::time::SkewCorrectedClock) shared with the other
//! categories.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

/// SigV4 accepts signatures up to 5 minutes off; a rejection with a bigger difference is skew.
const TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Error codes AWS services use for time-related signature rejections.
const SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "BadRequestException",
    "UnauthorizedException",
];

/// Phrases of time-related signature rejections.
const SKEW_PHRASES: &[&str] = &[
    "Signature expired",
    "Signature not yet current",
    "RequestTimeTooSkewed",
    "too skewed",
];

/// When a response rejects a signature made at `signed_at` because of the clock, the server's
/// time (from its `Date` header); `None` for any other response.
pub(crate) fn server_time_if_skewed(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    signed_at: SystemTime,
) -> Option<SystemTime> {
    if !matches!(status.as_u16(), 400 | 401 | 403) {
        return None;
    }
    let server = headers
        .get(http::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())?;
    let difference = match server.duration_since(signed_at) {
        Ok(d) => d,
        Err(e) => e.duration(),
    };
    if difference <= TOLERANCE {
        return None;
    }
    let header_code = headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(':').next());
    let body_text = std::str::from_utf8(body).unwrap_or_default();
    let coded = header_code.is_some_and(|c| SKEW_CODES.contains(&c))
        || SKEW_CODES.iter().any(|c| body_text.contains(c));
    let phrased = SKEW_PHRASES.iter().any(|p| body_text.contains(p));
    (coded || phrased).then_some(server)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use std::time::UNIX_EPOCH;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn dated(time: SystemTime) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::DATE,
            HeaderValue::from_str(&httpdate::fmt_http_date(time)).unwrap(),
        );
        h
    }

    #[test]
    fn appsync_and_api_gateway_skew_rejections_are_recognized() {
        let signed = at(1_700_000_000);
        let server = at(1_700_003_600);
        let appsync = br#"{"errors":[{"errorType":"InvalidSignatureException","message":"Signature expired: 20231114T221320Z is now earlier than 20231114T231820Z"}]}"#;
        assert_eq!(
            server_time_if_skewed(StatusCode::UNAUTHORIZED, &dated(server), appsync, signed),
            Some(server)
        );
        let mut apigw = dated(server);
        apigw.insert(
            "x-amzn-errortype",
            HeaderValue::from_static("InvalidSignatureException:http://internal.amazon.com/"),
        );
        assert_eq!(
            server_time_if_skewed(
                StatusCode::FORBIDDEN,
                &apigw,
                br#"{"message":"..."}"#,
                signed
            ),
            Some(server)
        );
        let future = br#"{"message":"Signature not yet current: 20231114T221320Z is still later than 20231114T211820Z"}"#;
        let behind = at(1_699_996_400);
        assert_eq!(
            server_time_if_skewed(StatusCode::FORBIDDEN, &dated(behind), future, signed),
            Some(behind)
        );
    }

    #[test]
    fn other_failures_are_not_skew() {
        let signed = at(1_700_000_000);
        let server = at(1_700_003_600);
        let body = br#"{"errors":[{"errorType":"InvalidSignatureException","message":"Signature expired"}]}"#;
        // Not a rejection status.
        assert_eq!(
            server_time_if_skewed(StatusCode::OK, &dated(server), body, signed),
            None
        );
        // No Date header.
        assert_eq!(
            server_time_if_skewed(StatusCode::UNAUTHORIZED, &HeaderMap::new(), body, signed),
            None
        );
        // Within SigV4's tolerance: the signature is wrong for another reason.
        assert_eq!(
            server_time_if_skewed(
                StatusCode::FORBIDDEN,
                &dated(at(1_700_000_100)),
                body,
                signed
            ),
            None
        );
        // Far off, but about something else.
        assert_eq!(
            server_time_if_skewed(
                StatusCode::FORBIDDEN,
                &dated(server),
                br#"{"errors":[{"errorType":"AccessDenied","message":"nope"}]}"#,
                signed
            ),
            None
        );
    }
}
