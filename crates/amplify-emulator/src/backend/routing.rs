//! Routing: which handler answers a request (AWS JSON 1.1, the GraphQL and REST APIs, JWKS and
//! OpenID configuration, the `/_emulator/...` endpoints), CORS, and query-string decoding.

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::{Value, json};

use super::Backend;
use crate::appsync;
use crate::config_docs;
use crate::console;
use crate::oauth;
use crate::oidc::OidcToken;
use crate::protocol::{self, Input, error_response};

impl Backend {
    /// Answers any HTTP request: AWS JSON 1.1 on `POST` with `X-Amz-Target`, the JWKS and
    /// OpenID configuration of each pool, and the `/_emulator/...` endpoints.
    pub fn handle(&self, request: &Request<Bytes>) -> Response<Bytes> {
        // The console is loopback-only and same-origin: no CORS headers, no preflight.
        if console::is_console_path(request.uri().path()) {
            return console::handle(self, request);
        }
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
        if oauth::operation_name(path).is_some() {
            return self.with_state(|ctx, st| oauth::handle(ctx, st, request));
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
            (&Method::GET, Route::AmplifyOutputs) => json_response(
                StatusCode::OK,
                &config_docs::gen2(self.layout(), &self.endpoint()),
            ),
            (&Method::GET, Route::AmplifyConfiguration) => json_response(
                StatusCode::OK,
                &config_docs::gen1(self.layout(), &self.endpoint()),
            ),
            (&Method::GET, Route::AwsExports) => json_response(
                StatusCode::OK,
                &config_docs::web(self.layout(), &self.endpoint()),
            ),
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
        if console::is_console_path(path) {
            return "console".to_owned();
        }
        if path.starts_with("/rest/") {
            return "rest".to_owned();
        }
        if let Some(name) = oauth::operation_name(path) {
            return name.to_owned();
        }
        match (method, route_path(path)) {
            (_, Route::Health) => "health".to_owned(),
            (_, Route::GraphQlApi) => "graphql-api".to_owned(),
            (_, Route::Outbox) => "outbox".to_owned(),
            (_, Route::FederationJwks) => "oidc-jwks".to_owned(),
            (_, Route::MintOidc) => "oidc-token".to_owned(),
            (_, Route::AmplifyOutputs) => "amplify-outputs".to_owned(),
            (_, Route::AmplifyConfiguration) => "amplify-configuration".to_owned(),
            (_, Route::AwsExports) => "aws-exports".to_owned(),
            (_, Route::Jwks(_)) => "jwks".to_owned(),
            (_, Route::OpenIdConfiguration(_)) => "openid-configuration".to_owned(),
            (_, Route::NotFound) => "other".to_owned(),
        }
    }

    fn has_user_pool(&self, pool_id: &str) -> bool {
        self.inner.layout.user_pools.iter().any(|p| p.id == pool_id)
    }

    fn openid_configuration(&self, pool_id: &str) -> Value {
        let endpoint = self.endpoint();
        let issuer = format!("{endpoint}/{pool_id}");
        // The OAuth endpoints live on the pool's domain, which is the emulator's own address.
        json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{endpoint}/oauth2/authorize"),
            "token_endpoint": format!("{endpoint}/oauth2/token"),
            "userinfo_endpoint": format!("{endpoint}/oauth2/userInfo"),
            "revocation_endpoint": format!("{endpoint}/oauth2/revoke"),
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

    /// `POST /graphql`.
    fn handle_graphql(&self, request: &Request<Bytes>) -> Response<Bytes> {
        self.with_context(|ctx| {
            appsync::handle_graphql(&self.inner.appsync, ctx, &self.inner.store, request)
        })
    }

    /// `/rest/<name>/...`.
    fn handle_rest(&self, request: &Request<Bytes>, tail: &str) -> Response<Bytes> {
        self.with_context(|ctx| {
            appsync::handle_rest(&self.inner.appsync, ctx, &self.inner.store, request, tail)
        })
    }

    /// The GraphQL API's URL, `<endpoint>/graphql`.
    pub(crate) fn graphql_url(&self) -> String {
        format!("{}/graphql", self.endpoint())
    }
}

enum Route<'a> {
    Health,
    Outbox,
    FederationJwks,
    MintOidc,
    GraphQlApi,
    /// `amplify_outputs.json` (Gen 2).
    AmplifyOutputs,
    /// `amplifyconfiguration.json` (Gen 1, native).
    AmplifyConfiguration,
    /// `aws-exports.json` (Gen 1, web).
    AwsExports,
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
        "/_emulator/amplify_outputs.json" => return Route::AmplifyOutputs,
        "/_emulator/amplifyconfiguration.json" => return Route::AmplifyConfiguration,
        "/_emulator/aws-exports.json" => return Route::AwsExports,
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

pub(super) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| crate::util::form::decode(v))
    })
}

/// Lets browser apps (amplify-js in a page) call the emulated services from any origin, as
/// Cognito and AppSync allow. The emulator's own `/_emulator/...` endpoints (the outbox with its
/// codes, minted OIDC tokens, the configuration documents) answer only pages on a loopback
/// origin: any website open in the developer's browser could otherwise read the codes.
fn add_cors_headers(request: &Request<Bytes>, response: &mut Response<Bytes>) {
    let headers = response.headers_mut();
    if request.uri().path().starts_with("/_emulator/") {
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        match request.headers().get(header::ORIGIN) {
            Some(origin)
                if origin
                    .to_str()
                    .is_ok_and(crate::util::loopback::is_loopback_url) =>
            {
                headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            }
            _ => return,
        }
    } else {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
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
