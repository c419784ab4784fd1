//! Passwordless sign-up and the `Session` that carries a sign-up into a `USER_AUTH` sign-in.
//!
//! Sources (API reference and the SDK's generated docs, aws-sdk-cognitoidentityprovider
//! 1.144.0, `operation/{sign_up,confirm_sign_up,initiate_auth}`):
//!
//! * `SignUp` `Password`: "Users can sign up without a password when your user pool supports
//!   passwordless sign-in with email or SMS OTPs. To create a user with no password, omit this
//!   parameter or submit a blank value. You can only create a passwordless user when
//!   passwordless sign-in is available." The developer guide ("Signing up and confirming user
//!   accounts" > "Passwords at sign-up") lists the conditions: passwordless sign-in is active in
//!   the user pool *and app client*; the user provides a value for a permitted OTP attribute
//!   (email for `EMAIL_OTP`, phone for `SMS_OTP`); the pool automatically verifies that
//!   attribute. AWS documents the refusal's code (`InvalidParameterException`, the code of every
//!   `SignUp` input refusal), not its text.
//! * `SignUp` `Session`: "A session Id that you can pass to `ConfirmSignUp` when you want to
//!   immediately sign in your user with the `USER_AUTH` flow after they complete sign-up." It
//!   comes back when the app client allows `USER_AUTH` (aws/aws-sdk-js-v3#6724: `Session` was
//!   null until `ALLOW_USER_AUTH` was enabled on the client).
//! * `ConfirmSignUp` `Session` (request): "The optional session ID from a `SignUp` API request";
//!   (response): "A session identifier that you can use to immediately sign in the confirmed
//!   user [...] pass the `Session` parameter from this response in the `Session` parameter of an
//!   `InitiateAuth` or `AdminInitiateAuth` request."
//! * `InitiateAuth` `Session`: "When you pass the session ID to `InitiateAuth`, Amazon Cognito
//!   assumes the SMS or email message one-time verification password from `ConfirmSignUp` as the
//!   primary authentication factor. [...] This option is only valid for users who have confirmed
//!   their sign-up and are signing in for the first time within the authentication flow session
//!   duration of the session ID." That duration is the app client's `AuthSessionValidity`
//!   (3 to 15 minutes, default 3).
//!
//! Emulator choices where AWS documents nothing: `SignUp`'s session lasts as long as the
//! sign-up code (the pool's code validity), survives a wrong code (amplify-android#3136 retries
//! `ConfirmSignUp` with the same session after a wrong code) and is spent by the confirmation;
//! `ConfirmSignUp` returns a session only when given `SignUp`'s; the confirmation's session signs
//! in once. Refusals are `NotAuthorizedException` with the messages of the challenge sessions:
//! "Invalid session for the user, session is expired." (unknown, expired or spent) and "Invalid
//! session for the user." (another user's or client's, or a sign-up session that was not
//! confirmed yet).

use super::{CognitoError, Ctx, Pool, Target};
use crate::spec::{AuthFlow, FirstFactor};
use crate::state::user_pool::{SignUpSession, SignUpStage, UserPools};

/// Above this many sign-up sessions, expired ones are dropped.
const PRUNE_THRESHOLD: usize = 4096;

fn expired() -> CognitoError {
    CognitoError::not_authorized("Invalid session for the user, session is expired.")
}

fn not_this_user() -> CognitoError {
    CognitoError::not_authorized("Invalid session for the user.")
}

/// Refuses a passwordless sign-up the pool and client do not allow, for the new user `key`
/// (its attributes are final: an email or phone username is among them).
pub(super) fn check_passwordless(
    pool: &Pool,
    target: &Target,
    key: &str,
) -> Result<(), CognitoError> {
    let user = pool.user(key)?;
    let settings = &pool.settings;
    let usable = |factor: FirstFactor, attribute: &str| {
        settings.first_factors.contains(&factor)
            && user.attributes.contains_key(attribute)
            && settings
                .auto_verified_attributes
                .iter()
                .any(|a| a == attribute)
    };
    let pool_allows = settings
        .first_factors
        .iter()
        .any(|f| matches!(f, FirstFactor::EmailOtp | FirstFactor::SmsOtp));
    if !pool_allows || !target.client.allows(AuthFlow::UserAuth) {
        return Err(CognitoError::invalid_parameter(
            "Password is required: passwordless sign-in (EMAIL_OTP or SMS_OTP with USER_AUTH) is not available for this user pool and app client.",
        ));
    }
    if usable(FirstFactor::EmailOtp, "email") || usable(FirstFactor::SmsOtp, "phone_number") {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(
            "Password is required: a passwordless user needs an automatically verified email (EMAIL_OTP) or phone_number (SMS_OTP) the user pool allows for sign-in.",
        ))
    }
}

fn insert(ctx: &Ctx<'_>, st: &mut UserPools, session: SignUpSession) -> String {
    if st.sign_up_sessions.len() >= PRUNE_THRESHOLD {
        let now = ctx.now;
        st.sign_up_sessions.retain(|_, s| s.expires > now);
    }
    let id = ctx.rng.token(144);
    st.sign_up_sessions.insert(id.clone(), session);
    id
}

/// `SignUp`'s `Session`, when the client allows `USER_AUTH`.
pub(super) fn issue(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    target: &Target,
    key: &str,
) -> Result<Option<String>, CognitoError> {
    if !target.client.allows(AuthFlow::UserAuth) {
        return Ok(None);
    }
    let pool = st.pool(&target.pool_id)?;
    let session = SignUpSession {
        pool_id: target.pool_id.clone(),
        client_id: target.client.id.clone(),
        user_key: key.to_owned(),
        sub: pool.user(key)?.sub.clone(),
        stage: SignUpStage::SignedUp,
        expires: ctx.now.saturating_add(pool.settings.code_validity),
    };
    Ok(Some(insert(ctx, st, session)))
}

/// Checks `ConfirmSignUp`'s `Session` (before the code: a refused session spends nothing).
pub(super) fn check_sign_up_session(
    ctx: &Ctx<'_>,
    st: &UserPools,
    target: &Target,
    key: &str,
    id: &str,
) -> Result<(), CognitoError> {
    check(ctx, st, target, key, id, SignUpStage::SignedUp).map(drop)
}

/// After a successful confirmation: spends `SignUp`'s session and returns the one for
/// `InitiateAuth`.
pub(super) fn confirm(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    target: &Target,
    id: &str,
) -> Result<String, CognitoError> {
    let mut session = st.sign_up_sessions.remove(id).ok_or_else(expired)?;
    session.stage = SignUpStage::Confirmed;
    session.expires = ctx.now.saturating_add(target.client.auth_session_validity);
    Ok(insert(ctx, st, session))
}

fn check<'s>(
    ctx: &Ctx<'_>,
    st: &'s UserPools,
    target: &Target,
    key: &str,
    id: &str,
    stage: SignUpStage,
) -> Result<&'s SignUpSession, CognitoError> {
    let session = st.sign_up_sessions.get(id).ok_or_else(expired)?;
    if session.expires <= ctx.now {
        return Err(expired());
    }
    let sub = st
        .pool(&target.pool_id)?
        .users
        .get(key)
        .map(|u| u.sub.as_str());
    if session.stage != stage
        || session.pool_id != target.pool_id
        || session.client_id != target.client.id
        || session.user_key != key
        || Some(session.sub.as_str()) != sub
    {
        return Err(not_this_user());
    }
    Ok(session)
}

/// `InitiateAuth` `USER_AUTH` with the confirmation's `Session`: checks and spends it (the
/// caller then issues tokens for `key`).
pub(in crate::user_pool) fn redeem(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    target: &Target,
    key: &str,
    id: &str,
) -> Result<(), CognitoError> {
    check(ctx, st, target, key, id, SignUpStage::Confirmed)?;
    st.sign_up_sessions.remove(id);
    Ok(())
}
