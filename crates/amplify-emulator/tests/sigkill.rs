//! The data directory survives SIGKILL (issue 16): the built binary runs with `--data-dir`,
//! writers drive sign-ups, GraphQL mutations and REST writes over HTTP, the process is killed
//! at varied points (usually in the middle of requests), and the restarted emulator must open
//! the database and hold every write whose answer a client received.
//!
//! `AMPLIFY_KILL_RUNS` sets the number of kill-and-restart rounds (default 20).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::watch;

const API_KEY: &str = "da2-killtest0123456789abcdef";
const CLIENT_ID: &str = "killtestclient";
const POOL_ID: &str = "us-east-1_KillTest1";
/// Writers running at once, so the kill usually lands while requests are in flight.
const WRITERS: usize = 3;

fn seed() -> Value {
    json!({
        "userPools": [{"region": "us-east-1", "id": POOL_ID, "clients": [{"id": CLIENT_ID}]}],
        "graphqlApi": {"defaultMode": "API_KEY", "apiKeys": [{"key": API_KEY}]},
        "restApis": [{"name": "items", "mode": "NONE"}],
    })
}

/// One HTTP/1.1 exchange; `None` when the connection fails or breaks (the emulator was killed).
async fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<(u16, Value)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(body).await.ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let status = std::str::from_utf8(&raw[..split])
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()?;
    let body = serde_json::from_slice(&raw[split + 4..]).unwrap_or(Value::Null);
    Some((status, body))
}

async fn cognito(addr: SocketAddr, operation: &str, body: &Value) -> Option<(u16, Value)> {
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    exchange(
        addr,
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", &target),
        ],
        body.to_string().as_bytes(),
    )
    .await
}

async fn graphql(addr: SocketAddr, query: &str, variables: &Value) -> Option<(u16, Value)> {
    let body = json!({"query": query, "variables": variables}).to_string();
    exchange(
        addr,
        "POST",
        "/graphql",
        &[("content-type", "application/json"), ("x-api-key", API_KEY)],
        body.as_bytes(),
    )
    .await
}

/// The writes whose answers arrived.
#[derive(Default, Clone)]
struct Acked {
    users: BTreeSet<String>,
    todos: BTreeSet<String>,
    rest: BTreeSet<String>,
}

/// Writes until a request fails; every acknowledged write is recorded and counted.
async fn writer(
    addr: SocketAddr,
    round: usize,
    index: usize,
    acked: Arc<Mutex<Acked>>,
    count: Arc<watch::Sender<usize>>,
) {
    for n in 0.. {
        let name = format!("r{round}w{index}n{n}");
        let ok = match n % 3 {
            0 => {
                let body = json!({"ClientId": CLIENT_ID, "Username": name, "Password": "Passw0rd!long",
                    "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]});
                match cognito(addr, "SignUp", &body).await {
                    Some((200, _)) => {
                        acked.lock().unwrap().users.insert(name);
                        true
                    }
                    Some((status, body)) => panic!("SignUp answered {status}: {body}"),
                    None => false,
                }
            }
            1 => {
                let reply = graphql(
                    addr,
                    "mutation($input: CreateTodoInput!) { createTodo(input: $input) { id } }",
                    &json!({"input": {"id": name, "name": name}}),
                )
                .await;
                match reply {
                    Some((200, body)) if body["data"]["createTodo"]["id"] == name.as_str() => {
                        acked.lock().unwrap().todos.insert(name);
                        true
                    }
                    Some((status, body)) => panic!("createTodo answered {status}: {body}"),
                    None => false,
                }
            }
            _ => {
                let path = format!("/rest/items/items/{name}");
                let reply = exchange(
                    addr,
                    "PUT",
                    &path,
                    &[("content-type", "application/json")],
                    br#"{"written":true}"#,
                )
                .await;
                match reply {
                    Some((200, _)) => {
                        acked.lock().unwrap().rest.insert(name);
                        true
                    }
                    Some((status, body)) => panic!("REST PUT answered {status}: {body}"),
                    None => false,
                }
            }
        };
        if !ok {
            return;
        }
        count.send_modify(|c| *c += 1);
    }
}

/// Starts the binary and waits for its ready line.
async fn start(seed: &std::path::Path, dir: &std::path::Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_amplify-emulator"))
        .args(["serve", "--seed"])
        .arg(seed)
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let Some(line) = lines.next_line().await.unwrap() else {
        // The emulator exited: say why (it prints nothing else on stderr while it runs).
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .await
            .unwrap();
        panic!(
            "no ready line; {}; stderr: {stderr}",
            child.wait().await.unwrap()
        );
    };
    let ready: Value = serde_json::from_str(&line).unwrap();
    let addr = ready["endpoint"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    (child, addr)
}

/// Fails unless every name in `acked` is the `field` of an element of `list`.
fn assert_all_in(acked: &BTreeSet<String>, list: &Value, field: &str, what: &str) {
    let present: BTreeSet<&str> = list
        .as_array()
        .unwrap_or_else(|| panic!("{what}: not a list: {list}"))
        .iter()
        .map(|item| item[field].as_str().unwrap())
        .collect();
    let missing: Vec<_> = acked
        .iter()
        .filter(|name| !present.contains(name.as_str()))
        .collect();
    assert!(missing.is_empty(), "{what} lost: {missing:?}");
}

/// Every acknowledged write is in the restarted emulator.
async fn assert_has(addr: SocketAddr, acked: &Acked, round: usize) {
    let (status, users) = cognito(addr, "ListUsers", &json!({"UserPoolId": POOL_ID}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_all_in(
        &acked.users,
        &users["Users"],
        "Username",
        &format!("round {round}: users"),
    );

    let query = "query { listTodos(limit: 1000) { items { id } nextToken } }";
    let (status, todos) = graphql(addr, query, &json!({})).await.unwrap();
    assert_eq!(status, 200);
    let page = &todos["data"]["listTodos"];
    assert!(page["nextToken"].is_null());
    assert_all_in(
        &acked.todos,
        &page["items"],
        "id",
        &format!("round {round}: todos"),
    );

    let (status, rest) = exchange(addr, "GET", "/rest/items/items", &[], b"")
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_all_in(
        &acked.rest,
        &rest["items"],
        "id",
        &format!("round {round}: REST items"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill() {
    let rounds: usize = std::env::var("AMPLIFY_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = common::temp_dir("sigkill");
    let seed_file = dir.join("seed.json");
    std::fs::write(&seed_file, seed().to_string()).unwrap();
    let data = dir.join("data");
    let acked = Arc::new(Mutex::new(Acked::default()));
    for round in 0..rounds {
        let (mut child, addr) = start(&seed_file, &data).await;
        let snapshot = acked.lock().unwrap().clone();
        assert_has(addr, &snapshot, round).await;

        // Kill after a varying number of acknowledged writes (1 to 23), writers still running.
        let kill_after = 1 + (round * 7) % 23;
        let (count, mut seen) = watch::channel(0_usize);
        let count = Arc::new(count);
        let writers: Vec<_> = (0..WRITERS)
            .map(|index| {
                tokio::spawn(writer(
                    addr,
                    round,
                    index,
                    Arc::clone(&acked),
                    Arc::clone(&count),
                ))
            })
            .collect();
        seen.wait_for(|n| *n >= kill_after).await.unwrap();
        child.start_kill().unwrap(); // SIGKILL
        child.wait().await.unwrap();
        for w in writers {
            w.await.unwrap();
        }
        // The database opens on its own after the kill and passes SQLite's integrity check.
        let conn = rusqlite::Connection::open(data.join("emulator.sqlite3")).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        drop(conn);
    }
    // A last restart holds everything acknowledged in every round.
    let (mut child, addr) = start(&seed_file, &data).await;
    let acked = acked.lock().unwrap().clone();
    assert!(acked.users.len() + acked.todos.len() + acked.rest.len() >= rounds);
    assert_has(addr, &acked, rounds).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
