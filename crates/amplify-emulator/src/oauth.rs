//! The hosted UI (managed login) and Cognito's OAuth 2.0 endpoints, on the emulator's own port
//! (the "domain" is `127.0.0.1:<port>`, over http because it is loopback).
//!
//! | endpoint | Cognito's page | here |
//! |---|---|---|
//! | `GET /oauth2/authorize` | "The redirect and authorization endpoint" | [`authorize`] |
//! | `GET`/`POST /login` | "The login endpoint" (managed login) | [`authorize`] |
//! | `POST /oauth2/token` | "The token issuer endpoint" | [`token`] |
//! | `GET`/`POST /oauth2/userInfo` | "The user attributes endpoint" | [`userinfo`] |
//! | `POST /oauth2/revoke` | "The token revocation endpoint" | [`token`] |
//! | `GET /logout` | "The logout endpoint" | [`authorize`] |
//! | `GET /oauth2/idpresponse` | the IdP's redirect back to Cognito | [`federation`] |
//! | `GET`/`POST /oauth2/idp/<name>/authorize` | the upstream IdP's sign-in page (simulated) | [`federation`] |
//!
//! Every answer is built from the request and the [`State`]; nothing here does IO.

use bytes::Bytes;
use http::{Method, Request, Response};

use crate::context::Ctx;
use crate::state::State;

mod authorize;
mod federation;
mod token;
mod userinfo;
mod web;

/// The name request counters and faults use for an OAuth path (`None`: not an OAuth path).
pub(crate) fn operation_name(path: &str) -> Option<&'static str> {
    Some(match path {
        "/oauth2/authorize" => "oauth2-authorize",
        "/login" => "login",
        "/oauth2/token" => "oauth2-token",
        "/oauth2/userInfo" => "oauth2-userinfo",
        "/oauth2/revoke" => "oauth2-revoke",
        "/logout" => "logout",
        "/oauth2/idpresponse" => "oauth2-idpresponse",
        _ if idp_name(path).is_some() => "oauth2-idp",
        _ => return None,
    })
}

/// `<name>` of `/oauth2/idp/<name>/authorize`.
fn idp_name(path: &str) -> Option<&str> {
    path.strip_prefix("/oauth2/idp/")?
        .strip_suffix("/authorize")
        .filter(|name| !name.is_empty() && !name.contains('/'))
}

/// Answers a request to one of the OAuth paths ([`operation_name`] is `Some`).
pub(crate) fn handle(ctx: &Ctx<'_>, st: &mut State, request: &Request<Bytes>) -> Response<Bytes> {
    st.oauth.prune(ctx.now);
    let path = request.uri().path();
    let method = request.method();
    match (method, path) {
        (&Method::GET, "/oauth2/authorize") => authorize::authorize(ctx, st, request),
        (&Method::GET, "/login") => authorize::login_page(ctx, st, request),
        (&Method::POST, "/login") => authorize::login(ctx, st, request),
        (&Method::GET, "/logout") => authorize::logout(ctx, st, request),
        (&Method::POST, "/oauth2/token") => token::token(ctx, st, request),
        (&Method::POST, "/oauth2/revoke") => token::revoke(st, request),
        (&Method::GET | &Method::POST, "/oauth2/userInfo") => userinfo::user_info(ctx, st, request),
        (&Method::GET, "/oauth2/idpresponse") => federation::idp_response(ctx, st, request),
        (&Method::GET, _) if idp_name(path).is_some() => federation::upstream_page(st, request),
        (&Method::POST, _) => match idp_name(path) {
            Some(name) => federation::upstream_submit(ctx, st, request, name),
            None => web::method_not_allowed(),
        },
        _ => web::method_not_allowed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_paths() {
        assert_eq!(operation_name("/oauth2/token"), Some("oauth2-token"));
        assert_eq!(
            operation_name("/oauth2/idp/Google/authorize"),
            Some("oauth2-idp")
        );
        assert_eq!(operation_name("/oauth2/idp//authorize"), None);
        assert_eq!(operation_name("/oauth2/tokens"), None);
    }
}
