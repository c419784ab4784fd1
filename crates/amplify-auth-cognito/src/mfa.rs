//! MFA and first-factor types: what Cognito names them on the wire and what callers type.

use std::fmt;

use crate::AuthError;
use crate::error::{ValidationError, ValidationReason};

amplify_core::secret_newtype! {
    /// A TOTP shared secret (base32), as `AssociateSoftwareToken` returns it.
    ///
    /// Cheap to clone (the value is shared).
    pub struct TotpSecret;
}

/// A second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MfaType {
    /// A code by SMS (`SMS_MFA`).
    Sms,
    /// A TOTP authenticator app (`SOFTWARE_TOKEN_MFA`).
    Totp,
    /// A code by email (`EMAIL_OTP`).
    Email,
}

impl MfaType {
    /// Cognito's name, as `SELECT_MFA_TYPE` answers and `MFAS_CAN_CHOOSE` lists use it.
    pub fn challenge_name(self) -> &'static str {
        match self {
            MfaType::Sms => "SMS_MFA",
            MfaType::Totp => "SOFTWARE_TOKEN_MFA",
            MfaType::Email => "EMAIL_OTP",
        }
    }

    /// Reads Cognito's name (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`; also `SMS`,
    /// `EMAIL` as `MFAS_CAN_SETUP` may spell them).
    pub fn from_cognito(name: &str) -> Option<Self> {
        match name {
            "SMS_MFA" | "SMS" => Some(MfaType::Sms),
            "SOFTWARE_TOKEN_MFA" | "SOFTWARE_TOKEN" | "TOTP" => Some(MfaType::Totp),
            "EMAIL_OTP" | "EMAIL" => Some(MfaType::Email),
            _ => None,
        }
    }

    /// Reads what a user typed to choose a factor: `sms`, `totp`, `email` (any case), or
    /// Cognito's names.
    ///
    /// # Errors
    ///
    /// [`AuthError::Validation`] for anything else.
    pub fn parse(input: &str) -> Result<Self, AuthError> {
        let upper = input.trim().to_ascii_uppercase();
        Self::from_cognito(&upper).ok_or(AuthError::Validation(ValidationError::new(
            "challenge_response",
            ValidationReason::Unsupported,
            "is not an MFA type: answer sms, totp or email",
        )))
    }
}

impl fmt::Display for MfaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MfaType::Sms => "sms",
            MfaType::Totp => "totp",
            MfaType::Email => "email",
        })
    }
}

/// A first factor of choice-based (`USER_AUTH`) sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AuthFactorType {
    /// The password, sent as is (`PASSWORD`).
    Password,
    /// The password, proven with SRP (`PASSWORD_SRP`).
    PasswordSrp,
    /// A one-time code by email (`EMAIL_OTP`).
    EmailOtp,
    /// A one-time code by SMS (`SMS_OTP`).
    SmsOtp,
    /// A passkey (`WEB_AUTHN`); listed when the pool offers it, not supported yet.
    WebAuthn,
}

impl AuthFactorType {
    /// Cognito's name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthFactorType::Password => "PASSWORD",
            AuthFactorType::PasswordSrp => "PASSWORD_SRP",
            AuthFactorType::EmailOtp => "EMAIL_OTP",
            AuthFactorType::SmsOtp => "SMS_OTP",
            AuthFactorType::WebAuthn => "WEB_AUTHN",
        }
    }

    /// Reads Cognito's name (any case).
    pub fn from_cognito(name: &str) -> Option<Self> {
        match name.trim().to_ascii_uppercase().as_str() {
            "PASSWORD" => Some(AuthFactorType::Password),
            "PASSWORD_SRP" => Some(AuthFactorType::PasswordSrp),
            "EMAIL_OTP" => Some(AuthFactorType::EmailOtp),
            "SMS_OTP" => Some(AuthFactorType::SmsOtp),
            "WEB_AUTHN" => Some(AuthFactorType::WebAuthn),
            _ => None,
        }
    }
}

/// What `set_up_totp` (or an `MFA_SETUP` challenge) gives: the shared secret to put in an
/// authenticator app, directly or as an `otpauth://` URI (a QR code).
///
/// ```
/// use amplify_auth_cognito::{TotpSecret, TotpSetupDetails};
///
/// let details = TotpSetupDetails::new(TotpSecret::new("JBSWY3DPEHPK3PXP"), "alice");
/// assert_eq!(
///     details.setup_uri("My App", None),
///     "otpauth://totp/My%20App:alice?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"
/// );
/// assert_eq!(format!("{details:?}"), "TotpSetupDetails { shared_secret: TotpSecret([redacted]), username: \"alice\" }");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpSetupDetails {
    shared_secret: TotpSecret,
    username: String,
}

impl TotpSetupDetails {
    /// Details for `username` with `shared_secret`.
    pub fn new(shared_secret: TotpSecret, username: impl Into<String>) -> Self {
        Self {
            shared_secret,
            username: username.into(),
        }
    }

    /// The shared secret (base32).
    pub fn shared_secret(&self) -> &TotpSecret {
        &self.shared_secret
    }

    /// The user the secret belongs to.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The `otpauth://totp/<app>:<account>?secret=…&issuer=<app>` URI authenticator apps read
    /// (the account defaults to the username). Contains the secret: show it, never log it.
    pub fn setup_uri(&self, app_name: &str, account_name: Option<&str>) -> String {
        let app = percent_encode(app_name);
        let account = percent_encode(account_name.unwrap_or(&self.username));
        format!(
            "otpauth://totp/{app}:{account}?secret={}&issuer={app}",
            self.shared_secret.expose_secret()
        )
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How a user has set up MFA (`fetch_mfa_preference`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UserMfaPreference {
    /// The enabled factors.
    pub enabled: Vec<MfaType>,
    /// The preferred factor (the only enabled one when the user chose none, as Amplify
    /// reports it).
    pub preferred: Option<MfaType>,
}

/// A change to one factor in `update_mfa_preference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MfaPreference {
    /// Off.
    Disabled,
    /// On, not preferred.
    Enabled,
    /// On and preferred (at most one factor).
    Preferred,
    /// On, and no longer preferred.
    NotPreferred,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_types_read_user_input_and_cognito_names() {
        assert_eq!(MfaType::parse("TOTP").ok(), Some(MfaType::Totp));
        assert_eq!(MfaType::parse(" sms ").ok(), Some(MfaType::Sms));
        assert_eq!(MfaType::parse("email").ok(), Some(MfaType::Email));
        assert_eq!(MfaType::parse("EMAIL_OTP").ok(), Some(MfaType::Email));
        assert!(matches!(
            MfaType::parse("carrier pigeon"),
            Err(AuthError::Validation(_))
        ));
        for t in [MfaType::Sms, MfaType::Totp, MfaType::Email] {
            assert_eq!(MfaType::from_cognito(t.challenge_name()), Some(t));
        }
    }

    #[test]
    fn first_factors_round_trip() {
        for f in [
            AuthFactorType::Password,
            AuthFactorType::PasswordSrp,
            AuthFactorType::EmailOtp,
            AuthFactorType::SmsOtp,
            AuthFactorType::WebAuthn,
        ] {
            assert_eq!(AuthFactorType::from_cognito(f.as_str()), Some(f));
        }
        assert_eq!(
            AuthFactorType::from_cognito("email_otp"),
            Some(AuthFactorType::EmailOtp)
        );
        assert_eq!(AuthFactorType::from_cognito("SOMETHING"), None);
    }

    #[test]
    fn the_setup_uri_encodes_names() {
        let d = TotpSetupDetails::new(TotpSecret::new("ABC"), "a@b.c");
        assert_eq!(
            d.setup_uri("App & Co", Some("alice bob")),
            "otpauth://totp/App%20%26%20Co:alice%20bob?secret=ABC&issuer=App%20%26%20Co"
        );
        assert_eq!(
            d.setup_uri("X", None),
            "otpauth://totp/X:a%40b.c?secret=ABC&issuer=X"
        );
    }
}
