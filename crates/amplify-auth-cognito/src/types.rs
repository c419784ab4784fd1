//! Results and next steps, in Amplify's model.

use std::collections::BTreeMap;
use std::fmt;

use amplify_core::AwsCredentials;

use crate::AuthError;
use crate::mfa::{AuthFactorType, MfaType, TotpSetupDetails};
use crate::tokens::UserPoolTokens;

pub use amplify_core::config::AuthFlowType;

/// Cognito's name for a flow, as stored and sent (`USER_SRP_AUTH`, ...).
pub(crate) trait FlowName {
    fn as_str(&self) -> &'static str;
}

impl FlowName for AuthFlowType {
    fn as_str(&self) -> &'static str {
        match self {
            AuthFlowType::UserPasswordAuth => "USER_PASSWORD_AUTH",
            AuthFlowType::CustomAuthWithSrp => "CUSTOM_AUTH_WITH_SRP",
            AuthFlowType::CustomAuthWithoutSrp => "CUSTOM_AUTH_WITHOUT_SRP",
            AuthFlowType::UserAuth => "USER_AUTH",
            _ => "USER_SRP_AUTH",
        }
    }
}

/// How a code was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryMedium {
    /// By email.
    Email,
    /// By SMS.
    Sms,
    /// Unknown.
    Unknown,
}

/// Where a code was sent (the destination is masked by Cognito, e.g. `a***@e***`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeDeliveryDetails {
    /// The masked destination.
    pub destination: Option<String>,
    /// The medium.
    pub delivery_medium: DeliveryMedium,
    /// The attribute the code verifies (`email`, `phone_number`).
    pub attribute_name: Option<String>,
}

impl CodeDeliveryDetails {
    pub(crate) fn new(
        destination: Option<&str>,
        medium: Option<&str>,
        attribute: Option<&str>,
    ) -> Self {
        Self {
            destination: destination.map(str::to_owned),
            delivery_medium: match medium {
                Some("EMAIL") => DeliveryMedium::Email,
                Some("SMS") => DeliveryMedium::Sms,
                _ => DeliveryMedium::Unknown,
            },
            attribute_name: attribute.map(str::to_owned),
        }
    }
}

/// What to do after `sign_up` / `confirm_sign_up`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignUpStep {
    /// Confirm with the code that was sent.
    ConfirmSignUp(CodeDeliveryDetails),
    /// Confirmed, and `auto_sign_in` was asked for: call
    /// [`CognitoAuthPlugin::auto_sign_in`](crate::CognitoAuthPlugin::auto_sign_in).
    CompleteAutoSignIn,
    /// Nothing: the user can sign in.
    Done,
}

/// The result of `sign_up` and `confirm_sign_up`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignUpResult {
    /// Whether the user is confirmed.
    pub is_sign_up_complete: bool,
    /// The next step.
    pub next_step: SignUpStep,
    /// The new user's id (`sub`), when Cognito returned it.
    pub user_id: Option<String>,
}

/// What to do after `sign_in` / `confirm_sign_in`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInStep {
    /// Send the SMS code with `confirm_sign_in`.
    ConfirmSignInWithSmsMfaCode(CodeDeliveryDetails),
    /// Send a new password with `confirm_sign_in` (plus the missing required attributes).
    ConfirmSignInWithNewPassword {
        /// Required attributes the user has no value for.
        missing_attributes: Vec<String>,
    },
    /// Answer the custom challenge with `confirm_sign_in`.
    ConfirmSignInWithCustomChallenge {
        /// The challenge's public parameters.
        additional_info: BTreeMap<String, String>,
    },
    /// Send the code of the user's authenticator app (`SOFTWARE_TOKEN_MFA`) with
    /// `confirm_sign_in`.
    ConfirmSignInWithTotpMfaCode,
    /// Send the one-time code sent by email or SMS (`EMAIL_OTP` MFA, or passwordless
    /// `EMAIL_OTP` / `SMS_OTP`) with `confirm_sign_in`.
    ConfirmSignInWithOtpCode(CodeDeliveryDetails),
    /// Choose the second factor: answer `confirm_sign_in` with one of these (`sms`, `totp`,
    /// `email`).
    ContinueSignInWithMfaSelection {
        /// The factors the user may choose.
        allowed_mfa_types: Vec<MfaType>,
    },
    /// The pool requires MFA and the user has none: choose which to set up (`totp` or
    /// `email`).
    ContinueSignInWithMfaSetupSelection {
        /// The factors that can be set up.
        allowed_mfa_types: Vec<MfaType>,
    },
    /// Put this secret in an authenticator app, then answer `confirm_sign_in` with its code
    /// (and optionally a friendly device name).
    ContinueSignInWithTotpSetup(TotpSetupDetails),
    /// Answer `confirm_sign_in` with the email address to receive MFA codes at.
    ContinueSignInWithEmailMfaSetup,
    /// Choice-based sign-in (`USER_AUTH`): answer `confirm_sign_in` with the first factor
    /// (`PASSWORD`, `PASSWORD_SRP`, `EMAIL_OTP`, `SMS_OTP`).
    ContinueSignInWithFirstFactorSelection {
        /// The factors the pool offers this user.
        available_factors: Vec<AuthFactorType>,
    },
    /// Answer `confirm_sign_in` with the password (after choosing a password factor).
    ConfirmSignInWithPassword,
    /// The user must reset the password (`reset_password`).
    ResetPassword,
    /// The user has not confirmed sign-up (`confirm_sign_up`).
    ConfirmSignUp,
    /// Signed in.
    Done,
}

/// The result of `sign_in` and `confirm_sign_in`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignInResult {
    /// Whether the user is now signed in.
    pub is_signed_in: bool,
    /// The next step.
    pub next_step: SignInStep,
}

impl SignInResult {
    pub(crate) fn step(next_step: SignInStep) -> Self {
        Self {
            is_signed_in: next_step == SignInStep::Done,
            next_step,
        }
    }
}

/// How the current user signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignInDetails {
    /// The username typed at sign-in.
    pub username: String,
    /// The flow used (API-based sign-in).
    pub auth_flow_type: Option<AuthFlowType>,
    /// Whether the user signed in through the API or the hosted UI.
    pub sign_in_method: SignInMethod,
}

/// How a session began (Amplify's `CognitoSignInDetails` kinds).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignInMethod {
    /// `sign_in` and its challenges.
    #[default]
    ApiBased,
    /// The hosted UI (`sign_in_with_web_ui`), with the identity provider asked for, if any.
    HostedUi {
        /// The `identity_provider` of the authorize request (`Google`, ...).
        provider: Option<String>,
    },
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CurrentUser {
    /// The user's id (`sub`).
    pub user_id: String,
    /// The Cognito username.
    pub username: String,
    /// How the user signed in.
    pub sign_in_details: SignInDetails,
}

/// What to do after `reset_password`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResetPasswordStep {
    /// Confirm with the code that was sent (`confirm_reset_password`).
    ConfirmResetPasswordWithCode(CodeDeliveryDetails),
    /// The password is reset.
    Done,
}

/// The result of `reset_password` and `confirm_reset_password`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResetPasswordResult {
    /// Whether the password has been reset.
    pub is_password_reset: bool,
    /// The next step.
    pub next_step: ResetPasswordStep,
}

/// One field of a session: the value, or why it is not available. `AuthError` is cheap to clone
/// (its sources are shared), so one failed refresh is handed to every caller that waited for it,
/// and a field composes with `?` in a function returning `Result<_, AuthError>`.
pub type SessionField<T> = Result<T, AuthError>;

/// The result of `fetch_auth_session`. Failures live per field: being offline is not being
/// signed out.
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthSession {
    /// Whether a user is signed in (to the user pool, or federated to the identity pool).
    pub is_signed_in: bool,
    /// The user pool tokens.
    pub user_pool_tokens: SessionField<UserPoolTokens>,
    /// The user's id (`sub`).
    pub user_sub: SessionField<String>,
    /// The identity pool identity id.
    pub identity_id: SessionField<String>,
    /// AWS credentials from the identity pool.
    pub credentials: SessionField<AwsCredentials>,
}

impl AuthSession {
    /// A signed-out session whose every field carries `error` (not configured, storage failed).
    pub(crate) fn failed(error: AuthError) -> Self {
        Self {
            is_signed_in: false,
            user_pool_tokens: Err(error.clone()),
            user_sub: Err(error.clone()),
            identity_id: Err(error.clone()),
            credentials: Err(error),
        }
    }
}

impl fmt::Debug for AuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSession")
            .field("is_signed_in", &self.is_signed_in)
            .field("user_pool_tokens", &self.user_pool_tokens)
            .field("user_sub", &self.user_sub)
            .field("identity_id", &self.identity_id)
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// The result of `sign_out`. Sign-out never fails locally: tokens are always cleared from this
/// device; `Partial` says which server-side step failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignOutResult {
    /// Everything succeeded.
    Complete,
    /// Local sign-out succeeded; a server-side step failed.
    Partial {
        /// `GlobalSignOut` failed (other devices stay signed in until their tokens expire).
        global_sign_out_error: Option<AuthError>,
        /// `RevokeToken` failed (the refresh token stays usable until it expires).
        revoke_token_error: Option<AuthError>,
    },
    /// Nothing was done (for example, storage could not be cleared).
    Failed(AuthError),
}

/// The result of `federate_to_identity_pool`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FederateToIdentityPoolResult {
    /// The identity id.
    pub identity_id: String,
    /// The AWS credentials.
    pub credentials: AwsCredentials,
}
