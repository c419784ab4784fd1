//! The Cognito auth plugin: configuration and the state it keeps.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use amplify_core::hub::Hub;
use amplify_core::time::{SharedTimeSource, SkewCorrectedClock};
use amplify_core::{
    AmplifyConfig, AmplifyError, AuthProviderRegistry, AuthorizationType, BoxFuture, Category,
    Plugin, PluginContext, SharedCredentialsProvider, SharedTokenProvider,
};
use amplify_secure_storage::{SecureStorageFactory, SecureStorageOptions, StorageScope};

use crate::AuthError;
use crate::device::DeviceStore;
use crate::error::{ConfigurationReason, InvalidStateReason};
use crate::providers::{IdentityPoolCredentialsProvider, UserPoolTokenProvider};
use crate::refresh::RefreshOperation;
use crate::refresh::{
    DEFAULT_MIN_REFRESH_INTERVAL, DEFAULT_REFRESH_BUFFER, DEFAULT_REFRESH_JITTER, RefreshPolicy,
};
use crate::sdk::Clients;
use crate::session::{ManagerParts, SessionManager};
use crate::sign_in_state::SignInState;
use crate::store::CredentialStore;

/// The key this plugin is registered under.
pub const PLUGIN_KEY: &str = "awsCognitoAuthPlugin";

/// Amplify's Auth category for Amazon Cognito.
///
/// Cheap to clone; clones share everything. Add it to [`amplify_core::Amplify`], configure, then
/// call the operations on it (or reach it later with `amplify.auth().plugin::<CognitoAuthPlugin>()`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use amplify_auth_cognito::{CognitoAuthPlugin, SignInStep};
/// use amplify_core::Amplify;
///
/// let auth = CognitoAuthPlugin::new();
/// let amplify = Amplify::new();
/// amplify.add_plugin(auth.clone())?;
/// amplify.configure(&std::fs::read_to_string("amplify_outputs.json")?).await?;
///
/// let result = auth.sign_in().username("alice").password("correct horse").send().await?;
/// assert_eq!(result.next_step, SignInStep::Done);
/// let session = auth.fetch_auth_session().send().await;
/// println!("signed in: {}", session.is_signed_in);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CognitoAuthPlugin {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    storage: SecureStorageFactory,
    sdk_config: Option<aws_types::SdkConfig>,
    refresh: RefreshSettings,
    clock: Option<SkewCorrectedClock>,
    hub: Hub,
    device_name: String,
    configured: RwLock<Option<Arc<Configured>>>,
}

#[derive(Debug, Clone, Copy)]
struct RefreshSettings {
    buffer: Duration,
    jitter: Duration,
    min_interval: Duration,
    operation: RefreshOperation,
}

/// What `configure` builds.
pub(crate) struct Configured {
    pub(crate) manager: Arc<SessionManager>,
    pub(crate) sign_in: SignInState,
}

impl std::fmt::Debug for CognitoAuthPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoAuthPlugin")
            .field("configured", &self.configured().is_ok())
            .field("refresh", &self.shared.refresh)
            .finish_non_exhaustive()
    }
}

impl Default for CognitoAuthPlugin {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds a [`CognitoAuthPlugin`] with custom storage, SDK settings or refresh policy.
///
/// ```
/// use amplify_auth_cognito::CognitoAuthPlugin;
/// use amplify_secure_storage::SecureStorageFactory;
/// use std::time::Duration;
///
/// // The seed's `secureStorageFactory`: keep credentials in memory only.
/// let auth = CognitoAuthPlugin::builder()
///     .secure_storage_factory(SecureStorageFactory::in_memory())
///     .refresh_buffer(Duration::from_secs(120))
///     .build();
/// ```
#[derive(Debug, Default)]
pub struct CognitoAuthPluginBuilder {
    storage: Option<SecureStorageFactory>,
    sdk_config: Option<aws_types::SdkConfig>,
    refresh_buffer: Option<Duration>,
    refresh_jitter: Option<Duration>,
    min_refresh_interval: Option<Duration>,
    refresh_operation: RefreshOperation,
    time: Option<SharedTimeSource>,
    clock: Option<SkewCorrectedClock>,
    hub: Option<Hub>,
    device_name: Option<String>,
}

impl CognitoAuthPluginBuilder {
    /// Where tokens and credentials are kept.
    ///
    /// The default is [`SecureStorageFactory::default_for_platform`]: with this crate's
    /// `keychain` feature, the OS keychain (Secret Service, macOS Keychain, Windows Credential
    /// Manager) when one answers, else an encrypted file; without the feature, the encrypted
    /// file store in the platform's data directory.
    #[must_use]
    pub fn secure_storage_factory(mut self, factory: SecureStorageFactory) -> Self {
        self.storage = Some(factory);
        self
    }

    /// AWS SDK settings to start from: HTTP client, retries, timeouts (for example from
    /// `aws_config::load_defaults`). Region and endpoints always come from the Amplify
    /// configuration. Its operation attempt timeout also bounds the hosted UI's token endpoint
    /// call (30 s without one).
    #[must_use]
    pub fn sdk_config(mut self, config: aws_types::SdkConfig) -> Self {
        self.sdk_config = Some(config);
        self
    }

    /// How long before expiry tokens and credentials are refreshed (default 5 minutes,
    /// [`DEFAULT_REFRESH_BUFFER`]).
    #[must_use]
    pub fn refresh_buffer(mut self, buffer: Duration) -> Self {
        self.refresh_buffer = Some(buffer);
        self
    }

    /// At most this much is added to the buffer, drawn at random once per plugin, so that many
    /// processes do not refresh in the same second (default 30 s, [`DEFAULT_REFRESH_JITTER`];
    /// zero turns it off).
    #[must_use]
    pub fn refresh_jitter(mut self, max: Duration) -> Self {
        self.refresh_jitter = Some(max);
        self
    }

    /// The least time between refresh attempts after a failed one (default 30 s,
    /// [`DEFAULT_MIN_REFRESH_INTERVAL`]). Meanwhile callers get the still-valid tokens, or the
    /// last error once they have expired, without calling Cognito.
    #[must_use]
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = Some(interval);
        self
    }

    /// How tokens are refreshed (default [`RefreshOperation::GetTokensFromRefreshToken`]).
    #[must_use]
    pub fn refresh_operation(mut self, operation: RefreshOperation) -> Self {
        self.refresh_operation = operation;
        self
    }

    /// The local clock for [`CognitoAuthPlugin::configure_with`] (with `Amplify`, Amplify's
    /// clock is used).
    #[must_use]
    pub fn time_source(mut self, time: SharedTimeSource) -> Self {
        self.time = Some(time);
        self
    }

    /// The skew-corrected clock for [`CognitoAuthPlugin::configure_with`]: pass the same one to
    /// the API plugin's builder so both categories share one offset, as they do under `Amplify`
    /// (which hands its own to every plugin). Overrides [`time_source`](Self::time_source).
    #[must_use]
    pub fn clock(mut self, clock: SkewCorrectedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The Hub that [`CognitoAuthPlugin::configure_with`] publishes to (with `Amplify`,
    /// Amplify's Hub is used; without either, the plugin's own, see [`CognitoAuthPlugin::hub`]).
    #[must_use]
    pub fn hub(mut self, hub: Hub) -> Self {
        self.hub = Some(hub);
        self
    }

    /// The name this device gets when the pool tracks devices (`ConfirmDevice`'s
    /// `DeviceName`; default `amplify-rs on <os>`).
    #[must_use]
    pub fn device_name(mut self, name: impl Into<String>) -> Self {
        self.device_name = Some(name.into());
        self
    }

    /// Builds the plugin.
    pub fn build(self) -> CognitoAuthPlugin {
        CognitoAuthPlugin {
            shared: Arc::new(Shared {
                storage: self.storage.unwrap_or_else(|| {
                    SecureStorageFactory::default_for_platform(SecureStorageOptions::default())
                }),
                sdk_config: self.sdk_config,
                refresh: RefreshSettings {
                    buffer: self.refresh_buffer.unwrap_or(DEFAULT_REFRESH_BUFFER),
                    jitter: self.refresh_jitter.unwrap_or(DEFAULT_REFRESH_JITTER),
                    min_interval: self
                        .min_refresh_interval
                        .unwrap_or(DEFAULT_MIN_REFRESH_INTERVAL),
                    operation: self.refresh_operation,
                },
                clock: self
                    .clock
                    .or_else(|| self.time.map(SkewCorrectedClock::new)),
                hub: self.hub.unwrap_or_default(),
                device_name: self
                    .device_name
                    .unwrap_or_else(|| format!("amplify-rs on {}", std::env::consts::OS)),
                configured: RwLock::new(None),
            }),
        }
    }
}

impl CognitoAuthPlugin {
    /// A plugin with the default storage and settings.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// A builder.
    pub fn builder() -> CognitoAuthPluginBuilder {
        CognitoAuthPluginBuilder::default()
    }

    /// How long one call to the hosted UI's token endpoint may take: the SDK settings'
    /// operation attempt timeout when [`sdk_config`](CognitoAuthPluginBuilder::sdk_config) set
    /// one (so that one setting bounds every call the plugin makes), else 30 s.
    pub(crate) fn token_endpoint_timeout(&self) -> std::time::Duration {
        self.shared
            .sdk_config
            .as_ref()
            .and_then(aws_types::SdkConfig::timeout_config)
            .and_then(|t| t.operation_attempt_timeout())
            .unwrap_or(crate::hosted_ui::DEFAULT_TOKEN_TIMEOUT)
    }

    pub(crate) fn configured(&self) -> Result<Arc<Configured>, AuthError> {
        self.shared
            .configured
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(AuthError::InvalidState(InvalidStateReason::NotConfigured))
    }

    /// Configures the plugin without an [`Amplify`](amplify_core::Amplify) value, for services
    /// and CLIs that want just Auth: reads the auth section of `config`, and registers the
    /// user-pool token provider and the identity-pool credentials provider in `registry` (pass
    /// the same registry to `ApiPlugin::configure_with` to authorize API calls). The clock and
    /// Hub are the builder's ([`CognitoAuthPluginBuilder::time_source`],
    /// [`CognitoAuthPluginBuilder::clock`], [`CognitoAuthPluginBuilder::hub`]), else the system
    /// clock and [`hub`](Self::hub).
    /// Configuring again replaces the earlier configuration (the stored session is kept).
    ///
    /// # Errors
    ///
    /// [`AuthError::Configuration`] when `config` has no usable auth section;
    /// [`AuthError::Storage`] when the secure storage cannot be opened.
    ///
    /// # Examples
    ///
    /// ```
    /// use amplify_auth_cognito::CognitoAuthPlugin;
    /// use amplify_core::{AmplifyConfig, AuthProviderRegistry, AuthorizationType};
    /// use amplify_secure_storage::SecureStorageFactory;
    ///
    /// let config = AmplifyConfig::from_json(r#"{"version": "1", "auth": {"aws_region": "us-east-1",
    ///     "user_pool_id": "us-east-1_Example", "user_pool_client_id": "exampleclient"}}"#)?;
    /// let registry = AuthProviderRegistry::default();
    /// let auth = CognitoAuthPlugin::builder()
    ///     .secure_storage_factory(SecureStorageFactory::in_memory())
    ///     .build();
    /// auth.configure_with(&config, &registry)?;
    /// assert!(registry.get(AuthorizationType::AmazonCognitoUserPools).is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn configure_with(
        &self,
        config: &AmplifyConfig,
        registry: &AuthProviderRegistry,
    ) -> Result<(), AuthError> {
        let clock = self.shared.clock.clone().unwrap_or_default();
        let hub = self.hub();
        self.configure_parts(config, registry, &hub, &clock)
    }

    /// The Hub this plugin publishes to when configured with
    /// [`configure_with`](Self::configure_with) and no Hub was given to the builder. With
    /// `Amplify`, events go to Amplify's Hub instead.
    pub fn hub(&self) -> Hub {
        self.shared.hub.clone()
    }

    fn configure_now(&self, ctx: &PluginContext<'_>) -> Result<(), AuthError> {
        self.configure_parts(ctx.config, ctx.auth_providers, ctx.hub, ctx.clock)
    }

    fn configure_parts(
        &self,
        config: &AmplifyConfig,
        registry: &AuthProviderRegistry,
        hub: &Hub,
        clock: &SkewCorrectedClock,
    ) -> Result<(), AuthError> {
        let config = config
            .auth
            .clone()
            .ok_or(AuthError::Configuration(ConfigurationReason::NoAuthSection))?;
        if config.user_pool.is_none() && config.identity_pool.is_none() {
            return Err(AuthError::Configuration(ConfigurationReason::NoPools));
        }
        let clock = clock.clone();
        let clients = Clients::build(&config, self.shared.sdk_config.as_ref(), &clock);
        let storage = self
            .shared
            .storage
            .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)?;
        let devices = config
            .user_pool
            .as_ref()
            .map(|pool| DeviceStore::new(storage.clone(), pool.app_client_id.clone()));
        let store = CredentialStore::new(storage, &config);
        let settings = self.shared.refresh;
        // No SRP key is computed here: the manager asks for one when it finds nobody signed in.
        let sign_in = SignInState::default();
        let manager = Arc::new(SessionManager::new(
            Arc::new(config),
            ManagerParts {
                srp_key: sign_in.key_slot(),
                clients,
                clock,
                hub: hub.clone(),
                store,
                devices,
                device_name: self.shared.device_name.clone(),
                policy: RefreshPolicy::new(settings.buffer, settings.jitter, settings.min_interval),
                refresh_operation: settings.operation,
            },
        ));
        if manager.config.user_pool.is_some() {
            registry.register(
                AuthorizationType::AmazonCognitoUserPools,
                SharedTokenProvider::new(UserPoolTokenProvider(Arc::clone(&manager))),
            );
        }
        if manager.config.identity_pool.is_some() {
            registry.register(
                AuthorizationType::AwsIam,
                SharedCredentialsProvider::new(IdentityPoolCredentialsProvider(Arc::clone(
                    &manager,
                ))),
            );
        }
        let configured = Arc::new(Configured { manager, sign_in });
        *self
            .shared
            .configured
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&configured));
        tracing::debug!("cognito auth plugin configured");
        Ok(())
    }
}

impl Plugin for CognitoAuthPlugin {
    fn category(&self) -> Category {
        Category::Auth
    }

    fn plugin_key(&self) -> &'static str {
        PLUGIN_KEY
    }

    fn configure<'a>(
        &'a self,
        ctx: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            self.configure_now(ctx)
                .map_err(|e| Box::new(e) as Box<dyn AmplifyError>)
        })
    }
}
