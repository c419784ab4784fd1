//! Cognito's temporary lockout after failed password sign-ins, and AdminResetUserPassword's
//! PasswordResetRequiredException, through the official SDK on the emulator's manual clock.
//!
//! Developer guide, "Lockout behavior for failed sign-in attempts": five free failures, then
//! 2^(n-5) seconds (n failures so far) up to about 15 minutes; attempts while locked get
//! `Password attempts exceeded` and do not count; a success after a lock, or 15 quiet minutes,
//! resets n.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider as idp_sdk;
use common::*;
use idp_sdk::error::ProvideErrorMetadata;

const PASSWORD: &str = "Passw0rd!";
const WRONG: &str = "Wr0ng-password";
const EXCEEDED: &str = "Password attempts exceeded";
const INCORRECT: &str = "Incorrect username or password.";

async fn emulator(clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

/// USER_PASSWORD_AUTH: `Ok(())` or the NotAuthorizedException message.
async fn password(emu: &EmulatorHandle, client: &idp_sdk::Client, pw: &str) -> Result<(), String> {
    match password_sign_in(emu, client, "alice", pw).await {
        Ok(out) => {
            assert!(out.authentication_result().is_some());
            Ok(())
        }
        Err(e) => {
            assert_eq!(code(&e), "NotAuthorizedException", "{e:?}");
            Err(e.message().unwrap_or_default().to_owned())
        }
    }
}

/// A full SRP sign-in: `Ok(())` or the NotAuthorizedException message.
async fn srp(emu: &EmulatorHandle, client: &idp_sdk::Client, pw: &str) -> Result<(), String> {
    match srp_sign_in(emu, client, "alice", pw).await {
        Ok(_) => Ok(()),
        Err(e) => {
            assert_eq!(code(&e), "NotAuthorizedException", "{e:?}");
            Err(e.message().unwrap_or_default().to_owned())
        }
    }
}

fn incorrect() -> Result<(), String> {
    Err(INCORRECT.to_owned())
}

fn exceeded() -> Result<(), String> {
    Err(EXCEEDED.to_owned())
}

#[tokio::test]
async fn five_failures_lock_out_for_doubling_periods() {
    let clock = clock();
    let emu = emulator(&clock).await;
    let client = idp(&emu);
    for _ in 0..5 {
        assert_eq!(password(&emu, &client, WRONG).await, incorrect());
    }
    // n = 5: locked for 1 s, even with the right password.
    assert_eq!(password(&emu, &client, PASSWORD).await, exceeded());
    clock.advance(Duration::from_secs(1));
    // n = 6: 2 s.
    assert_eq!(password(&emu, &client, WRONG).await, incorrect());
    assert_eq!(password(&emu, &client, PASSWORD).await, exceeded());
    clock.advance(Duration::from_secs(1));
    // Attempts while locked out do not count and do not lengthen the lock.
    assert_eq!(password(&emu, &client, WRONG).await, exceeded());
    clock.advance(Duration::from_secs(1));
    // n = 7: 4 s.
    assert_eq!(password(&emu, &client, WRONG).await, incorrect());
    clock.advance(Duration::from_secs(3));
    assert_eq!(password(&emu, &client, PASSWORD).await, exceeded());
    clock.advance(Duration::from_secs(1));
    // A sign-in after the lock succeeds and resets n: five free failures again.
    assert_eq!(password(&emu, &client, PASSWORD).await, Ok(()));
    for _ in 0..5 {
        assert_eq!(password(&emu, &client, WRONG).await, incorrect());
    }
    assert_eq!(password(&emu, &client, PASSWORD).await, exceeded());

    // Other users are not affected.
    emu.admin()
        .create_user(&UserSpec::new("bob", PASSWORD).email("bob@example.com"))
        .unwrap();
    password_sign_in(&emu, &client, "bob", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_lock_grows_to_about_fifteen_minutes_and_quiet_time_resets_it() {
    let clock = clock();
    let emu = emulator(&clock).await;
    let client = idp(&emu);
    // Failures spaced past each lock: n = 5..=15 locks 1, 2, ..., 1024 s (capped at 900).
    let mut lock = 0;
    for n in 1..=15_u32 {
        clock.advance(Duration::from_secs(lock));
        assert_eq!(password(&emu, &client, WRONG).await, incorrect(), "n = {n}");
        lock = if n >= 5 {
            (1_u64 << (n - 5)).min(900)
        } else {
            0
        };
    }
    assert_eq!(lock, 900);
    clock.advance(Duration::from_secs(899));
    assert_eq!(password(&emu, &client, PASSWORD).await, exceeded());
    // 15 minutes with no attempt at all reset n to 0 ...
    clock.advance(Duration::from_secs(900));
    for _ in 0..5 {
        assert_eq!(password(&emu, &client, WRONG).await, incorrect());
    }
    // ... so the next lock is 1 s again.
    assert_eq!(password(&emu, &client, PASSWORD).await, exceeded());
    clock.advance(Duration::from_secs(1));
    assert_eq!(password(&emu, &client, PASSWORD).await, Ok(()));
}

#[tokio::test]
async fn srp_proofs_count_toward_the_same_lockout() {
    let clock = clock();
    let emu = emulator(&clock).await;
    let client = idp(&emu);
    for _ in 0..3 {
        assert_eq!(srp(&emu, &client, WRONG).await, incorrect());
    }
    for _ in 0..2 {
        assert_eq!(password(&emu, &client, WRONG).await, incorrect());
    }
    // The refusal comes with the PASSWORD_VERIFIER answer, whatever the proof.
    assert_eq!(srp(&emu, &client, PASSWORD).await, exceeded());
    clock.advance(Duration::from_secs(1));
    assert_eq!(srp(&emu, &client, PASSWORD).await, Ok(()));
}

#[tokio::test]
async fn admin_reset_user_password_requires_the_forgot_password_flow() {
    let clock = clock();
    let emu = emulator(&clock).await;
    let client = idp(&emu);
    let admin = idp_admin(&emu);
    admin
        .admin_reset_user_password()
        .user_pool_id(emu.user_pool_id())
        .username("alice")
        .send()
        .await
        .unwrap();
    let user = admin
        .admin_get_user()
        .user_pool_id(emu.user_pool_id())
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "RESET_REQUIRED");

    // The old password is right, but the user must reset it.
    for result in [
        password_sign_in(&emu, &client, "alice", PASSWORD)
            .await
            .map(drop),
        srp_sign_in(&emu, &client, "alice", PASSWORD)
            .await
            .map(drop),
    ] {
        let err = result.unwrap_err();
        assert_eq!(code(&err), "PasswordResetRequiredException", "{err:?}");
    }
    let err = password_sign_in(&emu, &client, "alice", WRONG)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException", "{err:?}");

    let reset_code = emu.outbox().next_code_for("alice").await;
    client
        .confirm_forgot_password()
        .client_id(emu.client_id())
        .username("alice")
        .confirmation_code(reset_code)
        .password("N3w-Passw0rd!")
        .send()
        .await
        .unwrap();
    password_sign_in(&emu, &client, "alice", "N3w-Passw0rd!")
        .await
        .unwrap();
}
