//! [`StorageError`], the one error type of this crate.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use amplify_core::AmplifyError;
/// A boxed error that can be the `source()` of a [`StorageError`] (amplify-core's, re-exported).
pub use amplify_core::BoxError;

/// Everything that can go wrong while storing or loading secrets.
///
/// The message (`Display`) never contains a secret value, a storage key or the text of the
/// underlying error: the cause is chained through [`source()`](StdError::source), so log the
/// whole chain with [`amplify_core::DisplayErrorContext`]. What to do about an error is in
/// [`AmplifyError::recovery_suggestion`].
///
/// # Examples
///
/// ```
/// use amplify_core::AmplifyError;
/// use amplify_secure_storage::StorageError;
///
/// let err = StorageError::corrupted("/tmp/x/com.amplify.awsCognitoAuthPlugin.store");
/// assert!(matches!(err, StorageError::Corrupted { .. }));
/// assert!(err.recovery_suggestion().unwrap().contains("reset"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The storage key is empty, too long or contains control characters.
    #[error("invalid storage key: {reason}")]
    #[non_exhaustive]
    InvalidKey {
        /// Why the key was rejected.
        reason: &'static str,
    },

    /// A scope or namespace name is empty, too long or contains characters other than ASCII
    /// letters, digits, `.`, `_` and `-`.
    #[error("invalid storage scope or namespace: {reason}")]
    #[non_exhaustive]
    InvalidScope {
        /// Why the name was rejected.
        reason: &'static str,
    },

    /// The encrypted file (or its key file) exists but cannot be decrypted or parsed: it was
    /// truncated, tampered with, or written with another key. No value from it is returned.
    #[error("the secure storage file {} is corrupted or was tampered with", path.display())]
    #[non_exhaustive]
    Corrupted {
        /// The damaged file.
        path: PathBuf,
        /// What exactly failed, when there is more to say than "authentication failed".
        #[source]
        source: Option<BoxError>,
    },

    /// The encrypted file store's key cannot be found (its key file was deleted, or the
    /// keychain entry holding it is gone) although encrypted data exists.
    #[error("the key of the encrypted secure storage in {} is missing", path.display())]
    #[non_exhaustive]
    KeyUnavailable {
        /// The key file (or the data directory when the key lives in the keychain).
        path: PathBuf,
        /// Why the key could not be loaded, when known.
        #[source]
        source: Option<BoxError>,
    },

    /// A file system operation failed.
    #[error("secure storage could not {operation} {}", path.display())]
    #[non_exhaustive]
    Io {
        /// What was being done (for example `write`, `lock`, `create directory`).
        operation: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// No directory for the encrypted file store was given and none could be derived from the
    /// environment (`XDG_DATA_HOME`/`HOME` on Unix, `LOCALAPPDATA` on Windows).
    #[error("no data directory for the encrypted secure storage could be determined")]
    NoDirectory,

    /// The OS keychain cannot be reached: on Linux no Secret Service provider (gnome-keyring,
    /// KWallet) runs on the D-Bus session bus, or there is no session bus at all.
    #[error("the OS keychain is not available")]
    #[non_exhaustive]
    KeychainUnavailable {
        /// The platform's error.
        #[source]
        source: Option<BoxError>,
    },

    /// The OS keychain refused access: the keyring is locked, the user declined the prompt,
    /// or the application lacks the entitlement (macOS error -34018).
    #[error("access to the OS keychain was denied")]
    #[non_exhaustive]
    AccessDenied {
        /// The platform's error.
        #[source]
        source: Option<BoxError>,
    },

    /// The value is larger than the backend accepts (Windows Credential Manager items hold at
    /// most 2,560 bytes).
    #[error("the value is larger than the storage backend accepts ({limit} bytes)")]
    #[non_exhaustive]
    ValueTooLarge {
        /// The backend's limit in bytes.
        limit: usize,
    },

    /// Any other failure reported by the OS keychain.
    #[error("the OS keychain reported an error")]
    #[non_exhaustive]
    Keychain {
        /// The platform's error (with any secret bytes removed).
        #[source]
        source: BoxError,
    },

    /// The requested backend needs a cargo feature this build does not have.
    #[error("this build of amplify-secure-storage lacks the `{feature}` feature")]
    #[non_exhaustive]
    FeatureDisabled {
        /// The missing cargo feature.
        feature: &'static str,
    },

    /// A background storage task stopped unexpectedly (it panicked or its runtime shut down).
    #[error("a secure storage task did not complete")]
    #[non_exhaustive]
    TaskFailed {
        /// The runtime's error.
        #[source]
        source: BoxError,
    },

    /// An error from a custom [`SecureStorage`](crate::SecureStorage) implementation.
    #[error("the custom secure storage failed")]
    #[non_exhaustive]
    Custom {
        /// The implementation's error.
        #[source]
        source: BoxError,
    },
}

impl StorageError {
    /// An error for a custom [`SecureStorage`](crate::SecureStorage) implementation to return.
    ///
    /// ```
    /// use amplify_secure_storage::StorageError;
    ///
    /// let err = StorageError::custom(std::io::Error::other("database offline"));
    /// assert_eq!(err.to_string(), "the custom secure storage failed");
    /// ```
    pub fn custom(source: impl Into<BoxError>) -> Self {
        StorageError::Custom {
            source: source.into(),
        }
    }

    /// A [`StorageError::Corrupted`] for `path`, for custom file-based storages.
    pub fn corrupted(path: impl Into<PathBuf>) -> Self {
        StorageError::Corrupted {
            path: path.into(),
            source: None,
        }
    }

    pub(crate) fn corrupted_because(path: &Path, reason: &'static str) -> Self {
        StorageError::Corrupted {
            path: path.to_owned(),
            source: Some(Box::new(Reason(reason))),
        }
    }

    pub(crate) fn io(operation: &'static str, path: &Path, source: io::Error) -> Self {
        StorageError::Io {
            operation,
            path: path.to_owned(),
            source,
        }
    }

    /// The file this error is about, for [`Corrupted`](Self::Corrupted),
    /// [`KeyUnavailable`](Self::KeyUnavailable) and [`Io`](Self::Io) errors.
    pub fn path(&self) -> Option<&Path> {
        match self {
            StorageError::Corrupted { path, .. }
            | StorageError::KeyUnavailable { path, .. }
            | StorageError::Io { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl AmplifyError for StorageError {
    fn recovery_suggestion(&self) -> Option<String> {
        let text = match self {
            StorageError::InvalidKey { .. } => {
                "Use a non-empty key of at most 1,024 bytes without control characters.".to_owned()
            }
            StorageError::InvalidScope { .. } => {
                "Use 1 to 100 ASCII letters, digits, `.`, `_` or `-`, not starting with `.`.".to_owned()
            }
            StorageError::Corrupted { path, .. } => format!(
                "The stored credentials cannot be recovered. Call `EncryptedFileStorage::reset()` (or \
                 `remove_all()`) for this scope, or delete {} yourself, then sign in again. Set \
                 `SecureStorageOptions::on_corruption(CorruptionPolicy::Reset)` to do this automatically.",
                path.display()
            ),
            StorageError::KeyUnavailable { path, .. } => format!(
                "Restore the key ({}) from a backup, or call `EncryptedFileStorage::reset()` to delete the \
                 unreadable data and sign in again.",
                path.display()
            ),
            StorageError::Io { path, source, .. } => match source.kind() {
                io::ErrorKind::PermissionDenied => format!(
                    "Make {} readable and writable by the current user, or choose another directory with \
                     `SecureStorageOptions::directory`.",
                    path.display()
                ),
                io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                    "Free some disk space and try again.".to_owned()
                }
                _ => format!("Check that {} is on a writable local file system.", path.display()),
            },
            StorageError::NoDirectory => {
                "Set `HOME` (or `XDG_DATA_HOME`), or choose a directory with `SecureStorageOptions::directory`."
                    .to_owned()
            }
            StorageError::KeychainUnavailable { .. } => {
                "On Linux start a Secret Service provider (gnome-keyring or KWallet) in a D-Bus session and \
                 unlock it, or use `Persistence::EncryptedFile` (the platform default falls back to it by itself)."
                    .to_owned()
            }
            StorageError::AccessDenied { .. } => {
                "Unlock the keyring (for example `gnome-keyring-daemon --unlock`) or accept the keychain prompt; \
                 on macOS check the app's keychain entitlements."
                    .to_owned()
            }
            StorageError::ValueTooLarge { .. } => {
                "Use `Persistence::EncryptedFile`, which has no size limit per value.".to_owned()
            }
            StorageError::Keychain { .. } => {
                "Check the OS keychain (Keychain Access, Credential Manager or `secret-tool`), or use \
                 `Persistence::EncryptedFile`."
                    .to_owned()
            }
            StorageError::FeatureDisabled { feature } => {
                format!("Enable the `{feature}` feature of amplify-secure-storage.")
            }
            StorageError::TaskFailed { .. } => "Retry the operation; keep the async runtime alive while it runs.".to_owned(),
            StorageError::Custom { .. } => return None,
        };
        Some(text)
    }

    fn is_retryable(&self) -> bool {
        match self {
            StorageError::Io { source, .. } => matches!(
                source.kind(),
                io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            StorageError::AccessDenied { .. } | StorageError::TaskFailed { .. } => true,
            _ => false,
        }
    }
}

/// A static description used as the `source()` of an error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reason(pub(crate) &'static str);

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for Reason {}

/// An owned description used as the `source()` of an error whose original error may hold
/// secret bytes in its `Debug` output.
#[derive(Debug, Clone)]
pub(crate) struct Message(pub(crate) String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_never_interpolates_the_source() {
        let err = StorageError::io(
            "write",
            Path::new("/x/y"),
            io::Error::other("secret-detail"),
        );
        assert!(!err.to_string().contains("secret-detail"));
        assert!(err.source().unwrap().to_string().contains("secret-detail"));
    }

    #[test]
    fn every_variant_has_a_suggestion_except_custom() {
        let errors = [
            StorageError::InvalidKey { reason: "empty" },
            StorageError::InvalidScope { reason: "empty" },
            StorageError::corrupted("/x"),
            StorageError::KeyUnavailable {
                path: "/x".into(),
                source: None,
            },
            StorageError::io(
                "write",
                Path::new("/x"),
                io::Error::from(io::ErrorKind::PermissionDenied),
            ),
            StorageError::NoDirectory,
            StorageError::KeychainUnavailable { source: None },
            StorageError::AccessDenied { source: None },
            StorageError::ValueTooLarge { limit: 2560 },
            StorageError::Keychain {
                source: Box::new(Reason("x")),
            },
            StorageError::FeatureDisabled {
                feature: "keychain",
            },
            StorageError::TaskFailed {
                source: Box::new(Reason("x")),
            },
        ];
        for err in &errors {
            assert!(err.recovery_suggestion().is_some(), "{err:?}");
            assert_eq!(err.message(), err.to_string());
        }
        assert!(
            StorageError::custom(Reason("x"))
                .recovery_suggestion()
                .is_none()
        );
        assert!(StorageError::AccessDenied { source: None }.is_retryable());
        assert!(!StorageError::corrupted("/x").is_retryable());
        assert_eq!(StorageError::corrupted("/x").path(), Some(Path::new("/x")));
    }
}
