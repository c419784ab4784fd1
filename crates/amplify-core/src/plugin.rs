//! Plugins and the categories they belong to.

use std::any::Any;
use std::fmt;

use amplify_config::AmplifyConfig;

use crate::AmplifyError;
use crate::hub::Hub;
use crate::provider::{AuthProviderRegistry, BoxFuture};
use crate::time::{SharedTimeSource, SkewCorrectedClock};

/// An Amplify category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Category {
    /// Authentication (Cognito).
    Auth,
    /// GraphQL and REST APIs.
    Api,
    /// File storage.
    Storage,
    /// Analytics.
    Analytics,
}

impl Category {
    /// The categories this one is configured after (API, Storage and Analytics after Auth).
    pub fn dependencies(self) -> &'static [Category] {
        match self {
            Category::Auth => &[],
            Category::Api | Category::Storage | Category::Analytics => &[Category::Auth],
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Category::Auth => "Auth",
            Category::Api => "API",
            Category::Storage => "Storage",
            Category::Analytics => "Analytics",
        })
    }
}

/// What a plugin receives when Amplify is configured.
#[derive(Debug)]
#[non_exhaustive]
pub struct PluginContext<'a> {
    /// The validated configuration.
    pub config: &'a AmplifyConfig,
    /// The registry where plugins publish and find authorization providers.
    pub auth_providers: &'a AuthProviderRegistry,
    /// The Hub, for publishing events.
    pub hub: &'a Hub,
    /// The local clock (uncorrected; the clock the app injected, or the system's).
    pub time: &'a SharedTimeSource,
    /// The one skew-corrected clock of this Amplify: `time` plus the offset learned from the
    /// servers' `Date` headers. Use it for every expiry decision and every signature, and feed
    /// it the `Date` of responses; clones share the offset, so every category sees what one
    /// learned.
    pub clock: &'a SkewCorrectedClock,
}

/// A category plugin (the Cognito auth plugin, the API plugin, ...).
///
/// `configure` is called once per successful [`Amplify::configure`](crate::Amplify::configure),
/// after the plugins of the categories this one depends on. When any plugin fails, configure may
/// be called again on every plugin, so it must replace earlier state rather than add to it.
///
/// # Examples
///
/// ```
/// use amplify_core::{AmplifyError, BoxFuture, Category, Plugin, PluginContext};
/// use std::sync::OnceLock;
///
/// #[derive(Debug, Default)]
/// struct Analytics { region: OnceLock<String> }
///
/// impl Plugin for Analytics {
///     fn category(&self) -> Category { Category::Analytics }
///     fn plugin_key(&self) -> &'static str { "myAnalytics" }
///     fn configure<'a>(&'a self, ctx: &'a PluginContext<'a>) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
///         Box::pin(async move {
///             let region = ctx.config.auth.as_ref().map(|a| a.region.clone()).unwrap_or_default();
///             let _ = self.region.set(region);
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait Plugin: Any + Send + Sync + fmt::Debug {
    /// The category the plugin serves.
    fn category(&self) -> Category;

    /// A key unique among plugins (for example `awsCognitoAuthPlugin`).
    fn plugin_key(&self) -> &'static str;

    /// Categories to configure before this plugin (defaults to the category's own dependencies).
    fn dependencies(&self) -> &'static [Category] {
        self.category().dependencies()
    }

    /// Reads the configuration, registers providers and prepares the plugin.
    fn configure<'a>(
        &'a self,
        ctx: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>>;
}
