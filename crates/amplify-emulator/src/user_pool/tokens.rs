//! Issuing and checking user pool tokens.
//!
//! Every sign-in starts a token *family* named by its `origin_jti`: the refresh token and every
//! access / ID token minted from it share it, so RevokeToken (one family) and GlobalSignOut (all
//! of a user's families) refuse them everywhere.

use serde_json::{Map, Value, json};

use super::{Pool, UserPools};
use crate::context::Ctx;
use crate::error::CognitoError;
use crate::jwt::{self, Decoded};
use crate::state::user_pool::{Family, RefreshRecord};

/// Whether an answer carries a refresh token, and until when it is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshGrant {
    /// No refresh token (a refresh without rotation).
    None,
    /// A new refresh token valid for the client's refresh token validity (a sign-in).
    Fresh,
    /// A rotated refresh token that expires with the one it replaces: "The new refresh token is
    /// valid for the remaining duration of the original refresh token" (Cognito developer guide,
    /// "Refresh tokens" > "Refresh token rotation").
    Rotated {
        /// The replaced token's expiry (epoch seconds).
        expires: i64,
    },
}

/// Which family the new tokens join.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A new sign-in.
    SignIn,
    /// A new sign-in through the hosted UI (`crate::oauth`): the granted scopes go in the
    /// access token's `scope` (and every refresh of the family), the `nonce` of the authorize
    /// request in the ID token.
    Hosted {
        scope: String,
        nonce: Option<String>,
    },
    /// A refresh within an existing family.
    Refresh(String),
}

/// Mints tokens for a user; returns `AuthenticationResult`.
pub(crate) fn issue(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    pool_id: &str,
    client_id: &str,
    user_key: &str,
    origin: Origin,
    refresh: RefreshGrant,
) -> Result<Value, CognitoError> {
    let (scope, nonce) = match &origin {
        Origin::Hosted { scope, nonce } => (Some(scope.clone()), nonce.clone()),
        Origin::SignIn | Origin::Refresh(_) => (None, None),
    };
    let (origin_jti, auth_time, scope) = match origin {
        Origin::SignIn | Origin::Hosted { .. } => {
            let jti = ctx.rng.uuid();
            st.families.insert(
                jti.clone(),
                Family {
                    pool_id: pool_id.to_owned(),
                    client_id: client_id.to_owned(),
                    user_key: user_key.to_owned(),
                    auth_time: ctx.now,
                    revoked: false,
                    scope: scope.clone(),
                },
            );
            (jti, ctx.now, scope)
        }
        Origin::Refresh(jti) => {
            let family = st.families.get(&jti);
            let auth_time = family.map_or(ctx.now, |f| f.auth_time);
            let scope = family.and_then(|f| f.scope.clone());
            (jti, auth_time, scope)
        }
    };
    // API sign-ins get `aws.cognito.signin.user.admin` (userInfo endpoint: API access tokens
    // "don't contain any scopes" it accepts); hosted-UI sign-ins the scopes granted at
    // /oauth2/authorize, kept by every refresh of the sign-in.
    let scope = scope.unwrap_or_else(|| "aws.cognito.signin.user.admin".to_owned());
    let pool = st.pool(pool_id)?;
    let client = pool.client(client_id)?;
    let user = pool.user(user_key)?;
    let iss = issuer(ctx, pool);
    let groups = pool.groups_of(user);
    let roles = pool.roles_of(user);
    let event_id = ctx.rng.uuid();

    let mut access = Map::new();
    access.insert("sub".into(), json!(user.sub));
    if !groups.is_empty() {
        access.insert("cognito:groups".into(), json!(groups));
    }
    access.insert("iss".into(), json!(iss));
    access.insert("client_id".into(), json!(client.id));
    access.insert("origin_jti".into(), json!(origin_jti));
    access.insert("event_id".into(), json!(event_id));
    access.insert("token_use".into(), json!("access"));
    access.insert("scope".into(), json!(scope));
    access.insert("auth_time".into(), json!(auth_time));
    access.insert("exp".into(), json!(ctx.now + client.access_token_validity));
    access.insert("iat".into(), json!(ctx.now));
    access.insert("jti".into(), json!(ctx.rng.uuid()));
    access.insert("username".into(), json!(user.username));

    let mut id = Map::new();
    id.insert("sub".into(), json!(user.sub));
    if !groups.is_empty() {
        id.insert("cognito:groups".into(), json!(groups));
    }
    if !roles.is_empty() {
        id.insert("cognito:roles".into(), json!(roles));
        if let Some(first) = roles.first() {
            id.insert("cognito:preferred_role".into(), json!(first));
        }
    }
    for (name, value) in &user.attributes {
        let claim = if name.ends_with("_verified") {
            json!(value == "true")
        } else if name == "identities" {
            // Federated users: the attribute holds a JSON array, which ID tokens carry as JSON
            // (developer guide, "Understanding the identity (ID) token").
            serde_json::from_str(value).unwrap_or_else(|_| json!(value))
        } else {
            json!(value)
        };
        id.insert(name.clone(), claim);
    }
    id.insert("iss".into(), json!(iss));
    id.insert("cognito:username".into(), json!(user.username));
    id.insert("origin_jti".into(), json!(origin_jti));
    id.insert("aud".into(), json!(client.id));
    if let Some(nonce) = nonce {
        id.insert("nonce".into(), json!(nonce));
    }
    id.insert("event_id".into(), json!(event_id));
    id.insert("token_use".into(), json!("id"));
    id.insert("auth_time".into(), json!(auth_time));
    id.insert("exp".into(), json!(ctx.now + client.id_token_validity));
    id.insert("iat".into(), json!(ctx.now));
    id.insert("jti".into(), json!(ctx.rng.uuid()));

    // Signed here, or after the state lock is released when the request deferred signing.
    let access_token = ctx.sign_user_pool_jwt(Value::Object(access))?;
    let id_token = ctx.sign_user_pool_jwt(Value::Object(id))?;
    let mut result = Map::new();
    result.insert("AccessToken".into(), json!(access_token));
    result.insert("ExpiresIn".into(), json!(client.access_token_validity));
    result.insert("IdToken".into(), json!(id_token));
    result.insert("TokenType".into(), json!("Bearer"));
    let expires = match refresh {
        RefreshGrant::None => None,
        RefreshGrant::Fresh => Some(ctx.now + client.refresh_token_validity),
        RefreshGrant::Rotated { expires } => Some(expires),
    };
    if let Some(expires) = expires {
        let token = ctx.rng.token(96);
        st.refresh_tokens.insert(
            token.clone(),
            RefreshRecord {
                family: origin_jti,
                expires,
                replaced_at: None,
            },
        );
        result.insert("RefreshToken".into(), json!(token));
    }
    Ok(Value::Object(result))
}

/// `iss` of a pool's tokens: `<endpoint>/<poolId>`.
pub(crate) fn issuer(ctx: &Ctx<'_>, pool: &Pool) -> String {
    format!("{}/{}", ctx.endpoint, pool.id)
}

/// Why a user pool token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Malformed,
    UnknownIssuer,
    BadSignature,
    WrongUse,
    Expired,
    Revoked,
    UserNotFound,
    UserDisabled,
}

/// A token that passed every check.
#[derive(Debug)]
pub(crate) struct Checked {
    pub(crate) pool_id: String,
    pub(crate) user_key: String,
    pub(crate) client_id: String,
    pub(crate) decoded: Decoded,
}

/// Checks a user pool token: signature, issuer, `token_use`, expiry, revocation, and that the
/// user still exists and is enabled.
pub(crate) fn check(
    ctx: &Ctx<'_>,
    st: &UserPools,
    token: &str,
    expected_use: Option<&str>,
) -> Result<Checked, TokenProblem> {
    let decoded = jwt::decode(token).ok_or(TokenProblem::Malformed)?;
    let iss = decoded
        .claim_str("iss")
        .ok_or(TokenProblem::UnknownIssuer)?;
    let pool_id = iss
        .strip_prefix(ctx.endpoint)
        .and_then(|rest| rest.strip_prefix('/'))
        .ok_or(TokenProblem::UnknownIssuer)?;
    let pool = st.pools.get(pool_id).ok_or(TokenProblem::UnknownIssuer)?;
    if !decoded.verify_with(&ctx.keys.user_pool) {
        return Err(TokenProblem::BadSignature);
    }
    let token_use = decoded
        .claim_str("token_use")
        .ok_or(TokenProblem::WrongUse)?;
    if expected_use.is_some_and(|u| u != token_use) {
        return Err(TokenProblem::WrongUse);
    }
    let exp = decoded.claim_i64("exp").ok_or(TokenProblem::Malformed)?;
    if exp <= ctx.now {
        return Err(TokenProblem::Expired);
    }
    let family_id = decoded
        .claim_str("origin_jti")
        .ok_or(TokenProblem::Malformed)?;
    let family = st.families.get(family_id).ok_or(TokenProblem::Revoked)?;
    if family.revoked {
        return Err(TokenProblem::Revoked);
    }
    let (username_claim, client_claim) = match token_use {
        "access" => ("username", "client_id"),
        "id" => ("cognito:username", "aud"),
        _ => return Err(TokenProblem::WrongUse),
    };
    let username = decoded
        .claim_str(username_claim)
        .ok_or(TokenProblem::Malformed)?;
    let client_id = decoded
        .claim_str(client_claim)
        .ok_or(TokenProblem::Malformed)?
        .to_owned();
    let user_key = username.to_lowercase();
    let user = pool
        .users
        .get(&user_key)
        .ok_or(TokenProblem::UserNotFound)?;
    if Some(user.sub.as_str()) != decoded.claim_str("sub") {
        return Err(TokenProblem::UserNotFound);
    }
    if !user.enabled {
        return Err(TokenProblem::UserDisabled);
    }
    Ok(Checked {
        pool_id: pool_id.to_owned(),
        user_key,
        client_id,
        decoded,
    })
}

/// Checks an access token presented to an operation, with Cognito's messages.
pub(crate) fn check_access_token(
    ctx: &Ctx<'_>,
    st: &UserPools,
    token: &str,
) -> Result<Checked, CognitoError> {
    check(ctx, st, token, Some("access")).map_err(|problem| match problem {
        TokenProblem::Expired => CognitoError::not_authorized("Access Token has expired"),
        TokenProblem::Revoked => CognitoError::not_authorized("Access Token has been revoked"),
        TokenProblem::UserNotFound => CognitoError::user_not_found(),
        TokenProblem::UserDisabled => CognitoError::not_authorized("User is disabled."),
        TokenProblem::Malformed
        | TokenProblem::UnknownIssuer
        | TokenProblem::BadSignature
        | TokenProblem::WrongUse => CognitoError::not_authorized("Invalid Access Token"),
    })
}
