//! AWS credentials issued by the identity pools, remembered so that other parts of the emulator
//! (AppSync, later) can check SigV4 signatures made with them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// One set of temporary credentials from GetCredentialsForIdentity.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuedCredentials {
    /// `ASIA...`.
    pub access_key_id: String,
    /// The secret key (a test value, still kept out of `Debug`).
    pub secret_access_key: String,
    /// The session token.
    pub session_token: String,
    /// When they expire (emulator clock).
    pub expiration: SystemTime,
    /// The identity they were issued to.
    pub identity_id: String,
    /// The identity pool.
    pub identity_pool_id: String,
    /// Whether the identity had logins (the authenticated role) or was a guest.
    pub authenticated: bool,
    /// The role the credentials stand for.
    pub role_arn: String,
}

impl std::fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .field("identity_id", &self.identity_id)
            .field("authenticated", &self.authenticated)
            .finish_non_exhaustive()
    }
}

/// Every credential set issued. Cheap to clone; clones share the store.
#[derive(Debug, Clone, Default)]
pub struct CredentialStore {
    by_access_key: Arc<Mutex<HashMap<String, IssuedCredentials>>>,
}

impl CredentialStore {
    pub(crate) fn insert(&self, credentials: IssuedCredentials) {
        self.by_access_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(credentials.access_key_id.clone(), credentials);
    }

    /// The credentials with this access key id, if the emulator issued them.
    pub fn get(&self, access_key_id: &str) -> Option<IssuedCredentials> {
        self.by_access_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(access_key_id)
            .cloned()
    }

    /// How many credential sets were issued.
    pub fn len(&self) -> usize {
        self.by_access_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether none were issued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every issued set.
    pub fn all(&self) -> Vec<IssuedCredentials> {
        self.by_access_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}
