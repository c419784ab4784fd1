//! Gen 2 `amplify_outputs.json`, as `ampx` writes it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::check::{Check, RawApi, merge_apis, sorted};
use crate::error::ConfigFormat;
use crate::model::{
    AmplifyConfig, AuthConfig, AuthFlowType, AuthorizationType, EndpointType, GEN2_DATA_API_NAME,
    IdentityPoolConfig, IdentityProvider, MfaConfig, MfaMethod, MfaStatus, OAuthConfig,
    OAuthResponseType, PasswordPolicy, PasswordlessConfig, UserAttributeKey, UserPoolConfig,
    UserPoolGroup, UsernameAttribute, VerificationType,
};
use crate::{ApiKey, ClientSecret, ConfigError};

#[derive(Deserialize)]
struct Root {
    version: String,
    auth: Option<Auth>,
    data: Option<Data>,
    /// Amplify Flutter's internal REST section (Gen 2 has no first-class REST output).
    rest_api: Option<BTreeMap<String, RestApi>>,
    custom: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Auth {
    aws_region: String,
    user_pool_id: Option<String>,
    user_pool_client_id: Option<String>,
    user_pool_endpoint: Option<String>,
    app_client_secret: Option<String>,
    identity_pool_id: Option<String>,
    identity_pool_endpoint: Option<String>,
    password_policy: Option<Password>,
    oauth: Option<OAuth>,
    standard_required_attributes: Option<Vec<UserAttributeKey>>,
    username_attributes: Option<Vec<UsernameAttribute>>,
    user_verification_types: Option<Vec<VerificationType>>,
    unauthenticated_identities_enabled: Option<bool>,
    mfa_configuration: Option<Gen2Mfa>,
    mfa_methods: Option<Vec<MfaMethod>>,
    authentication_flow_type: Option<AuthFlowType>,
    passwordless: Option<Passwordless>,
    groups: Option<Vec<BTreeMap<String, Group>>>,
}

#[derive(Deserialize)]
struct Password {
    min_length: Option<i64>,
    require_numbers: Option<bool>,
    require_lowercase: Option<bool>,
    require_uppercase: Option<bool>,
    require_symbols: Option<bool>,
}

#[derive(Deserialize)]
struct OAuth {
    identity_providers: Option<Vec<IdentityProvider>>,
    domain: String,
    scopes: Vec<String>,
    redirect_sign_in_uri: Vec<String>,
    redirect_sign_out_uri: Vec<String>,
    response_type: OAuthResponseType,
    sign_in_uri: Option<String>,
    sign_in_uri_query_parameters: Option<BTreeMap<String, String>>,
    sign_out_uri: Option<String>,
    sign_out_uri_query_parameters: Option<BTreeMap<String, String>>,
    token_uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Gen2Mfa {
    None,
    Optional,
    Required,
}

#[derive(Deserialize)]
struct Passwordless {
    email_otp_enabled: Option<bool>,
    sms_otp_enabled: Option<bool>,
    web_authn: Option<WebAuthn>,
    preferred_challenge: Option<String>,
}

#[derive(Deserialize)]
struct WebAuthn {
    relying_party_id: Option<String>,
    user_verification: Option<String>,
}

#[derive(Deserialize)]
struct Group {
    precedence: Option<i64>,
}

#[derive(Deserialize)]
struct Data {
    aws_region: String,
    url: String,
    api_key: Option<String>,
    default_authorization_type: AuthorizationType,
    authorization_types: Option<Vec<AuthorizationType>>,
}

#[derive(Deserialize)]
struct RestApi {
    aws_region: String,
    url: String,
    api_key: Option<String>,
    authorization_type: AuthorizationType,
}

pub(crate) fn parse(value: &serde_json::Value) -> Result<AmplifyConfig, ConfigError> {
    let check = Check {
        format: ConfigFormat::Gen2,
    };
    let root: Root = check.deserialize("", value)?;
    if root.version.split('.').next() != Some("1") {
        return Err(check.invalid(
            "version",
            "a supported outputs version (\"1\" or \"1.x\"); update amplify-rs for newer outputs",
            Some(format!(
                "\"{}\"",
                root.version.chars().take(16).collect::<String>()
            )),
        ));
    }
    let auth = root.auth.map(|a| auth(check, a)).transpose()?;
    let mut raws = Vec::new();
    if let Some(data) = root.data {
        raws.push(RawApi {
            name: GEN2_DATA_API_NAME.to_owned(),
            path: "data".to_owned(),
            endpoint_type: EndpointType::GraphQl,
            url: check.endpoint("data.url", &data.url)?,
            region: check.region("data.aws_region", &data.aws_region)?,
            default: data.default_authorization_type,
            additional: data.authorization_types.unwrap_or_default(),
            api_key: data.api_key.map(ApiKey::new),
        });
    }
    for (name, rest) in root.rest_api.unwrap_or_default() {
        let path = format!("rest_api.{name}");
        raws.push(RawApi {
            endpoint_type: EndpointType::Rest,
            url: check.endpoint(&format!("{path}.url"), &rest.url)?,
            region: check.region(&format!("{path}.aws_region"), &rest.aws_region)?,
            default: rest.authorization_type,
            additional: Vec::new(),
            api_key: rest.api_key.map(ApiKey::new),
            name,
            path,
        });
    }
    Ok(AmplifyConfig {
        auth,
        apis: merge_apis(check, &raws, &[])?,
        custom: root.custom,
    })
}

fn auth(check: Check, auth: Auth) -> Result<AuthConfig, ConfigError> {
    let region = check.region("auth.aws_region", &auth.aws_region)?;
    let user_pool = match (auth.user_pool_id, auth.user_pool_client_id) {
        (Some(pool_id), Some(client_id)) => Some(UserPoolConfig {
            pool_id: check.user_pool_id("auth.user_pool_id", &pool_id, &region)?,
            app_client_id: check.non_empty("auth.user_pool_client_id", &client_id)?,
            app_client_secret: auth.app_client_secret.map(ClientSecret::new),
            region: region.clone(),
            endpoint: check.optional_endpoint(
                "auth.user_pool_endpoint",
                auth.user_pool_endpoint.as_deref(),
            )?,
        }),
        (Some(_), None) => {
            return Err(check.missing(
                "auth.user_pool_client_id",
                "the app client id of the user pool",
            ));
        }
        (None, Some(_)) => {
            return Err(check.missing(
                "auth.user_pool_id",
                "the user pool id the app client belongs to",
            ));
        }
        (None, None) => None,
    };
    let identity_pool = match auth.identity_pool_id {
        Some(pool_id) => Some(IdentityPoolConfig {
            pool_id: check.identity_pool_id("auth.identity_pool_id", &pool_id, &region)?,
            region: region.clone(),
            endpoint: check.optional_endpoint(
                "auth.identity_pool_endpoint",
                auth.identity_pool_endpoint.as_deref(),
            )?,
        }),
        None => None,
    };
    let password_policy = match auth.password_policy {
        Some(p) => Some(PasswordPolicy {
            min_length: check.min_length("auth.password_policy.min_length", p.min_length)?,
            require_lowercase: p.require_lowercase.unwrap_or(false),
            require_uppercase: p.require_uppercase.unwrap_or(false),
            require_numbers: p.require_numbers.unwrap_or(false),
            require_symbols: p.require_symbols.unwrap_or(false),
        }),
        None => None,
    };
    let oauth = match auth.oauth {
        Some(o) => Some(OAuthConfig {
            domain: check.non_empty("auth.oauth.domain", &o.domain)?,
            scopes: o.scopes,
            redirect_sign_in_uris: o.redirect_sign_in_uri,
            redirect_sign_out_uris: o.redirect_sign_out_uri,
            response_type: o.response_type,
            identity_providers: sorted(o.identity_providers),
            sign_in_uri: o.sign_in_uri,
            sign_in_uri_query_parameters: o.sign_in_uri_query_parameters.unwrap_or_default(),
            sign_out_uri: o.sign_out_uri,
            sign_out_uri_query_parameters: o.sign_out_uri_query_parameters.unwrap_or_default(),
            token_uri: o.token_uri,
        }),
        None => None,
    };
    let passwordless = auth.passwordless.map(|p| PasswordlessConfig {
        email_otp_enabled: p.email_otp_enabled.unwrap_or(false),
        sms_otp_enabled: p.sms_otp_enabled.unwrap_or(false),
        web_authn_relying_party_id: p
            .web_authn
            .as_ref()
            .and_then(|w| w.relying_party_id.clone()),
        web_authn_user_verification: p.web_authn.and_then(|w| w.user_verification),
        preferred_challenge: p.preferred_challenge,
    });
    let groups = auth
        .groups
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .map(|(name, group)| UserPoolGroup {
            name,
            precedence: group.precedence,
        })
        .collect();
    Ok(AuthConfig {
        region,
        user_pool,
        identity_pool,
        oauth,
        username_attributes: sorted(auth.username_attributes),
        sign_up_attributes: sorted(auth.standard_required_attributes),
        password_policy,
        mfa: MfaConfig {
            status: match auth.mfa_configuration {
                None | Some(Gen2Mfa::None) => MfaStatus::Off,
                Some(Gen2Mfa::Optional) => MfaStatus::Optional,
                Some(Gen2Mfa::Required) => MfaStatus::Required,
            },
            methods: sorted(auth.mfa_methods),
        },
        user_verification_types: sorted(auth.user_verification_types),
        unauthenticated_identities_enabled: auth.unauthenticated_identities_enabled.unwrap_or(true),
        authentication_flow_type: auth.authentication_flow_type,
        passwordless,
        groups,
    })
}
