//! Operations on the signed-in user and the admin operations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
};
use common::*;

const PASSWORD: &str = "Passw0rd!";

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

async fn start() -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .custom_attribute("tenant")
                .group(GroupSpec::new("admins").precedence(0))
                .group(GroupSpec::new("readers").precedence(5))
                .user(
                    UserSpec::new("alice", PASSWORD)
                        .email("alice@example.com")
                        .phone_number("+15555550100"),
                )
                .user(
                    UserSpec::new("bob", PASSWORD)
                        .email("bob@example.com")
                        .status(SeedStatus::Unconfirmed),
                ),
        )
        .start()
        .await
        .unwrap()
}

async fn access_token(emu: &EmulatorHandle, user: &str, password: &str) -> String {
    srp_sign_in(emu, &idp(emu), user, password)
        .await
        .unwrap()
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned()
}

fn attributes(list: &[AttributeType]) -> HashMap<String, String> {
    list.iter()
        .map(|a| {
            (
                a.name().to_owned(),
                a.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn get_user_and_update_attributes_with_verification() {
    let emu = start().await;
    let client = idp(&emu);
    let token = access_token(&emu, "alice", PASSWORD).await;
    let user = client.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(user.username(), "alice");
    let attrs = attributes(user.user_attributes());
    assert_eq!(attrs["email"], "alice@example.com");
    assert_eq!(attrs["sub"].len(), 36);

    let out = client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "alice@new.example"))
        .user_attributes(attr("custom:tenant", "acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.code_delivery_details_list().len(), 1);
    let attrs = attributes(
        client
            .get_user()
            .access_token(&token)
            .send()
            .await
            .unwrap()
            .user_attributes(),
    );
    assert_eq!(attrs["email"], "alice@new.example");
    assert_eq!(attrs["email_verified"], "false");
    assert_eq!(attrs["custom:tenant"], "acme");

    let message = emu.outbox().next_message_for("alice@new.example").await;
    assert_eq!(message.kind, MessageKind::AttributeVerification);
    let err = client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(if message.code == "000000" {
            "111111"
        } else {
            "000000"
        })
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_code_mismatch_exception());
    client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&message.code)
        .send()
        .await
        .unwrap();
    let attrs = attributes(
        client
            .get_user()
            .access_token(&token)
            .send()
            .await
            .unwrap()
            .user_attributes(),
    );
    assert_eq!(attrs["email_verified"], "true");

    // GetUserAttributeVerificationCode sends a fresh code for the phone.
    let out = client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("phone_number")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details().unwrap().destination(),
        Some("+*******0100")
    );
    let code = emu.outbox().next_code_for("+15555550100").await;
    client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("phone_number")
        .code(code)
        .send()
        .await
        .unwrap();

    // Bad updates.
    for bad in [
        attr("custom:undeclared", "x"),
        attr("sub", "x"),
        attr("email_verified", "true"),
    ] {
        let err = client
            .update_user_attributes()
            .access_token(&token)
            .user_attributes(bad)
            .send()
            .await
            .unwrap_err();
        assert!(err.into_service_error().is_invalid_parameter_exception());
    }
    // ID tokens carry the new attributes.
    let out = srp_sign_in(&emu, &client, "alice", PASSWORD).await.unwrap();
    let verified = emu
        .verify_user_pool_token(out.authentication_result().unwrap().id_token().unwrap())
        .unwrap();
    assert_eq!(verified.claims["custom:tenant"], "acme");
    assert_eq!(verified.claims["phone_number_verified"], true);
}

#[tokio::test]
async fn access_tokens_are_checked() {
    let emu = start().await;
    let client = idp(&emu);
    let out = srp_sign_in(&emu, &client, "alice", PASSWORD).await.unwrap();
    let id_token = out.authentication_result().unwrap().id_token().unwrap();
    for bad in ["garbage", id_token, "a.b.c"] {
        let err = client
            .get_user()
            .access_token(bad)
            .send()
            .await
            .unwrap_err();
        assert!(err.into_service_error().is_not_authorized_exception());
    }
    // A token signed by someone else (here: an OIDC token of the emulator's test issuer).
    let foreign = emu.mint_oidc_token("accounts.google.com", "x").unwrap();
    let err = client
        .get_user()
        .access_token(foreign)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    // A tampered payload.
    let token = out.authentication_result().unwrap().access_token().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!("{}.{}x.{}", parts[0], parts[1], parts[2]);
    let err = client
        .get_user()
        .access_token(tampered)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
}

#[tokio::test]
async fn change_password() {
    let emu = start().await;
    let client = idp(&emu);
    let token = access_token(&emu, "alice", PASSWORD).await;
    let err = client
        .change_password()
        .access_token(&token)
        .previous_password("Wrong0ne!")
        .proposed_password("NewPassw0rd!")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    let err = client
        .change_password()
        .access_token(&token)
        .previous_password(PASSWORD)
        .proposed_password("weak")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_password_exception());
    client
        .change_password()
        .access_token(&token)
        .previous_password(PASSWORD)
        .proposed_password("NewPassw0rd!")
        .send()
        .await
        .unwrap();
    srp_sign_in(&emu, &client, "alice", "NewPassw0rd!")
        .await
        .unwrap();
    let err = srp_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}

#[tokio::test]
async fn admin_operations() {
    let emu = start().await;
    let admin = idp_admin(&emu);
    let client = idp(&emu);
    let pool = emu.user_pool_id().to_owned();

    // Unconfirmed bob cannot sign in until an admin confirms him.
    let err = srp_sign_in(&emu, &client, "bob", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UserNotConfirmedException");
    admin
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    let err = admin
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    srp_sign_in(&emu, &client, "bob", PASSWORD).await.unwrap();

    // Groups end up in both tokens, ordered by precedence.
    admin
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("bob")
        .group_name("readers")
        .send()
        .await
        .unwrap();
    admin
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("bob")
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let err = admin
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("bob")
        .group_name("nope")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_resource_not_found_exception());
    let out = srp_sign_in(&emu, &client, "bob", PASSWORD).await.unwrap();
    let result = out.authentication_result().unwrap();
    for token in [result.id_token().unwrap(), result.access_token().unwrap()] {
        assert_eq!(
            emu.verify_user_pool_token(token).unwrap().groups(),
            vec!["admins", "readers"]
        );
    }

    // AdminUpdateUserAttributes may set verification flags.
    admin
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("bob")
        .user_attributes(attr("email", "bob@new.example"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap();
    let got = admin
        .admin_get_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    let attrs = attributes(got.user_attributes());
    assert_eq!(attrs["email"], "bob@new.example");
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(got.user_status().unwrap().as_str(), "CONFIRMED");
    assert!(got.enabled());

    // Disabled users cannot sign in or use their tokens.
    admin
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    let err = client
        .get_user()
        .access_token(result.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    let err = srp_sign_in(&emu, &client, "bob", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let err = client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token(result.refresh_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    admin
        .admin_enable_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    srp_sign_in(&emu, &client, "bob", PASSWORD).await.unwrap();

    // MFA preferences.
    admin
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("alice")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = admin
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(got.preferred_mfa_setting(), Some("SMS_MFA"));
    assert_eq!(got.user_mfa_setting_list(), ["SMS_MFA".to_owned()]);
    let err = admin
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("alice")
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());

    // Unknown users and pools.
    let err = admin
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_user_not_found_exception());
    let err = admin
        .admin_disable_user()
        .user_pool_id("us-east-1_nope")
        .username("bob")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_resource_not_found_exception());

    // AdminCreateUser without a temporary password generates one that works.
    admin
        .admin_create_user()
        .user_pool_id(&pool)
        .username("carol")
        .user_attributes(attr("email", "carol@example.com"))
        .send()
        .await
        .unwrap();
    let temporary = emu.outbox().next_message_for("carol").await;
    assert_eq!(temporary.kind, MessageKind::TemporaryPassword);
    let out = srp_sign_in(&emu, &client, "carol", &temporary.code)
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name().unwrap().as_str(),
        "NEW_PASSWORD_REQUIRED"
    );
    let err = admin
        .admin_create_user()
        .user_pool_id(&pool)
        .username("carol")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_username_exists_exception());
    // SUPPRESS sends nothing.
    admin
        .admin_create_user()
        .user_pool_id(&pool)
        .username("dan")
        .temporary_password("TempPassw0rd!")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    assert!(emu.outbox().messages_for("dan").is_empty());
}

#[tokio::test]
async fn delete_user_and_set_mfa_preference() {
    let emu = start().await;
    let client = idp(&emu);
    let token = access_token(&emu, "alice", PASSWORD).await;
    client
        .set_user_mfa_preference()
        .access_token(&token)
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .unwrap();
    let user = client.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SMS_MFA".to_owned()]);
    client
        .delete_user()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    let err = client
        .get_user()
        .access_token(&token)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    let err = srp_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UserNotFoundException");
}

#[tokio::test]
async fn handle_admin_helpers() {
    let emu = start().await;
    let admin = emu.admin();
    let username = admin
        .create_user(
            &UserSpec::new("erin", PASSWORD)
                .email("erin@example.com")
                .group("admins"),
        )
        .unwrap();
    assert_eq!(username, "erin");
    assert_eq!(admin.user_status("erin").unwrap(), "CONFIRMED");
    assert_eq!(
        admin.user_attributes("erin").unwrap()["email_verified"],
        "true"
    );
    admin.add_user_to_group("erin", "readers").unwrap();
    admin.set_sms_mfa("alice", true).unwrap();
    admin.set_password("erin", "Another0ne!", true).unwrap();
    admin.disable_user("erin").unwrap();
    let err = password_sign_in(&emu, &idp(&emu), "erin", "Another0ne!")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    admin.enable_user("erin").unwrap();
    password_sign_in(&emu, &idp(&emu), "erin", "Another0ne!")
        .await
        .unwrap();
    admin.delete_user("erin").unwrap();
    assert_eq!(
        admin.user_status("erin").unwrap_err().kind(),
        ErrorKind::UserNotFound
    );
    assert_eq!(
        admin
            .create_user(&UserSpec::new("x", "weak"))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidPassword
    );
}
