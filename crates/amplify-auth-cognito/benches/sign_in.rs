//! Full SRP sign-in plus identity-pool credentials against the emulator on loopback (the
//! emulator's own SRP server math runs on the same machine and is included).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use amplify_auth_cognito::{CognitoAuthPlugin, SignInStep};
use amplify_core::Amplify;
use amplify_emulator::{Emulator, IdentityPoolSpec, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (emulator, auth, _amplify) = rt.block_on(async {
        let emulator = Emulator::builder()
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .user(UserSpec::new("alice", "Bench-Passw0rd!").email("a@example.com")),
            )
            .identity_pool(IdentityPoolSpec::new())
            .start()
            .await
            .unwrap();
        let amplify = Amplify::new();
        let auth = CognitoAuthPlugin::builder()
            .secure_storage_factory(SecureStorageFactory::in_memory())
            .build();
        amplify.add_plugin(auth.clone()).unwrap();
        amplify
            .configure(&emulator.amplify_outputs_json())
            .await
            .unwrap();
        (emulator, auth, amplify)
    });
    let mut group = c.benchmark_group("end_to_end");
    group.sample_size(20);
    group.bench_function(
        "SRP sign-in + identity pool credentials (loopback emulator)",
        |b| {
            b.iter(|| {
                rt.block_on(async {
                    let r = auth
                        .sign_in()
                        .username("alice")
                        .password("Bench-Passw0rd!")
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.next_step, SignInStep::Done);
                    let session = auth.fetch_auth_session().send().await;
                    assert!(session.credentials.is_ok());
                    // Local sign-out only clears state: not part of what is measured, but it has to
                    // happen so the next iteration can sign in again.
                    let _ = auth.sign_out().send().await;
                });
            });
        },
    );
    group.finish();
    drop(emulator);
}

criterion_group!(benches, bench);
criterion_main!(benches);
