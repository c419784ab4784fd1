//! Server-side IAM (feature `aws-config`): credentials from `aws-config`'s providers (the
//! environment and a profile file, injected with aws-config's `Env`/`Fs` test hooks rather than
//! the process environment), cached and refreshed by `SdkCredentialsProvider`, sign GraphQL and
//! REST requests that the emulator verifies for real against principals it was told about.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_api::aws_config::{self, SdkConfig};
use amplify_api::{ApiError, ApiPlugin, SdkCredentialsProvider};
use amplify_core::time::{ManualTimeSource, SharedTimeSource, TimeSource};
use amplify_core::{
    AmplifyConfig, AuthProviderRegistry, AuthorizationType, CredentialsProvider, ProviderErrorKind,
    SharedCredentialsProvider,
};
use amplify_emulator::{
    AuthMode, Emulator, EmulatorHandle, GraphQlApiSpec, IamPrincipalSpec, RestApiSpec,
};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_types::os_shim_internal::{Env, Fs};
use serde_json::Value;

const AKID: &str = "ASIASERVERIAM0000001";
const SECRET: &str = "server-iam-secret";
const TOKEN: &str = "server-iam-session";
const LIST: &str = "query { listTodos { items { id name } } }";
const START: u64 = 1_800_000_000;

fn principal() -> IamPrincipalSpec {
    IamPrincipalSpec::new(AKID, SECRET)
        .session_token(TOKEN)
        .arn("arn:aws:iam::000000000000:role/server")
}

async fn emulator(
    principals: Vec<IamPrincipalSpec>,
    clock: Option<&ManualTimeSource>,
) -> EmulatorHandle {
    let mut builder = Emulator::builder()
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AwsIam),
        )
        .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam));
    if let Some(clock) = clock {
        builder = builder.time_source(clock.clone());
    }
    for p in principals {
        builder = builder.iam_principal(p);
    }
    builder.start().await.unwrap()
}

fn outputs(emu: &EmulatorHandle) -> AmplifyConfig {
    AmplifyConfig::from_json(&emu.amplify_outputs_json()).unwrap()
}

/// Lists todos with IAM and creates one over REST; both must be accepted.
async fn call_both(api: &ApiPlugin) {
    let todos = api
        .query(LIST)
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await
        .unwrap();
    assert!(todos.errors.is_empty(), "{:?}", todos.errors);
    let rest = api.get("/items").send().await.unwrap();
    assert_eq!(rest.status(), 200);
}

#[tokio::test]
async fn credentials_from_the_environment() {
    let emu = emulator(vec![principal()], None).await;
    let sdk = amplify_api::sdk_config::loader()
        .env(Env::from_slice(&[
            ("AWS_ACCESS_KEY_ID", AKID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
            ("AWS_REGION", "us-east-1"),
        ]))
        .fs(Fs::from_slice(&[]))
        .load()
        .await;
    assert_eq!(sdk.region().map(|r| r.as_ref()), Some("us-east-1"));
    let api = ApiPlugin::new();
    api.configure_with_sdk_config(&outputs(&emu), &sdk).unwrap();
    call_both(&api).await;
}

#[tokio::test]
async fn credentials_from_a_profile_file() {
    let emu = emulator(vec![principal()], None).await;
    let dir = std::env::temp_dir().join(format!(
        "amplify-api-server-iam-{}-{}",
        std::process::id(),
        emu.local_addr().port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config, "[profile server]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        &credentials,
        format!(
            "[server]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
        ),
    )
    .unwrap();
    let sdk = amplify_api::sdk_config::loader()
        .env(Env::from_slice(&[
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
            ("AWS_PROFILE", "server"),
        ]))
        .fs(Fs::real())
        .load()
        .await;
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(sdk.region().map(|r| r.as_ref()), Some("us-east-1"));
    let api = ApiPlugin::new();
    api.configure_with_sdk_config(&outputs(&emu), &sdk).unwrap();
    call_both(&api).await;
}

/// Hands out `AKID`-`n` credentials that expire an hour after the clock's time, counting calls.
#[derive(Debug)]
struct Rotating {
    clock: ManualTimeSource,
    calls: Arc<AtomicUsize>,
}

impl Rotating {
    fn key(n: usize) -> String {
        format!("ASIAROTATING{n:08}")
    }
}

impl ProvideCredentials for Rotating {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        future::ProvideCredentials::ready(Ok(Credentials::new(
            Self::key(n),
            format!("secret-{n}"),
            Some(format!("token-{n}")),
            Some(self.clock.now() + Duration::from_secs(3600)),
            "rotating",
        )))
    }
}

fn rotating_principal(n: usize, expires: SystemTime) -> IamPrincipalSpec {
    IamPrincipalSpec::new(Rotating::key(n), format!("secret-{n}"))
        .session_token(format!("token-{n}"))
        .expires_at(expires)
}

#[tokio::test]
async fn expired_session_credentials_are_refreshed_through_the_cache() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let start = clock.now();
    let hour = Duration::from_secs(3600);
    let first_refresh = start + hour + Duration::from_secs(100);
    let second_refresh = first_refresh + Duration::from_secs(3301);
    let emu = emulator(
        vec![
            rotating_principal(0, start + hour),
            rotating_principal(1, first_refresh + hour),
            rotating_principal(2, second_refresh + hour),
        ],
        Some(&clock),
    )
    .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let time = SharedTimeSource::new(clock.clone());
    let provider = SdkCredentialsProvider::new(Rotating {
        clock: clock.clone(),
        calls: Arc::clone(&calls),
    })
    .time_source(time.clone());
    let registry = AuthProviderRegistry::default();
    registry.register(
        AuthorizationType::AwsIam,
        SharedCredentialsProvider::new(provider.clone()),
    );
    let api = ApiPlugin::builder()
        .time_source(time.clone())
        .build()
        .unwrap();
    api.configure_with(&outputs(&emu), &registry).unwrap();

    // Many requests, one fetch.
    for _ in 0..5 {
        call_both(&api).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Past the first session's expiry: the emulator refuses it, the cache fetches anew.
    clock.advance(first_refresh.duration_since(start).unwrap());
    let fixed = AuthProviderRegistry::default();
    fixed.register(
        AuthorizationType::AwsIam,
        SharedCredentialsProvider::new(amplify_core::AwsCredentials::new(
            Rotating::key(0),
            "secret-0",
            Some("token-0".into()),
            Some(start + hour),
        )),
    );
    let stale = ApiPlugin::builder().time_source(time).build().unwrap();
    stale.configure_with(&outputs(&emu), &fixed).unwrap();
    assert_eq!(refused_code(&stale).await, "ExpiredTokenException");
    call_both(&api).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(key_now(&provider).await, Rotating::key(1));

    // Within the refresh buffer (5 minutes) of the second session's expiry: fetched again.
    clock.advance(second_refresh.duration_since(first_refresh).unwrap());
    call_both(&api).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(key_now(&provider).await, Rotating::key(2));
}

/// The error code of an IAM query that must be refused as `ApiError::Unauthorized`.
async fn refused_code(api: &ApiPlugin) -> String {
    let err = api
        .query(LIST)
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await
        .unwrap_err();
    let ApiError::Unauthorized(failure) = &err else {
        panic!("expected Unauthorized, got {err:?}");
    };
    failure.code().unwrap_or_default().to_owned()
}

/// The access key id the provider hands out now.
async fn key_now(provider: &SdkCredentialsProvider) -> String {
    provider
        .credentials()
        .await
        .unwrap()
        .access_key_id()
        .to_owned()
}

#[tokio::test]
async fn concurrent_callers_share_one_fetch() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let calls = Arc::new(AtomicUsize::new(0));
    let provider = SdkCredentialsProvider::new(Rotating {
        clock: clock.clone(),
        calls: Arc::clone(&calls),
    })
    .time_source(SharedTimeSource::new(clock.clone()));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { key_now(&provider).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), Rotating::key(0));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let shown = format!("{provider:?}");
    assert!(shown.contains(&Rotating::key(0)), "{shown}");
    assert!(
        !shown.contains("secret-0") && !shown.contains("token-0"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_principal_the_emulator_does_not_know_is_refused() {
    let emu = emulator(vec![principal()], None).await;
    let sdk = SdkConfig::builder()
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "ASIANOBODY0000000001",
                SECRET,
                Some(TOKEN.into()),
                None,
                "test",
            )),
        )
        .build();
    let api = ApiPlugin::new();
    api.configure_with_sdk_config(&outputs(&emu), &sdk).unwrap();
    assert_eq!(refused_code(&api).await, "UnrecognizedClientException");
    let err = api.get("/items").send().await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized(_)), "{err:?}");
}

#[tokio::test]
async fn sdk_configs_without_credentials_or_keys_are_reported() {
    let emu = emulator(vec![], None).await;
    let none = SdkConfig::builder()
        .region(aws_config::Region::new("us-east-1"))
        .build();
    let err = ApiPlugin::new()
        .configure_with_sdk_config(&outputs(&emu), &none)
        .unwrap_err();
    assert!(matches!(err, ApiError::Configuration(_)), "{err:?}");

    // No credentials in the (empty) environment and profile: a typed provider error, before
    // anything is sent. Instance metadata is turned off so the chain does not dial out.
    let sdk = amplify_api::sdk_config::loader()
        .env(Env::from_slice(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]))
        .fs(Fs::from_slice(&[]))
        .load()
        .await;
    let api = ApiPlugin::new();
    api.configure_with_sdk_config(&outputs(&emu), &sdk).unwrap();
    let err = api
        .query(LIST)
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await
        .unwrap_err();
    let ApiError::Provider(failure) = &err else {
        panic!("expected a provider error, got {err:?}");
    };
    assert_eq!(
        failure.provider_error().kind(),
        ProviderErrorKind::SignedOut
    );
}
