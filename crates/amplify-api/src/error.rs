//! [`ApiError`], the one error type of the API category, and the context it carries.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use amplify_core::config::{ApiLookupError, EndpointType};
use amplify_core::{AmplifyError, AuthorizationType, BoxError, ProviderError, ProviderErrorKind};
use http::StatusCode;

use crate::graphql::GraphQlError;
use crate::graphql::codec::Undecodable;
use crate::response::HttpResponse;

mod subscription;

pub use subscription::{SubscriptionFailure, SubscriptionFailureKind};

/// Everything that can go wrong in an API call.
///
/// GraphQL errors in a successful (2xx) response are **not** an `ApiError`: they come back in
/// [`GraphQlResponse::errors`](crate::GraphQlResponse::errors). An `ApiError` means the call as a
/// whole failed: the request could not be built, authorized or sent, or the server answered with
/// an HTTP error status.
///
/// Every variant says whether retrying may help ([`AmplifyError::is_retryable`]) and how to fix
/// the problem ([`AmplifyError::recovery_suggestion`]). Transport failures also say whether the
/// request may have reached the server ([`TransportFailure::may_have_been_sent`]), which matters
/// before retrying a mutation.
///
/// ```
/// use amplify_api::ApiError;
/// use amplify_core::AmplifyError;
///
/// let err = ApiError::NotConfigured;
/// assert!(!err.is_retryable());
/// assert!(err.recovery_suggestion().is_some());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The plugin was used before Amplify (or [`ApiPlugin::configure_with`](crate::ApiPlugin::configure_with)) configured it.
    #[error("the API plugin has not been configured")]
    NotConfigured,
    /// The configuration cannot be used (for example API_KEY mode without an API key).
    #[error(transparent)]
    Configuration(ConfigurationError),
    /// No API of the requested kind has the requested name.
    #[error(transparent)]
    UnknownApi(ApiLookupFailure),
    /// Several APIs of the requested kind exist and the request named none.
    #[error(transparent)]
    AmbiguousApi(ApiLookupFailure),
    /// No API of the requested kind is configured at all.
    #[error(transparent)]
    NoApiConfigured(ApiLookupFailure),
    /// The request could not be built (an invalid header, path or query, or variables that do
    /// not serialize).
    #[error(transparent)]
    InvalidRequest(InvalidRequestError),
    /// The authorization provider for the mode could not supply a token or credentials (none
    /// registered, signed out, session expired, ...).
    #[error(transparent)]
    Provider(ProviderFailure),
    /// The request could not be signed with SigV4.
    #[error(transparent)]
    Signing(SigningFailure),
    /// A request interceptor rejected the request.
    #[error(transparent)]
    Interceptor(InterceptorFailure),
    /// The connection failed or broke; see [`TransportFailure::may_have_been_sent`].
    #[error(transparent)]
    Transport(TransportFailure),
    /// Connecting or waiting for the response took too long.
    #[error(transparent)]
    Timeout(TimeoutFailure),
    /// The server refused the request's authorization (HTTP 401 or 403), for example AppSync's
    /// `UnauthorizedException`. The response is available through [`StatusFailure::response`].
    #[error(transparent)]
    Unauthorized(Box<StatusFailure>),
    /// The server answered with another non-2xx status. The response is available through
    /// [`StatusFailure::response`].
    #[error(transparent)]
    HttpStatus(Box<StatusFailure>),
    /// A 2xx response could not be decoded (not JSON, or not the shape of the caller's type).
    #[error(transparent)]
    Decode(Box<DecodeFailure>),
    /// A GraphQL subscription ended with an error: rejected, not acknowledged, or its connection
    /// failed for good. It is the last item of the subscription's stream.
    #[error(transparent)]
    Subscription(Box<SubscriptionFailure>),
}

impl ApiError {
    /// The HTTP response of a status error ([`Unauthorized`](Self::Unauthorized) or
    /// [`HttpStatus`](Self::HttpStatus)).
    pub fn response(&self) -> Option<&HttpResponse> {
        match self {
            ApiError::Unauthorized(f) | ApiError::HttpStatus(f) => Some(f.response()),
            _ => None,
        }
    }

    /// The HTTP status of a status error.
    pub fn status(&self) -> Option<StatusCode> {
        self.response().map(HttpResponse::status)
    }

    /// The GraphQL errors an error response carried (AppSync puts them in 401 bodies too), or
    /// the errors of a 2xx response whose data could not be decoded.
    pub fn graphql_errors(&self) -> &[GraphQlError] {
        match self {
            ApiError::Unauthorized(f) | ApiError::HttpStatus(f) => f.graphql_errors(),
            ApiError::Decode(f) => f.graphql_errors(),
            ApiError::Subscription(f) => f.graphql_errors(),
            _ => &[],
        }
    }

    /// Whether the failure is about authorization: the server refused it (401/403), or no usable
    /// token or credentials were available.
    pub fn is_authorization_failure(&self) -> bool {
        match self {
            ApiError::Unauthorized(_) | ApiError::Provider(_) => true,
            ApiError::Subscription(f) => f.is_authorization_failure(),
            _ => false,
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        ApiError::InvalidRequest(InvalidRequestError {
            message: message.into(),
            source: None,
        })
    }

    pub(crate) fn invalid_request_with(
        message: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        ApiError::InvalidRequest(InvalidRequestError {
            message: message.into(),
            source: Some(source.into()),
        })
    }

    pub(crate) fn configuration(api: Option<&str>, message: impl Into<String>) -> Self {
        ApiError::Configuration(ConfigurationError {
            api: api.map(str::to_owned),
            message: message.into(),
            source: None,
        })
    }

    pub(crate) fn configuration_with(
        api: Option<&str>,
        message: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        ApiError::Configuration(ConfigurationError {
            api: api.map(str::to_owned),
            message: message.into(),
            source: Some(Arc::from(source.into())),
        })
    }

    pub(crate) fn from_lookup(err: ApiLookupError) -> Self {
        let failure = ApiLookupFailure::new(err);
        match &failure.source {
            ApiLookupError::Ambiguous { .. } => ApiError::AmbiguousApi(failure),
            ApiLookupError::NoneConfigured(_) => ApiError::NoApiConfigured(failure),
            _ => ApiError::UnknownApi(failure),
        }
    }
}

impl AmplifyError for ApiError {
    fn recovery_suggestion(&self) -> Option<String> {
        let text = match self {
            ApiError::NotConfigured => {
                "Add the ApiPlugin to Amplify and await `Amplify::configure` (or call `ApiPlugin::configure_with`) before making requests."
            }
            ApiError::Configuration(_) => {
                "Check the API entries of amplify_outputs.json / amplifyconfiguration.json (URL, region, authorization type, API key)."
            }
            ApiError::UnknownApi(_) => "Pass one of the configured API names with `api_name(..)`.",
            ApiError::AmbiguousApi(_) => {
                "Several APIs of this kind are configured: choose one with `api_name(..)`."
            }
            ApiError::NoApiConfigured(_) => {
                "Add a GraphQL (`data`) or REST API to the configuration, or check the request kind."
            }
            ApiError::InvalidRequest(_) => {
                "Fix the request: header names and values must be valid HTTP, paths must be valid URI paths."
            }
            ApiError::Provider(f) => return f.source.recovery_suggestion(),
            ApiError::Signing(_) => {
                "Check the AWS credentials the IAM provider returns and the API's region."
            }
            ApiError::Interceptor(_) => "See the interceptor's error for details.",
            ApiError::Transport(_) => {
                "Check the network connection and the endpoint URL, then try again."
            }
            ApiError::Timeout(_) => {
                "Try again later, or raise the timeout with `ApiPluginBuilder::request_timeout` or the request's `timeout`."
            }
            ApiError::Unauthorized(_) => {
                "Make sure the user is signed in and allowed to call this API, or use another authorization mode."
            }
            ApiError::HttpStatus(f) if f.is_retryable() => {
                "The service is unavailable or throttling: try again later."
            }
            ApiError::HttpStatus(_) => {
                "Check the request against the API; the response body says more."
            }
            ApiError::Decode(f) if f.reason() == DecodeReason::MalformedBody => {
                "The response body was cut or garbled on the way (often a proxy or a dropped connection): try again."
            }
            ApiError::Decode(_) => {
                "Check that the response type (and decode path) match the query's selection set."
            }
            ApiError::Subscription(f) if f.is_retryable() => {
                "Subscribe again later; check the network connection to the realtime endpoint."
            }
            ApiError::Subscription(_) => {
                "Check the subscription document, its variables and that the user may subscribe with this authorization mode."
            }
        };
        Some(text.to_owned())
    }

    fn code(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized(f) | ApiError::HttpStatus(f) => f.code(),
            ApiError::Provider(f) => f.source.code(),
            ApiError::Subscription(f) => f.code(),
            _ => None,
        }
    }

    fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized(f) | ApiError::HttpStatus(f) => f.response.request_id(),
            ApiError::Decode(f) => f.request_id.as_deref(),
            ApiError::Provider(f) => f.source.request_id(),
            _ => None,
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            ApiError::Transport(_) | ApiError::Timeout(_) => true,
            ApiError::HttpStatus(f) => f.is_retryable(),
            ApiError::Provider(f) => f.source.is_retryable(),
            ApiError::Subscription(f) => f.is_retryable(),
            ApiError::Decode(f) => f.reason() == DecodeReason::MalformedBody,
            _ => false,
        }
    }
}

/// The configuration cannot serve a request, or the plugin's settings cannot be used (an
/// unusable root certificate or proxy URI); the cause, when there is one, is the `source()`.
#[derive(Debug, Clone)]
pub struct ConfigurationError {
    api: Option<String>,
    message: String,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl ConfigurationError {
    /// The API the problem is about, when it is about one.
    pub fn api_name(&self) -> Option<&str> {
        self.api.as_deref()
    }
}

impl fmt::Display for ConfigurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.api {
            Some(api) => write!(f, "API `{api}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl StdError for ConfigurationError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// No single API matched the request's kind and name.
#[derive(Debug, Clone)]
pub struct ApiLookupFailure {
    source: ApiLookupError,
}

impl ApiLookupFailure {
    fn new(source: ApiLookupError) -> Self {
        Self { source }
    }

    /// GraphQL or REST.
    pub fn kind(&self) -> EndpointType {
        match &self.source {
            ApiLookupError::NoneConfigured(kind)
            | ApiLookupError::UnknownName { kind, .. }
            | ApiLookupError::Ambiguous { kind, .. } => *kind,
            _ => EndpointType::GraphQl,
        }
    }

    /// The name the request asked for, if any.
    pub fn requested_name(&self) -> Option<&str> {
        match &self.source {
            ApiLookupError::UnknownName { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The API names of that kind that do exist.
    pub fn available(&self) -> &[String] {
        match &self.source {
            ApiLookupError::UnknownName { available, .. } => available,
            ApiLookupError::Ambiguous { candidates, .. } => candidates,
            _ => &[],
        }
    }
}

impl fmt::Display for ApiLookupFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The lookup error's text is this error's message, not a separate cause.
        fmt::Display::fmt(&self.source, f)
    }
}

impl StdError for ApiLookupFailure {}

/// The request could not be built.
#[derive(Debug)]
pub struct InvalidRequestError {
    message: String,
    source: Option<BoxError>,
}

impl fmt::Display for InvalidRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid request: {}", self.message)
    }
}

impl StdError for InvalidRequestError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// The provider of an authorization mode failed.
#[derive(Debug)]
pub struct ProviderFailure {
    mode: AuthorizationType,
    source: ProviderError,
}

impl ProviderFailure {
    pub(crate) fn new(mode: AuthorizationType, source: ProviderError) -> Self {
        Self { mode, source }
    }

    /// The authorization mode whose provider failed.
    pub fn authorization_mode(&self) -> AuthorizationType {
        self.mode
    }

    /// What kind of failure it was (not registered, signed out, session expired, ...).
    pub fn kind(&self) -> ProviderErrorKind {
        self.source.kind()
    }

    /// The provider's error.
    pub fn provider_error(&self) -> &ProviderError {
        &self.source
    }
}

impl fmt::Display for ProviderFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.mode {
            AuthorizationType::AwsIam => "AWS credentials",
            _ => "a token",
        };
        write!(
            f,
            "could not get {what} for the {} authorization mode",
            self.mode
        )
    }
}

impl StdError for ProviderFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// SigV4 signing failed.
#[derive(Debug)]
pub struct SigningFailure {
    message: String,
    source: Option<BoxError>,
}

impl SigningFailure {
    pub(crate) fn new(message: impl Into<String>, source: Option<BoxError>) -> Self {
        Self {
            message: message.into(),
            source,
        }
    }
}

impl fmt::Display for SigningFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not sign the request: {}", self.message)
    }
}

impl StdError for SigningFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// A request interceptor returned an error.
#[derive(Debug)]
pub struct InterceptorFailure {
    name: String,
    source: BoxError,
}

impl InterceptorFailure {
    pub(crate) fn new(name: &str, source: BoxError) -> Self {
        Self {
            name: name.to_owned(),
            source,
        }
    }

    /// The interceptor's [`name`](crate::RequestInterceptor::name).
    pub fn interceptor(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for InterceptorFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the request interceptor `{}` failed", self.name)
    }
}

impl StdError for InterceptorFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// Whether a failed request may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DispatchState {
    /// The request was certainly not sent (the connection could not be opened).
    NotSent,
    /// The request may have been sent and even processed (the connection broke afterwards).
    MaybeSent,
}

/// The connection failed or broke.
#[derive(Debug)]
pub struct TransportFailure {
    api: String,
    dispatch: DispatchState,
    message: &'static str,
    source: Option<BoxError>,
}

impl TransportFailure {
    pub(crate) fn new(
        api: &str,
        dispatch: DispatchState,
        message: &'static str,
        source: Option<BoxError>,
    ) -> Self {
        Self {
            api: api.to_owned(),
            dispatch,
            message,
            source,
        }
    }

    /// Whether the request may have reached the server: `false` only when the connection could
    /// not even be opened. Retry a non-idempotent mutation only when this is `false`.
    pub fn may_have_been_sent(&self) -> bool {
        self.dispatch == DispatchState::MaybeSent
    }

    /// The dispatch state.
    pub fn dispatch_state(&self) -> DispatchState {
        self.dispatch
    }

    /// The API the request was for.
    pub fn api_name(&self) -> &str {
        &self.api
    }
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request to API `{}` failed: {}", self.api, self.message)
    }
}

impl StdError for TransportFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Which step ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Opening the connection (the request was not sent).
    Connect,
    /// Sending the request and reading the response (the request may have been processed).
    Request,
}

/// A timeout expired.
#[derive(Debug, Clone)]
pub struct TimeoutFailure {
    api: String,
    phase: TimeoutPhase,
    after: Option<Duration>,
}

impl TimeoutFailure {
    pub(crate) fn new(api: &str, phase: TimeoutPhase, after: Option<Duration>) -> Self {
        Self {
            api: api.to_owned(),
            phase,
            after,
        }
    }

    /// Which step timed out.
    pub fn phase(&self) -> TimeoutPhase {
        self.phase
    }

    /// Whether the request may have reached the server.
    pub fn may_have_been_sent(&self) -> bool {
        self.phase == TimeoutPhase::Request
    }

    /// The timeout that expired, when known.
    pub fn timeout(&self) -> Option<Duration> {
        self.after
    }
}

impl fmt::Display for TimeoutFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let step = match self.phase {
            TimeoutPhase::Connect => "connecting to",
            TimeoutPhase::Request => "waiting for the response of",
        };
        match self.after {
            Some(d) => write!(f, "timed out after {d:?} {step} API `{}`", self.api),
            None => write!(f, "timed out {step} API `{}`", self.api),
        }
    }
}

impl StdError for TimeoutFailure {}

/// A non-2xx response.
#[derive(Debug, Clone)]
pub struct StatusFailure {
    api: String,
    response: HttpResponse,
    graphql_errors: Vec<GraphQlError>,
    code: Option<String>,
}

impl StatusFailure {
    pub(crate) fn new(
        api: &str,
        response: HttpResponse,
        graphql_errors: Vec<GraphQlError>,
    ) -> Self {
        let code = graphql_errors
            .iter()
            .find_map(|e| e.error_type.clone())
            .or_else(|| response.error_type().map(str::to_owned));
        Self {
            api: api.to_owned(),
            response,
            graphql_errors,
            code,
        }
    }

    /// The API that answered.
    pub fn api_name(&self) -> &str {
        &self.api
    }

    /// The whole response: status, headers and body.
    pub fn response(&self) -> &HttpResponse {
        &self.response
    }

    /// The response, by value.
    pub fn into_response(self) -> HttpResponse {
        self.response
    }

    /// The GraphQL errors in the body, when it had the GraphQL shape.
    pub fn graphql_errors(&self) -> &[GraphQlError] {
        &self.graphql_errors
    }

    /// The service's error code: the first GraphQL `errorType`, else `x-amzn-ErrorType`.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// 5xx and 429 may succeed later.
    pub fn is_retryable(&self) -> bool {
        let status = self.response.status();
        status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
    }
}

impl fmt::Display for StatusFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "API `{}` answered with HTTP {}",
            self.api,
            self.response.status()
        )?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if let Some(message) = self.graphql_errors.first().map(|e| e.message.as_str()) {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl StdError for StatusFailure {}

/// A 2xx response could not be decoded.
#[derive(Debug)]
pub struct DecodeFailure {
    path: String,
    graphql_errors: Vec<GraphQlError>,
    request_id: Option<String>,
    source: serde_json::Error,
}

impl DecodeFailure {
    pub(crate) fn new(
        path: String,
        graphql_errors: Vec<GraphQlError>,
        request_id: Option<String>,
        source: serde_json::Error,
    ) -> Self {
        Self {
            path,
            graphql_errors,
            request_id,
            source,
        }
    }

    /// The error of a GraphQL body the codec could not decode.
    pub(crate) fn from_codec(failure: Undecodable, request_id: Option<String>) -> ApiError {
        let Undecodable {
            path,
            errors,
            source,
        } = failure;
        ApiError::Decode(Box::new(Self::new(path, errors, request_id, source)))
    }

    /// The JSON path where decoding failed (`data.getTodo.done`); empty for the document itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The GraphQL errors of the response, when its envelope could be read.
    pub fn graphql_errors(&self) -> &[GraphQlError] {
        &self.graphql_errors
    }

    /// Whether the body was not JSON at all (cut or garbled on the way: retryable) or valid JSON
    /// of another shape than the caller's type (a bug to fix: retrying gives the same answer).
    ///
    /// ```
    /// # fn check(e: &amplify_api::ApiError) {
    /// use amplify_api::{ApiError, DecodeReason};
    /// if let ApiError::Decode(failure) = e {
    ///     match failure.reason() {
    ///         DecodeReason::MalformedBody => { /* retry the call */ }
    ///         DecodeReason::ShapeMismatch => { /* fix the response type or decode path */ }
    ///         _ => {}
    ///     }
    /// }
    /// # }
    /// ```
    pub fn reason(&self) -> DecodeReason {
        match self.source.classify() {
            serde_json::error::Category::Data => DecodeReason::ShapeMismatch,
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => DecodeReason::MalformedBody,
        }
    }
}

/// Why a 2xx response could not be decoded ([`DecodeFailure::reason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeReason {
    /// The body is not JSON (cut short or garbled between the service and the client);
    /// [`AmplifyError::is_retryable`](amplify_core::AmplifyError::is_retryable) is true.
    MalformedBody,
    /// The body is JSON, but not of the caller's type at [`DecodeFailure::path`].
    ShapeMismatch,
}

impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reason() == DecodeReason::MalformedBody {
            f.write_str("the response body is not valid JSON (cut short or garbled)")?;
            if !self.path.is_empty() {
                write!(f, " near `{}`", self.path)?;
            }
            Ok(())
        } else if self.path.is_empty() {
            f.write_str("the response is not valid JSON of the expected shape")
        } else {
            write!(f, "the response could not be decoded at `{}`", self.path)
        }
    }
}

impl StdError for DecodeFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}
