//! Subscriptions against an in-test realtime server (no emulator): the frames, reconnects,
//! keep-alive loss, error frames, stop on drop and 1,000 subscriptions on one socket.
//!
//! The assertions are about what the client sends and does; the emulator's end-to-end tests
//! (issue 12) repeat the scenarios with real mutations once its realtime endpoint lands.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    unreachable_pub
)]

mod server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use amplify_api::{ApiError, ApiPlugin, SubscriptionFailureKind, SubscriptionOptions};
use amplify_core::hub::{ApiHubEvent, HubListener, SubscriptionStatus};
use amplify_core::test_util::LogCapture;
use amplify_core::{AmplifyConfig, AuthProviderRegistry, AuthToken, SharedTokenProvider};
use serde::Deserialize;
use serde_json::{Value, json};
use server::{Server, within};

const API_KEY: &str = "da2-subscription-secret-key";

#[derive(Debug, Deserialize, PartialEq)]
struct Todo {
    id: String,
}

fn options() -> SubscriptionOptions {
    SubscriptionOptions::default()
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(20))
        .start_ack_timeout(Duration::from_secs(10))
}

fn plugin(server: &Server, options: SubscriptionOptions, mode: &str) -> ApiPlugin {
    let api = ApiPlugin::builder()
        .subscription_options(options)
        .oidc_provider(AuthToken::new("oidc-token"))
        .build()
        .unwrap();
    let config = AmplifyConfig::from_json(&format!(
        r#"{{"version": "1", "data": {{"aws_region": "us-east-1", "url": "{}",
            "default_authorization_type": "{mode}", "api_key": "{API_KEY}",
            "authorization_types": ["OPENID_CONNECT"]}}}}"#,
        server.url()
    ))
    .unwrap();
    api.configure_with(&config, &AuthProviderRegistry::default())
        .unwrap();
    api
}

async fn status(listener: &mut HubListener<ApiHubEvent>, wanted: SubscriptionStatus) {
    loop {
        match within(listener.recv()).await {
            Some(ApiHubEvent::SubscriptionConnection { status, .. }) if status == wanted => return,
            Some(_) => {}
            None => panic!("hub closed"),
        }
    }
}

fn statuses(listener: &mut HubListener<ApiHubEvent>) -> Vec<SubscriptionStatus> {
    let mut seen = Vec::new();
    while let Some(ApiHubEvent::SubscriptionConnection { status, .. }) = listener.try_recv() {
        seen.push(status);
    }
    seen
}

#[tokio::test]
async fn subscribe_receive_and_stop_on_drop_with_the_documented_frames() {
    let mut server = Server::start(300_000, true).await;
    let api = plugin(&server, options(), "API_KEY");
    let mut hub = api.hub().api().subscribe();

    let mut todos = api
        .subscribe("subscription OnCreate($owner: String) { onCreateTodo(owner: $owner) { id } }")
        .variables(json!({"owner": "alice"}))
        .header("x-trace", "t-1")
        .decode_path("onCreateTodo")
        .start::<Todo>()
        .unwrap();
    let mut conn = server.accept().await;
    assert_eq!(conn.path, "/graphql/realtime");
    assert!(
        conn.protocols.starts_with("graphql-ws, header-"),
        "{}",
        conn.protocols
    );
    let host = format!("127.0.0.1:{}", server.port);
    assert_eq!(
        conn.header,
        json!({
            "accept": "application/json, text/javascript",
            "content-encoding": "amz-1.0",
            "content-type": "application/json; charset=UTF-8",
            "host": host,
            "x-api-key": API_KEY,
        })
    );
    assert_eq!(conn.frame().await, json!({"type": "connection_init"}));
    let start = conn.frame().await;
    assert_eq!(start["type"], "start");
    assert_eq!(start["id"], todos.id());
    let data: Value = serde_json::from_str(start["payload"]["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        data,
        json!({
            "query": "subscription OnCreate($owner: String) { onCreateTodo(owner: $owner) { id } }",
            "variables": {"owner": "alice"}
        })
    );
    let authorization = &start["payload"]["extensions"]["authorization"];
    assert_eq!(authorization["x-api-key"], API_KEY);
    assert_eq!(authorization["host"], host);
    assert_eq!(authorization["x-trace"], "t-1");

    within(todos.established()).await.unwrap();
    conn.data(todos.id(), json!({"onCreateTodo": {"id": "t1"}}));
    conn.send(json!({"id": todos.id(), "type": "data", "payload": {
        "data": {"onCreateTodo": null},
        "errors": [{"message": "partial", "errorType": "Unauthorized"}]
    }}));
    let first = within(todos.next()).await.unwrap().unwrap();
    assert_eq!(first.data, Some(Todo { id: "t1".into() }));
    let second = within(todos.next()).await.unwrap().unwrap();
    assert_eq!(second.data, None);
    assert_eq!(second.errors[0].message, "partial");
    // Undecodable data is an error item; the stream goes on.
    conn.data(todos.id(), json!({"onCreateTodo": {"id": 7}}));
    conn.data(todos.id(), json!({"onCreateTodo": {"id": "t2"}}));
    assert!(matches!(
        within(todos.next()).await,
        Some(Err(ApiError::Decode(_)))
    ));
    assert_eq!(
        within(todos.next())
            .await
            .unwrap()
            .unwrap()
            .data
            .unwrap()
            .id,
        "t2"
    );

    let id = todos.id().to_owned();
    drop(todos);
    assert_eq!(conn.frame().await, json!({"id": id, "type": "stop"}));
    // The last subscription closes the socket.
    conn.closed().await;
    status(&mut hub, SubscriptionStatus::Disconnected).await;
}

#[tokio::test]
async fn every_hub_state_in_order() {
    let mut server = Server::start(300_000, true).await;
    let api = plugin(&server, options(), "API_KEY");
    let mut hub = api.hub().api().subscribe();
    let mut sub = api
        .subscribe("subscription { s }")
        .start::<Value>()
        .unwrap();
    let conn = server.accept().await;
    within(sub.established()).await.unwrap();
    conn.drop_socket();
    let mut again = server.accept().await;
    again.frame_of("start").await;
    drop(sub);
    let mut seen = Vec::new();
    loop {
        match within(hub.recv()).await {
            Some(ApiHubEvent::SubscriptionConnection { api_name, status }) => {
                assert_eq!(api_name, "data");
                seen.push(status);
                if status == SubscriptionStatus::Disconnected {
                    break;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    use SubscriptionStatus::*;
    assert_eq!(
        seen,
        [
            Connecting,
            Connected,
            ConnectionDisrupted,
            Connecting,
            Connected,
            PendingDisconnect,
            Disconnected
        ]
    );
    assert!(statuses(&mut hub).is_empty(), "nothing after Disconnected");
}

#[tokio::test]
async fn a_dropped_socket_reconnects_and_restarts_every_subscription() {
    let mut server = Server::start(300_000, true).await;
    let api = plugin(&server, options(), "API_KEY");
    let mut hub = api.hub().api().subscribe();
    let mut a = api
        .subscribe("subscription { a }")
        .start::<Value>()
        .unwrap();
    let mut b = api
        .subscribe("subscription { b }")
        .start::<Value>()
        .unwrap();
    let mut first = server.accept().await;
    within(a.established()).await.unwrap();
    within(b.established()).await.unwrap();
    first.frame_of("start").await;
    first.frame_of("start").await;
    status(&mut hub, SubscriptionStatus::Connected).await;

    first.drop_socket();
    status(&mut hub, SubscriptionStatus::ConnectionDisrupted).await;
    let mut second = server.accept().await;
    status(&mut hub, SubscriptionStatus::Connected).await;
    assert_eq!(second.frame().await["type"], "connection_init");
    let mut restarted = vec![
        second.frame_of("start").await["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        second.frame_of("start").await["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    ];
    restarted.sort();
    let mut ids = vec![a.id().to_owned(), b.id().to_owned()];
    ids.sort();
    assert_eq!(restarted, ids, "the same ids are started again");
    second.data(a.id(), json!({"a": 1}));
    second.data(b.id(), json!({"b": 2}));
    assert_eq!(
        within(a.next()).await.unwrap().unwrap().data,
        Some(json!({"a": 1}))
    );
    assert_eq!(
        within(b.next()).await.unwrap().unwrap().data,
        Some(json!({"b": 2}))
    );
}

#[tokio::test]
async fn missed_keep_alives_drop_the_socket_and_reconnect() {
    // The server promises a keep-alive every 300 ms and never sends one.
    let mut server = Server::start(300, true).await;
    let api = plugin(&server, options(), "API_KEY");
    let mut hub = api.hub().api().subscribe();
    let mut sub = api
        .subscribe("subscription { s }")
        .start::<Value>()
        .unwrap();
    let mut first = server.accept().await;
    within(sub.established()).await.unwrap();
    // The client gives up on the silent socket and opens another.
    first.closed().await;
    status(&mut hub, SubscriptionStatus::ConnectionDisrupted).await;
    let mut second = server.accept().await;
    assert_eq!(second.frame_of("start").await["id"], sub.id());
    second.data(sub.id(), json!({"s": "after"}));
    assert_eq!(
        within(sub.next()).await.unwrap().unwrap().data,
        Some(json!({"s": "after"}))
    );
}

#[tokio::test]
async fn keep_alives_keep_the_socket() {
    let mut server = Server::start(400, true).await;
    let api = plugin(&server, options(), "API_KEY");
    let mut sub = api
        .subscribe("subscription { s }")
        .start::<Value>()
        .unwrap();
    let conn = server.accept().await;
    within(sub.established()).await.unwrap();
    // Keep-alives every 100 ms for well past the 400 ms timeout, then data on the same socket.
    for _ in 0..10 {
        conn.send(json!({"type": "ka"}));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    conn.data(sub.id(), json!({"s": 1}));
    assert_eq!(
        within(sub.next()).await.unwrap().unwrap().data,
        Some(json!({"s": 1}))
    );
    assert!(server.try_accept().is_none(), "no reconnect happened");
}

#[tokio::test]
async fn error_frames_fail_only_their_subscription_with_a_typed_error() {
    let mut server = Server::start(300_000, false).await;
    let api = plugin(&server, options(), "API_KEY");
    let mut good = api
        .subscribe("subscription { good }")
        .start::<Value>()
        .unwrap();
    let mut bad = api
        .subscribe("subscription { bad }")
        .start::<Value>()
        .unwrap();
    let mut conn = server.accept().await;
    for _ in 0..2 {
        let start = conn.frame_of("start").await;
        let id = start["id"].as_str().unwrap();
        if id == bad.id() {
            // A single error object, as AppSync sometimes sends it.
            conn.send(json!({"id": id, "type": "error", "payload": {"errors": {
                "errorType": "UnauthorizedException", "message": "Not Authorized to access bad"
            }}}));
        } else {
            conn.start_ack(id);
        }
    }
    within(good.established()).await.unwrap();
    let err = within(bad.established()).await.unwrap_err();
    let ApiError::Subscription(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.kind(), SubscriptionFailureKind::Rejected);
    assert_eq!(failure.code(), Some("UnauthorizedException"));
    assert!(err.is_authorization_failure());
    // The stream yields the same error once, then ends.
    assert!(matches!(
        within(bad.next()).await,
        Some(Err(ApiError::Subscription(_)))
    ));
    assert!(within(bad.next()).await.is_none());
    // A list of errors for data of the other one, on the same socket.
    conn.data(good.id(), json!({"good": true}));
    assert_eq!(
        within(good.next()).await.unwrap().unwrap().data,
        Some(json!({"good": true}))
    );
}

#[tokio::test]
async fn an_expiry_error_restarts_with_a_fresh_token() {
    let mut server = Server::start(300_000, false).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let api = ApiPlugin::builder()
        .subscription_options(options())
        .oidc_provider(SharedTokenProvider::from_fn(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move { Ok(AuthToken::new(format!("token-{n}"))) }
        }))
        .build()
        .unwrap();
    let config = AmplifyConfig::from_json(&format!(
        r#"{{"version": "1", "data": {{"aws_region": "us-east-1", "url": "{}",
            "default_authorization_type": "OPENID_CONNECT"}}}}"#,
        server.url()
    ))
    .unwrap();
    api.configure_with(&config, &AuthProviderRegistry::default())
        .unwrap();
    let mut sub = api
        .subscribe("subscription { s }")
        .start::<Value>()
        .unwrap();
    let mut conn = server.accept().await;
    assert_eq!(conn.header["Authorization"], "token-1");
    let start = conn.frame_of("start").await;
    assert_eq!(
        start["payload"]["extensions"]["authorization"]["Authorization"],
        "token-2"
    );
    conn.send(
        json!({"id": sub.id(), "type": "error", "payload": {"errors": [
            {"errorType": "UnauthorizedException", "message": "Token has expired."}
        ]}}),
    );
    let again = conn.frame_of("start").await;
    assert_eq!(again["id"], sub.id());
    assert_eq!(
        again["payload"]["extensions"]["authorization"]["Authorization"],
        "token-3"
    );
    conn.start_ack(sub.id());
    within(sub.established()).await.unwrap();
}

#[tokio::test]
async fn a_missing_start_ack_fails_the_subscription_and_stops_it() {
    let mut server = Server::start(300_000, false).await;
    let api = plugin(
        &server,
        options().start_ack_timeout(Duration::from_millis(200)),
        "API_KEY",
    );
    let mut sub = api
        .subscribe("subscription { s }")
        .start::<Value>()
        .unwrap();
    let mut conn = server.accept().await;
    let start = conn.frame_of("start").await;
    let err = within(sub.established()).await.unwrap_err();
    assert!(matches!(
        &err,
        ApiError::Subscription(f) if f.kind() == SubscriptionFailureKind::StartTimeout
    ));
    assert_eq!(conn.frame_of("stop").await["id"], start["id"]);
    conn.closed().await;
}

#[tokio::test]
async fn a_connection_that_cannot_recover_ends_the_stream_with_an_error() {
    let mut server = Server::start(300_000, true).await;
    let api = plugin(&server, options().reconnect_attempts(2), "API_KEY");
    let mut hub = api.hub().api().subscribe();
    let mut sub = api
        .subscribe("subscription { s }")
        .start::<Value>()
        .unwrap();
    let conn = server.accept().await;
    within(sub.established()).await.unwrap();
    server.config.drop_on_connect.store(true, Ordering::SeqCst);
    conn.drop_socket();
    let item = within(sub.next()).await;
    let Some(Err(ApiError::Subscription(failure))) = item else {
        panic!("{item:?}")
    };
    assert!(matches!(
        failure.kind(),
        SubscriptionFailureKind::ConnectionLost | SubscriptionFailureKind::ConnectionFailed
    ));
    assert!(failure.cause().is_some());
    assert!(within(sub.next()).await.is_none());
    status(&mut hub, SubscriptionStatus::Failed).await;
}

#[tokio::test]
async fn a_thousand_subscriptions_share_one_socket_and_the_last_closes_it() {
    let mut server = Server::start(300_000, true).await;
    let api = plugin(&server, options(), "API_KEY");
    let mut hub = api.hub().api().subscribe();
    let mut subs: Vec<_> = (0..1000)
        .map(|i| {
            api.subscribe(format!("subscription {{ s{i} }}"))
                .start::<Value>()
                .unwrap()
        })
        .collect();
    let mut conn = server.accept().await;
    for sub in &mut subs {
        within(sub.established()).await.unwrap();
    }
    let mut started = std::collections::HashSet::new();
    for _ in 0..1000 {
        started.insert(
            conn.frame_of("start").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(started.len(), 1000);
    assert!(server.try_accept().is_none(), "one socket for all");
    // One event reaches the right subscription.
    conn.data(subs[500].id(), json!({"s500": 1}));
    assert_eq!(
        within(subs[500].next()).await.unwrap().unwrap().data,
        Some(json!({"s500": 1}))
    );

    subs.clear();
    let mut stopped = std::collections::HashSet::new();
    for _ in 0..1000 {
        stopped.insert(
            conn.frame_of("stop").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(stopped, started);
    conn.closed().await;
    status(&mut hub, SubscriptionStatus::Disconnected).await;
}

#[tokio::test]
async fn the_connect_header_never_shows_in_debug_or_logs() {
    let capture = LogCapture::start();
    let mut server = Server::start(300_000, true).await;
    let api = plugin(&server, options(), "API_KEY");
    let op = api
        .subscribe("subscription { s }")
        .header("authorization", "header-secret");
    let shown = format!("{op:?}");
    let mut sub = op.start::<Value>().unwrap();
    let mut conn = server.accept().await;
    within(sub.established()).await.unwrap();
    conn.frame_of("start").await;
    conn.drop_socket();
    let _again = server.accept().await;
    within(sub.established()).await.unwrap();
    let shown = format!("{shown} {sub:?} {api:?}");
    drop(sub);
    let logs = capture.contents();
    assert!(logs.contains("realtime"), "logs were captured: {logs}");
    for text in [&shown, &logs] {
        assert!(!text.contains(API_KEY), "{text}");
        assert!(!text.contains("header-secret"), "{text}");
        assert!(!text.contains("header-eyJ"), "{text}");
    }
}
