//! The session manager: one owner of tokens and credentials, a lock-free read path, and
//! single-flight refresh per resource.
//!
//! Reads load an `Arc` snapshot (no lock). A refresh runs once however many callers need it:
//! callers that arrive while it runs wait for its result, callers that arrive after it finished
//! see the new snapshot. Unrelated operations never wait for a refresh. New tokens are written to
//! secure storage before they are published.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use amplify_core::config::AuthConfig;
use amplify_core::hub::{AuthHubEvent, Hub};
use amplify_core::time::SkewCorrectedClock;
use amplify_core::{AmplifyError, AwsCredentials};
use arc_swap::ArcSwap;
use aws_sdk_cognitoidentityprovider as idp;
use tokio::sync::OnceCell;

use crate::AuthError;
use crate::device::{DeviceSecrets, DeviceStore};
use crate::error::{ConfigurationReason, InvalidStateReason, ServiceErrorKind};
use crate::identity_pool::{self, IdentityPool, Login, no_identity_pool};
use crate::refresh::{Decision, RefreshOperation, RefreshPolicy};
use crate::sdk::{self, Clients, IDP};
use crate::session_data::{Session, Snapshot, UserPoolSession};
use crate::sign_in_state::KeySlot;
use crate::single_flight::SingleFlight;
use crate::store::CredentialStore;
use crate::tokens::{Jwt, RefreshToken, UserPoolTokens};
use crate::types::{AuthSession, SessionField};

/// The last failed refresh of one resource, for the minimum interval between attempts.
#[derive(Default)]
struct FailureMemo {
    last: Mutex<Option<Failure>>,
}

struct Failure {
    at: SystemTime,
    generation: u64,
    error: AuthError,
}

impl FailureMemo {
    /// The last failure for this identity generation.
    fn get(&self, generation: u64) -> Option<(SystemTime, AuthError)> {
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|f| f.generation == generation)
            .map(|f| (f.at, f.error.clone()))
    }

    fn record(&self, generation: u64, at: SystemTime, error: AuthError) {
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(Failure {
            at,
            generation,
            error,
        });
    }

    fn clear(&self) {
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

fn user_sub(tokens: &UserPoolTokens) -> SessionField<String> {
    tokens
        .user_id()
        .map(str::to_owned)
        .ok_or_else(|| AuthError::unexpected("the ID token has no sub"))
}

fn is_valid(expires_at: Option<SystemTime>, now: SystemTime) -> bool {
    expires_at.is_some_and(|exp| exp > now)
}

/// Failures after which callers still get a cached value that has not expired: everything but
/// the end of the session and a change of identity.
fn keeps_cached(e: &AuthError) -> bool {
    !matches!(
        e,
        AuthError::SessionExpired(_) | AuthError::InvalidState(_) | AuthError::SignedOut
    ) && !e.ends_session()
}

pub(crate) struct SessionManager {
    pub(crate) config: Arc<AuthConfig>,
    pub(crate) clients: Clients,
    identity_pool: Option<IdentityPool>,
    pub(crate) clock: SkewCorrectedClock,
    pub(crate) hub: Hub,
    store: CredentialStore,
    /// Device secrets (with a user pool).
    pub(crate) devices: Option<DeviceStore>,
    /// The name `ConfirmDevice` gives this device.
    pub(crate) device_name: String,
    state: ArcSwap<Snapshot>,
    loaded: OnceCell<()>,
    commit: tokio::sync::Mutex<()>,
    tokens_flight: SingleFlight<SessionField<UserPoolTokens>>,
    aws_flight: SingleFlight<SessionField<(String, AwsCredentials)>>,
    tokens_failure: FailureMemo,
    aws_failure: FailureMemo,
    policy: RefreshPolicy,
    refresh_operation: RefreshOperation,
    /// Set when the endpoint said GetTokensFromRefreshToken does not exist.
    legacy_refresh: AtomicBool,
    /// A damaged stored session seen at load, reported instead of "signed out" until the next
    /// sign-in.
    load_error: Mutex<Option<AuthError>>,
    srp_key: KeySlot,
}

impl std::fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let snap = self.state.load();
        f.debug_struct("SessionManager")
            .field("signed_in", &snap.session.user_pool.is_some())
            .field("federated", &snap.session.federation.is_some())
            .field("generation", &snap.generation)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// What a manager is built from, besides its configuration.
pub(crate) struct ManagerParts {
    pub(crate) clients: Clients,
    pub(crate) clock: SkewCorrectedClock,
    pub(crate) hub: Hub,
    pub(crate) store: CredentialStore,
    pub(crate) devices: Option<DeviceStore>,
    pub(crate) device_name: String,
    pub(crate) policy: RefreshPolicy,
    pub(crate) refresh_operation: RefreshOperation,
    /// Filled with an SRP key whenever the manager finds nobody signed in.
    pub(crate) srp_key: KeySlot,
}

impl SessionManager {
    pub(crate) fn new(config: Arc<AuthConfig>, parts: ManagerParts) -> Self {
        Self {
            identity_pool: IdentityPool::new(&parts.clients, &config),
            config,
            clients: parts.clients,
            clock: parts.clock,
            hub: parts.hub,
            store: parts.store,
            devices: parts.devices,
            device_name: parts.device_name,
            state: ArcSwap::from_pointee(Snapshot {
                session: Session::default(),
                generation: 0,
            }),
            loaded: OnceCell::new(),
            commit: tokio::sync::Mutex::new(()),
            tokens_flight: SingleFlight::default(),
            aws_flight: SingleFlight::default(),
            tokens_failure: FailureMemo::default(),
            aws_failure: FailureMemo::default(),
            policy: parts.policy,
            refresh_operation: parts.refresh_operation,
            legacy_refresh: AtomicBool::new(false),
            load_error: Mutex::new(None),
            srp_key: parts.srp_key,
        }
    }

    /// Loads the stored session once per process.
    pub(crate) async fn ensure_loaded(&self) -> Result<(), AuthError> {
        if self.loaded.initialized() {
            return Ok(());
        }
        self.loaded
            .get_or_try_init(|| async {
                let (session, corrupted) = self.store.load().await?;
                *self
                    .load_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) =
                    corrupted.map(AuthError::StoredSessionCorrupted);
                tracing::debug!(
                    signed_in = session.user_pool.is_some(),
                    federated = session.federation.is_some(),
                    "stored session loaded"
                );
                if sign_in_is_next(&session) {
                    self.srp_key.prepare_in_background();
                }
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
        if !sign_in_is_next(&current.session) && sign_in_is_next(&session) {
            // Signed out, the session ended, or the federation was cleared.
            self.srp_key.prepare_in_background();
        }
        let next = Arc::new(Snapshot {
            session,
            generation: current.generation + u64::from(new_identity),
        });
        self.state.store(Arc::clone(&next));
        if new_identity {
            *self
                .load_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = None;
            self.tokens_failure.clear();
            self.aws_failure.clear();
        }
        Ok(Some(next))
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
        if !self.policy.is_fresh(up.tokens.expires_at(), now) {
            return None;
        }
        let (identity_id, credentials) = if self.config.identity_pool.is_none() {
            let e = no_identity_pool();
            (Err(e.clone()), Err(e))
        } else {
            match (&snap.session.identity_id, &snap.session.aws_credentials) {
                (Some(id), Some(creds)) if self.policy.is_fresh(creds.expiration(), now) => {
                    (Ok(id.clone()), Ok(creds.clone()))
                }
                _ => return None,
            }
        };
        Some(AuthSession {
            is_signed_in: true,
            user_sub: user_sub(&up.tokens),
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
            Ok(t) => user_sub(t),
            Err(e) => Err(e.clone()),
        };
        let aws = if self.config.identity_pool.is_some() {
            self.aws_credentials(force_refresh).await
        } else {
            Err(no_identity_pool())
        };
        let (identity_id, credentials) = match aws {
            Ok((id, creds)) => (Ok(id), Ok(creds)),
            Err(e) => (Err(e.clone()), Err(e)),
        };
        AuthSession {
            is_signed_in,
            user_pool_tokens: tokens,
            user_sub,
            identity_id,
            credentials,
        }
    }

    /// Valid user pool tokens, refreshed by the [`RefreshPolicy`]. Tokens that are still valid
    /// are handed out when a refresh fails for a non-fatal reason (unless the refresh was forced).
    pub(crate) async fn user_pool_tokens(
        &self,
        force_refresh: bool,
    ) -> SessionField<UserPoolTokens> {
        self.ensure_loaded().await?;
        let snap = self.snapshot();
        let Some(up) = &snap.session.user_pool else {
            return Err(if snap.session.federation.is_some() {
                AuthError::InvalidState(InvalidStateReason::Federated)
            } else {
                self.signed_out()
            });
        };
        let generation = snap.generation;
        let now = self.clock.now();
        // The common case: no failure lookup (a lock and a clone) while the tokens are fresh.
        if !force_refresh && self.policy.is_fresh(up.tokens.expires_at(), now) {
            return Ok(up.tokens.clone());
        }
        let last = self.tokens_failure.get(generation);
        let decision = self.policy.decide(
            up.tokens.expires_at(),
            now,
            last.as_ref().map(|(at, _)| *at),
            force_refresh,
        );
        match decision {
            Decision::UseCached => Ok(up.tokens.clone()),
            Decision::Backoff { still_valid } => match last {
                Some((_, e)) if !still_valid => Err(e),
                _ => Ok(up.tokens.clone()),
            },
            Decision::Refresh { .. } => {
                let seen = up.tokens.access_token.clone();
                let result = self
                    .tokens_flight
                    .run(|| self.refresh_tokens(generation, seen, force_refresh))
                    .await;
                match result {
                    Err(e) if !force_refresh && keeps_cached(&e) => {
                        // A still-valid token is never thrown away because a refresh failed.
                        let now = self.snapshot();
                        match &now.session.user_pool {
                            Some(current)
                                if now.generation == generation
                                    && is_valid(current.tokens.expires_at(), self.clock.now()) =>
                            {
                                Ok(current.tokens.clone())
                            }
                            _ => Err(e),
                        }
                    }
                    other => other,
                }
            }
        }
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
            return Err(AuthError::SignedOut);
        };
        let replaced = up.tokens.access_token.expose_secret() != seen.expose_secret();
        if snap.generation != generation
            || replaced
            || (!forced
                && self
                    .policy
                    .is_fresh(up.tokens.expires_at(), self.clock.now()))
        {
            return Ok(up.tokens);
        }
        tracing::debug!(forced, "refreshing user pool tokens");
        let mut result = self.call_refresh(&up).await;
        if let Err(e) = &result
            && e.ends_session()
            && let Some(stored) = self.newer_stored_tokens(&up).await
        {
            // Another process sharing this store rotated the refresh token: use its tokens.
            tracing::debug!("the stored refresh token is newer than ours; retrying with it");
            let adopted = self
                .commit(Some(generation), false, |s| {
                    let mut next = s.clone();
                    next.user_pool = Some(stored.clone());
                    next
                })
                .await?;
            if adopted.is_none() {
                return Err(AuthError::InvalidState(InvalidStateReason::IdentityChanged));
            }
            result = if !forced
                && self
                    .policy
                    .is_fresh(stored.tokens.expires_at(), self.clock.now())
            {
                Ok(stored.tokens.clone())
            } else {
                self.call_refresh(&stored).await
            };
        }
        match result {
            Ok(tokens) => {
                let committed = self
                    .commit(Some(generation), false, |s| {
                        let mut next = s.clone();
                        if let Some(current) = &mut next.user_pool {
                            current.tokens = tokens.clone();
                        }
                        next
                    })
                    .await?;
                if committed.is_none() {
                    return Err(AuthError::InvalidState(InvalidStateReason::IdentityChanged));
                }
                self.tokens_failure.clear();
                self.hub.auth().publish(AuthHubEvent::TokensRefreshed);
                Ok(tokens)
            }
            Err(e) if e.ends_session() => {
                tracing::debug!(
                    code = e.code(),
                    "refresh token rejected; ending the session"
                );
                let _ = self
                    .commit(Some(generation), true, |_| Session::default())
                    .await;
                self.hub
                    .auth()
                    .publish(AuthHubEvent::TokenRefreshFailed(e.to_string()));
                self.hub.auth().publish(AuthHubEvent::SessionExpired);
                Err(AuthError::session_expired(Some(Arc::new(e))))
            }
            Err(e) => {
                tracing::debug!(
                    retryable = e.is_retryable(),
                    code = e.code(),
                    "token refresh failed; tokens kept"
                );
                self.hub
                    .auth()
                    .publish(AuthHubEvent::TokenRefreshFailed(e.to_string()));
                let e = e;
                self.tokens_failure
                    .record(generation, self.clock.now(), e.clone());
                Err(e)
            }
        }
    }

    /// The stored user-pool session when it holds a different refresh token for the same user
    /// (another process refreshed with rotation and stored the newest token).
    async fn newer_stored_tokens(&self, ours: &UserPoolSession) -> Option<UserPoolSession> {
        let stored = match self.store.load().await {
            Ok((session, _)) => session.user_pool?,
            Err(e) => {
                tracing::debug!(error = %amplify_core::DisplayErrorContext(&e), "could not re-read the stored session");
                return None;
            }
        };
        let same_user = stored.tokens.user_id() == ours.tokens.user_id();
        let newer = stored.tokens.refresh_token.expose_secret()
            != ours.tokens.refresh_token.expose_secret();
        (same_user && newer).then_some(stored)
    }

    async fn call_refresh(&self, up: &UserPoolSession) -> Result<UserPoolTokens, AuthError> {
        let (client, pool) = self.user_pool()?;
        let secret = pool
            .app_client_secret
            .as_ref()
            .map(|s| s.expose_secret().to_owned());
        let refresh = up.tokens.refresh_token.expose_secret().to_owned();
        let device_key = self
            .device(&up.sign_in_details.username)
            .await
            .map(|d| d.key);
        let legacy = self.refresh_operation == RefreshOperation::InitiateAuth
            || self.legacy_refresh.load(Ordering::Relaxed);
        if !legacy {
            let result = client
                .get_tokens_from_refresh_token()
                .refresh_token(refresh.clone())
                .client_id(&pool.app_client_id)
                .set_client_secret(secret.clone())
                .set_device_key(device_key.clone())
                .send()
                .await;
            match result {
                Ok(out) => {
                    let result = out
                        .authentication_result()
                        .ok_or_else(|| AuthError::unexpected("no AuthenticationResult"))?;
                    return merge_tokens(
                        &up.tokens,
                        result.access_token(),
                        result.id_token(),
                        result.refresh_token(),
                    );
                }
                Err(e) => {
                    let e = sdk::map_error(IDP, e);
                    // Only the endpoint's own word that the operation does not exist switches
                    // to REFRESH_TOKEN_AUTH; a 500 or an unknown code is a failed refresh.
                    if e.service_kind() != Some(ServiceErrorKind::UnknownOperation) {
                        return Err(e);
                    }
                    tracing::debug!(
                        "GetTokensFromRefreshToken does not exist at this endpoint; using REFRESH_TOKEN_AUTH"
                    );
                    self.legacy_refresh.store(true, Ordering::Relaxed);
                }
            }
        }
        let mut params = HashMap::from([("REFRESH_TOKEN".to_owned(), refresh)]);
        if let Some(key) = device_key {
            params.insert("DEVICE_KEY".into(), key);
        }
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
            .ok_or_else(|| AuthError::unexpected("no AuthenticationResult"))?;
        merge_tokens(
            &up.tokens,
            result.access_token(),
            result.id_token(),
            result.refresh_token(),
        )
    }

    /// The identity id and AWS credentials for the current login (user pool, federation, or
    /// guest), fetched by the [`RefreshPolicy`]. Credentials that are still valid are handed out
    /// when fetching new ones fails for a non-fatal reason (unless forced).
    pub(crate) async fn aws_credentials(
        &self,
        force_refresh: bool,
    ) -> SessionField<(String, AwsCredentials)> {
        self.ensure_loaded().await?;
        if self.config.identity_pool.is_none() {
            return Err(no_identity_pool());
        }
        let snap = self.snapshot();
        let generation = snap.generation;
        let cached = match (&snap.session.identity_id, &snap.session.aws_credentials) {
            (Some(id), Some(creds)) => Some((id.clone(), creds.clone())),
            _ => None,
        };
        let now = self.clock.now();
        if let Some(cached) = &cached
            && !force_refresh
            && self.policy.is_fresh(cached.1.expiration(), now)
        {
            return Ok(cached.clone());
        }
        let last = self.aws_failure.get(generation);
        let decision = self.policy.decide(
            cached.as_ref().and_then(|(_, c)| c.expiration()),
            now,
            last.as_ref().map(|(at, _)| *at),
            force_refresh,
        );
        match (decision, cached) {
            (Decision::UseCached | Decision::Backoff { still_valid: true }, Some(cached)) => {
                return Ok(cached);
            }
            (Decision::Backoff { .. }, _) => {
                if let Some((_, e)) = last {
                    return Err(e);
                }
            }
            _ => {}
        }
        // Logins need a valid ID token when signed in to the user pool.
        let login = match (&snap.session.federation, &snap.session.user_pool) {
            (Some(fed), _) => Some((fed.provider.clone(), fed.token.expose_secret().to_owned())),
            (None, Some(_)) => {
                let tokens = self.user_pool_tokens(false).await?;
                Some((
                    identity_pool::user_pool_provider_name(&self.config)?,
                    tokens.id_token.expose_secret().to_owned(),
                ))
            }
            (None, None) if self.config.unauthenticated_identities_enabled => None,
            (None, None) => {
                return Err(self.signed_out());
            }
        };
        let generation = self.snapshot().generation;
        let seen_key = snap
            .session
            .aws_credentials
            .as_ref()
            .map(|c| c.access_key_id().to_owned());
        let result = self
            .aws_flight
            .run(|| self.refresh_aws(generation, login, seen_key, force_refresh))
            .await;
        match result {
            Err(e) if !force_refresh && keeps_cached(&e) => {
                let now = self.snapshot();
                match (&now.session.identity_id, &now.session.aws_credentials) {
                    (Some(id), Some(creds))
                        if now.generation == generation
                            && is_valid(creds.expiration(), self.clock.now()) =>
                    {
                        Ok((id.clone(), creds.clone()))
                    }
                    _ => Err(e),
                }
            }
            other => other,
        }
    }

    async fn refresh_aws(
        &self,
        generation: u64,
        login: Option<Login>,
        seen_key: Option<String>,
        forced: bool,
    ) -> SessionField<(String, AwsCredentials)> {
        let snap = self.snapshot();
        if snap.generation == generation
            && let (Some(id), Some(creds)) =
                (&snap.session.identity_id, &snap.session.aws_credentials)
        {
            let replaced = seen_key.as_deref() != Some(creds.access_key_id());
            if replaced || (!forced && self.policy.is_fresh(creds.expiration(), self.clock.now())) {
                return Ok((id.clone(), creds.clone()));
            }
        }
        let identity_id = match &snap.session.identity_id {
            Some(id) if snap.generation == generation => id.clone(),
            _ => match self.identity_pool()?.get_id(login.as_ref()).await {
                Ok(id) => id,
                Err(e) => return Err(self.aws_failed(generation, e)),
            },
        };
        let credentials = match self.identity_pool() {
            Ok(pool) => pool.get_credentials(&identity_id, login.as_ref()).await,
            Err(e) => Err(e),
        };
        match credentials {
            Ok(creds) => {
                let committed = self
                    .commit(Some(generation), false, |s| Session {
                        identity_id: Some(identity_id.clone()),
                        aws_credentials: Some(creds.clone()),
                        ..s.clone()
                    })
                    .await?;
                if committed.is_none() {
                    return Err(AuthError::InvalidState(InvalidStateReason::IdentityChanged));
                }
                self.aws_failure.clear();
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
                    return Err(AuthError::session_expired(Some(Arc::new(e))));
                }
                Err(e)
            }
            Err(e) => Err(self.aws_failed(generation, e)),
        }
    }

    /// `SignedOut`, or the damaged stored session that made this process signed out.
    fn signed_out(&self) -> AuthError {
        self.load_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or(AuthError::SignedOut)
    }

    fn aws_failed(&self, generation: u64, e: AuthError) -> AuthError {
        tracing::debug!(
            retryable = e.is_retryable(),
            code = e.code(),
            "identity pool call failed; credentials kept"
        );
        let e = e;
        self.aws_failure
            .record(generation, self.clock.now(), e.clone());
        e
    }

    /// This machine's device secrets for `username` (none without device tracking, or when
    /// they cannot be read: a refresh or sign-in then goes without the device).
    pub(crate) async fn device(&self, username: &str) -> Option<DeviceSecrets> {
        let store = self.devices.as_ref()?;
        match store.load(username).await {
            Ok(device) => device,
            Err(e) => {
                tracing::debug!(error = %amplify_core::DisplayErrorContext(&e), "device secrets unreadable");
                None
            }
        }
    }

    /// The identity pool, or a configuration error.
    pub(crate) fn identity_pool(&self) -> Result<&IdentityPool, AuthError> {
        self.identity_pool.as_ref().ok_or_else(no_identity_pool)
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
}

/// New tokens from a refresh: a missing refresh or ID token keeps the old one (no rotation); a
/// new refresh token (rotation) replaces the old one, and is stored with the new tokens in one
/// batch before anyone sees them.
fn merge_tokens(
    old: &UserPoolTokens,
    access: Option<&str>,
    id: Option<&str>,
    refresh: Option<&str>,
) -> Result<UserPoolTokens, AuthError> {
    let access =
        access.ok_or_else(|| AuthError::unexpected("the refresh returned no access token"))?;
    Ok(UserPoolTokens {
        access_token: Jwt::parse(access)?,
        id_token: match id {
            Some(id) => Jwt::parse(id)?,
            None => old.id_token.clone(),
        },
        refresh_token: refresh.map_or_else(|| old.refresh_token.clone(), RefreshToken::new),
    })
}

pub(crate) fn no_user_pool() -> AuthError {
    AuthError::Configuration(ConfigurationReason::NoUserPool)
}

/// Whether a sign-in is likely next, so an SRP key is worth computing ahead: nobody is signed in
/// and the session is not federated to the identity pool (sign-in refuses both, see
/// `operation::sign_in`).
fn sign_in_is_next(session: &Session) -> bool {
    session.user_pool.is_none() && session.federation.is_none()
}
