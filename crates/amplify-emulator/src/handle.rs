//! Starting the emulator and the handle tests hold.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use amplify_core::time::{SharedTimeSource, TimeSource};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::appsync::{AuthMode, GraphQlApiSpec, RestApiSpec, RestItems, TodoStore};
use crate::backend::{Backend, BuildParts};
use crate::credentials::{CredentialStore, IamPrincipalSpec, IssuedCredentials};
use crate::error::{CognitoError, EmulatorError};
use crate::faults::{Faults, RequestCounters};
use crate::oidc::OidcToken;
use crate::outbox::Outbox;
use crate::spec::{IdentityPoolSpec, UserPoolSpec, UserSpec};
use crate::user_pool;
use crate::verify::{TokenError, VerifiedToken};

mod config;

/// The emulator.
///
/// ```no_run
/// # async fn demo() -> Result<(), amplify_emulator::EmulatorError> {
/// use amplify_emulator::{AppClientSpec, Emulator, IdentityPoolSpec, UserPoolSpec, UserSpec};
///
/// let emulator = Emulator::builder()
///     .user_pool(
///         UserPoolSpec::new("us-east-1")
///             .client(AppClientSpec::new().secret(true))
///             .user(UserSpec::new("alice", "Passw0rd!").email("alice@example.com")),
///     )
///     .identity_pool(IdentityPoolSpec::new().allow_guests(true))
///     .start()
///     .await?;
/// println!("{}", emulator.endpoint());
/// let outputs = emulator.amplify_outputs_json();
/// # let _ = outputs;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with no pools (a default user pool is added at start if none is given).
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Starts an emulator with one default user pool (`us-east-1`), one identity pool, the
    /// sample Todo GraphQL API (default mode `API_KEY`, additional modes user pools and IAM) and
    /// a REST API named `api` (IAM).
    ///
    /// # Errors
    ///
    /// [`EmulatorError`] when the socket cannot be bound or the system RNG fails.
    pub async fn start() -> Result<EmulatorHandle, EmulatorError> {
        Self::builder()
            .user_pool(UserPoolSpec::new("us-east-1"))
            .identity_pool(IdentityPoolSpec::new())
            .graphql_api(
                GraphQlApiSpec::sample_todo()
                    .default_mode(AuthMode::ApiKey)
                    .additional_mode(AuthMode::AmazonCognitoUserPools)
                    .additional_mode(AuthMode::AwsIam),
            )
            .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam))
            .start()
            .await
    }
}

/// Configures an emulator.
#[derive(Debug, Default)]
pub struct EmulatorBuilder {
    user_pools: Vec<UserPoolSpec>,
    identity_pools: Vec<IdentityPoolSpec>,
    oidc_issuers: Vec<String>,
    clock: Option<SharedTimeSource>,
    port: u16,
    rng_seed: Option<[u8; 32]>,
    graphql_api: Option<GraphQlApiSpec>,
    rest_apis: Vec<RestApiSpec>,
    iam_principals: Vec<IamPrincipalSpec>,
    data_dir: Option<std::path::PathBuf>,
}

impl EmulatorBuilder {
    /// Declares an IAM principal (a server-side caller's keys): its SigV4 signatures are
    /// verified and it is authorized like identity-pool credentials (`AWS_IAM`, `@aws_iam`).
    /// More can be declared at run time with [`CredentialStore::declare`].
    pub fn iam_principal(mut self, principal: IamPrincipalSpec) -> Self {
        self.iam_principals.push(principal);
        self
    }

    /// Adds a user pool.
    pub fn user_pool(mut self, spec: UserPoolSpec) -> Self {
        self.user_pools.push(spec);
        self
    }

    /// Adds an identity pool.
    pub fn identity_pool(mut self, spec: IdentityPoolSpec) -> Self {
        self.identity_pools.push(spec);
        self
    }

    /// Hosts another test OIDC issuer (`accounts.google.com` is always hosted).
    pub fn oidc_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.oidc_issuers.push(issuer.into());
        self
    }

    /// Uses this clock for every expiry decision (tokens, codes, sessions, SRP timestamps).
    pub fn time_source(mut self, clock: impl TimeSource + 'static) -> Self {
        self.clock = Some(SharedTimeSource::new(clock));
        self
    }

    /// Listens on this port of 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Serves a GraphQL API at `<endpoint>/graphql` (one per emulator, as Gen 2 has one `data`
    /// API; a second call replaces the first).
    pub fn graphql_api(mut self, api: GraphQlApiSpec) -> Self {
        self.graphql_api = Some(api);
        self
    }

    /// Serves a REST API at `<endpoint>/rest/<name>`.
    pub fn rest_api(mut self, api: RestApiSpec) -> Self {
        self.rest_apis.push(api);
        self
    }

    /// Makes ids, codes and secrets reproducible.
    pub fn rng_seed(mut self, seed: [u8; 32]) -> Self {
        self.rng_seed = Some(seed);
        self
    }

    /// Keeps the state in a SQLite database in `dir` (created when missing) so that it survives
    /// a restart or a kill: users (the SRP verifier, never a password), groups, devices, token
    /// revocations, identities, issued credentials, the outbox, Todo and REST items. Each
    /// transaction is committed before its answer. The specs define the configuration at every
    /// start (generated ids stay the same, and so does the port when none is asked for); seeded
    /// users and groups and [`rng_seed`](Self::rng_seed) apply only to a new directory, then the
    /// stored state wins. Start fails with [`EmulatorError::DataDir`] when the directory cannot
    /// be used (damaged, another data schema version, in use). Design: `src/state/persist.rs`.
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    fn parts(mut self, endpoint: String) -> (BuildParts, u16, Vec<IamPrincipalSpec>) {
        if self.user_pools.is_empty() {
            self.user_pools.push(UserPoolSpec::new("us-east-1"));
        }
        (
            BuildParts {
                user_pools: self.user_pools,
                identity_pools: self.identity_pools,
                oidc_issuers: self.oidc_issuers,
                clock: self.clock.unwrap_or_default(),
                rng_seed: self.rng_seed,
                endpoint,
                graphql_api: self.graphql_api,
                rest_apis: self.rest_apis,
                data_dir: self.data_dir,
            },
            self.port,
            self.iam_principals,
        )
    }

    /// Builds the sans-IO backend without a socket (issuer URLs use `endpoint`).
    ///
    /// # Errors
    ///
    /// [`EmulatorError`] for an invalid spec or a failing RNG.
    pub fn build_backend(self, endpoint: impl Into<String>) -> Result<Backend, EmulatorError> {
        let (parts, _, principals) = self.parts(endpoint.into());
        let backend = Backend::build(parts)?;
        declare(&backend, principals);
        Ok(backend)
    }

    /// Binds `127.0.0.1:<port>` and serves.
    ///
    /// # Errors
    ///
    /// [`EmulatorError`] when binding fails, the spec is invalid or the RNG fails.
    pub async fn start(self) -> Result<EmulatorHandle, EmulatorError> {
        let (parts, port, principals) = self.parts(String::new());
        let backend = Backend::build(parts)?;
        declare(&backend, principals);
        let listener = crate::server::bind(port, &backend).await?;
        let addr = listener.local_addr().map_err(EmulatorError::Bind)?;
        let endpoint = format!("http://{addr}");
        backend.set_endpoint(endpoint.clone());
        let (shutdown, rx) = oneshot::channel();
        let task = tokio::spawn(crate::server::serve(listener, backend.clone(), rx));
        tracing::debug!(%endpoint, "amplify-emulator listening");
        Ok(EmulatorHandle {
            backend,
            endpoint,
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
            reported: false,
        })
    }
}

fn declare(backend: &Backend, principals: Vec<IamPrincipalSpec>) {
    for principal in principals {
        backend.credentials().declare(principal);
    }
}

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct EmulatorHandle {
    backend: Backend,
    endpoint: String,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    reported: bool,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:<port>`: the one endpoint for both services and the JWKS.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first user pool's region.
    pub fn region(&self) -> &str {
        self.backend
            .layout()
            .user_pools
            .first()
            .map_or("us-east-1", |p| p.region.as_str())
    }

    /// The first user pool's id.
    pub fn user_pool_id(&self) -> &str {
        self.backend
            .layout()
            .user_pools
            .first()
            .map_or("", |p| p.id.as_str())
    }

    /// The first user pool's first app client id.
    pub fn client_id(&self) -> &str {
        self.backend
            .layout()
            .user_pools
            .first()
            .and_then(|p| p.clients.first())
            .map_or("", |(id, _)| id.as_str())
    }

    /// The first app client's secret, if it has one.
    pub fn client_secret(&self) -> Option<&str> {
        self.backend
            .layout()
            .user_pools
            .first()
            .and_then(|p| p.clients.first())
            .and_then(|(_, secret)| secret.as_deref())
    }

    /// Every user pool id with its app client ids, in spec order.
    pub fn user_pools(&self) -> Vec<(String, Vec<String>)> {
        self.backend
            .layout()
            .user_pools
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    p.clients.iter().map(|(c, _)| c.clone()).collect(),
                )
            })
            .collect()
    }

    /// The first identity pool's id.
    pub fn identity_pool_id(&self) -> Option<&str> {
        self.backend
            .layout()
            .identity_pools
            .first()
            .map(|(id, _, _)| id.as_str())
    }

    /// The issuer (`iss`) of the first user pool's tokens, `<endpoint>/<poolId>`.
    pub fn issuer(&self) -> String {
        format!("{}/{}", self.endpoint, self.user_pool_id())
    }

    /// The `Logins` key for the first user pool: `cognito-idp.<region>.amazonaws.com/<poolId>`.
    pub fn identity_provider_name(&self) -> String {
        format!(
            "cognito-idp.{}.amazonaws.com/{}",
            self.region(),
            self.user_pool_id()
        )
    }

    /// The one JSON line the binary prints when ready (with `graphqlUrl`, `apiKey` and
    /// `restApis` `{name: url}` when the seed has APIs).
    pub fn ready_line(&self) -> String {
        json!({
            "endpoint": self.endpoint,
            "region": self.region(),
            "userPoolId": self.user_pool_id(),
            "clientId": self.client_id(),
            "clientSecret": self.client_secret(),
            "identityPoolId": self.identity_pool_id(),
            "userPools": self.user_pools().iter().map(|(p, c)| json!({"id": p, "clientIds": c})).collect::<Vec<_>>(),
            "graphqlUrl": self.backend.appsync().graphql.as_ref().map(|_| self.graphql_url()),
            "apiKey": self.api_key(),
            "restApis": self
                .backend
                .appsync()
                .rest
                .iter()
                .map(|r| (r.name.clone(), json!(self.rest_url(&r.name))))
                .collect::<serde_json::Map<_, _>>(),
        })
        .to_string()
    }

    /// The GraphQL endpoint, `<endpoint>/graphql`.
    pub fn graphql_url(&self) -> String {
        self.backend.graphql_url()
    }

    /// The realtime (subscriptions) endpoint of the GraphQL API,
    /// `ws://127.0.0.1:<port>/graphql/realtime`.
    pub fn graphql_realtime_url(&self) -> String {
        format!("{}/realtime", self.graphql_url().replacen("http", "ws", 1))
    }

    /// A REST API's URL, `<endpoint>/rest/<name>`.
    pub fn rest_url(&self, name: &str) -> String {
        format!("{}/rest/{name}", self.endpoint)
    }

    /// The GraphQL API's first API key (the one the configuration documents carry).
    pub fn api_key(&self) -> Option<String> {
        self.api_keys().into_iter().next()
    }

    /// Every API key of the GraphQL API.
    pub fn api_keys(&self) -> Vec<String> {
        self.backend
            .appsync()
            .api_keys()
            .into_iter()
            .map(|(key, _)| key)
            .collect()
    }

    /// When an API key of the GraphQL API expires (emulator clock); advance a manual clock past
    /// it to expire the key.
    pub fn api_key_expiry(&self, key: &str) -> Option<std::time::SystemTime> {
        self.backend
            .appsync()
            .api_keys()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, expires)| expires)
    }

    /// The API key of a REST API in `API_KEY` mode.
    pub fn rest_api_key(&self, name: &str) -> Option<String> {
        self.backend
            .layout()
            .apis
            .iter()
            .find(|a| a.rest && a.name == name)
            .and_then(|a| a.api_key.clone())
    }

    /// The GraphQL API's schema (SDL), e.g. the generated sample schema.
    pub fn graphql_schema(&self) -> Option<String> {
        self.backend
            .appsync()
            .graphql
            .as_ref()
            .map(|g| g.sdl.clone())
    }

    /// The sample API's Todo table (`None` for custom schemas), to seed or inspect.
    pub fn todos(&self) -> Option<TodoStore> {
        self.backend
            .appsync()
            .graphql
            .as_ref()
            .and_then(|g| g.todos.clone())
    }

    /// A REST API's `items` resource, to seed or inspect.
    pub fn rest_items(&self, name: &str) -> Option<RestItems> {
        self.backend
            .appsync()
            .rest
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.items.clone())
    }

    /// Messages the pools sent (codes, temporary passwords).
    pub fn outbox(&self) -> &Outbox {
        self.backend.outbox()
    }

    /// The emulator's clock (a `ManualTimeSource` moves it when the builder got one).
    pub fn clock(&self) -> &SharedTimeSource {
        self.backend.clock()
    }

    /// Fault injection.
    pub fn faults(&self) -> &Faults {
        self.backend.faults()
    }

    /// Request counters.
    pub fn counters(&self) -> &RequestCounters {
        self.backend.counters()
    }

    /// Requests received for `operation` (`InitiateAuth`, `GetTokensFromRefreshToken`, `GetId`, `jwks`, ...).
    pub fn request_count(&self, operation: &str) -> u64 {
        self.backend.counters().get(operation)
    }

    /// AWS credentials issued by the identity pools.
    pub fn credentials(&self) -> &CredentialStore {
        self.backend.credentials()
    }

    /// The credentials with this access key id.
    pub fn issued_credentials(&self, access_key_id: &str) -> Option<IssuedCredentials> {
        self.backend.credentials().get(access_key_id)
    }

    /// Mints a token from a test OIDC issuer (`accounts.google.com`, or one added to the builder).
    ///
    /// # Errors
    ///
    /// When the issuer is not hosted by the emulator.
    pub fn mint_oidc_token(&self, issuer: &str, subject: &str) -> Result<String, CognitoError> {
        self.backend
            .mint_oidc_token(&OidcToken::new(issuer, subject))
    }

    /// Mints a token with extra claims, audience or lifetime.
    ///
    /// # Errors
    ///
    /// When the issuer is not hosted by the emulator.
    pub fn mint_oidc_token_with(&self, token: &OidcToken) -> Result<String, CognitoError> {
        self.backend.mint_oidc_token(token)
    }

    /// Verifies a user pool token (signature, expiry, revocation, user state).
    ///
    /// # Errors
    ///
    /// [`TokenError`] says why the token is refused.
    pub fn verify_user_pool_token(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.backend.verify_user_pool_token(token)
    }

    /// Administrative helpers that act directly on the state (no HTTP, no counters).
    pub fn admin(&self) -> Admin<'_> {
        Admin {
            backend: &self.backend,
            pool_id: self.user_pool_id().to_owned(),
            identity_pool_id: self.identity_pool_id().map(str::to_owned),
        }
    }

    /// The sans-IO backend (for the AppSync part and advanced tests).
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Stops the server and waits for it.
    ///
    /// # Errors
    ///
    /// [`EmulatorError::ServerPanicked`] when handling a request panicked, and
    /// [`EmulatorError::ServerTask`] when the server task itself failed.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.map_err(EmulatorError::ServerTask)?;
        }
        let panics = self.backend.panics();
        if panics.is_empty() {
            Ok(())
        } else {
            // Reported here; do not report them again on drop.
            self.reported = true;
            Err(EmulatorError::ServerPanicked(panics))
        }
    }
}

impl Drop for EmulatorHandle {
    /// Stops the server. Like an in-process test server, it surfaces a panic that happened while
    /// handling a request (unless [`shutdown`](EmulatorHandle::shutdown) reported it or the
    /// thread is already panicking), so a test cannot pass over a server-side bug.
    #[allow(clippy::panic)] // Test-harness semantics: make server-side panics fail the test.
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        let panics = self.backend.panics();
        if !panics.is_empty() && !self.reported && !std::thread::panicking() {
            panic!(
                "amplify-emulator: request handling panicked: {}",
                panics.join("; ")
            );
        }
    }
}

/// Direct administration of the first user pool (and identity pool).
#[derive(Debug)]
pub struct Admin<'a> {
    backend: &'a Backend,
    pool_id: String,
    identity_pool_id: Option<String>,
}

impl Admin<'_> {
    /// Acts on another user pool.
    pub fn in_pool(mut self, pool_id: impl Into<String>) -> Self {
        self.pool_id = pool_id.into();
        self
    }

    fn call(&self, operation: &str, mut body: Value) -> Result<Value, CognitoError> {
        if let Value::Object(map) = &mut body {
            map.insert("UserPoolId".into(), json!(self.pool_id));
        }
        self.backend.call(operation, &body)
    }

    /// Creates a user without sending messages (confirmed, with emails and phones verified,
    /// unless the spec says otherwise). Returns the internal username (the `sub` in email /
    /// phone username pools).
    ///
    /// # Errors
    ///
    /// The Cognito error a sign-up would give (existing user, weak password, unknown group).
    pub fn create_user(&self, user: &UserSpec) -> Result<String, CognitoError> {
        self.backend.create_user(&self.pool_id, user)
    }

    /// AdminConfirmSignUp.
    ///
    /// # Errors
    ///
    /// UserNotFoundException or NotAuthorizedException (already confirmed).
    pub fn confirm_user(&self, username: &str) -> Result<(), CognitoError> {
        self.call("AdminConfirmSignUp", json!({ "Username": username }))
            .map(drop)
    }

    /// AdminDisableUser.
    ///
    /// # Errors
    ///
    /// UserNotFoundException.
    pub fn disable_user(&self, username: &str) -> Result<(), CognitoError> {
        self.call("AdminDisableUser", json!({ "Username": username }))
            .map(drop)
    }

    /// AdminEnableUser.
    ///
    /// # Errors
    ///
    /// UserNotFoundException.
    pub fn enable_user(&self, username: &str) -> Result<(), CognitoError> {
        self.call("AdminEnableUser", json!({ "Username": username }))
            .map(drop)
    }

    /// AdminDeleteUser.
    ///
    /// # Errors
    ///
    /// UserNotFoundException.
    pub fn delete_user(&self, username: &str) -> Result<(), CognitoError> {
        self.call("AdminDeleteUser", json!({ "Username": username }))
            .map(drop)
    }

    /// AdminAddUserToGroup.
    ///
    /// # Errors
    ///
    /// UserNotFoundException or ResourceNotFoundException (no such group).
    pub fn add_user_to_group(&self, username: &str, group: &str) -> Result<(), CognitoError> {
        self.call(
            "AdminAddUserToGroup",
            json!({ "Username": username, "GroupName": group }),
        )
        .map(drop)
    }

    /// Enables (and prefers) or disables SMS MFA for a user.
    ///
    /// # Errors
    ///
    /// UserNotFoundException or InvalidParameterException (no phone number).
    pub fn set_sms_mfa(&self, username: &str, enabled: bool) -> Result<(), CognitoError> {
        self.call(
            "AdminSetUserMFAPreference",
            json!({ "Username": username, "SMSMfaSettings": {"Enabled": enabled, "PreferredMfa": enabled} }),
        )
        .map(drop)
    }

    /// The TOTP code `username`'s verified software token gives at the emulator's clock (what
    /// the user's authenticator app shows now); see [`totp`](crate::totp) for codes of a
    /// `SecretCode` at any time.
    ///
    /// # Errors
    ///
    /// UserNotFoundException, or SoftwareTokenMFANotFoundException without a verified token.
    pub fn totp_code(&self, username: &str) -> Result<String, CognitoError> {
        self.backend.with_user_pool(&self.pool_id, |ctx, pool| {
            user_pool::totp_code(ctx, pool, username)
        })
    }

    /// AdminSetUserPassword.
    ///
    /// # Errors
    ///
    /// UserNotFoundException or InvalidPasswordException.
    pub fn set_password(
        &self,
        username: &str,
        password: &str,
        permanent: bool,
    ) -> Result<(), CognitoError> {
        self.call(
            "AdminSetUserPassword",
            json!({ "Username": username, "Password": password, "Permanent": permanent }),
        )
        .map(drop)
    }

    /// The user's attributes (including `sub`).
    ///
    /// # Errors
    ///
    /// UserNotFoundException.
    pub fn user_attributes(
        &self,
        username: &str,
    ) -> Result<BTreeMap<String, String>, CognitoError> {
        let user = self.call("AdminGetUser", json!({ "Username": username }))?;
        Ok(user
            .get("UserAttributes")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|a| {
                        Some((
                            a.get("Name")?.as_str()?.to_owned(),
                            a.get("Value")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The user's status (`CONFIRMED`, `UNCONFIRMED`, `FORCE_CHANGE_PASSWORD`, ...).
    ///
    /// # Errors
    ///
    /// UserNotFoundException.
    pub fn user_status(&self, username: &str) -> Result<String, CognitoError> {
        let user = self.call("AdminGetUser", json!({ "Username": username }))?;
        Ok(user
            .get("UserStatus")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    /// A developer-authenticated identity in the first identity pool: returns `(identity id,
    /// OpenID token)`; clients then use `Logins {"cognito-identity.amazonaws.com": token}`.
    ///
    /// # Errors
    ///
    /// When there is no identity pool or it has no developer provider.
    pub fn developer_identity(
        &self,
        user_id: &str,
        validity: Duration,
    ) -> Result<(String, String), CognitoError> {
        let pool_id = self.identity_pool_id.clone().ok_or_else(|| {
            CognitoError::resource_not_found("The emulator has no identity pool.")
        })?;
        let provider = self.backend.developer_provider(&pool_id)?;
        let out = self.backend.call(
            "GetOpenIdTokenForDeveloperIdentity",
            &json!({
                "IdentityPoolId": pool_id,
                "Logins": { provider: user_id },
                "TokenDuration": validity.as_secs(),
            }),
        )?;
        let get = |k: &str| {
            out.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Ok((get("IdentityId"), get("Token")))
    }
}

impl Backend {
    /// Creates a user directly in `pool_id` (see [`Admin::create_user`]).
    ///
    /// # Errors
    ///
    /// The Cognito error a sign-up would give.
    pub fn create_user(&self, pool_id: &str, user: &UserSpec) -> Result<String, CognitoError> {
        let spec = user.clone();
        self.with_user_pool(pool_id, move |ctx, pool| {
            user_pool::create_user_direct(
                ctx,
                pool,
                user_pool::DirectUser {
                    username: &spec.username,
                    password: &spec.password,
                    attributes: spec
                        .attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    status: spec.status,
                    groups: &spec.groups,
                    enabled: spec.enabled,
                    sms_mfa: spec.sms_mfa,
                },
            )
        })
    }
}
