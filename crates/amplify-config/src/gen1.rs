//! Gen 1 `amplifyconfiguration.json`, as the Amplify CLI writes it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::check::{Check, ExtraMode, RawApi, api_like_paths, merge_apis, sorted, warn_url_kinds};
use crate::error::ConfigFormat;
use crate::model::{
    AmplifyConfig, AuthConfig, AuthFlowType, AuthorizationType, EndpointType, GuestAccess,
    IdentityPoolConfig, IdentityProvider, MfaConfig, MfaMethod, MfaStatus, OAuthConfig,
    OAuthResponseType, PasswordPolicy, UserAttributeKey, UserPoolConfig, UsernameAttribute,
    VerificationType,
};
use crate::warning::{ConfigWarning, WarningDetail, Warnings};
use crate::{ApiKey, ClientSecret, ConfigError};

const COGNITO: &str = "auth.plugins.awsCognitoAuthPlugin";
const API: &str = "api.plugins.awsAPIPlugin";

#[derive(Deserialize)]
struct Root {
    auth: Option<Category<AuthPlugins>>,
    api: Option<Category<ApiPlugins>>,
}

#[derive(Deserialize)]
struct Category<P> {
    plugins: P,
}

#[derive(Deserialize)]
struct AuthPlugins {
    #[serde(rename = "awsCognitoAuthPlugin")]
    cognito: Option<CognitoPlugin>,
}

#[derive(Deserialize)]
struct ApiPlugins {
    #[serde(rename = "awsAPIPlugin")]
    api: Option<BTreeMap<String, ApiEntry>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CognitoPlugin {
    cognito_user_pool: Option<Defaulted<UserPool>>,
    credentials_provider: Option<CredentialsProvider>,
    auth: Option<Defaulted<AuthDefault>>,
    app_sync: Option<BTreeMap<String, AppSyncEntry>>,
}

#[derive(Deserialize)]
struct Defaulted<T> {
    #[serde(rename = "Default")]
    default: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserPool {
    pool_id: String,
    app_client_id: String,
    app_client_secret: Option<String>,
    region: String,
    endpoint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialsProvider {
    cognito_identity: Option<Defaulted<IdentityPool>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdentityPool {
    pool_id: String,
    region: String,
    endpoint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthDefault {
    authentication_flow_type: Option<AuthFlowType>,
    #[serde(rename = "OAuth")]
    oauth: Option<OAuth>,
    social_providers: Option<Vec<IdentityProvider>>,
    username_attributes: Option<Vec<UsernameAttribute>>,
    signup_attributes: Option<Vec<UserAttributeKey>>,
    password_protection_settings: Option<PasswordProtection>,
    mfa_configuration: Option<Gen1Mfa>,
    mfa_types: Option<Vec<MfaMethod>>,
    verification_mechanisms: Option<Vec<VerificationType>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OAuth {
    web_domain: String,
    scopes: Vec<String>,
    #[serde(rename = "SignInRedirectURI")]
    sign_in_redirect_uri: String,
    #[serde(rename = "SignOutRedirectURI")]
    sign_out_redirect_uri: String,
    #[serde(rename = "SignInURI")]
    sign_in_uri: Option<String>,
    #[serde(rename = "SignInURIQueryParameters")]
    sign_in_uri_query_parameters: Option<BTreeMap<String, String>>,
    #[serde(rename = "SignOutURI")]
    sign_out_uri: Option<String>,
    #[serde(rename = "SignOutURIQueryParameters")]
    sign_out_uri_query_parameters: Option<BTreeMap<String, String>>,
    #[serde(rename = "TokenURI")]
    token_uri: Option<String>,
}

/// `passwordProtectionSettings` (native) and `aws_cognito_password_protection_settings` (web).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PasswordProtection {
    password_policy_min_length: Option<i64>,
    password_policy_characters: Option<Vec<PasswordCharacters>>,
}

#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(clippy::enum_variant_names)] // The names are Amplify's.
enum PasswordCharacters {
    RequiresLowercase,
    RequiresUppercase,
    RequiresNumbers,
    RequiresSymbols,
}

/// Gen 1 MFA spellings (native `mfaConfiguration`, web `aws_cognito_mfa_configuration`).
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Gen1Mfa {
    Off,
    On,
    Optional,
}

impl Gen1Mfa {
    pub(crate) fn status(value: Option<Gen1Mfa>) -> MfaStatus {
        match value {
            None | Some(Gen1Mfa::Off) => MfaStatus::Off,
            Some(Gen1Mfa::On) => MfaStatus::Required,
            Some(Gen1Mfa::Optional) => MfaStatus::Optional,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AppSyncEntry {
    api_url: String,
    region: String,
    auth_mode: AuthorizationType,
    api_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiEntry {
    endpoint_type: EndpointType,
    endpoint: String,
    region: String,
    authorization_type: AuthorizationType,
    api_key: Option<String>,
}

pub(crate) fn parse(
    value: &serde_json::Value,
    warnings: &mut Warnings,
) -> Result<AmplifyConfig, ConfigError> {
    let check = Check {
        format: ConfigFormat::Gen1,
    };
    let root: Root = check.deserialize("", value)?;
    let cognito = root.auth.and_then(|a| a.plugins.cognito);
    let (auth, app_sync) = match cognito {
        Some(plugin) => (auth(check, &plugin)?, plugin.app_sync.unwrap_or_default()),
        None => (None, BTreeMap::new()),
    };
    let mut extra = Vec::new();
    for (name, entry) in &app_sync {
        let path = format!("{COGNITO}.AppSync.{name}");
        check.region(&format!("{path}.Region"), &entry.region)?;
        extra.push((
            path.clone(),
            ExtraMode {
                url: check.endpoint(&format!("{path}.ApiUrl"), &entry.api_url)?,
                mode: entry.auth_mode,
                api_key: entry.api_key.clone().map(ApiKey::new),
            },
        ));
    }
    let mut raws = Vec::new();
    for (name, entry) in root.api.and_then(|a| a.plugins.api).unwrap_or_default() {
        let path = format!("{API}.{name}");
        raws.push(RawApi {
            url: check.endpoint(&format!("{path}.endpoint"), &entry.endpoint)?,
            region: check.region(&format!("{path}.region"), &entry.region)?,
            endpoint_type: entry.endpoint_type,
            default: entry.authorization_type,
            additional: Vec::new(),
            api_key: entry.api_key.map(ApiKey::new),
            name,
            url_path: format!("{path}.endpoint"),
            key_path: format!("{path}.apiKey"),
        });
    }
    for (path, mode) in &extra {
        if !raws.iter().any(|r| r.url == mode.url) {
            warnings.push(ConfigWarning::IgnoredApi(WarningDetail::new(
                check.format,
                path.clone(),
                Some(format!("{} for {}", mode.mode, mode.url.host())),
                format!(
                    "the AppSync section only adds modes to an API of `{API}` with the same URL, \
                     and none has it; add the API there"
                ),
            )));
        }
    }
    warn_misplaced(check, value, warnings);
    warn_url_kinds(check, &raws, warnings);
    let extra: Vec<ExtraMode> = extra.into_iter().map(|(_, mode)| mode).collect();
    Ok(AmplifyConfig {
        auth,
        apis: merge_apis(check, &raws, &extra)?,
        custom: None,
    })
}

/// APIs under a plugin or category key Amplify does not read (`api.plugins.awsApiPlugin`,
/// `auth.plugins.awsAPIPlugin`, a top-level `awsAPIPlugin`, ...).
fn warn_misplaced(check: Check, value: &serde_json::Value, warnings: &mut Warnings) {
    let Some(root) = value.as_object() else {
        return;
    };
    let mut candidates = Vec::new();
    for (key, child) in root {
        match key.as_str() {
            "auth" => {
                if let Some(plugins) = child.get("plugins").and_then(|p| p.as_object()) {
                    for (plugin, body) in plugins {
                        let base = format!("auth.plugins.{plugin}");
                        if plugin == "awsCognitoAuthPlugin" {
                            continue;
                        }
                        candidates.extend(api_like_paths(body, &base, 2));
                    }
                }
            }
            "api" => {
                if let Some(plugins) = child.get("plugins").and_then(|p| p.as_object()) {
                    for (plugin, body) in plugins {
                        if plugin != "awsAPIPlugin" {
                            candidates.extend(api_like_paths(
                                body,
                                &format!("api.plugins.{plugin}"),
                                2,
                            ));
                        }
                    }
                }
            }
            _ => candidates.extend(api_like_paths(child, key, 4)),
        }
    }
    for path in candidates {
        warnings.push(ConfigWarning::IgnoredApi(WarningDetail::new(
            check.format,
            path,
            None,
            format!("Amplify reads APIs only from `{API}.<name>`; move the entry there"),
        )));
    }
}

fn auth(check: Check, plugin: &CognitoPlugin) -> Result<Option<AuthConfig>, ConfigError> {
    let user_pool = match &plugin.cognito_user_pool {
        Some(Defaulted { default: pool }) => {
            let path = format!("{COGNITO}.CognitoUserPool.Default");
            let region = check.region(&format!("{path}.Region"), &pool.region)?;
            Some(UserPoolConfig {
                pool_id: check.user_pool_id(&format!("{path}.PoolId"), &pool.pool_id, &region)?,
                app_client_id: check
                    .non_empty(&format!("{path}.AppClientId"), &pool.app_client_id)?,
                app_client_secret: pool.app_client_secret.clone().map(ClientSecret::new),
                endpoint: check
                    .optional_endpoint(&format!("{path}.Endpoint"), pool.endpoint.as_deref())?,
                region,
            })
        }
        None => None,
    };
    let identity_pool = match plugin
        .credentials_provider
        .as_ref()
        .and_then(|c| c.cognito_identity.as_ref())
    {
        Some(Defaulted { default: pool }) => {
            let path = format!("{COGNITO}.CredentialsProvider.CognitoIdentity.Default");
            let region = check.region(&format!("{path}.Region"), &pool.region)?;
            Some(IdentityPoolConfig {
                pool_id: check.identity_pool_id(
                    &format!("{path}.PoolId"),
                    &pool.pool_id,
                    &region,
                )?,
                endpoint: check
                    .optional_endpoint(&format!("{path}.Endpoint"), pool.endpoint.as_deref())?,
                region,
            })
        }
        None => None,
    };
    let region = match (&user_pool, &identity_pool) {
        (Some(pool), _) => pool.region.clone(),
        (None, Some(pool)) => pool.region.clone(),
        (None, None) => return Ok(None),
    };
    let options = plugin.auth.as_ref().map(|a| &a.default);
    let oauth = match options.and_then(|o| o.oauth.as_ref()) {
        Some(oauth) => Some(oauth_config(
            check,
            oauth,
            options.and_then(|o| o.social_providers.clone()),
        )?),
        None => None,
    };
    let password_policy = options
        .and_then(|o| o.password_protection_settings.as_ref())
        .map(|settings| {
            settings.policy(
                check,
                &format!(
                    "{COGNITO}.Auth.Default.passwordProtectionSettings.passwordPolicyMinLength"
                ),
            )
        })
        .transpose()?;
    let mfa = MfaConfig {
        status: Gen1Mfa::status(options.and_then(|o| o.mfa_configuration)),
        methods: sorted(options.and_then(|o| o.mfa_types.clone())),
    };
    Ok(Some(AuthConfig {
        region,
        user_pool,
        identity_pool,
        oauth,
        username_attributes: sorted(options.and_then(|o| o.username_attributes.clone())),
        sign_up_attributes: sorted(options.and_then(|o| o.signup_attributes.clone())),
        password_policy,
        mfa,
        user_verification_types: sorted(options.and_then(|o| o.verification_mechanisms.clone())),
        unauthenticated_identities_enabled: true,
        guest_access: GuestAccess::NotStated,
        authentication_flow_type: options.and_then(|o| o.authentication_flow_type),
        passwordless: None,
        groups: Vec::new(),
    }))
}

fn oauth_config(
    check: Check,
    oauth: &OAuth,
    social: Option<Vec<IdentityProvider>>,
) -> Result<OAuthConfig, ConfigError> {
    let path = format!("{COGNITO}.Auth.Default.OAuth");
    Ok(OAuthConfig {
        domain: check.non_empty(&format!("{path}.WebDomain"), &oauth.web_domain)?,
        scopes: oauth.scopes.clone(),
        redirect_sign_in_uris: split_uris(&oauth.sign_in_redirect_uri),
        redirect_sign_out_uris: split_uris(&oauth.sign_out_redirect_uri),
        response_type: OAuthResponseType::Code,
        identity_providers: sorted(social),
        sign_in_uri: oauth.sign_in_uri.clone(),
        sign_in_uri_query_parameters: oauth
            .sign_in_uri_query_parameters
            .clone()
            .unwrap_or_default(),
        sign_out_uri: oauth.sign_out_uri.clone(),
        sign_out_uri_query_parameters: oauth
            .sign_out_uri_query_parameters
            .clone()
            .unwrap_or_default(),
        token_uri: oauth.token_uri.clone(),
    })
}

impl PasswordProtection {
    pub(crate) fn policy(
        &self,
        check: Check,
        min_length_path: &str,
    ) -> Result<PasswordPolicy, ConfigError> {
        let chars = self
            .password_policy_characters
            .as_deref()
            .unwrap_or_default();
        Ok(PasswordPolicy {
            min_length: check.min_length(min_length_path, self.password_policy_min_length)?,
            require_lowercase: chars.contains(&PasswordCharacters::RequiresLowercase),
            require_uppercase: chars.contains(&PasswordCharacters::RequiresUppercase),
            require_numbers: chars.contains(&PasswordCharacters::RequiresNumbers),
            require_symbols: chars.contains(&PasswordCharacters::RequiresSymbols),
        })
    }
}

/// Gen 1 joins several values (redirect URIs, web-format modes) with commas.
pub(crate) fn split_uris(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
