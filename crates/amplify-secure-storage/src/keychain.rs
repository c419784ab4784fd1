//! The OS keychain backend: macOS/iOS Keychain, Windows Credential Manager, Linux Secret
//! Service, through `keyring-core` and its platform stores.

use std::fmt;
use std::sync::Arc;

use amplify_core::BoxFuture;
use secrecy::SecretString;
use tracing::Instrument;

use crate::blocking::run_blocking;
use crate::scope::validate_name;
use crate::{SecureStorage, SecureStorageOptions, StorageError, StorageScope, validate_key};

/// The key of the item [`KeychainStorage::probe`] writes, reads and deletes.
const PROBE_KEY: &str = "amplify-rs.keychain-probe";

/// Secrets in the OS keychain, one keychain item per key: service `<namespace>.<scope>` (for
/// example `com.amplify.awsCognitoAuthPlugin`, Amplify's layout) and account/user = the key.
///
/// | Platform | Store |
/// |---|---|
/// | Linux and other Unix | Secret Service over D-Bus (gnome-keyring, KWallet), pure Rust (zbus) |
/// | macOS | the login keychain (Security framework; no entitlement needed) |
/// | iOS | the data protection keychain |
/// | Windows | Credential Manager (at most 2,560 bytes per value) |
///
/// Every failure is an error: no Secret Service or session bus gives
/// [`StorageError::KeychainUnavailable`], a locked keyring or a refused prompt
/// [`StorageError::AccessDenied`]. A write never silently does nothing, and a read error is
/// never reported as "no value". The platform calls are synchronous; they run on tokio's
/// blocking pool when called inside a tokio runtime.
///
/// Batches ([`write_batch`](SecureStorage::write_batch)) are applied item by item, not
/// atomically; [`remove_all`](SecureStorage::remove_all) searches the keychain for the scope's
/// service.
///
/// # Examples
///
/// ```no_run
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_secure_storage::{KeychainStorage, SecureStorage, StorageScope};
/// use secrecy::SecretString;
///
/// let storage = KeychainStorage::new(StorageScope::AWS_COGNITO_AUTH_PLUGIN);
/// storage.probe().await?; // fails fast on a machine without a working keychain
/// storage.write("refreshToken", SecretString::from("rt-123")).await?;
/// # Ok::<(), amplify_secure_storage::StorageError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct KeychainStorage {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    scope: StorageScope,
    service: String,
}

impl KeychainStorage {
    /// The keychain storage of `scope` under the default namespace (`com.amplify`). Nothing
    /// is contacted until the first operation.
    pub fn new(scope: StorageScope) -> Self {
        let service = scope.service_name(crate::DEFAULT_NAMESPACE);
        KeychainStorage {
            inner: Arc::new(Inner { scope, service }),
        }
    }

    /// The keychain storage of `scope` under `options`' namespace.
    ///
    /// # Errors
    ///
    /// [`StorageError::InvalidScope`] for an invalid namespace.
    pub fn with_options(
        scope: StorageScope,
        options: &SecureStorageOptions,
    ) -> Result<Self, StorageError> {
        let namespace = options.get_namespace();
        validate_name(namespace)?;
        let service = scope.service_name(namespace);
        Ok(KeychainStorage {
            inner: Arc::new(Inner { scope, service }),
        })
    }

    /// The keychain service name of this scope, `<namespace>.<scope>`.
    pub fn service(&self) -> &str {
        &self.inner.service
    }

    /// Checks that the keychain works by writing, reading back and deleting a probe item.
    ///
    /// # Errors
    ///
    /// The error the keychain gives, typically [`StorageError::KeychainUnavailable`] or
    /// [`StorageError::AccessDenied`].
    pub async fn probe(&self) -> Result<(), StorageError> {
        let service = self.inner.service.clone();
        run_blocking(move || platform::probe(&service))
            .instrument(tracing::debug_span!("amplify.secure_storage.keychain_probe", scope = %self.inner.scope))
            .await
    }
}

impl fmt::Debug for KeychainStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeychainStorage")
            .field("service", &self.inner.service)
            .finish()
    }
}

impl SecureStorage for KeychainStorage {
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            validate_key(key)?;
            let (service, user) = (self.inner.service.clone(), key.to_owned());
            run_blocking(move || platform::set(&service, &user, &value))
                .instrument(tracing::debug_span!("amplify.secure_storage.keychain_write", scope = %self.inner.scope))
                .await
        })
    }

    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
        Box::pin(async move {
            validate_key(key)?;
            let (service, user) = (self.inner.service.clone(), key.to_owned());
            run_blocking(move || platform::get(&service, &user))
                .instrument(tracing::debug_span!("amplify.secure_storage.keychain_read", scope = %self.inner.scope))
                .await
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            validate_key(key)?;
            let (service, user) = (self.inner.service.clone(), key.to_owned());
            run_blocking(move || platform::delete(&service, &user))
                .instrument(tracing::debug_span!("amplify.secure_storage.keychain_delete", scope = %self.inner.scope))
                .await
        })
    }

    fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let service = self.inner.service.clone();
            run_blocking(move || platform::delete_all(&service))
                .instrument(tracing::debug_span!("amplify.secure_storage.keychain_remove_all", scope = %self.inner.scope))
                .await
        })
    }
}

/// Synchronous access to the platform's credential store, shared by [`KeychainStorage`] and
/// the encrypted file store's key handling.
pub(crate) mod platform {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, PoisonError};

    use keyring_core::api::CredentialStore;
    use keyring_core::{Entry, Error as KeyringError};
    use secrecy::{ExposeSecret, SecretString};

    use super::PROBE_KEY;
    use crate::StorageError;
    use crate::error::{Message, Reason};

    /// The process's connection to the platform store, made on first use. A failed connection
    /// is not remembered (the next call tries again); a connection whose calls fail with a
    /// platform error is dropped so the next call reconnects.
    static STORE: Mutex<Option<Arc<CredentialStore>>> = Mutex::new(None);

    fn store() -> Result<Arc<CredentialStore>, StorageError> {
        let mut guard = STORE.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(store) = guard.as_ref() {
            return Ok(Arc::clone(store));
        }
        let store = connect().map_err(|err| match err {
            KeyringError::NoStorageAccess(source) => StorageError::AccessDenied {
                source: Some(source),
            },
            KeyringError::PlatformFailure(source) => StorageError::KeychainUnavailable {
                source: Some(source),
            },
            other => StorageError::KeychainUnavailable {
                source: Some(Box::new(Message(other.to_string()))),
            },
        })?;
        *guard = Some(Arc::clone(&store));
        Ok(store)
    }

    fn forget_store() {
        *STORE.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    #[cfg(target_os = "macos")]
    fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(apple_native_keyring_store::keychain::Store::new()?)
    }

    #[cfg(target_os = "ios")]
    fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(apple_native_keyring_store::protected::Store::new()?)
    }

    #[cfg(target_os = "windows")]
    fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(windows_native_keyring_store::Store::new()?)
    }

    #[cfg(target_os = "linux")]
    fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(zbus_secret_service_keyring_store::Store::new()?)
    }

    #[cfg(not(any(
        target_os = "linux",
        target_os = "macos",
        target_os = "ios",
        target_os = "windows"
    )))]
    fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        Err(KeyringError::NotSupportedByStore(
            "amplify-secure-storage has no OS keychain for this platform".to_owned(),
        ))
    }

    /// Maps a keyring error to a [`StorageError`], dropping any secret bytes it carries.
    fn map_err(err: KeyringError) -> StorageError {
        let keychain = |text: String| StorageError::Keychain {
            source: Box::new(Message(text)),
        };
        match err {
            KeyringError::NoStorageAccess(source) => StorageError::AccessDenied {
                source: Some(source),
            },
            KeyringError::PlatformFailure(source) => {
                forget_store();
                StorageError::Keychain { source }
            }
            KeyringError::TooLong(name, limit) => {
                if name.contains("password") || name.contains("secret") {
                    StorageError::ValueTooLarge {
                        limit: usize::try_from(limit).unwrap_or(usize::MAX),
                    }
                } else {
                    StorageError::InvalidKey {
                        reason: "the key or namespace is longer than the OS keychain allows",
                    }
                }
            }
            KeyringError::Invalid(..) => StorageError::InvalidKey {
                reason: "the OS keychain rejected the key or namespace",
            },
            KeyringError::BadEncoding(_) => {
                keychain("the keychain item is not UTF-8 text".to_owned())
            }
            KeyringError::BadDataFormat(..) => {
                keychain("the keychain item is malformed".to_owned())
            }
            KeyringError::Ambiguous(items) => {
                keychain(format!("{} keychain items match the key", items.len()))
            }
            KeyringError::NoEntry => keychain("the keychain item does not exist".to_owned()),
            other => keychain(other.to_string()),
        }
    }

    /// Serializes this process's keychain calls: a keyring write is a search followed by a
    /// create or update, and two of them racing on one key could create duplicate items.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn entry(service: &str, user: &str) -> Result<Entry, StorageError> {
        store()?.build(service, user, None).map_err(map_err)
    }

    pub(crate) fn set(service: &str, user: &str, value: &SecretString) -> Result<(), StorageError> {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        entry(service, user)?
            .set_password(value.expose_secret())
            .map_err(map_err)
    }

    pub(crate) fn get(service: &str, user: &str) -> Result<Option<SecretString>, StorageError> {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        match entry(service, user)?.get_password() {
            Ok(password) => Ok(Some(SecretString::from(password))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(err) => Err(map_err(err)),
        }
    }

    pub(crate) fn delete(service: &str, user: &str) -> Result<(), StorageError> {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        match entry(service, user)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(err) => Err(map_err(err)),
        }
    }

    pub(crate) fn delete_all(service: &str) -> Result<(), StorageError> {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let store = store()?;
        #[cfg(target_os = "windows")]
        let pattern = format!(r"^.*\.{}$", service.replace('.', r"\.").replace('-', r"\-"));
        let mut spec = HashMap::new();
        #[cfg(target_os = "windows")]
        spec.insert("pattern", pattern.as_str());
        #[cfg(not(target_os = "windows"))]
        spec.insert("service", service);
        let entries = store.search(&spec).map_err(map_err)?;
        for entry in entries {
            // Stores that know the specifiers of a found item let us double-check the service.
            // (Not on Windows: its store splits `<key>.<service>` target names at the last dot,
            // so keys with dots get wrong specifiers; the anchored pattern already matched.)
            #[cfg(not(target_os = "windows"))]
            if entry
                .get_specifiers()
                .is_some_and(|(found, _)| found != service)
            {
                continue;
            }
            match entry.delete_credential() {
                Ok(()) | Err(KeyringError::NoEntry) => {}
                Err(err) => return Err(map_err(err)),
            }
        }
        Ok(())
    }

    pub(crate) fn probe(service: &str) -> Result<(), StorageError> {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|_| StorageError::Keychain {
            source: Box::new(Reason(
                "the operating system's random number generator failed",
            )),
        })?;
        let value = SecretString::from(crate::file::hex(&nonce));
        set(service, PROBE_KEY, &value)?;
        let back = get(service, PROBE_KEY);
        let deleted = delete(service, PROBE_KEY);
        match back? {
            Some(back) if back.expose_secret() == value.expose_secret() => deleted,
            _ => Err(StorageError::KeychainUnavailable {
                source: Some(Box::new(Reason(
                    "the keychain did not return the value just written (writes are dropped)",
                ))),
            }),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// keyring-core reports a locked keyring and a refused permission as `NoStorageAccess`,
        /// and a missing or broken service as `PlatformFailure`: each is a typed error.
        #[test]
        fn locked_denied_and_unavailable_stores_are_typed_errors() {
            let locked = map_err(KeyringError::NoStorageAccess(Box::new(
                std::io::Error::other("the collection is locked"),
            )));
            assert!(
                matches!(locked, StorageError::AccessDenied { .. }),
                "{locked:?}"
            );
            let denied = map_err(KeyringError::NoStorageAccess(Box::new(
                std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied"),
            )));
            assert!(
                matches!(denied, StorageError::AccessDenied { .. }),
                "{denied:?}"
            );
            let broken = map_err(KeyringError::PlatformFailure(Box::new(
                std::io::Error::other("no reply from the Secret Service"),
            )));
            assert!(
                matches!(broken, StorageError::Keychain { .. }),
                "{broken:?}"
            );
            for e in [&locked, &denied, &broken] {
                assert!(amplify_core::AmplifyError::recovery_suggestion(e).is_some());
            }
        }
    }
}
