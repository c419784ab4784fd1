//! Device operations: ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus, ForgetDevice
//! and their admin forms (AdminGetDevice, AdminListDevices, AdminUpdateDeviceStatus,
//! AdminForgetDevice).
//!
//! Sources: API reference `ConfirmDevice` (`AccessToken`, `DeviceKey`,
//! `DeviceSecretVerifierConfig` {`PasswordVerifier`, `Salt`}, `DeviceName`; answer
//! `UserConfirmationNecessary`: "When true, your user must confirm that they want to remember the
//! device [...] When false, immediately sets the device as remembered"), `UpdateDeviceStatus`
//! (`DeviceRememberedStatus`: `remembered` | `not_remembered`), `ListDevices` (`Limit` 0 to 60,
//! `PaginationToken`), `DeviceType` (`DeviceKey`, `DeviceAttributes`, `DeviceCreateDate`,
//! `DeviceLastModifiedDate`, `DeviceLastAuthenticatedDate`), and the SDK's generated error
//! enums (`ConfirmDeviceError::DeviceKeyExistsException`: "a user attempts to confirm a device
//! with a device key that already exists"). The `DeviceSecretVerifierConfig` values are base64
//! of the bytes of amplify-js's `padHex` (its `AuthenticationHelper.generateHashDevice`). An
//! unknown device key is `ResourceNotFoundException: Device does not exist.`; ListDevices shows
//! confirmed devices only.

use serde_json::{Value, json};

use super::auth::device_not_found;
use super::tokens::check_access_token;
use super::{Pool, User};
use crate::context::Ctx;
use crate::error::{CognitoError, ErrorKind};
use crate::protocol::Input;
use crate::state::State;
use crate::state::user_pool::{Device, DeviceSecret};
use crate::util::{b64, b64_decode_lenient};

/// ListDevices' largest `Limit` (API reference: "Maximum value of 60"), also the default.
const MAX_LIMIT: i64 = 60;

/// The signed-in user of an access token: its pool and user key.
fn token_user<'a>(
    ctx: &Ctx<'_>,
    st: &'a mut State,
    input: Input<'_>,
) -> Result<(&'a mut Pool, String), CognitoError> {
    let token = input.str("AccessToken")?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    let pool = st.user_pools.pool_mut(&checked.pool_id)?;
    Ok((pool, checked.user_key))
}

/// The user of an admin request (`UserPoolId`, `Username`).
fn admin_user<'a>(
    st: &'a mut State,
    input: Input<'_>,
) -> Result<(&'a mut Pool, String), CognitoError> {
    let pool_id = input.str("UserPoolId")?;
    let username = input.str("Username")?;
    let pool = st.user_pools.pool_mut(pool_id)?;
    let key = pool.require_user_key(username)?;
    Ok((pool, key))
}

/// A confirmed device of `user`.
fn device_mut<'a>(user: &'a mut User, key: &str) -> Result<&'a mut Device, CognitoError> {
    user.devices
        .get_mut(key)
        .filter(|d| d.secret.is_some())
        .ok_or_else(device_not_found)
}

/// Decodes one base64 member of `DeviceSecretVerifierConfig`.
fn verifier_member(config: &Input<'_>, name: &str) -> Result<Vec<u8>, CognitoError> {
    let text = config.opt_str(name)?.unwrap_or_default();
    b64_decode_lenient(text)
        .filter(|bytes| bytes.iter().any(|b| *b != 0))
        .ok_or_else(|| {
            CognitoError::invalid_parameter(format!(
                "DeviceSecretVerifierConfig.{name} must be a non-zero base64 value."
            ))
        })
}

pub(super) fn confirm_device(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let key = input.str("DeviceKey")?.to_owned();
    let name = input.opt_str("DeviceName")?.map(str::to_owned);
    let config = input
        .opt_struct("DeviceSecretVerifierConfig")?
        .ok_or_else(|| {
            CognitoError::invalid_parameter("Missing required parameter DeviceSecretVerifierConfig")
        })?;
    let verifier = verifier_member(&config, "PasswordVerifier")?;
    let salt = verifier_member(&config, "Salt")?;
    if verifier.iter().skip_while(|b| **b == 0).count() > crate::srp::N_BYTES {
        return Err(CognitoError::invalid_parameter(
            "DeviceSecretVerifierConfig.PasswordVerifier is larger than the SRP group.",
        ));
    }
    if name.as_ref().is_some_and(|n| n.chars().count() > 1024) {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'deviceName' failed to satisfy constraint: Member must have length less than or equal to 1024",
        ));
    }
    let (pool, user_key) = token_user(ctx, st, input)?;
    let prompt = pool
        .settings
        .devices
        .is_some_and(|d| d.device_only_remembered_on_user_prompt);
    let user = pool.user_mut(&user_key)?;
    let device = user.devices.get_mut(&key).ok_or_else(device_not_found)?;
    if device.secret.is_some() {
        return Err(CognitoError::new(
            ErrorKind::DeviceKeyExists,
            "Device already exists.",
        ));
    }
    device.secret = Some(DeviceSecret { salt, verifier });
    device.name = name;
    device.remembered = !prompt;
    device.modified = ctx.now_f64;
    Ok(json!({ "UserConfirmationNecessary": prompt }))
}

fn remembered_status(input: &Input<'_>) -> Result<Option<bool>, CognitoError> {
    match input.opt_str("DeviceRememberedStatus")? {
        None => Ok(None),
        Some("remembered") => Ok(Some(true)),
        Some("not_remembered") => Ok(Some(false)),
        Some(other) => Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{other}' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"
        ))),
    }
}

fn update_status(
    ctx: &Ctx<'_>,
    pool: &mut Pool,
    user_key: &str,
    key: &str,
    status: Option<bool>,
) -> Result<Value, CognitoError> {
    let device = device_mut(pool.user_mut(user_key)?, key)?;
    if let Some(remembered) = status {
        device.remembered = remembered;
        device.modified = ctx.now_f64;
    }
    Ok(json!({}))
}

pub(super) fn update_device_status(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let key = input.str("DeviceKey")?;
    let status = remembered_status(&input)?;
    let (pool, user_key) = token_user(ctx, st, input)?;
    update_status(ctx, pool, &user_key, key, status)
}

pub(super) fn admin_update_device_status(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let key = input.str("DeviceKey")?;
    let status = remembered_status(&input)?;
    let (pool, user_key) = admin_user(st, input)?;
    update_status(ctx, pool, &user_key, key, status)
}

fn forget(pool: &mut Pool, user_key: &str, key: &str) -> Result<Value, CognitoError> {
    let user = pool.user_mut(user_key)?;
    device_mut(user, key)?;
    user.devices.remove(key);
    Ok(json!({}))
}

pub(super) fn forget_device(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let key = input.str("DeviceKey")?;
    let (pool, user_key) = token_user(ctx, st, input)?;
    forget(pool, &user_key, key)
}

pub(super) fn admin_forget_device(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let key = input.str("DeviceKey")?;
    let (pool, user_key) = admin_user(st, input)?;
    forget(pool, &user_key, key)
}

fn get(pool: &mut Pool, user_key: &str, key: &str) -> Result<Value, CognitoError> {
    let device = device_mut(pool.user_mut(user_key)?, key)?;
    Ok(json!({ "Device": device.device_type() }))
}

pub(super) fn get_device(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let key = input.str("DeviceKey")?;
    let (pool, user_key) = token_user(ctx, st, input)?;
    get(pool, &user_key, key)
}

pub(super) fn admin_get_device(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let key = input.str("DeviceKey")?;
    let (pool, user_key) = admin_user(st, input)?;
    get(pool, &user_key, key)
}

/// One page of the user's confirmed devices, by device key. The pagination token is the
/// base64 of the next page's first key.
fn list(pool: &Pool, user_key: &str, input: &Input<'_>) -> Result<Value, CognitoError> {
    let limit = match input.opt_i64("Limit")? {
        None | Some(0) => MAX_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(n) => {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value {}",
                if n < 0 {
                    "greater than or equal to 0"
                } else {
                    "less than or equal to 60"
                }
            )));
        }
    };
    let start = match input.opt_str("PaginationToken")? {
        None => None,
        Some(token) => Some(
            b64_decode_lenient(token)
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| CognitoError::invalid_parameter("Invalid pagination token."))?,
        ),
    };
    let user = pool.user(user_key)?;
    let mut devices = user
        .devices
        .values()
        .filter(|d| d.secret.is_some())
        .filter(|d| start.as_ref().is_none_or(|s| d.key >= *s));
    let page: Vec<Value> = devices
        .by_ref()
        .take(usize::try_from(limit).unwrap_or(60))
        .map(Device::device_type)
        .collect();
    let mut out = json!({ "Devices": page });
    if let (Some(next), Value::Object(map)) = (devices.next(), &mut out) {
        map.insert("PaginationToken".into(), json!(b64(next.key.as_bytes())));
    }
    Ok(out)
}

pub(super) fn list_devices(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, user_key) = token_user(ctx, st, input)?;
    list(pool, &user_key, &input)
}

pub(super) fn admin_list_devices(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, user_key) = admin_user(st, input)?;
    list(pool, &user_key, &input)
}
