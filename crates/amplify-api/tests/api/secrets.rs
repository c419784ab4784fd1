//! Secrets never appear in Debug output or logs, even at TRACE.

use amplify_api::ApiPlugin;
use amplify_core::test_util::LogCapture;
use amplify_core::{
    AuthProviderRegistry, AuthToken, AuthorizationType, SharedCredentialsProvider,
    SharedTokenProvider,
};

use crate::support::{
    API_KEY, Reply, SECRET, SESSION, TestServer, configured, credentials, graphql_config,
};

const USER_TOKEN: &str = "eyJ.user-pool-access-token.secret";
const OIDC_TOKEN: &str = "eyJ.oidc-token.secret";
const CUSTOM_AUTH: &str = "custom-authorization-secret";

#[tokio::test]
async fn no_secret_in_trace_logs_or_debug_output() {
    let capture = LogCapture::start();

    let server = TestServer::start(|req, _| {
        if req.uri.path().ends_with("denied") {
            Reply::json(
                401,
                r#"{"errors":[{"errorType":"UnauthorizedException","message":"no"}]}"#,
            )
        } else {
            Reply::ok()
        }
    })
    .await;
    let registry = AuthProviderRegistry::default();
    registry.register(
        AuthorizationType::AmazonCognitoUserPools,
        SharedTokenProvider::new(AuthToken::new(USER_TOKEN)),
    );
    registry.register(
        AuthorizationType::AwsIam,
        SharedCredentialsProvider::new(credentials()),
    );
    let api = ApiPlugin::builder()
        .oidc_provider(AuthToken::new(OIDC_TOKEN))
        .build()
        .unwrap();
    let api = configured(
        api,
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &registry,
    );

    let mut debug_output = Vec::new();
    for mode in [
        AuthorizationType::ApiKey,
        AuthorizationType::AmazonCognitoUserPools,
        AuthorizationType::AwsIam,
        AuthorizationType::OpenIdConnect,
    ] {
        let op = api
            .query("{ echo }")
            .authorization_mode(mode)
            .variables(serde_json::json!({"v": 1}));
        debug_output.push(format!("{op:?}"));
        op.send::<serde_json::Value>().await.unwrap();
    }
    let op = api.query("{ echo }").header("Authorization", CUSTOM_AUTH);
    debug_output.push(format!("{op:?}"));
    op.send::<serde_json::Value>().await.unwrap();
    debug_output.push(format!("{api:?}"));

    // An error that carries a response, in Debug and Display.
    let rest = ApiPlugin::new();
    let rest = configured(
        rest,
        &crate::support::config(&[("r", "REST", server.url("/denied"), "AWS_IAM", None)]),
        &registry,
    );
    let err = rest.get("").send().await.unwrap_err();
    debug_output.push(format!("{err:?} {err}"));

    let logs = capture.contents();
    drop(capture);
    assert!(
        logs.contains("amplify.api.graphql"),
        "logs were captured: {logs}"
    );
    assert!(logs.contains("TRACE"), "TRACE events were captured");
    let everything = format!("{logs}\n{}", debug_output.join("\n"));
    for secret in [
        API_KEY,
        USER_TOKEN,
        OIDC_TOKEN,
        CUSTOM_AUTH,
        SECRET,
        SESSION,
    ] {
        assert!(!everything.contains(secret), "`{secret}` leaked");
    }
    // The requests did carry them.
    assert_eq!(server.request(0).header("x-api-key"), Some(API_KEY));
    assert_eq!(server.request(1).header("authorization"), Some(USER_TOKEN));
    assert_eq!(
        server.request(2).header("x-amz-security-token"),
        Some(SESSION)
    );
}
