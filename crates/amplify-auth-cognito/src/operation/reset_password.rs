//! Password reset: a code, then the new password.

use std::collections::HashMap;

use tracing::Instrument;

use super::{builder, delivery, metadata, required, required_code};
use crate::AuthError;
use crate::plugin::CognitoAuthPlugin;
use crate::sdk::{self, IDP};
use crate::tokens::{ConfirmationCode, Password};
use crate::types::{ResetPasswordResult, ResetPasswordStep};

builder!(
    /// Builder for [`CognitoAuthPlugin::reset_password`].
    ResetPasswordBuilder { username: Option<String> }
);

impl ResetPasswordBuilder {
    /// The username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Starts a password reset: Cognito sends a code.
    ///
    /// # Errors
    ///
    /// Service errors such as `UserNotFound` or `LimitExceeded`.
    pub async fn send(self) -> Result<ResetPasswordResult, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        let out = client
            .forgot_password()
            .client_id(&pool.app_client_id)
            .username(&username)
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.reset_password"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(ResetPasswordResult {
            is_password_reset: false,
            next_step: ResetPasswordStep::ConfirmResetPasswordWithCode(delivery(
                out.code_delivery_details(),
            )),
        })
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::confirm_reset_password`].
    ConfirmResetPasswordBuilder { username: Option<String>, new_password: Option<Password>, code: Option<ConfirmationCode> }
);

impl ConfirmResetPasswordBuilder {
    /// The username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The new password.
    pub fn new_password(mut self, password: impl Into<Password>) -> Self {
        self.new_password = Some(password.into());
        self
    }

    /// The code that was sent (a secret: `Debug` never shows it).
    pub fn confirmation_code(mut self, code: impl Into<ConfirmationCode>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets the new password.
    ///
    /// # Errors
    ///
    /// `CodeMismatch`, `ExpiredCode`, `InvalidPassword`.
    pub async fn send(self) -> Result<ResetPasswordResult, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let code = required_code(self.code)?;
        let password = self
            .new_password
            .ok_or_else(|| AuthError::required("new_password"))?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        client
            .confirm_forgot_password()
            .client_id(&pool.app_client_id)
            .username(&username)
            .confirmation_code(code.expose_secret())
            .password(password.expose_secret())
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.confirm_reset_password"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(ResetPasswordResult {
            is_password_reset: true,
            next_step: ResetPasswordStep::Done,
        })
    }
}

impl CognitoAuthPlugin {
    /// Starts a password reset. See [`ResetPasswordBuilder::send`].
    pub fn reset_password(&self) -> ResetPasswordBuilder {
        ResetPasswordBuilder {
            plugin: self.clone(),
            username: None,
            client_metadata: HashMap::new(),
        }
    }

    /// Completes a password reset. See [`ConfirmResetPasswordBuilder::send`].
    pub fn confirm_reset_password(&self) -> ConfirmResetPasswordBuilder {
        ConfirmResetPasswordBuilder {
            plugin: self.clone(),
            username: None,
            new_password: None,
            code: None,
            client_metadata: HashMap::new(),
        }
    }
}
