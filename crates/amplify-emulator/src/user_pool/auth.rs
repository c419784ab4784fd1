//! Sign-in: InitiateAuth / RespondToAuthChallenge and the table-driven challenge engine, plus
//! refresh (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken) and RevokeToken.
//!
//! A sign-in is an [`AuthSession`] that moves through:
//!
//! 1. a first factor chosen by the flow (SRP `PASSWORD_VERIFIER`, a password, or the custom auth
//!    triggers);
//! 2. the [`GATES`], in order, each of which may stop at a challenge (status checks,
//!    `NEW_PASSWORD_REQUIRED`, MFA);
//! 3. tokens.
//!
//! Answers are dispatched through [`RESPONDERS`]; new challenges (TOTP, email OTP, MFA setup and
//! selection, device SRP) are a new row in each table.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::signup::{Target, require_flow, target};
use super::tokens::{self, Origin, RefreshGrant};
use super::{CodePurpose, UserPools, UserStatus, apply_attribute_updates};
use crate::context::Ctx;
use crate::error::{CognitoError, ErrorKind};
use crate::protocol::Input;
use crate::spec::{AuthFlow, MfaConfiguration, MfaMethod};
use crate::srp::{self, ServerEphemeral};
use crate::state::State;
use crate::state::user_pool::{AuthSession, Challenge, Flow, PendingSrp};
use crate::timefmt::parse_srp_timestamp;
use crate::triggers::{
    ChallengeResult, CreateAuthChallenge, DefineAuthChallenge, TriggerError, VerifyAuthChallenge,
};
use crate::util::{b64, b64_decode_lenient, mask_destination, unhex};

mod answers;
mod device;
mod mfa;
mod software_token;
mod user_auth;

use self::user_auth::{answer_select_challenge, start_user_auth, start_with_sign_up_session};

pub(super) use self::software_token::{associate_software_token, verify_software_token};

use self::answers::*;
use self::device::*;
use self::mfa::*;

pub(super) use self::device::{check_refresh_device, device_not_found};
use super::refresh::{check_refresh_token, refuse_refresh_flow_with_rotation};

/// How far an SRP `TIMESTAMP` may be from the emulator's clock.
const TIMESTAMP_TOLERANCE_SECS: i64 = 300;

impl Challenge {
    const ALL: [Challenge; 12] = [
        Challenge::PasswordVerifier,
        Challenge::NewPasswordRequired,
        Challenge::SmsMfa,
        Challenge::CustomChallenge,
        Challenge::SoftwareTokenMfa,
        Challenge::EmailOtp,
        Challenge::SmsOtp,
        Challenge::SelectMfaType,
        Challenge::MfaSetup,
        Challenge::SelectChallenge,
        Challenge::DeviceSrpAuth,
        Challenge::DevicePasswordVerifier,
    ];

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Challenge names Cognito knows that this emulator does not ask yet.
const NOT_YET_SUPPORTED: &[&str] = &["ADMIN_NO_SRP_AUTH", "PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"];

impl AuthSession {
    fn new(
        target: &Target,
        user_key: String,
        flow: Flow,
        client_metadata: BTreeMap<String, String>,
    ) -> Self {
        Self {
            id: String::new(),
            pool_id: target.pool_id.clone(),
            client_id: target.client.id.clone(),
            user_key,
            flow,
            challenge: Challenge::PasswordVerifier,
            expires: 0,
            history: Vec::new(),
            srp: None,
            private_parameters: BTreeMap::new(),
            challenge_metadata: None,
            new_password_done: false,
            mfa_done: false,
            mfa_code: None,
            attempts: 0,
            client_metadata,
            setup_verified: false,
            setup_email: None,
            device_key: None,
            device_done: false,
        }
    }

    /// Keeps the first `DEVICE_KEY` of InitiateAuth's `AuthParameters` or of an answer.
    fn note_device(&mut self, params: &Params) {
        if self.device_key.is_none()
            && let Some(key) = params.get("DEVICE_KEY").filter(|k| !k.is_empty())
        {
            self.device_key = Some(key.clone());
        }
    }
}

type Params = BTreeMap<String, String>;

/// A check after the first factor that may stop the sign-in at a challenge.
type Gate = fn(
    &Ctx<'_>,
    &mut UserPools,
    &mut AuthSession,
) -> Result<Option<(Challenge, Params)>, CognitoError>;

/// The gates every non-custom sign-in passes after its first factor, in order.
const GATES: &[Gate] = &[gate_status, gate_new_password, gate_device, gate_mfa];

/// Handles an answer to a challenge.
type Responder = fn(&Ctx<'_>, &mut UserPools, AuthSession, &Params) -> Result<Value, CognitoError>;

/// Who answers which challenge.
const RESPONDERS: &[(Challenge, Responder)] = &[
    (Challenge::PasswordVerifier, answer_password_verifier),
    (Challenge::NewPasswordRequired, answer_new_password),
    (Challenge::SmsMfa, answer_sms_mfa),
    (Challenge::CustomChallenge, answer_custom_challenge),
    (Challenge::SoftwareTokenMfa, answer_software_token_mfa),
    (Challenge::EmailOtp, answer_email_otp),
    (Challenge::SmsOtp, answer_sms_otp),
    (Challenge::SelectMfaType, answer_select_mfa_type),
    (Challenge::MfaSetup, answer_mfa_setup),
    (Challenge::SelectChallenge, answer_select_challenge),
    (Challenge::DeviceSrpAuth, answer_device_srp_auth),
    (
        Challenge::DevicePasswordVerifier,
        answer_device_password_verifier,
    ),
];

fn param<'a>(params: &'a Params, name: &str) -> Result<&'a str, CognitoError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
        })
}

/// Resolves the user signing in (hiding unknown users when the client asks for it).
fn sign_in_user(st: &UserPools, target: &Target, username: &str) -> Result<String, CognitoError> {
    let pool = st.pool(&target.pool_id)?;
    match pool.find_user_key(username) {
        Some(key) => Ok(key),
        None if target.client.prevent_user_existence_errors => Err(CognitoError::bad_credentials()),
        None => Err(CognitoError::user_not_found()),
    }
}

fn check_secret(
    st: &UserPools,
    target: &Target,
    key: &str,
    provided: Option<&str>,
    sent_name: &str,
) -> Result<(), CognitoError> {
    let user = st.pool(&target.pool_id)?.user(key)?;
    target
        .client
        .check_secret_hash(provided, &[sent_name, &user.username])
}

pub(super) fn initiate_auth(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let flow = input.str("AuthFlow")?;
    let params = input.str_map("AuthParameters")?;
    let client_metadata = input.str_map("ClientMetadata")?;
    input.opt_struct("AnalyticsMetadata")?;
    input.opt_struct("UserContextData")?;
    if let Some(session) = sign_up_session(input, flow)? {
        return start_with_sign_up_session(ctx, &mut st.user_pools, &target, &params, session);
    }
    start(
        ctx,
        &mut st.user_pools,
        &target,
        flow,
        &params,
        client_metadata,
        false,
    )
}

/// The `Session` of `ConfirmSignUp` that a `USER_AUTH` sign-in may carry.
fn sign_up_session<'a>(input: Input<'a>, flow: &str) -> Result<Option<&'a str>, CognitoError> {
    let session = input.opt_str("Session")?.filter(|s| !s.is_empty());
    Ok(session.filter(|_| flow == "USER_AUTH"))
}

pub(super) fn admin_initiate_auth(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let pool_id = input.str("UserPoolId")?;
    let target = target(st, input)?;
    if target.pool_id != pool_id {
        return Err(CognitoError::resource_not_found(format!(
            "User pool client {} does not exist.",
            target.client.id
        )));
    }
    let flow = input.str("AuthFlow")?;
    let params = input.str_map("AuthParameters")?;
    let client_metadata = input.str_map("ClientMetadata")?;
    input.opt_struct("AnalyticsMetadata")?;
    input.opt_struct("ContextData")?;
    if let Some(session) = sign_up_session(input, flow)? {
        return start_with_sign_up_session(ctx, &mut st.user_pools, &target, &params, session);
    }
    start(
        ctx,
        &mut st.user_pools,
        &target,
        flow,
        &params,
        client_metadata,
        true,
    )
}

fn start(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    target: &Target,
    flow: &str,
    params: &Params,
    client_metadata: BTreeMap<String, String>,
    admin: bool,
) -> Result<Value, CognitoError> {
    match flow {
        "USER_SRP_AUTH" => {
            require_flow(target, AuthFlow::UserSrp, flow)?;
            let username = param(params, "USERNAME")?;
            let srp_a = param(params, "SRP_A")?;
            let key = sign_in_user(st, target, username)?;
            check_secret(
                st,
                target,
                &key,
                params.get("SECRET_HASH").map(String::as_str),
                username,
            )?;
            let mut session = AuthSession::new(target, key, Flow::UserSrp, client_metadata);
            session.note_device(params);
            session.srp = Some(start_srp(ctx, st, &session, srp_a)?);
            let challenge_params = srp_parameters(st, &session)?;
            present(
                ctx,
                st,
                session,
                Challenge::PasswordVerifier,
                &challenge_params,
            )
        }
        "USER_PASSWORD_AUTH" | "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            if flow.starts_with("ADMIN_") {
                if !admin {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{flow} is only allowed through AdminInitiateAuth"
                    )));
                }
                require_flow(target, AuthFlow::AdminUserPassword, flow)?;
            } else {
                require_flow(target, AuthFlow::UserPassword, flow)?;
            }
            let username = param(params, "USERNAME")?;
            let password = param(params, "PASSWORD")?;
            let key = sign_in_user(st, target, username)?;
            check_secret(
                st,
                target,
                &key,
                params.get("SECRET_HASH").map(String::as_str),
                username,
            )?;
            let pool = st.pool_mut(&target.pool_id)?;
            let correct = pool.password_matches(pool.user(&key)?, password);
            if !password_attempt(ctx, pool, &key, correct)? {
                return Err(CognitoError::bad_credentials());
            }
            let mut session = AuthSession::new(target, key, Flow::UserPassword, client_metadata);
            session.note_device(params);
            run_gates(ctx, st, session)
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            refuse_refresh_flow_with_rotation(target, flow)?;
            require_flow(target, AuthFlow::RefreshToken, flow)?;
            let token = param(params, "REFRESH_TOKEN")?;
            let checked = check_refresh_token(ctx, st, target, token)?;
            let (family, key) = (checked.family, checked.user_key);
            let device = params.get("DEVICE_KEY").map(String::as_str);
            check_refresh_device(st, &target.pool_id, &key, device)?;
            let sent_name = params
                .get("USERNAME")
                .map(String::as_str)
                .unwrap_or_default();
            check_secret(
                st,
                target,
                &key,
                params.get("SECRET_HASH").map(String::as_str),
                sent_name,
            )?;
            let result = tokens::issue(
                ctx,
                st,
                &target.pool_id,
                &target.client.id,
                &key,
                Origin::Refresh(family),
                RefreshGrant::None,
            )?;
            Ok(json!({ "AuthenticationResult": result, "ChallengeParameters": {} }))
        }
        "CUSTOM_AUTH" => {
            require_flow(target, AuthFlow::Custom, flow)?;
            let username = param(params, "USERNAME")?;
            let key = sign_in_user(st, target, username)?;
            check_secret(
                st,
                target,
                &key,
                params.get("SECRET_HASH").map(String::as_str),
                username,
            )?;
            if st.pool(&target.pool_id)?.triggers.is_none() {
                return Err(CognitoError::invalid_parameter(
                    "Custom auth lambda trigger is not configured for the user pool.",
                ));
            }
            let mut session = AuthSession::new(target, key, Flow::Custom, client_metadata);
            session.note_device(params);
            if let Some(srp_a) = params.get("SRP_A") {
                session.srp = Some(start_srp(ctx, st, &session, srp_a)?);
                session.history.push(ChallengeResult {
                    challenge_name: "SRP_A".to_owned(),
                    challenge_result: true,
                    challenge_metadata: None,
                });
            }
            run_define(ctx, st, session)
        }
        "USER_AUTH" => start_user_auth(ctx, st, target, params, client_metadata),
        other => Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{other}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
        ))),
    }
}

fn start_srp(
    ctx: &Ctx<'_>,
    st: &UserPools,
    session: &AuthSession,
    srp_a: &str,
) -> Result<PendingSrp, CognitoError> {
    let client_a = unhex(srp_a)
        .filter(|a| a.iter().skip_while(|b| **b == 0).count() <= srp::N_BYTES)
        .ok_or_else(|| {
            CognitoError::invalid_parameter("SRP_A is not a valid hexadecimal number.")
        })?;
    let user = st.pool(&session.pool_id)?.user(&session.user_key)?;
    let ephemeral = ServerEphemeral::new(&user.verifier, ctx.rng.bytes())
        .map_err(|_| CognitoError::internal("SRP group unavailable"))?;
    let secret_block_bytes = ctx.rng.vec(256);
    Ok(PendingSrp {
        ephemeral,
        client_a,
        secret_block: b64(&secret_block_bytes),
        secret_block_bytes,
    })
}

fn srp_parameters(st: &UserPools, session: &AuthSession) -> Result<Params, CognitoError> {
    let srp = session.srp.as_ref().ok_or_else(|| {
        CognitoError::new(
            ErrorKind::InvalidLambdaResponse,
            "PASSWORD_VERIFIER needs SRP_A in InitiateAuth.",
        )
    })?;
    let user = st.pool(&session.pool_id)?.user(&session.user_key)?;
    let mut params = Params::new();
    params.insert("SALT".into(), srp::to_hex(&user.salt));
    params.insert("SECRET_BLOCK".into(), srp.secret_block.clone());
    params.insert("SRP_B".into(), srp::to_hex(srp.ephemeral.public()));
    params.insert("USERNAME".into(), user.username.clone());
    params.insert("USER_ID_FOR_SRP".into(), user.username.clone());
    Ok(params)
}

/// Stores the session under a fresh id and answers with the challenge.
fn present(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    challenge: Challenge,
    params: &Params,
) -> Result<Value, CognitoError> {
    let validity = st
        .pool(&session.pool_id)?
        .client(&session.client_id)?
        .auth_session_validity;
    session.challenge = challenge;
    session.expires = ctx.now + validity;
    session.attempts = 0;
    session.id = ctx.rng.token(144);
    if st.sessions.len() >= SESSION_PRUNE_THRESHOLD {
        prune_expired(st, ctx.now);
    }
    if challenge == Challenge::PasswordVerifier
        && let Some(srp) = &session.srp
    {
        st.secret_blocks
            .insert(srp.secret_block.clone(), session.id.clone());
    }
    let id = session.id.clone();
    st.sessions.insert(id.clone(), session);
    Ok(json!({
        "ChallengeName": challenge.as_str(),
        "ChallengeParameters": params,
        "Session": id,
    }))
}

/// Above this many pending sign-ins, expired ones are dropped.
const SESSION_PRUNE_THRESHOLD: usize = 4096;

/// Drops expired sessions (and their pending SRP secret blocks).
fn prune_expired(st: &mut UserPools, now: i64) {
    st.sessions.retain(|_, s| s.expires > now);
    let sessions = &st.sessions;
    st.secret_blocks.retain(|_, id| sessions.contains_key(id));
}

/// Puts a session back after a recoverable mistake (a wrong MFA code, a weak new password).
fn restore(st: &mut UserPools, session: AuthSession) {
    st.sessions.insert(session.id.clone(), session);
}

fn run_gates(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
) -> Result<Value, CognitoError> {
    for gate in GATES {
        if let Some((challenge, params)) = gate(ctx, st, &mut session)? {
            return present(ctx, st, session, challenge, &params);
        }
    }
    finish(ctx, st, &session)
}

fn finish(ctx: &Ctx<'_>, st: &mut UserPools, session: &AuthSession) -> Result<Value, CognitoError> {
    let mut result = tokens::issue(
        ctx,
        st,
        &session.pool_id,
        &session.client_id,
        &session.user_key,
        Origin::SignIn,
        RefreshGrant::Fresh,
    )?;
    if let Some(metadata) = new_device_metadata(ctx, st, session)?
        && let Value::Object(map) = &mut result
    {
        map.insert("NewDeviceMetadata".into(), metadata);
    }
    Ok(json!({ "AuthenticationResult": result, "ChallengeParameters": {} }))
}

fn gate_status(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: &mut AuthSession,
) -> Result<Option<(Challenge, Params)>, CognitoError> {
    let user = st.pool(&session.pool_id)?.user(&session.user_key)?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    match user.status {
        UserStatus::Unconfirmed => Err(CognitoError::new(
            ErrorKind::UserNotConfirmed,
            "User is not confirmed.",
        )),
        UserStatus::ResetRequired => Err(CognitoError::new(
            ErrorKind::PasswordResetRequired,
            "Password reset required for the user",
        )),
        UserStatus::ForceChangePassword
            if user
                .temporary_password_expires
                .is_some_and(|t| t <= ctx.now) =>
        {
            Err(CognitoError::not_authorized(
                "Temporary password has expired and must be reset by an administrator.",
            ))
        }
        UserStatus::ForceChangePassword | UserStatus::Confirmed => Ok(None),
    }
}

fn gate_new_password(
    _ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: &mut AuthSession,
) -> Result<Option<(Challenge, Params)>, CognitoError> {
    let pool = st.pool(&session.pool_id)?;
    let user = pool.user(&session.user_key)?;
    if user.status != UserStatus::ForceChangePassword || session.new_password_done {
        return Ok(None);
    }
    let missing: Vec<String> = pool
        .settings
        .required_attributes
        .iter()
        .filter(|a| !user.attributes.contains_key(a.as_str()))
        .map(|a| format!("userAttributes.{a}"))
        .collect();
    let mut params = Params::new();
    params.insert("USER_ID_FOR_SRP".into(), user.username.clone());
    params.insert("requiredAttributes".into(), json!(missing).to_string());
    params.insert("userAttributes".into(), json!(user.attributes).to_string());
    Ok(Some((Challenge::NewPasswordRequired, params)))
}

fn lambda_error(trigger: &'static str) -> impl Fn(TriggerError) -> CognitoError {
    move |e| {
        CognitoError::new(
            ErrorKind::UserLambdaValidation,
            format!("{trigger} failed with error {}.", e.0),
        )
    }
}

/// Custom auth: asks the define trigger what happens next.
fn run_define(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
) -> Result<Value, CognitoError> {
    if session.history.len() > 50 {
        return Err(CognitoError::not_authorized(
            "Too many challenges in one sign-in.",
        ));
    }
    let pool = st.pool(&session.pool_id)?;
    let triggers = pool.triggers.clone().ok_or_else(|| {
        CognitoError::invalid_parameter(
            "Custom auth lambda trigger is not configured for the user pool.",
        )
    })?;
    let user = pool.user(&session.user_key)?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    if user.status == UserStatus::Unconfirmed {
        return Err(CognitoError::new(
            ErrorKind::UserNotConfirmed,
            "User is not confirmed.",
        ));
    }
    let event = DefineAuthChallenge {
        user_pool_id: pool.id.clone(),
        username: user.username.clone(),
        user_attributes: user.all_attributes(),
        session: session.history.clone(),
        client_metadata: session.client_metadata.clone(),
    };
    let decision = triggers
        .get()
        .define_auth_challenge(&event)
        .map_err(lambda_error("DefineAuthChallenge"))?;
    if decision.fail_authentication {
        return Err(CognitoError::bad_credentials());
    }
    if decision.issue_tokens {
        return finish(ctx, st, &session);
    }
    match decision.challenge_name.as_deref() {
        Some("PASSWORD_VERIFIER") => {
            let answered = session
                .history
                .iter()
                .any(|r| r.challenge_name == "PASSWORD_VERIFIER");
            if answered {
                return Err(CognitoError::new(
                    ErrorKind::InvalidLambdaResponse,
                    "PASSWORD_VERIFIER can only be asked once per sign-in.",
                ));
            }
            let params = srp_parameters(st, &session)?;
            present(ctx, st, session, Challenge::PasswordVerifier, &params)
        }
        Some("CUSTOM_CHALLENGE") => {
            let create = CreateAuthChallenge {
                user_pool_id: event.user_pool_id,
                username: event.username,
                user_attributes: event.user_attributes,
                challenge_name: "CUSTOM_CHALLENGE".to_owned(),
                session: event.session,
                client_metadata: event.client_metadata,
            };
            let created = triggers
                .get()
                .create_auth_challenge(&create)
                .map_err(lambda_error("CreateAuthChallenge"))?;
            let mut params = created.public_challenge_parameters;
            params.insert("USERNAME".into(), create.username);
            session.private_parameters = created.private_challenge_parameters;
            session.challenge_metadata = created.challenge_metadata;
            present(ctx, st, session, Challenge::CustomChallenge, &params)
        }
        _ => Err(CognitoError::new(
            ErrorKind::InvalidLambdaResponse,
            "Unrecognizable lambda output",
        )),
    }
}

pub(super) fn respond_to_auth_challenge(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let name = input.str("ChallengeName")?;
    let session_id = input.opt_str("Session")?;
    let responses = input.str_map("ChallengeResponses")?;
    let client_metadata = input.str_map("ClientMetadata")?;
    input.opt_struct("AnalyticsMetadata")?;
    input.opt_struct("UserContextData")?;
    respond(
        ctx,
        &mut st.user_pools,
        &target,
        name,
        session_id,
        &responses,
        client_metadata,
    )
}

pub(super) fn admin_respond_to_auth_challenge(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let pool_id = input.str("UserPoolId")?;
    let target = target(st, input)?;
    if target.pool_id != pool_id {
        return Err(CognitoError::resource_not_found(format!(
            "User pool client {} does not exist.",
            target.client.id
        )));
    }
    let name = input.str("ChallengeName")?;
    let session_id = input.opt_str("Session")?;
    let responses = input.str_map("ChallengeResponses")?;
    let client_metadata = input.str_map("ClientMetadata")?;
    respond(
        ctx,
        &mut st.user_pools,
        &target,
        name,
        session_id,
        &responses,
        client_metadata,
    )
}

fn respond(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    target: &Target,
    name: &str,
    session_id: Option<&str>,
    responses: &Params,
    client_metadata: BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let Some(challenge) = Challenge::parse(name) else {
        if NOT_YET_SUPPORTED.contains(&name) {
            return Err(CognitoError::invalid_parameter(format!(
                "The challenge {name} is not supported by amplify-emulator yet."
            )));
        }
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{name}' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set: [SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP, PASSWORD_VERIFIER, CUSTOM_CHALLENGE, SELECT_CHALLENGE, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, ADMIN_NO_SRP_AUTH, NEW_PASSWORD_REQUIRED, SMS_OTP, PASSWORD, WEB_AUTHN, PASSWORD_SRP]"
        )));
    };
    let invalid_session =
        || CognitoError::not_authorized("Invalid session for the user, session is expired.");
    let id = if challenge == Challenge::PasswordVerifier {
        let block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
        param(responses, "TIMESTAMP")?;
        let block_digest = crate::util::sha256_parts(&[block.as_bytes()]);
        if st.used_secret_blocks.contains(&block_digest) {
            return Err(CognitoError::not_authorized(
                "Invalid session for the user, session can only be used once.",
            ));
        }
        let id = st.secret_blocks.remove(block).ok_or_else(invalid_session)?;
        st.used_secret_blocks.insert(block_digest);
        if session_id.is_some_and(|s| s != id) {
            st.sessions.remove(&id);
            return Err(CognitoError::not_authorized(
                "Invalid session for the user.",
            ));
        }
        id
    } else {
        session_id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter Session"))?
            .to_owned()
    };
    let mut session = st.sessions.remove(&id).ok_or_else(invalid_session)?;
    if session.expires <= ctx.now {
        return Err(invalid_session());
    }
    if session.client_id != target.client.id || session.challenge != challenge {
        return Err(CognitoError::not_authorized(
            "Invalid session for the user.",
        ));
    }
    let username = param(responses, "USERNAME")?;
    let pool = st.pool(&session.pool_id)?;
    if pool.find_user_key(username).as_deref() != Some(session.user_key.as_str()) {
        return Err(CognitoError::not_authorized(
            "Invalid session for the user.",
        ));
    }
    check_secret(
        st,
        target,
        &session.user_key,
        responses.get("SECRET_HASH").map(String::as_str),
        username,
    )?;
    session.client_metadata = client_metadata;
    session.note_device(responses);
    let responder = RESPONDERS
        .iter()
        .find(|(c, _)| *c == challenge)
        .map(|(_, r)| *r)
        .ok_or_else(|| CognitoError::internal("no responder"))?;
    responder(ctx, st, session, responses)
}

/// Used by attribute verification in `account`.
pub(super) fn attribute_purpose(attribute: &str) -> CodePurpose {
    CodePurpose::Attribute(attribute.to_owned())
}
