//! Sign-in next steps answered on standard input: a new password with a missing required
//! attribute, a custom challenge, MFA setup selection then email setup, choice-based sign-in;
//! and the embedded emulator (`--emulator`).

use amplify_emulator::triggers::{
    CreateAuthChallenge, CreateAuthChallengeResult, CustomAuthTriggers, DefineAuthChallenge,
    DefineAuthChallengeResult, TriggerError, VerifyAuthChallenge,
};
use amplify_emulator::{
    FirstFactor, MfaConfiguration, MfaMethod, SeedStatus, UserPoolSpec, UserSpec,
};
use serde_json::json;

use crate::support::{Env, PASSWORD, default_backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_password_and_a_missing_required_attribute_are_asked_for() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1")
            .required_attributes(["name"])
            .user(
                UserSpec::new("carol", "Temporary-Passw0rd!")
                    .status(SeedStatus::ForceChangePassword),
            ),
    ))
    .await;
    let run = env
        .run(
            &["--json", "sign-in", "carol", "--password-stdin"],
            "Temporary-Passw0rd!\nBrand-New-Passw0rd!\nCarol Carrot\n",
        )
        .await
        .expect(0)
        .json();
    assert_eq!(
        run["steps"],
        json!(["CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED", "DONE"])
    );
    let attributes = env
        .run(&["--json", "attributes"], "")
        .await
        .expect(0)
        .json();
    assert_eq!(attributes["name"], "Carol Carrot");
    // The new password is the one that works now.
    env.run(&["sign-out"], "").await.expect(0);
    env.run(
        &["sign-in", "carol", "--password-stdin"],
        "Brand-New-Passw0rd!\n",
    )
    .await
    .expect(0);
}

/// One custom challenge, "6 x 7?", answered "42"; no password.
#[derive(Debug)]
struct FortyTwo;

impl CustomAuthTriggers for FortyTwo {
    fn define_auth_challenge(
        &self,
        event: &DefineAuthChallenge,
    ) -> Result<DefineAuthChallengeResult, TriggerError> {
        Ok(match event.session.last() {
            Some(last) if last.challenge_result => DefineAuthChallengeResult::issue_tokens(),
            Some(_) => DefineAuthChallengeResult::fail(),
            None => DefineAuthChallengeResult::challenge("CUSTOM_CHALLENGE"),
        })
    }

    fn create_auth_challenge(
        &self,
        _event: &CreateAuthChallenge,
    ) -> Result<CreateAuthChallengeResult, TriggerError> {
        Ok(CreateAuthChallengeResult::new()
            .public("question", "6 x 7?")
            .private("answer", "42"))
    }

    fn verify_auth_challenge(&self, event: &VerifyAuthChallenge) -> Result<bool, TriggerError> {
        Ok(event.private_challenge_parameters.get("answer") == Some(&event.challenge_answer))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_challenge_shows_its_parameters_and_takes_the_answer() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1").triggers(FortyTwo),
    ))
    .await;
    let run = env
        .run(&["--json", "sign-in", "alice", "--flow", "custom"], "42\n")
        .await
        .expect(0);
    assert!(run.stderr.contains("question: 6 x 7?"), "{run:?}");
    assert_eq!(
        run.json()["steps"],
        json!(["CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", "DONE"])
    );
    // A wrong answer fails the sign-in: the service's error.
    env.run(&["sign-out"], "").await.expect(0);
    let wrong = env
        .run(&["--json", "sign-in", "alice", "--flow", "custom"], "41\n")
        .await
        .expect(4);
    assert_eq!(wrong.error()["code"], "NotAuthorizedException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_flow_applies_and_gen1_files_work() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1").triggers(FortyTwo),
    ))
    .await;
    // A Gen 2 file naming CUSTOM_AUTH: no password is asked for, the challenge is.
    let mut outputs: serde_json::Value =
        serde_json::from_str(&env.emu.amplify_outputs_json()).unwrap();
    outputs["auth"]["authentication_flow_type"] = json!("CUSTOM_AUTH");
    let custom = env.dir.path().join("custom_outputs.json");
    std::fs::write(&custom, outputs.to_string()).unwrap();
    let command = env.command_with(&custom, &["--json", "sign-in", "alice"]);
    let run = crate::support::run(command, "42\n").await.expect(0);
    assert_eq!(
        run.json()["steps"],
        json!(["CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", "DONE"])
    );
    // The Gen 1 document of the same backend reads the same stored session.
    let gen1 = env.dir.path().join("amplifyconfiguration.json");
    std::fs::write(&gen1, env.emu.amplify_configuration_json()).unwrap();
    let command = env.command_with(&gen1, &["--json", "session"]);
    let session = crate::support::run(command, "").await.expect(0).json();
    assert_eq!(session["user_pool_tokens"]["username"], "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_setup_selection_then_email_setup_then_the_code() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1")
            .mfa(MfaConfiguration::On, [MfaMethod::Totp, MfaMethod::Email])
            .user(UserSpec::new("dave", PASSWORD)),
    ))
    .await;
    // The choice by number (2 = email), then the address, then the emailed code.
    let run = env
        .sign_in_with_code(
            &["dave", "--password-stdin"],
            &format!("{PASSWORD}\n2\ndave@example.com\n"),
            "dave",
        )
        .await
        .expect(0)
        .json();
    assert_eq!(
        run["steps"],
        json!([
            "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
            "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
            "CONFIRM_SIGN_IN_WITH_OTP_CODE",
            "DONE"
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_mfa_code_is_asked_for() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1")
            .mfa(MfaConfiguration::Optional, [MfaMethod::Sms])
            .user(
                UserSpec::new("erin", PASSWORD)
                    .phone_number("+15555550100")
                    .sms_mfa(true),
            ),
    ))
    .await;
    let run = env
        .sign_in_with_code(
            &["erin", "--password-stdin"],
            &format!("{PASSWORD}\n"),
            "erin",
        )
        .await
        .expect(0);
    assert!(run.stderr.is_empty(), "{run:?}");
    assert_eq!(
        run.json()["steps"],
        json!(["CONFIRM_SIGN_IN_WITH_SMS_CODE", "DONE"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choice_based_sign_in_offers_the_first_factors() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1")
            .first_factors([FirstFactor::Password, FirstFactor::EmailOtp]),
    ))
    .await;
    let run = env
        .sign_in_with_code(&["alice", "--flow", "user-auth"], "email_otp\n", "alice")
        .await
        .expect(0)
        .json();
    assert_eq!(
        run["steps"],
        json!([
            "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
            "CONFIRM_SIGN_IN_WITH_OTP_CODE",
            "DONE"
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_emulator_serves_one_command() {
    let mut graphql = tokio::process::Command::new(crate::support::binary());
    graphql.args([
        "--emulator",
        "--json",
        "graphql",
        "query { listTodos { items { id } } }",
    ]);
    let run = crate::support::run(graphql, "").await.expect(0);
    assert_eq!(run.json(), json!({"data": {"listTodos": {"items": []}}}));

    let mut sign_in = tokio::process::Command::new(crate::support::binary());
    sign_in.args(["--emulator", "sign-in", "alice", "--password-stdin"]);
    let run = crate::support::run(sign_in, "Amplify-Passw0rd!\n")
        .await
        .expect(0);
    assert!(run.stdout.contains("Signed in as alice"), "{run:?}");
    assert!(
        run.stderr
            .contains("embedded emulator at http://127.0.0.1:"),
        "{run:?}"
    );
}
