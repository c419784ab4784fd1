//! Sign-in settings of a user pool: the first factors of choice-based sign-in (`USER_AUTH`).

/// A first factor of choice-based sign-in (`Policies.SignInPolicy.AllowedFirstAuthFactors`:
/// `PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FirstFactor {
    /// A password (offered as `PASSWORD` and `PASSWORD_SRP`).
    Password,
    /// A code sent by email (`EMAIL_OTP`).
    EmailOtp,
    /// A code sent by SMS (`SMS_OTP`).
    SmsOtp,
    /// A passkey (`WEB_AUTHN`): listed, but the emulator refuses it (no passkeys yet).
    WebAuthn,
}

impl FirstFactor {
    /// The name in `AllowedFirstAuthFactors`.
    pub fn as_str(self) -> &'static str {
        match self {
            FirstFactor::Password => "PASSWORD",
            FirstFactor::EmailOtp => "EMAIL_OTP",
            FirstFactor::SmsOtp => "SMS_OTP",
            FirstFactor::WebAuthn => "WEB_AUTHN",
        }
    }
}

/// Device tracking of a user pool (`DeviceConfiguration`, API reference
/// `DeviceConfigurationType`): "When you provide a value for any property of
/// DeviceConfiguration, you activate the device remembering for the user pool."
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceConfiguration {
    /// `ChallengeRequiredOnNewDevice`: "When true, a remembered device can sign in with device
    /// authentication instead of SMS and time-based one-time password (TOTP) factors for
    /// multi-factor authentication (MFA)." Devices not confirmed or not remembered still get
    /// MFA.
    pub challenge_required_on_new_device: bool,
    /// `DeviceOnlyRememberedOnUserPrompt`: "When true, Amazon Cognito doesn't automatically
    /// remember a user's device when your app sends a ConfirmDevice API request" (the app
    /// follows with `UpdateDeviceStatus`); `ConfirmDevice` then answers
    /// `UserConfirmationNecessary: true`.
    pub device_only_remembered_on_user_prompt: bool,
}

impl DeviceConfiguration {
    /// Device tracking with both settings off: devices are remembered on `ConfirmDevice`, and
    /// remembered devices do not replace MFA.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `ChallengeRequiredOnNewDevice` (remembered devices skip MFA).
    pub fn challenge_required_on_new_device(mut self, yes: bool) -> Self {
        self.challenge_required_on_new_device = yes;
        self
    }

    /// Sets `DeviceOnlyRememberedOnUserPrompt` (devices are remembered only through
    /// `UpdateDeviceStatus`).
    pub fn device_only_remembered_on_user_prompt(mut self, yes: bool) -> Self {
        self.device_only_remembered_on_user_prompt = yes;
        self
    }
}
