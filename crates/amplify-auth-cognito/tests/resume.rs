//! A new process with the same storage resumes the session without a network call; cached reads
//! touch neither storage nor network; secrets stay out of Debug output and logs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_auth_cognito::{AuthError, CognitoAuthPlugin, SignInStep};
use amplify_core::Amplify;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_secure_storage::{SecureStorage, SecureStorageFactory, StorageScope};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;

const CLIENT: &str = "resumeclient";
const IDENTITY_POOL: &str = "us-east-1:00000000-0000-4000-8000-00000000beef";

/// Port 9 on loopback: nothing listens, so any network call fails at once.
fn config() -> String {
    format!(
        r#"{{"version": "1", "auth": {{"aws_region": "us-east-1", "user_pool_id": "us-east-1_Resume",
        "user_pool_client_id": "{CLIENT}", "user_pool_endpoint": "http://127.0.0.1:9",
        "identity_pool_id": "{IDENTITY_POOL}", "identity_pool_endpoint": "http://127.0.0.1:9"}}}}"#
    )
}

fn jwt(claims: &serde_json::Value) -> String {
    format!(
        "eyJhbGciOiJSUzI1NiJ9.{}.U0lHTkFUVVJF",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
    )
}

const NOW: u64 = 1_800_000_000;

async fn seeded_storage(exp: u64) -> SecureStorageFactory {
    let factory = SecureStorageFactory::in_memory();
    let storage = factory
        .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
        .unwrap();
    let access = jwt(
        &serde_json::json!({"sub": "sub-1", "username": "alice", "token_use": "access", "exp": exp}),
    );
    let id = jwt(
        &serde_json::json!({"sub": "sub-1", "cognito:username": "alice", "token_use": "id", "exp": exp,
        "email": "alice@example.com", "cognito:groups": ["admins"], "custom:plan": "pro"}),
    );
    for (key, value) in [
        (format!("{CLIENT}.accessToken"), access),
        (format!("{CLIENT}.idToken"), id),
        (
            format!("{CLIENT}.refreshToken"),
            "REFRESH-SECRET".to_owned(),
        ),
        (format!("{CLIENT}.username"), "alice".to_owned()),
        (format!("{CLIENT}.authFlowType"), "USER_SRP_AUTH".to_owned()),
        (
            format!("{IDENTITY_POOL}.identityId"),
            "us-east-1:identity-1".to_owned(),
        ),
        (
            format!("{IDENTITY_POOL}.accessKeyId"),
            "ASIAVISIBLE".to_owned(),
        ),
        (
            format!("{IDENTITY_POOL}.secretAccessKey"),
            "AWS-SECRET-KEY".to_owned(),
        ),
        (
            format!("{IDENTITY_POOL}.sessionToken"),
            "AWS-SESSION-TOKEN".to_owned(),
        ),
        (format!("{IDENTITY_POOL}.expiration"), exp.to_string()),
    ] {
        storage
            .write(&key, SecretString::from(value))
            .await
            .unwrap();
    }
    factory
}

async fn configured(factory: SecureStorageFactory, now: u64) -> (CognitoAuthPlugin, Amplify) {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(now));
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(factory)
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify.configure(&config()).await.unwrap();
    (auth, amplify)
}

#[tokio::test]
async fn a_new_process_resumes_the_stored_session_offline() {
    let (auth, _amplify) = configured(seeded_storage(NOW + 3600).await, NOW).await;
    let session = auth.fetch_auth_session().send().await;
    assert!(session.is_signed_in);
    let tokens = session.user_pool_tokens.as_ref().unwrap();
    let claims = tokens.id_token.claims();
    assert_eq!(claims.sub(), Some("sub-1"));
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(claims.email(), Some("alice@example.com"));
    assert_eq!(claims.groups(), ["admins"]);
    assert_eq!(
        claims.custom_attributes().get("plan").map(String::as_str),
        Some("pro")
    );
    assert_eq!(session.user_sub.as_deref().unwrap(), "sub-1");
    assert_eq!(
        session.identity_id.as_deref().unwrap(),
        "us-east-1:identity-1"
    );
    let creds = session.credentials.as_ref().unwrap();
    assert_eq!(creds.access_key_id(), "ASIAVISIBLE");
    assert_eq!(
        creds.expiration(),
        Some(UNIX_EPOCH + Duration::from_secs(NOW + 3600))
    );
    let user = auth.get_current_user().await.unwrap();
    assert_eq!(
        (user.user_id.as_str(), user.username.as_str()),
        ("sub-1", "alice")
    );
    assert_eq!(
        user.sign_in_details.auth_flow_type,
        Some(amplify_auth_cognito::AuthFlowType::UserSrpAuth)
    );

    // Signing in again while signed in is an invalid-state error, before any network call.
    let err = auth
        .sign_in()
        .username("bob")
        .password("pw")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::InvalidState(amplify_auth_cognito::InvalidStateReason::AlreadySignedIn)
        ),
        "{err}"
    );
}

/// Tokens that expire in 60 s are inside the 5-minute buffer: a refresh is attempted, fails
/// (nothing listens), and callers still get the valid tokens and credentials; the failure is
/// published, and no new attempt is made for 30 s. After the real expiry the fields are errors.
#[tokio::test]
async fn a_failed_refresh_inside_the_buffer_keeps_the_valid_tokens() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(NOW));
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(seeded_storage(NOW + 60).await)
        .refresh_jitter(Duration::ZERO)
        .sdk_config(
            aws_types::SdkConfig::builder()
                .retry_config(
                    aws_sdk_cognitoidentityprovider::config::retry::RetryConfig::disabled(),
                )
                .build(),
        )
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify.configure(&config()).await.unwrap();
    let mut events = amplify.hub().auth().subscribe();

    let session = auth.fetch_auth_session().send().await;
    assert!(session.is_signed_in, "offline is not signed out");
    let tokens = session
        .user_pool_tokens
        .as_ref()
        .expect("still-valid tokens");
    assert_eq!(tokens.id_token.claims().sub(), Some("sub-1"));
    assert_eq!(
        session
            .credentials
            .as_ref()
            .expect("still-valid credentials")
            .access_key_id(),
        "ASIAVISIBLE"
    );
    assert_eq!(
        session.identity_id.as_deref().unwrap(),
        "us-east-1:identity-1"
    );
    let mut failures = 0;
    while let Some(event) = events.try_recv() {
        if matches!(
            event,
            amplify_core::hub::AuthHubEvent::TokenRefreshFailed(_)
        ) {
            failures += 1;
        }
    }
    assert_eq!(failures, 1, "one refresh attempt, one failure event");

    // Within the minimum interval nobody calls Cognito again: no new failure event.
    clock.advance(Duration::from_secs(10));
    assert!(
        auth.fetch_auth_session()
            .send()
            .await
            .user_pool_tokens
            .is_ok()
    );
    assert!(
        events.try_recv().is_none(),
        "no attempt inside the 30 s interval"
    );

    // After the interval, one more attempt (it fails again; tokens are still valid).
    clock.advance(Duration::from_secs(25));
    assert!(
        auth.fetch_auth_session()
            .send()
            .await
            .user_pool_tokens
            .is_ok()
    );
    assert!(matches!(
        events.try_recv(),
        Some(amplify_core::hub::AuthHubEvent::TokenRefreshFailed(_))
    ));

    // Past the real expiry (and the interval) the field is a retryable network error; the user
    // is still signed in (offline is not signed out) and the tokens stay stored.
    clock.advance(Duration::from_secs(60));
    let session = auth.fetch_auth_session().send().await;
    assert!(session.is_signed_in);
    let err = session.user_pool_tokens.as_ref().unwrap_err();
    assert!(amplify_core::AmplifyError::is_retryable(err), "{err}");
    assert!(matches!(err, AuthError::Network(_)), "{err:?}");
    assert!(session.credentials.is_err());
    assert_eq!(auth.get_current_user().await.unwrap().username, "alice");
    // A forced refresh reports its failure even while tokens would be valid.
    let forced = auth.fetch_auth_session().force_refresh(true).send().await;
    assert!(forced.user_pool_tokens.is_err());
}

#[tokio::test]
async fn signed_out_state_and_invalid_calls_are_typed() {
    let (auth, _amplify) = configured(SecureStorageFactory::in_memory(), NOW).await;
    let session = auth.fetch_auth_session().send().await;
    assert!(!session.is_signed_in);
    assert!(matches!(
        session.user_pool_tokens.as_ref().unwrap_err(),
        AuthError::SignedOut
    ));
    assert!(matches!(
        auth.get_current_user().await,
        Err(AuthError::SignedOut)
    ));
    assert!(matches!(
        auth.confirm_sign_in()
            .challenge_response("123")
            .send()
            .await,
        Err(AuthError::InvalidState(_))
    ));
    assert!(matches!(
        auth.sign_in().password("pw").send().await,
        Err(AuthError::Validation(ref v)) if v.field() == "username"
    ));
    assert!(matches!(
        auth.sign_in().username("alice").send().await,
        Err(AuthError::Validation(ref v)) if v.field() == "password"
    ));
    assert!(matches!(
        auth.clear_federation_to_identity_pool().await,
        Err(AuthError::InvalidState(_))
    ));
    // Sign-out with nobody signed in completes.
    assert!(matches!(
        auth.sign_out().send().await,
        amplify_auth_cognito::SignOutResult::Complete
    ));
    let _ = SignInStep::Done;
}

#[tokio::test]
async fn an_unconfigured_plugin_says_so() {
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let err = auth
        .sign_up()
        .username("a")
        .password("b")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::InvalidState(amplify_auth_cognito::InvalidStateReason::NotConfigured)
        ),
        "{err}"
    );
    assert!(!auth.fetch_auth_session().send().await.is_signed_in);
}

#[test]
fn no_secret_in_debug_output_or_trace_logs() {
    let capture = amplify_core::test_util::LogCapture::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let shown = rt.block_on(async {
        let (auth, _amplify) = configured(seeded_storage(NOW + 60).await, NOW).await;
        let session = auth.fetch_auth_session().force_refresh(true).send().await;
        let _ = auth.sign_out().send().await;
        format!(
            "{session:?} {auth:?} {:?}",
            amplify_auth_cognito::Password::new("PASSWORD-SECRET")
        )
    });
    let logs = capture.contents();
    assert!(
        logs.contains("refreshing user pool tokens"),
        "logs were captured: {logs}"
    );
    for text in [&logs, &shown] {
        for secret in [
            "REFRESH-SECRET",
            "AWS-SECRET-KEY",
            "AWS-SESSION-TOKEN",
            "U0lHTkFUVVJF",
            "PASSWORD-SECRET",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
    let _ = SystemTime::UNIX_EPOCH;
}

/// The seed's custom storage: the plugin accepts any `SecureStorage` through a factory.
#[derive(Debug, Default)]
struct MyStorage {
    data: Mutex<std::collections::HashMap<String, SecretString>>,
}

impl SecureStorage for MyStorage {
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> amplify_core::BoxFuture<'a, Result<(), amplify_secure_storage::StorageError>> {
        Box::pin(async move {
            self.data.lock().unwrap().insert(key.to_owned(), value);
            Ok(())
        })
    }
    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> amplify_core::BoxFuture<
        'a,
        Result<Option<SecretString>, amplify_secure_storage::StorageError>,
    > {
        Box::pin(async move { Ok(self.data.lock().unwrap().get(key).cloned()) })
    }
    fn delete<'a>(
        &'a self,
        key: &'a str,
    ) -> amplify_core::BoxFuture<'a, Result<(), amplify_secure_storage::StorageError>> {
        Box::pin(async move {
            self.data.lock().unwrap().remove(key);
            Ok(())
        })
    }
    fn remove_all(
        &self,
    ) -> amplify_core::BoxFuture<'_, Result<(), amplify_secure_storage::StorageError>> {
        Box::pin(async move {
            self.data.lock().unwrap().clear();
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_custom_storage_receives_amplifys_keys() {
    let storage = Arc::new(MyStorage::default());
    let shared = Arc::clone(&storage);
    let factory = SecureStorageFactory::new(move |scope| {
        assert_eq!(scope.name(), StorageScope::AWS_COGNITO_AUTH_PLUGIN.name());
        Ok(amplify_secure_storage::SharedSecureStorage::from_arc(
            Arc::clone(&shared) as Arc<dyn SecureStorage>,
        ))
    });
    // Seed it as a previous process would have, through the same keys.
    let seeded = seeded_storage(NOW + 3600).await;
    let source = seeded
        .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
        .unwrap();
    for key in ["accessToken", "idToken", "refreshToken", "username"] {
        let key = format!("{CLIENT}.{key}");
        let value = source.read(&key).await.unwrap().unwrap();
        storage.write(&key, value).await.unwrap();
    }
    let (auth, _amplify) = configured(factory, NOW).await;
    assert_eq!(auth.get_current_user().await.unwrap().username, "alice");
    // Sign-out clears the user pool keys from the custom storage.
    let _ = auth.sign_out().send().await;
    let keys: Vec<String> = storage.data.lock().unwrap().keys().cloned().collect();
    assert!(
        keys.iter()
            .all(|k| !k.ends_with("accessToken") && !k.ends_with("refreshToken")),
        "{keys:?}"
    );
}

/// A damaged stored expiration (a number past what `SystemTime` holds) must not panic: the
/// session loads as signed out, and the fields say why.
#[tokio::test]
async fn a_corrupted_stored_expiration_signs_out_with_a_typed_error() {
    for bad in ["18446744073709551615", "not-a-number", "-5"] {
        let factory = seeded_storage(NOW + 3600).await;
        let storage = factory
            .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
            .unwrap();
        storage
            .write(
                &format!("{IDENTITY_POOL}.expiration"),
                SecretString::from(bad.to_owned()),
            )
            .await
            .unwrap();
        let (auth, _amplify) = configured(factory, NOW).await;
        let session = auth.fetch_auth_session().send().await;
        assert!(!session.is_signed_in, "{bad}");
        match session.user_pool_tokens.as_ref().unwrap_err() {
            AuthError::StoredSessionCorrupted(e) => {
                assert_eq!(e.key(), format!("{IDENTITY_POOL}.expiration"));
                assert!(
                    !e.to_string().contains(bad) || bad == "-5",
                    "the value is not shown"
                );
            }
            other => panic!("{bad}: {other:?}"),
        }
        assert!(
            amplify_core::AmplifyError::recovery_suggestion(
                session.user_pool_tokens.as_ref().unwrap_err()
            )
            .is_some()
        );
    }
}
