//! Sign-up and sign-in, following the Amplify page "Enable sign-in"
//! (`/work/shared/seeds/002_284114d277a0680c.txt`).
//!
//! Every flow and next step the auth crate supports, each answered as an app would: codes come
//! from the emulator's outbox (where it "sends" email and SMS), and TOTP codes are computed from
//! the shared secret as an authenticator app does. Emulator and client share a manual clock,
//! so the example moves to the next 30-second TOTP step instead of waiting.
//!
//! ```sh
//! cargo run -p sign-in-flows
//! ```
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

mod support;

use std::process::ExitCode;
use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{
    AuthFlowType, CognitoAuthPlugin, MfaPreference, MfaType, SignInStep, SignUpStep,
};
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_core::{Amplify, DisplayErrorContext};
use amplify_emulator::{
    Emulator, EmulatorHandle, MfaConfiguration, MfaMethod, SeedStatus, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use serde_json::json;

use support::{App, Error, ensure};

const PASSWORD: &str = "Flows-Passw0rd!";

async fn start(
    pool: UserPoolSpec,
    clock: &ManualTimeSource,
) -> Result<(EmulatorHandle, CognitoAuthPlugin), Error> {
    let emulator = Emulator::builder()
        .user_pool(pool)
        .time_source(clock.clone())
        .start()
        .await?;
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone())?;
    amplify.configure(&emulator.amplify_outputs_json()).await?;
    Ok((emulator, auth))
}

async fn run() -> Result<(), Error> {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    println!(
        "Starting the embedded emulator: optional MFA (SMS, TOTP, email), a custom-auth trigger"
    );
    let pool = UserPoolSpec::new("us-east-1")
        .required_attributes(["email", "name"])
        .mfa(
            MfaConfiguration::Optional,
            [MfaMethod::Sms, MfaMethod::Totp, MfaMethod::Email],
        )
        .triggers(support::Riddle)
        .user(
            UserSpec::new("erin", "Temporary-Pass-1")
                .email("erin@example.com")
                .status(SeedStatus::ForceChangePassword),
        )
        .user(
            UserSpec::new("frank", PASSWORD)
                .phone_number("+15555550100")
                .sms_mfa(true),
        )
        .user(UserSpec::new("gina", PASSWORD).email("gina@example.com"))
        .user(
            UserSpec::new("hank", PASSWORD)
                .email("hank@example.com")
                .status(SeedStatus::Unconfirmed),
        );
    let (emulator, auth) = start(pool, &clock).await?;
    let app = App {
        auth: &auth,
        clock: &clock,
    };

    println!("1. Sign up, confirm with the emailed code");
    let signed_up = auth
        .sign_up()
        .username("alice")
        .password(PASSWORD)
        .user_attribute("email", "alice@example.com")
        .user_attribute("name", "Alice")
        .send()
        .await?;
    let SignUpStep::ConfirmSignUp(delivery) = &signed_up.next_step else {
        return Err(format!("expected confirmSignUp, got {:?}", signed_up.next_step).into());
    };
    println!(
        "   code sent by {:?} to {}",
        delivery.delivery_medium,
        delivery.destination.as_deref().unwrap_or("?")
    );
    let code = emulator.outbox().next_code_for("alice").await;
    let confirmed = auth
        .confirm_sign_up()
        .username("alice")
        .confirmation_code(code)
        .send()
        .await?;
    ensure(
        confirmed.is_sign_up_complete && confirmed.next_step == SignUpStep::Done,
        "sign-up complete",
    )?;

    println!("2. Sign in with SRP (the default flow), then with USER_PASSWORD_AUTH");
    app.expect_done(app.sign_in("alice", Some(PASSWORD), None).await?)
        .await?;
    app.expect_done(
        app.sign_in(
            "alice",
            Some(PASSWORD),
            Some(AuthFlowType::UserPasswordAuth),
        )
        .await?,
    )
    .await?;

    println!("3. Custom auth: answer the trigger's challenge, without and with SRP first");
    for (flow, password) in [
        (AuthFlowType::CustomAuthWithoutSrp, None),
        (AuthFlowType::CustomAuthWithSrp, Some(PASSWORD)),
    ] {
        let step = app.sign_in("alice", password, Some(flow)).await?;
        let SignInStep::ConfirmSignInWithCustomChallenge { additional_info } = &step else {
            return Err(format!("expected a custom challenge, got {step:?}").into());
        };
        let prompt = additional_info.get("question").map_or("?", String::as_str);
        println!("   prompt: {prompt}");
        app.expect_done(app.confirm("42").await?).await?;
    }

    let wrong = auth
        .sign_in()
        .username("alice")
        .password("not-the-password")
        .auth_flow_type(AuthFlowType::CustomAuthWithSrp)
        .send()
        .await;
    ensure(
        wrong.is_err(),
        "with SRP first, a wrong password is refused",
    )?;

    println!("4. A temporary password: new password plus the missing required attribute");
    let step = app.sign_in("erin", Some("Temporary-Pass-1"), None).await?;
    let SignInStep::ConfirmSignInWithNewPassword { missing_attributes } = &step else {
        return Err(format!("expected a new password step, got {step:?}").into());
    };
    ensure(missing_attributes == &["name"], "`name` is missing")?;
    let done = auth
        .confirm_sign_in()
        .challenge_response("Brand-New-Pass-2")
        .user_attribute("name", "Erin")
        .send()
        .await?;
    app.expect_done(done.next_step).await?;

    println!("5. SMS MFA: the code from the outbox");
    let step = app.sign_in("frank", Some(PASSWORD), None).await?;
    ensure(
        matches!(step, SignInStep::ConfirmSignInWithSmsMfaCode(_)),
        "an SMS code step",
    )?;
    let sms = emulator.outbox().next_code_for("frank").await;
    let step = app.confirm(&sms).await?;
    ensure(step == SignInStep::Done, "signed in after the SMS code")?;

    println!("6. TOTP setup while signed in, then MFA selection between SMS and TOTP");
    let details = auth.set_up_totp().await?;
    app.show_setup(&details);
    auth.verify_totp_setup()
        .code(app.totp(&details)?)
        .friendly_device_name("phone")
        .send()
        .await?;
    auth.update_mfa_preference()
        .sms(MfaPreference::NotPreferred)
        .totp(MfaPreference::NotPreferred)
        .send()
        .await?;
    app.sign_out().await?;
    clock.advance(Duration::from_secs(30)); // a TOTP code is accepted once: next step
    let step = app.sign_in("frank", Some(PASSWORD), None).await?;
    ensure(
        step == SignInStep::ContinueSignInWithMfaSelection {
            allowed_mfa_types: vec![MfaType::Sms, MfaType::Totp],
        },
        "a choice of SMS or TOTP",
    )?;
    ensure(
        app.confirm("TOTP").await? == SignInStep::ConfirmSignInWithTotpMfaCode,
        "a TOTP code step",
    )?;
    app.expect_done(app.confirm(&app.totp(&details)?).await?)
        .await?;

    println!("7. Email MFA: prefer email, sign in again, the code from the outbox");
    ensure(
        app.sign_in("gina", Some(PASSWORD), None).await? == SignInStep::Done,
        "no MFA yet",
    )?;
    auth.update_mfa_preference()
        .email(MfaPreference::Preferred)
        .send()
        .await?;
    app.sign_out().await?;
    let step = app.sign_in("gina", Some(PASSWORD), None).await?;
    ensure(
        matches!(step, SignInStep::ConfirmSignInWithOtpCode(_)),
        "an email code step",
    )?;
    let emailed = emulator.outbox().next_code_for("gina").await;
    app.expect_done(app.confirm(&emailed).await?).await?;

    println!("8. Not confirmed yet: sign-in says confirm sign-up; resend the code and confirm");
    ensure(
        app.sign_in("hank", Some(PASSWORD), None).await? == SignInStep::ConfirmSignUp,
        "a confirm sign-up step",
    )?;
    let resent = auth.resend_sign_up_code().username("hank").send().await?;
    println!("   code resent by {:?}", resent.delivery_medium);
    let code = emulator.outbox().latest_code_for("hank").ok_or("no code")?;
    auth.confirm_sign_up()
        .username("hank")
        .confirmation_code(code)
        .send()
        .await?;
    app.expect_done(app.sign_in("hank", Some(PASSWORD), None).await?)
        .await?;

    println!("9. An administrator reset the password: sign-in says reset it");
    emulator.backend().call(
        "AdminResetUserPassword",
        &json!({"UserPoolId": emulator.user_pool_id(), "Username": "hank"}),
    )?;
    ensure(
        app.sign_in("hank", Some(PASSWORD), None).await? == SignInStep::ResetPassword,
        "a reset password step",
    )?;
    let reset = auth.reset_password().username("hank").send().await?;
    println!("   reset_password -> {:?}", reset.next_step);
    let code = emulator.outbox().latest_code_for("hank").ok_or("no code")?;
    auth.confirm_reset_password()
        .username("hank")
        .new_password("Reset-Passw0rd!")
        .confirmation_code(code)
        .send()
        .await?;
    app.expect_done(app.sign_in("hank", Some("Reset-Passw0rd!"), None).await?)
        .await?;

    println!("10. Required MFA and none set up: choose TOTP, set it up during sign-in");
    let required = UserPoolSpec::new("us-east-1")
        .mfa(MfaConfiguration::On, [MfaMethod::Totp, MfaMethod::Email])
        .user(UserSpec::new("ivan", PASSWORD));
    let (_required_pool, auth) = start(required, &clock).await?;
    let app = App {
        auth: &auth,
        clock: &clock,
    };
    let step = app.sign_in("ivan", Some(PASSWORD), None).await?;
    ensure(
        step == SignInStep::ContinueSignInWithMfaSetupSelection {
            allowed_mfa_types: vec![MfaType::Totp, MfaType::Email],
        },
        "a choice of factor to set up",
    )?;
    let SignInStep::ContinueSignInWithTotpSetup(details) = app.confirm("totp").await? else {
        return Err("expected the TOTP setup step".into());
    };
    app.show_setup(&details);
    let done = auth
        .confirm_sign_in()
        .challenge_response(app.totp(&details)?)
        .friendly_device_name("phone")
        .send()
        .await?;
    app.expect_done(done.next_step).await?;
    println!("Done.");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("error: {}", DisplayErrorContext(&*e));
            ExitCode::FAILURE
        }
    }
}
