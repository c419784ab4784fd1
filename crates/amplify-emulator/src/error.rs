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

// Wire names: the error shapes of the Cognito user pools (`2016-04-18`) and identity pools
// (`2014-06-30`) service models, as the generated error enums of `aws-sdk-cognitoidentityprovider`
// and `aws-sdk-cognitoidentity` name them (e.g. `operation::initiate_auth::InitiateAuthError`).
// Every code those enums list for the operations Amplify clients call (InitiateAuth,
// RespondToAuthChallenge, SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
// ConfirmForgotPassword, GetTokensFromRefreshToken, RevokeToken, GlobalSignOut, GetUser, GetId,
// GetCredentialsForIdentity) is here; `tests/error_codes.rs` decodes each one with the SDK.
//
// Statuses: what the live service sends, not the model's `@httpError`. The Smithy models give
// NotAuthorized 403, ResourceNotFound / UserNotFound 404, ResourceConflict 409, TooManyRequests
// 429 and Unauthorized 401, but Cognito answers every client error with HTTP 400 (captured:
// `POST https://cognito-idp.us-east-1.amazonaws.com` "resulted in a `400 Bad Request` response:
// {"__type":"NotAuthorizedException","message":"Incorrect username or password."}",
// ellaisys/aws-cognito#94), and AWS JSON clients pick the error from `__type` /
// `x-amzn-ErrorType`, never from the status. Exceptions: `ForbiddenException` is WAF's block
// (403 in the model and on the wire), `InternalErrorException` is the model's only server fault
// (500), and an oversized body is refused by the front end with 413.
error_kinds! {
    /// Wrong credentials, a bad or revoked token, a disabled user, a failed SRP proof, a
    /// password lockout (`Password attempts exceeded`). Model `@httpError`: 403.
    NotAuthorized => "NotAuthorizedException", 400;
    /// No such user. Model `@httpError`: 404.
    UserNotFound => "UserNotFoundException", 400;
    /// The username (or the email / phone used as username) is taken.
    UsernameExists => "UsernameExistsException", 400;
    /// The password breaks the pool's password policy.
    InvalidPassword => "InvalidPasswordException", 400;
    /// The new password matches a previous one (password history policy).
    PasswordHistoryPolicyViolation => "PasswordHistoryPolicyViolationException", 400;
    /// A wrong confirmation or MFA code.
    CodeMismatch => "CodeMismatchException", 400;
    /// A code that has expired or been replaced.
    ExpiredCode => "ExpiredCodeException", 400;
    /// A code could not be delivered.
    CodeDeliveryFailure => "CodeDeliveryFailureException", 400;
    /// A missing or invalid parameter.
    InvalidParameter => "InvalidParameterException", 400;
    /// Too many attempts (wrong codes), or a resource limit.
    LimitExceeded => "LimitExceededException", 400;
    /// Throttled. Model `@httpError`: 429.
    TooManyRequests => "TooManyRequestsException", 400;
    /// Too many failed attempts at an action such as sign-in.
    TooManyFailedAttempts => "TooManyFailedAttemptsException", 400;
    /// The user has not confirmed sign-up.
    UserNotConfirmed => "UserNotConfirmedException", 400;
    /// An administrator requires a password reset (AdminResetUserPassword).
    PasswordResetRequired => "PasswordResetRequiredException", 400;
    /// A refresh token that refresh-token rotation invalidated (after its grace period).
    RefreshTokenReuse => "RefreshTokenReuseException", 400;
    /// No such pool, client, group or identity. Model `@httpError`: 404.
    ResourceNotFound => "ResourceNotFoundException", 400;
    /// The email or phone number already belongs to another user.
    AliasExists => "AliasExistsException", 400;
    /// A Lambda trigger failed.
    UserLambdaValidation => "UserLambdaValidationException", 400;
    /// A Lambda trigger answered something Cognito cannot use.
    InvalidLambdaResponse => "InvalidLambdaResponseException", 400;
    /// Lambda itself failed.
    UnexpectedLambda => "UnexpectedLambdaException", 400;
    /// RevokeToken was given something other than a refresh token.
    UnsupportedTokenType => "UnsupportedTokenTypeException", 400;
    /// An operation or flow that is not enabled for the app client (token revocation off;
    /// `REFRESH_TOKEN_AUTH` on a client with refresh-token rotation).
    UnsupportedOperation => "UnsupportedOperationException", 400;
    /// The token cannot be revoked by this client. Model `@httpError`: 401.
    UnauthorizedClient => "UnauthorizedException", 400;
    /// WAF refused the request (a web ACL on the user pool). Model and wire: 403.
    Forbidden => "ForbiddenException", 403;
    /// The operation is not available in this region or pool configuration.
    OperationNotEnabled => "OperationNotEnabledException", 400;
    /// The feature needs a higher user pool feature plan.
    FeatureUnavailableInTier => "FeatureUnavailableInTierException", 400;
    /// The user pool configuration is not valid.
    InvalidUserPoolConfiguration => "InvalidUserPoolConfigurationException", 400;
    /// Cognito may not use the pool's email identity.
    InvalidEmailRoleAccessPolicy => "InvalidEmailRoleAccessPolicyException", 400;
    /// The SMS role may not publish with SNS.
    InvalidSmsRoleAccessPolicy => "InvalidSmsRoleAccessPolicyException", 400;
    /// The SMS role does not trust Cognito.
    InvalidSmsRoleTrustRelationship => "InvalidSmsRoleTrustRelationshipException", 400;
    /// No MFA method is available for the user.
    MfaMethodNotFound => "MFAMethodNotFoundException", 400;
    /// TOTP MFA is not activated.
    SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException", 400;
    /// VerifySoftwareToken with a wrong code ("Code mismatch and fail enable Software Token MFA").
    EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException", 400;
    /// ConfirmDevice for a device key that is already confirmed ("a user attempts to confirm a
    /// device with a device key that already exists").
    DeviceKeyExists => "DeviceKeyExistsException", 400;
    /// Two or more modifications at once (declared by AssociateSoftwareToken).
    ConcurrentModification => "ConcurrentModificationException", 400;
    /// The login is already linked to another identity. Model `@httpError`: 409.
    ResourceConflict => "ResourceConflictException", 400;
    /// The identity pool has no role for the identity, or STS refused it.
    InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException", 400;
    /// An external identity provider (Facebook, Google, ...) did not answer.
    ExternalService => "ExternalServiceException", 400;
    /// The user is in a state the operation cannot handle.
    UnsupportedUserState => "UnsupportedUserStateException", 400;
    /// CreateGroup with a name that exists.
    GroupExists => "GroupExistsException", 400;
    /// A server fault (also what fault injection sends with HTTP 500).
    InternalError => "InternalErrorException", 500;
    /// The body is not valid JSON, or a member has the wrong type.
    Serialization => "SerializationException", 400;
    /// The `X-Amz-Target` names no operation (sent as
    /// `com.amazon.coral.service#UnknownOperationException`).
    UnknownOperation => "UnknownOperationException", 400;
    /// The request body is too large.
    RequestTooLarge => "RequestEntityTooLargeException", 413;
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Cognito service error: sent with [`ErrorKind::status`] (400 for client errors) and
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
    /// The data directory (`EmulatorBuilder::data_dir`, `--data-dir`) could not be opened,
    /// read or initialised.
    #[error(transparent)]
    DataDir(DataDirError),
}

/// What is wrong with a data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataDirErrorKind {
    /// The directory or database file could not be created, read or written.
    Io,
    /// The database file is damaged, or is not a SQLite database.
    Corrupt,
    /// The file is a SQLite database, but not one the emulator wrote.
    NotEmulatorData,
    /// Another emulator schema version wrote the database.
    SchemaVersion {
        /// The version recorded in the database.
        found: i64,
        /// The version this emulator reads and writes.
        supported: i64,
    },
    /// Another running emulator has the database open.
    InUse,
    /// A stored record could not be decoded.
    BadRecord,
}

/// A data directory the emulator cannot use: which file, what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the emulator's data file {}: {detail}", path.display())]
pub struct DataDirError {
    path: std::path::PathBuf,
    kind: DataDirErrorKind,
    detail: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl DataDirError {
    pub(crate) fn new(
        path: &std::path::Path,
        kind: DataDirErrorKind,
        detail: impl Into<String>,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            path: path.to_owned(),
            kind,
            detail: detail.into(),
            source,
        }
    }

    /// The database file (or directory) concerned.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// What is wrong.
    pub fn kind(&self) -> DataDirErrorKind {
        self.kind
    }

    /// What to do about it.
    pub fn recovery_suggestion(&self) -> String {
        let dir = self.path.parent().map_or_else(
            || self.path.display().to_string(),
            |d| d.display().to_string(),
        );
        match self.kind {
            DataDirErrorKind::Io => {
                format!("check that {dir} is a writable directory on a local disk with free space")
            }
            DataDirErrorKind::Corrupt | DataDirErrorKind::BadRecord => format!(
                "the stored state cannot be read; delete {dir} to start again from the seed (its users and data are lost)"
            ),
            DataDirErrorKind::NotEmulatorData => format!(
                "{} was not written by amplify-emulator; point --data-dir at an empty or new directory",
                self.path.display()
            ),
            DataDirErrorKind::SchemaVersion { found, supported } => format!(
                "{dir} was written by an emulator with data schema version {found}, this one reads version {supported}: run that emulator version, or delete {dir} to start again from the seed"
            ),
            DataDirErrorKind::InUse => format!(
                "another amplify-emulator is using {dir}; stop it or use another --data-dir"
            ),
        }
    }
}
