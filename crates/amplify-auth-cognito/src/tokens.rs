//! User-pool tokens, their claims, and the other secrets the plugin handles.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};

use crate::AuthError;

amplify_core::secret_newtype! {
    /// A user's password.
    ///
    /// ```
    /// let pw = amplify_auth_cognito::Password::new("hunter2");
    /// assert_eq!(format!("{pw:?}"), "Password([redacted])");
    /// ```
    ///
    /// Cheap to clone (the value is shared).
    pub struct Password;
}
amplify_core::secret_newtype! {
    /// A Cognito refresh token (opaque).
    ///
    /// Cheap to clone (the value is shared).
    pub struct RefreshToken;
}
amplify_core::secret_newtype! {
    /// A one-time code sent by email or SMS (sign-up confirmation, password reset, MFA).
    ///
    /// ```
    /// let code = amplify_auth_cognito::ConfirmationCode::new("123456");
    /// assert_eq!(format!("{code:?}"), "ConfirmationCode([redacted])");
    /// ```
    ///
    /// Cheap to clone (the value is shared).
    pub struct ConfirmationCode;
}
amplify_core::secret_newtype! {
    /// The answer to a sign-in challenge: an MFA code, a new password, or a custom challenge's
    /// answer.
    ///
    /// ```
    /// let answer = amplify_auth_cognito::ChallengeResponse::new("new password");
    /// assert_eq!(format!("{answer:?}"), "ChallengeResponse([redacted])");
    /// ```
    ///
    /// Cheap to clone (the value is shared).
    pub struct ChallengeResponse;
}
amplify_core::secret_newtype! {
    /// A token from an external identity provider (Google, an OIDC issuer, ...) for federation.
    ///
    /// Cheap to clone (the value is shared).
    pub struct FederationToken;
}

/// A signed JWT issued by Cognito, with its decoded claims. `Debug` shows a few claims only.
/// Cheap to clone.
#[derive(Clone)]
pub struct Jwt {
    inner: Arc<JwtInner>,
}

struct JwtInner {
    raw: SecretString,
    claims: Claims,
}

impl Jwt {
    /// Decodes (without verifying: the token came from Cognito over TLS) a JWT.
    ///
    /// # Errors
    ///
    /// [`AuthError::UnexpectedResponse`] when the text is not a JWT with a JSON payload.
    pub fn parse(raw: impl Into<String>) -> Result<Self, AuthError> {
        // Held as a secret from the start, so even a rejected token is zeroized when dropped.
        let raw = SecretString::from(raw.into());
        let payload = raw
            .expose_secret()
            .split('.')
            .nth(1)
            .ok_or_else(|| AuthError::unexpected("a token is not a JWT"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|e| AuthError::unexpected_with("a token's payload is not base64url", e))?;
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes)
            .map_err(|e| AuthError::unexpected_with("a token's payload is not a JSON object", e))?;
        Ok(Self {
            inner: Arc::new(JwtInner {
                raw,
                claims: Claims(map),
            }),
        })
    }

    /// The encoded token. Call this only where it is sent, never to log it.
    pub fn expose_secret(&self) -> &str {
        self.inner.raw.expose_secret()
    }

    /// The decoded claims.
    pub fn claims(&self) -> &Claims {
        &self.inner.claims
    }

    /// `exp` as a time.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.inner.claims.time("exp")
    }
}

impl fmt::Debug for Jwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("token_use", &self.claims().string("token_use"))
            .field("sub", &self.claims().sub())
            .field("exp", &self.claims().number("exp"))
            .finish_non_exhaustive()
    }
}

/// The claims of a JWT.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims(serde_json::Map<String, serde_json::Value>);

impl Claims {
    /// A string claim.
    pub fn string(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(serde_json::Value::as_str)
    }

    /// A numeric claim.
    pub fn number(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(serde_json::Value::as_i64)
    }

    /// A claim holding seconds since the epoch, as a time.
    pub fn time(&self, name: &str) -> Option<SystemTime> {
        let secs = u64::try_from(self.number(name)?).ok()?;
        UNIX_EPOCH.checked_add(Duration::from_secs(secs))
    }

    /// The user's id (`sub`).
    pub fn sub(&self) -> Option<&str> {
        self.string("sub")
    }

    /// The username (`cognito:username` in ID tokens, `username` in access tokens).
    pub fn username(&self) -> Option<&str> {
        self.string("cognito:username")
            .or_else(|| self.string("username"))
    }

    /// `email`.
    pub fn email(&self) -> Option<&str> {
        self.string("email")
    }

    /// Groups from `cognito:groups`.
    pub fn groups(&self) -> Vec<String> {
        self.0
            .get("cognito:groups")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|g| g.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Custom attributes (`custom:<name>`), keyed by name without the prefix.
    pub fn custom_attributes(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("custom:")?;
                let value = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some((name.to_owned(), value))
            })
            .collect()
    }

    /// Every claim.
    pub fn as_map(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.0
    }
}

/// The user pool's tokens for a signed-in user.
#[derive(Clone)]
pub struct UserPoolTokens {
    /// The access token (sent to AppSync in user-pool mode, and to Cognito's user APIs).
    pub access_token: Jwt,
    /// The ID token (the user's identity claims; exchanged for identity-pool credentials).
    pub id_token: Jwt,
    /// The refresh token.
    pub refresh_token: RefreshToken,
}

impl UserPoolTokens {
    /// The earlier of the two tokens' expiry.
    pub fn expires_at(&self) -> Option<SystemTime> {
        match (self.access_token.expires_at(), self.id_token.expires_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The user's id (`sub`).
    pub fn user_id(&self) -> Option<&str> {
        self.id_token
            .claims()
            .sub()
            .or_else(|| self.access_token.claims().sub())
    }

    /// The username.
    pub fn username(&self) -> Option<&str> {
        self.access_token
            .claims()
            .string("username")
            .or_else(|| self.id_token.claims().username())
    }
}

impl fmt::Debug for UserPoolTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserPoolTokens")
            .field("access_token", &self.access_token)
            .field("id_token", &self.id_token)
            .field("refresh_token", &self.refresh_token)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &serde_json::Value) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
        )
    }

    #[test]
    fn claims_are_typed() {
        let token = Jwt::parse(jwt(&serde_json::json!({
            "sub": "u-1", "cognito:username": "alice", "email": "a@example.com",
            "cognito:groups": ["admins", "editors"], "custom:plan": "pro", "custom:seats": 3,
            "exp": 1_700_000_000, "token_use": "id"
        })))
        .unwrap();
        let c = token.claims();
        assert_eq!(c.sub(), Some("u-1"));
        assert_eq!(c.username(), Some("alice"));
        assert_eq!(c.email(), Some("a@example.com"));
        assert_eq!(c.groups(), ["admins", "editors"]);
        assert_eq!(
            c.custom_attributes().get("plan").map(String::as_str),
            Some("pro")
        );
        assert_eq!(
            c.custom_attributes().get("seats").map(String::as_str),
            Some("3")
        );
        assert_eq!(
            token.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        let shown = format!("{token:?}");
        assert!(
            shown.contains("u-1") && !shown.contains("c2ln") && !shown.contains("eyJ"),
            "{shown}"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in ["", "abc", "a.b.c", "a.!!!.c", "a.bnVsbA.c"] {
            assert!(Jwt::parse(bad).is_err(), "{bad}");
        }
    }
}
