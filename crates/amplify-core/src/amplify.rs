//! The `Amplify` value: plugins, configuration, Hub and provider registry in one handle.

use std::any::{Any, type_name};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use amplify_config::AmplifyConfig;
use tracing::Instrument;

use crate::error::CoreError;
use crate::hub::Hub;
use crate::plugin::{Category, Plugin, PluginContext};
use crate::provider::AuthProviderRegistry;
use crate::time::{SharedTimeSource, SkewCorrectedClock};

#[derive(Clone)]
struct PluginEntry {
    plugin: Arc<dyn Plugin>,
    any: Arc<dyn Any + Send + Sync>,
    type_name: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Unconfigured,
    Configuring,
    Configured,
}

struct Inner {
    plugins: RwLock<Vec<PluginEntry>>,
    state: Mutex<State>,
    config: OnceLock<Arc<AmplifyConfig>>,
    hub: Hub,
    auth_providers: AuthProviderRegistry,
    time: SharedTimeSource,
    clock: SkewCorrectedClock,
}

/// Amplify: add plugins, then [`configure`](Self::configure) once.
///
/// Cheap to clone (clones share everything). There is no global instance: pass the value where
/// it is needed.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_core::{Amplify, CoreError};
///
/// let amplify = Amplify::new();
/// amplify.configure(r#"{"version": "1", "auth": {"aws_region": "us-east-1",
///     "user_pool_id": "us-east-1_Abc", "user_pool_client_id": "client"}}"#).await?;
/// assert!(amplify.is_configured());
/// assert!(matches!(amplify.configure("{}").await, Err(CoreError::AlreadyConfigured)));
/// # Ok::<(), CoreError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Amplify {
    inner: Arc<Inner>,
}

impl fmt::Debug for Amplify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plugins: Vec<&'static str> = self
            .entries()
            .iter()
            .map(|e| e.plugin.plugin_key())
            .collect();
        f.debug_struct("Amplify")
            .field("plugins", &plugins)
            .field("configured", &self.is_configured())
            .finish()
    }
}

impl Default for Amplify {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds an [`Amplify`] with a custom clock.
#[derive(Debug, Default)]
pub struct AmplifyBuilder {
    time: Option<SharedTimeSource>,
}

impl AmplifyBuilder {
    /// The clock every plugin uses for expiry decisions (the system clock by default).
    #[must_use]
    pub fn time_source(mut self, time: SharedTimeSource) -> Self {
        self.time = Some(time);
        self
    }

    /// Builds the value.
    pub fn build(self) -> Amplify {
        let time = self.time.unwrap_or_default();
        Amplify {
            inner: Arc::new(Inner {
                plugins: RwLock::new(Vec::new()),
                state: Mutex::new(State::Unconfigured),
                config: OnceLock::new(),
                hub: Hub::default(),
                auth_providers: AuthProviderRegistry::default(),
                clock: SkewCorrectedClock::new(time.clone()),
                time,
            }),
        }
    }
}

/// Resets the state to unconfigured unless the configure call completed; covers errors and a
/// cancelled `configure` future alike, so configure can always be retried.
struct ConfigureGuard<'a> {
    state: &'a Mutex<State>,
    done: bool,
}

impl Drop for ConfigureGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        *state = if self.done {
            State::Configured
        } else {
            State::Unconfigured
        };
    }
}

impl Amplify {
    /// An unconfigured Amplify with no plugins and the system clock.
    pub fn new() -> Self {
        AmplifyBuilder::default().build()
    }

    /// A builder, to set the clock.
    pub fn builder() -> AmplifyBuilder {
        AmplifyBuilder::default()
    }

    /// Adds a plugin.
    ///
    /// # Errors
    ///
    /// [`CoreError::DuplicatePlugin`] when a plugin with the same key exists;
    /// [`CoreError::PluginAddedAfterConfigure`] after a successful configure.
    pub fn add_plugin<P: Plugin>(&self, plugin: P) -> Result<(), CoreError> {
        self.add_shared_plugin(Arc::new(plugin))
    }

    /// Adds a plugin the caller keeps a handle to.
    ///
    /// # Errors
    ///
    /// As for [`add_plugin`](Self::add_plugin).
    pub fn add_shared_plugin<P: Plugin>(&self, plugin: Arc<P>) -> Result<(), CoreError> {
        if *self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            != State::Unconfigured
        {
            return Err(CoreError::PluginAddedAfterConfigure);
        }
        let mut plugins = self
            .inner
            .plugins
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let key = plugin.plugin_key();
        if plugins.iter().any(|e| e.plugin.plugin_key() == key) {
            return Err(CoreError::DuplicatePlugin(key));
        }
        plugins.push(PluginEntry {
            plugin: Arc::clone(&plugin) as Arc<dyn Plugin>,
            any: plugin as Arc<dyn Any + Send + Sync>,
            type_name: type_name::<P>(),
        });
        Ok(())
    }

    /// Parses `json` (Gen 1 or Gen 2) and configures every plugin, Auth before the categories
    /// that depend on it.
    ///
    /// # Errors
    ///
    /// [`CoreError::AlreadyConfigured`] after a successful configure (a failed one can be
    /// retried), [`CoreError::InvalidConfiguration`] for a bad document, and
    /// [`CoreError::PluginConfiguration`] when a plugin rejects it.
    pub async fn configure(&self, json: &str) -> Result<(), CoreError> {
        self.check_not_configured()?;
        let config = AmplifyConfig::from_json(json).map_err(CoreError::InvalidConfiguration)?;
        self.configure_with(config).await
    }

    /// Configures every plugin with an already parsed configuration.
    ///
    /// # Errors
    ///
    /// As for [`configure`](Self::configure), except the parse error.
    pub async fn configure_with(&self, config: AmplifyConfig) -> Result<(), CoreError> {
        let mut guard = {
            let mut state = self
                .inner
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match *state {
                State::Configured => return Err(CoreError::AlreadyConfigured),
                State::Configuring => return Err(CoreError::ConfigureInProgress),
                State::Unconfigured => *state = State::Configuring,
            }
            ConfigureGuard {
                state: &self.inner.state,
                done: false,
            }
        };
        let order = configure_order(&self.entries())?;
        let ctx = PluginContext {
            config: &config,
            auth_providers: &self.inner.auth_providers,
            hub: &self.inner.hub,
            time: &self.inner.time,
            clock: &self.inner.clock,
        };
        for entry in &order {
            let plugin = &entry.plugin;
            let span =
                tracing::debug_span!("amplify.configure_plugin", plugin = plugin.plugin_key());
            plugin
                .configure(&ctx)
                .instrument(span)
                .await
                .map_err(|source| CoreError::PluginConfiguration {
                    category: plugin.category(),
                    plugin: plugin.plugin_key(),
                    source,
                })?;
        }
        // Only the first successful configure reaches this line (state guards it).
        let _ = self.inner.config.set(Arc::new(config));
        guard.done = true;
        tracing::debug!(plugins = order.len(), "amplify configured");
        Ok(())
    }

    fn check_not_configured(&self) -> Result<(), CoreError> {
        match *self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            State::Configured => Err(CoreError::AlreadyConfigured),
            State::Configuring => Err(CoreError::ConfigureInProgress),
            State::Unconfigured => Ok(()),
        }
    }

    /// Whether [`configure`](Self::configure) has succeeded.
    pub fn is_configured(&self) -> bool {
        *self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            == State::Configured
    }

    /// The configuration, once configured.
    pub fn config(&self) -> Option<Arc<AmplifyConfig>> {
        self.inner.config.get().cloned()
    }

    /// The Hub.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    /// The registry of authorization providers.
    pub fn auth_providers(&self) -> &AuthProviderRegistry {
        &self.inner.auth_providers
    }

    /// The local clock (uncorrected).
    pub fn time_source(&self) -> &SharedTimeSource {
        &self.inner.time
    }

    /// The skew-corrected clock every plugin shares (see [`PluginContext::clock`]).
    pub fn clock(&self) -> &SkewCorrectedClock {
        &self.inner.clock
    }

    /// The Auth category's plugins.
    pub fn auth(&self) -> CategoryPlugins {
        self.category(Category::Auth)
    }

    /// The API category's plugins.
    pub fn api(&self) -> CategoryPlugins {
        self.category(Category::Api)
    }

    /// Any category's plugins.
    pub fn category(&self, category: Category) -> CategoryPlugins {
        CategoryPlugins {
            category,
            entries: self
                .entries()
                .into_iter()
                .filter(|e| e.plugin.category() == category)
                .collect(),
        }
    }

    fn entries(&self) -> Vec<PluginEntry> {
        self.inner
            .plugins
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The plugins of one category, with typed access for escape hatches.
///
/// ```
/// # use amplify_core::{Amplify, AmplifyError, BoxFuture, Category, Plugin, PluginContext};
/// #[derive(Debug)]
/// struct MyAuth;
/// impl MyAuth { fn federate(&self) -> &'static str { "federated" } }
/// impl Plugin for MyAuth {
///     fn category(&self) -> Category { Category::Auth }
///     fn plugin_key(&self) -> &'static str { "myAuth" }
///     fn configure<'a>(&'a self, _: &'a PluginContext<'a>) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
///         Box::pin(async { Ok(()) })
///     }
/// }
/// let amplify = Amplify::new();
/// amplify.add_plugin(MyAuth)?;
/// let auth = amplify.auth().plugin::<MyAuth>()?;
/// assert_eq!(auth.federate(), "federated");
/// # Ok::<(), amplify_core::CoreError>(())
/// ```
#[derive(Clone)]
pub struct CategoryPlugins {
    category: Category,
    entries: Vec<PluginEntry>,
}

impl fmt::Debug for CategoryPlugins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plugins: Vec<&'static str> = self.entries.iter().map(|e| e.type_name).collect();
        f.debug_struct("CategoryPlugins")
            .field("category", &self.category)
            .field("plugins", &plugins)
            .finish()
    }
}

impl CategoryPlugins {
    /// The plugin of concrete type `P`.
    ///
    /// # Errors
    ///
    /// [`CoreError::PluginNotFound`] when no plugin of that type was added to the category.
    pub fn plugin<P: Plugin>(&self) -> Result<Arc<P>, CoreError> {
        self.entries
            .iter()
            .find_map(|e| Arc::clone(&e.any).downcast::<P>().ok())
            .ok_or(CoreError::PluginNotFound {
                category: self.category,
                wanted: Some(type_name::<P>()),
            })
    }

    /// The category's only plugin.
    ///
    /// # Errors
    ///
    /// [`CoreError::PluginNotFound`] with none, [`CoreError::AmbiguousPlugin`] with several.
    pub fn default_plugin(&self) -> Result<Arc<dyn Plugin>, CoreError> {
        match self.entries.as_slice() {
            [only] => Ok(Arc::clone(&only.plugin)),
            [] => Err(CoreError::PluginNotFound {
                category: self.category,
                wanted: None,
            }),
            many => Err(CoreError::AmbiguousPlugin {
                category: self.category,
                count: many.len(),
            }),
        }
    }

    /// Every plugin of the category, in the order added.
    pub fn plugins(&self) -> Vec<Arc<dyn Plugin>> {
        self.entries.iter().map(|e| Arc::clone(&e.plugin)).collect()
    }
}

/// Orders plugins so each comes after the plugins of the categories it depends on; plugins of
/// independent categories keep the order they were added in.
fn configure_order(entries: &[PluginEntry]) -> Result<Vec<PluginEntry>, CoreError> {
    let present: BTreeSet<Category> = entries.iter().map(|e| e.plugin.category()).collect();
    let mut done: BTreeSet<Category> = BTreeSet::new();
    let mut order = Vec::with_capacity(entries.len());
    while done.len() < present.len() {
        let ready: Vec<Category> = present
            .iter()
            .copied()
            .filter(|c| !done.contains(c))
            .filter(|c| {
                entries
                    .iter()
                    .filter(|e| e.plugin.category() == *c)
                    .flat_map(|e| e.plugin.dependencies().iter())
                    .all(|dep| *dep == *c || done.contains(dep) || !present.contains(dep))
            })
            .collect();
        if ready.is_empty() {
            let stuck: Vec<String> = present.difference(&done).map(ToString::to_string).collect();
            return Err(CoreError::DependencyCycle(stuck.join(" <-> ")));
        }
        for category in &ready {
            order.extend(
                entries
                    .iter()
                    .filter(|e| e.plugin.category() == *category)
                    .cloned(),
            );
        }
        done.extend(ready);
    }
    Ok(order)
}
