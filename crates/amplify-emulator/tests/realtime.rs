//! The realtime (subscriptions) endpoint with a plain WebSocket client written here (not
//! amplify-api): connect in every mode and both connect styles, start / data / stop / complete,
//! fan-out with argument filters and Amplify's `filter`, field-level authorization of delivered
//! data, an unauthorized start next to working ones, keep-alives, faults and counters.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_pass_by_value
)]

mod common;

use std::time::{Duration, SystemTime};

use amplify_emulator::*;
use base64::Engine as _;
use common::http::Req;
use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

const PASSWORD: &str = "Passw0rd!";
const KEY: &str = "da2-realtimekey00000000000000";
const WAIT: Duration = Duration::from_secs(10);

fn sample() -> GraphQlApiSpec {
    GraphQlApiSpec::sample_todo()
        .default_mode(AuthMode::ApiKey)
        .additional_mode(AuthMode::AmazonCognitoUserPools)
        .additional_mode(AuthMode::AwsIam)
        .api_key(
            ApiKeySpec::new()
                .key(KEY)
                .expires_in(Duration::from_secs(3600)),
        )
}

async fn start_with(clock: &ManualTimeSource, api: GraphQlApiSpec) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .client(AppClientSpec::new().id("webclient"))
                .group(GroupSpec::new("admins"))
                .user(
                    UserSpec::new("alice", PASSWORD)
                        .email("alice@example.com")
                        .group("admins"),
                )
                .user(UserSpec::new("bob", PASSWORD).email("bob@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .time_source(clock.clone())
        .graphql_api(api)
        .start()
        .await
        .unwrap()
}

/// A plain AppSync realtime client.
struct Ws {
    socket: WebSocketStream<TcpStream>,
}

fn header_protocol(headers: &Value) -> String {
    format!(
        "header-{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(headers.to_string())
    )
}

async fn open(
    emu: &EmulatorHandle,
    path_and_query: &str,
    protocols: &[String],
) -> Result<Ws, tungstenite::Error> {
    let addr = emu.local_addr();
    let mut request = format!("ws://{addr}{path_and_query}")
        .into_client_request()
        .unwrap();
    if !protocols.is_empty() {
        request.headers_mut().insert(
            "sec-websocket-protocol",
            protocols.join(", ").parse().unwrap(),
        );
    }
    let stream = TcpStream::connect(addr).await.unwrap();
    let (socket, _) = tokio_tungstenite::client_async(request, stream).await?;
    Ok(Ws { socket })
}

impl Ws {
    /// Connects with the `header-<base64url>` subprotocol.
    async fn connect(emu: &EmulatorHandle, headers: &Value) -> Ws {
        let protocols = ["graphql-ws".to_owned(), header_protocol(headers)];
        open(emu, "/graphql/realtime", &protocols).await.unwrap()
    }

    async fn send(&mut self, frame: Value) {
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    /// The next frame (keep-alives included); `None` once the socket is closed.
    async fn frame(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(WAIT, self.socket.next()).await {
                Err(_) => panic!("no frame within {WAIT:?}"),
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return None,
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Some(serde_json::from_str(text.as_str()).unwrap());
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next frame that is not a keep-alive.
    async fn next(&mut self) -> Value {
        loop {
            let frame = self.frame().await.expect("the socket closed");
            if frame["type"] != "ka" {
                return frame;
            }
        }
    }

    async fn init(&mut self) -> Value {
        self.send(json!({"type": "connection_init"})).await;
        self.next().await
    }

    async fn start(&mut self, id: &str, query: &str, variables: Value, auth: Value) -> Value {
        let data = json!({"query": query, "variables": variables}).to_string();
        self.send(json!({
            "id": id, "type": "start",
            "payload": {"data": data, "extensions": {"authorization": auth}},
        }))
        .await;
        self.next().await
    }

    async fn closed(&mut self) {
        loop {
            match self.frame().await {
                None => return,
                Some(frame) if frame["type"] == "ka" => {}
                Some(frame) => panic!("expected the socket to close, got {frame}"),
            }
        }
    }
}

fn key_auth(emu: &EmulatorHandle, key: &str) -> Value {
    json!({"host": emu.local_addr().to_string(), "x-api-key": key})
}

fn token_auth(emu: &EmulatorHandle, token: &str) -> Value {
    json!({"host": emu.local_addr().to_string(), "Authorization": token})
}

struct Creds {
    akid: String,
    secret: String,
    token: String,
}

async fn guest(emu: &EmulatorHandle) -> Creds {
    let ci = identity(emu);
    let pool = emu.identity_pool_id().unwrap().to_owned();
    let id = ci
        .get_id()
        .identity_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .identity_id()
        .unwrap()
        .to_owned();
    let out = ci
        .get_credentials_for_identity()
        .identity_id(&id)
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    Creds {
        akid: c.access_key_id().unwrap().to_owned(),
        secret: c.secret_key().unwrap().to_owned(),
        token: c.session_token().unwrap().to_owned(),
    }
}

/// SigV4 headers of `POST <path>` with `body`, as amplify-js builds them for realtime.
fn iam_auth(emu: &EmulatorHandle, creds: &Creds, path: &str, body: &str, at: SystemTime) -> Value {
    let req = Req::new("POST", path)
        .header("accept", "application/json, text/javascript")
        .header("content-encoding", "amz-1.0")
        .header("content-type", "application/json; charset=UTF-8")
        .body(body.as_bytes().to_vec())
        .sign(
            emu.local_addr(),
            &creds.akid,
            &creds.secret,
            Some(&creds.token),
            "appsync",
            emu.region(),
            at,
            true,
        );
    Value::Object(
        req.headers
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect::<Map<_, _>>(),
    )
}

async fn graphql(emu: &EmulatorHandle, auth: (&str, &str), query: &str, variables: Value) -> Value {
    let reply = Req::post_json("/graphql", &json!({"query": query, "variables": variables}))
        .header(auth.0, auth.1)
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    reply.json()
}

const ON_CREATE: &str = "subscription S { onCreateTodo { id name priority } }";
const CREATE: &str = "mutation C($i: CreateTodoInput!) { createTodo(input: $i) { id name priority done adminNote } }";

fn assert_ack(frame: &Value) {
    assert_eq!(
        frame,
        &json!({"type": "connection_ack", "payload": {"connectionTimeoutMs": 300_000}})
    );
}

fn connection_error(frame: &Value, error_type: &str, code: u16) -> String {
    assert_eq!(frame["type"], "connection_error", "{frame}");
    let error = &frame["payload"]["errors"][0];
    assert_eq!(error["errorType"], error_type, "{frame}");
    assert_eq!(error["errorCode"], code, "{frame}");
    error["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn connect_and_ack_in_every_mode() {
    let clock = clock();
    let emu = start_with(&clock, sample()).await;
    let host = emu.local_addr().to_string();

    // API key in the subprotocol; the first keep-alive follows the ack.
    let mut ws = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    ws.send(json!({"type": "connection_init"})).await;
    assert_ack(&ws.frame().await.unwrap());
    assert_eq!(ws.frame().await.unwrap(), json!({"type": "ka"}));

    // The header= / payload= query style (standard base64, percent-encoded).
    let header = base64::engine::general_purpose::STANDARD
        .encode(key_auth(&emu, KEY).to_string())
        .replace('=', "%3D")
        .replace('+', "%2B")
        .replace('/', "%2F");
    let mut ws = open(
        &emu,
        &format!("/graphql/realtime?header={header}&payload=e30="),
        &["graphql-ws".to_owned()],
    )
    .await
    .unwrap();
    assert_ack(&ws.init().await);

    // User pool tokens, IAM (the signed POST /graphql/connect with body {}).
    let (access, id_token, _) = password_tokens(&emu, "webclient", "alice", PASSWORD).await;
    for token in [&access, &id_token] {
        let mut ws = Ws::connect(&emu, &token_auth(&emu, token)).await;
        assert_ack(&ws.init().await);
    }
    let creds = guest(&emu).await;
    let auth = iam_auth(&emu, &creds, "/graphql/connect", "{}", clock.now());
    let mut ws = Ws::connect(&emu, &auth).await;
    assert_ack(&ws.init().await);
    assert!(emu.backend().realtime_connections() >= 3);

    // Refusals: a wrong key, a tampered JWT, a bad signature, nothing at all.
    let mut ws = Ws::connect(&emu, &key_auth(&emu, "da2-wrong")).await;
    let message = connection_error(&ws.init().await, "UnauthorizedException", 401);
    assert_eq!(message, "You are not authorized to make this call.");
    ws.closed().await;
    let mut tampered = id_token.clone();
    tampered.push_str("AA");
    let mut ws = Ws::connect(&emu, &token_auth(&emu, &tampered)).await;
    connection_error(&ws.init().await, "UnauthorizedException", 401);
    ws.closed().await;
    let wrong = Creds {
        secret: "not-the-secret".to_owned(),
        ..guest(&emu).await
    };
    let auth = iam_auth(&emu, &wrong, "/graphql/connect", "{}", clock.now());
    let mut ws = Ws::connect(&emu, &auth).await;
    connection_error(&ws.init().await, "InvalidSignatureException", 403);
    ws.closed().await;
    // Signed for another path than /graphql/connect.
    let auth = iam_auth(&emu, &creds, "/graphql", "{}", clock.now());
    let mut ws = Ws::connect(&emu, &auth).await;
    connection_error(&ws.init().await, "InvalidSignatureException", 403);
    let mut ws = open(&emu, "/graphql/realtime", &["graphql-ws".to_owned()])
        .await
        .unwrap();
    let message = connection_error(&ws.init().await, "UnauthorizedException", 401);
    assert_eq!(message, "Valid authorization header not provided.");

    // Without the graphql-ws subprotocol the upgrade is refused.
    match open(
        &emu,
        "/graphql/realtime",
        &[header_protocol(&json!({"host": host}))],
    )
    .await
    {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 400),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    assert_eq!(emu.request_count("realtime-connect"), 11);
}

#[tokio::test]
async fn oidc_and_lambda_connections() {
    let clock = clock();
    let schema = r#"
        type Message @aws_oidc @aws_lambda { room: String! text: String }
        type Query @aws_oidc { ping: String }
        type Mutation @aws_oidc @aws_lambda { post(room: String!, text: String): Message }
        type Subscription @aws_oidc @aws_lambda {
          onPost(room: String): Message @aws_subscribe(mutations: ["post"])
        }"#;
    let emu = start_with(
        &clock,
        GraphQlApiSpec::new(schema)
            .default_mode(AuthMode::OpenIdConnect)
            .additional_mode(AuthMode::AwsLambda)
            .oidc_issuer("https://issuer.example.com")
            .oidc_client_id("my-app")
            .lambda_authorizer(|request| {
                if request.authorization_token == "let-me-in" {
                    LambdaAuthResult::allow()
                } else {
                    LambdaAuthResult::deny()
                }
            })
            .resolver("Mutation", "post", |_, args| {
                Ok(Value::Object(args.clone()))
            }),
    )
    .await;
    let token = emu
        .mint_oidc_token_with(
            &OidcToken::new("https://issuer.example.com", "user-1").audience("my-app"),
        )
        .unwrap();
    let mut oidc = Ws::connect(&emu, &token_auth(&emu, &token)).await;
    assert_ack(&oidc.init().await);
    let mut lambda = Ws::connect(&emu, &token_auth(&emu, "let-me-in")).await;
    assert_ack(&lambda.init().await);
    let mut denied = Ws::connect(&emu, &token_auth(&emu, "no")).await;
    connection_error(&denied.init().await, "UnauthorizedException", 401);
    let other_aud = emu
        .mint_oidc_token_with(
            &OidcToken::new("https://issuer.example.com", "user-1").audience("other"),
        )
        .unwrap();
    let mut wrong = Ws::connect(&emu, &token_auth(&emu, &other_aud)).await;
    connection_error(&wrong.init().await, "UnauthorizedException", 401);

    // Subscription arguments filter by equality on the result's fields.
    let sub = "subscription S($room: String) { onPost(room: $room) { room text } }";
    let ack = oidc
        .start("a", sub, json!({"room": "blue"}), token_auth(&emu, &token))
        .await;
    assert_eq!(ack, json!({"type": "start_ack", "id": "a"}));
    let ack = lambda
        .start("b", sub, json!({}), token_auth(&emu, "let-me-in"))
        .await;
    assert_eq!(ack["type"], "start_ack");
    let post = "mutation P($r: String!, $t: String) { post(room: $r, text: $t) { room text } }";
    graphql(
        &emu,
        ("authorization", "let-me-in"),
        post,
        json!({"r": "red", "t": "1"}),
    )
    .await;
    graphql(
        &emu,
        ("authorization", token.as_str()),
        post,
        json!({"r": "blue", "t": "2"}),
    )
    .await;
    // The room-less subscription gets both, in order; the blue one only the second.
    let frame = lambda.next().await;
    assert_eq!(
        frame["payload"]["data"]["onPost"],
        json!({"room": "red", "text": "1"})
    );
    let frame = lambda.next().await;
    assert_eq!(
        frame["payload"]["data"]["onPost"],
        json!({"room": "blue", "text": "2"})
    );
    let frame = oidc.next().await;
    assert_eq!(
        frame,
        json!({"type": "data", "id": "a", "payload": {"data": {"onPost": {"room": "blue", "text": "2"}}}})
    );
}

#[tokio::test]
async fn start_data_stop_complete() {
    let clock = clock();
    let emu = start_with(&clock, sample()).await;
    let mut ws = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    assert_ack(&ws.init().await);
    let ack = ws
        .start("1", ON_CREATE, json!({}), key_auth(&emu, KEY))
        .await;
    assert_eq!(ack, json!({"type": "start_ack", "id": "1"}));
    assert_eq!(emu.backend().realtime_subscriptions(), 1);

    let created = graphql(
        &emu,
        ("x-api-key", KEY),
        CREATE,
        json!({"i": {"name": "milk", "priority": 2}}),
    )
    .await;
    let id = created["data"]["createTodo"]["id"].clone();
    let frame = ws.next().await;
    assert_eq!(
        frame,
        json!({"type": "data", "id": "1", "payload": {"data": {"onCreateTodo": {"id": id, "name": "milk", "priority": 2}}}})
    );
    // Aliases in the mutation do not change what the subscription sees.
    graphql(
        &emu,
        ("x-api-key", KEY),
        "mutation { c: createTodo(input: {name: \"eggs\"}) { i: id n: name priority } }",
        json!({}),
    )
    .await;
    let frame = ws.next().await;
    assert_eq!(frame["payload"]["data"]["onCreateTodo"]["name"], "eggs");

    ws.send(json!({"type": "stop", "id": "1"})).await;
    assert_eq!(ws.next().await, json!({"type": "complete", "id": "1"}));
    assert_eq!(emu.backend().realtime_subscriptions(), 0);
    // After stop nothing more comes for "1": the next frame is for a new subscription.
    let ack = ws
        .start(
            "2",
            "subscription { onUpdateTodo { id name } }",
            json!({}),
            key_auth(&emu, KEY),
        )
        .await;
    assert_eq!(ack["type"], "start_ack");
    graphql(
        &emu,
        ("x-api-key", KEY),
        CREATE,
        json!({"i": {"name": "ignored"}}),
    )
    .await;
    graphql(
        &emu,
        ("x-api-key", KEY),
        "mutation U($i: UpdateTodoInput!) { updateTodo(input: $i) { id name } }",
        json!({"i": {"id": id, "name": "oat milk"}}),
    )
    .await;
    let frame = ws.next().await;
    assert_eq!(frame["id"], "2");
    assert_eq!(
        frame["payload"]["data"]["onUpdateTodo"],
        json!({"id": id, "name": "oat milk"})
    );
    assert_eq!(emu.request_count("realtime-start"), 2);

    // A subscription over HTTP still points at this endpoint.
    let reply = Req::post_json("/graphql", &json!({"query": ON_CREATE}))
        .header("x-api-key", KEY)
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 400);
    drop(ws);
}

#[tokio::test]
async fn fan_out_applies_amplify_filters() {
    let clock = clock();
    let emu = start_with(&clock, sample()).await;
    let mut ws = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    assert_ack(&ws.init().await);
    let sub = "subscription S($f: ModelSubscriptionTodoFilterInput) { onCreateTodo(filter: $f) { name } }";
    let filters = [
        ("high", json!({"priority": {"gt": 2}})),
        (
            "x-or-done",
            json!({"or": [{"name": {"beginsWith": "x"}}, {"done": {"eq": true}}]}),
        ),
        (
            "no-milk",
            json!({"and": [{"name": {"ne": "milk"}}, {"name": {"contains": "i"}}]}),
        ),
        ("all", Value::Null),
    ];
    for (id, filter) in &filters {
        let ack = ws
            .start(id, sub, json!({"f": filter}), key_auth(&emu, KEY))
            .await;
        assert_eq!(ack["type"], "start_ack", "{ack}");
    }
    let todos = [
        json!({"name": "milk", "priority": 5}),
        json!({"name": "xylophone", "priority": 1}),
        json!({"name": "bike", "done": true}),
    ];
    for todo in &todos {
        graphql(&emu, ("x-api-key", KEY), CREATE, json!({"i": todo})).await;
    }
    let mut got: Vec<(String, String)> = Vec::new();
    // milk → high, all; xylophone → x-or-done, all; bike → x-or-done, no-milk, all.
    for _ in 0..7 {
        let frame = ws.next().await;
        assert_eq!(frame["type"], "data", "{frame}");
        got.push((
            frame["id"].as_str().unwrap().to_owned(),
            frame["payload"]["data"]["onCreateTodo"]["name"]
                .as_str()
                .unwrap()
                .to_owned(),
        ));
    }
    got.sort();
    let mut want: Vec<(String, String)> = [
        ("all", "bike"),
        ("all", "milk"),
        ("all", "xylophone"),
        ("high", "milk"),
        ("no-milk", "bike"),
        ("x-or-done", "bike"),
        ("x-or-done", "xylophone"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn field_level_authorization_in_delivered_data() {
    let clock = clock();
    let emu = start_with(&clock, sample()).await;
    let (_, alice, _) = password_tokens(&emu, "webclient", "alice", PASSWORD).await;
    let (_, bob, _) = password_tokens(&emu, "webclient", "bob", PASSWORD).await;
    let sub = "subscription { onCreateTodo { name adminNote } }";
    let mut subscribers = Vec::new();
    for auth in [
        key_auth(&emu, KEY),
        token_auth(&emu, &alice),
        token_auth(&emu, &bob),
    ] {
        let mut ws = Ws::connect(&emu, &auth).await;
        assert_ack(&ws.init().await);
        assert_eq!(
            ws.start("s", sub, json!({}), auth).await["type"],
            "start_ack"
        );
        subscribers.push(ws);
    }
    graphql(
        &emu,
        ("authorization", alice.as_str()),
        CREATE,
        json!({"i": {"name": "plan", "adminNote": "secret"}}),
    )
    .await;
    let mut frames = Vec::new();
    for ws in &mut subscribers {
        frames.push(ws.next().await);
    }
    // alice (admins) sees the note; the API key and bob get null with AppSync's error.
    assert_eq!(
        frames[1]["payload"],
        json!({"data": {"onCreateTodo": {"name": "plan", "adminNote": "secret"}}})
    );
    for frame in [&frames[0], &frames[2]] {
        assert_eq!(
            frame["payload"]["data"]["onCreateTodo"],
            json!({"name": "plan", "adminNote": null})
        );
        let error = &frame["payload"]["errors"][0];
        assert_eq!(error["errorType"], "Unauthorized");
        assert_eq!(
            error["message"],
            "Not Authorized to access adminNote on type Todo"
        );
        assert_eq!(error["path"], json!(["onCreateTodo", "adminNote"]));
    }
}

#[tokio::test]
async fn refused_and_invalid_starts_keep_the_socket_usable() {
    let clock = clock();
    let emu = start_with(&clock, sample()).await;
    let creds = guest(&emu).await;
    let mut ws = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    assert_ack(&ws.init().await);

    let refused = ws
        .start("bad-key", ON_CREATE, json!({}), key_auth(&emu, "da2-nope"))
        .await;
    assert_eq!(
        refused,
        json!({"type": "error", "id": "bad-key", "payload": {"errors": [{
            "errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]}})
    );
    let refused = ws.start("no-auth", ON_CREATE, json!({}), json!({})).await;
    assert_eq!(
        refused["payload"]["errors"][0]["message"],
        "Valid authorization header not provided."
    );
    // IAM at start signs {query, variables} for POST /graphql; a signature of other data fails.
    let data = json!({"query": ON_CREATE, "variables": {}}).to_string();
    let forged = iam_auth(
        &emu,
        &creds,
        "/graphql",
        "{\"query\":\"other\"}",
        clock.now(),
    );
    let refused = ws.start("forged", ON_CREATE, json!({}), forged).await;
    assert_eq!(
        refused["payload"]["errors"][0]["errorType"],
        "InvalidSignatureException"
    );
    let signed = iam_auth(&emu, &creds, "/graphql", &data, clock.now());
    assert_eq!(
        ws.start("iam", ON_CREATE, json!({}), signed).await["type"],
        "start_ack"
    );
    // Validation errors, queries, unknown and malformed frames, duplicate ids.
    let invalid = ws
        .start(
            "v",
            "subscription { onCreateTodo { nope } }",
            json!({}),
            key_auth(&emu, KEY),
        )
        .await;
    assert_eq!(invalid["type"], "error");
    assert_eq!(
        invalid["payload"]["errors"][0]["errorType"],
        "ValidationError"
    );
    let query = ws
        .start(
            "q",
            "{ listTodos { items { id } } }",
            json!({}),
            key_auth(&emu, KEY),
        )
        .await;
    assert_eq!(
        query["payload"]["errors"][0]["errorType"],
        "UnsupportedOperation"
    );
    ws.send(json!({"type": "bogus", "id": "z"})).await;
    let frame = ws.next().await;
    assert_eq!(frame["type"], "error");
    assert_eq!(frame["id"], "z");
    assert_eq!(
        frame["payload"]["errors"][0]["message"],
        "bogus not supported through the realtime channel"
    );
    ws.socket.send(Message::text("not json")).await.unwrap();
    assert_eq!(
        ws.next().await["payload"]["errors"][0]["errorType"],
        "UnsupportedOperation"
    );
    let dup = ws
        .start("iam", ON_CREATE, json!({}), key_auth(&emu, KEY))
        .await;
    assert_eq!(
        dup["payload"]["errors"][0]["errorType"],
        "DuplicatedOperationError"
    );

    // The API key expires on the emulator's clock: later starts and connects are refused.
    clock.advance(Duration::from_secs(3601));
    let expired = ws
        .start("late", ON_CREATE, json!({}), key_auth(&emu, KEY))
        .await;
    assert_eq!(
        expired["payload"]["errors"][0]["message"],
        "API key has expired."
    );
    let mut late = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    connection_error(&late.init().await, "UnauthorizedException", 401);

    // The IAM subscription still works.
    let fresh = guest(&emu).await;
    let body = json!({"query": CREATE, "variables": {"i": {"name": "after"}}});
    let reply = Req::post_json("/graphql", &body)
        .sign(
            emu.local_addr(),
            &fresh.akid,
            &fresh.secret,
            Some(&fresh.token),
            "appsync",
            emu.region(),
            clock.now(),
            true,
        )
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let frame = ws.next().await;
    assert_eq!(frame["id"], "iam");
    assert_eq!(frame["payload"]["data"]["onCreateTodo"]["name"], "after");
}

#[tokio::test]
async fn keep_alives_and_the_connection_timeout() {
    let clock = clock();
    let emu = start_with(
        &clock,
        sample()
            .realtime_keep_alive(Duration::from_millis(20))
            .realtime_connection_timeout(Duration::from_secs(1)),
    )
    .await;
    let mut ws = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    ws.send(json!({"type": "connection_init"})).await;
    assert_eq!(
        ws.frame().await.unwrap(),
        json!({"type": "connection_ack", "payload": {"connectionTimeoutMs": 1000}})
    );
    for _ in 0..3 {
        assert_eq!(ws.frame().await.unwrap(), json!({"type": "ka"}));
    }
    assert!(emu.request_count("realtime-ka") >= 3);
}

#[tokio::test]
async fn faults_on_connect_start_and_keep_alive() {
    let clock = clock();
    let emu = start_with(
        &clock,
        sample().realtime_keep_alive(Duration::from_millis(10)),
    )
    .await;
    let faults = emu.faults();

    // realtime-connect: an error fault refuses the upgrade; drop closes it; delay and silence
    // hold the ack back.
    faults.inject("realtime-connect", Fault::Throttle);
    let protocols = [
        "graphql-ws".to_owned(),
        header_protocol(&key_auth(&emu, KEY)),
    ];
    match open(&emu, "/graphql/realtime", &protocols).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    faults.inject("realtime-connect", Fault::DropConnection);
    assert!(open(&emu, "/graphql/realtime", &protocols).await.is_err());
    faults.inject("realtime-connect", Fault::Delay(Duration::from_millis(200)));
    let mut ws = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    let before = tokio::time::Instant::now();
    assert_eq!(ws.init().await["type"], "connection_ack");
    assert!(before.elapsed() >= Duration::from_millis(200));
    faults.inject("realtime-connect", Fault::Silence);
    let mut silent = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    silent.send(json!({"type": "connection_init"})).await;
    // No ack and no keep-alive: the first frame is the start_ack.
    let ack = silent
        .start("s", ON_CREATE, json!({}), key_auth(&emu, KEY))
        .await;
    assert_eq!(ack["type"], "start_ack");
    assert_eq!(emu.request_count("realtime-connect"), 4);

    // realtime-start: error, silence, delay, drop.
    faults.inject("realtime-start", Fault::Throttle);
    let refused = ws
        .start("1", ON_CREATE, json!({}), key_auth(&emu, KEY))
        .await;
    assert_eq!(
        refused["payload"]["errors"][0],
        json!({"errorType": "LimitExceededError", "message": "Rate limit exceeded"})
    );
    faults.inject("realtime-start", Fault::Silence);
    ws.send(json!({"id": "2", "type": "start", "payload": {"data": "{}"}}))
        .await;
    let ack = ws
        .start("3", ON_CREATE, json!({}), key_auth(&emu, KEY))
        .await;
    assert_eq!(ack, json!({"type": "start_ack", "id": "3"}));
    faults.inject("realtime-start", Fault::Delay(Duration::from_millis(100)));
    let before = tokio::time::Instant::now();
    let ack = ws
        .start("4", ON_CREATE, json!({}), key_auth(&emu, KEY))
        .await;
    assert_eq!(ack["type"], "start_ack");
    assert!(before.elapsed() >= Duration::from_millis(100));
    faults.inject("realtime-start", Fault::DropConnection);
    ws.send(json!({"id": "5", "type": "start", "payload": {"data": "{}"}}))
        .await;
    ws.closed().await;
    assert_eq!(emu.request_count("realtime-start"), 6);

    // realtime-ka: silence stops keep-alives (counted, not sent); drop closes the socket.
    faults.inject_always("realtime-ka", Fault::Silence);
    let mut quiet = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    assert_eq!(quiet.init().await["type"], "connection_ack");
    let counted = emu.request_count("realtime-ka");
    while emu.request_count("realtime-ka") < counted + 5 {
        match tokio::time::timeout(Duration::from_millis(5), quiet.socket.next()).await {
            Err(_) => {}
            Ok(frame) => panic!("a frame during silence: {frame:?}"),
        }
    }
    faults.clear();
    faults.inject("realtime-ka", Fault::DropConnection);
    quiet.closed().await;

    // drop_realtime_connections: every socket goes at once.
    let mut a = Ws::connect(&emu, &key_auth(&emu, KEY)).await;
    assert_ack_ish(&a.init().await);
    assert!(emu.backend().drop_realtime_connections() >= 1);
    a.closed().await;
    drop(silent);
}

fn assert_ack_ish(frame: &Value) {
    assert_eq!(frame["type"], "connection_ack", "{frame}");
}
