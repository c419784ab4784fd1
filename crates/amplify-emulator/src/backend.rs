//! The emulator's state machine behind the socket: a sans-IO [`Backend`] that turns an
//! `http::Request<Bytes>` into an `http::Response<Bytes>`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use amplify_core::time::SharedTimeSource;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::{Map, Value, json};

use crate::appsync::{self, AppSync, GraphQlApiSpec, RestApiSpec};
use crate::credentials::CredentialStore;
use crate::error::{CognitoError, EmulatorError, ErrorKind};
use crate::faults::{Fault, Faults, RequestCounters};
use crate::identity_pool::{self, IdentityPool, IdentityPools};
use crate::jwt::{self, Keys};
use crate::oidc::{OidcIssuer, OidcToken};
use crate::outbox::Outbox;
use crate::protocol::{self, Input, Service};
use crate::spec::{AppClientSpec, IdentityPoolSpec, UserPoolSpec};
use crate::timefmt::{epoch_f64, epoch_secs};
use crate::user_pool::{self, Client, Group, Pool, PoolSettings, UserPools, tokens};
use crate::util::Rng;
use crate::verify::{TokenError, VerifiedToken};

/// An operation: request members and state in, response members or a Cognito error out.
pub(crate) type Op = fn(&Ctx<'_>, &mut State, Input<'_>) -> Result<Value, CognitoError>;

/// All mutable state, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) user_pools: UserPools,
    pub(crate) identity: IdentityPools,
}

/// What an operation may use besides the state: the clock reading, randomness, keys, outbox.
pub(crate) struct Ctx<'a> {
    pub(crate) now: i64,
    pub(crate) now_f64: f64,
    pub(crate) now_time: SystemTime,
    pub(crate) rng: &'a Rng,
    pub(crate) keys: &'a Keys,
    pub(crate) outbox: &'a Outbox,
    pub(crate) endpoint: &'a str,
    pub(crate) credentials: &'a CredentialStore,
    pub(crate) issuers: &'a [OidcIssuer],
}

/// What the configuration documents describe: ids and settings of the pools, in spec order.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) user_pools: Vec<PoolLayout>,
    pub(crate) identity_pools: Vec<(String, String, bool)>,
    /// The GraphQL API (first) and the REST APIs.
    pub(crate) apis: Vec<appsync::ApiLayout>,
}

/// One user pool in the layout.
#[derive(Debug, Clone)]
pub(crate) struct PoolLayout {
    pub(crate) id: String,
    pub(crate) region: String,
    /// (client id, secret).
    pub(crate) clients: Vec<(String, Option<String>)>,
    pub(crate) settings: PoolSettings,
    pub(crate) groups: Vec<(String, Option<i64>)>,
}

struct Inner {
    state: Mutex<State>,
    clock: SharedTimeSource,
    rng: Rng,
    keys: Keys,
    outbox: Outbox,
    faults: Faults,
    counters: RequestCounters,
    credentials: CredentialStore,
    issuers: Vec<OidcIssuer>,
    endpoint: Mutex<String>,
    layout: Layout,
    appsync: AppSync,
    panics: Mutex<Vec<String>>,
}

/// The emulator without its socket: state, clock, outbox, faults and counters behind a
/// cheap-to-clone handle. [`Backend::handle`] answers HTTP requests without any IO, which is how
/// the fuzz target and unit tests drive it.
#[derive(Clone)]
pub struct Backend {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("endpoint", &self.endpoint())
            .field(
                "user_pools",
                &self
                    .inner
                    .layout
                    .user_pools
                    .iter()
                    .map(|p| &p.id)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// What the builder hands over.
pub(crate) struct BuildParts {
    pub(crate) user_pools: Vec<UserPoolSpec>,
    pub(crate) identity_pools: Vec<IdentityPoolSpec>,
    pub(crate) oidc_issuers: Vec<String>,
    pub(crate) clock: SharedTimeSource,
    pub(crate) rng_seed: Option<[u8; 32]>,
    pub(crate) endpoint: String,
    pub(crate) graphql_api: Option<GraphQlApiSpec>,
    pub(crate) rest_apis: Vec<RestApiSpec>,
}

fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

fn secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

impl Backend {
    pub(crate) fn build(parts: BuildParts) -> Result<Self, EmulatorError> {
        let rng = match parts.rng_seed {
            Some(seed) => Rng::from_seed(seed),
            None => Rng::from_os()?,
        };
        let keys = Keys::load()?;
        let mut issuers: Vec<OidcIssuer> = vec![OidcIssuer::new("https://accounts.google.com")];
        let api_issuers = AppSync::issuers_of(parts.graphql_api.as_ref(), &parts.rest_apis);
        for issuer in parts.oidc_issuers.iter().chain(&api_issuers) {
            let issuer = OidcIssuer::new(issuer);
            if issuer.provider_name.is_empty() {
                return Err(EmulatorError::InvalidSpec(
                    "an OIDC issuer needs a host".to_owned(),
                ));
            }
            if !issuers.contains(&issuer) {
                issuers.push(issuer);
            }
        }
        let outbox = Outbox::default();
        let credentials = CredentialStore::default();
        let mut state = State::default();
        let mut layout = Layout {
            user_pools: Vec::new(),
            identity_pools: Vec::new(),
            apis: Vec::new(),
        };
        let now_time = parts.clock.now();
        let ctx = Ctx {
            now: epoch_secs(now_time),
            now_f64: epoch_f64(now_time),
            now_time,
            rng: &rng,
            keys: &keys,
            outbox: &outbox,
            endpoint: &parts.endpoint,
            credentials: &credentials,
            issuers: &issuers,
        };
        for spec in &parts.user_pools {
            let (mut pool, order) = build_pool(&ctx, spec)?;
            if state.user_pools.pools.contains_key(&pool.id) {
                return Err(EmulatorError::InvalidSpec(format!(
                    "duplicate user pool id {}",
                    pool.id
                )));
            }
            let clients_in_use: BTreeSet<&String> = state
                .user_pools
                .pools
                .values()
                .flat_map(|p| p.clients.keys())
                .collect();
            if let Some(dup) = pool.clients.keys().find(|c| clients_in_use.contains(c)) {
                return Err(EmulatorError::InvalidSpec(format!(
                    "duplicate app client id {dup}"
                )));
            }
            layout.user_pools.push(PoolLayout {
                id: pool.id.clone(),
                region: pool.region.clone(),
                clients: order
                    .iter()
                    .filter_map(|id| pool.clients.get(id))
                    .map(|c| (c.id.clone(), c.secret.clone()))
                    .collect(),
                settings: pool.settings.clone(),
                groups: pool
                    .groups
                    .values()
                    .map(|g| (g.name.clone(), g.precedence))
                    .collect(),
            });
            for user in &spec.users {
                user_pool::create_user_direct(
                    &ctx,
                    &mut pool,
                    user_pool::DirectUser {
                        username: &user.username,
                        password: &user.password,
                        attributes: user
                            .attributes
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                        status: user.status,
                        groups: &user.groups,
                        enabled: user.enabled,
                        sms_mfa: user.sms_mfa,
                    },
                )
                .map_err(EmulatorError::Admin)?;
            }
            state.user_pools.pools.insert(pool.id.clone(), pool);
        }
        let default_region = layout
            .user_pools
            .first()
            .map_or_else(|| "us-east-1".to_owned(), |p| p.region.clone());
        for spec in &parts.identity_pools {
            let region = spec
                .region
                .clone()
                .unwrap_or_else(|| default_region.clone());
            if !valid_region(&region) {
                return Err(EmulatorError::InvalidSpec(format!(
                    "invalid region {region:?}"
                )));
            }
            let id = spec
                .id
                .clone()
                .unwrap_or_else(|| format!("{region}:{}", rng.uuid()));
            let valid_id = id.split_once(':').is_some_and(|(r, rest)| {
                r == region
                    && !rest.is_empty()
                    && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            if !valid_id {
                return Err(EmulatorError::InvalidSpec(format!(
                    "identity pool id {id:?} must look like \"{region}:<uuid>\""
                )));
            }
            layout
                .identity_pools
                .push((id.clone(), region.clone(), spec.allow_guests));
            state.identity.pools.insert(
                id.clone(),
                IdentityPool {
                    id,
                    region,
                    spec: spec.clone(),
                },
            );
        }
        let pool_ids: Vec<String> = layout.user_pools.iter().map(|p| p.id.clone()).collect();
        let appsync = AppSync::build(
            &appsync::BuildEnv {
                rng: &rng,
                clock: &parts.clock,
                default_region: &default_region,
                first_pool: pool_ids.first().map(String::as_str),
                pools: &pool_ids,
            },
            parts.graphql_api,
            parts.rest_apis,
        )?;
        layout.apis = appsync.layout();
        Ok(Self {
            inner: Arc::new(Inner {
                state: Mutex::new(state),
                clock: parts.clock,
                rng,
                keys,
                outbox,
                faults: Faults::default(),
                counters: RequestCounters::default(),
                credentials,
                issuers,
                endpoint: Mutex::new(parts.endpoint),
                layout,
                appsync,
                panics: Mutex::new(Vec::new()),
            }),
        })
    }

    pub(crate) fn set_endpoint(&self, endpoint: String) {
        *self
            .inner
            .endpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = endpoint;
    }

    /// The endpoint URL token issuers are built from (`http://127.0.0.1:<port>`).
    pub fn endpoint(&self) -> String {
        self.inner
            .endpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn record_panic(&self, message: String) {
        self.inner
            .panics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
    }

    /// Panics caught while serving requests (a panicking custom auth trigger, for example).
    pub fn panics(&self) -> Vec<String> {
        self.inner
            .panics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.inner.layout
    }

    pub(crate) fn appsync(&self) -> &AppSync {
        &self.inner.appsync
    }

    /// A fresh request id.
    pub(crate) fn request_id(&self) -> String {
        self.inner.rng.uuid()
    }

    /// The answer an injected fault replaces the real one with (`None`: the fault does not
    /// replace the answer, e.g. a delay).
    pub(crate) fn injected_response(
        &self,
        operation: &str,
        fault: &Fault,
    ) -> Option<Response<Bytes>> {
        let request_id = self.request_id();
        let (kind, message) = match fault {
            Fault::InternalError => (
                ErrorKind::InternalError,
                "Injected fault: internal error.".to_owned(),
            ),
            // Cognito's throttling message.
            Fault::Throttle => (ErrorKind::TooManyRequests, "Rate exceeded".to_owned()),
            Fault::ServiceError(kind) => (*kind, format!("Injected fault: {kind}.")),
            Fault::UnknownOperation => return Some(unknown_operation_response(&request_id)),
            Fault::HtmlError(status) => return Some(html_error_response(*status)),
            Fault::Delay(_) | Fault::DropConnection | Fault::TruncatedBody => return None,
        };
        let appsync_shape = match kind {
            ErrorKind::InternalError => appsync::fault_response(operation, true),
            ErrorKind::TooManyRequests => appsync::fault_response(operation, false),
            _ => None,
        };
        Some(
            appsync_shape
                .unwrap_or_else(|| error_response(&CognitoError::new(kind, message), &request_id)),
        )
    }

    /// The outbox.
    pub fn outbox(&self) -> &Outbox {
        &self.inner.outbox
    }

    /// The fault table.
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// The request counters.
    pub fn counters(&self) -> &RequestCounters {
        &self.inner.counters
    }

    /// The AWS credentials the identity pools issued.
    pub fn credentials(&self) -> &CredentialStore {
        &self.inner.credentials
    }

    /// The emulator's clock.
    pub fn clock(&self) -> &SharedTimeSource {
        &self.inner.clock
    }

    /// Runs `f` with the state locked and a context read from the clock now.
    fn with_state<R>(&self, f: impl FnOnce(&Ctx<'_>, &mut State) -> R) -> R {
        let now_time = self.inner.clock.now();
        let endpoint = self.endpoint();
        let ctx = Ctx {
            now: epoch_secs(now_time),
            now_f64: epoch_f64(now_time),
            now_time,
            rng: &self.inner.rng,
            keys: &self.inner.keys,
            outbox: &self.inner.outbox,
            endpoint: &endpoint,
            credentials: &self.inner.credentials,
            issuers: &self.inner.issuers,
        };
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&ctx, &mut state)
    }

    /// Runs `f` on one user pool with the state locked.
    pub(crate) fn with_user_pool<R>(
        &self,
        pool_id: &str,
        f: impl FnOnce(&Ctx<'_>, &mut Pool) -> Result<R, CognitoError>,
    ) -> Result<R, CognitoError> {
        self.with_state(|ctx, st| f(ctx, st.user_pools.pool_mut(pool_id)?))
    }

    /// The developer provider name of an identity pool.
    pub(crate) fn developer_provider(
        &self,
        identity_pool_id: &str,
    ) -> Result<String, CognitoError> {
        self.with_state(|_, st| {
            st.identity
                .pools
                .get(identity_pool_id)
                .and_then(|p| p.spec.developer_provider_name.clone())
                .ok_or_else(|| {
                    CognitoError::resource_not_found("The identity pool has no developer provider.")
                })
        })
    }

    /// Runs one AWS JSON operation by name (`InitiateAuth`, `GetId`, `AdminCreateUser`, ...),
    /// exactly as if it came over HTTP (minus faults and counters).
    ///
    /// # Errors
    ///
    /// The [`CognitoError`] the operation answers with.
    pub fn call(&self, operation: &str, request: &Value) -> Result<Value, CognitoError> {
        let op = find_operation(operation).ok_or_else(|| unknown_operation(operation))?;
        let members = match request {
            Value::Object(map) => map.clone(),
            Value::Null => Map::new(),
            _ => {
                return Err(CognitoError::serialization(
                    "The request must be a JSON object.",
                ));
            }
        };
        self.with_state(|ctx, st| op(ctx, st, Input::new(&members)))
    }

    /// Answers an AWS JSON 1.1 request given its `X-Amz-Target` and body.
    pub fn handle_aws_json(&self, target: &str, body: &[u8]) -> Response<Bytes> {
        let request_id = self.inner.rng.uuid();
        let op =
            protocol::parse_target(target).and_then(|(service, name)| operation_in(service, name));
        let Some(op) = op else {
            return unknown_operation_response(&request_id);
        };
        let result = protocol::parse_body(body)
            .and_then(|members| self.with_state(|ctx, st| op(ctx, st, Input::new(&members))));
        match result {
            Ok(value) => aws_response(StatusCode::OK, &value, &request_id, None),
            Err(e) => error_response(&e, &request_id),
        }
    }

    /// Answers any HTTP request: AWS JSON 1.1 on `POST` with `X-Amz-Target`, the JWKS and
    /// OpenID configuration of each pool, and the `/_emulator/...` endpoints.
    pub fn handle(&self, request: &Request<Bytes>) -> Response<Bytes> {
        let mut response = self.route(request);
        add_cors_headers(request, &mut response);
        response
    }

    fn route(&self, request: &Request<Bytes>) -> Response<Bytes> {
        let path = request.uri().path();
        if request.method() == Method::OPTIONS {
            let mut response = Response::new(Bytes::new());
            *response.status_mut() = StatusCode::NO_CONTENT;
            return response;
        }
        if path == "/graphql" {
            return self.handle_graphql(request);
        }
        if let Some(tail) = path.strip_prefix("/rest/") {
            return self.handle_rest(request, tail);
        }
        if request.method() == Method::POST
            && (request.headers().contains_key("x-amz-target") || path == "/" || path.is_empty())
        {
            let target = request
                .headers()
                .get("x-amz-target")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
            return self.handle_aws_json(&target, request.body());
        }
        let query = request.uri().query().unwrap_or_default();
        match (request.method(), route_path(path)) {
            (&Method::GET, Route::Health) => {
                json_response(StatusCode::OK, &json!({"status": "ok"}))
            }
            (&Method::GET, Route::Outbox) => {
                let who = query_param(query, "to").or_else(|| query_param(query, "username"));
                json_response(StatusCode::OK, &self.inner.outbox.to_json(who.as_deref()))
            }
            (&Method::GET, Route::FederationJwks) => json_response(
                StatusCode::OK,
                &json!({ "keys": [self.inner.keys.federation.jwk()] }),
            ),
            (&Method::POST, Route::MintOidc) => self.mint_over_http(request.body()),
            (&Method::GET, Route::GraphQlApi) => match &self.inner.appsync.graphql {
                Some(api) => {
                    json_response(StatusCode::OK, &appsync::describe(api, &self.graphql_url()))
                }
                None => json_response(
                    StatusCode::NOT_FOUND,
                    &json!({"message": "This emulator serves no GraphQL API."}),
                ),
            },
            (&Method::GET, Route::Jwks(pool)) if self.has_user_pool(pool) => json_response(
                StatusCode::OK,
                &json!({ "keys": [self.inner.keys.user_pool.jwk()] }),
            ),
            (&Method::GET, Route::OpenIdConfiguration(pool)) if self.has_user_pool(pool) => {
                json_response(StatusCode::OK, &self.openid_configuration(pool))
            }
            (_, Route::NotFound) | (&Method::GET, _) => {
                json_response(StatusCode::NOT_FOUND, &json!({"message": "Not Found"}))
            }
            _ => json_response(
                StatusCode::METHOD_NOT_ALLOWED,
                &json!({"message": "Method Not Allowed"}),
            ),
        }
    }

    /// The name counters and faults use for a request.
    pub(crate) fn operation_of(method: &Method, path: &str, target: Option<&[u8]>) -> String {
        if method == Method::OPTIONS {
            return "preflight".to_owned();
        }
        if let Some(target) = target {
            let target = String::from_utf8_lossy(target);
            return match target.split_once('.') {
                Some((_, op)) => op.to_owned(),
                None => target.into_owned(),
            };
        }
        if path == "/graphql" {
            return "graphql".to_owned();
        }
        if path.starts_with("/rest/") {
            return "rest".to_owned();
        }
        match (method, route_path(path)) {
            (_, Route::Health) => "health".to_owned(),
            (_, Route::GraphQlApi) => "graphql-api".to_owned(),
            (_, Route::Outbox) => "outbox".to_owned(),
            (_, Route::FederationJwks) => "oidc-jwks".to_owned(),
            (_, Route::MintOidc) => "oidc-token".to_owned(),
            (_, Route::Jwks(_)) => "jwks".to_owned(),
            (_, Route::OpenIdConfiguration(_)) => "openid-configuration".to_owned(),
            (_, Route::NotFound) => "other".to_owned(),
        }
    }

    fn has_user_pool(&self, pool_id: &str) -> bool {
        self.inner.layout.user_pools.iter().any(|p| p.id == pool_id)
    }

    fn openid_configuration(&self, pool_id: &str) -> Value {
        let issuer = format!("{}/{pool_id}", self.endpoint());
        json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{issuer}/oauth2/authorize"),
            "token_endpoint": format!("{issuer}/oauth2/token"),
            "userinfo_endpoint": format!("{issuer}/oauth2/userInfo"),
            "response_types_supported": ["code", "token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })
    }

    fn mint_over_http(&self, body: &[u8]) -> Response<Bytes> {
        let parsed = protocol::parse_body(body).and_then(|members| {
            let input = Input::new(&members);
            let mut token = OidcToken::new(input.str("issuer")?, input.str("sub")?);
            if let Some(aud) = input.opt_str("aud")? {
                token = token.audience(aud);
            }
            if let Some(secs) = input.opt_i64("validity_seconds")? {
                token = token.validity(std::time::Duration::from_secs(secs.unsigned_abs()));
            }
            if let Some(Value::Object(claims)) = members.get("claims") {
                for (k, v) in claims {
                    token = token.claim(k.clone(), v.clone());
                }
            }
            self.mint_oidc_token(&token)
        });
        match parsed {
            Ok(token) => json_response(StatusCode::OK, &json!({ "token": token })),
            Err(e) => error_response(&e, &self.inner.rng.uuid()),
        }
    }

    /// Mints a token from one of the emulator's OIDC issuers (`accounts.google.com` is always
    /// there; add others with `EmulatorBuilder::oidc_issuer`).
    ///
    /// # Errors
    ///
    /// `InvalidParameterException` when the issuer is not hosted by the emulator.
    pub fn mint_oidc_token(&self, token: &OidcToken) -> Result<String, CognitoError> {
        let wanted = OidcIssuer::new(&token.issuer);
        let issuer = self
            .inner
            .issuers
            .iter()
            .find(|i| i.provider_name == wanted.provider_name)
            .ok_or_else(|| {
                CognitoError::invalid_parameter(format!(
                    "The emulator hosts no OIDC issuer {}; add it with EmulatorBuilder::oidc_issuer.",
                    token.issuer
                ))
            })?;
        let now = epoch_secs(self.inner.clock.now());
        self.inner
            .keys
            .federation
            .sign(&token.claims_at(issuer, now))
    }

    /// Verifies a user pool ID or access token: signature, issuer, expiry (emulator clock),
    /// revocation and global sign-out, and that the user still exists and is enabled.
    ///
    /// # Errors
    ///
    /// [`TokenError`] says why the token is refused.
    pub fn verify_user_pool_token(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.with_state(|ctx, st| {
            let checked = tokens::check(ctx, &st.user_pools, token, None)?;
            Ok(VerifiedToken::from_user_pool(checked))
        })
    }

    /// Verifies a token from one of the emulator's OIDC issuers, or an identity-pool OpenID token.
    ///
    /// # Errors
    ///
    /// [`TokenError`] says why the token is refused.
    pub fn verify_oidc_token(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.with_state(|ctx, _| {
            let decoded = jwt::decode(token).ok_or(TokenError::Malformed)?;
            let iss = decoded
                .claim_str("iss")
                .ok_or(TokenError::UnknownIssuer)?
                .to_owned();
            let known = iss == identity_pool::COGNITO_IDENTITY_ISSUER
                || ctx.issuers.iter().any(|i| i.issuer == iss);
            if !known {
                return Err(TokenError::UnknownIssuer);
            }
            if !decoded.verify_with(&ctx.keys.federation) {
                return Err(TokenError::BadSignature);
            }
            if decoded.claim_i64("exp").is_none_or(|exp| exp <= ctx.now) {
                return Err(TokenError::Expired);
            }
            Ok(VerifiedToken::from_oidc(iss, decoded.claims))
        })
    }

    /// The public JWKS of the user pools (all pools share the development key).
    pub fn user_pool_jwks(&self) -> Value {
        json!({ "keys": [self.inner.keys.user_pool.jwk()] })
    }

    /// The public JWKS of the OIDC issuers and identity-pool OpenID tokens.
    pub fn federation_jwks(&self) -> Value {
        json!({ "keys": [self.inner.keys.federation.jwk()] })
    }
}

/// The longest `RetryGracePeriodSeconds` Cognito accepts.
pub(crate) const MAX_ROTATION_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Builds a pool; also returns its client ids in spec order.
fn build_pool(ctx: &Ctx<'_>, spec: &UserPoolSpec) -> Result<(Pool, Vec<String>), EmulatorError> {
    if !valid_region(&spec.region) {
        return Err(EmulatorError::InvalidSpec(format!(
            "invalid region {:?}",
            spec.region
        )));
    }
    let id = spec
        .id
        .clone()
        .unwrap_or_else(|| format!("{}_{}", spec.region, ctx.rng.alnum(9)));
    let name = match id.split_once('_') {
        Some((region, name))
            if region == spec.region
                && !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            name.to_owned()
        }
        _ => {
            return Err(EmulatorError::InvalidSpec(format!(
                "user pool id {id:?} must look like \"{}_<letters and digits>\"",
                spec.region
            )));
        }
    };
    let policy = &spec.password_policy;
    if !(6..=99).contains(&policy.min_length) {
        return Err(EmulatorError::InvalidSpec(
            "password min_length must be 6 to 99".to_owned(),
        ));
    }
    for attribute in spec
        .required_attributes
        .iter()
        .chain(&spec.auto_verified_attributes)
    {
        if attribute.starts_with("custom:") {
            return Err(EmulatorError::InvalidSpec(format!(
                "{attribute}: only standard attributes can be required or auto-verified"
            )));
        }
    }
    let mut clients = BTreeMap::new();
    let mut order = Vec::new();
    let default_client = [AppClientSpec::default()];
    let client_specs: &[AppClientSpec] = if spec.clients.is_empty() {
        &default_client
    } else {
        &spec.clients
    };
    for c in client_specs {
        let id = c.id.clone().unwrap_or_else(|| ctx.rng.alnum_lower(26));
        if clients.contains_key(&id) {
            return Err(EmulatorError::InvalidSpec(format!(
                "duplicate app client id {id}"
            )));
        }
        order.push(id.clone());
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(EmulatorError::InvalidSpec(format!(
                "invalid app client id {id:?}"
            )));
        }
        // API reference, `RefreshTokenRotationType.RetryGracePeriodSeconds`: "Valid Range:
        // Minimum value of 0. Maximum value of 60."
        if c.rotation_grace_period > MAX_ROTATION_GRACE {
            return Err(EmulatorError::InvalidSpec(format!(
                "app client {id}: rotation_grace_period is {:?}, but Cognito's RetryGracePeriodSeconds allows 0 to 60 seconds",
                c.rotation_grace_period
            )));
        }
        let secret = c
            .secret
            .clone()
            .or_else(|| c.generate_secret.then(|| ctx.rng.alnum_lower(51)));
        clients.insert(
            id.clone(),
            Client {
                id,
                name: c.name.clone(),
                secret,
                auth_flows: c.auth_flows.clone(),
                refresh_token_rotation: c.refresh_token_rotation,
                rotation_grace_period: secs(c.rotation_grace_period),
                access_token_validity: secs(c.access_token_validity).max(1),
                id_token_validity: secs(c.id_token_validity).max(1),
                refresh_token_validity: secs(c.refresh_token_validity).max(1),
                auth_session_validity: secs(c.auth_session_validity).max(1),
                prevent_user_existence_errors: c.prevent_user_existence_errors,
            },
        );
    }
    let groups = spec
        .groups
        .iter()
        .map(|g| {
            (
                g.name.clone(),
                Group {
                    name: g.name.clone(),
                    precedence: g.precedence,
                    role_arn: g.role_arn.clone(),
                },
            )
        })
        .collect();
    let pool = Pool {
        id,
        name,
        region: spec.region.clone(),
        settings: PoolSettings {
            password_policy: spec.password_policy.clone(),
            required_attributes: spec.required_attributes.clone(),
            username_attributes: spec.username_attributes.clone(),
            auto_verified_attributes: spec.auto_verified_attributes.clone(),
            custom_attributes: spec.custom_attributes.iter().cloned().collect(),
            mfa: spec.mfa,
            mfa_methods: spec.mfa_methods.clone(),
            code_validity: secs(spec.code_validity),
            reset_code_validity: secs(spec.reset_code_validity),
            mfa_code_validity: secs(spec.mfa_code_validity),
            max_code_attempts: spec.max_code_attempts,
        },
        clients,
        groups,
        users: BTreeMap::new(),
        triggers: spec.triggers.clone(),
    };
    Ok((pool, order))
}

fn find_operation(name: &str) -> Option<Op> {
    operation_in(Service::UserPools, name).or_else(|| operation_in(Service::Identity, name))
}

fn operation_in(service: Service, name: &str) -> Option<Op> {
    let table = match service {
        Service::UserPools => user_pool::OPERATIONS,
        Service::Identity => identity_pool::OPERATIONS,
    };
    table.iter().find(|(n, _)| *n == name).map(|(_, op)| *op)
}

/// Every operation name the emulator implements, with its full `X-Amz-Target`.
pub fn supported_targets() -> Vec<String> {
    user_pool::OPERATIONS
        .iter()
        .map(|(n, _)| format!("AWSCognitoIdentityProviderService.{n}"))
        .chain(
            identity_pool::OPERATIONS
                .iter()
                .map(|(n, _)| format!("AWSCognitoIdentityService.{n}")),
        )
        .collect()
}

fn unknown_operation(target: &str) -> CognitoError {
    let shown: String = target.chars().take(128).collect();
    CognitoError::new(
        ErrorKind::UnknownOperation,
        if shown.is_empty() {
            "Missing X-Amz-Target header.".to_owned()
        } else {
            format!("Unknown operation {shown}")
        },
    )
}

enum Route<'a> {
    Health,
    Outbox,
    FederationJwks,
    MintOidc,
    GraphQlApi,
    Jwks(&'a str),
    OpenIdConfiguration(&'a str),
    NotFound,
}

fn route_path(path: &str) -> Route<'_> {
    match path {
        "/_emulator/health" => return Route::Health,
        "/_emulator/outbox" => return Route::Outbox,
        "/_emulator/oidc/jwks.json" => return Route::FederationJwks,
        "/_emulator/oidc/token" => return Route::MintOidc,
        "/_emulator/graphql" => return Route::GraphQlApi,
        _ => {}
    }
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    if let Some(pool) = trimmed.strip_suffix("/.well-known/jwks.json")
        && !pool.contains('/')
    {
        return Route::Jwks(pool);
    }
    if let Some(pool) = trimmed.strip_suffix("/.well-known/openid-configuration")
        && !pool.contains('/')
    {
        return Route::OpenIdConfiguration(pool);
    }
    Route::NotFound
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lets browser apps (amplify-js in a page) call the emulator from any origin.
fn add_cors_headers(request: &Request<Bytes>, response: &mut Response<Bytes>) {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"),
    );
    if request.method() == Method::OPTIONS {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"),
        );
        let allowed = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("*"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allowed);
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn aws_response(
    status: StatusCode,
    body: &Value,
    request_id: &str,
    error_type: Option<&'static str>,
) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    if let Some(kind) = error_type {
        headers.insert("x-amzn-errortype", HeaderValue::from_static(kind));
    }
    response
}

/// The `__type` AWS's request router (Coral) sends for an `X-Amz-Target` the service does not
/// implement.
const CORAL_UNKNOWN_OPERATION: &str = "com.amazon.coral.service#UnknownOperationException";

/// The answer to an operation the endpoint does not implement: HTTP 400 with the body
/// `{"__type":"com.amazon.coral.service#UnknownOperationException"}`, no message and no
/// `x-amzn-ErrorType`. This is the router's answer, not the service's: captured AWS JSON
/// answers carry the fully qualified Coral type and no message (aws/aws-sdk-go#3689 shows
/// `{"__type":"com.amazon.coral.service#UnknownOperationException"}` inside an RPC envelope;
/// Kinesis through the Java SDK reports "null (Status Code: 400; Error Code:
/// UnknownOperationException)", mhart/kinesalite#95). Whether Cognito's router also sets
/// `x-amzn-ErrorType` is unverified; SDKs read the code from `__type` either way, stripping
/// the namespace before `#`.
pub(crate) fn unknown_operation_response(request_id: &str) -> Response<Bytes> {
    aws_response(
        StatusCode::BAD_REQUEST,
        &json!({ "__type": CORAL_UNKNOWN_OPERATION }),
        request_id,
        None,
    )
}

/// A proxy's HTML error page (a load balancer or captive portal in front of the endpoint).
pub(crate) fn html_error_response(status: u16) -> Response<Bytes> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let title = format!(
        "{} {}",
        status.as_str(),
        status.canonical_reason().unwrap_or("Error")
    );
    let mut response = Response::new(Bytes::from(format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// A Cognito error as sent on the wire.
pub(crate) fn error_response(error: &CognitoError, request_id: &str) -> Response<Bytes> {
    if error.kind() == ErrorKind::UnknownOperation {
        return unknown_operation_response(request_id);
    }
    let status = StatusCode::from_u16(error.kind().status()).unwrap_or(StatusCode::BAD_REQUEST);
    aws_response(
        status,
        &error.to_body(),
        request_id,
        Some(error.kind().as_str()),
    )
}

#[cfg(test)]
mod tests;
