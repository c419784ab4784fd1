//! Every field of both formats, their equivalence, and every error path.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use amplify_config::*;

const GEN1_FULL: &str = include_str!("data/gen1_full.json");
const GEN2_FULL: &str = include_str!("data/gen2_full.json");
const GEN1_SEED004: &str = include_str!("data/gen1_multi_auth_seed004.json");
const GEN1_EMULATOR: &str = include_str!("data/gen1_emulator.json");
const GEN2_EMULATOR: &str = include_str!("data/gen2_emulator.json");

fn parse(json: &str) -> AmplifyConfig {
    AmplifyConfig::from_json(json)
        .unwrap_or_else(|e| panic!("{e}\n{}", e.recovery_suggestion().unwrap_or_default()))
}

fn err(json: &str) -> ConfigError {
    match AmplifyConfig::from_json(json) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(e) => e,
    }
}

/// Replaces the value at a `/`-separated pointer in a fixture and parses the result.
fn err_with(fixture: &str, pointer: &str, value: serde_json::Value) -> ConfigError {
    let mut doc: serde_json::Value = serde_json::from_str(fixture).unwrap();
    *doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = value;
    err(&doc.to_string())
}

fn err_without(fixture: &str, parent: &str, key: &str) -> ConfigError {
    let mut doc: serde_json::Value = serde_json::from_str(fixture).unwrap();
    doc.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key)
        .unwrap();
    err(&doc.to_string())
}

#[test]
fn gen1_every_field() {
    let config = parse(GEN1_FULL);
    let auth = config.auth.as_ref().unwrap();
    assert_eq!(auth.region, "us-east-1");

    let pool = auth.user_pool.as_ref().unwrap();
    assert_eq!(pool.pool_id, "us-east-1_AbCdEf123");
    assert_eq!(pool.app_client_id, "4example5client6id7");
    assert_eq!(
        pool.app_client_secret.as_ref().unwrap().expose_secret(),
        "gen1-client-secret-value"
    );
    assert_eq!(pool.region, "us-east-1");
    assert_eq!(
        pool.endpoint.as_ref().unwrap().as_str(),
        "https://proxy.example.com/cognito"
    );

    let identity = auth.identity_pool.as_ref().unwrap();
    assert_eq!(
        identity.pool_id,
        "us-east-1:4b1d6e5c-0000-4000-8000-0123456789ab"
    );
    assert_eq!(identity.region, "us-east-1");
    assert_eq!(identity.endpoint, None);

    let oauth = auth.oauth.as_ref().unwrap();
    assert_eq!(
        oauth.domain,
        "example-auth.auth.us-east-1.amazoncognito.com"
    );
    assert_eq!(
        oauth.redirect_sign_in_uris,
        ["myapp://callback/", "http://localhost:3000/"]
    );
    assert_eq!(oauth.redirect_sign_out_uris, ["myapp://signout/"]);
    assert_eq!(oauth.scopes.len(), 5);
    assert_eq!(oauth.response_type, OAuthResponseType::Code);
    assert_eq!(
        oauth.identity_providers,
        [
            IdentityProvider::Google,
            IdentityProvider::Facebook,
            IdentityProvider::Amazon,
            IdentityProvider::Apple
        ]
    );

    assert_eq!(auth.username_attributes, [UsernameAttribute::Email]);
    assert_eq!(
        auth.sign_up_attributes,
        [UserAttributeKey::Email, UserAttributeKey::FamilyName]
    );
    let policy = auth.password_policy.as_ref().unwrap();
    assert_eq!(policy.min_length, Some(10));
    assert!(
        policy.require_lowercase
            && policy.require_uppercase
            && policy.require_numbers
            && policy.require_symbols
    );
    assert_eq!(auth.mfa.status, MfaStatus::Optional);
    assert_eq!(
        auth.mfa.methods,
        [MfaMethod::Sms, MfaMethod::Totp, MfaMethod::Email]
    );
    assert_eq!(auth.user_verification_types, [VerificationType::Email]);
    assert!(auth.unauthenticated_identities_enabled);
    assert_eq!(
        auth.authentication_flow_type,
        Some(AuthFlowType::UserSrpAuth)
    );

    let data = config.api(EndpointType::GraphQl, None).unwrap();
    assert_eq!(data.name, "data");
    assert_eq!(
        data.url.as_str(),
        "https://abc123.appsync-api.us-east-1.amazonaws.com/graphql"
    );
    assert_eq!(data.region, "us-east-1");
    assert_eq!(
        data.default_authorization_type,
        AuthorizationType::AmazonCognitoUserPools
    );
    // The AppSync section's other entries for the same URL become additional modes.
    assert_eq!(
        data.additional_authorization_types,
        [AuthorizationType::ApiKey, AuthorizationType::AwsIam]
    );
    assert_eq!(
        data.api_key.as_ref().unwrap().expose_secret(),
        "da2-gen1apikeyvalue"
    );

    let rest = config.api(EndpointType::Rest, None).unwrap();
    assert_eq!(rest.name, "items");
    assert_eq!(rest.default_authorization_type, AuthorizationType::AwsIam);
    assert!(rest.additional_authorization_types.is_empty());
    assert_eq!(config.custom, None);
}

#[test]
fn gen2_every_field_and_equal_to_gen1() {
    let mut gen2 = parse(GEN2_FULL);
    let gen1 = parse(GEN1_FULL);
    let auth = gen2.auth.as_ref().unwrap();
    assert_eq!(
        auth.user_pool.as_ref().unwrap().pool_id,
        "us-east-1_AbCdEf123"
    );
    assert_eq!(
        auth.user_pool
            .as_ref()
            .unwrap()
            .endpoint
            .as_ref()
            .unwrap()
            .as_str(),
        "https://proxy.example.com/cognito"
    );
    assert_eq!(auth.mfa.status, MfaStatus::Optional);
    // Gen 2 states guest access; native Gen 1 cannot. Everything else is equal.
    assert_eq!(auth.guest_access, GuestAccess::Allowed);
    assert_eq!(
        gen1.auth.as_ref().unwrap().guest_access,
        GuestAccess::NotStated
    );
    gen2.auth.as_mut().unwrap().guest_access = GuestAccess::NotStated;
    assert_eq!(gen1, gen2);
}

#[test]
fn gen2_only_fields() {
    let config = parse(
        r#"{"version": "1.4", "auth": {"aws_region": "eu-central-1",
            "user_pool_id": "eu-central-1_X1", "user_pool_client_id": "c",
            "identity_pool_id": "eu-central-1:abc-123", "identity_pool_endpoint": "http://localhost:9229",
            "unauthenticated_identities_enabled": false,
            "mfa_configuration": "REQUIRED", "mfa_methods": ["TOTP"],
            "authentication_flow_type": "CUSTOM_AUTH",
            "passwordless": {"email_otp_enabled": true, "sms_otp_enabled": false,
                "web_authn": {"relying_party_id": "example.com", "user_verification": "preferred"},
                "preferred_challenge": "EMAIL_OTP"},
            "groups": [{"ADMINS": {"precedence": 0}}, {"EDITORS": {"precedence": 1}}],
            "oauth": {"domain": "d.example.com", "scopes": ["openid"], "redirect_sign_in_uri": ["a://"],
                "redirect_sign_out_uri": ["b://"], "response_type": "token",
                "sign_in_uri": "https://si", "sign_in_uri_query_parameters": {"k": "v"},
                "sign_out_uri": "https://so", "sign_out_uri_query_parameters": {"x": "y"},
                "token_uri": "https://t"}},
          "custom": {"anything": [1, 2, 3]}}"#,
    );
    let auth = config.auth.as_ref().unwrap();
    assert!(!auth.unauthenticated_identities_enabled);
    assert_eq!(auth.mfa.status, MfaStatus::Required);
    assert_eq!(
        auth.authentication_flow_type,
        Some(AuthFlowType::CustomAuthWithoutSrp)
    );
    assert_eq!(
        auth.identity_pool
            .as_ref()
            .unwrap()
            .endpoint
            .as_ref()
            .unwrap()
            .as_str(),
        "http://localhost:9229"
    );
    let passwordless = auth.passwordless.as_ref().unwrap();
    assert!(passwordless.email_otp_enabled && !passwordless.sms_otp_enabled);
    assert_eq!(
        passwordless.web_authn_relying_party_id.as_deref(),
        Some("example.com")
    );
    assert_eq!(
        passwordless.web_authn_user_verification.as_deref(),
        Some("preferred")
    );
    assert_eq!(
        passwordless.preferred_challenge.as_deref(),
        Some("EMAIL_OTP")
    );
    assert_eq!(auth.groups.len(), 2);
    assert_eq!(
        (auth.groups[0].name.as_str(), auth.groups[0].precedence),
        ("ADMINS", Some(0))
    );
    let oauth = auth.oauth.as_ref().unwrap();
    assert_eq!(oauth.response_type, OAuthResponseType::Token);
    assert_eq!(oauth.sign_in_uri.as_deref(), Some("https://si"));
    assert_eq!(
        oauth
            .sign_in_uri_query_parameters
            .get("k")
            .map(String::as_str),
        Some("v")
    );
    assert_eq!(oauth.sign_out_uri.as_deref(), Some("https://so"));
    assert_eq!(
        oauth
            .sign_out_uri_query_parameters
            .get("x")
            .map(String::as_str),
        Some("y")
    );
    assert_eq!(oauth.token_uri.as_deref(), Some("https://t"));
    assert_eq!(
        config.custom,
        Some(serde_json::json!({"anything": [1, 2, 3]}))
    );
    assert!(config.apis.is_empty());
}

#[test]
fn gen1_flow_types_and_mfa_spellings() {
    for (flow, expected) in [
        ("USER_PASSWORD_AUTH", AuthFlowType::UserPasswordAuth),
        ("CUSTOM_AUTH_WITH_SRP", AuthFlowType::CustomAuthWithSrp),
        (
            "CUSTOM_AUTH_WITHOUT_SRP",
            AuthFlowType::CustomAuthWithoutSrp,
        ),
        ("USER_AUTH", AuthFlowType::UserAuth),
    ] {
        let mut doc: serde_json::Value = serde_json::from_str(GEN1_FULL).unwrap();
        let options = doc
            .pointer_mut("/auth/plugins/awsCognitoAuthPlugin/Auth/Default")
            .unwrap();
        options["authenticationFlowType"] = flow.into();
        options["mfaConfiguration"] = "ON".into();
        let config = parse(&doc.to_string());
        let auth = config.auth.unwrap();
        assert_eq!(auth.authentication_flow_type, Some(expected));
        assert_eq!(auth.mfa.status, MfaStatus::Required);
    }
}

#[test]
fn emulator_configs_use_loopback_http_and_are_equal() {
    let gen1 = parse(GEN1_EMULATOR);
    let gen2 = parse(GEN2_EMULATOR);
    assert_eq!(gen1, gen2);
    let auth = gen1.auth.unwrap();
    assert_eq!(
        auth.user_pool.unwrap().endpoint.unwrap().as_str(),
        "http://127.0.0.1:9229"
    );
    assert_eq!(
        auth.identity_pool.unwrap().endpoint.unwrap().host(),
        "127.0.0.1"
    );
}

#[test]
fn seed004_multi_auth_every_mode_known_and_names_preserved() {
    let config = parse(GEN1_SEED004);
    let names: Vec<&str> = config.apis.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "otherapi",
            "todoapi_AMAZON_COGNITO_USER_POOLS",
            "todoapi_API_KEY",
            "todoapi_AWS_IAM",
            "todoapi_AWS_LAMBDA",
            "todoapi_OPENID_CONNECT"
        ]
    );
    let iam = config
        .api(EndpointType::GraphQl, Some("todoapi_AWS_IAM"))
        .unwrap();
    assert_eq!(iam.default_authorization_type, AuthorizationType::AwsIam);
    let all: Vec<AuthorizationType> = iam.authorization_types().collect();
    assert_eq!(
        all,
        [
            AuthorizationType::AwsIam,
            AuthorizationType::ApiKey,
            AuthorizationType::AmazonCognitoUserPools,
            AuthorizationType::OpenIdConnect,
            AuthorizationType::AwsLambda,
        ]
    );
    // The key stated on one entry serves every entry of the same URL.
    assert_eq!(iam.api_key.as_ref().unwrap().expose_secret(), "da2-seedkey");
    let other = config.api(EndpointType::GraphQl, Some("otherapi")).unwrap();
    assert!(other.additional_authorization_types.is_empty());
    assert!(other.api_key.is_none());

    match config.api(EndpointType::GraphQl, None) {
        Err(ApiLookupError::Ambiguous { candidates, .. }) => assert_eq!(candidates.len(), 6),
        other => panic!("{other:?}"),
    }
    match config.api(EndpointType::GraphQl, Some("todo")) {
        Err(e @ ApiLookupError::UnknownName { .. }) => assert!(e.to_string().contains("otherapi")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        config.api(EndpointType::Rest, None),
        Err(ApiLookupError::NoneConfigured(EndpointType::Rest))
    );
}

#[test]
fn default_api_is_the_prefix_entry_of_one_url() {
    let config = parse(
        r#"{"api": {"plugins": {"awsAPIPlugin": {
        "todo_API_KEY": {"endpointType": "GraphQL", "endpoint": "https://t.example/graphql", "region": "us-east-1", "authorizationType": "API_KEY", "apiKey": "k"},
        "todo": {"endpointType": "GraphQL", "endpoint": "https://t.example/graphql", "region": "us-east-1", "authorizationType": "AWS_IAM"}}}}}"#,
    );
    assert_eq!(
        config.api(EndpointType::GraphQl, None).unwrap().name,
        "todo"
    );
}

#[test]
fn unknown_fields_are_ignored() {
    let mut doc: serde_json::Value = serde_json::from_str(GEN2_FULL).unwrap();
    doc["auth"]["brand_new_field"] = serde_json::json!({"nested": true});
    doc["storage"] = serde_json::json!({"bucket_name": "b", "aws_region": "us-east-1"});
    doc["data"]["conflict_resolution_mode"] = "AUTOMERGE".into();
    assert_eq!(parse(&doc.to_string()), parse(GEN2_FULL));
    let mut doc: serde_json::Value = serde_json::from_str(GEN1_FULL).unwrap();
    doc["analytics"] = serde_json::json!({"plugins": {}});
    doc["auth"]["plugins"]["awsCognitoAuthPlugin"]["PinpointAnalytics"] = serde_json::json!({});
    assert_eq!(parse(&doc.to_string()), parse(GEN1_FULL));
}

#[test]
fn debug_output_never_contains_secrets() {
    for fixture in [GEN1_FULL, GEN2_FULL] {
        let shown = format!("{:?}", parse(fixture));
        assert!(!shown.contains("gen1-client-secret-value"), "{shown}");
        assert!(!shown.contains("da2-gen1apikeyvalue"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}

// ---- errors ------------------------------------------------------------------------------

#[test]
fn malformed_json_reports_line_and_column() {
    let e = err("{\n  \"version\": \"1\",\n  \"auth\": {,}\n}");
    let ConfigError::MalformedJson(syntax) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(syntax.line(), 3);
    assert!(syntax.column() > 0);
    assert!(e.to_string().contains("line 3"));
    assert!(e.recovery_suggestion().unwrap().contains("amplify pull"));
    assert!(matches!(err(""), ConfigError::MalformedJson(_)));
    assert!(matches!(
        err("{\"version\": \"1\""),
        ConfigError::MalformedJson(_)
    ));
}

#[test]
fn documents_of_neither_format_are_rejected() {
    for doc in ["[]", "42", "null", "\"text\"", "{}", r#"{"storage": {}}"#] {
        let e = err(doc);
        assert!(
            matches!(e, ConfigError::UnrecognizedFormat(_)),
            "{doc}: {e:?}"
        );
        assert!(e.path().is_none());
    }
}

#[test]
fn missing_required_fields_name_their_path() {
    let cases = [
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/CognitoUserPool/Default",
            "PoolId",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/CognitoUserPool/Default",
            "AppClientId",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/CognitoUserPool/Default",
            "Region",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/CredentialsProvider/CognitoIdentity/Default",
            "PoolId",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/CognitoUserPool",
            "Default",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/OAuth",
            "WebDomain",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/AppSync/data_AWS_IAM",
            "ApiUrl",
        ),
        (GEN1_FULL, "/api/plugins/awsAPIPlugin/data", "endpoint"),
        (
            GEN1_FULL,
            "/api/plugins/awsAPIPlugin/items",
            "authorizationType",
        ),
        (GEN1_FULL, "/api", "plugins"),
        (GEN2_FULL, "", "version"),
        (GEN2_FULL, "/auth", "aws_region"),
        (GEN2_FULL, "/auth/oauth", "domain"),
        (GEN2_FULL, "/data", "url"),
        (GEN2_FULL, "/data", "default_authorization_type"),
        (GEN2_FULL, "/rest_api/items", "aws_region"),
    ];
    for (fixture, parent, key) in cases {
        let e = err_without(fixture, parent, key);
        let mut doc_path: String = parent.trim_start_matches('/').replace('/', ".");
        if !doc_path.is_empty() {
            doc_path.push('.');
        }
        doc_path.push_str(key);
        let ConfigError::MissingField(problem) = &e else {
            panic!("{doc_path}: {e:?}")
        };
        assert_eq!(problem.path(), doc_path, "{e}");
        let suggestion = e.recovery_suggestion().unwrap();
        assert!(suggestion.contains(key), "{suggestion}");
    }
}

#[test]
fn the_issue_example_path_is_exact() {
    let e = err_without(
        GEN1_FULL,
        "/auth/plugins/awsCognitoAuthPlugin/CognitoUserPool/Default",
        "PoolId",
    );
    assert_eq!(
        e.path(),
        Some("auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.PoolId")
    );
    assert_eq!(e.field().unwrap().format(), ConfigFormat::Gen1);
    assert!(e.to_string().contains("Gen 1"));
}

#[test]
fn gen2_pool_without_client_and_client_without_pool() {
    let e = err_without(GEN2_FULL, "/auth", "user_pool_client_id");
    assert_eq!(e.path(), Some("auth.user_pool_client_id"));
    let e = err_without(GEN2_FULL, "/auth", "user_pool_id");
    assert_eq!(e.path(), Some("auth.user_pool_id"));
}

#[test]
fn wrong_types_name_their_path_and_hide_string_values() {
    let cases = [
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/CognitoUserPool/Default/Region",
            serde_json::json!(5),
            "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.Region",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/mfaTypes",
            serde_json::json!("SMS"),
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.mfaTypes",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/OAuth/Scopes/1",
            serde_json::json!(true),
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.OAuth.Scopes[1]",
        ),
        (
            GEN1_FULL,
            "/api/plugins/awsAPIPlugin/data/apiKey",
            serde_json::json!(12345),
            "api.plugins.awsAPIPlugin.data.apiKey",
        ),
        (GEN2_FULL, "/version", serde_json::json!(1), "version"),
        (
            GEN2_FULL,
            "/auth/unauthenticated_identities_enabled",
            serde_json::json!("yes"),
            "auth.unauthenticated_identities_enabled",
        ),
        (
            GEN2_FULL,
            "/auth/password_policy/min_length",
            serde_json::json!("8"),
            "auth.password_policy.min_length",
        ),
        (
            GEN2_FULL,
            "/data",
            serde_json::json!("da2-secret-in-wrong-place"),
            "data",
        ),
        (
            GEN2_FULL,
            "/auth/oauth/redirect_sign_in_uri",
            serde_json::json!("myapp://"),
            "auth.oauth.redirect_sign_in_uri",
        ),
    ];
    for (fixture, pointer, value, path) in cases {
        let e = err_with(fixture, pointer, value);
        let ConfigError::WrongType(problem) = &e else {
            panic!("{path}: {e:?}")
        };
        assert_eq!(problem.path(), path);
        assert!(!problem.expected().is_empty());
        assert!(problem.found().is_some());
        assert!(!e.to_string().contains("da2-secret-in-wrong-place"), "{e}");
        assert!(e.recovery_suggestion().unwrap().contains(path));
    }
}

#[test]
fn unknown_enum_values_list_the_expected_ones() {
    let cases = [
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/mfaConfiguration",
            "SOMETIMES",
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.mfaConfiguration",
            "OPTIONAL",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/mfaTypes/1",
            "CARRIER_PIGEON",
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.mfaTypes[1]",
            "TOTP",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/authenticationFlowType",
            "MAGIC_LINK",
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.authenticationFlowType",
            "USER_SRP_AUTH",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/usernameAttributes/0",
            "NICKNAME",
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.usernameAttributes[0]",
            "email",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/signupAttributes/0",
            "SHOE_SIZE",
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.signupAttributes[0]",
            "family_name",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/socialProviders/0",
            "MYSPACE",
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.socialProviders[0]",
            "GOOGLE",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/passwordProtectionSettings/passwordPolicyCharacters/0",
            "REQUIRES_EMOJI",
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.passwordProtectionSettings.passwordPolicyCharacters[0]",
            "REQUIRES_SYMBOLS",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/verificationMechanisms/0",
            "CARRIER",
            "auth.plugins.awsCognitoAuthPlugin.Auth.Default.verificationMechanisms[0]",
            "phone_number",
        ),
        (
            GEN1_FULL,
            "/auth/plugins/awsCognitoAuthPlugin/AppSync/Default/AuthMode",
            "MAGIC",
            "auth.plugins.awsCognitoAuthPlugin.AppSync.Default.AuthMode",
            "AWS_IAM",
        ),
        (
            GEN1_FULL,
            "/api/plugins/awsAPIPlugin/data/authorizationType",
            "MAGIC",
            "api.plugins.awsAPIPlugin.data.authorizationType",
            "AWS_LAMBDA",
        ),
        (
            GEN1_FULL,
            "/api/plugins/awsAPIPlugin/items/endpointType",
            "SOAP",
            "api.plugins.awsAPIPlugin.items.endpointType",
            "GraphQL",
        ),
        (
            GEN2_FULL,
            "/auth/mfa_configuration",
            "OFF",
            "auth.mfa_configuration",
            "NONE",
        ),
        (
            GEN2_FULL,
            "/auth/mfa_methods/0",
            "VOICE",
            "auth.mfa_methods[0]",
            "SMS",
        ),
        (
            GEN2_FULL,
            "/auth/oauth/response_type",
            "id_token",
            "auth.oauth.response_type",
            "code",
        ),
        (
            GEN2_FULL,
            "/auth/oauth/identity_providers/0",
            "MYSPACE",
            "auth.oauth.identity_providers[0]",
            "SIGN_IN_WITH_APPLE",
        ),
        (
            GEN2_FULL,
            "/auth/standard_required_attributes/0",
            "shoe_size",
            "auth.standard_required_attributes[0]",
            "email",
        ),
        (
            GEN2_FULL,
            "/auth/user_verification_types/0",
            "carrier",
            "auth.user_verification_types[0]",
            "email",
        ),
        (
            GEN2_FULL,
            "/data/default_authorization_type",
            "MAGIC",
            "data.default_authorization_type",
            "API_KEY",
        ),
        (
            GEN2_FULL,
            "/data/authorization_types/1",
            "MAGIC",
            "data.authorization_types[1]",
            "OPENID_CONNECT",
        ),
        (
            GEN2_FULL,
            "/rest_api/items/authorization_type",
            "MAGIC",
            "rest_api.items.authorization_type",
            "NONE",
        ),
    ];
    for (fixture, pointer, value, path, one_expected) in cases {
        let e = err_with(fixture, pointer, value.into());
        let ConfigError::UnknownValue(problem) = &e else {
            panic!("{path}: {e:?}")
        };
        assert_eq!(problem.path(), path);
        assert_eq!(problem.found(), Some(format!("\"{value}\"").as_str()));
        assert!(
            problem.expected().contains(one_expected),
            "{path}: {}",
            problem.expected()
        );
    }
}

#[test]
fn invalid_values_are_explained() {
    let gen1_pool = "/auth/plugins/awsCognitoAuthPlugin/CognitoUserPool/Default";
    let cases: Vec<(&str, String, serde_json::Value, &str, &str)> = vec![
        (GEN1_FULL, format!("{gen1_pool}/Endpoint"), "http://cognito.example.com".into(), "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.Endpoint", "https"),
        (GEN1_FULL, format!("{gen1_pool}/Endpoint"), "not a url".into(), "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.Endpoint", "https"),
        (GEN1_FULL, format!("{gen1_pool}/PoolId"), "eu-west-1_AbCdEf123".into(), "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.PoolId", "us-east-1_"),
        (GEN1_FULL, format!("{gen1_pool}/PoolId"), "AbCdEf123".into(), "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.PoolId", "us-east-1_"),
        (GEN1_FULL, format!("{gen1_pool}/AppClientId"), "  ".into(), "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.AppClientId", "non-empty"),
        (GEN1_FULL, format!("{gen1_pool}/Region"), "US East".into(), "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.Region", "region"),
        (GEN1_FULL, "/auth/plugins/awsCognitoAuthPlugin/CredentialsProvider/CognitoIdentity/Default/PoolId".into(), "us-east-1_notidentity".into(), "auth.plugins.awsCognitoAuthPlugin.CredentialsProvider.CognitoIdentity.Default.PoolId", "us-east-1:"),
        (GEN1_FULL, "/auth/plugins/awsCognitoAuthPlugin/Auth/Default/passwordProtectionSettings/passwordPolicyMinLength".into(), 3.into(), "auth.plugins.awsCognitoAuthPlugin.Auth.Default.passwordProtectionSettings.passwordPolicyMinLength", "6 to 99"),
        (GEN1_FULL, "/api/plugins/awsAPIPlugin/items/endpoint".into(), "http://10.0.0.8/dev".into(), "api.plugins.awsAPIPlugin.items.endpoint", "https"),
        (GEN1_FULL, "/auth/plugins/awsCognitoAuthPlugin/AppSync/data_AWS_IAM/ApiUrl".into(), "ftp://x".into(), "auth.plugins.awsCognitoAuthPlugin.AppSync.data_AWS_IAM.ApiUrl", "https"),
        (GEN2_FULL, "/version".into(), "banana".into(), "version", "supported"),
        (GEN2_FULL, "/version".into(), "0".into(), "version", "Gen 1 web format"),
        (GEN2_FULL, "/auth/aws_region".into(), "us-east-1a".into(), "auth.aws_region", "region"),
        (GEN2_FULL, "/auth/aws_region".into(), "us-east".into(), "auth.aws_region", "region"),
        (GEN2_FULL, "/auth/user_pool_endpoint".into(), "http://example.com".into(), "auth.user_pool_endpoint", "https"),
        (GEN2_FULL, "/auth/identity_pool_id".into(), "nope".into(), "auth.identity_pool_id", "us-east-1:"),
        (GEN2_FULL, "/auth/password_policy/min_length".into(), 200.into(), "auth.password_policy.min_length", "6 to 99"),
        (GEN2_FULL, "/auth/oauth/domain".into(), "".into(), "auth.oauth.domain", "non-empty"),
        (GEN2_FULL, "/data/url".into(), "http://appsync.example.com/graphql".into(), "data.url", "https"),
        (GEN2_FULL, "/data/aws_region".into(), "".into(), "data.aws_region", "region"),
        (GEN2_FULL, "/rest_api/items/url".into(), "/relative".into(), "rest_api.items.url", "https"),
    ];
    for (fixture, pointer, value, path, expected_part) in cases {
        let e = err_with(fixture, &pointer, value);
        let ConfigError::InvalidValue(problem) = &e else {
            panic!("{path}: {e:?}")
        };
        assert_eq!(problem.path(), path);
        assert!(
            problem.expected().contains(expected_part),
            "{path}: {}",
            problem.expected()
        );
        assert!(e.recovery_suggestion().unwrap().contains(path));
    }
}

#[test]
fn api_key_mode_without_a_key_is_rejected() {
    let e = err_without(GEN2_FULL, "/data", "api_key");
    let ConfigError::MissingField(problem) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(problem.path(), "data.api_key");
    let e = err_without(
        GEN1_SEED004,
        "/api/plugins/awsAPIPlugin/todoapi_API_KEY",
        "apiKey",
    );
    assert!(e.path().unwrap().ends_with("apiKey"), "{e}");
    assert!(
        e.path()
            .unwrap()
            .starts_with("api.plugins.awsAPIPlugin.todoapi_"),
        "{e}"
    );
}

#[test]
fn config_error_is_cloneable_comparable_and_send() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<ConfigError>();
    assert_send_sync::<AmplifyConfig>();
    let e = err("[]");
    assert_eq!(e.clone(), e);
}
