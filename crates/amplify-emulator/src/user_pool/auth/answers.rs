//! The answers to each challenge the engine asks: the rows of `RESPONDERS`.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn answer_password_verifier(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let srp = session
        .srp
        .take()
        .ok_or_else(CognitoError::bad_credentials)?;
    let pool = st.pool_mut(&session.pool_id)?;
    let user = pool.user(&session.user_key)?;
    let timestamp = param(r, "TIMESTAMP")?;
    let proof_ok = match verify_proof(
        ctx,
        pool,
        user,
        &srp,
        timestamp,
        param(r, "PASSWORD_CLAIM_SIGNATURE")?,
    ) {
        Ok(()) => true,
        Err(reason) => {
            tracing::debug!(reason, "PASSWORD_VERIFIER refused");
            false
        }
    };
    // A failed proof is a failed password attempt (the lockout also covers custom auth that
    // asks PASSWORD_VERIFIER: "unless they also perform password-based authentication").
    let proof_ok = password_attempt(ctx, pool, &session.user_key, proof_ok)?;
    if session.flow == Flow::Custom {
        session.history.push(ChallengeResult {
            challenge_name: "PASSWORD_VERIFIER".to_owned(),
            challenge_result: proof_ok,
            challenge_metadata: None,
        });
        return run_define(ctx, st, session);
    }
    if !proof_ok {
        return Err(CognitoError::bad_credentials());
    }
    run_gates(ctx, st, session)
}

/// Applies the password lockout ([`Lockout`](crate::state::user_pool::Lockout)) to one password check of user `key`:
/// `Password attempts exceeded` while locked out (whatever the password), otherwise the
/// attempt is counted and `correct` returned.
pub(super) fn password_attempt(
    ctx: &Ctx<'_>,
    pool: &mut crate::state::user_pool::Pool,
    key: &str,
    correct: bool,
) -> Result<bool, CognitoError> {
    let lockout = &mut pool.user_mut(key)?.lockout;
    lockout.check(ctx.now)?;
    lockout.record(ctx.now, correct);
    Ok(correct)
}

pub(super) fn verify_proof(
    ctx: &Ctx<'_>,
    pool: &crate::state::user_pool::Pool,
    user: &crate::state::user_pool::User,
    srp: &PendingSrp,
    timestamp: &str,
    signature: &str,
) -> Result<(), &'static str> {
    let when =
        parse_srp_timestamp(timestamp).ok_or("TIMESTAMP is not 'EEE MMM d HH:mm:ss UTC yyyy'")?;
    if (when - ctx.now).abs() > TIMESTAMP_TOLERANCE_SECS {
        return Err("TIMESTAMP is too far from the emulator's clock");
    }
    let claimed = b64_decode_lenient(signature).ok_or("PASSWORD_CLAIM_SIGNATURE is not base64")?;
    let key = srp
        .ephemeral
        .session_key(&srp.client_a, &user.verifier)
        .map_err(|_| "SRP_A is not acceptable")?;
    let expected = srp::signature(
        &key,
        &pool.name,
        &user.username,
        &srp.secret_block_bytes,
        timestamp,
    );
    if srp::signature_matches(&expected, &claimed) {
        Ok(())
    } else {
        Err("the signature does not match (wrong password or forged proof)")
    }
}

pub(super) fn answer_new_password(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let password = param(r, "NEW_PASSWORD")?;
    let attributes: Vec<(String, String)> = r
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("userAttributes.")
                .map(|name| (name.to_owned(), v.clone()))
        })
        .collect();
    let pool = st.pool_mut(&session.pool_id)?;
    let check = pool
        .check_password_policy(password)
        .and_then(|()| pool.check_attributes(&attributes, false))
        .and_then(|()| {
            let user = pool.user(&session.user_key)?;
            for required in &pool.settings.required_attributes {
                let present = user.attributes.contains_key(required)
                    || attributes
                        .iter()
                        .any(|(n, v)| n == required && !v.is_empty());
                if !present {
                    return Err(CognitoError::invalid_parameter(format!(
                        "Invalid attributes given, {required} is missing"
                    )));
                }
            }
            Ok(())
        });
    if let Err(e) = check {
        restore(st, session);
        return Err(e);
    }
    apply_attribute_updates(ctx, pool, &session.user_key, &attributes, false)?;
    pool.set_password(ctx, &session.user_key, password)?;
    let user = pool.user_mut(&session.user_key)?;
    user.status = UserStatus::Confirmed;
    user.temporary_password_expires = None;
    session.new_password_done = true;
    run_gates(ctx, st, session)
}

pub(super) fn answer_custom_challenge(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let answer = param(r, "ANSWER")?;
    let pool = st.pool(&session.pool_id)?;
    let triggers = pool.triggers.clone().ok_or_else(|| {
        CognitoError::invalid_parameter(
            "Custom auth lambda trigger is not configured for the user pool.",
        )
    })?;
    let user = pool.user(&session.user_key)?;
    let event = VerifyAuthChallenge {
        user_pool_id: pool.id.clone(),
        username: user.username.clone(),
        user_attributes: user.all_attributes(),
        private_challenge_parameters: session.private_parameters.clone(),
        challenge_answer: answer.to_owned(),
        client_metadata: session.client_metadata.clone(),
    };
    let correct = triggers
        .get()
        .verify_auth_challenge(&event)
        .map_err(lambda_error("VerifyAuthChallengeResponse"))?;
    session.history.push(ChallengeResult {
        challenge_name: "CUSTOM_CHALLENGE".to_owned(),
        challenge_result: correct,
        challenge_metadata: session.challenge_metadata.take(),
    });
    session.private_parameters.clear();
    run_define(ctx, st, session)
}
