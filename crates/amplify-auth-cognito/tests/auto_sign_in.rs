//! Auto sign-in after sign-up end to end against the emulator: a passwordless user signed in with
//! the `Session` of SignUp → ConfirmSignUp → InitiateAuth `USER_AUTH` (one InitiateAuth, no
//! password), a password user signed in with the same session when the client allows
//! `USER_AUTH`, the password replayed when it does not (no session), and `auto_sign_in` without
//! a sign-up.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{AuthError, CognitoAuthPlugin, InvalidStateReason, SignUpStep};
use amplify_core::Amplify;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_emulator::{
    AppClientSpec, AuthFlow, Emulator, EmulatorHandle, FirstFactor, UserPoolSpec,
};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";

async fn setup(pool: UserPoolSpec) -> (EmulatorHandle, CognitoAuthPlugin) {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let emulator = Emulator::builder()
        .user_pool(pool)
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    drop(amplify);
    (emulator, auth)
}

/// Signs `username` up with auto sign-in armed and confirms with the outbox's code; returns the
/// confirmation's next step.
async fn sign_up_and_confirm(
    emulator: &EmulatorHandle,
    auth: &CognitoAuthPlugin,
    username: &str,
    password: Option<&str>,
) -> SignUpStep {
    let mut sign_up = auth
        .sign_up()
        .username(username)
        .user_attribute("email", format!("{username}@example.com"))
        .auto_sign_in(true);
    if let Some(password) = password {
        sign_up = sign_up.password(password);
    }
    let result = sign_up.send().await.unwrap();
    assert!(!result.is_sign_up_complete);
    let SignUpStep::ConfirmSignUp(_) = &result.next_step else {
        panic!("expected ConfirmSignUp, got {:?}", result.next_step)
    };
    let code = emulator.outbox().latest_code_for(username).unwrap();
    let done = auth
        .confirm_sign_up()
        .username(username)
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    assert!(done.is_sign_up_complete);
    done.next_step
}

#[tokio::test]
async fn a_passwordless_sign_up_signs_in_with_the_confirmation_session() {
    let (emulator, auth) = setup(
        UserPoolSpec::new("us-east-1")
            .first_factors([FirstFactor::Password, FirstFactor::EmailOtp]),
    )
    .await;
    let step = sign_up_and_confirm(&emulator, &auth, "ann", None).await;
    assert_eq!(step, SignUpStep::CompleteAutoSignIn);
    assert_eq!(emulator.request_count("InitiateAuth"), 0);

    let result = auth.auto_sign_in().await.unwrap();
    assert!(result.is_signed_in, "{:?}", result.next_step);
    assert_eq!(emulator.request_count("InitiateAuth"), 1);
    assert_eq!(emulator.request_count("RespondToAuthChallenge"), 0);
    assert_eq!(auth.get_current_user().await.unwrap().username, "ann");

    // Spent: a second auto sign-in has nothing to do.
    let err = auth.auto_sign_in().await.unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::InvalidState(InvalidStateReason::NoAutoSignIn)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_password_sign_up_uses_the_session_when_the_client_allows_user_auth() {
    let (emulator, auth) = setup(UserPoolSpec::new("us-east-1")).await;
    let step = sign_up_and_confirm(&emulator, &auth, "ben", Some(PASSWORD)).await;
    assert_eq!(step, SignUpStep::CompleteAutoSignIn);
    let result = auth.auto_sign_in().await.unwrap();
    assert!(result.is_signed_in, "{:?}", result.next_step);
    // The session, not the password: one InitiateAuth and no SRP round trip.
    assert_eq!(emulator.request_count("InitiateAuth"), 1);
    assert_eq!(emulator.request_count("RespondToAuthChallenge"), 0);
}

#[tokio::test]
async fn without_a_session_auto_sign_in_replays_the_password() {
    // The app client does not allow USER_AUTH: SignUp returns no Session.
    let (emulator, auth) = setup(
        UserPoolSpec::new("us-east-1")
            .client(AppClientSpec::new().auth_flows([AuthFlow::UserSrp, AuthFlow::RefreshToken])),
    )
    .await;
    let step = sign_up_and_confirm(&emulator, &auth, "cid", Some(PASSWORD)).await;
    assert_eq!(step, SignUpStep::CompleteAutoSignIn);
    let result = auth.auto_sign_in().await.unwrap();
    assert!(result.is_signed_in, "{:?}", result.next_step);
    // SRP with the remembered password: InitiateAuth then PASSWORD_VERIFIER.
    assert_eq!(emulator.request_count("InitiateAuth"), 1);
    assert_eq!(emulator.request_count("RespondToAuthChallenge"), 1);
    assert_eq!(auth.get_current_user().await.unwrap().username, "cid");
}

#[tokio::test]
async fn auto_sign_in_without_a_sign_up_is_an_invalid_state() {
    let (emulator, auth) = setup(UserPoolSpec::new("us-east-1")).await;
    let err = auth.auto_sign_in().await.unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::InvalidState(InvalidStateReason::NoAutoSignIn)
        ),
        "{err:?}"
    );
    // A sign-up without auto sign-in arms nothing either.
    auth.sign_up()
        .username("dee")
        .password(PASSWORD)
        .user_attribute("email", "dee@example.com")
        .send()
        .await
        .unwrap();
    let err = auth.auto_sign_in().await.unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::InvalidState(InvalidStateReason::NoAutoSignIn)
        ),
        "{err:?}"
    );
    assert_eq!(emulator.request_count("InitiateAuth"), 0);
}
