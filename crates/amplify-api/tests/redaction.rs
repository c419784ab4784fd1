//! Secret redaction across API flows against the emulator (issue 15): GraphQL with an API key,
//! user pool tokens and IAM (identity-pool credentials from the real auth plugin), REST with IAM
//! and with an API key, a user-pool subscription that receives an event, and refused requests,
//! all under a TRACE capture that sees our logs, the auth plugin's, the AWS SDK's and the
//! emulator's (one current-thread runtime). No password, token, refresh token, API key, AWS
//! secret key or session token may appear in the logs, nor in the `Debug` / `Display` of the
//! operation builders, responses, subscription items and errors involved: neither as is nor
//! base64-encoded (`common/secret_forms.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/secret_forms.rs"]
mod secret_forms;

use std::time::Duration;

use amplify_api::{ApiPlugin, GraphQlResponse};
use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::test_util::LogCapture;
use amplify_core::{Amplify, AuthorizationType};
use amplify_emulator::{
    ApiKeySpec, AuthMode, Emulator, GraphQlApiSpec, IdentityPoolSpec, RestApiSpec, UserPoolSpec,
    UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use serde_json::{Value, json};

const PASSWORD: &str = "Redaction-Passw0rd-41";
const CREATE: &str =
    "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }";
const LIST: &str = "query { listTodos { items { id name } } }";
const ON_CREATE: &str = "subscription { onCreateTodo { id name } }";
const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn api_flows_leak_no_secret() {
    let capture = LogCapture::start();
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam)
                .api_key(ApiKeySpec::new().expires_in(Duration::from_secs(86_400))),
        )
        .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam))
        .rest_api(RestApiSpec::new("keyed").mode(AuthMode::ApiKey))
        .start()
        .await
        .unwrap();
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let api = ApiPlugin::new();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify.add_plugin(api.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();

    let mut secrets: Vec<String> = vec![PASSWORD.into()];
    secrets.extend(emulator.api_keys());
    secrets.extend(emulator.rest_api_key("keyed"));
    assert!(secrets.len() >= 3, "the GraphQL and REST API keys");
    let mut shown: Vec<String> = Vec::new();
    fn ok(response: &GraphQlResponse<Value>) {
        assert!(response.errors.is_empty(), "{:?}", response.errors);
    }

    // GraphQL with the API key (the default mode).
    let op = api.mutate(CREATE).variables(json!({"name": "milk"}));
    shown.push(format!("{op:?}"));
    let created = op.send::<Value>().await.unwrap();
    ok(&created);
    shown.push(format!("{created:?}"));

    // Signed in: user pool tokens and identity-pool credentials.
    let signed_in = auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    shown.push(format!("{signed_in:?}"));
    let session = auth.fetch_auth_session().send().await;
    let tokens = session.user_pool_tokens.as_ref().unwrap();
    secrets.push(tokens.access_token.expose_secret().into());
    secrets.push(tokens.id_token.expose_secret().into());
    secrets.push(tokens.refresh_token.expose_secret().into());
    let creds = session.credentials.as_ref().unwrap();
    secrets.push(creds.secret_access_key().into());
    secrets.push(creds.session_token().unwrap().into());

    // A subscription with the user pool token, established before the create it receives.
    let subscribe = api
        .subscribe(ON_CREATE)
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools);
    shown.push(format!("{subscribe:?}"));
    let mut sub = subscribe.start::<Value>().unwrap();
    tokio::time::timeout(WAIT, sub.established())
        .await
        .unwrap()
        .unwrap();
    shown.push(format!("{sub:?}"));

    for mode in [
        AuthorizationType::AmazonCognitoUserPools,
        AuthorizationType::AwsIam,
    ] {
        let op = api
            .mutate(CREATE)
            .variables(json!({"name": mode.to_string()}))
            .authorization_mode(mode);
        shown.push(format!("{op:?}"));
        let created = op.send::<Value>().await.unwrap();
        ok(&created);
        shown.push(format!("{created:?}"));
        let listed = api
            .query(LIST)
            .authorization_mode(mode)
            .send::<Value>()
            .await
            .unwrap();
        ok(&listed);
        shown.push(format!("{listed:?}"));
    }
    let event = tokio::time::timeout(WAIT, sub.next())
        .await
        .unwrap()
        .expect("an event")
        .unwrap();
    ok(&event);
    shown.push(format!("{event:?}"));
    drop(sub);

    // REST with IAM and with an API key.
    let op = api
        .post("/items")
        .api_name("api")
        .json(&json!({"name": "rest"}));
    shown.push(format!("{op:?}"));
    let response = op.send().await.unwrap();
    shown.push(format!("{response:?}"));
    let response = api.get("/items").api_name("keyed").send().await.unwrap();
    shown.push(format!("{response:?}"));

    // Refused requests: their errors, in Debug and Display.
    let wrong_key = api
        .query(LIST)
        .header("x-api-key", "da2-wrongkeywrongkeywrongkey")
        .send::<Value>()
        .await
        .unwrap_err();
    secrets.push("da2-wrongkeywrongkeywrongkey".into());
    shown.push(format!("{wrong_key:?} {wrong_key}"));
    let forged = format!("{}x", tokens.id_token.expose_secret());
    let bad_token = api
        .query(LIST)
        .header("authorization", &forged)
        .send::<Value>()
        .await
        .unwrap_err();
    shown.push(format!("{bad_token:?} {bad_token}"));

    // Signed out: the user-pool mode fails before sending; IAM falls back to guest credentials.
    auth.sign_out().send().await;
    let signed_out = api
        .query(LIST)
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
        .send::<Value>()
        .await
        .unwrap_err();
    shown.push(format!("{signed_out:?} {signed_out}"));
    let guest = auth.fetch_auth_session().send().await;
    if let Ok(guest) = guest.credentials.as_ref() {
        secrets.push(guest.secret_access_key().into());
        secrets.extend(guest.session_token().map(str::to_owned));
    }
    let listed = api
        .query(LIST)
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await
        .unwrap();
    shown.push(format!("{listed:?}"));
    shown.push(format!("{api:?} {auth:?}"));

    let logs = capture.contents();
    drop(capture);
    assert!(logs.contains("TRACE"), "TRACE output was captured");
    assert!(
        logs.len() > 10_000,
        "the emulator's and the SDK's output too"
    );
    let shown = shown.join("\n");
    // As is and base64-encoded (a secret inside the realtime `header-` subprotocol).
    let forms: Vec<Vec<String>> = secrets.iter().map(|s| secret_forms::forms(s)).collect();
    if let Some((secret, at)) = secret_forms::find(&logs, &forms) {
        let start = logs[..at].rfind('\n').unwrap_or(0);
        panic!(
            "a secret leaked into the logs: {secret:.12}… in line: {:.1500}",
            &logs[start..]
        );
    }
    if let Some((secret, _)) = secret_forms::find(&shown, &forms) {
        panic!("a secret leaked into Debug/Display: {secret:.12}… in {shown}");
    }
}
