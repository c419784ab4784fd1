//! Sign-in: the InitiateAuth / RespondToAuthChallenge loop behind Amplify's next-step model.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, PoisonError};

use amplify_core::hub::{AuthHubEvent, AuthUser};
use amplify_core::time::TimeSource;
use aws_sdk_cognitoidentityprovider as idp;
use idp::types::{AuthFlowType as SdkFlow, AuthenticationResultType, ChallengeNameType};
use tracing::Instrument;

use crate::AuthError;
use crate::error::ServiceErrorKind;
use crate::plugin::{CognitoAuthPlugin, Configured, prepare_key_in_background};
use crate::sdk::{self, IDP};
use crate::session::{Session, UserPoolSession, no_user_pool};
use crate::srp::{self, EphemeralKey, PasswordVerifierChallenge};
use crate::tokens::{Jwt, Password, RefreshToken, UserPoolTokens};
use crate::types::{AuthFlowType, CodeDeliveryDetails, SignInDetails, SignInResult, SignInStep};

/// A challenge waiting for `confirm_sign_in`.
pub(crate) struct PendingSignIn {
    username: String,
    challenge_username: String,
    flow: AuthFlowType,
    session: Option<String>,
    challenge: ChallengeNameType,
    client_metadata: HashMap<String, String>,
}

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
    value: Option<String>,
    user_attributes: BTreeMap<String, String>,
    client_metadata: HashMap<String, String>,
}

impl ConfirmSignInBuilder {
    /// The answer: the MFA code, the new password, or the custom challenge answer.
    pub fn challenge_response(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
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
    /// [`AuthError::InvalidState`] when no sign-in waits for an answer; service errors such as
    /// `CodeMismatch` (the challenge stays open: call again with the right code).
    pub async fn send(self) -> Result<SignInResult, AuthError> {
        let configured = self.plugin.configured()?;
        let value = self
            .value
            .ok_or_else(|| AuthError::validation("challenge_response", "is required"))?;
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
        return Err(AuthError::InvalidState(
            "a user is already signed in; you must first call sign_out".into(),
        ));
    }
    let username = username
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| AuthError::validation("username", "is required"))?;
    let needs_password = !matches!(flow, AuthFlowType::CustomAuthWithoutSrp);
    if needs_password
        && password
            .as_ref()
            .is_none_or(|p| p.expose_secret().is_empty())
    {
        return Err(AuthError::validation(
            "password",
            "is required for this flow",
        ));
    }
    let (client, pool) = manager.user_pool()?;
    // A new sign-in supersedes any challenge left open.
    configured
        .pending
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();

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
            let key = take_key(configured)?;
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
            return Err(AuthError::validation(
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
        let key = srp_key
            .ok_or_else(|| AuthError::UnexpectedResponse("PASSWORD_VERIFIER without SRP".into()))?;
        let password =
            password.ok_or_else(|| AuthError::validation("password", "is required for SRP"))?;
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

fn take_key(configured: &Arc<Configured>) -> Result<EphemeralKey, AuthError> {
    let prepared = configured
        .prepared_key
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    let key = match prepared {
        Some(key) => key,
        None => EphemeralKey::generate()?,
    };
    prepare_key_in_background(configured);
    Ok(key)
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
        params.get(name).map(String::as_str).ok_or_else(|| {
            AuthError::UnexpectedResponse(format!("PASSWORD_VERIFIER without {name}"))
        })
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
    let step = match &pending.challenge {
        ChallengeNameType::SmsMfa => {
            SignInStep::ConfirmSignInWithSmsMfaCode(CodeDeliveryDetails::new(
                params.get("CODE_DELIVERY_DESTINATION").map(String::as_str),
                params
                    .get("CODE_DELIVERY_DELIVERY_MEDIUM")
                    .map(String::as_str)
                    .or(Some("SMS")),
                Some("phone_number"),
            ))
        }
        ChallengeNameType::NewPasswordRequired => SignInStep::ConfirmSignInWithNewPassword {
            missing_attributes: parse_list(params.get("requiredAttributes").map(String::as_str))
                .into_iter()
                .map(|a| {
                    a.strip_prefix("userAttributes.")
                        .map(str::to_owned)
                        .unwrap_or(a)
                })
                .collect(),
        },
        ChallengeNameType::CustomChallenge => SignInStep::ConfirmSignInWithCustomChallenge {
            additional_info: params
                .iter()
                .filter(|(k, _)| k.as_str() != "USERNAME")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        },
        other => {
            return Err(AuthError::UnexpectedResponse(format!(
                "the {} challenge is not supported by this version",
                other.as_str()
            )));
        }
    };
    *configured
        .pending
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(pending);
    Ok(SignInResult::step(step))
}

/// Cognito sends lists as JSON strings (`["a","b"]`); some servers send Python reprs.
fn parse_list(value: Option<&str>) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    if let Ok(list) = serde_json::from_str::<Vec<String>>(value) {
        return list;
    }
    value
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|s| s.trim().trim_matches(|c| c == '\'' || c == '"').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

async fn confirm(
    configured: &Arc<Configured>,
    value: String,
    user_attributes: BTreeMap<String, String>,
    client_metadata: HashMap<String, String>,
) -> Result<SignInResult, AuthError> {
    let Some(mut pending) = configured
        .pending
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    else {
        return Err(AuthError::InvalidState(
            "no sign-in is waiting for an answer; call sign_in first".into(),
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
            responses.insert("SMS_MFA_CODE".into(), value);
        }
        ChallengeNameType::NewPasswordRequired => {
            responses.insert("NEW_PASSWORD".into(), value);
            for (name, v) in user_attributes {
                responses.insert(format!("userAttributes.{name}"), v);
            }
        }
        ChallengeNameType::CustomChallenge => {
            responses.insert("ANSWER".into(), value);
        }
        other => {
            return Err(AuthError::InvalidState(format!(
                "cannot answer the {} challenge",
                other.as_str()
            )));
        }
    }
    with_secret_hash(configured, &mut responses, &username)?;
    let out = match respond(configured, &pending, challenge, responses).await {
        Ok(out) => out,
        Err(e) => {
            if e.service_kind() == Some(ServiceErrorKind::CodeMismatch) {
                // Wrong code: the challenge stays open for another try.
                *configured
                    .pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(pending);
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
    let missing =
        |what: &str| AuthError::UnexpectedResponse(format!("the sign-in result has no {what}"));
    let tokens = UserPoolTokens {
        access_token: Jwt::parse(
            result
                .access_token()
                .ok_or_else(|| missing("access token"))?,
        )?,
        id_token: Jwt::parse(result.id_token().ok_or_else(|| missing("ID token"))?)?,
        refresh_token: RefreshToken::new(
            result
                .refresh_token()
                .ok_or_else(|| missing("refresh token"))?,
        ),
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

#[cfg(test)]
mod tests {
    #[test]
    fn lists_parse_from_json_and_python_reprs() {
        assert_eq!(
            super::parse_list(Some(r#"["userAttributes.email","userAttributes.name"]"#)).len(),
            2
        );
        assert_eq!(
            super::parse_list(Some("['SOFTWARE_TOKEN_MFA']")),
            ["SOFTWARE_TOKEN_MFA"]
        );
        assert!(super::parse_list(Some("[]")).is_empty());
        assert!(super::parse_list(None).is_empty());
    }
}
