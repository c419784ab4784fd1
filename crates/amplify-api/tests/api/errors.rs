//! HTTP status, lookup, request and transport failures.

use std::time::Duration;

use amplify_api::{ApiError, ApiPlugin, TimeoutPhase};
use amplify_core::config::EndpointType;
use amplify_core::{AmplifyError, AuthProviderRegistry};

use crate::support::{API_KEY, Reply, TestServer, config, configured, graphql_config};

fn api_for(server: &TestServer) -> ApiPlugin {
    configured(
        ApiPlugin::new(),
        &graphql_config(server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    )
}

const UNAUTHORIZED: &str = r#"{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call."}]}"#;

#[tokio::test]
async fn appsync_401_is_an_unauthorized_error_with_the_response() {
    let server = TestServer::start(|_, _| {
        Reply::json(401, UNAUTHORIZED)
            .header("x-amzn-RequestId", "req-401")
            .header("x-amzn-ErrorType", "UnauthorizedException")
    })
    .await;
    let err = api_for(&server)
        .query("{ a }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::Unauthorized(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.api_name(), "gql");
    assert_eq!(err.status(), Some(http::StatusCode::UNAUTHORIZED));
    assert_eq!(err.code(), Some("UnauthorizedException"));
    assert_eq!(err.request_id(), Some("req-401"));
    assert_eq!(
        err.graphql_errors()[0].message,
        "You are not authorized to make this call."
    );
    assert_eq!(
        err.response().unwrap().body().as_ref(),
        UNAUTHORIZED.as_bytes()
    );
    assert!(err.is_authorization_failure());
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("401"));
    assert!(err.to_string().contains("You are not authorized"));
    assert!(err.recovery_suggestion().is_some());
    let ApiError::Unauthorized(failure) = err else {
        unreachable!()
    };
    assert_eq!(failure.into_response().status(), 401);
}

#[tokio::test]
async fn server_errors_and_throttling_are_retryable_client_errors_are_not() {
    for (status, retryable) in [
        (500, true),
        (502, true),
        (503, true),
        (429, true),
        (400, false),
        (404, false),
    ] {
        let server =
            TestServer::start(move |_, _| Reply::json(status, r#"{"message":"nope"}"#)).await;
        let err = api_for(&server)
            .query("{ a }")
            .send::<serde_json::Value>()
            .await
            .unwrap_err();
        assert!(matches!(err, ApiError::HttpStatus(_)), "{status}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.is_retryable(), retryable, "{status}");
        assert!(!err.is_authorization_failure());
    }
}

#[tokio::test]
async fn unknown_ambiguous_and_missing_apis() {
    let server = TestServer::ok().await;
    let cfg = config(&[
        (
            "one",
            "GraphQL",
            server.url("/one"),
            "API_KEY",
            Some("da2-1"),
        ),
        (
            "two",
            "GraphQL",
            server.url("/two"),
            "API_KEY",
            Some("da2-2"),
        ),
    ]);
    let api = configured(ApiPlugin::new(), &cfg, &AuthProviderRegistry::default());

    let err = api
        .query("{ a }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::AmbiguousApi(f) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(f.available(), ["one", "two"]);
    assert!(err.to_string().contains("one") && err.to_string().contains("two"));
    assert!(err.recovery_suggestion().unwrap().contains("api_name"));

    let err = api
        .query("{ a }")
        .api_name("three")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::UnknownApi(f) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(f.requested_name(), Some("three"));
    assert_eq!(f.kind(), EndpointType::GraphQl);

    let err = api.get("/x").send().await.unwrap_err();
    assert!(matches!(err, ApiError::NoApiConfigured(_)), "{err:?}");

    api.query("{ a }")
        .api_name("two")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    let req = server.request(0);
    assert_eq!(req.uri.path(), "/two");
    assert_eq!(req.header("x-api-key"), Some("da2-2"));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_unconfigured_plugin_says_so() {
    let api = ApiPlugin::new();
    assert!(!api.is_configured());
    let err = api
        .query("{ a }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::NotConfigured));
    assert!(err.recovery_suggestion().unwrap().contains("configure"));
}

#[tokio::test]
async fn invalid_requests_fail_before_sending() {
    let server = TestServer::ok().await;
    let api = api_for(&server);
    let err = api
        .query("{ a }")
        .header("bad header", "x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::InvalidRequest(_)), "{err:?}");
    let err = api
        .query("{ a }")
        .header("x-ok", "line\nbreak")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::InvalidRequest(_)));

    struct Unserializable;
    impl serde::Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no"))
        }
    }
    let err = api
        .query("{ a }")
        .variables_from(&Unserializable)
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::InvalidRequest(_)));
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn connection_refused_was_not_sent_and_is_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    drop(listener);
    let cfg = config(&[("gql", "GraphQL", url, "API_KEY", Some("da2-k"))]);
    let api = configured(ApiPlugin::new(), &cfg, &AuthProviderRegistry::default());
    let err = api
        .query("{ a }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::Transport(failure) = &err else {
        panic!("{err:?}")
    };
    assert!(!failure.may_have_been_sent());
    assert!(err.is_retryable());
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    let (hold_tx, mut hold_rx) = tokio::sync::mpsc::unbounded_channel();
    let keeper = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = hold_tx.send(stream);
        }
    });
    let cfg = config(&[("gql", "GraphQL", url, "API_KEY", Some("da2-k"))]);
    let api = configured(
        ApiPlugin::builder()
            .request_timeout(Duration::from_millis(300))
            .build()
            .unwrap(),
        &cfg,
        &AuthProviderRegistry::default(),
    );
    let err = api
        .query("{ a }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::Timeout(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.phase(), TimeoutPhase::Request);
    assert!(failure.may_have_been_sent());
    assert_eq!(failure.timeout(), Some(Duration::from_millis(300)));
    assert!(err.is_retryable());

    // A per-request timeout wins over the plugin's.
    let err = api
        .query("{ a }")
        .timeout(Duration::from_millis(50))
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(&err, ApiError::Timeout(f) if f.timeout() == Some(Duration::from_millis(50))));
    assert!(hold_rx.recv().await.is_some());
    keeper.abort();
}

#[tokio::test]
async fn oversized_responses_are_refused() {
    let big = format!(r#"{{"data":{{"blob":"{}"}}}}"#, "x".repeat(10_000));
    let server = TestServer::start(move |_, _| Reply::json(200, big.clone())).await;
    let api = configured(
        ApiPlugin::builder()
            .max_response_bytes(1024)
            .build()
            .unwrap(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    let err = api
        .query("{ blob }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Transport(f) if f.may_have_been_sent()),
        "{err:?}"
    );
}
