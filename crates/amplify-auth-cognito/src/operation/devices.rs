//! The user's devices: remember, forget, list, the current one.

use tracing::Instrument;

use crate::AuthError;
use crate::device::{AuthDevice, DeviceSecrets, DeviceStatus};
use crate::plugin::{CognitoAuthPlugin, Configured};
use crate::sdk::{self, IDP};

/// `ListDevices` pages of this size (the API's maximum is 60).
const PAGE: i32 = 60;

/// The signed-in user's access token and sign-in username.
async fn signed_in(configured: &Configured) -> Result<(String, String), AuthError> {
    let tokens = configured.manager.user_pool_tokens(false).await?;
    let username = configured
        .manager
        .snapshot()
        .session
        .user_pool
        .as_ref()
        .map(|up| up.sign_in_details.username.clone())
        .ok_or(AuthError::SignedOut)?;
    Ok((tokens.access_token.expose_secret().to_owned(), username))
}

/// This machine's device for the signed-in user.
async fn current(configured: &Configured) -> Result<(String, String, DeviceSecrets), AuthError> {
    let (token, username) = signed_in(configured).await?;
    let device = configured
        .manager
        .device(&username)
        .await
        .ok_or(AuthError::InvalidState(
            crate::error::InvalidStateReason::DeviceNotTracked,
        ))?;
    Ok((token, username, device))
}

impl CognitoAuthPlugin {
    /// Remembers this device (`UpdateDeviceStatus` `remembered`): on pools that skip MFA on
    /// remembered devices, later sign-ins from here skip it.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] ([`DeviceNotTracked`](crate::InvalidStateReason::DeviceNotTracked))
    /// when the pool does not track this device; service errors.
    pub async fn remember_device(&self) -> Result<(), AuthError> {
        let configured = self.configured()?;
        let (token, username, mut device) = current(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        client
            .update_device_status()
            .access_token(token)
            .device_key(&device.key)
            .device_remembered_status(
                aws_sdk_cognitoidentityprovider::types::DeviceRememberedStatusType::Remembered,
            )
            .send()
            .instrument(tracing::debug_span!("amplify.auth.remember_device"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        device.status = DeviceStatus::Remembered;
        if let Some(store) = &configured.manager.devices {
            store.save(&username, &device).await?;
        }
        Ok(())
    }

    /// Forgets a device (`ForgetDevice`): `None` is this device, whose local secrets are
    /// removed too (the next sign-in registers it anew).
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] (`DeviceNotTracked`) for `None` when this device is not
    /// tracked; service errors (`ResourceNotFound` for an unknown device other than this one:
    /// this device already gone on the server is forgotten here and is not an error).
    pub async fn forget_device(&self, device: Option<&AuthDevice>) -> Result<(), AuthError> {
        let configured = self.configured()?;
        let (token, username) = signed_in(&configured).await?;
        let here = configured.manager.device(&username).await;
        let key = match (device, &here) {
            (Some(d), _) => d.id.clone(),
            (None, Some(here)) => here.key.clone(),
            (None, None) => {
                return Err(AuthError::InvalidState(
                    crate::error::InvalidStateReason::DeviceNotTracked,
                ));
            }
        };
        let this_device = here.as_ref().is_some_and(|h| h.key == key);
        let (client, _) = configured.manager.user_pool()?;
        let forgotten = client
            .forget_device()
            .access_token(token)
            .device_key(&key)
            .send()
            .instrument(tracing::debug_span!("amplify.auth.forget_device"))
            .await
            .map_err(|e| sdk::map_error(IDP, e));
        match forgotten {
            Ok(_) => {}
            // This device is already gone on the server (an earlier ForgetDevice whose answer
            // was lost, or another client forgot it): finish the job here.
            Err(e)
                if this_device
                    && e.service_kind() == Some(crate::ServiceErrorKind::ResourceNotFound) =>
            {
                tracing::debug!("this device was already forgotten by the user pool");
            }
            Err(e) => return Err(e),
        }
        if this_device && let Some(store) = &configured.manager.devices {
            store.delete(&username).await?;
        }
        Ok(())
    }

    /// Every device of the signed-in user (`ListDevices`, all pages).
    ///
    /// # Errors
    ///
    /// [`AuthError::SignedOut`]; service errors.
    pub async fn fetch_devices(&self) -> Result<Vec<AuthDevice>, AuthError> {
        let configured = self.configured()?;
        let (token, _) = signed_in(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        let mut devices = Vec::new();
        let mut page_token = None;
        loop {
            let out = client
                .list_devices()
                .access_token(&token)
                .limit(PAGE)
                .set_pagination_token(page_token)
                .send()
                .instrument(tracing::debug_span!("amplify.auth.fetch_devices"))
                .await
                .map_err(|e| sdk::map_error(IDP, e))?;
            devices.extend(out.devices().iter().map(AuthDevice::from_sdk));
            match out.pagination_token() {
                Some(next) if !next.is_empty() => page_token = Some(next.to_owned()),
                _ => break,
            }
        }
        Ok(devices)
    }

    /// This device as the pool knows it (`GetDevice`).
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidState`] (`DeviceNotTracked`) when this device is not tracked;
    /// service errors.
    pub async fn fetch_current_device(&self) -> Result<AuthDevice, AuthError> {
        let configured = self.configured()?;
        let (token, _, device) = current(&configured).await?;
        let (client, _) = configured.manager.user_pool()?;
        let out = client
            .get_device()
            .access_token(token)
            .device_key(&device.key)
            .send()
            .instrument(tracing::debug_span!("amplify.auth.fetch_current_device"))
            .await
            .map_err(|e| sdk::map_error(IDP, e))?;
        out.device()
            .map(AuthDevice::from_sdk)
            .ok_or_else(|| AuthError::unexpected("GetDevice returned no Device"))
    }
}
