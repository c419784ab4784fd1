//! Amplify configuration for Rust: reads the Gen 1 `amplifyconfiguration.json` (native and web
//! shapes, and `aws-exports.js`'s object) and the Gen 2 `amplify_outputs.json` into one validated, typed [`AmplifyConfig`] that every plugin reads.
//!
//! ```
//! use amplify_config::{AmplifyConfig, AuthorizationType, EndpointType};
//!
//! let config = AmplifyConfig::from_json(r#"{
//!   "version": "1.3",
//!   "auth": {
//!     "aws_region": "us-east-1",
//!     "user_pool_id": "us-east-1_Example1",
//!     "user_pool_client_id": "3example4client",
//!     "identity_pool_id": "us-east-1:0b1c2d3e-0000-4000-8000-000000000000"
//!   },
//!   "data": {
//!     "aws_region": "us-east-1",
//!     "url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
//!     "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
//!     "authorization_types": ["AWS_IAM"]
//!   }
//! }"#)?;
//! let auth = config.auth.as_ref().expect("auth is configured");
//! assert_eq!(auth.user_pool.as_ref().map(|p| p.pool_id.as_str()), Some("us-east-1_Example1"));
//! let api = config.api(EndpointType::GraphQl, None)?;
//! assert!(api.supports(AuthorizationType::AwsIam));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Formats
//!
//! Three shapes of file are read (see [`guide::configuration`] for every field):
//!
//! - **Gen 2** `amplify_outputs.json` (a top-level `version`, `1` to `1.5`; a newer version is
//!   read as far as it goes, with a [`ConfigWarning::NewerVersion`]). REST APIs come from
//!   `custom.API.<name>` (`{endpoint, region, apiName}`, as Amplify's Gen 2 documentation
//!   publishes them) and from Amplify Flutter's `rest_api` section.
//! - **Gen 1 native** `amplifyconfiguration.json` (`auth.plugins.awsCognitoAuthPlugin`,
//!   `api.plugins.awsAPIPlugin`), written for Android, iOS and Flutter.
//! - **Gen 1 web** `amplifyconfiguration.json` / the object of `aws-exports.js`
//!   (`aws_project_region`, `aws_user_pools_id`, `aws_appsync_graphqlEndpoint`,
//!   `aws_cloud_logic_custom`, ...), written for JavaScript projects.
//!
//! An Amplify JS `ResourcesConfig` object saved as JSON is recognised and refused with
//! [`ConfigError::ResourcesConfig`], which says how to produce the real file. Unknown fields
//! are ignored, so newer files keep working; things that look meant for amplify-rs but are not
//! read (an API nested where Amplify does not read it) come back as [`ConfigWarning`]s from
//! [`AmplifyConfig::from_json_with_warnings`] and are logged with `tracing`.
//!
//! amplify-rs adds two optional fields for custom identity pool endpoints, which Amplify's formats
//! lack: `CredentialsProvider.CognitoIdentity.Default.Endpoint` (Gen 1) and
//! `auth.identity_pool_endpoint` (Gen 2).
//!
//! # Errors
//!
//! Every problem is a [`ConfigError`] naming the JSON path, what was expected there and
//! (through [`ConfigError::recovery_suggestion`], the same signature as every amplify-rs
//! error's) how to fix it. Secret values never appear in
//! errors or in `Debug` output.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod check;
mod endpoint;
mod error;
mod gen1;
mod gen2;
pub mod guide;
mod model;
mod secret;
mod warning;
mod web;

pub use endpoint::{Endpoint, EndpointError};
pub use error::{ConfigError, ConfigFormat, FieldProblem, JsonSyntax, ResourcesConfigFile};
pub use model::{
    AmplifyConfig, ApiEndpoint, ApiLookupError, AuthConfig, AuthFlowType, AuthorizationType,
    EndpointType, GEN2_DATA_API_NAME, GuestAccess, IdentityPoolConfig, IdentityProvider, MfaConfig,
    MfaMethod, MfaStatus, OAuthConfig, OAuthResponseType, PasswordPolicy, PasswordlessConfig,
    UserAttributeKey, UserPoolConfig, UserPoolGroup, UsernameAttribute, VerificationType,
};
#[doc(hidden)]
pub use secret::__private;
pub use secret::{ApiKey, ClientSecret};
pub use warning::{ConfigWarning, WarningDetail};

impl AmplifyConfig {
    /// Parses and validates a configuration document of any supported format.
    ///
    /// Warnings (things read with a caveat or not read) are logged with `tracing`; use
    /// [`from_json_with_warnings`](Self::from_json_with_warnings) to get them.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for malformed JSON, a document of no supported format (including an
    /// Amplify JS `ResourcesConfig` object), a missing required field, a wrong type, an unknown
    /// enum value or an invalid value (for example a plain-http endpoint for a host that is not
    /// loopback, or a region that is not an AWS region name).
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        Self::from_json_with_warnings(json).map(|(config, _)| config)
    }

    /// Like [`from_json`](Self::from_json), for an already parsed document.
    ///
    /// # Errors
    ///
    /// As for [`from_json`](Self::from_json), except malformed JSON.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, ConfigError> {
        Self::from_value_with_warnings(value).map(|(config, _)| config)
    }

    /// Like [`from_json`](Self::from_json), and also returns the [`ConfigWarning`]s: things
    /// the file says that were read with a caveat (a newer outputs version) or not read at all
    /// (an API nested where Amplify does not read it). Warnings are logged too.
    ///
    /// # Errors
    ///
    /// As for [`from_json`](Self::from_json).
    ///
    /// # Examples
    ///
    /// ```
    /// use amplify_config::{AmplifyConfig, ConfigWarning};
    ///
    /// let (config, warnings) = AmplifyConfig::from_json_with_warnings(r#"{
    ///   "aws_project_region": "us-east-1",
    ///   "aws_appsync_graphqlEndpoint": "https://a1b2c3.execute-api.us-east-1.amazonaws.com/prod",
    ///   "aws_appsync_region": "us-east-1",
    ///   "aws_appsync_authenticationType": "AWS_IAM"
    /// }"#)?;
    /// assert_eq!(config.apis.len(), 1);
    /// match &warnings[..] {
    ///     [ConfigWarning::RestUrlForGraphQl(detail)] => {
    ///         assert_eq!(detail.path(), "aws_appsync_graphqlEndpoint");
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), amplify_config::ConfigError>(())
    /// ```
    pub fn from_json_with_warnings(json: &str) -> Result<(Self, Vec<ConfigWarning>), ConfigError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ConfigError::malformed(&e))?;
        Self::from_value_with_warnings(&value)
    }

    /// Like [`from_json_with_warnings`](Self::from_json_with_warnings), for an already parsed
    /// document.
    ///
    /// # Errors
    ///
    /// As for [`from_json`](Self::from_json), except malformed JSON.
    pub fn from_value_with_warnings(
        value: &serde_json::Value,
    ) -> Result<(Self, Vec<ConfigWarning>), ConfigError> {
        let mut warnings = warning::Warnings::default();
        let format = Self::detect_format(value);
        let config = match format {
            Some(ConfigFormat::Gen2) => gen2::parse(value, &mut warnings)?,
            Some(ConfigFormat::Gen1) => gen1::parse(value, &mut warnings)?,
            Some(ConfigFormat::Gen1Web) => web::parse(value, &mut warnings)?,
            None => {
                if let Some(sections) = resources_config_sections(value) {
                    return Err(ConfigError::ResourcesConfig(ResourcesConfigFile::new(
                        sections,
                    )));
                }
                return Err(ConfigError::UnrecognizedFormat(if value.is_object() {
                    "a top-level `version` (Gen 2), an `auth` / `api` category (Gen 1) or \
                     `aws_*` keys such as `aws_project_region` (Gen 1 web)"
                        .to_owned()
                } else {
                    "a JSON object".to_owned()
                }));
            }
        };
        for w in &warnings.0 {
            tracing::warn!(kind = w.kind(), path = w.path(), "{w}");
        }
        if let Some(format) = format {
            tracing::debug!(
                %format,
                apis = config.apis.len(),
                auth = config.auth.is_some(),
                warnings = warnings.0.len(),
                "read the Amplify configuration"
            );
        }
        Ok((config, warnings.0))
    }

    /// The format of a document, judged from its top-level keys without validating it.
    ///
    /// Gen 2 has a lowercase `version`; Gen 1 nests each category's settings under `plugins`
    /// (and usually has `UserAgent` / `Version`). A document with Gen 2 sections (`auth` without
    /// `plugins`, `data`, `custom`, `rest_api`) but no `version` counts as Gen 2, so the error
    /// names the missing `version` rather than Gen 1 fields it never meant to have.
    ///
    /// ```
    /// use amplify_config::{AmplifyConfig, ConfigFormat};
    /// use serde_json::json;
    ///
    /// assert_eq!(AmplifyConfig::detect_format(&json!({"version": "1"})), Some(ConfigFormat::Gen2));
    /// assert_eq!(AmplifyConfig::detect_format(&json!({"api": {"plugins": {}}})), Some(ConfigFormat::Gen1));
    /// assert_eq!(AmplifyConfig::detect_format(&json!({"data": {}})), Some(ConfigFormat::Gen2));
    /// assert_eq!(AmplifyConfig::detect_format(&json!({"storage": {}})), None);
    /// ```
    pub fn detect_format(value: &serde_json::Value) -> Option<ConfigFormat> {
        let object = value.as_object()?;
        let has_plugins = |key: &str| object.get(key).and_then(|c| c.get("plugins")).is_some();
        if object.contains_key("version") {
            Some(ConfigFormat::Gen2)
        } else if has_plugins("auth")
            || has_plugins("api")
            || object.contains_key("UserAgent")
            || object.contains_key("Version")
        {
            Some(ConfigFormat::Gen1)
        } else if web::MARKERS.iter().any(|k| object.contains_key(*k)) {
            Some(ConfigFormat::Gen1Web)
        } else if ["auth", "data", "custom", "rest_api"]
            .iter()
            .any(|k| object.contains_key(*k))
        {
            Some(ConfigFormat::Gen2)
        } else if object.contains_key("api") {
            Some(ConfigFormat::Gen1)
        } else {
            None
        }
    }
}

/// The Amplify JS `ResourcesConfig` sections of a document (`Auth.Cognito`, `API.GraphQL`,
/// `API.REST`, `Storage.S3`, ...), when it has any.
fn resources_config_sections(value: &serde_json::Value) -> Option<Vec<String>> {
    const SECTIONS: &[(&str, &[&str])] = &[
        ("Auth", &["Cognito"]),
        ("API", &["GraphQL", "REST", "Events"]),
        ("Storage", &["S3"]),
        (
            "Analytics",
            &["Pinpoint", "Kinesis", "KinesisFirehose", "Personalize"],
        ),
        ("Geo", &["LocationService"]),
        ("Notifications", &["InAppMessaging", "PushNotification"]),
        ("Interactions", &["LexV1", "LexV2"]),
        ("Predictions", &["convert", "identify", "interpret"]),
    ];
    let object = value.as_object()?;
    let found: Vec<String> = SECTIONS
        .iter()
        .flat_map(|(section, subs)| {
            let body = object.get(*section);
            subs.iter()
                .filter(move |sub| body.and_then(|b| b.get(**sub)).is_some())
                .map(move |sub| format!("{section}.{sub}"))
        })
        .collect();
    (!found.is_empty()).then_some(found)
}
