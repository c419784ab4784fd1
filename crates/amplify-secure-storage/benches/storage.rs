//! Read and write latency of every backend.
//!
//! - `in_memory/*`: the in-memory backend.
//! - `encrypted_file/read_cached`: a read served from the decrypted map cached in memory (one
//!   `stat` to check the file did not change, then a map lookup); target < 5 µs.
//! - `encrypted_file/read_after_change`: the first read after another instance replaced the
//!   file (read + decrypt + decode of an auth-sized map).
//! - `encrypted_file/write_fsync`: one write: lock, apply, encrypt, temp file, fsync, rename,
//!   fsync of the directory; `write_fsync_1000_entries` the same with 1,000 entries stored.
//! - `keychain/*` (with `--features keychain`, when the OS keychain works): one item write/read.
//!
//! Run with `cargo bench -p amplify-secure-storage [--features keychain]`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    missing_docs
)]

use std::hint::black_box;
use std::path::PathBuf;

use amplify_secure_storage::{
    EncryptedFileStorage, InMemorySecureStorage, SecureStorage, StorageScope, WriteBatch,
};
use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;
use tokio::runtime::Runtime;

/// A token-sized value (a Cognito ID token is ~1 KB).
fn token() -> SecretString {
    SecretString::from("eyJraWQiOi".repeat(100))
}

/// The keys the Cognito plugin keeps for a signed-in user.
fn auth_batch() -> WriteBatch {
    [
        "accessToken",
        "refreshToken",
        "idToken",
        "username",
        "authFlowType",
        "asfDeviceId",
    ]
    .into_iter()
    .fold(WriteBatch::new(), |batch, key| {
        batch.write(format!("1sg675g08g6g0e9f64grv9n5sk.{key}"), token())
    })
}

/// Polls a future that completes without waiting (the storage then runs inline).
fn poll_once<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the future did not complete outside a runtime"),
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

struct BenchDir(PathBuf);

impl BenchDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("amplify-ss-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        BenchDir(dir)
    }
}

impl Drop for BenchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn in_memory(c: &mut Criterion) {
    let rt = runtime();
    let storage = InMemorySecureStorage::new();
    rt.block_on(storage.write_batch(auth_batch())).unwrap();
    let key = "1sg675g08g6g0e9f64grv9n5sk.refreshToken";
    let mut group = c.benchmark_group("in_memory");
    group.bench_function("read", |b| {
        b.iter(|| rt.block_on(storage.read(black_box(key))).unwrap());
    });
    group.bench_function("write", |b| {
        b.iter(|| rt.block_on(storage.write(black_box(key), token())).unwrap());
    });
    group.finish();
}

fn encrypted_file(c: &mut Criterion) {
    let rt = runtime();
    let dir = BenchDir::new("file");
    let scope = StorageScope::AWS_COGNITO_AUTH_PLUGIN;
    let storage = EncryptedFileStorage::open(&dir.0, scope.clone()).unwrap();
    rt.block_on(storage.write_batch(auth_batch())).unwrap();
    let key = "1sg675g08g6g0e9f64grv9n5sk.refreshToken";
    let mut group = c.benchmark_group("encrypted_file");
    group.bench_function("read_cached", |b| {
        b.iter(|| rt.block_on(storage.read(black_box(key))).unwrap());
    });

    let other = EncryptedFileStorage::open(&dir.0, scope).unwrap();
    let mut toggle = false;
    group.bench_function("read_after_change", |b| {
        b.iter_batched(
            || {
                // Another instance replaces the file (not measured).
                toggle = !toggle;
                let value = if toggle { "a" } else { "b" };
                rt.block_on(other.write("toggle", SecretString::from(value)))
                    .unwrap();
            },
            |()| rt.block_on(storage.read(black_box(key))).unwrap(),
            criterion::BatchSize::PerIteration,
        );
    });

    // The same outside any runtime: the reload runs inline instead of on tokio's blocking pool.
    group.bench_function("read_after_change_no_runtime", |b| {
        b.iter_batched(
            || {
                toggle = !toggle;
                let value = if toggle { "a" } else { "b" };
                rt.block_on(other.write("toggle", SecretString::from(value)))
                    .unwrap();
            },
            |()| poll_once(storage.read(black_box(key))).unwrap(),
            criterion::BatchSize::PerIteration,
        );
    });

    let mut n = 0u64;
    group.bench_function("write_fsync", |b| {
        b.iter(|| {
            n += 1;
            rt.block_on(storage.write("counter", SecretString::from(n.to_string())))
                .unwrap();
        });
    });

    let big = EncryptedFileStorage::open(&dir.0, StorageScope::new("bench1000").unwrap()).unwrap();
    let batch = (0..1000).fold(WriteBatch::new(), |batch, i| {
        batch.write(
            format!("key-{i}"),
            SecretString::from(format!("value-{i}-{}", "x".repeat(64))),
        )
    });
    rt.block_on(big.write_batch(batch)).unwrap();
    group.bench_function("write_fsync_1000_entries", |b| {
        b.iter(|| {
            n += 1;
            rt.block_on(big.write("counter", SecretString::from(n.to_string())))
                .unwrap();
        });
    });
    group.bench_function("read_cached_1000_entries", |b| {
        b.iter(|| rt.block_on(big.read(black_box("key-500"))).unwrap());
    });
    group.finish();
}

#[cfg(feature = "keychain")]
fn keychain(c: &mut Criterion) {
    use amplify_secure_storage::{KeychainStorage, SecureStorageOptions};

    let rt = runtime();
    let storage = KeychainStorage::with_options(
        StorageScope::new("bench").unwrap(),
        &SecureStorageOptions::new().namespace("test.amplify-rs.bench"),
    )
    .unwrap();
    if let Err(err) = rt.block_on(storage.probe()) {
        eprintln!(
            "keychain benches skipped: {}",
            amplify_core::DisplayErrorContext(&err)
        );
        return;
    }
    let mut group = c.benchmark_group("keychain");
    group.sample_size(20);
    group.bench_function("write", |b| {
        b.iter(|| rt.block_on(storage.write("token", token())).unwrap());
    });
    group.bench_function("read", |b| {
        b.iter(|| rt.block_on(storage.read(black_box("token"))).unwrap());
    });
    group.finish();
    rt.block_on(storage.remove_all()).unwrap();
}

#[cfg(not(feature = "keychain"))]
fn keychain(_: &mut Criterion) {}

criterion_group!(benches, in_memory, encrypted_file, keychain);
criterion_main!(benches);
