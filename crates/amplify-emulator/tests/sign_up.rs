//! SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword, with
//! codes read from the outbox.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType};
use common::*;

const PASSWORD: &str = "Passw0rd!";

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

async fn start(pool: UserPoolSpec, clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(pool)
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

fn wrong(code: &str) -> String {
    if code == "000000" {
        "111111".into()
    } else {
        "000000".into()
    }
}

#[tokio::test]
async fn sign_up_confirm_and_sign_in() {
    let clock = clock();
    let emu = start(
        UserPoolSpec::new("us-east-1").custom_attribute("tenant"),
        &clock,
    )
    .await;
    let client = idp(&emu);
    let out = client
        .sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .user_attributes(attr("custom:tenant", "acme"))
        .send()
        .await
        .unwrap();
    assert!(!out.user_confirmed());
    assert_eq!(out.user_sub().len(), 36);
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(details.destination(), Some("b***@e***"));
    assert_eq!(details.attribute_name(), Some("email"));

    // Not confirmed yet.
    let err = password_sign_in(&emu, &client, "bob", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UserNotConfirmedException");

    let message = emu.outbox().next_message_for("bob@example.com").await;
    assert_eq!(message.kind, MessageKind::SignUp);
    assert_eq!(message.medium, DeliveryMedium::Email);
    let err = client
        .confirm_sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .confirmation_code(wrong(&message.code))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_code_mismatch_exception());
    client
        .confirm_sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .confirmation_code(&message.code)
        .send()
        .await
        .unwrap();
    let err = client
        .confirm_sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .confirmation_code(&message.code)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());

    let out = srp_sign_in(&emu, &client, "bob", PASSWORD).await.unwrap();
    let user = client
        .get_user()
        .access_token(out.authentication_result().unwrap().access_token().unwrap())
        .send()
        .await
        .unwrap();
    let attrs: std::collections::HashMap<_, _> = user
        .user_attributes()
        .iter()
        .map(|a| {
            (
                a.name().to_owned(),
                a.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["custom:tenant"], "acme");
}

#[tokio::test]
async fn sign_up_validation_errors() {
    let clock = clock();
    let emu = start(
        UserPoolSpec::new("us-east-1")
            .user(UserSpec::new("taken", PASSWORD).email("t@example.com")),
        &clock,
    )
    .await;
    let client = idp(&emu);
    let sign_up = |username: &'static str, password: &'static str, attrs: Vec<AttributeType>| {
        client
            .sign_up()
            .client_id(emu.client_id())
            .username(username)
            .password(password)
            .set_user_attributes(Some(attrs))
            .send()
    };
    let err = sign_up("taken", PASSWORD, vec![attr("email", "x@example.com")])
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_username_exists_exception());
    let err = sign_up("TAKEN", PASSWORD, vec![attr("email", "x@example.com")])
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_username_exists_exception());
    for weak in [
        "short1!",
        "nouppercase1!",
        "NOLOWERCASE1!",
        "NoNumbers!!",
        "NoSymbols123",
    ] {
        let err = sign_up("new", weak, vec![attr("email", "x@example.com")])
            .await
            .unwrap_err();
        assert!(
            err.into_service_error().is_invalid_password_exception(),
            "{weak}"
        );
    }
    let err = sign_up("new", PASSWORD, vec![]).await.unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let err = sign_up(
        "new",
        PASSWORD,
        vec![
            attr("email", "x@example.com"),
            attr("custom:undeclared", "1"),
        ],
    )
    .await
    .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let err = sign_up("new", PASSWORD, vec![attr("email", "not-an-email")])
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let err = sign_up("has space", PASSWORD, vec![attr("email", "x@example.com")])
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    // Clients cannot mark their own email verified.
    let err = sign_up(
        "new",
        PASSWORD,
        vec![
            attr("email", "x@example.com"),
            attr("email_verified", "true"),
        ],
    )
    .await
    .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let err = client
        .sign_up()
        .client_id("unknownclient")
        .username("new")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn resend_replaces_the_code_and_codes_expire() {
    let clock = clock();
    let emu = start(UserPoolSpec::new("us-east-1"), &clock).await;
    let client = idp(&emu);
    client
        .sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .unwrap();
    let first = emu.outbox().next_code_for("bob").await;
    let out = client
        .resend_confirmation_code()
        .client_id(emu.client_id())
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details().unwrap().attribute_name(),
        Some("email")
    );
    let second = emu.outbox().next_code_for("bob").await;
    if first != second {
        let err = client
            .confirm_sign_up()
            .client_id(emu.client_id())
            .username("bob")
            .confirmation_code(&first)
            .send()
            .await
            .unwrap_err();
        assert!(err.into_service_error().is_expired_code_exception());
    }
    clock.advance(Duration::from_secs(86_401));
    let err = client
        .confirm_sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .confirmation_code(&second)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_expired_code_exception());
    client
        .resend_confirmation_code()
        .client_id(emu.client_id())
        .username("bob")
        .send()
        .await
        .unwrap();
    let third = emu.outbox().next_code_for("bob").await;
    client
        .confirm_sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .confirmation_code(&third)
        .send()
        .await
        .unwrap();
    let err = client
        .resend_confirmation_code()
        .client_id(emu.client_id())
        .username("bob")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let err = client
        .resend_confirmation_code()
        .client_id(emu.client_id())
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_user_not_found_exception());
}

#[tokio::test]
async fn too_many_wrong_codes_hit_the_limit() {
    let clock = clock();
    let emu = start(UserPoolSpec::new("us-east-1"), &clock).await;
    let client = idp(&emu);
    client
        .sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .unwrap();
    let good = emu.outbox().next_code_for("bob").await;
    for _ in 0..5 {
        let err = client
            .confirm_sign_up()
            .client_id(emu.client_id())
            .username("bob")
            .confirmation_code(wrong(&good))
            .send()
            .await
            .unwrap_err();
        assert!(err.into_service_error().is_code_mismatch_exception());
    }
    let err = client
        .confirm_sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .confirmation_code(&good)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_limit_exceeded_exception());
}

#[tokio::test]
async fn forgot_password_round_trip() {
    let clock = clock();
    let pool = UserPoolSpec::new("us-east-1")
        .user(UserSpec::new("alice", PASSWORD).email("alice@example.com"))
        .user(UserSpec::new("noemail", PASSWORD).attribute("name", "No Email"));
    let emu = start(pool, &clock).await;
    let client = idp(&emu);
    let out = client
        .forgot_password()
        .client_id(emu.client_id())
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details().unwrap().destination(),
        Some("a***@e***")
    );
    let message = emu.outbox().next_message_for("alice").await;
    assert_eq!(message.kind, MessageKind::ForgotPassword);

    let confirm = |code: String, password: &'static str| {
        client
            .confirm_forgot_password()
            .client_id(emu.client_id())
            .username("alice")
            .confirmation_code(code)
            .password(password)
            .send()
    };
    let err = confirm(wrong(&message.code), "NewPassw0rd!")
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_code_mismatch_exception());
    let err = confirm(message.code.clone(), "weak").await.unwrap_err();
    assert!(err.into_service_error().is_invalid_password_exception());
    confirm(message.code.clone(), "NewPassw0rd!").await.unwrap();
    let err = confirm(message.code.clone(), "Other0ne!!")
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_code_mismatch_exception());

    srp_sign_in(&emu, &client, "alice", "NewPassw0rd!")
        .await
        .unwrap();
    let err = srp_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");

    // Codes expire after an hour.
    client
        .forgot_password()
        .client_id(emu.client_id())
        .username("alice")
        .send()
        .await
        .unwrap();
    let code = emu.outbox().next_code_for("alice").await;
    clock.advance(Duration::from_secs(3601));
    let err = confirm(code, "Newer0ne!!").await.unwrap_err();
    assert!(err.into_service_error().is_expired_code_exception());

    let err = client
        .forgot_password()
        .client_id(emu.client_id())
        .username("noemail")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let err = client
        .forgot_password()
        .client_id(emu.client_id())
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_user_not_found_exception());
}

#[tokio::test]
async fn phone_username_pool_sends_sms() {
    let clock = clock();
    let pool = UserPoolSpec::new("us-west-2")
        .username_attributes([UsernameAttribute::PhoneNumber])
        .required_attributes(Vec::<String>::new())
        .auto_verified_attributes(["phone_number"]);
    let emu = start(pool, &clock).await;
    let client = idp(&emu);
    let out = client
        .sign_up()
        .client_id(emu.client_id())
        .username("+15555550123")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details().unwrap().delivery_medium(),
        Some(&DeliveryMediumType::Sms)
    );
    let err = client
        .sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let code = emu.outbox().next_code_for("+15555550123").await;
    client
        .confirm_sign_up()
        .client_id(emu.client_id())
        .username("+15555550123")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    password_sign_in(&emu, &client, "+15555550123", PASSWORD)
        .await
        .unwrap();
    let err = client
        .sign_up()
        .client_id(emu.client_id())
        .username("+15555550123")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_username_exists_exception());
}

#[tokio::test]
async fn secret_clients_need_secret_hash_for_sign_up() {
    let clock = clock();
    let emu = start(
        UserPoolSpec::new("us-east-1").client(AppClientSpec::new().fixed_secret("s3cr3t")),
        &clock,
    )
    .await;
    let client = idp(&emu);
    let err = client
        .sign_up()
        .client_id(emu.client_id())
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    client
        .sign_up()
        .client_id(emu.client_id())
        .secret_hash(secret_hash("s3cr3t", "bob", emu.client_id()))
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .unwrap();
    let code = emu.outbox().next_code_for("bob").await;
    client
        .confirm_sign_up()
        .client_id(emu.client_id())
        .secret_hash(secret_hash("s3cr3t", "bob", emu.client_id()))
        .username("bob")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
}
