//! Secure storage for Amplify credentials: the [`SecureStorage`] interface (Amplify's
//! `SecureStorageInterface`), [scopes](StorageScope), a [factory](SecureStorageFactory) the
//! auth plugin takes, and three backends:
//!
//! | Backend | Type | Where secrets live |
//! |---|---|---|
//! | OS keychain (`keychain` feature) | `KeychainStorage` | macOS/iOS Keychain, Windows Credential Manager, Linux Secret Service |
//! | Encrypted file | [`EncryptedFileStorage`] | one XChaCha20-Poly1305 file per scope, key in the keychain or a `0600` key file |
//! | Memory | [`InMemorySecureStorage`] | the process, until it exits |
//!
//! The default ([`Persistence::PlatformDefault`]) is the OS keychain when it passes a
//! write/read/delete probe, else the encrypted file store, which works on headless Linux,
//! servers and CI. The choice and its reason are logged with `tracing` (never a secret).
//! Failures are [`StorageError`]s with a
//! [`recovery_suggestion`](amplify_core::AmplifyError::recovery_suggestion): a locked keyring
//! or a missing Secret Service is an error, never a silently dropped write or a `None` that
//! looks like "signed out", and a corrupted file is [`StorageError::Corrupted`], never a panic.
//!
//! # Example
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use amplify_secure_storage::{
//!     Persistence, SecureStorage, SecureStorageFactory, SecureStorageOptions, StorageScope, WriteBatch,
//! };
//! use secrecy::{ExposeSecret, SecretString};
//!
//! # let dir = std::env::temp_dir().join(format!("amplify-crate-doc-{}", std::process::id()));
//! // What the auth plugin does with the factory it was given.
//! let factory = SecureStorageFactory::from_options(
//!     SecureStorageOptions::new()
//!         .persistence(Persistence::EncryptedFile)
//!         .namespace("com.example.myapp")
//!         .directory(&dir),
//! );
//! let storage = factory.create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)?;
//!
//! // One sign-in's tokens, written atomically.
//! storage
//!     .write_batch(
//!         WriteBatch::new()
//!             .write("clientId.accessToken", SecretString::from("access"))
//!             .write("clientId.refreshToken", SecretString::from("refresh")),
//!     )
//!     .await?;
//! let refresh = storage.read("clientId.refreshToken").await?.expect("stored");
//! assert_eq!(refresh.expose_secret(), "refresh");
//! assert_eq!(format!("{refresh:?}"), "SecretBox<str>([REDACTED])");
//!
//! // Sign-out.
//! storage.remove_all().await?;
//! assert!(storage.read("clientId.refreshToken").await?.is_none());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), amplify_secure_storage::StorageError>(())
//! # }).unwrap();
//! ```
//!
//! Bring your own storage with [`SecureStorageFactory::new`] or
//! [`SecureStorageFactory::from_fn`] (see the factory's documentation for Amplify's
//! `InMemoryStorage` example in Rust).
//!
//! # Recovering from a corrupted file
//!
//! When the encrypted file fails authentication (it was truncated, edited or written with
//! another key), every operation returns [`StorageError::Corrupted`] with the file's path.
//! Call [`EncryptedFileStorage::reset`] (or [`SecureStorage::remove_all`]) for the scope, or
//! delete the file, and sign in again; or set [`CorruptionPolicy::Reset`] to have this done
//! automatically, with a warning in the log.
//!
//! # Features
//!
//! - `keychain`: the OS keychain backend (`KeychainStorage`,
//!   `SecureStorageFactory::keychain`), and keeping the encrypted file store's key in the
//!   keychain. Linux uses the Secret Service through pure-Rust zbus (no libdbus or libsecret
//!   needed at build or run time). Not a default feature: it adds about 60 crates.
//! - `test-util`: the `conformance` module, the test suite every built-in backend passes, to
//!   check a custom [`SecureStorage`] the same way.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod blocking;
#[cfg(any(test, feature = "test-util"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod conformance;
mod error;
mod factory;
mod file;
#[cfg(feature = "keychain")]
mod keychain;
mod memory;
mod options;
mod scope;
mod storage;

pub use error::{BoxError, StorageError};
pub use factory::SecureStorageFactory;
pub use file::{EncryptedFileStorage, KEY_FILE_NAME};
#[cfg(feature = "keychain")]
#[cfg_attr(docsrs, doc(cfg(feature = "keychain")))]
pub use keychain::KeychainStorage;
pub use memory::InMemorySecureStorage;
pub use options::{
    CorruptionPolicy, FileKeyLocation, Persistence, SecureStorageOptions, default_directory,
};
pub use scope::{DEFAULT_NAMESPACE, StorageScope, validate_key};
pub use storage::{BatchOp, SecureStorage, SharedSecureStorage, WriteBatch};

/// Compile-time checks that the public types can cross threads.
#[allow(dead_code)]
fn assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<SharedSecureStorage>();
    is::<SecureStorageFactory>();
    is::<EncryptedFileStorage>();
    is::<InMemorySecureStorage>();
    is::<StorageError>();
    is::<WriteBatch>();
    #[cfg(feature = "keychain")]
    is::<KeychainStorage>();
}
