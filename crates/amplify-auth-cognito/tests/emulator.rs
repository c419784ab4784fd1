//! Every flow and next step end to end against the in-process emulator, including errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{
    AuthError, AuthFlowType, CognitoAuthPlugin, FederationProvider, ServiceErrorKind, SignInStep,
    SignOutResult, SignOutScope, SignUpStep,
};
use amplify_core::hub::AuthHubEvent;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_core::{Amplify, AmplifyError, AuthorizationType, CredentialsProvider, TokenProvider};
use amplify_emulator::triggers::{
    CreateAuthChallenge, CreateAuthChallengeResult, CustomAuthTriggers, DefineAuthChallenge,
    DefineAuthChallengeResult, TriggerError, VerifyAuthChallenge,
};
use amplify_emulator::{
    AppClientSpec, Emulator, EmulatorHandle, IdentityPoolSpec, MfaConfiguration, MfaMethod,
    SeedStatus, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";
const START: u64 = 1_800_000_000;

struct Setup {
    emulator: EmulatorHandle,
    clock: ManualTimeSource,
    amplify: Amplify,
    auth: CognitoAuthPlugin,
    storage: SecureStorageFactory,
}

async fn setup_with(pool: UserPoolSpec, guests: bool) -> Setup {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = Emulator::builder()
        .user_pool(pool)
        .identity_pool(IdentityPoolSpec::new().allow_guests(guests))
        .oidc_issuer("https://issuer.example.com")
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    let storage = SecureStorageFactory::in_memory();
    let (amplify, auth) = client(&emulator, &clock, &storage).await;
    Setup {
        emulator,
        clock,
        amplify,
        auth,
        storage,
    }
}

/// A fresh "process": a new Amplify and plugin over the same storage.
async fn client(
    emulator: &EmulatorHandle,
    clock: &ManualTimeSource,
    storage: &SecureStorageFactory,
) -> (Amplify, CognitoAuthPlugin) {
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let sdk = aws_types::SdkConfig::builder()
        .retry_config(aws_sdk_cognitoidentityprovider::config::retry::RetryConfig::disabled())
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(storage.clone())
        .sdk_config(sdk)
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    (amplify, auth)
}

async fn setup() -> Setup {
    setup_with(
        UserPoolSpec::new("us-east-1")
            .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        true,
    )
    .await
}

fn kind(e: &AuthError) -> Option<ServiceErrorKind> {
    e.service_kind()
}

#[tokio::test]
async fn sign_up_confirm_and_sign_in_with_srp() {
    let s = setup().await;
    let mut hub = s.amplify.hub().auth().subscribe();
    let result = s
        .auth
        .sign_up()
        .username("bob")
        .password(PASSWORD)
        .user_attribute("email", "bob@example.com")
        .send()
        .await
        .unwrap();
    assert!(!result.is_sign_up_complete);
    assert!(result.user_id.is_some());
    let SignUpStep::ConfirmSignUp(delivery) = &result.next_step else {
        panic!("{result:?}")
    };
    assert_eq!(delivery.attribute_name.as_deref(), Some("email"));

    // Not confirmed yet: sign-in points at confirm sign-up.
    let early = s
        .auth
        .sign_in()
        .username("bob")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(early.next_step, SignInStep::ConfirmSignUp);

    let code = s.emulator.outbox().next_code_for("bob").await;
    let wrong = s
        .auth
        .confirm_sign_up()
        .username("bob")
        .confirmation_code("000000")
        .send()
        .await;
    assert_eq!(
        kind(&wrong.unwrap_err()),
        Some(ServiceErrorKind::CodeMismatch)
    );
    let done = s
        .auth
        .confirm_sign_up()
        .username("bob")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    assert_eq!(done.next_step, SignUpStep::Done);

    let signed_in = s
        .auth
        .sign_in()
        .username("bob")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(signed_in.is_signed_in);
    assert_eq!(signed_in.next_step, SignInStep::Done);
    match hub.recv().await {
        Some(AuthHubEvent::SignedIn(user)) => assert_eq!(user.username, "bob"),
        other => panic!("{other:?}"),
    }
    let user = s.auth.get_current_user().await.unwrap();
    assert_eq!(user.username, "bob");
    assert_eq!(
        user.sign_in_details.auth_flow_type,
        Some(AuthFlowType::UserSrpAuth)
    );
    let session = s.auth.fetch_auth_session().send().await;
    let claims = session
        .user_pool_tokens
        .as_ref()
        .unwrap()
        .id_token
        .claims()
        .clone();
    assert_eq!(claims.email(), Some("bob@example.com"));
    assert_eq!(session.user_sub.as_deref().ok(), claims.sub());
}

#[tokio::test]
async fn resend_code_and_expired_code() {
    let s = setup_with(
        UserPoolSpec::new("us-east-1").code_validity(Duration::from_secs(600)),
        false,
    )
    .await;
    s.auth
        .sign_up()
        .username("carol")
        .password(PASSWORD)
        .user_attribute("email", "c@example.com")
        .send()
        .await
        .unwrap();
    let old = s.emulator.outbox().next_code_for("carol").await;
    s.clock.advance(Duration::from_secs(601));
    let expired = s
        .auth
        .confirm_sign_up()
        .username("carol")
        .confirmation_code(old)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        kind(&expired),
        Some(ServiceErrorKind::ExpiredCode),
        "{expired}"
    );
    let delivery = s
        .auth
        .resend_sign_up_code()
        .username("carol")
        .send()
        .await
        .unwrap();
    assert_eq!(delivery.attribute_name.as_deref(), Some("email"));
    let fresh = s.emulator.outbox().next_code_for("carol").await;
    s.auth
        .confirm_sign_up()
        .username("carol")
        .confirmation_code(fresh)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn sign_in_errors_are_typed() {
    let s = setup().await;
    let wrong = s
        .auth
        .sign_in()
        .username("alice")
        .password("Wrong-Password-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        kind(&wrong),
        Some(ServiceErrorKind::NotAuthorized),
        "{wrong}"
    );
    assert!(wrong.recovery_suggestion().is_some());
    let unknown = s
        .auth
        .sign_in()
        .username("nobody")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            kind(&unknown),
            Some(ServiceErrorKind::UserNotFound | ServiceErrorKind::NotAuthorized)
        ),
        "{unknown}"
    );
    let weak = s
        .auth
        .sign_up()
        .username("dave")
        .password("short")
        .user_attribute("email", "d@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        kind(&weak),
        Some(ServiceErrorKind::InvalidPassword),
        "{weak}"
    );
    let taken = s
        .auth
        .sign_up()
        .username("alice")
        .password(PASSWORD)
        .user_attribute("email", "a2@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        kind(&taken),
        Some(ServiceErrorKind::UsernameExists),
        "{taken}"
    );
}

#[tokio::test]
async fn password_flow_and_switching_flows_at_runtime() {
    let s = setup().await;
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .auth_flow_type(AuthFlowType::UserPasswordAuth)
        .send()
        .await
        .unwrap();
    let user = s.auth.get_current_user().await.unwrap();
    assert_eq!(
        user.sign_in_details.auth_flow_type,
        Some(AuthFlowType::UserPasswordAuth)
    );
    // Signed in: signing in again needs a sign-out first.
    let again = s
        .auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(again, AuthError::InvalidState(_)));
    assert!(matches!(
        s.auth.sign_out().send().await,
        SignOutResult::Complete
    ));
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn new_password_required_with_missing_attributes() {
    let s = setup_with(
        UserPoolSpec::new("us-east-1")
            .required_attributes(["email", "name"])
            .user(
                UserSpec::new("erin", "Temporary-Pass-1")
                    .email("erin@example.com")
                    .status(SeedStatus::ForceChangePassword),
            ),
        false,
    )
    .await;
    let result = s
        .auth
        .sign_in()
        .username("erin")
        .password("Temporary-Pass-1")
        .send()
        .await
        .unwrap();
    let SignInStep::ConfirmSignInWithNewPassword { missing_attributes } = &result.next_step else {
        panic!("{result:?}")
    };
    assert_eq!(missing_attributes, &["name".to_owned()]);
    let done = s
        .auth
        .confirm_sign_in()
        .challenge_response("Brand-New-Pass-2")
        .user_attribute("name", "Erin")
        .send()
        .await
        .unwrap();
    assert_eq!(done.next_step, SignInStep::Done);
    let session = s.auth.fetch_auth_session().send().await;
    let tokens = session.user_pool_tokens.unwrap();
    assert_eq!(tokens.id_token.claims().string("name"), Some("Erin"));
    s.auth.sign_out().send().await;
    s.auth
        .sign_in()
        .username("erin")
        .password("Brand-New-Pass-2")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn sms_mfa_wrong_then_right_code() {
    let s = setup_with(
        UserPoolSpec::new("us-east-1")
            .mfa(MfaConfiguration::Optional, [MfaMethod::Sms])
            .user(
                UserSpec::new("frank", PASSWORD)
                    .phone_number("+15555550100")
                    .sms_mfa(true),
            ),
        false,
    )
    .await;
    let result = s
        .auth
        .sign_in()
        .username("frank")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let SignInStep::ConfirmSignInWithSmsMfaCode(delivery) = &result.next_step else {
        panic!("{result:?}")
    };
    assert!(delivery.destination.is_some());
    let code = s.emulator.outbox().next_code_for("frank").await;
    let wrong = s
        .auth
        .confirm_sign_in()
        .challenge_response("000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        kind(&wrong),
        Some(ServiceErrorKind::CodeMismatch),
        "{wrong}"
    );
    let done = s
        .auth
        .confirm_sign_in()
        .challenge_response(code)
        .send()
        .await
        .unwrap();
    assert_eq!(done.next_step, SignInStep::Done);
}

/// One custom challenge: the answer is "42".
#[derive(Debug)]
struct Riddle;

impl CustomAuthTriggers for Riddle {
    fn define_auth_challenge(
        &self,
        event: &DefineAuthChallenge,
    ) -> Result<DefineAuthChallengeResult, TriggerError> {
        let last = event.session.last();
        Ok(match last {
            Some(r) if r.challenge_name == "CUSTOM_CHALLENGE" && r.challenge_result => {
                DefineAuthChallengeResult::issue_tokens()
            }
            Some(r) if r.challenge_name == "CUSTOM_CHALLENGE" => DefineAuthChallengeResult::fail(),
            Some(r) if r.challenge_name == "SRP_A" || r.challenge_name == "PASSWORD_VERIFIER" => {
                if r.challenge_name == "SRP_A" {
                    DefineAuthChallengeResult::challenge("PASSWORD_VERIFIER")
                } else {
                    DefineAuthChallengeResult::challenge("CUSTOM_CHALLENGE")
                }
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

#[tokio::test]
async fn custom_auth_without_and_with_srp() {
    let s = setup_with(
        UserPoolSpec::new("us-east-1")
            .triggers(Riddle)
            .user(UserSpec::new("gina", PASSWORD)),
        false,
    )
    .await;
    let result = s
        .auth
        .sign_in()
        .username("gina")
        .auth_flow_type(AuthFlowType::CustomAuthWithoutSrp)
        .send()
        .await
        .unwrap();
    let SignInStep::ConfirmSignInWithCustomChallenge { additional_info } = &result.next_step else {
        panic!("{result:?}")
    };
    assert_eq!(
        additional_info.get("question").map(String::as_str),
        Some("6 x 7?")
    );
    let done = s
        .auth
        .confirm_sign_in()
        .challenge_response("42")
        .send()
        .await
        .unwrap();
    assert_eq!(done.next_step, SignInStep::Done);
    s.auth.sign_out().send().await;

    let result = s
        .auth
        .sign_in()
        .username("gina")
        .password(PASSWORD)
        .auth_flow_type(AuthFlowType::CustomAuthWithSrp)
        .send()
        .await
        .unwrap();
    assert!(
        matches!(
            result.next_step,
            SignInStep::ConfirmSignInWithCustomChallenge { .. }
        ),
        "{result:?}"
    );
    let wrong = s
        .auth
        .confirm_sign_in()
        .challenge_response("41")
        .send()
        .await;
    assert!(wrong.is_err(), "{wrong:?}");
}

#[tokio::test]
async fn reset_password_with_code() {
    let s = setup().await;
    let started = s
        .auth
        .reset_password()
        .username("alice")
        .send()
        .await
        .unwrap();
    assert!(!started.is_password_reset);
    let code = s.emulator.outbox().next_code_for("alice").await;
    let wrong = s
        .auth
        .confirm_reset_password()
        .username("alice")
        .new_password("Another-Pass-3")
        .confirmation_code("000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kind(&wrong), Some(ServiceErrorKind::CodeMismatch));
    let done = s
        .auth
        .confirm_reset_password()
        .username("alice")
        .new_password("Another-Pass-3")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    assert!(done.is_password_reset);
    s.auth
        .sign_in()
        .username("alice")
        .password("Another-Pass-3")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn app_client_with_a_secret_sends_secret_hash_everywhere() {
    let s = setup_with(
        UserPoolSpec::new("us-east-1")
            .client(AppClientSpec::new().secret(true))
            .user(UserSpec::new("hank", PASSWORD).email("h@example.com")),
        false,
    )
    .await;
    assert!(s.emulator.client_secret().is_some());
    s.auth
        .sign_in()
        .username("hank")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let refreshed = s.auth.fetch_auth_session().force_refresh(true).send().await;
    assert!(
        refreshed.user_pool_tokens.is_ok(),
        "{:?}",
        refreshed.user_pool_tokens
    );
    assert!(matches!(
        s.auth.sign_out().send().await,
        SignOutResult::Complete
    ));
    s.auth
        .sign_up()
        .username("ivy")
        .password(PASSWORD)
        .user_attribute("email", "i@example.com")
        .send()
        .await
        .unwrap();
    s.auth
        .reset_password()
        .username("hank")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn session_has_identity_and_credentials_and_resumes_in_a_new_process() {
    let s = setup().await;
    // A guest gets credentials too (the pool allows guests).
    let guest = s.auth.fetch_auth_session().send().await;
    assert!(!guest.is_signed_in);
    let guest_id = guest.identity_id.clone().unwrap();
    assert!(guest.credentials.is_ok());

    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let session = s.auth.fetch_auth_session().send().await;
    let identity = session.identity_id.clone().unwrap();
    assert_ne!(
        identity, guest_id,
        "a signed-in user gets an authenticated identity"
    );
    let creds = session.credentials.clone().unwrap();
    assert!(
        s.emulator
            .issued_credentials(creds.access_key_id())
            .is_some()
    );
    assert!(creds.expiration().is_some());

    // The same login maps to the same identity id, also from a new process on the same storage.
    let (_amplify2, auth2) = client(&s.emulator, &s.clock, &s.storage).await;
    let resumed = auth2.fetch_auth_session().send().await;
    assert!(resumed.is_signed_in);
    assert_eq!(resumed.identity_id.unwrap(), identity);
    assert_eq!(auth2.get_current_user().await.unwrap().username, "alice");

    // The providers API uses are registered.
    let token = s
        .amplify
        .auth_providers()
        .token_provider(AuthorizationType::AmazonCognitoUserPools)
        .unwrap();
    let access = token.latest_token().await.unwrap();
    assert!(
        s.emulator
            .verify_user_pool_token(access.expose_secret())
            .is_ok()
    );
    let iam = s
        .amplify
        .auth_providers()
        .credentials_provider(AuthorizationType::AwsIam)
        .unwrap();
    assert_eq!(
        iam.credentials().await.unwrap().access_key_id(),
        creds.access_key_id()
    );
}

#[tokio::test]
async fn expired_tokens_refresh_automatically_and_expired_refresh_tokens_end_the_session() {
    let s = setup().await;
    let mut hub = s.amplify.hub().auth().subscribe();
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let first = s
        .auth
        .fetch_auth_session()
        .send()
        .await
        .user_pool_tokens
        .unwrap();
    s.clock.advance(Duration::from_secs(3600));
    let second = s
        .auth
        .fetch_auth_session()
        .send()
        .await
        .user_pool_tokens
        .unwrap();
    assert_ne!(
        first.access_token.expose_secret(),
        second.access_token.expose_secret()
    );
    assert!(second.access_token.expires_at() > first.access_token.expires_at());
    assert!(
        s.emulator
            .verify_user_pool_token(second.access_token.expose_secret())
            .is_ok()
    );
    let mut names = Vec::new();
    while let Some(e) = hub.try_recv() {
        names.push(e.name());
    }
    assert_eq!(names, ["SIGNED_IN", "TOKEN_REFRESH"]);

    // 31 days later the refresh token has expired too.
    s.clock.advance(Duration::from_secs(31 * 86_400));
    let session = s.auth.fetch_auth_session().send().await;
    assert!(matches!(
        session.user_pool_tokens.as_ref().unwrap_err(),
        AuthError::SessionExpired(_)
    ));
    assert!(std::iter::from_fn(|| hub.try_recv()).any(|e| e == AuthHubEvent::SessionExpired));
    assert!(!s.auth.fetch_auth_session().send().await.is_signed_in);
    assert!(matches!(
        s.auth.get_current_user().await,
        Err(AuthError::SignedOut)
    ));
}

#[tokio::test]
async fn global_sign_out_revokes_tokens_on_every_device() {
    let s = setup().await;
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    // A second device.
    let other_storage = SecureStorageFactory::in_memory();
    let (_other_amplify, other) = client(&s.emulator, &s.clock, &other_storage).await;
    other
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let other_tokens = other
        .fetch_auth_session()
        .send()
        .await
        .user_pool_tokens
        .unwrap();

    let result = s.auth.sign_out().scope(SignOutScope::Global).send().await;
    assert!(matches!(result, SignOutResult::Complete), "{result:?}");
    assert!(
        s.emulator
            .verify_user_pool_token(other_tokens.access_token.expose_secret())
            .is_err()
    );
    // The other device finds out at its next refresh.
    let refreshed = other.fetch_auth_session().force_refresh(true).send().await;
    assert!(matches!(
        &refreshed.user_pool_tokens.unwrap_err(),
        AuthError::SessionExpired(_)
    ));
}

#[tokio::test]
async fn local_sign_out_revokes_the_refresh_token() {
    let s = setup().await;
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let tokens = s
        .auth
        .fetch_auth_session()
        .send()
        .await
        .user_pool_tokens
        .unwrap();
    assert!(matches!(
        s.auth.sign_out().send().await,
        SignOutResult::Complete
    ));
    assert!(
        s.emulator
            .verify_user_pool_token(tokens.access_token.expose_secret())
            .is_err()
    );
    assert!(!s.auth.fetch_auth_session().send().await.is_signed_in);
}

#[tokio::test]
async fn sign_out_reports_a_failed_revocation_as_partial() {
    let s = setup().await;
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    s.emulator
        .faults()
        .inject("RevokeToken", amplify_emulator::Fault::InternalError);
    match s.auth.sign_out().send().await {
        SignOutResult::Partial {
            revoke_token_error: Some(e),
            global_sign_out_error: None,
        } => assert!(e.is_retryable()),
        other => panic!("{other:?}"),
    }
    assert!(!s.auth.fetch_auth_session().send().await.is_signed_in);
}

#[tokio::test]
async fn federation_to_the_identity_pool() {
    let s = setup().await;
    let token = s
        .emulator
        .mint_oidc_token("https://issuer.example.com", "oidc-user-1")
        .unwrap();
    let result = s
        .auth
        .federate_to_identity_pool()
        .token(token.as_str())
        .provider(FederationProvider::Oidc(
            "https://issuer.example.com".into(),
        ))
        .send()
        .await
        .unwrap();
    assert!(!result.identity_id.is_empty());
    assert!(
        s.emulator
            .issued_credentials(result.credentials.access_key_id())
            .is_some()
    );
    let session = s.auth.fetch_auth_session().send().await;
    assert!(session.is_signed_in);
    assert_eq!(session.identity_id.as_deref().unwrap(), result.identity_id);
    assert!(matches!(
        s.auth.get_current_user().await,
        Err(AuthError::InvalidState(_))
    ));
    let err = s
        .auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::InvalidState(_)));

    // The same external user federates to the same identity.
    s.auth.clear_federation_to_identity_pool().await.unwrap();
    let again = s
        .auth
        .federate_to_identity_pool()
        .token(token.as_str())
        .provider(FederationProvider::Oidc(
            "https://issuer.example.com".into(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(again.identity_id, result.identity_id);
    s.auth.clear_federation_to_identity_pool().await.unwrap();

    // A developer-provided identity id is used as given.
    let dev = s
        .auth
        .federate_to_identity_pool()
        .token(token.as_str())
        .provider(FederationProvider::Oidc(
            "https://issuer.example.com".into(),
        ))
        .developer_provided_identity_id(result.identity_id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(dev.identity_id, result.identity_id);
    s.auth.clear_federation_to_identity_pool().await.unwrap();

    // A forged token is refused.
    let forged = s
        .auth
        .federate_to_identity_pool()
        .token(format!("{token}x"))
        .provider(FederationProvider::Oidc(
            "https://issuer.example.com".into(),
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        kind(&forged),
        Some(ServiceErrorKind::NotAuthorized),
        "{forged}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_fetches_make_one_refresh_and_one_identity_exchange() {
    let s = setup().await;
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    // Right after sign-in: one GetId and one GetCredentialsForIdentity for everybody.
    let tasks: Vec<_> = (0..10_000)
        .map(|_| {
            let auth = s.auth.clone();
            tokio::spawn(async move { auth.fetch_auth_session().send().await })
        })
        .collect();
    let mut identities = std::collections::HashSet::new();
    for t in tasks {
        identities.insert(t.await.unwrap().identity_id.unwrap());
    }
    assert_eq!(identities.len(), 1);
    assert_eq!(s.emulator.request_count("GetId"), 1);
    assert_eq!(s.emulator.request_count("GetCredentialsForIdentity"), 1);

    // Expired tokens: one refresh for 10,000 callers, all see the new tokens.
    s.clock.advance(Duration::from_secs(3600));
    let before = s.emulator.request_count("GetTokensFromRefreshToken")
        + s.emulator.request_count("InitiateAuth");
    let tasks: Vec<_> = (0..10_000)
        .map(|_| {
            let auth = s.auth.clone();
            tokio::spawn(async move { auth.fetch_auth_session().send().await })
        })
        .collect();
    let mut tokens = std::collections::HashSet::new();
    for t in tasks {
        tokens.insert(
            t.await
                .unwrap()
                .user_pool_tokens
                .unwrap()
                .access_token
                .expose_secret()
                .to_owned(),
        );
    }
    let after = s.emulator.request_count("GetTokensFromRefreshToken")
        + s.emulator.request_count("InitiateAuth");
    assert_eq!(after - before, 1, "exactly one refresh request");
    assert_eq!(tokens.len(), 1, "everybody got the same new tokens");
}

#[tokio::test]
async fn a_network_failure_during_refresh_keeps_the_session() {
    let s = setup().await;
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    s.clock.advance(Duration::from_secs(3600));
    s.emulator.faults().inject(
        "GetTokensFromRefreshToken",
        amplify_emulator::Fault::DropConnection,
    );
    let failed = s.auth.fetch_auth_session().send().await;
    assert!(failed.is_signed_in);
    let err = failed.user_pool_tokens.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    // The next attempt waits for the 30 s minimum interval; inside it the error is repeated
    // without a request.
    let requests = s.emulator.request_count("GetTokensFromRefreshToken");
    assert!(
        s.auth
            .fetch_auth_session()
            .send()
            .await
            .user_pool_tokens
            .is_err()
    );
    assert_eq!(
        s.emulator.request_count("GetTokensFromRefreshToken"),
        requests
    );
    s.clock.advance(Duration::from_secs(30));
    let ok = s.auth.fetch_auth_session().send().await;
    assert!(ok.user_pool_tokens.is_ok(), "{:?}", ok.user_pool_tokens);
}

#[tokio::test]
async fn clock_skew_is_learned_from_the_server_and_used_for_srp_and_expiry() {
    // The device clock is 2 hours behind the server's.
    let s = setup().await;
    let device = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START - 7200));
    let storage = SecureStorageFactory::in_memory();
    let (_amplify, auth) = client(&s.emulator, &device, &storage).await;
    // The first request teaches the offset; SRP's TIMESTAMP then matches the server's clock.
    let _ = auth.reset_password().username("nobody-at-all").send().await;
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    // Server time moves past token expiry while the device clock is still "before" it.
    s.clock.advance(Duration::from_secs(3600));
    device.advance(Duration::from_secs(3600));
    let first = auth
        .fetch_auth_session()
        .send()
        .await
        .user_pool_tokens
        .unwrap();
    assert!(
        s.emulator
            .verify_user_pool_token(first.access_token.expose_secret())
            .is_ok()
    );
}
