//! The signed-in user's account: attributes, their verification, the password, deletion.
//!
//! Every call sends the access token, refreshed by the refresh policy when it needs it.

use std::collections::{BTreeMap, HashMap};

use amplify_core::hub::AuthHubEvent;
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use tracing::Instrument;

use super::{builder, delivery, metadata, required, required_code};
use crate::AuthError;
use crate::plugin::{CognitoAuthPlugin, Configured};
use crate::sdk::{self, IDP};
use crate::session_data::Session;
use crate::tokens::{ConfirmationCode, Password};
use crate::types::CodeDeliveryDetails;

/// What to do after updating an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpdateAttributeStep {
    /// Confirm the new value with the code that was sent (`confirm_user_attribute`); until then
    /// the attribute keeps its old, verified value (Cognito's behaviour for email and phone).
    ConfirmAttributeWithCode(CodeDeliveryDetails),
    /// The attribute is updated.
    Done,
}

/// The result of updating one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateUserAttributeResult {
    /// Whether the new value is in effect.
    pub is_updated: bool,
    /// The next step.
    pub next_step: UpdateAttributeStep,
}

/// The access token of the signed-in user (refreshed when it needs it).
async fn access_token(configured: &Configured) -> Result<String, AuthError> {
    let tokens = configured.manager.user_pool_tokens(false).await?;
    Ok(tokens.access_token.expose_secret().to_owned())
}

/// Builder for [`CognitoAuthPlugin::fetch_user_attributes`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct FetchUserAttributesBuilder {
    plugin: CognitoAuthPlugin,
}

impl FetchUserAttributesBuilder {
    /// The user's attributes (`sub`, `email`, `email_verified`, `custom:*`, ...), by name.
    ///
    /// # Errors
    ///
    /// [`AuthError::SignedOut`] with nobody signed in; service errors (`NotAuthorized` for a
    /// revoked token, `PasswordResetRequired`, ...).
    pub async fn send(self) -> Result<BTreeMap<String, String>, AuthError> {
        let configured = self.plugin.configured()?;
        let token = access_token(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        let out = client
            .get_user()
            .access_token(token)
            .send()
            .instrument(tracing::debug_span!("amplify.auth.fetch_user_attributes"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(out
            .user_attributes()
            .iter()
            .map(|a| {
                (
                    a.name().to_owned(),
                    a.value().unwrap_or_default().to_owned(),
                )
            })
            .collect())
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::update_user_attributes`].
    UpdateUserAttributesBuilder { attributes: BTreeMap<String, String> }
);

impl UpdateUserAttributesBuilder {
    /// An attribute to set (`email`, `name`, `custom:plan`, ...).
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Updates the attributes. Each gets its own result: an attribute that Cognito verifies
    /// (email, phone number) waits for its code.
    ///
    /// # Errors
    ///
    /// [`AuthError::Validation`] without attributes; [`AuthError::SignedOut`]; service errors
    /// (`InvalidParameter` for an unknown or immutable attribute, `AliasExists`, ...).
    pub async fn send(self) -> Result<BTreeMap<String, UpdateUserAttributeResult>, AuthError> {
        let configured = self.plugin.configured()?;
        if self.attributes.is_empty() {
            return Err(AuthError::required("attributes"));
        }
        let token = access_token(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        let attributes: Vec<AttributeType> = self
            .attributes
            .iter()
            .filter_map(|(name, value)| {
                AttributeType::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .ok()
            })
            .collect();
        let out = client
            .update_user_attributes()
            .access_token(token)
            .set_user_attributes(Some(attributes))
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.update_user_attributes"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        let pending: HashMap<&str, CodeDeliveryDetails> = out
            .code_delivery_details_list()
            .iter()
            .filter_map(|d| d.attribute_name().map(|name| (name, delivery(Some(d)))))
            .collect();
        Ok(self
            .attributes
            .keys()
            .map(|name| {
                let result = match pending.get(name.as_str()) {
                    Some(details) => UpdateUserAttributeResult {
                        is_updated: false,
                        next_step: UpdateAttributeStep::ConfirmAttributeWithCode(details.clone()),
                    },
                    None => UpdateUserAttributeResult {
                        is_updated: true,
                        next_step: UpdateAttributeStep::Done,
                    },
                };
                (name.clone(), result)
            })
            .collect())
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::confirm_user_attribute`].
    ConfirmUserAttributeBuilder { attribute: Option<String>, code: Option<ConfirmationCode> }
);

impl ConfirmUserAttributeBuilder {
    /// The attribute (`email`, `phone_number`).
    pub fn attribute(mut self, name: impl Into<String>) -> Self {
        self.attribute = Some(name.into());
        self
    }

    /// The code that was sent (a secret: `Debug` never shows it).
    pub fn confirmation_code(mut self, code: impl Into<ConfirmationCode>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Verifies the attribute with its code.
    ///
    /// # Errors
    ///
    /// `CodeMismatch`, `ExpiredCode`, `LimitExceeded` (too many wrong codes).
    pub async fn send(self) -> Result<(), AuthError> {
        let configured = self.plugin.configured()?;
        let attribute = required("attribute", self.attribute)?;
        let code = required_code(self.code)?;
        let token = access_token(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        client
            .verify_user_attribute()
            .access_token(token)
            .attribute_name(attribute)
            .code(code.expose_secret())
            .send()
            .instrument(tracing::debug_span!("amplify.auth.confirm_user_attribute"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(())
    }
}

builder!(
    /// Builder for [`CognitoAuthPlugin::send_user_attribute_verification_code`].
    SendUserAttributeVerificationCodeBuilder { attribute: Option<String> }
);

impl SendUserAttributeVerificationCodeBuilder {
    /// The attribute (`email`, `phone_number`).
    pub fn attribute(mut self, name: impl Into<String>) -> Self {
        self.attribute = Some(name.into());
        self
    }

    /// Sends a verification code for the attribute.
    ///
    /// # Errors
    ///
    /// `InvalidParameter` for an attribute that cannot be verified, `LimitExceeded`.
    pub async fn send(self) -> Result<CodeDeliveryDetails, AuthError> {
        let configured = self.plugin.configured()?;
        let attribute = required("attribute", self.attribute)?;
        let token = access_token(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        let out = client
            .get_user_attribute_verification_code()
            .access_token(token)
            .attribute_name(attribute)
            .set_client_metadata(metadata(self.client_metadata))
            .send()
            .instrument(tracing::debug_span!(
                "amplify.auth.send_user_attribute_verification_code"
            ))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(delivery(out.code_delivery_details()))
    }
}

/// Builder for [`CognitoAuthPlugin::update_password`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct UpdatePasswordBuilder {
    plugin: CognitoAuthPlugin,
    old: Option<Password>,
    new: Option<Password>,
}

impl UpdatePasswordBuilder {
    /// The current password.
    pub fn old_password(mut self, password: impl Into<Password>) -> Self {
        self.old = Some(password.into());
        self
    }

    /// The new password.
    pub fn new_password(mut self, password: impl Into<Password>) -> Self {
        self.new = Some(password.into());
        self
    }

    /// Changes the password of the signed-in user.
    ///
    /// # Errors
    ///
    /// `NotAuthorized` for a wrong old password, `InvalidPassword` for a new one the policy
    /// refuses, `LimitExceeded` after too many attempts.
    pub async fn send(self) -> Result<(), AuthError> {
        let configured = self.plugin.configured()?;
        let old = self
            .old
            .ok_or_else(|| AuthError::required("old_password"))?;
        let new = self
            .new
            .ok_or_else(|| AuthError::required("new_password"))?;
        let token = access_token(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        client
            .change_password()
            .access_token(token)
            .previous_password(old.expose_secret())
            .proposed_password(new.expose_secret())
            .send()
            .instrument(tracing::debug_span!("amplify.auth.update_password"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(())
    }
}

impl CognitoAuthPlugin {
    /// The signed-in user's attributes. See [`FetchUserAttributesBuilder::send`].
    pub fn fetch_user_attributes(&self) -> FetchUserAttributesBuilder {
        FetchUserAttributesBuilder {
            plugin: self.clone(),
        }
    }

    /// Updates attributes of the signed-in user. See [`UpdateUserAttributesBuilder::send`].
    pub fn update_user_attributes(&self) -> UpdateUserAttributesBuilder {
        UpdateUserAttributesBuilder {
            plugin: self.clone(),
            attributes: BTreeMap::new(),
            client_metadata: HashMap::new(),
        }
    }

    /// Updates one attribute of the signed-in user (one entry of
    /// [`update_user_attributes`](Self::update_user_attributes)).
    ///
    /// # Errors
    ///
    /// As [`UpdateUserAttributesBuilder::send`].
    pub async fn update_user_attribute(
        &self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<UpdateUserAttributeResult, AuthError> {
        let name = name.into();
        let mut results = self
            .update_user_attributes()
            .attribute(name.clone(), value)
            .send()
            .await?;
        results
            .remove(&name)
            .ok_or_else(|| AuthError::unexpected("no result for the updated attribute"))
    }

    /// Verifies an attribute with its code. See [`ConfirmUserAttributeBuilder::send`].
    pub fn confirm_user_attribute(&self) -> ConfirmUserAttributeBuilder {
        ConfirmUserAttributeBuilder {
            plugin: self.clone(),
            attribute: None,
            code: None,
            client_metadata: HashMap::new(),
        }
    }

    /// Sends a verification code for an attribute. See
    /// [`SendUserAttributeVerificationCodeBuilder::send`].
    pub fn send_user_attribute_verification_code(
        &self,
    ) -> SendUserAttributeVerificationCodeBuilder {
        SendUserAttributeVerificationCodeBuilder {
            plugin: self.clone(),
            attribute: None,
            client_metadata: HashMap::new(),
        }
    }

    /// Deletes attributes of the signed-in user (`DeleteUserAttributes`; amplify-js's
    /// `deleteUserAttributes`).
    ///
    /// # Errors
    ///
    /// [`AuthError::Validation`] without names; [`AuthError::SignedOut`]; service errors
    /// (`InvalidParameter` for a required or unknown attribute).
    pub async fn delete_user_attributes<S: Into<String>>(
        &self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<(), AuthError> {
        let configured = self.configured()?;
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.is_empty() {
            return Err(AuthError::required("attribute_names"));
        }
        let token = access_token(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        client
            .delete_user_attributes()
            .access_token(token)
            .set_user_attribute_names(Some(names))
            .send()
            .instrument(tracing::debug_span!("amplify.auth.delete_user_attributes"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        Ok(())
    }

    /// Changes the password. See [`UpdatePasswordBuilder::send`].
    pub fn update_password(&self) -> UpdatePasswordBuilder {
        UpdatePasswordBuilder {
            plugin: self.clone(),
            old: None,
            new: None,
        }
    }

    /// Deletes the signed-in user from the user pool, then clears the local session and
    /// publishes `SIGNED_OUT` and `USER_DELETED` on the Hub (Amplify Flutter's order).
    ///
    /// # Errors
    ///
    /// [`AuthError::SignedOut`] with nobody signed in; service errors from `DeleteUser` (the
    /// local session is then kept).
    pub async fn delete_user(&self) -> Result<(), AuthError> {
        let configured = self.configured()?;
        let token = access_token(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        client
            .delete_user()
            .access_token(token)
            .send()
            .instrument(tracing::debug_span!("amplify.auth.delete_user"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        configured.sign_in.take_pending();
        configured
            .manager
            .commit(None, true, |_| Session::default())
            .await?;
        let hub = configured.manager.hub.auth();
        hub.publish(AuthHubEvent::SignedOut);
        hub.publish(AuthHubEvent::UserDeleted);
        Ok(())
    }
}
