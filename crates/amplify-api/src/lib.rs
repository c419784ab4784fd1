//! The Amplify API category for Rust: GraphQL queries and mutations against AWS AppSync and REST
//! calls against Amazon API Gateway, with every AppSync authorization mode.
//!
//! [`ApiPlugin`] is both the client and the Amplify plugin. Add it to
//! [`Amplify`](amplify_core::Amplify) next to the auth plugin; it finds its authorization
//! providers in Amplify's [`AuthProviderRegistry`](amplify_core::AuthProviderRegistry) and never
//! depends on the auth crate.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use amplify_api::ApiPlugin;
//! use amplify_core::{Amplify, AuthorizationType};
//! use serde::Deserialize;
//!
//! let api = ApiPlugin::new();
//! let amplify = Amplify::new();
//! // amplify.add_plugin(CognitoAuthPlugin::new())?;  // registers user-pool and IAM providers
//! amplify.add_plugin(api.clone())?;
//! amplify.configure(r#"{"version": "1", "data": {"aws_region": "us-east-1",
//!     "url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
//!     "default_authorization_type": "API_KEY", "api_key": "da2-example",
//!     "authorization_types": ["AWS_IAM"]}}"#).await?;
//!
//! #[derive(Deserialize)]
//! struct Todo { id: String, name: String }
//!
//! // A query with the API's default mode (API_KEY here), decoded at `getTodo`.
//! let todo = api
//!     .query("query Get($id: ID!) { getTodo(id: $id) { id name } }")
//!     .variables(serde_json::json!({ "id": "t1" }))
//!     .decode_path("getTodo")
//!     .send::<Todo>()
//!     .await?;
//! // GraphQL errors are returned, not raised.
//! for error in &todo.errors {
//!     eprintln!("{error}");
//! }
//!
//! // A mutation with another mode (SigV4 with the identity pool's credentials).
//! let created = api
//!     .mutate("mutation { createTodo(input: {name: \"milk\"}) { id } }")
//!     .authorization_mode(AuthorizationType::AwsIam)
//!     .send::<serde_json::Value>()
//!     .await?;
//! # let _ = created;
//! # Ok(()) }
//! ```
//!
//! # Authorization modes
//!
//! The mode is the request's [`authorization_mode`](GraphQlOperation::authorization_mode), else
//! the API's default from the configuration:
//!
//! | mode | what is sent | where it comes from |
//! |---|---|---|
//! | `API_KEY` | `x-api-key` | the configuration |
//! | `AMAZON_COGNITO_USER_POOLS` | `Authorization: <access token>` | the token provider Auth registers |
//! | `AWS_IAM` | SigV4 (`appsync` for GraphQL, `execute-api` with an unsigned payload for REST) | the credentials provider Auth registers (identity pool) |
//! | `OPENID_CONNECT` | `Authorization: <token>` | your provider ([`ApiPluginBuilder::oidc_provider`]) |
//! | `AWS_LAMBDA` | `Authorization: <token>` | your provider ([`ApiPluginBuilder::lambda_provider`]) |
//! | `NONE` | nothing | |
//!
//! Providers are asked before every request, so they must be cheap (cache the token). To send
//! the user pool's ID token instead of the access token, register a provider that returns it
//! for `OPENID_CONNECT`. A request that already has an `Authorization` header (or, in API_KEY
//! mode, an `x-api-key` header) is sent as is. IAM signing uses the skew-corrected clock
//! (see [Clock](#clock)); a request the server rejects for clock skew teaches the clock the
//! server's `Date` and is re-signed and sent once more.
//!
//! # Subscriptions
//!
//! [`ApiPlugin::subscribe`] takes the same setters as a query (variables, API name,
//! authorization mode, headers, decode path); [`start`](SubscriptionOperation::start) returns a
//! [`GraphQlSubscription`], a [`Stream`](futures_core::Stream) of [`GraphQlResponse`]s (also
//! readable with [`next`](GraphQlSubscription::next)), and
//! [`established`](GraphQlSubscription::established) waits for AppSync's acknowledgement.
//!
//! ```no_run
//! # async fn run(api: amplify_api::ApiPlugin) -> Result<(), amplify_api::ApiError> {
//! use amplify_core::hub::ApiHubEvent;
//!
//! let mut states = api.hub().api().subscribe();
//! let mut created = api
//!     .subscribe("subscription { onCreateTodo { id name } }")
//!     .decode_path("onCreateTodo")
//!     .start::<serde_json::Value>()?;
//! created.established().await?;
//! // ... a mutation elsewhere ...
//! if let Some(event) = created.next().await {
//!     println!("created: {:?}", event?.data);
//! }
//! while let Some(ApiHubEvent::SubscriptionConnection { status, .. }) = states.try_recv() {
//!     println!("connection: {status:?}");
//! }
//! drop(created); // sends `stop`; the last subscription closes the socket
//! # Ok(()) }
//! ```
//!
//! Every subscription to one API shares one WebSocket to AppSync's realtime endpoint
//! (`*.appsync-realtime-api.*` for AppSync hosts, `<url>/realtime` for custom domains and for
//! the local emulator's `http` URL), opened with TLS from the same rustls/ring setup and
//! connector as requests (a configured proxy is not used yet). The connection is authorized in
//! the `header-<base64url>` subprotocol with the mode the subscriptions share (else the API's
//! default), each `start` with the subscription's own mode, every mode supported (IAM signs a
//! canonical `POST …/connect` with `{}`, and each start's request). Providers are asked again
//! for every connect and every start.
//!
//! The connection watches AppSync's keep-alives (`connectionTimeoutMs`), reconnects after a
//! dropped socket or missed keep-alives with exponential backoff and jitter
//! ([`SubscriptionOptions`]), and starts every live subscription again. A `start` refused for
//! an expired token or signature is retried once with fresh credentials. Its state is
//! published on the Hub's API channel
//! ([`ApiHubEvent::SubscriptionConnection`](amplify_core::hub::ApiHubEvent)): `Connecting`,
//! `Connected`, `ConnectionDisrupted`, `PendingDisconnect`, `Disconnected`, `Failed`. A
//! subscription that cannot go on (rejected by an `error` frame, no `start_ack` in time, the
//! connection refused or lost for good) ends its stream with one
//! [`ApiError::Subscription`], never silently. The frames are listed in the source of the
//! `realtime` module.
//!
//! # Server-side IAM
//!
//! A backend (a Lambda function, an ECS service, a batch job, an operator's CLI) calls AppSync
//! and API Gateway with its own IAM role, not with Cognito. With the `aws-config` feature the
//! `AWS_IAM` mode signs with the AWS default credential chain (environment, profiles and SSO,
//! web identity, ECS and instance metadata), without [`Amplify`](amplify_core::Amplify) and
//! without the auth crate:
//!
//! ```text
//! // (compiled in `ApiPlugin::configure_with_sdk_config`'s example, with the feature)
//! // Cargo.toml: amplify-api = { version = "0.1", features = ["aws-config"] }
//! use amplify_api::ApiPlugin;
//! use amplify_core::{AmplifyConfig, AuthorizationType};
//!
//! let sdk = amplify_api::sdk_config::loader().load().await; // the default chain
//! let config = AmplifyConfig::from_json(&std::fs::read_to_string("amplify_outputs.json")?)?;
//! let api = ApiPlugin::new();
//! api.configure_with_sdk_config(&config, &sdk)?; // credentials, and region for APIs without one
//! let todos = api
//!     .query("query { listTodos { items { id } } }")
//!     .authorization_mode(AuthorizationType::AwsIam)
//!     .send::<serde_json::Value>()
//!     .await?;
//! ```
//!
//! * `sdk_config::loader()` is `aws_config::defaults(BehaviorVersion::latest())`
//!   with a rustls/ring HTTPS client for the providers that make requests: `aws-config` is built
//!   here without its HTTPS client features, which would bring aws-lc-rs. Chain any loader
//!   setter (`profile_name`, `region`, ...) before `load()`.
//! * `SdkCredentialsProvider` adapts any `aws-credential-types` `ProvideCredentials` (every
//!   `aws-config` provider, fixed `Credentials`, your own) to amplify-core's
//!   [`CredentialsProvider`](amplify_core::CredentialsProvider). `aws-config`'s providers do not
//!   cache (the SDK's clients cache in their identity cache), so the adapter does: one fetch,
//!   again only within 5 minutes of expiry (`refresh_buffer`), single flight for concurrent
//!   callers. A fresh hit is a read lock and an `Arc` clone, so signing costs what it costs
//!   with identity-pool credentials. Register it yourself to combine it with other modes:
//!   `registry.register(AuthorizationType::AwsIam, SharedCredentialsProvider::new(provider))`.
//! * `ApiPlugin::configure_with_sdk_config` does that in one call; it reports an `SdkConfig`
//!   without credentials (`no_credentials()`) as [`ApiError::Configuration`]. A provider that
//!   finds no credentials fails the request with [`ApiError::Provider`] before anything is sent;
//!   keys AppSync does not know are [`ApiError::Unauthorized`] (`UnrecognizedClientException`).
//!
//! The local emulator verifies such signatures for real once told the principal
//! (`EmulatorBuilder::iam_principal`, or `iamPrincipals` in its seed); `examples/server-iam`
//! runs against it and, with `--config`, against a real API.
//!
//! # Guides
//!
//! [`guide::api`] (GraphQL, REST, authorization modes, OIDC and Lambda providers, interceptors,
//! errors), [`guide::subscriptions`], `guide::server_iam` (with the `aws-config` feature),
//! [`guide::emulator`] and [`guide::testing`]: the pages of the amplify-rs guide, with compiled
//! examples.
//!
//! # Errors
//!
//! Every operation returns [`ApiError`], which implements
//! [`AmplifyError`](amplify_core::AmplifyError) (recovery suggestion, service code, request id,
//! whether a retry may help).
//!
//! # HTTP
//!
//! One plugin holds one hyper client with rustls (ring provider; the system's roots plus any
//! added with [`ApiPluginBuilder::add_root_certificate`]), HTTP/2 by ALPN or HTTP/1.1, pooled
//! keep-alive connections, and two timeouts: the connect timeout bounds dialing, the proxy
//! tunnel and the TLS handshake (expiry: the request was not sent), and the request timeout
//! starts once a connection starts sending the request (expiry: it may have been sent). Clones
//! share the client. Requests need a Tokio runtime with its time driver enabled.
//!
//! [`ApiPluginBuilder::proxy`] sends requests through an HTTP proxy (a CONNECT tunnel for
//! `https`, forwarding for `http`); [`ApiPluginBuilder::connector`] replaces TCP with your own
//! [`Connector`] (a small trait of this crate, so no tower or hyper types are part of the API).
//! [`ApiPluginBuilder::build`] reports an unusable proxy or root certificate as
//! [`ApiError::Configuration`]. The crate re-exports [`http`] and [`bytes`], so you need not
//! match their versions.
//!
//! # Clock
//!
//! IAM requests are signed with Amplify's
//! [`SkewCorrectedClock`](amplify_core::time::SkewCorrectedClock), the one the auth plugin also
//! teaches from Cognito's `Date` headers; a clock-skew rejection teaches it in turn. Configured
//! without Amplify, the plugin uses [`ApiPluginBuilder::clock`] (pass the auth plugin's to share
//! it) or a clock of its own.
//!
//! [`RequestInterceptor`]s (Amplify's `baseHttpClient`) see every request after it was
//! authorized, and every response.
//!
//! # Performance
//!
//! `cargo bench -p amplify-api` compares an API-key query with a raw hyper POST of the same
//! request to the same loopback server, measures what SigV4 signing adds, and reports requests
//! per second with 64 requests in flight on one client.
//! `cargo bench -p amplify-api --features aws-config --bench server_iam` compares IAM requests
//! signed with `SdkCredentialsProvider` against identity-pool-style credentials: a cache hit
//! costs about 90–100 ns against 25 ns (measured here), well under 1% of a loopback request,
//! and the end-to-end medians differ by less than the run-to-run noise.
//!
//! # Features
//!
//! * `aws-config` (off by default): [server-side IAM](#server-side-iam) with the AWS default
//!   credential chain: the `sdk_config` module (`loader()`), `SdkCredentialsProvider`,
//!   `ApiPlugin::configure_with_sdk_config`, and `aws_config` re-exported. It adds `aws-config`
//!   (with `sso` and `credentials-process`, without its HTTPS client features), `aws-sdk-sts`,
//!   `aws-sdk-sso` and `aws-sdk-ssooidc`; never aws-lc-rs or OpenSSL. Without it none of these
//!   is built.
//! * `realtime` (on by default): [subscriptions](#subscriptions): `ApiPlugin::subscribe`,
//!   `SubscriptionOperation`, `GraphQlSubscription`, `SubscriptionOptions` and
//!   `ApiPluginBuilder::subscription_options`, over `tokio-tungstenite`. An app that only
//!   queries, mutates and calls REST can turn it off
//!   (`amplify-api = { version = "0.1", default-features = false }`) and build neither the
//!   WebSocket client nor its dependencies.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod connector;
mod decode;
mod endpoint;
mod error;
mod graphql;
pub mod guide;
mod interceptor;
mod operation;
mod pool;
#[cfg(feature = "realtime")]
mod realtime;

/// Entry points for the `fuzz/` targets only: compiled with `--cfg fuzzing` (as `cargo xtask
/// fuzz` builds), never part of the API.
#[cfg(all(fuzzing, feature = "realtime"))]
#[doc(hidden)]
pub mod fuzz_hooks {
    /// Decodes one realtime (WebSocket) text message as the subscription client does and
    /// renders what decoded; returns whether it decoded.
    pub fn decode_realtime_frame(text: &str) -> bool {
        match crate::realtime::frame::ServerFrame::decode(text) {
            Ok(frame) => !format!("{frame:?}").is_empty(),
            Err(_) => false,
        }
    }
}
mod request;
mod response;
#[cfg(feature = "aws-config")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-config")))]
pub mod sdk_config;
mod tls;
mod transport;

/// The boxed error interceptors return (amplify-core's, re-exported).
pub use amplify_core::BoxError;
pub use client::{ApiPlugin, ApiPluginBuilder, PLUGIN_KEY};
pub use connector::{Connection, Connector};
pub use error::{
    ApiError, ApiLookupFailure, ConfigurationError, DecodeFailure, DecodeReason, DispatchState,
    InterceptorFailure, InvalidRequestError, ProviderFailure, SigningFailure, StatusFailure,
    SubscriptionFailure, SubscriptionFailureKind, TimeoutFailure, TimeoutPhase, TransportFailure,
};
pub use graphql::{GraphQlError, GraphQlErrorLocation, GraphQlPathSegment, GraphQlResponse};
pub use interceptor::{InterceptorContext, RequestInterceptor, SharedInterceptor};
pub use operation::graphql::GraphQlOperation;
pub use operation::rest::RestOperation;
#[cfg(feature = "realtime")]
pub use operation::subscription::{GraphQlSubscription, SubscriptionOperation};
#[cfg(feature = "realtime")]
pub use realtime::SubscriptionOptions;
pub use response::HttpResponse;
#[cfg(feature = "aws-config")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-config")))]
pub use sdk_config::SdkCredentialsProvider;

/// The `aws-config` crate whose [`SdkConfig`](aws_config::SdkConfig) and credential providers
/// the `aws-config` feature takes, so you need not match its version.
#[cfg(feature = "aws-config")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-config")))]
pub use aws_config;

/// The `http` crate amplify-api's requests, responses and headers come from, so you need not
/// match its version.
pub use http;

/// The `bytes` crate of request and response bodies, so you need not match its version.
pub use bytes;

/// Compile-time checks: the plugin, its builders, errors and every public future are `Send`
/// (and the values `Sync` and `'static`), so they can be moved into spawned tasks. Never called.
#[allow(dead_code)]
fn _assert_send_sync_static() {
    fn send_sync_static<T: Send + Sync + 'static>() {}
    fn send_static<T: Send + 'static>(_: &T) {}

    send_sync_static::<ApiPlugin>();
    send_sync_static::<ApiPluginBuilder>();
    send_sync_static::<GraphQlOperation>();
    send_sync_static::<RestOperation>();
    send_sync_static::<ApiError>();
    send_sync_static::<HttpResponse>();
    send_sync_static::<GraphQlResponse<serde_json::Value>>();
    send_sync_static::<SharedInterceptor>();
    send_sync_static::<Box<dyn Connector>>();
    fn send_only<T: Send + 'static>() {}
    send_only::<Box<dyn Connection>>();

    let api = ApiPlugin::new();
    send_static(&api.query("{ a }").send::<serde_json::Value>());
    send_static(&api.mutate("mutation { a }").send_raw());
    send_static(&api.get("/").send());
    send_static(&api.post("/").send());
    #[cfg(feature = "realtime")]
    {
        send_only::<GraphQlSubscription<serde_json::Value>>();
        send_sync_static::<SubscriptionOperation>();
        send_sync_static::<SubscriptionOptions>();
    }
    send_sync_static::<SubscriptionFailure>();
    #[cfg(feature = "aws-config")]
    send_sync_static::<SdkCredentialsProvider>();
}
