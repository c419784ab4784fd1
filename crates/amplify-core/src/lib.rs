//! The core of amplify-rs: the [`Amplify`] value that plugins are added to and configured
//! through, the [`Hub`](hub::Hub), the provider traits and registry through which categories
//! authorize requests without depending on each other, the injectable clock, and the error trait
//! every category error implements.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use amplify_core::{Amplify, AuthToken, AuthorizationType, SharedTokenProvider};
//!
//! let amplify = Amplify::new();
//! // Plugins are added here: amplify.add_plugin(CognitoAuthPlugin::new())?; ...
//! amplify.configure(r#"{"version": "1", "data": {"aws_region": "us-east-1",
//!     "url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
//!     "default_authorization_type": "OPENID_CONNECT"}}"#).await?;
//!
//! // An app's own OIDC provider, which the API category will find by authorization mode.
//! amplify.auth_providers().register(
//!     AuthorizationType::OpenIdConnect,
//!     SharedTokenProvider::from_fn(|| async { Ok(AuthToken::new("my-oidc-token")) }),
//! );
//! # Ok::<(), amplify_core::CoreError>(())
//! # }).unwrap();
//! ```
//!
//! # Features
//!
//! - `test-util`: reserved for test doubles that do not belong in release builds. The manual
//!   clock ([`time::ManualTimeSource`]) is always available.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod amplify;
mod error;
pub mod hub;
mod plugin;
mod provider;
pub mod time;

pub use amplify::{Amplify, AmplifyBuilder, CategoryPlugins};
pub use amplify_config::{self as config, AmplifyConfig, AuthorizationType, ConfigError};
pub use error::{AmplifyError, CoreError, DisplayErrorContext};
pub use plugin::{Category, Plugin, PluginContext};
pub use provider::{
    AuthProvider, AuthProviderRegistry, AuthToken, AwsCredentials, BoxFuture, CredentialsProvider,
    ProviderError, ProviderErrorKind, SharedCredentialsProvider, SharedTokenProvider,
    TokenProvider,
};
