//! What the walkthrough in `main.rs` leans on: the custom-auth trigger the emulator runs, and
//! small helpers that call the auth plugin and print each next step.

use std::time::UNIX_EPOCH;

use amplify_auth_cognito::{
    AuthFlowType, CognitoAuthPlugin, SignInStep, SignOutResult, TotpSetupDetails,
};
use amplify_core::time::{ManualTimeSource, TimeSource};
use amplify_emulator::triggers::{
    CreateAuthChallenge, CreateAuthChallengeResult, CustomAuthTriggers, DefineAuthChallenge,
    DefineAuthChallengeResult, TriggerError, VerifyAuthChallenge,
};

pub(crate) type Error = Box<dyn std::error::Error + Send + Sync>;

pub(crate) fn ensure(ok: bool, what: &str) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}").into())
    }
}

/// The pool's custom-auth Lambda triggers: one question, "6 x 7?", whose answer is 42.
#[derive(Debug)]
pub(crate) struct Riddle;

impl CustomAuthTriggers for Riddle {
    fn define_auth_challenge(
        &self,
        event: &DefineAuthChallenge,
    ) -> Result<DefineAuthChallengeResult, TriggerError> {
        // CUSTOM_AUTH_WITH_SRP starts with SRP_A: verify the password first, then ask.
        Ok(match event.session.last() {
            Some(r) if r.challenge_name == "SRP_A" => {
                DefineAuthChallengeResult::challenge("PASSWORD_VERIFIER")
            }
            Some(r) if r.challenge_name == "CUSTOM_CHALLENGE" && r.challenge_result => {
                DefineAuthChallengeResult::issue_tokens()
            }
            Some(r) if r.challenge_name == "CUSTOM_CHALLENGE" || !r.challenge_result => {
                DefineAuthChallengeResult::fail()
            }
            _ => DefineAuthChallengeResult::challenge("CUSTOM_CHALLENGE"),
        })
    }

    fn create_auth_challenge(
        &self,
        _: &CreateAuthChallenge,
    ) -> Result<CreateAuthChallengeResult, TriggerError> {
        Ok(CreateAuthChallengeResult::new()
            .public("question", "6 x 7?")
            .private("answer", "42"))
    }

    fn verify_auth_challenge(&self, event: &VerifyAuthChallenge) -> Result<bool, TriggerError> {
        Ok(event.private_challenge_parameters.get("answer") == Some(&event.challenge_answer))
    }
}

/// The app: its auth plugin and the clock it shares with the emulator.
pub(crate) struct App<'a> {
    pub(crate) auth: &'a CognitoAuthPlugin,
    pub(crate) clock: &'a ManualTimeSource,
}

impl App<'_> {
    /// `sign_in` with an optional password and flow; prints and returns the next step.
    pub(crate) async fn sign_in(
        &self,
        username: &str,
        password: Option<&str>,
        flow: Option<AuthFlowType>,
    ) -> Result<SignInStep, Error> {
        let mut builder = self
            .auth
            .sign_in()
            .username(username)
            .set_password(password.map(Into::into));
        if let Some(flow) = flow {
            builder = builder.auth_flow_type(flow);
        }
        let step = builder.send().await?.next_step;
        let flow = flow.map_or_else(|| "configured flow".to_owned(), |f| format!("{f:?}"));
        println!("   sign_in({username}, {flow}) -> {step:?}");
        Ok(step)
    }

    /// `confirm_sign_in` with `answer`; prints and returns the next step.
    pub(crate) async fn confirm(&self, answer: &str) -> Result<SignInStep, Error> {
        let step = self
            .auth
            .confirm_sign_in()
            .challenge_response(answer)
            .send()
            .await?
            .next_step;
        println!("   confirm_sign_in -> {step:?}");
        Ok(step)
    }

    /// Checks that `step` is `Done` and the session is signed in, then signs out.
    pub(crate) async fn expect_done(&self, step: SignInStep) -> Result<(), Error> {
        ensure(step == SignInStep::Done, "signed in")?;
        let session = self.auth.fetch_auth_session().send().await;
        ensure(
            session.is_signed_in && session.user_pool_tokens.is_ok(),
            "a session with tokens",
        )?;
        self.sign_out().await
    }

    pub(crate) async fn sign_out(&self) -> Result<(), Error> {
        let result = self.auth.sign_out().send().await;
        ensure(matches!(result, SignOutResult::Complete), "signed out")
    }

    /// The code an authenticator app with this secret shows now (RFC 6238, the shared clock).
    pub(crate) fn totp(&self, details: &TotpSetupDetails) -> Result<String, Error> {
        let now = self.clock.now().duration_since(UNIX_EPOCH)?.as_secs();
        amplify_emulator::totp::code_for_secret_code(details.shared_secret().expose_secret(), now)
            .ok_or_else(|| "the shared secret is not base32".into())
    }

    /// What an app shows to set up an authenticator (as a QR code); the secret is not printed.
    pub(crate) fn show_setup(&self, details: &TotpSetupDetails) {
        let uri = details.setup_uri("amplify-rs", None);
        let shown = uri.split("secret=").next().unwrap_or_default();
        println!(
            "   authenticator setup URI: {shown}secret=<{} characters>&issuer=amplify-rs",
            details.shared_secret().expose_secret().len()
        );
    }
}
