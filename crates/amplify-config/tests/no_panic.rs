//! No input makes the parser panic, and every error it returns is well formed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use amplify_config::{AmplifyConfig, ConfigError, ConfigWarning};
use proptest::prelude::*;
use serde_json::Value;

const FIXTURES: [&str; 12] = [
    include_str!("data/gen1_full.json"),
    include_str!("data/gen2_full.json"),
    include_str!("data/gen1_multi_auth_seed004.json"),
    include_str!("data/gen1_emulator.json"),
    include_str!("data/gen2_emulator.json"),
    include_str!("data/web_basic.json"),
    include_str!("data/gen1_basic.json"),
    include_str!("data/web_oauth_rest_multi_auth.json"),
    include_str!("data/gen1_oauth_rest_multi_auth.json"),
    include_str!("data/gen2_custom_api.json"),
    include_str!("data/gen1_named_apis.json"),
    include_str!("data/resources_config.json"),
];

/// Keys the parser looks at, so random documents reach deep into both formats.
const KEYS: &[&str] = &[
    "version",
    "auth",
    "api",
    "data",
    "plugins",
    "awsCognitoAuthPlugin",
    "awsAPIPlugin",
    "CognitoUserPool",
    "Default",
    "PoolId",
    "AppClientId",
    "Region",
    "Endpoint",
    "aws_region",
    "user_pool_id",
    "user_pool_client_id",
    "url",
    "default_authorization_type",
    "authorization_types",
    "endpointType",
    "endpoint",
    "region",
    "authorizationType",
    "apiKey",
    "api_key",
    "AppSync",
    "ApiUrl",
    "AuthMode",
    "mfa_configuration",
    "groups",
    "oauth",
    "Auth",
    "OAuth",
    "rest_api",
    "custom",
    "CredentialsProvider",
    "CognitoIdentity",
    "aws_project_region",
    "aws_cognito_region",
    "aws_user_pools_id",
    "aws_user_pools_web_client_id",
    "aws_cognito_identity_pool_id",
    "aws_appsync_graphqlEndpoint",
    "aws_appsync_region",
    "aws_appsync_authenticationType",
    "aws_appsync_apiKey",
    "aws_appsync_additionalAuthenticationTypes",
    "aws_cloud_logic_custom",
    "aws_mandatory_sign_in",
    "allowUnauthenticatedIdentities",
    "aws_cognito_mfa_configuration",
    "aws_cognito_social_providers",
    "aws_cognito_password_protection_settings",
    "passwordPolicyMinLength",
    "domain",
    "scope",
    "redirectSignIn",
    "redirectSignOut",
    "responseType",
    "name",
    "service",
    "API",
    "Auth",
    "Cognito",
    "GraphQL",
    "REST",
    "apiName",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "1",
            "us-east-1",
            "us-east-1_Abc",
            "us-east-1:abc",
            "API_KEY",
            "AWS_IAM",
            "GraphQL",
            "REST",
            "https://x.example/graphql",
            "http://127.0.0.1:1",
            "OPTIONAL",
            "ON",
            "NONE",
            "email",
            "SMS",
            "1.9",
            "LAMBDA",
            "AWS_IAM,API_KEY",
            "enable",
            "https://a.execute-api.us-east-1.amazonaws.com/dev",
            "https://a.appsync-api.us-east-1.amazonaws.com/graphql",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
                        "\\PC{0,6}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn check(result: Result<AmplifyConfig, ConfigError>) {
    check_with_warnings(result.map(|config| (config, Vec::new())));
}

fn check_with_warnings(result: Result<(AmplifyConfig, Vec<ConfigWarning>), ConfigError>) {
    if let Ok((_, warnings)) = &result {
        for warning in warnings {
            assert!(!warning.kind().is_empty(), "{warning:?}");
            assert!(!warning.to_string().is_empty());
            assert!(!warning.detail().note().is_empty());
        }
    }
    if let Err(err) = result {
        assert!(!err.to_string().is_empty());
        assert!(err.recovery_suggestion().is_some_and(|s| !s.is_empty()));
        if let Some(field) = err.field() {
            assert!(!field.path().is_empty(), "{err:?}");
            assert!(!field.expected().is_empty(), "{err:?}");
        }
    }
}

/// Every JSON pointer inside a document.
fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{prefix}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{prefix}/{i}");
                out.push(p.clone());
                pointers(v, &p, out);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        check(AmplifyConfig::from_value(&value));
        check_with_warnings(AmplifyConfig::from_value_with_warnings(&value));
        check(AmplifyConfig::from_json(&value.to_string()));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check(AmplifyConfig::from_json(&text));
    }

    #[test]
    fn mutated_fixtures_never_panic(fixture in 0..FIXTURES.len(), pick in any::<prop::sample::Index>(), replacement in json_value(), remove in any::<bool>()) {
        let mut doc: Value = serde_json::from_str(FIXTURES[fixture]).unwrap();
        let mut all = Vec::new();
        pointers(&doc, "", &mut all);
        let pointer = pick.get(&all).clone();
        if remove {
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            match doc.pointer_mut(parent) {
                Some(Value::Object(map)) => { map.remove(&key.replace("~1", "/").replace("~0", "~")); }
                Some(Value::Array(items)) => { let i: usize = key.parse().unwrap(); items.remove(i); }
                _ => {}
            }
        } else if let Some(slot) = doc.pointer_mut(&pointer) {
            *slot = replacement;
        }
        check_with_warnings(AmplifyConfig::from_value_with_warnings(&doc));
    }

    #[test]
    fn truncated_fixtures_are_malformed_not_panics(fixture in 0..FIXTURES.len(), cut in any::<prop::sample::Index>()) {
        let text = FIXTURES[fixture].trim_end();
        let at = cut.index(text.len());
        if let Some(prefix) = text.get(..at) {
            let result = AmplifyConfig::from_json(prefix);
            prop_assert!(matches!(result, Err(ConfigError::MalformedJson(_))), "{at}");
        }
    }
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    let deep = format!(
        "{{\"version\": \"1\", \"custom\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        AmplifyConfig::from_json(&deep),
        Err(ConfigError::MalformedJson(_))
    ));
}
