//! Crash safety of the stored session (issue 15): a child process signs in, refreshes (with
//! refresh-token rotation) and signs out in a loop against the emulator, on the encrypted file
//! store; the parent kills it with SIGKILL at a point drawn from its progress, then loads the
//! store as a new process would. Every run must load a whole session (old or new: the ID and
//! access tokens from the same issue) or none, never an error, and a loaded session must refresh.
//!
//! The child announces each operation before it starts it; the parent kills it 0 to 2 ms after
//! one such announcement, and keeps going until sign-in, refresh and sign-out have each been
//! interrupted `AMPLIFY_CRASH_RUNS` times (default 25 in CI; 200 for the full run).
//!
//! A `harness = false` test binary: the child is this binary started again with an environment
//! variable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs
)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use amplify_auth_cognito::{AuthError, CognitoAuthPlugin};
use amplify_core::Amplify;
use amplify_emulator::{AppClientSpec, Emulator, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;

const ROLE: &str = "AMPLIFY_CRASH_CHILD";
const DIR: &str = "AMPLIFY_CRASH_DIR";
const CONFIG: &str = "AMPLIFY_CRASH_CONFIG";
const PASSWORD: &str = "Correct-Horse-9";

fn main() {
    if std::env::var_os(ROLE).is_some() {
        child();
        return;
    }
    amplify_core::test_util::run_single_test(
        "a_session_killed_at_any_point_loads_whole_or_not_at_all",
        sessions_survive_sigkill,
    );
}

async fn plugin(config: &str, dir: &str) -> (Amplify, CognitoAuthPlugin) {
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::encrypted_file(dir))
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify.configure(config).await.unwrap();
    (amplify, auth)
}

/// The child: sign in, refresh, refresh, sign out, forever; `begin <op>` before each operation
/// and `step <n>` after it.
fn child() {
    let dir = std::env::var(DIR).unwrap();
    let config = std::env::var(CONFIG).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (_amplify, auth) = plugin(&config, &dir).await;
        let mut step = 0u64;
        loop {
            if !auth.fetch_auth_session().send().await.is_signed_in {
                println!("begin sign-in");
                let _ = auth
                    .sign_in()
                    .username("alice")
                    .password(PASSWORD)
                    .send()
                    .await;
            } else if step % 4 == 3 {
                println!("begin sign-out");
                let _ = auth.sign_out().send().await;
            } else {
                println!("begin refresh");
                let _ = auth.fetch_auth_session().force_refresh(true).send().await;
            }
            step += 1;
            println!("step {step}");
        }
    });
}

fn sessions_survive_sigkill() {
    let runs: u64 = std::env::var("AMPLIFY_CRASH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(25);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let emulator = rt.block_on(async {
        Emulator::builder()
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .client(
                        AppClientSpec::new()
                            .refresh_token_rotation(true)
                            .rotation_grace_period(Duration::from_secs(60)),
                    )
                    .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
            )
            .start()
            .await
            .unwrap()
    });
    let config = emulator.amplify_outputs_json();
    let dir = std::env::temp_dir().join(format!("amplify-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir_text = dir.to_string_lossy().into_owned();
    let (mut signed_in, mut signed_out) = (0u64, 0u64);
    // Kills during each operation: sign-in, refresh, sign-out.
    let mut during = [0u64; 3];
    let ops = ["sign-in", "refresh", "sign-out"];
    let mut run = 0u64;
    while during.iter().any(|&n| n < runs) {
        assert!(
            run < runs * 12,
            "{run} kills and still not {runs} during each operation: {during:?}"
        );
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(ROLE, "1")
            .env(DIR, &dir)
            .env(CONFIG, &config)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        // Kill 0 to 2 ms after the start of the k-th operation, k drawn from the run number
        // (which operation that is depends on what the previous run left stored).
        let wait_for = 1 + run * 7 % 9;
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut begun = 0;
        let mut in_flight = None;
        while begun < wait_for {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(op) = line.strip_prefix("begin ") {
                begun += 1;
                in_flight = ops.iter().position(|o| *o == op);
            }
        }
        // Not a synchronisation: where in the operation the kill lands.
        std::thread::sleep(Duration::from_micros(run * 613 % 2_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if let Some(i) = in_flight {
            during[i] += 1;
        }
        run += 1;

        let loaded = rt.block_on(async {
            let (_amplify, auth) = plugin(&config, &dir_text).await;
            let session = auth.fetch_auth_session().send().await;
            match &session.user_pool_tokens {
                Ok(tokens) => {
                    let id = tokens.id_token.claims();
                    let access = tokens.access_token.claims();
                    assert_eq!(id.sub(), access.sub(), "run {run}: tokens of two users");
                    assert_eq!(
                        id.number("iat"),
                        access.number("iat"),
                        "run {run}: the ID and access tokens are from different issues (a mix)"
                    );
                    // The session refreshes, unless the kill interrupted a sign-out after
                    // RevokeToken: then Cognito refuses the revoked token and the session ends
                    // cleanly (SessionExpired, then signed out), as it must.
                    let refreshed = auth.fetch_auth_session().force_refresh(true).send().await;
                    match &refreshed.user_pool_tokens {
                        Ok(_) => {}
                        Err(AuthError::SessionExpired(e))
                            if e.cause().and_then(AuthError::service_kind)
                                == Some(amplify_auth_cognito::ServiceErrorKind::NotAuthorized) =>
                        {
                            assert!(!auth.fetch_auth_session().send().await.is_signed_in);
                        }
                        other => panic!("run {run}: a loaded session must refresh: {other:?}"),
                    }
                    true
                }
                Err(AuthError::SignedOut) => false,
                Err(other) => panic!("run {run}: the stored session did not load: {other:?}"),
            }
        });
        if loaded {
            signed_in += 1;
        } else {
            signed_out += 1;
        }
    }
    println!(
        "{run} SIGKILLs ({} during sign-in, {} during refresh, {} during sign-out): {signed_in} loaded signed in, {signed_out} signed out, 0 errors",
        during[0], during[1], during[2]
    );
    let _ = std::fs::remove_dir_all(&dir);
    drop(emulator);
}
