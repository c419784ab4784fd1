//! Sign-in: the InitiateAuth / RespondToAuthChallenge loop behind Amplify's next-step model.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use amplify_core::hub::{AuthHubEvent, AuthUser};
use aws_sdk_cognitoidentityprovider as idp;
use idp::types::{AuthFlowType as SdkFlow, AuthenticationResultType, ChallengeNameType};
use tracing::Instrument;

use crate::AuthError;
use crate::error::{InvalidStateReason, ServiceErrorKind};
use crate::plugin::{CognitoAuthPlugin, Configured};
use crate::sdk::{self, IDP};
use crate::session::no_user_pool;
use crate::session_data::{Session, UserPoolSession};
use crate::sign_in_state::PendingSignIn;
use crate::srp::{self, EphemeralKey, PasswordVerifierChallenge};

mod challenge;
mod confirm;
mod device_srp;

use device_srp::{answer_device_srp, confirm_new_device};

use crate::tokens::{ChallengeResponse, Jwt, Password, RefreshToken, UserPoolTokens};

type RespondOutput = idp::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use crate::device::DeviceSecrets;
use crate::mfa::{AuthFactorType, MfaType, TotpSetupDetails};
use crate::sign_in_state::LocalStep;
use crate::types::{AuthFlowType, SignInDetails, SignInResult, SignInStep};
use challenge::step_for_challenge;

/// Builder for [`CognitoAuthPlugin::sign_in`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct SignInBuilder {
    plugin: CognitoAuthPlugin,
    username: Option<String>,
    password: Option<Password>,
    flow: Option<AuthFlowType>,
    preferred_first_factor: Option<AuthFactorType>,
    client_metadata: HashMap<String, String>,
}

impl SignInBuilder {
    /// The username (or email / phone number when the pool uses them as usernames).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The password (not needed for custom auth without SRP).
    pub fn password(mut self, password: impl Into<Password>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Sets or clears the password.
    pub fn set_password(mut self, password: Option<Password>) -> Self {
        self.password = password;
        self
    }

    /// The flow for this call (default: the configuration's, else `USER_SRP_AUTH`).
    pub fn auth_flow_type(mut self, flow: AuthFlowType) -> Self {
        self.flow = Some(flow);
        self
    }

    /// With `USER_AUTH`: the first factor to use (`PREFERRED_CHALLENGE`); without one, the
    /// pool offers its factors in a [`SignInStep::ContinueSignInWithFirstFactorSelection`]
    /// step. A password factor needs [`password`](Self::password).
    pub fn preferred_first_factor(mut self, factor: AuthFactorType) -> Self {
        self.preferred_first_factor = Some(factor);
        self
    }

    /// Metadata passed to the pool's Lambda triggers.
    pub fn client_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.client_metadata.insert(key.into(), value.into());
        self
    }

    /// Signs in.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] when a user is already signed in, [`AuthError::Validation`]
    /// for a missing username or password, and service errors such as `NotAuthorized` for a
    /// wrong password. An unconfirmed user or a required password reset is a result
    /// ([`SignInStep::ConfirmSignUp`], [`SignInStep::ResetPassword`]), not an error.
    pub async fn send(self) -> Result<SignInResult, AuthError> {
        let configured = self.plugin.configured()?;
        let flow = self
            .flow
            .or(configured.manager.config.authentication_flow_type)
            .unwrap_or(AuthFlowType::UserSrpAuth);
        let span = tracing::debug_span!(
            "amplify.auth.sign_in",
            flow = crate::types::FlowName::as_str(&flow)
        );
        sign_in(
            &configured,
            SignInRequest {
                username: self.username,
                password: self.password,
                flow,
                preferred: self.preferred_first_factor,
                client_metadata: self.client_metadata,
            },
        )
        .instrument(span)
        .await
    }
}

/// Builder for [`CognitoAuthPlugin::confirm_sign_in`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct ConfirmSignInBuilder {
    plugin: CognitoAuthPlugin,
    value: Option<ChallengeResponse>,
    user_attributes: BTreeMap<String, String>,
    friendly_device_name: Option<String>,
    client_metadata: HashMap<String, String>,
}

impl ConfirmSignInBuilder {
    /// The answer: the MFA code, the new password, or the custom challenge answer. Kept as a
    /// secret ([`ChallengeResponse`]); `Debug` never shows it.
    pub fn challenge_response(mut self, value: impl Into<ChallengeResponse>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Sets or clears the answer.
    pub fn set_challenge_response(mut self, value: Option<ChallengeResponse>) -> Self {
        self.value = value;
        self
    }

    /// When answering a TOTP setup step: the name the authenticator shows for this account's
    /// device (Cognito's `FriendlyDeviceName`).
    pub fn friendly_device_name(mut self, name: impl Into<String>) -> Self {
        self.friendly_device_name = Some(name.into());
        self
    }

    /// A user attribute to set with a new password (the step's missing attributes).
    pub fn user_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.user_attributes.insert(name.into(), value.into());
        self
    }

    /// Metadata passed to the pool's Lambda triggers.
    pub fn client_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.client_metadata.insert(key.into(), value.into());
        self
    }

    /// Answers the current challenge.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] ([`InvalidStateReason::NoPendingChallenge`]) when no sign-in
    /// waits for an answer; service errors such as `CodeMismatch`. After a wrong code, a
    /// password the policy refuses, or a retryable failure (network, throttling, 5xx), the
    /// challenge stays open: call again.
    pub async fn send(self) -> Result<SignInResult, AuthError> {
        let configured = self.plugin.configured()?;
        let value = self
            .value
            .ok_or_else(|| AuthError::required("challenge_response"))?;
        confirm::confirm(
            &configured,
            confirm::Answer {
                value,
                user_attributes: self.user_attributes,
                friendly_device_name: self.friendly_device_name,
                client_metadata: self.client_metadata,
            },
        )
        .instrument(tracing::debug_span!("amplify.auth.confirm_sign_in"))
        .await
    }
}

impl CognitoAuthPlugin {
    /// Signs a user in (SRP by default). See [`SignInBuilder::send`].
    pub fn sign_in(&self) -> SignInBuilder {
        SignInBuilder {
            plugin: self.clone(),
            username: None,
            password: None,
            flow: None,
            preferred_first_factor: None,
            client_metadata: HashMap::new(),
        }
    }

    /// Signs in the user a `sign_up(...).auto_sign_in(true)` registered, once confirmed: with
    /// the session Cognito returned (`InitiateAuth` `USER_AUTH` with `SESSION`), else by
    /// replaying the sign-in with the sign-up's password (the configured flow).
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] ([`InvalidStateReason::NoAutoSignIn`]) when no sign-up
    /// waits for it; the errors of a sign-in.
    pub async fn auto_sign_in(&self) -> Result<SignInResult, AuthError> {
        let configured = self.configured()?;
        let auto = configured
            .sign_in
            .take_auto_sign_in()
            .ok_or(AuthError::InvalidState(InvalidStateReason::NoAutoSignIn))?;
        match (auto.session, auto.password) {
            (Some(session), _) => {
                sign_in_with_session(&configured, auto.username, session)
                    .instrument(tracing::debug_span!("amplify.auth.auto_sign_in"))
                    .await
            }
            (None, Some(password)) => {
                self.sign_in()
                    .username(auto.username)
                    .password(password)
                    .send()
                    .await
            }
            (None, None) => Err(AuthError::InvalidState(InvalidStateReason::NoAutoSignIn)),
        }
    }

    /// Answers the challenge a sign-in stopped at. See [`ConfirmSignInBuilder::send`].
    pub fn confirm_sign_in(&self) -> ConfirmSignInBuilder {
        ConfirmSignInBuilder {
            plugin: self.clone(),
            value: None,
            user_attributes: BTreeMap::new(),
            friendly_device_name: None,
            client_metadata: HashMap::new(),
        }
    }
}

pub(crate) fn with_secret_hash(
    configured: &Configured,
    params: &mut HashMap<String, String>,
    username: &str,
) -> Result<(), AuthError> {
    if let Some(hash) = configured.manager.secret_hash(username)? {
        params.insert("SECRET_HASH".into(), hash);
    }
    Ok(())
}

#[derive(Clone)]
struct SignInRequest {
    username: Option<String>,
    password: Option<Password>,
    flow: AuthFlowType,
    preferred: Option<AuthFactorType>,
    client_metadata: HashMap<String, String>,
}

async fn sign_in(
    configured: &Arc<Configured>,
    request: SignInRequest,
) -> Result<SignInResult, AuthError> {
    let device = match &request.username {
        Some(username) => configured.manager.device(username).await,
        None => None,
    };
    let with_device = device.is_some();
    match sign_in_once(configured, request.clone(), device).await {
        // The pool no longer knows this device (forgotten elsewhere): forget it here too and
        // sign in without it, as Amplify does.
        Err(e) if with_device && e.service_kind() == Some(ServiceErrorKind::ResourceNotFound) => {
            tracing::debug!("the device is unknown to the pool; signing in without it");
            if let (Some(store), Some(username)) =
                (&configured.manager.devices, request.username.as_deref())
            {
                store.delete(username).await?;
            }
            sign_in_once(configured, request, None).await
        }
        other => other,
    }
}

async fn sign_in_once(
    configured: &Arc<Configured>,
    request: SignInRequest,
    device: Option<DeviceSecrets>,
) -> Result<SignInResult, AuthError> {
    let SignInRequest {
        username,
        password,
        flow,
        preferred,
        client_metadata,
    } = request;
    let manager = &configured.manager;
    manager.ensure_loaded().await?;
    let snap = manager.snapshot();
    if snap.session.user_pool.is_some() || snap.session.federation.is_some() {
        return Err(AuthError::InvalidState(InvalidStateReason::AlreadySignedIn));
    }
    let username = username
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| AuthError::required("username"))?;
    let needs_password = match flow {
        AuthFlowType::CustomAuthWithoutSrp => false,
        AuthFlowType::UserAuth => matches!(
            preferred,
            Some(AuthFactorType::Password | AuthFactorType::PasswordSrp)
        ),
        _ => true,
    };
    if needs_password
        && password
            .as_ref()
            .is_none_or(|p| p.expose_secret().is_empty())
    {
        return Err(AuthError::required("password"));
    }
    if preferred == Some(AuthFactorType::WebAuthn) {
        return Err(AuthError::unsupported(
            "preferred_first_factor",
            "WEB_AUTHN (passkeys) is not supported yet; choose PASSWORD, PASSWORD_SRP, EMAIL_OTP or SMS_OTP",
        ));
    }
    let (client, pool) = manager.user_pool()?;
    // A new sign-in supersedes any challenge left open.
    configured.sign_in.take_pending();

    let mut params = HashMap::from([("USERNAME".to_owned(), username.clone())]);
    with_secret_hash(configured, &mut params, &username)?;
    if let Some(device) = &device {
        params.insert("DEVICE_KEY".into(), device.key.clone());
    }
    let mut srp_key = None;
    let password_value = || {
        password
            .as_ref()
            .map(|p| p.expose_secret().to_owned())
            .unwrap_or_default()
    };
    let sdk_flow = match flow {
        AuthFlowType::UserPasswordAuth => {
            params.insert("PASSWORD".into(), password_value());
            SdkFlow::UserPasswordAuth
        }
        AuthFlowType::CustomAuthWithoutSrp => SdkFlow::CustomAuth,
        AuthFlowType::UserAuth => {
            if let Some(factor) = preferred {
                params.insert("PREFERRED_CHALLENGE".into(), factor.as_str().into());
                match factor {
                    AuthFactorType::Password => {
                        params.insert("PASSWORD".into(), password_value());
                    }
                    AuthFactorType::PasswordSrp => {
                        let key = configured.sign_in.take_key()?;
                        params.insert("SRP_A".into(), key.public_hex());
                        srp_key = Some(key);
                    }
                    _ => {}
                }
            }
            SdkFlow::UserAuth
        }
        AuthFlowType::CustomAuthWithSrp | AuthFlowType::UserSrpAuth | _ => {
            let key = configured.sign_in.take_key()?;
            params.insert("SRP_A".into(), key.public_hex());
            srp_key = Some(key);
            if matches!(flow, AuthFlowType::CustomAuthWithSrp) {
                params.insert("CHALLENGE_NAME".into(), "SRP_A".into());
                SdkFlow::CustomAuth
            } else {
                SdkFlow::UserSrpAuth
            }
        }
    };
    let response = client
        .initiate_auth()
        .auth_flow(sdk_flow)
        .client_id(&pool.app_client_id)
        .set_auth_parameters(Some(params))
        .set_client_metadata((!client_metadata.is_empty()).then(|| client_metadata.clone()))
        .send()
        .await;
    let out = match response {
        Ok(out) => out,
        Err(e) => return step_for_error(sdk::map_error(IDP, e)),
    };
    let mut pending = PendingSignIn::new(username, flow, client_metadata);
    pending.device = device;
    pending.session = out.session().map(str::to_owned);
    pending.challenge = challenge_of(out.challenge_name());
    pending.available = out
        .available_challenges()
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    if let Some(result) = out.authentication_result() {
        return complete(configured, &pending, result).await;
    }
    let params = out.challenge_parameters().cloned().unwrap_or_default();
    continue_after(configured, pending, params, srp_key, password.as_ref()).await
}

/// `InitiateAuth` `USER_AUTH` with the session of a confirmed sign-up.
async fn sign_in_with_session(
    configured: &Arc<Configured>,
    username: String,
    session: String,
) -> Result<SignInResult, AuthError> {
    let manager = &configured.manager;
    manager.ensure_loaded().await?;
    let snap = manager.snapshot();
    if snap.session.user_pool.is_some() || snap.session.federation.is_some() {
        return Err(AuthError::InvalidState(InvalidStateReason::AlreadySignedIn));
    }
    let (client, pool) = manager.user_pool()?;
    configured.sign_in.take_pending();
    let mut params = HashMap::from([("USERNAME".to_owned(), username.clone())]);
    with_secret_hash(configured, &mut params, &username)?;
    let out = client
        .initiate_auth()
        .auth_flow(SdkFlow::UserAuth)
        .client_id(&pool.app_client_id)
        .set_auth_parameters(Some(params))
        .session(session)
        .send()
        .await;
    let out = match out {
        Ok(out) => out,
        Err(e) => return step_for_error(sdk::map_error(IDP, e)),
    };
    let mut pending = PendingSignIn::new(username, AuthFlowType::UserAuth, HashMap::new());
    pending.session = out.session().map(str::to_owned);
    pending.challenge = challenge_of(out.challenge_name());
    pending.available = out
        .available_challenges()
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    if let Some(result) = out.authentication_result() {
        return complete(configured, &pending, result).await;
    }
    let params = out.challenge_parameters().cloned().unwrap_or_default();
    next_step(configured, pending, &params).await
}

/// The challenge Cognito named (`NONE` when it named none).
pub(crate) fn challenge_of(name: Option<&ChallengeNameType>) -> ChallengeNameType {
    name.cloned()
        .unwrap_or_else(|| ChallengeNameType::from("NONE"))
}

/// After an answer: answers `PASSWORD_VERIFIER` with the SRP key and password when Cognito asks
/// for it, then turns what is left into a next step.
pub(crate) async fn continue_after(
    configured: &Configured,
    mut pending: PendingSignIn,
    mut params: HashMap<String, String>,
    srp_key: Option<EphemeralKey>,
    password: Option<&Password>,
) -> Result<SignInResult, AuthError> {
    if pending.challenge == ChallengeNameType::PasswordVerifier {
        let key = srp_key.ok_or_else(|| AuthError::unexpected("PASSWORD_VERIFIER without SRP"))?;
        let password = password.ok_or_else(|| AuthError::required("password"))?;
        let answered =
            answer_password_verifier(configured, &pending, &params, &key, password).await;
        let out = match answered {
            Ok(out) => out,
            Err(e) => return step_for_error(e),
        };
        pending.session = out.session().map(str::to_owned);
        pending.challenge = challenge_of(out.challenge_name());
        if let Some(result) = out.authentication_result() {
            return complete(configured, &pending, result).await;
        }
        params = out.challenge_parameters().cloned().unwrap_or_default();
    }
    if let Some(username) = params.get("USERNAME") {
        pending.challenge_username = username.clone();
    }
    if pending.challenge == ChallengeNameType::DeviceSrpAuth {
        let out = answer_device_srp(configured, &pending).await?;
        pending.session = out.session().map(str::to_owned);
        pending.challenge = challenge_of(out.challenge_name());
        if let Some(result) = out.authentication_result() {
            return complete(configured, &pending, result).await;
        }
        params = out.challenge_parameters().cloned().unwrap_or_default();
    }
    next_step(configured, pending, &params).await
}

/// `UserNotConfirmed` and `PasswordResetRequired` are next steps, not failures.
fn step_for_error(e: AuthError) -> Result<SignInResult, AuthError> {
    match e.service_kind() {
        Some(ServiceErrorKind::UserNotConfirmed) => {
            Ok(SignInResult::step(SignInStep::ConfirmSignUp))
        }
        Some(ServiceErrorKind::PasswordResetRequired) => {
            Ok(SignInResult::step(SignInStep::ResetPassword))
        }
        _ => Err(e),
    }
}

pub(crate) async fn answer_password_verifier(
    configured: &Configured,
    pending: &PendingSignIn,
    params: &HashMap<String, String>,
    key: &EphemeralKey,
    password: &Password,
) -> Result<RespondOutput, AuthError> {
    let manager = &configured.manager;
    let pool = manager.config.user_pool.as_ref().ok_or_else(no_user_pool)?;
    let get = |name: &'static str| {
        params
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| AuthError::unexpected(name))
    };
    let user_id_for_srp = get("USER_ID_FOR_SRP")?;
    let secret_block = get("SECRET_BLOCK")?;
    let timestamp = srp::format_timestamp(manager.clock.now());
    let challenge = PasswordVerifierChallenge {
        pool_id: &pool.pool_id,
        user_id_for_srp,
        password: password.expose_secret(),
        salt_hex: get("SALT")?,
        srp_b_hex: get("SRP_B")?,
        secret_block_b64: secret_block,
        timestamp: &timestamp,
    };
    let signature = srp::password_claim(key, &challenge)?;
    // Cognito accepts the username or USER_ID_FOR_SRP here; the username it echoed works with
    // every peer (moto looks USERNAME up as a username).
    let username = params
        .get("USERNAME")
        .cloned()
        .unwrap_or_else(|| pending.username.clone());
    let mut responses = HashMap::from([
        ("USERNAME".to_owned(), username.clone()),
        (
            "PASSWORD_CLAIM_SECRET_BLOCK".to_owned(),
            secret_block.to_owned(),
        ),
        ("PASSWORD_CLAIM_SIGNATURE".to_owned(), signature),
        ("TIMESTAMP".to_owned(), timestamp.clone()),
    ]);
    if let Some(device) = &pending.device {
        responses.insert("DEVICE_KEY".into(), device.key.clone());
    }
    with_secret_hash(configured, &mut responses, &username)?;
    respond(
        configured,
        pending,
        ChallengeNameType::PasswordVerifier,
        responses,
    )
    .await
}

pub(crate) async fn respond(
    configured: &Configured,
    pending: &PendingSignIn,
    challenge: ChallengeNameType,
    responses: HashMap<String, String>,
) -> Result<RespondOutput, AuthError> {
    let manager = &configured.manager;
    let (client, pool) = manager.user_pool()?;
    client
        .respond_to_auth_challenge()
        .client_id(&pool.app_client_id)
        .challenge_name(challenge)
        .set_session(pending.session.clone())
        .set_challenge_responses(Some(responses))
        .set_client_metadata(
            (!pending.client_metadata.is_empty()).then(|| pending.client_metadata.clone()),
        )
        .send()
        .await
        .map_err(|e| sdk::map_error(IDP, e))
}

/// Turns an open challenge into a next step and keeps it for `confirm_sign_in`. An `MFA_SETUP`
/// that can only set up TOTP starts the setup at once (amplify-js's
/// `CONTINUE_SIGN_IN_WITH_TOTP_SETUP`), one that can only set up email asks for the address.
pub(crate) async fn next_step(
    configured: &Configured,
    mut pending: PendingSignIn,
    params: &HashMap<String, String>,
) -> Result<SignInResult, AuthError> {
    if let Some(username) = params.get("USERNAME") {
        pending.challenge_username = username.clone();
    }
    let mut step = step_for_challenge(&pending.challenge, params, &pending.available)?;
    pending.local = LocalStep::None;
    if let SignInStep::ContinueSignInWithMfaSetupSelection { allowed_mfa_types } = &step {
        match allowed_mfa_types.as_slice() {
            [MfaType::Totp] => {
                let details = associate_in_sign_in(configured, &mut pending).await?;
                step = SignInStep::ContinueSignInWithTotpSetup(details);
            }
            [MfaType::Email] => {
                pending.local = LocalStep::EmailSetup;
                step = SignInStep::ContinueSignInWithEmailMfaSetup;
            }
            _ => pending.local = LocalStep::MfaSetupSelection,
        }
    }
    configured.sign_in.set_pending(pending);
    Ok(SignInResult::step(step))
}

/// `AssociateSoftwareToken` with the sign-in session: the TOTP secret, and a new session.
pub(crate) async fn associate_in_sign_in(
    configured: &Configured,
    pending: &mut PendingSignIn,
) -> Result<TotpSetupDetails, AuthError> {
    let (client, _) = configured.manager.user_pool()?;
    let out = client
        .associate_software_token()
        .set_session(pending.session.clone())
        .send()
        .await
        .map_err(|e| sdk::map_error(IDP, e))?;
    let secret = out
        .secret_code()
        .ok_or_else(|| AuthError::unexpected("AssociateSoftwareToken returned no SecretCode"))?;
    if let Some(session) = out.session() {
        pending.session = Some(session.to_owned());
    }
    let details = TotpSetupDetails::new(
        crate::mfa::TotpSecret::new(secret),
        pending.username.clone(),
    );
    pending.local = LocalStep::TotpSetup(details.clone());
    Ok(details)
}

/// Stores the tokens, publishes `SignedIn`, and clears any previous identity-pool identity. A
/// factor set up during the sign-in is then enabled (best effort: Amplify does it because
/// developers forget to).
pub(crate) async fn complete(
    configured: &Configured,
    pending: &PendingSignIn,
    result: &AuthenticationResultType,
) -> Result<SignInResult, AuthError> {
    let tokens =
        UserPoolTokens {
            access_token: Jwt::parse(result.access_token().ok_or_else(|| {
                AuthError::unexpected("a sign-in result without an access token")
            })?)?,
            id_token: Jwt::parse(
                result
                    .id_token()
                    .ok_or_else(|| AuthError::unexpected("a sign-in result without an ID token"))?,
            )?,
            refresh_token: RefreshToken::new(result.refresh_token().ok_or_else(|| {
                AuthError::unexpected("a sign-in result without a refresh token")
            })?),
        };
    let user = AuthUser::new(
        tokens.user_id().unwrap_or_default(),
        tokens.username().unwrap_or(&pending.username),
    );
    let session = UserPoolSession {
        username: user.username.clone(),
        sign_in_details: SignInDetails {
            username: pending.username.clone(),
            auth_flow_type: Some(pending.flow),
            sign_in_method: crate::types::SignInMethod::ApiBased,
        },
        tokens,
    };
    configured
        .manager
        .commit(None, true, |_| Session {
            user_pool: Some(session),
            ..Session::default()
        })
        .await?;
    tracing::debug!("signed in");
    if let Some(metadata) = result.new_device_metadata() {
        let confirmed = confirm_new_device(configured, pending, result, metadata).await;
        if let Err(e) = confirmed {
            tracing::debug!(
                error = %amplify_core::DisplayErrorContext(&e),
                "could not confirm the new device; signing in without device tracking"
            );
        }
    }
    if let Some(factor) = pending.set_up {
        let enabled = crate::operation::mfa::enable_after_setup(configured, factor).await;
        if let Err(e) = enabled {
            tracing::debug!(
                error = %amplify_core::DisplayErrorContext(&e),
                "could not enable the MFA factor set up during sign-in"
            );
        }
    }
    configured
        .manager
        .hub
        .auth()
        .publish(AuthHubEvent::SignedIn(user));
    Ok(SignInResult::step(SignInStep::Done))
}
