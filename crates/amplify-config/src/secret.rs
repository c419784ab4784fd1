//! Secret values that appear in configuration files.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

macro_rules! secret_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
            }

            /// The secret value. Call this only where the value is sent, never to log it.
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        /// Equal when the secret values are equal (compared in constant time).
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                constant_time_eq(self.expose_secret().as_bytes(), other.expose_secret().as_bytes())
            }
        }

        impl Eq for $name {}

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }
    };
}

secret_newtype!(
    /// An AppSync or API Gateway API key (sent as `x-api-key`).
    ///
    /// ```
    /// let key = amplify_config::ApiKey::new("da2-secret");
    /// assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
    /// assert_eq!(key.expose_secret(), "da2-secret");
    /// ```
    ApiKey
);

secret_newtype!(
    /// A Cognito app client secret (used to compute `SECRET_HASH`).
    ///
    /// ```
    /// let secret = amplify_config::ClientSecret::new("s3cr3t");
    /// assert!(!format!("{secret:?}").contains("s3cr3t"));
    /// ```
    ClientSecret
);

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
