//! `/oauth2/authorize`, the login page (`/login`) and `/logout`.
//!
//! Validation follows the developer guide's authorization endpoint ("Request parameters" and
//! "Examples of negative responses"): an unknown client or a `redirect_uri` that is not one of
//! the client's callback URLs is shown on an error page and never redirected to; every other
//! problem is sent back to the `redirect_uri` as `error=...&error_description=...&state=...`.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use serde_json::Value;

use super::federation;
use super::web::{self, Params};
use crate::context::Ctx;
use crate::spec::{MfaConfiguration, OAuthFlow};
use crate::state::State;
use crate::state::oauth::{AuthCode, AuthRequest, HostedSession};
use crate::state::user_pool::{Pool, UserStatus};
use crate::user_pool::tokens::{self, Origin, RefreshGrant};

/// "The response returns a one time use code that is valid for five minutes" (authorization
/// endpoint, "Authorization code grant").
pub(super) const CODE_VALIDITY: i64 = 300;
/// How long a hosted-UI session cookie signs the user in again without a password: one hour,
/// the managed-login session length the developer guide gives (an emulator choice where the
/// guide is silent about details).
const SESSION_VALIDITY: i64 = 3600;
/// The scopes that need `openid` ("The phone, email, and profile scopes can only be requested
/// if openid scope is also requested", authorization endpoint, `scope`).
const NEEDS_OPENID: &[&str] = &["phone", "email", "profile"];
/// The request parameters the login page carries along.
const CARRIED: &[&str] = &[
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "nonce",
];

/// Why a request is refused, and where the refusal goes.
#[derive(Debug)]
pub(super) enum Refusal {
    /// The emulator's error page: the app cannot be trusted with a redirect.
    Page {
        error: &'static str,
        message: String,
    },
    /// `redirect_uri?error=...&error_description=...&state=...`.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

impl Refusal {
    pub(super) fn answer(self) -> Response<Bytes> {
        match self {
            Refusal::Page { error, message } => web::error_page(error, &message),
            Refusal::Redirect {
                redirect_uri,
                state,
                error,
                description,
            } => web::redirect(&error_location(
                &redirect_uri,
                error,
                &description,
                state.as_deref(),
            )),
        }
    }
}

/// `redirect_uri` with an OAuth error.
pub(super) fn error_location(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> String {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    web::with_query(redirect_uri, pairs)
}

/// A request that passed validation.
#[derive(Debug)]
pub(super) struct Validated {
    pub(super) request: AuthRequest,
    pub(super) pool_id: String,
    /// A federated provider to send the user to (`identity_provider` / `idp_identifier`).
    pub(super) provider: Option<String>,
    /// Whether the client offers the login page (`COGNITO` is a supported provider).
    pub(super) cognito: bool,
}

/// Checks an authorize (or login) request against the client's settings.
pub(super) fn validate(st: &State, params: &Params) -> Result<Validated, Refusal> {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let page = |error: &'static str, message: &str| Refusal::Page {
        error,
        message: message.to_owned(),
    };
    let client_id =
        get("client_id").ok_or_else(|| page("invalid_request", "client_id is missing"))?;
    let client = st.oauth.clients.get(client_id).ok_or_else(|| {
        page(
            "invalid_client",
            "The client does not exist or has no OAuth settings.",
        )
    })?;
    let redirect_uri =
        get("redirect_uri").ok_or_else(|| page("redirect_mismatch", "redirect_uri is missing"))?;
    // "You must have already preregistered the URI with the client" — an exact match.
    if !client.spec.callback_urls.iter().any(|u| u == redirect_uri) {
        return Err(page(
            "redirect_mismatch",
            "redirect_uri is not one of the app client's callback URLs",
        ));
    }
    let state = get("state").map(str::to_owned);
    let refuse = |error: &'static str, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        state: state.clone(),
        error,
        description: description.to_owned(),
    };
    let response_type = get("response_type")
        .ok_or_else(|| refuse("invalid_request", "response_type is missing"))?;
    let flow = match response_type {
        "code" => OAuthFlow::Code,
        "token" => OAuthFlow::Implicit,
        _ => {
            return Err(refuse(
                "unsupported_response_type",
                "response_type must be code or token",
            ));
        }
    };
    if !client.spec.flows.contains(&flow) {
        return Err(refuse(
            "unauthorized_client",
            "The client is not allowed this response_type",
        ));
    }
    // "code_challenge_method: ... Amazon Cognito authentication server supports only S256", and
    // a code_challenge without code_challenge_method, or another method, is `invalid_request`
    // (authorization endpoint, "Examples of negative responses").
    let code_challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (Some(challenge), Some("S256")) => {
            // RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters.
            let well_formed = challenge.len() == 43
                && challenge
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !well_formed {
                return Err(refuse(
                    "invalid_request",
                    "code_challenge is not a base64url SHA-256",
                ));
            }
            Some(challenge.to_owned())
        }
        (Some(_), None) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method is missing",
            ));
        }
        (_, Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method must be S256 with a code_challenge",
            ));
        }
    };
    let scope = granted_scope(&client.spec.scopes, get("scope"))
        .map_err(|description| refuse("invalid_scope", &description))?;
    let pool_providers = st.oauth.providers.get(&client.pool_id);
    let offered = |name: &str| {
        client.spec.identity_providers.iter().any(|p| p == name)
            && pool_providers.is_some_and(|p| p.contains_key(name))
    };
    let provider = match (get("identity_provider"), get("idp_identifier")) {
        (Some("COGNITO"), _) | (None, None) => None,
        (Some(name), _) if offered(name) => Some(name.to_owned()),
        (None, Some(identifier)) => {
            let found = pool_providers.and_then(|providers| {
                providers
                    .values()
                    .find(|p| p.identifiers.iter().any(|i| i == identifier) && offered(&p.name))
            });
            Some(
                found
                    .ok_or_else(|| {
                        refuse(
                            "invalid_request",
                            "idp_identifier matches no provider of the client",
                        )
                    })?
                    .name
                    .clone(),
            )
        }
        (Some(_), _) => {
            return Err(refuse(
                "invalid_request",
                "identity_provider is not a supported identity provider of the client",
            ));
        }
    };
    Ok(Validated {
        request: AuthRequest {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            response_type: response_type.to_owned(),
            scope,
            state,
            nonce: get("nonce").map(str::to_owned),
            code_challenge,
        },
        pool_id: client.pool_id.clone(),
        provider,
        cognito: client
            .spec
            .identity_providers
            .iter()
            .any(|p| p == "COGNITO"),
    })
}

/// The scopes granted for `requested` (space-separated): "If the client doesn't request any
/// scopes, the authentication server uses all scopes associated with the client"; a scope the
/// client may not use is `invalid_scope` (authorization endpoint, `scope` and negative
/// responses).
pub(super) fn granted_scope(allowed: &[String], requested: Option<&str>) -> Result<String, String> {
    let Some(requested) = requested else {
        return Ok(allowed.join(" "));
    };
    let wanted: Vec<&str> = requested.split_whitespace().collect();
    if let Some(unknown) = wanted.iter().find(|s| !allowed.iter().any(|a| a == *s)) {
        return Err(format!("{unknown} is not an allowed scope of the client"));
    }
    if !wanted.contains(&"openid")
        && let Some(needs) = wanted.iter().find(|s| NEEDS_OPENID.contains(s))
    {
        return Err(format!("{needs} can only be requested with openid"));
    }
    // The client's order, without repeats.
    Ok(allowed
        .iter()
        .filter(|a| wanted.contains(&a.as_str()))
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" "))
}

/// `GET /oauth2/authorize`: "If you include an identity_provider or idp_identifier parameter in
/// the URL, it silently redirects your user to the sign-in page for that identity provider
/// (IdP). Otherwise, it redirects to the Login endpoint with the same URL parameters".
pub(super) fn authorize(
    ctx: &Ctx<'_>,
    st: &mut State,
    request: &Request<Bytes>,
) -> Response<Bytes> {
    let params = web::query(request);
    let validated = match validate(st, &params) {
        Ok(v) => v,
        Err(refusal) => return refusal.answer(),
    };
    if validated.provider.is_some() {
        return federation::start(ctx, st, validated);
    }
    // A signed-in hosted-UI session skips the login page.
    if let Some(session) = web::cookie(request, web::SESSION_COOKIE)
        .and_then(|id| st.oauth.sessions.get(&id).cloned())
        .filter(|s| s.pool_id == validated.pool_id)
    {
        return finish(ctx, st, validated, &session.user_key, false);
    }
    let carried: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    web::redirect(&web::with_query(
        &format!("{}/login", ctx.endpoint),
        carried,
    ))
}

/// `GET /login`: the login page.
pub(super) fn login_page(
    ctx: &Ctx<'_>,
    st: &mut State,
    request: &Request<Bytes>,
) -> Response<Bytes> {
    let params = web::query(request);
    match validate(st, &params) {
        Ok(v) if v.provider.is_some() => federation::start(ctx, st, v),
        Ok(_) => render_login(st, &params, None),
        Err(refusal) => refusal.answer(),
    }
}

/// `POST /login`: the form (or a test) signs in with `username` and `password`, the request's
/// parameters in the query string or the body.
pub(super) fn login(ctx: &Ctx<'_>, st: &mut State, request: &Request<Bytes>) -> Response<Bytes> {
    let params = web::query_and_form(request);
    let validated = match validate(st, &params) {
        Ok(v) => v,
        Err(refusal) => return refusal.answer(),
    };
    if validated.provider.is_some() {
        return federation::start(ctx, st, validated);
    }
    if !validated.cognito {
        return Refusal::Redirect {
            redirect_uri: validated.request.redirect_uri,
            state: validated.request.state,
            error: "unauthorized_client",
            description: "The client does not support the COGNITO identity provider".to_owned(),
        }
        .answer();
    }
    let username = params
        .get("username")
        .map(String::as_str)
        .unwrap_or_default();
    let password = params
        .get("password")
        .map(String::as_str)
        .unwrap_or_default();
    let checked = st
        .user_pools
        .pools
        .get_mut(&validated.pool_id)
        .ok_or(("InternalErrorException", "The user pool is gone."))
        .and_then(|pool| check_password(ctx, pool, username, password));
    match checked {
        Ok(key) => finish(ctx, st, validated, &key, true),
        Err((kind, message)) => {
            let mut page = render_login(st, &params, Some(message));
            if let Ok(value) = http::HeaderValue::from_str(kind) {
                page.headers_mut().insert("x-emulator-login-error", value);
            }
            page
        }
    }
}

/// The password check of the login page, with the pool's lockout; the error is the Cognito
/// exception the API would name and the message the page shows.
fn check_password(
    ctx: &Ctx<'_>,
    pool: &mut Pool,
    username: &str,
    password: &str,
) -> Result<String, (&'static str, &'static str)> {
    const WRONG: (&str, &str) = ("NotAuthorizedException", "Incorrect username or password.");
    if username.is_empty() || password.is_empty() {
        return Err((
            "InvalidParameterException",
            "Enter your username and password.",
        ));
    }
    let key = pool.find_user_key(username).ok_or(WRONG)?;
    let mfa_on = pool.settings.mfa == MfaConfiguration::On;
    let user = pool.user(&key).map_err(|_| WRONG)?;
    // Federated users have no password of their own.
    if user.attributes.contains_key("identities") {
        return Err(WRONG);
    }
    let correct = pool.password_matches(user, password);
    let lockout = &mut pool.user_mut(&key).map_err(|_| WRONG)?.lockout;
    lockout
        .check(ctx.now)
        .map_err(|_| ("NotAuthorizedException", "Password attempts exceeded"))?;
    lockout.record(ctx.now, correct);
    if !correct {
        return Err(WRONG);
    }
    let user = pool.user(&key).map_err(|_| WRONG)?;
    if !user.enabled {
        return Err(("NotAuthorizedException", "User is disabled."));
    }
    match user.status {
        UserStatus::Confirmed => {}
        UserStatus::Unconfirmed => {
            return Err(("UserNotConfirmedException", "User is not confirmed."));
        }
        UserStatus::ForceChangePassword => {
            return Err((
                "NotSupportedByEmulator",
                "A new password is required; the emulator's login page does not change passwords (use RespondToAuthChallenge).",
            ));
        }
        UserStatus::ResetRequired => {
            return Err((
                "PasswordResetRequiredException",
                "Password reset required for the user",
            ));
        }
    }
    let has_mfa = user.mfa.sms_enabled || user.mfa.totp_enabled || user.mfa.email_enabled;
    if mfa_on || (pool.settings.mfa == MfaConfiguration::Optional && has_mfa) {
        return Err((
            "NotSupportedByEmulator",
            "This user signs in with MFA; the emulator's login page does not ask for MFA codes.",
        ));
    }
    Ok(key)
}

/// Signs `user_key` in for the request: a code (or, for `response_type=token`, tokens in the
/// fragment) on the redirect URI, and a new session cookie when `new_session`.
pub(super) fn finish(
    ctx: &Ctx<'_>,
    st: &mut State,
    validated: Validated,
    user_key: &str,
    new_session: bool,
) -> Response<Bytes> {
    let Validated {
        request, pool_id, ..
    } = validated;
    let location = if request.response_type == "token" {
        match implicit_location(ctx, st, &request, &pool_id, user_key) {
            Ok(location) => location,
            Err(message) => {
                return web::redirect(&error_location(
                    &request.redirect_uri,
                    "server_error",
                    &message,
                    request.state.as_deref(),
                ));
            }
        }
    } else {
        let code = ctx.rng.uuid();
        let mut pairs = vec![("code", code.as_str())];
        if let Some(state) = &request.state {
            pairs.push(("state", state.as_str()));
        }
        let location = web::with_query(&request.redirect_uri, pairs);
        st.oauth.codes.insert(
            code,
            AuthCode {
                request,
                pool_id: pool_id.clone(),
                user_key: user_key.to_owned(),
                expires: ctx.now + CODE_VALIDITY,
            },
        );
        location
    };
    let mut response = web::redirect(&location);
    if new_session {
        let id = ctx.rng.token(32);
        st.oauth.sessions.insert(
            id.clone(),
            HostedSession {
                pool_id,
                user_key: user_key.to_owned(),
                expires: ctx.now + SESSION_VALIDITY,
            },
        );
        web::set_session_cookie(&mut response, Some((&id, SESSION_VALIDITY)));
    }
    response
}

/// The implicit grant: "Token and state are returned in the fragment" (authorization
/// endpoint, "Token grant"); an ID token only with `openid`, never a refresh token.
fn implicit_location(
    ctx: &Ctx<'_>,
    st: &mut State,
    request: &AuthRequest,
    pool_id: &str,
    user_key: &str,
) -> Result<String, String> {
    let result = tokens::issue(
        ctx,
        &mut st.user_pools,
        pool_id,
        &request.client_id,
        user_key,
        Origin::Hosted {
            scope: request.scope.clone(),
            nonce: request.nonce.clone(),
        },
        RefreshGrant::None,
    )
    .map_err(|e| e.message().to_owned())?;
    let field = |name: &str| result.get(name).map(value_text).unwrap_or_default();
    let (access, id, expires) = (field("AccessToken"), field("IdToken"), field("ExpiresIn"));
    let mut pairs = vec![("access_token", access.as_str())];
    if has_scope(&request.scope, "openid") {
        pairs.push(("id_token", id.as_str()));
    }
    pairs.extend([("token_type", "Bearer"), ("expires_in", expires.as_str())]);
    if let Some(state) = &request.state {
        pairs.push(("state", state.as_str()));
    }
    Ok(format!(
        "{}#{}",
        request.redirect_uri,
        crate::util::form::serialize(pairs)
    ))
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether a space-separated scope list holds `scope`.
pub(super) fn has_scope(scopes: &str, scope: &str) -> bool {
    scopes.split_whitespace().any(|s| s == scope)
}

/// `GET /logout`: ends the hosted-UI session, then "redirects back to the client" at
/// `logout_uri` (one of the client's sign-out URLs) or, with `redirect_uri` and
/// `response_type`, shows the login page again (developer guide, "The logout endpoint").
pub(super) fn logout(ctx: &Ctx<'_>, st: &mut State, request: &Request<Bytes>) -> Response<Bytes> {
    let params = web::query(request);
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let Some(client) = get("client_id")
        .and_then(|id| st.oauth.clients.get(id))
        .cloned()
    else {
        return web::error_page("invalid_request", "client_id is missing or unknown");
    };
    let next = if let Some(logout_uri) = get("logout_uri") {
        if !client.spec.logout_urls.iter().any(|u| u == logout_uri) {
            return web::error_page(
                "redirect_mismatch",
                "logout_uri is not one of the app client's sign-out URLs",
            );
        }
        logout_uri.to_owned()
    } else if get("redirect_uri").is_some() {
        if let Err(refusal) = validate(st, &params) {
            return refusal.answer();
        }
        let carried: Vec<(&str, &str)> = params
            .iter()
            .filter(|(k, _)| CARRIED.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        web::with_query(&format!("{}/login", ctx.endpoint), carried)
    } else {
        return web::error_page("invalid_request", "logout_uri or redirect_uri is required");
    };
    if let Some(id) = web::cookie(request, web::SESSION_COOKIE) {
        st.oauth.sessions.remove(&id);
    }
    let mut response = web::redirect(&next);
    web::set_session_cookie(&mut response, None);
    response
}

/// The login page: a form posting the request back to `/login` in hidden fields, plus a link
/// per federated provider.
fn render_login(st: &State, params: &Params, error: Option<&str>) -> Response<Bytes> {
    let carried: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| CARRIED.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut body = String::from("<h1>Sign in</h1>\n");
    if let Some(error) = error {
        body.push_str(&format!("<p id=\"error\">{}</p>\n", web::escape(error)));
    }
    body.push_str("<form method=\"post\" action=\"/login\">\n");
    body.push_str(&web::hidden_fields(carried.iter().copied()));
    body.push_str(concat!(
        "<label>Username <input name=\"username\" autocomplete=\"username\"></label>\n",
        "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>\n",
        "<button type=\"submit\">Sign in</button>\n</form>\n"
    ));
    let client = params
        .get("client_id")
        .and_then(|id| st.oauth.clients.get(id));
    if let Some(client) = client {
        for name in client
            .spec
            .identity_providers
            .iter()
            .filter(|p| *p != "COGNITO")
        {
            let mut pairs = carried.clone();
            pairs.push(("identity_provider", name));
            let href = web::with_query("/oauth2/authorize", pairs);
            body.push_str(&format!(
                "<p><a href=\"{}\">Continue with {}</a></p>\n",
                web::escape(&href),
                web::escape(name)
            ));
        }
    }
    web::html(StatusCode::OK, "Sign in", &body)
}
