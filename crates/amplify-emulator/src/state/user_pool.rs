//! User pool state: pools, app clients, groups, users, sign-ins in progress and token families.
//! Plain data with the checks that read only it; the operations live in `crate::user_pool`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::tracked::Tracked;
use crate::error::CognitoError;
use crate::spec::{AuthFlow, MfaConfiguration, MfaMethod, PasswordPolicy, UsernameAttribute};
use crate::srp::ServerEphemeral;
use crate::triggers::{ChallengeResult, SharedCustomAuthTriggers};
use crate::util::{b64, hmac_sha256};

/// All user pools plus the sign-in state shared between them.
#[derive(Debug, Default)]
pub(crate) struct UserPools {
    pub(crate) pools: BTreeMap<String, Pool>,
    pub(crate) sessions: HashMap<String, AuthSession>,
    /// `SECRET_BLOCK` → session id, while the PASSWORD_VERIFIER answer is pending.
    pub(crate) secret_blocks: HashMap<String, String>,
    /// SHA-256 of every `SECRET_BLOCK` ever answered (a replay is refused).
    pub(crate) used_secret_blocks: HashSet<[u8; 32]>,
    pub(crate) refresh_tokens: Tracked<String, RefreshRecord>,
    /// Token families by `origin_jti`.
    pub(crate) families: Tracked<String, Family>,
    /// The `Session`s of `SignUp` and `ConfirmSignUp`, for a `USER_AUTH` sign-in right after
    /// the confirmation.
    pub(crate) sign_up_sessions: HashMap<String, SignUpSession>,
}

impl UserPools {
    pub(crate) fn pool(&self, pool_id: &str) -> Result<&Pool, CognitoError> {
        self.pools.get(pool_id).ok_or_else(|| {
            CognitoError::resource_not_found(format!("User pool {pool_id} does not exist."))
        })
    }

    pub(crate) fn pool_mut(&mut self, pool_id: &str) -> Result<&mut Pool, CognitoError> {
        self.pools.get_mut(pool_id).ok_or_else(|| {
            CognitoError::resource_not_found(format!("User pool {pool_id} does not exist."))
        })
    }

    /// The pool owning `client_id`.
    pub(crate) fn pool_id_of_client(&self, client_id: &str) -> Result<String, CognitoError> {
        self.pools
            .values()
            .find(|p| p.clients.contains_key(client_id))
            .map(|p| p.id.clone())
            .ok_or_else(|| {
                CognitoError::resource_not_found(format!(
                    "User pool client {client_id} does not exist."
                ))
            })
    }

    /// Revokes every token family of a user (GlobalSignOut, deletion).
    pub(crate) fn revoke_user_families(&mut self, pool_id: &str, user_key: &str) {
        self.families.update_where(
            |f| f.pool_id == pool_id && f.user_key == user_key && !f.revoked,
            |f| f.revoked = true,
        );
    }
}

/// Pool-wide settings taken from the spec.
#[derive(Debug, Clone)]
pub(crate) struct PoolSettings {
    pub(crate) password_policy: PasswordPolicy,
    pub(crate) required_attributes: Vec<String>,
    pub(crate) username_attributes: Vec<UsernameAttribute>,
    pub(crate) auto_verified_attributes: Vec<String>,
    pub(crate) custom_attributes: BTreeSet<String>,
    pub(crate) mfa: MfaConfiguration,
    pub(crate) mfa_methods: Vec<MfaMethod>,
    pub(crate) code_validity: i64,
    pub(crate) reset_code_validity: i64,
    pub(crate) mfa_code_validity: i64,
    pub(crate) max_code_attempts: u32,
    /// The first factors `USER_AUTH` offers (`Policies.SignInPolicy.AllowedFirstAuthFactors`).
    pub(crate) first_factors: Vec<crate::spec::FirstFactor>,
    /// Device tracking (`DeviceConfiguration`); `None`: the pool does not remember devices.
    pub(crate) devices: Option<crate::spec::DeviceConfiguration>,
}

/// One user pool.
#[derive(Debug)]
pub(crate) struct Pool {
    pub(crate) id: String,
    /// The part of the id after `_`, used in SRP.
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) settings: PoolSettings,
    pub(crate) clients: BTreeMap<String, Client>,
    pub(crate) groups: Tracked<String, Group>,
    /// Users by lowercase username.
    pub(crate) users: Tracked<String, User>,
    pub(crate) triggers: Option<SharedCustomAuthTriggers>,
}

/// An app client.
#[derive(Clone)]
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) secret: Option<String>,
    pub(crate) auth_flows: Option<Vec<AuthFlow>>,
    pub(crate) refresh_token_rotation: bool,
    pub(crate) rotation_grace_period: i64,
    pub(crate) access_token_validity: i64,
    pub(crate) id_token_validity: i64,
    pub(crate) refresh_token_validity: i64,
    pub(crate) auth_session_validity: i64,
    pub(crate) prevent_user_existence_errors: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("has_secret", &self.secret.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn allows(&self, flow: AuthFlow) -> bool {
        self.auth_flows
            .as_ref()
            .is_none_or(|flows| flows.contains(&flow))
    }

    /// Checks `SECRET_HASH = base64(HMAC-SHA256(secret, username ‖ clientId))` for any of the
    /// names the user may have been addressed by.
    pub(crate) fn check_secret_hash(
        &self,
        provided: Option<&str>,
        names: &[&str],
    ) -> Result<(), CognitoError> {
        let Some(secret) = &self.secret else {
            return Ok(());
        };
        let Some(provided) = provided else {
            return Err(CognitoError::not_authorized(format!(
                "Client {} is configured for secret but secret was not received",
                self.id
            )));
        };
        let ok = names.iter().any(|name| {
            let expected = b64(&hmac_sha256(
                secret.as_bytes(),
                &[name.as_bytes(), self.id.as_bytes()],
            ));
            crate::util::ct_eq(expected.as_bytes(), provided.as_bytes())
        });
        if ok {
            Ok(())
        } else {
            Err(CognitoError::not_authorized(format!(
                "Unable to verify secret hash for client {}",
                self.id
            )))
        }
    }

    /// Checks a `ClientSecret` sent in the clear (RevokeToken, GetTokensFromRefreshToken).
    pub(crate) fn check_client_secret(&self, provided: Option<&str>) -> Result<(), CognitoError> {
        match (&self.secret, provided) {
            (None, _) => Ok(()),
            (Some(secret), Some(given))
                if crate::util::ct_eq(secret.as_bytes(), given.as_bytes()) =>
            {
                Ok(())
            }
            (Some(_), _) => Err(CognitoError::not_authorized(format!(
                "Unable to verify secret hash for client {}",
                self.id
            ))),
        }
    }
}

/// A group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) precedence: Option<i64>,
    pub(crate) role_arn: Option<String>,
}

/// Where a user is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum UserStatus {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    ResetRequired,
}

impl UserStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ResetRequired => "RESET_REQUIRED",
        }
    }
}

/// Cognito's temporary lockout after failed password sign-ins.
///
/// Developer guide, "Authentication" > "Lockout behavior for failed sign-in attempts": "After
/// five failed unauthenticated or IAM-authorized sign-in attempts with a password, Amazon
/// Cognito locks out your user for one second. The lockout duration then doubles after each
/// additional one failed attempt, up to a maximum of approximately 15 minutes. Attempts made
/// during a lockout period generate a `Password attempts exceeded` exception, and don't affect
/// the duration of subsequent lockout periods. For a cumulative number of failed sign-in
/// attempts n, not including `Password attempts exceeded` exceptions, Amazon Cognito locks out
/// your user for 2^(n-5) seconds. To reset the lockout to its n=0 initial state, your user must
/// either sign in successfully after a lockout period expires, or not initiate any sign-in
/// attempts for 15 consecutive minutes at any time after a lockout. [...] This behavior doesn't
/// apply to custom challenges unless they also perform password-based authentication."
///
/// Modeled for every password check (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH /
/// ADMIN_NO_SRP_AUTH, and SRP's PASSWORD_VERIFIER, also inside CUSTOM_AUTH). The refusal is
/// `NotAuthorizedException` (the exception named in the guide's `Password attempts exceeded`
/// is Cognito's NotAuthorized; AWS's own troubleshooting quotes "NotAuthorizedException -
/// Password attempts exceeded"). Not modeled: the MFA-code lockout the MFA page describes.
/// "Approximately 15 minutes" is taken as 900 seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Lockout {
    /// n: failed password attempts since the last reset.
    failures: u32,
    /// Locked while the clock is before this (epoch seconds).
    locked_until: i64,
    /// The last password attempt, refused ones included.
    last_attempt: i64,
}

/// Failed attempts allowed before the first lockout.
const LOCKOUT_FREE_ATTEMPTS: u32 = 5;
/// The longest lockout and the quiet time that resets the count (about 15 minutes).
const LOCKOUT_MAX_SECS: i64 = 900;

impl Lockout {
    /// Called before a password is checked: refuses while locked out.
    pub(crate) fn check(&mut self, now: i64) -> Result<(), CognitoError> {
        if self.failures > 0 && now.saturating_sub(self.last_attempt) >= LOCKOUT_MAX_SECS {
            *self = Lockout::default();
        }
        self.last_attempt = now;
        if now < self.locked_until {
            return Err(CognitoError::not_authorized("Password attempts exceeded"));
        }
        Ok(())
    }

    /// Records the outcome of a password check that [`check`](Self::check) let through.
    pub(crate) fn record(&mut self, now: i64, password_correct: bool) {
        if password_correct {
            *self = Lockout {
                last_attempt: now,
                ..Lockout::default()
            };
            return;
        }
        self.failures = self.failures.saturating_add(1);
        if let Some(excess) = self.failures.checked_sub(LOCKOUT_FREE_ATTEMPTS) {
            let seconds = 1_i64
                .checked_shl(excess)
                .filter(|s| *s > 0)
                .map_or(LOCKOUT_MAX_SECS, |s| s.min(LOCKOUT_MAX_SECS));
            self.locked_until = now.saturating_add(seconds);
        }
    }
}

/// A user's MFA settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UserMfa {
    pub(crate) sms_enabled: bool,
    pub(crate) sms_preferred: bool,
    pub(crate) totp_enabled: bool,
    pub(crate) totp_preferred: bool,
    pub(crate) email_enabled: bool,
    pub(crate) email_preferred: bool,
}

/// What a code was sent for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum CodePurpose {
    SignUp,
    ForgotPassword,
    Attribute(String),
}

/// A code the pool sent.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct IssuedCode {
    pub(crate) purpose: CodePurpose,
    pub(crate) code: String,
    pub(crate) expires: i64,
    pub(crate) superseded: bool,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode")
            .field("purpose", &self.purpose)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// A user.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct User {
    /// The internal username (`USER_ID_FOR_SRP`; the `sub` in email / phone username pools).
    pub(crate) username: String,
    pub(crate) sub: String,
    /// Attributes other than `sub`.
    pub(crate) attributes: BTreeMap<String, String>,
    pub(crate) status: UserStatus,
    pub(crate) enabled: bool,
    #[serde(with = "crate::state::persist::base64_bytes")]
    pub(crate) salt: Vec<u8>,
    #[serde(with = "crate::state::persist::base64_bytes")]
    pub(crate) verifier: Vec<u8>,
    pub(crate) temporary_password_expires: Option<i64>,
    pub(crate) created: f64,
    pub(crate) modified: f64,
    pub(crate) groups: BTreeSet<String>,
    pub(crate) mfa: UserMfa,
    pub(crate) codes: Vec<IssuedCode>,
    pub(crate) code_failures: u32,
    pub(crate) lockout: Lockout,
    /// The verified software token (TOTP), if any.
    pub(crate) totp: Option<SoftwareToken>,
    /// A secret from AssociateSoftwareToken not verified yet.
    #[serde(with = "crate::state::persist::base64_bytes_opt")]
    pub(crate) totp_pending: Option<Vec<u8>>,
    /// The user's devices by device key: announced in `NewDeviceMetadata`, then confirmed.
    pub(crate) devices: BTreeMap<String, Device>,
    /// Signed up without a password (`SignUp` without `Password`): `USER_AUTH` does not offer
    /// `PASSWORD` / `PASSWORD_SRP`, and the verifier is of a random secret nobody knows, so
    /// password sign-ins fail as a wrong password does. Setting a password clears it.
    pub(crate) passwordless: bool,
}

/// A device of a user (developer guide, "Working with user devices in your user pool").
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Device {
    /// `<region>_<uuid>`.
    pub(crate) key: String,
    /// The device group key: device SRP's "pool name".
    pub(crate) group_key: String,
    /// The registered SRP salt and verifier (`ConfirmDevice`'s `DeviceSecretVerifierConfig`,
    /// base64-decoded); `None` until the device is confirmed.
    pub(crate) secret: Option<DeviceSecret>,
    pub(crate) name: Option<String>,
    /// `dev:device_remembered_status`: `remembered` or `not_remembered`.
    pub(crate) remembered: bool,
    pub(crate) created: f64,
    pub(crate) modified: f64,
    pub(crate) last_authenticated: f64,
}

/// A confirmed device's SRP salt and verifier.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct DeviceSecret {
    #[serde(with = "crate::state::persist::base64_bytes")]
    pub(crate) salt: Vec<u8>,
    #[serde(with = "crate::state::persist::base64_bytes")]
    pub(crate) verifier: Vec<u8>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("key", &self.key)
            .field("confirmed", &self.secret.is_some())
            .field("remembered", &self.remembered)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// The `DeviceType` of ListDevices / GetDevice.
    pub(crate) fn device_type(&self) -> Value {
        let mut attributes = vec![
            json!({"Name": "device_status", "Value": "valid"}),
            json!({"Name": "dev:device_remembered_status", "Value": if self.remembered { "remembered" } else { "not_remembered" }}),
        ];
        if let Some(name) = &self.name {
            attributes.push(json!({"Name": "device_name", "Value": name}));
        }
        json!({
            "DeviceKey": self.key,
            "DeviceAttributes": attributes,
            "DeviceCreateDate": self.created,
            "DeviceLastModifiedDate": self.modified,
            "DeviceLastAuthenticatedDate": self.last_authenticated,
        })
    }
}

/// A verified software token: the shared secret and the last time step used (a code is
/// accepted once: RFC 6238 §5.2, "The verifier MUST NOT accept the second attempt of the OTP
/// after the successful validation has been issued for the first OTP").
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SoftwareToken {
    #[serde(with = "crate::state::persist::base64_bytes")]
    pub(crate) secret: Vec<u8>,
    pub(crate) last_step: Option<u64>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("username", &self.username)
            .field("status", &self.status)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl User {
    /// `[{"Name": "sub", "Value": ...}, ...]`.
    pub(crate) fn attribute_list(&self) -> Value {
        let mut list = vec![json!({"Name": "sub", "Value": self.sub})];
        list.extend(
            self.attributes
                .iter()
                .map(|(k, v)| json!({"Name": k, "Value": v})),
        );
        Value::Array(list)
    }

    /// Attributes including `sub`, for triggers.
    pub(crate) fn all_attributes(&self) -> BTreeMap<String, String> {
        let mut all = self.attributes.clone();
        all.insert("sub".to_owned(), self.sub.clone());
        all
    }

    pub(crate) fn is_verified(&self, attribute: &str) -> bool {
        self.attributes
            .get(&format!("{attribute}_verified"))
            .map(String::as_str)
            == Some("true")
    }

    pub(crate) fn mfa_setting_list(&self) -> Vec<&'static str> {
        let mut list = Vec::new();
        if self.mfa.sms_enabled {
            list.push("SMS_MFA");
        }
        if self.mfa.totp_enabled {
            list.push("SOFTWARE_TOKEN_MFA");
        }
        if self.mfa.email_enabled {
            list.push("EMAIL_OTP");
        }
        list
    }

    pub(crate) fn preferred_mfa(&self) -> Option<&'static str> {
        if self.mfa.sms_preferred {
            Some("SMS_MFA")
        } else if self.mfa.totp_preferred {
            Some("SOFTWARE_TOKEN_MFA")
        } else if self.mfa.email_preferred {
            Some("EMAIL_OTP")
        } else {
            None
        }
    }

    /// Adds the MFA members of GetUser / AdminGetUser to `out`.
    pub(crate) fn add_mfa_members(&self, out: &mut serde_json::Map<String, Value>) {
        let list = self.mfa_setting_list();
        if !list.is_empty() {
            out.insert("UserMFASettingList".to_owned(), json!(list));
        }
        if let Some(preferred) = self.preferred_mfa() {
            out.insert("PreferredMfaSetting".to_owned(), json!(preferred));
        }
        if self.mfa.sms_enabled && self.attributes.contains_key("phone_number") {
            out.insert(
                "MFAOptions".to_owned(),
                json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]),
            );
        }
    }
}

/// One sign-in's tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Family {
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    pub(crate) user_key: String,
    pub(crate) auth_time: i64,
    pub(crate) revoked: bool,
    /// The OAuth scopes granted by the hosted UI (`None`: an API sign-in, whose access tokens
    /// carry `aws.cognito.signin.user.admin`).
    pub(crate) scope: Option<String>,
}

/// A refresh token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RefreshRecord {
    pub(crate) family: String,
    pub(crate) expires: i64,
    /// When rotation replaced it (it still works during the grace period).
    pub(crate) replaced_at: Option<i64>,
}

/// A challenge the emulator can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // Cognito's names.
pub(crate) enum Challenge {
    PasswordVerifier,
    NewPasswordRequired,
    SmsMfa,
    CustomChallenge,
    SoftwareTokenMfa,
    EmailOtp,
    SmsOtp,
    SelectMfaType,
    MfaSetup,
    SelectChallenge,
    DeviceSrpAuth,
    DevicePasswordVerifier,
}

impl Challenge {
    /// The challenge's name on the wire.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Challenge::PasswordVerifier => "PASSWORD_VERIFIER",
            Challenge::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Challenge::SmsMfa => "SMS_MFA",
            Challenge::CustomChallenge => "CUSTOM_CHALLENGE",
            Challenge::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Challenge::EmailOtp => "EMAIL_OTP",
            Challenge::SmsOtp => "SMS_OTP",
            Challenge::SelectMfaType => "SELECT_MFA_TYPE",
            Challenge::MfaSetup => "MFA_SETUP",
            Challenge::SelectChallenge => "SELECT_CHALLENGE",
            Challenge::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Challenge::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
        }
    }
}

/// The first factor of a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    UserSrp,
    UserPassword,
    Custom,
    /// `USER_AUTH` (choice-based sign-in).
    UserAuth,
}

/// SRP state between InitiateAuth and the PASSWORD_VERIFIER answer.
#[derive(Clone)]
pub(crate) struct PendingSrp {
    pub(crate) ephemeral: ServerEphemeral,
    pub(crate) client_a: Vec<u8>,
    pub(crate) secret_block: String,
    pub(crate) secret_block_bytes: Vec<u8>,
}

/// Where a sign-up's `Session` is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignUpStage {
    /// From `SignUp`: for `ConfirmSignUp`.
    SignedUp,
    /// From `ConfirmSignUp`: for one `InitiateAuth` `USER_AUTH`.
    Confirmed,
}

/// The `Session` of `SignUp` or `ConfirmSignUp` (API reference `SignUp`, `ConfirmSignUp`,
/// `InitiateAuth` `Session`).
#[derive(Debug, Clone)]
pub(crate) struct SignUpSession {
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    pub(crate) user_key: String,
    /// The user's `sub`: a user deleted and signed up again under the same name is another user.
    pub(crate) sub: String,
    pub(crate) stage: SignUpStage,
    pub(crate) expires: i64,
}

/// A sign-in in progress.
#[derive(Clone)]
pub(crate) struct AuthSession {
    pub(crate) id: String,
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    pub(crate) user_key: String,
    pub(crate) flow: Flow,
    pub(crate) challenge: Challenge,
    pub(crate) expires: i64,
    pub(crate) history: Vec<ChallengeResult>,
    pub(crate) srp: Option<PendingSrp>,
    pub(crate) private_parameters: BTreeMap<String, String>,
    pub(crate) challenge_metadata: Option<String>,
    pub(crate) new_password_done: bool,
    pub(crate) mfa_done: bool,
    pub(crate) mfa_code: Option<(String, i64)>,
    pub(crate) attempts: u32,
    pub(crate) client_metadata: BTreeMap<String, String>,
    /// MFA_SETUP: the software token was verified with this session (VerifySoftwareToken).
    pub(crate) setup_verified: bool,
    /// MFA_SETUP answered with `EMAIL`: the address the EMAIL_OTP code went to.
    pub(crate) setup_email: Option<String>,
    /// The `DEVICE_KEY` the client sent (InitiateAuth `AuthParameters` or a challenge answer).
    pub(crate) device_key: Option<String>,
    /// Device SRP answered (`DEVICE_PASSWORD_VERIFIER` verified).
    pub(crate) device_done: bool,
}

impl std::fmt::Debug for AuthSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSession")
            .field("pool_id", &self.pool_id)
            .field("user_key", &self.user_key)
            .field("flow", &self.flow)
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}
