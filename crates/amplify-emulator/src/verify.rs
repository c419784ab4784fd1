//! Token verification as a service: user pool tokens (for AppSync's `AMAZON_COGNITO_USER_POOLS`
//! and for tests) and OIDC / identity-pool OpenID tokens (`OPENID_CONNECT`).

use serde_json::{Map, Value};

use crate::context::Ctx;
use crate::identity_pool::COGNITO_IDENTITY_ISSUER;
use crate::jwt;
use crate::state::State;
use crate::user_pool::tokens::{self, Checked, TokenProblem};

/// Verifies a user pool ID or access token: signature, issuer, expiry (the context's clock
/// reading), revocation and global sign-out, and that the user still exists and is enabled.
pub(crate) fn user_pool_token(
    ctx: &Ctx<'_>,
    state: &State,
    token: &str,
) -> Result<VerifiedToken, TokenError> {
    let checked = tokens::check(ctx, &state.user_pools, token, None)?;
    Ok(VerifiedToken::from_user_pool(checked))
}

/// Verifies a token from one of the emulator's OIDC issuers, or an identity-pool OpenID token.
pub(crate) fn oidc_token(ctx: &Ctx<'_>, token: &str) -> Result<VerifiedToken, TokenError> {
    let decoded = jwt::decode(token).ok_or(TokenError::Malformed)?;
    let iss = decoded
        .claim_str("iss")
        .ok_or(TokenError::UnknownIssuer)?
        .to_owned();
    let known = iss == COGNITO_IDENTITY_ISSUER || ctx.issuers.iter().any(|i| i.issuer == iss);
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
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a compact JWS with JSON header and claims.
    #[error("the token is not a well-formed JWT")]
    Malformed,
    /// The issuer is not one of the emulator's.
    #[error("the token's issuer is not hosted by this emulator")]
    UnknownIssuer,
    /// The signature does not verify.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// `token_use` is missing or unknown.
    #[error("the token has no usable token_use")]
    WrongUse,
    /// Past `exp` on the emulator's clock.
    #[error("the token has expired")]
    Expired,
    /// Revoked (RevokeToken) or signed out (GlobalSignOut).
    #[error("the token has been revoked")]
    Revoked,
    /// The user was deleted.
    #[error("the token's user no longer exists")]
    UserNotFound,
    /// The user is disabled.
    #[error("the token's user is disabled")]
    UserDisabled,
}

impl From<TokenProblem> for TokenError {
    fn from(problem: TokenProblem) -> Self {
        match problem {
            TokenProblem::Malformed => TokenError::Malformed,
            TokenProblem::UnknownIssuer => TokenError::UnknownIssuer,
            TokenProblem::BadSignature => TokenError::BadSignature,
            TokenProblem::WrongUse => TokenError::WrongUse,
            TokenProblem::Expired => TokenError::Expired,
            TokenProblem::Revoked => TokenError::Revoked,
            TokenProblem::UserNotFound => TokenError::UserNotFound,
            TokenProblem::UserDisabled => TokenError::UserDisabled,
        }
    }
}

/// A token that passed verification.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// The `iss` claim.
    pub issuer: String,
    /// The user pool, for user pool tokens.
    pub user_pool_id: Option<String>,
    /// The app client (`client_id` or `aud`), for user pool tokens.
    pub client_id: Option<String>,
    /// `access` or `id` for user pool tokens.
    pub token_use: Option<String>,
    /// The internal username, for user pool tokens.
    pub username: Option<String>,
    /// All claims.
    pub claims: Map<String, Value>,
}

impl VerifiedToken {
    pub(crate) fn from_user_pool(checked: Checked) -> Self {
        let claims = checked.decoded.claims;
        let get = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        Self {
            issuer: get("iss").unwrap_or_default(),
            user_pool_id: Some(checked.pool_id),
            client_id: Some(checked.client_id),
            token_use: get("token_use"),
            username: get("username").or_else(|| get("cognito:username")),
            claims,
        }
    }

    pub(crate) fn from_oidc(issuer: String, claims: Map<String, Value>) -> Self {
        Self {
            issuer,
            user_pool_id: None,
            client_id: None,
            token_use: None,
            username: None,
            claims,
        }
    }

    /// The `sub` claim.
    pub fn subject(&self) -> Option<&str> {
        self.claims.get("sub").and_then(Value::as_str)
    }

    /// The `cognito:groups` claim.
    pub fn groups(&self) -> Vec<String> {
        self.claims
            .get("cognito:groups")
            .and_then(Value::as_array)
            .map(|groups| {
                groups
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}
