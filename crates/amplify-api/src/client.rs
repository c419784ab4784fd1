//! [`ApiPlugin`]: the API category's client and Amplify plugin, and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use amplify_core::config::AmplifyConfig;
use amplify_core::hub::Hub;
use amplify_core::time::{SharedTimeSource, SkewCorrectedClock};
use amplify_core::{
    AmplifyError, AuthProvider, AuthProviderRegistry, AuthorizationType, BoxFuture, Category,
    Plugin, PluginContext, SharedTokenProvider, TokenProvider,
};
use http::Method;

use crate::connector::{Connector, SharedConnector};
use crate::endpoint::Endpoints;
use crate::error::ApiError;
use crate::interceptor::{RequestInterceptor, SharedInterceptor};
use crate::operation::graphql::{GraphQlOperation, OperationKind};
use crate::operation::rest::RestOperation;
#[cfg(feature = "realtime")]
use crate::operation::subscription::SubscriptionOperation;
#[cfg(feature = "realtime")]
use crate::realtime::{Realtime, SubscriptionOptions};
use crate::request::{Configured, Dispatcher};
use crate::transport::{Transport, TransportSettings};

/// The key of the API plugin in Amplify (`awsAPIPlugin`).
pub const PLUGIN_KEY: &str = "awsAPIPlugin";

const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The API category: GraphQL queries and mutations against AppSync and REST calls against API
/// Gateway, authorized with any of AppSync's modes.
///
/// One `ApiPlugin` holds one pooled HTTP client; clones are cheap and share it (and everything
/// else), so clone it freely into tasks.
///
/// Add it to [`Amplify`](amplify_core::Amplify) and configure Amplify, or configure it directly
/// with [`configure_with`](Self::configure_with).
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use amplify_api::ApiPlugin;
/// use amplify_core::Amplify;
///
/// let api = ApiPlugin::new();
/// let amplify = Amplify::new();
/// amplify.add_plugin(api.clone())?;
/// amplify.configure(r#"{"version": "1", "data": {"aws_region": "us-east-1",
///     "url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
///     "default_authorization_type": "API_KEY", "api_key": "da2-example"}}"#).await?;
///
/// let response = api
///     .query("query { listTodos { items { id } } }")
///     .send::<serde_json::Value>()
///     .await?;
/// println!("{:?}", response.data);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ApiPlugin {
    inner: Arc<Inner>,
}

struct Inner {
    /// The HTTP client, interceptors, timeout and configured state, shared with operations.
    dispatcher: Arc<Dispatcher>,
    providers: Vec<(AuthorizationType, AuthProvider)>,
    /// The plugin's own clock: the builder's, one over the builder's time source, or one over
    /// the system clock.
    own_clock: SkewCorrectedClock,
    /// Whether `own_clock` was chosen by the builder (and so wins over Amplify's).
    clock_chosen: bool,
    /// The subscriptions' connections, one per API.
    #[cfg(feature = "realtime")]
    realtime: Arc<Realtime>,
    /// The Hub used when configured without Amplify (the builder's, or one of the plugin's own).
    own_hub: Hub,
}

impl fmt::Debug for ApiPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dispatcher = &self.inner.dispatcher;
        let interceptors: Vec<&str> = dispatcher.interceptors.iter().map(|i| i.name()).collect();
        f.debug_struct("ApiPlugin")
            .field("configured", &self.is_configured())
            .field("interceptors", &interceptors)
            .field("request_timeout", &dispatcher.request_timeout)
            .field("clock_offset_ms", &self.clock_offset_ms())
            .finish_non_exhaustive()
    }
}

impl Default for ApiPlugin {
    fn default() -> Self {
        Self::new()
    }
}

impl ApiPlugin {
    /// A plugin with default settings.
    ///
    /// Infallible: with the defaults only the TLS setup could fail, and only if rustls' ring
    /// provider offered no safe protocol version; should that ever happen, every request fails
    /// with [`ApiError::Configuration`] saying so. Use [`builder`](Self::builder) and
    /// [`build`](ApiPluginBuilder::build) to get such problems as an error up front.
    pub fn new() -> Self {
        let mut builder = Self::builder();
        // `finish` never reads the transport settings: move them instead of copying.
        let transport = Transport::new(std::mem::take(&mut builder.transport)).map_err(Arc::new);
        builder.finish(transport)
    }

    /// A builder for interceptors, providers, timeouts, the clock and the connection.
    pub fn builder() -> ApiPluginBuilder {
        ApiPluginBuilder::default()
    }

    /// Configures the plugin without [`Amplify`](amplify_core::Amplify): with a configuration and
    /// the registry the authorization providers are in (the providers given to the builder are
    /// registered there). Configuring again replaces the earlier configuration.
    ///
    /// Signing uses the builder's [`clock`](ApiPluginBuilder::clock) (pass the auth plugin's to
    /// share one offset), else a clock over the builder's
    /// [`time_source`](ApiPluginBuilder::time_source), else one over the system clock.
    ///
    /// # Errors
    ///
    /// [`ApiError::Configuration`] when an API entry cannot be used (for example an API key that
    /// is not a valid header value).
    ///
    /// # Examples
    ///
    /// ```
    /// use amplify_api::ApiPlugin;
    /// use amplify_core::{AmplifyConfig, AuthProviderRegistry};
    ///
    /// let config = AmplifyConfig::from_json(r#"{"version": "1", "data": {"aws_region": "us-east-1",
    ///     "url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
    ///     "default_authorization_type": "API_KEY", "api_key": "da2-example"}}"#)?;
    /// let api = ApiPlugin::new();
    /// api.configure_with(&config, &AuthProviderRegistry::default())?;
    /// assert!(api.is_configured());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn configure_with(
        &self,
        config: &AmplifyConfig,
        registry: &AuthProviderRegistry,
    ) -> Result<(), ApiError> {
        self.configure_inner(config, registry, None, None)
    }

    /// Configures the plugin for a server-side caller: with a configuration, and with the
    /// region and credentials of an `aws-config` [`SdkConfig`](aws_config::SdkConfig) (for
    /// example from [`sdk_config::loader`](crate::sdk_config::loader)). Needs neither
    /// [`Amplify`](amplify_core::Amplify) nor the auth crate.
    ///
    /// The SDK config's credentials provider becomes the `AWS_IAM` provider, behind
    /// [`SdkCredentialsProvider`](crate::SdkCredentialsProvider)'s cache; its region is used
    /// for every API whose configuration states none (an API's own region wins, since the API
    /// lives there). The builder's providers are registered as with
    /// [`configure_with`](Self::configure_with); the builder's `AWS_IAM` provider, if any, is
    /// replaced. Configuring again replaces the earlier configuration.
    ///
    /// # Errors
    ///
    /// [`ApiError::Configuration`] when the SDK config has no credentials provider
    /// (`no_credentials()`), or an API entry cannot be used.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use amplify_api::ApiPlugin;
    /// use amplify_core::{AmplifyConfig, AuthorizationType};
    ///
    /// let sdk = amplify_api::sdk_config::loader().load().await;
    /// let config = AmplifyConfig::from_json(&std::fs::read_to_string("amplify_outputs.json")?)?;
    /// let api = ApiPlugin::new();
    /// api.configure_with_sdk_config(&config, &sdk)?;
    /// let todos = api
    ///     .query("query { listTodos { items { id } } }")
    ///     .authorization_mode(AuthorizationType::AwsIam)
    ///     .send::<serde_json::Value>()
    ///     .await?;
    /// # let _ = todos;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "aws-config")]
    #[cfg_attr(docsrs, doc(cfg(feature = "aws-config")))]
    pub fn configure_with_sdk_config(
        &self,
        config: &AmplifyConfig,
        sdk_config: &aws_config::SdkConfig,
    ) -> Result<(), ApiError> {
        let provider =
            crate::sdk_config::SdkCredentialsProvider::from_sdk_config(sdk_config).ok_or_else(
                || {
                    ApiError::configuration(
                        None,
                        "the SDK config has no credentials provider (it was loaded with no_credentials())",
                    )
                },
            )?;
        let mut config = config.clone();
        if let Some(region) = sdk_config.region() {
            for api in config.apis.iter_mut().filter(|api| api.region.is_empty()) {
                api.region = region.as_ref().to_owned();
            }
        }
        let registry = AuthProviderRegistry::default();
        self.configure_inner(&config, &registry, None, None)?;
        registry.register(
            AuthorizationType::AwsIam,
            amplify_core::SharedCredentialsProvider::new(provider),
        );
        Ok(())
    }

    fn configure_inner(
        &self,
        config: &AmplifyConfig,
        registry: &AuthProviderRegistry,
        context_clock: Option<&SkewCorrectedClock>,
        context_hub: Option<&Hub>,
    ) -> Result<(), ApiError> {
        let endpoints = Endpoints::new(config)?;
        for (mode, provider) in &self.inner.providers {
            registry.register(*mode, provider.clone());
        }
        let clock = match context_clock {
            Some(shared) if !self.inner.clock_chosen => shared.clone(),
            _ => self.inner.own_clock.clone(),
        };
        self.inner.dispatcher.set_state(Configured {
            endpoints,
            registry: registry.clone(),
            clock,
            hub: context_hub.unwrap_or(&self.inner.own_hub).clone(),
        });
        tracing::debug!(
            apis = config.apis.len(),
            providers = self.inner.providers.len(),
            "API plugin configured"
        );
        Ok(())
    }

    /// Whether the plugin has been configured.
    pub fn is_configured(&self) -> bool {
        self.inner.dispatcher.configured().is_some()
    }

    /// The clock offset the plugin signs with, in milliseconds (server time minus local time; 0
    /// until skew was seen). Under Amplify it is Amplify's shared clock, which the auth plugin
    /// also teaches; on its own the plugin learns from clock-skew rejections of IAM requests.
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock().offset_ms()
    }

    /// The skew-corrected clock requests are signed with: the configured one, or the plugin's
    /// own before configuration.
    fn clock(&self) -> SkewCorrectedClock {
        self.inner
            .dispatcher
            .configured()
            .map_or_else(|| self.inner.own_clock.clone(), |s| s.clock.clone())
    }

    /// A GraphQL query (Amplify's `query`).
    pub fn query(&self, document: impl Into<String>) -> GraphQlOperation {
        GraphQlOperation::new(self.dispatcher(), OperationKind::Query, document.into())
    }

    /// A GraphQL mutation (Amplify's `mutate`).
    pub fn mutate(&self, document: impl Into<String>) -> GraphQlOperation {
        GraphQlOperation::new(self.dispatcher(), OperationKind::Mutation, document.into())
    }

    /// A GraphQL subscription (Amplify's `subscribe`): the same setters as a query, then
    /// [`start`](SubscriptionOperation::start) for a stream of responses. Every subscription
    /// to one API shares one WebSocket, which reconnects by itself; see
    /// [Subscriptions](crate#subscriptions). Needs the `realtime` feature (on by default).
    #[cfg(feature = "realtime")]
    pub fn subscribe(&self, document: impl Into<String>) -> SubscriptionOperation {
        SubscriptionOperation::new(
            self.dispatcher(),
            Arc::clone(&self.inner.realtime),
            document.into(),
        )
    }

    /// The Hub the plugin publishes subscription connection events on: Amplify's once
    /// configured by it, else the builder's [`hub`](ApiPluginBuilder::hub) or the plugin's own.
    pub fn hub(&self) -> Hub {
        self.inner
            .dispatcher
            .configured()
            .map_or_else(|| self.inner.own_hub.clone(), |s| s.hub.clone())
    }

    /// A REST `GET` of `path` (relative to the REST API's URL).
    pub fn get(&self, path: impl Into<String>) -> RestOperation {
        RestOperation::new(self.dispatcher(), Method::GET, path.into())
    }

    /// A REST `HEAD`.
    pub fn head(&self, path: impl Into<String>) -> RestOperation {
        RestOperation::new(self.dispatcher(), Method::HEAD, path.into())
    }

    /// A REST `POST`.
    pub fn post(&self, path: impl Into<String>) -> RestOperation {
        RestOperation::new(self.dispatcher(), Method::POST, path.into())
    }

    /// A REST `PUT`.
    pub fn put(&self, path: impl Into<String>) -> RestOperation {
        RestOperation::new(self.dispatcher(), Method::PUT, path.into())
    }

    /// A REST `PATCH`.
    pub fn patch(&self, path: impl Into<String>) -> RestOperation {
        RestOperation::new(self.dispatcher(), Method::PATCH, path.into())
    }

    /// A REST `DELETE`.
    pub fn delete(&self, path: impl Into<String>) -> RestOperation {
        RestOperation::new(self.dispatcher(), Method::DELETE, path.into())
    }

    fn dispatcher(&self) -> Arc<Dispatcher> {
        Arc::clone(&self.inner.dispatcher)
    }
}

impl Plugin for ApiPlugin {
    fn category(&self) -> Category {
        Category::Api
    }

    fn plugin_key(&self) -> &'static str {
        PLUGIN_KEY
    }

    fn configure<'a>(
        &'a self,
        ctx: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            self.configure_inner(
                ctx.config,
                ctx.auth_providers,
                Some(ctx.clock),
                Some(ctx.hub),
            )
            .map_err(|e| Box::new(e) as Box<dyn AmplifyError>)
        })
    }
}

/// Builds an [`ApiPlugin`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use amplify_api::ApiPlugin;
/// use amplify_core::{AuthToken, SharedTokenProvider};
///
/// let api = ApiPlugin::builder()
///     .oidc_provider(SharedTokenProvider::from_fn(|| async { Ok(AuthToken::new("oidc-jwt")) }))
///     .lambda_provider(AuthToken::new("lambda-token"))
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(20))
///     .proxy("http://proxy.internal:3128")
///     .build()?;
/// # let _ = api;
/// # Ok::<(), amplify_api::ApiError>(())
/// ```
#[derive(Debug, Default)]
pub struct ApiPluginBuilder {
    interceptors: Vec<SharedInterceptor>,
    providers: Vec<(AuthorizationType, AuthProvider)>,
    time: Option<SharedTimeSource>,
    clock: Option<SkewCorrectedClock>,
    request_timeout: Option<Duration>,
    transport: TransportSettings,
    #[cfg(feature = "realtime")]
    subscription_options: SubscriptionOptions,
    hub: Option<Hub>,
}

impl ApiPluginBuilder {
    /// Adds a client-wide interceptor; interceptors run in the order added.
    pub fn interceptor(mut self, interceptor: impl RequestInterceptor + 'static) -> Self {
        self.interceptors.push(SharedInterceptor::new(interceptor));
        self
    }

    /// The token provider for `OPENID_CONNECT` (Amplify's `OIDCAuthProvider`), registered in the
    /// provider registry at configure time. Any token provider works, for example one that
    /// returns the Cognito user pool's ID token instead of the access token.
    pub fn oidc_provider(self, provider: impl TokenProvider + 'static) -> Self {
        self.auth_provider(
            AuthorizationType::OpenIdConnect,
            SharedTokenProvider::new(provider),
        )
    }

    /// The token provider for `AWS_LAMBDA` (Amplify's `FunctionAuthProvider`), registered in the
    /// provider registry at configure time.
    pub fn lambda_provider(self, provider: impl TokenProvider + 'static) -> Self {
        self.auth_provider(
            AuthorizationType::AwsLambda,
            SharedTokenProvider::new(provider),
        )
    }

    /// Any provider for any mode, registered in the provider registry at configure time
    /// (replacing what another plugin registered for that mode).
    pub fn auth_provider(
        mut self,
        mode: AuthorizationType,
        provider: impl Into<AuthProvider>,
    ) -> Self {
        self.providers.retain(|(m, _)| *m != mode);
        self.providers.push((mode, provider.into()));
        self
    }

    /// The local clock to sign with, through a skew-corrected clock of the plugin's own (not
    /// shared with Auth). When neither this nor [`clock`](Self::clock) is set, the plugin uses
    /// Amplify's shared clock, or the system clock when configured on its own.
    pub fn time_source(mut self, time: SharedTimeSource) -> Self {
        self.time = Some(time);
        self
    }

    /// Sets or clears the local clock.
    pub fn set_time_source(mut self, time: Option<SharedTimeSource>) -> Self {
        self.time = time;
        self
    }

    /// The skew-corrected clock to sign with, shared with whoever else holds a clone (for
    /// example the auth plugin's, when the API plugin is configured without Amplify). Wins over
    /// [`time_source`](Self::time_source) and over Amplify's clock.
    pub fn clock(mut self, clock: SkewCorrectedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Sets or clears the skew-corrected clock.
    pub fn set_clock(mut self, clock: Option<SkewCorrectedClock>) -> Self {
        self.clock = clock;
        self
    }

    /// How long to wait for a connection: dialing, the proxy tunnel and the TLS handshake (10 s
    /// by default). Expiry is an [`ApiError::Timeout`] in
    /// [`TimeoutPhase::Connect`](crate::TimeoutPhase::Connect): the request was not sent.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = timeout;
        self
    }

    /// How long to wait for the response once a connection starts sending the request, per
    /// attempt (30 s by default; a request's own `timeout` wins). Expiry is an
    /// [`ApiError::Timeout`] in [`TimeoutPhase::Request`](crate::TimeoutPhase::Request): the
    /// request may have been sent.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// How long an idle pooled connection is kept (90 s by default).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.transport.pool_idle_timeout = timeout;
        self
    }

    /// The most idle connections kept per host (unlimited by default).
    pub fn max_idle_connections_per_host(mut self, max: usize) -> Self {
        self.transport.max_idle_per_host = max;
        self
    }

    /// The largest response body accepted (64 MiB by default); larger bodies fail the request.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.transport.max_response_bytes = max;
        self
    }

    /// Trusts a root certificate (DER) in addition to the system's roots, for endpoints behind
    /// a private CA (or a local test server). An unusable certificate fails
    /// [`build`](Self::build).
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.transport.extra_roots.push(der.into());
        self
    }

    /// Sends every request through an HTTP proxy, `http://host:port`: `https` endpoints through
    /// an HTTP CONNECT tunnel (TLS runs end to end inside it), plain `http` endpoints to the
    /// proxy with absolute-form request targets. The URI is checked by [`build`](Self::build).
    /// There is no proxy by default, and the environment (`HTTPS_PROXY`, ...) is not read.
    pub fn proxy(mut self, uri: impl Into<String>) -> Self {
        self.transport.proxy = Some(uri.into());
        self
    }

    /// Sets or clears the proxy.
    pub fn set_proxy(mut self, uri: Option<String>) -> Self {
        self.transport.proxy = uri;
        self
    }

    /// Opens connections with `connector` instead of TCP (see [`Connector`](crate::Connector)).
    /// TLS, the proxy, pooling and timeouts still apply on top of it.
    pub fn connector(mut self, connector: impl Connector + 'static) -> Self {
        self.transport.connector = Some(SharedConnector::new(connector));
        self
    }

    /// How subscriptions wait and reconnect (see [`SubscriptionOptions`]). Needs the `realtime`
    /// feature (on by default).
    #[cfg(feature = "realtime")]
    pub fn subscription_options(mut self, options: SubscriptionOptions) -> Self {
        self.subscription_options = options;
        self
    }

    /// The Hub to publish subscription connection events on when the plugin is configured
    /// with [`configure_with`](ApiPlugin::configure_with) (under Amplify, Amplify's Hub is used).
    pub fn hub(mut self, hub: Hub) -> Self {
        self.hub = Some(hub);
        self
    }

    /// Builds the plugin. It needs a Tokio runtime with the time driver
    /// (`Builder::enable_all`) when it sends requests.
    ///
    /// # Errors
    ///
    /// [`ApiError::Configuration`], with the cause as its `source()`, when an added root
    /// certificate is unusable, the TLS configuration cannot be built, or the proxy is not an
    /// `http://host:port` URI.
    pub fn build(mut self) -> Result<ApiPlugin, ApiError> {
        let transport = Transport::new(std::mem::take(&mut self.transport))?;
        Ok(self.finish(Ok(transport)))
    }

    fn finish(self, transport: Result<Transport, Arc<ApiError>>) -> ApiPlugin {
        ApiPlugin {
            inner: Arc::new(Inner {
                dispatcher: Arc::new(Dispatcher::new(
                    transport,
                    self.interceptors,
                    self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT),
                )),
                providers: self.providers,
                clock_chosen: self.clock.is_some() || self.time.is_some(),
                own_clock: self
                    .clock
                    .unwrap_or_else(|| SkewCorrectedClock::new(self.time.unwrap_or_default())),
                #[cfg(feature = "realtime")]
                realtime: Arc::new(Realtime::new(self.subscription_options)),
                own_hub: self.hub.unwrap_or_default(),
            }),
        }
    }
}
