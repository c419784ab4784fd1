//! Sends the same GraphQL requests (API key, user pools, IAM) to amplify-emulator and to Amazon's
//! AppSync simulator (`@aws-amplify/amplify-appsync-simulator`) and compares the responses:
//! status, error types and the shape of `data` and `errors`. Where the simulator is lax (it checks
//! no signature), the check asserts the documented difference instead. Then one subscription on
//! each realtime endpoint (the simulator speaks AppSync's `graphql-ws` protocol too, with the
//! `header=` query parameter) receives a todo created over HTTP: the frame sequence, ids and the
//! `data` payload must match; the `connection_ack` payload differs as documented.
//!
//! ```sh
//! cargo run -p amplify-emulator --example appsync_compat -- --print-schema > schema.graphql
//! node ci/appsync_sim.js schema.graphql da2-... &   # prints APPSYNC_SIM_READY <url>
//! cargo run -p amplify-emulator --example appsync_compat -- --simulator <url> --api-key da2-...
//! ```
//! `ci/appsync-simulator.sh` does all of this.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs,
    unreachable_pub,
    dead_code
)]

#[path = "../tests/common/http.rs"]
mod http;

use std::net::SocketAddr;
use std::process::ExitCode;

use amplify_emulator::*;
use aws_sdk_cognitoidentity as ci;
use aws_sdk_cognitoidentityprovider as idp;
use aws_smithy_http_client::{Builder, tls};
use base64::Engine as _;
use http::{Reply, Req};
use serde_json::{Map, Value, json};

const PASSWORD: &str = "Passw0rd!";
const MODES: [AuthMode; 3] = [
    AuthMode::ApiKey,
    AuthMode::AmazonCognitoUserPools,
    AuthMode::AwsIam,
];

/// How the two servers are expected to compare on one request.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Same status, same `errorType`s and messages, same shape; `data` equal up to generated values.
    Same,
    /// Same status and `errorType`s; the messages differ.
    SameKind,
    /// Known difference: the emulator answers `emulator`, the simulator `simulator`.
    Differs {
        emulator: u16,
        simulator: u16,
        why: &'static str,
    },
}

struct Target {
    addr: SocketAddr,
    path: String,
    /// The user pool token each target accepts for a user.
    tokens: Map<String, Value>,
}

struct Case {
    name: &'static str,
    body: Value,
    auth: Auth,
    expect: Expect,
}

#[derive(Clone)]
enum Auth {
    None,
    Key(String),
    Token(&'static str),
    TamperedToken(&'static str),
    Iam,
    GarbageSigV4,
}

fn q(query: &str) -> Value {
    json!({ "query": query })
}

fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// The emulator's token with the issuer rewritten to Cognito's (the simulator routes user pool
/// tokens by `iss` prefix and checks no signature).
fn for_simulator(token: &str, pool_id: &str) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
    claims["iss"] = json!(format!(
        "https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    ));
    format!(
        "{}.{}.{}",
        parts[0],
        engine.encode(claims.to_string()),
        parts[2]
    )
}

fn tamper(token: &str) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
    claims["cognito:groups"] = json!(["admins"]);
    format!(
        "{}.{}.{}",
        parts[0],
        engine.encode(claims.to_string()),
        parts[2]
    )
}

/// Drops what legitimately differs between runs and servers: generated timestamps, and the
/// `sourceName` AppSync adds to locations.
fn normalize(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "createdAt" | "updatedAt" | "sourceName"))
                .map(|(k, v)| {
                    // The simulator sends `{}` where AppSync (and the emulator) send `null`.
                    let v = match (k.as_str(), v) {
                        ("data" | "errorInfo", Value::Object(m)) if m.is_empty() => Value::Null,
                        _ => v.clone(),
                    };
                    (k.clone(), normalize(&v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

fn error_types(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["errorType"].as_str().unwrap_or("<none>").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn strip_messages(value: &Value) -> Value {
    let mut value = value.clone();
    if let Some(errors) = value.get_mut("errors").and_then(Value::as_array_mut) {
        for e in errors {
            if let Some(map) = e.as_object_mut() {
                map.remove("message");
            }
        }
    }
    value
}

async fn send(
    target: &Target,
    case: &Case,
    creds: &(String, String, String),
    region: &str,
    now: std::time::SystemTime,
) -> Reply {
    let req = Req::post_json(&target.path, &case.body);
    let req = match &case.auth {
        Auth::None => req,
        Auth::Key(key) => req.header("x-api-key", key),
        Auth::Token(user) => req.header("authorization", target.tokens[*user].as_str().unwrap()),
        Auth::TamperedToken(user) => req.header(
            "authorization",
            &tamper(target.tokens[*user].as_str().unwrap()),
        ),
        Auth::Iam => req.sign(
            target.addr,
            &creds.0,
            &creds.1,
            Some(&creds.2),
            "appsync",
            region,
            now,
            true,
        ),
        Auth::GarbageSigV4 => req
            .header(
                "authorization",
                &format!(
                    "AWS4-HMAC-SHA256 Credential={}/20200101/{region}/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=deadbeef",
                    creds.0
                ),
            )
            .header("x-amz-date", "20200101T000000Z")
            .header("x-amz-security-token", &creds.2),
    };
    req.send(target.addr).await
}

fn body_of(reply: &Reply) -> Value {
    serde_json::from_slice(&reply.body)
        .unwrap_or_else(|_| json!({ "<not json>": String::from_utf8_lossy(&reply.body) }))
}

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// The next frame other than a keep-alive.
async fn ws_next(ws: &mut Ws) -> Value {
    use futures_util::StreamExt as _;
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("a realtime frame within 10 s")
            .expect("the socket stays open")
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            let frame: Value = serde_json::from_str(text.as_str()).unwrap();
            if frame["type"] != "ka" {
                return frame;
            }
        }
    }
}

async fn ws_send(ws: &mut Ws, frame: Value) {
    use futures_util::SinkExt as _;
    ws.send(tokio_tungstenite::tungstenite::Message::text(
        frame.to_string(),
    ))
    .await
    .unwrap();
}

/// The realtime frames one subscription sees on a target: `connection_ack`, `start_ack`, the
/// `data` of a todo created over HTTP, and the `complete` after `stop`. Both servers take the
/// `header=` / `payload=` query parameters and the `graphql-ws` subprotocol.
async fn subscription_frames(
    target: &Target,
    api_key: &str,
    creds: &(String, String, String),
    region: &str,
    now: std::time::SystemTime,
) -> Vec<Value> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

    let auth = json!({ "host": target.addr.to_string(), "x-api-key": api_key });
    let header = base64::engine::general_purpose::STANDARD
        .encode(auth.to_string())
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let realtime = format!("{}/realtime", target.path.trim_end_matches('/'));
    let url = format!(
        "ws://{}{realtime}?header={header}&payload=e30%3D",
        target.addr
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-ws".parse().unwrap());
    let stream = tokio::net::TcpStream::connect(target.addr).await.unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .unwrap();
    let mut frames = Vec::new();
    ws_send(&mut ws, json!({ "type": "connection_init" })).await;
    frames.push(ws_next(&mut ws).await);
    let data = json!({
        "query": "subscription { onCreateTodo { id name done priority } }",
        "variables": {},
    });
    ws_send(
        &mut ws,
        json!({ "id": "sub-1", "type": "start", "payload": {
            "data": data.to_string(),
            "extensions": { "authorization": auth },
        }}),
    )
    .await;
    frames.push(ws_next(&mut ws).await);
    let create = Case {
        name: "create for the subscription",
        body: q(
            "mutation { createTodo(input: {id: \"sub-todo\", name: \"over the socket\", done: false, priority: 2}) { id name done priority } }",
        ),
        auth: Auth::Key(api_key.to_owned()),
        expect: Expect::Same,
    };
    let reply = send(target, &create, creds, region, now).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    frames.push(ws_next(&mut ws).await);
    ws_send(&mut ws, json!({ "id": "sub-1", "type": "stop" })).await;
    frames.push(ws_next(&mut ws).await);
    let _ = ws.close(None).await;
    frames
}

/// Compares the subscription's frames; returns table rows and whether each compares as expected.
fn compare_subscription(mine: &[Value], theirs: &[Value]) -> Vec<(String, Result<String, String>)> {
    let kinds = |frames: &[Value]| -> Vec<String> {
        frames
            .iter()
            .map(|f| f["type"].as_str().unwrap_or("<none>").to_owned())
            .collect()
    };
    let mut rows = Vec::new();
    let expected = ["connection_ack", "start_ack", "data", "complete"];
    let sequence = if kinds(mine) == expected && kinds(theirs) == expected {
        Ok("same: connection_ack, start_ack, data, complete".to_owned())
    } else {
        Err(format!("frames {:?} vs {:?}", kinds(mine), kinds(theirs)))
    };
    rows.push(("subscription: frame sequence".to_owned(), sequence));
    if let (Some(a), Some(b)) = (mine.first(), theirs.first()) {
        let verdict = if a["payload"]["connectionTimeoutMs"] == json!(300_000)
            && b["payload"]["connectionTimeout"] == json!(300_000)
        {
            Ok("known difference: AppSync (and the emulator) send connectionTimeoutMs, the simulator connectionTimeout; both 300000".to_owned())
        } else {
            Err(format!("ack payloads {} vs {}", a["payload"], b["payload"]))
        };
        rows.push(("subscription: connection_ack payload".to_owned(), verdict));
    }
    for (index, what) in [(1, "start_ack"), (3, "complete")] {
        if let (Some(a), Some(b)) = (mine.get(index), theirs.get(index)) {
            let verdict = if a["id"] == b["id"] && a["id"] == "sub-1" {
                Ok(format!(
                    "same id; payload {} vs {}",
                    a.get("payload").unwrap_or(&Value::Null),
                    b.get("payload").unwrap_or(&Value::Null)
                ))
            } else {
                Err(format!("{a} vs {b}"))
            };
            rows.push((format!("subscription: {what}"), verdict));
        }
    }
    if let (Some(a), Some(b)) = (mine.get(2), theirs.get(2)) {
        let verdict = if a["id"] == b["id"] && normalize(&a["payload"]) == normalize(&b["payload"])
        {
            Ok(format!("same: {}", normalize(&a["payload"])))
        } else {
            Err(format!("{a} vs {b}"))
        };
        rows.push((
            "subscription: data of a todo created over HTTP".to_owned(),
            verdict,
        ));
    }
    rows
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--print-schema") {
        print!("{}", sample_todo_schema(&MODES));
        return ExitCode::SUCCESS;
    }
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(simulator_url), Some(api_key)) = (arg("--simulator"), arg("--api-key")) else {
        eprintln!("usage: appsync_compat --print-schema | --simulator <url> --api-key <key>");
        return ExitCode::from(2);
    };
    let sim_uri: ::http::Uri = simulator_url.parse().unwrap();
    let sim_addr: SocketAddr = format!(
        "{}:{}",
        sim_uri.host().unwrap(),
        sim_uri.port_u16().unwrap()
    )
    .parse()
    .unwrap();

    let emu = Emulator::builder()
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
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam)
                .api_key(ApiKeySpec::new().key(api_key.clone())),
        )
        .start()
        .await
        .unwrap();
    assert_eq!(emu.graphql_schema().unwrap(), sample_todo_schema(&MODES));

    let idp_client = idp::Client::from_conf(
        idp::Config::builder()
            .behavior_version(idp::config::BehaviorVersion::latest())
            .region(idp::config::Region::new("us-east-1"))
            .endpoint_url(emu.endpoint())
            .http_client(http_client())
            .build(),
    );
    let mut emu_tokens = Map::new();
    let mut sim_tokens = Map::new();
    for user in ["alice", "bob"] {
        let out = idp_client
            .initiate_auth()
            .auth_flow(idp::types::AuthFlowType::UserPasswordAuth)
            .client_id("webclient")
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap();
        let token = out
            .authentication_result()
            .unwrap()
            .access_token()
            .unwrap()
            .to_owned();
        sim_tokens.insert(
            user.into(),
            json!(for_simulator(&token, emu.user_pool_id())),
        );
        emu_tokens.insert(user.into(), json!(token));
    }
    let ci_client = ci::Client::from_conf(
        ci::Config::builder()
            .behavior_version(ci::config::BehaviorVersion::latest())
            .region(ci::config::Region::new("us-east-1"))
            .endpoint_url(emu.endpoint())
            .http_client(http_client())
            .build(),
    );
    let identity_id = ci_client
        .get_id()
        .identity_pool_id(emu.identity_pool_id().unwrap())
        .send()
        .await
        .unwrap()
        .identity_id()
        .unwrap()
        .to_owned();
    let out = ci_client
        .get_credentials_for_identity()
        .identity_id(identity_id)
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    let creds = (
        c.access_key_id().unwrap().to_owned(),
        c.secret_key().unwrap().to_owned(),
        c.session_token().unwrap().to_owned(),
    );

    let key = Auth::Key(api_key.clone());
    let lax = "the simulator checks no signature";
    let cases = vec![
        Case {
            name: "API key: empty list",
            body: q("{ listTodos { items { id } nextToken } }"),
            auth: key.clone(),
            expect: Expect::Same,
        },
        Case {
            name: "API key: create",
            body: q(
                "mutation { createTodo(input: {id: \"c1\", name: \"from key\", done: false, priority: 2, adminNote: \"psst\"}) { id name done priority owner __typename } }",
            ),
            auth: key.clone(),
            expect: Expect::Same,
        },
        Case {
            name: "API key: create again (condition fails)",
            body: q("mutation { createTodo(input: {id: \"c1\", name: \"dup\"}) { id } }"),
            auth: key.clone(),
            expect: Expect::SameKind,
        },
        Case {
            name: "API key: get",
            body: q("{ getTodo(id: \"c1\") { id name done } }"),
            auth: key.clone(),
            expect: Expect::Same,
        },
        Case {
            name: "API key: list with filter",
            body: q(
                "{ listTodos(filter: {name: {beginsWith: \"from\"}, done: {eq: false}}) { items { id name } nextToken } }",
            ),
            auth: key.clone(),
            expect: Expect::Same,
        },
        Case {
            name: "API key: field for admins only",
            body: q("{ getTodo(id: \"c1\") { id adminNote } }"),
            auth: key.clone(),
            expect: Expect::Same,
        },
        Case {
            name: "API key: mutation for IAM and user pools only",
            body: q("mutation { deleteTodo(input: {id: \"c1\"}) { id } }"),
            auth: key.clone(),
            expect: Expect::Same,
        },
        Case {
            name: "wrong API key",
            body: q("{ listTodos { nextToken } }"),
            auth: Auth::Key("da2-wrong".into()),
            expect: Expect::SameKind,
        },
        Case {
            name: "no authorization",
            body: q("{ listTodos { nextToken } }"),
            auth: Auth::None,
            expect: Expect::SameKind,
        },
        Case {
            name: "user pools: create (owner)",
            body: q(
                "mutation { createTodo(input: {id: \"c2\", name: \"from bob\"}) { id name owner } }",
            ),
            auth: Auth::Token("bob"),
            expect: Expect::Same,
        },
        Case {
            name: "user pools: admins group reads adminNote",
            body: q("{ getTodo(id: \"c1\") { id adminNote } }"),
            auth: Auth::Token("alice"),
            expect: Expect::Same,
        },
        Case {
            name: "user pools: not in group",
            body: q("{ getTodo(id: \"c1\") { id adminNote } }"),
            auth: Auth::Token("bob"),
            expect: Expect::Same,
        },
        Case {
            name: "user pools: delete",
            body: q("mutation { deleteTodo(input: {id: \"c2\"}) { id name } }"),
            auth: Auth::Token("bob"),
            expect: Expect::Same,
        },
        Case {
            name: "IAM: list",
            body: q("{ listTodos { items { id name } } }"),
            auth: Auth::Iam,
            expect: Expect::Same,
        },
        Case {
            name: "IAM: field for admins only",
            body: q("{ getTodo(id: \"c1\") { id adminNote } }"),
            auth: Auth::Iam,
            expect: Expect::Same,
        },
        Case {
            name: "IAM: delete",
            body: q("mutation { deleteTodo(input: {id: \"c1\"}) { id } }"),
            auth: Auth::Iam,
            expect: Expect::Same,
        },
        Case {
            name: "tampered user pool token",
            body: q("{ listTodos { nextToken } }"),
            auth: Auth::TamperedToken("bob"),
            expect: Expect::Differs {
                emulator: 401,
                simulator: 200,
                why: lax,
            },
        },
        Case {
            name: "SigV4 with a garbage signature",
            body: q("{ listTodos { nextToken } }"),
            auth: Auth::GarbageSigV4,
            expect: Expect::Differs {
                emulator: 403,
                simulator: 200,
                why: lax,
            },
        },
        Case {
            name: "validation error",
            body: q("{ listTodos { items { nope } } }"),
            auth: key.clone(),
            expect: Expect::Differs {
                emulator: 400,
                simulator: 200,
                why: "AppSync answers 400 with graphql-java's message; the simulator 200 with graphql-js's",
            },
        },
        Case {
            name: "syntax error",
            body: q("{ listTodos { "),
            auth: key.clone(),
            expect: Expect::Differs {
                emulator: 400,
                simulator: 200,
                why: "the simulator answers {\"errorMessage\": ...}",
            },
        },
        Case {
            name: "subscription over HTTP",
            body: q("subscription { onCreateTodo { id } }"),
            auth: key.clone(),
            expect: Expect::Differs {
                emulator: 400,
                simulator: 200,
                why: "the simulator answers {\"errorMessage\": ...}",
            },
        },
    ];

    let emulator = Target {
        addr: emu.local_addr(),
        path: "/graphql".into(),
        tokens: emu_tokens,
    };
    let simulator = Target {
        addr: sim_addr,
        path: sim_uri.path().to_owned(),
        tokens: sim_tokens,
    };
    let mut failures = 0;
    println!("| request | emulator | simulator | result |");
    println!("|---|---|---|---|");
    for case in &cases {
        let now = emu.clock().now();
        let mine = send(&emulator, case, &creds, emu.region(), now).await;
        let theirs = send(&simulator, case, &creds, emu.region(), now).await;
        let (a, b) = (body_of(&mine), body_of(&theirs));
        let verdict: Result<String, String> = match case.expect {
            Expect::Same => {
                if mine.status != theirs.status {
                    Err("status differs".into())
                } else if normalize(&a) != normalize(&b) {
                    Err("bodies differ".into())
                } else {
                    Ok("same".into())
                }
            }
            Expect::SameKind => {
                if mine.status != theirs.status {
                    Err("status differs".into())
                } else if error_types(&a) != error_types(&b) {
                    Err("error types differ".into())
                } else if normalize(&strip_messages(&a)) != normalize(&strip_messages(&b)) {
                    Err("shapes differ".into())
                } else {
                    Ok(format!(
                        "same status and error type; messages: {:?} vs {:?}",
                        a["errors"][0]["message"].as_str().unwrap_or_default(),
                        b["errors"][0]["message"].as_str().unwrap_or_default()
                    ))
                }
            }
            Expect::Differs {
                emulator,
                simulator,
                why,
            } => {
                if mine.status == emulator && theirs.status == simulator {
                    Ok(format!("known difference: {why}"))
                } else {
                    Err(format!("expected {emulator} / {simulator}"))
                }
            }
        };
        match verdict {
            Ok(text) => println!(
                "| {} | {} | {} | {text} |",
                case.name, mine.status, theirs.status
            ),
            Err(text) => {
                failures += 1;
                println!(
                    "| {} | {} | {} | **MISMATCH: {text}** |",
                    case.name, mine.status, theirs.status
                );
                let short = |v: &Value| v.to_string().chars().take(600).collect::<String>();
                eprintln!("  emulator:  {}\n  simulator: {}", short(&a), short(&b));
            }
        }
    }
    // One subscription on each server's realtime endpoint (API key), fed by a mutation over
    // HTTP: the simulator speaks AppSync's graphql-ws protocol too, so frames compare directly.
    let now = emu.clock().now();
    let mine = subscription_frames(&emulator, &api_key, &creds, emu.region(), now).await;
    let theirs = subscription_frames(&simulator, &api_key, &creds, emu.region(), now).await;
    let rows = compare_subscription(&mine, &theirs);
    let checks = cases.len() + rows.len();
    for (name, verdict) in rows {
        match verdict {
            Ok(text) => println!("| {name} | frames | frames | {text} |"),
            Err(text) => {
                failures += 1;
                println!("| {name} | frames | frames | **MISMATCH: {text}** |");
            }
        }
    }
    if failures == 0 {
        println!("\nall {checks} requests and frames compare as expected");
        ExitCode::SUCCESS
    } else {
        println!("\n{failures} of {checks} requests and frames do not compare as expected");
        ExitCode::FAILURE
    }
}
