//! The configuration documents pointing at the emulator: Gen 1 `amplifyconfiguration.json` in
//! the native format (Android, iOS, Flutter) and in the flat web format (`aws-exports.js`, what
//! the Amplify CLI writes for JavaScript apps), and Gen 2 `amplify_outputs.json`.

use serde_json::{Map, Value, json};

use crate::appsync::{ApiLayout, AuthMode};
use crate::backend::{HostedUiLayout, Layout, PoolLayout};
use crate::spec::{MfaConfiguration, OAuthFlow, ProviderType, UsernameAttribute};

/// Standard attributes Amplify's configuration formats can name.
const CONFIG_ATTRIBUTES: &[&str] = &[
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
    "updated_at",
    "website",
    "zoneinfo",
];

fn required(pool: &PoolLayout) -> Vec<&str> {
    pool.settings
        .required_attributes
        .iter()
        .map(String::as_str)
        .filter(|a| CONFIG_ATTRIBUTES.contains(a))
        .collect()
}

fn verification(pool: &PoolLayout) -> Vec<&str> {
    pool.settings
        .auto_verified_attributes
        .iter()
        .map(String::as_str)
        .filter(|a| *a == "email" || *a == "phone_number")
        .collect()
}

fn username_attributes(pool: &PoolLayout) -> Vec<&'static str> {
    pool.settings
        .username_attributes
        .iter()
        .map(|a| match a {
            UsernameAttribute::Email => "email",
            UsernameAttribute::PhoneNumber => "phone_number",
        })
        .collect()
}

fn mfa_methods(pool: &PoolLayout) -> Vec<&'static str> {
    pool.settings
        .mfa_methods
        .iter()
        .map(|m| m.config_name())
        .collect()
}

/// The hosted UI's domain: the emulator's `host:port` (its endpoint without the scheme).
fn domain(endpoint: &str) -> &str {
    endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest)
        .trim_end_matches('/')
}

/// The configuration name of a social provider (`GOOGLE`, ...); OIDC and SAML providers have
/// none: Amplify's formats list only social providers.
fn social_name(provider: ProviderType) -> Option<&'static str> {
    match provider {
        ProviderType::Google => Some("GOOGLE"),
        ProviderType::Facebook => Some("FACEBOOK"),
        ProviderType::LoginWithAmazon => Some("LOGIN_WITH_AMAZON"),
        ProviderType::SignInWithApple => Some("SIGN_IN_WITH_APPLE"),
        _ => None,
    }
}

/// The web format's spelling of a social provider, the one Amplify JS turns into its provider
/// names (`AMAZON` becomes `Amazon`; `LOGIN_WITH_AMAZON` would not).
fn web_social_name(provider: ProviderType) -> Option<&'static str> {
    match provider {
        ProviderType::LoginWithAmazon => Some("AMAZON"),
        ProviderType::SignInWithApple => Some("APPLE"),
        other => social_name(other),
    }
}

fn social(hosted: &HostedUiLayout) -> Vec<&'static str> {
    hosted
        .providers
        .iter()
        .filter_map(|p| social_name(*p))
        .collect()
}

fn response_type(hosted: &HostedUiLayout) -> &'static str {
    if hosted.spec.flows.contains(&OAuthFlow::Code) {
        "code"
    } else {
        "token"
    }
}

/// Gen 2 `auth.oauth`.
fn gen2_oauth(hosted: &HostedUiLayout, endpoint: &str) -> Value {
    json!({
        "identity_providers": social(hosted),
        "domain": domain(endpoint),
        "scopes": hosted.spec.scopes,
        "redirect_sign_in_uri": hosted.spec.callback_urls,
        "redirect_sign_out_uri": hosted.spec.logout_urls,
        "response_type": response_type(hosted),
    })
}

/// Gen 1 `Auth.Default.OAuth` (redirect URIs comma-separated, as the CLI writes them).
fn gen1_oauth(hosted: &HostedUiLayout, endpoint: &str, client_id: Option<&str>) -> Value {
    let mut oauth = Map::new();
    oauth.insert("WebDomain".into(), json!(domain(endpoint)));
    if let Some(id) = client_id {
        oauth.insert("AppClientId".into(), json!(id));
    }
    oauth.insert(
        "SignInRedirectURI".into(),
        json!(hosted.spec.callback_urls.join(",")),
    );
    oauth.insert(
        "SignOutRedirectURI".into(),
        json!(hosted.spec.logout_urls.join(",")),
    );
    oauth.insert("Scopes".into(), json!(hosted.spec.scopes));
    Value::Object(oauth)
}

/// The Gen 1 document.
pub(crate) fn gen1(layout: &Layout, endpoint: &str) -> Value {
    let mut cognito = Map::new();
    cognito.insert("UserAgent".into(), json!("aws-amplify-cli/0.1.0"));
    cognito.insert("Version".into(), json!("0.1.0"));
    cognito.insert("IdentityManager".into(), json!({"Default": {}}));
    if let Some((id, region, _)) = layout.identity_pools.first() {
        cognito.insert(
            "CredentialsProvider".into(),
            json!({"CognitoIdentity": {"Default": {"PoolId": id, "Region": region, "Endpoint": endpoint}}}),
        );
    }
    if let Some(pool) = layout.user_pools.first() {
        let mut default = Map::new();
        default.insert("PoolId".into(), json!(pool.id));
        if let Some((client_id, secret)) = pool.clients.first() {
            default.insert("AppClientId".into(), json!(client_id));
            if let Some(secret) = secret {
                default.insert("AppClientSecret".into(), json!(secret));
            }
        }
        default.insert("Region".into(), json!(pool.region));
        default.insert("Endpoint".into(), json!(endpoint));
        cognito.insert("CognitoUserPool".into(), json!({ "Default": default }));
        let mut auth_default = json!({
                "authenticationFlowType": "USER_SRP_AUTH",
                "usernameAttributes": upper(&username_attributes(pool)),
                "signupAttributes": upper(&required(pool)),
                "passwordProtectionSettings": gen1_password(pool),
                "mfaConfiguration": gen1_mfa(pool),
                "mfaTypes": mfa_methods(pool),
                "verificationMechanisms": upper(&verification(pool)),
        });
        if let (Some(hosted), Value::Object(map)) = (&pool.hosted_ui, &mut auth_default) {
            let client_id = pool.clients.first().map(|(id, _)| id.as_str());
            map.insert("OAuth".into(), gen1_oauth(hosted, endpoint, client_id));
            map.insert("socialProviders".into(), json!(social(hosted)));
        }
        cognito.insert("Auth".into(), json!({ "Default": auth_default }));
    }
    let mut api_plugin = Map::new();
    for api in &layout.apis {
        let url = api_url(api, endpoint);
        let mut entry = Map::new();
        entry.insert(
            "endpointType".into(),
            json!(if api.rest { "REST" } else { "GraphQL" }),
        );
        entry.insert("endpoint".into(), json!(url));
        entry.insert("region".into(), json!(api.region));
        entry.insert("authorizationType".into(), json!(api.default_mode.as_str()));
        if let Some(key) = &api.api_key {
            entry.insert("apiKey".into(), json!(key));
        }
        api_plugin.insert(api.name.clone(), Value::Object(entry));
        if !api.rest {
            // The multi-auth layout: the default mode and every additional one in `AppSync`.
            let mut app_sync = Map::new();
            for (i, mode) in std::iter::once(&api.default_mode)
                .chain(&api.additional_modes)
                .enumerate()
            {
                let mut entry = Map::new();
                entry.insert("ApiUrl".into(), json!(url));
                entry.insert("Region".into(), json!(api.region));
                entry.insert("AuthMode".into(), json!(mode.as_str()));
                if *mode == AuthMode::ApiKey
                    && let Some(key) = &api.api_key
                {
                    entry.insert("ApiKey".into(), json!(key));
                }
                let name = format!("{}_{}", api.name, mode.as_str());
                entry.insert("ClientDatabasePrefix".into(), json!(name));
                let key = if i == 0 { "Default".to_owned() } else { name };
                app_sync.insert(key, Value::Object(entry));
            }
            cognito.insert("AppSync".into(), Value::Object(app_sync));
        }
    }
    let mut doc = json!({
        "UserAgent": "aws-amplify-cli/2.0",
        "Version": "1.0",
        "auth": {"plugins": {"awsCognitoAuthPlugin": cognito}},
    });
    if !api_plugin.is_empty()
        && let Value::Object(map) = &mut doc
    {
        map.insert(
            "api".into(),
            json!({"plugins": {"awsAPIPlugin": api_plugin}}),
        );
    }
    doc
}

/// The URL the documents give an API: `<endpoint>/graphql` or `<endpoint>/rest/<name>`.
fn api_url(api: &ApiLayout, endpoint: &str) -> String {
    if api.rest {
        format!("{endpoint}/rest/{}", api.name)
    } else {
        format!("{endpoint}/graphql")
    }
}

/// The Gen 2 document.
pub(crate) fn gen2(layout: &Layout, endpoint: &str) -> Value {
    let mut auth = Map::new();
    auth.insert("aws_region".into(), json!(project_region(layout)));
    if let Some(pool) = layout.user_pools.first() {
        auth.insert("user_pool_id".into(), json!(pool.id));
        if let Some((client_id, secret)) = pool.clients.first() {
            auth.insert("user_pool_client_id".into(), json!(client_id));
            if let Some(secret) = secret {
                auth.insert("app_client_secret".into(), json!(secret));
            }
        }
        auth.insert("user_pool_endpoint".into(), json!(endpoint));
        auth.insert("authentication_flow_type".into(), json!("USER_SRP_AUTH"));
        let policy = &pool.settings.password_policy;
        auth.insert(
            "password_policy".into(),
            json!({
                "min_length": policy.min_length,
                "require_lowercase": policy.require_lowercase,
                "require_uppercase": policy.require_uppercase,
                "require_numbers": policy.require_numbers,
                "require_symbols": policy.require_symbols,
            }),
        );
        auth.insert("standard_required_attributes".into(), json!(required(pool)));
        auth.insert(
            "username_attributes".into(),
            json!(username_attributes(pool)),
        );
        auth.insert("user_verification_types".into(), json!(verification(pool)));
        auth.insert(
            "mfa_configuration".into(),
            json!(match pool.settings.mfa {
                MfaConfiguration::Off => "NONE",
                MfaConfiguration::Optional => "OPTIONAL",
                MfaConfiguration::On => "REQUIRED",
            }),
        );
        auth.insert("mfa_methods".into(), json!(mfa_methods(pool)));
        let groups: Vec<Value> = pool
            .groups
            .iter()
            .map(|(name, precedence)| {
                let mut group = Map::new();
                group.insert(name.clone(), json!({ "precedence": precedence }));
                Value::Object(group)
            })
            .collect();
        auth.insert("groups".into(), Value::Array(groups));
        if let Some(hosted) = &pool.hosted_ui {
            auth.insert("oauth".into(), gen2_oauth(hosted, endpoint));
        }
    }
    if let Some((id, _, guests)) = layout.identity_pools.first() {
        auth.insert("identity_pool_id".into(), json!(id));
        auth.insert("identity_pool_endpoint".into(), json!(endpoint));
        auth.insert("unauthenticated_identities_enabled".into(), json!(guests));
    }
    let mut doc = Map::new();
    doc.insert("version".into(), json!("1.3"));
    doc.insert("auth".into(), Value::Object(auth));
    let mut rest = Map::new();
    for api in &layout.apis {
        let url = api_url(api, endpoint);
        if api.rest {
            let mut entry = Map::new();
            entry.insert("url".into(), json!(url));
            entry.insert("aws_region".into(), json!(api.region));
            entry.insert(
                "authorization_type".into(),
                json!(api.default_mode.as_str()),
            );
            if let Some(key) = &api.api_key {
                entry.insert("api_key".into(), json!(key));
            }
            rest.insert(api.name.clone(), Value::Object(entry));
        } else {
            let mut data = Map::new();
            data.insert("aws_region".into(), json!(api.region));
            data.insert("url".into(), json!(url));
            if let Some(key) = &api.api_key {
                data.insert("api_key".into(), json!(key));
            }
            data.insert(
                "default_authorization_type".into(),
                json!(api.default_mode.as_str()),
            );
            data.insert(
                "authorization_types".into(),
                json!(
                    api.additional_modes
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                ),
            );
            doc.insert("data".into(), Value::Object(data));
        }
    }
    if !rest.is_empty() {
        doc.insert("rest_api".into(), Value::Object(rest));
    }
    Value::Object(doc)
}

/// The project region of the Gen 2 and web documents: the first user pool's, else the first
/// identity pool's.
fn project_region(layout: &Layout) -> String {
    layout
        .user_pools
        .first()
        .map(|p| p.region.clone())
        .or_else(|| layout.identity_pools.first().map(|(_, r, _)| r.clone()))
        .unwrap_or_else(|| "us-east-1".to_owned())
}

/// Gen 1 native `mfaConfiguration` and web `aws_cognito_mfa_configuration`.
fn gen1_mfa(pool: &PoolLayout) -> &'static str {
    match pool.settings.mfa {
        MfaConfiguration::Off => "OFF",
        MfaConfiguration::Optional => "OPTIONAL",
        MfaConfiguration::On => "ON",
    }
}

/// Gen 1 `passwordProtectionSettings` (native) and `aws_cognito_password_protection_settings`
/// (web).
fn gen1_password(pool: &PoolLayout) -> Value {
    let policy = &pool.settings.password_policy;
    let characters: Vec<&str> = [
        (policy.require_lowercase, "REQUIRES_LOWERCASE"),
        (policy.require_uppercase, "REQUIRES_UPPERCASE"),
        (policy.require_numbers, "REQUIRES_NUMBERS"),
        (policy.require_symbols, "REQUIRES_SYMBOLS"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    json!({
        "passwordPolicyMinLength": policy.min_length,
        "passwordPolicyCharacters": characters,
    })
}

fn upper(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_uppercase()).collect()
}

/// The Gen 1 web document: the flat `aws_*` object the Amplify CLI writes to `aws-exports.js`
/// and, for JavaScript projects, `amplifyconfiguration.json`; Amplify JS's `Amplify.configure`
/// reads it.
///
/// The format has no key for a custom Cognito endpoint (Amplify JS v6 reads none from it), for an
/// app client secret, for REST authorization modes (REST APIs are signed with IAM) or for groups;
/// everything else the other documents say is here. Guest access is `aws_mandatory_sign_in`
/// (`"enable"` denies guests), which Amplify JS and amplify-config both read.
pub(crate) fn web(layout: &Layout, endpoint: &str) -> Value {
    let mut doc = Map::new();
    doc.insert("aws_project_region".into(), json!(project_region(layout)));
    if let Some((id, _, guests)) = layout.identity_pools.first() {
        doc.insert("aws_cognito_identity_pool_id".into(), json!(id));
        doc.insert(
            "aws_mandatory_sign_in".into(),
            json!(if *guests { "disable" } else { "enable" }),
        );
    }
    if !layout.user_pools.is_empty() || !layout.identity_pools.is_empty() {
        doc.insert("aws_cognito_region".into(), json!(project_region(layout)));
    }
    if let Some(pool) = layout.user_pools.first() {
        doc.insert("aws_user_pools_id".into(), json!(pool.id));
        if let Some((client_id, _)) = pool.clients.first() {
            doc.insert("aws_user_pools_web_client_id".into(), json!(client_id));
        }
        // `{}` when there is no hosted UI, as the CLI writes it.
        let mut oauth = Map::new();
        let mut social_providers = Vec::new();
        if let Some(hosted) = &pool.hosted_ui {
            oauth.insert("domain".into(), json!(domain(endpoint)));
            oauth.insert("scope".into(), json!(hosted.spec.scopes));
            oauth.insert(
                "redirectSignIn".into(),
                json!(hosted.spec.callback_urls.join(",")),
            );
            oauth.insert(
                "redirectSignOut".into(),
                json!(hosted.spec.logout_urls.join(",")),
            );
            oauth.insert("responseType".into(), json!(response_type(hosted)));
            doc.insert("federationTarget".into(), json!("COGNITO_USER_POOLS"));
            social_providers = hosted
                .providers
                .iter()
                .filter_map(|p| web_social_name(*p))
                .collect();
        }
        doc.insert("oauth".into(), Value::Object(oauth));
        doc.insert(
            "aws_cognito_username_attributes".into(),
            json!(upper(&username_attributes(pool))),
        );
        doc.insert(
            "aws_cognito_social_providers".into(),
            json!(social_providers),
        );
        doc.insert(
            "aws_cognito_signup_attributes".into(),
            json!(upper(&required(pool))),
        );
        doc.insert(
            "aws_cognito_mfa_configuration".into(),
            json!(gen1_mfa(pool)),
        );
        doc.insert("aws_cognito_mfa_types".into(), json!(mfa_methods(pool)));
        doc.insert(
            "aws_cognito_password_protection_settings".into(),
            gen1_password(pool),
        );
        doc.insert(
            "aws_cognito_verification_mechanisms".into(),
            json!(upper(&verification(pool))),
        );
    }
    let mut rest = Vec::new();
    for api in &layout.apis {
        let url = api_url(api, endpoint);
        if api.rest {
            rest.push(json!({"name": api.name, "endpoint": url, "region": api.region}));
            continue;
        }
        doc.insert("aws_appsync_graphqlEndpoint".into(), json!(url));
        doc.insert("aws_appsync_region".into(), json!(api.region));
        doc.insert(
            "aws_appsync_authenticationType".into(),
            json!(api.default_mode.as_str()),
        );
        if let Some(key) = &api.api_key {
            doc.insert("aws_appsync_apiKey".into(), json!(key));
        }
        if !api.additional_modes.is_empty() {
            // Joined by commas, as `ampx generate outputs --outputs-version 0` writes it.
            let modes: Vec<&str> = api.additional_modes.iter().map(|m| m.as_str()).collect();
            doc.insert(
                "aws_appsync_additionalAuthenticationTypes".into(),
                json!(modes.join(",")),
            );
        }
    }
    if !rest.is_empty() {
        doc.insert("aws_cloud_logic_custom".into(), Value::Array(rest));
    }
    Value::Object(doc)
}

/// `aws-exports.js` as the Amplify CLI writes it: the web document (`web`) indented by four
/// spaces in an ES module whose default export is `awsmobile`.
pub(crate) fn web_module(document: &Value) -> String {
    let mut body = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut body, formatter);
    // Serializing a `Value` into a `Vec` cannot fail, and its output is UTF-8.
    let object = match serde::Serialize::serialize(document, &mut serializer) {
        Ok(()) => String::from_utf8_lossy(&body).into_owned(),
        Err(_) => document.to_string(),
    };
    format!(
        "/* eslint-disable */\n\
         // Written by amplify-emulator: the emulator's backend in the format of the Amplify CLI's aws-exports.js.\n\
         \n\
         const awsmobile = {object};\n\
         \n\
         \n\
         export default awsmobile;\n"
    )
}
