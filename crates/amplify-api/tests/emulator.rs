//! The API client against the emulator's AppSync and REST endpoints, which verify every mode
//! for real (API key expiry, RS256 JWTs, SigV4 recomputed with the issued secret, OIDC, Lambda).
//! Auth's providers come from the real auth plugin through amplify-core's registry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_api::{ApiError, ApiPlugin, RequestInterceptor};
use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_core::{Amplify, AuthToken, AuthorizationType};
use amplify_emulator::{
    ApiKeySpec, AuthMode, Emulator, EmulatorHandle, GraphQlApiSpec, GroupSpec, IdentityPoolSpec,
    LambdaAuthResult, RestApiSpec, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use serde_json::{Value, json};

const ISSUER: &str = "https://issuer.example.com";
const PASSWORD: &str = "Api-Test-Passw0rd!";
const START: u64 = 1_800_000_000;

struct Setup {
    emulator: EmulatorHandle,
    clock: ManualTimeSource,
    amplify: Amplify,
    auth: CognitoAuthPlugin,
    api: ApiPlugin,
}

/// Breaks every SigV4 signature after it was computed (the interceptor sees the signed request).
#[derive(Debug)]
struct ForgeSignature;

impl RequestInterceptor for ForgeSignature {
    fn name(&self) -> &str {
        "forge-signature"
    }

    fn on_request(
        &self,
        _ctx: &amplify_api::InterceptorContext<'_>,
        request: &mut http::Request<bytes::Bytes>,
    ) -> Result<(), amplify_api::BoxError> {
        if let Some(value) = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            && value.starts_with("AWS4-HMAC-SHA256")
        {
            // Replace the hex signature with a different one.
            let forged = format!(
                "{}0",
                value.trim_end_matches(|c: char| c.is_ascii_hexdigit())
            );
            request
                .headers_mut()
                .insert("authorization", forged.parse()?);
        }
        Ok(())
    }
}

async fn emulator(clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .group(GroupSpec::new("admins"))
                .user(
                    UserSpec::new("alice", PASSWORD)
                        .email("alice@example.com")
                        .group("admins"),
                )
                .user(UserSpec::new("bob", PASSWORD).email("bob@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .oidc_issuer(ISSUER)
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam)
                .additional_mode(AuthMode::OpenIdConnect)
                .additional_mode(AuthMode::AwsLambda)
                .api_key(ApiKeySpec::new().expires_in(Duration::from_secs(7 * 86_400)))
                .oidc_issuer(ISSUER)
                .lambda_authorizer(|request| {
                    if request.authorization_token == "let-me-in" {
                        LambdaAuthResult::allow()
                    } else {
                        LambdaAuthResult::deny()
                    }
                }),
        )
        .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam))
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

async fn setup_with(api: ApiPlugin, clock: ManualTimeSource, emulator: EmulatorHandle) -> Setup {
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify.add_plugin(api.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    Setup {
        emulator,
        clock,
        amplify,
        auth,
        api,
    }
}

async fn setup() -> Setup {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = emulator(&clock).await;
    setup_with(ApiPlugin::new(), clock, emulator).await
}

const CREATE: &str =
    "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }";
const LIST: &str = "query { listTodos { items { id name } } }";

fn unauthorized(result: Result<amplify_api::GraphQlResponse<Value>, ApiError>) -> ApiError {
    match result {
        Err(e @ ApiError::Unauthorized(_)) => e,
        other => panic!("expected an authorization failure, got {other:?}"),
    }
}

#[tokio::test]
async fn api_key_mode_and_its_failures() {
    let s = setup().await;
    let created = s
        .api
        .mutate(CREATE)
        .variables(json!({"name": "milk"}))
        .send::<Value>()
        .await
        .unwrap();
    assert!(created.errors.is_empty(), "{:?}", created.errors);
    let listed = s
        .api
        .query(LIST)
        .decode_path("listTodos.items")
        .send::<Vec<Value>>()
        .await
        .unwrap();
    assert_eq!(listed.data.unwrap().len(), 1);

    // A wrong key (the caller's own header is sent as is).
    let wrong = s
        .api
        .query(LIST)
        .header("x-api-key", "da2-not-a-key")
        .send::<Value>()
        .await;
    let e = unauthorized(wrong);
    assert!(!amplify_core::AmplifyError::is_retryable(&e));
    // The key expires after 7 days.
    s.clock.advance(Duration::from_secs(8 * 86_400));
    unauthorized(s.api.query(LIST).send::<Value>().await);
}

#[tokio::test]
async fn user_pools_mode_with_groups_and_bad_tokens() {
    let s = setup().await;
    // Signed out: the provider says so before anything is sent.
    let signed_out = s
        .api
        .query(LIST)
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
        .send::<Value>()
        .await;
    assert!(
        matches!(signed_out, Err(ApiError::Provider(_))),
        "{signed_out:?}"
    );

    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let created = s
        .api
        .mutate("mutation { createTodo(input: {name: \"secret plan\", adminNote: \"admins only\"}) { id adminNote } }")
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
        .send::<Value>()
        .await
        .unwrap();
    assert!(created.errors.is_empty(), "{:?}", created.errors);
    let id = created.data.unwrap()["createTodo"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Bob is not in `admins`: adminNote is refused field by field, the rest is served.
    let _ = s.auth.sign_out().send().await;
    s.auth
        .sign_in()
        .username("bob")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let as_bob = s
        .api
        .query("query Get($id: ID!) { getTodo(id: $id) { id name adminNote } }")
        .variables(json!({"id": id}))
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
        .send::<Value>()
        .await
        .unwrap();
    let data = as_bob.data.unwrap();
    assert_eq!(data["getTodo"]["name"], "secret plan");
    assert!(data["getTodo"]["adminNote"].is_null());
    let error = &as_bob.errors[0];
    assert_eq!(error.error_type.as_deref(), Some("Unauthorized"));
    assert!(
        error
            .message
            .contains("Not Authorized to access adminNote on type Todo"),
        "{}",
        error.message
    );

    // A tampered token.
    let tokens = s
        .auth
        .fetch_auth_session()
        .send()
        .await
        .user_pool_tokens
        .unwrap();
    let access = tokens.access_token.expose_secret().to_owned();
    let tampered = format!("{}x", &access[..access.len() - 1]);
    unauthorized(
        s.api
            .query(LIST)
            .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
            .header("authorization", tampered)
            .send::<Value>()
            .await,
    );
    // An expired token, sent as is (the plugin itself would have refreshed it).
    s.clock.advance(Duration::from_secs(2 * 3600));
    unauthorized(
        s.api
            .query(LIST)
            .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
            .header("authorization", access)
            .send::<Value>()
            .await,
    );
    // Through the provider the token is refreshed first, so the same call works.
    let fresh = s
        .api
        .query(LIST)
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
        .send::<Value>()
        .await
        .unwrap();
    assert!(fresh.errors.is_empty());
}

#[tokio::test]
async fn iam_mode_for_users_and_guests_and_mode_restricted_fields() {
    let s = setup().await;
    // A guest signs with identity-pool credentials.
    let guest = s
        .api
        .mutate(CREATE)
        .variables(json!({"name": "from a guest"}))
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await
        .unwrap();
    assert!(guest.errors.is_empty(), "{:?}", guest.errors);
    let id = guest.data.unwrap()["createTodo"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // deleteTodo is reachable with IAM or user pools, not with the API key.
    let with_key = s
        .api
        .mutate("mutation Del($id: ID!) { deleteTodo(input: {id: $id}) { id } }")
        .variables(json!({"id": id}))
        .send::<Value>()
        .await;
    match with_key {
        Ok(r) => assert!(
            r.errors
                .iter()
                .any(|e| e.message.contains("Not Authorized to access deleteTodo"))
        ),
        Err(e) => assert!(e.is_authorization_failure(), "{e}"),
    }
    s.auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let deleted = s
        .api
        .mutate("mutation Del($id: ID!) { deleteTodo(input: {id: $id}) { id } }")
        .variables(json!({"id": id}))
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await
        .unwrap();
    assert!(deleted.errors.is_empty(), "{:?}", deleted.errors);

    // REST on API Gateway semantics: signed for execute-api with an unsigned payload.
    let rest = s
        .api
        .post("/items")
        .api_name("api")
        .json(&json!({"name": "rest item"}))
        .send()
        .await
        .unwrap();
    assert!(rest.status().is_success(), "{}", rest.status());
}

#[tokio::test]
async fn a_forged_signature_is_refused() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = emulator(&clock).await;
    let s = setup_with(
        ApiPlugin::builder()
            .interceptor(ForgeSignature)
            .build()
            .unwrap(),
        clock,
        emulator,
    )
    .await;
    unauthorized(
        s.api
            .query(LIST)
            .authorization_mode(AuthorizationType::AwsIam)
            .send::<Value>()
            .await,
    );
    let rest = s.api.get("/items").api_name("api").send().await;
    assert!(
        matches!(rest, Err(ref e) if e.is_authorization_failure()),
        "{rest:?}"
    );
}

#[tokio::test]
async fn a_skewed_device_clock_is_corrected_after_one_rejection() {
    // The device is 1 hour behind the emulator.
    let server = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = emulator(&server).await;
    let device = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START - 3600));
    let api = ApiPlugin::builder()
        .time_source(SharedTimeSource::new(device.clone()))
        .build()
        .unwrap();
    let s = setup_with(api, device, emulator).await;
    let before = s.emulator.request_count("graphql");
    let ok = s
        .api
        .query(LIST)
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await
        .unwrap();
    assert!(ok.errors.is_empty());
    assert_eq!(
        s.emulator.request_count("graphql") - before,
        2,
        "one rejection, one corrected retry"
    );
    // The offset is kept: the next request succeeds at once.
    let before = s.emulator.request_count("graphql");
    s.api
        .query(LIST)
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await
        .unwrap();
    assert_eq!(s.emulator.request_count("graphql") - before, 1);
}

#[tokio::test]
async fn oidc_and_lambda_modes_with_the_users_providers() {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = emulator(&clock).await;
    let oidc_token = emulator.mint_oidc_token(ISSUER, "oidc-user").unwrap();
    let api = ApiPlugin::builder()
        .oidc_provider(AuthToken::new(oidc_token))
        .lambda_provider(AuthToken::new("let-me-in"))
        .build()
        .unwrap();
    let s = setup_with(api, clock, emulator).await;
    for mode in [
        AuthorizationType::OpenIdConnect,
        AuthorizationType::AwsLambda,
    ] {
        let r = s
            .api
            .query(LIST)
            .authorization_mode(mode)
            .send::<Value>()
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{mode}: {:?}", r.errors);
    }
    // A token from an issuer the API does not trust, and a token the authorizer denies.
    let foreign = s
        .emulator
        .mint_oidc_token("accounts.google.com", "someone")
        .unwrap();
    unauthorized(
        s.api
            .query(LIST)
            .authorization_mode(AuthorizationType::OpenIdConnect)
            .header("authorization", foreign)
            .send::<Value>()
            .await,
    );
    unauthorized(
        s.api
            .query(LIST)
            .authorization_mode(AuthorizationType::AwsLambda)
            .header("authorization", "nope")
            .send::<Value>()
            .await,
    );
}

#[tokio::test]
async fn missing_providers_and_unknown_apis_are_typed_errors() {
    let s = setup().await;
    let missing = s
        .api
        .query(LIST)
        .authorization_mode(AuthorizationType::OpenIdConnect)
        .send::<Value>()
        .await;
    assert!(matches!(missing, Err(ApiError::Provider(_))), "{missing:?}");
    let unknown = s.api.query(LIST).api_name("nope").send::<Value>().await;
    assert!(
        matches!(unknown, Err(ApiError::UnknownApi(_))),
        "{unknown:?}"
    );
    // Validation errors come back as GraphQL errors.
    let invalid = s.api.query("query { nope }").send::<Value>().await;
    match invalid {
        Ok(r) => assert!(!r.errors.is_empty()),
        Err(e) => assert!(!e.graphql_errors().is_empty(), "{e}"),
    }
    let _ = &s.amplify;
}
