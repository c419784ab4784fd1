//! USER_AUTH (choice-based sign-in) through the official SDK.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use common::*;

const PASSWORD: &str = "Passw0rd!";

async fn start(factors: &[FirstFactor]) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .first_factors(factors.iter().copied())
                .user(
                    UserSpec::new("alice", PASSWORD)
                        .email("alice@example.com")
                        .phone_number("+15555550100"),
                ),
        )
        .time_source(clock())
        .start()
        .await
        .unwrap()
}

async fn user_auth(
    emu: &EmulatorHandle,
    params: &[(&str, &str)],
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    aws_sdk_cognitoidentityprovider::Error,
> {
    let mut req = idp(emu)
        .initiate_auth()
        .auth_flow(AuthFlowType::UserAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice");
    for (k, v) in params {
        req = req.auth_parameters(*k, *v);
    }
    Ok(req.send().await?)
}

async fn select(
    emu: &EmulatorHandle,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: &[(&str, &str)],
) -> Result<aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, aws_sdk_cognitoidentityprovider::Error>{
    let mut req = idp(emu)
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(challenge)
        .set_session(session.map(str::to_owned))
        .challenge_responses("USERNAME", "alice");
    for (k, v) in responses {
        req = req.challenge_responses(*k, *v);
    }
    Ok(req.send().await?)
}

#[tokio::test]
async fn select_challenge_lists_the_factors_and_each_one_signs_in() {
    let emu = start(&[
        FirstFactor::Password,
        FirstFactor::EmailOtp,
        FirstFactor::SmsOtp,
        FirstFactor::WebAuthn,
    ])
    .await;
    let out = user_auth(&emu, &[]).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    let available: Vec<&str> = out
        .available_challenges()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(
        available,
        [
            "PASSWORD",
            "PASSWORD_SRP",
            "EMAIL_OTP",
            "SMS_OTP",
            "WEB_AUTHN"
        ]
    );

    // PASSWORD in the SELECT_CHALLENGE answer: a wrong one, then the right one.
    let err = select(
        &emu,
        ChallengeNameType::SelectChallenge,
        out.session(),
        &[("ANSWER", "PASSWORD"), ("PASSWORD", "Wr0ng!pass")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let out = user_auth(&emu, &[]).await.unwrap();
    let done = select(
        &emu,
        ChallengeNameType::SelectChallenge,
        out.session(),
        &[("ANSWER", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());

    // EMAIL_OTP: the code goes to the outbox; a wrong code is refused.
    let out = user_auth(&emu, &[]).await.unwrap();
    let otp = select(
        &emu,
        ChallengeNameType::SelectChallenge,
        out.session(),
        &[("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(otp.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let err = select(
        &emu,
        ChallengeNameType::EmailOtp,
        otp.session(),
        &[("EMAIL_OTP_CODE", "00000000")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "CodeMismatchException");
    let sent = emu.outbox().latest_code_for("alice@example.com").unwrap();
    let done = select(
        &emu,
        ChallengeNameType::EmailOtp,
        otp.session(),
        &[("EMAIL_OTP_CODE", &sent)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());

    // SMS_OTP.
    let out = user_auth(&emu, &[]).await.unwrap();
    let otp = select(
        &emu,
        ChallengeNameType::SelectChallenge,
        out.session(),
        &[("ANSWER", "SMS_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(otp.challenge_name(), Some(&ChallengeNameType::SmsOtp));
    let sent = emu.outbox().latest_code_for("+15555550100").unwrap();
    let done = select(
        &emu,
        ChallengeNameType::SmsOtp,
        otp.session(),
        &[("SMS_OTP_CODE", &sent)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());

    // WEB_AUTHN and unknown answers are refused.
    let out = user_auth(&emu, &[]).await.unwrap();
    let err = select(
        &emu,
        ChallengeNameType::SelectChallenge,
        out.session(),
        &[("ANSWER", "WEB_AUTHN")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    let out = user_auth(&emu, &[]).await.unwrap();
    let err = select(
        &emu,
        ChallengeNameType::SelectChallenge,
        out.session(),
        &[("ANSWER", "CARRIER_PIGEON")],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
}

#[tokio::test]
async fn preferred_challenge_skips_the_selection() {
    let emu = start(&[FirstFactor::Password, FirstFactor::EmailOtp]).await;
    let out = user_auth(
        &emu,
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_some());
    let err = user_auth(
        &emu,
        &[
            ("PREFERRED_CHALLENGE", "PASSWORD"),
            ("PASSWORD", "Wr0ng!pass"),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let out = user_auth(&emu, &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));

    // PASSWORD_SRP: the PASSWORD_VERIFIER challenge with the SRP parameters.
    let srp = SrpClient::new();
    let out = user_auth(
        &emu,
        &[
            ("PREFERRED_CHALLENGE", "PASSWORD_SRP"),
            ("SRP_A", &srp.srp_a()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let verifier = Verifier {
        client: srp,
        params: out.challenge_parameters().cloned().unwrap_or_default(),
        session: out.session().map(str::to_owned),
    };
    let responses = verifier.responses_now(&emu, PASSWORD);
    let done = answer_srp(&emu, &idp(&emu), &verifier, responses)
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    // SMS_OTP is not allowed by this pool: the selection comes instead.
    let out = user_auth(&emu, &[("PREFERRED_CHALLENGE", "SMS_OTP")])
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    let available: Vec<&str> = out
        .available_challenges()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(available, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);

    // A client without ALLOW_USER_AUTH refuses the flow.
    let emu = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .client(AppClientSpec::new().auth_flows([AuthFlow::UserSrp]))
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .start()
        .await
        .unwrap();
    let err = user_auth(&emu, &[]).await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
}
