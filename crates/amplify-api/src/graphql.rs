//! GraphQL queries and mutations: [`GraphQlOperation`] and its [`GraphQlResponse`].

pub(crate) mod codec;

use std::fmt;
use std::time::Duration;

use amplify_core::AuthorizationType;
use amplify_core::config::EndpointType;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use tracing::Instrument;

use crate::client::{ApiPlugin, RequestHeaders, SigningService};
use crate::error::{ApiError, StatusFailure};
use crate::response::HttpResponse;

/// One entry of a GraphQL response's `errors` list.
///
/// AppSync adds `errorType` and `errorInfo` to the standard `message`, `locations`, `path` and
/// `extensions`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GraphQlError {
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// Where in the document.
    #[serde(default, deserialize_with = "null_as_default")]
    pub locations: Vec<GraphQlErrorLocation>,
    /// The response field the error is about (`["getTodo", 0, "owner"]`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub path: Vec<GraphQlPathSegment>,
    /// AppSync's error type (`Unauthorized`, `DynamoDB:ConditionalCheckFailedException`, ...).
    #[serde(rename = "errorType", default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// AppSync's `errorInfo` (data a resolver attached to the error).
    #[serde(rename = "errorInfo", default, skip_serializing_if = "Option::is_none")]
    pub error_info: Option<serde_json::Value>,
    /// The standard `extensions` map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<serde_json::Map<String, serde_json::Value>>,
}

impl fmt::Display for GraphQlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error_type {
            Some(t) => write!(f, "{t}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A position in a GraphQL document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GraphQlErrorLocation {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A step of a GraphQL error's `path`: a field name or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(untagged)]
pub enum GraphQlPathSegment {
    /// A list index.
    Index(u64),
    /// A field name (or alias).
    Field(String),
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The result of a query or mutation that reached the API and got a 2xx answer.
///
/// GraphQL errors (including partial results) are in [`errors`](Self::errors); they are not an
/// [`ApiError`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GraphQlResponse<T> {
    /// The data (or the value at the request's decode path), decoded into `T`; `None` when the
    /// response had no data or the value was `null`.
    pub data: Option<T>,
    /// The GraphQL errors, empty when there were none.
    pub errors: Vec<GraphQlError>,
    request_id: Option<String>,
    status: StatusCode,
}

impl<T> GraphQlResponse<T> {
    /// Whether the response carried GraphQL errors.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// AppSync's request id (`x-amzn-RequestId`), for support cases.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The data and the errors, by value.
    pub fn into_parts(self) -> (Option<T>, Vec<GraphQlError>) {
        (self.data, self.errors)
    }
}

/// Query or mutation (only the tracing span and logs differ; both are a POST to the endpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OperationKind {
    Query,
    Mutation,
}

impl OperationKind {
    fn as_str(self) -> &'static str {
        match self {
            OperationKind::Query => "query",
            OperationKind::Mutation => "mutation",
        }
    }
}

/// A GraphQL query or mutation being built; run it with [`send`](Self::send).
///
/// Created by [`ApiPlugin::query`] and [`ApiPlugin::mutate`]. Setter errors (an invalid header,
/// variables that do not serialize) are reported by `send`.
///
/// # Examples
///
/// ```no_run
/// # async fn run(api: amplify_api::ApiPlugin) -> Result<(), amplify_api::ApiError> {
/// use amplify_core::AuthorizationType;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Todo { id: String, name: String }
///
/// let response = api
///     .query("query Get($id: ID!) { getTodo(id: $id) { id name } }")
///     .variables(serde_json::json!({ "id": "t1" }))
///     .api_name("todos")
///     .authorization_mode(AuthorizationType::ApiKey)
///     .header("x-trace", "abc")
///     .decode_path("getTodo")
///     .send::<Todo>()
///     .await?;
/// if let Some(todo) = response.data {
///     println!("{}: {}", todo.id, todo.name);
/// }
/// for error in &response.errors {
///     eprintln!("{error}");
/// }
/// # Ok(()) }
/// ```
#[must_use = "a GraphQL operation does nothing until `send` is awaited"]
pub struct GraphQlOperation {
    client: ApiPlugin,
    kind: OperationKind,
    document: String,
    variables: Option<Result<serde_json::Value, serde_json::Error>>,
    operation_name: Option<String>,
    api_name: Option<String>,
    mode: Option<AuthorizationType>,
    headers: RequestHeaders,
    decode_path: Option<String>,
    timeout: Option<Duration>,
}

impl fmt::Debug for GraphQlOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphQlOperation")
            .field("kind", &self.kind)
            .field("operation_name", &self.operation_name)
            .field("api_name", &self.api_name)
            .field("authorization_mode", &self.mode)
            .field("headers", &self.headers)
            .field("decode_path", &self.decode_path)
            .finish_non_exhaustive()
    }
}

impl GraphQlOperation {
    pub(crate) fn new(client: ApiPlugin, kind: OperationKind, document: String) -> Self {
        Self {
            client,
            kind,
            document,
            variables: None,
            operation_name: None,
            api_name: None,
            mode: None,
            headers: RequestHeaders::default(),
            decode_path: None,
            timeout: None,
        }
    }

    /// The variables, as a JSON object (`serde_json::json!({"id": "1"})`).
    pub fn variables(mut self, variables: impl Into<serde_json::Value>) -> Self {
        self.variables = Some(Ok(variables.into()));
        self
    }

    /// Sets or clears the variables.
    pub fn set_variables(mut self, variables: Option<serde_json::Value>) -> Self {
        self.variables = variables.map(Ok);
        self
    }

    /// The variables, from any serializable value (a struct with the variables as fields). A
    /// serialization failure is reported by [`send`](Self::send).
    pub fn variables_from<V: Serialize + ?Sized>(mut self, variables: &V) -> Self {
        self.variables = Some(serde_json::to_value(variables));
        self
    }

    /// The `operationName`, for documents with several operations.
    pub fn operation_name(mut self, name: impl Into<String>) -> Self {
        self.operation_name = Some(name.into());
        self
    }

    /// Sets or clears the `operationName`.
    pub fn set_operation_name(mut self, name: Option<String>) -> Self {
        self.operation_name = name;
        self
    }

    /// The API to call (`apiName`); the default GraphQL API when not set.
    pub fn api_name(mut self, name: impl Into<String>) -> Self {
        self.api_name = Some(name.into());
        self
    }

    /// Sets or clears the API name.
    pub fn set_api_name(mut self, name: Option<String>) -> Self {
        self.api_name = name;
        self
    }

    /// The authorization mode (`authorizationMode`); the API's default mode when not set.
    pub fn authorization_mode(mut self, mode: AuthorizationType) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Sets or clears the authorization mode.
    pub fn set_authorization_mode(mut self, mode: Option<AuthorizationType>) -> Self {
        self.mode = mode;
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

    /// A dot-separated path inside `data` to decode instead of `data` itself (`getTodo`,
    /// `listTodos.items`, `listTodos.items.0`). A missing or `null` value gives `data: None`.
    pub fn decode_path(mut self, path: impl Into<String>) -> Self {
        self.decode_path = Some(path.into());
        self
    }

    /// Sets or clears the decode path.
    pub fn set_decode_path(mut self, path: Option<String>) -> Self {
        self.decode_path = path;
        self
    }

    /// The time allowed for sending the request and reading the response (the plugin's request
    /// timeout when not set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends the operation and decodes `data` (or the value at the decode path) into `T`. Use
    /// `serde_json::Value` for raw JSON.
    ///
    /// # Errors
    ///
    /// An [`ApiError`] when the request could not be built, authorized or sent, when the server
    /// answered with a non-2xx status ([`ApiError::Unauthorized`] for 401 and 403), or when the
    /// data could not be decoded into `T` ([`ApiError::Decode`], which keeps the GraphQL errors).
    /// GraphQL errors of a 2xx response are returned in [`GraphQlResponse::errors`]. Unlike
    /// Amplify Flutter, an AppSync 401/403 is an error (its GraphQL errors are available through
    /// [`ApiError::graphql_errors`]), so authorization failures cannot be mistaken for data.
    pub async fn send<T: DeserializeOwned>(self) -> Result<GraphQlResponse<T>, ApiError> {
        let span = tracing::debug_span!(
            "amplify.api.graphql",
            operation = self.kind.as_str(),
            api = tracing::field::Empty,
            mode = tracing::field::Empty,
        );
        self.run::<T>(span.clone()).instrument(span).await
    }

    /// Sends the operation and returns the data (or the value at the decode path) as its raw
    /// JSON text, like Amplify's `GraphQLRequest<String>`.
    ///
    /// # Errors
    ///
    /// As for [`send`](Self::send).
    pub async fn send_raw(self) -> Result<GraphQlResponse<String>, ApiError> {
        let response = self.send::<Box<serde_json::value::RawValue>>().await?;
        Ok(GraphQlResponse {
            data: response.data.map(|raw| raw.get().to_owned()),
            errors: response.errors,
            request_id: response.request_id,
            status: response.status,
        })
    }

    async fn run<T: DeserializeOwned>(
        self,
        span: tracing::Span,
    ) -> Result<GraphQlResponse<T>, ApiError> {
        let state = self.client.state()?;
        let endpoint = state.endpoint(EndpointType::GraphQl, self.api_name.as_deref())?;
        let mode = self.mode.unwrap_or(endpoint.default_mode);
        span.record("api", endpoint.name.as_str());
        span.record("mode", mode.as_str());

        let user_headers = self.headers.into_map()?;
        let variables = match self.variables {
            Some(Ok(v)) => Some(v),
            Some(Err(source)) => {
                return Err(ApiError::invalid_request_with(
                    "the variables could not be serialized",
                    source,
                ));
            }
            None => None,
        };
        let body = codec::encode_request(
            &self.document,
            variables.as_ref(),
            self.operation_name.as_deref(),
        )
        .map_err(|e| ApiError::invalid_request_with("the request body could not be encoded", e))?;

        let mut request = http::Request::new(Bytes::from(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = endpoint.uri.clone();
        let headers = request.headers_mut();
        headers.reserve(4 + user_headers.len());
        headers.insert(http::header::HOST, endpoint.host.clone());
        headers.insert(http::header::CONTENT_TYPE, json_content_type());
        headers.insert(http::header::USER_AGENT, crate::client::user_agent());
        merge_headers(headers, user_headers);

        let response = self
            .client
            .dispatch(
                &state,
                &endpoint,
                mode,
                SigningService::AppSync,
                request,
                self.timeout,
            )
            .await?;

        let status = response.status();
        let request_id = response
            .headers()
            .get("x-amzn-requestid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if !status.is_success() {
            let errors = codec::decode_errors(response.body());
            let failure = Box::new(StatusFailure::new(
                &endpoint.name,
                HttpResponse::from_http(response),
                errors,
            ));
            tracing::debug!(status = status.as_u16(), "graphql request failed");
            return Err(
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                    ApiError::Unauthorized(failure)
                } else {
                    ApiError::HttpStatus(failure)
                },
            );
        }
        let decoded = codec::decode_response::<T>(
            response.body(),
            self.decode_path.as_deref(),
            request_id.as_deref(),
        )
        .map_err(ApiError::Decode)?;
        tracing::debug!(
            errors = decoded.errors.len(),
            has_data = decoded.data.is_some(),
            "graphql response"
        );
        Ok(GraphQlResponse {
            data: decoded.data,
            errors: decoded.errors,
            request_id,
            status,
        })
    }
}

fn json_content_type() -> HeaderValue {
    HeaderValue::from_static("application/json; charset=utf-8")
}

/// Adds the caller's headers, replacing the defaults of the same name.
pub(crate) fn merge_headers(target: &mut HeaderMap, user: HeaderMap) {
    let mut last: Option<HeaderName> = None;
    for (name, value) in user {
        match name {
            Some(name) => {
                target.insert(name.clone(), value);
                last = Some(name);
            }
            None => {
                if let Some(name) = &last {
                    target.append(name.clone(), value);
                }
            }
        }
    }
}
