//! Sign-in: the InitiateAuth / RespondToAuthChallenge loop behind Amplify's next-step model.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use amplify_core::AmplifyError;
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

use crate::tokens::{ChallengeResponse, Jwt, Password, RefreshToken, UserPoolTokens};
use crate::types::{AuthFlowType, SignInDetails, SignInResult, SignInStep};
use challenge::{keeps_challenge_open, step_for_challenge};

/// Builder for [`CognitoAuthPlugin::sign_in`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct SignInBuilder {
    plugin: CognitoAuthPlugin,
    username: Option<String>,
    password: Option<Password>,
    flow: Option<AuthFlowType>,
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
            self.username,
            self.password,
            flow,
            self.client_metadata,
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
        confirm(
            &configured,
            value,
            self.user_attributes,
            self.client_metadata,
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
            client_metadata: HashMap::new(),
        }
    }

    /// Answers the challenge a sign-in stopped at. See [`ConfirmSignInBuilder::send`].
    pub fn confirm_sign_in(&self) -> ConfirmSignInBuilder {
        ConfirmSignInBuilder {
            plugin: self.clone(),
            value: None,
            user_attributes: BTreeMap::new(),
            client_metadata: HashMap::new(),
        }
    }
}

fn with_secret_hash(
    configured: &Configured,
    params: &mut HashMap<String, String>,
    username: &str,
) -> Result<(), AuthError> {
    if let Some(hash) = configured.manager.secret_hash(username)? {
        params.insert("SECRET_HASH".into(), hash);
    }
    Ok(())
}

async fn sign_in(
    configured: &Arc<Configured>,
    username: Option<String>,
    password: Option<Password>,
    flow: AuthFlowType,
    client_metadata: HashMap<String, String>,
) -> Result<SignInResult, AuthError> {
    let manager = &configured.manager;
    manager.ensure_loaded().await?;
    let snap = manager.snapshot();
    if snap.session.user_pool.is_some() || snap.session.federation.is_some() {
        return Err(AuthError::InvalidState(InvalidStateReason::AlreadySignedIn));
    }
    let username = username
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| AuthError::required("username"))?;
    let needs_password = !matches!(flow, AuthFlowType::CustomAuthWithoutSrp);
    if needs_password
        && password
            .as_ref()
            .is_none_or(|p| p.expose_secret().is_empty())
    {
        return Err(AuthError::required("password"));
    }
    let (client, pool) = manager.user_pool()?;
    // A new sign-in supersedes any challenge left open.
    configured.sign_in.take_pending();

    let mut params = HashMap::from([("USERNAME".to_owned(), username.clone())]);
    with_secret_hash(configured, &mut params, &username)?;
    let mut srp_key = None;
    let sdk_flow = match flow {
        AuthFlowType::UserPasswordAuth => {
            params.insert(
                "PASSWORD".into(),
                password
                    .as_ref()
                    .map(|p| p.expose_secret().to_owned())
                    .unwrap_or_default(),
            );
            SdkFlow::UserPasswordAuth
        }
        AuthFlowType::CustomAuthWithoutSrp => SdkFlow::CustomAuth,
        AuthFlowType::CustomAuthWithSrp | AuthFlowType::UserSrpAuth => {
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
        _ => {
            return Err(AuthError::unsupported(
                "auth_flow_type",
                "USER_AUTH (passwordless choice-based sign-in) is not supported yet; use USER_SRP_AUTH, USER_PASSWORD_AUTH or a custom flow",
            ));
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
    let mut pending = PendingSignIn {
        challenge_username: username.clone(),
        username,
        flow,
        session: out.session().map(str::to_owned),
        challenge: out
            .challenge_name()
            .cloned()
            .unwrap_or_else(|| ChallengeNameType::from("NONE")),
        client_metadata,
    };
    if let Some(result) = out.authentication_result() {
        return complete(configured, &pending, result).await;
    }
    let mut challenge_params = out.challenge_parameters().cloned().unwrap_or_default();
    if pending.challenge == ChallengeNameType::PasswordVerifier {
        let key = srp_key.ok_or_else(|| AuthError::unexpected("PASSWORD_VERIFIER without SRP"))?;
        let password = password.ok_or_else(|| AuthError::required("password"))?;
        let answered =
            answer_password_verifier(configured, &pending, &challenge_params, &key, &password)
                .await;
        let out = match answered {
            Ok(out) => out,
            Err(e) => return step_for_error(e),
        };
        pending.session = out.session().map(str::to_owned);
        pending.challenge = out
            .challenge_name()
            .cloned()
            .unwrap_or_else(|| ChallengeNameType::from("NONE"));
        if let Some(result) = out.authentication_result() {
            return complete(configured, &pending, result).await;
        }
        challenge_params = out.challenge_parameters().cloned().unwrap_or_default();
    }
    next_step(configured, pending, &challenge_params)
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

async fn answer_password_verifier(
    configured: &Configured,
    pending: &PendingSignIn,
    params: &HashMap<String, String>,
    key: &EphemeralKey,
    password: &Password,
) -> Result<idp::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, AuthError> {
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
    with_secret_hash(configured, &mut responses, &username)?;
    respond(
        configured,
        pending,
        ChallengeNameType::PasswordVerifier,
        responses,
    )
    .await
}

async fn respond(
    configured: &Configured,
    pending: &PendingSignIn,
    challenge: ChallengeNameType,
    responses: HashMap<String, String>,
) -> Result<idp::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, AuthError> {
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

/// Turns an open challenge into a next step and keeps it for `confirm_sign_in`.
fn next_step(
    configured: &Configured,
    mut pending: PendingSignIn,
    params: &HashMap<String, String>,
) -> Result<SignInResult, AuthError> {
    if let Some(username) = params.get("USERNAME") {
        pending.challenge_username = username.clone();
    }
    let step = step_for_challenge(&pending.challenge, params)?;
    configured.sign_in.set_pending(pending);
    Ok(SignInResult::step(step))
}

async fn confirm(
    configured: &Arc<Configured>,
    value: ChallengeResponse,
    user_attributes: BTreeMap<String, String>,
    client_metadata: HashMap<String, String>,
) -> Result<SignInResult, AuthError> {
    let Some(mut pending) = configured.sign_in.take_pending() else {
        return Err(AuthError::InvalidState(
            InvalidStateReason::NoPendingChallenge,
        ));
    };
    if !client_metadata.is_empty() {
        pending.client_metadata = client_metadata;
    }
    let username = pending.challenge_username.clone();
    let mut responses = HashMap::from([("USERNAME".to_owned(), username.clone())]);
    let challenge = pending.challenge.clone();
    match &challenge {
        ChallengeNameType::SmsMfa => {
            responses.insert("SMS_MFA_CODE".into(), value.expose_secret().to_owned());
        }
        ChallengeNameType::NewPasswordRequired => {
            responses.insert("NEW_PASSWORD".into(), value.expose_secret().to_owned());
            for (name, v) in user_attributes {
                responses.insert(format!("userAttributes.{name}"), v);
            }
        }
        ChallengeNameType::CustomChallenge => {
            responses.insert("ANSWER".into(), value.expose_secret().to_owned());
        }
        other => return Err(AuthError::unsupported_challenge(other.as_str())),
    }
    with_secret_hash(configured, &mut responses, &username)?;
    let out = match respond(configured, &pending, challenge, responses).await {
        Ok(out) => out,
        Err(e) => {
            if keeps_challenge_open(&e) {
                tracing::debug!(code = e.code(), "the challenge stays open for another try");
                configured.sign_in.set_pending(pending);
            }
            return Err(e);
        }
    };
    pending.session = out.session().map(str::to_owned);
    pending.challenge = out
        .challenge_name()
        .cloned()
        .unwrap_or_else(|| ChallengeNameType::from("NONE"));
    if let Some(result) = out.authentication_result() {
        return complete(configured, &pending, result).await;
    }
    let params = out.challenge_parameters().cloned().unwrap_or_default();
    next_step(configured, pending, &params)
}

/// Stores the tokens, publishes `SignedIn`, and clears any previous identity-pool identity.
async fn complete(
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
    configured
        .manager
        .hub
        .auth()
        .publish(AuthHubEvent::SignedIn(user));
    Ok(SignInResult::step(SignInStep::Done))
}
