//! The one error type of the auth category.

use amplify_core::{AmplifyError, ProviderError, ProviderErrorKind};
use amplify_secure_storage::StorageError;

use crate::srp::SrpError;

/// A Cognito service error kind (the `__type` of the response), for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceErrorKind {
    /// Wrong password, wrong proof, revoked or expired token, disabled user.
    NotAuthorized,
    /// No such user.
    UserNotFound,
    /// The username is taken.
    UsernameExists,
    /// The password breaks the pool's policy.
    InvalidPassword,
    /// The code is wrong.
    CodeMismatch,
    /// The code has expired.
    ExpiredCode,
    /// A parameter is invalid.
    InvalidParameter,
    /// Too many attempts for this user.
    LimitExceeded,
    /// Requests are being throttled.
    TooManyRequests,
    /// The user has not confirmed sign-up.
    UserNotConfirmed,
    /// The user must reset the password.
    PasswordResetRequired,
    /// A code could not be delivered.
    CodeDeliveryFailure,
    /// The pool, client or identity pool does not exist.
    ResourceNotFound,
    /// An alias (email / phone) is already in use.
    AliasExists,
    /// The service failed (HTTP 5xx).
    InternalError,
    /// Any other code.
    Other,
}

impl ServiceErrorKind {
    /// Maps Cognito's error code.
    pub fn from_code(code: &str) -> Self {
        match code {
            "NotAuthorizedException" => Self::NotAuthorized,
            "UserNotFoundException" => Self::UserNotFound,
            "UsernameExistsException" => Self::UsernameExists,
            "InvalidPasswordException" => Self::InvalidPassword,
            "CodeMismatchException" => Self::CodeMismatch,
            "ExpiredCodeException" => Self::ExpiredCode,
            "InvalidParameterException" => Self::InvalidParameter,
            "LimitExceededException" => Self::LimitExceeded,
            "TooManyRequestsException"
            | "TooManyFailedAttemptsException"
            | "ThrottlingException" => Self::TooManyRequests,
            "UserNotConfirmedException" => Self::UserNotConfirmed,
            "PasswordResetRequiredException" => Self::PasswordResetRequired,
            "CodeDeliveryFailureException" => Self::CodeDeliveryFailure,
            "ResourceNotFoundException" => Self::ResourceNotFound,
            "AliasExistsException" => Self::AliasExists,
            "InternalErrorException" | "InternalFailure" | "ServiceUnavailable" => {
                Self::InternalError
            }
            _ => Self::Other,
        }
    }
}

/// Errors from the auth category.
///
/// Multi-step flows report where they stand through results (`next_step`), not errors; these are
/// failures. [`AmplifyError::recovery_suggestion`] says what to do, and
/// [`AmplifyError::is_retryable`] whether trying again may help.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Cognito refused the request.
    #[error("{service} refused the request ({code}): {message}")]
    Service {
        /// The kind, for matching.
        kind: ServiceErrorKind,
        /// Cognito's error code.
        code: String,
        /// Cognito's message.
        message: String,
        /// The request id, when the service sent one.
        request_id: Option<String>,
        /// `cognito-idp` or `cognito-identity`.
        service: &'static str,
    },
    /// The request may not have reached Cognito, or no answer came back.
    #[error("could not reach {service}: {detail}")]
    Network {
        /// `cognito-idp` or `cognito-identity`.
        service: &'static str,
        /// What failed.
        detail: String,
        /// Whether the request may have been sent (so a retry might repeat its effect).
        may_have_been_sent: bool,
    },
    /// The operation needs a signed-in user.
    #[error("no user is signed in")]
    SignedOut,
    /// The session ended (the refresh token expired or was revoked).
    #[error("the session has expired: {0}")]
    SessionExpired(String),
    /// The call does not fit the current state (signing in while signed in, confirming with no
    /// sign-in in progress, user-pool calls while federated, ...).
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// A required input is missing or malformed (checked before anything is sent).
    #[error("invalid {field}: {reason}")]
    Validation {
        /// The input.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The configuration lacks what the operation needs.
    #[error("auth is not configured for this: {0}")]
    Configuration(String),
    /// Tokens or credentials could not be read or written.
    #[error("secure storage failed")]
    Storage(#[source] StorageError),
    /// The SRP challenge could not be answered.
    #[error("the SRP challenge could not be answered")]
    Srp(#[source] SrpError),
    /// Cognito answered with something this client cannot use.
    #[error("unexpected response from Cognito: {0}")]
    UnexpectedResponse(String),
}

impl AuthError {
    /// The service error kind, for service errors.
    pub fn service_kind(&self) -> Option<ServiceErrorKind> {
        match self {
            AuthError::Service { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    pub(crate) fn validation(field: &'static str, reason: impl Into<String>) -> Self {
        AuthError::Validation {
            field,
            reason: reason.into(),
        }
    }
}

impl From<StorageError> for AuthError {
    fn from(e: StorageError) -> Self {
        AuthError::Storage(e)
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
            AuthError::Service { kind, .. } => match kind {
                ServiceErrorKind::NotAuthorized => {
                    "Check the username and password (or sign in again)."
                }
                ServiceErrorKind::UserNotFound => "Check the username, or sign up first.",
                ServiceErrorKind::UsernameExists => "Choose another username, or sign in.",
                ServiceErrorKind::InvalidPassword => {
                    "Choose a password that meets the user pool's password policy."
                }
                ServiceErrorKind::CodeMismatch => "Check the code and try again.",
                ServiceErrorKind::ExpiredCode => "Request a new code and try again.",
                ServiceErrorKind::InvalidParameter => "Check the values passed to the call.",
                ServiceErrorKind::LimitExceeded | ServiceErrorKind::TooManyRequests => {
                    "Wait a while, then try again."
                }
                ServiceErrorKind::UserNotConfirmed => {
                    "Confirm the sign-up with the code that was sent."
                }
                ServiceErrorKind::PasswordResetRequired => {
                    "Reset the password with `reset_password`."
                }
                ServiceErrorKind::CodeDeliveryFailure => {
                    "Check the user's email address or phone number."
                }
                ServiceErrorKind::ResourceNotFound => {
                    "Check the user pool, app client and identity pool ids in the configuration."
                }
                ServiceErrorKind::AliasExists => "Use another email address or phone number.",
                ServiceErrorKind::InternalError => "Try again later.",
                ServiceErrorKind::Other => "See the service's message.",
            },
            AuthError::Network { .. } => {
                "Check the network connection and try again; tokens are kept."
            }
            AuthError::SignedOut => "Sign in first.",
            AuthError::SessionExpired(_) => "Sign in again.",
            AuthError::InvalidState(_) => {
                "Check the order of calls (sign out before signing in again, sign in before confirming)."
            }
            AuthError::Validation { .. } => "Pass a valid value.",
            AuthError::Configuration(_) => "Add the missing section to amplify_outputs.json.",
            AuthError::Storage(e) => return Some(storage_suggestion(e)),
            AuthError::Srp(_) => {
                "Try signing in again; if it keeps failing the server's challenge is malformed."
            }
            AuthError::UnexpectedResponse(_) => "Check that the endpoint is a Cognito service.",
        };
        Some(text.to_owned())
    }

    fn code(&self) -> Option<&str> {
        match self {
            AuthError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    fn request_id(&self) -> Option<&str> {
        match self {
            AuthError::Service { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            AuthError::Network { .. } => true,
            AuthError::Service { kind, .. } => matches!(
                kind,
                ServiceErrorKind::TooManyRequests
                    | ServiceErrorKind::LimitExceeded
                    | ServiceErrorKind::InternalError
            ),
            _ => false,
        }
    }
}

fn storage_suggestion(e: &StorageError) -> String {
    e.recovery_suggestion()
        .unwrap_or_else(|| "Check the secure storage backend.".to_owned())
}

impl From<&AuthError> for ProviderError {
    fn from(e: &AuthError) -> Self {
        let kind = match e {
            AuthError::SignedOut => ProviderErrorKind::SignedOut,
            AuthError::SessionExpired(_) => ProviderErrorKind::SessionExpired,
            e if e.is_retryable() => ProviderErrorKind::Transient,
            _ => ProviderErrorKind::Other,
        };
        ProviderError::new(kind, e.to_string())
    }
}
