//! MFA end to end against the emulator (which checks TOTP codes with RFC 6238 on its own clock
//! and refuses reused codes): TOTP setup and sign-in, email MFA, MFA selection, MFA setup
//! during sign-in (TOTP and email), and the MFA preference.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{
    AuthError, CognitoAuthPlugin, DeliveryMedium, MfaPreference, MfaType, ServiceErrorKind,
    SignInStep, TotpSetupDetails,
};
use amplify_core::Amplify;
use amplify_core::time::{ManualTimeSource, SharedTimeSource, TimeSource};
use amplify_emulator::{
    Emulator, EmulatorHandle, IdentityPoolSpec, MfaConfiguration, MfaMethod, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";
const START: u64 = 1_800_000_000;

struct Setup {
    emulator: EmulatorHandle,
    clock: ManualTimeSource,
    amplify: Amplify,
    auth: CognitoAuthPlugin,
}

async fn setup(mfa: MfaConfiguration, methods: &[MfaMethod], user: UserSpec) -> Setup {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .mfa(mfa, methods.iter().copied())
                .user(user),
        )
        .identity_pool(IdentityPoolSpec::new())
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    Setup {
        emulator,
        clock,
        amplify,
        auth,
    }
}

fn alice() -> UserSpec {
    UserSpec::new("alice", PASSWORD)
        .email("alice@example.com")
        .phone_number("+15555550100")
}

impl Setup {
    fn now_secs(&self) -> u64 {
        self.clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    /// The code an authenticator app with this secret shows now.
    fn app_code(&self, details: &TotpSetupDetails) -> String {
        amplify_emulator::totp::code_for_secret_code(
            details.shared_secret().expose_secret(),
            self.now_secs(),
        )
        .unwrap()
    }

    /// Moves to the next 30-second step (a TOTP code is accepted once).
    fn next_step(&self) {
        self.clock.advance(Duration::from_secs(30));
    }

    async fn sign_in(&self) -> SignInStep {
        self.auth
            .sign_in()
            .username("alice")
            .password(PASSWORD)
            .send()
            .await
            .unwrap()
            .next_step
    }

    async fn confirm(&self, value: &str) -> Result<SignInStep, AuthError> {
        self.auth
            .confirm_sign_in()
            .challenge_response(value)
            .send()
            .await
            .map(|r| r.next_step)
    }
}

#[tokio::test]
async fn totp_is_set_up_then_asked_for_at_sign_in() {
    let s = setup(MfaConfiguration::Optional, &[MfaMethod::Totp], alice()).await;
    assert_eq!(s.sign_in().await, SignInStep::Done);

    let details = s.auth.set_up_totp().await.unwrap();
    assert_eq!(details.username(), "alice");
    let uri = details.setup_uri("amplify-rs", None);
    assert!(
        uri.starts_with("otpauth://totp/amplify-rs:alice?secret="),
        "{uri}"
    );
    let wrong = s
        .auth
        .verify_totp_setup()
        .code("000000")
        .send()
        .await
        .unwrap_err();
    // Cognito's answer to a wrong code in VerifySoftwareToken.
    assert_eq!(
        wrong.service_kind(),
        Some(ServiceErrorKind::EnableSoftwareTokenMfa)
    );
    s.auth
        .verify_totp_setup()
        .code(s.app_code(&details))
        .friendly_device_name("phone")
        .send()
        .await
        .unwrap();
    let preference = s.auth.fetch_mfa_preference().await.unwrap();
    assert_eq!(preference.enabled, [MfaType::Totp]);
    assert_eq!(preference.preferred, Some(MfaType::Totp));

    s.auth.sign_out().send().await;
    s.next_step();
    assert_eq!(s.sign_in().await, SignInStep::ConfirmSignInWithTotpMfaCode);
    let wrong = s.confirm("000000").await.unwrap_err();
    assert_eq!(wrong.service_kind(), Some(ServiceErrorKind::CodeMismatch));
    // The challenge stays open after a wrong code.
    assert_eq!(
        s.confirm(&s.app_code(&details)).await.unwrap(),
        SignInStep::Done
    );
    assert!(s.auth.fetch_auth_session().send().await.is_signed_in);
}

#[tokio::test]
async fn email_mfa_sends_a_code_to_the_outbox() {
    let s = setup(MfaConfiguration::Optional, &[MfaMethod::Email], alice()).await;
    s.sign_in().await;
    s.auth
        .update_mfa_preference()
        .email(MfaPreference::Preferred)
        .send()
        .await
        .unwrap();
    s.auth.sign_out().send().await;
    let SignInStep::ConfirmSignInWithOtpCode(delivery) = s.sign_in().await else {
        panic!("expected an email OTP step")
    };
    assert_eq!(delivery.delivery_medium, DeliveryMedium::Email);
    let code = s.emulator.outbox().next_code_for("alice").await;
    let wrong = s.confirm("000000").await.unwrap_err();
    assert_eq!(wrong.service_kind(), Some(ServiceErrorKind::CodeMismatch));
    assert_eq!(s.confirm(&code).await.unwrap(), SignInStep::Done);
}

#[tokio::test]
async fn a_user_with_several_factors_chooses_one() {
    let s = setup(
        MfaConfiguration::Optional,
        &[MfaMethod::Sms, MfaMethod::Totp],
        alice().sms_mfa(true),
    )
    .await;
    // SMS MFA is on: sign in with it, then add TOTP without preferring either.
    assert!(matches!(
        s.sign_in().await,
        SignInStep::ConfirmSignInWithSmsMfaCode(_)
    ));
    let code = s.emulator.outbox().next_code_for("alice").await;
    assert_eq!(s.confirm(&code).await.unwrap(), SignInStep::Done);
    let details = s.auth.set_up_totp().await.unwrap();
    s.auth
        .verify_totp_setup()
        .code(s.app_code(&details))
        .send()
        .await
        .unwrap();
    s.auth
        .update_mfa_preference()
        .sms(MfaPreference::NotPreferred)
        .totp(MfaPreference::NotPreferred)
        .send()
        .await
        .unwrap();
    let preference = s.auth.fetch_mfa_preference().await.unwrap();
    assert_eq!(preference.enabled, [MfaType::Sms, MfaType::Totp]);
    assert_eq!(preference.preferred, None);
    // Two preferred factors are refused before anything is sent.
    assert!(matches!(
        s.auth
            .update_mfa_preference()
            .sms(MfaPreference::Preferred)
            .totp(MfaPreference::Preferred)
            .send()
            .await,
        Err(AuthError::Validation(_))
    ));

    s.auth.sign_out().send().await;
    s.next_step();
    assert_eq!(
        s.sign_in().await,
        SignInStep::ContinueSignInWithMfaSelection {
            allowed_mfa_types: vec![MfaType::Sms, MfaType::Totp]
        }
    );
    // Nonsense is a validation error and the choice stays open.
    assert!(matches!(
        s.confirm("carrier pigeon").await,
        Err(AuthError::Validation(_))
    ));
    assert_eq!(
        s.confirm("TOTP").await.unwrap(),
        SignInStep::ConfirmSignInWithTotpMfaCode
    );
    assert_eq!(
        s.confirm(&s.app_code(&details)).await.unwrap(),
        SignInStep::Done
    );
}

#[tokio::test]
async fn required_totp_is_set_up_during_sign_in() {
    let s = setup(MfaConfiguration::On, &[MfaMethod::Totp], alice()).await;
    let SignInStep::ContinueSignInWithTotpSetup(details) = s.sign_in().await else {
        panic!("expected TOTP setup in the sign-in step")
    };
    let wrong = s.confirm("000000").await.unwrap_err();
    assert_eq!(
        wrong.service_kind(),
        Some(ServiceErrorKind::EnableSoftwareTokenMfa)
    );
    let done = s
        .auth
        .confirm_sign_in()
        .challenge_response(s.app_code(&details))
        .friendly_device_name("phone")
        .send()
        .await
        .unwrap();
    assert_eq!(done.next_step, SignInStep::Done);
    // The set-up factor is enabled: the next sign-in asks for it.
    let preference = s.auth.fetch_mfa_preference().await.unwrap();
    assert_eq!(preference.enabled, [MfaType::Totp]);
    s.auth.sign_out().send().await;
    s.next_step();
    assert_eq!(s.sign_in().await, SignInStep::ConfirmSignInWithTotpMfaCode);
    assert_eq!(
        s.confirm(&s.app_code(&details)).await.unwrap(),
        SignInStep::Done
    );
    let _ = &s.amplify;
}

#[tokio::test]
async fn required_mfa_with_a_choice_sets_up_email() {
    // No email on file: Cognito cannot use email MFA at once, so it asks which to set up.
    let s = setup(
        MfaConfiguration::On,
        &[MfaMethod::Totp, MfaMethod::Email],
        UserSpec::new("alice", PASSWORD),
    )
    .await;
    assert_eq!(
        s.sign_in().await,
        SignInStep::ContinueSignInWithMfaSetupSelection {
            allowed_mfa_types: vec![MfaType::Totp, MfaType::Email]
        }
    );
    assert_eq!(
        s.confirm("email").await.unwrap(),
        SignInStep::ContinueSignInWithEmailMfaSetup
    );
    let SignInStep::ConfirmSignInWithOtpCode(delivery) =
        s.confirm("alice@example.com").await.unwrap()
    else {
        panic!("expected an email code after giving the address")
    };
    assert_eq!(delivery.delivery_medium, DeliveryMedium::Email);
    let code = s.emulator.outbox().next_code_for("alice").await;
    assert_eq!(s.confirm(&code).await.unwrap(), SignInStep::Done);
    let preference = s.auth.fetch_mfa_preference().await.unwrap();
    assert!(
        preference.enabled.contains(&MfaType::Email),
        "{preference:?}"
    );
}
