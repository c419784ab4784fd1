//! TOTP, email MFA, MFA selection and setup through the official SDK, codes really checked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, EmailMfaSettingsType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
    VerifySoftwareTokenResponseType,
};
use common::*;

const PASSWORD: &str = "Passw0rd!";

async fn start(
    mfa: MfaConfiguration,
    methods: &[MfaMethod],
    clock: &ManualTimeSource,
) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .mfa(mfa, methods.iter().copied())
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com"))
                .user(
                    UserSpec::new("bob", PASSWORD)
                        .email("bob@example.com")
                        .phone_number("+15555550101"),
                )
                .user(UserSpec::new("nomail", PASSWORD).attribute("email", "x@example.com")),
        )
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

async fn access_token(emu: &EmulatorHandle, user: &str) -> String {
    let out = password_sign_in(emu, &idp(emu), user, PASSWORD)
        .await
        .unwrap();
    out.authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned()
}

fn now(emu: &EmulatorHandle) -> u64 {
    now_secs(emu)
}

/// Associates and verifies a software token with an access token; returns the secret code.
async fn set_up_totp(emu: &EmulatorHandle, user: &str) -> String {
    let client = idp(emu);
    let token = access_token(emu, user).await;
    let out = client
        .associate_software_token()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    let secret = out.secret_code().unwrap().to_owned();
    assert!(out.session().is_none());
    let code = totp::code_for_secret_code(&secret, now(emu)).unwrap();
    let verified = client
        .verify_software_token()
        .access_token(&token)
        .user_code(code)
        .friendly_device_name("phone")
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status(),
        Some(&VerifySoftwareTokenResponseType::Success)
    );
    client
        .set_user_mfa_preference()
        .access_token(&token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    secret
}

async fn answer(
    emu: &EmulatorHandle,
    challenge: ChallengeNameType,
    session: Option<&str>,
    user: &str,
    responses: &[(&str, &str)],
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    aws_sdk_cognitoidentityprovider::Error,
>{
    let mut req = idp(emu)
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(challenge)
        .set_session(session.map(str::to_owned))
        .challenge_responses("USERNAME", user);
    for (k, v) in responses {
        req = req.challenge_responses(*k, *v);
    }
    Ok(req.send().await?)
}

#[tokio::test]
async fn totp_setup_and_sign_in_check_codes_with_one_step_of_tolerance_and_no_reuse() {
    let clock = clock();
    let emu = start(MfaConfiguration::Optional, &[MfaMethod::Totp], &clock).await;
    let client = idp(&emu);
    let secret = set_up_totp(&emu, "alice").await;
    assert_eq!(secret.len(), 52, "32 bytes of base32");
    // The verification's code is used: the next sign-in needs the next step.
    clock.advance(Duration::from_secs(30));

    let user = client
        .get_user()
        .access_token(access_token_after_totp(&emu, "alice").await)
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));

    // A wrong code, then a code two steps old, are refused; the session survives them.
    clock.advance(Duration::from_secs(60));
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let session = out.session().unwrap().to_owned();
    let err = answer(
        &emu,
        ChallengeNameType::SoftwareTokenMfa,
        Some(&session),
        "alice",
        &[("SOFTWARE_TOKEN_MFA_CODE", "000000")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "CodeMismatchException");
    let old = totp::code_for_secret_code(&secret, now(&emu) - 60).unwrap();
    let err = answer(
        &emu,
        ChallengeNameType::SoftwareTokenMfa,
        Some(&session),
        "alice",
        &[("SOFTWARE_TOKEN_MFA_CODE", &old)],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "CodeMismatchException");
    // The previous step's code is within tolerance.
    let previous = totp::code_for_secret_code(&secret, now(&emu) - 30).unwrap();
    let out = answer(
        &emu,
        ChallengeNameType::SoftwareTokenMfa,
        Some(&session),
        "alice",
        &[("SOFTWARE_TOKEN_MFA_CODE", &previous)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_some());

    // The same code (and the helper's code for the same step range) cannot be used again.
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    let err = answer(
        &emu,
        ChallengeNameType::SoftwareTokenMfa,
        out.session(),
        "alice",
        &[("SOFTWARE_TOKEN_MFA_CODE", &previous)],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "CodeMismatchException");
    let current = emu.admin().totp_code("alice").unwrap();
    let out = answer(
        &emu,
        ChallengeNameType::SoftwareTokenMfa,
        out.session(),
        "alice",
        &[("SOFTWARE_TOKEN_MFA_CODE", &current)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_some());

    // Five wrong codes end the sign-in.
    clock.advance(Duration::from_secs(30));
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    for _ in 0..4 {
        let err = answer(
            &emu,
            ChallengeNameType::SoftwareTokenMfa,
            out.session(),
            "alice",
            &[("SOFTWARE_TOKEN_MFA_CODE", "000000")],
        )
        .await
        .unwrap_err();
        assert_eq!(code(&err), "CodeMismatchException");
    }
    let err = answer(
        &emu,
        ChallengeNameType::SoftwareTokenMfa,
        out.session(),
        "alice",
        &[("SOFTWARE_TOKEN_MFA_CODE", "000000")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let fresh = emu.admin().totp_code("alice").unwrap();
    let err = answer(
        &emu,
        ChallengeNameType::SoftwareTokenMfa,
        out.session(),
        "alice",
        &[("SOFTWARE_TOKEN_MFA_CODE", &fresh)],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}

/// Signs in answering the TOTP challenge with the helper's code; returns the access token.
async fn access_token_after_totp(emu: &EmulatorHandle, user: &str) -> String {
    let out = password_sign_in(emu, &idp(emu), user, PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let code = emu.admin().totp_code(user).unwrap();
    let out = answer(
        emu,
        ChallengeNameType::SoftwareTokenMfa,
        out.session(),
        user,
        &[("SOFTWARE_TOKEN_MFA_CODE", &code)],
    )
    .await
    .unwrap();
    out.authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn totp_setup_refusals() {
    let clock = clock();
    let emu = start(MfaConfiguration::Optional, &[MfaMethod::Totp], &clock).await;
    let client = idp(&emu);
    let token = access_token(&emu, "alice").await;

    // Verify before associate; enabling TOTP before verifying.
    let err = client
        .verify_software_token()
        .access_token(&token)
        .user_code("123456")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "SoftwareTokenMFANotFoundException");
    let err = client
        .set_user_mfa_preference()
        .access_token(&token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");

    let secret = client
        .associate_software_token()
        .access_token(&token)
        .send()
        .await
        .unwrap()
        .secret_code()
        .unwrap()
        .to_owned();
    // A wrong code, a malformed code, both or neither of token and session.
    let err = client
        .verify_software_token()
        .access_token(&token)
        .user_code("000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "EnableSoftwareTokenMFAException");
    let err = client
        .verify_software_token()
        .access_token(&token)
        .user_code("12ab56")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    let err = client.associate_software_token().send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    let err = client
        .associate_software_token()
        .access_token(&token)
        .session("s".repeat(40))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    let err = client
        .associate_software_token()
        .access_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    // The setup can be retried after a wrong code; no TOTP until it is verified.
    assert!(emu.admin().totp_code("alice").is_err());
    let good = totp::code_for_secret_code(&secret, now(&emu)).unwrap();
    client
        .verify_software_token()
        .access_token(&token)
        .user_code(good)
        .send()
        .await
        .unwrap();
    assert!(emu.admin().totp_code("alice").is_ok());
    // Verifying alone does not turn MFA on.
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    assert!(out.authentication_result().is_some());

    // A pool without TOTP refuses to associate.
    let emu = start(MfaConfiguration::Optional, &[MfaMethod::Sms], &clock).await;
    let token = access_token(&emu, "alice").await;
    let err = idp(&emu)
        .associate_software_token()
        .access_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "SoftwareTokenMFANotFoundException");
}

#[tokio::test]
async fn email_mfa_sends_a_code_and_checks_it() {
    let clock = clock();
    let emu = start(MfaConfiguration::Optional, &[MfaMethod::Email], &clock).await;
    let client = idp(&emu);
    let token = access_token(&emu, "alice").await;
    client
        .set_user_mfa_preference()
        .access_token(&token)
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let user = client.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["EMAIL_OTP"]);
    assert_eq!(user.preferred_mfa_setting(), Some("EMAIL_OTP"));

    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert!(params["CODE_DELIVERY_DESTINATION"].contains('*'));
    let message = emu.outbox().latest_for("alice@example.com").unwrap();
    assert_eq!(message.kind, MessageKind::EmailOtp);
    let err = answer(
        &emu,
        ChallengeNameType::EmailOtp,
        out.session(),
        "alice",
        &[("EMAIL_OTP_CODE", "00000000")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "CodeMismatchException");
    let done = answer(
        &emu,
        ChallengeNameType::EmailOtp,
        out.session(),
        "alice",
        &[("EMAIL_OTP_CODE", &message.code)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());
    // The code is used up, and an expired code is refused.
    let err = answer(
        &emu,
        ChallengeNameType::EmailOtp,
        out.session(),
        "alice",
        &[("EMAIL_OTP_CODE", &message.code)],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    let code_now = emu.outbox().latest_code_for("alice@example.com").unwrap();
    clock.advance(Duration::from_secs(181));
    let err = answer(
        &emu,
        ChallengeNameType::EmailOtp,
        out.session(),
        "alice",
        &[("EMAIL_OTP_CODE", &code_now)],
    )
    .await
    .unwrap_err();
    assert!(["ExpiredCodeException", "NotAuthorizedException"].contains(&code(&err).as_str()));

    // Email MFA is refused when the pool does not allow it.
    let emu = start(MfaConfiguration::Optional, &[MfaMethod::Sms], &clock).await;
    let out = password_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap();
    assert!(out.authentication_result().is_some());
}

#[tokio::test]
async fn several_enabled_methods_without_a_preference_ask_to_select() {
    let clock = clock();
    let emu = start(
        MfaConfiguration::Optional,
        &[MfaMethod::Sms, MfaMethod::Totp, MfaMethod::Email],
        &clock,
    )
    .await;
    let client = idp(&emu);
    set_up_totp(&emu, "bob").await;
    clock.advance(Duration::from_secs(30));
    let token = access_token_after_totp(&emu, "bob").await;
    client
        .set_user_mfa_preference()
        .access_token(&token)
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(false)
                .build(),
        )
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = password_sign_in(&emu, &client, "bob", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectMfaType)
    );
    let choices: Vec<String> =
        serde_json::from_str(&out.challenge_parameters().unwrap()["MFAS_CAN_CHOOSE"]).unwrap();
    assert_eq!(choices, ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]);

    // Not offered (email is not enabled for bob), then garbage: refused, session kept.
    let err = answer(
        &emu,
        ChallengeNameType::SelectMfaType,
        out.session(),
        "bob",
        &[("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    let sms = answer(
        &emu,
        ChallengeNameType::SelectMfaType,
        out.session(),
        "bob",
        &[("ANSWER", "SMS_MFA")],
    )
    .await
    .unwrap();
    assert_eq!(sms.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let code_sent = emu.outbox().latest_code_for("+15555550101").unwrap();
    let done = answer(
        &emu,
        ChallengeNameType::SmsMfa,
        sms.session(),
        "bob",
        &[("SMS_MFA_CODE", &code_sent)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());

    let out = password_sign_in(&emu, &client, "bob", PASSWORD)
        .await
        .unwrap();
    let totp_step = answer(
        &emu,
        ChallengeNameType::SelectMfaType,
        out.session(),
        "bob",
        &[("ANSWER", "SOFTWARE_TOKEN_MFA")],
    )
    .await
    .unwrap();
    assert_eq!(
        totp_step.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    clock.advance(Duration::from_secs(30));
    let code_now = emu.admin().totp_code("bob").unwrap();
    let done = answer(
        &emu,
        ChallengeNameType::SoftwareTokenMfa,
        totp_step.session(),
        "bob",
        &[("SOFTWARE_TOKEN_MFA_CODE", &code_now)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn required_mfa_sets_up_totp_during_sign_in() {
    let clock = clock();
    let emu = start(MfaConfiguration::On, &[MfaMethod::Totp], &clock).await;
    let client = idp(&emu);
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert_eq!(
        out.challenge_parameters().unwrap()["MFAS_CAN_SETUP"],
        r#"["SOFTWARE_TOKEN_MFA"]"#
    );

    // Answering before verifying is refused; the session survives.
    let err = answer(
        &emu,
        ChallengeNameType::MfaSetup,
        out.session(),
        "alice",
        &[],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "SoftwareTokenMFANotFoundException");

    let assoc = client
        .associate_software_token()
        .session(out.session().unwrap())
        .send()
        .await
        .unwrap();
    let secret = assoc.secret_code().unwrap();
    let session = assoc.session().unwrap();
    // The old session is spent.
    let err = client
        .associate_software_token()
        .session(out.session().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let err = client
        .verify_software_token()
        .session(session)
        .user_code("000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "EnableSoftwareTokenMFAException");
    let good = totp::code_for_secret_code(secret, now(&emu)).unwrap();
    let verified = client
        .verify_software_token()
        .session(session)
        .user_code(good)
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status(),
        Some(&VerifySoftwareTokenResponseType::Success)
    );
    let done = answer(
        &emu,
        ChallengeNameType::MfaSetup,
        verified.session(),
        "alice",
        &[],
    )
    .await
    .unwrap();
    let token = done
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    let user = client.get_user().access_token(token).send().await.unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);

    // Next sign-in: the TOTP challenge.
    clock.advance(Duration::from_secs(30));
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
}

#[tokio::test]
async fn required_email_mfa_with_an_email_attribute_sends_the_code_and_setup_by_email_works() {
    let clock = clock();
    let emu = start(
        MfaConfiguration::On,
        &[MfaMethod::Email, MfaMethod::Totp],
        &clock,
    )
    .await;
    let client = idp(&emu);
    // alice has an email: a required email MFA uses it.
    let out = password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));

    // A user without an email sets email MFA up by answering MFA_SETUP with EMAIL.
    emu.admin()
        .create_user(&UserSpec::new("carol", PASSWORD).attribute("email", "carol-old@example.com"))
        .unwrap();
    let emu2 = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .required_attributes(Vec::<String>::new())
                .mfa(MfaConfiguration::On, [MfaMethod::Email, MfaMethod::Totp])
                .user(UserSpec::new("carol", PASSWORD)),
        )
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    let out = password_sign_in(&emu2, &idp(&emu2), "carol", PASSWORD)
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    let can: Vec<String> =
        serde_json::from_str(&out.challenge_parameters().unwrap()["MFAS_CAN_SETUP"]).unwrap();
    assert_eq!(can, ["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"]);
    let err = answer(
        &emu2,
        ChallengeNameType::MfaSetup,
        out.session(),
        "carol",
        &[("EMAIL", "not an email")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    let otp = answer(
        &emu2,
        ChallengeNameType::MfaSetup,
        out.session(),
        "carol",
        &[("EMAIL", "carol@example.com")],
    )
    .await
    .unwrap();
    assert_eq!(otp.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let sent = emu2.outbox().latest_code_for("carol@example.com").unwrap();
    let done = answer(
        &emu2,
        ChallengeNameType::EmailOtp,
        otp.session(),
        "carol",
        &[("EMAIL_OTP_CODE", &sent)],
    )
    .await
    .unwrap();
    let token = done
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    let user = idp(&emu2)
        .get_user()
        .access_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["EMAIL_OTP"]);
    let attrs = emu2.admin().user_attributes("carol").unwrap();
    assert_eq!(attrs["email"], "carol@example.com");
    assert_eq!(attrs["email_verified"], "true");
}

#[tokio::test]
async fn delete_user_attributes_removes_optional_attributes_only() {
    let clock = clock();
    let emu = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .custom_attribute("tenant")
                .user(
                    UserSpec::new("alice", PASSWORD)
                        .email("alice@example.com")
                        .phone_number("+15555550100")
                        .attribute("nickname", "al")
                        .attribute("custom:tenant", "t1"),
                ),
        )
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    let client = idp(&emu);
    let token = access_token(&emu, "alice").await;
    client
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("nickname")
        .user_attribute_names("custom:tenant")
        .user_attribute_names("phone_number")
        .send()
        .await
        .unwrap();
    let attrs = emu.admin().user_attributes("alice").unwrap();
    assert!(!attrs.contains_key("nickname"));
    assert!(!attrs.contains_key("custom:tenant"));
    assert!(!attrs.contains_key("phone_number"));
    assert!(!attrs.contains_key("phone_number_verified"));
    assert_eq!(attrs["email"], "alice@example.com");

    for bad in ["email", "sub", "custom:unknown", "shoe_size"] {
        let err = client
            .delete_user_attributes()
            .access_token(&token)
            .user_attribute_names(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "InvalidParameterException", "{bad}");
    }
    let err = client
        .delete_user_attributes()
        .access_token("bad")
        .user_attribute_names("nickname")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}
