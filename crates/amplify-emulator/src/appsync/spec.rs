//! What to emulate on the AppSync side: a GraphQL API (schema, authorization modes, API keys,
//! Lambda authorizer, resolvers) and REST APIs.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

mod rest_api;

pub use self::rest_api::RestApiSpec;

/// An AppSync / API Gateway authorization mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AuthMode {
    /// `x-api-key` header (`API_KEY`).
    ApiKey,
    /// A Cognito user pool JWT in `Authorization` (`AMAZON_COGNITO_USER_POOLS`).
    AmazonCognitoUserPools,
    /// SigV4 with credentials the identity pool issued (`AWS_IAM`).
    AwsIam,
    /// A JWT from an OpenID Connect issuer (`OPENID_CONNECT`).
    OpenIdConnect,
    /// A token checked by a Lambda authorizer, here a Rust function (`AWS_LAMBDA`).
    AwsLambda,
    /// No authorization (REST APIs only).
    None,
}

impl AuthMode {
    /// The name AppSync and the configuration files use (`API_KEY`, `AWS_IAM`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::ApiKey => "API_KEY",
            AuthMode::AmazonCognitoUserPools => "AMAZON_COGNITO_USER_POOLS",
            AuthMode::AwsIam => "AWS_IAM",
            AuthMode::OpenIdConnect => "OPENID_CONNECT",
            AuthMode::AwsLambda => "AWS_LAMBDA",
            AuthMode::None => "NONE",
        }
    }

    /// The schema directive that grants this mode (`@aws_api_key`, ...); `None` for `NONE`.
    pub fn directive(self) -> Option<&'static str> {
        match self {
            AuthMode::ApiKey => Some("aws_api_key"),
            AuthMode::AmazonCognitoUserPools => Some("aws_cognito_user_pools"),
            AuthMode::AwsIam => Some("aws_iam"),
            AuthMode::OpenIdConnect => Some("aws_oidc"),
            AuthMode::AwsLambda => Some("aws_lambda"),
            AuthMode::None => None,
        }
    }

    pub(crate) fn from_directive(name: &str) -> Option<Self> {
        match name {
            "aws_api_key" => Some(AuthMode::ApiKey),
            "aws_cognito_user_pools" | "aws_auth" => Some(AuthMode::AmazonCognitoUserPools),
            "aws_iam" => Some(AuthMode::AwsIam),
            "aws_oidc" => Some(AuthMode::OpenIdConnect),
            "aws_lambda" => Some(AuthMode::AwsLambda),
            _ => None,
        }
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API key (`da2-...`) and its lifetime (AppSync's default is 7 days).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiKeySpec {
    /// A fixed key; a random `da2-...` key otherwise.
    pub key: Option<String>,
    /// How long after the emulator starts the key expires (emulator clock).
    pub expires_in: Duration,
    /// A description (not checked).
    pub description: Option<String>,
}

impl fmt::Debug for ApiKeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeySpec")
            .field("fixed_key", &self.key.is_some())
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl Default for ApiKeySpec {
    fn default() -> Self {
        Self {
            key: None,
            expires_in: Duration::from_secs(7 * 86_400),
            description: None,
        }
    }
}

impl ApiKeySpec {
    /// A random key valid for 7 days.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses a fixed key.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sets the lifetime (counted from the emulator's start, on its clock).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = lifetime;
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// What a Lambda authorizer receives (AppSync's event, without the parts that need AWS).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct LambdaAuthRequest {
    /// The `Authorization` header as sent.
    pub authorization_token: String,
    /// The API's id.
    pub api_id: String,
    /// The account id (`000000000000`).
    pub account_id: String,
    /// The request id.
    pub request_id: String,
    /// The GraphQL document (GraphQL APIs) or `"<METHOD> <path>"` (REST APIs).
    pub query_string: String,
    /// The `operationName`, when given.
    pub operation_name: Option<String>,
    /// The GraphQL variables.
    pub variables: Map<String, Value>,
    /// The request headers except `authorization`, lower-case names.
    pub request_headers: BTreeMap<String, String>,
}

impl fmt::Debug for LambdaAuthRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LambdaAuthRequest")
            .field("api_id", &self.api_id)
            .field("request_id", &self.request_id)
            .field("operation_name", &self.operation_name)
            .finish_non_exhaustive()
    }
}

/// What a Lambda authorizer answers.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct LambdaAuthResult {
    /// Whether the request may go on.
    pub is_authorized: bool,
    /// Handed to resolvers as the identity's `resolverContext`.
    pub resolver_context: Map<String, Value>,
    /// Fields the caller may not read: `"Type.field"` or AppSync field ARNs
    /// (`arn:aws:appsync:<region>:<account>:apis/<id>/types/<Type>/fields/<field>`).
    pub denied_fields: Vec<String>,
    /// How long the answer is cached for this token (the API's TTL when `None`).
    pub ttl_override: Option<Duration>,
}

impl LambdaAuthResult {
    /// Lets the request through.
    pub fn allow() -> Self {
        Self {
            is_authorized: true,
            ..Self::default()
        }
    }

    /// Refuses the request.
    pub fn deny() -> Self {
        Self::default()
    }

    /// Adds a `resolverContext` entry.
    pub fn context(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.resolver_context.insert(key.into(), value.into());
        self
    }

    /// Denies one field (`"Type.field"`).
    pub fn deny_field(mut self, field: impl Into<String>) -> Self {
        self.denied_fields.push(field.into());
        self
    }

    /// Caches this answer for `ttl`.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl_override = Some(ttl);
        self
    }
}

/// A Lambda authorizer written in Rust: any `Fn(&LambdaAuthRequest) -> LambdaAuthResult`.
#[derive(Clone)]
pub(crate) struct SharedLambdaAuthorizer(
    Arc<dyn Fn(&LambdaAuthRequest) -> LambdaAuthResult + Send + Sync>,
);

impl SharedLambdaAuthorizer {
    pub(crate) fn new<F>(authorizer: F) -> Self
    where
        F: Fn(&LambdaAuthRequest) -> LambdaAuthResult + Send + Sync + 'static,
    {
        Self(Arc::new(authorizer))
    }

    pub(crate) fn authorize(&self, request: &LambdaAuthRequest) -> LambdaAuthResult {
        (self.0)(request)
    }
}

impl fmt::Debug for SharedLambdaAuthorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedLambdaAuthorizer(..)")
    }
}

/// Who made a request, as the authorization mode established it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Identity {
    /// An API key.
    ApiKey,
    /// SigV4 with identity-pool credentials or a declared principal's
    /// ([`IamPrincipalSpec`](crate::IamPrincipalSpec)).
    #[non_exhaustive]
    Iam {
        /// The access key id.
        access_key_id: String,
        /// The Cognito identity id (a declared principal's ARN).
        identity_id: String,
        /// The identity pool (empty for a declared principal).
        identity_pool_id: String,
        /// Authenticated (logins) or guest credentials.
        authenticated: bool,
        /// The role the credentials stand for.
        role_arn: String,
    },
    /// A verified Cognito user pool token.
    #[non_exhaustive]
    CognitoUserPools {
        /// `sub`.
        sub: String,
        /// The user name (`username` / `cognito:username`).
        username: String,
        /// `iss`.
        issuer: String,
        /// `cognito:groups`.
        groups: Vec<String>,
        /// Every claim.
        claims: Map<String, Value>,
    },
    /// A verified OIDC token.
    #[non_exhaustive]
    Oidc {
        /// `sub`.
        sub: String,
        /// `iss`.
        issuer: String,
        /// Every claim.
        claims: Map<String, Value>,
    },
    /// A Lambda authorizer's approval.
    #[non_exhaustive]
    Lambda {
        /// The authorizer's `resolverContext`.
        resolver_context: Map<String, Value>,
    },
    /// No authorization (REST `NONE`).
    Anonymous,
}

impl Identity {
    /// The mode that established the identity.
    pub fn mode(&self) -> AuthMode {
        match self {
            Identity::ApiKey => AuthMode::ApiKey,
            Identity::Iam { .. } => AuthMode::AwsIam,
            Identity::CognitoUserPools { .. } => AuthMode::AmazonCognitoUserPools,
            Identity::Oidc { .. } => AuthMode::OpenIdConnect,
            Identity::Lambda { .. } => AuthMode::AwsLambda,
            Identity::Anonymous => AuthMode::None,
        }
    }

    /// The user name (user pools), `sub` (OIDC) or identity id (IAM).
    pub fn principal(&self) -> Option<&str> {
        match self {
            Identity::CognitoUserPools { username, .. } => Some(username),
            Identity::Oidc { sub, .. } => Some(sub),
            Identity::Iam { identity_id, .. } => Some(identity_id),
            Identity::ApiKey | Identity::Lambda { .. } | Identity::Anonymous => None,
        }
    }

    /// The user pool groups (empty for other modes).
    pub fn groups(&self) -> &[String] {
        match self {
            Identity::CognitoUserPools { groups, .. } => groups,
            _ => &[],
        }
    }

    /// The identity as AppSync shows it to resolvers (`$ctx.identity`), plus `"authMode"`.
    pub fn to_json(&self) -> Value {
        let mut value = match self {
            Identity::ApiKey | Identity::Anonymous => json!({}),
            Identity::Iam {
                access_key_id,
                identity_pool_id,
                role_arn,
                ..
            } if identity_pool_id.is_empty() => json!({
                // A principal the operator declared, not identity-pool credentials.
                "accountId": "000000000000",
                "cognitoIdentityPoolId": null,
                "cognitoIdentityId": null,
                "cognitoIdentityAuthType": null,
                "sourceIp": ["127.0.0.1"],
                "userArn": role_arn,
                "username": access_key_id,
            }),
            Identity::Iam {
                access_key_id,
                identity_id,
                identity_pool_id,
                authenticated,
                role_arn,
            } => json!({
                "accountId": "000000000000",
                "cognitoIdentityPoolId": identity_pool_id,
                "cognitoIdentityId": identity_id,
                "cognitoIdentityAuthType": if *authenticated { "authenticated" } else { "unauthenticated" },
                "sourceIp": ["127.0.0.1"],
                "userArn": format!("{role_arn}/CognitoIdentityCredentials"),
                "username": access_key_id,
            }),
            Identity::CognitoUserPools {
                sub,
                username,
                issuer,
                groups,
                claims,
            } => json!({
                "sub": sub,
                "issuer": issuer,
                "username": username,
                "groups": groups,
                "claims": claims,
                "sourceIp": ["127.0.0.1"],
                "defaultAuthStrategy": "ALLOW",
            }),
            Identity::Oidc {
                sub,
                issuer,
                claims,
            } => json!({ "sub": sub, "issuer": issuer, "claims": claims }),
            Identity::Lambda { resolver_context } => {
                json!({ "resolverContext": resolver_context })
            }
        };
        if let Value::Object(map) = &mut value {
            map.insert("authMode".into(), json!(self.mode().as_str()));
        }
        value
    }
}

/// A GraphQL error a resolver returns, like AppSync's `$util.error(message, errorType, data,
/// errorInfo)`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResolverError {
    /// The message.
    pub message: String,
    /// `errorType`.
    pub error_type: Option<String>,
    /// `data`.
    pub data: Option<Value>,
    /// `errorInfo`.
    pub error_info: Option<Value>,
}

impl ResolverError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            error_type: None,
            data: None,
            error_info: None,
        }
    }

    /// Sets `errorType`.
    pub fn error_type(mut self, error_type: impl Into<String>) -> Self {
        self.error_type = Some(error_type.into());
        self
    }

    /// Sets `data`.
    pub fn data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// Sets `errorInfo`.
    pub fn error_info(mut self, info: Value) -> Self {
        self.error_info = Some(info);
        self
    }
}

impl fmt::Display for ResolverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ResolverError {}

/// What a resolver sees besides its arguments.
#[derive(Debug)]
pub struct ResolverContext<'a> {
    pub(crate) identity: &'a Identity,
    pub(crate) source: Option<&'a Value>,
    pub(crate) type_name: &'a str,
    pub(crate) field_name: &'a str,
    pub(crate) now: SystemTime,
    pub(crate) headers: &'a BTreeMap<String, String>,
}

impl ResolverContext<'_> {
    /// The caller.
    pub fn identity(&self) -> &Identity {
        self.identity
    }

    /// The parent object (`$ctx.source`); `None` for fields of the root types.
    pub fn source(&self) -> Option<&Value> {
        self.source
    }

    /// The type the field belongs to (`Query`, `Todo`, ...).
    pub fn type_name(&self) -> &str {
        self.type_name
    }

    /// The field being resolved.
    pub fn field_name(&self) -> &str {
        self.field_name
    }

    /// The emulator's clock reading for this request.
    pub fn now(&self) -> SystemTime {
        self.now
    }

    /// A request header (lower-case name); `authorization`, `x-api-key` and
    /// `x-amz-security-token` are not available.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// A resolver: any `Fn(&ResolverContext, &Map<String, Value>) -> Result<Value, ResolverError>`.
type ResolverFn =
    dyn Fn(&ResolverContext<'_>, &Map<String, Value>) -> Result<Value, ResolverError> + Send + Sync;

#[derive(Clone)]
pub(crate) struct SharedResolver(Arc<ResolverFn>);

impl SharedResolver {
    pub(crate) fn new<F>(resolver: F) -> Self
    where
        F: Fn(&ResolverContext<'_>, &Map<String, Value>) -> Result<Value, ResolverError>
            + Send
            + Sync
            + 'static,
    {
        Self(Arc::new(resolver))
    }

    pub(crate) fn resolve(
        &self,
        context: &ResolverContext<'_>,
        arguments: &Map<String, Value>,
    ) -> Result<Value, ResolverError> {
        (self.0)(context, arguments)
    }
}

impl fmt::Debug for SharedResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedResolver(..)")
    }
}

/// How a JWT-based mode (user pools, OIDC) is configured for an API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct JwtSettings {
    /// The user pool whose tokens are accepted (the first pool when `None`).
    pub(crate) user_pool_id: Option<String>,
    /// App clients whose tokens are accepted (any client of the pool when `None`).
    pub(crate) client_ids: Option<Vec<String>>,
    /// The OIDC issuer (`https://...`).
    pub(crate) oidc_issuer: Option<String>,
    /// The OIDC client id the `aud` must match, when set.
    pub(crate) oidc_client_id: Option<String>,
}

/// A GraphQL API: schema, resolvers, authorization modes.
///
/// ```
/// use std::time::Duration;
/// use amplify_emulator::{ApiKeySpec, AuthMode, GraphQlApiSpec, LambdaAuthResult};
/// use serde_json::json;
///
/// let sample = GraphQlApiSpec::sample_todo()
///     .default_mode(AuthMode::ApiKey)
///     .additional_mode(AuthMode::AmazonCognitoUserPools)
///     .additional_mode(AuthMode::AwsIam)
///     .api_key(ApiKeySpec::new().expires_in(Duration::from_secs(3600)));
///
/// let custom = GraphQlApiSpec::new("type Query @aws_lambda { hello: String }")
///     .default_mode(AuthMode::AwsLambda)
///     .lambda_authorizer(|request| {
///         if request.authorization_token == "let-me-in" {
///             LambdaAuthResult::allow()
///         } else {
///             LambdaAuthResult::deny()
///         }
///     })
///     .resolver("Query", "hello", |_ctx, _args| Ok(json!("world")));
/// # let _ = (sample, custom);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct GraphQlApiSpec {
    /// The API name (Gen 1 `awsAPIPlugin` key; Gen 2 always calls it `data`).
    pub name: String,
    /// The schema (SDL with AppSync's directives); `None` for the sample Todo schema.
    pub schema: Option<String>,
    /// The default authorization mode.
    pub default_mode: AuthMode,
    /// Additional authorization modes.
    pub additional_modes: Vec<AuthMode>,
    /// API keys (one is created when `API_KEY` is a mode and none is given).
    pub api_keys: Vec<ApiKeySpec>,
    /// The region (the first user pool's when `None`).
    pub region: Option<String>,
    pub(crate) jwt: JwtSettings,
    pub(crate) lambda: Option<SharedLambdaAuthorizer>,
    pub(crate) lambda_ttl: Duration,
    pub(crate) resolvers: Vec<(String, String, SharedResolver)>,
    pub(crate) keep_alive: Duration,
    pub(crate) connection_timeout: Duration,
}

impl fmt::Debug for GraphQlApiSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphQlApiSpec")
            .field("name", &self.name)
            .field("sample", &self.schema.is_none())
            .field("default_mode", &self.default_mode)
            .field("additional_modes", &self.additional_modes)
            .field("api_keys", &self.api_keys)
            .field("lambda", &self.lambda.is_some())
            .field("resolvers", &self.resolvers.len())
            .finish_non_exhaustive()
    }
}

impl GraphQlApiSpec {
    /// An API serving `schema` (AppSync SDL: `type Query { ... }` with `@aws_*` directives and
    /// AppSync's scalars). Fields without a resolver return their parent's property of the same
    /// name (`null` at the root). Default mode `API_KEY`.
    pub fn new(schema: impl Into<String>) -> Self {
        Self {
            schema: Some(schema.into()),
            ..Self::sample_todo()
        }
    }

    /// The built-in sample: a Todo model with get, list (filter, pagination), create, update,
    /// delete and subscriptions, on an in-memory store. Default mode `API_KEY`.
    ///
    /// `Todo.adminNote` is readable only by user pool callers in the `admins` group, and
    /// `deleteTodo` only with `AWS_IAM` or user pools. See
    /// [`sample_todo_schema`](crate::sample_todo_schema) for the SDL.
    pub fn sample_todo() -> Self {
        Self {
            name: "data".to_owned(),
            schema: None,
            default_mode: AuthMode::ApiKey,
            additional_modes: Vec::new(),
            api_keys: Vec::new(),
            region: None,
            jwt: JwtSettings::default(),
            lambda: None,
            lambda_ttl: Duration::ZERO,
            resolvers: Vec::new(),
            keep_alive: super::realtime::DEFAULT_KEEP_ALIVE,
            connection_timeout: super::realtime::DEFAULT_CONNECTION_TIMEOUT,
        }
    }

    /// How often the realtime endpoint sends `ka` on each connection (default 60 s). Tests of
    /// keep-alive handling set a few milliseconds.
    pub fn realtime_keep_alive(mut self, interval: Duration) -> Self {
        self.keep_alive = interval.max(Duration::from_millis(1));
        self
    }

    /// The `connectionTimeoutMs` that `connection_ack` announces (default 5 minutes, as AppSync).
    pub fn realtime_connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// Sets the API name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the default mode.
    pub fn default_mode(mut self, mode: AuthMode) -> Self {
        self.default_mode = mode;
        self
    }

    /// Adds an additional mode.
    pub fn additional_mode(mut self, mode: AuthMode) -> Self {
        if !self.additional_modes.contains(&mode) {
            self.additional_modes.push(mode);
        }
        self
    }

    /// Adds an API key.
    pub fn api_key(mut self, key: ApiKeySpec) -> Self {
        self.api_keys.push(key);
        self
    }

    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Accepts tokens of this user pool (the first pool by default).
    pub fn user_pool_id(mut self, pool_id: impl Into<String>) -> Self {
        self.jwt.user_pool_id = Some(pool_id.into());
        self
    }

    /// Accepts user pool tokens of these app clients only (AppSync's `appIdClientRegex`).
    pub fn user_pool_client_ids<S: Into<String>>(
        mut self,
        client_ids: impl IntoIterator<Item = S>,
    ) -> Self {
        self.jwt.client_ids = Some(client_ids.into_iter().map(Into::into).collect());
        self
    }

    /// The OIDC issuer for `OPENID_CONNECT` (the emulator hosts it, so
    /// `EmulatorHandle::mint_oidc_token` can mint its tokens).
    pub fn oidc_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.jwt.oidc_issuer = Some(issuer.into());
        self
    }

    /// The OIDC client id that tokens' `aud` must match.
    pub fn oidc_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.jwt.oidc_client_id = Some(client_id.into());
        self
    }

    /// The Lambda authorizer for `AWS_LAMBDA`: a Rust function deciding on each request.
    pub fn lambda_authorizer<F>(mut self, authorizer: F) -> Self
    where
        F: Fn(&LambdaAuthRequest) -> LambdaAuthResult + Send + Sync + 'static,
    {
        self.lambda = Some(SharedLambdaAuthorizer::new(authorizer));
        self
    }

    /// How long Lambda authorizer answers are cached per token (0, the default, never caches;
    /// AppSync's default is 5 minutes).
    pub fn lambda_authorizer_ttl(mut self, ttl: Duration) -> Self {
        self.lambda_ttl = ttl;
        self
    }

    /// Resolves `type_name.field_name` with a Rust function (replacing a built-in resolver).
    ///
    /// The function gets the [`ResolverContext`] (identity, parent object, clock) and the
    /// field's arguments, coerced to their schema types.
    pub fn resolver<F>(
        mut self,
        type_name: impl Into<String>,
        field_name: impl Into<String>,
        resolver: F,
    ) -> Self
    where
        F: Fn(&ResolverContext<'_>, &Map<String, Value>) -> Result<Value, ResolverError>
            + Send
            + Sync
            + 'static,
    {
        self.resolvers.push((
            type_name.into(),
            field_name.into(),
            SharedResolver::new(resolver),
        ));
        self
    }

    /// Every mode, default first.
    pub fn modes(&self) -> Vec<AuthMode> {
        let mut modes = vec![self.default_mode];
        for mode in &self.additional_modes {
            if !modes.contains(mode) {
                modes.push(*mode);
            }
        }
        modes
    }
}
