//! Federated sign-in through a simulated upstream IdP.
//!
//! `/oauth2/authorize?identity_provider=Google` "silently redirects your user to the sign-in
//! page for that identity provider" (developer guide, authorization endpoint). Here that page is
//! the emulator's own `/oauth2/idp/<name>/authorize`: a form (or a test's scripted `POST`) with
//! the upstream user's `sub`, `email`, `name`, ... and `action=allow|deny`. It redirects to
//! `/oauth2/idpresponse` with an upstream code standing for an ID token signed by the emulator's
//! OIDC issuer for the provider; Cognito's side verifies that token like any OIDC token, creates
//! or updates the user `<Provider>_<sub>` with the mapped attributes and the `identities`
//! attribute ("Amazon Cognito creates a user profile ... with the username
//! `[Provider name]_[Provider user ID]`", developer guide, "Adding user pool sign-in through a
//! third party"), and finishes the authorize request with a code.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use serde_json::{Value, json};

use super::authorize::{self, Validated, error_location};
use super::web;
use crate::context::Ctx;
use crate::error::CognitoError;
use crate::oidc::{OidcIssuer, OidcToken};
use crate::spec::{IdentityProviderSpec, ProviderType, SeedStatus};
use crate::state::State;
use crate::state::oauth::{UpstreamCode, UpstreamLogin};
use crate::state::user_pool::Pool;
use crate::user_pool::{DirectUser, create_user_direct};
use crate::verify;

/// How long the upstream sign-in and its code stay usable.
const UPSTREAM_VALIDITY: i64 = 600;
/// Form fields of the upstream page that are not claims.
const NOT_CLAIMS: &[&str] = &[
    "state",
    "action",
    "sub",
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
];

/// Sends the user to the provider's (simulated) sign-in page.
pub(super) fn start(ctx: &Ctx<'_>, st: &mut State, validated: Validated) -> Response<Bytes> {
    let provider = validated.provider.clone().unwrap_or_default();
    let upstream_state = ctx.rng.token(24);
    st.oauth.upstream.insert(
        upstream_state.clone(),
        UpstreamLogin {
            request: validated.request,
            pool_id: validated.pool_id.clone(),
            provider: provider.clone(),
            expires: ctx.now + UPSTREAM_VALIDITY,
        },
    );
    let callback = format!("{}/oauth2/idpresponse", ctx.endpoint);
    let client_id = format!("cognito-{}", validated.pool_id);
    let location = web::with_query(
        &format!(
            "{}/oauth2/idp/{}/authorize",
            ctx.endpoint,
            crate::util::form::encode(&provider)
        ),
        [
            ("client_id", client_id.as_str()),
            ("redirect_uri", callback.as_str()),
            ("response_type", "code"),
            ("scope", "openid email profile"),
            ("state", upstream_state.as_str()),
        ],
    );
    web::redirect(&location)
}

/// `GET /oauth2/idp/<name>/authorize`: the upstream sign-in page.
pub(super) fn upstream_page(st: &State, request: &Request<Bytes>) -> Response<Bytes> {
    let params = web::query(request);
    let state = params.get("state").cloned().unwrap_or_default();
    let Some(pending) = st.oauth.upstream.get(&state) else {
        return web::error_page("invalid_request", "Unknown or expired sign-in request.");
    };
    let body = format!(
        concat!(
            "<h1>Sign in with {provider}</h1>\n",
            "<form method=\"post\">\n{hidden}",
            "<label>Subject <input name=\"sub\"></label>\n",
            "<label>Email <input name=\"email\"></label>\n",
            "<label>Name <input name=\"name\"></label>\n",
            "<button name=\"action\" value=\"allow\">Allow</button>\n",
            "<button name=\"action\" value=\"deny\">Deny</button>\n</form>"
        ),
        provider = web::escape(&pending.provider),
        hidden = web::hidden_fields([("state", state.as_str())]),
    );
    web::html(StatusCode::OK, "Sign in", &body)
}

/// `POST /oauth2/idp/<name>/authorize`: the upstream user allows (with `sub` and claims) or
/// denies; back to `/oauth2/idpresponse` with a code or `error=access_denied`.
pub(super) fn upstream_submit(
    ctx: &Ctx<'_>,
    st: &mut State,
    request: &Request<Bytes>,
    name: &str,
) -> Response<Bytes> {
    let params = web::query_and_form(request);
    let get = |key: &str| {
        params
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let state = get("state").unwrap_or_default();
    let Some(pending) = st.oauth.upstream.get(state).filter(|p| p.provider == name) else {
        return web::error_page("invalid_request", "Unknown or expired sign-in request.");
    };
    let callback = format!("{}/oauth2/idpresponse", ctx.endpoint);
    if get("action") == Some("deny") {
        return web::redirect(&error_location(
            &callback,
            "access_denied",
            "The user denied the request.",
            Some(state),
        ));
    }
    let Some(sub) = get("sub") else {
        return web::error_page("invalid_request", "sub is required to sign in upstream.");
    };
    let Some(spec) = st
        .oauth
        .providers
        .get(&pending.pool_id)
        .and_then(|p| p.get(name))
    else {
        return web::error_page("invalid_request", "The provider is gone.");
    };
    let mut token =
        OidcToken::new(spec.issuer.clone(), sub).audience(format!("cognito-{}", pending.pool_id));
    for (claim, value) in params
        .iter()
        .filter(|(k, _)| !NOT_CLAIMS.contains(&k.as_str()))
    {
        let value = match value.as_str() {
            "true" => json!(true),
            "false" => json!(false),
            _ => json!(value),
        };
        token = token.claim(claim.clone(), value);
    }
    let signed = ctx
        .keys
        .federation
        .sign(&token.claims_at(&OidcIssuer::new(&spec.issuer), ctx.now));
    let Ok(id_token) = signed else {
        return web::error_page("server_error", "The upstream token could not be signed.");
    };
    let code = ctx.rng.token(24);
    st.oauth.upstream_codes.insert(
        code.clone(),
        UpstreamCode {
            id_token,
            expires: ctx.now + UPSTREAM_VALIDITY,
        },
    );
    web::redirect(&web::with_query(
        &callback,
        [("code", code.as_str()), ("state", state)],
    ))
}

/// `GET /oauth2/idpresponse`: the IdP's answer; signs the federated user in for the original
/// authorize request.
pub(super) fn idp_response(
    ctx: &Ctx<'_>,
    st: &mut State,
    request: &Request<Bytes>,
) -> Response<Bytes> {
    let params = web::query(request);
    let get = |key: &str| {
        params
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let Some(pending) = get("state").and_then(|s| st.oauth.upstream.remove(s)) else {
        return web::error_page("invalid_request", "Unknown or expired sign-in request.");
    };
    let app_error = |error: &str, description: &str| {
        web::redirect(&error_location(
            &pending.request.redirect_uri,
            error,
            description,
            pending.request.state.as_deref(),
        ))
    };
    // The user cancelled at the IdP: the app gets `access_denied` with the IdP's description.
    if let Some(error) = get("error") {
        let description = get("error_description").unwrap_or(error);
        return app_error(
            if error == "access_denied" {
                "access_denied"
            } else {
                "invalid_request"
            },
            description,
        );
    }
    let Some(upstream) = get("code").and_then(|c| st.oauth.upstream_codes.remove(c)) else {
        return app_error(
            "invalid_request",
            "The IdP's authorization code is invalid.",
        );
    };
    let Some(spec) = st
        .oauth
        .providers
        .get(&pending.pool_id)
        .and_then(|p| p.get(&pending.provider))
        .cloned()
    else {
        return app_error("invalid_request", "The identity provider is gone.");
    };
    let claims = match verify::oidc_token(ctx, &upstream.id_token) {
        Ok(verified) if verified.issuer == OidcIssuer::new(&spec.issuer).issuer => verified.claims,
        _ => return app_error("invalid_request", "The IdP's ID token does not verify."),
    };
    let linked = st
        .user_pools
        .pool_mut(&pending.pool_id)
        .and_then(|pool| link_user(ctx, pool, &spec, &claims));
    let key = match linked {
        Ok(key) => key,
        Err(e) => return app_error("invalid_request", e.message()),
    };
    let validated = Validated {
        request: pending.request,
        pool_id: pending.pool_id,
        provider: Some(pending.provider),
        cognito: false,
    };
    authorize::finish(ctx, st, validated, &key, true)
}

/// Creates (first sign-in) or updates the federated user `<Provider>_<sub>`; returns its key.
fn link_user(
    ctx: &Ctx<'_>,
    pool: &mut Pool,
    spec: &IdentityProviderSpec,
    claims: &serde_json::Map<String, Value>,
) -> Result<String, CognitoError> {
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .ok_or_else(|| CognitoError::invalid_parameter("The IdP's token has no sub."))?;
    let username = format!("{}_{sub}", spec.name);
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mapped: Vec<(String, String)> = spec
        .attribute_mapping
        .iter()
        .filter_map(|(attribute, claim)| Some((attribute.clone(), text(claims.get(claim)?))))
        .collect();
    let key = match pool.find_user_key(&username) {
        Some(key) => key,
        None => {
            let password = format!("Aa1!{}", ctx.rng.token(24));
            let key = create_user_direct(
                ctx,
                pool,
                DirectUser {
                    username: &username,
                    password: &password,
                    attributes: mapped
                        .iter()
                        .filter(|(a, _)| !a.ends_with("_verified"))
                        .cloned()
                        .collect(),
                    status: SeedStatus::Confirmed,
                    groups: &[],
                    enabled: true,
                    sms_mfa: false,
                },
            )?
            .to_lowercase();
            // The `identities` attribute as Cognito keeps it (and puts in ID tokens).
            let identities = json!([{
                "userId": sub,
                "providerName": spec.name,
                "providerType": spec.provider_type.as_str(),
                "issuer": match spec.provider_type {
                    ProviderType::Oidc => json!(OidcIssuer::new(&spec.issuer).issuer),
                    _ => Value::Null,
                },
                "primary": "true",
                "dateCreated": (ctx.now * 1000).to_string(),
            }]);
            let user = pool.user_mut(&key)?;
            user.attributes
                .insert("identities".into(), identities.to_string());
            // A federated email is verified only when the mapping says so.
            if user.attributes.contains_key("email") {
                user.attributes
                    .insert("email_verified".into(), "false".into());
            }
            key
        }
    };
    let user = pool.user_mut(&key)?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    // Mapped attributes are written at every federated sign-in.
    for (attribute, value) in mapped {
        user.attributes.insert(attribute, value);
    }
    user.modified = ctx.now_f64;
    Ok(key)
}
