//! The conformance suite every [`SecureStorage`] backend passes, for checking your own.
//!
//! Each check takes a [`SecureStorageFactory`], creates fresh scopes with unique names, and
//! panics (through `assert!`) on the first violation. [`run_all`] runs every check. The checks
//! need a tokio runtime (they spawn tasks).
//!
//! ```
//! # tokio::runtime::Builder::new_multi_thread().build().unwrap().block_on(async {
//! use amplify_secure_storage::{conformance, SecureStorageFactory};
//!
//! conformance::run_all(&SecureStorageFactory::in_memory()).await?;
//! # Ok::<(), amplify_secure_storage::StorageError>(())
//! # }).unwrap();
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use secrecy::{ExposeSecret, SecretString};

use crate::{
    SecureStorage, SecureStorageFactory, SharedSecureStorage, StorageError, StorageScope,
    WriteBatch,
};

/// Keys with characters real keys contain (dots, slashes, unicode, spaces) plus a 1,024-byte one.
pub fn odd_keys() -> Vec<String> {
    vec![
        "1sg675g08g6g0e9f64grv9n5sk.accessToken".to_owned(),
        "us-east-1:54288468-e051-706d-a73f-03892273d7e9.identityId".to_owned(),
        "a/b/c".to_owned(),
        "/leading/slash/".to_owned(),
        "..".to_owned(),
        "dots.in.the.middle.".to_owned(),
        "back\\slash".to_owned(),
        "spaces in key".to_owned(),
        "ключ-🔑-鍵".to_owned(),
        "quote\"and'apostrophe".to_owned(),
        "k".repeat(1024),
    ]
}

/// A scope no other check or run uses.
///
/// # Panics
///
/// Never: the generated name is always valid.
pub fn unique_scope(test: &str) -> StorageScope {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut random = [0u8; 4];
    let _ = getrandom::fill(&mut random);
    let name = format!(
        "conformance.{test}.{}.{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        u32::from_le_bytes(random)
    );
    let scope = StorageScope::new(name);
    assert!(scope.is_ok(), "unique_scope built an invalid scope name");
    scope.unwrap_or(StorageScope::AWS_COGNITO_AUTH_PLUGIN)
}

async fn fresh(
    factory: &SecureStorageFactory,
    test: &str,
) -> Result<(StorageScope, SharedSecureStorage), StorageError> {
    let scope = unique_scope(test);
    let storage = factory.create(&scope)?;
    storage.remove_all().await?;
    Ok((scope, storage))
}

async fn expect(
    storage: &impl SecureStorage,
    key: &str,
    want: Option<&str>,
) -> Result<(), StorageError> {
    let got = storage.read(key).await?;
    assert_eq!(
        got.as_ref().map(ExposeSecret::expose_secret),
        want,
        "unexpected value for key {key:?}"
    );
    Ok(())
}

fn secret(value: &str) -> SecretString {
    SecretString::from(value)
}

/// Write, read, overwrite; a missing key reads as `None`.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves.
pub async fn write_read_overwrite(factory: &SecureStorageFactory) -> Result<(), StorageError> {
    let (_, storage) = fresh(factory, "write_read").await?;
    expect(&storage, "missing", None).await?;
    storage.write("k", secret("v1")).await?;
    expect(&storage, "k", Some("v1")).await?;
    storage.write("k", secret("v2")).await?;
    expect(&storage, "k", Some("v2")).await?;
    storage.write("k", secret("v2")).await?;
    expect(&storage, "k", Some("v2")).await?;
    storage.remove_all().await
}

/// Delete removes a key; deleting a missing key succeeds.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves.
pub async fn delete_and_delete_missing(factory: &SecureStorageFactory) -> Result<(), StorageError> {
    let (_, storage) = fresh(factory, "delete").await?;
    storage.write("a", secret("1")).await?;
    storage.write("b", secret("2")).await?;
    storage.delete("a").await?;
    expect(&storage, "a", None).await?;
    expect(&storage, "b", Some("2")).await?;
    storage.delete("a").await?;
    storage.delete("never-written").await?;
    expect(&storage, "b", Some("2")).await?;
    storage.remove_all().await
}

/// `remove_all` empties the scope, and only that scope; the scope stays usable.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves.
pub async fn remove_all_only_this_scope(
    factory: &SecureStorageFactory,
) -> Result<(), StorageError> {
    let (_, first) = fresh(factory, "remove_all_a").await?;
    let (_, second) = fresh(factory, "remove_all_b").await?;
    for key in ["x", "y", "z"] {
        first.write(key, secret("first")).await?;
        second.write(key, secret("second")).await?;
    }
    first.remove_all().await?;
    first.remove_all().await?;
    for key in ["x", "y", "z"] {
        expect(&first, key, None).await?;
        expect(&second, key, Some("second")).await?;
    }
    first.write("x", secret("again")).await?;
    expect(&first, "x", Some("again")).await?;
    first.remove_all().await?;
    second.remove_all().await
}

/// Two scopes never see each other's keys, and asking the factory for a scope again gives
/// access to the same data.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves.
pub async fn scope_isolation(factory: &SecureStorageFactory) -> Result<(), StorageError> {
    let (scope_a, a) = fresh(factory, "isolation_a").await?;
    let (_, b) = fresh(factory, "isolation_b").await?;
    a.write("shared-key", secret("from a")).await?;
    expect(&b, "shared-key", None).await?;
    b.write("shared-key", secret("from b")).await?;
    expect(&a, "shared-key", Some("from a")).await?;
    expect(&b, "shared-key", Some("from b")).await?;
    b.delete("shared-key").await?;
    expect(&a, "shared-key", Some("from a")).await?;
    let again = factory.create(&scope_a)?;
    expect(&again, "shared-key", Some("from a")).await?;
    a.remove_all().await?;
    b.remove_all().await
}

/// Empty, unicode, multi-line and large (64 KiB) values round-trip exactly.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves.
pub async fn value_shapes(factory: &SecureStorageFactory) -> Result<(), StorageError> {
    let (_, storage) = fresh(factory, "values").await?;
    let large: String = (0..65_536u32)
        .map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap_or(0)))
        .collect();
    let values = [
        ("empty", String::new()),
        ("unicode", "пароль 🔐 パスワード ñ".to_owned()),
        (
            "json",
            r#"{"refreshToken":"rt-123","nested":{"a":[1,2]}}"#.to_owned(),
        ),
        ("multiline", "line 1\nline 2\r\n\ttabbed\0nul".to_owned()),
        ("large", large),
    ];
    for (key, value) in &values {
        storage.write(key, secret(value)).await?;
    }
    for (key, value) in &values {
        expect(&storage, key, Some(value)).await?;
    }
    storage.remove_all().await
}

/// Keys with slashes, dots, unicode, spaces and 1,024 bytes are distinct and round-trip.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves.
pub async fn odd_key_shapes(factory: &SecureStorageFactory) -> Result<(), StorageError> {
    let (_, storage) = fresh(factory, "keys").await?;
    let keys = odd_keys();
    for (i, key) in keys.iter().enumerate() {
        storage.write(key, secret(&format!("value {i}"))).await?;
    }
    for (i, key) in keys.iter().enumerate() {
        expect(&storage, key, Some(&format!("value {i}"))).await?;
    }
    // Keys that differ only in case or a trailing character are different keys.
    storage.write("Case", secret("upper")).await?;
    storage.write("case", secret("lower")).await?;
    expect(&storage, "Case", Some("upper")).await?;
    expect(&storage, "case", Some("lower")).await?;
    expect(&storage, "case.", None).await?;
    storage.remove_all().await?;
    for key in &keys {
        expect(&storage, key, None).await?;
    }
    Ok(())
}

/// A batch applies its operations in order.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves.
pub async fn batches(factory: &SecureStorageFactory) -> Result<(), StorageError> {
    let (_, storage) = fresh(factory, "batches").await?;
    storage.write("old", secret("old")).await?;
    storage
        .write_batch(
            WriteBatch::new()
                .write("a", secret("1"))
                .write("b", secret("2"))
                .delete("old")
                .write("a", secret("3"))
                .write("gone", secret("x"))
                .delete("gone"),
        )
        .await?;
    expect(&storage, "a", Some("3")).await?;
    expect(&storage, "b", Some("2")).await?;
    expect(&storage, "old", None).await?;
    expect(&storage, "gone", None).await?;
    storage.write_batch(WriteBatch::new()).await?;
    expect(&storage, "a", Some("3")).await?;
    storage.remove_all().await
}

/// 16 tasks writing 8 distinct keys each at the same time: every key is there at the end,
/// and concurrent writers of one key leave one of the written values.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves or a task panics.
pub async fn concurrent_writes(factory: &SecureStorageFactory) -> Result<(), StorageError> {
    const TASKS: usize = 16;
    const KEYS: usize = 8;
    let (_, storage) = fresh(factory, "concurrent").await?;
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let storage = storage.clone();
        tasks.push(tokio::spawn(async move {
            for key in 0..KEYS {
                storage
                    .write(
                        &format!("task{task}.key{key}"),
                        secret(&format!("value {task}/{key}")),
                    )
                    .await?;
                storage
                    .write("contended", secret(&format!("task {task}")))
                    .await?;
            }
            Ok::<(), StorageError>(())
        }));
    }
    for task in tasks {
        let joined = task.await;
        assert!(joined.is_ok(), "a writer task panicked");
        joined.unwrap_or(Ok(()))?;
    }
    for task in 0..TASKS {
        for key in 0..KEYS {
            expect(
                &storage,
                &format!("task{task}.key{key}"),
                Some(&format!("value {task}/{key}")),
            )
            .await?;
        }
    }
    let contended = storage.read("contended").await?;
    let contended = contended.as_ref().map(ExposeSecret::expose_secret);
    assert!(
        contended.is_some_and(|v| (0..TASKS).any(|t| v == format!("task {t}"))),
        "the contended key holds no written value"
    );
    storage.remove_all().await
}

/// Runs every check.
///
/// # Errors
///
/// The first error the storage returns.
///
/// # Panics
///
/// When the storage misbehaves.
pub async fn run_all(factory: &SecureStorageFactory) -> Result<(), StorageError> {
    write_read_overwrite(factory).await?;
    delete_and_delete_missing(factory).await?;
    remove_all_only_this_scope(factory).await?;
    scope_isolation(factory).await?;
    value_shapes(factory).await?;
    odd_key_shapes(factory).await?;
    batches(factory).await?;
    concurrent_writes(factory).await?;
    Ok(())
}
