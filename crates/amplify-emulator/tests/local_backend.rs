//! The emulator as a local backend (issue 16): the configuration documents served over HTTP and
//! written by the binary, the `serve` command, and the binary's JSON request log.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;
use std::process::Stdio;

use amplify_config::AmplifyConfig;
use amplify_emulator::*;
use common::http::Req;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const PASSWORD: &str = "Sup3r-Secret-Passw0rd!";
const API_KEY: &str = "da2-neverinthelog0123456789";

/// Starts the binary with `args` and reads its ready line.
async fn spawn(args: &[&str], stderr: Stdio) -> (Child, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_amplify-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a ready line");
    (child, serde_json::from_str(&line).unwrap())
}

fn addr_of(ready: &Value) -> std::net::SocketAddr {
    ready["endpoint"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn config_documents_are_served_as_json() {
    let emu = Emulator::start().await.unwrap();
    for (path, expected) in [
        (
            "/_emulator/amplify_outputs.json",
            emu.amplify_outputs_json(),
        ),
        (
            "/_emulator/amplifyconfiguration.json",
            emu.amplify_configuration_json(),
        ),
    ] {
        let reply = Req::new("GET", path).send(emu.local_addr()).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let body = String::from_utf8(reply.body.clone()).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            serde_json::from_str::<Value>(&expected).unwrap(),
            "{path}"
        );
        AmplifyConfig::from_json(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    assert_eq!(emu.request_count("amplify-outputs"), 1);
    assert_eq!(emu.request_count("amplify-configuration"), 1);
    let post = Req::post_json("/_emulator/amplify_outputs.json", &json!({}))
        .send(emu.local_addr())
        .await;
    assert_eq!(post.status, 405);
}

/// `path` parses with amplify-config and is what the running child serves at `route`.
async fn assert_written(path: &Path, addr: std::net::SocketAddr, route: &str) {
    let written = std::fs::read_to_string(path).unwrap();
    AmplifyConfig::from_json(&written).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let served = Req::new("GET", route).send(addr).await.json();
    assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), served);
}

#[tokio::test]
async fn serve_writes_the_config_before_the_ready_line() {
    let dir = common::temp_dir("write-config");
    let gen2 = dir.join("amplify_outputs.json");
    let (mut child, ready) = spawn(
        &["serve", "--write-config", gen2.to_str().unwrap()],
        Stdio::null(),
    )
    .await;
    let addr = addr_of(&ready);
    assert_written(&gen2, addr, "/_emulator/amplify_outputs.json").await;
    let outputs: Value = serde_json::from_str(&std::fs::read_to_string(&gen2).unwrap()).unwrap();
    assert_eq!(outputs["auth"]["user_pool_id"], ready["userPoolId"]);
    assert_eq!(outputs["data"]["url"], ready["graphqlUrl"]);
    child.kill().await.unwrap();

    // Gen 1 by its file name, without the `serve` command; another `.json` name is Gen 2.
    let gen1 = dir.join("amplifyconfiguration.json");
    let other = dir.join("local.json");
    for (path, route) in [
        (&gen1, "/_emulator/amplifyconfiguration.json"),
        (&other, "/_emulator/amplify_outputs.json"),
    ] {
        let (mut child, ready) =
            spawn(&["--write-config", path.to_str().unwrap()], Stdio::null()).await;
        assert_written(path, addr_of(&ready), route).await;
        child.kill().await.unwrap();
    }
    // No temporary files are left next to them.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);

    for bad in [
        vec!["serve", "--write-config", "config.yaml"],
        vec!["serve", "--log", "text"],
        vec!["serve", "serve"],
    ] {
        let status = Command::new(env!("CARGO_BIN_EXE_amplify-emulator"))
            .args(&bad)
            .stderr(Stdio::null())
            .status()
            .await
            .unwrap();
        assert_eq!(status.code(), Some(2), "{bad:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn aws_json(target: &str, body: &Value) -> Req {
    Req::post_json("/", body)
        .set_header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", target)
}

#[tokio::test]
async fn json_request_log_names_decisions_and_never_secrets() {
    let dir = common::temp_dir("request-log");
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        json!({
            "userPools": [{"id": "us-east-1_Logged1", "clients": [{"id": "loggedclient"}],
                "users": [{"username": "alice", "password": PASSWORD}]}],
            "graphqlApi": {"defaultMode": "API_KEY", "apiKeys": [{"key": API_KEY}]}
        })
        .to_string(),
    )
    .unwrap();
    let (mut child, ready) = spawn(
        &["serve", "--seed", seed.to_str().unwrap(), "--log", "json"],
        Stdio::piped(),
    )
    .await;
    let addr = addr_of(&ready);

    let sign_in = |password: &str| {
        aws_json(
            "AWSCognitoIdentityProviderService.InitiateAuth",
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "loggedclient",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": password}}),
        )
    };
    let signed_in = sign_in(PASSWORD).send(addr).await;
    assert_eq!(signed_in.status, 200);
    let tokens = signed_in.json()["AuthenticationResult"].clone();
    let wrong = sign_in("Wr0ng-Passw0rd!").send(addr).await;
    assert_eq!(wrong.status, 400);
    let graphql = Req::post_json(
        "/graphql",
        &json!({"query": "mutation { createTodo(input: {name: \"logged\"}) { id name } }"}),
    )
    .header("x-api-key", API_KEY)
    .send(addr)
    .await;
    assert_eq!(graphql.status, 200, "{}", graphql.json());
    assert!(graphql.json()["errors"].is_null(), "{}", graphql.json());
    let refused = Req::post_json(
        "/graphql",
        &json!({"query": "{ listTodos { items { id } } }"}),
    )
    .header("x-api-key", "da2-wrong")
    .send(addr)
    .await;
    assert_eq!(refused.status, 401);

    child.kill().await.unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .await
        .unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let find = |operation: &str, decision: &str| {
        lines
            .iter()
            .find(|l| l["operation"] == operation && l["decision"] == decision)
            .unwrap_or_else(|| panic!("no {operation} {decision} in {log}"))
    };
    let accepted = find("InitiateAuth", "accepted");
    assert_eq!(accepted["status"], 200);
    assert_eq!(accepted["method"], "POST");
    assert_eq!(
        accepted["request_id"].as_str(),
        signed_in.header("x-amzn-requestid")
    );
    assert!(accepted["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        find("InitiateAuth", "NotAuthorizedException")["status"],
        400
    );
    assert_eq!(find("graphql", "accepted")["path"], "/graphql");
    assert_eq!(find("graphql", "UnauthorizedException")["status"], 401);
    assert_eq!(lines.len(), 4, "{log}");

    let mut secrets = vec![PASSWORD, "Wr0ng-Passw0rd!", API_KEY, "da2-wrong"];
    for name in ["AccessToken", "IdToken", "RefreshToken"] {
        secrets.push(tokens[name].as_str().unwrap());
    }
    for secret in secrets {
        assert!(!log.contains(secret), "the log holds {secret:?}: {log}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
