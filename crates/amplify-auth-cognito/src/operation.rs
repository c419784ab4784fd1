//! The operations of the plugin, one module per operation family, and the pieces they share.

use std::collections::HashMap;

use crate::AuthError;
use crate::tokens::ConfirmationCode;
use crate::types::CodeDeliveryDetails;

mod account;
mod current_user;
mod devices;
mod federation;
mod fetch_session;
pub(crate) mod mfa;
mod reset_password;
pub(crate) mod sign_in;
mod sign_out;
mod sign_up;
pub(crate) mod web_ui;

pub use account::{
    ConfirmUserAttributeBuilder, FetchUserAttributesBuilder,
    SendUserAttributeVerificationCodeBuilder, UpdateAttributeStep, UpdatePasswordBuilder,
    UpdateUserAttributeResult, UpdateUserAttributesBuilder,
};
pub use federation::{FederateBuilder, FederationProvider};
pub use fetch_session::FetchAuthSessionBuilder;
pub use mfa::{UpdateMfaPreferenceBuilder, VerifyTotpSetupBuilder};
pub use reset_password::{ConfirmResetPasswordBuilder, ResetPasswordBuilder};
pub use sign_in::{ConfirmSignInBuilder, SignInBuilder};
pub use sign_out::{SignOutBuilder, SignOutScope};
pub use sign_up::{ConfirmSignUpBuilder, ResendSignUpCodeBuilder, SignUpBuilder};
pub use web_ui::{DEFAULT_WEB_UI_TIMEOUT, SignInWithWebUiBuilder, WebUiSignIn};

pub(crate) fn required(field: &'static str, value: Option<String>) -> Result<String, AuthError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| AuthError::required(field))
}

pub(crate) fn required_code(code: Option<ConfirmationCode>) -> Result<ConfirmationCode, AuthError> {
    code.filter(|c| !c.expose_secret().trim().is_empty())
        .ok_or_else(|| AuthError::required("confirmation_code"))
}

pub(crate) fn metadata(map: HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!map.is_empty()).then_some(map)
}

pub(crate) fn delivery(
    details: Option<&aws_sdk_cognitoidentityprovider::types::CodeDeliveryDetailsType>,
) -> CodeDeliveryDetails {
    CodeDeliveryDetails::new(
        details.and_then(|d| d.destination()),
        details
            .and_then(|d| d.delivery_medium())
            .map(|m| m.as_str()),
        details.and_then(|d| d.attribute_name()),
    )
}

/// Declares an operation builder holding the plugin, its fields and client metadata.
macro_rules! builder {
    ($(#[$meta:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug)]
        #[must_use = "call .send().await"]
        pub struct $name {
            plugin: CognitoAuthPlugin,
            $($field: $ty,)*
            client_metadata: HashMap<String, String>,
        }

        impl $name {
            /// Metadata passed to the pool's Lambda triggers.
            pub fn client_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                self.client_metadata.insert(key.into(), value.into());
                self
            }
        }
    };
}
pub(crate) use builder;
