//! Token verification for other parts of the emulator (AppSync, later) and for tests.

use serde_json::{Map, Value};

use crate::user_pool::tokens::{Checked, TokenProblem};

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
