//! The seed file of the `amplify-emulator` binary: pools, clients and users as JSON.
//!
//! ```json
//! {
//!   "port": 0,
//!   "userPools": [{
//!     "region": "us-east-1",
//!     "id": "us-east-1_Example1",
//!     "clients": [
//!       {"id": "exampleclient1", "secret": false},
//!       {"id": "rotatingclient1", "refreshTokenRotation": {"feature": "ENABLED", "retryGracePeriodSeconds": 10}},
//!       {"id": "webclient1", "oauth": {"callbackUrls": ["http://localhost:3000/"], "logoutUrls": ["http://localhost:3000/"],
//!         "flows": ["code"], "scopes": ["openid", "email"], "identityProviders": ["COGNITO", "Google"]}}
//!     ],
//!     "identityProviders": [{"name": "Google", "type": "Google", "issuer": "accounts.google.com"}],
//!     "passwordPolicy": {"minLength": 8, "requireSymbols": true},
//!     "requiredAttributes": ["email"],
//!     "usernameAttributes": [],
//!     "autoVerifiedAttributes": ["email"],
//!     "customAttributes": ["tenant"],
//!     "groups": [{"name": "admin", "precedence": 0}],
//!     "mfa": "OFF",
//!     "mfaMethods": ["SMS"],
//!     "firstFactors": ["PASSWORD", "EMAIL_OTP"],
//!     "deviceConfiguration": {"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": false},
//!     "users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com"}}]
//!   }],
//!   "identityPools": [{"allowGuests": true}],
//!   "oidcIssuers": ["https://login.example.test"],
//!   "graphqlApi": {
//!     "defaultMode": "API_KEY",
//!     "additionalModes": ["AMAZON_COGNITO_USER_POOLS", "AWS_IAM"],
//!     "apiKeys": [{"key": "da2-example", "expiresInSeconds": 604800}]
//!   },
//!   "restApis": [{"name": "api", "mode": "AWS_IAM"}],
//!   "iamPrincipals": [{"accessKeyId": "AKIAEXAMPLESERVER", "secretAccessKey": "server-secret",
//!     "sessionToken": "optional", "arn": "arn:aws:iam::000000000000:role/todo-service",
//!     "allowFields": ["Query.listTodos", "Mutation.*"]}]
//! }
//! ```
//!
//! `firstFactors` are `USER_AUTH`'s `AllowedFirstAuthFactors` (`PASSWORD`, `EMAIL_OTP`,
//! `SMS_OTP`, `WEB_AUTHN`; `["PASSWORD"]` when absent). `deviceConfiguration` is Cognito's
//! `DeviceConfigurationType` (either member may also be camelCase); present, it turns device
//! tracking on.
//!
//! `iamPrincipals` are server-side callers' keys (`IamPrincipalSpec`): SigV4 requests they sign
//! are verified and authorized like identity-pool credentials; `sessionToken`, `arn` and
//! `allowFields` (root fields, every one when absent) are optional.
//!
//! A client's `oauth` takes `callbackUrls`, `logoutUrls`, `flows` (`code`, `implicit`,
//! `client_credentials`; default `["code"]`), `scopes` (default: the reserved ones) and
//! `identityProviders` (default `["COGNITO"]`). A pool's `identityProviders` take `name`, `type`
//! (`Google`, `Facebook`, `LoginWithAmazon`, `SignInWithApple`, `OIDC`), `issuer` (an emulator
//! OIDC issuer; `accounts.google.com` for Google by default), `attributeMapping` and
//! `identifiers`.
//!
//! A client's `refreshTokenRotation` is `true` / `false` or Cognito's `RefreshTokenRotationType`
//! (`feature` `ENABLED` / `DISABLED`, `retryGracePeriodSeconds` 0 to 60; more is refused).
//!
//! `graphqlApi` serves the sample Todo API unless it has a `schema` (SDL; fields then resolve to
//! `null`, custom resolvers need Rust). It also takes `name`, `region`, `userPoolId`,
//! `userPoolClientIds`, `oidcIssuer` and `oidcClientId`; REST APIs take `mode`, `apiKey`,
//! `region`, `oidcIssuer`. `AWS_LAMBDA` needs a Rust authorizer and is not available here.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::appsync::{ApiKeySpec, AuthMode, GraphQlApiSpec, RestApiSpec};
use crate::credentials::IamPrincipalSpec;
use crate::error::EmulatorError;
use crate::handle::EmulatorBuilder;
use crate::spec::{
    AppClientSpec, DeviceConfiguration, FirstFactor, GroupSpec, IdentityPoolSpec,
    IdentityProviderSpec, MfaConfiguration, MfaMethod, OAuthClientSpec, OAuthFlow, PasswordPolicy,
    ProviderType, SeedStatus, UserPoolSpec, UserSpec, UsernameAttribute,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Seed {
    port: Option<u16>,
    #[serde(default)]
    user_pools: Vec<SeedPool>,
    #[serde(default)]
    identity_pools: Vec<SeedIdentityPool>,
    #[serde(default)]
    oidc_issuers: Vec<String>,
    graphql_api: Option<SeedGraphQlApi>,
    #[serde(default)]
    rest_apis: Vec<SeedRestApi>,
    #[serde(default)]
    iam_principals: Vec<SeedIamPrincipal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedIamPrincipal {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    arn: Option<String>,
    allow_fields: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedGraphQlApi {
    name: Option<String>,
    schema: Option<String>,
    default_mode: Option<String>,
    #[serde(default)]
    additional_modes: Vec<String>,
    #[serde(default)]
    api_keys: Vec<SeedApiKey>,
    region: Option<String>,
    user_pool_id: Option<String>,
    user_pool_client_ids: Option<Vec<String>>,
    oidc_issuer: Option<String>,
    oidc_client_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedApiKey {
    key: Option<String>,
    expires_in_seconds: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedRestApi {
    name: String,
    mode: Option<String>,
    api_key: Option<SeedApiKey>,
    region: Option<String>,
    oidc_issuer: Option<String>,
}

fn auth_mode(name: &str) -> Result<AuthMode, EmulatorError> {
    Ok(match name {
        "API_KEY" => AuthMode::ApiKey,
        "AMAZON_COGNITO_USER_POOLS" => AuthMode::AmazonCognitoUserPools,
        "AWS_IAM" => AuthMode::AwsIam,
        "OPENID_CONNECT" => AuthMode::OpenIdConnect,
        "NONE" => AuthMode::None,
        "AWS_LAMBDA" => {
            return Err(bad(
                "AWS_LAMBDA needs a Rust authorizer (GraphQlApiSpec::lambda_authorizer); a seed file cannot give one",
            ));
        }
        other => return Err(bad(format!("unknown authorization mode {other}"))),
    })
}

fn api_key(seed: SeedApiKey) -> ApiKeySpec {
    let mut spec = ApiKeySpec::new();
    if let Some(key) = seed.key {
        spec = spec.key(key);
    }
    if let Some(secs) = seed.expires_in_seconds {
        spec = spec.expires_in(std::time::Duration::from_secs(secs));
    }
    spec
}

fn graphql_spec(seed: SeedGraphQlApi) -> Result<GraphQlApiSpec, EmulatorError> {
    let mut spec = match seed.schema {
        Some(schema) => GraphQlApiSpec::new(schema),
        None => GraphQlApiSpec::sample_todo(),
    };
    if let Some(name) = seed.name {
        spec = spec.name(name);
    }
    if let Some(mode) = seed.default_mode {
        spec = spec.default_mode(auth_mode(&mode)?);
    }
    for mode in seed.additional_modes {
        spec = spec.additional_mode(auth_mode(&mode)?);
    }
    for key in seed.api_keys {
        spec = spec.api_key(api_key(key));
    }
    if let Some(region) = seed.region {
        spec = spec.region(region);
    }
    if let Some(pool) = seed.user_pool_id {
        spec = spec.user_pool_id(pool);
    }
    if let Some(clients) = seed.user_pool_client_ids {
        spec = spec.user_pool_client_ids(clients);
    }
    if let Some(issuer) = seed.oidc_issuer {
        spec = spec.oidc_issuer(issuer);
    }
    if let Some(client) = seed.oidc_client_id {
        spec = spec.oidc_client_id(client);
    }
    Ok(spec)
}

fn rest_spec(seed: SeedRestApi) -> Result<RestApiSpec, EmulatorError> {
    let mut spec = RestApiSpec::new(seed.name);
    if let Some(mode) = seed.mode {
        spec = spec.mode(auth_mode(&mode)?);
    }
    if let Some(key) = seed.api_key {
        spec = spec.api_key(api_key(key));
    }
    if let Some(region) = seed.region {
        spec = spec.region(region);
    }
    if let Some(issuer) = seed.oidc_issuer {
        spec = spec.oidc_issuer(issuer);
    }
    Ok(spec)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedPool {
    region: Option<String>,
    id: Option<String>,
    #[serde(default)]
    clients: Vec<SeedClient>,
    password_policy: Option<SeedPolicy>,
    required_attributes: Option<Vec<String>>,
    #[serde(default)]
    username_attributes: Vec<String>,
    auto_verified_attributes: Option<Vec<String>>,
    #[serde(default)]
    custom_attributes: Vec<String>,
    #[serde(default)]
    groups: Vec<SeedGroup>,
    mfa: Option<String>,
    mfa_methods: Option<Vec<String>>,
    first_factors: Option<Vec<String>>,
    device_configuration: Option<SeedDeviceConfiguration>,
    #[serde(default)]
    users: Vec<SeedUser>,
    #[serde(default)]
    identity_providers: Vec<SeedIdentityProvider>,
}

/// Cognito's `DeviceConfigurationType`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SeedDeviceConfiguration {
    #[serde(default, alias = "challengeRequiredOnNewDevice")]
    challenge_required_on_new_device: bool,
    #[serde(default, alias = "deviceOnlyRememberedOnUserPrompt")]
    device_only_remembered_on_user_prompt: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedClient {
    id: Option<String>,
    name: Option<String>,
    /// `true` for a generated secret, or the secret itself.
    secret: Option<serde_json::Value>,
    refresh_token_rotation: Option<SeedRotation>,
    #[serde(default)]
    prevent_user_existence_errors: bool,
    oauth: Option<SeedOAuth>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedOAuth {
    #[serde(default)]
    callback_urls: Vec<String>,
    #[serde(default)]
    logout_urls: Vec<String>,
    flows: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    identity_providers: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedIdentityProvider {
    name: String,
    #[serde(rename = "type")]
    provider_type: String,
    issuer: Option<String>,
    #[serde(default)]
    attribute_mapping: BTreeMap<String, String>,
    #[serde(default)]
    identifiers: Vec<String>,
}

fn oauth_spec(seed: SeedOAuth) -> Result<OAuthClientSpec, EmulatorError> {
    let mut spec = OAuthClientSpec::new();
    for url in seed.callback_urls {
        spec = spec.callback_url(url);
    }
    for url in seed.logout_urls {
        spec = spec.logout_url(url);
    }
    if let Some(flows) = seed.flows {
        let mut parsed = Vec::new();
        for flow in flows {
            parsed.push(match flow.as_str() {
                "code" => OAuthFlow::Code,
                "implicit" => OAuthFlow::Implicit,
                "client_credentials" => OAuthFlow::ClientCredentials,
                other => return Err(bad(format!("unknown OAuth flow {other:?}"))),
            });
        }
        spec = spec.flows(parsed);
    }
    if let Some(scopes) = seed.scopes {
        spec = spec.scopes(scopes);
    }
    if let Some(providers) = seed.identity_providers {
        spec = spec.identity_providers(providers);
    }
    Ok(spec)
}

fn identity_provider(seed: SeedIdentityProvider) -> Result<IdentityProviderSpec, EmulatorError> {
    let provider_type = match seed.provider_type.as_str() {
        "Google" => ProviderType::Google,
        "Facebook" => ProviderType::Facebook,
        "LoginWithAmazon" => ProviderType::LoginWithAmazon,
        "SignInWithApple" => ProviderType::SignInWithApple,
        "OIDC" => ProviderType::Oidc,
        other => return Err(bad(format!("unknown identity provider type {other:?}"))),
    };
    let issuer = match (seed.issuer, provider_type) {
        (Some(issuer), _) => issuer,
        (None, ProviderType::Google) => "accounts.google.com".to_owned(),
        (None, _) => {
            return Err(bad(format!(
                "identity provider {} needs an issuer",
                seed.name
            )));
        }
    };
    let mut spec = IdentityProviderSpec::new(seed.name, provider_type, issuer);
    for (attribute, claim) in seed.attribute_mapping {
        spec = spec.attribute(attribute, claim);
    }
    for identifier in seed.identifiers {
        spec = spec.identifier(identifier);
    }
    Ok(spec)
}

/// `true` / `false`, or Cognito's `RefreshTokenRotationType`:
/// `{"feature": "ENABLED", "retryGracePeriodSeconds": 10}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum SeedRotation {
    Enabled(bool),
    Type(SeedRotationType),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedRotationType {
    feature: String,
    retry_grace_period_seconds: Option<u64>,
}

/// Rotation on or off and its grace period, from a seed client.
fn rotation(seed: Option<SeedRotation>) -> Result<(bool, u64), EmulatorError> {
    let (enabled, grace) = match seed {
        None => (false, 0),
        Some(SeedRotation::Enabled(enabled)) => (enabled, 0),
        Some(SeedRotation::Type(t)) => {
            let enabled = match t.feature.as_str() {
                "ENABLED" => true,
                "DISABLED" => false,
                other => {
                    return Err(bad(format!(
                        "clients[].refreshTokenRotation.feature must be ENABLED or DISABLED, not {other:?}"
                    )));
                }
            };
            (enabled, t.retry_grace_period_seconds.unwrap_or(0))
        }
    };
    // API reference, `RefreshTokenRotationType.RetryGracePeriodSeconds`: 0 to 60.
    if grace > crate::backend::MAX_ROTATION_GRACE.as_secs() {
        return Err(bad(format!(
            "clients[].refreshTokenRotation.retryGracePeriodSeconds is {grace}; Cognito allows 0 to 60"
        )));
    }
    Ok((enabled, grace))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedPolicy {
    min_length: Option<u32>,
    require_lowercase: Option<bool>,
    require_uppercase: Option<bool>,
    require_numbers: Option<bool>,
    require_symbols: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedGroup {
    name: String,
    precedence: Option<i64>,
    role_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedUser {
    username: String,
    password: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    status: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    enabled: Option<bool>,
    #[serde(default)]
    sms_mfa: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedIdentityPool {
    id: Option<String>,
    region: Option<String>,
    allow_guests: Option<bool>,
    developer_provider_name: Option<String>,
}

fn bad(message: impl Into<String>) -> EmulatorError {
    EmulatorError::Seed(message.into())
}

impl EmulatorBuilder {
    /// A builder from a seed document (see the module docs of the binary for the format).
    /// Returns the builder and the port the seed asks for, if any.
    ///
    /// # Errors
    ///
    /// [`EmulatorError::Seed`] for malformed JSON, unknown fields or values.
    pub fn from_seed_json(json: &str) -> Result<(Self, Option<u16>), EmulatorError> {
        let seed: Seed = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        let mut builder = EmulatorBuilder::default();
        for pool in seed.user_pools {
            builder = builder.user_pool(pool_spec(pool)?);
        }
        for ip in seed.identity_pools {
            let mut spec = IdentityPoolSpec::new();
            if let Some(id) = ip.id {
                spec = spec.id(id);
            }
            if let Some(region) = ip.region {
                spec = spec.region(region);
            }
            if let Some(guests) = ip.allow_guests {
                spec = spec.allow_guests(guests);
            }
            if let Some(name) = ip.developer_provider_name {
                spec = spec.developer_provider_name(name);
            }
            builder = builder.identity_pool(spec);
        }
        for issuer in seed.oidc_issuers {
            builder = builder.oidc_issuer(issuer);
        }
        if let Some(api) = seed.graphql_api {
            builder = builder.graphql_api(graphql_spec(api)?);
        }
        for api in seed.rest_apis {
            builder = builder.rest_api(rest_spec(api)?);
        }
        for p in seed.iam_principals {
            if p.access_key_id.is_empty() || p.secret_access_key.is_empty() {
                return Err(bad(
                    "iamPrincipals[] needs a non-empty accessKeyId and secretAccessKey",
                ));
            }
            let mut spec = IamPrincipalSpec::new(p.access_key_id, p.secret_access_key);
            if let Some(token) = p.session_token {
                spec = spec.session_token(token);
            }
            if let Some(arn) = p.arn {
                spec = spec.arn(arn);
            }
            if let Some(fields) = p.allow_fields {
                spec = spec.allow_fields(fields);
            }
            builder = builder.iam_principal(spec);
        }
        Ok((builder, seed.port))
    }
}

fn pool_spec(pool: SeedPool) -> Result<UserPoolSpec, EmulatorError> {
    let mut spec = UserPoolSpec::new(pool.region.unwrap_or_else(|| "us-east-1".to_owned()));
    if let Some(id) = pool.id {
        spec = spec.id(id);
    }
    for client in pool.clients {
        let (rotate, grace) = rotation(client.refresh_token_rotation)?;
        let mut c = AppClientSpec::new()
            .refresh_token_rotation(rotate)
            .rotation_grace_period(std::time::Duration::from_secs(grace))
            .prevent_user_existence_errors(client.prevent_user_existence_errors);
        if let Some(id) = client.id {
            c = c.id(id);
        }
        if let Some(name) = client.name {
            c = c.name(name);
        }
        if let Some(oauth) = client.oauth {
            c = c.oauth(oauth_spec(oauth)?);
        }
        c = match client.secret {
            None | Some(serde_json::Value::Bool(false)) => c,
            Some(serde_json::Value::Bool(true)) => c.secret(true),
            Some(serde_json::Value::String(s)) => c.fixed_secret(s),
            Some(_) => return Err(bad("clients[].secret must be a boolean or a string")),
        };
        spec = spec.client(c);
    }
    for provider in pool.identity_providers {
        spec = spec.identity_provider(identity_provider(provider)?);
    }
    if let Some(p) = pool.password_policy {
        let mut policy = PasswordPolicy::new();
        if let Some(v) = p.min_length {
            policy = policy.min_length(v);
        }
        if let Some(v) = p.require_lowercase {
            policy = policy.require_lowercase(v);
        }
        if let Some(v) = p.require_uppercase {
            policy = policy.require_uppercase(v);
        }
        if let Some(v) = p.require_numbers {
            policy = policy.require_numbers(v);
        }
        if let Some(v) = p.require_symbols {
            policy = policy.require_symbols(v);
        }
        spec = spec.password_policy(policy);
    }
    if let Some(attrs) = pool.required_attributes {
        spec = spec.required_attributes(attrs);
    }
    let mut username_attributes = Vec::new();
    for a in pool.username_attributes {
        username_attributes.push(match a.to_ascii_lowercase().as_str() {
            "email" => UsernameAttribute::Email,
            "phone_number" => UsernameAttribute::PhoneNumber,
            other => return Err(bad(format!("unknown username attribute {other:?}"))),
        });
    }
    spec = spec.username_attributes(username_attributes);
    if let Some(attrs) = pool.auto_verified_attributes {
        spec = spec.auto_verified_attributes(attrs);
    }
    for custom in pool.custom_attributes {
        spec = spec.custom_attribute(custom);
    }
    for g in pool.groups {
        let mut group = GroupSpec::new(g.name);
        if let Some(p) = g.precedence {
            group = group.precedence(p);
        }
        if let Some(r) = g.role_arn {
            group = group.role_arn(r);
        }
        spec = spec.group(group);
    }
    let mfa = match pool.mfa.as_deref().map(str::to_ascii_uppercase).as_deref() {
        None | Some("OFF" | "NONE") => MfaConfiguration::Off,
        Some("OPTIONAL") => MfaConfiguration::Optional,
        Some("ON" | "REQUIRED") => MfaConfiguration::On,
        Some(other) => return Err(bad(format!("unknown mfa {other:?}"))),
    };
    let mut methods = Vec::new();
    for m in pool.mfa_methods.unwrap_or_else(|| vec!["SMS".to_owned()]) {
        methods.push(match m.to_ascii_uppercase().as_str() {
            "SMS" => MfaMethod::Sms,
            "TOTP" => MfaMethod::Totp,
            "EMAIL" => MfaMethod::Email,
            other => return Err(bad(format!("unknown mfa method {other:?}"))),
        });
    }
    spec = spec.mfa(mfa, methods);
    if let Some(factors) = pool.first_factors {
        let mut parsed = Vec::new();
        for f in factors {
            parsed.push(match f.to_ascii_uppercase().as_str() {
                "PASSWORD" => FirstFactor::Password,
                "EMAIL_OTP" => FirstFactor::EmailOtp,
                "SMS_OTP" => FirstFactor::SmsOtp,
                "WEB_AUTHN" => FirstFactor::WebAuthn,
                other => return Err(bad(format!("unknown first factor {other:?}"))),
            });
        }
        spec = spec.first_factors(parsed);
    }
    if let Some(d) = pool.device_configuration {
        spec = spec.device_configuration(
            DeviceConfiguration::new()
                .challenge_required_on_new_device(d.challenge_required_on_new_device)
                .device_only_remembered_on_user_prompt(d.device_only_remembered_on_user_prompt),
        );
    }
    for u in pool.users {
        let mut user = UserSpec::new(u.username, u.password);
        for (k, v) in u.attributes {
            user = user.attribute(k, v);
        }
        user = user.status(
            match u.status.as_deref().map(str::to_ascii_uppercase).as_deref() {
                None | Some("CONFIRMED") => SeedStatus::Confirmed,
                Some("UNCONFIRMED") => SeedStatus::Unconfirmed,
                Some("FORCE_CHANGE_PASSWORD") => SeedStatus::ForceChangePassword,
                Some(other) => return Err(bad(format!("unknown user status {other:?}"))),
            },
        );
        for g in u.groups {
            user = user.group(g);
        }
        user = user.enabled(u.enabled.unwrap_or(true)).sms_mfa(u.sms_mfa);
        spec = spec.user(user);
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_seed() {
        let json = r#"{
          "port": 0,
          "userPools": [{
            "region": "us-east-1", "id": "us-east-1_Example1",
            "clients": [{"id": "exampleclient1", "secret": false}],
            "passwordPolicy": {"minLength": 8, "requireSymbols": true},
            "requiredAttributes": ["email"], "usernameAttributes": [], "autoVerifiedAttributes": ["email"],
            "customAttributes": ["tenant"], "groups": [{"name": "admin", "precedence": 0}],
            "mfa": "OFF", "mfaMethods": ["SMS"],
            "users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com"}, "groups": ["admin"]}]
          }],
          "identityPools": [{"allowGuests": true}],
          "oidcIssuers": ["https://login.example.test"]
        }"#;
        let (builder, port) = EmulatorBuilder::from_seed_json(json).unwrap();
        assert_eq!(port, Some(0));
        let backend = builder.build_backend("http://127.0.0.1:1").unwrap();
        assert_eq!(
            backend
                .create_user("us-east-1_Example1", &UserSpec::new("bob", "Passw0rd!"))
                .unwrap(),
            "bob"
        );
        assert!(EmulatorBuilder::from_seed_json(r#"{"nope": 1}"#).is_err());
        let rotating = r#"{"userPools": [{"clients": [{"refreshTokenRotation": {"feature": "ENABLED", "retryGracePeriodSeconds": 60}}, {"refreshTokenRotation": true}]}]}"#;
        assert!(EmulatorBuilder::from_seed_json(rotating).is_ok());
        let too_long = r#"{"userPools": [{"clients": [{"refreshTokenRotation": {"feature": "ENABLED", "retryGracePeriodSeconds": 61}}]}]}"#;
        let Err(EmulatorError::Seed(message)) = EmulatorBuilder::from_seed_json(too_long) else {
            panic!("a 61 s grace period must be refused");
        };
        assert!(message.contains("0 to 60"), "{message}");
        assert!(
            EmulatorBuilder::from_seed_json(
                r#"{"userPools": [{"clients": [{"refreshTokenRotation": {"feature": "MAYBE"}}]}]}"#
            )
            .is_err()
        );
        assert!(EmulatorBuilder::from_seed_json(r#"{"userPools": [{"mfa": "MAYBE"}]}"#).is_err());
    }

    #[test]
    fn reads_first_factors_and_device_configuration() {
        let pool: SeedPool = serde_json::from_str(
            r#"{"firstFactors": ["PASSWORD", "email_otp"],
                "deviceConfiguration": {"ChallengeRequiredOnNewDevice": true, "deviceOnlyRememberedOnUserPrompt": true}}"#,
        )
        .unwrap();
        let spec = pool_spec(pool).unwrap();
        assert_eq!(
            spec.first_factors,
            vec![FirstFactor::Password, FirstFactor::EmailOtp]
        );
        assert_eq!(
            spec.device_configuration,
            Some(
                DeviceConfiguration::new()
                    .challenge_required_on_new_device(true)
                    .device_only_remembered_on_user_prompt(true)
            )
        );
        let spec = pool_spec(serde_json::from_str("{}").unwrap()).unwrap();
        assert_eq!(spec.first_factors, vec![FirstFactor::Password]);
        assert_eq!(spec.device_configuration, None);
        for bad in [
            r#"{"userPools": [{"firstFactors": ["PASSKEY"]}]}"#,
            r#"{"userPools": [{"deviceConfiguration": {"Always": true}}]}"#,
        ] {
            assert!(EmulatorBuilder::from_seed_json(bad).is_err(), "{bad}");
        }
    }
}
