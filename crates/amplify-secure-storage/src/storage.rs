//! The [`SecureStorage`] trait, its shared handle and write batches.

use std::fmt;
use std::sync::Arc;

use amplify_core::BoxFuture;
use secrecy::SecretString;

use crate::StorageError;

/// A key-value store for secrets, scoped to one [`StorageScope`](crate::StorageScope): Amplify's
/// `SecureStorageInterface`.
///
/// Implementations are object safe and shared as [`SharedSecureStorage`]. All methods return
/// `Send` futures. Values go in and come out as [`SecretString`], which is redacted in `Debug`
/// and zeroized on drop.
///
/// To plug in your own storage, implement this trait and hand a
/// [`SecureStorageFactory`](crate::SecureStorageFactory) that builds it to the auth plugin. Only
/// [`write_batch`](Self::write_batch) has a default (it applies the operations one by one);
/// override it when your storage can apply several changes atomically.
///
/// # Examples
///
/// A custom storage, like the `InMemoryStorage` of Amplify's documentation:
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use amplify_core::BoxFuture;
/// use amplify_secure_storage::{SecureStorage, StorageError, StorageScope};
/// use secrecy::SecretString;
///
/// #[derive(Debug)]
/// struct MyStorage {
///     scope: StorageScope,
///     data: Mutex<HashMap<String, SecretString>>,
/// }
///
/// impl SecureStorage for MyStorage {
///     fn write<'a>(&'a self, key: &'a str, value: SecretString) -> BoxFuture<'a, Result<(), StorageError>> {
///         Box::pin(async move {
///             self.data.lock().unwrap().insert(key.to_owned(), value);
///             Ok(())
///         })
///     }
///     fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
///         Box::pin(async move { Ok(self.data.lock().unwrap().get(key).cloned()) })
///     }
///     fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
///         Box::pin(async move {
///             self.data.lock().unwrap().remove(key);
///             Ok(())
///         })
///     }
///     fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
///         Box::pin(async move {
///             self.data.lock().unwrap().clear();
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait SecureStorage: Send + Sync + fmt::Debug {
    /// Stores `value` under `key`, replacing any previous value. When the future resolves
    /// `Ok`, the value is durable (for persistent backends) and visible to every reader.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`]; a write is never silently dropped.
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> BoxFuture<'a, Result<(), StorageError>>;

    /// The value stored under `key`, or `None` when there is none.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`]. A backend that cannot be read reports an error rather than `None`,
    /// so callers can tell "signed out" from "storage broken".
    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>>;

    /// Removes `key`. Removing a missing key succeeds.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`].
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>>;

    /// Removes every key of this scope (and only of this scope).
    ///
    /// # Errors
    ///
    /// Any [`StorageError`].
    fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>>;

    /// Applies several writes and deletes, in order. The encrypted file and in-memory backends
    /// apply a batch atomically (readers and other processes see all of it or none of it) and
    /// with one file replacement; the default implementation, used by the keychain backend,
    /// applies the operations one at a time and stops at the first error.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`].
    fn write_batch(&self, batch: WriteBatch) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            for op in batch.ops {
                match op {
                    BatchOp::Write { key, value } => self.write(&key, value).await?,
                    BatchOp::Delete { key } => self.delete(&key).await?,
                }
            }
            Ok(())
        })
    }
}

/// A cheap-to-clone handle to any [`SecureStorage`]; what a
/// [`SecureStorageFactory`](crate::SecureStorageFactory) returns.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_secure_storage::{InMemorySecureStorage, SecureStorage, SharedSecureStorage};
/// use secrecy::{ExposeSecret, SecretString};
///
/// let storage = SharedSecureStorage::new(InMemorySecureStorage::new());
/// storage.write("refreshToken", SecretString::from("rt-123")).await?;
/// let token = storage.read("refreshToken").await?.unwrap();
/// assert_eq!(token.expose_secret(), "rt-123");
/// # Ok::<(), amplify_secure_storage::StorageError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct SharedSecureStorage(Arc<dyn SecureStorage>);

impl SharedSecureStorage {
    /// Wraps a storage.
    pub fn new(storage: impl SecureStorage + 'static) -> Self {
        SharedSecureStorage(Arc::new(storage))
    }

    /// Wraps a storage that is already shared.
    pub fn from_arc(storage: Arc<dyn SecureStorage>) -> Self {
        SharedSecureStorage(storage)
    }

    /// The shared storage.
    pub fn as_arc(&self) -> &Arc<dyn SecureStorage> {
        &self.0
    }
}

impl fmt::Debug for SharedSecureStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedSecureStorage").field(&self.0).finish()
    }
}

impl From<Arc<dyn SecureStorage>> for SharedSecureStorage {
    fn from(storage: Arc<dyn SecureStorage>) -> Self {
        SharedSecureStorage(storage)
    }
}

impl SecureStorage for SharedSecureStorage {
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        self.0.write(key, value)
    }

    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
        self.0.read(key)
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        self.0.delete(key)
    }

    fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        self.0.remove_all()
    }

    fn write_batch(&self, batch: WriteBatch) -> BoxFuture<'_, Result<(), StorageError>> {
        self.0.write_batch(batch)
    }
}

/// One operation of a [`WriteBatch`].
#[derive(Clone)]
#[non_exhaustive]
pub enum BatchOp {
    /// Store `value` under `key`.
    Write {
        /// The key.
        key: String,
        /// The secret value.
        value: SecretString,
    },
    /// Remove `key`.
    Delete {
        /// The key.
        key: String,
    },
}

impl BatchOp {
    /// The key this operation changes.
    pub fn key(&self) -> &str {
        match self {
            BatchOp::Write { key, .. } | BatchOp::Delete { key } => key,
        }
    }
}

impl fmt::Debug for BatchOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keys may name users (`<clientId>.<username>.deviceKey`); print only the kind.
        f.write_str(match self {
            BatchOp::Write { .. } => "Write",
            BatchOp::Delete { .. } => "Delete",
        })
    }
}

/// Writes and deletes applied together by [`SecureStorage::write_batch`]: for example the
/// access, ID and refresh tokens of one sign-in, so a crash never leaves half of them behind.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_secure_storage::{InMemorySecureStorage, SecureStorage, WriteBatch};
/// use secrecy::SecretString;
///
/// let storage = InMemorySecureStorage::new();
/// let batch = WriteBatch::new()
///     .write("client.accessToken", SecretString::from("at"))
///     .write("client.refreshToken", SecretString::from("rt"))
///     .delete("client.hostedUi.state");
/// assert_eq!(batch.len(), 3);
/// storage.write_batch(batch).await?;
/// assert!(storage.read("client.refreshToken").await?.is_some());
/// # Ok::<(), amplify_secure_storage::StorageError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Default)]
pub struct WriteBatch {
    ops: Vec<BatchOp>,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        WriteBatch::default()
    }

    /// Adds a write.
    #[must_use]
    pub fn write(mut self, key: impl Into<String>, value: SecretString) -> Self {
        self.push_write(key, value);
        self
    }

    /// Adds a delete.
    #[must_use]
    pub fn delete(mut self, key: impl Into<String>) -> Self {
        self.push_delete(key);
        self
    }

    /// Adds a write to a batch held by reference.
    pub fn push_write(&mut self, key: impl Into<String>, value: SecretString) {
        self.ops.push(BatchOp::Write {
            key: key.into(),
            value,
        });
    }

    /// Adds a delete to a batch held by reference.
    pub fn push_delete(&mut self, key: impl Into<String>) {
        self.ops.push(BatchOp::Delete { key: key.into() });
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch has no operation.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The operations, in order.
    pub fn ops(&self) -> &[BatchOp] {
        &self.ops
    }

    /// The operations, in order, by value (for custom storages).
    pub fn into_ops(self) -> Vec<BatchOp> {
        self.ops
    }

    /// Checks every key with [`validate_key`](crate::validate_key).
    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        self.ops
            .iter()
            .try_for_each(|op| crate::validate_key(op.key()))
    }
}

impl fmt::Debug for WriteBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteBatch")
            .field("ops", &self.ops)
            .finish()
    }
}

impl FromIterator<BatchOp> for WriteBatch {
    fn from_iter<I: IntoIterator<Item = BatchOp>>(iter: I) -> Self {
        WriteBatch {
            ops: iter.into_iter().collect(),
        }
    }
}

impl Extend<BatchOp> for WriteBatch {
    fn extend<I: IntoIterator<Item = BatchOp>>(&mut self, iter: I) {
        self.ops.extend(iter);
    }
}
