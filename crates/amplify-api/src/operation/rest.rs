//! REST calls: [`RestOperation`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use amplify_core::AuthorizationType;
use amplify_core::config::EndpointType;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Uri};
use serde::Serialize;
use tracing::Instrument;

use crate::auth::SigningService;
use crate::endpoint::PreparedEndpoint;
use crate::error::ApiError;
use crate::request::{
    Dispatcher, RequestHeaders, header_room, merge_headers, status_error, user_agent,
};
use crate::response::HttpResponse;

/// A REST request being built; run it with [`send`](Self::send).
///
/// Created by [`ApiPlugin::get`](crate::ApiPlugin::get), [`head`](crate::ApiPlugin::head),
/// [`post`](crate::ApiPlugin::post), [`put`](crate::ApiPlugin::put),
/// [`patch`](crate::ApiPlugin::patch) and [`delete`](crate::ApiPlugin::delete). The
/// path is appended to the REST API's URL (`https://x.execute-api.../dev` + `/items`).
///
/// # Examples
///
/// ```no_run
/// # async fn run(api: amplify_api::ApiPlugin) -> Result<(), amplify_api::ApiError> {
/// let response = api
///     .post("/items")
///     .api_name("items")
///     .query_param("dry_run", "true")
///     .header("x-request-source", "docs")
///     .json(&serde_json::json!({ "name": "milk" }))
///     .send()
///     .await?;
/// let created: serde_json::Value = response.json()?;
/// # let _ = created;
/// # Ok(()) }
/// ```
#[must_use = "a REST operation does nothing until `send` is awaited"]
pub struct RestOperation {
    dispatcher: Arc<Dispatcher>,
    method: Method,
    path: String,
    api_name: Option<String>,
    mode: Option<AuthorizationType>,
    query: Vec<(String, String)>,
    headers: RequestHeaders,
    body: Result<Bytes, serde_json::Error>,
    json: bool,
    timeout: Option<Duration>,
}

impl fmt::Debug for RestOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestOperation")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("api_name", &self.api_name)
            .field("authorization_mode", &self.mode)
            .field("query_params", &self.query.len())
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map(Bytes::len).ok())
            .finish_non_exhaustive()
    }
}

impl RestOperation {
    pub(crate) fn new(dispatcher: Arc<Dispatcher>, method: Method, path: String) -> Self {
        Self {
            dispatcher,
            method,
            path,
            api_name: None,
            mode: None,
            query: Vec::new(),
            headers: RequestHeaders::default(),
            body: Ok(Bytes::new()),
            json: false,
            timeout: None,
        }
    }

    /// The REST API to call (`apiName`); the default REST API when not set.
    pub fn api_name(mut self, name: impl Into<String>) -> Self {
        self.api_name = Some(name.into());
        self
    }

    /// Sets or clears the API name.
    pub fn set_api_name(mut self, name: Option<String>) -> Self {
        self.api_name = name;
        self
    }

    /// Overrides the API's authorization mode for this request.
    pub fn authorization_mode(mut self, mode: AuthorizationType) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Sets or clears the authorization mode override.
    pub fn set_authorization_mode(mut self, mode: Option<AuthorizationType>) -> Self {
        self.mode = mode;
        self
    }

    /// Adds a query parameter (percent-encoded for you).
    pub fn query_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds several query parameters.
    pub fn query_params<K, V>(mut self, params: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.query
            .extend(params.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Adds a header. An `Authorization` header set here is sent as is and no other
    /// authorization is added. An invalid name or value is reported by [`send`](Self::send).
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.headers.append(name.as_ref(), value.as_ref());
        self
    }

    /// Adds already-typed headers.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        self.headers.extend(headers);
        self
    }

    /// The request body, sent as is (set `content-type` with [`header`](Self::header)).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Ok(body.into());
        self.json = false;
        self
    }

    /// A JSON body; `content-type: application/json` is added unless a content type was set. A
    /// serialization failure is reported by [`send`](Self::send).
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.body = serde_json::to_vec(body).map(Bytes::from);
        self.json = true;
        self
    }

    /// The time allowed for sending the request and reading the response.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends the request. IAM requests are signed for `execute-api` with an unsigned payload.
    ///
    /// # Errors
    ///
    /// An [`ApiError`] when the request could not be built, authorized or sent, and for every
    /// non-2xx status ([`ApiError::Unauthorized`] for 401 and 403, [`ApiError::HttpStatus`]
    /// otherwise), which carries the whole response.
    pub async fn send(self) -> Result<HttpResponse, ApiError> {
        let span = tracing::debug_span!(
            "amplify.api.rest",
            method = %self.method,
            api = tracing::field::Empty,
            mode = tracing::field::Empty,
        );
        self.run(span.clone()).instrument(span).await
    }

    async fn run(self, span: tracing::Span) -> Result<HttpResponse, ApiError> {
        let state = self.dispatcher.state()?;
        let endpoint = state.endpoint(EndpointType::Rest, self.api_name.as_deref())?;
        let mode = self.mode.unwrap_or(endpoint.default_mode);
        span.record("api", endpoint.name.as_str());
        span.record("mode", mode.as_str());

        let user_headers = self.headers.into_map()?;
        let body = self
            .body
            .map_err(|e| ApiError::invalid_request_with("the body could not be serialized", e))?;
        let uri = build_uri(&endpoint, &self.path, &self.query)?;

        let mut request = http::Request::new(body);
        *request.method_mut() = self.method;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.reserve(header_room(mode, SigningService::ExecuteApi) + user_headers.len());
        headers.insert(http::header::HOST, endpoint.host.clone());
        headers.insert(http::header::USER_AGENT, user_agent());
        if self.json {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        merge_headers(headers, user_headers);

        let response = self
            .dispatcher
            .dispatch(
                &state,
                &endpoint,
                mode,
                SigningService::ExecuteApi,
                request,
                self.timeout,
            )
            .await?;
        let status = response.status();
        let response = HttpResponse::from_http(response);
        if status.is_success() {
            tracing::debug!(status = status.as_u16(), "rest response");
            return Ok(response);
        }
        tracing::debug!(status = status.as_u16(), "rest request failed");
        Err(status_error(&endpoint.name, response, Vec::new()))
    }
}

/// The API's URL + `path` + the encoded query.
fn build_uri(
    endpoint: &PreparedEndpoint,
    path: &str,
    query: &[(String, String)],
) -> Result<Uri, ApiError> {
    let mut path_and_query = String::with_capacity(endpoint.base_path.len() + path.len() + 32);
    path_and_query.push_str(&endpoint.base_path);
    if !path.is_empty() && !path.starts_with('/') {
        path_and_query.push('/');
    }
    path_and_query.push_str(path);
    if path_and_query.is_empty() || path_and_query.starts_with('?') {
        path_and_query.insert(0, '/');
    }
    let mut separator = if path_and_query.contains('?') {
        '&'
    } else {
        '?'
    };
    for (name, value) in query {
        path_and_query.push(separator);
        separator = '&';
        percent_encode_into(&mut path_and_query, name);
        path_and_query.push('=');
        percent_encode_into(&mut path_and_query, value);
    }
    let mut parts = endpoint.uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().map_err(|e| {
        ApiError::invalid_request_with(format!("`{path}` is not a valid URI path"), e)
    })?);
    Uri::from_parts(parts)
        .map_err(|e| ApiError::invalid_request_with(format!("`{path}` is not a valid URI path"), e))
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode_into(out: &mut String, value: &str) {
    use std::fmt::Write as _;
    for byte in value.bytes() {
        // The same set the SigV4 fast path accepts unencoded.
        if crate::auth::sigv4::is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amplify_core::config::AmplifyConfig;

    fn endpoint(url: &str) -> std::sync::Arc<PreparedEndpoint> {
        let json = format!(
            r#"{{"api": {{"plugins": {{"awsAPIPlugin": {{"r": {{"endpointType": "REST", "endpoint": "{url}", "region": "us-east-1", "authorizationType": "NONE"}}}}}}}}}}"#
        );
        let config = AmplifyConfig::from_json(&json).unwrap();
        let endpoints = crate::endpoint::Endpoints::new(&config).unwrap();
        endpoints.get(EndpointType::Rest, None).unwrap()
    }

    #[test]
    fn paths_join_the_stage_and_queries_are_encoded() {
        let ep = endpoint("https://abc.execute-api.us-east-1.amazonaws.com/dev/");
        let uri = build_uri(&ep, "/items", &[]).unwrap();
        assert_eq!(
            uri.to_string(),
            "https://abc.execute-api.us-east-1.amazonaws.com/dev/items"
        );
        let uri = build_uri(
            &ep,
            "items/1",
            &[
                ("q".into(), "a b&c=d/é".into()),
                ("limit".into(), "10".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            uri.path_and_query().unwrap().as_str(),
            "/dev/items/1?q=a%20b%26c%3Dd%2F%C3%A9&limit=10"
        );
        let uri = build_uri(&ep, "/x?a=1", &[("b".into(), "2".into())]).unwrap();
        assert_eq!(uri.path_and_query().unwrap().as_str(), "/dev/x?a=1&b=2");
    }

    #[test]
    fn root_endpoints_and_invalid_paths() {
        let ep = endpoint("http://127.0.0.1:9/");
        assert_eq!(build_uri(&ep, "", &[]).unwrap().path(), "/");
        assert_eq!(build_uri(&ep, "/a", &[]).unwrap().path(), "/a");
        assert!(matches!(
            build_uri(&ep, "/has space", &[]),
            Err(ApiError::InvalidRequest(_))
        ));
    }
}
