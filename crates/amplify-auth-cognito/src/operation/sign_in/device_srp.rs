//! Device tracking in sign-in: confirming a new device, and the device SRP answers.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider as idp;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use idp::types::{AuthenticationResultType, ChallengeNameType};

use super::{RespondOutput, challenge_of, respond, with_secret_hash};
use crate::AuthError;
use crate::device::DeviceSecrets;
use crate::plugin::Configured;
use crate::sdk::{self, IDP};
use crate::sign_in_state::PendingSignIn;
use crate::srp::{self, PasswordVerifierChallenge};

/// Answers `DEVICE_SRP_AUTH` and then `DEVICE_PASSWORD_VERIFIER` with this machine's device
/// secrets (never surfaced to the caller): SRP with the device group key as the pool name and
/// the device key as the user.
pub(super) async fn answer_device_srp(
    configured: &Configured,
    pending: &PendingSignIn,
) -> Result<RespondOutput, AuthError> {
    let device = pending
        .device
        .as_ref()
        .ok_or_else(|| AuthError::unexpected("DEVICE_SRP_AUTH without a device"))?;
    let username = pending.challenge_username.clone();
    let key = configured.sign_in.take_key()?;
    let mut responses = HashMap::from([
        ("USERNAME".to_owned(), username.clone()),
        ("DEVICE_KEY".to_owned(), device.key.clone()),
        ("SRP_A".to_owned(), key.public_hex()),
    ]);
    with_secret_hash(configured, &mut responses, &username)?;
    let out = respond(
        configured,
        pending,
        ChallengeNameType::DeviceSrpAuth,
        responses,
    )
    .await?;
    if challenge_of(out.challenge_name()) != ChallengeNameType::DevicePasswordVerifier {
        return Ok(out);
    }
    let params = out.challenge_parameters().cloned().unwrap_or_default();
    let get = |name: &'static str| {
        params
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| AuthError::unexpected(name))
    };
    let timestamp = srp::format_timestamp(configured.manager.clock.now());
    let secret_block = get("SECRET_BLOCK")?;
    let challenge = PasswordVerifierChallenge {
        pool_id: "",
        user_id_for_srp: &device.key,
        password: device.password.expose_secret(),
        salt_hex: get("SALT")?,
        srp_b_hex: get("SRP_B")?,
        secret_block_b64: secret_block,
        timestamp: &timestamp,
    };
    let signature = srp::device_password_claim(&key, &device.group_key, &challenge)?;
    let username = params.get("USERNAME").cloned().unwrap_or(username);
    let mut responses = HashMap::from([
        ("USERNAME".to_owned(), username.clone()),
        ("DEVICE_KEY".to_owned(), device.key.clone()),
        (
            "PASSWORD_CLAIM_SECRET_BLOCK".to_owned(),
            secret_block.to_owned(),
        ),
        ("PASSWORD_CLAIM_SIGNATURE".to_owned(), signature),
        ("TIMESTAMP".to_owned(), timestamp.clone()),
    ]);
    with_secret_hash(configured, &mut responses, &username)?;
    let mut next = PendingSignIn::new(username, pending.flow, pending.client_metadata.clone());
    next.session = out.session().map(str::to_owned);
    respond(
        configured,
        &next,
        ChallengeNameType::DevicePasswordVerifier,
        responses,
    )
    .await
}

/// `ConfirmDevice` for the device Cognito announced (`NewDeviceMetadata`): a random device
/// password, its SRP verifier, and the secrets stored for later device SRP sign-ins.
pub(super) async fn confirm_new_device(
    configured: &Configured,
    pending: &PendingSignIn,
    result: &AuthenticationResultType,
    metadata: &idp::types::NewDeviceMetadataType,
) -> Result<(), AuthError> {
    let (Some(store), Some(key), Some(group), Some(access)) = (
        configured.manager.devices.as_ref(),
        metadata.device_key(),
        metadata.device_group_key(),
        result.access_token(),
    ) else {
        return Ok(());
    };
    let mut secrets = DeviceSecrets::generate(key, group)?;
    let verifier = srp::device_verifier(group, key, secrets.password.expose_secret())?;
    let (client, _) = configured.manager.user_pool()?;
    let out = client
        .confirm_device()
        .access_token(access)
        .device_key(key)
        .device_secret_verifier_config(
            idp::types::DeviceSecretVerifierConfigType::builder()
                .password_verifier(BASE64.encode(&verifier.password_verifier))
                .salt(BASE64.encode(&verifier.salt))
                .build(),
        )
        .device_name(configured.manager.device_name.clone())
        .send()
        .await
        .map_err(|e| sdk::map_error(IDP, e))?;
    secrets.status = if out.user_confirmation_necessary() {
        crate::device::DeviceStatus::NotRemembered
    } else {
        crate::device::DeviceStatus::Remembered
    };
    store.save(&pending.username, &secrets).await?;
    tracing::debug!(status = secrets.status.as_str(), "device confirmed");
    Ok(())
}
