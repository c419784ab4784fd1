//! Passwordless SignUp and the SignUp → ConfirmSignUp → InitiateAuth (`USER_AUTH`) `Session`
//! through the official SDK (sources in `src/user_pool/signup/session.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpOutput;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType, ChallengeNameType};
use common::*;

const PASSWORD: &str = "Passw0rd!";

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

async fn start_with(pool: UserPoolSpec, clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(pool)
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

fn otp_pool() -> UserPoolSpec {
    UserPoolSpec::new("us-east-1").first_factors([FirstFactor::Password, FirstFactor::EmailOtp])
}

async fn sign_up(
    emu: &EmulatorHandle,
    username: &str,
    password: Option<&str>,
) -> Result<SignUpOutput, aws_sdk_cognitoidentityprovider::Error> {
    Ok(idp(emu)
        .sign_up()
        .client_id(emu.client_id())
        .username(username)
        .set_password(password.map(str::to_owned))
        .user_attributes(attr("email", &format!("{username}@example.com")))
        .send()
        .await?)
}

async fn confirm(
    emu: &EmulatorHandle,
    username: &str,
    code: &str,
    session: Option<&str>,
) -> Result<Option<String>, aws_sdk_cognitoidentityprovider::Error> {
    let out = idp(emu)
        .confirm_sign_up()
        .client_id(emu.client_id())
        .username(username)
        .confirmation_code(code)
        .set_session(session.map(str::to_owned))
        .send()
        .await?;
    Ok(out.session().map(str::to_owned))
}

async fn user_auth(
    emu: &EmulatorHandle,
    username: &str,
    session: Option<&str>,
    params: &[(&str, &str)],
) -> Result<InitiateAuthOutput, aws_sdk_cognitoidentityprovider::Error> {
    let mut req = idp(emu)
        .initiate_auth()
        .auth_flow(AuthFlowType::UserAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", username)
        .set_session(session.map(str::to_owned));
    for (k, v) in params {
        req = req.auth_parameters(*k, *v);
    }
    Ok(req.send().await?)
}

fn code_for(emu: &EmulatorHandle, username: &str) -> String {
    emu.outbox().latest_code_for(username).unwrap()
}

#[tokio::test]
async fn sign_up_without_password_needs_an_otp_first_factor_the_user_can_use() {
    let clock = clock();
    // The default pool allows only PASSWORD: a password is required (absent or blank).
    let emu = start_with(UserPoolSpec::new("us-east-1"), &clock).await;
    let err = sign_up(&emu, "ann", None).await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    let err = sign_up(&emu, "ann", Some("")).await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    // Nothing was created: the name is still free.
    sign_up(&emu, "ann", Some(PASSWORD)).await.unwrap();

    // EMAIL_OTP allowed, but the app client does not allow USER_AUTH.
    let emu = start_with(
        otp_pool().client(AppClientSpec::new().auth_flows([AuthFlow::UserSrp])),
        &clock,
    )
    .await;
    let err = sign_up(&emu, "ann", None).await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");

    // SMS_OTP only, and the user gives an email: no factor the user can use.
    let emu = start_with(
        UserPoolSpec::new("us-east-1").first_factors([FirstFactor::Password, FirstFactor::SmsOtp]),
        &clock,
    )
    .await;
    let err = sign_up(&emu, "ann", None).await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");

    // EMAIL_OTP, but the pool does not verify email automatically.
    let emu = start_with(
        otp_pool().auto_verified_attributes(Vec::<String>::new()),
        &clock,
    )
    .await;
    let err = sign_up(&emu, "ann", None).await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");

    // EMAIL_OTP with an email: the user is created, unconfirmed, and gets a code.
    let emu = start_with(otp_pool(), &clock).await;
    let out = sign_up(&emu, "ann", None).await.unwrap();
    assert!(!out.user_confirmed());
    assert!(out.code_delivery_details().is_some());
    assert!(emu.outbox().latest_code_for("ann").is_some());
}

#[tokio::test]
async fn a_passwordless_user_is_offered_no_password_factor_and_cannot_use_one() {
    let clock = clock();
    let emu = start_with(otp_pool(), &clock).await;
    sign_up(&emu, "ann", None).await.unwrap();
    let session = confirm(&emu, "ann", &code_for(&emu, "ann"), None)
        .await
        .unwrap();
    assert_eq!(session, None, "no Session without SignUp's");

    let out = user_auth(&emu, "ann", None, &[]).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    let available: Vec<&str> = out
        .available_challenges()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(available, ["EMAIL_OTP"]);

    // Preferring PASSWORD gets the selection, not a sign-in; answering it with PASSWORD is refused.
    let out = user_auth(
        &emu,
        "ann",
        None,
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_none());
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    let err = idp(&emu)
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::SelectChallenge)
        .set_session(out.session().map(str::to_owned))
        .challenge_responses("USERNAME", "ann")
        .challenge_responses("ANSWER", "PASSWORD")
        .challenge_responses("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err.into_service_error()), "InvalidParameterException");

    // Client-based password flows fail as a wrong password does.
    let err = idp(&emu)
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "ann")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err.into_service_error()), "NotAuthorizedException");

    // EMAIL_OTP signs in.
    let out = user_auth(&emu, "ann", None, &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let otp = emu.outbox().latest_code_for("ann@example.com").unwrap();
    let done = idp(&emu)
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::EmailOtp)
        .set_session(out.session().map(str::to_owned))
        .challenge_responses("USERNAME", "ann")
        .challenge_responses("EMAIL_OTP_CODE", otp)
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    // An administrator setting a password gives the password factors back.
    idp_admin(&emu)
        .admin_set_user_password()
        .user_pool_id(emu.user_pool_id())
        .username("ann")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let out = user_auth(&emu, "ann", None, &[]).await.unwrap();
    let available: Vec<&str> = out
        .available_challenges()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(available, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);
}

#[tokio::test]
async fn sign_up_session_carries_the_confirmation_into_one_sign_in() {
    let clock = clock();
    let emu = start_with(otp_pool(), &clock).await;
    for (user, password) in [("ann", None), ("ben", Some(PASSWORD))] {
        let out = sign_up(&emu, user, password).await.unwrap();
        let sign_up_session = out.session().expect("SignUp's Session").to_owned();
        // A wrong code keeps SignUp's session usable.
        let right = code_for(&emu, user);
        let wrong = if right == "999999" {
            "111111"
        } else {
            "999999"
        };
        let err = confirm(&emu, user, wrong, Some(&sign_up_session))
            .await
            .unwrap_err();
        assert_eq!(code(&err), "CodeMismatchException");
        let session = confirm(&emu, user, &right, Some(&sign_up_session))
            .await
            .unwrap()
            .expect("ConfirmSignUp's Session");
        assert_ne!(session, sign_up_session);
        let out = user_auth(&emu, user, Some(&session), &[]).await.unwrap();
        let tokens = out.authentication_result().expect("tokens, no challenge");
        assert!(tokens.access_token().is_some() && tokens.refresh_token().is_some());
        assert_eq!(out.challenge_name(), None);
        // Once.
        let err = user_auth(&emu, user, Some(&session), &[])
            .await
            .unwrap_err();
        assert_eq!(code(&err), "NotAuthorizedException");
    }
    assert_eq!(emu.request_count("RespondToAuthChallenge"), 0);
}

#[tokio::test]
async fn sign_up_sessions_that_are_wrong_expired_or_another_users_are_refused() {
    let clock = clock();
    let emu = start_with(otp_pool(), &clock).await;
    let ann = sign_up(&emu, "ann", None).await.unwrap();
    let ben = sign_up(&emu, "ben", None).await.unwrap();
    let (ann_signed_up, ben_signed_up) = (ann.session().unwrap(), ben.session().unwrap());

    // ConfirmSignUp: an unknown session, or another user's, is refused and spends nothing.
    let ann_code = code_for(&emu, "ann");
    let err = confirm(&emu, "ann", &ann_code, Some("not-a-session"))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let err = confirm(&emu, "ann", &ann_code, Some(ben_signed_up))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let ann_session = confirm(&emu, "ann", &ann_code, Some(ann_signed_up))
        .await
        .unwrap()
        .unwrap();
    let ben_session = confirm(&emu, "ben", &code_for(&emu, "ben"), Some(ben_signed_up))
        .await
        .unwrap()
        .unwrap();

    // InitiateAuth: SignUp's own session (not confirmed through it), a wrong one, another user's.
    let err = user_auth(&emu, "ann", Some(ann_signed_up), &[])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let err = user_auth(&emu, "ann", Some("not-a-session"), &[])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let err = user_auth(&emu, "ann", Some(&ben_session), &[])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    // Ben's session was not spent by Ann's attempt; it still signs Ben in within 3 minutes.
    clock.advance(Duration::from_secs(179));
    let out = user_auth(&emu, "ben", Some(&ben_session), &[])
        .await
        .unwrap();
    assert!(out.authentication_result().is_some());

    // Ann's expired after the app client's AuthSessionValidity (3 minutes by default).
    clock.advance(Duration::from_secs(2));
    let err = user_auth(&emu, "ann", Some(&ann_session), &[])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
}

#[tokio::test]
async fn no_sign_up_session_without_user_auth_on_the_client() {
    let clock = clock();
    let emu = start_with(
        UserPoolSpec::new("us-east-1")
            .client(AppClientSpec::new().auth_flows([AuthFlow::UserSrp, AuthFlow::RefreshToken])),
        &clock,
    )
    .await;
    let out = sign_up(&emu, "ann", Some(PASSWORD)).await.unwrap();
    assert_eq!(out.session(), None);
    let session = confirm(&emu, "ann", &code_for(&emu, "ann"), None)
        .await
        .unwrap();
    assert_eq!(session, None);
}
