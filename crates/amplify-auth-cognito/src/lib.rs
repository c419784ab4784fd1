//! The Amplify Auth category for Amazon Cognito.
//!
//! Sign-up, sign-in (SRP by default), sessions with automatic refresh, sign-out and identity-pool
//! federation, built on the official `aws-sdk-cognitoidentityprovider` and
//! `aws-sdk-cognitoidentity` crates.
//!
//! - Tokens and credentials persist in `amplify-secure-storage` under Amplify's scope
//!   (`awsCognitoAuthPlugin`) and keys; a new process with the same storage resumes the session.
//! - `fetch_auth_session` refreshes tokens a buffer (plus jitter) before they expire, on the
//!   device's skew-corrected clock (core's, learned from Cognito's `Date` headers); concurrent
//!   callers share one refresh; a refresh that fails for a non-fatal reason hands out the
//!   still-valid tokens and is not retried for 30 s; see [`guide::sessions`] for the whole policy.
//! - [`AuthError`] is typed throughout: service errors carry [`ServiceErrorKind`] (every code
//!   the Cognito models declare for the operations called), code, message and request id;
//!   invalid states, configuration gaps and validation failures have typed reasons.
//! - Without `Amplify`: [`CognitoAuthPlugin::configure_with`].
//! - The plugin registers its providers in `amplify-core`'s registry: the access token for
//!   `AMAZON_COGNITO_USER_POOLS`, identity-pool credentials for `AWS_IAM`.
//! - [`srp`] is Cognito's SRP client, sans IO.
//!
//! Secrets (passwords, tokens, AWS secret keys) are `secrecy` types; no `Debug` output or log
//! line contains one.
//!
//! `aws-config` is not a dependency: region and endpoints come from the Amplify configuration,
//! and its credential chain is not needed by these unsigned operations. Pass an
//! [`aws_types::SdkConfig`] (for example from `aws_config::load_defaults`) to
//! [`CognitoAuthPluginBuilder::sdk_config`] to choose the HTTP client, retries and timeouts.
//!
//! # Guides
//!
//! [`guide::auth`] (sign-up, sign-in and every next step, account, hosted UI, sign-out, errors),
//! [`guide::sessions`] (sessions, the refresh policy, secure storage choices) and
//! [`guide::federation`] (the identity pool, `federate_to_identity_pool`, developer identities):
//! the pages of the amplify-rs guide, with compiled examples.
//!
//! # Layout (one concept per file)
//!
//! ```text
//! operation/        one module per operation family (sign_up, sign_in (+ challenge mapping,
//!                   confirm, device SRP), reset_password, fetch_session, sign_out, federation,
//!                   current_user, account, mfa, devices, web_ui); they use everything below
//! plugin            the plugin, its builder and what `configure` builds
//! sign_in_state     the challenge waiting for confirm_sign_in, prepared SRP keys, auto sign-in
//! session           the token session manager (refresh policy, single flight, rotation)
//! identity_pool     GetId / GetCredentialsForIdentity     providers   registry providers
//! refresh           the refresh policy (pure)              single_flight
//! store, device     storage keys for sessions and devices  session_data (plain data)
//! hosted_ui         PKCE, URLs, redirect parsing (sans IO), the token POST, the loopback listener
//! sdk, clock        the AWS SDK clients, their error mapping, the Date-header interceptor
//! srp, tokens, mfa, types, error
//! ```
//!
//! Nothing below `operation/` imports it, `plugin` does not import the sign-in operations, and
//! `store` does not import `session` (both use `session_data`).
//!
//! # Features
//!
//! - `keychain`: the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager) as
//!   the default store, falling back to the encrypted file store when no keychain answers.
//!   Without it the default store is the encrypted file store. Either way
//!   [`CognitoAuthPluginBuilder::secure_storage_factory`] chooses explicitly.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
mod device;
mod error;
pub mod guide;
mod hosted_ui;
mod identity_pool;
mod mfa;
mod operation;
mod plugin;
mod providers;
mod refresh;
mod sdk;
mod session;
mod session_data;
mod sign_in_state;
mod single_flight;
pub mod srp;
mod store;
mod tokens;
mod types;

/// Entry points for the `fuzz/` targets only: compiled with `--cfg fuzzing` (as `cargo xtask
/// fuzz` builds), never part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz_hooks {
    /// The credential store's keys the `stored_session` target fills, in order.
    pub const STORED_SESSION_KEYS: [&str; 13] = crate::store::fuzz::KEYS;

    /// Stores `values` (one per [`STORED_SESSION_KEYS`] entry) as a previous process would have,
    /// loads them, and checks that saving what loaded is a fixed point. `Ok` says whether the
    /// load was clean; `Err` names the broken property.
    ///
    /// # Errors
    ///
    /// A description of the broken property.
    pub fn stored_session_round_trip(values: &[Option<&str>]) -> Result<bool, String> {
        crate::store::fuzz::round_trip(values)
    }
}

pub use device::{AuthDevice, DevicePassword, DeviceStatus};
pub use error::{
    AuthError, CognitoService, ConfigurationReason, CorruptedSessionError, HostedUiError,
    HostedUiErrorKind, InvalidStateReason, NetworkError, NetworkPhase, ServiceError,
    ServiceErrorKind, SessionExpiredError, UnexpectedResponseError, UnsupportedChallengeError,
    ValidationError, ValidationReason,
};
pub use hosted_ui::{AuthorizationCode, CodeVerifier, HostedUiProvider};
pub use mfa::{
    AuthFactorType, MfaPreference, MfaType, TotpSecret, TotpSetupDetails, UserMfaPreference,
};
pub use operation::{
    ConfirmResetPasswordBuilder, ConfirmSignInBuilder, ConfirmSignUpBuilder,
    ConfirmUserAttributeBuilder, DEFAULT_WEB_UI_TIMEOUT, FederateBuilder, FederationProvider,
    FetchAuthSessionBuilder, FetchUserAttributesBuilder, ResendSignUpCodeBuilder,
    ResetPasswordBuilder, SendUserAttributeVerificationCodeBuilder, SignInBuilder,
    SignInWithWebUiBuilder, SignOutBuilder, SignOutScope, SignUpBuilder, UpdateAttributeStep,
    UpdateMfaPreferenceBuilder, UpdatePasswordBuilder, UpdateUserAttributeResult,
    UpdateUserAttributesBuilder, VerifyTotpSetupBuilder, WebUiSignIn,
};
pub use plugin::{CognitoAuthPlugin, CognitoAuthPluginBuilder, PLUGIN_KEY};
pub use refresh::RefreshOperation;
pub use refresh::{DEFAULT_MIN_REFRESH_INTERVAL, DEFAULT_REFRESH_BUFFER, DEFAULT_REFRESH_JITTER};
pub use tokens::{
    ChallengeResponse, Claims, ConfirmationCode, FederationToken, Jwt, Password, RefreshToken,
    UserPoolTokens,
};
pub use types::{
    AuthFlowType, AuthSession, CodeDeliveryDetails, CurrentUser, DeliveryMedium,
    FederateToIdentityPoolResult, ResetPasswordResult, ResetPasswordStep, SessionField,
    SignInDetails, SignInMethod, SignInResult, SignInStep, SignOutResult, SignUpResult, SignUpStep,
};

/// Compile-time checks: the plugin, its builders, results and errors are `Send + Sync +
/// 'static`, and every operation's future is `Send + 'static` (usable with `tokio::spawn`).
#[cfg(test)]
mod send_sync {
    use super::*;

    fn shared<T: Send + Sync + 'static>() {}
    fn spawnable<T: Send + 'static>(_: T) {}

    #[test]
    fn public_types_and_futures_are_send_sync_static() {
        shared::<CognitoAuthPlugin>();
        shared::<CognitoAuthPluginBuilder>();
        shared::<SignInBuilder>();
        shared::<ConfirmSignInBuilder>();
        shared::<SignUpBuilder>();
        shared::<ConfirmSignUpBuilder>();
        shared::<ResendSignUpCodeBuilder>();
        shared::<ResetPasswordBuilder>();
        shared::<ConfirmResetPasswordBuilder>();
        shared::<FetchAuthSessionBuilder>();
        shared::<SignOutBuilder>();
        shared::<FederateBuilder>();
        shared::<FetchUserAttributesBuilder>();
        shared::<UpdateUserAttributesBuilder>();
        shared::<ConfirmUserAttributeBuilder>();
        shared::<SendUserAttributeVerificationCodeBuilder>();
        shared::<UpdatePasswordBuilder>();
        shared::<AuthError>();
        shared::<AuthSession>();
        shared::<SignInResult>();
        shared::<SignOutResult>();
        shared::<UserPoolTokens>();

        let auth = CognitoAuthPlugin::builder()
            .secure_storage_factory(amplify_secure_storage::SecureStorageFactory::in_memory())
            .build();
        spawnable(auth.sign_in().username("a").password("b").send());
        spawnable(auth.confirm_sign_in().challenge_response("1").send());
        spawnable(auth.sign_up().send());
        spawnable(auth.confirm_sign_up().send());
        spawnable(auth.resend_sign_up_code().send());
        spawnable(auth.reset_password().send());
        spawnable(auth.confirm_reset_password().send());
        spawnable(auth.fetch_auth_session().send());
        spawnable(auth.sign_out().send());
        spawnable(auth.federate_to_identity_pool().send());
        spawnable(auth.fetch_user_attributes().send());
        spawnable(auth.update_user_attributes().attribute("a", "b").send());
        spawnable(auth.confirm_user_attribute().send());
        spawnable(auth.send_user_attribute_verification_code().send());
        spawnable(auth.update_password().send());
        let a = auth.clone();
        spawnable(async move { a.delete_user().await });
        let a = auth.clone();
        spawnable(async move { a.update_user_attribute("a", "b").await });
        let a = auth.clone();
        spawnable(async move { a.get_current_user().await });
        spawnable(async move { auth.clear_federation_to_identity_pool().await });
    }
}
