//! The in-memory backend.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use amplify_core::BoxFuture;
use secrecy::SecretString;

use crate::{BatchOp, SecureStorage, StorageError, WriteBatch, validate_key};

/// Secrets kept in process memory only: nothing touches the disk, and everything is gone when
/// the process exits (Amplify's `WebPersistenceOption.inMemory`). Useful for tests, short-lived
/// tools, and machines where persisting credentials is not wanted.
///
/// Clones share the same data. Batches are applied atomically.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_secure_storage::{InMemorySecureStorage, SecureStorage};
/// use secrecy::{ExposeSecret, SecretString};
///
/// let storage = InMemorySecureStorage::new();
/// storage.write("idToken", SecretString::from("eyJ...")).await?;
/// assert_eq!(storage.read("idToken").await?.unwrap().expose_secret(), "eyJ...");
/// assert_eq!(format!("{storage:?}"), "InMemorySecureStorage { len: 1 }");
/// # Ok::<(), amplify_secure_storage::StorageError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Default)]
pub struct InMemorySecureStorage {
    data: Arc<RwLock<HashMap<String, SecretString>>>,
}

impl InMemorySecureStorage {
    /// An empty storage.
    pub fn new() -> Self {
        InMemorySecureStorage::default()
    }

    /// The number of stored keys.
    pub fn len(&self) -> usize {
        self.data
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn apply(&self, batch: WriteBatch) {
        let mut data = self.data.write().unwrap_or_else(PoisonError::into_inner);
        for op in batch.into_ops() {
            match op {
                BatchOp::Write { key, value } => {
                    data.insert(key, value);
                }
                BatchOp::Delete { key } => {
                    data.remove(&key);
                }
            }
        }
    }
}

impl fmt::Debug for InMemorySecureStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemorySecureStorage")
            .field("len", &self.len())
            .finish()
    }
}

impl SecureStorage for InMemorySecureStorage {
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            validate_key(key)?;
            self.data
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key.to_owned(), value);
            Ok(())
        })
    }

    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
        Box::pin(async move {
            validate_key(key)?;
            Ok(self
                .data
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(key)
                .cloned())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            validate_key(key)?;
            self.data
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(key);
            Ok(())
        })
    }

    fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            self.data
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
            Ok(())
        })
    }

    fn write_batch(&self, batch: WriteBatch) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            batch.validate()?;
            self.apply(batch);
            Ok(())
        })
    }
}
