//! The validated configuration model that plugins read.
//!
//! Both file formats end here; a Gen 1 and a Gen 2 file that describe the same backend give
//! equal values.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};

use crate::{ApiKey, ClientSecret, Endpoint};

/// The name given to the single GraphQL API of a Gen 2 `amplify_outputs.json` (its `data` section).
pub const GEN2_DATA_API_NAME: &str = "data";

/// A parsed and validated Amplify configuration.
///
/// Build it with [`AmplifyConfig::from_json`], which accepts both formats.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AmplifyConfig {
    /// The Auth category (Cognito user pool and identity pool), when configured.
    pub auth: Option<AuthConfig>,
    /// GraphQL and REST APIs, sorted by name.
    pub apis: Vec<ApiEndpoint>,
    /// The Gen 2 `custom` section, unchanged.
    pub custom: Option<serde_json::Value>,
}

/// The Auth category.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthConfig {
    /// The region of the user pool (else of the identity pool).
    pub region: String,
    /// The Cognito user pool and app client.
    pub user_pool: Option<UserPoolConfig>,
    /// The Cognito identity pool.
    pub identity_pool: Option<IdentityPoolConfig>,
    /// Hosted UI (OAuth) settings.
    pub oauth: Option<OAuthConfig>,
    /// Attributes a user can sign in with instead of a username.
    pub username_attributes: Vec<UsernameAttribute>,
    /// Standard attributes required at sign-up.
    pub sign_up_attributes: Vec<UserAttributeKey>,
    /// The user pool's password policy, as far as the file states it.
    pub password_policy: Option<PasswordPolicy>,
    /// Multi-factor authentication settings.
    pub mfa: MfaConfig,
    /// How users are verified after sign-up.
    pub user_verification_types: Vec<VerificationType>,
    /// Whether the identity pool gives credentials to guests (`true` unless the file says
    /// otherwise, as in Amplify). [`guest_access`](Self::guest_access) says whether the file
    /// stated it.
    pub unauthenticated_identities_enabled: bool,
    /// Guest access as the file states it: Gen 2 `unauthenticated_identities_enabled`, web
    /// `aws_mandatory_sign_in` or `allowUnauthenticatedIdentities`; native Gen 1 files never
    /// state it.
    pub guest_access: GuestAccess,
    /// The default sign-in flow, when the file names one.
    pub authentication_flow_type: Option<AuthFlowType>,
    /// Passwordless sign-in settings (Gen 2).
    pub passwordless: Option<PasswordlessConfig>,
    /// User pool groups and their precedence (Gen 2).
    pub groups: Vec<UserPoolGroup>,
}

/// A Cognito user pool and one of its app clients.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserPoolConfig {
    /// The pool id, `<region>_<suffix>`.
    pub pool_id: String,
    /// The app client id.
    pub app_client_id: String,
    /// The app client secret, when the client has one.
    pub app_client_secret: Option<ClientSecret>,
    /// The pool's region.
    pub region: String,
    /// A custom Cognito endpoint (emulator or proxy); `None` means the regional AWS endpoint.
    pub endpoint: Option<Endpoint>,
}

/// A Cognito identity pool.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdentityPoolConfig {
    /// The pool id, `<region>:<uuid>`.
    pub pool_id: String,
    /// The pool's region.
    pub region: String,
    /// A custom Cognito Identity endpoint (emulator or proxy); `None` means the regional AWS endpoint.
    ///
    /// Amplify's formats have no such field; amplify-rs reads
    /// `CredentialsProvider.CognitoIdentity.Default.Endpoint` (Gen 1) and
    /// `auth.identity_pool_endpoint` (Gen 2).
    pub endpoint: Option<Endpoint>,
}

/// Hosted UI (OAuth 2.0) settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthConfig {
    /// The Cognito domain, without scheme.
    pub domain: String,
    /// OAuth scopes.
    pub scopes: Vec<String>,
    /// Redirect URIs after sign-in.
    pub redirect_sign_in_uris: Vec<String>,
    /// Redirect URIs after sign-out.
    pub redirect_sign_out_uris: Vec<String>,
    /// The OAuth response type.
    pub response_type: OAuthResponseType,
    /// Social and federated providers offered by the hosted UI.
    pub identity_providers: Vec<IdentityProvider>,
    /// A custom sign-in URI.
    pub sign_in_uri: Option<String>,
    /// Extra query parameters for the sign-in URI.
    pub sign_in_uri_query_parameters: BTreeMap<String, String>,
    /// A custom sign-out URI.
    pub sign_out_uri: Option<String>,
    /// Extra query parameters for the sign-out URI.
    pub sign_out_uri_query_parameters: BTreeMap<String, String>,
    /// A custom token URI.
    pub token_uri: Option<String>,
}

/// A password policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordPolicy {
    /// The minimum length, when stated.
    pub min_length: Option<u32>,
    /// Requires a lowercase letter.
    pub require_lowercase: bool,
    /// Requires an uppercase letter.
    pub require_uppercase: bool,
    /// Requires a digit.
    pub require_numbers: bool,
    /// Requires a symbol.
    pub require_symbols: bool,
}

/// Multi-factor authentication settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MfaConfig {
    /// Whether MFA is off, optional or required.
    pub status: MfaStatus,
    /// The enabled second factors.
    pub methods: Vec<MfaMethod>,
}

/// Passwordless sign-in settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordlessConfig {
    /// One-time codes by email.
    pub email_otp_enabled: bool,
    /// One-time codes by SMS.
    pub sms_otp_enabled: bool,
    /// WebAuthn relying party id, when passkeys are enabled.
    pub web_authn_relying_party_id: Option<String>,
    /// WebAuthn user verification requirement, when passkeys are enabled.
    pub web_authn_user_verification: Option<String>,
    /// The first factor offered by default.
    pub preferred_challenge: Option<String>,
}

/// A user pool group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserPoolGroup {
    /// The group name.
    pub name: String,
    /// Lower wins when a user is in several groups.
    pub precedence: Option<i64>,
}

/// A GraphQL or REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiEndpoint {
    /// The API name requests use to target it (`apiName`).
    pub name: String,
    /// GraphQL or REST.
    pub endpoint_type: EndpointType,
    /// The endpoint URL.
    pub url: Endpoint,
    /// The region (used for IAM signing).
    pub region: String,
    /// The authorization mode used when a request names none.
    pub default_authorization_type: AuthorizationType,
    /// The other modes the same URL accepts, sorted, without the default.
    pub additional_authorization_types: Vec<AuthorizationType>,
    /// The API key, when any entry for this URL has one.
    pub api_key: Option<ApiKey>,
}

impl ApiEndpoint {
    /// Whether this API accepts `mode` (as its default or as an additional mode).
    pub fn supports(&self, mode: AuthorizationType) -> bool {
        self.default_authorization_type == mode
            || self.additional_authorization_types.contains(&mode)
    }

    /// Every mode this API accepts, the default first.
    pub fn authorization_types(&self) -> impl Iterator<Item = AuthorizationType> + '_ {
        std::iter::once(self.default_authorization_type)
            .chain(self.additional_authorization_types.iter().copied())
    }
}

/// Why [`AmplifyConfig::api`] found no single API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiLookupError {
    /// No API of the requested kind is configured.
    #[error("no {0} API is configured; add one to the configuration")]
    NoneConfigured(EndpointType),
    /// No API has the requested name.
    #[error("no {kind} API is named `{name}`; configured {kind} APIs: {}", .available.join(", "))]
    UnknownName {
        /// The requested name.
        name: String,
        /// The kind that was asked for.
        kind: EndpointType,
        /// The names that exist for that kind.
        available: Vec<String>,
    },
    /// Several APIs qualify and none was named.
    #[error("{} {kind} APIs are configured ({}); pass an api name to choose one", .candidates.len(), .candidates.join(", "))]
    Ambiguous {
        /// The kind that was asked for.
        kind: EndpointType,
        /// The names to choose from.
        candidates: Vec<String>,
    },
}

impl AmplifyConfig {
    /// Finds the API of `kind` named `name`, or the default one when `name` is `None`.
    ///
    /// The default is the only API of that kind; when several entries describe one URL (Gen 1
    /// multi-auth: `myapi`, `myapi_API_KEY`, ...), it is the entry whose name prefixes the others.
    ///
    /// # Errors
    ///
    /// [`ApiLookupError`] when no API matches, the name is unknown, or several qualify.
    ///
    /// # Examples
    ///
    /// ```
    /// use amplify_config::{AmplifyConfig, AuthorizationType, EndpointType};
    ///
    /// let config = AmplifyConfig::from_json(r#"{"api": {"plugins": {"awsAPIPlugin": {
    ///   "todo": {"endpointType": "GraphQL", "endpoint": "https://x.example/graphql",
    ///            "region": "us-east-1", "authorizationType": "AMAZON_COGNITO_USER_POOLS"},
    ///   "todo_API_KEY": {"endpointType": "GraphQL", "endpoint": "https://x.example/graphql",
    ///            "region": "us-east-1", "authorizationType": "API_KEY", "apiKey": "da2-x"}}}}}"#)?;
    /// let api = config.api(EndpointType::GraphQl, None)?;
    /// assert_eq!(api.name, "todo");
    /// assert!(api.supports(AuthorizationType::ApiKey));
    /// assert!(config.api(EndpointType::GraphQl, Some("nope")).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn api(
        &self,
        kind: EndpointType,
        name: Option<&str>,
    ) -> Result<&ApiEndpoint, ApiLookupError> {
        let of_kind: Vec<&ApiEndpoint> = self
            .apis
            .iter()
            .filter(|a| a.endpoint_type == kind)
            .collect();
        if let Some(name) = name {
            return of_kind
                .iter()
                .find(|a| a.name == name)
                .copied()
                .ok_or_else(|| ApiLookupError::UnknownName {
                    name: name.to_owned(),
                    kind,
                    available: of_kind.iter().map(|a| a.name.clone()).collect(),
                });
        }
        match of_kind.as_slice() {
            [] => Err(ApiLookupError::NoneConfigured(kind)),
            [only] => Ok(only),
            [first, rest @ ..] => {
                let same_url = rest.iter().all(|a| a.url == first.url);
                let prefix = of_kind.iter().find(|candidate| {
                    of_kind
                        .iter()
                        .all(|a| a.name.starts_with(candidate.name.as_str()))
                });
                match prefix {
                    Some(p) if same_url => Ok(p),
                    _ => Err(ApiLookupError::Ambiguous {
                        kind,
                        candidates: of_kind.iter().map(|a| a.name.clone()).collect(),
                    }),
                }
            }
        }
    }
}

/// The kind of an API endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[non_exhaustive]
pub enum EndpointType {
    /// AppSync GraphQL.
    #[serde(rename = "GraphQL")]
    GraphQl,
    /// API Gateway REST.
    #[serde(rename = "REST")]
    Rest,
}

impl fmt::Display for EndpointType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EndpointType::GraphQl => "GraphQL",
            EndpointType::Rest => "REST",
        })
    }
}

/// An API authorization mode, as AppSync and Amplify name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[non_exhaustive]
pub enum AuthorizationType {
    /// `x-api-key` header.
    #[serde(rename = "API_KEY")]
    ApiKey,
    /// Cognito user pool JWT in `Authorization`.
    #[serde(rename = "AMAZON_COGNITO_USER_POOLS")]
    AmazonCognitoUserPools,
    /// SigV4 with AWS credentials.
    #[serde(rename = "AWS_IAM")]
    AwsIam,
    /// An OIDC provider's JWT in `Authorization`.
    #[serde(rename = "OPENID_CONNECT")]
    OpenIdConnect,
    /// A token checked by a Lambda authorizer.
    #[serde(rename = "AWS_LAMBDA")]
    AwsLambda,
    /// No authorization (REST endpoints).
    #[serde(rename = "NONE")]
    None,
}

impl AuthorizationType {
    /// Every mode, in a fixed order.
    pub const ALL: [AuthorizationType; 6] = [
        AuthorizationType::ApiKey,
        AuthorizationType::AmazonCognitoUserPools,
        AuthorizationType::AwsIam,
        AuthorizationType::OpenIdConnect,
        AuthorizationType::AwsLambda,
        AuthorizationType::None,
    ];

    /// The wire name (`API_KEY`, `AMAZON_COGNITO_USER_POOLS`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationType::ApiKey => "API_KEY",
            AuthorizationType::AmazonCognitoUserPools => "AMAZON_COGNITO_USER_POOLS",
            AuthorizationType::AwsIam => "AWS_IAM",
            AuthorizationType::OpenIdConnect => "OPENID_CONNECT",
            AuthorizationType::AwsLambda => "AWS_LAMBDA",
            AuthorizationType::None => "NONE",
        }
    }
}

impl fmt::Display for AuthorizationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares an enum read from a string compared without regard to ASCII case, because the two
/// formats spell the same values differently (`EMAIL` in Gen 1, `email` in Gen 2).
macro_rules! caseless_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => [$($spelling:literal),+]),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            const SPELLINGS: &'static [&'static str] = &[$($($spelling),+),+];

            /// Parses a value, ignoring ASCII case.
            pub fn parse(value: &str) -> Option<Self> {
                $(if [$($spelling),+].iter().any(|s| s.eq_ignore_ascii_case(value)) {
                    return Some($name::$variant);
                })+
                None
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                $name::parse(&value).ok_or_else(|| serde::de::Error::unknown_variant(&value, Self::SPELLINGS))
            }
        }
    };
}

caseless_enum!(
    /// An attribute users can sign in with instead of a username.
    UsernameAttribute {
        /// The email address.
        Email => ["email"],
        /// The phone number.
        PhoneNumber => ["phone_number"],
        /// The username itself (Gen 2 `username_attributes: ["username"]`).
        Username => ["username"],
    }
);

caseless_enum!(
    /// How users are verified.
    VerificationType {
        /// A code sent by email.
        Email => ["email"],
        /// A code sent by SMS.
        PhoneNumber => ["phone_number"],
    }
);

caseless_enum!(
    /// A standard Cognito user attribute.
    UserAttributeKey {
        /// `address`
        Address => ["address"],
        /// `birthdate`
        Birthdate => ["birthdate"],
        /// `email`
        Email => ["email"],
        /// `family_name`
        FamilyName => ["family_name"],
        /// `gender`
        Gender => ["gender"],
        /// `given_name`
        GivenName => ["given_name"],
        /// `locale`
        Locale => ["locale"],
        /// `middle_name`
        MiddleName => ["middle_name"],
        /// `name`
        Name => ["name"],
        /// `nickname`
        Nickname => ["nickname"],
        /// `phone_number`
        PhoneNumber => ["phone_number"],
        /// `picture`
        Picture => ["picture"],
        /// `preferred_username`
        PreferredUsername => ["preferred_username"],
        /// `profile`
        Profile => ["profile"],
        /// `sub` (the user's immutable id; the Gen 2 schema allows it among required attributes)
        Sub => ["sub"],
        /// `updated_at`
        UpdatedAt => ["updated_at"],
        /// `website`
        Website => ["website"],
        /// `zoneinfo`
        Zoneinfo => ["zoneinfo"],
    }
);

caseless_enum!(
    /// A second factor.
    MfaMethod {
        /// Codes by SMS.
        Sms => ["SMS"],
        /// Authenticator app codes.
        Totp => ["TOTP"],
        /// Codes by email.
        Email => ["EMAIL"],
    }
);

caseless_enum!(
    /// A social or federated identity provider of the hosted UI.
    IdentityProvider {
        /// Google.
        Google => ["GOOGLE"],
        /// Facebook.
        Facebook => ["FACEBOOK"],
        /// Login with Amazon.
        Amazon => ["LOGIN_WITH_AMAZON", "AMAZON"],
        /// Sign in with Apple.
        Apple => ["SIGN_IN_WITH_APPLE", "APPLE"],
    }
);

caseless_enum!(
    /// A Cognito sign-in flow.
    AuthFlowType {
        /// Secure Remote Password (the default).
        UserSrpAuth => ["USER_SRP_AUTH"],
        /// Password sent to Cognito over TLS.
        UserPasswordAuth => ["USER_PASSWORD_AUTH"],
        /// Custom challenges after an SRP password check.
        CustomAuthWithSrp => ["CUSTOM_AUTH_WITH_SRP"],
        /// Custom challenges only (Cognito's `CUSTOM_AUTH`).
        CustomAuthWithoutSrp => ["CUSTOM_AUTH_WITHOUT_SRP", "CUSTOM_AUTH"],
        /// Choice-based sign-in (passwordless factors).
        UserAuth => ["USER_AUTH"],
    }
);

caseless_enum!(
    /// The OAuth response type.
    OAuthResponseType {
        /// Authorization code (with PKCE).
        Code => ["code"],
        /// Implicit grant.
        Token => ["token"],
    }
);

/// Whether a file states that guests get identity pool credentials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GuestAccess {
    /// The file does not say; amplify-rs, like Amplify, allows guests.
    #[default]
    NotStated,
    /// The file allows guests.
    Allowed,
    /// The file denies guests (`unauthenticated_identities_enabled: false`, or
    /// `aws_mandatory_sign_in: "enable"`).
    Denied,
}

impl GuestAccess {
    pub(crate) fn from_stated(stated: Option<bool>) -> Self {
        match stated {
            None => GuestAccess::NotStated,
            Some(true) => GuestAccess::Allowed,
            Some(false) => GuestAccess::Denied,
        }
    }

    /// Whether guests get credentials (`false` only when the file denies them).
    pub fn allows_guests(self) -> bool {
        self != GuestAccess::Denied
    }
}

/// Whether MFA is off, optional or required.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MfaStatus {
    /// No MFA (Gen 1 `OFF`, Gen 2 `NONE`).
    #[default]
    Off,
    /// Users may enable MFA.
    Optional,
    /// Every user must use MFA (Gen 1 `ON`, Gen 2 `REQUIRED`).
    Required,
}
