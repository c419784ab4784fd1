//! The flat web format of Gen 1 `amplifyconfiguration.json`, the object `aws-exports.js`
//! exports (the Amplify CLI writes both for JavaScript projects; `npx ampx generate outputs
//! --outputs-version 0` writes it for Gen 2 backends).

use serde::{Deserialize, Deserializer};

use crate::check::{
    Check, RawApi, api_like_paths, merge_apis, region_from_host, sorted, warn_url_kinds,
};
use crate::error::ConfigFormat;
use crate::gen1::{Gen1Mfa, PasswordProtection, split_uris};
use crate::model::{
    AmplifyConfig, AuthConfig, AuthorizationType, EndpointType, GEN2_DATA_API_NAME, GuestAccess,
    IdentityPoolConfig, IdentityProvider, MfaConfig, MfaMethod, OAuthConfig, OAuthResponseType,
    UserAttributeKey, UserPoolConfig, UsernameAttribute, VerificationType,
};
use crate::warning::{ConfigWarning, WarningDetail, Warnings};
use crate::{ApiKey, ConfigError};

/// Keys only the web format has; any of them marks a document as this format.
pub(crate) const MARKERS: &[&str] = &[
    "aws_project_region",
    "aws_cognito_region",
    "aws_user_pools_id",
    "aws_user_pools_web_client_id",
    "aws_cognito_identity_pool_id",
    "aws_appsync_graphqlEndpoint",
    "aws_cloud_logic_custom",
    "aws_user_files_s3_bucket",
    "aws_mobile_analytics_app_id",
];

#[derive(Deserialize)]
#[allow(non_snake_case)] // The names are Amplify's.
struct Root {
    aws_project_region: Option<String>,
    aws_cognito_region: Option<String>,
    aws_user_pools_id: Option<String>,
    aws_user_pools_web_client_id: Option<String>,
    aws_cognito_identity_pool_id: Option<String>,
    aws_mandatory_sign_in: Option<String>,
    allowUnauthenticatedIdentities: Option<BoolText>,
    oauth: Option<serde_json::Map<String, serde_json::Value>>,
    aws_cognito_username_attributes: Option<Vec<UsernameAttribute>>,
    aws_cognito_signup_attributes: Option<Vec<UserAttributeKey>>,
    aws_cognito_mfa_configuration: Option<Gen1Mfa>,
    aws_cognito_mfa_types: Option<Vec<MfaMethod>>,
    aws_cognito_password_protection_settings: Option<PasswordProtection>,
    aws_cognito_verification_mechanisms: Option<Vec<VerificationType>>,
    aws_cognito_social_providers: Option<Vec<IdentityProvider>>,
    aws_appsync_graphqlEndpoint: Option<String>,
    aws_appsync_region: Option<String>,
    aws_appsync_authenticationType: Option<WebMode>,
    aws_appsync_apiKey: Option<String>,
    aws_appsync_additionalAuthenticationTypes: Option<ModeList>,
    aws_cloud_logic_custom: Option<Vec<CloudLogic>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OAuth {
    domain: String,
    scope: Vec<String>,
    redirect_sign_in: UriList,
    redirect_sign_out: UriList,
    response_type: Option<OAuthResponseType>,
}

#[derive(Deserialize)]
struct CloudLogic {
    name: String,
    endpoint: String,
    region: Option<String>,
    service: Option<String>,
}

/// `"true"` / `"false"` (as `ampx` writes `allowUnauthenticatedIdentities`) or a JSON boolean.
struct BoolText(bool);

impl<'de> Deserialize<'de> for BoolText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Bool(b) => Ok(BoolText(b)),
            serde_json::Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(BoolText(true)),
            serde_json::Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(BoolText(false)),
            _ => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Other("another value"),
                &"true or false (a boolean or the string \"true\" / \"false\")",
            )),
        }
    }
}

/// A list the web format writes either as one string joined by commas (what the CLI and `ampx`
/// write) or as a JSON list; `what` describes it in the error.
fn joined_or_list<'de, D: Deserializer<'de>>(
    deserializer: D,
    what: &'static str,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Joined(String),
        List(Vec<String>),
    }
    match Raw::deserialize(deserializer) {
        Ok(Raw::Joined(joined)) => Ok(split_uris(&joined)),
        Ok(Raw::List(list)) => Ok(list),
        Err(_) => Err(serde::de::Error::invalid_type(
            serde::de::Unexpected::Other("another value"),
            &what,
        )),
    }
}

/// Redirect URIs: one string joined by commas or a list.
struct UriList(Vec<String>);

impl<'de> Deserialize<'de> for UriList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        joined_or_list(
            deserializer,
            "redirect URIs: a string (several joined by commas) or a list of strings",
        )
        .map(UriList)
    }
}

const MODE_SPELLINGS: &[&str] = &[
    "API_KEY",
    "AWS_IAM",
    "AMAZON_COGNITO_USER_POOLS",
    "OPENID_CONNECT",
    "AWS_LAMBDA",
    "NONE",
];

/// An AppSync mode as the web format spells it (Amplify JS also accepts `LAMBDA`).
fn web_mode(value: &str) -> Option<AuthorizationType> {
    let value = value.trim();
    if value == "LAMBDA" {
        return Some(AuthorizationType::AwsLambda);
    }
    AuthorizationType::ALL
        .into_iter()
        .find(|m| m.as_str() == value)
}

struct WebMode(AuthorizationType);

impl<'de> Deserialize<'de> for WebMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        web_mode(&value)
            .map(WebMode)
            .ok_or_else(|| serde::de::Error::unknown_variant(&value, MODE_SPELLINGS))
    }
}

/// `aws_appsync_additionalAuthenticationTypes`: a string joined by commas (what `ampx` writes)
/// or a list.
struct ModeList(Vec<AuthorizationType>);

impl<'de> Deserialize<'de> for ModeList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = joined_or_list(
            deserializer,
            "authorization modes: a string (several joined by commas) or a list of strings",
        )?;
        names
            .iter()
            .map(|name| {
                web_mode(name)
                    .ok_or_else(|| serde::de::Error::unknown_variant(name, MODE_SPELLINGS))
            })
            .collect::<Result<_, _>>()
            .map(ModeList)
    }
}

pub(crate) fn parse(
    value: &serde_json::Value,
    warnings: &mut Warnings,
) -> Result<AmplifyConfig, ConfigError> {
    let check = Check {
        format: ConfigFormat::Gen1Web,
    };
    let root: Root = check.deserialize("", value)?;
    let project_region = root
        .aws_project_region
        .as_deref()
        .map(|r| check.region("aws_project_region", r))
        .transpose()?;
    let auth = auth(check, &root, project_region.as_deref())?;

    let mut raws = Vec::new();
    if let Some(url) = root.aws_appsync_graphqlEndpoint.as_deref() {
        let region = match (&root.aws_appsync_region, &project_region) {
            (Some(region), _) => check.region("aws_appsync_region", region)?,
            (None, Some(region)) => region.clone(),
            (None, None) => {
                return Err(check.missing(
                    "aws_appsync_region",
                    "the AppSync API's region, because there is no aws_project_region",
                ));
            }
        };
        let default = root.aws_appsync_authenticationType.as_ref().ok_or_else(|| {
            check.missing(
                "aws_appsync_authenticationType",
                "the AppSync API's default authorization mode (API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, ...)",
            )
        })?;
        raws.push(RawApi {
            name: GEN2_DATA_API_NAME.to_owned(),
            url_path: "aws_appsync_graphqlEndpoint".to_owned(),
            key_path: "aws_appsync_apiKey".to_owned(),
            endpoint_type: EndpointType::GraphQl,
            url: check.endpoint("aws_appsync_graphqlEndpoint", url)?,
            region,
            default: default.0,
            additional: root
                .aws_appsync_additionalAuthenticationTypes
                .as_ref()
                .map(|m| m.0.clone())
                .unwrap_or_default(),
            api_key: root.aws_appsync_apiKey.clone().map(ApiKey::new),
        });
    }
    rest_apis(
        check,
        root.aws_cloud_logic_custom.as_deref().unwrap_or_default(),
        project_region.as_deref(),
        &mut raws,
        warnings,
    )?;
    warn_ignored(check, value, warnings);
    warn_url_kinds(check, &raws, warnings);
    Ok(AmplifyConfig {
        auth,
        apis: merge_apis(check, &raws, &[])?,
        custom: None,
    })
}

/// `aws_cloud_logic_custom`: `[{name, endpoint, region, service?}]`. As in Amplify JS, the
/// last entry of a name wins; REST APIs are signed with IAM (the file names no mode).
fn rest_apis(
    check: Check,
    entries: &[CloudLogic],
    project_region: Option<&str>,
    raws: &mut Vec<RawApi>,
    warnings: &mut Warnings,
) -> Result<(), ConfigError> {
    for (i, entry) in entries.iter().enumerate() {
        let path = format!("aws_cloud_logic_custom[{i}]");
        let name = check.non_empty(&format!("{path}.name"), &entry.name)?;
        let url = check.endpoint(&format!("{path}.endpoint"), &entry.endpoint)?;
        let region = match &entry.region {
            Some(region) => check.region(&format!("{path}.region"), region)?,
            None => region_from_host(url.host())
                .or_else(|| project_region.map(str::to_owned))
                .ok_or_else(|| {
                    check.missing(
                        &format!("{path}.region"),
                        "the REST API's region (its URL names none and there is no aws_project_region)",
                    )
                })?,
        };
        if let Some(service) = entry.service.as_deref().filter(|s| *s != "execute-api") {
            warnings.push(ConfigWarning::UnsupportedField(WarningDetail::new(
                check.format,
                format!("{path}.service"),
                Some(format!(
                    "\"{}\"",
                    service.chars().take(32).collect::<String>()
                )),
                "amplify-rs signs REST requests for execute-api; the API was configured without it",
            )));
        }
        if let Some(previous) = raws
            .iter()
            .position(|r| r.endpoint_type == EndpointType::Rest && r.name == name)
        {
            let replaced = raws.remove(previous);
            let earlier = replaced
                .url_path
                .strip_suffix(".endpoint")
                .unwrap_or(&replaced.url_path)
                .to_owned();
            warnings.push(ConfigWarning::DuplicateApiName(WarningDetail::new(
                check.format,
                path.clone(),
                Some(format!("\"{name}\"")),
                format!("this entry replaces `{earlier}`, as in Amplify JS (the last entry of a name wins)"),
            )));
        }
        raws.push(RawApi {
            name,
            url_path: format!("{path}.endpoint"),
            key_path: format!("{path}.apiKey"),
            endpoint_type: EndpointType::Rest,
            url,
            region,
            default: AuthorizationType::AwsIam,
            additional: Vec::new(),
            api_key: None,
        });
    }
    Ok(())
}

/// Amplify JS reads only the `aws_*` keys of this format; `API` and `Auth` objects next to them
/// (from a v5 `Amplify.configure({...awsconfig, API: {endpoints}})`) are not read.
fn warn_ignored(check: Check, value: &serde_json::Value, warnings: &mut Warnings) {
    let Some(object) = value.as_object() else {
        return;
    };
    for (key, child) in object {
        if MARKERS.contains(&key.as_str()) || key.starts_with("aws_") {
            continue;
        }
        let apis = api_like_paths(child, key, 4);
        let reads_apis = "the web format's APIs are `aws_appsync_graphqlEndpoint` (GraphQL) and \
                          `aws_cloud_logic_custom` (REST); move it there";
        for path in &apis {
            warnings.push(ConfigWarning::IgnoredApi(WarningDetail::new(
                check.format,
                path.clone(),
                None,
                reads_apis,
            )));
        }
        if apis.is_empty() && matches!(key.as_str(), "Auth" | "API") {
            warnings.push(ConfigWarning::IgnoredSection(WarningDetail::new(
                check.format,
                key.clone(),
                None,
                "Amplify reads only the aws_* keys of this format; the Amplify JS object next to \
                 them was not used",
            )));
        }
    }
}

fn auth(
    check: Check,
    root: &Root,
    project_region: Option<&str>,
) -> Result<Option<AuthConfig>, ConfigError> {
    if root.aws_user_pools_id.is_none() && root.aws_cognito_identity_pool_id.is_none() {
        if root.aws_user_pools_web_client_id.is_some() {
            return Err(check.missing(
                "aws_user_pools_id",
                "the user pool id the web client belongs to",
            ));
        }
        return Ok(None);
    }
    let region = match (&root.aws_cognito_region, project_region) {
        (Some(region), _) => check.region("aws_cognito_region", region)?,
        (None, Some(region)) => region.to_owned(),
        (None, None) => {
            return Err(check.missing(
                "aws_cognito_region",
                "the region of the user pool and identity pool",
            ));
        }
    };
    let user_pool = match (&root.aws_user_pools_id, &root.aws_user_pools_web_client_id) {
        (Some(pool_id), Some(client_id)) => Some(UserPoolConfig {
            pool_id: check.user_pool_id("aws_user_pools_id", pool_id, &region)?,
            app_client_id: check.non_empty("aws_user_pools_web_client_id", client_id)?,
            app_client_secret: None,
            region: region.clone(),
            endpoint: None,
        }),
        (Some(_), None) => {
            return Err(check.missing(
                "aws_user_pools_web_client_id",
                "the web client id of the user pool",
            ));
        }
        (None, _) => None,
    };
    let identity_pool = match &root.aws_cognito_identity_pool_id {
        Some(pool_id) => Some(IdentityPoolConfig {
            pool_id: check.identity_pool_id("aws_cognito_identity_pool_id", pool_id, &region)?,
            region: region.clone(),
            endpoint: None,
        }),
        None => None,
    };
    let oauth = match root.oauth.as_ref().filter(|o| !o.is_empty()) {
        Some(map) => {
            let oauth: OAuth =
                check.deserialize("oauth", &serde_json::Value::Object(map.clone()))?;
            Some(OAuthConfig {
                domain: check.non_empty("oauth.domain", &oauth.domain)?,
                scopes: oauth.scope,
                redirect_sign_in_uris: oauth.redirect_sign_in.0,
                redirect_sign_out_uris: oauth.redirect_sign_out.0,
                response_type: oauth.response_type.unwrap_or(OAuthResponseType::Code),
                identity_providers: sorted(root.aws_cognito_social_providers.clone()),
                sign_in_uri: None,
                sign_in_uri_query_parameters: Default::default(),
                sign_out_uri: None,
                sign_out_uri_query_parameters: Default::default(),
                token_uri: None,
            })
        }
        None => None,
    };
    let password_policy = root
        .aws_cognito_password_protection_settings
        .as_ref()
        .map(|p| {
            p.policy(
                check,
                "aws_cognito_password_protection_settings.passwordPolicyMinLength",
            )
        })
        .transpose()?;
    let guest_access = match root.aws_mandatory_sign_in.as_deref() {
        Some(mandatory) => GuestAccess::from_stated(Some(mandatory != "enable")),
        None => GuestAccess::from_stated(root.allowUnauthenticatedIdentities.as_ref().map(|b| b.0)),
    };
    Ok(Some(AuthConfig {
        region,
        user_pool,
        identity_pool,
        oauth,
        username_attributes: sorted(root.aws_cognito_username_attributes.clone()),
        sign_up_attributes: sorted(root.aws_cognito_signup_attributes.clone()),
        password_policy,
        mfa: MfaConfig {
            status: Gen1Mfa::status(root.aws_cognito_mfa_configuration),
            methods: sorted(root.aws_cognito_mfa_types.clone()),
        },
        user_verification_types: sorted(root.aws_cognito_verification_mechanisms.clone()),
        unauthenticated_identities_enabled: guest_access.allows_guests(),
        guest_access,
        authentication_flow_type: None,
        passwordless: None,
        groups: Vec::new(),
    }))
}
