//! Sign-in through the official SDK: SRP, password, refresh, revocation, challenges, custom auth.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use amplify_emulator::triggers::*;
use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use common::*;

const PASSWORD: &str = "Passw0rd!";

async fn emulator_with(pool: UserPoolSpec, clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(pool)
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

fn alice_pool() -> UserPoolSpec {
    UserPoolSpec::new("us-east-1")
        .group(GroupSpec::new("admins").precedence(1))
        .user(
            UserSpec::new("alice", PASSWORD)
                .email("alice@example.com")
                .group("admins"),
        )
}

fn claims(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn srp_sign_in_issues_cognito_shaped_tokens() {
    let clock = clock();
    let emu = emulator_with(alice_pool(), &clock).await;
    let client = idp(&emu);
    let out = srp_sign_in(&emu, &client, "alice", PASSWORD).await.unwrap();
    let result = out.authentication_result().unwrap();
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    assert!(result.refresh_token().is_some());

    let access = claims(result.access_token().unwrap());
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["iss"], emu.issuer());
    assert_eq!(access["client_id"], emu.client_id());
    assert_eq!(access["username"], "alice");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["cognito:groups"], serde_json::json!(["admins"]));
    assert_eq!(access["iat"], 1_800_000_000);
    assert_eq!(access["exp"], 1_800_003_600);

    let id = claims(result.id_token().unwrap());
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], emu.client_id());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["origin_jti"], access["origin_jti"]);
    assert_eq!(id["sub"], access["sub"]);

    let verified = emu
        .verify_user_pool_token(result.id_token().unwrap())
        .unwrap();
    assert_eq!(verified.groups(), vec!["admins".to_owned()]);
    assert_eq!(verified.username.as_deref(), Some("alice"));
    assert_eq!(emu.request_count("InitiateAuth"), 1);
    assert_eq!(emu.request_count("RespondToAuthChallenge"), 1);
}

#[tokio::test]
async fn srp_refuses_wrong_password_forged_proof_stale_timestamp_and_replay() {
    let clock = clock();
    let emu = emulator_with(alice_pool(), &clock).await;
    let client = idp(&emu);

    let err = srp_sign_in(&emu, &client, "alice", "Wr0ngPassword!")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");

    let v = start_srp(&emu, &client, "alice").await.unwrap();
    let mut forged = v.responses_now(&emu, PASSWORD);
    forged.insert(
        "PASSWORD_CLAIM_SIGNATURE".into(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
    );
    let err = answer_srp(&emu, &client, &v, forged).await.unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");

    for offset in [-600i64, 600] {
        let v = start_srp(&emu, &client, "alice").await.unwrap();
        let when = (now_secs(&emu) as i64 + offset) as u64;
        let stale = v.responses(&emu, PASSWORD, &srp::timestamp(when));
        let err = answer_srp(&emu, &client, &v, stale).await.unwrap_err();
        assert_eq!(code(&err), "NotAuthorizedException", "offset {offset}");
    }

    let v = start_srp(&emu, &client, "alice").await.unwrap();
    let good = v.responses_now(&emu, PASSWORD);
    answer_srp(&emu, &client, &v, good.clone()).await.unwrap();
    let err = answer_srp(&emu, &client, &v, good).await.unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");

    // A timestamp within tolerance is fine, and a zero-padded day is accepted.
    let v = start_srp(&emu, &client, "alice").await.unwrap();
    let near = v.responses(&emu, PASSWORD, &srp::timestamp(now_secs(&emu) - 60));
    answer_srp(&emu, &client, &v, near).await.unwrap();
}

#[tokio::test]
async fn srp_rejects_bad_srp_a_and_unknown_users() {
    let clock = clock();
    let emu = emulator_with(alice_pool(), &clock).await;
    let client = idp(&emu);
    let err = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", "not-hex")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());

    let err = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());

    // SRP_A = 0 (mod N) gets a challenge but can never prove anything.
    let err = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("SRP_A", "abcd")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_user_not_found_exception());

    let err = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id("nosuchclient")
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", "abcd")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn prevent_user_existence_errors_hides_unknown_users() {
    let clock = clock();
    let pool = alice_pool().client(AppClientSpec::new().prevent_user_existence_errors(true));
    let emu = emulator_with(pool, &clock).await;
    let err = password_sign_in(&emu, &idp(&emu), "nobody", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}

#[tokio::test]
async fn user_password_auth_checks_the_password_and_user_state() {
    let clock = clock();
    let pool = alice_pool()
        .user(
            UserSpec::new("carol", PASSWORD)
                .email("carol@example.com")
                .status(SeedStatus::Unconfirmed),
        )
        .user(
            UserSpec::new("dave", PASSWORD)
                .email("dave@example.com")
                .enabled(false),
        );
    let emu = emulator_with(pool, &clock).await;
    let client = idp(&emu);
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
    // Usernames are case-insensitive.
    password_sign_in(&emu, &client, "ALICE", PASSWORD)
        .await
        .unwrap();

    let err = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", "nope")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());

    let err = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "carol")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_user_not_confirmed_exception());
    let err = password_sign_in(&emu, &client, "carol", "wrong")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");

    let err = password_sign_in(&emu, &client, "dave", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let err = srp_sign_in(&emu, &client, "dave", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}

#[tokio::test]
async fn flows_can_be_disabled_per_client() {
    let clock = clock();
    let pool = alice_pool()
        .client(AppClientSpec::new().auth_flows([AuthFlow::UserSrp, AuthFlow::RefreshToken]));
    let emu = emulator_with(pool, &clock).await;
    let err = password_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    srp_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn client_secret_requires_a_correct_secret_hash() {
    let clock = clock();
    let pool = alice_pool().client(AppClientSpec::new().secret(true));
    let emu = emulator_with(pool, &clock).await;
    let secret = emu.client_secret().unwrap().to_owned();
    let client = idp(&emu);

    // The helpers send SECRET_HASH when the client has a secret.
    let signed_in = srp_sign_in(&emu, &client, "alice", PASSWORD).await.unwrap();
    password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();

    for hash in [None, Some("d3Jvbmc=")] {
        let mut params: std::collections::HashMap<String, String> =
            [("USERNAME", "alice"), ("PASSWORD", PASSWORD)]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into();
        if let Some(hash) = hash {
            params.insert("SECRET_HASH".to_owned(), hash.to_owned());
        }
        let err = client
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(emu.client_id())
            .set_auth_parameters(Some(params))
            .send()
            .await
            .unwrap_err();
        assert!(err.into_service_error().is_not_authorized_exception());
    }

    // Refresh with the new API sends the secret itself.
    let refresh = signed_in
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap();
    client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .client_secret(&secret)
        .refresh_token(refresh)
        .send()
        .await
        .unwrap();
    let err = client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .client_secret("wrong")
        .refresh_token(refresh)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    // REFRESH_TOKEN_AUTH takes a SECRET_HASH over the username.
    client
        .initiate_auth()
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .client_id(emu.client_id())
        .auth_parameters("REFRESH_TOKEN", refresh)
        .auth_parameters(
            "SECRET_HASH",
            secret_hash(&secret, "alice", emu.client_id()),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn refresh_revoke_and_global_sign_out() {
    let clock = clock();
    let emu = emulator_with(alice_pool(), &clock).await;
    let client = idp(&emu);
    let first = srp_sign_in(&emu, &client, "alice", PASSWORD).await.unwrap();
    let first = first.authentication_result().unwrap();
    let refresh = first.refresh_token().unwrap().to_owned();

    clock.advance(Duration::from_secs(600));
    let out = client
        .initiate_auth()
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .client_id(emu.client_id())
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .unwrap();
    let renewed = out.authentication_result().unwrap();
    assert!(renewed.refresh_token().is_none());
    let access = claims(renewed.access_token().unwrap());
    assert_eq!(access["auth_time"], 1_800_000_000);
    assert_eq!(access["iat"], 1_800_000_600);
    assert_eq!(
        access["origin_jti"],
        claims(first.access_token().unwrap())["origin_jti"]
    );

    // The new API without rotation: no new refresh token.
    let out = client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token(&refresh)
        .send()
        .await
        .unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .refresh_token()
            .is_none()
    );

    // A bogus refresh token.
    let err = client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token("bogus")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());

    // RevokeToken: the refresh token and every token of that sign-in are refused.
    client
        .revoke_token()
        .client_id(emu.client_id())
        .token(&refresh)
        .send()
        .await
        .unwrap();
    let err = client
        .initiate_auth()
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .client_id(emu.client_id())
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    let err = client
        .get_user()
        .access_token(renewed.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    assert_eq!(
        emu.verify_user_pool_token(first.id_token().unwrap())
            .unwrap_err(),
        TokenError::Revoked
    );
    // RevokeToken refuses access tokens.
    let err = client
        .revoke_token()
        .client_id(emu.client_id())
        .token(renewed.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error()
            .is_unsupported_token_type_exception()
    );

    // GlobalSignOut revokes every sign-in of the user.
    let a = srp_sign_in(&emu, &client, "alice", PASSWORD).await.unwrap();
    let b = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    let a = a.authentication_result().unwrap();
    let b = b.authentication_result().unwrap();
    client
        .get_user()
        .access_token(a.access_token().unwrap())
        .send()
        .await
        .unwrap();
    client
        .global_sign_out()
        .access_token(a.access_token().unwrap())
        .send()
        .await
        .unwrap();
    for token in [a.access_token().unwrap(), b.access_token().unwrap()] {
        let err = client
            .get_user()
            .access_token(token)
            .send()
            .await
            .unwrap_err();
        assert!(err.into_service_error().is_not_authorized_exception());
    }
    let err = client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token(b.refresh_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
}

#[tokio::test]
async fn tokens_expire_on_the_emulator_clock() {
    let clock = clock();
    let pool =
        alice_pool().client(AppClientSpec::new().refresh_token_validity(Duration::from_secs(7200)));
    let emu = emulator_with(pool, &clock).await;
    let client = idp(&emu);
    let out = srp_sign_in(&emu, &client, "alice", PASSWORD).await.unwrap();
    let result = out.authentication_result().unwrap();
    clock.advance(Duration::from_secs(3601));
    let err = client
        .get_user()
        .access_token(result.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_not_authorized_exception());
    assert!(format!("{err:?}").contains("expired"), "{err:?}");
    assert_eq!(
        emu.verify_user_pool_token(result.id_token().unwrap())
            .unwrap_err(),
        TokenError::Expired
    );
    clock.advance(Duration::from_secs(3600));
    let err = client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token(result.refresh_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
}

#[tokio::test]
async fn refresh_token_rotation() {
    let clock = clock();
    let pool = alice_pool().client(
        AppClientSpec::new()
            .refresh_token_rotation(true)
            .rotation_grace_period(Duration::from_secs(10)),
    );
    let emu = emulator_with(pool, &clock).await;
    let client = idp(&emu);
    let out = srp_sign_in(&emu, &client, "alice", PASSWORD).await.unwrap();
    let old = out
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    let out = client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token(&old)
        .send()
        .await
        .unwrap();
    let new = out
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    assert_ne!(old, new);
    // Within the grace period the old token still works (and returns another new one).
    client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token(&old)
        .send()
        .await
        .unwrap();
    clock.advance(Duration::from_secs(11));
    let err = client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token(&old)
        .send()
        .await
        .unwrap_err();
    // More cases in tests/refresh_rotation.rs.
    assert!(err.into_service_error().is_refresh_token_reuse_exception());
    client
        .get_tokens_from_refresh_token()
        .client_id(emu.client_id())
        .refresh_token(&new)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn new_password_required_after_admin_create_user() {
    let clock = clock();
    let emu = emulator_with(
        UserPoolSpec::new("us-east-1").required_attributes(["email", "name"]),
        &clock,
    )
    .await;
    let admin = idp_admin(&emu);
    let out = admin
        .admin_create_user()
        .user_pool_id(emu.user_pool_id())
        .username("bob")
        .temporary_password("TempPassw0rd!")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("bob@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.user().unwrap().user_status().unwrap().as_str(),
        "FORCE_CHANGE_PASSWORD"
    );
    // The invitation lands in the outbox with the temporary password.
    assert_eq!(
        emu.outbox().latest_code_for("bob").as_deref(),
        Some("TempPassw0rd!")
    );

    let client = idp(&emu);
    let out = srp_sign_in(&emu, &client, "bob", "TempPassw0rd!")
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["requiredAttributes"], r#"["userAttributes.name"]"#);
    assert!(params["userAttributes"].contains("bob@example.com"));
    let session = out.session().unwrap().to_owned();

    // A weak password keeps the session usable.
    let err = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(&session)
        .challenge_responses("USERNAME", "bob")
        .challenge_responses("NEW_PASSWORD", "weak")
        .challenge_responses("userAttributes.name", "Bob")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_password_exception());
    // A missing required attribute too.
    let err = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(&session)
        .challenge_responses("USERNAME", "bob")
        .challenge_responses("NEW_PASSWORD", "NewPassw0rd!")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let out = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(&session)
        .challenge_responses("USERNAME", "bob")
        .challenge_responses("NEW_PASSWORD", "NewPassw0rd!")
        .challenge_responses("userAttributes.name", "Bob")
        .send()
        .await
        .unwrap();
    let id = claims(out.authentication_result().unwrap().id_token().unwrap());
    assert_eq!(id["name"], "Bob");
    assert_eq!(emu.admin().user_status("bob").unwrap(), "CONFIRMED");
    password_sign_in(&emu, &client, "bob", "NewPassw0rd!")
        .await
        .unwrap();
    let err = password_sign_in(&emu, &client, "bob", "TempPassw0rd!")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");

    // A session is single-use and expires.
    let err = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(&session)
        .challenge_responses("USERNAME", "bob")
        .challenge_responses("NEW_PASSWORD", "NewPassw0rd!")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
}

#[tokio::test]
async fn temporary_passwords_expire() {
    let clock = clock();
    let emu = emulator_with(UserPoolSpec::new("us-east-1"), &clock).await;
    emu.admin()
        .create_user(
            &UserSpec::new("eve", "TempPassw0rd!")
                .email("e@example.com")
                .status(SeedStatus::ForceChangePassword),
        )
        .unwrap();
    clock.advance(Duration::from_secs(8 * 86_400));
    let err = password_sign_in(&emu, &idp(&emu), "eve", "TempPassw0rd!")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}

#[tokio::test]
async fn sms_mfa_challenge_with_codes_from_the_outbox() {
    let clock = clock();
    let pool = alice_pool()
        .mfa(MfaConfiguration::Optional, [MfaMethod::Sms])
        .mfa_code_validity(Duration::from_secs(60))
        .user(
            UserSpec::new("mallory", PASSWORD)
                .email("m@example.com")
                .phone_number("+15555550100"),
        );
    let emu = emulator_with(pool, &clock).await;
    let admin = idp_admin(&emu);
    admin
        .admin_set_user_mfa_preference()
        .user_pool_id(emu.user_pool_id())
        .username("mallory")
        .sms_mfa_settings(
            aws_sdk_cognitoidentityprovider::types::SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let client = idp(&emu);
    // Alice has no MFA: tokens directly.
    srp_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result()
        .unwrap();

    let out = srp_sign_in(&emu, &client, "mallory", PASSWORD)
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert_eq!(params["CODE_DELIVERY_DESTINATION"], "+*******0100");
    let session = out.session().unwrap().to_owned();
    let message = emu.outbox().next_message_for("mallory").await;
    assert_eq!(message.kind, MessageKind::SmsMfa);
    assert_eq!(message.destination, "+15555550100");

    let answer = |code: String| {
        client
            .respond_to_auth_challenge()
            .client_id(emu.client_id())
            .challenge_name(ChallengeNameType::SmsMfa)
            .session(&session)
            .challenge_responses("USERNAME", "mallory")
            .challenge_responses("SMS_MFA_CODE", code)
            .send()
    };
    let wrong = if message.code == "000000" {
        "111111"
    } else {
        "000000"
    };
    let err = answer(wrong.to_owned()).await.unwrap_err();
    assert!(err.into_service_error().is_code_mismatch_exception());
    let out = answer(message.code.clone()).await.unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );

    // An old code is refused with ExpiredCodeException (codes live 60 s here, sessions 180 s).
    let out = password_sign_in(&emu, &client, "mallory", PASSWORD)
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let code = emu.outbox().next_code_for("+15555550100").await;
    clock.advance(Duration::from_secs(61));
    let err = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "mallory")
        .challenge_responses("SMS_MFA_CODE", code)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_expired_code_exception());
}

/// Three tries at "what is 6 x 7?", optionally after an SRP password check.
#[derive(Debug)]
struct Quiz;

impl CustomAuthTriggers for Quiz {
    fn define_auth_challenge(
        &self,
        event: &DefineAuthChallenge,
    ) -> Result<DefineAuthChallengeResult, TriggerError> {
        let session = &event.session;
        Ok(match session.last() {
            Some(last) if last.challenge_name == "SRP_A" => {
                DefineAuthChallengeResult::challenge("PASSWORD_VERIFIER")
            }
            Some(last) if last.challenge_name == "PASSWORD_VERIFIER" && !last.challenge_result => {
                DefineAuthChallengeResult::fail()
            }
            Some(last) if last.challenge_name == "CUSTOM_CHALLENGE" && last.challenge_result => {
                DefineAuthChallengeResult::issue_tokens()
            }
            _ if session
                .iter()
                .filter(|r| r.challenge_name == "CUSTOM_CHALLENGE")
                .count()
                >= 3 =>
            {
                DefineAuthChallengeResult::fail()
            }
            _ => DefineAuthChallengeResult::challenge("CUSTOM_CHALLENGE"),
        })
    }

    fn create_auth_challenge(
        &self,
        event: &CreateAuthChallenge,
    ) -> Result<CreateAuthChallengeResult, TriggerError> {
        assert_eq!(event.challenge_name, "CUSTOM_CHALLENGE");
        Ok(CreateAuthChallengeResult::new()
            .public("question", "6 x 7?")
            .private("answer", "42")
            .metadata(format!("attempt-{}", event.session.len())))
    }

    fn verify_auth_challenge(&self, event: &VerifyAuthChallenge) -> Result<bool, TriggerError> {
        Ok(event.private_challenge_parameters.get("answer") == Some(&event.challenge_answer))
    }
}

async fn answer_custom(emu: &EmulatorHandle, session: &str, answer: &str) -> Result<aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, aws_sdk_cognitoidentityprovider::Error>{
    Ok(idp(emu)
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(session)
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("ANSWER", answer)
        .send()
        .await?)
}

#[tokio::test]
async fn custom_auth_without_srp() {
    let clock = clock();
    let emu = emulator_with(alice_pool().triggers(Quiz), &clock).await;
    let client = idp(&emu);
    let out = client
        .initiate_auth()
        .auth_flow(AuthFlowType::CustomAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    assert_eq!(out.challenge_parameters().unwrap()["question"], "6 x 7?");
    assert!(!out.challenge_parameters().unwrap().contains_key("answer"));
    let out = answer_custom(&emu, out.session().unwrap(), "41")
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let out = answer_custom(&emu, out.session().unwrap(), "42")
        .await
        .unwrap();
    assert!(out.authentication_result().unwrap().id_token().is_some());

    // Three wrong answers fail the sign-in.
    let mut session = client
        .initiate_auth()
        .auth_flow(AuthFlowType::CustomAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .unwrap()
        .session()
        .unwrap()
        .to_owned();
    for attempt in 0..3 {
        match answer_custom(&emu, &session, "nope").await {
            Ok(out) => session = out.session().unwrap().to_owned(),
            Err(e) => {
                assert_eq!(attempt, 2);
                assert_eq!(code(&e), "NotAuthorizedException");
            }
        }
    }
}

#[tokio::test]
async fn custom_auth_with_srp() {
    let clock = clock();
    let emu = emulator_with(alice_pool().triggers(Quiz), &clock).await;
    let client = idp(&emu);
    let srp = SrpClient::new();
    let out = client
        .initiate_auth()
        .auth_flow(AuthFlowType::CustomAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", srp.srp_a())
        .auth_parameters("CHALLENGE_NAME", "SRP_A")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let verifier = Verifier {
        client: srp,
        params: out.challenge_parameters().cloned().unwrap(),
        session: out.session().map(str::to_owned),
    };
    let out = answer_srp(
        &emu,
        &client,
        &verifier,
        verifier.responses_now(&emu, PASSWORD),
    )
    .await
    .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let out = answer_custom(&emu, out.session().unwrap(), "42")
        .await
        .unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );

    // A wrong password fails the custom flow (the define trigger says so).
    let srp = SrpClient::new();
    let out = client
        .initiate_auth()
        .auth_flow(AuthFlowType::CustomAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", srp.srp_a())
        .auth_parameters("CHALLENGE_NAME", "SRP_A")
        .send()
        .await
        .unwrap();
    let verifier = Verifier {
        client: srp,
        params: out.challenge_parameters().cloned().unwrap(),
        session: out.session().map(str::to_owned),
    };
    let err = answer_srp(
        &emu,
        &client,
        &verifier,
        verifier.responses_now(&emu, "Wrong1!"),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}

#[tokio::test]
async fn custom_auth_needs_triggers_and_reports_trigger_errors() {
    #[derive(Debug)]
    struct Broken;
    impl CustomAuthTriggers for Broken {
        fn define_auth_challenge(
            &self,
            _: &DefineAuthChallenge,
        ) -> Result<DefineAuthChallengeResult, TriggerError> {
            Err(TriggerError("boom".into()))
        }
        fn create_auth_challenge(
            &self,
            _: &CreateAuthChallenge,
        ) -> Result<CreateAuthChallengeResult, TriggerError> {
            Ok(CreateAuthChallengeResult::new())
        }
        fn verify_auth_challenge(&self, _: &VerifyAuthChallenge) -> Result<bool, TriggerError> {
            Ok(false)
        }
    }
    let clock = clock();
    let emu = emulator_with(alice_pool(), &clock).await;
    let err = idp(&emu)
        .initiate_auth()
        .auth_flow(AuthFlowType::CustomAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());

    let emu = emulator_with(alice_pool().triggers(Broken), &clock).await;
    let err = idp(&emu)
        .initiate_auth()
        .auth_flow(AuthFlowType::CustomAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error()
            .is_user_lambda_validation_exception()
    );
}

#[tokio::test]
async fn email_username_pool_signs_in_with_the_email() {
    let clock = clock();
    let pool = UserPoolSpec::new("eu-west-1")
        .username_attributes([UsernameAttribute::Email])
        .user(UserSpec::new("zoe@example.com", PASSWORD));
    let emu = emulator_with(pool, &clock).await;
    let client = idp(&emu);
    let v = start_srp(&emu, &client, "Zoe@Example.com").await.unwrap();
    let sub_username = v.params["USER_ID_FOR_SRP"].clone();
    assert_eq!(sub_username.len(), 36, "the internal username is the sub");
    let out = answer_srp(&emu, &client, &v, v.responses_now(&emu, PASSWORD))
        .await
        .unwrap();
    let id = claims(out.authentication_result().unwrap().id_token().unwrap());
    assert_eq!(id["email"], "zoe@example.com");
    assert_eq!(id["cognito:username"], sub_username);
    assert_eq!(id["sub"], sub_username);
}

#[tokio::test]
async fn respond_to_auth_challenge_validates_its_input() {
    let clock = clock();
    let emu = emulator_with(alice_pool(), &clock).await;
    let client = idp(&emu);
    let err = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::SmsMfa)
        .challenge_responses("USERNAME", "alice")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
    let err = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::SmsMfa)
        .session("not-a-session")
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("SMS_MFA_CODE", "123456")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    let err = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session("x")
        .send()
        .await
        .unwrap_err();
    // A supported challenge now: an unknown session is an invalid session.
    assert!(err.into_service_error().is_not_authorized_exception());
    // Someone else's username with a valid session is refused.
    let v = start_srp(&emu, &client, "alice").await.unwrap();
    let mut r = v.responses_now(&emu, PASSWORD);
    r.insert("USERNAME".into(), "someone".into());
    let err = answer_srp(&emu, &client, &v, r).await.unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}
