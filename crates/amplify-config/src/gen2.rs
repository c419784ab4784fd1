//! Gen 2 `amplify_outputs.json`, as `ampx` writes it.

use std::collections::BTreeMap;

use serde::Deserialize;

use serde::Deserializer;

use crate::check::{
    Check, RawApi, api_like_paths, merge_apis, region_from_host, sorted, warn_url_kinds,
};
use crate::error::ConfigFormat;
use crate::model::{
    AmplifyConfig, AuthConfig, AuthFlowType, AuthorizationType, EndpointType, GEN2_DATA_API_NAME,
    GuestAccess, IdentityPoolConfig, IdentityProvider, MfaConfig, MfaMethod, MfaStatus,
    OAuthConfig, OAuthResponseType, PasswordPolicy, PasswordlessConfig, UserAttributeKey,
    UserPoolConfig, UserPoolGroup, UsernameAttribute, VerificationType,
};
use crate::warning::{ConfigWarning, WarningDetail, Warnings};
use crate::{ApiKey, ClientSecret, ConfigError};

/// The newest outputs version this release knows (`1`, `1.1`, ... `1.5` are all read).
const NEWEST_KNOWN: (u32, u32) = (1, 5);

/// Top-level sections of the outputs schema that amplify-rs tolerates without reading.
const OTHER_SECTIONS: &[&str] = &[
    "$schema",
    "version",
    "auth",
    "data",
    "rest_api",
    "custom",
    "storage",
    "geo",
    "analytics",
    "notifications",
];

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

/// A Gen 2 identity provider; errors list the Gen 2 spellings only.
struct Gen2Provider(IdentityProvider);

impl<'de> Deserialize<'de> for Gen2Provider {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const GEN2: &[&str] = &[
            "GOOGLE",
            "FACEBOOK",
            "LOGIN_WITH_AMAZON",
            "SIGN_IN_WITH_APPLE",
        ];
        let value = String::deserialize(deserializer)?;
        IdentityProvider::parse(&value)
            .map(Gen2Provider)
            .ok_or_else(|| serde::de::Error::unknown_variant(&value, GEN2))
    }
}

#[derive(Deserialize)]
struct OAuth {
    identity_providers: Option<Vec<Gen2Provider>>,
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

pub(crate) fn parse(
    value: &serde_json::Value,
    warnings: &mut Warnings,
) -> Result<AmplifyConfig, ConfigError> {
    let check = Check {
        format: ConfigFormat::Gen2,
    };
    let root: Root = check.deserialize("", value)?;
    version(check, &root.version, warnings)?;
    let auth = root.auth.map(|a| auth(check, a)).transpose()?;
    let mut raws = Vec::new();
    if let Some(data) = root.data {
        raws.push(RawApi {
            name: GEN2_DATA_API_NAME.to_owned(),
            url_path: "data.url".to_owned(),
            key_path: "data.api_key".to_owned(),
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
            url_path: format!("{path}.url"),
            key_path: format!("{path}.api_key"),
        });
    }
    if let Some(custom) = &root.custom {
        custom_apis(check, custom, &mut raws, warnings)?;
    }
    if let Some(object) = value.as_object() {
        for (key, child) in object {
            if !OTHER_SECTIONS.contains(&key.as_str()) {
                for path in api_like_paths(child, key, 4) {
                    warnings.push(ConfigWarning::IgnoredApi(WarningDetail::new(
                        check.format,
                        path,
                        None,
                        "Gen 2 reads the GraphQL API from `data` and REST APIs from `custom.API.<name>`; \
                         publish it there with backend.addOutput",
                    )));
                }
            }
        }
    }
    warn_url_kinds(check, &raws, warnings);
    Ok(AmplifyConfig {
        auth,
        apis: merge_apis(check, &raws, &[])?,
        custom: root.custom,
    })
}

/// Checks the outputs version: `1` to `1.5` are known, a newer one is read with a warning.
fn version(check: Check, version: &str, warnings: &mut Warnings) -> Result<(), ConfigError> {
    let shown = || format!("\"{}\"", version.chars().take(16).collect::<String>());
    let mut parts = version.split('.').map(|p| {
        (!p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    });
    let major = parts.next().flatten();
    let minor = parts.next().unwrap_or(Some(0));
    let rest_ok = parts.all(|p| p.is_some());
    let (Some(major), Some(minor), true) = (major, minor, rest_ok) else {
        return Err(check.invalid(
            "version",
            "a supported outputs version such as \"1.4\" (versions 1 to 1.5 are known; newer ones are read with a warning)",
            Some(shown()),
        ));
    };
    if major == 0 {
        return Err(check.invalid(
            "version",
            "a supported outputs version such as \"1.4\"; version 0 is the Gen 1 web format, which has no `version` \
             (regenerate with `npx ampx generate outputs`)",
            Some(shown()),
        ));
    }
    if (major, minor) > NEWEST_KNOWN {
        warnings.push(ConfigWarning::NewerVersion(WarningDetail::new(
            check.format,
            "version",
            Some(shown()),
            "read the sections and fields of versions 1 to 1.5 and ignored the rest; \
             update amplify-rs to use what the newer version adds",
        )));
    }
    Ok(())
}

/// REST APIs published as Amplify's Gen 2 documentation shows:
/// `backend.addOutput({custom: {API: {<name>: {endpoint, region, apiName}}}})`.
fn custom_apis(
    check: Check,
    custom: &serde_json::Value,
    raws: &mut Vec<RawApi>,
    warnings: &mut Warnings,
) -> Result<(), ConfigError> {
    let Some(custom) = custom.as_object() else {
        return Ok(());
    };
    for (key, child) in custom {
        if key != "API" {
            for path in api_like_paths(child, &format!("custom.{key}"), 4) {
                warnings.push(ConfigWarning::IgnoredApi(WarningDetail::new(
                    check.format,
                    path,
                    None,
                    "Amplify reads Gen 2 REST APIs from `custom.API.<name>` ({endpoint, region, apiName}); \
                     publish it there",
                )));
            }
        }
    }
    let Some(apis) = custom.get("API") else {
        return Ok(());
    };
    let entries: BTreeMap<String, serde_json::Value> = check.deserialize("custom.API", apis)?;
    for (name, entry) in entries {
        let path = format!("custom.API.{name}");
        if entry.is_object() && entry.get("endpoint").is_none() {
            let nested = api_like_paths(&entry, &path, 3);
            if nested.is_empty() {
                return Err(check.missing(
                    &format!("{path}.endpoint"),
                    "the REST API's invoke URL (myRestApi.url)",
                ));
            }
            for nested_path in nested {
                warnings.push(ConfigWarning::IgnoredApi(WarningDetail::new(
                    check.format,
                    nested_path,
                    None,
                    "each REST API goes directly under `custom.API` as `<name>: {endpoint, region, apiName}`",
                )));
            }
            continue;
        }
        let api: CustomApi = check.deserialize(&path, &entry)?;
        let url = check.endpoint(&format!("{path}.endpoint"), &api.endpoint)?;
        let region = match &api.region {
            Some(region) => check.region(&format!("{path}.region"), region)?,
            None => region_from_host(url.host()).ok_or_else(|| {
                check.missing(
                    &format!("{path}.region"),
                    "the REST API's region (Stack.of(myRestApi).region)",
                )
            })?,
        };
        if raws
            .iter()
            .any(|r| r.name == name && r.endpoint_type == EndpointType::Rest)
        {
            warnings.push(ConfigWarning::DuplicateApiName(WarningDetail::new(
                check.format,
                path,
                Some(format!("\"{name}\"")),
                format!("`rest_api.{name}` was kept; rename one of them"),
            )));
            continue;
        }
        raws.push(RawApi {
            endpoint_type: EndpointType::Rest,
            url,
            region,
            default: AuthorizationType::AwsIam,
            additional: Vec::new(),
            api_key: None,
            url_path: format!("{path}.endpoint"),
            key_path: format!("{path}.apiKey"),
            name,
        });
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomApi {
    endpoint: String,
    region: Option<String>,
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
            identity_providers: sorted(
                o.identity_providers
                    .map(|list| list.into_iter().map(|p| p.0).collect()),
            ),
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
        guest_access: GuestAccess::from_stated(auth.unauthenticated_identities_enabled),
        authentication_flow_type: auth.authentication_flow_type,
        passwordless,
        groups,
    })
}
