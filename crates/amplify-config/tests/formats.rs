//! The shapes real projects ship: the Gen 1 web format (and its equivalence with the native
//! format for the same backend), Gen 2 `custom.API` REST APIs and tolerated sections, native Gen 1
//! with several named APIs, every outputs version, ResourcesConfig recognition, region syntax
//! and warnings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use amplify_config::*;
use serde_json::{Value, json};

const WEB_BASIC: &str = include_str!("data/web_basic.json");
const GEN1_BASIC: &str = include_str!("data/gen1_basic.json");
const WEB_OAUTH: &str = include_str!("data/web_oauth_rest_multi_auth.json");
const GEN1_OAUTH: &str = include_str!("data/gen1_oauth_rest_multi_auth.json");
const GEN2_CUSTOM: &str = include_str!("data/gen2_custom_api.json");
const GEN1_NAMED: &str = include_str!("data/gen1_named_apis.json");
const RESOURCES_CONFIG: &str = include_str!("data/resources_config.json");

fn read(json: &str) -> (AmplifyConfig, Vec<ConfigWarning>) {
    AmplifyConfig::from_json_with_warnings(json)
        .unwrap_or_else(|e| panic!("{e}\n{}", e.recovery_suggestion().unwrap_or_default()))
}

fn read_clean(json: &str) -> AmplifyConfig {
    let (config, warnings) = read(json);
    assert!(warnings.is_empty(), "{warnings:#?}");
    config
}

fn edited(fixture: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut doc: Value = serde_json::from_str(fixture).unwrap();
    edit(&mut doc);
    doc.to_string()
}

fn err(json: &str) -> ConfigError {
    match AmplifyConfig::from_json(json) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(e) => e,
    }
}

/// The web format names no GraphQL API and no sign-in flow, and native Gen 1 cannot state guest
/// access: everything else two files of the same backend say must be equal.
fn assert_same_backend(web: &AmplifyConfig, native: &AmplifyConfig) {
    let mut web_auth = web.auth.clone().unwrap();
    let native_auth = native.auth.clone().unwrap();
    assert_eq!(web_auth.authentication_flow_type, None);
    web_auth.authentication_flow_type = native_auth.authentication_flow_type;
    assert_eq!(web_auth, native_auth);
    let unnamed = |config: &AmplifyConfig| {
        let mut apis: Vec<ApiEndpoint> = config
            .apis
            .iter()
            .cloned()
            .map(|mut api| {
                if api.endpoint_type == EndpointType::GraphQl {
                    api.name = String::new();
                }
                api
            })
            .collect();
        apis.sort_by(|a, b| (a.endpoint_type, &a.name).cmp(&(b.endpoint_type, &b.name)));
        apis
    };
    assert_eq!(unnamed(web), unnamed(native));
}

// ---- the web format ------------------------------------------------------------------------

#[test]
fn web_basic_reads_like_the_native_file_of_the_same_backend() {
    let web = read_clean(WEB_BASIC);
    let native = read_clean(GEN1_BASIC);
    assert_eq!(
        AmplifyConfig::detect_format(&serde_json::from_str(WEB_BASIC).unwrap()),
        Some(ConfigFormat::Gen1Web)
    );
    let auth = web.auth.as_ref().unwrap();
    assert_eq!(auth.region, "us-west-2");
    let pool = auth.user_pool.as_ref().unwrap();
    assert_eq!(pool.pool_id, "us-west-2_Wb7Basic1");
    assert_eq!(pool.app_client_id, "5webclient6example7id8");
    assert_eq!(
        auth.identity_pool.as_ref().unwrap().pool_id,
        "us-west-2:6f0c2d1e-1111-4a2b-9c3d-0e1f2a3b4c5d"
    );
    // `"oauth": {}` is what the CLI writes when there is no hosted UI.
    assert_eq!(auth.oauth, None);
    assert_eq!(auth.guest_access, GuestAccess::NotStated);
    assert!(auth.unauthenticated_identities_enabled);
    assert_eq!(auth.mfa.status, MfaStatus::Off);
    assert_eq!(auth.mfa.methods, [MfaMethod::Sms]);
    assert_eq!(auth.sign_up_attributes, [UserAttributeKey::Email]);
    assert!(auth.username_attributes.is_empty());
    assert_eq!(auth.password_policy.as_ref().unwrap().min_length, Some(8));
    let data = web.api(EndpointType::GraphQl, None).unwrap();
    assert_eq!(data.name, GEN2_DATA_API_NAME);
    assert_eq!(data.region, "us-west-2");
    assert_eq!(data.default_authorization_type, AuthorizationType::ApiKey);
    assert!(data.additional_authorization_types.is_empty());
    assert_eq!(
        data.api_key.as_ref().unwrap().expose_secret(),
        "da2-webbasicexamplekey0000"
    );
    assert_eq!(web.custom, None);
    assert_same_backend(&web, &native);
}

#[test]
fn web_oauth_rest_and_multi_auth_read_like_the_native_file() {
    let web = read_clean(WEB_OAUTH);
    let native = read_clean(GEN1_OAUTH);
    let auth = web.auth.as_ref().unwrap();
    let oauth = auth.oauth.as_ref().unwrap();
    assert_eq!(
        oauth.domain,
        "shopexample-dev.auth.eu-central-1.amazoncognito.com"
    );
    assert_eq!(oauth.scopes.len(), 5);
    assert_eq!(
        oauth.redirect_sign_in_uris,
        ["http://localhost:3000/", "https://shop.example.com/"]
    );
    assert_eq!(oauth.redirect_sign_out_uris.len(), 2);
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
    assert_eq!(auth.mfa.status, MfaStatus::Optional);
    assert_eq!(auth.mfa.methods, [MfaMethod::Sms, MfaMethod::Totp]);
    let policy = auth.password_policy.as_ref().unwrap();
    assert_eq!(policy.min_length, Some(12));
    assert!(policy.require_symbols && policy.require_uppercase);

    let data = web.api(EndpointType::GraphQl, None).unwrap();
    assert_eq!(
        data.default_authorization_type,
        AuthorizationType::AmazonCognitoUserPools
    );
    assert_eq!(
        data.additional_authorization_types,
        [AuthorizationType::ApiKey, AuthorizationType::AwsIam]
    );
    let rest: Vec<&str> = web
        .apis
        .iter()
        .filter(|a| a.endpoint_type == EndpointType::Rest)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(rest, ["ordersapi", "paymentsapi"]);
    let orders = web.api(EndpointType::Rest, Some("ordersapi")).unwrap();
    assert_eq!(orders.default_authorization_type, AuthorizationType::AwsIam);
    assert_eq!(orders.region, "eu-central-1");
    assert_eq!(
        orders.url.as_str(),
        "https://k2j4h6g8f0.execute-api.eu-central-1.amazonaws.com/dev"
    );
    assert_same_backend(&web, &native);
}

#[test]
fn web_additional_modes_as_a_list_and_the_lambda_spelling() {
    let json = edited(WEB_OAUTH, |doc| {
        doc["aws_appsync_additionalAuthenticationTypes"] = json!(["LAMBDA", "OPENID_CONNECT"]);
        doc["aws_appsync_authenticationType"] = "AWS_IAM".into();
    });
    let config = read_clean(&json);
    let data = config.api(EndpointType::GraphQl, None).unwrap();
    assert_eq!(data.default_authorization_type, AuthorizationType::AwsIam);
    assert_eq!(
        data.additional_authorization_types,
        [
            AuthorizationType::OpenIdConnect,
            AuthorizationType::AwsLambda
        ]
    );
    // What `ampx generate outputs --outputs-version 0` writes: the default among the others.
    let json = edited(WEB_OAUTH, |doc| {
        doc["aws_appsync_additionalAuthenticationTypes"] =
            "AMAZON_COGNITO_USER_POOLS, AWS_IAM".into();
    });
    let config = read_clean(&json);
    assert_eq!(
        config
            .api(EndpointType::GraphQl, None)
            .unwrap()
            .additional_authorization_types,
        [AuthorizationType::AwsIam]
    );
}

#[test]
fn web_guest_access_comes_from_the_file() {
    let cases = [
        (
            json!({"aws_mandatory_sign_in": "enable"}),
            GuestAccess::Denied,
        ),
        (
            json!({"aws_mandatory_sign_in": "disable"}),
            GuestAccess::Allowed,
        ),
        (
            json!({"allowUnauthenticatedIdentities": "false"}),
            GuestAccess::Denied,
        ),
        (
            json!({"allowUnauthenticatedIdentities": true}),
            GuestAccess::Allowed,
        ),
        (json!({}), GuestAccess::NotStated),
    ];
    for (extra, expected) in cases {
        let json = edited(WEB_BASIC, |doc| {
            for (k, v) in extra.as_object().unwrap() {
                doc[k] = v.clone();
            }
        });
        let auth = read_clean(&json).auth.unwrap();
        assert_eq!(auth.guest_access, expected, "{extra}");
        assert_eq!(
            auth.unauthenticated_identities_enabled,
            expected != GuestAccess::Denied
        );
    }
}

#[test]
fn web_regions_fall_back_to_the_project_region() {
    let json = edited(WEB_OAUTH, |doc| {
        let map = doc.as_object_mut().unwrap();
        map.remove("aws_cognito_region");
        map.remove("aws_appsync_region");
        map["aws_cloud_logic_custom"][0]
            .as_object_mut()
            .unwrap()
            .remove("region");
        map["aws_cloud_logic_custom"][1]["endpoint"] = "https://api.shop.example.com/pay".into();
        map["aws_cloud_logic_custom"][1]
            .as_object_mut()
            .unwrap()
            .remove("region");
    });
    let config = read_clean(&json);
    assert_eq!(config.auth.unwrap().region, "eu-central-1");
    for api in &config.apis {
        assert_eq!(api.region, "eu-central-1", "{}", api.name);
    }
}

#[test]
fn web_errors_name_their_path() {
    // (fixture, JSON pointer, new value or None to remove it, error path, error kind)
    let cases: Vec<(&str, &str, Option<Value>, &str, &str)> = vec![
        (
            WEB_BASIC,
            "/aws_user_pools_web_client_id",
            None,
            "aws_user_pools_web_client_id",
            "missing",
        ),
        (
            WEB_BASIC,
            "/aws_appsync_authenticationType",
            None,
            "aws_appsync_authenticationType",
            "missing",
        ),
        (
            WEB_BASIC,
            "/aws_appsync_apiKey",
            None,
            "aws_appsync_apiKey",
            "missing",
        ),
        (
            WEB_BASIC,
            "/aws_appsync_authenticationType",
            Some(json!("MAGIC")),
            "aws_appsync_authenticationType",
            "unknown",
        ),
        (
            WEB_OAUTH,
            "/aws_appsync_additionalAuthenticationTypes",
            Some(json!("AWS_IAM,MAGIC")),
            "aws_appsync_additionalAuthenticationTypes",
            "unknown",
        ),
        (
            WEB_BASIC,
            "/aws_cognito_region",
            Some(json!("Europe")),
            "aws_cognito_region",
            "invalid",
        ),
        (
            WEB_BASIC,
            "/aws_project_region",
            Some(json!("us-west-2b")),
            "aws_project_region",
            "invalid",
        ),
        (
            WEB_BASIC,
            "/aws_user_pools_id",
            Some(json!("eu-west-1_Wb7Basic1")),
            "aws_user_pools_id",
            "invalid",
        ),
        (
            WEB_BASIC,
            "/aws_cognito_identity_pool_id",
            Some(json!("nope")),
            "aws_cognito_identity_pool_id",
            "invalid",
        ),
        (
            WEB_BASIC,
            "/aws_appsync_graphqlEndpoint",
            Some(json!("http://example.com/graphql")),
            "aws_appsync_graphqlEndpoint",
            "invalid",
        ),
        (
            WEB_BASIC,
            "/aws_cognito_mfa_configuration",
            Some(json!("SOMETIMES")),
            "aws_cognito_mfa_configuration",
            "unknown",
        ),
        (
            WEB_BASIC,
            "/aws_cognito_signup_attributes/0",
            Some(json!("SHOE_SIZE")),
            "aws_cognito_signup_attributes[0]",
            "unknown",
        ),
        (
            WEB_BASIC,
            "/aws_cognito_password_protection_settings/passwordPolicyMinLength",
            Some(json!(2)),
            "aws_cognito_password_protection_settings.passwordPolicyMinLength",
            "invalid",
        ),
        (
            WEB_BASIC,
            "/allowUnauthenticatedIdentities",
            Some(json!("maybe")),
            "allowUnauthenticatedIdentities",
            "type",
        ),
        (WEB_BASIC, "/oauth", Some(json!("none")), "oauth", "type"),
        (WEB_OAUTH, "/oauth/domain", None, "oauth.domain", "missing"),
        (
            WEB_OAUTH,
            "/oauth/redirectSignIn",
            Some(json!(7)),
            "oauth.redirectSignIn",
            "type",
        ),
        (
            WEB_OAUTH,
            "/oauth/responseType",
            Some(json!("id_token")),
            "oauth.responseType",
            "unknown",
        ),
        (
            WEB_OAUTH,
            "/aws_cognito_social_providers/0",
            Some(json!("MYSPACE")),
            "aws_cognito_social_providers[0]",
            "unknown",
        ),
        (
            WEB_OAUTH,
            "/aws_cloud_logic_custom/1/endpoint",
            Some(json!("http://10.0.0.1/dev")),
            "aws_cloud_logic_custom[1].endpoint",
            "invalid",
        ),
        (
            WEB_OAUTH,
            "/aws_cloud_logic_custom/0/name",
            None,
            "aws_cloud_logic_custom[0].name",
            "missing",
        ),
        (
            WEB_OAUTH,
            "/aws_cloud_logic_custom/0/region",
            Some(json!("EU")),
            "aws_cloud_logic_custom[0].region",
            "invalid",
        ),
        (
            WEB_OAUTH,
            "/aws_cloud_logic_custom",
            Some(json!({"name": "x"})),
            "aws_cloud_logic_custom",
            "type",
        ),
    ];
    let cases = cases
        .into_iter()
        .map(|(fixture, pointer, value, path, kind)| {
            let json = edited(fixture, |doc| match value {
                Some(value) => {
                    let (parent, key) = pointer.rsplit_once('/').unwrap();
                    match doc.pointer_mut(parent).unwrap() {
                        Value::Object(map) => {
                            map.insert(key.to_owned(), value);
                        }
                        other => other[key.parse::<usize>().unwrap()] = value,
                    }
                }
                None => {
                    let (parent, key) = pointer.rsplit_once('/').unwrap();
                    doc.pointer_mut(parent)
                        .unwrap()
                        .as_object_mut()
                        .unwrap()
                        .remove(key)
                        .unwrap();
                }
            });
            (json, path, kind)
        });
    for (json, path, kind) in cases {
        let e = err(&json);
        let problem = e.field().unwrap_or_else(|| panic!("{path}: {e:?}"));
        assert_eq!(problem.path(), path, "{e}");
        assert_eq!(problem.format(), ConfigFormat::Gen1Web);
        let matches_kind = match kind {
            "missing" => matches!(e, ConfigError::MissingField(_)),
            "unknown" => matches!(e, ConfigError::UnknownValue(_)),
            "invalid" => matches!(e, ConfigError::InvalidValue(_)),
            _ => matches!(e, ConfigError::WrongType(_)),
        };
        assert!(matches_kind, "{path}: {e:?}");
        assert!(e.to_string().contains("Gen 1 web"), "{e}");
        assert!(!e.to_string().contains("da2-"), "{e}");
        let suggestion = e.recovery_suggestion().unwrap();
        let named = path.rsplit('.').next().unwrap().split('[').next().unwrap();
        assert!(suggestion.contains(named), "{suggestion}");
    }
    let e = err(&edited(WEB_BASIC, |d| {
        d["aws_appsync_authenticationType"] = "MAGIC".into();
    }));
    assert!(
        e.field()
            .unwrap()
            .expected()
            .contains("AMAZON_COGNITO_USER_POOLS")
    );
}

#[test]
fn web_rest_duplicates_and_unsupported_fields_warn() {
    let json = edited(WEB_OAUTH, |doc| {
        doc["aws_cloud_logic_custom"][1]["name"] = "ordersapi".into();
        doc["aws_cloud_logic_custom"][1]["service"] = "lambda".into();
    });
    let (config, warnings) = read(&json);
    let orders = config.api(EndpointType::Rest, None).unwrap();
    assert_eq!(orders.name, "ordersapi");
    // As in Amplify JS, the last entry of a name wins.
    assert!(orders.url.as_str().starts_with("https://p9o8i7u6y5."));
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(matches!(&warnings[0], ConfigWarning::UnsupportedField(d)
        if d.path() == "aws_cloud_logic_custom[1].service" && d.found() == Some("\"lambda\"")));
    assert!(matches!(&warnings[1], ConfigWarning::DuplicateApiName(d)
        if d.path() == "aws_cloud_logic_custom[1]" && d.note().contains("aws_cloud_logic_custom[0]")));
}

#[test]
fn web_objects_amplify_does_not_read_are_reported() {
    let json = edited(WEB_BASIC, |doc| {
        doc["API"] = json!({"endpoints": [
            {"name": "legacy", "endpoint": "https://l1e2g3a4c5.execute-api.us-west-2.amazonaws.com/dev"}
        ]});
        doc["Auth"] = json!({"mandatorySignIn": true});
        doc["aws_appsync_graphqlEndpoint"] =
            "https://g1q2l3.execute-api.us-west-2.amazonaws.com/dev/graphql".into();
    });
    let (config, warnings) = read(&json);
    assert_eq!(config.apis.len(), 1);
    let kinds: Vec<(&str, &str)> = warnings.iter().map(|w| (w.kind(), w.path())).collect();
    assert_eq!(
        kinds,
        [
            ("ignored_api", "API.endpoints[0]"),
            ("ignored_section", "Auth"),
            ("rest_url_for_graphql", "aws_appsync_graphqlEndpoint"),
        ]
    );
    let shown = warnings[0].to_string();
    assert!(
        shown.contains("Gen 1 web") && shown.contains("aws_cloud_logic_custom"),
        "{shown}"
    );
    assert_eq!(
        warnings[2].detail().found(),
        Some("g1q2l3.execute-api.us-west-2.amazonaws.com")
    );
}

// ---- Gen 2 ---------------------------------------------------------------------------------

#[test]
fn gen2_custom_api_rest_apis_and_tolerated_sections() {
    let config = read_clean(GEN2_CUSTOM);
    let names: Vec<(EndpointType, &str)> = config
        .apis
        .iter()
        .map(|a| (a.endpoint_type, a.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (EndpointType::GraphQl, "data"),
            (EndpointType::Rest, "ordersApi"),
            (EndpointType::Rest, "reportsApi"),
        ]
    );
    let orders = config.api(EndpointType::Rest, Some("ordersApi")).unwrap();
    assert_eq!(orders.region, "ap-southeast-2");
    assert_eq!(orders.default_authorization_type, AuthorizationType::AwsIam);
    assert_eq!(
        orders.url.as_str(),
        "https://r4t5y6u7i8.execute-api.ap-southeast-2.amazonaws.com/prod/"
    );
    assert!(matches!(
        config.api(EndpointType::Rest, None),
        Err(ApiLookupError::Ambiguous { .. })
    ));
    let auth = config.auth.as_ref().unwrap();
    assert_eq!(auth.username_attributes, [UsernameAttribute::Username]);
    assert_eq!(
        auth.sign_up_attributes,
        [UserAttributeKey::Email, UserAttributeKey::Sub]
    );
    assert_eq!(auth.guest_access, GuestAccess::Denied);
    assert!(!auth.unauthenticated_identities_enabled);
    assert!(auth.mfa.methods.is_empty());
    // The custom section is kept whole, REST APIs included.
    assert_eq!(
        config.custom.as_ref().unwrap()["featureFlags"],
        json!({"newCheckout": true})
    );
}

#[test]
fn gen2_custom_api_region_from_url_errors_and_warnings() {
    let json = edited(GEN2_CUSTOM, |doc| {
        doc["custom"]["API"]["ordersApi"]
            .as_object_mut()
            .unwrap()
            .remove("region");
    });
    let config = read_clean(&json);
    assert_eq!(
        config
            .api(EndpointType::Rest, Some("ordersApi"))
            .unwrap()
            .region,
        "ap-southeast-2"
    );

    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"apiName": "x"}),
            "custom.API.ordersApi.endpoint",
            "missing",
        ),
        (
            json!({"endpoint": "https://api.example.com/"}),
            "custom.API.ordersApi.region",
            "missing",
        ),
        (
            json!({"endpoint": "http://api.example.com/", "region": "ap-southeast-2"}),
            "custom.API.ordersApi.endpoint",
            "invalid",
        ),
        (
            json!({"endpoint": "https://api.example.com/", "region": "Sydney"}),
            "custom.API.ordersApi.region",
            "invalid",
        ),
        (
            json!({"endpoint": 5}),
            "custom.API.ordersApi.endpoint",
            "type",
        ),
        (
            json!("https://api.example.com/"),
            "custom.API.ordersApi",
            "type",
        ),
    ];
    for (entry, path, kind) in cases {
        let json = edited(GEN2_CUSTOM, |doc| doc["custom"]["API"]["ordersApi"] = entry);
        let e = err(&json);
        assert_eq!(e.path(), Some(path), "{e}");
        assert_eq!(e.field().unwrap().format(), ConfigFormat::Gen2);
        let matches_kind = match kind {
            "missing" => matches!(e, ConfigError::MissingField(_)),
            "invalid" => matches!(e, ConfigError::InvalidValue(_)),
            _ => matches!(e, ConfigError::WrongType(_)),
        };
        assert!(matches_kind, "{path}: {e:?}");
    }

    let json = edited(GEN2_CUSTOM, |doc| {
        doc["custom"]["restApis"] = json!({"billing": {
            "endpoint": "https://b1i2l3l4.execute-api.ap-southeast-2.amazonaws.com/prod/",
            "region": "ap-southeast-2"}});
        doc["custom"]["API"]["grouped"] = json!({"inner": {
            "endpoint": "https://i1n2n3e4r5.execute-api.ap-southeast-2.amazonaws.com/prod/"}});
        doc["custom"]["API"]["graphql"] = json!({
            "endpoint": "https://x1y2z3.appsync-api.ap-southeast-2.amazonaws.com/graphql",
            "region": "ap-southeast-2"});
        doc["rest_api"] = json!({"ordersApi": {
            "url": "https://f1l2u3t4t5.execute-api.ap-southeast-2.amazonaws.com/prod/",
            "aws_region": "ap-southeast-2", "authorization_type": "AMAZON_COGNITO_USER_POOLS"}});
        doc["API"] = json!({"REST": {"legacy": {
            "endpoint": "https://l1e2g3.execute-api.ap-southeast-2.amazonaws.com/prod/"}}});
    });
    let (config, warnings) = read(&json);
    let kinds: Vec<(&str, &str)> = warnings.iter().map(|w| (w.kind(), w.path())).collect();
    assert_eq!(
        kinds,
        [
            ("ignored_api", "custom.restApis.billing"),
            ("ignored_api", "custom.API.grouped.inner"),
            ("duplicate_api_name", "custom.API.ordersApi"),
            ("ignored_api", "API.REST.legacy"),
            ("graphql_url_for_rest", "custom.API.graphql.endpoint"),
        ]
    );
    // `rest_api` (stated modes) wins over `custom.API` for the same name.
    assert_eq!(
        config
            .api(EndpointType::Rest, Some("ordersApi"))
            .unwrap()
            .default_authorization_type,
        AuthorizationType::AmazonCognitoUserPools
    );
    assert!(
        warnings
            .iter()
            .all(|w| w.detail().format() == ConfigFormat::Gen2)
    );
}

#[test]
fn gen2_every_schema_version_and_newer_ones_with_a_warning() {
    for version in ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.0"] {
        let json = edited(GEN2_CUSTOM, |doc| doc["version"] = version.into());
        read_clean(&json);
    }
    for version in ["1.6", "2", "2.0", "10.1"] {
        let json = edited(GEN2_CUSTOM, |doc| {
            doc["version"] = version.into();
            doc["auth"]["brand_new_option"] = json!({"x": 1});
            doc["brand_new_category"] = json!({"aws_region": "ap-southeast-2"});
        });
        let (config, warnings) = read(&json);
        assert_eq!(config.apis.len(), 3, "{version}");
        assert!(config.auth.is_some());
        match &warnings[..] {
            [ConfigWarning::NewerVersion(d)] => {
                assert_eq!(d.path(), "version");
                assert_eq!(d.found(), Some(format!("\"{version}\"").as_str()));
                assert!(d.note().contains("1.5"));
            }
            other => panic!("{version}: {other:#?}"),
        }
    }
    for version in ["0", "0.9", "one", "", "1.", "1.x", "-1"] {
        let e = err(&edited(GEN2_CUSTOM, |doc| doc["version"] = version.into()));
        assert!(
            matches!(e, ConfigError::InvalidValue(_)),
            "{version}: {e:?}"
        );
        assert_eq!(e.path(), Some("version"));
    }
}

#[test]
fn gen2_accepts_every_value_the_schema_allows() {
    let standard = [
        "address",
        "birthdate",
        "email",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "picture",
        "preferred_username",
        "profile",
        "sub",
        "updated_at",
        "website",
        "zoneinfo",
    ];
    let json = edited(GEN2_CUSTOM, |doc| {
        let auth = &mut doc["auth"];
        auth["standard_required_attributes"] = json!(standard);
        auth["username_attributes"] = json!(["email", "phone_number", "username"]);
        auth["user_verification_types"] = json!(["email", "phone_number"]);
        auth["mfa_configuration"] = "REQUIRED".into();
        auth["mfa_methods"] = json!(["SMS", "TOTP", "EMAIL"]);
        auth["passwordless"] = json!({"email_otp_enabled": true, "sms_otp_enabled": true,
            "web_authn": {"relying_party_id": "example.com", "user_verification": "required"},
            "preferred_challenge": "WEB_AUTHN"});
        auth["oauth"] = json!({"identity_providers": ["GOOGLE", "FACEBOOK", "LOGIN_WITH_AMAZON", "SIGN_IN_WITH_APPLE"],
            "domain": "d.auth.ap-southeast-2.amazoncognito.com", "scopes": ["openid"],
            "redirect_sign_in_uri": ["myapp://"], "redirect_sign_out_uri": ["myapp://"],
            "response_type": "token"});
        doc["data"]["authorization_types"] = json!([
            "AMAZON_COGNITO_USER_POOLS",
            "API_KEY",
            "AWS_IAM",
            "AWS_LAMBDA",
            "OPENID_CONNECT"
        ]);
        doc["data"]["api_key"] = "da2-schemavalues".into();
    });
    let config = read_clean(&json);
    let auth = config.auth.unwrap();
    assert_eq!(auth.sign_up_attributes.len(), standard.len());
    assert_eq!(auth.username_attributes.len(), 3);
    assert_eq!(auth.oauth.unwrap().identity_providers.len(), 4);
    assert_eq!(
        config.apis[0].additional_authorization_types.len(),
        4,
        "every mode but the default"
    );
}

#[test]
fn gen2_provider_errors_use_gen2_spellings() {
    let json = edited(GEN2_CUSTOM, |doc| {
        doc["auth"]["oauth"] = json!({"identity_providers": ["GOOGLE", "MYSPACE"],
            "domain": "d.example.com", "scopes": [], "redirect_sign_in_uri": [],
            "redirect_sign_out_uri": [], "response_type": "code"});
    });
    let e = err(&json);
    let ConfigError::UnknownValue(problem) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(problem.path(), "auth.oauth.identity_providers[1]");
    let expected = problem.expected();
    assert!(
        expected.contains("`LOGIN_WITH_AMAZON`") && expected.contains("`SIGN_IN_WITH_APPLE`"),
        "{expected}"
    );
    assert!(
        !expected.contains("`AMAZON`") && !expected.contains("`APPLE`"),
        "{expected}"
    );
}

// ---- native Gen 1 --------------------------------------------------------------------------

#[test]
fn gen1_native_several_named_apis() {
    let config = read_clean(GEN1_NAMED);
    let names: Vec<&str> = config.apis.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["blog", "inventory", "orders", "status"]);
    assert!(matches!(
        config.api(EndpointType::GraphQl, None),
        Err(ApiLookupError::Ambiguous { ref candidates, .. }) if candidates.len() == 2
    ));
    let inventory = config
        .api(EndpointType::GraphQl, Some("inventory"))
        .unwrap();
    assert_eq!(
        inventory.default_authorization_type,
        AuthorizationType::ApiKey
    );
    assert!(inventory.additional_authorization_types.is_empty());
    let blog = config.api(EndpointType::GraphQl, Some("blog")).unwrap();
    assert!(blog.api_key.is_none(), "another URL's key is not shared");
    let status = config.api(EndpointType::Rest, Some("status")).unwrap();
    assert_eq!(status.default_authorization_type, AuthorizationType::None);
    assert!(config.api(EndpointType::Rest, Some("blog")).is_err());
    let auth = config.auth.unwrap();
    assert_eq!(auth.region, "ca-central-1");
    assert_eq!(auth.mfa.status, MfaStatus::Required);
    assert_eq!(auth.username_attributes, [UsernameAttribute::PhoneNumber]);
    assert_eq!(auth.guest_access, GuestAccess::NotStated);
}

#[test]
fn gen1_native_things_not_read_are_reported() {
    let json = edited(GEN1_NAMED, |doc| {
        doc["api"]["plugins"]["awsApiPlugin"] = json!({"reports": {"endpointType": "REST",
            "endpoint": "https://r1e2p3.execute-api.ca-central-1.amazonaws.com/staging",
            "region": "ca-central-1", "authorizationType": "AWS_IAM"}});
        doc["auth"]["plugins"]["awsCognitoAuthPlugin"]["AppSync"] = json!({"Default": {
            "ApiUrl": "https://n1o2m3a4t5c6h7.appsync-api.ca-central-1.amazonaws.com/graphql",
            "Region": "ca-central-1", "AuthMode": "AWS_IAM"}});
        doc["api"]["plugins"]["awsAPIPlugin"]["blog"]["endpoint"] =
            "https://b1l2o3g4.execute-api.ca-central-1.amazonaws.com/staging/graphql".into();
    });
    let (config, warnings) = read(&json);
    assert_eq!(config.apis.len(), 4);
    let kinds: Vec<(&str, &str)> = warnings.iter().map(|w| (w.kind(), w.path())).collect();
    assert_eq!(
        kinds,
        [
            (
                "ignored_api",
                "auth.plugins.awsCognitoAuthPlugin.AppSync.Default"
            ),
            ("ignored_api", "api.plugins.awsApiPlugin.reports"),
            (
                "rest_url_for_graphql",
                "api.plugins.awsAPIPlugin.blog.endpoint"
            ),
        ]
    );
    assert!(
        warnings
            .iter()
            .all(|w| w.detail().format() == ConfigFormat::Gen1)
    );
    assert_eq!(
        warnings[0].detail().found(),
        Some("AWS_IAM for n1o2m3a4t5c6h7.appsync-api.ca-central-1.amazonaws.com")
    );
}

// ---- recognition, regions, warnings --------------------------------------------------------

#[test]
fn a_resources_config_object_is_recognised_and_named() {
    let e = err(RESOURCES_CONFIG);
    let ConfigError::ResourcesConfig(found) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        found.sections(),
        ["Auth.Cognito", "API.GraphQL", "API.REST"]
    );
    assert!(e.to_string().contains("ResourcesConfig"), "{e}");
    assert!(e.path().is_none());
    let suggestion = e.recovery_suggestion().unwrap();
    assert!(
        suggestion.contains("npx ampx generate outputs"),
        "{suggestion}"
    );
    assert!(suggestion.contains("amplify pull"), "{suggestion}");
    let only_storage = err(r#"{"Storage": {"S3": {"bucket": "b", "region": "us-east-1"}}}"#);
    assert!(
        matches!(only_storage, ConfigError::ResourcesConfig(_)),
        "{only_storage:?}"
    );
    // A lowercase Gen 2-looking file without `version` is still a Gen 2 problem.
    assert!(matches!(
        err(r#"{"auth": {}}"#),
        ConfigError::MissingField(_)
    ));
}

#[test]
fn regions_have_real_aws_region_syntax() {
    for region in [
        "us-east-1",
        "us-west-2",
        "eu-central-2",
        "ap-southeast-5",
        "ap-northeast-3",
        "il-central-1",
        "mx-central-1",
        "ca-west-1",
        "cn-northwest-1",
        "us-gov-west-1",
        "us-iso-east-1",
        "us-isob-east-1",
        "eu-isoe-west-1",
        "us-isof-south-1",
        "me-south-1",
        "af-south-1",
    ] {
        let json = edited(WEB_BASIC, |doc| {
            doc["aws_project_region"] = region.into();
        });
        AmplifyConfig::from_json(&json).unwrap_or_else(|e| panic!("{region}: {e}"));
    }
    for region in [
        "",
        "us-east",
        "US-EAST-1",
        "useast1",
        "us-east-01",
        "us_east_1",
        "global",
        "us-middle-1",
        "eu-west-1 ",
        "usa-east-1",
        "us-east-100",
        "us-foo-east-1",
        "us-east-1-",
    ] {
        let e = err(&edited(WEB_BASIC, |doc| {
            doc["aws_project_region"] = region.into();
        }));
        assert_eq!(e.path(), Some("aws_project_region"), "{region}: {e}");
        assert!(e.field().unwrap().expected().contains("us-east-1"));
    }
    let e = err(&edited(WEB_BASIC, |doc| {
        doc["aws_project_region"] = "us-west-2a".into();
    }));
    assert!(
        e.field()
            .unwrap()
            .found()
            .unwrap()
            .contains("availability zone"),
        "{e}"
    );
}

#[test]
fn shipped_shapes_parse_without_warnings_and_hide_secrets() {
    for fixture in [
        WEB_BASIC,
        GEN1_BASIC,
        WEB_OAUTH,
        GEN1_OAUTH,
        GEN2_CUSTOM,
        GEN1_NAMED,
    ] {
        let config = read_clean(fixture);
        let shown = format!("{config:?}");
        assert!(!shown.contains("da2-"), "{shown}");
    }
    let json = edited(WEB_BASIC, |doc| {
        doc["aws_appsync_graphqlEndpoint"] =
            "https://g1.execute-api.us-west-2.amazonaws.com/dev".into();
    });
    let (_, warnings) = read(&json);
    let shown = format!("{warnings:?} {}", warnings[0]);
    assert!(!shown.contains("da2-"), "{shown}");
}

#[test]
fn warnings_are_cloneable_comparable_and_send() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<ConfigWarning>();
    let json = edited(GEN2_CUSTOM, |doc| doc["version"] = "1.9".into());
    let (_, warnings) = read(&json);
    assert_eq!(warnings.clone(), warnings);
    assert_eq!(warnings[0].kind(), "newer_version");
    assert!(
        warnings[0]
            .to_string()
            .starts_with("Gen 2 amplify_outputs.json: `version`")
    );
}
