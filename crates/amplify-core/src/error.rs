//! The error trait every category error implements, and core's own errors.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use amplify_config::ConfigError;

use crate::Category;

/// A boxed error that can be the `source()` of any amplify-rs error: the one such alias of the
/// workspace (`amplify_api::BoxError` and `amplify_secure_storage::BoxError` re-export it).
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What every amplify-rs error offers beyond [`std::error::Error`]: a message, a recovery
/// suggestion (Amplify's `recoverySuggestion`), and for service errors the service's code and
/// request id. The underlying error is [`source()`](StdError::source).
///
/// # Examples
///
/// ```
/// use amplify_core::{AmplifyError, CoreError};
///
/// let err = CoreError::NotConfigured;
/// assert!(err.recovery_suggestion().is_some());
/// assert_eq!(err.message(), err.to_string());
/// ```
pub trait AmplifyError: StdError + Send + Sync + 'static {
    /// A description of what went wrong, without the recovery suggestion.
    fn message(&self) -> String {
        self.to_string()
    }

    /// How the caller (or the user) can fix the problem, when that is known.
    fn recovery_suggestion(&self) -> Option<String>;

    /// The service's error code (for example `NotAuthorizedException`), for service errors.
    fn code(&self) -> Option<&str> {
        None
    }

    /// The service's request id, for service errors.
    fn request_id(&self) -> Option<&str> {
        None
    }

    /// Whether trying the same call again may succeed (network failures, throttling, 5xx).
    fn is_retryable(&self) -> bool {
        false
    }
}

impl AmplifyError for ConfigError {
    fn recovery_suggestion(&self) -> Option<String> {
        ConfigError::recovery_suggestion(self)
    }
}

/// A shared error is the error it shares: an `Arc<AuthError>` can be the source of several
/// errors (for example a [`ProviderError`](crate::ProviderError) per waiting caller) and still
/// report the service's code and request id.
impl<E: AmplifyError + ?Sized> AmplifyError for Arc<E> {
    fn message(&self) -> String {
        (**self).message()
    }

    fn recovery_suggestion(&self) -> Option<String> {
        (**self).recovery_suggestion()
    }

    fn code(&self) -> Option<&str> {
        (**self).code()
    }

    fn request_id(&self) -> Option<&str> {
        (**self).request_id()
    }

    fn is_retryable(&self) -> bool {
        (**self).is_retryable()
    }
}

/// Lets a boxed [`AmplifyError`] be the `source()` of another error.
impl StdError for Box<dyn AmplifyError> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        (**self).source()
    }
}

/// Displays an error with its whole `source()` chain, for logs:
/// `configure failed: auth plugin: ... (caused by: ...)`.
///
/// ```
/// use amplify_core::DisplayErrorContext;
///
/// let io = std::io::Error::other("disk on fire");
/// assert_eq!(DisplayErrorContext(&io).to_string(), "disk on fire");
/// ```
#[derive(Debug)]
pub struct DisplayErrorContext<E>(pub E);

impl<E: StdError> fmt::Display for DisplayErrorContext<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(err) = source {
            write!(f, ": {err}")?;
            source = err.source();
        }
        Ok(())
    }
}

/// Errors from configuring Amplify and reaching its plugins.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// `configure` was called after a successful `configure`.
    #[error("Amplify has already been configured")]
    AlreadyConfigured,
    /// `configure` was called while another `configure` was running.
    #[error("Amplify is being configured by another call")]
    ConfigureInProgress,
    /// An operation needs a configured Amplify.
    #[error("Amplify has not been configured")]
    NotConfigured,
    /// The configuration document was rejected.
    #[error("the Amplify configuration is invalid")]
    InvalidConfiguration(#[source] ConfigError),
    /// A plugin rejected the configuration.
    #[error("the {category} plugin `{plugin}` could not be configured")]
    PluginConfiguration {
        /// The plugin's category.
        category: Category,
        /// The plugin's key.
        plugin: &'static str,
        /// Why it failed.
        #[source]
        source: Box<dyn AmplifyError>,
    },
    /// A plugin with the same key was already added.
    #[error("a plugin with key `{0}` has already been added")]
    DuplicatePlugin(&'static str),
    /// Plugins cannot be added after configuration.
    #[error("plugins cannot be added after Amplify has been configured")]
    PluginAddedAfterConfigure,
    /// No plugin of the requested category or type was added.
    #[error("no {category} plugin{} has been added", .wanted.map(|w| format!(" of type `{w}`")).unwrap_or_default())]
    PluginNotFound {
        /// The category asked for.
        category: Category,
        /// The concrete type asked for, when one was.
        wanted: Option<&'static str>,
    },
    /// Several plugins of the category exist and none was chosen.
    #[error("{count} {category} plugins have been added; choose one by type with `plugin::<P>()`")]
    AmbiguousPlugin {
        /// The category asked for.
        category: Category,
        /// How many plugins it has.
        count: usize,
    },
    /// Plugins' declared dependencies form a cycle.
    #[error("plugin categories depend on each other in a cycle: {0}")]
    DependencyCycle(String),
}

impl AmplifyError for CoreError {
    fn recovery_suggestion(&self) -> Option<String> {
        Some(
            match self {
                CoreError::AlreadyConfigured => {
                    "Call `configure` once at start-up; check `is_configured()` before calling it again."
                }
                CoreError::ConfigureInProgress => "Await the first `configure` call instead of starting another.",
                CoreError::NotConfigured => "Call `Amplify::configure` with your amplify_outputs.json first.",
                CoreError::InvalidConfiguration(err) => return err.recovery_suggestion(),
                CoreError::PluginConfiguration { source, .. } => return source.recovery_suggestion(),
                CoreError::DuplicatePlugin(_) => "Add each plugin once.",
                CoreError::PluginAddedAfterConfigure => "Add every plugin before calling `configure`.",
                CoreError::PluginNotFound { .. } => "Add the plugin with `Amplify::add_plugin` before configuring.",
                CoreError::AmbiguousPlugin { .. } => "Ask for the concrete plugin type with `plugin::<P>()`.",
                CoreError::DependencyCycle(_) => "Remove the cycle from the plugins' `dependencies()`.",
            }
            .to_owned(),
        )
    }
}
