//! Sans-IO derivations for the realtime endpoint: its URL, and the authorization headers of the
//! connection (sent in the `header-<base64url>` subprotocol) and of each `start`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Uri};

use crate::auth::{self, Credential, SigningContext};
use crate::endpoint::PreparedEndpoint;
use crate::error::ApiError;
use crate::request::merge_headers;

/// The WebSocket subprotocol AppSync speaks.
pub(crate) const GRAPHQL_WS: &str = "graphql-ws";

/// The realtime URL of a GraphQL endpoint:
///
/// * `https://X.appsync-api.R.amazonaws.com/graphql` → `wss://X.appsync-realtime-api.R.amazonaws.com/graphql`
/// * another `https` host (a custom domain) → `wss://<host>/<path>/realtime`
/// * `http` (the local emulator) → `ws://<host>/<path>/realtime`
///
/// # Errors
///
/// [`ApiError::Configuration`] when the URL has no host or another scheme.
pub(crate) fn realtime_uri(endpoint: &Uri) -> Result<Uri, ApiError> {
    let authority = endpoint
        .authority()
        .ok_or_else(|| ApiError::configuration(None, "the GraphQL URL has no host"))?;
    let path = endpoint.path().trim_end_matches('/');
    let (scheme, host, path) = match endpoint.scheme_str() {
        Some("https") if authority.host().contains(".appsync-api.") => (
            "wss",
            authority
                .as_str()
                .replacen(".appsync-api.", ".appsync-realtime-api.", 1),
            path.to_owned(),
        ),
        Some("https") => (
            "wss",
            authority.as_str().to_owned(),
            format!("{path}/realtime"),
        ),
        Some("http") => (
            "ws",
            authority.as_str().to_owned(),
            format!("{path}/realtime"),
        ),
        _ => {
            return Err(ApiError::configuration(
                None,
                "the GraphQL URL must be http or https to derive its realtime URL",
            ));
        }
    };
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    format!("{scheme}://{host}{path}")
        .parse()
        .map_err(|e| ApiError::configuration_with(None, "the realtime URL is not valid", e))
}

/// What the authorization is for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose<'a> {
    /// The connection: a canonical `POST <graphql url>/connect` with body `{}`.
    Connect,
    /// A subscription's `start`: a `POST <graphql url>` whose body is the `data` string.
    Start { data: &'a str },
}

/// The authorization headers, as the JSON object AppSync reads: the canonical request's `accept`,
/// `content-encoding`, `content-type` and `host`, then what `credential` adds (`x-api-key`,
/// `Authorization`, or SigV4's `x-amz-date`, `X-Amz-Security-Token` and `Authorization` signed
/// over those headers and the body), then the caller's `headers` (for a `start`).
///
/// # Errors
///
/// [`ApiError::Signing`] when IAM signing fails; [`ApiError::Configuration`] for an endpoint
/// whose URL cannot be extended.
pub(crate) fn authorization<'s>(
    credential: &Credential,
    endpoint: &PreparedEndpoint,
    purpose: Purpose<'_>,
    headers: HeaderMap,
    signing: impl FnOnce() -> SigningContext<'s>,
) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    let (uri, body) = match purpose {
        Purpose::Connect => {
            let path = format!("{}/connect", endpoint.uri.path().trim_end_matches('/'));
            let mut parts = endpoint.uri.clone().into_parts();
            parts.path_and_query = Some(path.parse().map_err(|e| {
                ApiError::configuration_with(None, "the connect URL is not valid", e)
            })?);
            let uri = Uri::from_parts(parts).map_err(|e| {
                ApiError::configuration_with(None, "the connect URL is not valid", e)
            })?;
            (uri, Bytes::from_static(b"{}"))
        }
        Purpose::Start { data } => (
            endpoint.uri.clone(),
            Bytes::copy_from_slice(data.as_bytes()),
        ),
    };
    let mut request = Request::new(body);
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri;
    let h = request.headers_mut();
    h.insert(
        http::header::ACCEPT,
        HeaderValue::from_static("application/json, text/javascript"),
    );
    h.insert(
        http::header::CONTENT_ENCODING,
        HeaderValue::from_static("amz-1.0"),
    );
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    h.insert(http::header::HOST, endpoint.host.clone());
    merge_headers(h, headers);
    auth::apply(credential, &mut request, signing)?;
    let mut map = serde_json::Map::new();
    for (name, value) in request.headers() {
        let Ok(value) = value.to_str() else {
            continue;
        };
        let key = match name.as_str() {
            "authorization" => "Authorization",
            "x-amz-security-token" => "X-Amz-Security-Token",
            other => other,
        };
        map.insert(key.to_owned(), serde_json::Value::String(value.to_owned()));
    }
    Ok(map)
}

/// The `header-<base64url(JSON)>` subprotocol (no padding) that carries the connection's
/// authorization.
pub(crate) fn header_subprotocol(headers: &serde_json::Map<String, serde_json::Value>) -> String {
    let json = serde_json::to_vec(headers).unwrap_or_default();
    format!("header-{}", URL_SAFE_NO_PAD.encode(json))
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
