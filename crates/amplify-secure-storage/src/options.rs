//! [`SecureStorageOptions`]: the built-in storage choices.

use std::path::{Path, PathBuf};

/// Where a [`SecureStorageFactory::from_options`](crate::SecureStorageFactory::from_options)
/// factory keeps secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Persistence {
    /// The OS keychain when it works (a real write/read/delete probe), else the encrypted file
    /// store. The choice is remembered, so credentials never seem to vanish when the keychain
    /// comes and goes (SSH sessions, a locked keyring): a scope that has an encrypted file
    /// keeps using it, and a scope that chose the keychain (recorded in an empty-of-secrets
    /// marker file `<namespace>.<scope>.uses-keychain` in the storage directory) keeps using
    /// the keychain and reports its failures as errors; delete the marker to choose again. The
    /// choice and its reason are logged (`info`, or `warn` for a fallback). On Windows, whose Credential Manager holds at most
    /// 2,560 bytes per item (less than an ID token), the encrypted file store is used with its
    /// key in the Credential Manager. Without the `keychain` feature this is the encrypted file
    /// store.
    #[default]
    PlatformDefault,
    /// The OS keychain only (needs the `keychain` feature); failures are errors, never a
    /// silent fallback.
    Keychain,
    /// The encrypted file store only.
    EncryptedFile,
    /// Process memory only: nothing is persisted (Amplify's `WebPersistenceOption.inMemory`).
    InMemory,
}

/// Where the encrypted file store keeps its 256-bit key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FileKeyLocation {
    /// In the OS keychain when it works (`keychain` feature), else in a `0600` key file next to
    /// the data. Decided once per directory, when the key is created, and remembered.
    #[default]
    Auto,
    /// In a `0600` key file (`amplify-storage.key`) in the storage directory. The data is then
    /// as safe as that file's permissions; the encryption still detects tampering and keeps
    /// secrets out of backups that copy only the data files.
    KeyFile,
    /// In the OS keychain (needs the `keychain` feature); creating the key fails if the
    /// keychain does not work.
    Keychain,
}

/// What the encrypted file store does with a file it cannot decrypt or parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CorruptionPolicy {
    /// Return [`StorageError::Corrupted`](crate::StorageError::Corrupted) (or
    /// [`KeyUnavailable`](crate::StorageError::KeyUnavailable)) from every operation until the
    /// scope is reset with `EncryptedFileStorage::reset` or `remove_all`.
    #[default]
    ReturnError,
    /// Log a warning, move the file aside (to `<file>.corrupted`) and start empty: the user is
    /// signed out instead of the app failing (Amplify's Android fix for corrupted stores).
    Reset,
}

/// Options for the built-in storages, used by
/// [`SecureStorageFactory::from_options`](crate::SecureStorageFactory::from_options).
///
/// # Examples
///
/// Keep credentials in memory only (the seed's web option):
///
/// ```
/// use amplify_secure_storage::{Persistence, SecureStorageFactory, SecureStorageOptions};
///
/// let factory = SecureStorageFactory::from_options(
///     SecureStorageOptions::default().persistence(Persistence::InMemory),
/// );
/// # let _ = factory;
/// ```
///
/// An app-specific namespace and directory for the encrypted file store:
///
/// ```
/// use amplify_secure_storage::{Persistence, SecureStorageOptions};
///
/// let options = SecureStorageOptions::default()
///     .persistence(Persistence::EncryptedFile)
///     .namespace("com.example.myapp")
///     .directory("/var/lib/myapp/credentials");
/// assert_eq!(options.get_namespace(), "com.example.myapp");
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SecureStorageOptions {
    persistence: Persistence,
    directory: Option<PathBuf>,
    namespace: Option<String>,
    file_key: FileKeyLocation,
    on_corruption: CorruptionPolicy,
}

impl SecureStorageOptions {
    /// The default options: [`Persistence::PlatformDefault`], the platform's data directory,
    /// namespace `com.amplify`, [`FileKeyLocation::Auto`], [`CorruptionPolicy::ReturnError`].
    pub fn new() -> Self {
        SecureStorageOptions::default()
    }

    /// Where secrets are kept.
    #[must_use]
    pub fn persistence(mut self, persistence: Persistence) -> Self {
        self.persistence = persistence;
        self
    }

    /// The configured [`Persistence`].
    pub fn get_persistence(&self) -> Persistence {
        self.persistence
    }

    /// The encrypted file store's directory. The default is `$XDG_DATA_HOME/amplify-rs`
    /// (`~/.local/share/amplify-rs`) on Linux and other Unix systems,
    /// `~/Library/Application Support/amplify-rs` on macOS and `%LOCALAPPDATA%\amplify-rs` on
    /// Windows. It is created with mode `0700` when missing.
    #[must_use]
    pub fn directory(mut self, directory: impl Into<PathBuf>) -> Self {
        self.directory = Some(directory.into());
        self
    }

    /// Sets or clears the encrypted file store's directory.
    pub fn set_directory(&mut self, directory: Option<PathBuf>) -> &mut Self {
        self.directory = directory;
        self
    }

    /// The configured directory, if one was set.
    pub fn get_directory(&self) -> Option<&Path> {
        self.directory.as_deref()
    }

    /// The prefix of every storage name: a scope is stored under `<namespace>.<scope>` (the
    /// keychain service and the file name). The default is Amplify's `com.amplify`; set your
    /// application's id so two apps of the same user never share credentials. Checked like a
    /// [`StorageScope`](crate::StorageScope) name when a storage is created.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Sets or clears the namespace.
    pub fn set_namespace(&mut self, namespace: Option<String>) -> &mut Self {
        self.namespace = namespace;
        self
    }

    /// The namespace in use (`com.amplify` unless set).
    pub fn get_namespace(&self) -> &str {
        self.namespace
            .as_deref()
            .unwrap_or(crate::DEFAULT_NAMESPACE)
    }

    /// Where the encrypted file store keeps its key.
    #[must_use]
    pub fn file_key(mut self, location: FileKeyLocation) -> Self {
        self.file_key = location;
        self
    }

    /// The configured [`FileKeyLocation`].
    pub fn get_file_key(&self) -> FileKeyLocation {
        self.file_key
    }

    /// What the encrypted file store does with a corrupted file.
    #[must_use]
    pub fn on_corruption(mut self, policy: CorruptionPolicy) -> Self {
        self.on_corruption = policy;
        self
    }

    /// The configured [`CorruptionPolicy`].
    pub fn get_on_corruption(&self) -> CorruptionPolicy {
        self.on_corruption
    }

    /// The directory the encrypted file store uses: the configured one, else the platform
    /// default (see [`directory`](Self::directory)).
    pub fn resolved_directory(&self) -> Option<PathBuf> {
        self.directory.clone().or_else(default_directory)
    }
}

/// The platform's per-user data directory plus `amplify-rs`, computed from environment
/// variables; `None` when they are unset.
///
/// ```
/// let dir = amplify_secure_storage::default_directory();
/// if let Some(dir) = dir {
///     assert!(dir.ends_with("amplify-rs"));
/// }
/// ```
pub fn default_directory() -> Option<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = if cfg!(windows) {
        absolute("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        absolute("HOME").map(|home| home.join("Library").join("Application Support"))
    } else {
        absolute("XDG_DATA_HOME")
            .or_else(|| absolute("HOME").map(|home| home.join(".local").join("share")))
    };
    base.map(|base| base.join("amplify-rs"))
}
