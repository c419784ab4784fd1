//! `confirm_sign_in`: answers the open challenge (or takes a step inside it that needs no call,
//! such as choosing a factor to set up).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use amplify_core::AmplifyError;
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use super::challenge::keeps_challenge_open;
use super::{
    associate_in_sign_in, challenge_of, complete, continue_after, respond, with_secret_hash,
};
use crate::AuthError;
use crate::error::InvalidStateReason;
use crate::mfa::{AuthFactorType, MfaType};
use crate::plugin::Configured;
use crate::sdk::{self, IDP};
use crate::sign_in_state::{LocalStep, PendingSignIn};
use crate::tokens::{ChallengeResponse, Password};
use crate::types::{SignInResult, SignInStep};

/// What the caller answered.
pub(super) struct Answer {
    pub(super) value: ChallengeResponse,
    pub(super) user_attributes: BTreeMap<String, String>,
    pub(super) friendly_device_name: Option<String>,
    pub(super) client_metadata: HashMap<String, String>,
}

/// What to do with an answer.
enum Action {
    /// Send these challenge responses for the pending challenge.
    Respond(HashMap<String, String>),
    /// Send these responses for `SELECT_CHALLENGE`, then answer `PASSWORD_VERIFIER` with SRP.
    RespondWithSrp(HashMap<String, String>),
    /// A step that needed no call.
    Local(SignInStep),
    /// Verify the TOTP code with the session, then respond to `MFA_SETUP`.
    VerifyTotp,
}

pub(super) async fn confirm(
    configured: &Arc<Configured>,
    answer: Answer,
) -> Result<SignInResult, AuthError> {
    let Some(mut pending) = configured.sign_in.take_pending() else {
        return Err(AuthError::InvalidState(
            InvalidStateReason::NoPendingChallenge,
        ));
    };
    if !answer.client_metadata.is_empty() {
        pending.client_metadata = answer.client_metadata.clone();
    }
    match answer_pending(configured, &mut pending, &answer).await {
        Ok(result) => Ok(result),
        Err((e, keep)) => {
            if keep {
                tracing::debug!(code = e.code(), "the challenge stays open for another try");
                configured.sign_in.set_pending(pending);
            }
            Err(e)
        }
    }
}

type Failure = (AuthError, bool);

/// A failure, and whether the challenge stays open.
fn failed(e: AuthError) -> Failure {
    let keep = keeps_challenge_open(&e) || matches!(e, AuthError::Validation(_));
    (e, keep)
}

async fn answer_pending(
    configured: &Arc<Configured>,
    pending: &mut PendingSignIn,
    answer: &Answer,
) -> Result<SignInResult, Failure> {
    let value = answer.value.expose_secret();
    let username = pending.challenge_username.clone();
    let mut responses = HashMap::from([("USERNAME".to_owned(), username.clone())]);
    let action = match (&pending.challenge, &pending.local) {
        (ChallengeNameType::SmsMfa, _) => {
            responses.insert("SMS_MFA_CODE".into(), value.to_owned());
            Action::Respond(responses)
        }
        (ChallengeNameType::SoftwareTokenMfa, _) => {
            responses.insert("SOFTWARE_TOKEN_MFA_CODE".into(), value.to_owned());
            Action::Respond(responses)
        }
        (ChallengeNameType::EmailOtp, _) => {
            responses.insert("EMAIL_OTP_CODE".into(), value.to_owned());
            Action::Respond(responses)
        }
        (ChallengeNameType::SmsOtp, _) => {
            responses.insert("SMS_OTP_CODE".into(), value.to_owned());
            Action::Respond(responses)
        }
        (ChallengeNameType::NewPasswordRequired, _) => {
            responses.insert("NEW_PASSWORD".into(), value.to_owned());
            for (name, v) in &answer.user_attributes {
                responses.insert(format!("userAttributes.{name}"), v.clone());
            }
            Action::Respond(responses)
        }
        (ChallengeNameType::CustomChallenge, _) => {
            responses.insert("ANSWER".into(), value.to_owned());
            Action::Respond(responses)
        }
        (ChallengeNameType::SelectMfaType, _) => {
            let chosen = MfaType::parse(value).map_err(failed)?;
            responses.insert("ANSWER".into(), chosen.challenge_name().into());
            Action::Respond(responses)
        }
        (ChallengeNameType::MfaSetup, LocalStep::MfaSetupSelection) => {
            match MfaType::parse(value).map_err(failed)? {
                MfaType::Totp => {
                    let details = associate_in_sign_in(configured, pending)
                        .await
                        .map_err(failed)?;
                    Action::Local(SignInStep::ContinueSignInWithTotpSetup(details))
                }
                MfaType::Email => {
                    pending.local = LocalStep::EmailSetup;
                    Action::Local(SignInStep::ContinueSignInWithEmailMfaSetup)
                }
                MfaType::Sms => {
                    return Err(failed(AuthError::unsupported(
                        "challenge_response",
                        "SMS MFA cannot be set up during sign-in; choose totp or email",
                    )));
                }
            }
        }
        (ChallengeNameType::MfaSetup, LocalStep::TotpSetup(_)) => Action::VerifyTotp,
        (ChallengeNameType::MfaSetup, LocalStep::EmailSetup) => {
            // Cognito: answer MFA_SETUP with the address in `EMAIL`; an EMAIL_OTP challenge to
            // that address follows.
            responses.insert("EMAIL".into(), value.trim().to_owned());
            pending.set_up = Some(MfaType::Email);
            Action::Respond(responses)
        }
        (ChallengeNameType::SelectChallenge, LocalStep::None) => {
            let factor = AuthFactorType::from_cognito(value).ok_or_else(|| {
                failed(AuthError::unsupported(
                    "challenge_response",
                    "is not a first factor: answer PASSWORD, PASSWORD_SRP, EMAIL_OTP or SMS_OTP",
                ))
            })?;
            match factor {
                AuthFactorType::Password | AuthFactorType::PasswordSrp => {
                    pending.local = LocalStep::PasswordFactor(factor);
                    Action::Local(SignInStep::ConfirmSignInWithPassword)
                }
                AuthFactorType::WebAuthn => {
                    return Err(failed(AuthError::unsupported(
                        "challenge_response",
                        "WEB_AUTHN (passkeys) is not supported yet; choose another factor",
                    )));
                }
                AuthFactorType::EmailOtp | AuthFactorType::SmsOtp => {
                    responses.insert("ANSWER".into(), factor.as_str().into());
                    Action::Respond(responses)
                }
            }
        }
        (ChallengeNameType::SelectChallenge, LocalStep::PasswordFactor(factor)) => {
            responses.insert("ANSWER".into(), factor.as_str().into());
            if *factor == AuthFactorType::Password {
                responses.insert("PASSWORD".into(), value.to_owned());
                Action::Respond(responses)
            } else {
                Action::RespondWithSrp(responses)
            }
        }
        (other, _) => return Err((AuthError::unsupported_challenge(other.as_str()), false)),
    };
    let mut srp = None;
    let out = match action {
        Action::Local(step) => {
            let result = SignInResult::step(step);
            let taken = std::mem::replace(
                pending,
                PendingSignIn::new(String::new(), pending.flow, HashMap::new()),
            );
            configured.sign_in.set_pending(taken);
            return Ok(result);
        }
        Action::Respond(mut responses) => {
            with_secret_hash(configured, &mut responses, &username).map_err(failed)?;
            respond(configured, pending, pending.challenge.clone(), responses)
                .await
                .map_err(failed)?
        }
        Action::RespondWithSrp(mut responses) => {
            let key = configured.sign_in.take_key().map_err(failed)?;
            responses.insert("SRP_A".into(), key.public_hex());
            with_secret_hash(configured, &mut responses, &username).map_err(failed)?;
            srp = Some(key);
            respond(configured, pending, pending.challenge.clone(), responses)
                .await
                .map_err(failed)?
        }
        Action::VerifyTotp => {
            let (client, _) = configured.manager.user_pool().map_err(failed)?;
            let verified = client
                .verify_software_token()
                .set_session(pending.session.clone())
                .user_code(value.trim())
                .set_friendly_device_name(answer.friendly_device_name.clone())
                .send()
                .await
                .map_err(|e| failed(sdk::map_error(IDP, e)))?;
            if let Some(session) = verified.session() {
                pending.session = Some(session.to_owned());
            }
            pending.set_up = Some(MfaType::Totp);
            let mut responses = HashMap::from([("USERNAME".to_owned(), username.clone())]);
            with_secret_hash(configured, &mut responses, &username).map_err(failed)?;
            respond(configured, pending, ChallengeNameType::MfaSetup, responses)
                .await
                .map_err(failed)?
        }
    };
    let mut next = std::mem::replace(
        pending,
        PendingSignIn::new(String::new(), pending.flow, HashMap::new()),
    );
    next.session = out.session().map(str::to_owned);
    next.challenge = challenge_of(out.challenge_name());
    next.available = Vec::new();
    if let Some(result) = out.authentication_result() {
        return complete(configured, &next, result)
            .await
            .map_err(|e| (e, false));
    }
    let params = out.challenge_parameters().cloned().unwrap_or_default();
    let password = srp.as_ref().map(|_| Password::new(value));
    continue_after(configured, next, params, srp, password.as_ref())
        .await
        .map_err(|e| (e, false))
}
