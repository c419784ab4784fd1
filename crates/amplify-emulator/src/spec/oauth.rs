//! Hosted UI (managed login) settings: an app client's OAuth 2.0 settings and the pool's
//! federated identity providers.
//!
//! They mirror `CreateUserPoolClient`'s `CallbackURLs`, `LogoutURLs`, `AllowedOAuthFlows`,
//! `AllowedOAuthScopes` and `SupportedIdentityProviders`, and `CreateIdentityProvider`'s
//! `ProviderName`, `ProviderType`, `AttributeMapping` and `IdpIdentifiers`. The emulator's
//! "domain" is its own `127.0.0.1:<port>`.

use std::collections::BTreeMap;

/// An OAuth 2.0 grant an app client allows (`AllowedOAuthFlows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OAuthFlow {
    /// `code`: the authorization code grant (with or without PKCE).
    Code,
    /// `implicit`: tokens in the redirect's fragment (`response_type=token`).
    Implicit,
    /// `client_credentials`: machine-to-machine access tokens for clients with a secret.
    ClientCredentials,
}

impl OAuthFlow {
    /// Cognito's name (`code`, `implicit`, `client_credentials`).
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthFlow::Code => "code",
            OAuthFlow::Implicit => "implicit",
            OAuthFlow::ClientCredentials => "client_credentials",
        }
    }
}

/// An app client's hosted UI settings.
///
/// ```
/// use amplify_emulator::{AppClientSpec, OAuthClientSpec};
///
/// let client = AppClientSpec::new().oauth(
///     OAuthClientSpec::new()
///         .callback_url("http://localhost:3000/callback")
///         .logout_url("http://localhost:3000/signed-out")
///         .identity_provider("Google"),
/// );
/// # let _ = client;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthClientSpec {
    /// `CallbackURLs`: `redirect_uri` must equal one of them exactly.
    pub callback_urls: Vec<String>,
    /// `LogoutURLs`: `logout_uri` at `/logout` must equal one of them exactly.
    pub logout_urls: Vec<String>,
    /// `AllowedOAuthFlows` (`[Code]` by default).
    pub flows: Vec<OAuthFlow>,
    /// `AllowedOAuthScopes` (`openid`, `email`, `phone`, `profile`,
    /// `aws.cognito.signin.user.admin` by default); custom scopes look like
    /// `<resource server>/<scope>`.
    pub scopes: Vec<String>,
    /// `SupportedIdentityProviders`: `COGNITO` (the login page) and names of the pool's
    /// [`IdentityProviderSpec`]s (`["COGNITO"]` by default).
    pub identity_providers: Vec<String>,
}

impl Default for OAuthClientSpec {
    fn default() -> Self {
        Self {
            callback_urls: Vec::new(),
            logout_urls: Vec::new(),
            flows: vec![OAuthFlow::Code],
            scopes: [
                "openid",
                "email",
                "phone",
                "profile",
                "aws.cognito.signin.user.admin",
            ]
            .map(str::to_owned)
            .to_vec(),
            identity_providers: vec!["COGNITO".to_owned()],
        }
    }
}

impl OAuthClientSpec {
    /// The authorization code grant, the standard scopes and the `COGNITO` provider; add
    /// callback URLs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a callback URL (`redirect_uri`).
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_urls.push(url.into());
        self
    }

    /// Adds a sign-out URL (`logout_uri`).
    pub fn logout_url(mut self, url: impl Into<String>) -> Self {
        self.logout_urls.push(url.into());
        self
    }

    /// Sets the allowed grants.
    pub fn flows(mut self, flows: impl IntoIterator<Item = OAuthFlow>) -> Self {
        self.flows = flows.into_iter().collect();
        self
    }

    /// Sets the allowed scopes.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an allowed scope (a custom `<resource server>/<scope>` for example).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Sets the supported identity providers (`COGNITO` and provider names).
    pub fn identity_providers<S: Into<String>>(
        mut self,
        providers: impl IntoIterator<Item = S>,
    ) -> Self {
        self.identity_providers = providers.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a supported identity provider (a name of the pool's [`IdentityProviderSpec`]s).
    pub fn identity_provider(mut self, name: impl Into<String>) -> Self {
        self.identity_providers.push(name.into());
        self
    }
}

/// The kind of a federated identity provider (`ProviderType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderType {
    /// `Google`.
    Google,
    /// `Facebook`.
    Facebook,
    /// `LoginWithAmazon`.
    LoginWithAmazon,
    /// `SignInWithApple`.
    SignInWithApple,
    /// `OIDC`: any OpenID Connect provider.
    Oidc,
}

impl ProviderType {
    /// Cognito's `ProviderType` string, also the `providerType` of the `identities` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderType::Google => "Google",
            ProviderType::Facebook => "Facebook",
            ProviderType::LoginWithAmazon => "LoginWithAmazon",
            ProviderType::SignInWithApple => "SignInWithApple",
            ProviderType::Oidc => "OIDC",
        }
    }
}

/// A federated identity provider of a user pool, simulated by one of the emulator's OIDC
/// issuers: its sign-in page is `/oauth2/idp/<name>/authorize` on the emulator, and the tokens
/// it hands Cognito are signed by the emulator's federation key.
///
/// ```
/// use amplify_emulator::{IdentityProviderSpec, UserPoolSpec};
///
/// let pool = UserPoolSpec::new("us-east-1")
///     .identity_provider(IdentityProviderSpec::google())
///     .identity_provider(IdentityProviderSpec::oidc("Corp", "login.example.test").identifier("corp.example"));
/// # let _ = pool;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdentityProviderSpec {
    /// `ProviderName` (`Google`, or any name for OIDC providers); federated users are named
    /// `<name>_<sub>`.
    pub name: String,
    /// `ProviderType`.
    pub provider_type: ProviderType,
    /// The emulator OIDC issuer standing in for the provider (`accounts.google.com`); added to
    /// the emulator's issuers.
    pub issuer: String,
    /// `AttributeMapping`: user pool attribute → the provider's claim.
    pub attribute_mapping: BTreeMap<String, String>,
    /// `IdpIdentifiers` (for `idp_identifier`).
    pub identifiers: Vec<String>,
}

impl IdentityProviderSpec {
    /// A provider of `provider_type` named `name`, simulated by `issuer`, mapping `email`,
    /// `email_verified`, `name`, `given_name`, `family_name` and `picture` to the claims of the
    /// same names.
    pub fn new(
        name: impl Into<String>,
        provider_type: ProviderType,
        issuer: impl Into<String>,
    ) -> Self {
        let attribute_mapping = [
            "email",
            "email_verified",
            "name",
            "given_name",
            "family_name",
            "picture",
        ]
        .iter()
        .map(|a| ((*a).to_owned(), (*a).to_owned()))
        .collect();
        Self {
            name: name.into(),
            provider_type,
            issuer: issuer.into(),
            attribute_mapping,
            identifiers: Vec::new(),
        }
    }

    /// `Google`, simulated by `accounts.google.com`.
    pub fn google() -> Self {
        Self::new("Google", ProviderType::Google, "accounts.google.com")
    }

    /// An OIDC provider named `name`, simulated by `issuer` (e.g. `login.example.test`).
    pub fn oidc(name: impl Into<String>, issuer: impl Into<String>) -> Self {
        Self::new(name, ProviderType::Oidc, issuer)
    }

    /// Maps the user pool attribute `attribute` to the provider's claim `claim`.
    pub fn attribute(mut self, attribute: impl Into<String>, claim: impl Into<String>) -> Self {
        self.attribute_mapping
            .insert(attribute.into(), claim.into());
        self
    }

    /// Adds an `idp_identifier`.
    pub fn identifier(mut self, identifier: impl Into<String>) -> Self {
        self.identifiers.push(identifier.into());
        self
    }
}
