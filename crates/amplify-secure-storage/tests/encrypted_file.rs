//! The encrypted file store beyond the conformance suite: tampering, corruption recovery,
//! key handling, file permissions, caching and cross-instance coherence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::fs;
use std::path::Path;

use amplify_core::AmplifyError;
use amplify_core::test_util::capture_logs;
use amplify_secure_storage::{
    CorruptionPolicy, EncryptedFileStorage, Persistence, SecureStorage, SecureStorageFactory,
    SecureStorageOptions, StorageError, StorageScope, WriteBatch,
};
use common::TempDir;
use secrecy::{ExposeSecret, SecretString};

const SCOPE: StorageScope = StorageScope::AWS_COGNITO_AUTH_PLUGIN;

fn open(dir: &Path) -> EncryptedFileStorage {
    EncryptedFileStorage::open(dir, SCOPE).unwrap()
}

fn with_policy(dir: &Path, policy: CorruptionPolicy) -> EncryptedFileStorage {
    EncryptedFileStorage::with_options(
        SCOPE,
        &SecureStorageOptions::new()
            .directory(dir)
            .on_corruption(policy),
    )
    .unwrap()
}

async fn value(storage: &impl SecureStorage, key: &str) -> Option<String> {
    storage
        .read(key)
        .await
        .unwrap()
        .map(|v| v.expose_secret().to_owned())
}

async fn seed(storage: &EncryptedFileStorage) {
    storage
        .write_batch(
            WriteBatch::new()
                .write(
                    "clientId.accessToken",
                    SecretString::from("access-token-value"),
                )
                .write(
                    "clientId.refreshToken",
                    SecretString::from("refresh-token-value"),
                ),
        )
        .await
        .unwrap();
}

fn assert_corrupted(err: &StorageError, path: &Path) {
    match err {
        StorageError::Corrupted { path: reported, .. } => assert_eq!(reported, path),
        other => panic!("expected Corrupted for {}, got {other:?}", path.display()),
    }
    let suggestion = err.recovery_suggestion().unwrap();
    assert!(suggestion.contains("reset()"), "{suggestion}");
    assert!(
        suggestion.contains(&path.display().to_string()),
        "{suggestion}"
    );
}

#[tokio::test]
async fn layout_and_permissions() {
    let dir = TempDir::new("layout");
    let data_dir = dir.path().join("nested").join("amplify-rs");
    let storage = open(&data_dir);
    assert!(
        !data_dir.exists(),
        "nothing is created before the first write"
    );
    assert_eq!(value(&storage, "missing").await, None);
    assert!(!data_dir.exists(), "reads create nothing");
    seed(&storage).await;

    let mut names: Vec<_> = fs::read_dir(&data_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "amplify-storage.key",
            "com.amplify.awsCognitoAuthPlugin.lock",
            "com.amplify.awsCognitoAuthPlugin.store",
        ]
    );
    assert_eq!(
        storage.path(),
        data_dir.join("com.amplify.awsCognitoAuthPlugin.store")
    );
    assert_eq!(storage.key_path(), data_dir.join("amplify-storage.key"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data_dir), 0o700);
        for name in &names {
            assert_eq!(mode(&data_dir.join(name)), 0o600, "{name}");
        }
    }
}

#[tokio::test]
async fn nothing_readable_on_disk() {
    let dir = TempDir::new("plaintext");
    let storage = open(dir.path());
    seed(&storage).await;
    let bytes = fs::read(storage.path()).unwrap();
    for needle in [
        "access-token-value",
        "refresh-token-value",
        "accessToken",
        "clientId",
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} is readable in the file"
        );
    }
    assert!(bytes.starts_with(b"AMPLSTOR"));
}

#[tokio::test]
async fn a_flipped_byte_anywhere_is_detected_and_reported() {
    let dir = TempDir::new("tamper");
    let storage = open(dir.path());
    seed(&storage).await;
    let original = fs::read(storage.path()).unwrap();
    // Every byte of the header, and a spread of ciphertext and tag bytes.
    let positions: Vec<usize> = (0..60)
        .chain((60..original.len()).step_by(7))
        .chain([original.len() - 1])
        .collect();
    for pos in positions {
        let mut bad = original.clone();
        bad[pos] ^= 0x20;
        fs::write(storage.path(), &bad).unwrap();
        // A fresh instance (no cache) and the original one (stale cache) both see it.
        for reader in [open(dir.path()), storage.clone()] {
            let err = reader.read("clientId.accessToken").await.unwrap_err();
            if (12..28).contains(&pos) {
                // The key id: the file now names a key that does not exist.
                assert!(
                    matches!(err, StorageError::KeyUnavailable { .. }),
                    "{err:?}"
                );
            } else {
                assert_corrupted(&err, storage.path());
            }
        }
    }
    // Writes refuse too: they never silently replace data they cannot read.
    let err = storage
        .write("other", SecretString::from("x"))
        .await
        .unwrap_err();
    assert_corrupted(&err, storage.path());
    assert_eq!(
        fs::read(storage.path()).unwrap()[..60],
        {
            let mut bad = original.clone();
            let last = bad.len() - 1;
            bad[last] ^= 0x20;
            bad
        }[..60]
    );

    // Restoring the original bytes makes everything readable again.
    fs::write(storage.path(), &original).unwrap();
    assert_eq!(
        value(&storage, "clientId.accessToken").await.as_deref(),
        Some("access-token-value")
    );
}

#[tokio::test]
async fn truncated_and_foreign_files_are_corrupted() {
    let dir = TempDir::new("truncate");
    let storage = open(dir.path());
    seed(&storage).await;
    let original = fs::read(storage.path()).unwrap();
    for len in [0, 1, 8, 59, 60, 61, 75, original.len() - 1] {
        fs::write(storage.path(), &original[..len]).unwrap();
        let err = open(dir.path())
            .read("clientId.accessToken")
            .await
            .unwrap_err();
        assert_corrupted(&err, storage.path());
    }
    fs::write(storage.path(), br#"{"accessToken": "not ours"}"#).unwrap();
    let err = open(dir.path()).read("accessToken").await.unwrap_err();
    assert_corrupted(&err, storage.path());
}

#[tokio::test]
async fn reset_recovers_from_corruption() {
    let dir = TempDir::new("reset");
    let storage = open(dir.path());
    seed(&storage).await;
    fs::write(
        storage.path(),
        b"garbage garbage garbage garbage garbage garbage garbage garbage",
    )
    .unwrap();
    assert!(storage.read("clientId.accessToken").await.is_err());
    storage.reset().await.unwrap();
    assert!(!storage.path().exists());
    assert_eq!(value(&storage, "clientId.accessToken").await, None);
    storage.write("k", SecretString::from("v")).await.unwrap();
    assert_eq!(value(&open(dir.path()), "k").await.as_deref(), Some("v"));
    // Resetting a missing file is fine.
    storage.reset().await.unwrap();
    storage.reset().await.unwrap();
}

#[tokio::test]
async fn remove_all_recovers_from_corruption_without_decrypting() {
    let dir = TempDir::new("remove-all-corrupt");
    let storage = open(dir.path());
    seed(&storage).await;
    let mut bytes = fs::read(storage.path()).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    fs::write(storage.path(), &bytes).unwrap();
    storage.remove_all().await.unwrap();
    assert_eq!(value(&storage, "clientId.accessToken").await, None);
    assert_eq!(value(&open(dir.path()), "clientId.accessToken").await, None);
}

#[test]
fn reset_policy_moves_the_file_aside_and_warns() {
    let dir = TempDir::new("policy");
    let storage = with_policy(dir.path(), CorruptionPolicy::Reset);
    let rt = common::runtime();
    let (read, logs) = capture_logs(|| {
        rt.block_on(async {
            seed(&open(dir.path())).await;
            fs::write(storage.path(), b"AMPLSTOR-but-broken").unwrap();
            storage.read("clientId.accessToken").await
        })
    });
    assert!(read.unwrap().is_none());
    assert!(logs.contains("moving it aside"), "{logs}");
    assert!(logs.contains("WARN"), "{logs}");
    let aside = storage.path().with_extension("store.corrupted");
    assert_eq!(fs::read(&aside).unwrap(), b"AMPLSTOR-but-broken");
    assert!(!storage.path().exists());
    rt.block_on(async {
        storage
            .write("fresh", SecretString::from("start"))
            .await
            .unwrap();
        assert_eq!(
            value(&open(dir.path()), "fresh").await.as_deref(),
            Some("start")
        );

        // A write also recovers.
        fs::write(storage.path(), b"broken again").unwrap();
        let fresh = with_policy(dir.path(), CorruptionPolicy::Reset);
        fresh
            .write("after", SecretString::from("write"))
            .await
            .unwrap();
        assert_eq!(value(&fresh, "after").await.as_deref(), Some("write"));
        assert_eq!(value(&fresh, "fresh").await, None);
    });
}

#[tokio::test]
async fn a_missing_key_file_is_key_unavailable_not_garbage() {
    let dir = TempDir::new("no-key");
    let storage = open(dir.path());
    seed(&storage).await;
    fs::remove_file(storage.key_path()).unwrap();
    let err = open(dir.path())
        .read("clientId.accessToken")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::KeyUnavailable { .. }),
        "{err:?}"
    );
    assert_eq!(err.path(), Some(storage.key_path()));
    assert!(err.recovery_suggestion().unwrap().contains("reset()"));

    // A write must not create a new key and overwrite the old data with it silently.
    let err = open(dir.path())
        .write("x", SecretString::from("y"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::KeyUnavailable { .. }),
        "{err:?}"
    );
    assert!(!storage.key_path().exists());

    storage.reset().await.unwrap();
    storage.write("x", SecretString::from("y")).await.unwrap();
    assert_eq!(value(&open(dir.path()), "x").await.as_deref(), Some("y"));
}

#[tokio::test]
async fn a_replaced_key_file_is_key_unavailable() {
    let dir = TempDir::new("other-key");
    let storage = open(dir.path());
    seed(&storage).await;
    // Another directory's key file copied over this one.
    let other = TempDir::new("other-key-src");
    seed(&open(other.path())).await;
    fs::copy(other.path().join("amplify-storage.key"), storage.key_path()).unwrap();
    let err = open(dir.path())
        .read("clientId.accessToken")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::KeyUnavailable { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_damaged_key_file_is_corrupted_and_reset_replaces_it() {
    let dir = TempDir::new("bad-key");
    let storage = open(dir.path());
    seed(&storage).await;
    let mut key = fs::read(storage.key_path()).unwrap();
    let last = key.len() - 1;
    key[last] ^= 0x80;
    fs::write(storage.key_path(), &key).unwrap();
    let err = open(dir.path())
        .read("clientId.accessToken")
        .await
        .unwrap_err();
    assert_corrupted(&err, storage.key_path());
    storage.reset().await.unwrap();
    assert!(!storage.key_path().exists());
    storage.write("k", SecretString::from("v")).await.unwrap();
    assert_eq!(value(&open(dir.path()), "k").await.as_deref(), Some("v"));
}

#[tokio::test]
async fn instances_and_scopes_share_one_key_but_not_data() {
    let dir = TempDir::new("scopes");
    let auth = open(dir.path());
    let analytics =
        EncryptedFileStorage::open(dir.path(), StorageScope::AWS_PINPOINT_ANALYTICS_PLUGIN)
            .unwrap();
    auth.write("k", SecretString::from("auth")).await.unwrap();
    analytics
        .write("k", SecretString::from("analytics"))
        .await
        .unwrap();
    assert_eq!(value(&auth, "k").await.as_deref(), Some("auth"));
    assert_eq!(value(&analytics, "k").await.as_deref(), Some("analytics"));
    let namespaced = EncryptedFileStorage::with_options(
        SCOPE,
        &SecureStorageOptions::new()
            .directory(dir.path())
            .namespace("com.example.app"),
    )
    .unwrap();
    assert_eq!(value(&namespaced, "k").await, None);
    namespaced
        .write("k", SecretString::from("app"))
        .await
        .unwrap();
    assert!(
        namespaced
            .path()
            .ends_with("com.example.app.awsCognitoAuthPlugin.store")
    );
    assert_eq!(value(&auth, "k").await.as_deref(), Some("auth"));
    assert_eq!(
        fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".key"))
            .count(),
        1
    );
}

#[tokio::test]
async fn instances_see_each_others_writes() {
    let dir = TempDir::new("coherence");
    let a = open(dir.path());
    let b = open(dir.path());
    for round in 0..50 {
        let v = format!("value-{round:03}");
        // Same length every round: change detection must not rely on the size.
        a.write("shared", SecretString::from(v.clone()))
            .await
            .unwrap();
        assert_eq!(value(&b, "shared").await, Some(v.clone()));
        b.write("other", SecretString::from(v.clone()))
            .await
            .unwrap();
        assert_eq!(value(&a, "other").await, Some(v));
    }
    b.delete("shared").await.unwrap();
    assert_eq!(value(&a, "shared").await, None);
    a.remove_all().await.unwrap();
    assert_eq!(value(&b, "other").await, None);
}

#[test]
fn cached_reads_do_not_decrypt_again() {
    let dir = TempDir::new("cache");
    let writer = open(dir.path());
    let reader = open(dir.path());
    let rt = common::runtime();
    rt.block_on(seed(&writer));
    let ((), logs) = capture_logs(|| {
        rt.block_on(async {
            for _ in 0..200 {
                assert!(
                    reader
                        .read("clientId.refreshToken")
                        .await
                        .unwrap()
                        .is_some()
                );
            }
        });
    });
    assert_eq!(
        logs.matches("loaded the encrypted secure storage file")
            .count(),
        1,
        "{logs}"
    );

    // A change by another instance is picked up with exactly one more load.
    rt.block_on(writer.write("clientId.idToken", SecretString::from("id")))
        .unwrap();
    let ((), logs) = capture_logs(|| {
        rt.block_on(async {
            for _ in 0..200 {
                assert!(reader.read("clientId.idToken").await.unwrap().is_some());
            }
        });
    });
    assert_eq!(
        logs.matches("loaded the encrypted secure storage file")
            .count(),
        1,
        "{logs}"
    );
}

#[tokio::test]
async fn unchanged_writes_do_not_touch_the_file() {
    let dir = TempDir::new("noop");
    let storage = open(dir.path());
    seed(&storage).await;
    let before = fs::read(storage.path()).unwrap();
    storage
        .write(
            "clientId.accessToken",
            SecretString::from("access-token-value"),
        )
        .await
        .unwrap();
    storage.delete("never-there").await.unwrap();
    assert_eq!(
        fs::read(storage.path()).unwrap(),
        before,
        "the file was rewritten"
    );
    storage
        .write("clientId.accessToken", SecretString::from("new"))
        .await
        .unwrap();
    assert_ne!(fs::read(storage.path()).unwrap(), before);
}

#[tokio::test]
async fn leftover_temp_file_from_a_killed_writer_is_ignored_and_replaced() {
    let dir = TempDir::new("leftover");
    let storage = open(dir.path());
    seed(&storage).await;
    let tmp = storage.path().with_extension("store.tmp");
    fs::write(&tmp, b"half-written by a writer that was killed").unwrap();
    assert_eq!(
        value(&open(dir.path()), "clientId.accessToken")
            .await
            .as_deref(),
        Some("access-token-value")
    );
    storage.write("k", SecretString::from("v")).await.unwrap();
    assert!(!tmp.exists());
    assert_eq!(value(&open(dir.path()), "k").await.as_deref(), Some("v"));
}

#[tokio::test]
async fn invalid_keys_and_namespaces_are_rejected() {
    let dir = TempDir::new("invalid");
    let storage = open(dir.path());
    for key in ["", "a\nb", "nul\0"] {
        assert!(matches!(
            storage
                .write(key, SecretString::from("v"))
                .await
                .unwrap_err(),
            StorageError::InvalidKey { .. }
        ));
        assert!(matches!(
            storage.read(key).await.unwrap_err(),
            StorageError::InvalidKey { .. }
        ));
    }
    let batch = WriteBatch::new()
        .write("ok", SecretString::from("v"))
        .delete("");
    assert!(matches!(
        storage.write_batch(batch).await.unwrap_err(),
        StorageError::InvalidKey { .. }
    ));
    assert_eq!(
        value(&storage, "ok").await,
        None,
        "an invalid batch applies nothing"
    );
    let err = EncryptedFileStorage::with_options(
        SCOPE,
        &SecureStorageOptions::new()
            .directory(dir.path())
            .namespace("../evil"),
    )
    .unwrap_err();
    assert!(matches!(err, StorageError::InvalidScope { .. }));
    let factory = SecureStorageFactory::from_options(
        SecureStorageOptions::new()
            .persistence(Persistence::InMemory)
            .namespace(""),
    );
    assert!(factory.create(&SCOPE).is_err());
}

#[cfg(not(feature = "keychain"))]
#[tokio::test]
async fn keychain_choices_need_the_feature() {
    let dir = TempDir::new("feature");
    let storage = EncryptedFileStorage::with_options(
        SCOPE,
        &SecureStorageOptions::new()
            .directory(dir.path())
            .file_key(amplify_secure_storage::FileKeyLocation::Keychain),
    )
    .unwrap();
    let err = storage
        .write("k", SecretString::from("v"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StorageError::FeatureDisabled {
                feature: "keychain",
                ..
            }
        ),
        "{err:?}"
    );
    let factory = SecureStorageFactory::from_options(
        SecureStorageOptions::new().persistence(Persistence::Keychain),
    );
    assert!(matches!(
        factory.create(&SCOPE).unwrap_err(),
        StorageError::FeatureDisabled {
            feature: "keychain",
            ..
        }
    ));
}

#[tokio::test]
async fn works_without_a_tokio_runtime() {
    let dir = TempDir::new("no-runtime");
    let storage = open(dir.path());
    // A minimal executor: the futures complete without a tokio runtime around them.
    let handle = std::thread::spawn(move || {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut write = storage.write("k", SecretString::from("v"));
        assert!(write.as_mut().poll(&mut cx).is_ready());
        drop(write);
        let mut read = storage.read("k");
        match read.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(Ok(Some(v))) => assert_eq!(v.expose_secret(), "v"),
            other => panic!("unexpected {other:?}"),
        }
    });
    handle.join().unwrap();
}
