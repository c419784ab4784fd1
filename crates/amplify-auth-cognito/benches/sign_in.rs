//! Full SRP sign-in plus identity-pool credentials against the emulator on loopback (the
//! emulator's own SRP server math runs on the same machine and is included), a TOTP sign-in
//! (SRP + SOFTWARE_TOKEN_MFA) and a device-SRP sign-in (SRP + DEVICE_SRP_AUTH +
//! DEVICE_PASSWORD_VERIFIER on a remembered device).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{CognitoAuthPlugin, SignInStep};
use amplify_core::Amplify;
use amplify_core::time::{ManualTimeSource, TimeSource};
use amplify_emulator::{
    DeviceConfiguration, Emulator, EmulatorHandle, IdentityPoolSpec, MfaConfiguration, MfaMethod,
    UserPoolSpec, UserSpec,
};
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
    bench_totp_and_device(c, &rt);
}

async fn plugin(emulator: &EmulatorHandle) -> (CognitoAuthPlugin, Amplify) {
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    (auth, amplify)
}

fn bench_totp_and_device(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    const PASSWORD: &str = "Bench-Passw0rd!";
    // The emulator's clock moves 30 s per TOTP sign-in: a code is accepted once per step.
    let clock = ManualTimeSource::new(amplify_core::time::SystemTimeSource.now());
    let (totp_emulator, totp_auth, _a1, secret) = rt.block_on(async {
        let emulator = Emulator::builder()
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .mfa(MfaConfiguration::Optional, [MfaMethod::Totp])
                    .user(UserSpec::new("tina", PASSWORD).email("t@example.com")),
            )
            .time_source(clock.clone())
            .start()
            .await
            .unwrap();
        let (auth, amplify) = plugin(&emulator).await;
        auth.sign_in()
            .username("tina")
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
        let details = auth.set_up_totp().await.unwrap();
        let secret = details.shared_secret().expose_secret().to_owned();
        let now = clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let code = amplify_emulator::totp::code_for_secret_code(&secret, now).unwrap();
        auth.verify_totp_setup().code(code).send().await.unwrap();
        let _ = auth.sign_out().send().await;
        (emulator, auth, amplify, secret)
    });
    let mut group = c.benchmark_group("end_to_end");
    group.sample_size(20);
    group.bench_function(
        "TOTP sign-in: SRP + SOFTWARE_TOKEN_MFA (loopback emulator)",
        |b| {
            b.iter(|| {
                rt.block_on(async {
                    clock.advance(Duration::from_secs(30));
                    let r = totp_auth
                        .sign_in()
                        .username("tina")
                        .password(PASSWORD)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.next_step, SignInStep::ConfirmSignInWithTotpMfaCode);
                    let now = clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
                    let code = amplify_emulator::totp::code_for_secret_code(&secret, now).unwrap();
                    let done = totp_auth
                        .confirm_sign_in()
                        .challenge_response(code)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(done.next_step, SignInStep::Done);
                    let _ = totp_auth.sign_out().send().await;
                });
            });
        },
    );
    drop(totp_emulator);

    let (device_emulator, device_auth, _a2) = rt.block_on(async {
        let emulator = Emulator::builder()
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .device_configuration(DeviceConfiguration::new())
                    .user(UserSpec::new("dora", PASSWORD).email("d@example.com")),
            )
            .start()
            .await
            .unwrap();
        let (auth, amplify) = plugin(&emulator).await;
        // The first sign-in confirms (and, with these settings, remembers) the device.
        auth.sign_in()
            .username("dora")
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
        let _ = auth.sign_out().send().await;
        let before = emulator.request_count("RespondToAuthChallenge");
        auth.sign_in()
            .username("dora")
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
        let _ = auth.sign_out().send().await;
        assert_eq!(
            emulator.request_count("RespondToAuthChallenge") - before,
            3,
            "PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER"
        );
        (emulator, auth, amplify)
    });
    group.bench_function(
        "device SRP sign-in: SRP + DEVICE_SRP_AUTH + DEVICE_PASSWORD_VERIFIER (loopback emulator)",
        |b| {
            b.iter(|| {
                rt.block_on(async {
                    let r = device_auth
                        .sign_in()
                        .username("dora")
                        .password(PASSWORD)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.next_step, SignInStep::Done);
                    let _ = device_auth.sign_out().send().await;
                });
            });
        },
    );
    group.finish();
    drop(device_emulator);
}

criterion_group!(benches, bench);
criterion_main!(benches);
