//! Errors: the Cognito service errors the emulator sends on the wire, and the errors of starting it.

use std::fmt;

/// Declares [`ErrorKind`] with its wire names and HTTP status codes.
macro_rules! error_kinds {
    ($($(#[$meta:meta])* $variant:ident => $wire:literal, $status:literal;)+) => {
        /// The kind of a Cognito error: its `__type` on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[$meta])* $variant,)+
        }

        impl ErrorKind {
            /// The `__type` and `x-amzn-ErrorType` value, e.g. `NotAuthorizedException`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $wire,)+
                }
            }

            /// The HTTP status Cognito answers with.
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorKind::$variant => $status,)+
                }
            }

            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)+];
        }
    };
}

error_kinds! {
    /// Wrong credentials, a bad or revoked token, a disabled user, a failed SRP proof.
    NotAuthorized => "NotAuthorizedException", 400;
    /// No such user.
    UserNotFound => "UserNotFoundException", 400;
    /// The username (or the email / phone used as username) is taken.
    UsernameExists => "UsernameExistsException", 400;
    /// The password breaks the pool's password policy.
    InvalidPassword => "InvalidPasswordException", 400;
    /// A wrong confirmation or MFA code.
    CodeMismatch => "CodeMismatchException", 400;
    /// A code that has expired or been replaced.
    ExpiredCode => "ExpiredCodeException", 400;
    /// A missing or invalid parameter.
    InvalidParameter => "InvalidParameterException", 400;
    /// Too many attempts.
    LimitExceeded => "LimitExceededException", 400;
    /// Throttled.
    TooManyRequests => "TooManyRequestsException", 400;
    /// The user has not confirmed sign-up.
    UserNotConfirmed => "UserNotConfirmedException", 400;
    /// An administrator requires a password reset.
    PasswordResetRequired => "PasswordResetRequiredException", 400;
    /// No such pool, client, group or identity.
    ResourceNotFound => "ResourceNotFoundException", 400;
    /// The email or phone number already belongs to another user.
    AliasExists => "AliasExistsException", 400;
    /// A custom auth trigger failed.
    UserLambdaValidation => "UserLambdaValidationException", 400;
    /// A custom auth trigger answered something Cognito cannot use.
    InvalidLambdaResponse => "InvalidLambdaResponseException", 400;
    /// RevokeToken was given something other than a refresh token.
    UnsupportedTokenType => "UnsupportedTokenTypeException", 400;
    /// The token cannot be revoked by this client.
    UnauthorizedClient => "UnauthorizedException", 400;
    /// The login is already linked to another identity.
    ResourceConflict => "ResourceConflictException", 400;
    /// An external identity provider's token could not be used.
    InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException", 400;
    /// The user is in a state the operation cannot handle.
    UnsupportedUserState => "UnsupportedUserStateException", 400;
    /// CreateGroup with a name that exists.
    GroupExists => "GroupExistsException", 400;
    /// A server fault (also what fault injection sends with HTTP 500).
    InternalError => "InternalErrorException", 500;
    /// The body is not valid JSON, or a member has the wrong type.
    Serialization => "SerializationException", 400;
    /// The `X-Amz-Target` names no operation.
    UnknownOperation => "UnknownOperationException", 400;
    /// The request body is too large.
    RequestTooLarge => "RequestEntityTooLargeException", 413;
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Cognito service error: sent as HTTP 400 (500 for internal errors) with
/// `x-amzn-ErrorType: <kind>` and the body `{"__type": <kind>, "message": <message>}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct CognitoError {
    kind: ErrorKind,
    message: String,
}

impl CognitoError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The error kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON body Cognito sends.
    pub fn to_body(&self) -> serde_json::Value {
        serde_json::json!({ "__type": self.kind.as_str(), "message": self.message })
    }

    pub(crate) fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }

    pub(crate) fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    pub(crate) fn serialization(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Serialization, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InternalError, message)
    }

    pub(crate) fn resource_not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceNotFound, message)
    }

    pub(crate) fn user_not_found() -> Self {
        Self::new(ErrorKind::UserNotFound, "User does not exist.")
    }

    pub(crate) fn bad_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }
}

/// Why the emulator could not be built or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// Binding or reading the listening socket failed.
    #[error("could not bind the emulator's socket on 127.0.0.1")]
    Bind(#[source] std::io::Error),
    /// A pool, client or issuer specification is inconsistent.
    #[error("invalid emulator specification: {0}")]
    InvalidSpec(String),
    /// The seed file could not be read or parsed.
    #[error("invalid seed file: {0}")]
    Seed(String),
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// A signing key could not be loaded.
    #[error("a development signing key could not be loaded")]
    Key,
    /// The server task panicked or was cancelled.
    #[error("the emulator's server task failed")]
    ServerTask(#[source] tokio::task::JoinError),
    /// Request handling panicked (for example in a custom auth trigger); the messages say where.
    #[error("the emulator panicked while handling requests: {}", .0.join("; "))]
    ServerPanicked(Vec<String>),
    /// Seeding a user failed.
    #[error("could not seed the emulator")]
    Admin(#[source] CognitoError),
}
