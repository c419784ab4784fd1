//! Peak memory of a release process that signs in against the in-process emulator, fetches the
//! session and runs GraphQL in three authorization modes (API key, user pool, IAM): it prints
//! `VmHWM` from `/proc/self/status` (the emulator runs in the same process and is counted).
//!
//! Run with `cargo bench -p amplify-api --bench memory`; with `--max-mib N` it exits non-zero
//! above N MiB (`.ci/run` uses 20). A summary row goes to `$AMPLIFY_BENCH_SUMMARY` when set.
#![allow(
    missing_docs,
    unreachable_pub,
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss
)]

#[path = "support/summary.rs"]
mod summary;

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

fn main() {
    let max_mib: Option<f64> = std::env::args()
        .skip_while(|a| a != "--max-mib")
        .nth(1)
        .map(|v| v.parse().expect("--max-mib takes a number"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
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
        let amplify = Amplify::new();
        let auth = CognitoAuthPlugin::builder()
            .secure_storage_factory(SecureStorageFactory::in_memory())
            .build();
        let api = ApiPlugin::new();
        amplify.add_plugin(auth.clone()).unwrap();
        amplify.add_plugin(api.clone()).unwrap();
        amplify
            .configure(&emulator.amplify_outputs_json())
            .await
            .unwrap();
        auth.sign_in()
            .username("alice")
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
        let session = auth.fetch_auth_session().send().await;
        assert!(session.credentials.is_ok());
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
            let listed = api
                .query(LIST)
                .authorization_mode(mode)
                .send::<Value>()
                .await
                .unwrap();
            assert!(listed.errors.is_empty(), "{mode}: {:?}", listed.errors);
        }
    });
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    let mib = kib / 1024.0;
    println!(
        "peak RSS (VmHWM): {mib:.1} MiB (sign-in, session, GraphQL with API key, user pool and IAM; emulator in process)"
    );
    summary::row(
        "peak RSS: sign-in + session + GraphQL x3 modes (MiB)",
        mib,
        None,
        "< 15 (CI fails > 20)",
    );
    if let Some(max) = max_mib
        && mib > max
    {
        eprintln!("peak RSS {mib:.1} MiB is above the {max} MiB budget");
        std::process::exit(1);
    }
}
