//! AWS credentials the emulator knows, so that AppSync and REST can check SigV4 signatures made
//! with them: the ones the identity pools issued, and IAM principals an operator declared
//! ([`IamPrincipalSpec`]: a server-side caller's role or user keys).

use std::collections::{BTreeSet, HashMap};
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

/// An IAM principal an operator declares (a server's role or user keys), accepted by SigV4
/// next to identity-pool credentials and authorized like them: by the `AWS_IAM` mode and the
/// schema's `@aws_iam` rules. [`allow_fields`](Self::allow_fields) narrows it, like an IAM
/// policy on `appsync:GraphQL` resources.
///
/// `Debug` shows neither the secret key nor the session token.
///
/// ```
/// use amplify_emulator::IamPrincipalSpec;
///
/// let principal = IamPrincipalSpec::new("AKIAEXAMPLESERVER", "server-secret")
///     .session_token("server-session")
///     .arn("arn:aws:iam::000000000000:role/todo-service")
///     .allow_fields(["Query.listTodos", "Mutation.createTodo"]);
/// assert!(!format!("{principal:?}").contains("server-secret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IamPrincipalSpec {
    /// The access key id (`AKIA...` for user keys, `ASIA...` for a role's session).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token requests must carry (`x-amz-security-token`), if any; without one, a
    /// request that carries a token is refused.
    pub session_token: Option<String>,
    /// When the credentials stop working (emulator clock); never when `None`.
    pub expiration: Option<SystemTime>,
    /// The principal's ARN (`$ctx.identity.userArn`).
    pub arn: String,
    /// The root fields (`Query.listTodos`, `Mutation.*`) it may call; every field when `None`.
    /// Others get AppSync's field-level `Unauthorized` error, as an IAM policy without them.
    pub allowed_fields: Option<Vec<String>>,
}

impl std::fmt::Debug for IamPrincipalSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamPrincipalSpec")
            .field("access_key_id", &self.access_key_id)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expiration", &self.expiration)
            .field("arn", &self.arn)
            .field("allowed_fields", &self.allowed_fields)
            .finish_non_exhaustive()
    }
}

impl IamPrincipalSpec {
    /// A principal with long-term keys (no session token), allowed every field, with the ARN
    /// `arn:aws:iam::000000000000:user/<access key id>`.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        let access_key_id = access_key_id.into();
        Self {
            arn: format!("arn:aws:iam::000000000000:user/{access_key_id}"),
            access_key_id,
            secret_access_key: secret_access_key.into(),
            session_token: None,
            expiration: None,
            allowed_fields: None,
        }
    }

    /// The session token requests must carry (temporary credentials).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// When the credentials expire (emulator clock): later requests get `ExpiredTokenException`.
    pub fn expires_at(mut self, at: SystemTime) -> Self {
        self.expiration = Some(at);
        self
    }

    /// The principal's ARN.
    pub fn arn(mut self, arn: impl Into<String>) -> Self {
        self.arn = arn.into();
        self
    }

    /// Allows only these root fields (`Type.field`, `Type.*`, or an AppSync resource ARN's
    /// `.../types/Type/fields/field` tail).
    pub fn allow_fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.allowed_fields = Some(fields.into_iter().map(Into::into).collect());
        self
    }

    /// Whether the principal may call `field` of the root type `type_name`.
    pub(crate) fn allows(&self, type_name: &str, field: &str) -> bool {
        let Some(allowed) = &self.allowed_fields else {
            return true;
        };
        allowed.iter().any(|entry| {
            let (t, f) = match entry.rsplit_once("/types/") {
                Some((_, tail)) => match tail.split_once("/fields/") {
                    Some(pair) => pair,
                    None => return false,
                },
                None => match entry.split_once('.') {
                    Some(pair) => pair,
                    None => return false,
                },
            };
            t == type_name && (f == "*" || f == field)
        })
    }
}

/// Whose credentials signed a request.
#[derive(Debug, Clone)]
pub(crate) enum KnownCredentials {
    /// Issued by an identity pool.
    Issued(IssuedCredentials),
    /// Declared by the operator.
    Declared(IamPrincipalSpec),
}

impl KnownCredentials {
    pub(crate) fn secret_access_key(&self) -> &str {
        match self {
            KnownCredentials::Issued(c) => &c.secret_access_key,
            KnownCredentials::Declared(p) => &p.secret_access_key,
        }
    }

    /// The session token, empty for keys without one.
    pub(crate) fn session_token(&self) -> &str {
        match self {
            KnownCredentials::Issued(c) => &c.session_token,
            KnownCredentials::Declared(p) => p.session_token.as_deref().unwrap_or_default(),
        }
    }

    pub(crate) fn expiration(&self) -> Option<SystemTime> {
        match self {
            KnownCredentials::Issued(c) => Some(c.expiration),
            KnownCredentials::Declared(p) => p.expiration,
        }
    }
}

/// Every credential set issued, and every declared principal. Cheap to clone; clones share the
/// store.
#[derive(Debug, Clone, Default)]
pub struct CredentialStore {
    by_access_key: Arc<Mutex<HashMap<String, IssuedCredentials>>>,
    declared: Arc<Mutex<HashMap<String, IamPrincipalSpec>>>,
    /// Access keys issued since the data directory last saved them (`None`: no data directory).
    unsaved: Arc<Mutex<Option<BTreeSet<String>>>>,
}

impl CredentialStore {
    /// Declares (or replaces) an IAM principal: requests it signs are verified and authorized
    /// like identity-pool credentials.
    pub fn declare(&self, principal: IamPrincipalSpec) {
        self.declared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(principal.access_key_id.clone(), principal);
    }

    /// The declared principal with this access key id.
    pub fn principal(&self, access_key_id: &str) -> Option<IamPrincipalSpec> {
        self.declared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(access_key_id)
            .cloned()
    }

    /// Issued credentials first, then declared principals.
    pub(crate) fn lookup(&self, access_key_id: &str) -> Option<KnownCredentials> {
        self.get(access_key_id)
            .map(KnownCredentials::Issued)
            .or_else(|| {
                self.principal(access_key_id)
                    .map(KnownCredentials::Declared)
            })
    }

    pub(crate) fn insert(&self, credentials: IssuedCredentials) {
        if let Some(unsaved) = self
            .unsaved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            unsaved.insert(credentials.access_key_id.clone());
        }
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

    /// Calls `f` with every issued set (`All`) or those issued since the data directory last
    /// saved (`Unsaved`), under the store's lock.
    pub(crate) fn for_each_issued(&self, which: Which, mut f: impl FnMut(&IssuedCredentials)) {
        let issued = self
            .by_access_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match which {
            Which::All => issued.values().for_each(&mut f),
            Which::Unsaved => {
                let unsaved = self.unsaved.lock().unwrap_or_else(PoisonError::into_inner);
                unsaved
                    .iter()
                    .flatten()
                    .filter_map(|key| issued.get(key))
                    .for_each(&mut f);
            }
        }
    }

    /// Starts recording issued keys for the data directory, or forgets those recorded (saved).
    pub(crate) fn mark_saved(&self) {
        *self.unsaved.lock().unwrap_or_else(PoisonError::into_inner) = Some(BTreeSet::new());
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

/// Which issued credentials [`CredentialStore::for_each_issued`] visits.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which {
    All,
    Unsaved,
}

/// Issued credentials as the data directory stores them (`crate::state::persist`).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    /// Seconds and nanoseconds since the Unix epoch.
    expiration: (u64, u32),
    identity_id: String,
    identity_pool_id: String,
    authenticated: bool,
    role_arn: String,
}

impl From<&IssuedCredentials> for StoredCredentials {
    fn from(c: &IssuedCredentials) -> Self {
        Self {
            access_key_id: c.access_key_id.clone(),
            secret_access_key: c.secret_access_key.clone(),
            session_token: c.session_token.clone(),
            expiration: crate::timefmt::epoch_exact(c.expiration),
            identity_id: c.identity_id.clone(),
            identity_pool_id: c.identity_pool_id.clone(),
            authenticated: c.authenticated,
            role_arn: c.role_arn.clone(),
        }
    }
}

impl From<StoredCredentials> for IssuedCredentials {
    fn from(s: StoredCredentials) -> Self {
        Self {
            access_key_id: s.access_key_id,
            secret_access_key: s.secret_access_key,
            session_token: s.session_token,
            expiration: crate::timefmt::from_epoch_exact(s.expiration),
            identity_id: s.identity_id,
            identity_pool_id: s.identity_pool_id,
            authenticated: s.authenticated,
            role_arn: s.role_arn,
        }
    }
}
