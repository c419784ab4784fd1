//! Sign-out: global sign-out, token revocation, local state.

use amplify_core::hub::AuthHubEvent;
use tracing::Instrument;

use crate::plugin::{CognitoAuthPlugin, Configured};
use crate::sdk::{self, IDP};
use crate::session_data::Session;
use crate::types::SignOutResult;

/// How to sign out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignOutScope {
    /// This device: revoke the refresh token and clear local storage.
    #[default]
    Local,
    /// Every device: `GlobalSignOut` invalidates all of the user's tokens, then local sign-out.
    Global,
}

/// Builder for [`CognitoAuthPlugin::sign_out`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct SignOutBuilder {
    plugin: CognitoAuthPlugin,
    scope: SignOutScope,
    web_ui: bool,
}

impl SignOutBuilder {
    /// Sign out everywhere ([`SignOutScope::Global`]) or only here.
    pub fn scope(mut self, scope: SignOutScope) -> Self {
        self.scope = scope;
        self
    }

    /// For a hosted-UI session, also end the managed login's browser session: open
    /// [`web_ui_sign_out_url`](CognitoAuthPlugin::web_ui_sign_out_url) in the system browser
    /// (best effort; needs the `browser` feature). Off by default, so a CLI never opens a
    /// browser it was not asked to; the tokens are revoked either way.
    pub fn web_ui_sign_out(mut self, open_browser: bool) -> Self {
        self.web_ui = open_browser;
        self
    }

    /// Signs out: `GlobalSignOut` (when global), then `RevokeToken` (skipped when the global
    /// sign-out failed), then clears local storage. Never an error: see [`SignOutResult`].
    pub async fn send(self) -> SignOutResult {
        let configured = match self.plugin.configured() {
            Ok(c) => c,
            Err(e) => return SignOutResult::Failed(e),
        };
        let hosted = configured
            .manager
            .snapshot()
            .session
            .user_pool
            .as_ref()
            .is_some_and(|up| {
                matches!(
                    up.sign_in_details.sign_in_method,
                    crate::types::SignInMethod::HostedUi { .. }
                )
            });
        let result = sign_out(&configured, self.scope)
            .instrument(tracing::debug_span!("amplify.auth.sign_out"))
            .await;
        if self.web_ui
            && hosted
            && let Some(url) = self.plugin.web_ui_sign_out_url()
        {
            open_logout(&url);
        }
        result
    }
}

#[cfg(feature = "browser")]
fn open_logout(url: &str) {
    if let Err(e) = webbrowser::open(url) {
        tracing::debug!(error = %e, "could not open the hosted UI's logout page");
    }
}

#[cfg(not(feature = "browser"))]
fn open_logout(_url: &str) {
    tracing::debug!("the browser feature is off; the hosted UI's logout page was not opened");
}

async fn sign_out(configured: &Configured, scope: SignOutScope) -> SignOutResult {
    let manager = &configured.manager;
    if let Err(e) = manager.ensure_loaded().await {
        return SignOutResult::Failed(e);
    }
    let snap = manager.snapshot();
    let mut global_error = None;
    let mut revoke_error = None;
    if let (Some(up), Some(client), Some(pool)) = (
        &snap.session.user_pool,
        &manager.clients.idp,
        &manager.config.user_pool,
    ) {
        if scope == SignOutScope::Global
            && let Err(e) = client
                .global_sign_out()
                .access_token(up.tokens.access_token.expose_secret())
                .send()
                .await
        {
            global_error = Some(sdk::map_error(IDP, e));
        }
        if global_error.is_none()
            && let Err(e) = client
                .revoke_token()
                .token(up.tokens.refresh_token.expose_secret())
                .client_id(&pool.app_client_id)
                .set_client_secret(
                    pool.app_client_secret
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned()),
                )
                .send()
                .await
        {
            revoke_error = Some(sdk::map_error(IDP, e));
        }
    }
    configured.sign_in.take_pending();
    if let Err(e) = manager.commit(None, true, |_| Session::default()).await {
        return SignOutResult::Failed(e);
    }
    manager.hub.auth().publish(AuthHubEvent::SignedOut);
    if global_error.is_none() && revoke_error.is_none() {
        SignOutResult::Complete
    } else {
        tracing::debug!(
            global_failed = global_error.is_some(),
            revoke_failed = revoke_error.is_some(),
            "signed out locally; a server-side step failed"
        );
        SignOutResult::Partial {
            global_sign_out_error: global_error,
            revoke_token_error: revoke_error,
        }
    }
}

impl CognitoAuthPlugin {
    /// Signs out. See [`SignOutBuilder::send`].
    pub fn sign_out(&self) -> SignOutBuilder {
        SignOutBuilder {
            plugin: self.clone(),
            scope: SignOutScope::Local,
            web_ui: false,
        }
    }
}
