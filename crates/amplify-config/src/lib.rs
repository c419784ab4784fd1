//! Amplify configuration for Rust: reads the Gen 1 `amplifyconfiguration.json` and the Gen 2
//! `amplify_outputs.json` into one validated, typed [`AmplifyConfig`] that every plugin reads.
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
//! A document with a top-level `version` is read as Gen 2; otherwise one with an `auth` or `api`
//! category is read as Gen 1. Unknown fields are ignored in both, so newer files keep working.
//!
//! amplify-rs adds two optional fields for custom identity pool endpoints, which Amplify's formats
//! lack: `CredentialsProvider.CognitoIdentity.Default.Endpoint` (Gen 1) and
//! `auth.identity_pool_endpoint` (Gen 2). Gen 2 REST APIs are read from Amplify Flutter's
//! `rest_api` section (`{name: {url, aws_region, authorization_type, api_key?}}`).
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
mod model;
mod secret;

pub use endpoint::{Endpoint, EndpointError};
pub use error::{ConfigError, ConfigFormat, FieldProblem, JsonSyntax};
pub use model::{
    AmplifyConfig, ApiEndpoint, ApiLookupError, AuthConfig, AuthFlowType, AuthorizationType,
    EndpointType, GEN2_DATA_API_NAME, IdentityPoolConfig, IdentityProvider, MfaConfig, MfaMethod,
    MfaStatus, OAuthConfig, OAuthResponseType, PasswordPolicy, PasswordlessConfig,
    UserAttributeKey, UserPoolConfig, UserPoolGroup, UsernameAttribute, VerificationType,
};
#[doc(hidden)]
pub use secret::__private;
pub use secret::{ApiKey, ClientSecret};

impl AmplifyConfig {
    /// Parses and validates a Gen 1 or Gen 2 configuration document.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for malformed JSON, a document of neither format, a missing required
    /// field, a wrong type, an unknown enum value or an invalid value (for example a plain-http
    /// endpoint for a host that is not loopback).
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ConfigError::malformed(&e))?;
        Self::from_value(&value)
    }

    /// Like [`from_json`](Self::from_json), for an already parsed document.
    ///
    /// # Errors
    ///
    /// As for [`from_json`](Self::from_json), except malformed JSON.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, ConfigError> {
        match Self::detect_format(value) {
            Some(ConfigFormat::Gen2) => gen2::parse(value),
            Some(ConfigFormat::Gen1) => gen1::parse(value),
            None if value.is_object() => Err(ConfigError::UnrecognizedFormat(
                "a top-level `version` (Gen 2) or an `auth` / `api` category (Gen 1)".to_owned(),
            )),
            None => Err(ConfigError::UnrecognizedFormat("a JSON object".to_owned())),
        }
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
