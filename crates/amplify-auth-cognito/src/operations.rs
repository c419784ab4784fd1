//! Sign-up, password reset, sessions, sign-out and federation.

use std::collections::{BTreeMap, HashMap};

use amplify_core::hub::AuthHubEvent;
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use tracing::Instrument;

use crate::AuthError;
use crate::error::InvalidStateReason;
use crate::plugin::{CognitoAuthPlugin, Configured};
use crate::sdk::{self, IDP};
use crate::session::{Federation, Session, no_identity_pool};
use crate::tokens::{ConfirmationCode, FederationToken, Password};
use crate::types::{
    AuthSession, CodeDeliveryDetails, CurrentUser, FederateToIdentityPoolResult,
    ResetPasswordResult, ResetPasswordStep, SignOutResult, SignUpResult, SignUpStep,
};

fn required(field: &'static str, value: Option<String>) -> Result<String, AuthError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| AuthError::required(field))
}

fn required_code(code: Option<ConfirmationCode>) -> Result<ConfirmationCode, AuthError> {
    code.filter(|c| !c.expose_secret().trim().is_empty())
        .ok_or_else(|| AuthError::required("confirmation_code"))
}

fn metadata(map: HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!map.is_empty()).then_some(map)
}

fn delivery(
    details: Option<&aws_sdk_cognitoidentityprovider::types::CodeDeliveryDetailsType>,
) -> CodeDeliveryDetails {
    CodeDeliveryDetails::new(
        details.and_then(|d| d.destination()),
        details
            .and_then(|d| d.delivery_medium())
            .map(|m| m.as_str()),
        details.and_then(|d| d.attribute_name()),
    )
}

macro_rules! builder {
    ($(#[$meta:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug)]
        #[must_use = "call .send().await"]
        pub struct $name {
            plugin: CognitoAuthPlugin,
            $($field: $ty,)*
            client_metadata: HashMap<String, String>,
        }

        impl $name {
            /// Metadata passed to the pool's Lambda triggers.
            pub fn client_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                self.client_metadata.insert(key.into(), value.into());
                self
            }
        }
    };
}

builder!(
    /// Builder for [`CognitoAuthPlugin::sign_up`].
    SignUpBuilder { username: Option<String>, password: Option<Password>, attributes: BTreeMap<String, String> }
);

impl SignUpBuilder {
    /// The username (or the email / phone number when the pool uses them as usernames).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The password.
    pub fn password(mut self, password: impl Into<Password>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// A user attribute (`email`, `phone_number`, `custom:plan`, ...).
    pub fn user_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Signs the user up.
    ///
    /// # Errors
    ///
    /// Validation errors for a missing username or password; service errors such as
    /// `UsernameExists` and `InvalidPassword` (the pool's policy).
    pub async fn send(self) -> Result<SignUpResult, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let password = self
            .password
            .ok_or_else(|| AuthError::required("password"))?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        let attributes: Vec<AttributeType> = self
            .attributes
            .into_iter()
            .filter_map(|(name, value)| {
                AttributeType::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .ok()
            })
            .collect();
        let out = client
            .sign_up()
            .client_id(&pool.app_client_id)
            .username(&username)
            .password(password.expose_secret())
            .set_user_attributes((!attributes.is_empty()).then_some(attributes))
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.sign_up"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        let confirmed = out.user_confirmed();
        Ok(SignUpResult {
            is_sign_up_complete: confirmed,
            next_step: if confirmed {
                SignUpStep::Done
            } else {
                SignUpStep::ConfirmSignUp(delivery(out.code_delivery_details()))
            },
            user_id: Some(out.user_sub().to_owned()).filter(|s| !s.is_empty()),
        })
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::confirm_sign_up`].
    ConfirmSignUpBuilder { username: Option<String>, code: Option<ConfirmationCode> }
);

impl ConfirmSignUpBuilder {
    /// The username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The code that was sent (a secret: `Debug` never shows it).
    pub fn confirmation_code(mut self, code: impl Into<ConfirmationCode>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Confirms the sign-up.
    ///
    /// # Errors
    ///
    /// `CodeMismatch` for a wrong code, `ExpiredCode` for an old one.
    pub async fn send(self) -> Result<SignUpResult, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let code = required_code(self.code)?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        client
            .confirm_sign_up()
            .client_id(&pool.app_client_id)
            .username(&username)
            .confirmation_code(code.expose_secret())
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.confirm_sign_up"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(SignUpResult {
            is_sign_up_complete: true,
            next_step: SignUpStep::Done,
            user_id: None,
        })
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::resend_sign_up_code`].
    ResendSignUpCodeBuilder { username: Option<String> }
);

impl ResendSignUpCodeBuilder {
    /// The username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Sends a new confirmation code.
    ///
    /// # Errors
    ///
    /// Service errors such as `UserNotFound` or `LimitExceeded`.
    pub async fn send(self) -> Result<CodeDeliveryDetails, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        let out = client
            .resend_confirmation_code()
            .client_id(&pool.app_client_id)
            .username(&username)
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.resend_sign_up_code"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(delivery(out.code_delivery_details()))
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::reset_password`].
    ResetPasswordBuilder { username: Option<String> }
);

impl ResetPasswordBuilder {
    /// The username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Starts a password reset: Cognito sends a code.
    ///
    /// # Errors
    ///
    /// Service errors such as `UserNotFound` or `LimitExceeded`.
    pub async fn send(self) -> Result<ResetPasswordResult, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        let out = client
            .forgot_password()
            .client_id(&pool.app_client_id)
            .username(&username)
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.reset_password"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(ResetPasswordResult {
            is_password_reset: false,
            next_step: ResetPasswordStep::ConfirmResetPasswordWithCode(delivery(
                out.code_delivery_details(),
            )),
        })
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::confirm_reset_password`].
    ConfirmResetPasswordBuilder { username: Option<String>, new_password: Option<Password>, code: Option<ConfirmationCode> }
);

impl ConfirmResetPasswordBuilder {
    /// The username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The new password.
    pub fn new_password(mut self, password: impl Into<Password>) -> Self {
        self.new_password = Some(password.into());
        self
    }

    /// The code that was sent (a secret: `Debug` never shows it).
    pub fn confirmation_code(mut self, code: impl Into<ConfirmationCode>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets the new password.
    ///
    /// # Errors
    ///
    /// `CodeMismatch`, `ExpiredCode`, `InvalidPassword`.
    pub async fn send(self) -> Result<ResetPasswordResult, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let code = required_code(self.code)?;
        let password = self
            .new_password
            .ok_or_else(|| AuthError::required("new_password"))?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        client
            .confirm_forgot_password()
            .client_id(&pool.app_client_id)
            .username(&username)
            .confirmation_code(code.expose_secret())
            .password(password.expose_secret())
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.confirm_reset_password"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(ResetPasswordResult {
            is_password_reset: true,
            next_step: ResetPasswordStep::Done,
        })
    }
}

/// Builder for [`CognitoAuthPlugin::fetch_auth_session`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct FetchAuthSessionBuilder {
    plugin: CognitoAuthPlugin,
    force_refresh: bool,
}

impl FetchAuthSessionBuilder {
    /// Refresh tokens and credentials even when they are still valid.
    pub fn force_refresh(mut self, force: bool) -> Self {
        self.force_refresh = force;
        self
    }

    /// The session. Never fails as a whole: see the per-field results.
    pub async fn send(self) -> AuthSession {
        match self.plugin.configured() {
            Ok(configured) => configured.manager.fetch(self.force_refresh).await,
            Err(e) => AuthSession::failed(e),
        }
    }
}

/// How to sign out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignOutScope {
    /// This device: revoke the refresh token and clear local storage.
    #[default]
    Local,
    /// Every device: `GlobalSignOut` invalidates all of the user's tokens, then local sign-out.
    Global,
}

/// Builder for [`CognitoAuthPlugin::sign_out`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct SignOutBuilder {
    plugin: CognitoAuthPlugin,
    scope: SignOutScope,
}

impl SignOutBuilder {
    /// Sign out everywhere ([`SignOutScope::Global`]) or only here.
    pub fn scope(mut self, scope: SignOutScope) -> Self {
        self.scope = scope;
        self
    }

    /// Signs out: `GlobalSignOut` (when global), then `RevokeToken` (skipped when the global
    /// sign-out failed), then clears local storage. Never an error: see [`SignOutResult`].
    pub async fn send(self) -> SignOutResult {
        let configured = match self.plugin.configured() {
            Ok(c) => c,
            Err(e) => return SignOutResult::Failed(e),
        };
        sign_out(&configured, self.scope)
            .instrument(tracing::debug_span!("amplify.auth.sign_out"))
            .await
    }
}

async fn sign_out(configured: &Configured, scope: SignOutScope) -> SignOutResult {
    let manager = &configured.manager;
    if let Err(e) = manager.ensure_loaded().await {
        return SignOutResult::Failed(e);
    }
    let snap = manager.snapshot();
    let mut global_error = None;
    let mut revoke_error = None;
    if let (Some(up), Some(client), Some(pool)) = (
        &snap.session.user_pool,
        &manager.clients.idp,
        &manager.config.user_pool,
    ) {
        if scope == SignOutScope::Global
            && let Err(e) = client
                .global_sign_out()
                .access_token(up.tokens.access_token.expose_secret())
                .send()
                .await
        {
            global_error = Some(sdk::map_error(IDP, e));
        }
        if global_error.is_none()
            && let Err(e) = client
                .revoke_token()
                .token(up.tokens.refresh_token.expose_secret())
                .client_id(&pool.app_client_id)
                .set_client_secret(
                    pool.app_client_secret
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned()),
                )
                .send()
                .await
        {
            revoke_error = Some(sdk::map_error(IDP, e));
        }
    }
    configured
        .pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    if let Err(e) = manager.commit(None, true, |_| Session::default()).await {
        return SignOutResult::Failed(e);
    }
    manager.hub.auth().publish(AuthHubEvent::SignedOut);
    if global_error.is_none() && revoke_error.is_none() {
        SignOutResult::Complete
    } else {
        tracing::debug!(
            global_failed = global_error.is_some(),
            revoke_failed = revoke_error.is_some(),
            "signed out locally; a server-side step failed"
        );
        SignOutResult::Partial {
            global_sign_out_error: global_error,
            revoke_token_error: revoke_error,
        }
    }
}

/// An identity provider for [`CognitoAuthPlugin::federate_to_identity_pool`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FederationProvider {
    /// Google (`accounts.google.com`).
    Google,
    /// Facebook (`graph.facebook.com`).
    Facebook,
    /// Login with Amazon (`www.amazon.com`).
    Amazon,
    /// Sign in with Apple (`appleid.apple.com`).
    Apple,
    /// An OIDC provider, by issuer (`https://issuer.example.com` → `issuer.example.com`).
    Oidc(String),
    /// Any provider name the identity pool knows.
    Custom(String),
}

impl FederationProvider {
    /// The key of the identity pool's `Logins` map.
    pub fn identity_pool_provider_name(&self) -> String {
        match self {
            FederationProvider::Google => "accounts.google.com".into(),
            FederationProvider::Facebook => "graph.facebook.com".into(),
            FederationProvider::Amazon => "www.amazon.com".into(),
            FederationProvider::Apple => "appleid.apple.com".into(),
            FederationProvider::Oidc(issuer) => issuer
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned(),
            FederationProvider::Custom(name) => name.clone(),
        }
    }
}

/// Builder for [`CognitoAuthPlugin::federate_to_identity_pool`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct FederateBuilder {
    plugin: CognitoAuthPlugin,
    token: Option<FederationToken>,
    provider: Option<FederationProvider>,
    developer_provided_identity_id: Option<String>,
}

impl FederateBuilder {
    /// The provider's token (for example a Google ID token).
    pub fn token(mut self, token: impl Into<FederationToken>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The provider.
    pub fn provider(mut self, provider: FederationProvider) -> Self {
        self.provider = Some(provider);
        self
    }

    /// An identity id your backend obtained (developer-authenticated identities); skips `GetId`.
    pub fn developer_provided_identity_id(mut self, id: impl Into<String>) -> Self {
        self.developer_provided_identity_id = Some(id.into());
        self
    }

    /// Exchanges the token for identity-pool credentials and keeps them as the session. The
    /// token itself is never refreshed: when it expires, federate again.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] while a user pool user is signed in; service errors such as
    /// `NotAuthorized` for a token the identity pool does not accept.
    pub async fn send(self) -> Result<FederateToIdentityPoolResult, AuthError> {
        let configured = self.plugin.configured()?;
        let token = self.token.ok_or_else(|| AuthError::required("token"))?;
        let provider = self
            .provider
            .ok_or_else(|| AuthError::required("provider"))?;
        let manager = &configured.manager;
        manager.ensure_loaded().await?;
        if manager.config.identity_pool.is_none() {
            return Err(no_identity_pool());
        }
        if manager.snapshot().session.user_pool.is_some() {
            return Err(AuthError::InvalidState(
                InvalidStateReason::UserPoolUserSignedIn,
            ));
        }
        let login = (
            provider.identity_pool_provider_name(),
            token.expose_secret().to_owned(),
        );
        let identity_id = match self.developer_provided_identity_id {
            Some(id) => id,
            None => manager.get_id(Some(&login)).await?,
        };
        let credentials = manager.get_credentials(&identity_id, Some(&login)).await?;
        let federation = Federation {
            provider: login.0.clone(),
            token,
        };
        manager
            .commit(None, true, |_| Session {
                federation: Some(federation),
                identity_id: Some(identity_id.clone()),
                aws_credentials: Some(credentials.clone()),
                user_pool: None,
            })
            .await?;
        Ok(FederateToIdentityPoolResult {
            identity_id,
            credentials,
        })
    }
}

impl CognitoAuthPlugin {
    /// Registers a new user. See [`SignUpBuilder::send`].
    pub fn sign_up(&self) -> SignUpBuilder {
        SignUpBuilder {
            plugin: self.clone(),
            username: None,
            password: None,
            attributes: BTreeMap::new(),
            client_metadata: HashMap::new(),
        }
    }

    /// Confirms a sign-up with its code. See [`ConfirmSignUpBuilder::send`].
    pub fn confirm_sign_up(&self) -> ConfirmSignUpBuilder {
        ConfirmSignUpBuilder {
            plugin: self.clone(),
            username: None,
            code: None,
            client_metadata: HashMap::new(),
        }
    }

    /// Sends a new sign-up code. See [`ResendSignUpCodeBuilder::send`].
    pub fn resend_sign_up_code(&self) -> ResendSignUpCodeBuilder {
        ResendSignUpCodeBuilder {
            plugin: self.clone(),
            username: None,
            client_metadata: HashMap::new(),
        }
    }

    /// Starts a password reset. See [`ResetPasswordBuilder::send`].
    pub fn reset_password(&self) -> ResetPasswordBuilder {
        ResetPasswordBuilder {
            plugin: self.clone(),
            username: None,
            client_metadata: HashMap::new(),
        }
    }

    /// Completes a password reset. See [`ConfirmResetPasswordBuilder::send`].
    pub fn confirm_reset_password(&self) -> ConfirmResetPasswordBuilder {
        ConfirmResetPasswordBuilder {
            plugin: self.clone(),
            username: None,
            new_password: None,
            code: None,
            client_metadata: HashMap::new(),
        }
    }

    /// The current session, refreshed as needed. See [`FetchAuthSessionBuilder::send`].
    pub fn fetch_auth_session(&self) -> FetchAuthSessionBuilder {
        FetchAuthSessionBuilder {
            plugin: self.clone(),
            force_refresh: false,
        }
    }

    /// Signs out. See [`SignOutBuilder::send`].
    pub fn sign_out(&self) -> SignOutBuilder {
        SignOutBuilder {
            plugin: self.clone(),
            scope: SignOutScope::Local,
        }
    }

    /// Signs in to the identity pool with an external provider's token (seed: "Federate with
    /// Auth providers"). See [`FederateBuilder::send`].
    pub fn federate_to_identity_pool(&self) -> FederateBuilder {
        FederateBuilder {
            plugin: self.clone(),
            token: None,
            provider: None,
            developer_provided_identity_id: None,
        }
    }

    /// Ends a federated session.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] when the session is not federated; storage errors.
    pub async fn clear_federation_to_identity_pool(&self) -> Result<(), AuthError> {
        let configured = self.configured()?;
        let manager = &configured.manager;
        manager.ensure_loaded().await?;
        if manager.snapshot().session.federation.is_none() {
            return Err(AuthError::InvalidState(InvalidStateReason::NotFederated));
        }
        manager.commit(None, true, |_| Session::default()).await?;
        Ok(())
    }

    /// The signed-in user, from local state (no network call, no refresh).
    ///
    /// # Errors
    ///
    /// [`AuthError::SignedOut`] with nobody signed in; [`AuthError::InvalidState`] while
    /// federated to the identity pool (there is no user pool user).
    pub async fn get_current_user(&self) -> Result<CurrentUser, AuthError> {
        let configured = self.configured()?;
        let manager = &configured.manager;
        manager.ensure_loaded().await?;
        let snap = manager.snapshot();
        if snap.session.federation.is_some() {
            return Err(AuthError::InvalidState(InvalidStateReason::Federated));
        }
        let up = snap
            .session
            .user_pool
            .as_ref()
            .ok_or(AuthError::SignedOut)?;
        Ok(CurrentUser {
            user_id: up.tokens.user_id().unwrap_or_default().to_owned(),
            username: up.username.clone(),
            sign_in_details: up.sign_in_details.clone(),
        })
    }
}
