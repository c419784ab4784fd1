//! The encrypted file store: one XChaCha20-Poly1305 encrypted file per scope.

mod format;
mod fsio;
mod key;

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use amplify_core::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;

use self::format::{Map, OpenError, SealError};
use self::fsio::Identity;
#[cfg(feature = "keychain")]
pub(crate) use self::fsio::{create_private_dir, create_private_file, hex};
pub use self::key::KEY_FILE_NAME;
use self::key::KeyStore;
use crate::blocking::run_blocking;
use crate::error::Reason;
use crate::{
    BatchOp, CorruptionPolicy, SecureStorage, SecureStorageOptions, StorageError, StorageScope,
    WriteBatch, scope::validate_name, validate_key,
};

/// Secrets in an encrypted file, for machines without a usable keychain (headless Linux,
/// servers, containers, CI).
///
/// - **Layout**: one file per scope, `<directory>/<namespace>.<scope>.store`, plus a
///   `<…>.lock` file and the directory's key file [`amplify-storage.key`](KEY_FILE_NAME).
///   Files are created `0600` and missing directories `0700`.
/// - **Encryption**: XChaCha20-Poly1305 with a random 192-bit nonce per write; the header
///   (format version, key id, generation, nonce) is authenticated too. The 256-bit key lives in
///   the OS keychain when there is one (`keychain` feature) or in the `0600` key file, as
///   [`FileKeyLocation`](crate::FileKeyLocation) says.
/// - **Writes** take an exclusive cross-process lock on the lock file, re-read the current
///   file under the lock (so concurrent processes merge their changes instead of overwriting
///   each other), apply the change, write a temporary file, fsync it, rename it over the data
///   file and fsync the directory. A crash at any point leaves the old or the new file, never a
///   mix. [`write_batch`](SecureStorage::write_batch) applies many changes with one such write.
/// - **Reads** are served from the decrypted map cached in memory. Each read checks with one
///   `stat` call whether another process replaced the file (a new file is a new inode) and only
///   then decrypts again, so a cached read takes about a microsecond.
/// - **Corruption**: a file that fails authentication or parsing gives
///   [`StorageError::Corrupted`] (or [`StorageError::KeyUnavailable`] when the key is missing or
///   different), never a panic and never partial data. Recover with [`reset`](Self::reset) or
///   [`remove_all`](SecureStorage::remove_all) (or delete the file at [`path`](Self::path)), or
///   choose [`CorruptionPolicy::Reset`].
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use amplify_secure_storage::{EncryptedFileStorage, SecureStorage, StorageScope};
/// use secrecy::{ExposeSecret, SecretString};
///
/// let dir = std::env::temp_dir().join(format!("amplify-doc-{}", std::process::id()));
/// let storage = EncryptedFileStorage::open(&dir, StorageScope::AWS_COGNITO_AUTH_PLUGIN)?;
/// storage.write("refreshToken", SecretString::from("rt-123")).await?;
///
/// // Another instance (or process) sees the value.
/// let again = EncryptedFileStorage::open(&dir, StorageScope::AWS_COGNITO_AUTH_PLUGIN)?;
/// assert_eq!(again.read("refreshToken").await?.unwrap().expose_secret(), "rt-123");
/// assert!(again.path().ends_with("com.amplify.awsCognitoAuthPlugin.store"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), amplify_secure_storage::StorageError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct EncryptedFileStorage {
    inner: Arc<Inner>,
}

struct Inner {
    scope: StorageScope,
    dir: PathBuf,
    path: PathBuf,
    lock_path: PathBuf,
    tmp_path: PathBuf,
    aside_path: PathBuf,
    keys: KeyStore,
    on_corruption: CorruptionPolicy,
    cache: RwLock<Option<Arc<Snapshot>>>,
    /// Serializes this instance's writers before they queue on the file lock.
    writer: Mutex<()>,
}

/// One decrypted version of the data file.
struct Snapshot {
    /// `None` when the file does not exist.
    identity: Option<Identity>,
    generation: u64,
    map: Arc<Map>,
    /// Keeps the version's inode alive (so it cannot be reused by a later version) while
    /// cached. Not on Windows, where an open file cannot be replaced by a rename.
    _handle: Option<File>,
}

impl Snapshot {
    fn missing() -> Self {
        Snapshot {
            identity: None,
            generation: 0,
            map: Arc::new(Map::new()),
            _handle: None,
        }
    }
}

/// The change a locked write makes.
enum Change {
    Batch(WriteBatch),
    Clear,
}

impl EncryptedFileStorage {
    /// The storage of `scope` in `directory`, with the default namespace (`com.amplify`), key
    /// location ([`FileKeyLocation::Auto`](crate::FileKeyLocation::Auto)) and corruption policy
    /// (return errors). Nothing is read or created until the first operation.
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for checks of the directory.
    pub fn open(directory: impl Into<PathBuf>, scope: StorageScope) -> Result<Self, StorageError> {
        EncryptedFileStorage::with_options(
            scope,
            &SecureStorageOptions::default().directory(directory),
        )
    }

    /// The storage of `scope` as `options` describe (directory, namespace, key location,
    /// corruption policy; the persistence choice is ignored).
    ///
    /// # Errors
    ///
    /// [`StorageError::InvalidScope`] for an invalid namespace, [`StorageError::NoDirectory`]
    /// when no directory is set and the platform's data directory is unknown.
    pub fn with_options(
        scope: StorageScope,
        options: &SecureStorageOptions,
    ) -> Result<Self, StorageError> {
        let namespace = options.get_namespace();
        validate_name(namespace)?;
        let dir = options
            .resolved_directory()
            .ok_or(StorageError::NoDirectory)?;
        let base = scope.service_name(namespace);
        let file = |suffix: &str| dir.join(format!("{base}.{suffix}"));
        Ok(EncryptedFileStorage {
            inner: Arc::new(Inner {
                path: file("store"),
                lock_path: file("lock"),
                tmp_path: file("store.tmp"),
                aside_path: file("store.corrupted"),
                keys: KeyStore::new(&dir, options.get_file_key(), namespace),
                on_corruption: options.get_on_corruption(),
                cache: RwLock::new(None),
                writer: Mutex::new(()),
                scope,
                dir,
            }),
        })
    }

    /// The data file of this scope.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The directory's key file.
    pub fn key_path(&self) -> &Path {
        self.inner.keys.path()
    }

    /// The scope.
    pub fn scope(&self) -> &StorageScope {
        &self.inner.scope
    }

    /// Deletes this scope's data file without reading it: the way out of
    /// [`StorageError::Corrupted`] and [`StorageError::KeyUnavailable`]. Every value of the
    /// scope is lost (the user has to sign in again). When the directory's key file itself is
    /// unreadable it is deleted too, so a new key is created by the next write; other scopes
    /// encrypted with that key were unreadable anyway and are reported as
    /// [`KeyUnavailable`](StorageError::KeyUnavailable) until they are reset as well.
    ///
    /// # Errors
    ///
    /// [`StorageError::Io`] when the file cannot be deleted.
    pub async fn reset(&self) -> Result<(), StorageError> {
        let inner = Arc::clone(&self.inner);
        run_blocking(move || inner.reset())
            .instrument(
                tracing::debug_span!("amplify.secure_storage.reset", scope = %self.inner.scope),
            )
            .await
    }
}

impl fmt::Debug for EncryptedFileStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedFileStorage")
            .field("scope", &self.inner.scope.name())
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Inner {
    /// The cached snapshot when it is still the current file.
    fn fresh_cache(&self) -> Option<Arc<Snapshot>> {
        let identity = Identity::at(&self.path).ok()?;
        let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
        cache
            .as_ref()
            .filter(|snap| snap.identity == identity)
            .map(Arc::clone)
    }

    fn store_cache(&self, snapshot: Arc<Snapshot>) {
        *self.cache.write().unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
    }

    /// The current contents: the cache when fresh, else the file read and decrypted. Without
    /// the lock this is still a consistent version, because writers replace the file by rename.
    fn snapshot(&self) -> Result<Arc<Snapshot>, StorageError> {
        if let Some(snapshot) = self.fresh_cache() {
            return Ok(snapshot);
        }
        let snapshot = Arc::new(self.load()?);
        self.store_cache(Arc::clone(&snapshot));
        Ok(snapshot)
    }

    /// Reads and decrypts the data file.
    fn load(&self) -> Result<Snapshot, StorageError> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Snapshot::missing()),
            Err(err) => return Err(StorageError::io("open", &self.path, err)),
        };
        let io_err = |e| StorageError::io("read", &self.path, e);
        let identity = Identity::of(&file.metadata().map_err(io_err)?);
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io_err)?;
        let header = format::parse_header(&bytes).map_err(|e| self.corrupted(e))?;
        let key = match self.keys.load(false)? {
            Some(key) if key.id() == &header.key_id => key,
            // The key file may have been replaced by another process: read it again.
            _ => self
                .keys
                .load(true)?
                .filter(|key| key.id() == &header.key_id)
                .ok_or_else(|| StorageError::KeyUnavailable {
                    path: self.keys.path().to_owned(),
                    source: Some(Box::new(Reason(
                        "the data file names a key that is not in the key file (the key file was replaced, or \
                         the data file's header was altered)",
                    ))),
                })?,
        };
        let (header, map) = format::open(&key, &bytes).map_err(|e| self.corrupted(e))?;
        tracing::debug!(
            scope = %self.scope,
            generation = header.generation,
            entries = map.len(),
            "loaded the encrypted secure storage file"
        );
        Ok(Snapshot {
            identity: Some(identity),
            generation: header.generation,
            map: Arc::new(map),
            _handle: cfg!(unix).then_some(file),
        })
    }

    fn corrupted(&self, err: OpenError) -> StorageError {
        StorageError::corrupted_because(&self.path, err.reason())
    }

    /// Runs `f` holding this instance's writer mutex and the cross-process file lock.
    fn locked<T>(&self, f: impl FnOnce() -> Result<T, StorageError>) -> Result<T, StorageError> {
        let _local = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        fsio::create_private_dir(&self.dir)
            .map_err(|e| StorageError::io("create directory", &self.dir, e))?;
        let lock = fsio::open_lock_file(&self.lock_path)
            .map_err(|e| StorageError::io("open", &self.lock_path, e))?;
        lock.lock()
            .map_err(|e| StorageError::io("lock", &self.lock_path, e))?;
        let result = f();
        // Closing the file releases the lock too; unlocking first keeps the order explicit.
        let _ = lock.unlock();
        result
    }

    /// The current contents under the lock; a corrupted file is moved aside when the policy
    /// says so.
    fn snapshot_for_write(&self) -> Result<Arc<Snapshot>, StorageError> {
        match self.snapshot() {
            Err(err @ (StorageError::Corrupted { .. } | StorageError::KeyUnavailable { .. }))
                if self.on_corruption == CorruptionPolicy::Reset =>
            {
                tracing::warn!(
                    scope = %self.scope,
                    path = %self.path.display(),
                    aside = %self.aside_path.display(),
                    error = %amplify_core::DisplayErrorContext(&err),
                    "the secure storage file is unreadable; moving it aside and starting empty"
                );
                fs::rename(&self.path, &self.aside_path)
                    .map_err(|e| StorageError::io("move aside", &self.path, e))?;
                if matches!(err, StorageError::Corrupted { ref path, .. } if path == self.keys.path())
                {
                    self.keys.remove_if_unreadable()?;
                }
                fsio::sync_dir(&self.dir).map_err(|e| StorageError::io("sync", &self.dir, e))?;
                let empty = Arc::new(Snapshot::missing());
                self.store_cache(Arc::clone(&empty));
                Ok(empty)
            }
            other => other,
        }
    }

    /// A read that could not be served from the cache.
    fn slow_read(&self, key: &str) -> Result<Option<SecretString>, StorageError> {
        let snapshot = match self.snapshot() {
            Err(StorageError::Corrupted { .. } | StorageError::KeyUnavailable { .. })
                if self.on_corruption == CorruptionPolicy::Reset =>
            {
                self.locked(|| self.snapshot_for_write())?
            }
            other => other?,
        };
        Ok(snapshot.map.get(key).cloned())
    }

    /// Applies `change` under the lock and publishes the new file.
    fn commit(&self, change: Change) -> Result<(), StorageError> {
        self.locked(|| {
            let (base, generation) = match &change {
                Change::Batch(_) => {
                    let snapshot = self.snapshot_for_write()?;
                    (Some(Arc::clone(&snapshot.map)), snapshot.generation)
                }
                // Clearing needs no decryption, so it also recovers a corrupted file.
                Change::Clear => match Identity::at(&self.path) {
                    Ok(None) => return Ok(()),
                    _ => (None, self.generation_on_disk()),
                },
            };
            let map = match change {
                Change::Batch(batch) => {
                    let mut map = base.as_deref().cloned().unwrap_or_default();
                    if !apply(&mut map, batch) {
                        return Ok(());
                    }
                    map
                }
                Change::Clear => Map::new(),
            };
            let key = self.keys.load_or_create(true)?;
            let generation = generation.wrapping_add(1);
            let bytes = format::seal(&key, generation, &map).map_err(|err| match err {
                SealError::TooLarge => StorageError::ValueTooLarge {
                    limit: u32::MAX as usize,
                },
                SealError::Random => StorageError::io(
                    "encrypt",
                    &self.path,
                    io::Error::other("the operating system's random number generator failed"),
                ),
            })?;
            let file = self.replace_file(&bytes)?;
            let identity = Identity::of(
                &file
                    .metadata()
                    .map_err(|e| StorageError::io("stat", &self.path, e))?,
            );
            tracing::debug!(
                scope = %self.scope,
                generation,
                entries = map.len(),
                bytes = bytes.len(),
                "wrote the encrypted secure storage file"
            );
            self.store_cache(Arc::new(Snapshot {
                identity: Some(identity),
                generation,
                map: Arc::new(map),
                _handle: cfg!(unix).then_some(file),
            }));
            Ok(())
        })
    }

    /// The generation in the current file's header, without decrypting (0 when unreadable).
    fn generation_on_disk(&self) -> u64 {
        let mut header = [0u8; format::HEADER_LEN + 16];
        File::open(&self.path)
            .and_then(|mut f| f.read_exact(&mut header))
            .ok()
            .and_then(|()| format::parse_header(&header).ok())
            .map_or(0, |h| h.generation)
    }

    /// Atomically replaces the data file: temporary file (`0600`), fsync, rename, fsync of the
    /// directory. Returns the new file, still open. Only called under the lock, so the fixed
    /// temporary name is never used by two writers; a leftover from a killed writer is removed.
    fn replace_file(&self, bytes: &[u8]) -> Result<File, StorageError> {
        let tmp = &self.tmp_path;
        fsio::remove_if_exists(tmp).map_err(|e| StorageError::io("delete", tmp, e))?;
        let written = fsio::create_private_file(tmp).and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()?;
            Ok(file)
        });
        let file = match written {
            Ok(file) => file,
            Err(err) => {
                let _ = fs::remove_file(tmp);
                return Err(StorageError::io("write", tmp, err));
            }
        };
        if let Err(err) = fs::rename(tmp, &self.path) {
            let _ = fs::remove_file(tmp);
            return Err(StorageError::io("replace", &self.path, err));
        }
        fsio::sync_dir(&self.dir).map_err(|e| StorageError::io("sync", &self.dir, e))?;
        Ok(file)
    }

    fn reset(&self) -> Result<(), StorageError> {
        self.locked(|| {
            let removed = fsio::remove_if_exists(&self.path)
                .map_err(|e| StorageError::io("delete", &self.path, e))?;
            let key_removed = self.keys.remove_if_unreadable()?;
            fsio::sync_dir(&self.dir).map_err(|e| StorageError::io("sync", &self.dir, e))?;
            self.store_cache(Arc::new(Snapshot::missing()));
            tracing::info!(
                scope = %self.scope,
                removed,
                key_removed,
                "reset the encrypted secure storage"
            );
            Ok(())
        })
    }
}

/// Applies a batch to `map`; returns whether anything changed.
fn apply(map: &mut Map, batch: WriteBatch) -> bool {
    let mut changed = false;
    for op in batch.into_ops() {
        match op {
            BatchOp::Write { key, value } => {
                let same = map
                    .get(&key)
                    .is_some_and(|old| old.expose_secret() == value.expose_secret());
                if !same {
                    map.insert(key, value);
                    changed = true;
                }
            }
            BatchOp::Delete { key } => changed |= map.remove(&key).is_some(),
        }
    }
    changed
}

impl SecureStorage for EncryptedFileStorage {
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        self.write_batch(WriteBatch::new().write(key, value))
    }

    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
        Box::pin(async move {
            validate_key(key)?;
            if let Some(snapshot) = self.inner.fresh_cache() {
                return Ok(snapshot.map.get(key).cloned());
            }
            let inner = Arc::clone(&self.inner);
            let key = key.to_owned();
            run_blocking(move || inner.slow_read(&key))
                .instrument(
                    tracing::debug_span!("amplify.secure_storage.load", scope = %self.inner.scope),
                )
                .await
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        self.write_batch(WriteBatch::new().delete(key))
    }

    fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let inner = Arc::clone(&self.inner);
            run_blocking(move || inner.commit(Change::Clear))
                .instrument(tracing::debug_span!("amplify.secure_storage.remove_all", scope = %self.inner.scope))
                .await
        })
    }

    fn write_batch(&self, batch: WriteBatch) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            batch.validate()?;
            if batch.is_empty() {
                return Ok(());
            }
            let inner = Arc::clone(&self.inner);
            run_blocking(move || inner.commit(Change::Batch(batch)))
                .instrument(
                    tracing::debug_span!("amplify.secure_storage.write", scope = %self.inner.scope),
                )
                .await
        })
    }
}
