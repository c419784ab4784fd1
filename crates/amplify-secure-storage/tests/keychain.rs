//! The OS keychain backend against the real platform store. On Linux that is the Secret
//! Service: `ci/secret-service.sh` runs these tests inside a private D-Bus session with an
//! unlocked gnome-keyring and sets `AMPLIFY_SS_REQUIRE_KEYCHAIN=1`, so a keychain that does
//! not work fails them. Without that variable, on a machine without a keychain, each test
//! checks instead that the failure is a typed error.
#![cfg(feature = "keychain")]
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

use std::process::Command;

use amplify_core::AmplifyError;
use amplify_core::test_util::capture_logs;
use amplify_secure_storage::{
    EncryptedFileStorage, FileKeyLocation, KeychainStorage, Persistence, SecureStorage,
    SecureStorageFactory, SecureStorageOptions, StorageError, StorageScope, conformance,
};
use common::TempDir;
use secrecy::{ExposeSecret, SecretString};

const REQUIRE: &str = "AMPLIFY_SS_REQUIRE_KEYCHAIN";
const CHILD: &str = "AMPLIFY_SS_KEYCHAIN_CHILD";

/// A namespace no other run uses, so tests never touch real Amplify items.
fn namespace() -> String {
    let scope = conformance::unique_scope("ns");
    format!(
        "test.amplify-rs.{}",
        scope.name().replace("conformance.ns.", "")
    )
}

fn is_typed_unavailability(err: &StorageError) -> bool {
    matches!(
        err,
        StorageError::KeychainUnavailable { .. } | StorageError::AccessDenied { .. }
    ) && err.recovery_suggestion().is_some()
}

/// Whether the keychain works here. When it must (`AMPLIFY_SS_REQUIRE_KEYCHAIN`), a failure
/// panics; otherwise the failure must be a typed error.
async fn keychain_works() -> bool {
    let probe = KeychainStorage::new(conformance::unique_scope("probe"))
        .probe()
        .await;
    match probe {
        Ok(()) => true,
        Err(err) if std::env::var_os(REQUIRE).is_some() => {
            panic!(
                "{REQUIRE} is set but the keychain fails: {}",
                amplify_core::DisplayErrorContext(&err)
            )
        }
        Err(err) => {
            assert!(
                is_typed_unavailability(&err),
                "untyped keychain failure: {err:?}"
            );
            eprintln!(
                "no usable keychain here ({}); checked that the failure is typed",
                amplify_core::DisplayErrorContext(&err)
            );
            false
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_suite_on_the_os_keychain() {
    if !keychain_works().await {
        let storage = SecureStorageFactory::keychain()
            .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
            .unwrap();
        let err = storage
            .write("k", SecretString::from("v"))
            .await
            .unwrap_err();
        assert!(is_typed_unavailability(&err), "{err:?}");
        let err = storage.read("k").await.unwrap_err();
        assert!(
            is_typed_unavailability(&err),
            "a read must fail, not return None: {err:?}"
        );
        return;
    }
    let factory = SecureStorageFactory::from_options(
        SecureStorageOptions::new()
            .persistence(Persistence::Keychain)
            .namespace(namespace()),
    );
    conformance::run_all(&factory).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_use_amplifys_service_and_account_layout() {
    if !keychain_works().await {
        return;
    }
    let ns = namespace();
    let options = SecureStorageOptions::new().namespace(ns.clone());
    let storage =
        KeychainStorage::with_options(StorageScope::AWS_COGNITO_AUTH_PLUGIN, &options).unwrap();
    assert_eq!(storage.service(), format!("{ns}.awsCognitoAuthPlugin"));
    storage
        .write("client.refreshToken", SecretString::from("rt-layout"))
        .await
        .unwrap();
    // Visible to other Secret Service clients under service/username attributes.
    if cfg!(target_os = "linux")
        && let Ok(out) = Command::new("secret-tool")
            .args([
                "lookup",
                "service",
                storage.service(),
                "username",
                "client.refreshToken",
            ])
            .output()
    {
        assert_eq!(String::from_utf8_lossy(&out.stdout), "rt-layout");
    }
    storage.remove_all().await.unwrap();
    assert!(storage.read("client.refreshToken").await.unwrap().is_none());
}

#[test]
fn platform_default_prefers_a_working_keychain_and_remembers_the_choice() {
    let rt = common::runtime();
    if !rt.block_on(keychain_works()) {
        return;
    }
    let dir = TempDir::new("default-keychain");
    let ns = namespace();
    let options = SecureStorageOptions::new()
        .directory(dir.path())
        .namespace(ns.clone());
    let factory = SecureStorageFactory::default_for_platform(options.clone());
    let storage = factory
        .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
        .unwrap();
    let ((), logs) = capture_logs(|| {
        rt.block_on(async {
            storage
                .write("k", SecretString::from("in-keychain"))
                .await
                .unwrap();
        });
    });
    assert!(logs.contains("chose the secure storage backend"), "{logs}");
    assert!(logs.contains(r#"backend="keychain""#), "{logs}");
    assert!(!logs.contains("in-keychain"), "{logs}");
    let file = dir.path().join(format!("{ns}.awsCognitoAuthPlugin.store"));
    let marker = dir
        .path()
        .join(format!("{ns}.awsCognitoAuthPlugin.uses-keychain"));
    assert!(!file.exists());
    assert!(marker.exists());
    rt.block_on(async {
        let direct =
            KeychainStorage::with_options(StorageScope::AWS_COGNITO_AUTH_PLUGIN, &options).unwrap();
        assert_eq!(
            direct.read("k").await.unwrap().unwrap().expose_secret(),
            "in-keychain"
        );
        // A new factory (a new process) goes straight to the keychain because of the marker.
        let again = SecureStorageFactory::default_for_platform(options.clone())
            .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
            .unwrap();
        assert_eq!(
            again.read("k").await.unwrap().unwrap().expose_secret(),
            "in-keychain"
        );
        direct.remove_all().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_default_keeps_using_an_existing_encrypted_file() {
    if !keychain_works().await {
        return;
    }
    let dir = TempDir::new("default-sticky-file");
    let ns = namespace();
    let options = SecureStorageOptions::new()
        .directory(dir.path())
        .namespace(ns);
    let file = EncryptedFileStorage::with_options(StorageScope::AWS_COGNITO_AUTH_PLUGIN, &options)
        .unwrap();
    file.write("k", SecretString::from("in-file"))
        .await
        .unwrap();
    let storage = SecureStorageFactory::default_for_platform(options.clone())
        .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
        .unwrap();
    assert_eq!(
        storage.read("k").await.unwrap().unwrap().expose_secret(),
        "in-file"
    );
    let keychain =
        KeychainStorage::with_options(StorageScope::AWS_COGNITO_AUTH_PLUGIN, &options).unwrap();
    assert!(keychain.read("k").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_file_with_its_key_in_the_keychain() {
    if !keychain_works().await {
        return;
    }
    let dir = TempDir::new("key-in-keychain");
    let ns = namespace();
    let options = SecureStorageOptions::new()
        .directory(dir.path())
        .namespace(ns.clone())
        .file_key(FileKeyLocation::Keychain);
    let storage =
        EncryptedFileStorage::with_options(StorageScope::AWS_COGNITO_AUTH_PLUGIN, &options)
            .unwrap();
    storage.write("k", SecretString::from("v")).await.unwrap();
    // The key file holds only a reference: magic, version, kind, id, check, service name.
    let key_file = std::fs::read(storage.key_path()).unwrap();
    let service = format!("{ns}.encrypted-file-key");
    assert_eq!(key_file.len(), 42 + 2 + service.len());
    assert!(key_file.ends_with(service.as_bytes()));
    let fresh = EncryptedFileStorage::with_options(StorageScope::AWS_COGNITO_AUTH_PLUGIN, &options)
        .unwrap();
    assert_eq!(fresh.read("k").await.unwrap().unwrap().expose_secret(), "v");

    // The keychain entry disappears: a typed error, and reset recovers with a new key.
    let key_entries = KeychainStorage::with_options(
        StorageScope::new("encrypted-file-key").unwrap(),
        &SecureStorageOptions::new().namespace(ns.clone()),
    )
    .unwrap();
    key_entries.remove_all().await.unwrap();
    let fresh = EncryptedFileStorage::with_options(StorageScope::AWS_COGNITO_AUTH_PLUGIN, &options)
        .unwrap();
    let err = fresh.read("k").await.unwrap_err();
    assert!(
        matches!(err, StorageError::KeyUnavailable { .. }),
        "{err:?}"
    );
    fresh.reset().await.unwrap();
    fresh
        .write("k", SecretString::from("after reset"))
        .await
        .unwrap();
    let again = EncryptedFileStorage::with_options(StorageScope::AWS_COGNITO_AUTH_PLUGIN, &options)
        .unwrap();
    assert_eq!(
        again.read("k").await.unwrap().unwrap().expose_secret(),
        "after reset"
    );
    key_entries.remove_all().await.unwrap();
}

/// Runs in a child process whose session bus address points nowhere.
#[test]
fn child_without_a_session_bus() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let rt = common::runtime();
    let dir = TempDir::new("no-bus");
    let ((), logs) = capture_logs(|| {
        rt.block_on(async {
            let storage = KeychainStorage::new(StorageScope::AWS_COGNITO_AUTH_PLUGIN);
            for err in [
                storage.probe().await.unwrap_err(),
                storage
                    .write("k", SecretString::from("no-bus-secret"))
                    .await
                    .unwrap_err(),
                storage.read("k").await.unwrap_err(),
                storage.delete("k").await.unwrap_err(),
                storage.remove_all().await.unwrap_err(),
            ] {
                assert!(
                    matches!(err, StorageError::KeychainUnavailable { .. }),
                    "{err:?}"
                );
                assert!(
                    err.recovery_suggestion()
                        .unwrap()
                        .contains("Secret Service")
                );
            }

            // The platform default falls back to the encrypted file, key in a key file.
            let options = SecureStorageOptions::new().directory(dir.path());
            let storage = SecureStorageFactory::default_for_platform(options.clone())
                .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
                .unwrap();
            storage
                .write("k", SecretString::from("no-bus-secret"))
                .await
                .unwrap();
            assert_eq!(
                storage.read("k").await.unwrap().unwrap().expose_secret(),
                "no-bus-secret"
            );
            assert!(
                dir.path()
                    .join("com.amplify.awsCognitoAuthPlugin.store")
                    .exists()
            );
            let key_file = std::fs::read(dir.path().join("amplify-storage.key")).unwrap();
            assert_eq!(key_file.len(), 42 + 32, "the key is inline in the key file");

            // Demanding the key in the keychain is an error, not a silent key file.
            let demanding = EncryptedFileStorage::with_options(
                StorageScope::AWS_PINPOINT_ANALYTICS_PLUGIN,
                &SecureStorageOptions::new()
                    .directory(TempDir::new("no-bus-key").path())
                    .file_key(FileKeyLocation::Keychain),
            )
            .unwrap();
            let err = demanding
                .write("k", SecretString::from("v"))
                .await
                .unwrap_err();
            assert!(
                matches!(err, StorageError::KeychainUnavailable { .. }),
                "{err:?}"
            );
        });
    });
    assert!(logs.contains("WARN"), "{logs}");
    assert!(logs.contains("the OS keychain failed its probe"), "{logs}");
    assert!(logs.contains(r#"backend="encrypted_file""#), "{logs}");
    assert!(!logs.contains("no-bus-secret"), "{logs}");
    println!("\nCHILD-OK");
}

#[test]
fn no_session_bus_gives_typed_errors_and_the_default_falls_back() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_without_a_session_bus",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/amplify-rs-test/bus",
        )
        .env("XDG_RUNTIME_DIR", "/nonexistent/amplify-rs-test")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("CHILD-OK"),
        "{}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}
