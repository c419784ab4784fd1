//! Operations beyond the list (admin sign-in, groups, user listing, DescribeIdentity) and
//! the handle's panic reporting.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use amplify_emulator::triggers::*;
use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use common::*;

const PASSWORD: &str = "Passw0rd!";

async fn start() -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com"))
                .user(UserSpec::new("bob", PASSWORD).email("bob@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn admin_sign_in_and_password_operations() {
    let emu = start().await;
    let admin = idp_admin(&emu);
    let pool = emu.user_pool_id().to_owned();
    let out = admin
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(emu.client_id())
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
    let err = admin
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(emu.client_id())
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", "wrong")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    // Admin flows are not allowed through InitiateAuth.
    let err = idp(&emu)
        .initiate_auth()
        .client_id(emu.client_id())
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());

    // A non-permanent password forces NEW_PASSWORD_REQUIRED, answered through the admin API.
    admin
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("bob")
        .password("TempPassw0rd!")
        .permanent(false)
        .send()
        .await
        .unwrap();
    let out = admin
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(emu.client_id())
        .auth_flow(AuthFlowType::AdminNoSrpAuth)
        .auth_parameters("USERNAME", "bob")
        .auth_parameters("PASSWORD", "TempPassw0rd!")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let out = admin
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool)
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "bob")
        .challenge_responses("NEW_PASSWORD", "Final0ne!!")
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result().is_some());
    srp_sign_in(&emu, &idp(&emu), "bob", "Final0ne!!")
        .await
        .unwrap();

    // AdminUserGlobalSignOut and AdminDeleteUser.
    let out = srp_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap();
    let token = out
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    admin
        .admin_user_global_sign_out()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let err = idp(&emu)
        .get_user()
        .access_token(&token)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    admin
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let err = admin
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_user_not_found_exception());
}

#[tokio::test]
async fn groups_and_listing() {
    let emu = start().await;
    let admin = idp_admin(&emu);
    let pool = emu.user_pool_id().to_owned();
    let out = admin
        .create_group()
        .user_pool_id(&pool)
        .group_name("editors")
        .precedence(3)
        .role_arn("arn:aws:iam::000000000000:role/editors")
        .send()
        .await
        .unwrap();
    assert_eq!(out.group().unwrap().group_name(), Some("editors"));
    let err = admin
        .create_group()
        .user_pool_id(&pool)
        .group_name("editors")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_group_exists_exception());
    admin
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("bob")
        .group_name("editors")
        .send()
        .await
        .unwrap();
    let groups = admin
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups().len(), 1);
    assert_eq!(groups.groups()[0].precedence(), Some(3));
    let out = srp_sign_in(&emu, &idp(&emu), "bob", PASSWORD)
        .await
        .unwrap();
    let id = emu
        .verify_user_pool_token(out.authentication_result().unwrap().id_token().unwrap())
        .unwrap();
    assert_eq!(
        id.claims["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/editors"
    );
    admin
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("bob")
        .group_name("editors")
        .send()
        .await
        .unwrap();
    let groups = admin
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert!(groups.groups().is_empty());

    let all = admin.list_users().user_pool_id(&pool).send().await.unwrap();
    assert_eq!(all.users().len(), 2);
    let filtered = admin
        .list_users()
        .user_pool_id(&pool)
        .filter("email = \"bob@example.com\"")
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.users().len(), 1);
    assert_eq!(filtered.users()[0].username(), Some("bob"));
    let prefix = admin
        .list_users()
        .user_pool_id(&pool)
        .filter("username ^= \"al\"")
        .send()
        .await
        .unwrap();
    assert_eq!(prefix.users().len(), 1);
    let err = admin
        .list_users()
        .user_pool_id(&pool)
        .filter("nonsense")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
}

#[tokio::test]
async fn describe_identity_lists_linked_providers() {
    let emu = start().await;
    let ci = identity(&emu);
    let out = srp_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap();
    let token = out
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    let id = ci
        .get_id()
        .identity_pool_id(emu.identity_pool_id().unwrap())
        .logins(emu.identity_provider_name(), &token)
        .send()
        .await
        .unwrap();
    let signed = aws_sdk_cognitoidentity::Client::from_conf(
        ci.config()
            .to_builder()
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKID", "SECRET", None, None, "test",
            ))
            .build(),
    );
    let described = signed
        .describe_identity()
        .identity_id(id.identity_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(described.logins(), [emu.identity_provider_name()]);
}

/// A define trigger with a bug.
#[derive(Debug)]
struct Buggy;

impl CustomAuthTriggers for Buggy {
    fn define_auth_challenge(
        &self,
        _: &DefineAuthChallenge,
    ) -> Result<DefineAuthChallengeResult, TriggerError> {
        panic!("bug in the define trigger");
    }
    fn create_auth_challenge(
        &self,
        _: &CreateAuthChallenge,
    ) -> Result<CreateAuthChallengeResult, TriggerError> {
        Ok(CreateAuthChallengeResult::new())
    }
    fn verify_auth_challenge(&self, _: &VerifyAuthChallenge) -> Result<bool, TriggerError> {
        Ok(true)
    }
}

async fn buggy_emulator() -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .triggers(Buggy)
                .user(UserSpec::new("alice", PASSWORD).email("a@example.com")),
        )
        .start()
        .await
        .unwrap()
}

async fn trigger_the_bug(emu: &EmulatorHandle) {
    let err = idp(emu)
        .initiate_auth()
        .auth_flow(AuthFlowType::CustomAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.raw_response().is_none(),
        "the connection is dropped: {err:?}"
    );
}

#[tokio::test]
async fn server_side_panics_are_reported_by_shutdown() {
    let emu = buggy_emulator().await;
    trigger_the_bug(&emu).await;
    // The emulator keeps serving after the panic.
    password_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap();
    match emu.shutdown().await {
        Err(EmulatorError::ServerPanicked(messages)) => {
            assert!(messages[0].contains("InitiateAuth"), "{messages:?}");
            assert!(
                messages[0].contains("bug in the define trigger"),
                "{messages:?}"
            );
        }
        other => panic!("expected ServerPanicked, got {other:?}"),
    }
}

#[tokio::test]
#[should_panic(expected = "request handling panicked")]
async fn server_side_panics_fail_the_test_on_drop() {
    let emu = buggy_emulator().await;
    trigger_the_bug(&emu).await;
    drop(emu);
}
