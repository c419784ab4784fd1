//! GraphQL requests and responses.

use amplify_api::{ApiError, ApiPlugin, GraphQlPathSegment};
use amplify_core::{AmplifyError, AuthProviderRegistry};
use serde::Deserialize;

use crate::support::{API_KEY, Reply, TestServer, configured, graphql_config};

fn api_for(server: &TestServer) -> ApiPlugin {
    configured(
        ApiPlugin::new(),
        &graphql_config(server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    )
}

#[derive(Debug, Deserialize, PartialEq)]
struct Todo {
    id: String,
    name: String,
    done: bool,
}

const TODO: &str = r#"{"data":{"getTodo":{"id":"t1","name":"milk","done":false}}}"#;

#[tokio::test]
async fn the_request_is_a_json_post_with_query_variables_and_operation_name() {
    let server = TestServer::ok().await;
    let api = api_for(&server);
    api.query("query Get($id: ID!) { getTodo(id: $id) { id } }")
        .variables(serde_json::json!({"id": "t1"}))
        .operation_name("Get")
        .header("x-trace-id", "abc-123")
        .header("x-multi", "1")
        .header("x-multi", "2")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    let req = server.request(0);
    assert_eq!(req.method, http::Method::POST);
    assert_eq!(req.uri.path(), "/graphql");
    assert_eq!(
        req.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(req.header("x-trace-id"), Some("abc-123"));
    let multi: Vec<&str> = req
        .headers
        .get_all("x-multi")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(multi, ["1", "2"]);
    assert!(req.header("user-agent").unwrap().starts_with("amplify-rs/"));
    assert_eq!(
        req.json(),
        serde_json::json!({
            "query": "query Get($id: ID!) { getTodo(id: $id) { id } }",
            "variables": {"id": "t1"},
            "operationName": "Get"
        })
    );

    #[derive(serde::Serialize)]
    struct Vars<'a> {
        id: &'a str,
        limit: u32,
    }
    api.mutate("mutation M { a }")
        .variables_from(&Vars { id: "x", limit: 5 })
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        server.request(1).json(),
        serde_json::json!({"query": "mutation M { a }", "variables": {"id": "x", "limit": 5}})
    );
}

#[tokio::test]
async fn data_decodes_into_a_type_at_a_decode_path_and_raw() {
    let server =
        TestServer::start(|_, _| Reply::json(200, TODO).header("x-amzn-RequestId", "req-42")).await;
    let api = api_for(&server);

    let raw = api
        .query("{ getTodo { id } }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(raw.data.as_ref().unwrap()["getTodo"]["name"], "milk");
    assert!(!raw.has_errors());
    assert_eq!(raw.request_id(), Some("req-42"));
    assert_eq!(raw.status(), http::StatusCode::OK);

    let typed = api
        .query("{ getTodo { id } }")
        .decode_path("getTodo")
        .send::<Todo>()
        .await
        .unwrap();
    assert_eq!(
        typed.data,
        Some(Todo {
            id: "t1".into(),
            name: "milk".into(),
            done: false
        })
    );

    #[derive(Debug, Deserialize)]
    struct Whole {
        #[serde(rename = "getTodo")]
        get_todo: Todo,
    }
    let whole = api
        .query("{ getTodo { id } }")
        .send::<Whole>()
        .await
        .unwrap();
    assert_eq!(whole.data.unwrap().get_todo.id, "t1");

    let text = api
        .query("{ getTodo { id } }")
        .decode_path("getTodo")
        .send_raw()
        .await
        .unwrap();
    assert_eq!(
        text.data.as_deref(),
        Some(r#"{"id":"t1","name":"milk","done":false}"#)
    );
    let text = api.query("{ getTodo { id } }").send_raw().await.unwrap();
    assert_eq!(
        text.data.as_deref(),
        Some(r#"{"getTodo":{"id":"t1","name":"milk","done":false}}"#)
    );

    let missing = api
        .query("{ getTodo { id } }")
        .decode_path("listTodos.items")
        .send::<Vec<Todo>>()
        .await
        .unwrap();
    assert!(missing.data.is_none());
}

#[tokio::test]
async fn graphql_errors_are_returned_with_every_field() {
    let body = r#"{"data":{"getTodo":null},"errors":[{
        "path":["getTodo"],
        "data":null,
        "errorType":"Unauthorized",
        "errorInfo":{"owner":"someone-else"},
        "locations":[{"line":1,"column":3,"sourceName":null}],
        "message":"Not Authorized to access getTodo on type Query",
        "extensions":{"classification":"DataFetchingException"}
    },{"message":"second","path":["list",2,"name"]}]}"#;
    let server = TestServer::start(move |_, _| Reply::json(200, body)).await;
    let api = api_for(&server);
    let response = api
        .query("{ getTodo { id } }")
        .decode_path("getTodo")
        .send::<Todo>()
        .await
        .unwrap();
    assert!(response.data.is_none());
    assert!(response.has_errors());
    let first = &response.errors[0];
    assert_eq!(
        first.message,
        "Not Authorized to access getTodo on type Query"
    );
    assert_eq!(first.error_type.as_deref(), Some("Unauthorized"));
    assert_eq!(
        first.error_info,
        Some(serde_json::json!({"owner": "someone-else"}))
    );
    assert_eq!((first.locations[0].line, first.locations[0].column), (1, 3));
    assert_eq!(first.path, [GraphQlPathSegment::Field("getTodo".into())]);
    assert_eq!(
        first.extensions.as_ref().unwrap()["classification"],
        "DataFetchingException"
    );
    assert_eq!(
        first.to_string(),
        "Unauthorized: Not Authorized to access getTodo on type Query"
    );
    let second = &response.errors[1];
    assert_eq!(
        second.path,
        [
            GraphQlPathSegment::Field("list".into()),
            GraphQlPathSegment::Index(2),
            GraphQlPathSegment::Field("name".into())
        ]
    );
    assert!(second.error_type.is_none() && second.locations.is_empty());
    let (data, errors) = response.into_parts();
    assert!(data.is_none());
    assert_eq!(errors.len(), 2);
}

#[tokio::test]
async fn a_shape_mismatch_is_a_decode_error_that_keeps_the_graphql_errors() {
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            r#"{"data":{"getTodo":{"id":"t1","name":"milk","done":"no"}},"errors":[{"message":"partial"}]}"#,
        )
        .header("x-amzn-RequestId", "req-7")
    })
    .await;
    let api = api_for(&server);
    let err = api
        .query("{ getTodo { id } }")
        .decode_path("getTodo")
        .send::<Todo>()
        .await
        .unwrap_err();
    let ApiError::Decode(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.path(), "data.getTodo.done");
    // Valid JSON of another shape: retrying cannot help.
    assert_eq!(failure.reason(), amplify_api::DecodeReason::ShapeMismatch);
    assert!(err.recovery_suggestion().unwrap().contains("selection set"));
    assert_eq!(err.graphql_errors()[0].message, "partial");
    assert_eq!(err.request_id(), Some("req-7"));
    assert!(!err.is_retryable());
    assert!(std::error::Error::source(&err).is_some());

    let server = TestServer::start(|_, _| Reply::json(200, "<html>gateway</html>")).await;
    let err = api_for(&server)
        .query("{ a }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Decode(f) if f.path().is_empty()
            && f.reason() == amplify_api::DecodeReason::MalformedBody),
        "{err:?}"
    );
    // Not JSON at all: garbled on the way, worth a retry.
    assert!(err.is_retryable());
    assert!(err.to_string().contains("not valid JSON"), "{err}");
}

#[tokio::test]
async fn per_request_headers_replace_defaults() {
    let server = TestServer::ok().await;
    let api = api_for(&server);
    let mut extra = http::HeaderMap::new();
    extra.insert("x-typed", http::HeaderValue::from_static("yes"));
    api.query("{ a }")
        .header("content-type", "application/graphql+json")
        .headers(extra)
        .send::<serde_json::Value>()
        .await
        .unwrap();
    let req = server.request(0);
    assert_eq!(req.header("content-type"), Some("application/graphql+json"));
    assert_eq!(req.header("x-typed"), Some("yes"));
    assert_eq!(req.headers.get_all("content-type").iter().count(), 1);
}
