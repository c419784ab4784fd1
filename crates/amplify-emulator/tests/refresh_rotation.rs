//! Refresh-token rotation through the official SDK, on the emulator's manual clock.
//!
//! The behaviour comes from the API reference (`RefreshTokenRotationType`) and the developer
//! guide ("Refresh tokens"): with rotation every GetTokensFromRefreshToken returns a new refresh
//! token, the submitted one stays valid for `RetryGracePeriodSeconds` and then gets
//! `RefreshTokenReuseException`, and `REFRESH_TOKEN_AUTH` is not available to the client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider as idp_sdk;
use common::*;
use idp_sdk::types::AuthFlowType;

const PASSWORD: &str = "Passw0rd!";
const ROTATING: &str = "rotatingclient";
const PLAIN: &str = "plainclient";

/// A pool whose first client rotates with `grace`, plus a non-rotating client.
async fn emulator(grace: Duration, clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .client(
                    AppClientSpec::new()
                        .id(ROTATING)
                        .refresh_token_rotation(true)
                        .rotation_grace_period(grace)
                        .refresh_token_validity(Duration::from_secs(7200)),
                )
                .client(AppClientSpec::new().id(PLAIN))
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

/// USER_PASSWORD_AUTH with `client_id`: (access token, refresh token).
async fn sign_in(emu: &EmulatorHandle, client_id: &str) -> (String, String) {
    let (access, _, refresh) = password_tokens(emu, client_id, "alice", PASSWORD).await;
    (access, refresh)
}

type RefreshResult = Result<
    idp_sdk::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenOutput,
    idp_sdk::error::SdkError<
        idp_sdk::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenError,
        idp_sdk::config::http::HttpResponse,
    >,
>;

async fn refresh(client: &idp_sdk::Client, client_id: &str, token: &str) -> RefreshResult {
    client
        .get_tokens_from_refresh_token()
        .client_id(client_id)
        .refresh_token(token)
        .send()
        .await
}

/// The refresh token of a successful GetTokensFromRefreshToken.
fn new_refresh_token(result: RefreshResult) -> String {
    result
        .unwrap()
        .authentication_result()
        .unwrap()
        .refresh_token()
        .expect("a rotating client returns a new refresh token")
        .to_owned()
}

fn assert_reuse(result: RefreshResult) {
    let err = result.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
    let err = err.into_service_error();
    assert!(err.is_refresh_token_reuse_exception(), "{err:?}");
}

fn assert_not_authorized(result: RefreshResult) {
    let err = result.unwrap_err().into_service_error();
    assert!(err.is_not_authorized_exception(), "{err:?}");
}

#[tokio::test]
async fn every_refresh_rotates_and_old_tokens_die_after_the_grace_period() {
    let clock = clock();
    let emu = emulator(Duration::from_secs(10), &clock).await;
    let client = idp(&emu);
    let (_, first) = sign_in(&emu, ROTATING).await;

    let mut seen = BTreeSet::from([first.clone()]);
    let mut chain = vec![first];
    for _ in 0..5 {
        clock.advance(Duration::from_secs(60));
        let latest = chain.last().unwrap().clone();
        let next = new_refresh_token(refresh(&client, ROTATING, &latest).await);
        assert!(
            seen.insert(next.clone()),
            "every rotation mints a new token"
        );
        chain.push(next);
    }
    // Every rotated-out token was replaced at least 10 s ago: the grace period is over.
    clock.advance(Duration::from_secs(10));
    for old in &chain[..chain.len() - 1] {
        assert_reuse(refresh(&client, ROTATING, old).await);
    }

    // Inside the grace period the submitted token still works (a client retry), and the retry
    // rotates too; once the period is over it is refused with RefreshTokenReuseException.
    let latest = chain.last().unwrap().clone();
    let next = new_refresh_token(refresh(&client, ROTATING, &latest).await);
    clock.advance(Duration::from_secs(9));
    let retried = new_refresh_token(refresh(&client, ROTATING, &latest).await);
    assert_ne!(retried, next);
    clock.advance(Duration::from_secs(1));
    assert_reuse(refresh(&client, ROTATING, &latest).await);
    // The tokens issued inside the grace period are good.
    new_refresh_token(refresh(&client, ROTATING, &next).await);
    new_refresh_token(refresh(&client, ROTATING, &retried).await);
}

#[tokio::test]
async fn a_zero_grace_period_invalidates_the_submitted_token_at_once() {
    let clock = clock();
    let emu = emulator(Duration::ZERO, &clock).await;
    let client = idp(&emu);
    let (_, first) = sign_in(&emu, ROTATING).await;
    let second = new_refresh_token(refresh(&client, ROTATING, &first).await);
    assert_reuse(refresh(&client, ROTATING, &first).await);
    new_refresh_token(refresh(&client, ROTATING, &second).await);
}

#[tokio::test]
async fn rotated_tokens_expire_when_the_original_would_have() {
    let clock = clock();
    let emu = emulator(Duration::ZERO, &clock).await;
    let client = idp(&emu);
    let (_, first) = sign_in(&emu, ROTATING).await;
    clock.advance(Duration::from_secs(3600));
    let second = new_refresh_token(refresh(&client, ROTATING, &first).await);
    clock.advance(Duration::from_secs(3599));
    let third = new_refresh_token(refresh(&client, ROTATING, &second).await);
    // 7200 s after the sign-in the family's refresh token has run out.
    clock.advance(Duration::from_secs(1));
    let err = refresh(&client, ROTATING, &third).await.unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_not_authorized_exception(), "{err:?}");
    assert!(format!("{err:?}").contains("expired"), "{err:?}");
}

#[tokio::test]
async fn refresh_token_auth_is_refused_for_a_rotating_client_only() {
    let clock = clock();
    let emu = emulator(Duration::from_secs(30), &clock).await;
    let client = idp(&emu);
    let admin = idp_admin(&emu);
    let (_, rotating) = sign_in(&emu, ROTATING).await;

    for flow in [AuthFlowType::RefreshTokenAuth, AuthFlowType::RefreshToken] {
        let err = client
            .initiate_auth()
            .auth_flow(flow.clone())
            .client_id(ROTATING)
            .auth_parameters("REFRESH_TOKEN", &rotating)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
        let err = err.into_service_error();
        assert!(
            err.is_unsupported_operation_exception(),
            "{flow:?}: {err:?}"
        );
        assert!(format!("{err:?}").contains("GetTokensFromRefreshToken"));

        let err = admin
            .admin_initiate_auth()
            .user_pool_id(emu.user_pool_id())
            .auth_flow(flow.clone())
            .client_id(ROTATING)
            .auth_parameters("REFRESH_TOKEN", &rotating)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            err.is_unsupported_operation_exception(),
            "{flow:?}: {err:?}"
        );
    }
    // The refusal consumed nothing: the token still rotates.
    new_refresh_token(refresh(&client, ROTATING, &rotating).await);

    // A client without rotation keeps both ways, and neither returns a refresh token.
    let (_, plain) = sign_in(&emu, PLAIN).await;
    let out = client
        .initiate_auth()
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .client_id(PLAIN)
        .auth_parameters("REFRESH_TOKEN", &plain)
        .send()
        .await
        .unwrap();
    let result = out.authentication_result().unwrap();
    assert!(result.access_token().is_some());
    assert!(result.refresh_token().is_none());
    let out = refresh(&client, PLAIN, &plain).await.unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .refresh_token()
            .is_none()
    );
    // Without rotation the submitted token is never invalidated.
    clock.advance(Duration::from_secs(120));
    refresh(&client, PLAIN, &plain).await.unwrap();
}

#[tokio::test]
async fn revocation_and_global_sign_out_kill_the_newest_rotated_token() {
    let clock = clock();
    let emu = emulator(Duration::from_secs(60), &clock).await;
    let client = idp(&emu);

    // RevokeToken with the newest token of a rotated chain.
    let (_, first) = sign_in(&emu, ROTATING).await;
    let second = new_refresh_token(refresh(&client, ROTATING, &first).await);
    let out = refresh(&client, ROTATING, &second).await.unwrap();
    let result = out.authentication_result().unwrap();
    let newest = result.refresh_token().unwrap().to_owned();
    let access = result.access_token().unwrap().to_owned();
    client
        .revoke_token()
        .client_id(ROTATING)
        .token(&newest)
        .send()
        .await
        .unwrap();
    // Revocation wins over the grace period: every token of the sign-in is refused.
    for token in [&first, &second, &newest] {
        assert_not_authorized(refresh(&client, ROTATING, token).await);
    }
    let err = client
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_not_authorized_exception(), "{err:?}");

    // GlobalSignOut after rotations.
    let (access, first) = sign_in(&emu, ROTATING).await;
    let newest = new_refresh_token(refresh(&client, ROTATING, &first).await);
    client
        .global_sign_out()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_not_authorized(refresh(&client, ROTATING, &newest).await);
    assert_not_authorized(refresh(&client, ROTATING, &first).await);
}

#[tokio::test]
async fn a_grace_period_over_sixty_seconds_is_refused_at_start() {
    let err = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1").client(
                AppClientSpec::new()
                    .refresh_token_rotation(true)
                    .rotation_grace_period(Duration::from_secs(61)),
            ),
        )
        .start()
        .await
        .unwrap_err();
    let EmulatorError::InvalidSpec(message) = err else {
        panic!("expected InvalidSpec, got {err:?}");
    };
    assert!(message.contains("0 to 60 seconds"), "{message}");
    // 60 s is the largest accepted value.
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1").client(
                AppClientSpec::new()
                    .refresh_token_rotation(true)
                    .rotation_grace_period(Duration::from_secs(60)),
            ),
        )
        .start()
        .await
        .unwrap();
}
