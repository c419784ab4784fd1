//! MFA of the signed-in user: TOTP setup outside sign-in, and the MFA preference.

use aws_sdk_cognitoidentityprovider::types::{
    EmailMfaSettingsType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
};
use tracing::Instrument;

use crate::AuthError;
use crate::error::{ValidationError, ValidationReason};
use crate::mfa::{MfaPreference, MfaType, TotpSecret, TotpSetupDetails, UserMfaPreference};
use crate::plugin::{CognitoAuthPlugin, Configured};
use crate::sdk::{self, IDP};

async fn access_token(configured: &Configured) -> Result<String, AuthError> {
    let tokens = configured.manager.user_pool_tokens(false).await?;
    Ok(tokens.access_token.expose_secret().to_owned())
}

/// Builder for [`CognitoAuthPlugin::verify_totp_setup`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct VerifyTotpSetupBuilder {
    plugin: CognitoAuthPlugin,
    code: Option<crate::tokens::ConfirmationCode>,
    friendly_device_name: Option<String>,
}

impl VerifyTotpSetupBuilder {
    /// The code the authenticator app shows now.
    pub fn code(mut self, code: impl Into<crate::tokens::ConfirmationCode>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// The name shown for this authenticator (Cognito's `FriendlyDeviceName`).
    pub fn friendly_device_name(mut self, name: impl Into<String>) -> Self {
        self.friendly_device_name = Some(name.into());
        self
    }

    /// Verifies the code (`VerifySoftwareToken`), then enables TOTP for the user, keeping the
    /// other factors as they are.
    ///
    /// # Errors
    ///
    /// `CodeMismatch` (call again with a new code), `EnableSoftwareTokenMfa`-style refusals,
    /// [`AuthError::SignedOut`].
    pub async fn send(self) -> Result<(), AuthError> {
        let configured = self.plugin.configured()?;
        let code = super::required_code(self.code)?;
        let token = access_token(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        client
            .verify_software_token()
            .access_token(token)
            .user_code(code.expose_secret().trim())
            .set_friendly_device_name(self.friendly_device_name)
            .send()
            .instrument(tracing::debug_span!("amplify.auth.verify_totp_setup"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        enable_after_setup(&configured, MfaType::Totp).await
    }
}

/// Builder for [`CognitoAuthPlugin::update_mfa_preference`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct UpdateMfaPreferenceBuilder {
    plugin: CognitoAuthPlugin,
    sms: Option<MfaPreference>,
    totp: Option<MfaPreference>,
    email: Option<MfaPreference>,
}

impl UpdateMfaPreferenceBuilder {
    /// SMS MFA (unchanged when not set).
    pub fn sms(mut self, preference: MfaPreference) -> Self {
        self.sms = Some(preference);
        self
    }

    /// TOTP MFA (unchanged when not set).
    pub fn totp(mut self, preference: MfaPreference) -> Self {
        self.totp = Some(preference);
        self
    }

    /// Email MFA (unchanged when not set).
    pub fn email(mut self, preference: MfaPreference) -> Self {
        self.email = Some(preference);
        self
    }

    /// Applies the changes over the user's current settings (`GetUser`, then
    /// `SetUserMFAPreference` with all three factors, as Amplify does). Making one factor
    /// preferred makes the others not preferred.
    ///
    /// # Errors
    ///
    /// [`AuthError::Validation`] when more than one factor would be preferred; service errors
    /// (`InvalidParameter` for a factor the pool does not allow, ...).
    pub async fn send(self) -> Result<(), AuthError> {
        let configured = self.plugin.configured()?;
        let changes = [
            (MfaType::Sms, self.sms),
            (MfaType::Totp, self.totp),
            (MfaType::Email, self.email),
        ];
        let preferred_count = changes
            .iter()
            .filter(|(_, p)| *p == Some(MfaPreference::Preferred))
            .count();
        if preferred_count > 1 {
            return Err(AuthError::Validation(ValidationError::new(
                "mfa_preference",
                ValidationReason::Unsupported,
                "at most one factor can be preferred",
            )));
        }
        let current = current_settings(&configured).await?;
        let mut next = Settings::from(&current);
        for (factor, change) in changes {
            let Some(change) = change else { continue };
            let entry = next.entry(factor);
            match change {
                MfaPreference::Disabled => *entry = (false, false),
                MfaPreference::Enabled => entry.0 = true,
                MfaPreference::NotPreferred => *entry = (true, false),
                MfaPreference::Preferred => {
                    next.clear_preferred();
                    *next.entry(factor) = (true, true);
                }
            }
        }
        set_settings(&configured, &next).await
    }
}

/// Enabled / preferred per factor.
#[derive(Debug, Clone, Copy, Default)]
struct Settings {
    sms: (bool, bool),
    totp: (bool, bool),
    email: (bool, bool),
}

impl Settings {
    fn from(preference: &UserMfaPreference) -> Self {
        let mut s = Settings::default();
        for factor in &preference.enabled {
            s.entry(*factor).0 = true;
        }
        if let Some(preferred) = preference.preferred {
            *s.entry(preferred) = (true, true);
        }
        s
    }

    fn entry(&mut self, factor: MfaType) -> &mut (bool, bool) {
        match factor {
            MfaType::Sms => &mut self.sms,
            MfaType::Totp => &mut self.totp,
            MfaType::Email => &mut self.email,
        }
    }

    fn clear_preferred(&mut self) {
        self.sms.1 = false;
        self.totp.1 = false;
        self.email.1 = false;
    }
}

/// The user's MFA settings as Cognito reports them (`GetUser`), without Amplify's "the only
/// enabled factor is the preferred one" reading.
async fn current_settings(configured: &Configured) -> Result<UserMfaPreference, AuthError> {
    let token = access_token(configured).await?;
    let (client, _) = configured.manager.user_pool()?;
    let out = client
        .get_user()
        .access_token(token)
        .send()
        .await
        .map_err(|e| sdk::map_error(IDP, e))?;
    let mut enabled: Vec<MfaType> = out
        .user_mfa_setting_list()
        .iter()
        .filter_map(|name| MfaType::from_cognito(name))
        .collect();
    enabled.sort();
    enabled.dedup();
    Ok(UserMfaPreference {
        enabled,
        preferred: out.preferred_mfa_setting().and_then(MfaType::from_cognito),
    })
}

async fn set_settings(configured: &Configured, settings: &Settings) -> Result<(), AuthError> {
    let token = access_token(configured).await?;
    let (client, _) = configured.manager.user_pool()?;
    client
        .set_user_mfa_preference()
        .access_token(token)
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(settings.sms.0)
                .preferred_mfa(settings.sms.1)
                .build(),
        )
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(settings.totp.0)
                .preferred_mfa(settings.totp.1)
                .build(),
        )
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(settings.email.0)
                .preferred_mfa(settings.email.1)
                .build(),
        )
        .send()
        .instrument(tracing::debug_span!("amplify.auth.update_mfa_preference"))
        .await
        .map_err(|e| sdk::map_error(IDP, e))?;
    Ok(())
}

/// Enables `factor` for the signed-in user, keeping the others (read-modify-write).
pub(crate) async fn enable_after_setup(
    configured: &Configured,
    factor: MfaType,
) -> Result<(), AuthError> {
    let current = current_settings(configured).await?;
    let mut next = Settings::from(&current);
    next.entry(factor).0 = true;
    set_settings(configured, &next).await
}

impl CognitoAuthPlugin {
    /// Starts TOTP setup for the signed-in user (`AssociateSoftwareToken`): the secret to put in
    /// an authenticator app. Then call [`verify_totp_setup`](Self::verify_totp_setup) with a
    /// code from the app.
    ///
    /// # Errors
    ///
    /// [`AuthError::SignedOut`]; service errors (`SoftwareTokenMfaNotFound`, ...).
    pub async fn set_up_totp(&self) -> Result<TotpSetupDetails, AuthError> {
        let configured = self.configured()?;
        let token = access_token(&configured).await?;
        let username = configured
            .manager
            .snapshot()
            .session
            .user_pool
            .as_ref()
            .map(|up| up.username.clone())
            .unwrap_or_default();
        let (client, _) = configured.manager.user_pool()?;
        let out = client
            .associate_software_token()
            .access_token(token)
            .send()
            .instrument(tracing::debug_span!("amplify.auth.set_up_totp"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        let secret = out.secret_code().ok_or_else(|| {
            AuthError::unexpected("AssociateSoftwareToken returned no SecretCode")
        })?;
        Ok(TotpSetupDetails::new(TotpSecret::new(secret), username))
    }

    /// Finishes TOTP setup with a code from the app. See [`VerifyTotpSetupBuilder::send`].
    pub fn verify_totp_setup(&self) -> VerifyTotpSetupBuilder {
        VerifyTotpSetupBuilder {
            plugin: self.clone(),
            code: None,
            friendly_device_name: None,
        }
    }

    /// The user's MFA factors: enabled, and the preferred one (the only enabled factor counts
    /// as preferred when the user chose none, as Amplify reports it).
    ///
    /// # Errors
    ///
    /// [`AuthError::SignedOut`]; service errors from `GetUser`.
    pub async fn fetch_mfa_preference(&self) -> Result<UserMfaPreference, AuthError> {
        let configured = self.configured()?;
        let mut preference = current_settings(&configured).await?;
        if preference.preferred.is_none()
            && let [only] = preference.enabled.as_slice()
        {
            preference.preferred = Some(*only);
        }
        Ok(preference)
    }

    /// Changes MFA factors. See [`UpdateMfaPreferenceBuilder::send`].
    pub fn update_mfa_preference(&self) -> UpdateMfaPreferenceBuilder {
        UpdateMfaPreferenceBuilder {
            plugin: self.clone(),
            sms: None,
            totp: None,
            email: None,
        }
    }
}
