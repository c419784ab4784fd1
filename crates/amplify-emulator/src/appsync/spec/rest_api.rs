//! The spec of a REST API (API Gateway style).

#[allow(clippy::wildcard_imports)]
use super::*;

/// A REST API (API Gateway style) with an echo route and a small `items` resource, protected
/// by one authorization mode.
///
/// Served under `<endpoint>/rest/<name>`:
///
/// | route | |
/// |---|---|
/// | `ANY /echo[/...]` | the request as JSON: method, path, query, headers (secrets redacted), body, identity |
/// | `GET /items`, `POST /items` | list, create (`201`, an `id` is generated when missing) |
/// | `GET`, `PUT`, `PATCH`, `DELETE /items/<id>` | read, replace, merge, delete |
/// | `ANY /status/<code>` | answers with that status |
#[derive(Clone)]
#[non_exhaustive]
pub struct RestApiSpec {
    /// The API name (also its path segment).
    pub name: String,
    /// The authorization mode.
    pub mode: AuthMode,
    /// The API key for `API_KEY` (a random one when `None`).
    pub api_key: Option<ApiKeySpec>,
    /// The region (the first user pool's when `None`).
    pub region: Option<String>,
    pub(crate) jwt: JwtSettings,
    pub(crate) lambda: Option<SharedLambdaAuthorizer>,
}

impl fmt::Debug for RestApiSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestApiSpec")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("lambda", &self.lambda.is_some())
            .finish_non_exhaustive()
    }
}

impl RestApiSpec {
    /// A REST API named `name` with mode `AWS_IAM`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            mode: AuthMode::AwsIam,
            api_key: None,
            region: None,
            jwt: JwtSettings::default(),
            lambda: None,
        }
    }

    /// Sets the authorization mode.
    pub fn mode(mut self, mode: AuthMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the API key for `API_KEY`.
    pub fn api_key(mut self, key: ApiKeySpec) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Accepts tokens of this user pool (the first pool by default).
    pub fn user_pool_id(mut self, pool_id: impl Into<String>) -> Self {
        self.jwt.user_pool_id = Some(pool_id.into());
        self
    }

    /// Accepts user pool tokens of these app clients only.
    pub fn user_pool_client_ids<S: Into<String>>(
        mut self,
        client_ids: impl IntoIterator<Item = S>,
    ) -> Self {
        self.jwt.client_ids = Some(client_ids.into_iter().map(Into::into).collect());
        self
    }

    /// The OIDC issuer for `OPENID_CONNECT`.
    pub fn oidc_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.jwt.oidc_issuer = Some(issuer.into());
        self
    }

    /// The OIDC client id that tokens' `aud` must match.
    pub fn oidc_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.jwt.oidc_client_id = Some(client_id.into());
        self
    }

    /// The Lambda authorizer for `AWS_LAMBDA`: a Rust function deciding on each request.
    pub fn lambda_authorizer<F>(mut self, authorizer: F) -> Self
    where
        F: Fn(&LambdaAuthRequest) -> LambdaAuthResult + Send + Sync + 'static,
    {
        self.lambda = Some(SharedLambdaAuthorizer::new(authorizer));
        self
    }
}
