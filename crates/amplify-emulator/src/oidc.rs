//! Test OIDC issuers the emulator hosts (e.g. `accounts.google.com`) and mints tokens for.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

/// An OIDC issuer the emulator stands in for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OidcIssuer {
    /// `https://accounts.google.com`.
    pub(crate) issuer: String,
    /// The identity pool provider name: the issuer without `https://` (`accounts.google.com`).
    pub(crate) provider_name: String,
}

impl OidcIssuer {
    /// Accepts `accounts.google.com` or `https://accounts.google.com`.
    pub(crate) fn new(issuer: &str) -> Self {
        let trimmed = issuer.trim_end_matches('/');
        let provider_name = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .unwrap_or(trimmed)
            .to_owned();
        let issuer = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        Self {
            issuer,
            provider_name,
        }
    }
}

/// A test token to mint for one of the emulator's OIDC issuers.
///
/// ```
/// use amplify_emulator::OidcToken;
///
/// let request = OidcToken::new("accounts.google.com", "google-user-1")
///     .audience("my-google-client-id")
///     .claim("email", "someone@example.com");
/// # let _ = request;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OidcToken {
    /// The issuer (`accounts.google.com` or `https://accounts.google.com`).
    pub issuer: String,
    /// The `sub` claim.
    pub subject: String,
    /// The `aud` claim (`amplify-emulator` when `None`).
    pub audience: Option<String>,
    /// Extra claims.
    pub claims: BTreeMap<String, Value>,
    /// Lifetime (1 hour).
    pub validity: Duration,
}

impl OidcToken {
    /// A token for `subject` from `issuer`.
    pub fn new(issuer: impl Into<String>, subject: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            subject: subject.into(),
            audience: None,
            claims: BTreeMap::new(),
            validity: Duration::from_secs(3600),
        }
    }

    /// Sets `aud`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Adds a claim.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Sets the lifetime.
    pub fn validity(mut self, validity: Duration) -> Self {
        self.validity = validity;
        self
    }

    pub(crate) fn claims_at(&self, issuer: &OidcIssuer, now: i64) -> Value {
        let mut claims = Map::new();
        for (k, v) in &self.claims {
            claims.insert(k.clone(), v.clone());
        }
        let validity = i64::try_from(self.validity.as_secs()).unwrap_or(i64::MAX);
        claims.insert("iss".into(), json!(issuer.issuer));
        claims.insert("sub".into(), json!(self.subject));
        claims.insert(
            "aud".into(),
            json!(self.audience.as_deref().unwrap_or("amplify-emulator")),
        );
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now.saturating_add(validity)));
        Value::Object(claims)
    }
}
