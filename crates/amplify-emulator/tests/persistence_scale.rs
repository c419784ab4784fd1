//! The data directory at 1,000 users: they all survive a restart, and the test prints what
//! persistence costs (per write and per read-only transaction, against the in-memory store)
//! and how long a start with 1,000 stored users takes. The figures are printed, not asserted:
//! timing depends on the machine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    clippy::disallowed_methods
)]

mod common;

use std::time::{Duration, Instant};

use amplify_emulator::*;
use serde_json::json;

const USERS: usize = 1000;
const POOL_ID: &str = "us-east-1_Scale1";

fn builder() -> EmulatorBuilder {
    Emulator::builder().user_pool(UserPoolSpec::new("us-east-1").id(POOL_ID))
}

/// Runs `operation` for each of `requests` and returns the mean time per call.
fn mean_time(emu: &EmulatorHandle, operation: &str, requests: &[serde_json::Value]) -> Duration {
    let started = Instant::now();
    for request in requests {
        emu.backend()
            .call(operation, request)
            .unwrap_or_else(|e| panic!("{operation}: {e}"));
    }
    started.elapsed() / u32::try_from(requests.len()).unwrap()
}

fn creates() -> Vec<serde_json::Value> {
    (0..USERS)
        .map(|i| {
            json!({"UserPoolId": POOL_ID, "Username": format!("user{i:04}"),
                   "TemporaryPassword": "Temp-Passw0rd!", "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": format!("user{i}@example.com")}]})
        })
        .collect()
}

fn updates() -> Vec<serde_json::Value> {
    (0..200)
        .map(|i| {
            json!({"UserPoolId": POOL_ID, "Username": format!("user{:04}", i * 5),
                   "UserAttributes": [{"Name": "name", "Value": format!("Name {i}")}]})
        })
        .collect()
}

fn reads() -> Vec<serde_json::Value> {
    (0..200)
        .map(|i| json!({"UserPoolId": POOL_ID, "Username": format!("user{:04}", i * 5)}))
        .collect()
}

#[tokio::test]
async fn a_thousand_users_survive_a_restart_and_the_costs_are_printed() {
    let (creates, updates, reads) = (creates(), updates(), reads());

    let memory = builder().start().await.unwrap();
    let create_memory = mean_time(&memory, "AdminCreateUser", &creates);
    let update_memory = mean_time(&memory, "AdminUpdateUserAttributes", &updates);
    let read_memory = mean_time(&memory, "AdminGetUser", &reads);
    memory.shutdown().await.unwrap();

    let dir = common::temp_dir("scale");
    let persisted = builder().data_dir(&dir).start().await.unwrap();
    let create_persisted = mean_time(&persisted, "AdminCreateUser", &creates);
    let update_persisted = mean_time(&persisted, "AdminUpdateUserAttributes", &updates);
    let read_persisted = mean_time(&persisted, "AdminGetUser", &reads);
    persisted.shutdown().await.unwrap();

    let started = Instant::now();
    let restarted = builder().data_dir(&dir).start().await.unwrap();
    let startup = started.elapsed();
    let listed = restarted
        .backend()
        .call("ListUsers", &json!({"UserPoolId": POOL_ID}))
        .unwrap();
    assert_eq!(listed["Users"].as_array().unwrap().len(), USERS);
    let user = restarted
        .backend()
        .call(
            "AdminGetUser",
            &json!({"UserPoolId": POOL_ID, "Username": "user0995"}),
        )
        .unwrap();
    let name = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "name")
        .map(|a| a["Value"].clone());
    assert_eq!(name, Some(json!("Name 199")), "{user}");
    restarted.shutdown().await.unwrap();

    let started = Instant::now();
    builder().start().await.unwrap().shutdown().await.unwrap();
    let startup_memory = started.elapsed();
    let size = std::fs::metadata(dir.join("emulator.sqlite3"))
        .unwrap()
        .len()
        + std::fs::metadata(dir.join("emulator.sqlite3-wal")).map_or(0, |m| m.len());

    println!("per call, in memory -> with --data-dir, {USERS} users in the pool:");
    println!("  AdminCreateUser (growing to {USERS}): {create_memory:?} -> {create_persisted:?}");
    println!("  AdminUpdateUserAttributes:            {update_memory:?} -> {update_persisted:?}");
    println!("  AdminGetUser (read-only):             {read_memory:?} -> {read_persisted:?}");
    println!("start with {USERS} stored users: {startup:?} (empty, in memory: {startup_memory:?})");
    println!("database and WAL: {} KiB", size / 1024);
    let _ = std::fs::remove_dir_all(&dir);
}
