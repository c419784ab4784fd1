//! Each authorization mode sets exactly the right headers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use amplify_api::{ApiError, ApiPlugin};
use amplify_core::{
    AmplifyError, AuthProviderRegistry, AuthToken, AuthorizationType, ProviderError,
    ProviderErrorKind, SharedCredentialsProvider, SharedTokenProvider,
};

use crate::support::{API_KEY, Reply, TestServer, configured, credentials, graphql_config};

const AUTH_HEADERS: &[&str] = &[
    "authorization",
    "x-api-key",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// The auth-related headers the server received, sorted.
fn auth_headers(server: &TestServer, index: usize) -> Vec<(String, String)> {
    let req = server.request(index);
    AUTH_HEADERS
        .iter()
        .filter_map(|name| req.header(name).map(|v| ((*name).to_owned(), v.to_owned())))
        .collect()
}

fn token_provider(token: &'static str, calls: Arc<AtomicUsize>) -> SharedTokenProvider {
    SharedTokenProvider::from_fn(move || {
        calls.fetch_add(1, Ordering::SeqCst);
        async move { Ok(AuthToken::new(token)) }
    })
}

#[tokio::test]
async fn api_key_mode_sends_only_x_api_key() {
    let server = TestServer::ok().await;
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        auth_headers(&server, 0),
        [("x-api-key".into(), API_KEY.into())]
    );
}

#[tokio::test]
async fn user_pool_mode_sends_the_raw_access_token_and_asks_every_time() {
    let server = TestServer::ok().await;
    let registry = AuthProviderRegistry::default();
    let calls = Arc::new(AtomicUsize::new(0));
    registry.register(
        AuthorizationType::AmazonCognitoUserPools,
        token_provider("eyJ.access.token", Arc::clone(&calls)),
    );
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "AMAZON_COGNITO_USER_POOLS", None),
        &registry,
    );
    for _ in 0..3 {
        api.query("{ echo }")
            .send::<serde_json::Value>()
            .await
            .unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    for i in 0..3 {
        assert_eq!(
            auth_headers(&server, i),
            [("authorization".into(), "eyJ.access.token".into())]
        );
    }
}

#[tokio::test]
async fn oidc_and_lambda_providers_from_the_builder() {
    let server = TestServer::ok().await;
    let registry = AuthProviderRegistry::default();
    // The seed's "OIDC provider that returns the user pool's ID token" is just a token provider.
    let id_token_provider =
        SharedTokenProvider::from_fn(|| async { Ok(AuthToken::new("eyJ.id.token")) });
    let api = ApiPlugin::builder()
        .oidc_provider(id_token_provider)
        .lambda_provider(AuthToken::new("lambda-custom-token"))
        .build()
        .unwrap();
    let api = configured(
        api,
        &graphql_config(&server, "OPENID_CONNECT", Some(API_KEY)),
        &registry,
    );
    assert!(registry.get(AuthorizationType::OpenIdConnect).is_some());
    assert!(registry.get(AuthorizationType::AwsLambda).is_some());

    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    api.query("{ echo }")
        .authorization_mode(AuthorizationType::AwsLambda)
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        auth_headers(&server, 0),
        [("authorization".into(), "eyJ.id.token".into())]
    );
    assert_eq!(
        auth_headers(&server, 1),
        [("authorization".into(), "lambda-custom-token".into())]
    );
}

#[tokio::test]
async fn none_mode_adds_nothing() {
    let server = TestServer::ok().await;
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "NONE", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert!(auth_headers(&server, 0).is_empty());
}

#[tokio::test]
async fn per_request_mode_overrides_the_default() {
    let server = TestServer::ok().await;
    let registry = AuthProviderRegistry::default();
    registry.register(
        AuthorizationType::AmazonCognitoUserPools,
        SharedTokenProvider::new(AuthToken::new("eyJ.user")),
    );
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &registry,
    );
    api.query("{ echo }")
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
        .send::<serde_json::Value>()
        .await
        .unwrap();
    api.query("{ echo }")
        .authorization_mode(AuthorizationType::None)
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        auth_headers(&server, 0),
        [("authorization".into(), "eyJ.user".into())]
    );
    assert!(auth_headers(&server, 1).is_empty());
}

#[tokio::test]
async fn an_existing_authorization_header_is_left_alone() {
    let server = TestServer::ok().await;
    let registry = AuthProviderRegistry::default();
    let token_calls = Arc::new(AtomicUsize::new(0));
    registry.register(
        AuthorizationType::AmazonCognitoUserPools,
        token_provider("eyJ.not.used", Arc::clone(&token_calls)),
    );
    let cred_calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&cred_calls);
    registry.register(
        AuthorizationType::AwsIam,
        SharedCredentialsProvider::from_fn(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok(credentials()) }
        }),
    );
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "AMAZON_COGNITO_USER_POOLS", Some(API_KEY)),
        &registry,
    );
    api.query("{ echo }")
        .header("Authorization", "my-own-token")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    api.query("{ echo }")
        .authorization_mode(AuthorizationType::AwsIam)
        .header("authorization", "signed-elsewhere")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    api.query("{ echo }")
        .authorization_mode(AuthorizationType::ApiKey)
        .header("x-api-key", "da2-other-key")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        auth_headers(&server, 0),
        [("authorization".into(), "my-own-token".into())]
    );
    assert_eq!(
        auth_headers(&server, 1),
        [("authorization".into(), "signed-elsewhere".into())]
    );
    assert_eq!(
        auth_headers(&server, 2),
        [("x-api-key".into(), "da2-other-key".into())]
    );
    assert_eq!(token_calls.load(Ordering::SeqCst), 0);
    assert_eq!(cred_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_missing_provider_is_a_typed_error_and_nothing_is_sent() {
    let server = TestServer::ok().await;
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "OPENID_CONNECT", None),
        &AuthProviderRegistry::default(),
    );
    let err = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::Provider(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.kind(), ProviderErrorKind::NotRegistered);
    assert_eq!(
        failure.authorization_mode(),
        AuthorizationType::OpenIdConnect
    );
    assert!(err.is_authorization_failure());
    assert!(!err.is_retryable());
    assert!(err.recovery_suggestion().unwrap().contains("provider"));

    let err = api
        .query("{ echo }")
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(&err, ApiError::Provider(f) if f.kind() == ProviderErrorKind::NotRegistered));

    let err = api
        .query("{ echo }")
        .authorization_mode(AuthorizationType::ApiKey)
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Configuration(_)), "{err:?}");
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn provider_failures_keep_their_kind() {
    let server = TestServer::ok().await;
    let registry = AuthProviderRegistry::default();
    registry.register(
        AuthorizationType::AmazonCognitoUserPools,
        SharedTokenProvider::from_fn(|| async {
            Err(ProviderError::new(
                ProviderErrorKind::SignedOut,
                "no user is signed in",
            ))
        }),
    );
    registry.register(
        AuthorizationType::AwsIam,
        SharedCredentialsProvider::from_fn(|| async {
            Err(ProviderError::new(
                ProviderErrorKind::Transient,
                "network down",
            ))
        }),
    );
    registry.register(
        AuthorizationType::AwsLambda,
        SharedTokenProvider::new(AuthToken::new("")),
    );
    // A token provider registered where credentials are needed.
    registry.register(
        AuthorizationType::OpenIdConnect,
        SharedCredentialsProvider::new(credentials()),
    );
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "AMAZON_COGNITO_USER_POOLS", None),
        &registry,
    );
    let kind_of = |err: ApiError| match err {
        ApiError::Provider(f) => (f.kind(), f.provider_error().is_retryable()),
        other => panic!("{other:?}"),
    };
    let signed_out = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(kind_of(signed_out), (ProviderErrorKind::SignedOut, false));
    let transient = api
        .query("{ echo }")
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(transient.is_retryable());
    assert_eq!(kind_of(transient), (ProviderErrorKind::Transient, true));
    let empty = api
        .query("{ echo }")
        .authorization_mode(AuthorizationType::AwsLambda)
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(kind_of(empty).0, ProviderErrorKind::Other);
    let wrong = api
        .query("{ echo }")
        .authorization_mode(AuthorizationType::OpenIdConnect)
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(kind_of(wrong).0, ProviderErrorKind::WrongKind);
    assert_eq!(server.count(), 0);
}

/// A service error with a code and a request id, as an `AuthError` from Cognito has.
#[derive(Debug)]
struct RevokedToken;

impl std::fmt::Display for RevokedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Refresh Token has been revoked")
    }
}

impl std::error::Error for RevokedToken {}

impl amplify_core::AmplifyError for RevokedToken {
    fn recovery_suggestion(&self) -> Option<String> {
        Some("Sign in again (fake).".into())
    }
    fn code(&self) -> Option<&str> {
        Some("NotAuthorizedException")
    }
    fn request_id(&self) -> Option<&str> {
        Some("cognito-req-42")
    }
}

#[tokio::test]
async fn provider_errors_surface_the_service_code_request_id_and_chain() {
    let server = TestServer::ok().await;
    let registry = AuthProviderRegistry::default();
    let cause = Arc::new(RevokedToken);
    let shared = Arc::clone(&cause);
    registry.register(
        AuthorizationType::AmazonCognitoUserPools,
        SharedTokenProvider::from_fn(move || {
            let cause = Arc::clone(&shared);
            async move {
                Err(ProviderError::from_amplify_error(
                    ProviderErrorKind::SessionExpired,
                    cause,
                ))
            }
        }),
    );
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "AMAZON_COGNITO_USER_POOLS", None),
        &registry,
    );
    let err = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Provider(_)), "{err:?}");
    assert_eq!(err.code(), Some("NotAuthorizedException"));
    assert_eq!(err.request_id(), Some("cognito-req-42"));
    assert_eq!(
        err.recovery_suggestion().as_deref(),
        Some("Sign in again (fake).")
    );
    assert!(!err.is_retryable());
    let chain = amplify_core::DisplayErrorContext(&err).to_string();
    assert!(
        chain.ends_with("the session has expired: Refresh Token has been revoked"),
        "{chain}"
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn api_key_mode_against_a_server_reply() {
    // The server can see the key and the mode works with a mutation too.
    let server = TestServer::start(|req, _| {
        if req.header("x-api-key") == Some(API_KEY) {
            Reply::ok()
        } else {
            Reply::json(401, r#"{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call."}]}"#)
        }
    })
    .await;
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    let response = api
        .mutate("mutation { echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(response.data.unwrap()["echo"], "ok");
}
