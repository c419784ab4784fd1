//! Provider traits through which categories authorize requests without depending on each other.
//!
//! Auth registers a user-pool [`TokenProvider`] and an identity-pool [`CredentialsProvider`] in
//! the [`AuthProviderRegistry`]; the API category looks them up by [`AuthorizationType`]. Users
//! register their own OIDC and Lambda token providers the same way.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use amplify_config::AuthorizationType;
use secrecy::{ExposeSecret, SecretString};

use crate::{AmplifyError, BoxError};

/// A boxed, `Send` future, the return type of provider trait methods (keeps the traits object safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

crate::secret_newtype! {
    /// A bearer token (a Cognito access or ID token, an OIDC token, a Lambda authorizer token).
    ///
    /// `Debug` never shows the value; clones share it.
    ///
    /// ```
    /// use amplify_core::AuthToken;
    ///
    /// let token = AuthToken::new("eyJhbGciOi.secret.sig");
    /// assert_eq!(format!("{token:?}"), "AuthToken([redacted])");
    /// assert_eq!(token.expose_secret(), "eyJhbGciOi.secret.sig");
    /// ```
    pub struct AuthToken;
}

/// Temporary AWS credentials (from a Cognito identity pool, or anything else).
///
/// `Debug` shows the access key id and expiry only.
///
/// ```
/// use amplify_core::AwsCredentials;
///
/// let creds = AwsCredentials::new("ASIAEXAMPLE", "wJalrXUtnFEMI", Some("session-token".into()), None);
/// let shown = format!("{creds:?}");
/// assert!(shown.contains("ASIAEXAMPLE"));
/// assert!(!shown.contains("wJalrXUtnFEMI") && !shown.contains("session-token"));
/// ```
/// Cheap to clone (the values are shared).
#[derive(Clone)]
pub struct AwsCredentials {
    inner: Arc<CredentialsInner>,
}

struct CredentialsInner {
    access_key_id: String,
    secret_access_key: SecretString,
    session_token: Option<SecretString>,
    expiration: Option<SystemTime>,
}

impl AwsCredentials {
    /// Builds credentials.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiration: Option<SystemTime>,
    ) -> Self {
        Self {
            inner: Arc::new(CredentialsInner {
                access_key_id: access_key_id.into(),
                secret_access_key: SecretString::from(secret_access_key.into()),
                session_token: session_token.map(SecretString::from),
                expiration,
            }),
        }
    }

    /// The access key id (not secret).
    pub fn access_key_id(&self) -> &str {
        &self.inner.access_key_id
    }

    /// The secret access key. Call this only to sign, never to log it.
    pub fn secret_access_key(&self) -> &str {
        self.inner.secret_access_key.expose_secret()
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.inner
            .session_token
            .as_ref()
            .map(ExposeSecret::expose_secret)
    }

    /// When the credentials stop working, if they expire.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.inner.expiration
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.inner.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field(
                "session_token",
                &self.inner.session_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expiration", &self.inner.expiration)
            .finish()
    }
}

/// What kind of failure a provider had; decides whether the caller should retry or sign in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderErrorKind {
    /// No provider is registered for the authorization mode.
    NotRegistered,
    /// A provider of another kind is registered (a token provider where credentials were needed).
    WrongKind,
    /// Nobody is signed in.
    SignedOut,
    /// The session ended (refresh token expired or revoked): sign in again.
    SessionExpired,
    /// A transient failure (network, throttling): retrying may help.
    Transient,
    /// Anything else.
    Other,
}

/// A provider could not supply a token or credentials.
///
/// The [`kind`](Self::kind) decides whether retrying may help. When the provider failed because
/// of another amplify-rs error (an `AuthError` from a token refresh, say), build the error with
/// [`from_amplify_error`](Self::from_amplify_error): [`code()`](AmplifyError::code) and
/// [`request_id()`](AmplifyError::request_id) then report the service's, and
/// [`source()`](std::error::Error::source) returns the error.
///
/// ```
/// use amplify_core::{AmplifyError, ProviderError, ProviderErrorKind};
///
/// let err = ProviderError::new(ProviderErrorKind::Transient, "the network is unreachable");
/// assert!(err.is_retryable());
/// assert_eq!(err.kind(), ProviderErrorKind::Transient);
/// ```
#[derive(Debug)]
pub struct ProviderError {
    kind: ProviderErrorKind,
    message: Cow<'static, str>,
    source: Option<ProviderSource>,
}

/// The cause of a [`ProviderError`]: any error, or an amplify-rs error whose metadata is kept.
#[derive(Debug)]
enum ProviderSource {
    Plain(BoxError),
    Amplify(Box<dyn AmplifyError>),
}

impl ProviderError {
    /// A new error.
    pub fn new(kind: ProviderErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: Cow::Owned(message.into()),
            source: None,
        }
    }

    /// An error caused by another amplify-rs error, for example a shared `Arc<AuthError>` from a
    /// failed refresh. The message says what kind of failure it was; `source()` is `source`, and
    /// [`code()`](AmplifyError::code), [`request_id()`](AmplifyError::request_id) and
    /// [`recovery_suggestion()`](AmplifyError::recovery_suggestion) come from it. Retryability
    /// comes from `kind` alone.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use amplify_core::{AmplifyError, CoreError, ProviderError, ProviderErrorKind};
    ///
    /// let cause = Arc::new(CoreError::NotConfigured);
    /// let err = ProviderError::from_amplify_error(ProviderErrorKind::Other, Arc::clone(&cause));
    /// assert_eq!(err.to_string(), "the authorization provider failed");
    /// assert_eq!(std::error::Error::source(&err).map(ToString::to_string), Some(cause.to_string()));
    /// assert_eq!(err.recovery_suggestion(), cause.recovery_suggestion());
    /// ```
    pub fn from_amplify_error(kind: ProviderErrorKind, source: impl AmplifyError) -> Self {
        Self {
            kind,
            message: Cow::Borrowed(kind.description()),
            source: Some(ProviderSource::Amplify(Box::new(source))),
        }
    }

    /// Attaches the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(ProviderSource::Plain(source.into()));
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ProviderErrorKind {
        self.kind
    }

    fn amplify_source(&self) -> Option<&dyn AmplifyError> {
        match &self.source {
            Some(ProviderSource::Amplify(e)) => Some(&**e),
            _ => None,
        }
    }
}

impl ProviderErrorKind {
    fn description(self) -> &'static str {
        match self {
            ProviderErrorKind::NotRegistered => "no authorization provider is registered",
            ProviderErrorKind::WrongKind => "the authorization provider is of the wrong kind",
            ProviderErrorKind::SignedOut => "nobody is signed in",
            ProviderErrorKind::SessionExpired => "the session has expired",
            ProviderErrorKind::Transient => "the authorization provider failed temporarily",
            ProviderErrorKind::Other => "the authorization provider failed",
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProviderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.source {
            Some(ProviderSource::Plain(e)) => Some(&**e),
            Some(ProviderSource::Amplify(e)) => Some(&**e),
            None => None,
        }
    }
}

impl AmplifyError for ProviderError {
    fn recovery_suggestion(&self) -> Option<String> {
        if let Some(suggestion) = self
            .amplify_source()
            .and_then(AmplifyError::recovery_suggestion)
        {
            return Some(suggestion);
        }
        Some(
            match self.kind {
                ProviderErrorKind::NotRegistered => {
                    "Add the plugin that provides this authorization mode (the auth plugin for user pools and IAM), \
                     or register your own provider for OIDC and Lambda."
                }
                ProviderErrorKind::WrongKind => "Register a provider of the kind this authorization mode needs.",
                ProviderErrorKind::SignedOut => "Sign in first, or use a mode that does not need a signed-in user.",
                ProviderErrorKind::SessionExpired => "Sign in again.",
                ProviderErrorKind::Transient => "Check the network connection and try again.",
                ProviderErrorKind::Other => "See the underlying error for details.",
            }
            .to_owned(),
        )
    }

    fn code(&self) -> Option<&str> {
        self.amplify_source().and_then(AmplifyError::code)
    }

    fn request_id(&self) -> Option<&str> {
        self.amplify_source().and_then(AmplifyError::request_id)
    }

    fn is_retryable(&self) -> bool {
        self.kind == ProviderErrorKind::Transient
    }
}

/// Supplies a bearer token before each request. Called for every request, so it must be cheap
/// (cache the token; refresh only when needed).
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// The token to send now.
    fn latest_token(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>>;
}

/// Supplies AWS credentials for SigV4 signing. Called for every request, so it must be cheap.
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// The credentials to sign with now.
    fn credentials(&self) -> BoxFuture<'_, Result<AwsCredentials, ProviderError>>;
}

/// A cheap-to-clone handle to any [`TokenProvider`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_core::{AuthToken, SharedTokenProvider, TokenProvider};
///
/// let fixed = SharedTokenProvider::new(AuthToken::new("static-token"));
/// assert_eq!(fixed.latest_token().await.unwrap().expose_secret(), "static-token");
///
/// let from_fn = SharedTokenProvider::from_fn(|| async { Ok(AuthToken::new("fresh")) });
/// assert_eq!(from_fn.latest_token().await.unwrap().expose_secret(), "fresh");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SharedTokenProvider(Arc<dyn TokenProvider>);

impl SharedTokenProvider {
    /// Wraps a provider.
    pub fn new(provider: impl TokenProvider + 'static) -> Self {
        Self(Arc::new(provider))
    }

    /// A provider that calls an async closure for each token.
    pub fn from_fn<F, Fut>(f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<AuthToken, ProviderError>> + Send + 'static,
    {
        Self::new(FnProvider(f))
    }
}

impl TokenProvider for SharedTokenProvider {
    fn latest_token(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        self.0.latest_token()
    }
}

/// A fixed token (for example an OIDC token the app manages itself).
impl TokenProvider for AuthToken {
    fn latest_token(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        let token = self.clone();
        Box::pin(async move { Ok(token) })
    }
}

/// A cheap-to-clone handle to any [`CredentialsProvider`].
#[derive(Debug, Clone)]
pub struct SharedCredentialsProvider(Arc<dyn CredentialsProvider>);

impl SharedCredentialsProvider {
    /// Wraps a provider.
    pub fn new(provider: impl CredentialsProvider + 'static) -> Self {
        Self(Arc::new(provider))
    }

    /// A provider that calls an async closure for each request.
    pub fn from_fn<F, Fut>(f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<AwsCredentials, ProviderError>> + Send + 'static,
    {
        Self::new(FnProvider(f))
    }
}

impl CredentialsProvider for SharedCredentialsProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<AwsCredentials, ProviderError>> {
        self.0.credentials()
    }
}

/// Fixed credentials.
impl CredentialsProvider for AwsCredentials {
    fn credentials(&self) -> BoxFuture<'_, Result<AwsCredentials, ProviderError>> {
        let creds = self.clone();
        Box::pin(async move { Ok(creds) })
    }
}

struct FnProvider<F>(F);

impl<F> fmt::Debug for FnProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnProvider")
    }
}

impl<F, Fut> TokenProvider for FnProvider<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<AuthToken, ProviderError>> + Send + 'static,
{
    fn latest_token(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        Box::pin((self.0)())
    }
}

impl<F, Fut> CredentialsProvider for FnProvider<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<AwsCredentials, ProviderError>> + Send + 'static,
{
    fn credentials(&self) -> BoxFuture<'_, Result<AwsCredentials, ProviderError>> {
        Box::pin((self.0)())
    }
}

/// A provider registered for an authorization mode.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthProvider {
    /// A bearer-token provider (user pools, OIDC, Lambda, or an API key source).
    Token(SharedTokenProvider),
    /// An AWS credentials provider (IAM).
    Credentials(SharedCredentialsProvider),
}

impl From<SharedTokenProvider> for AuthProvider {
    fn from(p: SharedTokenProvider) -> Self {
        AuthProvider::Token(p)
    }
}

impl From<SharedCredentialsProvider> for AuthProvider {
    fn from(p: SharedCredentialsProvider) -> Self {
        AuthProvider::Credentials(p)
    }
}

/// Providers keyed by authorization mode: the bridge between Auth and API.
///
/// Clones share one registry. Registering again for a mode replaces the provider.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_core::{AuthProviderRegistry, AuthToken, AuthorizationType, SharedTokenProvider, TokenProvider};
///
/// let registry = AuthProviderRegistry::default();
/// registry.register(AuthorizationType::OpenIdConnect, SharedTokenProvider::new(AuthToken::new("oidc")));
/// let provider = registry.token_provider(AuthorizationType::OpenIdConnect)?;
/// assert_eq!(provider.latest_token().await?.expose_secret(), "oidc");
/// assert!(registry.credentials_provider(AuthorizationType::AwsIam).is_err());
/// # Ok::<(), amplify_core::ProviderError>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct AuthProviderRegistry {
    providers: Arc<RwLock<HashMap<AuthorizationType, AuthProvider>>>,
}

impl AuthProviderRegistry {
    /// Registers (or replaces) the provider for `mode`.
    pub fn register(&self, mode: AuthorizationType, provider: impl Into<AuthProvider>) {
        let provider = provider.into();
        tracing::debug!(mode = mode.as_str(), "auth provider registered");
        self.providers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(mode, provider);
    }

    /// Removes the provider for `mode`.
    pub fn unregister(&self, mode: AuthorizationType) -> Option<AuthProvider> {
        self.providers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&mode)
    }

    /// The provider registered for `mode`.
    pub fn get(&self, mode: AuthorizationType) -> Option<AuthProvider> {
        self.providers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&mode)
            .cloned()
    }

    /// The token provider registered for `mode`.
    ///
    /// # Errors
    ///
    /// [`ProviderErrorKind::NotRegistered`] or [`ProviderErrorKind::WrongKind`].
    pub fn token_provider(
        &self,
        mode: AuthorizationType,
    ) -> Result<SharedTokenProvider, ProviderError> {
        match self.get(mode) {
            Some(AuthProvider::Token(p)) => Ok(p),
            Some(AuthProvider::Credentials(_)) => Err(ProviderError::new(
                ProviderErrorKind::WrongKind,
                format!("the provider registered for {mode} supplies AWS credentials, not a token"),
            )),
            None => Err(not_registered(mode)),
        }
    }

    /// The credentials provider registered for `mode` (normally [`AuthorizationType::AwsIam`]).
    ///
    /// # Errors
    ///
    /// [`ProviderErrorKind::NotRegistered`] or [`ProviderErrorKind::WrongKind`].
    pub fn credentials_provider(
        &self,
        mode: AuthorizationType,
    ) -> Result<SharedCredentialsProvider, ProviderError> {
        match self.get(mode) {
            Some(AuthProvider::Credentials(p)) => Ok(p),
            Some(AuthProvider::Token(_)) => Err(ProviderError::new(
                ProviderErrorKind::WrongKind,
                format!("the provider registered for {mode} supplies a token, not AWS credentials"),
            )),
            None => Err(not_registered(mode)),
        }
    }
}

fn not_registered(mode: AuthorizationType) -> ProviderError {
    ProviderError::new(
        ProviderErrorKind::NotRegistered,
        format!("no provider is registered for the {mode} authorization mode"),
    )
}
