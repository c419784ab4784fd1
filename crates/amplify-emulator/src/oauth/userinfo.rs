//! `GET`/`POST /oauth2/userInfo` (developer guide, "The user attributes endpoint").
//!
//! "Your application can retrieve information about a user from the userInfo endpoint as long
//! as it holds a valid access token with at least an openid scope claim"; API access tokens
//! carry no such scope and are refused. The scopes choose the attributes: `openid` alone, every
//! attribute; `profile`, the profile attributes and custom attributes; `email`, `email` and
//! `email_verified`; `phone`, `phone_number` and `phone_number_verified`.

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use serde_json::{Map, Value, json};

use super::authorize::has_scope;
use super::web;
use crate::context::Ctx;
use crate::state::State;
use crate::user_pool::tokens;

/// The attributes `profile` releases (besides custom ones).
const PROFILE: &[&str] = &[
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
    "address",
    "identities",
];

/// `GET`/`POST /oauth2/userInfo`.
pub(super) fn user_info(ctx: &Ctx<'_>, st: &State, request: &Request<Bytes>) -> Response<Bytes> {
    let Some(token) = web::bearer(request) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Bad OAuth2 request at UserInfo Endpoint",
        );
    };
    let invalid = || {
        refuse(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Access token is expired, disabled, or deleted, or the user has globally signed out.",
        )
    };
    let Ok(checked) = tokens::check(ctx, &st.user_pools, &token, Some("access")) else {
        return invalid();
    };
    let scope = checked.decoded.claim_str("scope").unwrap_or_default();
    if !has_scope(scope, "openid") {
        return invalid();
    }
    let Some(user) = st
        .user_pools
        .pools
        .get(&checked.pool_id)
        .and_then(|p| p.users.get(&checked.user_key))
    else {
        return invalid();
    };
    let all = !["profile", "email", "phone"]
        .iter()
        .any(|s| has_scope(scope, s));
    let released = |name: &str| {
        all || (has_scope(scope, "profile")
            && (PROFILE.contains(&name) || name.starts_with("custom:")))
            || (has_scope(scope, "email") && matches!(name, "email" | "email_verified"))
            || (has_scope(scope, "phone")
                && matches!(name, "phone_number" | "phone_number_verified"))
    };
    let mut body = Map::new();
    body.insert("sub".into(), json!(user.sub));
    // The endpoint answers every attribute as a string, `email_verified` as "true"/"false"
    // and `identities` as its JSON text.
    for (name, value) in user.attributes.iter().filter(|(n, _)| released(n)) {
        body.insert(name.clone(), json!(value));
    }
    body.insert("username".into(), json!(user.username));
    web::json(StatusCode::OK, &Value::Object(body))
}

/// A refusal with the `WWW-Authenticate` header the endpoint's negative responses show.
fn refuse(status: StatusCode, error: &str, description: &str) -> Response<Bytes> {
    let mut response = web::json(
        status,
        &json!({ "error": error, "error_description": description }),
    );
    let challenge = format!("Bearer error=\"{error}\", error_description=\"{description}\"");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
