//! `fetch_auth_session`: the session, refreshed by the refresh policy.

use crate::plugin::CognitoAuthPlugin;
use crate::types::AuthSession;

/// Builder for [`CognitoAuthPlugin::fetch_auth_session`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct FetchAuthSessionBuilder {
    plugin: CognitoAuthPlugin,
    force_refresh: bool,
}

impl FetchAuthSessionBuilder {
    /// Refresh tokens and credentials even when they are still valid.
    pub fn force_refresh(mut self, force: bool) -> Self {
        self.force_refresh = force;
        self
    }

    /// The session. Never fails as a whole: see the per-field results.
    pub async fn send(self) -> AuthSession {
        match self.plugin.configured() {
            Ok(configured) => configured.manager.fetch(self.force_refresh).await,
            Err(e) => AuthSession::failed(e),
        }
    }
}

impl CognitoAuthPlugin {
    /// The current session, refreshed as needed. See [`FetchAuthSessionBuilder::send`].
    pub fn fetch_auth_session(&self) -> FetchAuthSessionBuilder {
        FetchAuthSessionBuilder {
            plugin: self.clone(),
            force_refresh: false,
        }
    }
}
