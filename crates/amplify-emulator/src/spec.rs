//! What to emulate: user pools, app clients, groups, users, identity pools and OIDC issuers.
//!
//! Every spec is a fluent builder with Cognito's defaults, so `UserPoolSpec::new("us-east-1")`
//! alone gives a pool with one app client (no secret), the default password policy, `email` as a
//! required, auto-verified attribute and MFA off.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::triggers::SharedCustomAuthTriggers;

mod oauth;
mod sign_in;

pub use oauth::{IdentityProviderSpec, OAuthClientSpec, OAuthFlow, ProviderType};
pub use sign_in::{DeviceConfiguration, FirstFactor};

/// A password policy (Cognito's default: 8 characters with lowercase, uppercase, numbers and symbols).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordPolicy {
    /// Minimum length (6 to 99).
    pub min_length: u32,
    /// Requires a lowercase letter.
    pub require_lowercase: bool,
    /// Requires an uppercase letter.
    pub require_uppercase: bool,
    /// Requires a digit.
    pub require_numbers: bool,
    /// Requires a symbol.
    pub require_symbols: bool,
    /// How long a temporary password (AdminCreateUser) stays valid.
    pub temporary_password_validity: Duration,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            require_lowercase: true,
            require_uppercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity: Duration::from_secs(7 * 86_400),
        }
    }
}

impl PasswordPolicy {
    /// Cognito's default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that only asks for `min_length` characters.
    pub fn relaxed(min_length: u32) -> Self {
        Self {
            min_length,
            require_lowercase: false,
            require_uppercase: false,
            require_numbers: false,
            require_symbols: false,
            ..Self::default()
        }
    }

    /// Sets the minimum length.
    pub fn min_length(mut self, min_length: u32) -> Self {
        self.min_length = min_length;
        self
    }

    /// Requires (or not) a lowercase letter.
    pub fn require_lowercase(mut self, yes: bool) -> Self {
        self.require_lowercase = yes;
        self
    }

    /// Requires (or not) an uppercase letter.
    pub fn require_uppercase(mut self, yes: bool) -> Self {
        self.require_uppercase = yes;
        self
    }

    /// Requires (or not) a digit.
    pub fn require_numbers(mut self, yes: bool) -> Self {
        self.require_numbers = yes;
        self
    }

    /// Requires (or not) a symbol.
    pub fn require_symbols(mut self, yes: bool) -> Self {
        self.require_symbols = yes;
        self
    }

    /// Sets how long temporary passwords stay valid.
    pub fn temporary_password_validity(mut self, validity: Duration) -> Self {
        self.temporary_password_validity = validity;
        self
    }
}

/// An attribute users sign in with instead of a username.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum UsernameAttribute {
    /// The email address is the username.
    Email,
    /// The phone number is the username.
    PhoneNumber,
}

impl UsernameAttribute {
    /// The attribute name (`email`, `phone_number`).
    pub fn attribute(self) -> &'static str {
        match self {
            UsernameAttribute::Email => "email",
            UsernameAttribute::PhoneNumber => "phone_number",
        }
    }
}

/// Whether MFA is off, optional or required.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MfaConfiguration {
    /// No MFA.
    #[default]
    Off,
    /// Users who enabled a second factor use it.
    Optional,
    /// Every user must use a second factor.
    On,
}

/// A second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MfaMethod {
    /// Codes by SMS.
    Sms,
    /// Authenticator app codes (`SOFTWARE_TOKEN_MFA`).
    Totp,
    /// Codes by email (`EMAIL_OTP`).
    Email,
}

impl MfaMethod {
    pub(crate) fn config_name(self) -> &'static str {
        match self {
            MfaMethod::Sms => "SMS",
            MfaMethod::Totp => "TOTP",
            MfaMethod::Email => "EMAIL",
        }
    }
}

/// A sign-in flow an app client may allow (`ExplicitAuthFlows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AuthFlow {
    /// `USER_SRP_AUTH`.
    UserSrp,
    /// `USER_PASSWORD_AUTH`.
    UserPassword,
    /// `CUSTOM_AUTH` (with or without SRP).
    Custom,
    /// `REFRESH_TOKEN_AUTH` and GetTokensFromRefreshToken.
    RefreshToken,
    /// `ADMIN_USER_PASSWORD_AUTH` / `ADMIN_NO_SRP_AUTH` through AdminInitiateAuth.
    AdminUserPassword,
    /// `USER_AUTH`: choice-based sign-in (`ALLOW_USER_AUTH`).
    UserAuth,
}

/// A user pool group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupSpec {
    /// The group name.
    pub name: String,
    /// Lower wins when a user is in several groups.
    pub precedence: Option<i64>,
    /// An IAM role ARN for identity-pool role mapping.
    pub role_arn: Option<String>,
}

impl GroupSpec {
    /// A group named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            precedence: None,
            role_arn: None,
        }
    }

    /// Sets the precedence.
    pub fn precedence(mut self, precedence: i64) -> Self {
        self.precedence = Some(precedence);
        self
    }

    /// Sets the role ARN.
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.role_arn = Some(arn.into());
        self
    }
}

/// The status a seeded user starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SeedStatus {
    /// Signed up and confirmed (the default).
    Confirmed,
    /// Signed up, waiting for ConfirmSignUp.
    Unconfirmed,
    /// Created by an administrator: the password is temporary (NEW_PASSWORD_REQUIRED).
    ForceChangePassword,
}

/// A user that exists when the emulator starts.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserSpec {
    /// The username (for email / phone username pools: the email or phone number).
    pub username: String,
    /// The password.
    pub password: String,
    /// Attributes (`email`, `phone_number`, `custom:*`, ...). Seeded emails and phones count as verified.
    pub attributes: BTreeMap<String, String>,
    /// The starting status.
    pub status: SeedStatus,
    /// Group names.
    pub groups: Vec<String>,
    /// Whether the user can sign in.
    pub enabled: bool,
    /// Whether SMS MFA is enabled (and preferred) for the user.
    pub sms_mfa: bool,
}

impl std::fmt::Debug for UserSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserSpec")
            .field("username", &self.username)
            .field("status", &self.status)
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

impl UserSpec {
    /// A confirmed, enabled user.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            attributes: BTreeMap::new(),
            status: SeedStatus::Confirmed,
            groups: Vec::new(),
            enabled: true,
            sms_mfa: false,
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Sets the `email` attribute.
    pub fn email(self, email: impl Into<String>) -> Self {
        self.attribute("email", email)
    }

    /// Sets the `phone_number` attribute.
    pub fn phone_number(self, phone: impl Into<String>) -> Self {
        self.attribute("phone_number", phone)
    }

    /// Sets the starting status.
    pub fn status(mut self, status: SeedStatus) -> Self {
        self.status = status;
        self
    }

    /// Adds the user to a group (which must exist in the pool).
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.groups.push(group.into());
        self
    }

    /// Enables or disables the user.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Enables SMS MFA for the user (needs a `phone_number`).
    pub fn sms_mfa(mut self, enabled: bool) -> Self {
        self.sms_mfa = enabled;
        self
    }
}

/// An app client of a user pool.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppClientSpec {
    /// A fixed client id (26 random characters otherwise).
    pub id: Option<String>,
    /// The client name.
    pub name: String,
    /// Whether the client has a secret (SECRET_HASH is then required).
    pub generate_secret: bool,
    /// A fixed secret (implies a secret).
    pub secret: Option<String>,
    /// Allowed flows; `None` allows all.
    pub auth_flows: Option<Vec<AuthFlow>>,
    /// Refresh-token rotation (`RefreshTokenRotation.Feature = ENABLED`): every
    /// GetTokensFromRefreshToken returns a new refresh token (valid until the old one would
    /// have expired), and `REFRESH_TOKEN_AUTH` is refused with `UnsupportedOperationException`.
    pub refresh_token_rotation: bool,
    /// `RetryGracePeriodSeconds`: how long a rotated-out refresh token keeps working (0 to 60
    /// seconds; 0, the default, invalidates it at once). Afterwards it gets
    /// `RefreshTokenReuseException`. More than 60 seconds is refused at start.
    pub rotation_grace_period: Duration,
    /// Access token lifetime (1 hour).
    pub access_token_validity: Duration,
    /// ID token lifetime (1 hour).
    pub id_token_validity: Duration,
    /// Refresh token lifetime (30 days).
    pub refresh_token_validity: Duration,
    /// How long a challenge session stays valid (3 minutes).
    pub auth_session_validity: Duration,
    /// Answer NotAuthorizedException instead of UserNotFoundException for unknown users.
    pub prevent_user_existence_errors: bool,
    /// Hosted UI / OAuth 2.0 settings (`None`: the client cannot use the OAuth endpoints).
    pub oauth: Option<OAuthClientSpec>,
}

impl std::fmt::Debug for AppClientSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppClientSpec")
            .field("id", &self.id)
            .field("name", &self.name)
            .field(
                "has_secret",
                &(self.generate_secret || self.secret.is_some()),
            )
            .field("refresh_token_rotation", &self.refresh_token_rotation)
            .finish_non_exhaustive()
    }
}

impl Default for AppClientSpec {
    fn default() -> Self {
        Self {
            id: None,
            name: "amplify-emulator-client".to_owned(),
            generate_secret: false,
            secret: None,
            auth_flows: None,
            refresh_token_rotation: false,
            rotation_grace_period: Duration::from_secs(0),
            access_token_validity: Duration::from_secs(3600),
            id_token_validity: Duration::from_secs(3600),
            refresh_token_validity: Duration::from_secs(30 * 86_400),
            auth_session_validity: Duration::from_secs(180),
            prevent_user_existence_errors: false,
            oauth: None,
        }
    }
}

impl AppClientSpec {
    /// A client without a secret that allows every flow.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses a fixed client id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the client name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Gives the client a generated secret.
    pub fn secret(mut self, yes: bool) -> Self {
        self.generate_secret = yes;
        self
    }

    /// Gives the client a fixed secret.
    pub fn fixed_secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Restricts the allowed flows.
    pub fn auth_flows(mut self, flows: impl IntoIterator<Item = AuthFlow>) -> Self {
        self.auth_flows = Some(flows.into_iter().collect());
        self
    }

    /// Turns refresh-token rotation on (GetTokensFromRefreshToken returns a new refresh token;
    /// `REFRESH_TOKEN_AUTH` is refused).
    pub fn refresh_token_rotation(mut self, yes: bool) -> Self {
        self.refresh_token_rotation = yes;
        self
    }

    /// How long the previous refresh token keeps working after a rotation (Cognito's
    /// `RetryGracePeriodSeconds`, 0 to 60 seconds; the emulator refuses to start with more).
    pub fn rotation_grace_period(mut self, grace: Duration) -> Self {
        self.rotation_grace_period = grace;
        self
    }

    /// Sets the access token lifetime.
    pub fn access_token_validity(mut self, validity: Duration) -> Self {
        self.access_token_validity = validity;
        self
    }

    /// Sets the ID token lifetime.
    pub fn id_token_validity(mut self, validity: Duration) -> Self {
        self.id_token_validity = validity;
        self
    }

    /// Sets the refresh token lifetime.
    pub fn refresh_token_validity(mut self, validity: Duration) -> Self {
        self.refresh_token_validity = validity;
        self
    }

    /// Sets the challenge session lifetime.
    pub fn auth_session_validity(mut self, validity: Duration) -> Self {
        self.auth_session_validity = validity;
        self
    }

    /// Hides whether users exist (NotAuthorizedException instead of UserNotFoundException).
    pub fn prevent_user_existence_errors(mut self, yes: bool) -> Self {
        self.prevent_user_existence_errors = yes;
        self
    }

    /// Enables the hosted UI / OAuth 2.0 endpoints for the client.
    pub fn oauth(mut self, oauth: OAuthClientSpec) -> Self {
        self.oauth = Some(oauth);
        self
    }
}

/// A user pool.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UserPoolSpec {
    /// The region (`us-east-1`).
    pub region: String,
    /// A fixed pool id (`<region>_<letters and digits>`); random otherwise.
    pub id: Option<String>,
    /// The app clients (one default client when empty).
    pub clients: Vec<AppClientSpec>,
    /// The password policy.
    pub password_policy: PasswordPolicy,
    /// Standard attributes required at sign-up (`email` by default).
    pub required_attributes: Vec<String>,
    /// Attributes used as the username.
    pub username_attributes: Vec<UsernameAttribute>,
    /// Attributes verified by a code at sign-up (`email` by default).
    pub auto_verified_attributes: Vec<String>,
    /// Declared custom attributes, without the `custom:` prefix.
    pub custom_attributes: Vec<String>,
    /// Groups.
    pub groups: Vec<GroupSpec>,
    /// MFA configuration.
    pub mfa: MfaConfiguration,
    /// Enabled second factors.
    pub mfa_methods: Vec<MfaMethod>,
    /// Users that exist at start.
    pub users: Vec<UserSpec>,
    /// Custom auth triggers (define / create / verify auth challenge).
    pub triggers: Option<SharedCustomAuthTriggers>,
    /// How long sign-up and attribute verification codes stay valid (24 hours).
    pub code_validity: Duration,
    /// How long forgot-password codes stay valid (1 hour).
    pub reset_code_validity: Duration,
    /// How long MFA codes stay valid (3 minutes).
    pub mfa_code_validity: Duration,
    /// Wrong codes accepted before LimitExceededException (5).
    pub max_code_attempts: u32,
    /// First factors of `USER_AUTH` (`[Password]` by default).
    pub first_factors: Vec<FirstFactor>,
    /// Device tracking (`None`, the default: devices are not remembered).
    pub device_configuration: Option<DeviceConfiguration>,
    /// Federated identity providers for the hosted UI.
    pub identity_providers: Vec<IdentityProviderSpec>,
}

impl UserPoolSpec {
    /// A pool in `region` with Cognito's defaults.
    pub fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            id: None,
            clients: Vec::new(),
            password_policy: PasswordPolicy::default(),
            required_attributes: vec!["email".to_owned()],
            username_attributes: Vec::new(),
            auto_verified_attributes: vec!["email".to_owned()],
            custom_attributes: Vec::new(),
            groups: Vec::new(),
            mfa: MfaConfiguration::Off,
            mfa_methods: vec![MfaMethod::Sms],
            users: Vec::new(),
            triggers: None,
            code_validity: Duration::from_secs(86_400),
            reset_code_validity: Duration::from_secs(3600),
            mfa_code_validity: Duration::from_secs(180),
            max_code_attempts: 5,
            first_factors: vec![FirstFactor::Password],
            device_configuration: None,
            identity_providers: Vec::new(),
        }
    }

    /// Adds a federated identity provider (app clients name it in
    /// [`OAuthClientSpec::identity_provider`]).
    pub fn identity_provider(mut self, provider: IdentityProviderSpec) -> Self {
        self.identity_providers.push(provider);
        self
    }

    /// Turns device tracking on with `configuration`: sign-ins without a known `DEVICE_KEY`
    /// get `NewDeviceMetadata`, confirmed devices answer `DEVICE_SRP_AUTH`.
    pub fn device_configuration(mut self, configuration: DeviceConfiguration) -> Self {
        self.device_configuration = Some(configuration);
        self
    }

    /// Sets the first factors choice-based sign-in (`USER_AUTH`) offers.
    pub fn first_factors(mut self, factors: impl IntoIterator<Item = FirstFactor>) -> Self {
        self.first_factors = factors.into_iter().collect();
        self
    }

    /// Uses a fixed pool id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Adds an app client.
    pub fn client(mut self, client: AppClientSpec) -> Self {
        self.clients.push(client);
        self
    }

    /// Sets the password policy.
    pub fn password_policy(mut self, policy: PasswordPolicy) -> Self {
        self.password_policy = policy;
        self
    }

    /// Sets the standard attributes required at sign-up.
    pub fn required_attributes<S: Into<String>>(
        mut self,
        attributes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.required_attributes = attributes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the attributes used as the username.
    pub fn username_attributes(
        mut self,
        attributes: impl IntoIterator<Item = UsernameAttribute>,
    ) -> Self {
        self.username_attributes = attributes.into_iter().collect();
        self
    }

    /// Sets the attributes verified by a code at sign-up.
    pub fn auto_verified_attributes<S: Into<String>>(
        mut self,
        attributes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.auto_verified_attributes = attributes.into_iter().map(Into::into).collect();
        self
    }

    /// Declares a custom attribute (`name` without the `custom:` prefix).
    pub fn custom_attribute(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        let name = name
            .strip_prefix("custom:")
            .map(str::to_owned)
            .unwrap_or(name);
        self.custom_attributes.push(name);
        self
    }

    /// Adds a group.
    pub fn group(mut self, group: GroupSpec) -> Self {
        self.groups.push(group);
        self
    }

    /// Sets the MFA configuration and methods.
    pub fn mfa(
        mut self,
        mfa: MfaConfiguration,
        methods: impl IntoIterator<Item = MfaMethod>,
    ) -> Self {
        self.mfa = mfa;
        self.mfa_methods = methods.into_iter().collect();
        self
    }

    /// Adds a user that exists at start.
    pub fn user(mut self, user: UserSpec) -> Self {
        self.users.push(user);
        self
    }

    /// Installs custom auth triggers.
    pub fn triggers(
        mut self,
        triggers: impl crate::triggers::CustomAuthTriggers + 'static,
    ) -> Self {
        self.triggers = Some(SharedCustomAuthTriggers::new(triggers));
        self
    }

    /// Sets how long sign-up and attribute verification codes stay valid.
    pub fn code_validity(mut self, validity: Duration) -> Self {
        self.code_validity = validity;
        self
    }

    /// Sets how long forgot-password codes stay valid.
    pub fn reset_code_validity(mut self, validity: Duration) -> Self {
        self.reset_code_validity = validity;
        self
    }

    /// Sets how long MFA codes stay valid.
    pub fn mfa_code_validity(mut self, validity: Duration) -> Self {
        self.mfa_code_validity = validity;
        self
    }
}

/// An identity pool.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdentityPoolSpec {
    /// The region; the first user pool's region when `None`.
    pub region: Option<String>,
    /// A fixed id (`<region>:<uuid>`); random otherwise.
    pub id: Option<String>,
    /// Whether guests (no logins) get credentials.
    pub allow_guests: bool,
    /// Trusted user pool ids; `None` trusts every emulated pool.
    pub user_pools: Option<Vec<String>>,
    /// Trusted OIDC issuer names (`accounts.google.com`); `None` trusts every emulated issuer.
    pub oidc_providers: Option<Vec<String>>,
    /// The developer provider name for GetOpenIdTokenForDeveloperIdentity.
    pub developer_provider_name: Option<String>,
    /// How long issued AWS credentials stay valid (1 hour).
    pub credentials_validity: Duration,
    /// Role ARN for authenticated identities.
    pub authenticated_role_arn: String,
    /// Role ARN for guests.
    pub unauthenticated_role_arn: String,
}

impl Default for IdentityPoolSpec {
    fn default() -> Self {
        Self {
            region: None,
            id: None,
            allow_guests: true,
            user_pools: None,
            oidc_providers: None,
            developer_provider_name: Some("login.amplify.emulator".to_owned()),
            credentials_validity: Duration::from_secs(3600),
            authenticated_role_arn: "arn:aws:iam::000000000000:role/amplify-emulator-auth"
                .to_owned(),
            unauthenticated_role_arn: "arn:aws:iam::000000000000:role/amplify-emulator-unauth"
                .to_owned(),
        }
    }
}

impl IdentityPoolSpec {
    /// An identity pool that allows guests and trusts every emulated user pool and issuer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Uses a fixed id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Allows or refuses guests.
    pub fn allow_guests(mut self, yes: bool) -> Self {
        self.allow_guests = yes;
        self
    }

    /// Trusts only these user pools.
    pub fn user_pools<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.user_pools = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Trusts only these OIDC providers (issuer without `https://`).
    pub fn oidc_providers<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.oidc_providers = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the developer provider name.
    pub fn developer_provider_name(mut self, name: impl Into<String>) -> Self {
        self.developer_provider_name = Some(name.into());
        self
    }

    /// Sets how long issued credentials stay valid.
    pub fn credentials_validity(mut self, validity: Duration) -> Self {
        self.credentials_validity = validity;
        self
    }
}
