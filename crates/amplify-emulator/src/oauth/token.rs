//! `POST /oauth2/token` (authorization code with PKCE, refresh token, client credentials) and
//! `POST /oauth2/revoke`.
//!
//! Refusals are the developer guide's ("The token issuer endpoint", "Examples of negative
//! responses"): `{"error": "invalid_request" | "invalid_client" | "invalid_grant" |
//! "unauthorized_client" | "unsupported_grant_type"}` with HTTP 400, except `invalid_client`,
//! which is 401 as the revocation endpoint documents it ("HTTP 401 and error invalid_client is
//! returned if the client credentials are invalid") and RFC 6749 §5.2 allows.

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use serde_json::{Map, Value, json};

use super::authorize::{granted_scope, has_scope};
use super::web;
use crate::context::Ctx;
use crate::spec::OAuthFlow;
use crate::state::State;
use crate::state::oauth::OAuthClient;
use crate::state::user_pool::Client;
use crate::user_pool::tokens::{self, Origin, RefreshGrant};
use crate::util::{b64url, ct_eq, sha256_parts};

/// A refusal of the token or revocation endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    UnsupportedTokenType,
}

impl Refused {
    fn answer(self) -> Response<Bytes> {
        let (status, error) = match self {
            Refused::InvalidRequest => (StatusCode::BAD_REQUEST, "invalid_request"),
            Refused::InvalidClient => (StatusCode::UNAUTHORIZED, "invalid_client"),
            Refused::InvalidGrant => (StatusCode::BAD_REQUEST, "invalid_grant"),
            Refused::UnauthorizedClient => (StatusCode::BAD_REQUEST, "unauthorized_client"),
            Refused::UnsupportedGrantType => (StatusCode::BAD_REQUEST, "unsupported_grant_type"),
            Refused::InvalidScope => (StatusCode::BAD_REQUEST, "invalid_scope"),
            Refused::UnsupportedTokenType => (StatusCode::BAD_REQUEST, "unsupported_token_type"),
        };
        let mut response = web::oauth_error(status, error);
        if self == Refused::InvalidClient {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"oauth2\""),
            );
        }
        response
    }
}

/// An authenticated client.
struct Authenticated {
    pool_id: String,
    client: Client,
    oauth: OAuthClient,
}

/// Client authentication: "If the client was issued a secret, the client must pass its
/// client_id and client_secret in the authorization header through Basic HTTP authorization"
/// (`client_secret_post`, the secret in the body, is accepted too, as the pool's OpenID
/// configuration advertises); a public client names itself with `client_id`.
fn authenticate(
    st: &State,
    request: &Request<Bytes>,
    params: &web::Params,
) -> Result<Authenticated, Refused> {
    let body_id = params.get("client_id").filter(|v| !v.is_empty());
    let body_secret = params.get("client_secret").filter(|v| !v.is_empty());
    let (client_id, secret) = match web::basic_credentials(request) {
        Some(Ok((id, secret))) => {
            if body_id.is_some_and(|b| *b != id) || body_secret.is_some() {
                return Err(Refused::InvalidClient);
            }
            (id, Some(secret))
        }
        Some(Err(())) => return Err(Refused::InvalidClient),
        None => (
            body_id.ok_or(Refused::InvalidClient)?.clone(),
            body_secret.cloned(),
        ),
    };
    let oauth = st.oauth.clients.get(&client_id);
    let pool_id = match oauth {
        Some(o) => o.pool_id.clone(),
        None => st
            .user_pools
            .pool_id_of_client(&client_id)
            .map_err(|_| Refused::InvalidClient)?,
    };
    let client = st
        .user_pools
        .pool(&pool_id)
        .and_then(|p| p.client(&client_id))
        .map_err(|_| Refused::InvalidClient)?
        .clone();
    match (&client.secret, &secret) {
        (Some(expected), Some(given)) if ct_eq(expected.as_bytes(), given.as_bytes()) => {}
        (None, None) => {}
        _ => return Err(Refused::InvalidClient),
    }
    // "The client must be enabled for Amazon Cognito federation" (`client_id`).
    let oauth = oauth.cloned().ok_or(Refused::UnauthorizedClient)?;
    Ok(Authenticated {
        pool_id,
        client,
        oauth,
    })
}

/// `POST /oauth2/token`.
pub(super) fn token(ctx: &Ctx<'_>, st: &mut State, request: &Request<Bytes>) -> Response<Bytes> {
    match grant(ctx, st, request) {
        Ok(body) => web::json(StatusCode::OK, &body),
        Err(refused) => refused.answer(),
    }
}

fn grant(ctx: &Ctx<'_>, st: &mut State, request: &Request<Bytes>) -> Result<Value, Refused> {
    // "Content-Type: Must always be 'application/x-www-form-urlencoded'".
    if !web::is_form(request) {
        return Err(Refused::InvalidRequest);
    }
    let params = web::form_body(request);
    let grant_type = params
        .get("grant_type")
        .filter(|g| !g.is_empty())
        .ok_or(Refused::InvalidRequest)?;
    // "unsupported_grant_type: Returned if grant_type is anything other than
    // authorization_code or refresh_token" (or client_credentials).
    if !matches!(
        grant_type.as_str(),
        "authorization_code" | "refresh_token" | "client_credentials"
    ) {
        return Err(Refused::UnsupportedGrantType);
    }
    let client = authenticate(st, request, &params)?;
    match grant_type.as_str() {
        "authorization_code" => authorization_code(ctx, st, &client, &params),
        "refresh_token" => refresh(ctx, st, &client, &params),
        _ => client_credentials(ctx, &client, &params),
    }
}

fn authorization_code(
    ctx: &Ctx<'_>,
    st: &mut State,
    client: &Authenticated,
    params: &web::Params,
) -> Result<Value, Refused> {
    // "unauthorized_client: Client is not allowed for code grant flow".
    if !client.oauth.spec.flows.contains(&OAuthFlow::Code) {
        return Err(Refused::UnauthorizedClient);
    }
    let param = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let code = param("code").ok_or(Refused::InvalidRequest)?;
    let redirect_uri = param("redirect_uri").ok_or(Refused::InvalidRequest)?;
    // "Authorization code has been consumed already or does not exist": a code is spent by its
    // first redemption attempt, successful or not.
    let issued = st.oauth.codes.remove(code).ok_or(Refused::InvalidGrant)?;
    let request = &issued.request;
    if issued.expires <= ctx.now || request.client_id != client.client.id {
        return Err(Refused::InvalidGrant);
    }
    // "redirect_uri: Must be the same redirect_uri that was used to get authorization_code".
    if request.redirect_uri != redirect_uri {
        return Err(Refused::InvalidGrant);
    }
    if let Some(challenge) = &request.code_challenge {
        // "code_verifier: Required if grant_type is authorization_code and the authorization
        // code was requested with PKCE"; RFC 7636 §4.6: a mismatch is invalid_grant.
        let verifier = param("code_verifier").ok_or(Refused::InvalidRequest)?;
        let computed = b64url(&sha256_parts(&[verifier.as_bytes()]));
        if !ct_eq(computed.as_bytes(), challenge.as_bytes()) {
            return Err(Refused::InvalidGrant);
        }
    }
    let user_usable = st
        .user_pools
        .pool(&issued.pool_id)
        .ok()
        .and_then(|p| p.users.get(&issued.user_key))
        .is_some_and(|u| u.enabled);
    if !user_usable {
        return Err(Refused::InvalidGrant);
    }
    let result = tokens::issue(
        ctx,
        &mut st.user_pools,
        &issued.pool_id,
        &client.client.id,
        &issued.user_key,
        Origin::Hosted {
            scope: request.scope.clone(),
            nonce: request.nonce.clone(),
        },
        RefreshGrant::Fresh,
    )
    .map_err(|_| Refused::InvalidGrant)?;
    Ok(token_response(&result, has_scope(&request.scope, "openid")))
}

/// The token endpoint's body from an `AuthenticationResult`.
fn token_response(result: &Value, with_id_token: bool) -> Value {
    let mut body = Map::new();
    if with_id_token && let Some(id) = result.get("IdToken") {
        body.insert("id_token".into(), id.clone());
    }
    for (from, to) in [
        ("AccessToken", "access_token"),
        ("RefreshToken", "refresh_token"),
        ("ExpiresIn", "expires_in"),
    ] {
        if let Some(value) = result.get(from) {
            body.insert(to.into(), value.clone());
        }
    }
    body.insert("token_type".into(), json!("Bearer"));
    Value::Object(body)
}

/// `grant_type=refresh_token`: "Users who sign in with an authorization code grant in managed
/// login or through federation can always refresh their tokens from the token endpoint"; with
/// refresh-token rotation the answer carries a new refresh token, as GetTokensFromRefreshToken's
/// does (`RefreshTokenRotationType`).
fn refresh(
    ctx: &Ctx<'_>,
    st: &mut State,
    client: &Authenticated,
    params: &web::Params,
) -> Result<Value, Refused> {
    let token = params
        .get("refresh_token")
        .filter(|t| !t.is_empty())
        .ok_or(Refused::InvalidRequest)?;
    let pools = &mut st.user_pools;
    let record = pools
        .refresh_tokens
        .get(token)
        .ok_or(Refused::InvalidGrant)?;
    let family = pools
        .families
        .get(&record.family)
        .ok_or(Refused::InvalidGrant)?;
    // "invalid_grant: Refresh token has been revoked" (also expired, rotated out, another
    // client's, or the user is gone or disabled).
    let rotated_out = record
        .replaced_at
        .is_some_and(|at| ctx.now >= at + client.client.rotation_grace_period);
    if family.client_id != client.client.id
        || family.revoked
        || rotated_out
        || record.expires <= ctx.now
    {
        return Err(Refused::InvalidGrant);
    }
    let usable = pools
        .pool(&family.pool_id)
        .ok()
        .and_then(|p| p.users.get(&family.user_key))
        .is_some_and(|u| u.enabled);
    if !usable {
        return Err(Refused::InvalidGrant);
    }
    let (family_id, user_key, expires) = (
        record.family.clone(),
        family.user_key.clone(),
        record.expires,
    );
    let with_id_token = family
        .scope
        .as_deref()
        .is_none_or(|s| has_scope(s, "openid"));
    let rotate = client.client.refresh_token_rotation;
    let grant = if rotate {
        RefreshGrant::Rotated { expires }
    } else {
        RefreshGrant::None
    };
    let result = tokens::issue(
        ctx,
        pools,
        &client.pool_id,
        &client.client.id,
        &user_key,
        Origin::Refresh(family_id),
        grant,
    )
    .map_err(|_| Refused::InvalidGrant)?;
    if rotate && let Some(record) = pools.refresh_tokens.get_mut(token) {
        record.replaced_at.get_or_insert(ctx.now);
    }
    Ok(token_response(&result, with_id_token))
}

/// `grant_type=client_credentials`: a confidential client's access token for its custom scopes
/// ("If the client doesn't request any scopes, the authentication server uses all custom scopes
/// associated with the client"); no ID or refresh token.
fn client_credentials(
    ctx: &Ctx<'_>,
    client: &Authenticated,
    params: &web::Params,
) -> Result<Value, Refused> {
    if client.client.secret.is_none()
        || !client
            .oauth
            .spec
            .flows
            .contains(&OAuthFlow::ClientCredentials)
    {
        return Err(Refused::UnauthorizedClient);
    }
    // Only custom (resource server) scopes: `<identifier>/<name>`.
    let custom: Vec<String> = client
        .oauth
        .spec
        .scopes
        .iter()
        .filter(|s| s.contains('/'))
        .cloned()
        .collect();
    let requested = params
        .get("scope")
        .map(String::as_str)
        .filter(|s| !s.trim().is_empty());
    let scope = granted_scope(&custom, requested).map_err(|_| Refused::InvalidScope)?;
    if scope.is_empty() {
        return Err(Refused::InvalidScope);
    }
    let validity = client.client.access_token_validity;
    let claims = json!({
        "sub": client.client.id,
        "token_use": "access",
        "scope": scope,
        "auth_time": ctx.now,
        "iss": format!("{}/{}", ctx.endpoint, client.pool_id),
        "exp": ctx.now + validity,
        "iat": ctx.now,
        "version": 2,
        "jti": ctx.rng.uuid(),
        "client_id": client.client.id,
    });
    let access_token = ctx
        .keys
        .user_pool
        .sign(&claims)
        .map_err(|_| Refused::InvalidRequest)?;
    Ok(json!({
        "access_token": access_token,
        "expires_in": validity,
        "token_type": "Bearer",
    }))
}

/// `POST /oauth2/revoke` (developer guide, "The token revocation endpoint"): `token` (a refresh
/// token) revokes it and every token of its sign-in; `invalid_request` without a token,
/// `unsupported_token_type` for anything but a refresh token, 401 `invalid_client` for bad
/// client credentials, 200 for an unknown token; another client's token is refused with
/// `unauthorized_client`, as `RevokeToken` refuses it (`UnauthorizedException`).
pub(super) fn revoke(st: &mut State, request: &Request<Bytes>) -> Response<Bytes> {
    if !web::is_form(request) {
        return Refused::InvalidRequest.answer();
    }
    let params = web::form_body(request);
    let client = match authenticate(st, request, &params) {
        Ok(client) => client,
        Err(refused) => return refused.answer(),
    };
    let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
        return Refused::InvalidRequest.answer();
    };
    let pools = &mut st.user_pools;
    let Some(record) = pools.refresh_tokens.get(token) else {
        if crate::jwt::decode(token).is_some() {
            return Refused::UnsupportedTokenType.answer();
        }
        return ok_empty();
    };
    let family_id = record.family.clone();
    match pools.families.get_mut(&family_id) {
        Some(family) if family.client_id != client.client.id => {
            Refused::UnauthorizedClient.answer()
        }
        Some(family) => {
            family.revoked = true;
            ok_empty()
        }
        None => ok_empty(),
    }
}

fn ok_empty() -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
