//! `fetch_auth_session` with valid cached tokens and credentials: one thread, and both cores at
//! once (the read path takes no lock, so per-call cost should not grow with threads).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods
)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::Amplify;
use amplify_secure_storage::{SecureStorage, SecureStorageFactory, StorageScope};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;

const CLIENT: &str = "benchclient";
const IDENTITY_POOL: &str = "us-east-1:00000000-0000-4000-8000-0000000bench";

fn jwt(claims: &serde_json::Value) -> String {
    format!(
        "e30.{}.c2ln",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
    )
}

async fn signed_in_plugin() -> (CognitoAuthPlugin, Amplify) {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 86_400;
    let factory = SecureStorageFactory::in_memory();
    let storage = factory
        .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)
        .unwrap();
    let token = jwt(&serde_json::json!({"sub": "s", "username": "u", "exp": exp}));
    for (key, value) in [
        (format!("{CLIENT}.accessToken"), token.clone()),
        (format!("{CLIENT}.idToken"), token),
        (format!("{CLIENT}.refreshToken"), "r".to_owned()),
        (format!("{CLIENT}.username"), "u".to_owned()),
        (
            format!("{IDENTITY_POOL}.identityId"),
            "us-east-1:id".to_owned(),
        ),
        (format!("{IDENTITY_POOL}.accessKeyId"), "ASIA".to_owned()),
        (
            format!("{IDENTITY_POOL}.secretAccessKey"),
            "secret".to_owned(),
        ),
        (
            format!("{IDENTITY_POOL}.sessionToken"),
            "session".to_owned(),
        ),
        (format!("{IDENTITY_POOL}.expiration"), exp.to_string()),
    ] {
        storage
            .write(&key, SecretString::from(value))
            .await
            .unwrap();
    }
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(factory)
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&format!(
            r#"{{"version": "1", "auth": {{"aws_region": "us-east-1", "user_pool_id": "us-east-1_Bench",
            "user_pool_client_id": "{CLIENT}", "user_pool_endpoint": "http://127.0.0.1:9",
            "identity_pool_id": "{IDENTITY_POOL}", "identity_pool_endpoint": "http://127.0.0.1:9"}}}}"#
        ))
        .await
        .unwrap();
    assert!(auth.fetch_auth_session().send().await.credentials.is_ok());
    (auth, amplify)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (auth, _amplify) = rt.block_on(signed_in_plugin());
    let mut group = c.benchmark_group("fetch_auth_session");
    group.bench_function("baseline: block_on(ready)", |b| {
        b.iter(|| rt.block_on(std::future::ready(std::hint::black_box(1))));
    });
    group.bench_function("cached, 1 thread", |b| {
        b.iter(|| rt.block_on(auth.fetch_auth_session().send()));
    });
    group.bench_function("cached, 2 threads at once (per call)", |b| {
        b.iter_custom(|iters| {
            let per_thread = iters.div_ceil(2);
            let start = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    let auth = auth.clone();
                    s.spawn(move || {
                        let rt = tokio::runtime::Builder::new_current_thread()
                            .build()
                            .unwrap();
                        for _ in 0..per_thread {
                            std::hint::black_box(rt.block_on(auth.fetch_auth_session().send()));
                        }
                    });
                }
            });
            // Two threads ran `per_thread` calls each in this wall time: per call, per thread.
            start.elapsed().checked_div(1).unwrap_or(Duration::ZERO)
                * u32::try_from(iters.min(1)).unwrap_or(1)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
