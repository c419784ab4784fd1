//! Device tracking in sign-in: `NewDeviceMetadata` for sign-ins without a known device, the
//! `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER` challenges for a confirmed device, and
//! remembered devices in place of MFA.
//!
//! Sources: API reference `DeviceConfigurationType` ("To sign in with a remembered device,
//! include DEVICE_KEY in the authentication parameters in your user's InitiateAuth request. If
//! your app doesn't include a DEVICE_KEY parameter, the response from Amazon Cognito includes
//! newly-generated DEVICE_KEY and DEVICE_GROUP_KEY values under NewDeviceMetadata";
//! `ChallengeRequiredOnNewDevice`: "a remembered device can sign in with device authentication
//! instead of SMS and time-based one-time password (TOTP) factors for multi-factor
//! authentication (MFA). Whether or not ChallengeRequiredOnNewDevice is true, users who sign in
//! with devices that have not been confirmed or remembered must still provide a second
//! factor"), `ChallengeResponseType` (`DEVICE_SRP_AUTH`: `USERNAME`, `DEVICE_KEY`, `SRP_A`;
//! `DEVICE_PASSWORD_VERIFIER`: `USERNAME`, `DEVICE_KEY`, `PASSWORD_CLAIM_SECRET_BLOCK`,
//! `PASSWORD_CLAIM_SIGNATURE`, `TIMESTAMP`), the developer guide ("The device key is in the
//! format Region_UUID"), and amplify-js (`handleDeviceSRPAuth.ts`: the device SRP is user SRP
//! with the device group key as the pool name and the device key as the user id;
//! `AuthenticationHelper.generateHashDevice`: `x = H(padHex(salt) ‖ H(groupKey ‖ deviceKey ‖ ":"
//! ‖ password))`, verifier `g^x`). An unknown or forgotten `DEVICE_KEY` ends the sign-in with
//! `ResourceNotFoundException: Device does not exist.` once the password is checked (the
//! answer amplify-js, Amplify Android and Swift retry without the device on: amplify-js #12188,
//! amplify-android #2605; with SRP it is the PASSWORD_VERIFIER answer that fails,
//! amazon-cognito-identity-js #200 / #206).
//!
//! The MFA skip covers every MFA method (the reference names SMS and TOTP only; email MFA came
//! later and is treated alike). A device that is confirmed but not remembered still answers
//! device SRP and then gets MFA.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::state::user_pool::{Device, User};

/// Unconfirmed devices (announced but never confirmed) kept per user; older ones are dropped.
const MAX_UNCONFIRMED_DEVICES: usize = 16;

/// `ResourceNotFoundException: Device does not exist.`
pub(crate) fn device_not_found() -> CognitoError {
    CognitoError::resource_not_found("Device does not exist.")
}

/// The confirmed device `key` of `user`.
fn confirmed<'a>(user: &'a User, key: &str) -> Result<&'a Device, CognitoError> {
    user.devices
        .get(key)
        .filter(|d| d.secret.is_some())
        .ok_or_else(device_not_found)
}

/// Checks that `device_key` (a refresh's `DEVICE_KEY` / `DeviceKey`) is a device of the user;
/// ignored when the pool does not track devices.
pub(crate) fn check_refresh_device(
    st: &UserPools,
    pool_id: &str,
    user_key: &str,
    device_key: Option<&str>,
) -> Result<(), CognitoError> {
    let Some(device_key) = device_key.filter(|k| !k.is_empty()) else {
        return Ok(());
    };
    let pool = st.pool(pool_id)?;
    if pool.settings.devices.is_none() {
        return Ok(());
    }
    if pool.user(user_key)?.devices.contains_key(device_key) {
        Ok(())
    } else {
        Err(device_not_found())
    }
}

/// After the password: a sign-in that named a device answers device SRP for it.
pub(super) fn gate_device(
    _ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: &mut AuthSession,
) -> Result<Option<(Challenge, Params)>, CognitoError> {
    if session.device_done {
        return Ok(None);
    }
    let Some(device_key) = session.device_key.clone() else {
        return Ok(None);
    };
    let pool = st.pool(&session.pool_id)?;
    if pool.settings.devices.is_none() {
        // A pool that does not track devices has none to check.
        return Ok(None);
    }
    let user = pool.user(&session.user_key)?;
    confirmed(user, &device_key)?;
    let mut params = Params::new();
    params.insert("USERNAME".into(), user.username.clone());
    Ok(Some((Challenge::DeviceSrpAuth, params)))
}

/// `NewDeviceMetadata` for a sign-in that sent no known device key, on a pool that tracks
/// devices: a new, unconfirmed device of the user.
pub(super) fn new_device_metadata(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    session: &AuthSession,
) -> Result<Option<Value>, CognitoError> {
    let pool = st.pool_mut(&session.pool_id)?;
    if pool.settings.devices.is_none() {
        return Ok(None);
    }
    let region = pool.region.clone();
    let user = pool.user_mut(&session.user_key)?;
    if let Some(key) = &session.device_key
        && user.devices.get(key).is_some_and(|d| d.secret.is_some())
    {
        return Ok(None);
    }
    let unconfirmed: Vec<(f64, String)> = user
        .devices
        .values()
        .filter(|d| d.secret.is_none())
        .map(|d| (d.created, d.key.clone()))
        .collect();
    if unconfirmed.len() >= MAX_UNCONFIRMED_DEVICES
        && let Some((_, oldest)) = unconfirmed
            .iter()
            .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
    {
        user.devices.remove(oldest);
    }
    let device = Device {
        key: format!("{region}_{}", ctx.rng.uuid()),
        group_key: format!("-{}", ctx.rng.alnum(9)),
        secret: None,
        name: None,
        remembered: false,
        created: ctx.now_f64,
        modified: ctx.now_f64,
        last_authenticated: ctx.now_f64,
    };
    let metadata = json!({"DeviceKey": device.key, "DeviceGroupKey": device.group_key});
    user.devices.insert(device.key.clone(), device);
    Ok(Some(metadata))
}

/// The device named in an answer: it must be the sign-in's device and still exist.
fn answered_device<'a>(
    st: &'a UserPools,
    session: &AuthSession,
    r: &Params,
) -> Result<&'a Device, CognitoError> {
    let key = param(r, "DEVICE_KEY")?;
    let user = st.pool(&session.pool_id)?.user(&session.user_key)?;
    let device = confirmed(user, key)?;
    if session.device_key.as_deref() != Some(key) {
        return Err(CognitoError::not_authorized(
            "Invalid session for the user.",
        ));
    }
    Ok(device)
}

pub(super) fn answer_device_srp_auth(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let device = answered_device(st, &session, r)?;
    let secret = device.secret.clone().ok_or_else(device_not_found)?;
    let device_key = device.key.clone();
    let client_a = unhex(param(r, "SRP_A")?)
        .filter(|a| a.iter().skip_while(|b| **b == 0).count() <= srp::N_BYTES)
        .ok_or_else(|| {
            CognitoError::invalid_parameter("SRP_A is not a valid hexadecimal number.")
        })?;
    let ephemeral = ServerEphemeral::new(&secret.verifier, ctx.rng.bytes())
        .map_err(|_| CognitoError::internal("SRP group unavailable"))?;
    let secret_block_bytes = ctx.rng.vec(256);
    let pending = PendingSrp {
        ephemeral,
        client_a,
        secret_block: b64(&secret_block_bytes),
        secret_block_bytes,
    };
    let username = st
        .pool(&session.pool_id)?
        .user(&session.user_key)?
        .username
        .clone();
    let mut params = Params::new();
    params.insert("SRP_B".into(), srp::to_hex(pending.ephemeral.public()));
    params.insert("SALT".into(), srp::to_hex(&secret.salt));
    params.insert("SECRET_BLOCK".into(), pending.secret_block.clone());
    params.insert("USERNAME".into(), username);
    params.insert("DEVICE_KEY".into(), device_key);
    session.srp = Some(pending);
    present(ctx, st, session, Challenge::DevicePasswordVerifier, &params)
}

pub(super) fn answer_device_password_verifier(
    ctx: &Ctx<'_>,
    st: &mut UserPools,
    mut session: AuthSession,
    r: &Params,
) -> Result<Value, CognitoError> {
    let srp = session
        .srp
        .take()
        .ok_or_else(CognitoError::bad_credentials)?;
    let device = answered_device(st, &session, r)?;
    let block = param(r, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let timestamp = param(r, "TIMESTAMP")?;
    let signature = param(r, "PASSWORD_CLAIM_SIGNATURE")?;
    let proof = if crate::util::ct_eq(block.as_bytes(), srp.secret_block.as_bytes()) {
        verify_device_proof(ctx, device, &srp, timestamp, signature)
    } else {
        Err("PASSWORD_CLAIM_SECRET_BLOCK is not this challenge's SECRET_BLOCK")
    };
    if let Err(reason) = proof {
        tracing::debug!(reason, "DEVICE_PASSWORD_VERIFIER refused");
        return Err(CognitoError::bad_credentials());
    }
    let device_key = device.key.clone();
    let pool = st.pool_mut(&session.pool_id)?;
    let skip_mfa = pool
        .settings
        .devices
        .is_some_and(|d| d.challenge_required_on_new_device);
    let device = pool
        .user_mut(&session.user_key)?
        .devices
        .get_mut(&device_key)
        .ok_or_else(device_not_found)?;
    device.last_authenticated = ctx.now_f64;
    session.device_done = true;
    if skip_mfa && device.remembered {
        session.mfa_done = true;
    }
    run_gates(ctx, st, session)
}

/// The device's SRP proof: the user SRP check with the registered verifier, the device group
/// key as the pool name and the device key as the user id.
fn verify_device_proof(
    ctx: &Ctx<'_>,
    device: &Device,
    srp: &PendingSrp,
    timestamp: &str,
    signature: &str,
) -> Result<(), &'static str> {
    let secret = device
        .secret
        .as_ref()
        .ok_or("the device is not confirmed")?;
    let when =
        parse_srp_timestamp(timestamp).ok_or("TIMESTAMP is not 'EEE MMM d HH:mm:ss UTC yyyy'")?;
    if (when - ctx.now).abs() > TIMESTAMP_TOLERANCE_SECS {
        return Err("TIMESTAMP is too far from the emulator's clock");
    }
    let claimed = b64_decode_lenient(signature).ok_or("PASSWORD_CLAIM_SIGNATURE is not base64")?;
    let key = srp
        .ephemeral
        .session_key(&srp.client_a, &secret.verifier)
        .map_err(|_| "SRP_A is not acceptable")?;
    let expected = srp::signature(
        &key,
        &device.group_key,
        &device.key,
        &srp.secret_block_bytes,
        timestamp,
    );
    if srp::signature_matches(&expected, &claimed) {
        Ok(())
    } else {
        Err("the signature does not match (wrong device password or forged proof)")
    }
}
