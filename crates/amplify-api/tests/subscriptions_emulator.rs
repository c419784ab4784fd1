//! GraphQL subscriptions end to end: the real `ApiPlugin` with the real `CognitoAuthPlugin`'s
//! providers against the emulator's realtime endpoint, which authorizes every connect and every
//! `start` as it authorizes `POST /graphql` (API key, user pools with groups, SigV4 with
//! identity-pool credentials, OIDC, Lambda) and fans mutation results out to `@aws_subscribe`
//! fields. Mutations go over HTTP with the same plugin.
//!
//! Nothing here sleeps to synchronise: tests wait for the stream, the Hub or the emulator's
//! counters, each wait bounded by [`WAIT`].
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::future::Future;
use std::time::{Duration, UNIX_EPOCH};

use amplify_api::{
    ApiError, ApiPlugin, GraphQlSubscription, SubscriptionFailureKind, SubscriptionOptions,
};
use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::hub::{ApiHubEvent, HubListener, SubscriptionStatus};
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_core::{Amplify, AuthToken, AuthorizationType};
use amplify_emulator::{
    ApiKeySpec, AuthMode, Emulator, EmulatorHandle, Fault, GraphQlApiSpec, GroupSpec,
    IdentityPoolSpec, LambdaAuthResult, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use serde_json::{Value, json};

const ISSUER: &str = "https://issuer.example.com";
const PASSWORD: &str = "Api-Test-Passw0rd!";
const START: u64 = 1_800_000_000;
/// The bound of every wait.
const WAIT: Duration = Duration::from_secs(20);

const ON_CREATE: &str = "subscription { onCreateTodo { id name } }";
const CREATE: &str =
    "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }";

struct Setup {
    emulator: EmulatorHandle,
    clock: ManualTimeSource,
    _amplify: Amplify,
    auth: CognitoAuthPlugin,
    api: ApiPlugin,
}

/// Every mode the emulator has; API key by default.
fn spec() -> GraphQlApiSpec {
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
        })
}

/// Quick reconnects, so tests of reconnecting stay short.
fn options() -> SubscriptionOptions {
    SubscriptionOptions::default()
        .connection_ack_timeout(Duration::from_secs(5))
        .start_ack_timeout(Duration::from_secs(5))
        .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(50))
}

async fn setup_with(spec: GraphQlApiSpec, options: SubscriptionOptions) -> Setup {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = Emulator::builder()
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
        .graphql_api(spec)
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    let oidc_token = emulator.mint_oidc_token(ISSUER, "oidc-user").unwrap();
    let api = ApiPlugin::builder()
        .oidc_provider(AuthToken::new(oidc_token))
        .lambda_provider(AuthToken::new("let-me-in"))
        .subscription_options(options)
        .build()
        .unwrap();
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
        _amplify: amplify,
        auth,
        api,
    }
}

async fn setup() -> Setup {
    setup_with(spec(), options()).await
}

async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(WAIT, future).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: not within {WAIT:?}"),
    }
}

/// Waits (yielding, bounded by [`WAIT`]) until `condition` holds.
async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    within(what, async {
        while !condition() {
            tokio::task::yield_now().await;
        }
    })
    .await;
}

impl Setup {
    async fn sign_in(&self, username: &str) {
        let _ = self.auth.sign_out().send().await;
        self.auth
            .sign_in()
            .username(username)
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
    }

    /// Starts `document` with `mode` and waits for its `start_ack`.
    async fn subscribe(
        &self,
        document: &str,
        mode: AuthorizationType,
    ) -> GraphQlSubscription<Value> {
        let mut sub = self
            .api
            .subscribe(document)
            .authorization_mode(mode)
            .start::<Value>()
            .unwrap();
        within("start_ack", sub.established())
            .await
            .unwrap_or_else(|e| panic!("{mode}: {e:?}"));
        sub
    }

    /// Creates a todo over HTTP with `mode`; returns its id.
    async fn create(&self, name: &str, mode: AuthorizationType) -> String {
        let created = self
            .api
            .mutate(CREATE)
            .variables(json!({ "name": name }))
            .authorization_mode(mode)
            .send::<Value>()
            .await
            .unwrap();
        assert!(created.errors.is_empty(), "{mode}: {:?}", created.errors);
        created.data.unwrap()["createTodo"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits until the emulator has `connections` sockets with `subscriptions` subscriptions.
    async fn registered(&self, connections: usize, subscriptions: usize) {
        let backend = self.emulator.backend();
        eventually(
            &format!("{connections} connection(s), {subscriptions} subscription(s)"),
            || {
                backend.realtime_connections() == connections
                    && backend.realtime_subscriptions() == subscriptions
            },
        )
        .await;
    }
}

/// The next event's `data`.
async fn next_data(sub: &mut GraphQlSubscription<Value>) -> Value {
    let event = within("a data event", sub.next())
        .await
        .expect("the stream ended");
    let response = event.unwrap();
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.unwrap()
}

/// The stream's next item, which must be its typed failure; the stream then ends.
async fn failure(sub: &mut GraphQlSubscription<Value>) -> Box<amplify_api::SubscriptionFailure> {
    let item = within("the failure", sub.next()).await;
    let Some(Err(ApiError::Subscription(failure))) = item else {
        panic!("expected a subscription failure, got {item:?}");
    };
    assert!(within("the end", sub.next()).await.is_none());
    failure
}

/// Waits for connection state `wanted` on the Hub; returns the states seen up to it.
async fn status(
    listener: &mut HubListener<ApiHubEvent>,
    wanted: SubscriptionStatus,
) -> Vec<SubscriptionStatus> {
    let mut seen = Vec::new();
    within(&format!("{wanted:?}"), async {
        loop {
            if let Some(ApiHubEvent::SubscriptionConnection { status, .. }) = listener.recv().await
            {
                seen.push(status);
                if status == wanted {
                    return;
                }
            }
        }
    })
    .await;
    seen
}

#[tokio::test]
async fn api_key_subscription_receives_a_todo_created_over_http() {
    let s = setup().await;
    let mut sub = s.subscribe(ON_CREATE, AuthorizationType::ApiKey).await;
    s.registered(1, 1).await;
    let id = s.create("milk", AuthorizationType::ApiKey).await;
    assert_eq!(
        next_data(&mut sub).await,
        json!({"onCreateTodo": {"id": id, "name": "milk"}})
    );
    // A decode path and a typed item, as for queries.
    let mut names = s
        .api
        .subscribe("subscription { onCreateTodo { name } }")
        .decode_path("onCreateTodo.name")
        .start::<String>()
        .unwrap();
    within("start_ack", names.established()).await.unwrap();
    s.create("eggs", AuthorizationType::ApiKey).await;
    let name = within("a name", names.next()).await.unwrap().unwrap();
    assert_eq!(name.data.as_deref(), Some("eggs"));
    assert_eq!(s.emulator.backend().realtime_connections(), 1);
}

#[tokio::test]
async fn user_pool_subscriptions_see_the_delivered_fields_their_groups_allow() {
    let s = setup().await;
    let pools = AuthorizationType::AmazonCognitoUserPools;
    let document = "subscription { onCreateTodo { id name adminNote } }";
    // Signed out: the provider refuses before anything is started.
    let mut signed_out = s
        .api
        .subscribe(document)
        .authorization_mode(pools)
        .start::<Value>()
        .unwrap();
    let e = within("refusal", signed_out.established())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Subscription(_)), "{e:?}");
    drop(signed_out);

    // alice (admins) and bob, each subscribed with their own token on one socket.
    s.sign_in("alice").await;
    let mut alice = s.subscribe(document, pools).await;
    s.sign_in("bob").await;
    let mut bob = s.subscribe(document, pools).await;
    s.registered(1, 2).await;

    s.sign_in("alice").await;
    let created = s
        .api
        .mutate("mutation { createTodo(input: {name: \"plan\", adminNote: \"admins only\"}) { id name adminNote } }")
        .authorization_mode(pools)
        .send::<Value>()
        .await
        .unwrap();
    assert!(created.errors.is_empty(), "{:?}", created.errors);
    let id = created.data.unwrap()["createTodo"]["id"].clone();

    assert_eq!(
        next_data(&mut alice).await,
        json!({"onCreateTodo": {"id": id, "name": "plan", "adminNote": "admins only"}})
    );
    // bob is not in `admins`: the field is nulled with an error, the rest is delivered.
    let event = within("bob's event", bob.next()).await.unwrap().unwrap();
    let data = event.data.unwrap();
    assert_eq!(data["onCreateTodo"]["name"], "plan");
    assert!(data["onCreateTodo"]["adminNote"].is_null());
    assert_eq!(event.errors.len(), 1, "{:?}", event.errors);
    assert_eq!(event.errors[0].error_type.as_deref(), Some("Unauthorized"));
    assert!(
        event.errors[0]
            .message
            .contains("Not Authorized to access adminNote on type Todo"),
        "{}",
        event.errors[0].message
    );
    // Both subscriptions shared the user-pool connection.
    assert_eq!(s.emulator.request_count("realtime-connect"), 1);
}

#[tokio::test]
async fn iam_subscription_with_identity_pool_credentials() {
    let s = setup().await;
    let iam = AuthorizationType::AwsIam;
    // A guest: unauthenticated identity-pool credentials sign the connect and the start.
    let mut guest = s.subscribe(ON_CREATE, iam).await;
    let id = s.create("from a guest", iam).await;
    assert_eq!(
        next_data(&mut guest).await,
        json!({"onCreateTodo": {"id": id, "name": "from a guest"}})
    );
    drop(guest);
    s.registered(0, 0).await;

    // Signed in: authenticated credentials.
    s.sign_in("alice").await;
    let mut user = s.subscribe(ON_CREATE, iam).await;
    let id = s.create("from alice", iam).await;
    assert_eq!(
        next_data(&mut user).await,
        json!({"onCreateTodo": {"id": id, "name": "from alice"}})
    );
}

#[tokio::test]
async fn oidc_and_lambda_subscriptions_share_a_socket_authorized_with_the_default_mode() {
    let s = setup().await;
    let mut oidc = s
        .subscribe(ON_CREATE, AuthorizationType::OpenIdConnect)
        .await;
    let mut lambda = s.subscribe(ON_CREATE, AuthorizationType::AwsLambda).await;
    s.registered(1, 2).await;
    for mode in [
        AuthorizationType::OpenIdConnect,
        AuthorizationType::AwsLambda,
    ] {
        let id = s.create(&format!("with {mode}"), mode).await;
        let expected = json!({"onCreateTodo": {"id": id, "name": format!("with {mode}")}});
        assert_eq!(next_data(&mut oidc).await, expected);
        assert_eq!(next_data(&mut lambda).await, expected);
    }
    assert_eq!(s.emulator.request_count("realtime-connect"), 1);
}

#[tokio::test]
async fn an_unauthorized_start_fails_alone_and_the_socket_keeps_serving() {
    // `onPostPrivate` is for IAM only; the API key may use `onPost`.
    let schema = r#"
        type Message @aws_api_key @aws_iam { room: String! text: String }
        type Query @aws_api_key { ping: String }
        type Mutation @aws_api_key @aws_iam { post(room: String!, text: String): Message }
        type Subscription @aws_api_key @aws_iam {
          onPost(room: String): Message @aws_subscribe(mutations: ["post"])
          onPostPrivate(room: String): Message @aws_subscribe(mutations: ["post"]) @aws_iam
        }"#;
    let spec = GraphQlApiSpec::new(schema)
        .default_mode(AuthMode::ApiKey)
        .additional_mode(AuthMode::AwsIam)
        .resolver("Mutation", "post", |_, args| {
            Ok(Value::Object(args.clone()))
        });
    let s = setup_with(spec, options()).await;
    let key = AuthorizationType::ApiKey;
    let mut public = s
        .subscribe("subscription { onPost { room text } }", key)
        .await;
    let mut private = s
        .api
        .subscribe("subscription { onPostPrivate { room text } }")
        .start::<Value>()
        .unwrap();
    let e = within("the refusal", private.established())
        .await
        .unwrap_err();
    let ApiError::Subscription(refused) = &e else {
        panic!("{e:?}");
    };
    assert_eq!(refused.kind(), SubscriptionFailureKind::Rejected);
    assert!(refused.is_authorization_failure(), "{refused:?}");
    assert!(!refused.is_retryable());
    assert_eq!(refused.code(), Some("Unauthorized"));
    assert!(
        refused.graphql_errors()[0]
            .message
            .contains("Not Authorized to access onPostPrivate on type Subscription"),
        "{refused}"
    );
    // The stream yields the same error once, then ends.
    assert_eq!(failure(&mut private).await.kind(), refused.kind());

    // The socket is still up and the other subscription still receives.
    let posted = s
        .api
        .mutate("mutation { post(room: \"blue\", text: \"hi\") { room text } }")
        .send::<Value>()
        .await
        .unwrap();
    assert!(posted.errors.is_empty(), "{:?}", posted.errors);
    assert_eq!(
        next_data(&mut public).await,
        json!({"onPost": {"room": "blue", "text": "hi"}})
    );
    assert_eq!(s.emulator.request_count("realtime-connect"), 1);
    s.registered(1, 1).await;
}

#[tokio::test]
async fn a_dropped_socket_reconnects_and_the_next_mutation_arrives() {
    let s = setup().await;
    let mut states = s.api.hub().api().subscribe();
    let mut sub = s.subscribe(ON_CREATE, AuthorizationType::ApiKey).await;
    status(&mut states, SubscriptionStatus::Connected).await;
    s.registered(1, 1).await;

    assert_eq!(s.emulator.backend().drop_realtime_connections(), 1);
    let seen = status(&mut states, SubscriptionStatus::Connected).await;
    assert_eq!(
        seen,
        [
            SubscriptionStatus::ConnectionDisrupted,
            SubscriptionStatus::Connecting,
            SubscriptionStatus::Connected
        ]
    );
    // Started again on the new socket.
    s.registered(1, 1).await;
    assert_eq!(s.emulator.request_count("realtime-connect"), 2);
    let id = s.create("after the drop", AuthorizationType::ApiKey).await;
    assert_eq!(
        next_data(&mut sub).await,
        json!({"onCreateTodo": {"id": id, "name": "after the drop"}})
    );
}

#[tokio::test]
async fn missed_keep_alives_reconnect_and_the_next_mutation_arrives() {
    // A keep-alive every 20 ms; the client gives up on a socket after 500 ms without one.
    let spec = spec()
        .realtime_keep_alive(Duration::from_millis(20))
        .realtime_connection_timeout(Duration::from_millis(500));
    let s = setup_with(spec, options()).await;
    let mut states = s.api.hub().api().subscribe();
    let mut sub = s.subscribe(ON_CREATE, AuthorizationType::ApiKey).await;
    status(&mut states, SubscriptionStatus::Connected).await;

    s.emulator
        .faults()
        .inject_always("realtime-ka", Fault::Silence);
    let seen = status(&mut states, SubscriptionStatus::ConnectionDisrupted).await;
    assert_eq!(seen, [SubscriptionStatus::ConnectionDisrupted]);
    // The new socket gets its keep-alives again.
    s.emulator.faults().clear();
    status(&mut states, SubscriptionStatus::Connected).await;
    s.registered(1, 1).await;
    assert_eq!(s.emulator.request_count("realtime-connect"), 2);
    let id = s
        .create("after the silence", AuthorizationType::ApiKey)
        .await;
    assert_eq!(
        next_data(&mut sub).await,
        json!({"onCreateTodo": {"id": id, "name": "after the silence"}})
    );
    assert!(states.try_recv().is_none(), "one reconnect only");
}

#[tokio::test]
async fn expired_tokens_are_refreshed_and_the_subscription_continues_after_one_reconnect() {
    let s = setup().await;
    let pools = AuthorizationType::AmazonCognitoUserPools;
    s.sign_in("alice").await;
    let stale = s
        .auth
        .fetch_auth_session()
        .send()
        .await
        .user_pool_tokens
        .unwrap()
        .access_token;
    let mut sub = s.subscribe(ON_CREATE, pools).await;
    s.registered(1, 1).await;

    // Past the access token's expiry on the emulator's clock and the device's.
    let expiry = stale.expires_at().unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(START);
    s.clock
        .advance(expiry.duration_since(now).unwrap() + Duration::from_secs(60));
    assert!(
        s.emulator
            .verify_user_pool_token(stale.expose_secret())
            .is_err(),
        "the emulator refuses the old token now"
    );
    // Either refresh operation (GetTokensFromRefreshToken, or InitiateAuth's refresh flow).
    let refreshes = || {
        s.emulator.request_count("GetTokensFromRefreshToken")
            + s.emulator.request_count("InitiateAuth")
    };
    let before = refreshes();
    // The socket breaks: the restart needs a fresh token for the connect and the start.
    s.emulator.backend().drop_realtime_connections();
    eventually("the reconnect", || {
        s.emulator.request_count("realtime-connect") == 2
    })
    .await;
    s.registered(1, 1).await;
    let id = s.create("after the refresh", pools).await;
    assert_eq!(
        next_data(&mut sub).await,
        json!({"onCreateTodo": {"id": id, "name": "after the refresh"}})
    );
    // One reconnect, one start on it (nothing refused and retried), one refresh.
    assert_eq!(s.emulator.request_count("realtime-connect"), 2);
    assert_eq!(s.emulator.request_count("realtime-start"), 2);
    assert_eq!(refreshes() - before, 1);
}

#[tokio::test]
async fn a_thousand_subscriptions_share_one_socket_and_the_last_closes_it() {
    let s = setup().await;
    let mut subs = Vec::new();
    for _ in 0..1000 {
        subs.push(s.api.subscribe(ON_CREATE).start::<Value>().unwrap());
    }
    for sub in &mut subs {
        within("start_ack", sub.established()).await.unwrap();
    }
    assert_eq!(s.emulator.backend().realtime_connections(), 1);
    assert_eq!(s.emulator.backend().realtime_subscriptions(), 1000);
    assert_eq!(s.emulator.request_count("realtime-connect"), 1);

    let id = s.create("for everyone", AuthorizationType::ApiKey).await;
    let expected = json!({"onCreateTodo": {"id": id, "name": "for everyone"}});
    for sub in &mut subs {
        assert_eq!(next_data(sub).await, expected);
    }

    // Half go: the socket stays; the rest go: it closes.
    subs.truncate(500);
    s.registered(1, 500).await;
    subs.clear();
    s.registered(0, 0).await;
}

#[tokio::test]
async fn delayed_acks_against_the_client_timeouts() {
    let options = options()
        .connection_ack_timeout(Duration::from_millis(400))
        .start_ack_timeout(Duration::from_millis(400))
        .reconnect_attempts(2);
    let s = setup_with(spec(), options).await;
    let faults = s.emulator.faults();
    let key = AuthorizationType::ApiKey;

    // Acks a little late but within the timeouts: accepted.
    faults.inject("realtime-connect", Fault::Delay(Duration::from_millis(50)));
    let mut first = s.subscribe(ON_CREATE, key).await;
    faults.inject("realtime-start", Fault::Delay(Duration::from_millis(50)));
    let mut second = s.subscribe(ON_CREATE, key).await;
    assert_eq!(s.emulator.request_count("realtime-connect"), 1);

    // A start_ack later than the start timeout fails that subscription alone, with `stop`.
    faults.inject("realtime-start", Fault::Delay(Duration::from_millis(1500)));
    let mut late = s.api.subscribe(ON_CREATE).start::<Value>().unwrap();
    let e = within("the timeout", late.established()).await.unwrap_err();
    let ApiError::Subscription(timed_out) = &e else {
        panic!("{e:?}");
    };
    assert_eq!(timed_out.kind(), SubscriptionFailureKind::StartTimeout);
    assert!(timed_out.is_retryable());
    drop(late);
    // The others keep receiving (the emulator registers the late one when its delay ends and
    // then handles the client's `stop`: the count below only reaches 0 once it has).
    let id = s.create("still here", key).await;
    let expected = json!({"onCreateTodo": {"id": id, "name": "still here"}});
    assert_eq!(next_data(&mut first).await, expected);
    assert_eq!(next_data(&mut second).await, expected);
    drop((first, second));
    s.registered(0, 0).await;

    // A connection_ack later than the connect timeout: one more connect, then established.
    let before = s.emulator.request_count("realtime-connect");
    faults.inject(
        "realtime-connect",
        Fault::Delay(Duration::from_millis(1500)),
    );
    let mut after = s.subscribe(ON_CREATE, key).await;
    assert_eq!(s.emulator.request_count("realtime-connect") - before, 2);
    let id = s.create("after a slow ack", key).await;
    assert_eq!(
        next_data(&mut after).await,
        json!({"onCreateTodo": {"id": id, "name": "after a slow ack"}})
    );
}

#[tokio::test]
async fn refused_connects_end_the_stream_with_a_typed_error() {
    let s = setup_with(spec(), options().reconnect_attempts(2)).await;
    let mut states = s.api.hub().api().subscribe();
    for (fault, status_code) in [(Fault::Throttle, 429), (Fault::InternalError, 500)] {
        s.emulator.faults().clear();
        s.emulator
            .faults()
            .inject_always("realtime-connect", fault.clone());
        let before = s.emulator.request_count("realtime-connect");
        let mut sub = s.api.subscribe(ON_CREATE).start::<Value>().unwrap();
        let failed = failure(&mut sub).await;
        assert_eq!(failed.kind(), SubscriptionFailureKind::ConnectionFailed);
        let cause = failed.cause().expect("the last attempt's error");
        assert!(
            matches!(cause, ApiError::HttpStatus(_)),
            "{fault:?}: {cause:?}"
        );
        assert_eq!(
            cause.status().map(|s| s.as_u16()),
            Some(status_code),
            "{fault:?}"
        );
        // The first connect and two reconnects.
        assert_eq!(
            s.emulator.request_count("realtime-connect") - before,
            3,
            "{fault:?}"
        );
        status(&mut states, SubscriptionStatus::Failed).await;
    }
    // Once the endpoint answers again, subscribing works.
    s.emulator.faults().clear();
    let mut sub = s.subscribe(ON_CREATE, AuthorizationType::ApiKey).await;
    let id = s.create("back", AuthorizationType::ApiKey).await;
    assert_eq!(
        next_data(&mut sub).await,
        json!({"onCreateTodo": {"id": id, "name": "back"}})
    );
}
