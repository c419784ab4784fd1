//! Device tracking end to end against the emulator, which verifies the device SRP proof with
//! the verifier `ConfirmDevice` registered: a new device is confirmed at sign-in, remembered,
//! then skips SMS MFA with device SRP; devices are listed and forgotten; a device forgotten
//! elsewhere is dropped and the sign-in goes on without it; refresh sends the device key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{AuthError, CognitoAuthPlugin, InvalidStateReason, SignInStep};
use amplify_core::Amplify;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_emulator::{
    DeviceConfiguration, Emulator, EmulatorHandle, MfaConfiguration, MfaMethod, UserPoolSpec,
    UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";

struct Setup {
    emulator: EmulatorHandle,
    clock: ManualTimeSource,
    storage: SecureStorageFactory,
}

async fn setup() -> Setup {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .mfa(MfaConfiguration::Optional, [MfaMethod::Sms])
                .device_configuration(
                    DeviceConfiguration::new()
                        .challenge_required_on_new_device(true)
                        .device_only_remembered_on_user_prompt(true),
                )
                .user(
                    UserSpec::new("frank", PASSWORD)
                        .email("frank@example.com")
                        .phone_number("+15555550100")
                        .sms_mfa(true),
                ),
        )
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    Setup {
        emulator,
        clock,
        storage: SecureStorageFactory::in_memory(),
    }
}

impl Setup {
    /// A "process" over the shared storage (device secrets survive across them).
    async fn process(&self) -> CognitoAuthPlugin {
        let amplify = Amplify::builder()
            .time_source(SharedTimeSource::new(self.clock.clone()))
            .build();
        let auth = CognitoAuthPlugin::builder()
            .secure_storage_factory(self.storage.clone())
            .device_name("test laptop")
            .build();
        amplify.add_plugin(auth.clone()).unwrap();
        amplify
            .configure(&self.emulator.amplify_outputs_json())
            .await
            .unwrap();
        auth
    }

    /// Signs in with the SMS code when asked for one; returns whether MFA was asked.
    async fn sign_in(&self, auth: &CognitoAuthPlugin) -> bool {
        let result = auth
            .sign_in()
            .username("frank")
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
        match result.next_step {
            SignInStep::Done => false,
            SignInStep::ConfirmSignInWithSmsMfaCode(_) => {
                let code = self.emulator.outbox().next_code_for("frank").await;
                let done = auth
                    .confirm_sign_in()
                    .challenge_response(code)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(done.next_step, SignInStep::Done);
                true
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_remembered_device_signs_in_with_device_srp_instead_of_mfa() {
    let s = setup().await;
    let auth = s.process().await;
    assert!(s.sign_in(&auth).await, "a new device gets MFA");
    // The device was confirmed at sign-in; the pool waits for the user to remember it.
    let current = auth.fetch_current_device().await.unwrap();
    assert_eq!(current.name.as_deref(), Some("test laptop"));
    assert_eq!(auth.fetch_devices().await.unwrap().len(), 1);
    auth.sign_out().send().await;
    assert!(s.sign_in(&auth).await, "not remembered yet: MFA again");

    auth.remember_device().await.unwrap();
    auth.sign_out().send().await;
    // A new process over the same storage: the device secrets are there, device SRP answers,
    // and the remembered device replaces MFA.
    let later = s.process().await;
    assert!(!s.sign_in(&later).await, "a remembered device skips MFA");
    // Refresh goes on with the device key.
    let refreshed = later.fetch_auth_session().force_refresh(true).send().await;
    assert!(
        refreshed.user_pool_tokens.is_ok(),
        "{:?}",
        refreshed.user_pool_tokens
    );
}

#[tokio::test]
async fn devices_are_forgotten_here_and_elsewhere() {
    let s = setup().await;
    let auth = s.process().await;
    s.sign_in(&auth).await;
    auth.remember_device().await.unwrap();
    let device = auth.fetch_current_device().await.unwrap();

    // Forgotten elsewhere (an administrator): this machine still holds the secrets, so the next
    // sign-in sends a device the pool no longer knows, drops it, and signs in without it.
    auth.sign_out().send().await;
    s.emulator
        .backend()
        .call(
            "AdminForgetDevice",
            &serde_json::json!({"UserPoolId": s.emulator.user_pool_id(), "Username": "frank",
                "DeviceKey": device.id}),
        )
        .unwrap();
    assert!(
        s.sign_in(&auth).await,
        "without a remembered device, MFA again"
    );
    // A new device was registered by that sign-in.
    let new_device = auth.fetch_current_device().await.unwrap();
    assert_ne!(new_device.id, device.id);

    // Forgetting a listed device by id works; forgetting this device removes its secrets.
    auth.remember_device().await.unwrap();
    auth.forget_device(Some(&new_device)).await.unwrap();
    assert!(auth.fetch_devices().await.unwrap().is_empty());
    auth.sign_out().send().await;
    s.sign_in(&auth).await;
    auth.forget_device(None).await.unwrap();
    assert!(matches!(
        auth.fetch_current_device().await,
        Err(AuthError::InvalidState(
            InvalidStateReason::DeviceNotTracked
        ))
    ));
    assert!(auth.fetch_devices().await.unwrap().is_empty());
}
