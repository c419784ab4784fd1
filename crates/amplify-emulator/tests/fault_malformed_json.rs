//! `Fault::MalformedJson` over the wire: HTTP 200, the operation's usual content type, a full
//! `content-length` and a body that is not JSON; the operation does not run; the next request
//! gets the real answer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use amplify_emulator::{
    ApiKeySpec, AuthMode, Emulator, Fault, GraphQlApiSpec, UserPoolSpec, UserSpec,
};
use common::http::{Reply, Req};
use common::*;
use serde_json::{Value, json};

const PASSWORD: &str = "Malformed-Json-7";
const CREATE: &str = "mutation { createTodo(input: {name: \"milk\"}) { id name } }";
const LIST: &str = "query { listTodos { items { id name } } }";

/// The body arrived whole (its length is the `content-length`) and is not JSON.
fn assert_malformed(reply: &Reply, content_type: &str) {
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some(content_type));
    assert_eq!(
        reply.header("content-length").map(str::parse::<usize>),
        Some(Ok(reply.body.len()))
    );
    assert!(!reply.body.is_empty());
    assert!(
        serde_json::from_slice::<Value>(&reply.body).is_err(),
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}

#[tokio::test]
async fn malformed_json_is_a_full_200_that_does_not_parse() {
    let emu = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .api_key(ApiKeySpec::new()),
        )
        .start()
        .await
        .unwrap();
    let (access, _, _) = password_tokens(&emu, emu.client_id(), "alice", PASSWORD).await;
    let get_user = Req::post_json("/", &json!({ "AccessToken": access }))
        .set_header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.GetUser");

    // Cognito: its content type, half of an answer.
    emu.faults().inject("GetUser", Fault::MalformedJson);
    let reply = get_user.send(emu.local_addr()).await;
    assert_malformed(&reply, "application/x-amz-json-1.1");
    assert!(
        reply.body.starts_with(b"{\"AuthenticationResult\":"),
        "{reply:?}"
    );
    assert!(reply.header("x-amzn-requestid").is_some());
    let reply = get_user.send(emu.local_addr()).await;
    assert_eq!(reply.json()["Username"], "alice");

    // Whatever the real answer (here an error): the AWS SDK sees a 2xx it cannot parse, not a
    // service error.
    emu.faults().inject("GetUser", Fault::MalformedJson);
    let err = idp(&emu)
        .get_user()
        .access_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().is_none(), "{err:?}");
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 200);

    // AppSync: the answer does not parse and the mutation did not run.
    let key = emu.api_key().unwrap();
    let graphql =
        |q: &str| Req::post_json("/graphql", &json!({ "query": q })).header("x-api-key", &key);
    emu.faults().inject("graphql", Fault::MalformedJson);
    let reply = graphql(CREATE).send(emu.local_addr()).await;
    assert_malformed(&reply, "application/json; charset=UTF-8");
    let reply = graphql(LIST).send(emu.local_addr()).await;
    assert_eq!(reply.json()["data"]["listTodos"]["items"], json!([]));
    let reply = graphql(CREATE).send(emu.local_addr()).await;
    assert_eq!(reply.json()["data"]["createTodo"]["name"], "milk");
    assert_eq!(emu.request_count("graphql"), 3);
}
