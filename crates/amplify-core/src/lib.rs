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
//! # Guides
//!
//! [`guide::troubleshooting`] lists every amplify-rs error's recovery suggestion (generated from
//! the source); [`guide::from_amplify`] maps Amplify Flutter and amplify-js calls to amplify-rs.
//!
//! # Features
//!
//! - `test-util`: test helpers that do not belong in release builds: `test_util` captures
//!   `tracing` output at TRACE for one test. The manual clock ([`time::ManualTimeSource`]) is
//!   always available.
//!
//! # Shared building blocks
//!
//! - [`time::SkewCorrectedClock`]: one per [`Amplify`], given to every plugin as
//!   [`PluginContext::clock`], so Auth and API correct for the same clock offset.
//! - [`BoxError`]: the boxed `source()` type of every crate.
//! - `amplify_core::secret_newtype! { /// docs\n pub struct Name; }`: declares a secret
//!   newtype (redacted `Debug`, a shared value zeroized on drop, constant-time `Eq`), as
//!   [`AuthToken`] is; every crate declares its secrets with it.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod amplify;
mod error;
pub mod guide;
pub mod hub;
mod plugin;
mod provider;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;
pub mod time;

pub use amplify::{Amplify, AmplifyBuilder, CategoryPlugins};
pub use amplify_config::secret_newtype;
pub use amplify_config::{self as config, AmplifyConfig, AuthorizationType, ConfigError};
pub use error::{AmplifyError, BoxError, CoreError, DisplayErrorContext};
pub use plugin::{Category, Plugin, PluginContext};
pub use provider::{
    AuthProvider, AuthProviderRegistry, AuthToken, AwsCredentials, BoxFuture, CredentialsProvider,
    ProviderError, ProviderErrorKind, SharedCredentialsProvider, SharedTokenProvider,
    TokenProvider,
};
