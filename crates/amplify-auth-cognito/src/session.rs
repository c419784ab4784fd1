//! The session manager: one owner of tokens and credentials, a lock-free read path, and
//! single-flight refresh per resource.
//!
//! Reads load an `Arc` snapshot (no lock). A refresh runs once however many callers need it:
//! callers that arrive while it runs wait for its result, callers that arrive after it finished
//! see the new snapshot. Unrelated operations never wait for a refresh. New tokens are written to
//! secure storage before they are published.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use amplify_core::config::AuthConfig;
use amplify_core::hub::{AuthHubEvent, Hub};
use amplify_core::time::TimeSource;
use amplify_core::{
    AmplifyError, AuthToken, AwsCredentials, BoxFuture, CredentialsProvider, ProviderError,
    TokenProvider,
};
use arc_swap::ArcSwap;
use aws_sdk_cognitoidentityprovider as idp;
use tokio::sync::OnceCell;

use crate::AuthError;
use crate::clock::SkewCorrectedClock;
use crate::error::ServiceErrorKind;
use crate::sdk::{self, Clients, IDENTITY, IDP};
use crate::store::CredentialStore;
use crate::tokens::{FederationToken, Jwt, RefreshToken, UserPoolTokens};
use crate::types::{AuthSession, SessionField, SignInDetails};

/// Everything a signed-in (or guest, or federated) session holds.
#[derive(Clone, Default)]
pub(crate) struct Session {
    pub(crate) user_pool: Option<UserPoolSession>,
    pub(crate) federation: Option<Federation>,
    pub(crate) identity_id: Option<String>,
    pub(crate) aws_credentials: Option<AwsCredentials>,
}

#[derive(Clone)]
pub(crate) struct UserPoolSession {
    pub(crate) tokens: UserPoolTokens,
    pub(crate) username: String,
    pub(crate) sign_in_details: SignInDetails,
}

#[derive(Clone)]
pub(crate) struct Federation {
    pub(crate) provider: String,
    pub(crate) token: FederationToken,
}

/// A published session. `generation` changes whenever the signed-in identity changes (sign-in,
/// sign-out, federation), so a refresh that started for an older identity cannot overwrite a
/// newer one.
pub(crate) struct Snapshot {
    pub(crate) session: Session,
    pub(crate) generation: u64,
}

/// Runs one future at a time for any number of concurrent callers, who all get its result.
pub(crate) struct SingleFlight<T> {
    slot: Mutex<Option<Arc<OnceCell<T>>>>,
}

impl<T> Default for SingleFlight<T> {
    fn default() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }
}

impl<T: Clone> SingleFlight<T> {
    pub(crate) async fn run<F, Fut>(&self, f: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = {
            let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(slot.get_or_insert_with(|| Arc::new(OnceCell::new())))
        };
        let value = cell.get_or_init(f).await.clone();
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if slot
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, &cell))
        {
            *slot = None;
        }
        value
    }
}

/// Shared, cloneable failure of a session field.
fn shared(e: AuthError) -> Arc<AuthError> {
    Arc::new(e)
}

pub(crate) struct SessionManager {
    pub(crate) config: Arc<AuthConfig>,
    pub(crate) clients: Clients,
    pub(crate) clock: SkewCorrectedClock,
    pub(crate) hub: Hub,
    store: CredentialStore,
    state: ArcSwap<Snapshot>,
    loaded: OnceCell<()>,
    commit: tokio::sync::Mutex<()>,
    tokens_flight: SingleFlight<SessionField<UserPoolTokens>>,
    aws_flight: SingleFlight<SessionField<(String, AwsCredentials)>>,
    refresh_buffer: Duration,
    /// Set when the server does not implement GetTokensFromRefreshToken; then
    /// InitiateAuth(REFRESH_TOKEN_AUTH) is used.
    legacy_refresh: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let snap = self.state.load();
        f.debug_struct("SessionManager")
            .field("signed_in", &snap.session.user_pool.is_some())
            .field("federated", &snap.session.federation.is_some())
            .field("generation", &snap.generation)
            .finish_non_exhaustive()
    }
}

impl SessionManager {
    pub(crate) fn new(
        config: Arc<AuthConfig>,
        clients: Clients,
        clock: SkewCorrectedClock,
        hub: Hub,
        store: CredentialStore,
        refresh_buffer: Duration,
    ) -> Self {
        Self {
            config,
            clients,
            clock,
            hub,
            store,
            state: ArcSwap::from_pointee(Snapshot {
                session: Session::default(),
                generation: 0,
            }),
            loaded: OnceCell::new(),
            commit: tokio::sync::Mutex::new(()),
            tokens_flight: SingleFlight::default(),
            aws_flight: SingleFlight::default(),
            refresh_buffer,
            legacy_refresh: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Loads the stored session once per process.
    pub(crate) async fn ensure_loaded(&self) -> Result<(), AuthError> {
        if self.loaded.initialized() {
            return Ok(());
        }
        self.loaded
            .get_or_try_init(|| async {
                let session = self.store.load().await?;
                tracing::debug!(
                    signed_in = session.user_pool.is_some(),
                    federated = session.federation.is_some(),
                    "stored session loaded"
                );
                self.state.store(Arc::new(Snapshot {
                    session,
                    generation: 1,
                }));
                Ok::<(), AuthError>(())
            })
            .await?;
        Ok(())
    }

    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        self.state.load_full()
    }

    /// Persists and publishes a new session. With `expected`, does nothing (and says so) when
    /// the identity changed meanwhile; with `new_identity`, starts a new generation.
    pub(crate) async fn commit(
        &self,
        expected: Option<u64>,
        new_identity: bool,
        update: impl FnOnce(&Session) -> Session,
    ) -> Result<Option<Arc<Snapshot>>, AuthError> {
        let _guard = self.commit.lock().await;
        let current = self.state.load_full();
        if expected.is_some_and(|g| g != current.generation) {
            return Ok(None);
        }
        let session = update(&current.session);
        self.store.save(&session).await?;
        let next = Arc::new(Snapshot {
            session,
            generation: current.generation + u64::from(new_identity),
        });
        self.state.store(Arc::clone(&next));
        Ok(Some(next))
    }

    fn fresh(&self, expires_at: Option<SystemTime>) -> bool {
        self.fresh_at(expires_at, self.clock.now())
    }

    fn fresh_at(&self, expires_at: Option<SystemTime>, now: SystemTime) -> bool {
        expires_at.is_some_and(|exp| {
            exp.duration_since(now)
                .is_ok_and(|left| left > self.refresh_buffer)
        })
    }

    /// The session straight from the published snapshot when nothing needs refreshing: no
    /// lock, no storage, no network.
    fn cached(&self) -> Option<AuthSession> {
        if !self.loaded.initialized() {
            return None;
        }
        let snap = self.state.load();
        let up = snap.session.user_pool.as_ref()?;
        let now = self.clock.now();
        if !self.fresh_at(up.tokens.expires_at(), now) {
            return None;
        }
        let (identity_id, credentials) = if self.config.identity_pool.is_none() {
            let e = shared(AuthError::Configuration(
                "no identity pool is configured".into(),
            ));
            (Err(Arc::clone(&e)), Err(e))
        } else {
            match (&snap.session.identity_id, &snap.session.aws_credentials) {
                (Some(id), Some(creds)) if self.fresh_at(creds.expiration(), now) => {
                    (Ok(id.clone()), Ok(creds.clone()))
                }
                _ => return None,
            }
        };
        Some(AuthSession {
            is_signed_in: true,
            user_sub: up.tokens.user_id().map(str::to_owned).ok_or_else(|| {
                shared(AuthError::UnexpectedResponse(
                    "the ID token has no sub".into(),
                ))
            }),
            user_pool_tokens: Ok(up.tokens.clone()),
            identity_id,
            credentials,
        })
    }

    /// The session, refreshing what needs it. Never fails as a whole: failures are per field.
    pub(crate) async fn fetch(&self, force_refresh: bool) -> AuthSession {
        if !force_refresh && let Some(session) = self.cached() {
            return session;
        }
        if let Err(e) = self.ensure_loaded().await {
            return AuthSession::failed(e);
        }
        let before = self.snapshot();
        let is_signed_in =
            before.session.user_pool.is_some() || before.session.federation.is_some();
        let tokens = self.user_pool_tokens(force_refresh).await;
        let user_sub = match &tokens {
            Ok(t) => t.user_id().map(str::to_owned).ok_or_else(|| {
                shared(AuthError::UnexpectedResponse(
                    "the ID token has no sub".into(),
                ))
            }),
            Err(e) => Err(Arc::clone(e)),
        };
        let aws = if self.config.identity_pool.is_some() {
            self.aws_credentials(force_refresh).await
        } else {
            Err(shared(AuthError::Configuration(
                "no identity pool is configured".into(),
            )))
        };
        let (identity_id, credentials) = match aws {
            Ok((id, creds)) => (Ok(id), Ok(creds)),
            Err(e) => (Err(Arc::clone(&e)), Err(e)),
        };
        AuthSession {
            is_signed_in,
            user_pool_tokens: tokens,
            user_sub,
            identity_id,
            credentials,
        }
    }

    /// Valid user pool tokens, refreshed when they expire within the buffer (or when forced).
    pub(crate) async fn user_pool_tokens(
        &self,
        force_refresh: bool,
    ) -> SessionField<UserPoolTokens> {
        self.ensure_loaded().await.map_err(shared)?;
        let snap = self.snapshot();
        let Some(up) = &snap.session.user_pool else {
            return Err(shared(if snap.session.federation.is_some() {
                AuthError::InvalidState(
                    "the session is federated to the identity pool; it has no user pool tokens"
                        .into(),
                )
            } else {
                AuthError::SignedOut
            }));
        };
        if !force_refresh && self.fresh(up.tokens.expires_at()) {
            return Ok(up.tokens.clone());
        }
        let seen = up.tokens.access_token.clone();
        let generation = snap.generation;
        self.tokens_flight
            .run(|| self.refresh_tokens(generation, seen, force_refresh))
            .await
    }

    async fn refresh_tokens(
        &self,
        generation: u64,
        seen: Jwt,
        forced: bool,
    ) -> SessionField<UserPoolTokens> {
        // Another flight may have finished between our check and this one starting.
        let snap = self.snapshot();
        let Some(up) = snap.session.user_pool.clone() else {
            return Err(shared(AuthError::SignedOut));
        };
        let replaced = up.tokens.access_token.expose_secret() != seen.expose_secret();
        if snap.generation != generation
            || replaced
            || (!forced && self.fresh(up.tokens.expires_at()))
        {
            return Ok(up.tokens);
        }
        tracing::debug!(forced, "refreshing user pool tokens");
        match self.call_refresh(&up).await {
            Ok(tokens) => {
                let committed = self
                    .commit(Some(generation), false, |s| {
                        let mut next = s.clone();
                        if let Some(current) = &mut next.user_pool {
                            current.tokens = tokens.clone();
                        }
                        next
                    })
                    .await
                    .map_err(shared)?;
                if committed.is_none() {
                    return Err(shared(AuthError::InvalidState(
                        "the user signed out or changed while tokens were being refreshed".into(),
                    )));
                }
                self.hub.auth().publish(AuthHubEvent::TokensRefreshed);
                Ok(tokens)
            }
            Err(e) if ends_session(&e) => {
                tracing::debug!("refresh token rejected; ending the session");
                let _ = self
                    .commit(Some(generation), true, |_| Session::default())
                    .await;
                self.hub
                    .auth()
                    .publish(AuthHubEvent::TokenRefreshFailed(e.to_string()));
                self.hub.auth().publish(AuthHubEvent::SessionExpired);
                Err(shared(AuthError::SessionExpired(e.to_string())))
            }
            Err(e) => {
                tracing::debug!(
                    retryable = e.is_retryable(),
                    "token refresh failed; tokens kept"
                );
                self.hub
                    .auth()
                    .publish(AuthHubEvent::TokenRefreshFailed(e.to_string()));
                Err(shared(e))
            }
        }
    }

    async fn call_refresh(&self, up: &UserPoolSession) -> Result<UserPoolTokens, AuthError> {
        let client = self.clients.idp.as_ref().ok_or_else(no_user_pool)?;
        let pool = self.config.user_pool.as_ref().ok_or_else(no_user_pool)?;
        let secret = pool
            .app_client_secret
            .as_ref()
            .map(|s| s.expose_secret().to_owned());
        let refresh = up.tokens.refresh_token.expose_secret().to_owned();
        if !self
            .legacy_refresh
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            let result = client
                .get_tokens_from_refresh_token()
                .refresh_token(refresh.clone())
                .client_id(&pool.app_client_id)
                .set_client_secret(secret.clone())
                .send()
                .await;
            match result {
                Ok(out) => {
                    let result = out.authentication_result().ok_or_else(|| {
                        AuthError::UnexpectedResponse("no AuthenticationResult".into())
                    })?;
                    return merge_tokens(
                        &up.tokens,
                        result.access_token(),
                        result.id_token(),
                        result.refresh_token(),
                    );
                }
                Err(e) => {
                    let e = sdk::map_error(IDP, e);
                    // A server without the newer API (moto, older emulators) answers with an
                    // unmodelled error; fall back to InitiateAuth for good.
                    if !matches!(
                        &e,
                        AuthError::Service {
                            kind: ServiceErrorKind::InternalError | ServiceErrorKind::Other,
                            ..
                        }
                    ) {
                        return Err(e);
                    }
                    tracing::debug!(
                        "GetTokensFromRefreshToken unsupported here; using REFRESH_TOKEN_AUTH"
                    );
                    self.legacy_refresh
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        let mut params = HashMap::from([("REFRESH_TOKEN".to_owned(), refresh)]);
        if let Some(hash) = self.secret_hash(&up.username)? {
            params.insert("SECRET_HASH".into(), hash);
        }
        let out = client
            .initiate_auth()
            .auth_flow(idp::types::AuthFlowType::RefreshTokenAuth)
            .client_id(&pool.app_client_id)
            .set_auth_parameters(Some(params))
            .send()
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        let result = out
            .authentication_result()
            .ok_or_else(|| AuthError::UnexpectedResponse("no AuthenticationResult".into()))?;
        merge_tokens(
            &up.tokens,
            result.access_token(),
            result.id_token(),
            result.refresh_token(),
        )
    }

    /// The identity id and AWS credentials for the current login (user pool, federation, or
    /// guest), fetched when missing or about to expire.
    pub(crate) async fn aws_credentials(
        &self,
        force_refresh: bool,
    ) -> SessionField<(String, AwsCredentials)> {
        self.ensure_loaded().await.map_err(shared)?;
        if self.config.identity_pool.is_none() {
            return Err(shared(AuthError::Configuration(
                "no identity pool is configured".into(),
            )));
        }
        let snap = self.snapshot();
        if !force_refresh
            && let (Some(id), Some(creds)) =
                (&snap.session.identity_id, &snap.session.aws_credentials)
            && self.fresh(creds.expiration())
        {
            return Ok((id.clone(), creds.clone()));
        }
        // Logins need a valid ID token when signed in to the user pool.
        let login = match (&snap.session.federation, &snap.session.user_pool) {
            (Some(fed), _) => Some((fed.provider.clone(), fed.token.expose_secret().to_owned())),
            (None, Some(_)) => {
                let tokens = self.user_pool_tokens(false).await?;
                Some((
                    self.user_pool_provider_name()?,
                    tokens.id_token.expose_secret().to_owned(),
                ))
            }
            (None, None) if self.config.unauthenticated_identities_enabled => None,
            (None, None) => {
                return Err(shared(AuthError::SignedOut));
            }
        };
        let generation = self.snapshot().generation;
        let seen_key = snap
            .session
            .aws_credentials
            .as_ref()
            .map(|c| c.access_key_id().to_owned());
        self.aws_flight
            .run(|| self.refresh_aws(generation, login, seen_key, force_refresh))
            .await
    }

    async fn refresh_aws(
        &self,
        generation: u64,
        login: Option<(String, String)>,
        seen_key: Option<String>,
        forced: bool,
    ) -> SessionField<(String, AwsCredentials)> {
        let snap = self.snapshot();
        if snap.generation == generation
            && let (Some(id), Some(creds)) =
                (&snap.session.identity_id, &snap.session.aws_credentials)
        {
            let replaced = seen_key.as_deref() != Some(creds.access_key_id());
            if replaced || (!forced && self.fresh(creds.expiration())) {
                return Ok((id.clone(), creds.clone()));
            }
        }
        let identity_id = match &snap.session.identity_id {
            Some(id) if snap.generation == generation => id.clone(),
            _ => self.get_id(login.as_ref()).await.map_err(shared)?,
        };
        match self.get_credentials(&identity_id, login.as_ref()).await {
            Ok(creds) => {
                let committed = self
                    .commit(Some(generation), false, |s| Session {
                        identity_id: Some(identity_id.clone()),
                        aws_credentials: Some(creds.clone()),
                        ..s.clone()
                    })
                    .await
                    .map_err(shared)?;
                if committed.is_none() {
                    return Err(shared(AuthError::InvalidState(
                        "the user signed out or changed while credentials were being fetched"
                            .into(),
                    )));
                }
                Ok((identity_id, creds))
            }
            Err(e) if e.service_kind() == Some(ServiceErrorKind::NotAuthorized) => {
                // The login no longer works (federated token expired, identity gone).
                let _ = self
                    .commit(Some(generation), false, |s| Session {
                        identity_id: None,
                        aws_credentials: None,
                        ..s.clone()
                    })
                    .await;
                if snap.session.federation.is_some() {
                    self.hub.auth().publish(AuthHubEvent::SessionExpired);
                    return Err(shared(AuthError::SessionExpired(e.to_string())));
                }
                Err(shared(e))
            }
            Err(e) => Err(shared(e)),
        }
    }

    /// The user pool client and configuration, or a configuration error.
    pub(crate) fn user_pool(
        &self,
    ) -> Result<(&idp::Client, &amplify_core::config::UserPoolConfig), AuthError> {
        match (&self.clients.idp, &self.config.user_pool) {
            (Some(client), Some(pool)) => Ok((client, pool)),
            _ => Err(no_user_pool()),
        }
    }

    /// `SECRET_HASH` for `username`, when the app client has a secret.
    pub(crate) fn secret_hash(&self, username: &str) -> Result<Option<String>, AuthError> {
        let pool = self.config.user_pool.as_ref().ok_or_else(no_user_pool)?;
        Ok(pool
            .app_client_secret
            .as_ref()
            .map(|s| sdk::secret_hash(s.expose_secret(), username, &pool.app_client_id)))
    }

    pub(crate) fn user_pool_provider_name(&self) -> Result<String, Arc<AuthError>> {
        let pool = self
            .config
            .user_pool
            .as_ref()
            .ok_or_else(|| shared(no_user_pool()))?;
        Ok(format!(
            "cognito-idp.{}.amazonaws.com/{}",
            pool.region, pool.pool_id
        ))
    }

    pub(crate) async fn get_id(
        &self,
        login: Option<&(String, String)>,
    ) -> Result<String, AuthError> {
        let client = self
            .clients
            .identity
            .as_ref()
            .ok_or_else(no_identity_pool)?;
        let pool = self
            .config
            .identity_pool
            .as_ref()
            .ok_or_else(no_identity_pool)?;
        let out = client
            .get_id()
            .identity_pool_id(&pool.pool_id)
            .set_logins(login.map(|(p, t)| HashMap::from([(p.clone(), t.clone())])))
            .send()
            .await
            .map_err(|e| sdk::map_error(IDENTITY, e))?;
        out.identity_id()
            .map(str::to_owned)
            .ok_or_else(|| AuthError::UnexpectedResponse("GetId returned no IdentityId".into()))
    }

    pub(crate) async fn get_credentials(
        &self,
        identity_id: &str,
        login: Option<&(String, String)>,
    ) -> Result<AwsCredentials, AuthError> {
        let client = self
            .clients
            .identity
            .as_ref()
            .ok_or_else(no_identity_pool)?;
        let out = client
            .get_credentials_for_identity()
            .identity_id(identity_id)
            .set_logins(login.map(|(p, t)| HashMap::from([(p.clone(), t.clone())])))
            .send()
            .await
            .map_err(|e| sdk::map_error(IDENTITY, e))?;
        let creds = out.credentials().ok_or_else(|| {
            AuthError::UnexpectedResponse(
                "GetCredentialsForIdentity returned no Credentials".into(),
            )
        })?;
        let expiration = creds
            .expiration()
            .and_then(|t| SystemTime::try_from(*t).ok());
        let session_token = match creds.session_token() {
            Some(placeholder) => Some(self.clients.vault.take(placeholder).ok_or_else(|| {
                AuthError::UnexpectedResponse(
                    "the session token was lost between response and result".into(),
                )
            })?),
            None => None,
        };
        match (creds.access_key_id(), creds.secret_key()) {
            (Some(akid), Some(secret)) => {
                Ok(AwsCredentials::new(akid, secret, session_token, expiration))
            }
            _ => Err(AuthError::UnexpectedResponse(
                "credentials without keys".into(),
            )),
        }
    }
}

/// New tokens from a refresh: a missing refresh or ID token keeps the old one (no rotation).
fn merge_tokens(
    old: &UserPoolTokens,
    access: Option<&str>,
    id: Option<&str>,
    refresh: Option<&str>,
) -> Result<UserPoolTokens, AuthError> {
    let access = access.ok_or_else(|| {
        AuthError::UnexpectedResponse("the refresh returned no access token".into())
    })?;
    Ok(UserPoolTokens {
        access_token: Jwt::parse(access)?,
        id_token: match id {
            Some(id) => Jwt::parse(id)?,
            None => old.id_token.clone(),
        },
        refresh_token: refresh.map_or_else(|| old.refresh_token.clone(), RefreshToken::new),
    })
}

/// Refresh failures after which the refresh token is useless.
fn ends_session(e: &AuthError) -> bool {
    matches!(
        e.service_kind(),
        Some(
            ServiceErrorKind::NotAuthorized
                | ServiceErrorKind::UserNotFound
                | ServiceErrorKind::PasswordResetRequired
                | ServiceErrorKind::UserNotConfirmed
        )
    ) || e.code() == Some("RefreshTokenReuseException")
}

pub(crate) fn no_user_pool() -> AuthError {
    AuthError::Configuration(
        "no user pool is configured (auth.user_pool_id / CognitoUserPool)".into(),
    )
}

pub(crate) fn no_identity_pool() -> AuthError {
    AuthError::Configuration(
        "no identity pool is configured (auth.identity_pool_id / CognitoIdentity)".into(),
    )
}

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
                .map_err(|e| ProviderError::from(e.as_ref()))?;
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
                .map_err(|e| ProviderError::from(e.as_ref()))?;
            Ok(creds)
        })
    }
}
