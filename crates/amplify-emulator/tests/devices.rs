//! Device tracking through the official SDK: NewDeviceMetadata, ConfirmDevice, device SRP
//! (DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER, proofs computed test-side), remembered devices
//! in place of MFA, the device operations and their admin forms, devices on refresh.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider as idp_sdk;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use idp_sdk::error::ProvideErrorMetadata;
use idp_sdk::types::{
    AuthFlowType, ChallengeNameType, DeviceRememberedStatusType, DeviceSecretVerifierConfigType,
};

const PASSWORD: &str = "Passw0rd!";
const DEVICE_PASSWORD: &str = "device-secret-password";
/// A salt with the top bit set, so `padHex` adds a zero byte.
const SALT: [u8; 16] = [0x9f; 16];

async fn start(devices: Option<DeviceConfiguration>, mfa: MfaConfiguration) -> EmulatorHandle {
    let mut pool = UserPoolSpec::new("us-east-1")
        .mfa(mfa, [MfaMethod::Email])
        .user(UserSpec::new("alice", PASSWORD).email("alice@example.com"))
        .user(UserSpec::new("bob", PASSWORD).email("bob@example.com"));
    if let Some(d) = devices {
        pool = pool.device_configuration(d);
    }
    Emulator::builder()
        .user_pool(pool)
        .time_source(clock())
        .start()
        .await
        .unwrap()
}

/// A device announced and confirmed: its key, group key and the sign-in's access token.
struct Tracked {
    key: String,
    group: String,
    access: String,
    refresh: String,
}

/// Signs in with USER_PASSWORD_AUTH (answering email MFA when asked), returns the tokens and
/// the NewDeviceMetadata, if any.
async fn password_sign_in_full(
    emu: &EmulatorHandle,
    user: &str,
    device_key: Option<&str>,
) -> Result<idp_sdk::types::AuthenticationResultType, String> {
    let client = idp(emu);
    let mut req = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", user)
        .auth_parameters("PASSWORD", PASSWORD);
    if let Some(key) = device_key {
        req = req.auth_parameters("DEVICE_KEY", key);
    }
    let out = req.send().await.map_err(|e| {
        let e = e.into_service_error();
        format!("{}: {}", code(&e), e.message().unwrap_or_default())
    })?;
    let mut name = out.challenge_name().cloned();
    let mut session = out.session().map(str::to_owned);
    let mut result = out.authentication_result().cloned();
    while result.is_none() {
        let (challenge, responses) = match name.clone() {
            Some(ChallengeNameType::EmailOtp) => {
                let email = format!("{user}@example.com");
                let code = emu.outbox().latest_code_for(&email).unwrap();
                (
                    ChallengeNameType::EmailOtp,
                    HashMap::from([
                        ("USERNAME".to_owned(), user.to_owned()),
                        ("EMAIL_OTP_CODE".to_owned(), code),
                    ]),
                )
            }
            other => return Err(format!("unexpected challenge {other:?}")),
        };
        let out = client
            .respond_to_auth_challenge()
            .client_id(emu.client_id())
            .challenge_name(challenge)
            .set_session(session.clone())
            .set_challenge_responses(Some(responses))
            .send()
            .await
            .map_err(|e| code(&e.into_service_error()))?;
        name = out.challenge_name().cloned();
        session = out.session().map(str::to_owned);
        result = out.authentication_result().cloned();
    }
    Ok(result.unwrap())
}

fn verifier_config(group: &str, key: &str, password: &str) -> DeviceSecretVerifierConfigType {
    let (verifier, salt) = srp::device_verifier(group, key, password, &SALT);
    DeviceSecretVerifierConfigType::builder()
        .password_verifier(BASE64.encode(verifier))
        .salt(BASE64.encode(salt))
        .build()
}

/// Signs in (answering MFA), confirms the announced device; returns it and whether the user
/// must confirm remembering it.
async fn track(emu: &EmulatorHandle, user: &str, name: &str) -> (Tracked, bool) {
    let result = password_sign_in_full(emu, user, None).await.unwrap();
    let metadata = result.new_device_metadata().expect("NewDeviceMetadata");
    let key = metadata.device_key().unwrap().to_owned();
    let group = metadata.device_group_key().unwrap().to_owned();
    let access = result.access_token().unwrap().to_owned();
    let out = idp(emu)
        .confirm_device()
        .access_token(&access)
        .device_key(&key)
        .device_secret_verifier_config(verifier_config(&group, &key, DEVICE_PASSWORD))
        .device_name(name)
        .send()
        .await
        .unwrap();
    (
        Tracked {
            key,
            group,
            access,
            refresh: result.refresh_token().unwrap().to_owned(),
        },
        out.user_confirmation_necessary(),
    )
}

/// USER_SRP_AUTH with DEVICE_KEY through PASSWORD_VERIFIER: the next challenge's output.
async fn srp_with_device(
    emu: &EmulatorHandle,
    user: &str,
    device_key: &str,
) -> Result<idp_sdk::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, String> {
    let client = idp(emu);
    let srp = SrpClient::new();
    let out = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", user)
        .auth_parameters("SRP_A", srp.srp_a())
        .auth_parameters("DEVICE_KEY", device_key)
        .send()
        .await
        .map_err(|e| code(&e.into_service_error()))?;
    let verifier = Verifier {
        client: srp,
        params: out.challenge_parameters().cloned().unwrap(),
        session: out.session().map(str::to_owned),
    };
    let mut responses = verifier.responses_now(emu, PASSWORD);
    responses.insert("DEVICE_KEY".into(), device_key.to_owned());
    answer_srp(emu, &client, &verifier, responses)
        .await
        .map_err(|e| format!("{}: {}", code(&e), e.message().unwrap_or_default()))
}

/// Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with `password`; returns the last answer.
async fn device_srp(
    emu: &EmulatorHandle,
    user: &str,
    device: &Tracked,
    after_password: &idp_sdk::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    password: &str,
) -> Result<idp_sdk::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, String> {
    let client = idp(emu);
    assert_eq!(
        after_password.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let srp = SrpClient::new();
    let out = client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .set_session(after_password.session().map(str::to_owned))
        .challenge_responses("USERNAME", user)
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("SRP_A", srp.srp_a())
        .send()
        .await
        .map_err(|e| code(&e.into_service_error()))?;
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["DEVICE_KEY"], device.key);
    assert_eq!(params["USERNAME"], user);
    assert_eq!(params["SALT"], "9f".repeat(16), "the registered salt, hex");
    let timestamp = srp::timestamp(now_secs(emu));
    let signature = srp.signature(
        &device.group,
        &device.key,
        password,
        &params["SALT"],
        &params["SRP_B"],
        &params["SECRET_BLOCK"],
        &timestamp,
    );
    client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .set_session(out.session().map(str::to_owned))
        .challenge_responses("USERNAME", user)
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &params["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", timestamp)
        .send()
        .await
        .map_err(|e| code(&e.into_service_error()))
}

#[tokio::test]
async fn new_device_metadata_only_when_the_pool_tracks_devices() {
    let emu = start(None, MfaConfiguration::Off).await;
    let result = password_sign_in_full(&emu, "alice", None).await.unwrap();
    assert!(result.new_device_metadata().is_none());
    // Without device tracking a DEVICE_KEY is not looked at.
    let result = password_sign_in_full(&emu, "alice", Some("us-east-1_nope"))
        .await
        .unwrap();
    assert!(result.new_device_metadata().is_none());

    let emu = start(Some(DeviceConfiguration::new()), MfaConfiguration::Off).await;
    let result = password_sign_in_full(&emu, "alice", None).await.unwrap();
    let metadata = result.new_device_metadata().unwrap();
    let key = metadata.device_key().unwrap();
    let (region, uuid) = key.split_once('_').unwrap();
    assert_eq!(region, "us-east-1");
    assert_eq!(uuid.len(), 36, "{key}");
    assert!(!metadata.device_group_key().unwrap().is_empty());
    // Not confirmed yet: the key is unknown to sign-in and to the device operations.
    assert_eq!(
        password_sign_in_full(&emu, "alice", Some(key))
            .await
            .unwrap_err(),
        "ResourceNotFoundException: Device does not exist."
    );
    let err = idp(&emu)
        .get_device()
        .access_token(result.access_token().unwrap())
        .device_key(key)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
}

#[tokio::test]
async fn a_remembered_device_answers_device_srp_instead_of_mfa() {
    let config = DeviceConfiguration::new().challenge_required_on_new_device(true);
    let emu = start(Some(config), MfaConfiguration::On).await;
    let (device, confirmation) = track(&emu, "alice", "laptop").await;
    assert!(!confirmation, "remembered at once");

    // Confirming twice: DeviceKeyExistsException.
    let err = idp(&emu)
        .confirm_device()
        .access_token(&device.access)
        .device_key(&device.key)
        .device_secret_verifier_config(verifier_config(&device.group, &device.key, "other"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_device_key_exists_exception(), "{err:?}");

    // Password, then device SRP, then tokens: no MFA, no new device.
    let after_password = srp_with_device(&emu, "alice", &device.key).await.unwrap();
    let done = device_srp(&emu, "alice", &device, &after_password, DEVICE_PASSWORD)
        .await
        .unwrap();
    let result = done.authentication_result().expect("tokens without MFA");
    assert!(result.new_device_metadata().is_none());
    assert!(result.access_token().is_some());

    // A wrong device password: NotAuthorizedException, the sign-in is over.
    let after_password = srp_with_device(&emu, "alice", &device.key).await.unwrap();
    let err = device_srp(&emu, "alice", &device, &after_password, "wrong")
        .await
        .unwrap_err();
    assert_eq!(err, "NotAuthorizedException");

    // Not remembered any more: device SRP, then MFA.
    idp(&emu)
        .update_device_status()
        .access_token(&device.access)
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    let after_password = srp_with_device(&emu, "alice", &device.key).await.unwrap();
    let next = device_srp(&emu, "alice", &device, &after_password, DEVICE_PASSWORD)
        .await
        .unwrap();
    assert_eq!(next.challenge_name(), Some(&ChallengeNameType::EmailOtp));

    // USER_PASSWORD_AUTH with the device: the device challenge after the password too.
    let out = idp(&emu)
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters("DEVICE_KEY", &device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );

    // Another user's device is not this user's: Device does not exist.
    let err = srp_with_device(&emu, "bob", &device.key).await.unwrap_err();
    assert_eq!(err, "ResourceNotFoundException: Device does not exist.");

    // Forgotten: the PASSWORD_VERIFIER answer that names it fails, as Cognito's does.
    idp(&emu)
        .forget_device()
        .access_token(&device.access)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    let err = srp_with_device(&emu, "alice", &device.key)
        .await
        .unwrap_err();
    assert_eq!(err, "ResourceNotFoundException: Device does not exist.");
    let err = idp(&emu)
        .forget_device()
        .access_token(&device.access)
        .device_key(&device.key)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    // Without the device key the sign-in works and announces a new device.
    let result = password_sign_in_full(&emu, "alice", None).await.unwrap();
    assert_ne!(
        result.new_device_metadata().unwrap().device_key(),
        Some(device.key.as_str())
    );
}

#[tokio::test]
async fn devices_remembered_on_user_prompt_need_update_device_status() {
    let config = DeviceConfiguration::new()
        .challenge_required_on_new_device(true)
        .device_only_remembered_on_user_prompt(true);
    let emu = start(Some(config), MfaConfiguration::On).await;
    let (device, confirmation) = track(&emu, "alice", "phone").await;
    assert!(confirmation, "UserConfirmationNecessary");
    let client = idp(&emu);
    let got = client
        .get_device()
        .access_token(&device.access)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    let attrs: HashMap<_, _> = got
        .device()
        .unwrap()
        .device_attributes()
        .iter()
        .map(|a| {
            (
                a.name().to_owned(),
                a.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(attrs["dev:device_remembered_status"], "not_remembered");
    assert_eq!(attrs["device_name"], "phone");
    assert!(got.device().unwrap().device_create_date().is_some());

    // Not remembered: the device SRP does not replace MFA.
    let after_password = srp_with_device(&emu, "alice", &device.key).await.unwrap();
    let next = device_srp(&emu, "alice", &device, &after_password, DEVICE_PASSWORD)
        .await
        .unwrap();
    assert_eq!(next.challenge_name(), Some(&ChallengeNameType::EmailOtp));

    // A bad status value is refused by validation.
    let err = client
        .update_device_status()
        .access_token(&device.access)
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::from("sometimes"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");

    client
        .update_device_status()
        .access_token(&device.access)
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();
    let after_password = srp_with_device(&emu, "alice", &device.key).await.unwrap();
    let done = device_srp(&emu, "alice", &device, &after_password, DEVICE_PASSWORD)
        .await
        .unwrap();
    assert!(done.authentication_result().is_some(), "remembered: no MFA");
}

#[tokio::test]
async fn devices_are_listed_in_pages_and_managed_by_admins() {
    let emu = start(Some(DeviceConfiguration::new()), MfaConfiguration::Off).await;
    let mut devices = Vec::new();
    for name in ["one", "two", "three"] {
        devices.push(track(&emu, "alice", name).await.0);
    }
    let client = idp(&emu);
    let access = &devices[2].access;
    let first = client
        .list_devices()
        .access_token(access)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.devices().len(), 2);
    let token = first.pagination_token().unwrap();
    let second = client
        .list_devices()
        .access_token(access)
        .limit(2)
        .pagination_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(second.devices().len(), 1);
    assert!(second.pagination_token().is_none());
    let mut keys: Vec<String> = first
        .devices()
        .iter()
        .chain(second.devices())
        .map(|d| d.device_key().unwrap().to_owned())
        .collect();
    keys.sort();
    let mut expected: Vec<String> = devices.iter().map(|d| d.key.clone()).collect();
    expected.sort();
    assert_eq!(keys, expected);
    let all = client
        .list_devices()
        .access_token(access)
        .send()
        .await
        .unwrap();
    assert_eq!(all.devices().len(), 3);

    for (limit, token) in [(61, None), (-1, None), (10, Some("%%%"))] {
        let err = client
            .list_devices()
            .access_token(access)
            .limit(limit)
            .set_pagination_token(token.map(str::to_owned))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_invalid_parameter_exception(), "{limit}: {err:?}");
    }
    let err = client
        .list_devices()
        .access_token("not-a-token")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_not_authorized_exception(), "{err:?}");

    // Admin forms.
    let admin = idp_admin(&emu);
    let listed = admin
        .admin_list_devices()
        .user_pool_id(emu.user_pool_id())
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.devices().len(), 3);
    let empty = admin
        .admin_list_devices()
        .user_pool_id(emu.user_pool_id())
        .username("bob")
        .send()
        .await
        .unwrap();
    assert!(empty.devices().is_empty());
    let got = admin
        .admin_get_device()
        .user_pool_id(emu.user_pool_id())
        .username("alice")
        .device_key(&devices[0].key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.device().unwrap().device_key(),
        Some(devices[0].key.as_str())
    );
    admin
        .admin_update_device_status()
        .user_pool_id(emu.user_pool_id())
        .username("alice")
        .device_key(&devices[0].key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    admin
        .admin_forget_device()
        .user_pool_id(emu.user_pool_id())
        .username("alice")
        .device_key(&devices[0].key)
        .send()
        .await
        .unwrap();
    let err = admin
        .admin_forget_device()
        .user_pool_id(emu.user_pool_id())
        .username("bob")
        .device_key(&devices[1].key)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let all = client
        .list_devices()
        .access_token(access)
        .send()
        .await
        .unwrap();
    assert_eq!(all.devices().len(), 2);
}

#[tokio::test]
async fn refresh_accepts_the_users_device_key_only() {
    let emu = start(Some(DeviceConfiguration::new()), MfaConfiguration::Off).await;
    let (alice, _) = track(&emu, "alice", "laptop").await;
    let (bob, _) = track(&emu, "bob", "desktop").await;
    let client = idp(&emu);
    let refresh = |device: &str| {
        client
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(emu.client_id())
            .auth_parameters("REFRESH_TOKEN", &alice.refresh)
            .auth_parameters("DEVICE_KEY", device)
            .send()
    };
    let out = refresh(&alice.key).await.unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
    let err = refresh(&bob.key).await.unwrap_err().into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(err.message(), Some("Device does not exist."));

    let get_tokens = |device: &str| {
        client
            .get_tokens_from_refresh_token()
            .client_id(emu.client_id())
            .refresh_token(&alice.refresh)
            .device_key(device)
            .send()
    };
    assert!(get_tokens(&alice.key).await.is_ok());
    let err = get_tokens("us-east-1_00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let _ = bob.access;
}
