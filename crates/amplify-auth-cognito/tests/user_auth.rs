//! Choice-based sign-in (`USER_AUTH`) end to end against the emulator: the first-factor
//! selection, each factor, a preferred factor, and the typed refusal of passkeys.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{
    AuthError, AuthFactorType, AuthFlowType, CognitoAuthPlugin, DeliveryMedium, ServiceErrorKind,
    SignInStep,
};
use amplify_core::Amplify;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_emulator::{Emulator, EmulatorHandle, FirstFactor, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";

async fn setup() -> (EmulatorHandle, CognitoAuthPlugin) {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .first_factors([FirstFactor::Password, FirstFactor::EmailOtp])
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
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
    // The plugin lives on in `auth`; the Amplify value is only needed to configure it.
    drop(amplify);
    (emulator, auth)
}

async fn start(auth: &CognitoAuthPlugin) -> SignInStep {
    auth.sign_in()
        .username("alice")
        .auth_flow_type(AuthFlowType::UserAuth)
        .send()
        .await
        .unwrap()
        .next_step
}

async fn confirm(auth: &CognitoAuthPlugin, value: &str) -> Result<SignInStep, AuthError> {
    auth.confirm_sign_in()
        .challenge_response(value)
        .send()
        .await
        .map(|r| r.next_step)
}

#[tokio::test]
async fn the_pool_offers_its_factors_and_each_one_signs_in() {
    let (emulator, auth) = setup().await;
    let SignInStep::ContinueSignInWithFirstFactorSelection { available_factors } =
        start(&auth).await
    else {
        panic!("expected a first-factor selection")
    };
    assert!(available_factors.contains(&AuthFactorType::PasswordSrp));
    assert!(available_factors.contains(&AuthFactorType::EmailOtp));

    // EMAIL_OTP: a code by email.
    let SignInStep::ConfirmSignInWithOtpCode(delivery) = confirm(&auth, "EMAIL_OTP").await.unwrap()
    else {
        panic!("expected an email code")
    };
    assert_eq!(delivery.delivery_medium, DeliveryMedium::Email);
    let code = emulator.outbox().next_code_for("alice").await;
    assert_eq!(confirm(&auth, &code).await.unwrap(), SignInStep::Done);
    auth.sign_out().send().await;

    // PASSWORD_SRP: the password, proven with SRP (PASSWORD_VERIFIER answered inside).
    start(&auth).await;
    assert_eq!(
        confirm(&auth, "password_srp").await.unwrap(),
        SignInStep::ConfirmSignInWithPassword
    );
    assert_eq!(confirm(&auth, PASSWORD).await.unwrap(), SignInStep::Done);
    auth.sign_out().send().await;

    // PASSWORD: sent as is; a wrong one is refused.
    start(&auth).await;
    assert_eq!(
        confirm(&auth, "PASSWORD").await.unwrap(),
        SignInStep::ConfirmSignInWithPassword
    );
    let wrong = confirm(&auth, "Wrong-Password-1").await.unwrap_err();
    assert_eq!(wrong.service_kind(), Some(ServiceErrorKind::NotAuthorized));
}

#[tokio::test]
async fn a_preferred_factor_skips_the_selection() {
    let (emulator, auth) = setup().await;
    let result = auth
        .sign_in()
        .username("alice")
        .auth_flow_type(AuthFlowType::UserAuth)
        .preferred_first_factor(AuthFactorType::EmailOtp)
        .send()
        .await
        .unwrap();
    assert!(matches!(
        result.next_step,
        SignInStep::ConfirmSignInWithOtpCode(_)
    ));
    let code = emulator.outbox().next_code_for("alice").await;
    assert_eq!(confirm(&auth, &code).await.unwrap(), SignInStep::Done);
    auth.sign_out().send().await;

    let srp = auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .auth_flow_type(AuthFlowType::UserAuth)
        .preferred_first_factor(AuthFactorType::PasswordSrp)
        .send()
        .await
        .unwrap();
    assert_eq!(srp.next_step, SignInStep::Done);
}

#[tokio::test]
async fn passkeys_and_nonsense_are_typed_refusals() {
    let (_emulator, auth) = setup().await;
    assert!(matches!(
        auth.sign_in()
            .username("alice")
            .auth_flow_type(AuthFlowType::UserAuth)
            .preferred_first_factor(AuthFactorType::WebAuthn)
            .send()
            .await,
        Err(AuthError::Validation(ref v)) if v.field() == "preferred_first_factor"
    ));
    // A password factor needs the password up front.
    assert!(matches!(
        auth.sign_in()
            .username("alice")
            .auth_flow_type(AuthFlowType::UserAuth)
            .preferred_first_factor(AuthFactorType::Password)
            .send()
            .await,
        Err(AuthError::Validation(ref v)) if v.field() == "password"
    ));
    start(&auth).await;
    assert!(matches!(
        confirm(&auth, "CARRIER_PIGEON").await,
        Err(AuthError::Validation(_))
    ));
    assert!(matches!(
        confirm(&auth, "WEB_AUTHN").await,
        Err(AuthError::Validation(_))
    ));
    // The selection is still open after refusals.
    assert_eq!(
        confirm(&auth, "PASSWORD_SRP").await.unwrap(),
        SignInStep::ConfirmSignInWithPassword
    );
}
