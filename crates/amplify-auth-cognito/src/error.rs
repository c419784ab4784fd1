//! The one error type of the auth category.
//!
//! [`AuthError`] follows `amplify-api`'s `ApiError`: a `#[non_exhaustive]` enum whose variants
//! carry context structs with private fields and accessors, underlying errors kept as
//! [`source()`](std::error::Error::source) (never flattened into strings), and typed reasons
//! callers can match on ([`ServiceErrorKind`], [`InvalidStateReason`], [`ConfigurationReason`],
//! [`ValidationReason`]).

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use amplify_core::{AmplifyError, BoxError, ProviderError, ProviderErrorKind};
use amplify_secure_storage::StorageError;

use crate::srp::SrpError;

/// Sources are shared so that [`AuthError`] is cheap to clone (one failed refresh is handed to
/// every caller that waited for it).
pub(crate) type SharedSource = Arc<dyn StdError + Send + Sync + 'static>;

mod hosted_ui;
mod service_kind;

pub use hosted_ui::{HostedUiError, HostedUiErrorKind};

pub use service_kind::ServiceErrorKind;

/// Which service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CognitoService {
    /// Cognito user pools (`cognito-idp`).
    UserPools,
    /// Cognito identity pools (`cognito-identity`).
    IdentityPools,
}

impl fmt::Display for CognitoService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UserPools => "cognito-idp",
            Self::IdentityPools => "cognito-identity",
        })
    }
}

/// Cognito refused the request: its code, message and request id.
#[derive(Debug, Clone)]
pub struct ServiceError {
    kind: ServiceErrorKind,
    code: String,
    message: String,
    request_id: Option<String>,
    service: CognitoService,
    status: Option<u16>,
    source: Option<SharedSource>,
}

impl ServiceError {
    pub(crate) fn new(
        service: CognitoService,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let code = code.into();
        Self {
            kind: ServiceErrorKind::from_code(&code),
            code,
            message: message.into(),
            request_id: None,
            service,
            status: None,
            source: None,
        }
    }

    pub(crate) fn with_kind(mut self, kind: ServiceErrorKind) -> Self {
        self.kind = kind;
        self
    }

    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        self.request_id = id;
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// The kind, for matching.
    pub fn kind(&self) -> ServiceErrorKind {
        self.kind
    }

    /// Cognito's error code (`NotAuthorizedException`, ...).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Cognito's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request id, when the service sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The service that answered.
    pub fn service(&self) -> CognitoService {
        self.service
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

/// The request may not have reached Cognito, or no usable answer came back.
#[derive(Debug, Clone)]
pub struct NetworkError {
    service: CognitoService,
    phase: NetworkPhase,
    may_have_been_sent: bool,
    source: Option<SharedSource>,
}

/// Where a network failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NetworkPhase {
    /// Connecting or sending (DNS, TCP, TLS, I/O).
    Dispatch,
    /// The request or a connect attempt timed out.
    Timeout,
    /// The answer could not be read or was not Cognito's format (an HTML error page, a
    /// truncated or malformed body).
    Response,
}

impl NetworkError {
    pub(crate) fn new(
        service: CognitoService,
        phase: NetworkPhase,
        may_have_been_sent: bool,
        source: Option<BoxError>,
    ) -> Self {
        Self {
            service,
            phase,
            may_have_been_sent,
            source: source.map(Arc::from),
        }
    }

    /// The service that was called.
    pub fn service(&self) -> CognitoService {
        self.service
    }

    /// Where it failed.
    pub fn phase(&self) -> NetworkPhase {
        self.phase
    }

    /// Whether the request may have been sent (so a retry might repeat its effect).
    pub fn may_have_been_sent(&self) -> bool {
        self.may_have_been_sent
    }
}

/// Why a call does not fit the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidStateReason {
    /// A user is already signed in: sign out first.
    AlreadySignedIn,
    /// No sign-in waits for `confirm_sign_in`.
    NoPendingChallenge,
    /// The session is federated to the identity pool: user-pool calls do not apply.
    Federated,
    /// The session is not federated (`clear_federation_to_identity_pool`).
    NotFederated,
    /// A user-pool user is signed in (federating needs a signed-out session).
    UserPoolUserSignedIn,
    /// The user signed out or changed while a refresh was running.
    IdentityChanged,
    /// The plugin has not been configured yet.
    NotConfigured,
    /// `auto_sign_in` without a confirmed `sign_up(...).auto_sign_in(true)` in this process.
    NoAutoSignIn,
    /// The pool does not track this device (or it was forgotten).
    DeviceNotTracked,
}

impl InvalidStateReason {
    fn describe(self) -> &'static str {
        match self {
            Self::AlreadySignedIn => "a user is already signed in",
            Self::NoPendingChallenge => "no sign-in is waiting for an answer",
            Self::Federated => "the session is federated to the identity pool",
            Self::NotFederated => "the session is not federated to the identity pool",
            Self::UserPoolUserSignedIn => "a user pool user is signed in",
            Self::IdentityChanged => "the user signed out or changed while the call ran",
            Self::NotConfigured => "the auth plugin has not been configured",
            Self::NoAutoSignIn => "no sign-up waits for an automatic sign-in",
            Self::DeviceNotTracked => "this device is not tracked by the user pool",
        }
    }

    fn suggestion(self) -> &'static str {
        match self {
            Self::AlreadySignedIn => "Call `sign_out` before signing in again.",
            Self::NoPendingChallenge => {
                "Call `sign_in` first; answer its next step with `confirm_sign_in`."
            }
            Self::Federated => {
                "Call `clear_federation_to_identity_pool`, then sign in to the user pool."
            }
            Self::NotFederated => "Nothing to clear: the session is not federated.",
            Self::UserPoolUserSignedIn => "Call `sign_out` before federating to the identity pool.",
            Self::IdentityChanged => "Fetch the session again.",
            Self::NotConfigured => {
                "Call `Amplify::configure` (or `CognitoAuthPlugin::configure_with`) first."
            }
            Self::NoAutoSignIn => {
                "Sign up with `auto_sign_in(true)` and confirm first, or call `sign_in`."
            }
            Self::DeviceNotTracked => {
                "Turn on device tracking for the user pool and sign in again to register this device."
            }
        }
    }
}

/// What the configuration lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigurationReason {
    /// The configuration has no auth section.
    NoAuthSection,
    /// Auth has neither a user pool nor an identity pool.
    NoPools,
    /// The operation needs a user pool (`auth.user_pool_id` / `CognitoUserPool`).
    NoUserPool,
    /// The operation needs an identity pool (`auth.identity_pool_id` / `CognitoIdentity`).
    NoIdentityPool,
}

impl ConfigurationReason {
    fn describe(self) -> &'static str {
        match self {
            Self::NoAuthSection => "the configuration has no auth section",
            Self::NoPools => "auth has neither a user pool nor an identity pool",
            Self::NoUserPool => "no user pool is configured (auth.user_pool_id / CognitoUserPool)",
            Self::NoIdentityPool => {
                "no identity pool is configured (auth.identity_pool_id / CognitoIdentity)"
            }
        }
    }
}

/// What is wrong with an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValidationReason {
    /// The value is required and missing or blank.
    Required,
    /// The value is not supported by this version (for example the `USER_AUTH` flow).
    Unsupported,
}

/// A required input is missing or not supported (checked before anything is sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    field: &'static str,
    reason: ValidationReason,
    detail: Option<&'static str>,
}

impl ValidationError {
    pub(crate) fn new(field: &'static str, reason: ValidationReason, detail: &'static str) -> Self {
        Self {
            field,
            reason,
            detail: Some(detail),
        }
    }

    /// The input's name (`username`, `password`, ...).
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// What is wrong.
    pub fn reason(&self) -> ValidationReason {
        self.reason
    }
}

/// A challenge the client does not handle yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedChallengeError {
    challenge: String,
}

impl UnsupportedChallengeError {
    /// Cognito's challenge name (`SOFTWARE_TOKEN_MFA`, `MFA_SETUP`, ...).
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// Cognito answered with something this client cannot use.
#[derive(Debug, Clone)]
pub struct UnexpectedResponseError {
    what: &'static str,
    source: Option<SharedSource>,
}

impl UnexpectedResponseError {
    /// What was missing or malformed.
    pub fn what(&self) -> &'static str {
        self.what
    }
}

/// The session ended: the refresh token expired, was revoked or replaced, or the user is gone.
#[derive(Debug, Clone)]
pub struct SessionExpiredError {
    cause: Option<Arc<AuthError>>,
}

impl SessionExpiredError {
    /// The service's answer that ended the session, when there was one.
    pub fn cause(&self) -> Option<&AuthError> {
        self.cause.as_deref()
    }
}

/// Errors from the auth category.
///
/// Multi-step flows report where they stand through results (`next_step`), not errors; these are
/// failures. [`AmplifyError::recovery_suggestion`] says what to do, [`AmplifyError::is_retryable`]
/// whether trying again may help, and [`AmplifyError::code`] / [`AmplifyError::request_id`] give
/// the service's metadata (also through a [`SessionExpired`](AuthError::SessionExpired) cause).
///
/// ```
/// use amplify_auth_cognito::{AuthError, InvalidStateReason};
///
/// fn describe(err: &AuthError) -> &'static str {
///     match err {
///         AuthError::InvalidState(InvalidStateReason::AlreadySignedIn) => "sign out first",
///         AuthError::Service(e) if e.kind().is_retryable() => "try again",
///         AuthError::SessionExpired(_) => "sign in again",
///         _ => "other",
///     }
/// }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Cognito refused the request.
    #[error(transparent)]
    Service(ServiceError),
    /// The request may not have reached Cognito, or no usable answer came back.
    #[error(transparent)]
    Network(NetworkError),
    /// The operation needs a signed-in user.
    #[error("no user is signed in")]
    SignedOut,
    /// The session ended (the refresh token expired, was revoked or replaced by rotation).
    #[error(transparent)]
    SessionExpired(SessionExpiredError),
    /// The call does not fit the current state.
    #[error("invalid state: {}", .0.describe())]
    InvalidState(InvalidStateReason),
    /// A required input is missing or not supported (checked before anything is sent).
    #[error(transparent)]
    Validation(ValidationError),
    /// The configuration lacks what the operation needs.
    #[error("auth is not configured for this: {}", .0.describe())]
    Configuration(ConfigurationReason),
    /// Cognito asked for a challenge this version does not answer.
    #[error(transparent)]
    UnsupportedChallenge(UnsupportedChallengeError),
    /// Tokens or credentials could not be read or written.
    #[error("secure storage failed")]
    Storage(#[source] Arc<StorageError>),
    /// The SRP challenge could not be answered.
    #[error("the SRP challenge could not be answered")]
    Srp(#[source] SrpError),
    /// Cognito answered with something this client cannot use.
    #[error(transparent)]
    UnexpectedResponse(UnexpectedResponseError),
    /// Hosted-UI (managed login) sign-in or sign-out failed.
    #[error(transparent)]
    HostedUi(HostedUiError),
    /// The stored session could not be read back (a damaged or tampered value); the user is
    /// treated as signed out until the next sign-in replaces it.
    #[error(transparent)]
    StoredSessionCorrupted(CorruptedSessionError),
}

/// A stored value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorruptedSessionError {
    key: String,
}

impl CorruptedSessionError {
    pub(crate) fn new(key: impl Into<String>) -> Self {
        Self { key: key.into() }
    }

    /// The storage key whose value is damaged (never the value).
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Display for CorruptedSessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the stored session is damaged (`{}` does not parse); signed out",
            self.key
        )
    }
}

impl StdError for CorruptedSessionError {}

pub(crate) fn boxed_source(source: Option<&SharedSource>) -> Option<&(dyn StdError + 'static)> {
    source.map(|e| e.as_ref() as &(dyn StdError + 'static))
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} refused the request ({}): {}",
            self.service, self.code, self.message
        )
    }
}

impl StdError for ServiceError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        boxed_source(self.source.as_ref())
    }
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.phase {
            NetworkPhase::Dispatch => write!(f, "could not reach {}", self.service),
            NetworkPhase::Timeout => write!(f, "the request to {} timed out", self.service),
            NetworkPhase::Response => {
                write!(f, "the answer from {} could not be read", self.service)
            }
        }
    }
}

impl StdError for NetworkError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        boxed_source(self.source.as_ref())
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match (self.reason, self.detail) {
            (_, Some(detail)) => detail,
            (ValidationReason::Required, None) => "is required",
            (ValidationReason::Unsupported, None) => "is not supported by this version",
        };
        write!(f, "invalid {}: {what}", self.field)
    }
}

impl StdError for ValidationError {}

impl fmt::Display for UnsupportedChallengeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the sign-in needs the {} challenge, which this version does not support",
            self.challenge
        )
    }
}

impl StdError for UnsupportedChallengeError {}

impl fmt::Display for UnexpectedResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected response from Cognito: {}", self.what)
    }
}

impl StdError for UnexpectedResponseError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        boxed_source(self.source.as_ref())
    }
}

impl fmt::Display for SessionExpiredError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the session has expired")
    }
}

impl StdError for SessionExpiredError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

impl AuthError {
    /// The service error kind, for service errors (also through a `SessionExpired` cause).
    pub fn service_kind(&self) -> Option<ServiceErrorKind> {
        self.service_error().map(ServiceError::kind)
    }

    /// The service error, for service errors (also through a `SessionExpired` cause).
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            AuthError::Service(e) => Some(e),
            AuthError::SessionExpired(e) => e.cause().and_then(AuthError::service_error),
            _ => None,
        }
    }

    pub(crate) fn required(field: &'static str) -> Self {
        AuthError::Validation(ValidationError {
            field,
            reason: ValidationReason::Required,
            detail: None,
        })
    }

    pub(crate) fn unsupported(field: &'static str, detail: &'static str) -> Self {
        AuthError::Validation(ValidationError {
            field,
            reason: ValidationReason::Unsupported,
            detail: Some(detail),
        })
    }

    pub(crate) fn unexpected(what: &'static str) -> Self {
        AuthError::UnexpectedResponse(UnexpectedResponseError { what, source: None })
    }

    pub(crate) fn unexpected_with(what: &'static str, source: impl Into<BoxError>) -> Self {
        AuthError::UnexpectedResponse(UnexpectedResponseError {
            what,
            source: Some(Arc::from(source.into())),
        })
    }

    pub(crate) fn unsupported_challenge(challenge: impl Into<String>) -> Self {
        AuthError::UnsupportedChallenge(UnsupportedChallengeError {
            challenge: challenge.into(),
        })
    }

    pub(crate) fn session_expired(cause: Option<Arc<AuthError>>) -> Self {
        AuthError::SessionExpired(SessionExpiredError { cause })
    }

    /// Whether this failure ends the session when a refresh gets it: the refresh token is no
    /// longer accepted (expired, revoked, replaced by rotation) or the user is gone.
    pub(crate) fn ends_session(&self) -> bool {
        matches!(
            self.service_kind(),
            Some(
                ServiceErrorKind::NotAuthorized
                    | ServiceErrorKind::RefreshTokenReuse
                    | ServiceErrorKind::UserNotFound
                    | ServiceErrorKind::PasswordResetRequired
                    | ServiceErrorKind::UserNotConfirmed
            )
        )
    }
}

impl From<StorageError> for AuthError {
    fn from(e: StorageError) -> Self {
        AuthError::Storage(Arc::new(e))
    }
}

impl From<SrpError> for AuthError {
    fn from(e: SrpError) -> Self {
        AuthError::Srp(e)
    }
}

impl AmplifyError for AuthError {
    fn recovery_suggestion(&self) -> Option<String> {
        let text = match self {
            AuthError::Service(e) => e.kind.suggestion(),
            AuthError::Network(_) => "Check the network connection and try again; tokens are kept.",
            AuthError::SignedOut => "Sign in first.",
            AuthError::SessionExpired(_) => "Sign in again.",
            AuthError::InvalidState(reason) => reason.suggestion(),
            AuthError::Validation(e) => match e.reason {
                ValidationReason::Required => "Pass a value for this input.",
                ValidationReason::Unsupported => "Use a supported value (see the message).",
            },
            AuthError::Configuration(_) => {
                "Add the missing auth section (user pool / identity pool) to amplify_outputs.json."
            }
            AuthError::UnsupportedChallenge(_) => {
                "This challenge is not supported by this version of amplify-auth-cognito: turn \
                 it off for the app client, or upgrade when support lands."
            }
            AuthError::Storage(e) => {
                return e
                    .recovery_suggestion()
                    .or_else(|| Some("Check the secure storage backend.".to_owned()));
            }
            AuthError::Srp(_) => {
                "Try signing in again; if it keeps failing the server's challenge is malformed."
            }
            AuthError::HostedUi(e) => match e.kind() {
                HostedUiErrorKind::NotConfigured => {
                    "Add the OAuth section (domain, scopes, redirect URIs) to the configuration, \
                     with a loopback redirect URI such as http://localhost:3000/ for desktop apps."
                }
                HostedUiErrorKind::Browser => {
                    "Open the URL yourself: use `sign_in_with_web_ui().start()` and `complete()`."
                }
                HostedUiErrorKind::TimedOut | HostedUiErrorKind::AccessDenied => {
                    "Sign in again when the user is ready."
                }
                HostedUiErrorKind::StateMismatch | HostedUiErrorKind::InvalidRedirect => {
                    "Start a new sign-in; hand back the redirect of this sign-in only."
                }
                HostedUiErrorKind::Authorization | HostedUiErrorKind::TokenEndpoint => {
                    "Check the app client's OAuth settings (callback URLs, scopes, providers) \
                     against the configuration."
                }
                HostedUiErrorKind::TokenEndpointUnavailable => {
                    "Check the network and the OAuth domain in the configuration, then start a \
                     new sign-in (an authorization code can be exchanged only once)."
                }
                HostedUiErrorKind::Listener => {
                    "Free the redirect URI's port, or register another loopback redirect URI."
                }
            },
            AuthError::StoredSessionCorrupted(_) => {
                "Sign in again: the new session replaces the damaged values."
            }
            AuthError::UnexpectedResponse(_) => {
                "The service answered in a shape this version does not understand: check the \
                 endpoint in the configuration, or report it with the request id."
            }
        };
        Some(text.to_owned())
    }

    fn code(&self) -> Option<&str> {
        self.service_error().map(ServiceError::code)
    }

    fn request_id(&self) -> Option<&str> {
        self.service_error().and_then(ServiceError::request_id)
    }

    fn is_retryable(&self) -> bool {
        match self {
            AuthError::Network(_) => true,
            AuthError::Service(e) => e.kind.is_retryable(),
            _ => false,
        }
    }
}

/// The provider error the API category sees when a token or credentials cannot be had; the auth
/// error stays its source, so the Cognito code and request id survive.
pub(crate) fn provider_error(e: &AuthError) -> ProviderError {
    let kind = match e {
        AuthError::SignedOut => ProviderErrorKind::SignedOut,
        AuthError::SessionExpired(_) => ProviderErrorKind::SessionExpired,
        e if e.is_retryable() => ProviderErrorKind::Transient,
        _ => ProviderErrorKind::Other,
    };
    ProviderError::from_amplify_error(kind, e.clone())
}
