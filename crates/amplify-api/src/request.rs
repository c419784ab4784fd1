//! The request pieces GraphQL and REST share: the headers an operation builder collects, merging
//! them over the defaults, the user agent, the configured state, and [`Dispatcher::dispatch`]
//! (authorize, run the interceptors, send, re-sign once after a clock-skew rejection).
//!
//! Operation builders hold an `Arc<Dispatcher>`, never the plugin, so this module and the
//! operations sit below [`client`](crate::client) and nothing imports back up.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use amplify_core::config::EndpointType;
use amplify_core::hub::Hub;
use amplify_core::time::SkewCorrectedClock;
use amplify_core::{AuthProviderRegistry, AuthorizationType};
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};

use crate::auth::skew;
use crate::auth::{self, Credential, SigningContext, SigningService};
use crate::endpoint::{Endpoints, PreparedEndpoint};
use crate::error::{ApiError, InterceptorFailure, StatusFailure};
use crate::graphql::GraphQlError;
use crate::interceptor::{InterceptorContext, RequestInterceptor, SharedInterceptor};
use crate::response::HttpResponse;
use crate::transport::Transport;

/// What configuring produced: the prepared endpoints, the provider registry, the clock and the
/// Hub.
#[derive(Debug)]
pub(crate) struct Configured {
    pub(crate) endpoints: Endpoints,
    pub(crate) registry: AuthProviderRegistry,
    pub(crate) clock: SkewCorrectedClock,
    pub(crate) hub: Hub,
}

impl Configured {
    pub(crate) fn endpoint(
        &self,
        kind: EndpointType,
        name: Option<&str>,
    ) -> Result<Arc<PreparedEndpoint>, ApiError> {
        self.endpoints.get(kind, name)
    }

    /// The signing context for `endpoint` at the clock's current (skew-corrected) time.
    pub(crate) fn signing_context<'a>(
        &self,
        endpoint: &'a PreparedEndpoint,
        service: SigningService,
    ) -> SigningContext<'a> {
        SigningContext {
            region: &endpoint.region,
            service,
            time: self.clock.now(),
        }
    }
}

/// What every request of a plugin goes through: the HTTP client, the interceptors, the default
/// timeout and the configured state. One per plugin, shared by its clones and its operations.
pub(crate) struct Dispatcher {
    /// `Err` only for [`ApiPlugin::new`](crate::ApiPlugin::new) when the default client could
    /// not be built (the ring provider offering no protocol version); every request then
    /// reports it.
    pub(crate) transport: Result<Transport, Arc<ApiError>>,
    pub(crate) interceptors: Vec<SharedInterceptor>,
    pub(crate) request_timeout: Duration,
    state: RwLock<Option<Arc<Configured>>>,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let interceptors: Vec<&str> = self.interceptors.iter().map(|i| i.name()).collect();
        f.debug_struct("Dispatcher")
            .field("interceptors", &interceptors)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    pub(crate) fn new(
        transport: Result<Transport, Arc<ApiError>>,
        interceptors: Vec<SharedInterceptor>,
        request_timeout: Duration,
    ) -> Self {
        Self {
            transport,
            interceptors,
            request_timeout,
            state: RwLock::new(None),
        }
    }

    /// The configured state, or [`ApiError::NotConfigured`].
    pub(crate) fn state(&self) -> Result<Arc<Configured>, ApiError> {
        self.configured().ok_or(ApiError::NotConfigured)
    }

    /// The configured state, if any.
    pub(crate) fn configured(&self) -> Option<Arc<Configured>> {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the configured state.
    pub(crate) fn set_state(&self, configured: Configured) {
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(configured));
    }

    /// Authorizes `request` for `mode`, runs the interceptors and sends it; an IAM request whose
    /// signature the server rejects because of clock skew is re-signed with the server's time and
    /// sent once more.
    pub(crate) async fn dispatch(
        &self,
        state: &Configured,
        endpoint: &PreparedEndpoint,
        mode: AuthorizationType,
        service: SigningService,
        request: Request<Bytes>,
        timeout: Option<Duration>,
    ) -> Result<Response<Bytes>, ApiError> {
        let transport = self.transport.as_ref().map_err(|e| {
            ApiError::configuration_with(None, "the HTTP client could not be built", Arc::clone(e))
        })?;
        let timeout = timeout.unwrap_or(self.request_timeout);
        let credential = if auth::pre_authorized(request.headers(), mode) {
            tracing::debug!("the request carries its own authorization; leaving it as is");
            Credential::Unchanged
        } else {
            auth::resolve(mode, endpoint, &state.registry).await?
        };

        if !credential.is_iam() {
            let mut request = request;
            auth::apply(&credential, &mut request, || {
                state.signing_context(endpoint, service)
            })?;
            return self
                .exchange(transport, request, endpoint, mode, 1, timeout)
                .await;
        }

        let signing = state.signing_context(endpoint, service);
        // A copy of the unsigned request is kept for a re-signing after clock skew (it keeps
        // the extensions, so interceptors see the same request on either attempt). The original
        // is signed: its header map has room for the signing headers, and a clone's has not.
        let unsigned = request.clone();
        let mut signed = request;
        auth::apply(&credential, &mut signed, || signing)?;
        let response = self
            .exchange(transport, signed, endpoint, mode, 1, timeout)
            .await?;
        let Some(server_time) = skew::server_time_if_skewed(
            response.status(),
            response.headers(),
            response.body(),
            signing.time,
        ) else {
            return Ok(response);
        };
        let offset = state.clock.learn(server_time);
        tracing::debug!(
            offset_ms = offset,
            "signature rejected for clock skew; retrying with the server's time"
        );
        let mut signed = unsigned;
        auth::apply(&credential, &mut signed, || {
            state.signing_context(endpoint, service)
        })?;
        self.exchange(transport, signed, endpoint, mode, 2, timeout)
            .await
    }

    async fn exchange(
        &self,
        transport: &Transport,
        mut request: Request<Bytes>,
        endpoint: &PreparedEndpoint,
        mode: AuthorizationType,
        attempt: u32,
        timeout: Duration,
    ) -> Result<Response<Bytes>, ApiError> {
        let ctx = InterceptorContext {
            api_name: &endpoint.name,
            authorization_mode: mode,
            attempt,
        };
        for interceptor in &self.interceptors {
            interceptor.on_request(&ctx, &mut request).map_err(|e| {
                ApiError::Interceptor(InterceptorFailure::new(interceptor.name(), e))
            })?;
        }
        tracing::trace!(
            method = %request.method(),
            path = request.uri().path(),
            attempt,
            "sending request"
        );
        let response = transport.send(request, timeout, &endpoint.name).await?;
        tracing::trace!(
            status = response.status().as_u16(),
            body_len = response.body().len(),
            "received response"
        );
        for interceptor in &self.interceptors {
            interceptor.on_response(&ctx, &response);
        }
        Ok(response)
    }
}

/// The error of a non-2xx response: [`ApiError::Unauthorized`] for 401 and 403,
/// [`ApiError::HttpStatus`] otherwise.
pub(crate) fn status_error(
    api: &str,
    response: HttpResponse,
    graphql_errors: Vec<GraphQlError>,
) -> ApiError {
    let status = response.status();
    let failure = Box::new(StatusFailure::new(api, response, graphql_errors));
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        ApiError::Unauthorized(failure)
    } else {
        ApiError::HttpStatus(failure)
    }
}

/// How many headers a request of `service` needs room for besides its users': the three every
/// request carries (`host`, `user-agent`, `content-type`), the `content-length` hyper adds as it
/// writes the request, and those `mode`'s authorization adds (SigV4: `authorization`,
/// `x-amz-date`, `x-amz-security-token`, and `x-amz-content-sha256` for API Gateway; otherwise
/// one). Reserved up front, the map never grows on the way (growing allocates twice and rehashes).
pub(crate) fn header_room(mode: AuthorizationType, service: SigningService) -> usize {
    4 + match (mode, service) {
        (AuthorizationType::AwsIam, SigningService::AppSync) => 3,
        (AuthorizationType::AwsIam, SigningService::ExecuteApi) => 4,
        _ => 1,
    }
}

/// The `user-agent` every request carries.
pub(crate) fn user_agent() -> HeaderValue {
    HeaderValue::from_static(concat!("amplify-rs/", env!("CARGO_PKG_VERSION"), " api"))
}

/// The `content-type` of GraphQL request bodies.
pub(crate) fn json_content_type() -> HeaderValue {
    HeaderValue::from_static("application/json; charset=utf-8")
}

/// Headers collected by an operation builder; the first invalid one is reported by `send`.
/// Boxed and made on the first header: most requests add none, and the builder, moved by every
/// builder method and into the request's future, stays small.
#[derive(Default)]
pub(crate) struct RequestHeaders(Option<Box<CollectedHeaders>>);

#[derive(Default)]
struct CollectedHeaders {
    map: HeaderMap,
    error: Option<String>,
}

impl RequestHeaders {
    fn collected(&mut self) -> &mut CollectedHeaders {
        self.0.get_or_insert_with(Box::default)
    }

    pub(crate) fn append(&mut self, name: &str, value: &str) {
        let collected = self.collected();
        if collected.error.is_some() {
            return;
        }
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            collected.error = Some(format!("`{name}` is not a valid header name"));
            return;
        };
        match HeaderValue::from_str(value) {
            Ok(mut value) => {
                if is_sensitive(&name) {
                    value.set_sensitive(true);
                }
                collected.map.append(name, value);
            }
            Err(_) => {
                collected.error = Some(format!("the value of header `{name}` is not valid"));
            }
        }
    }

    pub(crate) fn extend(&mut self, headers: HeaderMap) {
        let collected = self.collected();
        let mut last: Option<HeaderName> = None;
        for (name, mut value) in headers {
            let Some(name) = name.or_else(|| last.clone()) else {
                continue;
            };
            if is_sensitive(&name) {
                value.set_sensitive(true);
            }
            collected.map.append(name.clone(), value);
            last = Some(name);
        }
    }

    pub(crate) fn into_map(self) -> Result<HeaderMap, ApiError> {
        match self.0.map(|c| *c) {
            None => Ok(HeaderMap::new()),
            Some(CollectedHeaders {
                error: Some(message),
                ..
            }) => Err(ApiError::invalid_request(message)),
            Some(CollectedHeaders { map, error: None }) => Ok(map),
        }
    }
}

fn is_sensitive(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "authorization" | "x-api-key" | "x-amz-security-token" | "cookie"
    )
}

impl fmt::Debug for RequestHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: values may be secrets.
        let names = self.0.iter().flat_map(|c| c.map.keys());
        f.debug_list().entries(names).finish()
    }
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
