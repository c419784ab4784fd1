//! Secret values that appear in configuration files, and the one macro every amplify-rs crate
//! uses to declare a secret newtype.

/// Declares a secret newtype: a cheap-to-clone wrapper over a shared
/// [`secrecy::SecretString`] (zeroized when the last clone is dropped).
///
/// The type gets `new(impl Into<String>)`, `expose_secret() -> &str`, a `Debug` that prints
/// `Name([redacted])`, `Clone` (an `Arc` clone, never a copy of the secret), `From<&str>`,
/// `From<String>`, and `PartialEq`/`Eq` that compare the values in constant time. Doc comments
/// and attributes written before the visibility go on the type. It has no `Display` and no
/// `Serialize`: code that stores a secret goes through `expose_secret()` in one place.
///
/// Use it through `amplify_core::secret_newtype!`; the macro reaches its dependencies through
/// `$crate`, so the calling crate needs no `secrecy` dependency.
///
/// ```
/// amplify_config::secret_newtype! {
///     /// A one-time code.
///     pub struct OneTimeCode;
/// }
///
/// let code = OneTimeCode::new("123456");
/// let copy = code.clone();
/// assert_eq!(format!("{copy:?}"), "OneTimeCode([redacted])");
/// assert_eq!(copy.expose_secret(), "123456");
/// assert_eq!(code, OneTimeCode::from("123456"));
/// assert_ne!(code, OneTimeCode::from(String::from("654321")));
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! secret_newtype {
    ($(#[$meta:meta])* $vis:vis struct $name:ident;) => {
        $(#[$meta])*
        #[derive(Clone)]
        $vis struct $name(::std::sync::Arc<$crate::__private::SecretString>);

        impl $name {
            /// Wraps a secret value.
            $vis fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
                Self(::std::sync::Arc::new($crate::__private::SecretString::from(
                    ::std::convert::Into::<::std::string::String>::into(value),
                )))
            }

            /// The secret value. Call this only where the value is sent or stored, never to log
            /// it.
            $vis fn expose_secret(&self) -> &str {
                $crate::__private::ExposeSecret::expose_secret(&*self.0)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(::std::concat!(::std::stringify!($name), "([redacted])"))
            }
        }

        /// Equal when the secret values are equal (compared in constant time).
        impl ::std::cmp::PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                $crate::__private::constant_time_eq(
                    self.expose_secret().as_bytes(),
                    other.expose_secret().as_bytes(),
                )
            }
        }

        impl ::std::cmp::Eq for $name {}

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::new(value)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }
    };
}

crate::secret_newtype! {
    /// An AppSync or API Gateway API key (sent as `x-api-key`).
    ///
    /// ```
    /// let key = amplify_config::ApiKey::new("da2-secret");
    /// assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
    /// assert_eq!(key.expose_secret(), "da2-secret");
    /// ```
    pub struct ApiKey;
}

crate::secret_newtype! {
    /// A Cognito app client secret (used to compute `SECRET_HASH`).
    ///
    /// ```
    /// let secret = amplify_config::ClientSecret::new("s3cr3t");
    /// assert!(!format!("{secret:?}").contains("s3cr3t"));
    /// ```
    pub struct ClientSecret;
}

/// What [`secret_newtype!`] expands to refers to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use secrecy::{ExposeSecret, SecretString};

    /// Compares two byte strings in time that depends on their length only.
    pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_value_and_debug_redacts() {
        let key = ApiKey::new("da2-shared");
        let copy = key.clone();
        assert!(std::ptr::eq(key.expose_secret(), copy.expose_secret()));
        assert_eq!(format!("{copy:?}"), "ApiKey([redacted])");
        assert_eq!(key, ApiKey::from("da2-shared"));
        assert_ne!(key, ApiKey::from("da2-other"));
        assert_ne!(ClientSecret::from("a"), ClientSecret::from("ab"));
    }
}
