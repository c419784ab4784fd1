//! Building the hosted UI from specs: app clients' OAuth settings and the pools' federated
//! providers, checked the way `CreateUserPoolClient` and `CreateIdentityProvider` check them.

use std::collections::BTreeMap;

use crate::error::EmulatorError;
use crate::spec::{IdentityProviderSpec, OAuthClientSpec, OAuthFlow, ProviderType, UserPoolSpec};
use crate::state::State;
use crate::state::oauth::OAuthClient;

/// The scopes Cognito reserves ("System reserved scopes are openid, email, phone, profile, and
/// aws.cognito.signin.user.admin", authorization endpoint, `scope`); others are custom
/// `<resource server identifier>/<scope name>`.
const RESERVED_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// A pool's first app client's hosted UI, for the configuration documents.
#[derive(Debug, Clone)]
pub(crate) struct HostedUiLayout {
    pub(crate) spec: OAuthClientSpec,
    /// The types of the federated providers the client supports.
    pub(crate) providers: Vec<ProviderType>,
}

/// The issuers of every pool's federated providers (the emulator hosts them).
pub(crate) fn issuers(pools: &[UserPoolSpec]) -> Vec<String> {
    pools
        .iter()
        .flat_map(|p| &p.identity_providers)
        .map(|p| p.issuer.clone())
        .collect()
}

/// Checks a pool's providers and its clients' OAuth settings and puts them in the state;
/// `client_ids` are the pool's client ids in spec order. Returns the first client's hosted UI.
pub(crate) fn add_pool(
    state: &mut State,
    spec: &UserPoolSpec,
    pool_id: &str,
    client_ids: &[String],
) -> Result<Option<HostedUiLayout>, EmulatorError> {
    let bad = |message: String| Err(EmulatorError::InvalidSpec(message));
    let mut providers: BTreeMap<String, IdentityProviderSpec> = BTreeMap::new();
    for provider in &spec.identity_providers {
        let name = &provider.name;
        // `ProviderName`: 1 to 32 characters, and COGNITO is reserved.
        if name.is_empty()
            || name.len() > 32
            || name == "COGNITO"
            || name.contains(['/', '?', '#', '&'])
        {
            return bad(format!("identity provider name {name:?} is not allowed"));
        }
        if providers.insert(name.clone(), provider.clone()).is_some() {
            return bad(format!("duplicate identity provider {name}"));
        }
    }
    let mut first = None;
    for (index, (client, id)) in spec.clients.iter().zip(client_ids).enumerate() {
        let Some(oauth) = &client.oauth else {
            continue;
        };
        for url in oauth.callback_urls.iter().chain(&oauth.logout_urls) {
            if let Err(why) = check_url(url) {
                return bad(format!("app client {id}: {url:?}: {why}"));
            }
        }
        let browser_flow = oauth
            .flows
            .iter()
            .any(|f| matches!(f, OAuthFlow::Code | OAuthFlow::Implicit));
        if browser_flow && oauth.callback_urls.is_empty() {
            return bad(format!(
                "app client {id}: the code and implicit grants need a callback URL"
            ));
        }
        if oauth.flows.contains(&OAuthFlow::ClientCredentials)
            && client.secret.is_none()
            && !client.generate_secret
        {
            return bad(format!(
                "app client {id}: client_credentials needs a client secret"
            ));
        }
        for scope in &oauth.scopes {
            if !RESERVED_SCOPES.contains(&scope.as_str()) && !scope.contains('/') {
                return bad(format!(
                    "app client {id}: scope {scope:?} is neither reserved nor <resource server>/<scope>"
                ));
            }
        }
        for name in &oauth.identity_providers {
            if name != "COGNITO" && !providers.contains_key(name) {
                return bad(format!(
                    "app client {id}: the pool has no identity provider {name}"
                ));
            }
        }
        if index == 0 {
            first = Some(HostedUiLayout {
                spec: oauth.clone(),
                providers: oauth
                    .identity_providers
                    .iter()
                    .filter_map(|n| providers.get(n))
                    .map(|p| p.provider_type)
                    .collect(),
            });
        }
        state.oauth.clients.insert(
            id.clone(),
            OAuthClient {
                pool_id: pool_id.to_owned(),
                spec: oauth.clone(),
            },
        );
    }
    state.oauth.providers.insert(pool_id.to_owned(), providers);
    Ok(first)
}

/// "A redirect URI must: Be an absolute URI ... Not include a fragment component", and "Amazon
/// Cognito requires HTTPS over HTTP except for http://localhost" (authorization endpoint,
/// `redirect_uri`); app schemes such as `myapp://example` are allowed.
fn check_url(url: &str) -> Result<(), &'static str> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err("not an absolute URI");
    };
    if scheme.is_empty() || rest.is_empty() || url.contains('#') {
        return Err("not an absolute URI without a fragment");
    }
    if scheme.eq_ignore_ascii_case("http") {
        let host = rest.split(['/', '?']).next().unwrap_or_default();
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if host != "localhost" {
            return Err("http is only allowed for http://localhost");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_urls_as_cognito_does() {
        assert!(check_url("https://app.example.com/cb").is_ok());
        assert!(check_url("http://localhost:3000/").is_ok());
        assert!(check_url("myapp://signin").is_ok());
        assert!(check_url("http://127.0.0.1:3000/").is_err());
        assert!(check_url("https://app.example.com/cb#x").is_err());
        assert!(check_url("/relative").is_err());
    }
}
