//! The AppSync part: a GraphQL endpoint (`POST /graphql`) and REST endpoints
//! (`/rest/<name>/...`) that check every authorization mode for real.
//!
//! * `API_KEY`: the `x-api-key` header against the API's keys and their expiry (emulator clock).
//! * `AMAZON_COGNITO_USER_POOLS`: RS256 signature against the pool's key, issuer, `token_use`,
//!   expiry, revocation and global sign-out, the user's state, and the app client.
//! * `AWS_IAM`: SigV4 recomputed with the secret of credentials the identity pool issued; a wrong
//!   signature, an unknown key, a wrong session token, expired credentials or an `x-amz-date`
//!   more than 5 minutes off the emulator's clock is refused.
//! * `OPENID_CONNECT`: signature against the emulator's OIDC key, issuer, expiry, audience.
//! * `AWS_LAMBDA`: a Rust function the test supplies.
//!
//! Then the schema's `@aws_*` directives decide per field, as AppSync does.
//!
//! [`realtime`] serves subscriptions: the same checks at connect and at every `start`, and the
//! fan-out of mutation results to `@aws_subscribe` fields.

mod auth;
mod coerce;
mod exec;
mod introspection;
pub(crate) mod realtime;
mod rest;
mod schema;
mod sigv4;
mod spec;
mod todo;

use std::collections::{BTreeMap, HashMap};

use amplify_core::time::SharedTimeSource;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::{Map, Value, json};

pub use rest::RestItems;
pub use spec::{
    ApiKeySpec, AuthMode, GraphQlApiSpec, Identity, LambdaAuthRequest, LambdaAuthResult,
    ResolverContext, ResolverError, RestApiSpec,
};
pub use todo::{TodoStore, sample_todo_schema};

use self::auth::{ApiKey, AuthConfig, JwtConfig, LambdaCache, Refusal};
use self::schema::Schema;
use self::spec::SharedResolver;
use crate::context::Ctx;
use crate::error::EmulatorError;
use crate::state::Store;
use crate::timefmt;
use crate::util::Rng;

/// The account id in ARNs and identities.
pub(crate) const ACCOUNT_ID: &str = "000000000000";

/// A running GraphQL API.
pub(crate) struct GraphQlApi {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) default_mode: AuthMode,
    pub(crate) additional_modes: Vec<AuthMode>,
    pub(crate) auth: AuthConfig,
    pub(crate) schema: Schema,
    pub(crate) sdl: String,
    pub(crate) resolvers: HashMap<(String, String), SharedResolver>,
    pub(crate) todos: Option<TodoStore>,
    /// How often `ka` is sent on realtime connections.
    pub(crate) keep_alive: std::time::Duration,
    /// The `connectionTimeoutMs` of `connection_ack`.
    pub(crate) connection_timeout: std::time::Duration,
}

impl std::fmt::Debug for GraphQlApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphQlApi")
            .field("name", &self.name)
            .field("id", &self.id)
            .field("default_mode", &self.default_mode)
            .field("additional_modes", &self.additional_modes)
            .finish_non_exhaustive()
    }
}

/// The realtime URL of the GraphQL API, `ws://<host>/graphql/realtime`.
pub(crate) fn realtime_url(ctx: &Ctx<'_>) -> String {
    format!(
        "{}/graphql/realtime",
        ctx.endpoint.replacen("http", "ws", 1)
    )
}

impl GraphQlApi {
    /// What executing a document needs, for a caller `identity`.
    pub(crate) fn env<'a>(
        &'a self,
        identity: &'a Identity,
        denied: &'a [String],
        ctx: &Ctx<'_>,
        headers: &'a BTreeMap<String, String>,
        realtime_url: &'a str,
    ) -> exec::Env<'a> {
        exec::Env {
            schema: &self.schema,
            resolvers: &self.resolvers,
            identity,
            default_mode: self.default_mode,
            denied,
            now: ctx.now_time,
            headers,
            realtime_url,
        }
    }
}

/// A running REST API.
#[derive(Debug)]
pub(crate) struct RestApi {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) mode: AuthMode,
    pub(crate) auth: AuthConfig,
    pub(crate) items: RestItems,
}

/// Every API the emulator serves besides Cognito.
#[derive(Debug, Default)]
pub(crate) struct AppSync {
    pub(crate) graphql: Option<GraphQlApi>,
    pub(crate) rest: Vec<RestApi>,
    /// Realtime connections and their subscriptions.
    pub(crate) realtime: realtime::Realtime,
}

/// What building the APIs needs from the rest of the emulator.
pub(crate) struct BuildEnv<'a> {
    /// Ids and keys of the APIs (reproducible with a data directory).
    pub(crate) rng: &'a Rng,
    /// Seeds of the item stores' own generators (item ids at run time).
    pub(crate) store_rng: &'a Rng,
    /// The data directory, when there is one.
    pub(crate) persist: Option<&'a std::sync::Arc<crate::state::persist::Persist>>,
    pub(crate) clock: &'a SharedTimeSource,
    pub(crate) default_region: &'a str,
    pub(crate) first_pool: Option<&'a str>,
    pub(crate) pools: &'a [String],
}

fn invalid(message: String) -> EmulatorError {
    EmulatorError::InvalidSpec(message)
}

fn api_keys(env: &BuildEnv<'_>, specs: &[ApiKeySpec]) -> Vec<ApiKey> {
    let now = env.clock.now();
    specs
        .iter()
        .map(|spec| ApiKey {
            key: spec
                .key
                .clone()
                .unwrap_or_else(|| format!("da2-{}", env.rng.alnum_lower(26))),
            // A lifetime past the end of time never expires.
            expires: now
                .checked_add(spec.expires_in)
                .unwrap_or_else(|| now + std::time::Duration::from_secs(1 << 40)),
        })
        .collect()
}

fn jwt_config(env: &BuildEnv<'_>, jwt: &spec::JwtSettings) -> Result<JwtConfig, EmulatorError> {
    let user_pool_id = match &jwt.user_pool_id {
        Some(id) if !env.pools.contains(id) => {
            return Err(invalid(format!(
                "the API trusts user pool {id}, which the emulator does not have"
            )));
        }
        Some(id) => Some(id.clone()),
        None => env.first_pool.map(str::to_owned),
    };
    Ok(JwtConfig {
        user_pool_id,
        client_ids: jwt.client_ids.clone(),
        oidc_issuer: jwt.oidc_issuer.clone(),
        oidc_client_id: jwt.oidc_client_id.clone(),
    })
}

fn check_modes(
    modes: &[AuthMode],
    jwt: &JwtConfig,
    has_lambda: bool,
    what: &str,
) -> Result<(), EmulatorError> {
    for mode in modes {
        match mode {
            AuthMode::OpenIdConnect if jwt.oidc_issuer.is_none() => {
                return Err(invalid(format!(
                    "{what}: OPENID_CONNECT needs an OIDC issuer (oidc_issuer)"
                )));
            }
            AuthMode::AwsLambda if !has_lambda => {
                return Err(invalid(format!(
                    "{what}: AWS_LAMBDA needs a Lambda authorizer (lambda_authorizer)"
                )));
            }
            AuthMode::AmazonCognitoUserPools if jwt.user_pool_id.is_none() => {
                return Err(invalid(format!(
                    "{what}: AMAZON_COGNITO_USER_POOLS needs a user pool"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl AppSync {
    /// OIDC issuers the APIs trust (the emulator hosts them).
    pub(crate) fn issuers_of(
        graphql: Option<&GraphQlApiSpec>,
        rest: &[RestApiSpec],
    ) -> Vec<String> {
        graphql
            .and_then(|g| g.jwt.oidc_issuer.clone())
            .into_iter()
            .chain(rest.iter().filter_map(|r| r.jwt.oidc_issuer.clone()))
            .collect()
    }

    pub(crate) fn build(
        env: &BuildEnv<'_>,
        graphql: Option<GraphQlApiSpec>,
        rest: Vec<RestApiSpec>,
    ) -> Result<Self, EmulatorError> {
        let graphql = graphql.map(|spec| build_graphql(env, spec)).transpose()?;
        let mut rest_apis: Vec<RestApi> = Vec::with_capacity(rest.len());
        for spec in rest {
            if !valid_name(&spec.name) {
                return Err(invalid(format!(
                    "REST API name {:?}: use letters, digits, - and _",
                    spec.name
                )));
            }
            if rest_apis.iter().any(|r| r.name == spec.name)
                || graphql.as_ref().is_some_and(|g| g.name == spec.name)
            {
                return Err(invalid(format!("two APIs are named {}", spec.name)));
            }
            let jwt = jwt_config(env, &spec.jwt)?;
            check_modes(&[spec.mode], &jwt, spec.lambda.is_some(), &spec.name)?;
            let keys = if spec.mode == AuthMode::ApiKey {
                api_keys(env, &[spec.api_key.clone().unwrap_or_default()])
            } else {
                Vec::new()
            };
            rest_apis.push(RestApi {
                id: env.rng.alnum_lower(10),
                mode: spec.mode,
                auth: AuthConfig {
                    modes: vec![spec.mode],
                    keys,
                    jwt,
                    lambda: spec.lambda.clone(),
                    lambda_ttl: std::time::Duration::ZERO,
                    lambda_cache: LambdaCache::default(),
                    region: spec
                        .region
                        .clone()
                        .unwrap_or_else(|| env.default_region.to_owned()),
                    service: "execute-api",
                },
                items: RestItems::new(
                    Rng::from_seed(env.store_rng.bytes::<32>()),
                    env.persist
                        .map(|p| p.journal(crate::state::persist::kind::REST, &[&spec.name])),
                ),
                name: spec.name,
            });
        }
        Ok(Self {
            graphql,
            rest: rest_apis,
            realtime: realtime::Realtime::default(),
        })
    }
}

impl AppSync {
    /// Puts the data directory's Todo and REST items back.
    ///
    /// # Errors
    ///
    /// A read failure or an item that does not decode.
    pub(crate) fn restore(
        &self,
        persist: &crate::state::persist::Persist,
    ) -> Result<(), crate::error::DataDirError> {
        use crate::state::persist::kind;
        if let Some(todos) = self.graphql.as_ref().and_then(|g| g.todos.as_ref()) {
            todos.restore(persist.items(kind::TODO, None)?);
        }
        for api in &self.rest {
            api.items
                .restore(persist.items(kind::REST, Some(&api.name))?);
        }
        Ok(())
    }
}

fn build_graphql(env: &BuildEnv<'_>, spec: GraphQlApiSpec) -> Result<GraphQlApi, EmulatorError> {
    if !valid_name(&spec.name) {
        return Err(invalid(format!(
            "GraphQL API name {:?}: use letters, digits, - and _",
            spec.name
        )));
    }
    let modes = spec.modes();
    if modes.contains(&AuthMode::None) {
        return Err(invalid(
            "AppSync has no NONE authorization mode; use it for REST APIs".to_owned(),
        ));
    }
    let jwt = jwt_config(env, &spec.jwt)?;
    check_modes(&modes, &jwt, spec.lambda.is_some(), &spec.name)?;
    let (sdl, todos) = match &spec.schema {
        Some(sdl) => (sdl.clone(), None),
        None => (
            sample_todo_schema(&modes),
            Some(TodoStore::new(
                env.clock.clone(),
                Rng::from_seed(env.store_rng.bytes::<32>()),
                env.persist
                    .map(|p| p.journal(crate::state::persist::kind::TODO, &[])),
            )),
        ),
    };
    let schema = Schema::parse(&sdl).map_err(|e| invalid(format!("GraphQL schema: {e}")))?;
    for mode in schema.modes_used() {
        if !modes.contains(&mode) {
            return Err(invalid(format!(
                "the schema uses @{} but {mode} is not one of the API's modes",
                mode.directive().unwrap_or_default()
            )));
        }
    }
    let mut resolvers = HashMap::new();
    if let Some(store) = &todos {
        for (type_name, field, resolver) in todo::resolvers(store) {
            resolvers.insert((type_name, field), resolver);
        }
    }
    for (type_name, field, resolver) in spec.resolvers {
        let known = schema.object(&type_name).and_then(|o| o.field(&field));
        if known.is_none() {
            return Err(invalid(format!(
                "a resolver for {type_name}.{field}, which the schema does not have"
            )));
        }
        resolvers.insert((type_name, field), resolver);
    }
    let mut key_specs = spec.api_keys.clone();
    if modes.contains(&AuthMode::ApiKey) && key_specs.is_empty() {
        key_specs.push(ApiKeySpec::default());
    }
    Ok(GraphQlApi {
        id: env.rng.alnum_lower(26),
        default_mode: spec.default_mode,
        additional_modes: modes.iter().skip(1).copied().collect(),
        auth: AuthConfig {
            modes,
            keys: api_keys(env, &key_specs),
            jwt,
            lambda: spec.lambda,
            lambda_ttl: spec.lambda_ttl,
            lambda_cache: LambdaCache::default(),
            region: spec.region.unwrap_or_else(|| env.default_region.to_owned()),
            service: "appsync",
        },
        schema,
        sdl,
        resolvers,
        todos,
        keep_alive: spec.keep_alive,
        connection_timeout: spec.connection_timeout,
        name: spec.name,
    })
}

fn reply(
    status: StatusCode,
    body: &Value,
    request_id: &str,
    error_type: Option<&str>,
) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    if let Some(kind) = error_type.and_then(|k| HeaderValue::from_str(k).ok()) {
        headers.insert("x-amzn-errortype", kind);
    }
    response
}

/// AppSync's answer to a refused request.
fn graphql_refusal(refusal: &Refusal, request_id: &str) -> Response<Bytes> {
    let (status, code) = match refusal {
        Refusal::Signature(e) => (StatusCode::FORBIDDEN, e.code()),
        _ => (StatusCode::UNAUTHORIZED, "UnauthorizedException"),
    };
    reply(
        status,
        &json!({ "errors": [{ "errorType": code, "message": refusal.appsync_message() }] }),
        request_id,
        Some(code),
    )
}

/// API Gateway's answer to a refused request.
fn rest_refusal(mode: AuthMode, refusal: &Refusal, request_id: &str) -> Response<Bytes> {
    let (status, code, message) = match (mode, refusal) {
        (_, Refusal::Signature(e)) => (StatusCode::FORBIDDEN, e.code(), e.message()),
        (AuthMode::AwsIam, _) => (
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token".to_owned(),
        ),
        (AuthMode::ApiKey, _) => (
            StatusCode::FORBIDDEN,
            "ForbiddenException",
            "Forbidden".to_owned(),
        ),
        (_, Refusal::LambdaDenied) => (
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            "User is not authorized to access this resource".to_owned(),
        ),
        (_, Refusal::TokenExpired) => (
            StatusCode::UNAUTHORIZED,
            "UnauthorizedException",
            "The incoming token has expired".to_owned(),
        ),
        _ => (
            StatusCode::UNAUTHORIZED,
            "UnauthorizedException",
            "Unauthorized".to_owned(),
        ),
    };
    reply(
        status,
        &json!({ "message": message }),
        request_id,
        Some(code),
    )
}

/// `POST /graphql`: authorizes the request (token checks lock `store` only while they run),
/// then executes it.
pub(crate) fn handle_graphql(
    apis: &AppSync,
    ctx: &Ctx<'_>,
    store: &Store,
    request: &Request<Bytes>,
) -> Response<Bytes> {
    let request_id = ctx.rng.uuid();
    let Some(api) = &apis.graphql else {
        return reply(
            StatusCode::NOT_FOUND,
            &json!({ "errors": [{ "errorType": "NotFoundException", "message": "This emulator serves no GraphQL API; add one with EmulatorBuilder::graphql_api." }] }),
            &request_id,
            Some("NotFoundException"),
        );
    };
    if request.method() != Method::POST {
        return reply(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({ "errors": [{ "errorType": "MethodNotAllowed", "message": "Use POST for GraphQL requests." }] }),
            &request_id,
            None,
        );
    }
    let parsed = exec::parse_request(request.body());
    let headers = auth::public_headers(request);
    let lambda_request = |token: &str| {
        let (query, operation_name, variables) = match &parsed {
            Ok(r) => (
                r.query.clone(),
                r.operation_name.clone(),
                r.variables.clone(),
            ),
            Err(_) => (String::new(), None, Map::new()),
        };
        LambdaAuthRequest {
            authorization_token: token.to_owned(),
            api_id: api.id.clone(),
            account_id: ACCOUNT_ID.to_owned(),
            request_id: request_id.clone(),
            query_string: query,
            operation_name,
            variables,
            request_headers: headers.clone(),
        }
    };
    let authorized = match auth::authorize(ctx, store, &api.auth, request, lambda_request) {
        Ok(authorized) => authorized,
        Err(refusal) => {
            tracing::debug!(?refusal, "graphql request refused");
            return graphql_refusal(&refusal, &request_id);
        }
    };
    let graphql_request = match parsed {
        Ok(r) => r,
        Err((status, body)) => return reply(status, &body, &request_id, None),
    };
    let realtime = realtime_url(ctx);
    let env = api.env(
        &authorized.identity,
        &authorized.denied_fields,
        ctx,
        &headers,
        &realtime,
    );
    let (status, body) = exec::run(&env, &graphql_request);
    if status == StatusCode::OK {
        realtime::publish(apis, ctx, &graphql_request, &body);
    }
    reply(status, &body, &request_id, None)
}

/// `/rest/<name>/...`.
pub(crate) fn handle_rest(
    apis: &AppSync,
    ctx: &Ctx<'_>,
    store: &Store,
    request: &Request<Bytes>,
    tail: &str,
) -> Response<Bytes> {
    let request_id = ctx.rng.uuid();
    let (name, rest_path) = match tail.split_once('/') {
        Some((name, rest)) => (name, format!("/{rest}")),
        None => (tail, "/".to_owned()),
    };
    let Some(api) = apis.rest.iter().find(|r| r.name == name) else {
        return reply(
            StatusCode::NOT_FOUND,
            &json!({ "message": "Not Found" }),
            &request_id,
            Some("NotFoundException"),
        );
    };
    let identity = if api.mode == AuthMode::None {
        Identity::Anonymous
    } else {
        let headers = auth::public_headers(request);
        let lambda_request = |token: &str| LambdaAuthRequest {
            authorization_token: token.to_owned(),
            api_id: api.id.clone(),
            account_id: ACCOUNT_ID.to_owned(),
            request_id: request_id.clone(),
            query_string: format!("{} {rest_path}", request.method()),
            operation_name: None,
            variables: Map::new(),
            request_headers: headers.clone(),
        };
        match auth::authorize(ctx, store, &api.auth, request, lambda_request) {
            Ok(authorized) => authorized.identity,
            Err(refusal) => {
                tracing::debug!(?refusal, api = api.name, "rest request refused");
                return rest_refusal(api.mode, &refusal, &request_id);
            }
        }
    };
    let (status, body) = rest::route(&api.items, request, &rest_path, &identity);
    let error_type = (status == StatusCode::NOT_FOUND).then_some("NotFoundException");
    reply(status, &body, &request_id, error_type)
}

/// An injected fault in the shape of the GraphQL or REST endpoint (`None` for other operations):
/// `internal` gives a 500, otherwise throttling (429).
pub(crate) fn fault_response(operation: &str, internal: bool) -> Option<Response<Bytes>> {
    let (status, code, message) = if internal {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailureException",
            "Injected fault: internal error.",
        )
    } else {
        (
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequestsException",
            "Too Many Requests",
        )
    };
    let body = match operation {
        "graphql" | "realtime-connect" => {
            json!({ "errors": [{ "errorType": code, "message": message }] })
        }
        "rest" => json!({ "message": message }),
        _ => return None,
    };
    Some(reply(status, &body, "0", Some(code)))
}

/// What the configuration documents say about the APIs.
#[derive(Debug, Clone)]
pub(crate) struct ApiLayout {
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) default_mode: AuthMode,
    pub(crate) additional_modes: Vec<AuthMode>,
    /// The API key the documents carry (the first one, when `API_KEY` is a mode).
    pub(crate) api_key: Option<String>,
    pub(crate) rest: bool,
}

impl AppSync {
    pub(crate) fn layout(&self) -> Vec<ApiLayout> {
        let graphql = self.graphql.iter().map(|api| ApiLayout {
            name: api.name.clone(),
            region: api.auth.region.clone(),
            default_mode: api.default_mode,
            additional_modes: api.additional_modes.clone(),
            api_key: if api.auth.modes.contains(&AuthMode::ApiKey) {
                api.auth.keys.first().map(|k| k.key.clone())
            } else {
                None
            },
            rest: false,
        });
        let rest = self.rest.iter().map(|api| ApiLayout {
            name: api.name.clone(),
            region: api.auth.region.clone(),
            default_mode: api.mode,
            additional_modes: Vec::new(),
            api_key: api.auth.keys.first().map(|k| k.key.clone()),
            rest: true,
        });
        graphql.chain(rest).collect()
    }

    /// Every API key of the GraphQL API, with its expiry.
    pub(crate) fn api_keys(&self) -> Vec<(String, std::time::SystemTime)> {
        self.graphql
            .iter()
            .flat_map(|g| g.auth.keys.iter())
            .map(|k| (k.key.clone(), k.expires))
            .collect()
    }
}

/// A description of the API for tools: `GET /_emulator/graphql`.
pub(crate) fn describe(api: &GraphQlApi, url: &str) -> Value {
    let keys: Vec<Value> = api
        .auth
        .keys
        .iter()
        .map(|k| json!({ "key": k.key, "expires": timefmt::epoch_secs(k.expires) }))
        .collect();
    let modes: BTreeMap<&str, bool> = api.auth.modes.iter().map(|m| (m.as_str(), true)).collect();
    json!({
        "name": api.name,
        "apiId": api.id,
        "url": url,
        "region": api.auth.region,
        "defaultAuthorizationType": api.default_mode.as_str(),
        "additionalAuthorizationTypes": api.additional_modes.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "modes": modes,
        "apiKeys": keys,
        "userPoolId": api.auth.jwt.user_pool_id,
        "oidcIssuer": api.auth.jwt.oidc_issuer,
        "schema": api.sdl,
    })
}
