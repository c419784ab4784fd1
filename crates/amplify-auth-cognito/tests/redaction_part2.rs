//! Secret redaction for auth part 2 (issue 15), under a TRACE-level capture of everything (ours,
//! the AWS SDK's, hyper's, the emulator's): TOTP setup and a TOTP sign-in, a password change, an
//! attribute verified with a code, a remembered device signing in with device SRP, and a forced
//! refresh. No password, TOTP secret, code, token or device password may appear in the logs nor
//! in the `Debug` of the results.
//!
//! A test binary of its own: tracing's per-callsite interest is process-wide, and a
//! thread-scoped capture beside other tests' threads can miss events (a false pass here).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{CognitoAuthPlugin, SignInStep, TotpSetupDetails};
use amplify_core::Amplify;
use amplify_core::test_util::LogCapture;
use amplify_core::time::{ManualTimeSource, SharedTimeSource, TimeSource};
use amplify_emulator::{
    DeviceConfiguration, Emulator, MfaConfiguration, MfaMethod, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::{SecureStorage, SecureStorageFactory, StorageScope};
use secrecy::ExposeSecret;

const PASSWORD: &str = "Part2-Secret-Pw-1";
const NEW_PASSWORD: &str = "Part2-Other-Pw-2";

fn app_code(clock: &ManualTimeSource, details: &TotpSetupDetails) -> String {
    let now = clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    amplify_emulator::totp::code_for_secret_code(details.shared_secret().expose_secret(), now)
        .unwrap()
}

#[test]
fn part_two_flows_leak_no_secret() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let capture = LogCapture::start();
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let storage = SecureStorageFactory::in_memory();
    let mut secrets: Vec<String> = vec![PASSWORD.into(), NEW_PASSWORD.into()];
    let mut codes: Vec<String> = Vec::new();
    let mut shown = String::new();

    rt.block_on(async {
        let emulator = Emulator::builder()
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .mfa(MfaConfiguration::Optional, [MfaMethod::Totp])
                    .device_configuration(
                        DeviceConfiguration::new()
                            .challenge_required_on_new_device(true)
                            .device_only_remembered_on_user_prompt(true),
                    )
                    .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
            )
            .time_source(clock.clone())
            .start()
            .await
            .unwrap();
        let amplify = Amplify::builder()
            .time_source(SharedTimeSource::new(clock.clone()))
            .build();
        let auth = CognitoAuthPlugin::builder()
            .secure_storage_factory(storage.clone())
            .device_name("redaction laptop")
            .build();
        amplify.add_plugin(auth.clone()).unwrap();
        amplify
            .configure(&emulator.amplify_outputs_json())
            .await
            .unwrap();
        let sign_in = |password: &'static str| {
            let auth = auth.clone();
            async move {
                auth.sign_in()
                    .username("alice")
                    .password(password)
                    .send()
                    .await
                    .unwrap()
            }
        };

        let result = sign_in(PASSWORD).await;
        assert_eq!(result.next_step, SignInStep::Done);
        shown.push_str(&format!("{result:?}"));

        // TOTP setup.
        let details = auth.set_up_totp().await.unwrap();
        secrets.push(details.shared_secret().expose_secret().to_owned());
        let code = app_code(&clock, &details);
        auth.verify_totp_setup()
            .code(code.clone())
            .friendly_device_name("phone")
            .send()
            .await
            .unwrap();
        codes.push(code);
        shown.push_str(&format!("{details:?}"));

        // A password change, and an attribute verified with the code the pool sent.
        auth.update_password()
            .old_password(PASSWORD)
            .new_password(NEW_PASSWORD)
            .send()
            .await
            .unwrap();
        let updated = auth
            .update_user_attributes()
            .attribute("email", "alice@new.example.com")
            .send()
            .await
            .unwrap();
        shown.push_str(&format!("{updated:?}"));
        let code = emulator.outbox().next_code_for("alice").await;
        auth.confirm_user_attribute()
            .attribute("email")
            .confirmation_code(code.clone())
            .send()
            .await
            .unwrap();
        codes.push(code);

        // A TOTP sign-in with the new password.
        auth.sign_out().send().await;
        clock.advance(Duration::from_secs(30));
        let result = sign_in(NEW_PASSWORD).await;
        assert_eq!(result.next_step, SignInStep::ConfirmSignInWithTotpMfaCode);
        let code = app_code(&clock, &details);
        let confirmed = auth
            .confirm_sign_in()
            .challenge_response(code.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(confirmed.next_step, SignInStep::Done);
        codes.push(code);
        shown.push_str(&format!("{confirmed:?}"));

        // Remember this device: the next sign-in answers device SRP instead of TOTP.
        auth.remember_device().await.unwrap();
        let device = auth.fetch_current_device().await.unwrap();
        shown.push_str(&format!("{device:?}"));
        let device_password = storage
            .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
            .unwrap()
            .read(&format!("{}.alice.devicePassword", emulator.client_id()))
            .await
            .unwrap()
            .expect("the device password is stored");
        secrets.push(device_password.expose_secret().to_owned());
        auth.sign_out().send().await;
        let result = sign_in(NEW_PASSWORD).await;
        assert_eq!(result.next_step, SignInStep::Done, "device SRP, no TOTP");

        // A forced refresh (with the device key), and every token of the session.
        let session = auth.fetch_auth_session().force_refresh(true).send().await;
        let tokens = session.user_pool_tokens.as_ref().unwrap();
        secrets.push(tokens.access_token.expose_secret().to_owned());
        secrets.push(tokens.id_token.expose_secret().to_owned());
        secrets.push(tokens.refresh_token.expose_secret().to_owned());
        shown.push_str(&format!("{session:?} {auth:?}"));
        auth.sign_out().send().await;
    });

    let logs = capture.contents();
    for expected in ["VerifySoftwareToken", "ConfirmDevice", "ChangePassword"] {
        assert!(logs.contains(expected), "logs were captured: {logs}");
    }
    for text in [&logs, &shown] {
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "a secret leaked: {text}");
        }
        // Six-digit codes: as a JSON string, a field value or a Debug value (a bare search would
        // match timestamps).
        for code in &codes {
            for form in [
                format!("\"{code}\""),
                format!("={code}"),
                format!(": {code}"),
            ] {
                assert!(!text.contains(&form), "a code leaked ({form}): {text}");
            }
        }
    }
}
