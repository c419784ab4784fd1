//! Configure once, dependency order, retry after failure, typed plugin access, and providers
//! flowing from one plugin to another through the registry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use amplify_core::hub::AuthHubEvent;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_core::*;

const GEN2: &str = r#"{"version": "1", "auth": {"aws_region": "us-east-1",
    "user_pool_id": "us-east-1_Abc", "user_pool_client_id": "client"}}"#;

#[derive(Debug, thiserror::Error)]
#[error("refused on purpose")]
struct Refused;

impl AmplifyError for Refused {
    fn recovery_suggestion(&self) -> Option<String> {
        Some("stop refusing".into())
    }
}

/// A plugin that records the order it was configured in and can be told to fail.
#[derive(Debug)]
struct Recorder {
    category: Category,
    key: &'static str,
    log: Arc<Mutex<Vec<&'static str>>>,
    failures_left: AtomicUsize,
    configured: AtomicUsize,
}

impl Recorder {
    fn new(category: Category, key: &'static str, log: &Arc<Mutex<Vec<&'static str>>>) -> Self {
        Self {
            category,
            key,
            log: Arc::clone(log),
            failures_left: AtomicUsize::new(0),
            configured: AtomicUsize::new(0),
        }
    }

    fn failing(self, times: usize) -> Self {
        self.failures_left.store(times, Ordering::SeqCst);
        self
    }
}

impl Plugin for Recorder {
    fn category(&self) -> Category {
        self.category
    }
    fn plugin_key(&self) -> &'static str {
        self.key
    }
    fn configure<'a>(
        &'a self,
        ctx: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            self.log.lock().unwrap().push(self.key);
            assert!(ctx.config.auth.is_some());
            if self
                .failures_left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return Err(Box::new(Refused) as Box<dyn AmplifyError>);
            }
            self.configured.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

#[tokio::test]
async fn configure_once_then_already_configured() {
    let amplify = Amplify::new();
    assert!(!amplify.is_configured());
    assert!(amplify.config().is_none());
    amplify.configure(GEN2).await.unwrap();
    assert!(amplify.is_configured());
    assert_eq!(
        amplify.config().unwrap().auth.as_ref().unwrap().region,
        "us-east-1"
    );
    let again = amplify.configure(GEN2).await.unwrap_err();
    assert!(matches!(again, CoreError::AlreadyConfigured), "{again:?}");
    assert!(again.recovery_suggestion().unwrap().contains("once"));
    // Clones share the state.
    assert!(matches!(
        amplify.clone().configure(GEN2).await,
        Err(CoreError::AlreadyConfigured)
    ));
}

#[tokio::test]
async fn invalid_configuration_can_be_retried() {
    let amplify = Amplify::new();
    let err = amplify
        .configure(r#"{"version": "1", "auth": {}}"#)
        .await
        .unwrap_err();
    let CoreError::InvalidConfiguration(config_err) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(config_err.path(), Some("auth.aws_region"));
    assert!(err.recovery_suggestion().unwrap().contains("aws_region"));
    assert!(!amplify.is_configured());
    amplify.configure(GEN2).await.unwrap();
}

#[tokio::test]
async fn api_is_configured_after_auth_whatever_the_order_added() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let amplify = Amplify::new();
    amplify
        .add_plugin(Recorder::new(Category::Api, "api", &log))
        .unwrap();
    amplify
        .add_plugin(Recorder::new(Category::Storage, "storage", &log))
        .unwrap();
    amplify
        .add_plugin(Recorder::new(Category::Auth, "auth", &log))
        .unwrap();
    amplify.configure(GEN2).await.unwrap();
    let order = log.lock().unwrap().clone();
    assert_eq!(order.first(), Some(&"auth"));
    assert_eq!(order.len(), 3);
}

#[tokio::test]
async fn a_failing_plugin_fails_configure_and_configure_can_be_retried() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let amplify = Amplify::new();
    let auth = Arc::new(Recorder::new(Category::Auth, "auth", &log));
    let api = Arc::new(Recorder::new(Category::Api, "api", &log).failing(1));
    amplify.add_shared_plugin(Arc::clone(&auth)).unwrap();
    amplify.add_shared_plugin(Arc::clone(&api)).unwrap();

    let err = amplify.configure(GEN2).await.unwrap_err();
    match &err {
        CoreError::PluginConfiguration {
            category,
            plugin,
            source,
        } => {
            assert_eq!((*category, *plugin), (Category::Api, "api"));
            assert_eq!(source.to_string(), "refused on purpose");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.recovery_suggestion().as_deref(), Some("stop refusing"));
    let chain = DisplayErrorContext(&err).to_string();
    assert!(
        chain.contains("could not be configured: refused on purpose"),
        "{chain}"
    );
    assert!(!amplify.is_configured());

    amplify.configure(GEN2).await.unwrap();
    assert!(amplify.is_configured());
    assert_eq!(api.configured.load(Ordering::SeqCst), 1);
    assert_eq!(*log.lock().unwrap(), ["auth", "api", "auth", "api"]);
}

#[tokio::test]
async fn plugins_cannot_be_added_twice_or_after_configure() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let amplify = Amplify::new();
    amplify
        .add_plugin(Recorder::new(Category::Auth, "auth", &log))
        .unwrap();
    let dup = amplify
        .add_plugin(Recorder::new(Category::Auth, "auth", &log))
        .unwrap_err();
    assert!(matches!(dup, CoreError::DuplicatePlugin("auth")));
    amplify.configure(GEN2).await.unwrap();
    let late = amplify
        .add_plugin(Recorder::new(Category::Api, "api", &log))
        .unwrap_err();
    assert!(matches!(late, CoreError::PluginAddedAfterConfigure));
}

#[tokio::test]
async fn typed_plugin_access_for_escape_hatches() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let amplify = Amplify::new();
    assert!(matches!(
        amplify.auth().default_plugin(),
        Err(CoreError::PluginNotFound {
            category: Category::Auth,
            wanted: None
        })
    ));
    amplify
        .add_plugin(Recorder::new(Category::Auth, "auth", &log))
        .unwrap();
    let plugin: Arc<Recorder> = amplify.auth().plugin::<Recorder>().unwrap();
    assert_eq!(plugin.key, "auth");
    assert_eq!(
        amplify.auth().default_plugin().unwrap().plugin_key(),
        "auth"
    );
    // Wrong category: the plugin is Auth, not API.
    let missing = amplify.api().plugin::<Recorder>().unwrap_err();
    assert!(missing.to_string().contains("Recorder"), "{missing}");
    amplify
        .add_plugin(Recorder::new(Category::Auth, "auth2", &log))
        .unwrap();
    assert!(matches!(
        amplify.auth().default_plugin(),
        Err(CoreError::AmbiguousPlugin { count: 2, .. })
    ));
    assert_eq!(amplify.auth().plugins().len(), 2);
}

/// A plugin whose categories depend on each other in a cycle is refused.
#[derive(Debug)]
struct Cyclic(Category, &'static [Category], &'static str);

impl Plugin for Cyclic {
    fn category(&self) -> Category {
        self.0
    }
    fn plugin_key(&self) -> &'static str {
        self.2
    }
    fn dependencies(&self) -> &'static [Category] {
        self.1
    }
    fn configure<'a>(
        &'a self,
        _: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn dependency_cycles_are_reported_and_retry_stays_possible() {
    let amplify = Amplify::new();
    amplify
        .add_plugin(Cyclic(Category::Auth, &[Category::Api], "a"))
        .unwrap();
    amplify
        .add_plugin(Cyclic(Category::Api, &[Category::Auth], "b"))
        .unwrap();
    let err = amplify.configure(GEN2).await.unwrap_err();
    assert!(matches!(err, CoreError::DependencyCycle(_)), "{err:?}");
    assert!(!amplify.is_configured());
}

/// An auth plugin that registers a token provider and publishes Hub events; an API plugin that
/// finds the provider through the registry only.
#[derive(Debug)]
struct FakeAuth;

impl Plugin for FakeAuth {
    fn category(&self) -> Category {
        Category::Auth
    }
    fn plugin_key(&self) -> &'static str {
        "fakeAuth"
    }
    fn configure<'a>(
        &'a self,
        ctx: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            let time = ctx.time.clone();
            ctx.auth_providers.register(
                AuthorizationType::AmazonCognitoUserPools,
                SharedTokenProvider::from_fn(move || {
                    let secs = time.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
                    async move { Ok(AuthToken::new(format!("token-at-{secs}"))) }
                }),
            );
            ctx.hub.auth().publish(AuthHubEvent::SignedOut);
            Ok(())
        })
    }
}

#[derive(Debug, Default)]
struct FakeApi {
    seen: Mutex<Option<String>>,
}

impl Plugin for FakeApi {
    fn category(&self) -> Category {
        Category::Api
    }
    fn plugin_key(&self) -> &'static str {
        "fakeApi"
    }
    fn configure<'a>(
        &'a self,
        ctx: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            let provider = ctx
                .auth_providers
                .token_provider(AuthorizationType::AmazonCognitoUserPools)
                .map_err(|e| Box::new(e) as Box<dyn AmplifyError>)?;
            let token = provider
                .latest_token()
                .await
                .map_err(|e| Box::new(e) as Box<dyn AmplifyError>)?;
            *self.seen.lock().unwrap() = Some(token.expose_secret().to_owned());
            Ok(())
        })
    }
}

#[tokio::test]
async fn providers_flow_from_auth_to_api_through_the_registry_with_the_injected_clock() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_000));
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let mut events = amplify.hub().auth().subscribe();
    let api = Arc::new(FakeApi::default());
    amplify.add_shared_plugin(Arc::clone(&api)).unwrap();
    amplify.add_plugin(FakeAuth).unwrap();
    amplify.configure(GEN2).await.unwrap();
    assert_eq!(api.seen.lock().unwrap().as_deref(), Some("token-at-1000"));
    assert_eq!(events.recv().await, Some(AuthHubEvent::SignedOut));

    clock.advance(Duration::from_secs(5));
    let provider = amplify
        .auth_providers()
        .token_provider(AuthorizationType::AmazonCognitoUserPools)
        .unwrap();
    assert_eq!(
        provider.latest_token().await.unwrap().expose_secret(),
        "token-at-1005"
    );
}

#[tokio::test]
async fn an_api_plugin_without_auth_gets_a_typed_not_registered_error() {
    let amplify = Amplify::new();
    amplify.add_plugin(FakeApi::default()).unwrap();
    let err = amplify.configure(GEN2).await.unwrap_err();
    let CoreError::PluginConfiguration { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        source.to_string().contains("AMAZON_COGNITO_USER_POOLS"),
        "{source}"
    );
    assert!(
        source
            .recovery_suggestion()
            .unwrap()
            .contains("auth plugin")
    );
}

/// An Auth plugin whose configure waits until the test releases it, and says when it started.
#[derive(Debug, Default)]
struct Gated {
    entered: tokio::sync::Notify,
    release: tokio::sync::Notify,
    configured: AtomicUsize,
}

impl Plugin for Gated {
    fn category(&self) -> Category {
        Category::Auth
    }
    fn plugin_key(&self) -> &'static str {
        "gated"
    }
    fn configure<'a>(
        &'a self,
        _: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            // `notify_one` keeps a permit, so the test sees it even if it starts waiting later.
            self.entered.notify_one();
            self.release.notified().await;
            self.configured.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_configure_calls_configure_exactly_once() {
    let amplify = Amplify::new();
    let gated = Arc::new(Gated::default());
    amplify.add_shared_plugin(Arc::clone(&gated)).unwrap();

    let first = {
        let amplify = amplify.clone();
        tokio::spawn(async move { amplify.configure(GEN2).await })
    };
    // The first call is inside the plugin's configure and stays there until released.
    gated.entered.notified().await;
    let others: Vec<_> = (0..15)
        .map(|_| {
            let amplify = amplify.clone();
            tokio::spawn(async move { amplify.configure(GEN2).await })
        })
        .collect();
    for task in others {
        let err = task.await.unwrap().unwrap_err();
        assert!(matches!(err, CoreError::ConfigureInProgress), "{err:?}");
    }
    assert!(!amplify.is_configured());
    assert_eq!(gated.configured.load(Ordering::SeqCst), 0);

    gated.release.notify_one();
    first.await.unwrap().unwrap();
    assert!(amplify.is_configured());
    assert!(matches!(
        amplify.configure(GEN2).await,
        Err(CoreError::AlreadyConfigured)
    ));
    assert_eq!(gated.configured.load(Ordering::SeqCst), 1);
}

/// Learns a two-hour skew from a `Date` header through the context's clock.
#[derive(Debug)]
struct DateReader;

impl Plugin for DateReader {
    fn category(&self) -> Category {
        Category::Auth
    }
    fn plugin_key(&self) -> &'static str {
        "dateReader"
    }
    fn configure<'a>(
        &'a self,
        ctx: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            assert_eq!(ctx.clock.local().now(), ctx.time.now());
            assert!(ctx.clock.observe_http_date("Wed, 15 Nov 2023 00:13:20 GMT"));
            Ok(())
        })
    }
}

/// Sees the offset another plugin taught the shared clock.
#[derive(Debug, Default)]
struct ClockUser(Mutex<Option<i64>>);

impl Plugin for ClockUser {
    fn category(&self) -> Category {
        Category::Api
    }
    fn plugin_key(&self) -> &'static str {
        "clockUser"
    }
    fn configure<'a>(
        &'a self,
        ctx: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            *self.0.lock().unwrap() = Some(ctx.clock.offset_ms());
            Ok(())
        })
    }
}

#[tokio::test]
async fn plugins_share_one_skew_corrected_clock() {
    let local = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(local))
        .build();
    let user = Arc::new(ClockUser::default());
    amplify.add_shared_plugin(Arc::clone(&user)).unwrap();
    amplify.add_plugin(DateReader).unwrap();
    assert_eq!(amplify.clock().offset_ms(), 0);
    amplify.configure(GEN2).await.unwrap();
    assert_eq!(*user.0.lock().unwrap(), Some(7_200_000));
    assert_eq!(amplify.clock().offset_ms(), 7_200_000);
    assert_eq!(
        amplify.clock().now(),
        UNIX_EPOCH + Duration::from_secs(1_700_007_200)
    );
    assert_eq!(
        amplify.time_source().now(),
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    );
}

/// A service error with a code and a request id, like an `AuthError` from Cognito.
#[derive(Debug, thiserror::Error)]
#[error("the refresh token was revoked")]
struct FakeServiceError;

impl AmplifyError for FakeServiceError {
    fn recovery_suggestion(&self) -> Option<String> {
        Some("sign in again (fake)".into())
    }
    fn code(&self) -> Option<&str> {
        Some("NotAuthorizedException")
    }
    fn request_id(&self) -> Option<&str> {
        Some("req-1234")
    }
    fn is_retryable(&self) -> bool {
        true
    }
}

#[test]
fn provider_errors_keep_an_amplify_error_as_their_source() {
    let shared = Arc::new(FakeServiceError);
    let err =
        ProviderError::from_amplify_error(ProviderErrorKind::SessionExpired, Arc::clone(&shared));
    assert_eq!(err.kind(), ProviderErrorKind::SessionExpired);
    assert_eq!(err.code(), Some("NotAuthorizedException"));
    assert_eq!(err.request_id(), Some("req-1234"));
    assert_eq!(
        err.recovery_suggestion().as_deref(),
        Some("sign in again (fake)")
    );
    // The kind decides: a session-expired failure is not retried even if the cause says so.
    assert!(!err.is_retryable());
    let source = std::error::Error::source(&err).unwrap();
    assert_eq!(source.to_string(), "the refresh token was revoked");
    assert_eq!(
        DisplayErrorContext(&err).to_string(),
        "the session has expired: the refresh token was revoked"
    );
    assert_eq!(Arc::strong_count(&shared), 2);

    let transient =
        ProviderError::from_amplify_error(ProviderErrorKind::Transient, FakeServiceError);
    assert!(transient.is_retryable());

    // A plain source keeps the chain but has no service metadata.
    let plain =
        ProviderError::new(ProviderErrorKind::Other, "no").with_source(std::io::Error::other("io"));
    assert_eq!(plain.code(), None);
    assert_eq!(plain.request_id(), None);
    assert_eq!(std::error::Error::source(&plain).unwrap().to_string(), "io");
    assert!(plain.recovery_suggestion().unwrap().contains("underlying"));
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Amplify>();
    assert_send_sync::<AuthProviderRegistry>();
    assert_send_sync::<CoreError>();
    assert_send_sync::<ProviderError>();
    assert_send_sync::<hub::Hub>();
    fn assert_send<T: Send>(_: &T) {}
    let amplify = Amplify::new();
    assert_send(&amplify.configure(GEN2));
}

/// Never finishes its first configure; finishes the second.
#[derive(Debug, Default)]
struct HangsOnce(std::sync::atomic::AtomicBool);

impl Plugin for HangsOnce {
    fn category(&self) -> Category {
        Category::Auth
    }
    fn plugin_key(&self) -> &'static str {
        "hangsOnce"
    }
    fn configure<'a>(
        &'a self,
        _: &'a PluginContext<'a>,
    ) -> BoxFuture<'a, Result<(), Box<dyn AmplifyError>>> {
        Box::pin(async move {
            if !self.0.swap(true, Ordering::SeqCst) {
                std::future::pending::<()>().await;
            }
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_cancelled_configure_can_be_retried() {
    let amplify = Amplify::new();
    amplify.add_plugin(HangsOnce::default()).unwrap();
    {
        let mut first = std::pin::pin!(amplify.configure(GEN2));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(first.as_mut().poll(&mut cx).is_pending());
        assert!(matches!(
            amplify.configure(GEN2).await,
            Err(CoreError::ConfigureInProgress)
        ));
    } // `first` is dropped here: the caller gave up.
    assert!(!amplify.is_configured());
    amplify.configure(GEN2).await.unwrap();
    assert!(amplify.is_configured());
}

#[test]
fn secrets_stay_out_of_debug_and_logs() {
    let token = AuthToken::new("SECRET-TOKEN-VALUE");
    let creds = AwsCredentials::new(
        "AKIDVISIBLE",
        "SECRET-ACCESS-KEY",
        Some("SECRET-SESSION".into()),
        None,
    );
    let ((), logs) = amplify_core::test_util::capture_logs(|| {
        let registry = AuthProviderRegistry::default();
        registry.register(
            AuthorizationType::OpenIdConnect,
            SharedTokenProvider::new(token.clone()),
        );
        registry.register(
            AuthorizationType::AwsIam,
            SharedCredentialsProvider::new(creds.clone()),
        );
        tracing::trace!(?token, ?creds, ?registry, "values");
        registry.register(
            AuthorizationType::AwsLambda,
            SharedTokenProvider::new(token.clone()),
        );
        assert!(registry.unregister(AuthorizationType::AwsLambda).is_some());
        assert!(registry.get(AuthorizationType::AwsLambda).is_none());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let got = rt
            .block_on(
                registry
                    .token_provider(AuthorizationType::OpenIdConnect)
                    .unwrap()
                    .latest_token(),
            )
            .unwrap();
        assert_eq!(got.expose_secret(), "SECRET-TOKEN-VALUE");
        let got = rt
            .block_on(
                registry
                    .credentials_provider(AuthorizationType::AwsIam)
                    .unwrap()
                    .credentials(),
            )
            .unwrap();
        assert_eq!(got.secret_access_key(), "SECRET-ACCESS-KEY");
        assert_eq!(got.session_token(), Some("SECRET-SESSION"));
    });
    assert!(logs.contains("AKIDVISIBLE"), "the log was captured: {logs}");
    for shown in [logs, format!("{token:?}"), format!("{creds:?}")] {
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
