//! Arbitrary requests to every operation get a Cognito-shaped 200 or 4xx: never a panic or a 500.
//! The same for GraphQL documents, variables and REST paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::OnceLock;

use amplify_emulator::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn backend() -> &'static Backend {
    static BACKEND: OnceLock<Backend> = OnceLock::new();
    BACKEND.get_or_init(|| {
        Emulator::builder()
            .rng_seed([3; 32])
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .id("us-east-1_Prop1")
                    .client(AppClientSpec::new().id("propclient"))
                    .client(AppClientSpec::new().id("propsecret").fixed_secret("secret"))
                    .custom_attribute("tenant")
                    .group(GroupSpec::new("admins"))
                    .mfa(MfaConfiguration::Optional, [MfaMethod::Sms])
                    .user(
                        UserSpec::new("alice", "Passw0rd!")
                            .email("a@example.com")
                            .phone_number("+15555550100"),
                    ),
            )
            .identity_pool(
                IdentityPoolSpec::new().id("us-east-1:00000000-0000-4000-8000-000000000001"),
            )
            .graphql_api(
                GraphQlApiSpec::sample_todo()
                    .additional_mode(AuthMode::AmazonCognitoUserPools)
                    .api_key(ApiKeySpec::new().key("da2-prop")),
            )
            .rest_api(RestApiSpec::new("open").mode(AuthMode::None))
            .build_backend("http://127.0.0.1:1")
            .unwrap()
    })
}

const MEMBERS: &[&str] = &[
    "ClientId",
    "Username",
    "Password",
    "AuthFlow",
    "AuthParameters",
    "ChallengeName",
    "ChallengeResponses",
    "Session",
    "AccessToken",
    "RefreshToken",
    "Token",
    "UserPoolId",
    "IdentityPoolId",
    "IdentityId",
    "Logins",
    "UserAttributes",
    "ConfirmationCode",
    "SecretHash",
    "GroupName",
    "ClientSecret",
    "AttributeName",
    "Code",
    "PreviousPassword",
    "ProposedPassword",
    "TemporaryPassword",
    "MessageAction",
    "SMSMfaSettings",
    "TokenDuration",
    "Permanent",
    "Filter",
];

fn interesting_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("propclient".to_owned()),
        Just("propsecret".to_owned()),
        Just("alice".to_owned()),
        Just("us-east-1_Prop1".to_owned()),
        Just("us-east-1:00000000-0000-4000-8000-000000000001".to_owned()),
        Just("USER_SRP_AUTH".to_owned()),
        Just("USER_PASSWORD_AUTH".to_owned()),
        Just("REFRESH_TOKEN_AUTH".to_owned()),
        Just("CUSTOM_AUTH".to_owned()),
        Just("PASSWORD_VERIFIER".to_owned()),
        Just("SMS_MFA".to_owned()),
        Just("NEW_PASSWORD_REQUIRED".to_owned()),
        Just("Passw0rd!".to_owned()),
        Just("abcdef0123456789".to_owned()),
        Just("a.b.c".to_owned()),
        Just("Tue Nov 3 12:00:00 UTC 2026".to_owned()),
        ".{0,40}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        interesting_string().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(MEMBERS).prop_map(str::to_owned),
                    interesting_string(),
                    Just("Name".to_owned()),
                    Just("Value".to_owned()),
                    Just("USERNAME".to_owned()),
                    Just("SRP_A".to_owned()),
                    Just("PASSWORD".to_owned())
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn request() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(
        prop::sample::select(MEMBERS).prop_map(str::to_owned),
        value(),
        0..6,
    )
    .prop_map(|m| m.into_iter().collect())
}

fn check(target: &str, body: &[u8]) {
    let response = backend().handle_aws_json(target, body);
    let status = response.status().as_u16();
    assert!(
        status == 200 || (400..500).contains(&status),
        "{target}: status {status}"
    );
    let parsed: Value = serde_json::from_slice(response.body()).expect("a JSON body");
    if parsed["__type"] == "com.amazon.coral.service#UnknownOperationException" {
        // The router's answer to an unknown operation: no message, no x-amzn-ErrorType.
        assert_eq!(status, 400);
        assert!(!response.headers().contains_key("x-amzn-errortype"));
    } else if status != 200 {
        assert!(parsed["__type"].is_string(), "{target}: {parsed}");
        assert!(parsed["message"].is_string(), "{target}: {parsed}");
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            parsed["__type"].as_str().unwrap()
        );
    }
}

const GRAPHQL_TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    ",",
    "$v",
    "$w",
    "...F",
    "... on Todo",
    "fragment F on Query",
    "fragment F on Todo",
    "query",
    "query Q($v: ID!, $w: ModelTodoFilterInput)",
    "mutation",
    "subscription",
    "getTodo",
    "listTodos",
    "createTodo",
    "updateTodo",
    "deleteTodo",
    "id",
    "name",
    "items",
    "nextToken",
    "adminNote",
    "__typename",
    "input:",
    "filter:",
    "limit:",
    "id:",
    "\"x\"",
    "1",
    "-7",
    "2.5",
    "true",
    "null",
    "{name: {contains: \"a\"}}",
    "{id: \"x\", name: \"n\"}",
    "@skip(if: true)",
    "@include(if: $v)",
    "@bogus",
    "alias:",
    "#",
    "\"\"\"",
    "\\u0000",
];

fn graphql_document() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(GRAPHQL_TOKENS), 0..40).prop_map(|t| t.join(" "))
}

fn graphql(body: &[u8], headers: &[(&str, &str)]) {
    let mut request = http::Request::post("/graphql");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = backend().handle(&request.body(bytes::Bytes::copy_from_slice(body)).unwrap());
    let status = response.status().as_u16();
    assert!(
        status == 200 || status == 400 || status == 401 || status == 403,
        "status {status} for {}",
        String::from_utf8_lossy(body)
    );
    let parsed: Value = serde_json::from_slice(response.body()).expect("a JSON body");
    if status != 200 {
        assert!(parsed["errors"][0]["message"].is_string(), "{parsed}");
    } else {
        assert!(parsed.get("data").is_some(), "{parsed}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_graphql_documents_never_break_the_endpoint(
        query in graphql_document(),
        variables in value(),
        operation in prop::option::of(prop_oneof![Just("Q".to_owned()), ".{0,8}"]),
    ) {
        let body = json!({"query": query, "variables": variables, "operationName": operation});
        graphql(body.to_string().as_bytes(), &[("x-api-key", "da2-prop")]);
    }

    #[test]
    fn arbitrary_graphql_bodies_and_headers_never_break_the_endpoint(
        body in prop::collection::vec(any::<u8>(), 0..200),
        authorization in prop_oneof![Just("a.b.c".to_owned()), Just("AWS4-HMAC-SHA256 Credential=x/y/z/appsync/aws4_request, SignedHeaders=host, Signature=00".to_owned()), "[ -~]{0,80}"],
    ) {
        graphql(&body, &[("x-api-key", "da2-prop")]);
        graphql(&body, &[("authorization", authorization.as_str())]);
    }

    #[test]
    fn arbitrary_rest_requests_never_break_the_endpoint(
        path in "(/[a-z0-9%.]{0,8}){0,4}",
        method in prop::sample::select(&["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"][..]),
        body in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        // `/status/<code>` answers any code on purpose.
        prop_assume!(!path.contains("status"));
        let request = http::Request::builder()
            .method(method)
            .uri(format!("/rest/open{path}"))
            .body(bytes::Bytes::from(body))
            .unwrap();
        let status = backend().handle(&request).status().as_u16();
        prop_assert!((200..500).contains(&status), "{method} {path}: {status}");
    }

    #[test]
    fn arbitrary_json_members_never_break_an_operation(target in prop::sample::select(supported_targets()), members in request()) {
        check(&target, Value::Object(members).to_string().as_bytes());
    }

    #[test]
    fn arbitrary_bytes_and_targets_never_break_the_handler(target in ".{0,60}", body in prop::collection::vec(any::<u8>(), 0..200)) {
        check(&target, &body);
        check("AWSCognitoIdentityProviderService.InitiateAuth", &body);
    }
}

#[test]
fn every_target_answers_an_empty_body_with_a_4xx() {
    for target in supported_targets() {
        for body in [
            &b""[..],
            b"{}",
            b"null",
            b"[]",
            b"\"x\"",
            b"{\"ClientId\": {}}",
        ] {
            let response = backend().handle_aws_json(&target, body);
            assert_eq!(
                response.status().as_u16(),
                400,
                "{target} {}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
