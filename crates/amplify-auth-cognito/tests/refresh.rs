//! The refresh policy, refresh-token rotation and the error model end to end against the
//! emulator (its manual clock, fault injection and request counters; the SDK's retries off so a
//! count is a count of attempts).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{
    AuthError, CognitoAuthPlugin, InvalidStateReason, RefreshOperation, ServiceErrorKind,
    SignInStep,
};
use amplify_core::hub::AuthHubEvent;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_core::{Amplify, AmplifyError, AuthorizationType, CredentialsProvider, TokenProvider};
use amplify_emulator::{
    AppClientSpec, Emulator, EmulatorHandle, ErrorKind, Fault, IdentityPoolSpec, MfaConfiguration,
    MfaMethod, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";
const START: u64 = 1_800_000_000;
/// Access tokens live an hour; 4 minutes before expiry is inside the 5-minute buffer.
const INSIDE_BUFFER: Duration = Duration::from_secs(3600 - 240);

struct Setup {
    emulator: EmulatorHandle,
    clock: ManualTimeSource,
    storage: SecureStorageFactory,
}

async fn emulator(pool: UserPoolSpec) -> Setup {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = Emulator::builder()
        .user_pool(pool)
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    Setup {
        emulator,
        clock,
        storage: SecureStorageFactory::in_memory(),
    }
}

fn alice() -> UserPoolSpec {
    UserPoolSpec::new("us-east-1").user(UserSpec::new("alice", PASSWORD).email("a@example.com"))
}

fn builder(s: &Setup) -> amplify_auth_cognito::CognitoAuthPluginBuilder {
    let sdk = aws_types::SdkConfig::builder()
        .retry_config(aws_sdk_cognitoidentityprovider::config::retry::RetryConfig::disabled())
        .build();
    CognitoAuthPlugin::builder()
        .secure_storage_factory(s.storage.clone())
        .sdk_config(sdk)
        .refresh_jitter(Duration::ZERO)
}

/// A "process": a new Amplify and plugin over the shared storage.
async fn process(s: &Setup, auth: CognitoAuthPlugin) -> (Amplify, CognitoAuthPlugin) {
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(s.clock.clone()))
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&s.emulator.amplify_outputs_json())
        .await
        .unwrap();
    (amplify, auth)
}

async fn signed_in(s: &Setup) -> (Amplify, CognitoAuthPlugin) {
    let (amplify, auth) = process(s, builder(s).build()).await;
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    (amplify, auth)
}

fn refresh_failures(events: &mut amplify_core::hub::HubListener<AuthHubEvent>) -> usize {
    let mut n = 0;
    while let Some(e) = events.try_recv() {
        if matches!(e, AuthHubEvent::TokenRefreshFailed(_)) {
            n += 1;
        }
    }
    n
}

#[tokio::test]
async fn a_cognito_blip_inside_the_buffer_keeps_tokens_credentials_and_api_calls_working() {
    let s = emulator(alice()).await;
    let (amplify, auth) = signed_in(&s).await;
    let before = auth.fetch_auth_session().send().await;
    let tokens = before.user_pool_tokens.clone().unwrap();
    let creds = before.credentials.clone().unwrap();
    let mut events = amplify.hub().auth().subscribe();

    s.clock.advance(INSIDE_BUFFER);
    s.emulator
        .faults()
        .inject_always("GetTokensFromRefreshToken", Fault::InternalError);
    s.emulator
        .faults()
        .inject_always("GetCredentialsForIdentity", Fault::InternalError);
    let session = auth.fetch_auth_session().send().await;
    assert_eq!(
        session
            .user_pool_tokens
            .as_ref()
            .unwrap()
            .access_token
            .expose_secret(),
        tokens.access_token.expose_secret(),
        "the still-valid tokens, not an error"
    );
    assert_eq!(
        session.credentials.as_ref().unwrap().access_key_id(),
        creds.access_key_id()
    );
    assert_eq!(refresh_failures(&mut events), 1);

    // What AppSync calls use: the providers Auth registered.
    let registry = amplify.auth_providers();
    let token = registry
        .token_provider(AuthorizationType::AmazonCognitoUserPools)
        .unwrap()
        .latest_token()
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), tokens.access_token.expose_secret());
    let iam = registry
        .credentials_provider(AuthorizationType::AwsIam)
        .unwrap()
        .credentials()
        .await
        .unwrap();
    assert_eq!(iam.access_key_id(), creds.access_key_id());

    // Many API calls during the outage: one refresh attempt in the 30 s interval, not one each.
    for _ in 0..50 {
        assert!(
            auth.fetch_auth_session()
                .send()
                .await
                .user_pool_tokens
                .is_ok()
        );
    }
    assert_eq!(s.emulator.request_count("GetTokensFromRefreshToken"), 1);
    assert_eq!(
        s.emulator.request_count("InitiateAuth"),
        1,
        "a 500 is not a reason to fall back to REFRESH_TOKEN_AUTH"
    );

    // Cognito is back; after the interval the next call refreshes.
    s.emulator.faults().clear();
    s.clock.advance(Duration::from_secs(31));
    let after = auth.fetch_auth_session().send().await;
    let fresh = after.user_pool_tokens.unwrap();
    assert_ne!(
        fresh.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    assert_eq!(s.emulator.request_count("GetTokensFromRefreshToken"), 2);
    assert_ne!(
        after.credentials.unwrap().access_key_id(),
        creds.access_key_id()
    );
}

#[tokio::test]
async fn after_the_real_expiry_the_api_sees_the_cognito_code_and_request_id() {
    let s = emulator(alice()).await;
    let (amplify, auth) = signed_in(&s).await;
    s.clock.advance(Duration::from_secs(3601));
    s.emulator.faults().inject_always(
        "GetTokensFromRefreshToken",
        Fault::ServiceError(ErrorKind::TooManyRequests),
    );
    let session = auth.fetch_auth_session().send().await;
    assert!(
        session.is_signed_in,
        "a throttled refresh is not a sign-out"
    );
    let err = session.user_pool_tokens.unwrap_err();
    assert_eq!(err.service_kind(), Some(ServiceErrorKind::TooManyRequests));
    assert!(err.is_retryable());
    let service = err.service_error().unwrap();
    assert_eq!(service.code(), "TooManyRequestsException");
    assert!(service.request_id().is_some());

    let provider_err = amplify
        .auth_providers()
        .token_provider(AuthorizationType::AmazonCognitoUserPools)
        .unwrap()
        .latest_token()
        .await
        .unwrap_err();
    assert!(provider_err.is_retryable());
    assert_eq!(provider_err.code(), Some("TooManyRequestsException"));
    assert_eq!(provider_err.request_id(), service.request_id());
    let source = std::error::Error::source(&provider_err).expect("the auth error is the source");
    assert!(
        source.to_string().contains("TooManyRequestsException"),
        "{source}"
    );
}

#[tokio::test]
async fn unknown_operation_switches_to_refresh_token_auth_for_the_process() {
    let s = emulator(alice()).await;
    let (_amplify, auth) = signed_in(&s).await;
    let signed_in_calls = s.emulator.request_count("InitiateAuth");
    s.emulator
        .faults()
        .inject_always("GetTokensFromRefreshToken", Fault::UnknownOperation);
    let first = auth.fetch_auth_session().force_refresh(true).send().await;
    assert!(
        first.user_pool_tokens.is_ok(),
        "{:?}",
        first.user_pool_tokens
    );
    assert_eq!(s.emulator.request_count("GetTokensFromRefreshToken"), 1);
    assert_eq!(
        s.emulator.request_count("InitiateAuth"),
        signed_in_calls + 1
    );
    // Remembered: the next refresh goes straight to InitiateAuth.
    let second = auth.fetch_auth_session().force_refresh(true).send().await;
    assert!(second.user_pool_tokens.is_ok());
    assert_eq!(s.emulator.request_count("GetTokensFromRefreshToken"), 1);
    assert_eq!(
        s.emulator.request_count("InitiateAuth"),
        signed_in_calls + 2
    );
}

#[tokio::test]
async fn an_html_error_page_is_a_failed_refresh_not_a_missing_operation() {
    let s = emulator(alice()).await;
    let (_amplify, auth) = signed_in(&s).await;
    let signed_in_calls = s.emulator.request_count("InitiateAuth");
    s.emulator
        .faults()
        .inject("GetTokensFromRefreshToken", Fault::HtmlError(502));
    let failed = auth.fetch_auth_session().force_refresh(true).send().await;
    let err = failed.user_pool_tokens.unwrap_err();
    assert_eq!(
        err.service_kind(),
        Some(ServiceErrorKind::InternalError),
        "{err}"
    );
    assert!(err.is_retryable());
    let ok = auth.fetch_auth_session().force_refresh(true).send().await;
    assert!(ok.user_pool_tokens.is_ok(), "{:?}", ok.user_pool_tokens);
    assert_eq!(s.emulator.request_count("GetTokensFromRefreshToken"), 2);
    assert_eq!(s.emulator.request_count("InitiateAuth"), signed_in_calls);
}

#[tokio::test]
async fn refresh_token_auth_can_be_chosen_and_is_refused_for_rotating_clients() {
    let s = emulator(alice()).await;
    let (_amplify, auth) = process(
        &s,
        builder(&s)
            .refresh_operation(RefreshOperation::InitiateAuth)
            .build(),
    )
    .await;
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let refreshed = auth.fetch_auth_session().force_refresh(true).send().await;
    assert!(refreshed.user_pool_tokens.is_ok());
    assert_eq!(s.emulator.request_count("GetTokensFromRefreshToken"), 0);

    let rotating = emulator(
        UserPoolSpec::new("us-east-1")
            .client(AppClientSpec::new().refresh_token_rotation(true))
            .user(UserSpec::new("alice", PASSWORD).email("a@example.com")),
    )
    .await;
    let (_amplify, auth) = process(
        &rotating,
        builder(&rotating)
            .refresh_operation(RefreshOperation::InitiateAuth)
            .build(),
    )
    .await;
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let refused = auth.fetch_auth_session().force_refresh(true).send().await;
    let err = refused.user_pool_tokens.unwrap_err();
    assert!(err.service_kind().is_some(), "a Cognito refusal: {err}");
}

fn rotating_pool(grace: Duration) -> UserPoolSpec {
    UserPoolSpec::new("us-east-1")
        .client(
            AppClientSpec::new()
                .refresh_token_rotation(true)
                .rotation_grace_period(grace),
        )
        .user(UserSpec::new("alice", PASSWORD).email("a@example.com"))
}

async fn refresh_token_of(auth: &CognitoAuthPlugin) -> String {
    auth.fetch_auth_session()
        .send()
        .await
        .user_pool_tokens
        .unwrap()
        .refresh_token
        .expose_secret()
        .to_owned()
}

#[tokio::test]
async fn rotation_many_refreshes_then_a_crash_then_resume_with_the_newest_token() {
    let s = emulator(rotating_pool(Duration::ZERO)).await;
    let (_amplify, auth) = signed_in(&s).await;
    let mut seen = vec![refresh_token_of(&auth).await];
    for _ in 0..5 {
        let session = auth.fetch_auth_session().force_refresh(true).send().await;
        let token = session
            .user_pool_tokens
            .unwrap()
            .refresh_token
            .expose_secret()
            .to_owned();
        assert!(!seen.contains(&token), "every refresh rotates");
        seen.push(token);
    }
    // The process "crashes" (is dropped) between refreshes; a new one resumes from storage with
    // the newest token, and refreshes with it.
    drop(auth);
    let (_amplify2, resumed) = process(&s, builder(&s).build()).await;
    assert_eq!(&refresh_token_of(&resumed).await, seen.last().unwrap());
    let again = resumed
        .fetch_auth_session()
        .force_refresh(true)
        .send()
        .await;
    assert!(
        again.user_pool_tokens.is_ok(),
        "{:?}",
        again.user_pool_tokens
    );

    // A rotated-out token is refused with RefreshTokenReuseException (grace 0).
    let sdk = aws_sdk_cognitoidentityprovider::Client::from_conf(
        aws_sdk_cognitoidentityprovider::Config::builder()
            .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
            .region(aws_sdk_cognitoidentityprovider::config::Region::new(
                "us-east-1",
            ))
            .endpoint_url(s.emulator.endpoint())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build(),
    );
    let reused = sdk
        .get_tokens_from_refresh_token()
        .client_id(s.emulator.client_id())
        .refresh_token(&seen[0])
        .send()
        .await
        .unwrap_err();
    assert!(
        reused
            .as_service_error()
            .is_some_and(|e| e.is_refresh_token_reuse_exception()),
        "{reused:?}"
    );
}

#[tokio::test]
async fn two_processes_sharing_a_store_follow_each_others_rotation() {
    let s = emulator(rotating_pool(Duration::ZERO)).await;
    let (_a_amplify, a) = signed_in(&s).await;
    let (b_amplify, b) = process(&s, builder(&s).build()).await;
    let original = refresh_token_of(&b).await;
    assert_eq!(original, refresh_token_of(&a).await, "B loaded A's session");
    let mut b_events = b_amplify.hub().auth().subscribe();

    // A rotates; B still holds the old token in memory, which is now refused.
    let a_new = a.fetch_auth_session().force_refresh(true).send().await;
    assert!(a_new.user_pool_tokens.is_ok());
    let b_refresh = b.fetch_auth_session().force_refresh(true).send().await;
    assert!(
        b_refresh.user_pool_tokens.is_ok(),
        "B adopts A's stored token instead of signing out: {:?}",
        b_refresh.user_pool_tokens
    );
    assert!(b_refresh.is_signed_in);
    while let Some(e) = b_events.try_recv() {
        assert!(
            !matches!(e, AuthHubEvent::SessionExpired),
            "B's session must survive"
        );
    }
    // And the other way round.
    let a_again = a.fetch_auth_session().force_refresh(true).send().await;
    assert!(
        a_again.user_pool_tokens.is_ok(),
        "{:?}",
        a_again.user_pool_tokens
    );
    // A third process resumes with the newest token.
    let (_c_amplify, c) = process(&s, builder(&s).build()).await;
    assert_eq!(
        refresh_token_of(&c).await,
        a_again
            .user_pool_tokens
            .unwrap()
            .refresh_token
            .expose_secret()
    );
    assert!(
        c.fetch_auth_session()
            .force_refresh(true)
            .send()
            .await
            .user_pool_tokens
            .is_ok()
    );
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_session_when_no_newer_one_is_stored() {
    let s = emulator(rotating_pool(Duration::ZERO)).await;
    let (amplify, auth) = signed_in(&s).await;
    let mut events = amplify.hub().auth().subscribe();
    s.emulator.faults().inject(
        "GetTokensFromRefreshToken",
        Fault::ServiceError(ErrorKind::RefreshTokenReuse),
    );
    let ended = auth.fetch_auth_session().force_refresh(true).send().await;
    let err = ended.user_pool_tokens.unwrap_err();
    assert!(matches!(err, AuthError::SessionExpired(_)), "{err:?}");
    assert_eq!(
        err.service_kind(),
        Some(ServiceErrorKind::RefreshTokenReuse)
    );
    assert_eq!(err.code(), Some("RefreshTokenReuseException"));
    let mut expired = false;
    while let Some(e) = events.try_recv() {
        expired |= matches!(e, AuthHubEvent::SessionExpired);
    }
    assert!(expired);
    assert!(matches!(
        auth.get_current_user().await,
        Err(AuthError::SignedOut)
    ));
}

/// Every code the service models declare for the operations the plugin calls can come back
/// from the emulator, and maps to its kind with the right retryability.
#[tokio::test]
async fn every_modeled_error_code_maps_to_a_typed_kind() {
    let s = emulator(alice()).await;
    let (_amplify, auth) = process(&s, builder(&s).build()).await;
    let emulator_codes: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    for kind in ServiceErrorKind::ALL {
        let code = kind.code().unwrap();
        assert!(
            emulator_codes.contains(&code),
            "the emulator cannot return {code}"
        );
    }
    for emulated in ErrorKind::ALL {
        let expected = ServiceErrorKind::from_code(emulated.as_str());
        if expected == ServiceErrorKind::Other {
            continue; // an emulator code of an operation this crate does not call
        }
        s.emulator
            .faults()
            .inject("ForgotPassword", Fault::ServiceError(*emulated));
        let err = auth
            .reset_password()
            .username("alice")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.service_kind(), Some(expected), "{emulated:?}: {err}");
        assert_eq!(
            err.is_retryable(),
            matches!(
                expected,
                ServiceErrorKind::TooManyRequests
                    | ServiceErrorKind::InternalError
                    | ServiceErrorKind::ExternalService
            ),
            "{emulated:?}"
        );
        assert!(err.recovery_suggestion().is_some());
        if expected != ServiceErrorKind::UnknownOperation {
            assert!(err.request_id().is_some(), "{emulated:?}");
        }
    }
}

#[tokio::test]
async fn a_password_lockout_is_not_retryable() {
    let s = emulator(alice()).await;
    let (_amplify, auth) = process(&s, builder(&s).build()).await;
    let mut last = None;
    for _ in 0..7 {
        last = Some(
            auth.sign_in()
                .username("alice")
                .password("Wrong-Password-1")
                .send()
                .await
                .unwrap_err(),
        );
    }
    let err = last.unwrap();
    assert_eq!(err.service_kind(), Some(ServiceErrorKind::NotAuthorized));
    assert!(
        err.service_error()
            .unwrap()
            .message()
            .contains("attempts exceeded"),
        "{err}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn confirm_sign_in_keeps_the_challenge_after_a_retryable_failure() {
    let s = emulator(
        UserPoolSpec::new("us-east-1")
            .mfa(MfaConfiguration::Optional, [MfaMethod::Sms])
            .user(
                UserSpec::new("frank", PASSWORD)
                    .phone_number("+15555550100")
                    .sms_mfa(true),
            ),
    )
    .await;
    let (_amplify, auth) = process(&s, builder(&s).build()).await;
    let result = auth
        .sign_in()
        .username("frank")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(matches!(
        result.next_step,
        SignInStep::ConfirmSignInWithSmsMfaCode(_)
    ));
    let code = s.emulator.outbox().next_code_for("frank").await;
    s.emulator
        .faults()
        .inject("RespondToAuthChallenge", Fault::Throttle);
    let throttled = auth
        .confirm_sign_in()
        .challenge_response(code.clone())
        .send()
        .await
        .unwrap_err();
    assert!(throttled.is_retryable(), "{throttled}");
    s.emulator
        .faults()
        .inject("RespondToAuthChallenge", Fault::DropConnection);
    let dropped = auth
        .confirm_sign_in()
        .challenge_response(code.clone())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(dropped, AuthError::Network(_)), "{dropped:?}");
    let done = auth
        .confirm_sign_in()
        .challenge_response(code)
        .send()
        .await
        .unwrap();
    assert_eq!(done.next_step, SignInStep::Done);
    // The challenge is gone once answered.
    assert!(matches!(
        auth.confirm_sign_in().challenge_response("1").send().await,
        Err(AuthError::InvalidState(
            InvalidStateReason::AlreadySignedIn | InvalidStateReason::NoPendingChallenge
        ))
    ));
}

#[tokio::test]
async fn standalone_auth_without_amplify_signs_in_and_registers_providers() {
    let s = emulator(alice()).await;
    let registry = amplify_core::AuthProviderRegistry::default();
    let config =
        amplify_core::AmplifyConfig::from_json(&s.emulator.amplify_outputs_json()).unwrap();
    let auth = builder(&s)
        .time_source(SharedTimeSource::new(s.clock.clone()))
        .build();
    let mut events = auth.hub().auth().subscribe();
    auth.configure_with(&config, &registry).unwrap();
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(matches!(events.try_recv(), Some(AuthHubEvent::SignedIn(_))));
    let token = registry
        .token_provider(AuthorizationType::AmazonCognitoUserPools)
        .unwrap()
        .latest_token()
        .await
        .unwrap();
    assert!(
        s.emulator
            .verify_user_pool_token(token.expose_secret())
            .is_ok()
    );
    assert!(
        registry
            .credentials_provider(AuthorizationType::AwsIam)
            .unwrap()
            .credentials()
            .await
            .is_ok()
    );
}

/// `AuthSession` fields compose with `?` in a function returning `Result<_, AuthError>`.
async fn user_and_identity(auth: &CognitoAuthPlugin) -> Result<(String, String), AuthError> {
    let session = auth.fetch_auth_session().send().await;
    let sub = session.user_sub?;
    let identity = session.identity_id?;
    Ok((sub, identity))
}

#[tokio::test]
async fn session_fields_compose_with_the_question_mark() {
    let s = emulator(alice()).await;
    let (_amplify, auth) = signed_in(&s).await;
    let (sub, identity) = user_and_identity(&auth).await.unwrap();
    assert!(!sub.is_empty() && identity.starts_with("us-east-1:"));
    auth.sign_out().send().await;
    assert!(matches!(
        user_and_identity(&auth).await,
        Err(AuthError::SignedOut)
    ));
}
