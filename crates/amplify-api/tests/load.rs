//! Load (issue 15): many users, each with its own Amplify, auth plugin and API plugin, sign in
//! with SRP against one emulator and then, until the time is up, force a refresh (rotating
//! refresh token + identity-pool credentials), create a todo with their user pool token and read
//! it back with SigV4-signed identity-pool credentials, then delete it (so the emulator's table
//! stays small). Every call must succeed and every user must end signed in; the figures
//! (operations, p50/p99 per step) are printed.
//!
//! Memory: the users run in this process and the emulator in a child process of its own (this
//! binary started again with an environment variable), so the figure is the client's alone. This
//! process's resident memory is sampled every 250 ms: once every user has finished a first round
//! (warm-up) it must stay flat, its peak in the later half of those samples at most 25% above the
//! earlier half's. The emulator's resident memory is printed beside it, not asserted: it keeps
//! every rotated-out refresh token (Cognito answers a reused one with
//! `RefreshTokenReuseException`, not "invalid"), so it grows with the number of refreshes.
//!
//! CI runs a short load (20 users, 5 s). The full run:
//! `AMPLIFY_LOAD_USERS=200 AMPLIFY_LOAD_SECONDS=60 cargo test --release -p amplify-api --test load -- --nocapture`.
//!
//! A `harness = false` test binary (its own `main`), because the emulator child is this binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs,
    // Wall-clock latencies of a real-time load run are the point of this test.
    clippy::disallowed_methods
)]

#[path = "common/proc_status.rs"]
mod proc_status;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use amplify_api::ApiPlugin;
use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::{Amplify, AuthorizationType};
use amplify_emulator::{
    AuthMode, Emulator, GraphQlApiSpec, IdentityPoolSpec, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use serde_json::{Value, json};

const PASSWORD: &str = "Load-Test-Passw0rd!";
/// Set in the emulator child: how many users its pool has.
const EMULATOR_ROLE: &str = "AMPLIFY_LOAD_EMULATOR_USERS";
const NAME: &str = "users_sign_in_refresh_and_call_graphql_concurrently";

fn main() {
    if let Ok(users) = std::env::var(EMULATOR_ROLE) {
        emulator_process(users.parse().expect("a number of users"));
        return;
    }
    amplify_core::test_util::run_single_test(NAME, || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(users_sign_in_refresh_and_call_graphql_concurrently());
    });
}

/// The child: serves the emulator, prints its configuration document on one line, and stops
/// when its standard input closes (the parent finished, or died).
fn emulator_process(users: u64) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let emulator = rt.block_on(emulator(users));
    println!("{}", emulator.amplify_outputs_json());
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    rt.block_on(emulator.shutdown()).unwrap();
}

/// The emulator child, killed if the parent fails before it closes the child's input.
struct EmulatorChild(Child);

impl EmulatorChild {
    /// Starts the child and reads its configuration document.
    fn start(users: u64) -> (Self, String) {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(EMULATOR_ROLE, users.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let child = Self(child);
        let mut config = String::new();
        BufReader::new(stdout).read_line(&mut config).unwrap();
        assert!(
            config.starts_with('{'),
            "the emulator child printed {config:?}"
        );
        (child, config)
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Closes its input and waits for it to stop by itself.
    fn stop(mut self) {
        drop(self.0.stdin.take());
        let status = self.0.wait().unwrap();
        assert!(status.success(), "the emulator child ended with {status}");
    }
}

impl Drop for EmulatorChild {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, got {value:?}")),
        Err(_) => default,
    }
}

async fn emulator(users: u64) -> amplify_emulator::EmulatorHandle {
    let mut pool = UserPoolSpec::new("us-east-1");
    for i in 0..users {
        pool = pool.user(
            UserSpec::new(format!("user{i}"), PASSWORD).email(format!("user{i}@example.com")),
        );
    }
    Emulator::builder()
        .user_pool(pool)
        .identity_pool(IdentityPoolSpec::new())
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam),
        )
        .start()
        .await
        .unwrap()
}

#[derive(Default)]
struct Timings {
    sign_in: Vec<Duration>,
    refresh: Vec<Duration>,
    create_user_pool: Vec<Duration>,
    get_iam: Vec<Duration>,
    delete: Vec<Duration>,
}

async fn user(index: u64, config: String, deadline: Instant, warmed: Arc<AtomicU64>) -> Timings {
    let amplify = Amplify::builder().build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let api = ApiPlugin::new();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify.add_plugin(api.clone()).unwrap();
    amplify.configure(&config).await.unwrap();
    let mut timings = Timings::default();

    let started = Instant::now();
    let result = auth
        .sign_in()
        .username(format!("user{index}"))
        .password(PASSWORD)
        .send()
        .await
        .unwrap_or_else(|e| panic!("user{index} sign-in: {e}"));
    assert!(result.is_signed_in, "user{index}: {:?}", result.next_step);
    timings.sign_in.push(started.elapsed());

    let mut round = 0u64;
    loop {
        let started = Instant::now();
        let session = auth.fetch_auth_session().force_refresh(true).send().await;
        assert!(session.is_signed_in, "user{index} round {round}");
        if let Err(e) = &session.user_pool_tokens {
            panic!("user{index} round {round} refresh: {e}");
        }
        if let Err(e) = &session.credentials {
            panic!("user{index} round {round} credentials: {e}");
        }
        timings.refresh.push(started.elapsed());

        let name = format!("user{index}-{round}");
        let started = Instant::now();
        let created = api
            .mutate(
                "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }",
            )
            .variables(json!({"name": name}))
            .send::<Value>()
            .await
            .unwrap_or_else(|e| panic!("user{index} round {round} create: {e}"));
        assert!(created.errors.is_empty(), "{:?}", created.errors);
        timings.create_user_pool.push(started.elapsed());
        let id = created.data.unwrap()["createTodo"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        let started = Instant::now();
        let got = api
            .query("query Get($id: ID!) { getTodo(id: $id) { id name } }")
            .variables(json!({"id": id}))
            .authorization_mode(AuthorizationType::AwsIam)
            .send::<Value>()
            .await
            .unwrap_or_else(|e| panic!("user{index} round {round} get: {e}"));
        assert!(got.errors.is_empty(), "{:?}", got.errors);
        assert_eq!(got.data.unwrap()["getTodo"]["name"], name);
        timings.get_iam.push(started.elapsed());

        let started = Instant::now();
        let deleted = api
            .mutate("mutation Delete($id: ID!) { deleteTodo(input: {id: $id}) { id } }")
            .variables(json!({"id": id}))
            .send::<Value>()
            .await
            .unwrap_or_else(|e| panic!("user{index} round {round} delete: {e}"));
        assert!(deleted.errors.is_empty(), "{:?}", deleted.errors);
        timings.delete.push(started.elapsed());

        if round == 0 {
            warmed.fetch_add(1, Ordering::SeqCst);
        }
        round += 1;
        if Instant::now() >= deadline {
            break;
        }
    }

    // Still signed in, with the last rotated refresh token in storage.
    let session = auth.fetch_auth_session().send().await;
    assert!(
        session.is_signed_in && session.user_pool_tokens.is_ok(),
        "user{index}"
    );
    timings
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(step: &str, mut samples: Vec<Duration>, seconds: f64) {
    samples.sort_unstable();
    println!(
        "{step:<28} {:>7} ops {:>8.1}/s  p50 {:>8.2?}  p99 {:>8.2?}  max {:>8.2?}",
        samples.len(),
        samples.len() as f64 / seconds,
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or_default(),
    );
}

async fn users_sign_in_refresh_and_call_graphql_concurrently() {
    let users = env_number("AMPLIFY_LOAD_USERS", 20);
    let seconds = env_number("AMPLIFY_LOAD_SECONDS", 5);
    assert!(users > 0, "AMPLIFY_LOAD_USERS must be at least 1");
    let (emulator, config) = EmulatorChild::start(users);
    let emulator_pid = emulator.pid();

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    // Users that finished their first round; samples count once all have.
    let warmed = Arc::new(AtomicU64::new(0));
    let sampler = tokio::spawn({
        let warmed = Arc::clone(&warmed);
        async move {
            let mut samples = Vec::new();
            let mut emulator_samples = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            while Instant::now() < deadline {
                tick.tick().await;
                if warmed.load(Ordering::SeqCst) == users {
                    samples.push(proc_status::kib("VmRSS").unwrap_or(0));
                    emulator_samples.push(proc_status::kib_of(emulator_pid, "VmRSS").unwrap_or(0));
                }
            }
            (samples, emulator_samples)
        }
    });
    let tasks: Vec<_> = (0..users)
        .map(|i| tokio::spawn(user(i, config.clone(), deadline, Arc::clone(&warmed))))
        .collect();
    let mut all = Timings::default();
    for task in tasks {
        // A panic inside a user (any failed call) fails the test here with its message.
        let timings = task.await.unwrap();
        all.sign_in.extend(timings.sign_in);
        all.refresh.extend(timings.refresh);
        all.create_user_pool.extend(timings.create_user_pool);
        all.get_iam.extend(timings.get_iam);
        all.delete.extend(timings.delete);
    }
    let elapsed = started.elapsed().as_secs_f64();

    assert_eq!(all.sign_in.len() as u64, users);
    assert!(all.refresh.len() as u64 >= users);
    assert_eq!(all.create_user_pool.len(), all.get_iam.len());
    println!("load: {users} users for {seconds} s (wall {elapsed:.1} s), 0 failed calls");
    report("SRP sign-in", all.sign_in, elapsed);
    report("forced refresh + creds", all.refresh, elapsed);
    report("createTodo (user pool)", all.create_user_pool, elapsed);
    report("getTodo (IAM)", all.get_iam, elapsed);
    report("deleteTodo (user pool)", all.delete, elapsed);

    // Memory: flat after warm-up.
    let (samples, emulator_samples) = sampler.await.unwrap();
    emulator.stop();
    assert!(
        samples.len() >= 2,
        "too few memory samples after warm-up ({}): run longer",
        samples.len()
    );
    let (earlier, later) = samples.split_at(samples.len() / 2);
    let earlier_peak = earlier.iter().copied().max().unwrap_or(0);
    let later_peak = later.iter().copied().max().unwrap_or(0);
    println!(
        "client resident memory after warm-up: {:.1} MiB peak in the earlier half, {:.1} MiB in the later half ({} samples)",
        earlier_peak as f64 / 1024.0,
        later_peak as f64 / 1024.0,
        samples.len()
    );
    let (first, last) = (
        emulator_samples.first().copied().unwrap_or(0),
        emulator_samples.last().copied().unwrap_or(0),
    );
    println!(
        "emulator process (not asserted): {:.1} MiB after warm-up, {:.1} MiB at the end",
        first as f64 / 1024.0,
        last as f64 / 1024.0
    );
    assert!(
        later_peak * 4 <= earlier_peak * 5,
        "memory grew after warm-up: {earlier_peak} KiB -> {later_peak} KiB"
    );
}
