//! Device tracking: the secrets a device keeps after `ConfirmDevice`, where they are stored, and
//! the device SRP answers (`DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`).
//!
//! Keys (Amplify Flutter's `CognitoDeviceKey`, scope `awsCognitoAuthPlugin`):
//! `<appClientId>.<username>.{deviceKey, deviceGroupKey, devicePassword, deviceStatus}`. They are
//! kept across sign-out (the device stays known to the pool), and removed by `forget_device`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use amplify_secure_storage::{SecureStorage, SharedSecureStorage, WriteBatch};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use secrecy::{ExposeSecret, SecretString};

use crate::AuthError;

amplify_core::secret_newtype! {
    /// The random password a device proves itself with (device SRP).
    ///
    /// Cheap to clone (the value is shared).
    pub struct DevicePassword;
}

/// Whether the pool remembers the device (MFA is skipped on remembered devices when the pool
/// says so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceStatus {
    /// `remembered`.
    Remembered,
    /// `not_remembered`: tracked, but the user has not asked to remember it.
    NotRemembered,
}

impl DeviceStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::Remembered => "remembered",
            DeviceStatus::NotRemembered => "not_remembered",
        }
    }

    fn parse(value: &str) -> Self {
        if value == "remembered" {
            DeviceStatus::Remembered
        } else {
            DeviceStatus::NotRemembered
        }
    }
}

/// What this device keeps to sign in with device SRP.
#[derive(Clone)]
pub(crate) struct DeviceSecrets {
    pub(crate) key: String,
    pub(crate) group_key: String,
    pub(crate) password: DevicePassword,
    pub(crate) status: DeviceStatus,
}

impl std::fmt::Debug for DeviceSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSecrets")
            .field("key", &self.key)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl DeviceSecrets {
    /// New secrets for a device Cognito just announced (`NewDeviceMetadata`): a random
    /// 40-byte password, base64, as amplify-js makes it.
    pub(crate) fn generate(key: &str, group_key: &str) -> Result<Self, AuthError> {
        let mut bytes = zeroize::Zeroizing::new([0u8; 40]);
        getrandom::fill(bytes.as_mut())
            .map_err(|_| AuthError::Srp(crate::srp::SrpError::Random))?;
        Ok(Self {
            key: key.to_owned(),
            group_key: group_key.to_owned(),
            password: DevicePassword::new(BASE64.encode(bytes.as_ref())),
            status: DeviceStatus::NotRemembered,
        })
    }
}

/// A device of the user, as `ListDevices` / `GetDevice` describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthDevice {
    /// The device key.
    pub id: String,
    /// The device's name (`device_name` attribute), when it has one.
    pub name: Option<String>,
    /// Every attribute of the device.
    pub attributes: BTreeMap<String, String>,
    /// When the device was first seen.
    pub created_at: Option<SystemTime>,
    /// When the device last signed in.
    pub last_authenticated_at: Option<SystemTime>,
    /// When the device's record last changed.
    pub last_modified_at: Option<SystemTime>,
}

impl AuthDevice {
    pub(crate) fn from_sdk(device: &aws_sdk_cognitoidentityprovider::types::DeviceType) -> Self {
        let attributes: BTreeMap<String, String> = device
            .device_attributes()
            .iter()
            .map(|a| {
                (
                    a.name().to_owned(),
                    a.value().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let time = |t: Option<&aws_sdk_cognitoidentityprovider::primitives::DateTime>| {
            t.and_then(|t| SystemTime::try_from(*t).ok())
        };
        Self {
            id: device.device_key().unwrap_or_default().to_owned(),
            name: attributes.get("device_name").cloned(),
            attributes,
            created_at: time(device.device_create_date()),
            last_authenticated_at: time(device.device_last_authenticated_date()),
            last_modified_at: time(device.device_last_modified_date()),
        }
    }
}

/// Device secrets in secure storage.
#[derive(Debug, Clone)]
pub(crate) struct DeviceStore {
    storage: SharedSecureStorage,
    client_id: String,
}

const FIELDS: [&str; 4] = [
    "deviceKey",
    "deviceGroupKey",
    "devicePassword",
    "deviceStatus",
];

impl DeviceStore {
    pub(crate) fn new(storage: SharedSecureStorage, client_id: String) -> Self {
        Self { storage, client_id }
    }

    fn key(&self, username: &str, field: &str) -> String {
        format!("{}.{username}.{field}", self.client_id)
    }

    async fn read(&self, key: &str) -> Result<Option<String>, AuthError> {
        Ok(self
            .storage
            .read(key)
            .await?
            .map(|v| v.expose_secret().to_owned()))
    }

    /// The secrets of `username`'s device on this machine.
    pub(crate) async fn load(&self, username: &str) -> Result<Option<DeviceSecrets>, AuthError> {
        let key = self.read(&self.key(username, "deviceKey")).await?;
        let group = self.read(&self.key(username, "deviceGroupKey")).await?;
        let password = self.read(&self.key(username, "devicePassword")).await?;
        let status = self.read(&self.key(username, "deviceStatus")).await?;
        Ok(match (key, group, password) {
            (Some(key), Some(group_key), Some(password)) => Some(DeviceSecrets {
                key,
                group_key,
                password: DevicePassword::new(password),
                status: status
                    .as_deref()
                    .map_or(DeviceStatus::NotRemembered, DeviceStatus::parse),
            }),
            _ => None,
        })
    }

    /// Stores the secrets (one batch).
    pub(crate) async fn save(
        &self,
        username: &str,
        secrets: &DeviceSecrets,
    ) -> Result<(), AuthError> {
        let secret = |v: &str| SecretString::from(v.to_owned());
        let batch = WriteBatch::new()
            .write(self.key(username, "deviceKey"), secret(&secrets.key))
            .write(
                self.key(username, "deviceGroupKey"),
                secret(&secrets.group_key),
            )
            .write(
                self.key(username, "devicePassword"),
                secret(secrets.password.expose_secret()),
            )
            .write(
                self.key(username, "deviceStatus"),
                secret(secrets.status.as_str()),
            );
        self.storage.write_batch(batch).await?;
        Ok(())
    }

    /// Forgets the device's secrets (one batch).
    pub(crate) async fn delete(&self, username: &str) -> Result<(), AuthError> {
        let mut batch = WriteBatch::new();
        for field in FIELDS {
            batch.push_delete(self.key(username, field));
        }
        self.storage.write_batch(batch).await?;
        Ok(())
    }
}
