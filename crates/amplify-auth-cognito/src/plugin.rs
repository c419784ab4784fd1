//! The Cognito auth plugin: configuration and the state it keeps.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use amplify_core::{
    AmplifyError, AuthorizationType, BoxFuture, Category, Plugin, PluginContext,
    SharedCredentialsProvider, SharedTokenProvider,
};
use amplify_secure_storage::{SecureStorageFactory, SecureStorageOptions, StorageScope};

use crate::AuthError;
use crate::clock::SkewCorrectedClock;
use crate::sdk::Clients;
use crate::session::{IdentityPoolCredentialsProvider, SessionManager, UserPoolTokenProvider};
use crate::sign_in::PendingSignIn;
use crate::srp::EphemeralKey;
use crate::store::CredentialStore;

/// The key this plugin is registered under.
pub const PLUGIN_KEY: &str = "awsCognitoAuthPlugin";

/// Tokens are refreshed this long before they expire (skew-corrected).
pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);

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
    refresh_buffer: Duration,
    configured: RwLock<Option<Arc<Configured>>>,
}

/// What `configure` builds.
pub(crate) struct Configured {
    pub(crate) manager: Arc<SessionManager>,
    pub(crate) pending: Mutex<Option<PendingSignIn>>,
    pub(crate) prepared_key: Mutex<Option<EphemeralKey>>,
}

impl std::fmt::Debug for CognitoAuthPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoAuthPlugin")
            .field("configured", &self.configured().is_ok())
            .field("refresh_buffer", &self.shared.refresh_buffer)
            .finish_non_exhaustive()
    }
}

impl Default for CognitoAuthPlugin {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds a [`CognitoAuthPlugin`] with custom storage, SDK settings or refresh buffer.
///
/// ```
/// use amplify_auth_cognito::CognitoAuthPlugin;
/// use amplify_secure_storage::SecureStorageFactory;
///
/// // The seed's `secureStorageFactory`: keep credentials in memory only.
/// let auth = CognitoAuthPlugin::builder()
///     .secure_storage_factory(SecureStorageFactory::in_memory())
///     .build();
/// ```
#[derive(Debug, Default)]
pub struct CognitoAuthPluginBuilder {
    storage: Option<SecureStorageFactory>,
    sdk_config: Option<aws_types::SdkConfig>,
    refresh_buffer: Option<Duration>,
}

impl CognitoAuthPluginBuilder {
    /// Where tokens and credentials are kept (default: the OS keychain, else an encrypted file).
    #[must_use]
    pub fn secure_storage_factory(mut self, factory: SecureStorageFactory) -> Self {
        self.storage = Some(factory);
        self
    }

    /// AWS SDK settings to start from: HTTP client, retries, timeouts (for example from
    /// `aws_config::load_defaults`). Region and endpoints always come from the Amplify
    /// configuration.
    #[must_use]
    pub fn sdk_config(mut self, config: aws_types::SdkConfig) -> Self {
        self.sdk_config = Some(config);
        self
    }

    /// How long before expiry tokens and credentials are refreshed (default 5 minutes).
    #[must_use]
    pub fn refresh_buffer(mut self, buffer: Duration) -> Self {
        self.refresh_buffer = Some(buffer);
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
                refresh_buffer: self.refresh_buffer.unwrap_or(DEFAULT_REFRESH_BUFFER),
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

    pub(crate) fn configured(&self) -> Result<Arc<Configured>, AuthError> {
        self.shared
            .configured
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                AuthError::Configuration(
                    "the auth plugin has not been configured; call Amplify::configure".into(),
                )
            })
    }

    fn configure_now(&self, ctx: &PluginContext<'_>) -> Result<(), AuthError> {
        let config = ctx.config.auth.clone().ok_or_else(|| {
            AuthError::Configuration("the configuration has no auth section".into())
        })?;
        if config.user_pool.is_none() && config.identity_pool.is_none() {
            return Err(AuthError::Configuration(
                "auth has neither a user pool nor an identity pool".into(),
            ));
        }
        let clock = SkewCorrectedClock::new(ctx.time.clone());
        let clients = Clients::build(&config, self.shared.sdk_config.as_ref(), &clock);
        let storage = self
            .shared
            .storage
            .create(&StorageScope::AWS_COGNITO_AUTH_PLUGIN)?;
        let store = CredentialStore::new(storage, &config);
        let manager = Arc::new(SessionManager::new(
            Arc::new(config),
            clients,
            clock,
            ctx.hub.clone(),
            store,
            self.shared.refresh_buffer,
        ));
        if manager.config.user_pool.is_some() {
            ctx.auth_providers.register(
                AuthorizationType::AmazonCognitoUserPools,
                SharedTokenProvider::new(UserPoolTokenProvider(Arc::clone(&manager))),
            );
        }
        if manager.config.identity_pool.is_some() {
            ctx.auth_providers.register(
                AuthorizationType::AwsIam,
                SharedCredentialsProvider::new(IdentityPoolCredentialsProvider(Arc::clone(
                    &manager,
                ))),
            );
        }
        let configured = Arc::new(Configured {
            manager,
            pending: Mutex::new(None),
            prepared_key: Mutex::new(None),
        });
        *self
            .shared
            .configured
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&configured));
        prepare_key_in_background(&configured);
        tracing::debug!("cognito auth plugin configured");
        Ok(())
    }
}

/// Builds the SRP table and a fresh `(a, A)` off the caller's path, so the next sign-in starts
/// with them ready.
pub(crate) fn prepare_key_in_background(configured: &Arc<Configured>) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let configured = Arc::clone(configured);
    drop(handle.spawn_blocking(move || {
        if let Ok(key) = EphemeralKey::generate() {
            *configured
                .prepared_key
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(key);
        }
    }));
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
