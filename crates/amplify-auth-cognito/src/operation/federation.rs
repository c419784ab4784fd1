//! Federation to the identity pool with an external provider's token.

use crate::AuthError;
use crate::error::InvalidStateReason;
use crate::identity_pool::no_identity_pool;
use crate::plugin::CognitoAuthPlugin;
use crate::session_data::{Federation, Session};
use crate::tokens::FederationToken;
use crate::types::FederateToIdentityPoolResult;

/// An identity provider for [`CognitoAuthPlugin::federate_to_identity_pool`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FederationProvider {
    /// Google (`accounts.google.com`).
    Google,
    /// Facebook (`graph.facebook.com`).
    Facebook,
    /// Login with Amazon (`www.amazon.com`).
    Amazon,
    /// Sign in with Apple (`appleid.apple.com`).
    Apple,
    /// An OIDC provider, by issuer (`https://issuer.example.com` → `issuer.example.com`).
    Oidc(String),
    /// Any provider name the identity pool knows.
    Custom(String),
}

impl FederationProvider {
    /// The key of the identity pool's `Logins` map.
    pub fn identity_pool_provider_name(&self) -> String {
        match self {
            FederationProvider::Google => "accounts.google.com".into(),
            FederationProvider::Facebook => "graph.facebook.com".into(),
            FederationProvider::Amazon => "www.amazon.com".into(),
            FederationProvider::Apple => "appleid.apple.com".into(),
            FederationProvider::Oidc(issuer) => issuer
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned(),
            FederationProvider::Custom(name) => name.clone(),
        }
    }
}

/// Builder for [`CognitoAuthPlugin::federate_to_identity_pool`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct FederateBuilder {
    plugin: CognitoAuthPlugin,
    token: Option<FederationToken>,
    provider: Option<FederationProvider>,
    developer_provided_identity_id: Option<String>,
}

impl FederateBuilder {
    /// The provider's token (for example a Google ID token).
    pub fn token(mut self, token: impl Into<FederationToken>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The provider.
    pub fn provider(mut self, provider: FederationProvider) -> Self {
        self.provider = Some(provider);
        self
    }

    /// An identity id your backend obtained (developer-authenticated identities); skips `GetId`.
    pub fn developer_provided_identity_id(mut self, id: impl Into<String>) -> Self {
        self.developer_provided_identity_id = Some(id.into());
        self
    }

    /// Exchanges the token for identity-pool credentials and keeps them as the session. The
    /// token itself is never refreshed: when it expires, federate again.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] while a user pool user is signed in; service errors such as
    /// `NotAuthorized` for a token the identity pool does not accept.
    pub async fn send(self) -> Result<FederateToIdentityPoolResult, AuthError> {
        let configured = self.plugin.configured()?;
        let token = self.token.ok_or_else(|| AuthError::required("token"))?;
        let provider = self
            .provider
            .ok_or_else(|| AuthError::required("provider"))?;
        let manager = &configured.manager;
        manager.ensure_loaded().await?;
        if manager.config.identity_pool.is_none() {
            return Err(no_identity_pool());
        }
        if manager.snapshot().session.user_pool.is_some() {
            return Err(AuthError::InvalidState(
                InvalidStateReason::UserPoolUserSignedIn,
            ));
        }
        let login = (
            provider.identity_pool_provider_name(),
            token.expose_secret().to_owned(),
        );
        let identity_id = match self.developer_provided_identity_id {
            Some(id) => id,
            None => manager.identity_pool()?.get_id(Some(&login)).await?,
        };
        let credentials = manager
            .identity_pool()?
            .get_credentials(&identity_id, Some(&login))
            .await?;
        let federation = Federation {
            provider: login.0.clone(),
            token,
        };
        manager
            .commit(None, true, |_| Session {
                federation: Some(federation),
                identity_id: Some(identity_id.clone()),
                aws_credentials: Some(credentials.clone()),
                user_pool: None,
            })
            .await?;
        Ok(FederateToIdentityPoolResult {
            identity_id,
            credentials,
        })
    }
}

impl CognitoAuthPlugin {
    /// Signs in to the identity pool with an external provider's token (seed: "Federate with
    /// Auth providers"). See [`FederateBuilder::send`].
    pub fn federate_to_identity_pool(&self) -> FederateBuilder {
        FederateBuilder {
            plugin: self.clone(),
            token: None,
            provider: None,
            developer_provided_identity_id: None,
        }
    }

    /// Ends a federated session.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] when the session is not federated; storage errors.
    pub async fn clear_federation_to_identity_pool(&self) -> Result<(), AuthError> {
        let configured = self.configured()?;
        let manager = &configured.manager;
        manager.ensure_loaded().await?;
        if manager.snapshot().session.federation.is_none() {
            return Err(AuthError::InvalidState(InvalidStateReason::NotFederated));
        }
        manager.commit(None, true, |_| Session::default()).await?;
        Ok(())
    }
}
