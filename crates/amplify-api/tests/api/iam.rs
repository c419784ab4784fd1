//! AWS_IAM: SigV4 that a server can verify, REST's execute-api signing, clock-skew retry.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use amplify_api::{ApiError, ApiPlugin};
use amplify_core::time::{ManualTimeSource, SharedTimeSource, SkewCorrectedClock, TimeSource};
use amplify_core::{AuthProviderRegistry, AuthorizationType, SharedCredentialsProvider};

use crate::support::{
    AKID, Recorded, Reply, SECRET, SESSION, TestServer, config, configured, credentials,
    graphql_config, parse_amz_date, parse_authorization, verify_sigv4,
};

fn iam_registry() -> AuthProviderRegistry {
    let registry = AuthProviderRegistry::default();
    registry.register(
        AuthorizationType::AwsIam,
        SharedCredentialsProvider::new(credentials()),
    );
    registry
}

#[tokio::test]
async fn graphql_requests_are_signed_for_appsync_and_verify() {
    let server = TestServer::ok().await;
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "AWS_IAM", None),
        &iam_registry(),
    );
    api.query("query Q($id: ID!) { getTodo(id: $id) { id } }")
        .variables(serde_json::json!({"id": "t1"}))
        .header("x-custom", "value")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    let req = server.request(0);
    let auth = parse_authorization(req.header("authorization").unwrap());
    assert_eq!(auth.access_key_id, AKID);
    assert_eq!(auth.region, "us-east-1");
    assert_eq!(auth.service, "appsync");
    for signed in [
        "content-type",
        "host",
        "x-amz-date",
        "x-amz-security-token",
        "x-custom",
    ] {
        assert!(
            auth.signed_headers.iter().any(|h| h == signed),
            "{signed} not signed"
        );
    }
    assert!(!auth.signed_headers.iter().any(|h| h == "user-agent"));
    assert_eq!(req.header("x-amz-security-token"), Some(SESSION));
    assert_eq!(req.header("x-api-key"), None);
    assert_eq!(req.header("x-amz-content-sha256"), None);
    verify_sigv4(&req, SECRET, "appsync").unwrap();

    // The check is real: a changed body, header or secret fails it.
    let mut tampered = req.clone();
    tampered.body = bytes::Bytes::from_static(br#"{"query":"mutation { deleteEverything }"}"#);
    assert!(verify_sigv4(&tampered, SECRET, "appsync").is_err());
    let mut tampered = req.clone();
    tampered
        .headers
        .insert("x-custom", http::HeaderValue::from_static("changed"));
    assert!(verify_sigv4(&tampered, SECRET, "appsync").is_err());
    assert!(verify_sigv4(&req, "wrong-secret", "appsync").is_err());
    assert!(verify_sigv4(&req, SECRET, "execute-api").is_err());
}

#[tokio::test]
async fn rest_requests_are_signed_for_execute_api_with_an_unsigned_payload() {
    let server = TestServer::ok().await;
    let cfg = config(&[("items", "REST", server.url("/prod"), "AWS_IAM", None)]);
    let api = configured(ApiPlugin::new(), &cfg, &iam_registry());
    api.post("/items")
        .query_param("filter", "a b")
        .json(&serde_json::json!({"name": "milk"}))
        .send()
        .await
        .unwrap();
    api.get("/items/1").send().await.unwrap();
    for req in server.requests() {
        assert_eq!(req.header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
        let auth = parse_authorization(req.header("authorization").unwrap());
        assert_eq!(auth.service, "execute-api");
        assert!(
            auth.signed_headers
                .iter()
                .any(|h| h == "x-amz-content-sha256")
        );
        verify_sigv4(&req, SECRET, "execute-api").unwrap();
    }
    let post = server.request(0);
    assert_eq!(post.uri.path(), "/prod/items");
    assert_eq!(post.uri.query(), Some("filter=a%20b"));
    // An unsigned payload: another body still verifies.
    let mut other_body = post.clone();
    other_body.body = bytes::Bytes::from_static(b"{}");
    verify_sigv4(&other_body, SECRET, "execute-api").unwrap();
    // The query string is signed.
    let mut other_query = post;
    other_query.uri = "/prod/items?filter=b".parse().unwrap();
    assert!(verify_sigv4(&other_query, SECRET, "execute-api").is_err());
}

const SKEWED_BODY: &str = r#"{"errors":[{"errorType":"InvalidSignatureException","message":"Signature expired: 20231114T221320Z is now earlier than 20231114T231820Z (20231114T232320Z - 5 min.)"}]}"#;

/// A server whose clock is one hour ahead of the client's and that rejects signatures more than
/// five minutes off, the way AppSync does.
fn skewed_server(
    client_clock: ManualTimeSource,
) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync {
    move |req, _| {
        let server_now = client_clock.now() + Duration::from_secs(3600);
        let date = httpdate::fmt_http_date(server_now);
        let signed_at = parse_amz_date(req.header("x-amz-date").unwrap_or("19700101T000000Z"));
        let off = server_now
            .duration_since(signed_at)
            .unwrap_or_else(|e| e.duration());
        if off > Duration::from_secs(300) || verify_sigv4(req, SECRET, "appsync").is_err() {
            Reply::json(401, SKEWED_BODY).header("date", date)
        } else {
            Reply::ok().header("date", date)
        }
    }
}

#[tokio::test]
async fn a_clock_skew_rejection_is_retried_once_with_the_servers_time() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let server = TestServer::start(skewed_server(clock.clone())).await;
    let api = ApiPlugin::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build()
        .unwrap();
    let api = configured(
        api,
        &graphql_config(&server, "AWS_IAM", None),
        &iam_registry(),
    );

    let response = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(response.data.unwrap()["echo"], "ok");
    assert_eq!(server.count(), 2, "exactly one retry");
    assert_eq!(
        server.request(0).header("x-amz-date"),
        Some("20231114T221320Z")
    );
    assert_eq!(
        server.request(1).header("x-amz-date"),
        Some("20231114T231320Z")
    );
    verify_sigv4(&server.request(1), SECRET, "appsync").unwrap();
    assert_eq!(api.clock_offset_ms(), 3_600_000);

    // The learned offset is kept: the next request is right the first time.
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(server.count(), 3);
    assert_eq!(
        server.request(2).header("x-amz-date"),
        Some("20231114T231320Z")
    );
}

#[tokio::test]
async fn skew_is_retried_only_once_and_other_rejections_not_at_all() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let ahead = httpdate::fmt_http_date(clock.now() + Duration::from_secs(3600));
    let server =
        TestServer::start(move |_, _| Reply::json(401, SKEWED_BODY).header("date", ahead.clone()))
            .await;
    let api = ApiPlugin::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build()
        .unwrap();
    let api = configured(
        api,
        &graphql_config(&server, "AWS_IAM", None),
        &iam_registry(),
    );
    let err = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized(_)), "{err:?}");
    assert_eq!(server.count(), 2);

    // A signature rejection with an agreeing clock is not skew: no retry.
    let now = httpdate::fmt_http_date(clock.now());
    let server = TestServer::start(move |_, _| {
        Reply::json(403, r#"{"errors":[{"errorType":"InvalidSignatureException","message":"The request signature we calculated does not match"}]}"#)
            .header("date", now.clone())
    })
    .await;
    let api = ApiPlugin::builder()
        .time_source(SharedTimeSource::new(clock))
        .build()
        .unwrap();
    let api = configured(
        api,
        &graphql_config(&server, "AWS_IAM", None),
        &iam_registry(),
    );
    let err = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN));
    assert_eq!(server.count(), 1);
    assert_eq!(api.clock_offset_ms(), 0);
}

#[tokio::test]
async fn non_iam_modes_are_never_retried() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let ahead = httpdate::fmt_http_date(clock.now() + Duration::from_secs(3600));
    let server =
        TestServer::start(move |_, _| Reply::json(401, SKEWED_BODY).header("date", ahead.clone()))
            .await;
    let api = ApiPlugin::builder()
        .time_source(SharedTimeSource::new(clock))
        .build()
        .unwrap();
    let api = configured(
        api,
        &graphql_config(&server, "API_KEY", Some("da2-k")),
        &AuthProviderRegistry::default(),
    );
    let err = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized(_)));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn credentials_are_fetched_for_every_request() {
    let server = TestServer::ok().await;
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let registry = AuthProviderRegistry::default();
    registry.register(
        AuthorizationType::AwsIam,
        SharedCredentialsProvider::from_fn(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async { Ok(credentials()) }
        }),
    );
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "AWS_IAM", None),
        &registry,
    );
    for _ in 0..4 {
        api.query("{ echo }")
            .send::<serde_json::Value>()
            .await
            .unwrap();
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 4);
    for req in server.requests() {
        verify_sigv4(&req, SECRET, "appsync").unwrap();
    }
}

/// An auth plugin that registers IAM credentials and, like the Cognito plugin reading a
/// response's `Date`, teaches Amplify's clock that the servers are one hour ahead.
#[derive(Debug)]
struct SkewTeachingAuth;

impl amplify_core::Plugin for SkewTeachingAuth {
    fn category(&self) -> amplify_core::Category {
        amplify_core::Category::Auth
    }
    fn plugin_key(&self) -> &'static str {
        "skewTeachingAuth"
    }
    fn configure<'a>(
        &'a self,
        ctx: &'a amplify_core::PluginContext<'a>,
    ) -> amplify_core::BoxFuture<'a, Result<(), Box<dyn amplify_core::AmplifyError>>> {
        Box::pin(async move {
            ctx.auth_providers.register(
                AuthorizationType::AwsIam,
                SharedCredentialsProvider::new(credentials()),
            );
            ctx.clock
                .observe(ctx.time.now() + Duration::from_secs(3600));
            Ok(())
        })
    }
}

#[tokio::test]
async fn api_signs_with_the_offset_auth_taught_amplifys_clock() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let server = TestServer::start(skewed_server(clock.clone())).await;
    let amplify = amplify_core::Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let api = ApiPlugin::new();
    amplify.add_plugin(api.clone()).unwrap();
    amplify.add_plugin(SkewTeachingAuth).unwrap();
    let outputs = format!(
        r#"{{"version": "1", "data": {{"aws_region": "us-east-1", "url": "{}",
            "default_authorization_type": "AWS_IAM"}}}}"#,
        server.url("/graphql")
    );
    amplify.configure(&outputs).await.unwrap();
    assert_eq!(api.clock_offset_ms(), 3_600_000);

    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(server.count(), 1, "right the first time: no skew rejection");
    assert_eq!(
        server.request(0).header("x-amz-date"),
        Some("20231114T231320Z")
    );
}

#[tokio::test]
async fn a_clock_given_to_the_builder_is_shared_both_ways() {
    let local = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let server = TestServer::start(skewed_server(local.clone())).await;
    let shared = SkewCorrectedClock::new(SharedTimeSource::new(local));
    let api = configured(
        ApiPlugin::builder().clock(shared.clone()).build().unwrap(),
        &graphql_config(&server, "AWS_IAM", None),
        &iam_registry(),
    );
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(server.count(), 2, "one skew rejection, one retry");
    // What the API learned from the rejection, the other holders of the clock see.
    assert_eq!(shared.offset_ms(), 3_600_000);
    // And what they learn, the API signs with.
    shared.learn(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    assert_eq!(api.clock_offset_ms(), 0);
}
