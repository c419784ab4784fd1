//! Cognito's managed login (hosted UI) with OAuth 2.0 authorization code + PKCE, sans IO: the
//! authorize and logout URLs, PKCE, the redirect, and the token endpoint's request and answer.
//! The network and loopback listener live in [`http`] and [`listener`].

use std::collections::BTreeMap;

use amplify_core::config::OAuthConfig;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::AuthError;
use crate::error::{HostedUiError, HostedUiErrorKind};

pub(crate) mod http;
pub(crate) mod listener;

/// How long one token endpoint call may take when the SDK settings set no attempt timeout.
pub(crate) const DEFAULT_TOKEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

amplify_core::secret_newtype! {
    /// A PKCE code verifier (RFC 7636): kept in memory for the one exchange.
    ///
    /// Cheap to clone (the value is shared).
    pub struct CodeVerifier;
}

amplify_core::secret_newtype! {
    /// An authorization code from the redirect (single use).
    ///
    /// Cheap to clone (the value is shared).
    pub struct AuthorizationCode;
}

/// An identity provider of the managed login.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostedUiProvider {
    /// The user pool's own sign-in page (`COGNITO`).
    Cognito,
    /// Google (`Google`).
    Google,
    /// Facebook (`Facebook`).
    Facebook,
    /// Login with Amazon (`LoginWithAmazon`).
    Amazon,
    /// Sign in with Apple (`SignInWithApple`).
    Apple,
    /// An OIDC or SAML provider by the name it has in the user pool.
    Custom(String),
}

impl HostedUiProvider {
    /// The `identity_provider` parameter of the authorize endpoint.
    pub fn identity_provider(&self) -> &str {
        match self {
            HostedUiProvider::Cognito => "COGNITO",
            HostedUiProvider::Google => "Google",
            HostedUiProvider::Facebook => "Facebook",
            HostedUiProvider::Amazon => "LoginWithAmazon",
            HostedUiProvider::Apple => "SignInWithApple",
            HostedUiProvider::Custom(name) => name,
        }
    }
}

/// A 32-byte random value, base64url without padding (43 characters, within RFC 7636's
/// 43–128 for verifiers).
pub(crate) fn random_token() -> Result<String, AuthError> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|_| AuthError::Srp(crate::srp::SrpError::Random))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes.as_ref()))
}

/// The S256 challenge of a verifier: base64url(SHA-256(verifier)).
pub(crate) fn code_challenge(verifier: &CodeVerifier) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose_secret().as_bytes()))
}

/// `https://<domain>` (or `http://` for a loopback domain such as the emulator's).
pub(crate) fn base_url(domain: &str) -> String {
    let domain = domain.trim_end_matches('/');
    if domain.starts_with("http://") || domain.starts_with("https://") {
        return domain.to_owned();
    }
    let host = domain.split(':').next().unwrap_or(domain);
    if host == "localhost" || host == "127.0.0.1" || host == "[::1]" {
        format!("http://{domain}")
    } else {
        format!("https://{domain}")
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes a query value (`+` is a space).
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query parameters of a URL or request target.
pub(crate) fn query_params(url: &str) -> BTreeMap<String, String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Everything needed to build the authorize URL.
pub(crate) struct AuthorizeRequest<'a> {
    pub(crate) oauth: &'a OAuthConfig,
    pub(crate) client_id: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) scopes: &'a [String],
    pub(crate) state: &'a str,
    pub(crate) verifier: &'a CodeVerifier,
    pub(crate) provider: Option<&'a HostedUiProvider>,
}

/// `<domain>/oauth2/authorize?response_type=code&client_id=…&redirect_uri=…&state=…&scope=…&code_challenge=…&code_challenge_method=S256[&identity_provider=…]`.
pub(crate) fn authorize_url(r: &AuthorizeRequest<'_>) -> String {
    let base = match &r.oauth.sign_in_uri {
        Some(custom) => custom.clone(),
        None => format!("{}/oauth2/authorize", base_url(&r.oauth.domain)),
    };
    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), r.client_id.into()),
        ("redirect_uri".into(), r.redirect_uri.into()),
        ("state".into(), r.state.into()),
        ("scope".into(), r.scopes.join(" ")),
        ("code_challenge".into(), code_challenge(r.verifier)),
        ("code_challenge_method".into(), "S256".into()),
    ];
    if let Some(provider) = r.provider {
        params.push((
            "identity_provider".into(),
            provider.identity_provider().to_owned(),
        ));
    }
    for (k, v) in &r.oauth.sign_in_uri_query_parameters {
        params.push((k.clone(), v.clone()));
    }
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// `<domain>/logout?client_id=…&logout_uri=…`.
pub(crate) fn logout_url(oauth: &OAuthConfig, client_id: &str, logout_uri: &str) -> String {
    let base = match &oauth.sign_out_uri {
        Some(custom) => custom.clone(),
        None => format!("{}/logout", base_url(&oauth.domain)),
    };
    format!(
        "{base}?client_id={}&logout_uri={}",
        encode(client_id),
        encode(logout_uri)
    )
}

/// `<domain>/oauth2/token`.
pub(crate) fn token_url(oauth: &OAuthConfig) -> String {
    oauth
        .token_uri
        .clone()
        .unwrap_or_else(|| format!("{}/oauth2/token", base_url(&oauth.domain)))
}

/// What the redirect carried: the code, after checking `state` and errors.
///
/// # Errors
///
/// [`HostedUiErrorKind::AccessDenied`] / [`HostedUiErrorKind::Authorization`] for an `error`
/// on the redirect, [`HostedUiErrorKind::StateMismatch`] for a foreign or missing `state`,
/// [`HostedUiErrorKind::InvalidRedirect`] without a code.
pub(crate) fn parse_redirect(
    redirect: &str,
    expected_state: &str,
) -> Result<AuthorizationCode, AuthError> {
    let params = query_params(redirect);
    let state_ok = params
        .get("state")
        .is_some_and(|s| constant_time_eq(s.as_bytes(), expected_state.as_bytes()));
    if let Some(error) = params.get("error") {
        let kind = if error == "access_denied" {
            HostedUiErrorKind::AccessDenied
        } else {
            HostedUiErrorKind::Authorization
        };
        return Err(HostedUiError::new(kind)
            .with_server(error, params.get("error_description").map(String::as_str))
            .into());
    }
    if !state_ok {
        return Err(HostedUiError::new(HostedUiErrorKind::StateMismatch).into());
    }
    params
        .get("code")
        .filter(|c| !c.is_empty())
        .map(|c| AuthorizationCode::new(c.as_str()))
        .ok_or_else(|| HostedUiError::new(HostedUiErrorKind::InvalidRedirect).into())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The form body of the code exchange (`client_secret` is sent with HTTP Basic instead).
pub(crate) fn code_exchange_body(
    client_id: &str,
    code: &AuthorizationCode,
    redirect_uri: &str,
    verifier: &CodeVerifier,
) -> String {
    format!(
        "grant_type=authorization_code&client_id={}&code={}&redirect_uri={}&code_verifier={}",
        encode(client_id),
        encode(code.expose_secret()),
        encode(redirect_uri),
        encode(verifier.expose_secret())
    )
}

/// `Authorization: Basic base64(client_id:client_secret)` for confidential clients.
pub(crate) fn basic_auth(client_id: &str, secret: &str) -> String {
    format!("Basic {}", BASE64.encode(format!("{client_id}:{secret}")))
}

/// The token endpoint's answer.
#[derive(serde::Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: Option<String>,
    pub(crate) id_token: Option<String>,
    pub(crate) refresh_token: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn oauth(domain: &str) -> OAuthConfig {
        let json = serde_json::json!({"version": "1", "auth": {"aws_region": "us-east-1",
            "user_pool_id": "us-east-1_X", "user_pool_client_id": "client",
            "oauth": {"identity_providers": ["GOOGLE"], "domain": domain,
                "scopes": ["openid", "email"], "redirect_sign_in_uri": ["http://localhost:3000/callback"],
                "redirect_sign_out_uri": ["http://localhost:3000/signout"], "response_type": "code"}}});
        let config = amplify_core::AmplifyConfig::from_json(&json.to_string());
        match config.ok().and_then(|c| c.auth).and_then(|a| a.oauth) {
            Some(o) => o,
            None => panic!("the test configuration has an OAuth section"),
        }
    }

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        // RFC 7636, Appendix B.
        let verifier = CodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            code_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let token = random_token().unwrap_or_default();
        assert_eq!(token.len(), 43);
        assert_ne!(token, random_token().unwrap_or_default());
    }

    #[test]
    fn the_authorize_url_carries_pkce_state_scopes_and_provider() {
        let config = oauth("auth.example.com");
        let verifier = CodeVerifier::new("v");
        let url = authorize_url(&AuthorizeRequest {
            oauth: &config,
            client_id: "client",
            redirect_uri: "http://localhost:3000/callback",
            scopes: &["openid".to_owned(), "email".to_owned()],
            state: "st",
            verifier: &verifier,
            provider: Some(&HostedUiProvider::Google),
        });
        assert!(url.starts_with("https://auth.example.com/oauth2/authorize?response_type=code&client_id=client&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=st&scope=openid%20email&code_challenge="), "{url}");
        assert!(
            url.ends_with("&code_challenge_method=S256&identity_provider=Google"),
            "{url}"
        );
        let params = query_params(&url);
        assert_eq!(params["redirect_uri"], "http://localhost:3000/callback");
        assert_eq!(params["code_challenge"], code_challenge(&verifier));
        assert_eq!(base_url("127.0.0.1:4000"), "http://127.0.0.1:4000");
        assert_eq!(
            logout_url(&config, "client", "http://localhost:3000/signout"),
            "https://auth.example.com/logout?client_id=client&logout_uri=http%3A%2F%2Flocalhost%3A3000%2Fsignout"
        );
        assert_eq!(token_url(&config), "https://auth.example.com/oauth2/token");
    }

    #[test]
    fn redirects_are_checked() {
        let ok = parse_redirect("http://localhost:3000/callback?code=abc&state=st", "st");
        assert_eq!(
            ok.map(|c| c.expose_secret().to_owned()).ok().as_deref(),
            Some("abc")
        );
        let kind = |r: Result<AuthorizationCode, AuthError>| match r {
            Err(AuthError::HostedUi(e)) => Some(e.kind()),
            _ => None,
        };
        assert_eq!(
            kind(parse_redirect("/callback?code=abc&state=other", "st")),
            Some(HostedUiErrorKind::StateMismatch)
        );
        assert_eq!(
            kind(parse_redirect("/callback?code=abc", "st")),
            Some(HostedUiErrorKind::StateMismatch)
        );
        assert_eq!(
            kind(parse_redirect(
                "/callback?error=access_denied&error_description=User+said+no&state=st",
                "st"
            )),
            Some(HostedUiErrorKind::AccessDenied)
        );
        assert_eq!(
            kind(parse_redirect(
                "/callback?error=invalid_scope&state=st",
                "st"
            )),
            Some(HostedUiErrorKind::Authorization)
        );
        assert_eq!(
            kind(parse_redirect("/callback?state=st", "st")),
            Some(HostedUiErrorKind::InvalidRedirect)
        );
        assert_eq!(decode("a%20b+c%2"), "a b c%2");
    }
}
