//! No secret value (and no storage key, which may name a user) appears in any `Debug` output
//! or in anything logged through `tracing`, on every backend and every error path.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs
)]

mod common;

use amplify_core::test_util::capture_logs;
use amplify_secure_storage::{
    BatchOp, CorruptionPolicy, EncryptedFileStorage, InMemorySecureStorage, Persistence,
    SecureStorage, SecureStorageFactory, SecureStorageOptions, SharedSecureStorage, StorageScope,
    WriteBatch,
};
use common::TempDir;
use secrecy::{ExposeSecret, SecretString};

const SECRET: &str = "sekrit-7f3a9c-refresh-token";
const KEY: &str = "clientId.alice@example.com.refreshToken";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} shows the secret: {text}");
    assert!(
        !text.contains("alice@example.com"),
        "{what} shows the key: {text}"
    );
}

async fn exercise(storage: &SharedSecureStorage) -> Vec<String> {
    let mut debug = Vec::new();
    storage
        .write(KEY, SecretString::from(SECRET))
        .await
        .unwrap();
    let value = storage.read(KEY).await.unwrap().unwrap();
    assert_eq!(value.expose_secret(), SECRET);
    debug.push(format!("{value:?}"));
    debug.push(format!("{:?}", storage.read(KEY).await));
    let batch = WriteBatch::new()
        .write(KEY, SecretString::from(SECRET))
        .delete("clientId.alice@example.com.idToken");
    debug.push(format!("{batch:?}"));
    debug.push(format!("{:?}", batch.ops()));
    debug.push(format!(
        "{:?}",
        BatchOp::Write {
            key: KEY.to_owned(),
            value: SecretString::from(SECRET)
        }
    ));
    storage.write_batch(batch).await.unwrap();
    debug.push(format!("{storage:?}"));
    storage.delete(KEY).await.unwrap();
    storage.remove_all().await.unwrap();
    debug
}

#[test]
fn debug_and_logs_never_show_secrets() {
    let rt = common::runtime();
    let dir = TempDir::new("secrets");
    let ((), logs) = capture_logs(|| {
        rt.block_on(async {
            let mut debug = Vec::new();
            #[cfg_attr(not(feature = "keychain"), allow(unused_mut))]
            let mut factories = vec![
                SecureStorageFactory::in_memory(),
                SecureStorageFactory::encrypted_file(dir.path()),
                SecureStorageFactory::default_for_platform(
                    SecureStorageOptions::new()
                        .directory(dir.path().join("default"))
                        .namespace("test.amplify-rs.secrets"),
                ),
                SecureStorageFactory::from_fn(|_| InMemorySecureStorage::new()),
            ];
            #[cfg(feature = "keychain")]
            if amplify_secure_storage::KeychainStorage::with_options(
                StorageScope::AWS_COGNITO_AUTH_PLUGIN,
                &SecureStorageOptions::new().namespace("test.amplify-rs.secrets"),
            )
            .unwrap()
            .probe()
            .await
            .is_ok()
            {
                factories.push(SecureStorageFactory::from_options(
                    SecureStorageOptions::new()
                        .persistence(Persistence::Keychain)
                        .namespace("test.amplify-rs.secrets"),
                ));
            }
            for factory in &factories {
                let storage = factory
                    .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
                    .unwrap();
                debug.extend(exercise(&storage).await);
                debug.push(format!("{factory:?}"));
            }
            let memory = InMemorySecureStorage::new();
            memory.write(KEY, SecretString::from(SECRET)).await.unwrap();
            debug.push(format!("{memory:?}"));
            debug.push(format!(
                "{:?}",
                SecureStorageOptions::new().persistence(Persistence::InMemory)
            ));

            // Error paths: a corrupted file (with and without the reset policy), a missing key.
            let file = EncryptedFileStorage::open(
                dir.path().join("errors"),
                StorageScope::AWS_COGNITO_AUTH_PLUGIN,
            )
            .unwrap();
            file.write(KEY, SecretString::from(SECRET)).await.unwrap();
            debug.push(format!("{file:?}"));
            let mut bytes = std::fs::read(file.path()).unwrap();
            let last = bytes.len() - 1;
            bytes[last] ^= 1;
            std::fs::write(file.path(), &bytes).unwrap();
            let err = file.read(KEY).await.unwrap_err();
            debug.push(format!("{err:?}"));
            debug.push(format!("{}", amplify_core::DisplayErrorContext(&err)));
            let resetting = EncryptedFileStorage::with_options(
                StorageScope::AWS_COGNITO_AUTH_PLUGIN,
                &SecureStorageOptions::new()
                    .directory(dir.path().join("errors"))
                    .on_corruption(CorruptionPolicy::Reset),
            )
            .unwrap();
            assert!(resetting.read(KEY).await.unwrap().is_none());
            resetting
                .write(KEY, SecretString::from(SECRET))
                .await
                .unwrap();
            std::fs::remove_file(resetting.key_path()).unwrap();
            let fresh = EncryptedFileStorage::open(
                dir.path().join("errors"),
                StorageScope::AWS_COGNITO_AUTH_PLUGIN,
            )
            .unwrap();
            let err = fresh.read(KEY).await.unwrap_err();
            debug.push(format!("{err:?}"));
            fresh.reset().await.unwrap();

            for (i, text) in debug.iter().enumerate() {
                assert_clean(&format!("Debug output #{i}"), text);
            }
        });
    });
    assert!(
        logs.contains("wrote the encrypted secure storage file"),
        "{logs}"
    );
    assert!(logs.contains("chose the secure storage backend"), "{logs}");
    assert!(logs.contains("moving it aside"), "{logs}");
    assert_clean("the log", &logs);
}
