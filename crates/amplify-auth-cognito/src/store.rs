//! The credential store: Amplify's scope and keys over a [`SecureStorage`].
//!
//! Keys (Amplify Flutter's, so stores are recognisable): `version`; for the user pool
//! `<appClientId>.{accessToken, idToken, refreshToken, username, authFlowType}`; for the identity
//! pool `<identityPoolId>.{identityId, accessKeyId, secretAccessKey, sessionToken, expiration,
//! provider, idToken}` (the last two only while federated). Every change is one atomic batch.

use std::time::{Duration, UNIX_EPOCH};

use amplify_core::AwsCredentials;
use amplify_core::config::AuthConfig;
use amplify_secure_storage::{SecureStorage, SharedSecureStorage, WriteBatch};
use secrecy::{ExposeSecret, SecretString};

use crate::AuthError;
use crate::error::CorruptedSessionError;
use crate::session_data::{Federation, Session, UserPoolSession};
use crate::tokens::{FederationToken, Jwt, RefreshToken, UserPoolTokens};
use crate::types::{AuthFlowType, FlowName, SignInDetails, SignInMethod};

const VERSION_KEY: &str = "version";
const VERSION: &str = "v1";

#[derive(Debug, Clone)]
pub(crate) struct CredentialStore {
    storage: SharedSecureStorage,
    client_prefix: Option<String>,
    identity_prefix: Option<String>,
}

fn secret(value: &str) -> SecretString {
    SecretString::from(value.to_owned())
}

impl CredentialStore {
    pub(crate) fn new(storage: SharedSecureStorage, config: &AuthConfig) -> Self {
        Self {
            storage,
            client_prefix: config.user_pool.as_ref().map(|p| p.app_client_id.clone()),
            identity_prefix: config.identity_pool.as_ref().map(|p| p.pool_id.clone()),
        }
    }

    async fn read(&self, key: &str) -> Result<Option<String>, AuthError> {
        Ok(self
            .storage
            .read(key)
            .await?
            .map(|v| v.expose_secret().to_owned()))
    }

    /// Loads what a previous process stored. A value that no longer parses signs the user out
    /// (instead of failing every call, or panicking) and is reported as the second value.
    pub(crate) async fn load(&self) -> Result<(Session, Option<CorruptedSessionError>), AuthError> {
        let mut corrupted = None;
        let session = self.load_checked(&mut corrupted).await?;
        match corrupted {
            Some(e) => {
                tracing::warn!(
                    key = e.key(),
                    "a stored session value does not parse; signed out"
                );
                Ok((Session::default(), Some(e)))
            }
            None => Ok((session, None)),
        }
    }

    async fn load_checked(
        &self,
        corrupted: &mut Option<CorruptedSessionError>,
    ) -> Result<Session, AuthError> {
        let mut session = Session::default();
        if let Some(prefix) = &self.client_prefix {
            let access = self.read(&format!("{prefix}.accessToken")).await?;
            let id = self.read(&format!("{prefix}.idToken")).await?;
            let refresh = self.read(&format!("{prefix}.refreshToken")).await?;
            let username = self.read(&format!("{prefix}.username")).await?;
            let flow = self.read(&format!("{prefix}.authFlowType")).await?;
            let method = self.read(&format!("{prefix}.signInMethod")).await?;
            if let (Some(access), Some(id), Some(refresh)) = (access, id, refresh) {
                match (Jwt::parse(access), Jwt::parse(id)) {
                    (Ok(access_token), Ok(id_token)) => {
                        let tokens = UserPoolTokens {
                            access_token,
                            id_token,
                            refresh_token: RefreshToken::new(refresh),
                        };
                        let username = username
                            .or_else(|| tokens.username().map(str::to_owned))
                            .unwrap_or_default();
                        session.user_pool = Some(UserPoolSession {
                            sign_in_details: SignInDetails {
                                username: username.clone(),
                                auth_flow_type: flow.as_deref().and_then(AuthFlowType::parse),
                                sign_in_method: parse_method(method.as_deref()),
                            },
                            username,
                            tokens,
                        });
                    }
                    (Err(_), _) => {
                        *corrupted =
                            Some(CorruptedSessionError::new(format!("{prefix}.accessToken")));
                    }
                    (_, Err(_)) => {
                        *corrupted = Some(CorruptedSessionError::new(format!("{prefix}.idToken")));
                    }
                }
            }
        }
        if let Some(prefix) = &self.identity_prefix {
            session.identity_id = self.read(&format!("{prefix}.identityId")).await?;
            let akid = self.read(&format!("{prefix}.accessKeyId")).await?;
            let secret_key = self.read(&format!("{prefix}.secretAccessKey")).await?;
            let token = self.read(&format!("{prefix}.sessionToken")).await?;
            let expiration = self.read(&format!("{prefix}.expiration")).await?;
            if let (Some(akid), Some(secret_key)) = (akid, secret_key) {
                let expiration = match expiration {
                    None => None,
                    // `checked_add`: a huge number must not overflow `SystemTime` (a panic).
                    Some(e) => match e
                        .parse::<u64>()
                        .ok()
                        .and_then(|secs| UNIX_EPOCH.checked_add(Duration::from_secs(secs)))
                    {
                        Some(at) => Some(at),
                        None => {
                            *corrupted =
                                Some(CorruptedSessionError::new(format!("{prefix}.expiration")));
                            None
                        }
                    },
                };
                session.aws_credentials =
                    Some(AwsCredentials::new(akid, secret_key, token, expiration));
            }
            let provider = self.read(&format!("{prefix}.provider")).await?;
            let fed_token = self.read(&format!("{prefix}.idToken")).await?;
            if let (Some(provider), Some(token)) = (provider, fed_token) {
                session.federation = Some(Federation {
                    provider,
                    token: FederationToken::new(token),
                });
            }
        }
        Ok(session)
    }

    /// Replaces everything stored with `session`, in one batch.
    pub(crate) async fn save(&self, session: &Session) -> Result<(), AuthError> {
        let mut batch = WriteBatch::new().write(VERSION_KEY, secret(VERSION));
        if let Some(prefix) = &self.client_prefix {
            let keys = [
                "accessToken",
                "idToken",
                "refreshToken",
                "username",
                "authFlowType",
                "signInMethod",
            ];
            match &session.user_pool {
                Some(up) => {
                    batch.push_write(
                        format!("{prefix}.accessToken"),
                        secret(up.tokens.access_token.expose_secret()),
                    );
                    batch.push_write(
                        format!("{prefix}.idToken"),
                        secret(up.tokens.id_token.expose_secret()),
                    );
                    batch.push_write(
                        format!("{prefix}.refreshToken"),
                        secret(up.tokens.refresh_token.expose_secret()),
                    );
                    batch.push_write(format!("{prefix}.username"), secret(&up.username));
                    batch.push_write(
                        format!("{prefix}.signInMethod"),
                        secret(&method_text(&up.sign_in_details.sign_in_method)),
                    );
                    match up.sign_in_details.auth_flow_type {
                        Some(flow) => batch
                            .push_write(format!("{prefix}.authFlowType"), secret(flow.as_str())),
                        None => batch.push_delete(format!("{prefix}.authFlowType")),
                    }
                }
                None => {
                    for key in keys {
                        batch.push_delete(format!("{prefix}.{key}"));
                    }
                }
            }
        }
        if let Some(prefix) = &self.identity_prefix {
            match &session.identity_id {
                Some(id) => batch.push_write(format!("{prefix}.identityId"), secret(id)),
                None => batch.push_delete(format!("{prefix}.identityId")),
            }
            match &session.aws_credentials {
                Some(creds) => {
                    batch.push_write(
                        format!("{prefix}.accessKeyId"),
                        secret(creds.access_key_id()),
                    );
                    batch.push_write(
                        format!("{prefix}.secretAccessKey"),
                        secret(creds.secret_access_key()),
                    );
                    match creds.session_token() {
                        Some(t) => batch.push_write(format!("{prefix}.sessionToken"), secret(t)),
                        None => batch.push_delete(format!("{prefix}.sessionToken")),
                    }
                    match creds
                        .expiration()
                        .and_then(|e| e.duration_since(UNIX_EPOCH).ok())
                    {
                        Some(e) => batch.push_write(
                            format!("{prefix}.expiration"),
                            secret(&e.as_secs().to_string()),
                        ),
                        None => batch.push_delete(format!("{prefix}.expiration")),
                    }
                }
                None => {
                    for key in [
                        "accessKeyId",
                        "secretAccessKey",
                        "sessionToken",
                        "expiration",
                    ] {
                        batch.push_delete(format!("{prefix}.{key}"));
                    }
                }
            }
            match &session.federation {
                Some(fed) => {
                    batch.push_write(format!("{prefix}.provider"), secret(&fed.provider));
                    batch.push_write(
                        format!("{prefix}.idToken"),
                        secret(fed.token.expose_secret()),
                    );
                }
                None => {
                    batch.push_delete(format!("{prefix}.provider"));
                    batch.push_delete(format!("{prefix}.idToken"));
                }
            }
        }
        self.storage.write_batch(batch).await?;
        Ok(())
    }
}

/// `default` or `hostedUi[:<provider>]` under `<clientId>.signInMethod`.
fn method_text(method: &SignInMethod) -> String {
    match method {
        SignInMethod::HostedUi { provider: Some(p) } => format!("hostedUi:{p}"),
        SignInMethod::HostedUi { provider: None } => "hostedUi".to_owned(),
        _ => "default".to_owned(),
    }
}

fn parse_method(text: Option<&str>) -> SignInMethod {
    match text {
        Some("hostedUi") => SignInMethod::HostedUi { provider: None },
        Some(t) => match t.strip_prefix("hostedUi:") {
            Some(p) => SignInMethod::HostedUi {
                provider: Some(p.to_owned()),
            },
            None => SignInMethod::ApiBased,
        },
        None => SignInMethod::ApiBased,
    }
}

/// The `stored_session` fuzz target's entry point (compiled only with `--cfg fuzzing`).
#[cfg(fuzzing)]
pub(crate) mod fuzz {
    use std::future::Future;

    use amplify_secure_storage::{InMemorySecureStorage, SecureStorage, SharedSecureStorage};

    use super::{CredentialStore, WriteBatch, secret};

    /// The keys a session is stored under, for app client `client` and identity pool `pool`.
    pub(crate) const KEYS: [&str; 13] = [
        "client.accessToken",
        "client.idToken",
        "client.refreshToken",
        "client.username",
        "client.authFlowType",
        "client.signInMethod",
        "pool.identityId",
        "pool.accessKeyId",
        "pool.secretAccessKey",
        "pool.sessionToken",
        "pool.expiration",
        "pool.provider",
        "pool.idToken",
    ];

    fn store(storage: SharedSecureStorage) -> CredentialStore {
        CredentialStore {
            storage,
            client_prefix: Some("client".to_owned()),
            identity_prefix: Some("pool".to_owned()),
        }
    }

    async fn stored(storage: &SharedSecureStorage) -> Result<Vec<Option<String>>, String> {
        let mut values = Vec::with_capacity(KEYS.len());
        for key in KEYS {
            let value = storage.read(key).await.map_err(|e| e.to_string())?;
            values.push(value.map(|v| secrecy::ExposeSecret::expose_secret(&v).to_owned()));
        }
        Ok(values)
    }

    /// Stores `values` (one per [`KEYS`] entry, `None` = absent) as a previous process would
    /// have, loads them as a new process does, then saves what loaded and loads and saves again.
    /// Returns whether the first load was clean; `Err` names a broken property: a saved session
    /// that does not load back cleanly, or a second save that differs from the first.
    pub(crate) fn round_trip(values: &[Option<&str>]) -> Result<bool, String> {
        // The in-memory store answers at once: one poll with a no-op waker runs the whole check
        // (no runtime per input, three times the executions of a current-thread runtime).
        let check = std::pin::pin!(check(values));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match check.poll(&mut cx) {
            std::task::Poll::Ready(result) => result,
            std::task::Poll::Pending => {
                Err("the in-memory store did not answer at once".to_owned())
            }
        }
    }

    async fn check(values: &[Option<&str>]) -> Result<bool, String> {
        let first = SharedSecureStorage::new(InMemorySecureStorage::new());
        let mut batch = WriteBatch::new();
        for (key, value) in KEYS.iter().zip(values) {
            if let Some(value) = value {
                batch.push_write(*key, secret(value));
            }
        }
        first.write_batch(batch).await.map_err(|e| e.to_string())?;
        let (session, corrupted) = store(first).load().await.map_err(|e| e.to_string())?;

        let second = SharedSecureStorage::new(InMemorySecureStorage::new());
        store(second.clone())
            .save(&session)
            .await
            .map_err(|e| e.to_string())?;
        let (again, corrupted_again) = store(second.clone())
            .load()
            .await
            .map_err(|e| e.to_string())?;
        if let Some(e) = corrupted_again {
            return Err(format!("a saved session does not load back: {e}"));
        }
        let third = SharedSecureStorage::new(InMemorySecureStorage::new());
        store(third.clone())
            .save(&again)
            .await
            .map_err(|e| e.to_string())?;
        let (saved, saved_again) = (stored(&second).await?, stored(&third).await?);
        if saved != saved_again {
            let keys: Vec<_> = KEYS
                .iter()
                .zip(saved.iter().zip(&saved_again))
                .filter(|(_, (a, b))| a != b)
                .map(|(k, _)| *k)
                .collect();
            return Err(format!("saving a loaded session changed {keys:?}"));
        }
        Ok(corrupted.is_none())
    }
}
