//! Hosted UI state: app clients' OAuth settings, the pools' federated providers, authorization
//! codes, hosted-UI sessions (the cookie) and federated sign-ins waiting for the upstream IdP.

use std::collections::{BTreeMap, HashMap};

use crate::spec::{IdentityProviderSpec, OAuthClientSpec};

/// Everything the OAuth endpoints remember.
#[derive(Debug, Default)]
pub(crate) struct OAuthState {
    /// OAuth settings by app client id (clients without settings are absent).
    pub(crate) clients: BTreeMap<String, OAuthClient>,
    /// Federated providers by pool id, then provider name.
    pub(crate) providers: BTreeMap<String, BTreeMap<String, IdentityProviderSpec>>,
    /// Authorization codes not yet redeemed.
    pub(crate) codes: HashMap<String, AuthCode>,
    /// Hosted-UI sessions by cookie value.
    pub(crate) sessions: HashMap<String, HostedSession>,
    /// Federated sign-ins waiting for the upstream IdP, by the state Cognito sent it.
    pub(crate) upstream: HashMap<String, UpstreamLogin>,
    /// Upstream authorization codes (the simulated IdP's) → the IdP's ID token.
    pub(crate) upstream_codes: HashMap<String, UpstreamCode>,
}

/// One app client's OAuth settings.
#[derive(Debug, Clone)]
pub(crate) struct OAuthClient {
    pub(crate) pool_id: String,
    pub(crate) spec: OAuthClientSpec,
}

/// What the login or the federated callback decided: a user signed in for an authorization
/// request.
#[derive(Clone)]
pub(crate) struct AuthCode {
    pub(crate) request: AuthRequest,
    pub(crate) pool_id: String,
    pub(crate) user_key: String,
    pub(crate) expires: i64,
}

impl std::fmt::Debug for AuthCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCode")
            .field("client_id", &self.request.client_id)
            .field("user_key", &self.user_key)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// A validated `/oauth2/authorize` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthRequest {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) response_type: String,
    /// The granted scopes, space-separated, in the client's order.
    pub(crate) scope: String,
    pub(crate) state: Option<String>,
    pub(crate) nonce: Option<String>,
    /// `S256` (the only method Cognito accepts) and the challenge.
    pub(crate) code_challenge: Option<String>,
}

/// A signed-in hosted-UI session (Cognito's `cognito` cookie on the domain).
#[derive(Debug, Clone)]
pub(crate) struct HostedSession {
    pub(crate) pool_id: String,
    pub(crate) user_key: String,
    pub(crate) expires: i64,
}

/// A federated sign-in sent to the upstream IdP.
#[derive(Debug, Clone)]
pub(crate) struct UpstreamLogin {
    pub(crate) request: AuthRequest,
    pub(crate) pool_id: String,
    pub(crate) provider: String,
    pub(crate) expires: i64,
}

/// The upstream IdP's authorization code and the ID token it stands for.
#[derive(Clone)]
pub(crate) struct UpstreamCode {
    pub(crate) id_token: String,
    pub(crate) expires: i64,
}

impl std::fmt::Debug for UpstreamCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamCode")
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl OAuthState {
    /// Drops expired codes, sessions and pending federated sign-ins.
    pub(crate) fn prune(&mut self, now: i64) {
        self.codes.retain(|_, c| c.expires > now);
        self.sessions.retain(|_, s| s.expires > now);
        self.upstream.retain(|_, u| u.expires > now);
        self.upstream_codes.retain(|_, u| u.expires > now);
    }
}
