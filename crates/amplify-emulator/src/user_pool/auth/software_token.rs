//! AssociateSoftwareToken and VerifySoftwareToken: TOTP setup with an access token, or with the
//! session of an `MFA_SETUP` challenge.
//!
//! Sources: API reference `AssociateSoftwareToken` ("You can authorize an
//! AssociateSoftwareToken request with either the user's access token, or a session string from
//! a challenge response"; response `SecretCode`, `Session`), `VerifySoftwareToken` ("The request
//! takes an access token or a session string, but not both"; `UserCode` "Fixed length of 6",
//! pattern `[0-9]+`; response `Status` `SUCCESS`, `Session`), `SoftwareTokenMFANotFoundException`
//! ("the software token TOTP multi-factor authentication (MFA) is not enabled for the user
//! pool"). A wrong code is `EnableSoftwareTokenMFAException` with "Code mismatch and fail enable
//! Software Token MFA" (Cognito's answer quoted in aws-samples/aws-amplify-auth-starters#15) and
//! the setup may be retried (amplify-flutter#4490). Verifying with an access token does not turn
//! TOTP MFA on (amplify-js `verifyTOTPSetup` is followed by `updateMFAPreference`); verifying
//! during `MFA_SETUP` does, since the sign-in then completes with it.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::state::user_pool::SoftwareToken;
use crate::util::totp;

/// Whose token: a signed-in user, or a sign-in waiting at `MFA_SETUP`.
enum Caller {
    Token { pool_id: String, user_key: String },
    Session(Box<AuthSession>),
}

fn caller(ctx: &Ctx<'_>, st: &mut UserPools, input: Input<'_>) -> Result<Caller, CognitoError> {
    let token = input.opt_str("AccessToken")?.filter(|t| !t.is_empty());
    let session = input.opt_str("Session")?.filter(|t| !t.is_empty());
    match (token, session) {
        (Some(token), None) => {
            let checked = tokens::check_access_token(ctx, st, token)?;
            Ok(Caller::Token {
                pool_id: checked.pool_id,
                user_key: checked.user_key,
            })
        }
        (None, Some(id)) => {
            let invalid = || CognitoError::not_authorized("Invalid session for the user.");
            let session = st.sessions.remove(id).ok_or_else(invalid)?;
            if session.expires <= ctx.now || session.challenge != Challenge::MfaSetup {
                return Err(invalid());
            }
            Ok(Caller::Session(Box::new(session)))
        }
        _ => Err(CognitoError::invalid_parameter(
            "Either AccessToken or Session must be given, but not both.",
        )),
    }
}

fn require_totp_pool(st: &UserPools, pool_id: &str) -> Result<(), CognitoError> {
    if st
        .pool(pool_id)?
        .settings
        .mfa_methods
        .contains(&MfaMethod::Totp)
    {
        Ok(())
    } else {
        Err(CognitoError::new(
            ErrorKind::SoftwareTokenMfaNotFound,
            "Software Token MFA is not enabled for the user pool.",
        ))
    }
}

/// Puts an MFA_SETUP session back under a fresh id (each answer gets a new `Session`).
fn renew(ctx: &Ctx<'_>, st: &mut UserPools, session: AuthSession) -> Result<String, CognitoError> {
    let answer = present(ctx, st, session, Challenge::MfaSetup, &Params::new())?;
    Ok(answer
        .get("Session")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

pub(in crate::user_pool) fn associate_software_token(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let st = &mut st.user_pools;
    let caller = caller(ctx, st, input)?;
    let (pool_id, user_key) = match &caller {
        Caller::Token { pool_id, user_key } => (pool_id.clone(), user_key.clone()),
        Caller::Session(s) => (s.pool_id.clone(), s.user_key.clone()),
    };
    if let Err(e) = require_totp_pool(st, &pool_id) {
        if let Caller::Session(s) = caller {
            restore(st, *s);
        }
        return Err(e);
    }
    let secret = ctx.rng.vec(32);
    let secret_code = totp::base32_encode(&secret);
    st.pool_mut(&pool_id)?.user_mut(&user_key)?.totp_pending = Some(secret);
    match caller {
        Caller::Token { .. } => Ok(json!({ "SecretCode": secret_code })),
        Caller::Session(session) => {
            let id = renew(ctx, st, *session)?;
            Ok(json!({ "SecretCode": secret_code, "Session": id }))
        }
    }
}

pub(in crate::user_pool) fn verify_software_token(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let st = &mut st.user_pools;
    let code = input.str("UserCode")?;
    // Accepted and not kept: no Cognito answer returns it.
    input.opt_str("FriendlyDeviceName")?;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and have length 6",
        ));
    }
    let caller = caller(ctx, st, input)?;
    let (pool_id, user_key) = match &caller {
        Caller::Token { pool_id, user_key } => (pool_id.clone(), user_key.clone()),
        Caller::Session(s) => (s.pool_id.clone(), s.user_key.clone()),
    };
    let now = u64::try_from(ctx.now).unwrap_or(0);
    let user = st.pool_mut(&pool_id)?.user_mut(&user_key)?;
    let outcome = match user.totp_pending.clone() {
        None => Err(CognitoError::new(
            ErrorKind::SoftwareTokenMfaNotFound,
            "Software Token MFA does not exist for the user: call AssociateSoftwareToken first.",
        )),
        Some(secret) => match totp::matching_step(&secret, code, now) {
            None => Err(CognitoError::new(
                ErrorKind::EnableSoftwareTokenMfa,
                "Code mismatch and fail enable Software Token MFA",
            )),
            Some(step) => {
                user.totp = Some(SoftwareToken {
                    secret,
                    last_step: Some(step),
                });
                user.totp_pending = None;
                user.modified = ctx.now_f64;
                Ok(())
            }
        },
    };
    match (caller, outcome) {
        (Caller::Token { .. }, Ok(())) => Ok(json!({ "Status": "SUCCESS" })),
        (Caller::Token { .. }, Err(e)) => Err(e),
        (Caller::Session(session), Err(e)) => {
            restore(st, *session);
            Err(e)
        }
        (Caller::Session(mut session), Ok(())) => {
            let user = st.pool_mut(&pool_id)?.user_mut(&user_key)?;
            user.mfa.totp_enabled = true;
            if user.preferred_mfa().is_none() {
                user.mfa.totp_preferred = true;
            }
            session.setup_verified = true;
            let id = renew(ctx, st, *session)?;
            Ok(json!({ "Status": "SUCCESS", "Session": id }))
        }
    }
}
