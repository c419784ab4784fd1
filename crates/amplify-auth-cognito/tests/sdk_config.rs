//! `CognitoAuthPluginBuilder::sdk_config` with an `SdkConfig` built by `aws-config`: its HTTP
//! client carries every Cognito call, its retry configuration retries a failing call, and its
//! timeout configuration bounds a slow one. Region and endpoints still come from the Amplify
//! configuration (the emulator's), not from the SDK config.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use amplify_auth_cognito::{AuthError, CognitoAuthPlugin, NetworkPhase, SignInStep};
use amplify_core::{AmplifyConfig, AuthProviderRegistry};
use amplify_emulator::{Emulator, EmulatorHandle, Fault, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::{Builder, tls};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

const PASSWORD: &str = "Sdk-Config-Passw0rd!";

/// The rustls/ring HTTPS client, counting the requests it carries.
#[derive(Debug, Clone)]
struct Counting {
    inner: SharedHttpClient,
    calls: Arc<AtomicUsize>,
}

#[derive(Debug)]
struct CountingConnector {
    inner: SharedHttpConnector,
    calls: Arc<AtomicUsize>,
}

impl HttpClient for Counting {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(CountingConnector {
            inner: self.inner.http_connector(settings, components),
            calls: Arc::clone(&self.calls),
        })
    }
}

impl HttpConnector for CountingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.call(request)
    }
}

fn counting() -> (Counting, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let inner = Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    (
        Counting {
            inner,
            calls: Arc::clone(&calls),
        },
        calls,
    )
}

async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .start()
        .await
        .unwrap()
}

/// An `SdkConfig` from `aws-config`'s loader: no credentials (Cognito's user calls are
/// unsigned), a region that is not the pool's (the Amplify configuration's wins), and the given
/// HTTP client, retries and timeouts.
async fn sdk_config(http: Counting, retry: RetryConfig, timeout: TimeoutConfig) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .no_credentials()
        .region(Region::new("eu-west-1"))
        .http_client(http)
        .retry_config(retry)
        .timeout_config(timeout)
        .load()
        .await
}

fn plugin(emu: &EmulatorHandle, sdk: SdkConfig) -> CognitoAuthPlugin {
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .sdk_config(sdk)
        .build();
    let config = AmplifyConfig::from_json(&emu.amplify_outputs_json()).unwrap();
    auth.configure_with(&config, &AuthProviderRegistry::default())
        .unwrap();
    auth
}

async fn sign_in(auth: &CognitoAuthPlugin) -> Result<SignInStep, AuthError> {
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .map(|r| r.next_step)
}

#[tokio::test]
async fn the_sdk_configs_http_client_carries_every_call() {
    let emu = emulator().await;
    let (http, calls) = counting();
    let sdk = sdk_config(http, RetryConfig::disabled(), TimeoutConfig::disabled()).await;
    let auth = plugin(&emu, sdk);
    assert_eq!(sign_in(&auth).await.unwrap(), SignInStep::Done);
    let sent = calls.load(Ordering::SeqCst);
    assert!(sent >= 2, "SRP sign-in is at least two calls, saw {sent}");
    assert_eq!(u64::try_from(sent).unwrap(), emu.counters().total());
}

#[tokio::test]
async fn the_sdk_configs_retries_retry_a_failing_call() {
    let emu = emulator().await;
    emu.faults().inject("InitiateAuth", Fault::InternalError);
    let (http, _) = counting();
    let sdk = sdk_config(
        http,
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1)),
        TimeoutConfig::disabled(),
    )
    .await;
    let auth = plugin(&emu, sdk);
    assert_eq!(sign_in(&auth).await.unwrap(), SignInStep::Done);
    assert_eq!(emu.request_count("InitiateAuth"), 2);

    // The same fault without retries is the caller's error.
    let emu = emulator().await;
    emu.faults().inject("InitiateAuth", Fault::InternalError);
    let (http, _) = counting();
    let sdk = sdk_config(http, RetryConfig::disabled(), TimeoutConfig::disabled()).await;
    let auth = plugin(&emu, sdk);
    assert!(sign_in(&auth).await.is_err());
    assert_eq!(emu.request_count("InitiateAuth"), 1);
}

#[tokio::test]
async fn the_sdk_configs_timeouts_bound_a_slow_call() {
    let emu = emulator().await;
    emu.faults()
        .inject("InitiateAuth", Fault::Delay(Duration::from_secs(5)));
    let (http, _) = counting();
    let sdk = sdk_config(
        http,
        RetryConfig::disabled(),
        TimeoutConfig::builder()
            .operation_attempt_timeout(Duration::from_millis(300))
            .build(),
    )
    .await;
    let auth = plugin(&emu, sdk);
    let started = tokio::time::Instant::now();
    let err = sign_in(&auth).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(4), "not bounded");
    let AuthError::Network(network) = &err else {
        panic!("expected a network timeout, got {err:?}");
    };
    assert_eq!(network.phase(), NetworkPhase::Timeout);
    assert!(network.may_have_been_sent());
}
