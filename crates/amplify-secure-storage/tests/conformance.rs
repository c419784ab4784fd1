//! The conformance suite against every backend that needs no OS service: in memory, the
//! encrypted file store, the platform default (which is the file store without the `keychain`
//! feature) and a user-supplied storage built from a closure, like Amplify's `InMemoryStorage`
//! example. The keychain runs the same suite in `tests/keychain.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs
)]

mod common;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use amplify_core::BoxFuture;
use amplify_secure_storage::{
    SecureStorage, SecureStorageFactory, SharedSecureStorage, StorageError, StorageScope,
    conformance,
};
use common::TempDir;
use secrecy::SecretString;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory() {
    conformance::run_all(&SecureStorageFactory::in_memory())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_file() {
    let dir = TempDir::new("conformance-file");
    conformance::run_all(&SecureStorageFactory::encrypted_file(dir.path()))
        .await
        .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn encrypted_file_on_a_current_thread_runtime() {
    let dir = TempDir::new("conformance-file-ct");
    conformance::run_all(&SecureStorageFactory::encrypted_file(dir.path()))
        .await
        .unwrap();
}

#[cfg(not(feature = "keychain"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_default_without_keychain_is_the_file_store() {
    let dir = TempDir::new("conformance-default");
    let factory = SecureStorageFactory::default_for_platform(
        amplify_secure_storage::SecureStorageOptions::new().directory(dir.path()),
    );
    conformance::run_all(&factory).await.unwrap();
    let storage = factory
        .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
        .unwrap();
    storage.write("k", SecretString::from("v")).await.unwrap();
    assert!(
        dir.path()
            .join("com.amplify.awsCognitoAuthPlugin.store")
            .exists()
    );
}

/// The seed's `InMemoryStorage`: one static map shared by every instance, keys prefixed with
/// the scope's name.
#[derive(Debug)]
struct SeedInMemoryStorage {
    scope: StorageScope,
}

fn seed_data() -> &'static Mutex<HashMap<String, SecretString>> {
    static DATA: OnceLock<Mutex<HashMap<String, SecretString>>> = OnceLock::new();
    DATA.get_or_init(Default::default)
}

impl SeedInMemoryStorage {
    fn new(scope: StorageScope) -> Self {
        SeedInMemoryStorage { scope }
    }

    fn full_key(&self, key: &str) -> String {
        format!("{}.{key}", self.scope.name())
    }
}

impl SecureStorage for SeedInMemoryStorage {
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            seed_data()
                .lock()
                .unwrap()
                .insert(self.full_key(key), value);
            Ok(())
        })
    }

    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
        Box::pin(async move {
            Ok(seed_data()
                .lock()
                .unwrap()
                .get(&self.full_key(key))
                .cloned())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            seed_data().lock().unwrap().remove(&self.full_key(key));
            Ok(())
        })
    }

    fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        let prefix = format!("{}.", self.scope.name());
        Box::pin(async move {
            seed_data()
                .lock()
                .unwrap()
                .retain(|key, _| !key.starts_with(&prefix));
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_storage_from_a_constructor() {
    let factory = SecureStorageFactory::from_fn(SeedInMemoryStorage::new);
    conformance::run_all(&factory).await.unwrap();
    assert_eq!(
        format!("{factory:?}"),
        r#"SecureStorageFactory { kind: "custom" }"#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_storage_from_a_fallible_closure() {
    let factory = SecureStorageFactory::new(|scope: &StorageScope| {
        if scope.name() == "refused" {
            return Err(StorageError::custom(std::io::Error::other(
                "no storage for this scope",
            )));
        }
        Ok(SharedSecureStorage::new(SeedInMemoryStorage::new(
            scope.clone(),
        )))
    });
    conformance::run_all(&factory).await.unwrap();
    let err = factory
        .create(&StorageScope::new("refused").unwrap())
        .unwrap_err();
    assert!(matches!(err, StorageError::Custom { .. }));
}
