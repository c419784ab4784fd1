//! GraphQL queries and mutations: [`GraphQlOperation`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use amplify_core::AuthorizationType;
use amplify_core::config::EndpointType;
use bytes::Bytes;
use http::Method;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::auth::SigningService;
use crate::error::{ApiError, DecodeFailure};
use crate::graphql::{GraphQlResponse, codec};
use crate::request::{
    Dispatcher, RequestHeaders, header_room, json_content_type, merge_headers, status_error,
    user_agent,
};
use crate::response::{HttpResponse, X_AMZN_REQUEST_ID};

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
/// Created by [`ApiPlugin::query`](crate::ApiPlugin::query) and
/// [`ApiPlugin::mutate`](crate::ApiPlugin::mutate). Setter errors (an invalid header,
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
    dispatcher: Arc<Dispatcher>,
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

crate::operation::graphql_request_setters!(GraphQlOperation);

impl GraphQlOperation {
    pub(crate) fn new(dispatcher: Arc<Dispatcher>, kind: OperationKind, document: String) -> Self {
        Self {
            dispatcher,
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
        Ok(response.map_data(|raw| raw.get().to_owned()))
    }

    async fn run<T: DeserializeOwned>(
        self,
        span: tracing::Span,
    ) -> Result<GraphQlResponse<T>, ApiError> {
        let state = self.dispatcher.state()?;
        let endpoint = state.endpoint(EndpointType::GraphQl, self.api_name.as_deref())?;
        let mode = self.mode.unwrap_or(endpoint.default_mode);
        span.record("api", endpoint.name.as_str());
        span.record("mode", mode.as_str());

        let user_headers = self.headers.into_map()?;
        let body = encode_body(
            &self.document,
            self.variables,
            self.operation_name.as_deref(),
        )?;

        let mut request = http::Request::new(Bytes::from(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = endpoint.uri.clone();
        let headers = request.headers_mut();
        headers.reserve(header_room(mode, SigningService::AppSync) + user_headers.len());
        headers.insert(http::header::HOST, endpoint.host.clone());
        headers.insert(http::header::CONTENT_TYPE, json_content_type());
        headers.insert(http::header::USER_AGENT, user_agent());
        merge_headers(headers, user_headers);

        let response = self
            .dispatcher
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
            .get(X_AMZN_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if !status.is_success() {
            let errors = codec::decode_errors(response.body());
            tracing::debug!(status = status.as_u16(), "graphql request failed");
            return Err(status_error(
                &endpoint.name,
                HttpResponse::from_http(response),
                errors,
            ));
        }
        let decoded = codec::decode_response::<T>(response.body(), self.decode_path.as_deref())
            .map_err(|e| DecodeFailure::from_codec(*e, request_id.clone()))?;
        tracing::debug!(
            errors = decoded.errors.len(),
            has_data = decoded.data.is_some(),
            "graphql response"
        );
        Ok(GraphQlResponse::new(
            decoded.data,
            decoded.errors,
            request_id,
            status,
        ))
    }
}

/// The request body `{"query","variables","operationName"}`, reporting variables that did not
/// serialize.
pub(crate) fn encode_body(
    document: &str,
    variables: Option<Result<serde_json::Value, serde_json::Error>>,
    operation_name: Option<&str>,
) -> Result<Vec<u8>, ApiError> {
    let variables = match variables {
        Some(Ok(v)) => Some(v),
        Some(Err(source)) => {
            return Err(ApiError::invalid_request_with(
                "the variables could not be serialized",
                source,
            ));
        }
        None => None,
    };
    codec::encode_request(document, variables.as_ref(), operation_name)
        .map_err(|e| ApiError::invalid_request_with("the request body could not be encoded", e))
}
