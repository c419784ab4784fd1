//! [`ServiceErrorKind`]: every Cognito error code the service models declare for the operations
//! the plugin calls, with its retryability and recovery suggestion.

/// Declares [`ServiceErrorKind`] with Cognito's wire codes.
macro_rules! service_error_kinds {
    ($($(#[$meta:meta])* $variant:ident => $code:literal,)+) => {
        /// A Cognito service error kind: the `__type` of the response, for matching.
        ///
        /// The list is the union of the error shapes that the Cognito user pools and Cognito
        /// Identity service models declare for the operations this crate calls (the generated
        /// error enums of `aws-sdk-cognitoidentityprovider` 1.144 and `aws-sdk-cognitoidentity`
        /// 1.121: `InitiateAuthError`, `RespondToAuthChallengeError`, `SignUpError`,
        /// `ConfirmSignUpError`, `ResendConfirmationCodeError`, `ForgotPasswordError`,
        /// `ConfirmForgotPasswordError`, `GetTokensFromRefreshTokenError`, `RevokeTokenError`,
        /// `GlobalSignOutError`, `GetUserError`, `GetIdError`, `GetCredentialsForIdentityError`),
        /// plus `UnknownOperationException`, which AWS endpoints answer for an operation they do
        /// not implement.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ServiceErrorKind {
            $($(#[$meta])* $variant,)+
            /// A code this version does not know (see [`ServiceError::code`](crate::ServiceError::code)).
            Other,
        }

        impl ServiceErrorKind {
            /// Maps Cognito's error code (with or without a `namespace#` prefix).
            ///
            /// ```
            /// use amplify_auth_cognito::ServiceErrorKind;
            ///
            /// assert_eq!(ServiceErrorKind::from_code("RefreshTokenReuseException"), ServiceErrorKind::RefreshTokenReuse);
            /// assert_eq!(ServiceErrorKind::from_code("com.amazon.coral.service#UnknownOperationException"), ServiceErrorKind::UnknownOperation);
            /// assert_eq!(ServiceErrorKind::from_code("SomethingNew"), ServiceErrorKind::Other);
            /// ```
            pub fn from_code(code: &str) -> Self {
                let code = code.rsplit('#').next().unwrap_or(code);
                match code {
                    $($code => Self::$variant,)+
                    // Generic AWS spellings of throttling and service failure.
                    "ThrottlingException" | "Throttling" => Self::TooManyRequests,
                    "InternalFailure" | "ServiceUnavailable" | "InternalServerError" => Self::InternalError,
                    _ => Self::Other,
                }
            }

            /// Cognito's code for this kind (`None` for [`Other`](Self::Other)).
            pub fn code(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($code),)+
                    Self::Other => None,
                }
            }

            /// Every known kind.
            pub const ALL: &'static [ServiceErrorKind] = &[$(Self::$variant,)+];
        }
    };
}

service_error_kinds! {
    /// Wrong password or SRP proof, revoked or expired token, disabled user, too many failed
    /// password attempts ("Password attempts exceeded").
    NotAuthorized => "NotAuthorizedException",
    /// No such user.
    UserNotFound => "UserNotFoundException",
    /// The username is taken.
    UsernameExists => "UsernameExistsException",
    /// The password breaks the pool's policy.
    InvalidPassword => "InvalidPasswordException",
    /// The password was used recently (password history policy).
    PasswordHistoryPolicyViolation => "PasswordHistoryPolicyViolationException",
    /// The code is wrong.
    CodeMismatch => "CodeMismatchException",
    /// The code has expired.
    ExpiredCode => "ExpiredCodeException",
    /// A parameter is invalid.
    InvalidParameter => "InvalidParameterException",
    /// A limit for this user or resource was exceeded ("Attempt limit exceeded, please try
    /// after some time"). Not retried automatically.
    LimitExceeded => "LimitExceededException",
    /// Requests are being throttled. Retryable with backoff.
    TooManyRequests => "TooManyRequestsException",
    /// Too many failed attempts at this action (for example codes). Not retryable now.
    TooManyFailedAttempts => "TooManyFailedAttemptsException",
    /// The user has not confirmed sign-up.
    UserNotConfirmed => "UserNotConfirmedException",
    /// The user must reset the password.
    PasswordResetRequired => "PasswordResetRequiredException",
    /// A code could not be delivered.
    CodeDeliveryFailure => "CodeDeliveryFailureException",
    /// The pool, client or identity pool does not exist.
    ResourceNotFound => "ResourceNotFoundException",
    /// The login is linked to another identity.
    ResourceConflict => "ResourceConflictException",
    /// An alias (email / phone) is already in use.
    AliasExists => "AliasExistsException",
    /// The refresh token was invalidated by refresh-token rotation (a newer one was issued).
    RefreshTokenReuse => "RefreshTokenReuseException",
    /// AWS WAF refused the request (web ACL).
    Forbidden => "ForbiddenException",
    /// The client may not revoke this token.
    Unauthorized => "UnauthorizedException",
    /// RevokeToken was given something that is not a refresh token.
    UnsupportedTokenType => "UnsupportedTokenTypeException",
    /// The operation is not supported for this app client (for example token revocation off).
    UnsupportedOperation => "UnsupportedOperationException",
    /// The operation is not enabled for this user pool.
    OperationNotEnabled => "OperationNotEnabledException",
    /// The feature is not available in the user pool's feature plan.
    FeatureUnavailableInTier => "FeatureUnavailableInTierException",
    /// The MFA method is not set up for the user.
    MfaMethodNotFound => "MFAMethodNotFoundException",
    /// The user has no software token (TOTP) MFA.
    SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
    /// `VerifySoftwareToken` with a wrong code ("Code mismatch and fail enable Software Token
    /// MFA"): try again with a fresh code.
    EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
    /// A Lambda trigger refused the request.
    UserLambdaValidation => "UserLambdaValidationException",
    /// A Lambda trigger answered something Cognito cannot use.
    InvalidLambdaResponse => "InvalidLambdaResponseException",
    /// A Lambda trigger failed unexpectedly.
    UnexpectedLambda => "UnexpectedLambdaException",
    /// The pool's email role is misconfigured.
    InvalidEmailRoleAccessPolicy => "InvalidEmailRoleAccessPolicyException",
    /// The pool's SMS role policy is misconfigured.
    InvalidSmsRoleAccessPolicy => "InvalidSmsRoleAccessPolicyException",
    /// The pool's SMS role trust relationship is misconfigured.
    InvalidSmsRoleTrustRelationship => "InvalidSmsRoleTrustRelationshipException",
    /// The user pool is misconfigured for this request.
    InvalidUserPoolConfiguration => "InvalidUserPoolConfigurationException",
    /// The identity pool's roles are misconfigured.
    InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException",
    /// A dependent identity provider (Facebook, Google, ...) did not answer. Retryable.
    ExternalService => "ExternalServiceException",
    /// The service failed (HTTP 5xx). Retryable.
    InternalError => "InternalErrorException",
    /// The endpoint does not implement the operation.
    UnknownOperation => "UnknownOperationException",
}

impl ServiceErrorKind {
    /// Whether trying the same call again (after a backoff) may succeed: throttling and service
    /// failures. Lockouts (`LimitExceeded`, `TooManyFailedAttempts`, `NotAuthorized` for
    /// "Password attempts exceeded") are not: they need the user to wait.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::TooManyRequests | Self::InternalError | Self::ExternalService
        )
    }

    pub(crate) fn suggestion(self) -> &'static str {
        match self {
            Self::NotAuthorized => {
                "Check the username and password, or sign in again. After several wrong passwords \
                 Cognito locks the user out for a while: wait before retrying."
            }
            Self::UserNotFound => "Check the username, or sign up first.",
            Self::UsernameExists => "Choose another username, or sign in.",
            Self::InvalidPassword => {
                "Choose a password that meets the user pool's password policy."
            }
            Self::PasswordHistoryPolicyViolation => "Choose a password not used recently.",
            Self::CodeMismatch | Self::EnableSoftwareTokenMfa => "Check the code and try again.",
            Self::ExpiredCode => "Request a new code and try again.",
            Self::InvalidParameter => "Check the values passed to the call.",
            Self::LimitExceeded | Self::TooManyFailedAttempts => {
                "Too many attempts: wait a while (minutes), then try again."
            }
            Self::TooManyRequests => "Requests are throttled: retry with backoff.",
            Self::UserNotConfirmed => "Confirm the sign-up with the code that was sent.",
            Self::PasswordResetRequired => "Reset the password with `reset_password`.",
            Self::CodeDeliveryFailure => "Check the user's email address or phone number.",
            Self::ResourceNotFound => {
                "Check the user pool, app client and identity pool ids in the configuration."
            }
            Self::ResourceConflict => "The login belongs to another identity; sign in with it.",
            Self::AliasExists => "Use another email address or phone number.",
            Self::RefreshTokenReuse => {
                "The refresh token was replaced by rotation and can no longer be used: sign in again."
            }
            Self::Forbidden => "The request was blocked by the user pool's web ACL (AWS WAF).",
            Self::Unauthorized | Self::UnsupportedTokenType | Self::UnsupportedOperation => {
                "Check the app client's settings (token revocation, allowed flows)."
            }
            Self::OperationNotEnabled | Self::FeatureUnavailableInTier => {
                "Enable the feature on the user pool (or its feature plan)."
            }
            Self::MfaMethodNotFound | Self::SoftwareTokenMfaNotFound => {
                "Set up the MFA method for the user first."
            }
            Self::UserLambdaValidation | Self::InvalidLambdaResponse | Self::UnexpectedLambda => {
                "A Lambda trigger of the user pool failed; see the service's message and the trigger's logs."
            }
            Self::InvalidEmailRoleAccessPolicy
            | Self::InvalidSmsRoleAccessPolicy
            | Self::InvalidSmsRoleTrustRelationship
            | Self::InvalidUserPoolConfiguration
            | Self::InvalidIdentityPoolConfiguration => {
                "The backend is misconfigured; see the service's message."
            }
            Self::ExternalService | Self::InternalError => "Try again later.",
            Self::UnknownOperation => {
                "The endpoint does not implement this operation: check the endpoint in the configuration."
            }
            Self::Other => "See the service's message and code.",
        }
    }
}
