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
