//! `USER_AUTH`: choice-based sign-in with a first factor of `PASSWORD`, `PASSWORD_SRP`,
//! `EMAIL_OTP` or `SMS_OTP` (`WEB_AUTHN` is listed when the pool allows it and refused).
//!
//! Sources: API reference `InitiateAuth` (`AuthParameters` for USER_AUTH: `USERNAME`,
//! `PREFERRED_CHALLENGE`; "If you don't provide a value for PREFERRED_CHALLENGE, Amazon Cognito
//! responds with the AvailableChallenges parameter that specifies the available sign-in
//! methods"), `ChallengeResponseType` (`SELECT_CHALLENGE` answered with `ANSWER` plus `PASSWORD`
//! or `SRP_A` for the password factors; for `SMS_OTP` and `EMAIL_OTP` "respond with the username
//! and answer. Your user pool will send a code for the user to submit in the next challenge
//! response"). An OTP first factor is not followed by MFA (developer guide, "choice-based
//! authentication": passwordless sign-in satisfies MFA); a password factor is.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::spec::FirstFactor;
use crate::user_pool::signup::redeem_sign_up_session;

/// The first factors `USER_AUTH` offers this user, by name.
fn available(st: &UserPools, session: &AuthSession) -> Result<Vec<&'static str>, CognitoError> {
    let pool = st.pool(&session.pool_id)?;
    let user = pool.user(&session.user_key)?;
    let mut names = Vec::new();
    for factor in &pool.settings.first_factors {
        match factor {
            // A passwordless user (SignUp without `Password`) has no password factor.
            FirstFactor::Password if !user.passwordless => {
                names.extend(["PASSWORD", "PASSWORD_SRP"]);
            }
            FirstFactor::EmailOtp if user.attributes.contains_key("email") => {
                names.push("EMAIL_OTP");
            }
            FirstFactor::SmsOtp if user.attributes.contains_key("phone_number") => {
                names.push("SMS_OTP");
            }
            FirstFactor::WebAuthn => names.push("WEB_AUTHN"),
            _ => {}
        }
    }
    Ok(names)
}

/// The user a `USER_AUTH` sign-in names (`USERNAME`, `SECRET_HASH`), once the client allows
/// the flow.
fn user_auth_user(
    st: &UserPools,
    target: &Target,
    params: &Params,
) -> Result<String, CognitoError> {
    require_flow(target, AuthFlow::UserAuth, "USER_AUTH")?;
    let username = param(params, "USERNAME")?;
    let key = sign_in_user(st, target, username)?;
    check_secret(
        st,
        target,
        &key,
        params.get("SECRET_HASH").map(String::as_str),
        username,
    )?;
    Ok(key)
}

pub(super) fn start_user_auth(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    target: &Target,
    params: &Params,
    client_metadata: BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let key = user_auth_user(st, target, params)?;
    let mut session = AuthSession::new(target, key, Flow::UserAuth, client_metadata);
    session.note_device(params);
    let offered = available(st, &session)?;
    match params.get("PREFERRED_CHALLENGE").filter(|p| !p.is_empty()) {
        Some(preferred) if offered.contains(&preferred.as_str()) => {
            choose(ctx, st, session, preferred, params)
        }
        _ => {
            let mut answer = present(ctx, st, session, Challenge::SelectChallenge, &Params::new())?;
            if let Value::Object(map) = &mut answer {
                map.insert("AvailableChallenges".into(), json!(offered));
            }
            Ok(answer)
        }
    }
}

/// `USER_AUTH` with `ConfirmSignUp`'s `Session`: the sign-up code was the first factor, so the
/// sign-in goes straight to the gates (no MFA after it, as after an OTP first factor) and
/// normally to tokens. The session is spent whatever the outcome of the gates.
/// See `signup/session.rs` for the sources.
pub(super) fn start_with_sign_up_session(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    target: &Target,
    params: &Params,
    session_id: &str,
) -> Result<Value, CognitoError> {
    let key = user_auth_user(st, target, params)?;
    redeem_sign_up_session(ctx, st, target, &key, session_id)?;
    let mut session = AuthSession::new(target, key, Flow::UserAuth, BTreeMap::new());
    session.note_device(params);
    session.mfa_done = true;
    run_gates(ctx, st, session)
}

/// Starts the chosen first factor (`params` holds its `PASSWORD` or `SRP_A`).
fn choose(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    factor: &str,
    params: &Params,
) -> Result<Value, CognitoError> {
    match factor {
        "PASSWORD" => {
            let password = param(params, "PASSWORD")?;
            let pool = st.pool_mut(&session.pool_id)?;
            let correct = pool.password_matches(pool.user(&session.user_key)?, password);
            if !password_attempt(ctx, pool, &session.user_key, correct)? {
                return Err(CognitoError::bad_credentials());
            }
            run_gates(ctx, st, session)
        }
        "PASSWORD_SRP" => {
            let srp_a = param(params, "SRP_A")?;
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
        "EMAIL_OTP" | "SMS_OTP" => {
            let challenge = if factor == "EMAIL_OTP" {
                Challenge::EmailOtp
            } else {
                Challenge::SmsOtp
            };
            let (challenge, challenge_params) = send_code(ctx, st, &mut session, challenge, None)?;
            present(ctx, st, session, challenge, &challenge_params)
        }
        "WEB_AUTHN" => Err(CognitoError::invalid_parameter(
            "WEB_AUTHN (passkeys) is not supported by amplify-emulator.",
        )),
        other => Err(CognitoError::invalid_parameter(format!(
            "The challenge {other} is not available for the user."
        ))),
    }
}

pub(super) fn answer_select_challenge(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let answer = param(r, "ANSWER")?;
    let offered = available(st, &session)?;
    if !offered.contains(&answer) {
        restore(st, session);
        return Err(CognitoError::invalid_parameter(format!(
            "The challenge {answer} is not one of AvailableChallenges."
        )));
    }
    choose(ctx, st, session, answer, r)
}
