//! A malformed 200 answer (`Fault::MalformedJson`: Cognito's content type, half a JSON body) on
//! GetUser and on GetTokensFromRefreshToken (issue 15): a typed, retryable
//! `AuthError::Network` in the response phase; the session stays signed in and in storage; the
//! same call right after succeeds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use amplify_auth_cognito::{AuthError, CognitoAuthPlugin, NetworkPhase};
use amplify_core::{Amplify, AmplifyError};
use amplify_emulator::{Emulator, EmulatorHandle, Fault, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;

const PASSWORD: &str = "Correct-Horse-9";

async fn plugin(
    emulator: &EmulatorHandle,
    storage: &SecureStorageFactory,
) -> (CognitoAuthPlugin, Amplify) {
    let sdk = aws_types::SdkConfig::builder()
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(5))
                .build(),
        )
        .build();
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(storage.clone())
        .sdk_config(sdk)
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    (auth, amplify)
}

async fn get_user(auth: &CognitoAuthPlugin) -> Result<(), AuthError> {
    auth.fetch_user_attributes().send().await.map(drop)
}

async fn refresh(auth: &CognitoAuthPlugin) -> Result<(), AuthError> {
    auth.fetch_auth_session()
        .force_refresh(true)
        .send()
        .await
        .user_pool_tokens
        .map(drop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_answer_is_a_retryable_network_error_and_keeps_the_session() {
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .start()
        .await
        .unwrap();
    let storage = SecureStorageFactory::in_memory();
    let (auth, _amplify) = plugin(&emulator, &storage).await;
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();

    for target in ["GetUser", "GetTokensFromRefreshToken"] {
        emulator.faults().inject(target, Fault::MalformedJson);
        let result = match target {
            "GetUser" => get_user(&auth).await,
            _ => refresh(&auth).await,
        };
        let err = result.expect_err(target);
        assert!(
            matches!(&err, AuthError::Network(n) if n.phase() == NetworkPhase::Response),
            "{target}: {err:?}"
        );
        assert!(err.is_retryable(), "{target}: {err}");
        assert!(err.recovery_suggestion().is_some());
        assert_eq!(emulator.request_count(target), 1, "{target}: no retry");
        assert!(
            auth.fetch_auth_session().send().await.is_signed_in,
            "{target}: the session was lost"
        );
        // Still in storage: a new process resumes it.
        let (other, _o) = plugin(&emulator, &storage).await;
        assert!(other.get_current_user().await.is_ok(), "{target}");
    }
    // The same calls right after succeed.
    get_user(&auth).await.unwrap();
    refresh(&auth).await.unwrap();
}
