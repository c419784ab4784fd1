//! The MFA gate and the answers to the MFA challenges: `SMS_MFA`, `SOFTWARE_TOKEN_MFA`,
//! `EMAIL_OTP` (also the `SMS_OTP` / `EMAIL_OTP` first factors of `USER_AUTH`),
//! `SELECT_MFA_TYPE` and `MFA_SETUP`.
//!
//! Sources: API reference, `RespondToAuthChallenge` / `ChallengeResponseType` (answer names:
//! `SMS_MFA_CODE`, `SOFTWARE_TOKEN_MFA_CODE`, `EMAIL_OTP_CODE`, `SMS_OTP_CODE`, `ANSWER`;
//! `MFA_SETUP` "with the session returned by VerifySoftwareToken"), `InitiateAuth` response
//! `ChallengeName` ("MFA_SETUP: [...] The MFA types activated for the user pool will be listed in
//! the challenge parameters MFAS_CAN_SETUP value"; "SELECT_MFA_TYPE: Selects the MFA type. Valid
//! MFA options are SMS_MFA for SMS message MFA, EMAIL_OTP for email message MFA, and
//! SOFTWARE_TOKEN_MFA for time-based one-time password (TOTP) software token MFA"), and
//! amplify-js v6 (`signInHelpers.ts`: `MFAS_CAN_CHOOSE` / `MFAS_CAN_SETUP` are JSON arrays in a
//! string; email MFA setup answers `MFA_SETUP` with `EMAIL` and then gets `EMAIL_OTP`).

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::outbox::MessageKind;
use crate::util::totp;

/// Wrong codes one sign-in session accepts before it ends (the emulator's SMS MFA limit,
/// applied to every sign-in code: the MFA page says Cognito limits attempts without a number).
const MAX_CODE_ATTEMPTS: u32 = 5;

/// The challenge name of an MFA method.
pub(super) fn mfa_name(method: MfaMethod) -> &'static str {
    match method {
        MfaMethod::Sms => "SMS_MFA",
        MfaMethod::Totp => "SOFTWARE_TOKEN_MFA",
        MfaMethod::Email => "EMAIL_OTP",
    }
}

fn parse_mfa_name(name: &str) -> Option<MfaMethod> {
    match name {
        "SMS_MFA" => Some(MfaMethod::Sms),
        "SOFTWARE_TOKEN_MFA" => Some(MfaMethod::Totp),
        // amplify-js answers EMAIL_OTP; the API reference's ChallengeResponseType says EMAIL_MFA.
        "EMAIL_OTP" | "EMAIL_MFA" => Some(MfaMethod::Email),
        _ => None,
    }
}

fn json_list(names: &[&str]) -> String {
    json!(names).to_string()
}

pub(super) fn gate_mfa(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: &mut AuthSession,
) -> Result<Option<(Challenge, Params)>, CognitoError> {
    if session.mfa_done {
        return Ok(None);
    }
    let pool = st.pool(&session.pool_id)?;
    let user = pool.user(&session.user_key)?;
    let allowed = |m: MfaMethod| pool.settings.mfa_methods.contains(&m);
    let has = |attr: &str| user.attributes.contains_key(attr);
    if pool.settings.mfa == MfaConfiguration::Off {
        return Ok(None);
    }
    let mut usable = Vec::new();
    if allowed(MfaMethod::Sms) && user.mfa.sms_enabled && has("phone_number") {
        usable.push(MfaMethod::Sms);
    }
    if allowed(MfaMethod::Totp) && user.mfa.totp_enabled && user.totp.is_some() {
        usable.push(MfaMethod::Totp);
    }
    if allowed(MfaMethod::Email) && user.mfa.email_enabled && has("email") {
        usable.push(MfaMethod::Email);
    }
    let preferred = user.preferred_mfa().and_then(parse_mfa_name);
    if let Some(p) = preferred.filter(|p| usable.contains(p)) {
        usable = vec![p];
    }
    if usable.is_empty() && pool.settings.mfa == MfaConfiguration::On {
        // "To set up SMS or email MFA, collect a phone_number or email attribute for the user.
        // Then restart the authentication flow" (InitiateAuth, MFA_SETUP): with the attribute,
        // a required MFA uses it.
        if allowed(MfaMethod::Sms) && has("phone_number") {
            usable.push(MfaMethod::Sms);
        }
        if allowed(MfaMethod::Email) && has("email") {
            usable.push(MfaMethod::Email);
        }
        if usable.is_empty() {
            let can_setup: Vec<&str> = pool
                .settings
                .mfa_methods
                .iter()
                .map(|m| mfa_name(*m))
                .collect();
            if can_setup.is_empty() {
                return Err(CognitoError::new(
                    ErrorKind::MfaMethodNotFound,
                    "No MFA mechanism registered in the account.",
                ));
            }
            let mut params = Params::new();
            params.insert("MFAS_CAN_SETUP".into(), json_list(&can_setup));
            return Ok(Some((Challenge::MfaSetup, params)));
        }
    }
    match usable.as_slice() {
        [] => Ok(None),
        [one] => issue_mfa(ctx, st, session, *one).map(Some),
        several => {
            let names: Vec<&str> = several.iter().map(|m| mfa_name(*m)).collect();
            let list = json_list(&names);
            session
                .private_parameters
                .insert("MFAS_CAN_CHOOSE".into(), list.clone());
            let mut params = Params::new();
            params.insert("MFAS_CAN_CHOOSE".into(), list);
            Ok(Some((Challenge::SelectMfaType, params)))
        }
    }
}

/// Sends the code (SMS, email) or asks for the authenticator's code (TOTP).
pub(super) fn issue_mfa(
    ctx: &Ctx<'_>,
    st: &UserPools,
    session: &mut AuthSession,
    method: MfaMethod,
) -> Result<(Challenge, Params), CognitoError> {
    match method {
        MfaMethod::Totp => Ok((Challenge::SoftwareTokenMfa, Params::new())),
        MfaMethod::Sms => send_code(ctx, st, session, Challenge::SmsMfa, None),
        MfaMethod::Email => send_code(ctx, st, session, Challenge::EmailOtp, None),
    }
}

/// Sends a sign-in code for `challenge` (SMS_MFA, SMS_OTP: the phone; EMAIL_OTP: the email, or
/// `to`) and returns the challenge with `CODE_DELIVERY_DELIVERY_MEDIUM` / `_DESTINATION`.
pub(super) fn send_code(
    ctx: &Ctx<'_>,
    st: &UserPools,
    session: &mut AuthSession,
    challenge: Challenge,
    to: Option<&str>,
) -> Result<(Challenge, Params), CognitoError> {
    let pool = st.pool(&session.pool_id)?;
    let user = pool.user(&session.user_key)?;
    let (attribute, kind, medium) = match challenge {
        Challenge::SmsMfa => ("phone_number", MessageKind::SmsMfa, "SMS"),
        Challenge::SmsOtp => ("phone_number", MessageKind::SmsOtp, "SMS"),
        _ => ("email", MessageKind::EmailOtp, "EMAIL"),
    };
    let code = ctx.rng.digits(if attribute == "email" { 8 } else { 6 });
    let details = pool
        .send_sign_in_code(ctx, user, attribute, to, kind, &code)
        .ok_or_else(|| {
            CognitoError::invalid_parameter(format!("The user has no {attribute} for the code."))
        })?;
    session.mfa_code = Some((code, ctx.now + pool.settings.mfa_code_validity));
    let mut params = Params::new();
    params.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), medium.into());
    params.insert(
        "CODE_DELIVERY_DESTINATION".into(),
        details
            .get("Destination")
            .and_then(Value::as_str)
            .map_or_else(|| mask_destination(""), str::to_owned),
    );
    Ok((challenge, params))
}

/// A wrong code: counts the attempt, keeps the session for another try (up to
/// [`MAX_CODE_ATTEMPTS`]), and answers `CodeMismatchException`.
fn wrong_code(st: &mut UserPools, mut session: AuthSession, message: &str) -> CognitoError {
    session.attempts += 1;
    if session.attempts >= MAX_CODE_ATTEMPTS {
        return CognitoError::not_authorized("Invalid session for the user.");
    }
    restore(st, session);
    CognitoError::new(ErrorKind::CodeMismatch, message)
}

/// Checks a code sent during this sign-in (SMS_MFA, EMAIL_OTP, SMS_OTP).
fn check_sent_code(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    code: &str,
) -> Result<AuthSession, CognitoError> {
    let Some((expected, expires)) = session.mfa_code.clone() else {
        return Err(CognitoError::not_authorized(
            "Invalid session for the user.",
        ));
    };
    if expires <= ctx.now {
        return Err(CognitoError::new(
            ErrorKind::ExpiredCode,
            "Your code has expired, please sign in again.",
        ));
    }
    if !crate::util::ct_eq(expected.as_bytes(), code.as_bytes()) {
        return Err(wrong_code(
            st,
            session,
            "Invalid code or auth state for the user.",
        ));
    }
    session.mfa_code = None;
    session.mfa_done = true;
    Ok(session)
}

pub(super) fn answer_sms_mfa(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let session = check_sent_code(ctx, st, session, param(r, "SMS_MFA_CODE")?)?;
    run_gates(ctx, st, session)
}

pub(super) fn answer_sms_otp(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let session = check_sent_code(ctx, st, session, param(r, "SMS_OTP_CODE")?)?;
    run_gates(ctx, st, session)
}

pub(super) fn answer_email_otp(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let mut session = check_sent_code(ctx, st, session, param(r, "EMAIL_OTP_CODE")?)?;
    if let Some(email) = session.setup_email.take() {
        // Email MFA set up during sign-in: the address is now the user's, verified, and email
        // MFA is on (amplify-js `handleMFASetupChallenge`, EMAIL branch).
        let user = st.pool_mut(&session.pool_id)?.user_mut(&session.user_key)?;
        user.attributes.insert("email".into(), email);
        user.attributes
            .insert("email_verified".into(), "true".to_owned());
        user.mfa.email_enabled = true;
        if user.preferred_mfa().is_none() {
            user.mfa.email_preferred = true;
        }
        user.modified = ctx.now_f64;
    }
    run_gates(ctx, st, session)
}

pub(super) fn answer_software_token_mfa(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let code = param(r, "SOFTWARE_TOKEN_MFA_CODE")?;
    let now = u64::try_from(ctx.now).unwrap_or(0);
    let user = st.pool_mut(&session.pool_id)?.user_mut(&session.user_key)?;
    let Some(token) = user.totp.as_mut() else {
        return Err(CognitoError::new(
            ErrorKind::SoftwareTokenMfaNotFound,
            "Software Token MFA does not exist for the user.",
        ));
    };
    match totp::matching_step(&token.secret, code, now) {
        // A code of a step at or before the last accepted one is a replay (RFC 6238 §5.2). AWS
        // documents no distinct error for it; it is refused like any wrong code.
        Some(step) if token.last_step.is_none_or(|last| step > last) => {
            token.last_step = Some(step);
            session.mfa_done = true;
            run_gates(ctx, st, session)
        }
        _ => Err(wrong_code(st, session, "Invalid code received for user")),
    }
}

pub(super) fn answer_select_mfa_type(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let answer = param(r, "ANSWER")?;
    let offered = session
        .private_parameters
        .get("MFAS_CAN_CHOOSE")
        .cloned()
        .unwrap_or_default();
    let offered: Vec<String> = serde_json::from_str(&offered).unwrap_or_default();
    let method = parse_mfa_name(answer).filter(|m| offered.iter().any(|o| o == mfa_name(*m)));
    let Some(method) = method else {
        restore(st, session);
        return Err(CognitoError::invalid_parameter(format!(
            "Invalid ANSWER {answer}: choose one of MFAS_CAN_CHOOSE."
        )));
    };
    session.private_parameters.remove("MFAS_CAN_CHOOSE");
    let (challenge, params) = issue_mfa(ctx, st, &mut session, method)?;
    present(ctx, st, session, challenge, &params)
}

pub(super) fn answer_mfa_setup(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    if session.setup_verified {
        session.mfa_done = true;
        return run_gates(ctx, st, session);
    }
    if let Some(email) = r.get("EMAIL").filter(|e| !e.is_empty()) {
        let pool = st.pool(&session.pool_id)?;
        let check = if pool.settings.mfa_methods.contains(&MfaMethod::Email) {
            pool.check_attributes(&[("email".to_owned(), email.clone())], false)
        } else {
            Err(CognitoError::invalid_parameter(
                "Email MFA is not enabled for the user pool.",
            ))
        };
        if let Err(e) = check {
            restore(st, session);
            return Err(e);
        }
        let (challenge, params) =
            send_code(ctx, st, &mut session, Challenge::EmailOtp, Some(email))?;
        session.setup_email = Some(email.clone());
        return present(ctx, st, session, challenge, &params);
    }
    restore(st, session);
    Err(CognitoError::new(
        ErrorKind::SoftwareTokenMfaNotFound,
        "Software Token MFA has not been verified with this session (AssociateSoftwareToken and VerifySoftwareToken with the Session first), and no EMAIL was given.",
    ))
}
