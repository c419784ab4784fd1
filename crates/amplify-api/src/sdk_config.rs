//! Server-side IAM (feature `aws-config`): the AWS default credential chain (environment,
//! profiles and SSO, web identity, ECS and instance metadata) as the `AWS_IAM` provider.
//!
//! [`SdkCredentialsProvider`] adapts any [`ProvideCredentials`] (every `aws-config` provider, an
//! [`SdkConfig`]'s) to amplify-core's [`CredentialsProvider`], behind a single-flight expiring
//! cache; [`ApiPlugin::configure_with_sdk_config`](crate::ApiPlugin::configure_with_sdk_config)
//! configures the API category from an `SdkConfig` in one call; [`loader`] is `aws-config`'s
//! loader with this crate's rustls/ring HTTPS client for the providers that make requests.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use amplify_core::time::SharedTimeSource;
use amplify_core::{
    AwsCredentials, BoxFuture, CredentialsProvider, ProviderError, ProviderErrorKind,
};
use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use tokio::sync::Mutex;

/// Credentials are fetched again this long before they expire (5 minutes).
pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);

/// `aws-config`'s loader (latest behavior version) with a rustls/ring HTTPS client for the
/// providers that make requests (SSO, web identity, STS assume-role, ECS, instance metadata):
/// `aws-config` is built without its own HTTPS client here, which would bring aws-lc-rs.
///
/// Everything else is `aws-config`'s: chain the loader's setters, then `load().await`.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> Result<(), amplify_api::ApiError> {
/// let sdk = amplify_api::sdk_config::loader().load().await;
/// # let _ = sdk;
/// # Ok(()) }
/// ```
pub fn loader() -> ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest()).http_client(https_client())
}

/// The HTTPS client [`loader`] gives `aws-config`: rustls with ring and the system's roots.
fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// Any AWS SDK credentials provider as the `AWS_IAM` [`CredentialsProvider`], with a cache.
///
/// The provider is asked once, and again only when its credentials are within the
/// [refresh buffer](Self::refresh_buffer) of their expiry (credentials without an expiry, such
/// as long-term keys from the environment, are kept). Concurrent requests that find the
/// credentials stale wait for one fetch (single flight). A request that finds them fresh takes
/// a read lock and clones an `Arc`, so signing costs what it costs with identity-pool
/// credentials.
///
/// `Debug` shows neither the secret key nor the session token.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_api::SdkCredentialsProvider;
/// use amplify_core::CredentialsProvider;
/// use aws_credential_types::Credentials;
///
/// let provider = SdkCredentialsProvider::new(Credentials::new(
///     "AKIDEXAMPLE", "secret", None, None, "example"));
/// assert_eq!(provider.credentials().await?.access_key_id(), "AKIDEXAMPLE");
/// # Ok::<(), amplify_core::ProviderError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct SdkCredentialsProvider {
    inner: Arc<Inner>,
}

struct Inner {
    provider: SharedCredentialsProvider,
    cached: RwLock<Option<AwsCredentials>>,
    refresh: Mutex<()>,
    buffer: Duration,
    time: SharedTimeSource,
}

impl fmt::Debug for SdkCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self
            .inner
            .cached
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        f.debug_struct("SdkCredentialsProvider")
            .field("provider", &self.inner.provider)
            // AwsCredentials' Debug shows the key id and expiry only.
            .field("cached", &cached)
            .field("refresh_buffer", &self.inner.buffer)
            .finish()
    }
}

impl SdkCredentialsProvider {
    /// Wraps a provider (anything from `aws-config`, or fixed
    /// [`Credentials`](aws_credential_types::Credentials)), with the default refresh buffer and
    /// the system clock.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::from_shared(SharedCredentialsProvider::new(provider))
    }

    fn from_shared(provider: SharedCredentialsProvider) -> Self {
        Self::build(
            provider,
            DEFAULT_REFRESH_BUFFER,
            SharedTimeSource::default(),
        )
    }

    fn build(
        provider: SharedCredentialsProvider,
        buffer: Duration,
        time: SharedTimeSource,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                provider,
                cached: RwLock::new(None),
                refresh: Mutex::new(()),
                buffer,
                time,
            }),
        }
    }

    /// The credentials provider of an [`SdkConfig`] (for example from [`loader`]), or `None`
    /// when it has none (`no_credentials()`).
    pub fn from_sdk_config(config: &SdkConfig) -> Option<Self> {
        config.credentials_provider().map(Self::from_shared)
    }

    /// How long before expiry credentials are fetched again ([`DEFAULT_REFRESH_BUFFER`]).
    /// Returns a new provider with an empty cache.
    #[must_use]
    pub fn refresh_buffer(self, buffer: Duration) -> Self {
        Self::build(self.inner.provider.clone(), buffer, self.inner.time.clone())
    }

    /// The clock expiry is judged by (the system clock by default). Returns a new provider with
    /// an empty cache.
    #[must_use]
    pub fn time_source(self, time: SharedTimeSource) -> Self {
        Self::build(self.inner.provider.clone(), self.inner.buffer, time)
    }

    /// The cached credentials, if still fresh at `now`.
    fn fresh(&self, now: SystemTime) -> Option<AwsCredentials> {
        let cached = self
            .inner
            .cached
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        cached
            .as_ref()
            .filter(|c| is_fresh(c.expiration(), now, self.inner.buffer))
            .cloned()
    }

    async fn resolve(&self) -> Result<AwsCredentials, ProviderError> {
        if let Some(credentials) = self.fresh(self.inner.time.now()) {
            return Ok(credentials);
        }
        let _refreshing = self.inner.refresh.lock().await;
        // Another caller may have refreshed while this one waited.
        if let Some(credentials) = self.fresh(self.inner.time.now()) {
            tracing::trace!("AWS credentials refreshed by a concurrent caller");
            return Ok(credentials);
        }
        tracing::debug!("fetching AWS credentials from the SDK provider");
        let fetched = self
            .inner
            .provider
            .provide_credentials()
            .await
            .map_err(provider_error)?;
        let credentials = AwsCredentials::new(
            fetched.access_key_id(),
            fetched.secret_access_key(),
            fetched.session_token().map(str::to_owned),
            fetched.expiry(),
        );
        tracing::debug!(
            access_key_id = credentials.access_key_id(),
            expires = ?credentials.expiration(),
            "AWS credentials cached"
        );
        *self
            .inner
            .cached
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(credentials.clone());
        Ok(credentials)
    }
}

/// Whether credentials expiring at `expiration` can still be used at `now`.
fn is_fresh(expiration: Option<SystemTime>, now: SystemTime, buffer: Duration) -> bool {
    expiration.is_none_or(|expires| now.checked_add(buffer).is_some_and(|t| t < expires))
}

fn provider_error(err: CredentialsError) -> ProviderError {
    let (kind, message) = match &err {
        CredentialsError::CredentialsNotLoaded(_) => (
            ProviderErrorKind::SignedOut,
            "no AWS credentials were found by the credentials provider",
        ),
        CredentialsError::ProviderTimedOut(_) => (
            ProviderErrorKind::Transient,
            "the AWS credentials provider timed out",
        ),
        CredentialsError::InvalidConfiguration(_) => (
            ProviderErrorKind::Other,
            "the AWS credentials provider is misconfigured",
        ),
        CredentialsError::ProviderError(_) => (
            ProviderErrorKind::Transient,
            "the AWS credentials provider failed",
        ),
        _ => (
            ProviderErrorKind::Other,
            "the AWS credentials provider failed unexpectedly",
        ),
    };
    ProviderError::new(kind, message).with_source(err)
}

impl CredentialsProvider for SdkCredentialsProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<AwsCredentials, ProviderError>> {
        Box::pin(self.resolve())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn freshness_keeps_a_buffer() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let buffer = Duration::from_secs(300);
        assert!(is_fresh(None, now, buffer));
        assert!(is_fresh(Some(now + Duration::from_secs(301)), now, buffer));
        assert!(!is_fresh(Some(now + Duration::from_secs(300)), now, buffer));
        assert!(!is_fresh(Some(now - Duration::from_secs(1)), now, buffer));
    }

    #[test]
    fn credentials_errors_keep_their_retryability() {
        use amplify_core::AmplifyError;
        let timed_out =
            provider_error(CredentialsError::provider_timed_out(Duration::from_secs(5)));
        assert!(timed_out.is_retryable());
        let missing = provider_error(CredentialsError::not_loaded("no env vars"));
        assert_eq!(missing.kind(), ProviderErrorKind::SignedOut);
        assert!(std::error::Error::source(&missing).is_some());
    }
}
