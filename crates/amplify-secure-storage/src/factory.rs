//! [`SecureStorageFactory`]: how a plugin gets the storage of its scope.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use amplify_core::BoxFuture;
use secrecy::SecretString;

use crate::{
    EncryptedFileStorage, InMemorySecureStorage, Persistence, SecureStorage, SecureStorageOptions,
    SharedSecureStorage, StorageError, StorageScope, WriteBatch,
};

type CreateFn = dyn Fn(&StorageScope) -> Result<SharedSecureStorage, StorageError> + Send + Sync;

/// Builds the [`SecureStorage`] of a [`StorageScope`]: Amplify's `SecureStorageFactory`. The
/// auth plugin takes one and calls [`create`](Self::create) with its scope
/// ([`StorageScope::AWS_COGNITO_AUTH_PLUGIN`]).
///
/// Cheap to clone (clones share everything). The built-in factories hand out one storage per
/// scope and return the same storage when asked again; a custom closure is called every time.
///
/// # Examples
///
/// The built-in choices:
///
/// ```
/// use amplify_secure_storage::{Persistence, SecureStorageFactory, SecureStorageOptions};
///
/// let platform = SecureStorageFactory::default(); // keychain if it works, else encrypted file
/// let memory = SecureStorageFactory::in_memory();
/// let files = SecureStorageFactory::encrypted_file("/var/lib/myapp/credentials");
/// let custom = SecureStorageFactory::from_options(
///     SecureStorageOptions::new().persistence(Persistence::EncryptedFile).namespace("com.example.app"),
/// );
/// # let _ = (platform, memory, files, custom);
/// ```
///
/// Your own storage, as in Amplify's `AmplifyAuthCognito(secureStorageFactory: InMemoryStorage.new)`:
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::collections::HashMap;
/// use std::sync::{Arc, Mutex, OnceLock};
/// use amplify_core::BoxFuture;
/// use amplify_secure_storage::{SecureStorage, SecureStorageFactory, StorageError, StorageScope};
/// use secrecy::{ExposeSecret, SecretString};
///
/// /// Like the seed's `InMemoryStorage`: one static map, keys prefixed with the scope's name.
/// #[derive(Debug)]
/// struct InMemoryStorage {
///     scope: StorageScope,
/// }
///
/// fn data() -> &'static Mutex<HashMap<String, SecretString>> {
///     static DATA: OnceLock<Mutex<HashMap<String, SecretString>>> = OnceLock::new();
///     DATA.get_or_init(Default::default)
/// }
///
/// impl InMemoryStorage {
///     fn new(scope: StorageScope) -> Self {
///         InMemoryStorage { scope }
///     }
///     fn full_key(&self, key: &str) -> String {
///         format!("{}.{key}", self.scope.name())
///     }
/// }
///
/// impl SecureStorage for InMemoryStorage {
///     fn write<'a>(&'a self, key: &'a str, value: SecretString) -> BoxFuture<'a, Result<(), StorageError>> {
///         Box::pin(async move {
///             data().lock().unwrap().insert(self.full_key(key), value);
///             Ok(())
///         })
///     }
///     fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
///         Box::pin(async move { Ok(data().lock().unwrap().get(&self.full_key(key)).cloned()) })
///     }
///     fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
///         Box::pin(async move {
///             data().lock().unwrap().remove(&self.full_key(key));
///             Ok(())
///         })
///     }
///     fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
///         let prefix = format!("{}.", self.scope.name());
///         Box::pin(async move {
///             data().lock().unwrap().retain(|k, _| !k.starts_with(&prefix));
///             Ok(())
///         })
///     }
/// }
///
/// let factory = SecureStorageFactory::from_fn(InMemoryStorage::new);
/// let storage = factory.create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)?;
/// storage.write("accessToken", SecretString::from("at")).await?;
/// assert_eq!(storage.read("accessToken").await?.unwrap().expose_secret(), "at");
/// # Ok::<(), StorageError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct SecureStorageFactory {
    create: Arc<CreateFn>,
    kind: &'static str,
}

impl SecureStorageFactory {
    /// A factory from a fallible closure.
    pub fn new<F>(create: F) -> Self
    where
        F: Fn(&StorageScope) -> Result<SharedSecureStorage, StorageError> + Send + Sync + 'static,
    {
        SecureStorageFactory {
            create: Arc::new(create),
            kind: "custom",
        }
    }

    /// A factory from a storage constructor taking the scope, such as `MyStorage::new`.
    pub fn from_fn<F, S>(constructor: F) -> Self
    where
        F: Fn(StorageScope) -> S + Send + Sync + 'static,
        S: SecureStorage + 'static,
    {
        SecureStorageFactory::new(move |scope| {
            Ok(SharedSecureStorage::new(constructor(scope.clone())))
        })
    }

    /// Storages that keep everything in process memory ([`InMemorySecureStorage`]). Each scope
    /// has its own storage; asking for a scope again returns the same data.
    pub fn in_memory() -> Self {
        SecureStorageFactory::from_options(
            SecureStorageOptions::new().persistence(Persistence::InMemory),
        )
    }

    /// [`EncryptedFileStorage`]s in `directory`, with the default namespace, key location and
    /// corruption policy.
    pub fn encrypted_file(directory: impl Into<PathBuf>) -> Self {
        SecureStorageFactory::from_options(
            SecureStorageOptions::new()
                .persistence(Persistence::EncryptedFile)
                .directory(directory),
        )
    }

    /// [`KeychainStorage`](crate::KeychainStorage)s in the OS keychain, with no fallback.
    #[cfg(feature = "keychain")]
    #[cfg_attr(docsrs, doc(cfg(feature = "keychain")))]
    pub fn keychain() -> Self {
        SecureStorageFactory::from_options(
            SecureStorageOptions::new().persistence(Persistence::Keychain),
        )
    }

    /// The platform's default choice ([`Persistence::PlatformDefault`]: the OS keychain when it
    /// works, else the encrypted file store) with the other settings of `options`.
    pub fn default_for_platform(options: SecureStorageOptions) -> Self {
        SecureStorageFactory::from_options(options.persistence(Persistence::PlatformDefault))
    }

    /// The built-in storage `options` describe.
    pub fn from_options(options: SecureStorageOptions) -> Self {
        let kind = match options.get_persistence() {
            Persistence::InMemory => "in_memory",
            Persistence::EncryptedFile => "encrypted_file",
            Persistence::Keychain => "keychain",
            Persistence::PlatformDefault => "platform_default",
        };
        let created: Mutex<HashMap<StorageScope, SharedSecureStorage>> = Mutex::new(HashMap::new());
        SecureStorageFactory {
            create: Arc::new(move |scope| {
                let mut created = created.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(storage) = created.get(scope) {
                    return Ok(storage.clone());
                }
                let storage = build(scope, &options)?;
                created.insert(scope.clone(), storage.clone());
                Ok(storage)
            }),
            kind,
        }
    }

    /// The storage of `scope`.
    ///
    /// # Errors
    ///
    /// Whatever the factory reports; for the built-in ones an invalid namespace
    /// ([`StorageError::InvalidScope`]), no data directory ([`StorageError::NoDirectory`]) or
    /// a missing cargo feature ([`StorageError::FeatureDisabled`]). Backend failures surface
    /// from the storage's operations.
    pub fn create(&self, scope: &StorageScope) -> Result<SharedSecureStorage, StorageError> {
        (self.create)(scope)
    }
}

impl Default for SecureStorageFactory {
    /// [`Persistence::PlatformDefault`] with default options.
    fn default() -> Self {
        SecureStorageFactory::from_options(SecureStorageOptions::default())
    }
}

impl fmt::Debug for SecureStorageFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureStorageFactory")
            .field("kind", &self.kind)
            .finish()
    }
}

impl<F> From<F> for SecureStorageFactory
where
    F: Fn(&StorageScope) -> Result<SharedSecureStorage, StorageError> + Send + Sync + 'static,
{
    fn from(create: F) -> Self {
        SecureStorageFactory::new(create)
    }
}

fn build(
    scope: &StorageScope,
    options: &SecureStorageOptions,
) -> Result<SharedSecureStorage, StorageError> {
    Ok(match options.get_persistence() {
        Persistence::InMemory => {
            crate::scope::validate_name(options.get_namespace())?;
            SharedSecureStorage::new(InMemorySecureStorage::new())
        }
        Persistence::EncryptedFile => {
            SharedSecureStorage::new(EncryptedFileStorage::with_options(scope.clone(), options)?)
        }
        #[cfg(feature = "keychain")]
        Persistence::Keychain => SharedSecureStorage::new(crate::KeychainStorage::with_options(
            scope.clone(),
            options,
        )?),
        #[cfg(not(feature = "keychain"))]
        Persistence::Keychain => {
            return Err(StorageError::FeatureDisabled {
                feature: "keychain",
            });
        }
        Persistence::PlatformDefault => {
            SharedSecureStorage::new(PlatformDefaultStorage::new(scope, options)?)
        }
    })
}

/// [`Persistence::PlatformDefault`]: picks the backend on first use (the keychain probe is a
/// D-Bus round trip on Linux, so it is not done in [`SecureStorageFactory::create`]) and then
/// sticks to it.
struct PlatformDefaultStorage {
    scope: StorageScope,
    file: EncryptedFileStorage,
    #[cfg_attr(not(feature = "keychain"), allow(dead_code))]
    options: SecureStorageOptions,
    chosen: tokio::sync::OnceCell<SharedSecureStorage>,
}

impl PlatformDefaultStorage {
    fn new(scope: &StorageScope, options: &SecureStorageOptions) -> Result<Self, StorageError> {
        Ok(PlatformDefaultStorage {
            scope: scope.clone(),
            file: EncryptedFileStorage::with_options(scope.clone(), options)?,
            options: options.clone(),
            chosen: tokio::sync::OnceCell::new(),
        })
    }

    async fn storage(&self) -> Result<&SharedSecureStorage, StorageError> {
        self.chosen.get_or_try_init(|| self.choose()).await
    }

    #[cfg(any(not(feature = "keychain"), target_os = "windows"))]
    async fn choose(&self) -> Result<SharedSecureStorage, StorageError> {
        tracing::info!(
            scope = %self.scope,
            backend = "encrypted_file",
            path = %self.file.path().display(),
            reason = if cfg!(feature = "keychain") {
                "Windows Credential Manager items are too small for tokens; the file's key is kept there"
            } else {
                "built without the `keychain` feature"
            },
            "chose the secure storage backend"
        );
        Ok(SharedSecureStorage::new(self.file.clone()))
    }

    #[cfg(all(feature = "keychain", not(target_os = "windows")))]
    async fn choose(&self) -> Result<SharedSecureStorage, StorageError> {
        use crate::KeychainStorage;

        let file = self.file.clone();
        let marker = file.path().with_extension("uses-keychain");
        let (has_file, has_marker) = {
            let (path, marker) = (file.path().to_owned(), marker.clone());
            crate::blocking::run_blocking(move || Ok((path.exists(), marker.exists()))).await?
        };
        let keychain = KeychainStorage::with_options(self.scope.clone(), &self.options)?;
        if has_file {
            tracing::info!(
                scope = %self.scope,
                backend = "encrypted_file",
                path = %file.path().display(),
                reason = "the encrypted file already holds this scope's data",
                "chose the secure storage backend"
            );
            return Ok(SharedSecureStorage::new(file));
        }
        if has_marker {
            tracing::info!(
                scope = %self.scope,
                backend = "keychain",
                service = keychain.service(),
                reason = "this scope's data is in the OS keychain",
                marker = %marker.display(),
                "chose the secure storage backend"
            );
            return Ok(SharedSecureStorage::new(keychain));
        }
        match keychain.probe().await {
            Ok(()) => {
                let dir = file.path().parent().map(ToOwned::to_owned);
                let marker_path = marker.clone();
                crate::blocking::run_blocking(move || write_marker(dir.as_deref(), &marker_path))
                    .await?;
                tracing::info!(
                    scope = %self.scope,
                    backend = "keychain",
                    service = keychain.service(),
                    reason = "the OS keychain passed a write/read/delete probe",
                    marker = %marker.display(),
                    "chose the secure storage backend"
                );
                Ok(SharedSecureStorage::new(keychain))
            }
            Err(err) => {
                tracing::warn!(
                    scope = %self.scope,
                    backend = "encrypted_file",
                    path = %file.path().display(),
                    reason = "the OS keychain failed its probe",
                    error = %amplify_core::DisplayErrorContext(&err),
                    "chose the secure storage backend"
                );
                // The keychain just failed: do not try it again for the file's key (a key
                // created earlier keeps its location whatever this says).
                let file = if self.options.get_file_key() == crate::FileKeyLocation::Auto {
                    EncryptedFileStorage::with_options(
                        self.scope.clone(),
                        &self
                            .options
                            .clone()
                            .file_key(crate::FileKeyLocation::KeyFile),
                    )?
                } else {
                    file
                };
                Ok(SharedSecureStorage::new(file))
            }
        }
    }
}

/// Records that a scope lives in the keychain, so a keychain that stops working later gives
/// errors instead of an empty file store (which would look like a sign-out).
#[cfg(all(feature = "keychain", not(target_os = "windows")))]
fn write_marker(
    dir: Option<&std::path::Path>,
    marker: &std::path::Path,
) -> Result<(), StorageError> {
    use std::io::Write;
    if let Some(dir) = dir {
        crate::file::create_private_dir(dir)
            .map_err(|e| StorageError::io("create directory", dir, e))?;
    }
    let mut file = match crate::file::create_private_file(marker) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(err) => return Err(StorageError::io("create", marker, err)),
    };
    file.write_all(
        b"This scope's secrets are in the OS keychain. Delete this file to let amplify-rs choose again.\n",
    )
    .and_then(|()| file.sync_all())
    .map_err(|e| StorageError::io("write", marker, e))
}

impl fmt::Debug for PlatformDefaultStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformDefaultStorage")
            .field("scope", &self.scope.name())
            .field("chosen", &self.chosen.get())
            .finish_non_exhaustive()
    }
}

impl SecureStorage for PlatformDefaultStorage {
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move { self.storage().await?.write(key, value).await })
    }

    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
        Box::pin(async move { self.storage().await?.read(key).await })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move { self.storage().await?.delete(key).await })
    }

    fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move { self.storage().await?.remove_all().await })
    }

    fn write_batch(&self, batch: WriteBatch) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move { self.storage().await?.write_batch(batch).await })
    }
}
