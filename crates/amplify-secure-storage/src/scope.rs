//! [`StorageScope`]: the namespace a storage instance works in.

use std::borrow::Cow;
use std::fmt;

use crate::StorageError;

/// The namespace prefix Amplify uses: a scope `awsCognitoAuthPlugin` is stored under
/// `com.amplify.awsCognitoAuthPlugin`.
pub const DEFAULT_NAMESPACE: &str = "com.amplify";

const MAX_NAME_LEN: usize = 100;
const MAX_KEY_LEN: usize = 1024;

/// A namespace for stored items. Each category plugin gets its own scope, and two scopes never
/// see each other's keys: the storage for `awsCognitoAuthPlugin` cannot read what the storage
/// for `awsPinpointAnalyticsPlugin` wrote, even under the same key.
///
/// Names are 1 to 100 ASCII letters, digits, `.`, `_` or `-`, not starting with `.`, because they
/// become file names and keychain service names.
///
/// # Examples
///
/// ```
/// use amplify_secure_storage::StorageScope;
///
/// assert_eq!(StorageScope::AWS_COGNITO_AUTH_PLUGIN.name(), "awsCognitoAuthPlugin");
/// let mine = StorageScope::new("myPlugin")?;
/// assert_eq!(mine.to_string(), "myPlugin");
/// assert!(StorageScope::new("../etc").is_err());
/// # Ok::<(), amplify_secure_storage::StorageError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StorageScope(Cow<'static, str>);

impl StorageScope {
    /// The Cognito auth plugin's scope (tokens, identity-pool credentials, device secrets).
    pub const AWS_COGNITO_AUTH_PLUGIN: StorageScope =
        StorageScope(Cow::Borrowed("awsCognitoAuthPlugin"));
    /// The Pinpoint analytics plugin's scope.
    pub const AWS_PINPOINT_ANALYTICS_PLUGIN: StorageScope =
        StorageScope(Cow::Borrowed("awsPinpointAnalyticsPlugin"));
    /// The Pinpoint push notifications plugin's scope.
    pub const AWS_PINPOINT_PUSH_NOTIFICATIONS_PLUGIN: StorageScope =
        StorageScope(Cow::Borrowed("awsPinpointPushNotificationsPlugin"));

    /// A scope with a custom name.
    ///
    /// # Errors
    ///
    /// [`StorageError::InvalidScope`] when the name is empty, longer than 100 bytes, starts
    /// with `.` or contains anything but ASCII letters, digits, `.`, `_` and `-`.
    pub fn new(name: impl Into<String>) -> Result<Self, StorageError> {
        let name = name.into();
        validate_name(&name)?;
        Ok(StorageScope(Cow::Owned(name)))
    }

    /// The scope's name, for example `awsCognitoAuthPlugin`.
    pub fn name(&self) -> &str {
        &self.0
    }

    /// The full storage name under `namespace`: `<namespace>.<scope>`. With
    /// [`DEFAULT_NAMESPACE`] this is Amplify's `com.amplify.<scope>`, the keychain service name
    /// and the encrypted file's name.
    ///
    /// ```
    /// use amplify_secure_storage::{StorageScope, DEFAULT_NAMESPACE};
    ///
    /// let service = StorageScope::AWS_COGNITO_AUTH_PLUGIN.service_name(DEFAULT_NAMESPACE);
    /// assert_eq!(service, "com.amplify.awsCognitoAuthPlugin");
    /// ```
    pub fn service_name(&self, namespace: &str) -> String {
        format!("{namespace}.{}", self.0)
    }
}

impl fmt::Display for StorageScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a scope or namespace name: 1 to 100 ASCII letters, digits, `.`, `_` or `-`, not
/// starting with `.`.
pub(crate) fn validate_name(name: &str) -> Result<(), StorageError> {
    let reason = if name.is_empty() {
        "the name is empty"
    } else if name.len() > MAX_NAME_LEN {
        "the name is longer than 100 bytes"
    } else if name.starts_with('.') {
        "the name starts with `.`"
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        "the name contains a character other than ASCII letters, digits, `.`, `_` and `-`"
    } else {
        return Ok(());
    };
    Err(StorageError::InvalidScope { reason })
}

/// Checks a storage key, as every built-in backend does before storing: keys are 1 to 1,024
/// bytes of UTF-8 without control characters. Slashes, dots, spaces and any non-ASCII
/// characters are fine.
///
/// Custom [`SecureStorage`](crate::SecureStorage) implementations may call it to behave like
/// the built-in ones.
///
/// # Errors
///
/// [`StorageError::InvalidKey`] when the key breaks one of these rules.
///
/// # Examples
///
/// ```
/// use amplify_secure_storage::validate_key;
///
/// assert!(validate_key("1sg675g08g6g0e9f64grv9n5sk.accessToken").is_ok());
/// assert!(validate_key("a/b.c/ключ").is_ok());
/// assert!(validate_key("").is_err());
/// assert!(validate_key("line\nbreak").is_err());
/// ```
pub fn validate_key(key: &str) -> Result<(), StorageError> {
    let reason = if key.is_empty() {
        "the key is empty"
    } else if key.len() > MAX_KEY_LEN {
        "the key is longer than 1,024 bytes"
    } else if key.chars().any(char::is_control) {
        "the key contains a control character"
    } else {
        return Ok(());
    };
    Err(StorageError::InvalidKey { reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amplify_scope_names() {
        assert_eq!(
            StorageScope::AWS_COGNITO_AUTH_PLUGIN.name(),
            "awsCognitoAuthPlugin"
        );
        assert_eq!(
            StorageScope::AWS_PINPOINT_ANALYTICS_PLUGIN.service_name(DEFAULT_NAMESPACE),
            "com.amplify.awsPinpointAnalyticsPlugin"
        );
        assert_eq!(
            StorageScope::AWS_PINPOINT_PUSH_NOTIFICATIONS_PLUGIN.to_string(),
            "awsPinpointPushNotificationsPlugin"
        );
        for scope in [
            StorageScope::AWS_COGNITO_AUTH_PLUGIN,
            StorageScope::AWS_PINPOINT_ANALYTICS_PLUGIN,
            StorageScope::AWS_PINPOINT_PUSH_NOTIFICATIONS_PLUGIN,
        ] {
            validate_name(scope.name()).unwrap();
        }
    }

    #[test]
    fn rejects_names_that_are_not_safe_file_names() {
        for bad in [
            "",
            ".hidden",
            "a/b",
            "a\\b",
            "..",
            "a b",
            "ключ",
            &"x".repeat(101),
        ] {
            assert!(StorageScope::new(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["a", "my-plugin_2", "com.example.app", &"x".repeat(100)] {
            assert_eq!(StorageScope::new(good).unwrap().name(), good);
        }
    }

    #[test]
    fn keys() {
        assert!(validate_key("x").is_ok());
        assert!(validate_key(&"k".repeat(1024)).is_ok());
        assert!(validate_key(&"k".repeat(1025)).is_err());
        assert!(validate_key("a\0b").is_err());
        assert!(validate_key("🔑/ä.b c").is_ok());
    }
}
