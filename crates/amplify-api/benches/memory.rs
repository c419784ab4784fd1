//! Two process-level figures, each measured on a client process of its own (this binary run
//! again as a child), against the emulator running in this parent process:
//!
//! - peak memory: a client that signs in, fetches the session and runs GraphQL in three
//!   authorization modes (API key, user pool, IAM) prints its `VmHWM` from `/proc/self/status`;
//! - cold start: from spawning a client process to its first user-pool-authorized GraphQL
//!   response, with the session a previous process stored in the encrypted file store (median of
//!   several starts).
//!
//! Run with `cargo bench -p amplify-api --bench memory`; with `--max-mib N` it exits non-zero
//! when the client's peak is above N MiB. Summary rows go to `$AMPLIFY_BENCH_SUMMARY` when set.
#![allow(
    missing_docs,
    unreachable_pub,
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::disallowed_methods,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/common/proc_status.rs"]
mod proc_status;
#[path = "support/summary.rs"]
mod summary;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use amplify_api::ApiPlugin;
use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::{Amplify, AuthorizationType};
use amplify_emulator::{
    AuthMode, Emulator, GraphQlApiSpec, IdentityPoolSpec, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use serde_json::{Value, json};

const PASSWORD: &str = "Bench-Passw0rd!";
const CREATE: &str =
    "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }";
const LIST: &str = "query { listTodos { items { id name } } }";
/// Which child this process is (unset in the parent).
const CHILD: &str = "AMPLIFY_BENCH_CHILD";
/// The configuration document the children use.
const CONFIG: &str = "AMPLIFY_BENCH_CONFIG";
/// The encrypted file store's directory.
const STORE: &str = "AMPLIFY_BENCH_STORE";
const COLD_STARTS: usize = 15;

fn main() {
    if let Ok(child) = std::env::var(CHILD) {
        return run_child(&child);
    }
    let max_mib: Option<f64> = std::env::args()
        .skip_while(|a| a != "--max-mib")
        .nth(1)
        .map(|v| v.parse().expect("--max-mib takes a number"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mib, cold) = rt.block_on(async {
        let emulator = Emulator::builder()
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
            )
            .identity_pool(IdentityPoolSpec::new())
            .graphql_api(
                GraphQlApiSpec::sample_todo()
                    .default_mode(AuthMode::ApiKey)
                    .additional_mode(AuthMode::AmazonCognitoUserPools)
                    .additional_mode(AuthMode::AwsIam),
            )
            .start()
            .await
            .unwrap();
        let config = emulator.amplify_outputs_json();
        let store =
            std::env::temp_dir().join(format!("amplify-bench-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&store);
        let (config_for_children, store_for_children) = (config.clone(), store.clone());
        // The children run while this runtime keeps serving the emulator.
        let (mib, cold) = tokio::task::spawn_blocking(move || {
            let peak = child_line(&config_for_children, &store_for_children, "memory");
            let kib: f64 = peak
                .strip_prefix("VmHWM ")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("the memory child printed {peak:?}"));
            child_line(&config_for_children, &store_for_children, "sign-in");
            let mut starts: Vec<Duration> = (0..COLD_STARTS)
                .map(|_| {
                    let started = Instant::now();
                    let line = child_line(&config_for_children, &store_for_children, "cold-start");
                    assert_eq!(line, "ok", "the cold-start child printed {line:?}");
                    started.elapsed()
                })
                .collect();
            starts.sort();
            (kib / 1024.0, starts[starts.len() / 2])
        })
        .await
        .unwrap();
        let _ = std::fs::remove_dir_all(&store);
        (mib, cold)
    });
    let cold_ms = cold.as_secs_f64() * 1000.0;
    println!(
        "client peak RSS (VmHWM): {mib:.1} MiB (sign-in, session, GraphQL with API key, user pool and IAM; emulator in another process)"
    );
    println!(
        "cold start: {cold_ms:.1} ms from spawn to the first user-pool GraphQL response with a stored session (median of {COLD_STARTS})"
    );
    summary::row(
        "peak RSS, client process: sign-in + session + GraphQL x3 modes (MiB)",
        mib,
        None,
        "< 15 (CI fails > 20)",
    );
    summary::row(
        "cold start: spawn to first user-pool GraphQL response, stored session (ms)",
        cold_ms,
        None,
        "< 20",
    );
    if let Some(max) = max_mib
        && mib > max
    {
        eprintln!("the client's peak RSS {mib:.1} MiB is above the {max} MiB budget");
        std::process::exit(1);
    }
}

/// Runs this binary as the `kind` child and returns the first line it prints; the child must
/// then exit successfully.
fn child_line(config: &str, store: &Path, kind: &str) -> String {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, kind)
        .env(CONFIG, config)
        .env(STORE, store)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "the {kind} child failed: {status}");
    line.trim().to_owned()
}

fn run_child(kind: &str) {
    let config = std::env::var(CONFIG).unwrap();
    let store = PathBuf::from(std::env::var(STORE).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let amplify = Amplify::new();
        let storage = match kind {
            "memory" => SecureStorageFactory::in_memory(),
            _ => SecureStorageFactory::encrypted_file(&store),
        };
        let auth = CognitoAuthPlugin::builder()
            .secure_storage_factory(storage)
            .build();
        let api = ApiPlugin::new();
        amplify.add_plugin(auth.clone()).unwrap();
        amplify.add_plugin(api.clone()).unwrap();
        amplify.configure(&config).await.unwrap();
        match kind {
            "memory" => {
                sign_in(&auth).await;
                for mode in [
                    AuthorizationType::ApiKey,
                    AuthorizationType::AmazonCognitoUserPools,
                    AuthorizationType::AwsIam,
                ] {
                    for i in 0..20 {
                        let created = api
                            .mutate(CREATE)
                            .variables(json!({ "name": format!("{mode}-{i}") }))
                            .authorization_mode(mode)
                            .send::<Value>()
                            .await
                            .unwrap();
                        assert!(created.errors.is_empty(), "{mode}: {:?}", created.errors);
                    }
                    list(&api, mode).await;
                }
                println!(
                    "VmHWM {}",
                    proc_status::kib("VmHWM").expect("VmHWM in /proc/self/status")
                );
            }
            "sign-in" => {
                sign_in(&auth).await;
                println!("signed in");
            }
            "cold-start" => {
                list(&api, AuthorizationType::AmazonCognitoUserPools).await;
                println!("ok");
            }
            other => panic!("unknown child {other}"),
        }
    });
}

async fn sign_in(auth: &CognitoAuthPlugin) {
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let session = auth.fetch_auth_session().send().await;
    assert!(session.credentials.is_ok());
}

async fn list(api: &ApiPlugin, mode: AuthorizationType) {
    let listed = api
        .query(LIST)
        .authorization_mode(mode)
        .send::<Value>()
        .await
        .unwrap();
    assert!(listed.errors.is_empty(), "{mode}: {:?}", listed.errors);
}
