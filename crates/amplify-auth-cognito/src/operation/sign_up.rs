//! Sign-up, its confirmation, and a new confirmation code.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_cognitoidentityprovider::types::AttributeType;
use tracing::Instrument;

use super::{builder, delivery, metadata, required, required_code};
use crate::AuthError;
use crate::plugin::CognitoAuthPlugin;
use crate::sdk::{self, IDP};
use crate::sign_in_state::AutoSignIn;
use crate::tokens::{ConfirmationCode, Password};
use crate::types::{CodeDeliveryDetails, SignUpResult, SignUpStep};

builder!(
    /// Builder for [`CognitoAuthPlugin::sign_up`].
    SignUpBuilder { username: Option<String>, password: Option<Password>, attributes: BTreeMap<String, String>, auto_sign_in: bool }
);

impl SignUpBuilder {
    /// The username (or the email / phone number when the pool uses them as usernames).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The password (leave it out for passwordless sign-up, when the pool allows it).
    pub fn password(mut self, password: impl Into<Password>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Signs the user in once the sign-up is confirmed ([`CognitoAuthPlugin::auto_sign_in`]):
    /// with the session Cognito returns on confirmation (choice-based `USER_AUTH` sign-in), or
    /// else by replaying the sign-in with this password, as amplify-js does. The password
    /// stays in memory only until then.
    pub fn auto_sign_in(mut self, enabled: bool) -> Self {
        self.auto_sign_in = enabled;
        self
    }

    /// A user attribute (`email`, `phone_number`, `custom:plan`, ...).
    pub fn user_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Signs the user up.
    ///
    /// # Errors
    ///
    /// A validation error for a missing username; service errors such as `UsernameExists`,
    /// `InvalidPassword` (the pool's policy) and `InvalidParameter` (a password the pool
    /// requires is missing).
    pub async fn send(self) -> Result<SignUpResult, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let password = self.password;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        let attributes: Vec<AttributeType> = self
            .attributes
            .into_iter()
            .filter_map(|(name, value)| {
                AttributeType::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .ok()
            })
            .collect();
        let out = client
            .sign_up()
            .client_id(&pool.app_client_id)
            .username(&username)
            .set_password(password.as_ref().map(|p| p.expose_secret().to_owned()))
            .set_user_attributes((!attributes.is_empty()).then_some(attributes))
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.sign_up"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        let confirmed = out.user_confirmed();
        if self.auto_sign_in {
            configured.sign_in.arm_auto_sign_in(AutoSignIn {
                username: username.clone(),
                session: out.session().map(str::to_owned),
                password,
            });
        }
        Ok(SignUpResult {
            is_sign_up_complete: confirmed,
            next_step: match (confirmed, self.auto_sign_in) {
                (true, true) => SignUpStep::CompleteAutoSignIn,
                (true, false) => SignUpStep::Done,
                (false, _) => SignUpStep::ConfirmSignUp(delivery(out.code_delivery_details())),
            },
            user_id: Some(out.user_sub().to_owned()).filter(|s| !s.is_empty()),
        })
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::confirm_sign_up`].
    ConfirmSignUpBuilder { username: Option<String>, code: Option<ConfirmationCode> }
);

impl ConfirmSignUpBuilder {
    /// The username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The code that was sent (a secret: `Debug` never shows it).
    pub fn confirmation_code(mut self, code: impl Into<ConfirmationCode>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Confirms the sign-up.
    ///
    /// # Errors
    ///
    /// `CodeMismatch` for a wrong code, `ExpiredCode` for an old one.
    pub async fn send(self) -> Result<SignUpResult, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let code = required_code(self.code)?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        // Cognito: pass SignUp's `Session` to ConfirmSignUp to get one back for a USER_AUTH
        // sign-in right after confirmation (auto sign-in).
        let session = configured.sign_in.auto_sign_in_session(&username);
        let out = client
            .confirm_sign_up()
            .client_id(&pool.app_client_id)
            .username(&username)
            .set_session(session)
            .confirmation_code(code.expose_secret())
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.confirm_sign_up"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        // Cognito returns a session for a USER_AUTH sign-in right after confirmation.
        let armed = configured
            .sign_in
            .update_auto_sign_in(&username, out.session().map(str::to_owned));
        Ok(SignUpResult {
            is_sign_up_complete: true,
            next_step: if armed {
                SignUpStep::CompleteAutoSignIn
            } else {
                SignUpStep::Done
            },
            user_id: None,
        })
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::resend_sign_up_code`].
    ResendSignUpCodeBuilder { username: Option<String> }
);

impl ResendSignUpCodeBuilder {
    /// The username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Sends a new confirmation code.
    ///
    /// # Errors
    ///
    /// Service errors such as `UserNotFound` or `LimitExceeded`.
    pub async fn send(self) -> Result<CodeDeliveryDetails, AuthError> {
        let configured = self.plugin.configured()?;
        let username = required("username", self.username)?;
        let manager = &configured.manager;
        let (client, pool) = manager.user_pool()?;
        let out = client
            .resend_confirmation_code()
            .client_id(&pool.app_client_id)
            .username(&username)
            .set_secret_hash(configured.manager.secret_hash(&username)?)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.resend_sign_up_code"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(delivery(out.code_delivery_details()))
    }
}

impl CognitoAuthPlugin {
    /// Registers a new user. See [`SignUpBuilder::send`].
    pub fn sign_up(&self) -> SignUpBuilder {
        SignUpBuilder {
            plugin: self.clone(),
            username: None,
            password: None,
            attributes: BTreeMap::new(),
            auto_sign_in: false,
            client_metadata: HashMap::new(),
        }
    }

    /// Confirms a sign-up with its code. See [`ConfirmSignUpBuilder::send`].
    pub fn confirm_sign_up(&self) -> ConfirmSignUpBuilder {
        ConfirmSignUpBuilder {
            plugin: self.clone(),
            username: None,
            code: None,
            client_metadata: HashMap::new(),
        }
    }

    /// Sends a new sign-up code. See [`ResendSignUpCodeBuilder::send`].
    pub fn resend_sign_up_code(&self) -> ResendSignUpCodeBuilder {
        ResendSignUpCodeBuilder {
            plugin: self.clone(),
            username: None,
            client_metadata: HashMap::new(),
        }
    }
}
