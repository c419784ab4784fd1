//! The providers the plugin registers in core's registry: the user pool access token for
//! `AMAZON_COGNITO_USER_POOLS` and identity-pool credentials for `AWS_IAM`. Failures reach the
//! API category as `ProviderError`s whose source is the `AuthError`.

use std::sync::Arc;

use amplify_core::{
    AuthToken, AwsCredentials, BoxFuture, CredentialsProvider, ProviderError, TokenProvider,
};

use crate::error::provider_error;
use crate::session::SessionManager;

/// The user pool access token, for AppSync's `AMAZON_COGNITO_USER_POOLS` mode.
#[derive(Debug, Clone)]
pub(crate) struct UserPoolTokenProvider(pub(crate) Arc<SessionManager>);

impl TokenProvider for UserPoolTokenProvider {
    fn latest_token(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        Box::pin(async move {
            let tokens = self
                .0
                .user_pool_tokens(false)
                .await
                .map_err(|e| provider_error(&e))?;
            Ok(AuthToken::new(tokens.access_token.expose_secret()))
        })
    }
}

/// Identity pool credentials, for `AWS_IAM`.
#[derive(Debug, Clone)]
pub(crate) struct IdentityPoolCredentialsProvider(pub(crate) Arc<SessionManager>);

impl CredentialsProvider for IdentityPoolCredentialsProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<AwsCredentials, ProviderError>> {
        Box::pin(async move {
            let (_, creds) = self
                .0
                .aws_credentials(false)
                .await
                .map_err(|e| provider_error(&e))?;
            Ok(creds)
        })
    }
}
