//! `sign-in`: the first call, then one prompt per next step until `Done` (Amplify's
//! `AuthSignInStep`s as `amplify-auth-cognito` maps Cognito's challenges).

use amplify_auth_cognito::{
    AuthError, AuthFactorType, AuthFlowType, ChallengeResponse, CognitoAuthPlugin, MfaType,
    ServiceErrorKind, SignInResult, SignInStep,
};
use serde_json::json;

use crate::account::sent_to;
use crate::args::{FirstFactor, Flow, SignInArgs};
use crate::failure::CliError;
use crate::output::{Output, Tone};
use crate::prompt::{Prompter, password_from_stdin, qr_code};

/// Cognito-style name of a step, for JSON output and messages.
pub(crate) fn step_name(step: &SignInStep) -> &'static str {
    match step {
        SignInStep::ConfirmSignInWithSmsMfaCode(_) => "CONFIRM_SIGN_IN_WITH_SMS_CODE",
        SignInStep::ConfirmSignInWithNewPassword { .. } => {
            "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
        }
        SignInStep::ConfirmSignInWithCustomChallenge { .. } => {
            "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
        }
        SignInStep::ConfirmSignInWithTotpMfaCode => "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
        SignInStep::ConfirmSignInWithOtpCode(_) => "CONFIRM_SIGN_IN_WITH_OTP_CODE",
        SignInStep::ContinueSignInWithMfaSelection { .. } => "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
        SignInStep::ContinueSignInWithMfaSetupSelection { .. } => {
            "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
        }
        SignInStep::ContinueSignInWithTotpSetup(_) => "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
        SignInStep::ContinueSignInWithEmailMfaSetup => "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
        SignInStep::ContinueSignInWithFirstFactorSelection { .. } => {
            "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
        }
        SignInStep::ConfirmSignInWithPassword => "CONFIRM_SIGN_IN_WITH_PASSWORD",
        SignInStep::ResetPassword => "RESET_PASSWORD",
        SignInStep::ConfirmSignUp => "CONFIRM_SIGN_UP",
        SignInStep::Done => "DONE",
        _ => "UNKNOWN",
    }
}

/// What the user answers a step with (`None`: the step cannot be answered here).
struct Answer {
    response: ChallengeResponse,
    attributes: Vec<(String, String)>,
}

impl Answer {
    fn plain(response: impl Into<ChallengeResponse>) -> Self {
        Answer {
            response: response.into(),
            attributes: Vec::new(),
        }
    }
}

/// Signs in and answers every next step at prompts.
///
/// # Errors
///
/// Auth errors (a wrong password or code: the service's), [`CliError::NoInput`] when an answer
/// was needed and standard input ended, [`CliError::NeedsAction`] when the user must reset the
/// password or confirm the sign-up first.
pub(crate) async fn run(
    auth: &CognitoAuthPlugin,
    args: &SignInArgs,
    default_flow: Option<AuthFlowType>,
    output: &Output,
) -> Result<(), CliError> {
    let prompter = Prompter::new();
    let username = match &args.username {
        Some(u) => u.clone(),
        None => prompter.line("Username")?,
    };
    let mut builder = auth.sign_in().username(&username);
    if let Some(flow) = args.flow {
        builder = builder.auth_flow_type(flow_type(flow));
    }
    if let Some(factor) = args.first_factor {
        builder = builder.preferred_first_factor(factor_type(factor));
    }
    // The configuration's flow applies when none is given (as the auth plugin does).
    let needs_password = match args.flow.map(flow_type).or(default_flow) {
        Some(AuthFlowType::CustomAuthWithoutSrp) => false,
        Some(AuthFlowType::UserAuth) => matches!(
            args.first_factor,
            Some(FirstFactor::Password | FirstFactor::PasswordSrp)
        ),
        _ => true,
    };
    if args.password_stdin {
        builder = builder.password(password_from_stdin()?);
    } else if needs_password {
        builder = builder.password(prompter.secret("Password")?);
    }
    let mut result = Box::pin(output.spin("Signing in", builder.send())).await?;
    let mut steps = vec![step_name(&result.next_step)];
    let mut retries = 0;
    loop {
        let answer = match &result.next_step {
            SignInStep::Done => break,
            SignInStep::ResetPassword => {
                return finish_incomplete(output, &result, "the password must be reset first");
            }
            SignInStep::ConfirmSignUp => {
                return finish_incomplete(
                    output,
                    &result,
                    "the user is not confirmed: run `amplify-rs confirm-sign-up` first",
                );
            }
            step => answer(step, &prompter, args, output)?,
        };
        let mut confirm = auth
            .confirm_sign_in()
            .challenge_response(answer.response)
            .friendly_device_name(&args.device_name);
        for (name, value) in answer.attributes {
            confirm = confirm.user_attribute(name, value);
        }
        match Box::pin(output.spin("Checking", confirm.send())).await {
            Ok(next) => {
                result = next;
                steps.push(step_name(&result.next_step));
            }
            // On a terminal, a mistyped code or choice is asked for again (Cognito keeps the
            // challenge open for a few wrong codes; the library keeps a choice open).
            Err(e) if prompter.is_interactive() && retries < MAX_RETRIES && may_retry(&e) => {
                retries += 1;
                let error = CliError::from(e);
                output.warn(&format!("{error}"));
                if let Some(hint) = error.suggestion() {
                    output.warn(&hint);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let user = auth.get_current_user().await.ok();
    output.result(
        &json!({
            "signed_in": result.is_signed_in,
            "next_step": "DONE",
            "steps": steps,
            "username": user.as_ref().map(|u| u.username.clone()),
            "user_id": user.as_ref().map(|u| u.user_id.clone()),
        }),
        &format!(
            "{} as {}",
            output.paint(Tone::Green, "Signed in"),
            user.map_or(username, |u| u.username)
        ),
    );
    Ok(())
}

/// How often a mistyped answer is asked for again on a terminal.
const MAX_RETRIES: u32 = 2;

/// A wrong code or an answer that is not one of the choices: the same step can be answered
/// again.
fn may_retry(error: &AuthError) -> bool {
    matches!(error, AuthError::Validation(_))
        || matches!(
            error.service_kind(),
            Some(ServiceErrorKind::CodeMismatch | ServiceErrorKind::EnableSoftwareTokenMfa)
        )
}

fn finish_incomplete(
    output: &Output,
    result: &SignInResult,
    message: &str,
) -> Result<(), CliError> {
    output.result(
        &json!({"signed_in": false, "next_step": step_name(&result.next_step)}),
        "",
    );
    Err(CliError::NeedsAction(message.to_owned()))
}

/// Prompts for the answer to `step`.
fn answer(
    step: &SignInStep,
    prompter: &Prompter,
    args: &SignInArgs,
    output: &Output,
) -> Result<Answer, CliError> {
    Ok(match step {
        SignInStep::ConfirmSignInWithSmsMfaCode(delivery)
        | SignInStep::ConfirmSignInWithOtpCode(delivery) => {
            Answer::plain(prompter.line(&format!("Code {}", sent_to(delivery)))?)
        }
        SignInStep::ConfirmSignInWithTotpMfaCode => {
            Answer::plain(prompter.line("Code from your authenticator app")?)
        }
        SignInStep::ConfirmSignInWithPassword => {
            Answer::plain(prompter.secret("Password")?.expose_secret())
        }
        SignInStep::ConfirmSignInWithNewPassword { missing_attributes } => {
            output.warn("A new password is required.");
            let password = prompter.secret("New password")?;
            if prompter.is_interactive() {
                let again = prompter.secret("New password again")?;
                if again.expose_secret() != password.expose_secret() {
                    return Err(CliError::Usage("the passwords do not match".to_owned()));
                }
            }
            let mut attributes = Vec::new();
            for name in missing_attributes {
                let value = prompter.line(&format!("Required attribute {name}"))?;
                attributes.push((name.clone(), value));
            }
            Answer {
                response: ChallengeResponse::new(password.expose_secret()),
                attributes,
            }
        }
        SignInStep::ConfirmSignInWithCustomChallenge { additional_info } => {
            for (key, value) in additional_info {
                output.warn(&format!("{key}: {value}"));
            }
            Answer::plain(prompter.line("Answer to the challenge")?)
        }
        SignInStep::ContinueSignInWithMfaSelection { allowed_mfa_types } => {
            Answer::plain(prompter.choose("Second factor", &mfa_names(allowed_mfa_types))?)
        }
        SignInStep::ContinueSignInWithMfaSetupSelection { allowed_mfa_types } => Answer::plain(
            prompter.choose("Second factor to set up", &mfa_names(allowed_mfa_types))?,
        ),
        SignInStep::ContinueSignInWithTotpSetup(details) => {
            let uri = details.setup_uri(&args.issuer, None);
            output.warn("Scan this QR code with your authenticator app:");
            if let Some(qr) = qr_code(&uri, output) {
                crate::output::line_err(&qr);
            }
            output.warn(&format!(
                "or enter the key: {}",
                details.shared_secret().expose_secret()
            ));
            output.warn(&format!("setup URI: {uri}"));
            Answer::plain(prompter.line("Code from your authenticator app")?)
        }
        SignInStep::ContinueSignInWithEmailMfaSetup => {
            Answer::plain(prompter.line("Email address for MFA codes")?)
        }
        SignInStep::ContinueSignInWithFirstFactorSelection { available_factors } => {
            let names: Vec<String> = available_factors
                .iter()
                .filter(|f| **f != AuthFactorType::WebAuthn)
                .map(|f| f.as_str().to_owned())
                .collect();
            Answer::plain(prompter.choose("Sign in with", &names)?)
        }
        other => {
            return Err(CliError::NeedsAction(format!(
                "the next step {} is not supported by this CLI",
                step_name(other)
            )));
        }
    })
}

fn mfa_names(types: &[MfaType]) -> Vec<String> {
    types.iter().map(ToString::to_string).collect()
}

fn flow_type(flow: Flow) -> AuthFlowType {
    match flow {
        Flow::Srp => AuthFlowType::UserSrpAuth,
        Flow::Password => AuthFlowType::UserPasswordAuth,
        Flow::CustomSrp => AuthFlowType::CustomAuthWithSrp,
        Flow::Custom => AuthFlowType::CustomAuthWithoutSrp,
        Flow::UserAuth => AuthFlowType::UserAuth,
    }
}

fn factor_type(factor: FirstFactor) -> AuthFactorType {
    match factor {
        FirstFactor::Password => AuthFactorType::Password,
        FirstFactor::PasswordSrp => AuthFactorType::PasswordSrp,
        FirstFactor::EmailOtp => AuthFactorType::EmailOtp,
        FirstFactor::SmsOtp => AuthFactorType::SmsOtp,
    }
}
