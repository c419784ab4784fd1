//! Request authorization for the GraphQL and REST APIs: which mode a request uses (AppSync's
//! header rules) and the real check for that mode.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::Request;

use super::sigv4::{self, Expect, SigV4Error, Signed};
use super::spec::{
    AuthMode, Identity, LambdaAuthRequest, LambdaAuthResult, SharedLambdaAuthorizer,
};
use crate::context::Ctx;
use crate::credentials::KnownCredentials;
use crate::jwt;
use crate::oidc::OidcIssuer;
use crate::state::Store;
use crate::util::ct_eq;
use crate::verify::{self, TokenError};

/// An API key and when it expires (emulator clock).
#[derive(Clone)]
pub(crate) struct ApiKey {
    pub(crate) key: String,
    pub(crate) expires: SystemTime,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// The JWT settings of an API, with the user pool resolved.
#[derive(Debug, Clone)]
pub(crate) struct JwtConfig {
    pub(crate) user_pool_id: Option<String>,
    pub(crate) client_ids: Option<Vec<String>>,
    pub(crate) oidc_issuer: Option<String>,
    pub(crate) oidc_client_id: Option<String>,
}

/// Lambda authorizer answers cached per token.
#[derive(Debug, Default)]
pub(crate) struct LambdaCache {
    entries: Mutex<HashMap<String, (LambdaAuthResult, SystemTime)>>,
}

/// How an API is protected.
#[derive(Debug)]
pub(crate) struct AuthConfig {
    pub(crate) modes: Vec<AuthMode>,
    pub(crate) keys: Vec<ApiKey>,
    pub(crate) jwt: JwtConfig,
    pub(crate) lambda: Option<SharedLambdaAuthorizer>,
    pub(crate) lambda_ttl: Duration,
    pub(crate) lambda_cache: LambdaCache,
    pub(crate) region: String,
    /// `appsync` or `execute-api`.
    pub(crate) service: &'static str,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No usable authorization header.
    Missing,
    /// A wrong or expired API key (`true` when expired).
    ApiKey { expired: bool },
    /// A token that is not a JWT (and no Lambda authorizer to ask).
    Unparsable,
    /// A JWT that failed verification; the message says why.
    Token(String),
    /// An expired JWT.
    TokenExpired,
    /// The mode the headers select is not enabled for the API.
    ModeNotEnabled(AuthMode),
    /// The Lambda authorizer said no.
    LambdaDenied,
    /// A SigV4 problem.
    Signature(SigV4Error),
}

impl Refusal {
    /// AppSync's message for the refusal (GraphQL APIs).
    pub(crate) fn appsync_message(&self) -> String {
        match self {
            Refusal::Missing => "Valid authorization header not provided.".to_owned(),
            Refusal::ApiKey { expired: true } => "API key has expired.".to_owned(),
            Refusal::ApiKey { expired: false }
            | Refusal::LambdaDenied
            | Refusal::ModeNotEnabled(_) => "You are not authorized to make this call.".to_owned(),
            Refusal::Unparsable => "Unable to parse JWT token.".to_owned(),
            Refusal::Token(message) => message.clone(),
            Refusal::TokenExpired => "Token has expired.".to_owned(),
            Refusal::Signature(e) => e.message(),
        }
    }
}

/// A successful check: who, and (Lambda) which fields are denied.
#[derive(Debug)]
pub(crate) struct Authorized {
    pub(crate) identity: Identity,
    pub(crate) denied_fields: Vec<String>,
}

/// Header values as a lower-case map without the secrets (for Lambda requests and resolvers).
pub(crate) fn public_headers(request: &Request<Bytes>) -> BTreeMap<String, String> {
    request
        .headers()
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "authorization" | "x-api-key" | "x-amz-security-token"
            )
        })
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn header<'r>(request: &'r Request<Bytes>, name: &str) -> Option<&'r str> {
    request
        .headers()
        .get(name)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
}

/// Decides the mode from the headers (as AppSync does) and checks it for real.
///
/// `lambda_request` builds the Lambda authorizer's event when that mode is used.
pub(crate) fn authorize(
    ctx: &Ctx<'_>,
    store: &Store,
    config: &AuthConfig,
    request: &Request<Bytes>,
    lambda_request: impl FnOnce(&str) -> LambdaAuthRequest,
) -> Result<Authorized, Refusal> {
    let enabled = |mode: AuthMode| config.modes.contains(&mode);
    let now = ctx.now_time;
    let plain = |identity| {
        Ok(Authorized {
            identity,
            denied_fields: Vec::new(),
        })
    };

    // Like AppSync (and its simulator): an `x-api-key` header decides when the API has API keys,
    // even next to an `Authorization` header; otherwise it is ignored.
    if let Some(key) = header(request, "x-api-key").filter(|_| enabled(AuthMode::ApiKey)) {
        let Some(found) = config
            .keys
            .iter()
            .find(|k| ct_eq(k.key.as_bytes(), key.as_bytes()))
        else {
            return Err(Refusal::ApiKey { expired: false });
        };
        if found.expires <= now {
            return Err(Refusal::ApiKey { expired: true });
        }
        return plain(Identity::ApiKey);
    }

    let Some(authorization) = header(request, "authorization").filter(|a| !a.trim().is_empty())
    else {
        if enabled(AuthMode::None) {
            return plain(Identity::Anonymous);
        }
        return Err(Refusal::Missing);
    };

    if authorization.starts_with("AWS4-HMAC-SHA256") {
        if !enabled(AuthMode::AwsIam) {
            return Err(Refusal::ModeNotEnabled(AuthMode::AwsIam));
        }
        let signed = Signed {
            method: request.method(),
            path: request.uri().path(),
            query: request.uri().query().unwrap_or_default(),
            headers: request.headers(),
            body: request.body(),
        };
        let expect = Expect {
            service: config.service,
            region: &config.region,
            allow_unsigned_payload: config.service == "execute-api",
        };
        let known =
            sigv4::verify(&signed, expect, now, ctx.credentials).map_err(Refusal::Signature)?;
        return match known {
            KnownCredentials::Issued(issued) => plain(Identity::Iam {
                access_key_id: issued.access_key_id,
                identity_id: issued.identity_id,
                identity_pool_id: issued.identity_pool_id,
                authenticated: issued.authenticated,
                role_arn: issued.role_arn,
            }),
            KnownCredentials::Declared(principal) => {
                let denied_fields = match principal.allowed_fields {
                    Some(_) => {
                        let request = lambda_request(authorization);
                        root_fields(&request.query_string, request.operation_name.as_deref())
                            .into_iter()
                            .filter(|(t, f)| !principal.allows(t, f))
                            .map(|(t, f)| format!("{t}.{f}"))
                            .collect()
                    }
                    None => Vec::new(),
                };
                Ok(Authorized {
                    identity: Identity::Iam {
                        access_key_id: principal.access_key_id,
                        // A declared principal has no Cognito identity: its ARN stands in.
                        identity_id: principal.arn.clone(),
                        identity_pool_id: String::new(),
                        authenticated: true,
                        role_arn: principal.arn,
                    },
                    denied_fields,
                })
            }
        };
    }

    let token = authorization
        .strip_prefix("Bearer ")
        .unwrap_or(authorization)
        .trim();
    let decoded = jwt::decode(token);
    let issuer = decoded
        .as_ref()
        .and_then(|d| d.claim_str("iss"))
        .map(str::to_owned);
    if let Some(iss) = &issuer {
        let pool_issuer = config
            .jwt
            .user_pool_id
            .as_ref()
            .map(|pool| format!("{}/{pool}", ctx.endpoint));
        if enabled(AuthMode::AmazonCognitoUserPools) && pool_issuer.as_deref() == Some(iss) {
            return check_user_pool(ctx, store, config, token).and_then(plain);
        }
        let oidc_issuer = config
            .jwt
            .oidc_issuer
            .as_deref()
            .map(|i| OidcIssuer::new(i).issuer);
        if enabled(AuthMode::OpenIdConnect) && oidc_issuer.as_deref() == Some(iss) {
            return check_oidc(ctx, config, token).and_then(plain);
        }
    }
    if enabled(AuthMode::AwsLambda) {
        return check_lambda(config, authorization, now, lambda_request);
    }
    if issuer.is_some() {
        // A JWT from an issuer the API does not trust.
        if enabled(AuthMode::AmazonCognitoUserPools) || enabled(AuthMode::OpenIdConnect) {
            return Err(Refusal::Token(
                "You are not authorized to make this call.".to_owned(),
            ));
        }
        return Err(Refusal::ModeNotEnabled(AuthMode::AmazonCognitoUserPools));
    }
    if enabled(AuthMode::AmazonCognitoUserPools) || enabled(AuthMode::OpenIdConnect) {
        Err(Refusal::Unparsable)
    } else {
        Err(Refusal::Missing)
    }
}

/// The root fields a GraphQL document's operation selects, as `(type, field)` with AppSync's
/// default root type names; nothing for a document that does not parse (execution reports it).
fn root_fields(query: &str, operation_name: Option<&str>) -> Vec<(&'static str, String)> {
    use graphql_parser::query::{Definition, OperationDefinition, Selection};
    let Ok(document) = graphql_parser::parse_query::<String>(query) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for definition in &document.definitions {
        let Definition::Operation(operation) = definition else {
            continue;
        };
        let (root, name, set) = match operation {
            OperationDefinition::SelectionSet(set) => ("Query", None, set),
            OperationDefinition::Query(q) => ("Query", q.name.as_deref(), &q.selection_set),
            OperationDefinition::Mutation(m) => ("Mutation", m.name.as_deref(), &m.selection_set),
            OperationDefinition::Subscription(s) => {
                ("Subscription", s.name.as_deref(), &s.selection_set)
            }
        };
        if operation_name.is_some_and(|wanted| name != Some(wanted)) {
            continue;
        }
        for selection in &set.items {
            if let Selection::Field(field) = selection
                && !field.name.starts_with("__")
            {
                out.push((root, field.name.clone()));
            }
        }
    }
    out
}

fn token_refusal(error: TokenError) -> Refusal {
    match error {
        TokenError::Expired => Refusal::TokenExpired,
        TokenError::Malformed => Refusal::Unparsable,
        TokenError::Revoked => Refusal::Token("Token has been revoked.".to_owned()),
        TokenError::UserDisabled => Refusal::Token("User is disabled.".to_owned()),
        TokenError::UserNotFound => Refusal::Token("User does not exist.".to_owned()),
        TokenError::UnknownIssuer | TokenError::BadSignature | TokenError::WrongUse => {
            Refusal::Token("You are not authorized to make this call.".to_owned())
        }
    }
}

fn check_user_pool(
    ctx: &Ctx<'_>,
    store: &Store,
    config: &AuthConfig,
    token: &str,
) -> Result<Identity, Refusal> {
    let verified = store
        .transact(|state| verify::user_pool_token(ctx, state, token))
        .map_err(token_refusal)?;
    if verified.user_pool_id != config.jwt.user_pool_id {
        return Err(Refusal::Token(
            "You are not authorized to make this call.".to_owned(),
        ));
    }
    if let Some(allowed) = &config.jwt.client_ids
        && !verified
            .client_id
            .as_ref()
            .is_some_and(|c| allowed.contains(c))
    {
        return Err(Refusal::Token(
            "You are not authorized to make this call.".to_owned(),
        ));
    }
    let groups = verified.groups();
    Ok(Identity::CognitoUserPools {
        sub: verified.subject().unwrap_or_default().to_owned(),
        username: verified.username.clone().unwrap_or_default(),
        issuer: verified.issuer.clone(),
        groups,
        claims: verified.claims,
    })
}

fn check_oidc(ctx: &Ctx<'_>, config: &AuthConfig, token: &str) -> Result<Identity, Refusal> {
    let verified = verify::oidc_token(ctx, token).map_err(token_refusal)?;
    if let Some(client_id) = &config.jwt.oidc_client_id {
        let aud_ok = match verified.claims.get("aud") {
            Some(serde_json::Value::String(aud)) => aud == client_id,
            Some(serde_json::Value::Array(auds)) => auds.iter().any(|a| a == client_id.as_str()),
            _ => false,
        };
        if !aud_ok {
            return Err(Refusal::Token(
                "You are not authorized to make this call.".to_owned(),
            ));
        }
    }
    Ok(Identity::Oidc {
        sub: verified.subject().unwrap_or_default().to_owned(),
        issuer: verified.issuer.clone(),
        claims: verified.claims,
    })
}

fn check_lambda(
    config: &AuthConfig,
    token: &str,
    now: SystemTime,
    lambda_request: impl FnOnce(&str) -> LambdaAuthRequest,
) -> Result<Authorized, Refusal> {
    let Some(authorizer) = &config.lambda else {
        return Err(Refusal::LambdaDenied);
    };
    let cached = {
        let mut entries = config
            .lambda_cache
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, (_, expires)| *expires > now);
        entries.get(token).map(|(result, _)| result.clone())
    };
    let result = match cached {
        Some(result) => result,
        None => {
            let result = authorizer.authorize(&lambda_request(token));
            let ttl = result.ttl_override.unwrap_or(config.lambda_ttl);
            if !ttl.is_zero() {
                config
                    .lambda_cache
                    .entries
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(
                        token.to_owned(),
                        (result.clone(), now.checked_add(ttl).unwrap_or(now)),
                    );
            }
            result
        }
    };
    if !result.is_authorized {
        return Err(Refusal::LambdaDenied);
    }
    Ok(Authorized {
        identity: Identity::Lambda {
            resolver_context: result.resolver_context,
        },
        denied_fields: result.denied_fields,
    })
}
