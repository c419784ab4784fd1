//! Cognito identity pools: `GetId` and `GetCredentialsForIdentity`, apart from the token session
//! manager that decides when to call them.

use std::collections::HashMap;
use std::time::SystemTime;

use amplify_core::AwsCredentials;
use amplify_core::config::AuthConfig;
use aws_sdk_cognitoidentity as ci;
use secrecy::ExposeSecret;

use crate::AuthError;
use crate::error::ConfigurationReason;
use crate::sdk::{self, Clients, IDENTITY, SessionTokenVault};

/// A login for the identity pool: the provider name (`cognito-idp.<region>.<suffix>/<pool>`,
/// `accounts.google.com`, an OIDC issuer, ...) and its token.
pub(crate) type Login = (String, String);

/// The identity pool of one configured plugin.
#[derive(Debug, Clone)]
pub(crate) struct IdentityPool {
    client: ci::Client,
    pool_id: String,
    vault: SessionTokenVault,
}

impl IdentityPool {
    /// The identity pool of `config`, when it has one (and a client was built for it).
    pub(crate) fn new(clients: &Clients, config: &AuthConfig) -> Option<Self> {
        let pool = config.identity_pool.as_ref()?;
        Some(Self {
            client: clients.identity.clone()?,
            pool_id: pool.pool_id.clone(),
            vault: clients.vault.clone(),
        })
    }

    /// `GetId`: the identity id for `login` (a guest identity without one).
    pub(crate) async fn get_id(&self, login: Option<&Login>) -> Result<String, AuthError> {
        let out = self
            .client
            .get_id()
            .identity_pool_id(&self.pool_id)
            .set_logins(logins(login))
            .send()
            .await
            .map_err(|e| sdk::map_error(IDENTITY, e))?;
        out.identity_id()
            .map(str::to_owned)
            .ok_or_else(|| AuthError::unexpected("GetId returned no IdentityId"))
    }

    /// `GetCredentialsForIdentity`: AWS credentials for the identity.
    pub(crate) async fn get_credentials(
        &self,
        identity_id: &str,
        login: Option<&Login>,
    ) -> Result<AwsCredentials, AuthError> {
        let out = self
            .client
            .get_credentials_for_identity()
            .identity_id(identity_id)
            .set_logins(logins(login))
            .send()
            .await
            .map_err(|e| sdk::map_error(IDENTITY, e))?;
        let creds = out.credentials().ok_or_else(|| {
            AuthError::unexpected("GetCredentialsForIdentity returned no Credentials")
        })?;
        let expiration = creds
            .expiration()
            .and_then(|t| SystemTime::try_from(*t).ok());
        let session_token = match creds.session_token() {
            Some(placeholder) => Some(self.vault.take(placeholder).ok_or_else(|| {
                AuthError::unexpected("the session token was lost between response and result")
            })?),
            None => None,
        };
        match (creds.access_key_id(), creds.secret_key()) {
            (Some(akid), Some(secret)) => Ok(AwsCredentials::new(
                akid,
                secret,
                session_token.map(|t| t.expose_secret().to_owned()),
                expiration,
            )),
            _ => Err(AuthError::unexpected("credentials without keys")),
        }
    }
}

fn logins(login: Option<&Login>) -> Option<HashMap<String, String>> {
    login.map(|(p, t)| HashMap::from([(p.clone(), t.clone())]))
}

/// The identity pool's provider name for the user pool: Cognito's issuer without `https://`.
pub(crate) fn user_pool_provider_name(config: &AuthConfig) -> Result<String, AuthError> {
    let pool = config
        .user_pool
        .as_ref()
        .ok_or(AuthError::Configuration(ConfigurationReason::NoUserPool))?;
    Ok(format!(
        "cognito-idp.{}.{}/{}",
        pool.region,
        dns_suffix(&pool.region),
        pool.pool_id
    ))
}

pub(crate) fn no_identity_pool() -> AuthError {
    AuthError::Configuration(ConfigurationReason::NoIdentityPool)
}

/// The DNS suffix of a region's AWS partition (from the partitions AWS's SDKs ship:
/// `aws-cn` for `cn-*`, the ISO partitions, `aws` otherwise). Cognito's issuer and the identity
/// pool's login key are `cognito-idp.<region>.<suffix>/<pool id>`.
pub(crate) fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-isof-") {
        "csp.hci.ic.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else if region.starts_with("eu-isoe-") {
        "cloud.adc-e.uk"
    } else {
        "amazonaws.com"
    }
}

#[cfg(test)]
mod tests {
    use super::dns_suffix;

    #[test]
    fn partitions_give_their_dns_suffix() {
        assert_eq!(dns_suffix("us-east-1"), "amazonaws.com");
        assert_eq!(dns_suffix("eu-west-3"), "amazonaws.com");
        assert_eq!(dns_suffix("cn-north-1"), "amazonaws.com.cn");
        assert_eq!(dns_suffix("cn-northwest-1"), "amazonaws.com.cn");
        assert_eq!(dns_suffix("us-gov-west-1"), "amazonaws.com");
        assert_eq!(dns_suffix("us-iso-east-1"), "c2s.ic.gov");
        assert_eq!(dns_suffix("us-isob-east-1"), "sc2s.sgov.gov");
    }
}
