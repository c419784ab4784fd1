//! The signed-in user, from local state.

use crate::AuthError;
use crate::error::InvalidStateReason;
use crate::plugin::CognitoAuthPlugin;
use crate::types::CurrentUser;

impl CognitoAuthPlugin {
    /// The signed-in user, from local state (no network call, no refresh).
    ///
    /// # Errors
    ///
    /// [`AuthError::SignedOut`] with nobody signed in; [`AuthError::InvalidState`] while
    /// federated to the identity pool (there is no user pool user).
    pub async fn get_current_user(&self) -> Result<CurrentUser, AuthError> {
        let configured = self.configured()?;
        let manager = &configured.manager;
        manager.ensure_loaded().await?;
        let snap = manager.snapshot();
        if snap.session.federation.is_some() {
            return Err(AuthError::InvalidState(InvalidStateReason::Federated));
        }
        let up = snap
            .session
            .user_pool
            .as_ref()
            .ok_or(AuthError::SignedOut)?;
        Ok(CurrentUser {
            user_id: up.tokens.user_id().unwrap_or_default().to_owned(),
            username: up.username.clone(),
            sign_in_details: up.sign_in_details.clone(),
        })
    }
}
