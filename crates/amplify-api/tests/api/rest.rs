//! REST calls.

use amplify_api::{ApiError, ApiPlugin};
use amplify_core::{AmplifyError, AuthProviderRegistry};
use http::Method;

use crate::support::{Reply, TestServer, config, configured};

fn rest_api(server: &TestServer, mode: &str, key: Option<&str>) -> ApiPlugin {
    let cfg = config(&[
        ("items", "REST", server.url("/dev/"), mode, key),
        ("gql", "GraphQL", server.url("/graphql"), "NONE", None),
    ]);
    configured(ApiPlugin::new(), &cfg, &AuthProviderRegistry::default())
}

#[tokio::test]
async fn every_method_reaches_the_path_under_the_stage() {
    let server = TestServer::start(|req, _| {
        Reply::json(200, format!(r#"{{"method":"{}"}}"#, req.method))
            .header("x-amzn-requestid", "r-1")
    })
    .await;
    let api = rest_api(&server, "NONE", None);
    let calls = [
        (Method::GET, api.get("/items")),
        (Method::HEAD, api.head("/items")),
        (Method::POST, api.post("/items")),
        (Method::PUT, api.put("/items/1")),
        (Method::PATCH, api.patch("items/1")),
        (Method::DELETE, api.delete("/items/1")),
    ];
    for (i, (method, op)) in calls.into_iter().enumerate() {
        let response = op.api_name("items").send().await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        assert_eq!(response.request_id(), Some("r-1"));
        let req = server.request(i);
        assert_eq!(req.method, method);
        assert!(req.uri.path().starts_with("/dev/items"), "{}", req.uri);
        if method != Method::HEAD {
            let body: serde_json::Value = response.json().unwrap();
            assert_eq!(body["method"], method.as_str());
        }
    }
}

#[tokio::test]
async fn query_headers_and_bodies_are_sent() {
    let server = TestServer::ok().await;
    let api = rest_api(&server, "NONE", None);
    api.post("/items")
        .query_param("q", "milk & honey")
        .query_params([("page", "2"), ("tag", "a/b")])
        .header("x-client", "tests")
        .json(&serde_json::json!({"name": "milk"}))
        .send()
        .await
        .unwrap();
    api.put("/items/1")
        .header("content-type", "text/plain")
        .body("raw text")
        .send()
        .await
        .unwrap();
    let post = server.request(0);
    assert_eq!(
        post.uri.query(),
        Some("q=milk%20%26%20honey&page=2&tag=a%2Fb")
    );
    assert_eq!(post.header("x-client"), Some("tests"));
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(post.json(), serde_json::json!({"name": "milk"}));
    let put = server.request(1);
    assert_eq!(put.header("content-type"), Some("text/plain"));
    assert_eq!(put.body.as_ref(), b"raw text");
    // NONE: no authorization of any kind.
    assert!(put.header("authorization").is_none() && put.header("x-api-key").is_none());
}

#[tokio::test]
async fn a_non_2xx_status_is_an_error_that_carries_the_response() {
    let server = TestServer::start(|req, _| match req.uri.path() {
        "/dev/missing" => Reply::json(404, r#"{"message":"no such item"}"#)
            .header("x-amzn-errortype", "NotFoundException:http://internal/"),
        "/dev/forbidden" => Reply::json(403, r#"{"message":"Forbidden"}"#),
        _ => Reply::json(503, "busy"),
    })
    .await;
    let api = rest_api(&server, "NONE", None);

    let err = api.get("/missing").send().await.unwrap_err();
    let ApiError::HttpStatus(failure) = &err else {
        panic!("{err:?}")
    };
    let response = failure.response();
    assert_eq!(response.status(), http::StatusCode::NOT_FOUND);
    assert_eq!(response.text().unwrap(), r#"{"message":"no such item"}"#);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(err.code(), Some("NotFoundException"));
    assert!(!err.is_retryable());

    let err = api.delete("/forbidden").send().await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized(_)));
    assert_eq!(
        err.response().unwrap().body().as_ref(),
        br#"{"message":"Forbidden"}"#
    );

    let err = api.get("/other").send().await.unwrap_err();
    assert!(err.is_retryable());
}

#[tokio::test]
async fn rest_api_key_mode() {
    let server = TestServer::ok().await;
    let api = rest_api(&server, "API_KEY", Some("rest-key"));
    api.get("/items").send().await.unwrap();
    assert_eq!(server.request(0).header("x-api-key"), Some("rest-key"));
}
