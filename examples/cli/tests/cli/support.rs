//! An emulator in the test process, its configuration written to a file, and the built
//! `amplify-rs` binary run against it with a private encrypted-file session store.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use amplify_emulator::{
    AuthMode, Emulator, EmulatorBuilder, EmulatorHandle, GraphQlApiSpec, IdentityPoolSpec,
    RestApiSpec, UserPoolSpec, UserSpec,
};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

pub(crate) const PASSWORD: &str = "Cli-Passw0rd!";

/// How long any one CLI run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// The built binary.
pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_amplify-rs")
}

/// The default backend: one pool with alice (confirmed, email) and bob's group, an identity
/// pool with guests, the sample Todo API (API key, user pools, IAM) and an IAM REST API.
pub(crate) fn default_backend(pool: UserPoolSpec) -> EmulatorBuilder {
    Emulator::builder()
        .user_pool(pool.user(UserSpec::new("alice", PASSWORD).email("alice@example.com")))
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam),
        )
        .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam))
}

/// A running emulator and the files the CLI uses.
pub(crate) struct Env {
    pub(crate) emu: EmulatorHandle,
    pub(crate) dir: tempfile::TempDir,
    config: PathBuf,
    storage: PathBuf,
}

/// The outcome of one run.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// stdout as one JSON document.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:?}"))
    }

    /// The `--json` error object on stderr (its last line).
    pub(crate) fn error(&self) -> Value {
        let line = self.stderr.trim().lines().last().unwrap_or_default();
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stderr's last line is not JSON ({e}): {self:?}"));
        value["error"].clone()
    }

    /// Asserts the exit code, showing the output when it differs.
    pub(crate) fn expect(self, code: i32) -> Self {
        assert_eq!(self.code, code, "unexpected exit code: {self:?}");
        self
    }
}

impl Env {
    /// The default backend.
    pub(crate) async fn start() -> Env {
        Env::with(default_backend(UserPoolSpec::new("us-east-1"))).await
    }

    /// A backend of the caller's, its Gen 2 configuration written as `amplify_outputs.json`.
    pub(crate) async fn with(builder: EmulatorBuilder) -> Env {
        let emu = builder.start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("amplify_outputs.json");
        std::fs::write(&config, emu.amplify_outputs_json()).unwrap();
        let storage = dir.path().join("session");
        Env {
            emu,
            dir,
            config,
            storage,
        }
    }

    /// The configuration file.
    pub(crate) fn config(&self) -> &Path {
        &self.config
    }

    /// `amplify-rs --config <file> --storage-dir <dir> <args>`, without colour.
    pub(crate) fn command(&self, args: &[&str]) -> tokio::process::Command {
        self.command_with(&self.config, args)
    }

    /// As [`command`](Self::command) with another configuration file.
    pub(crate) fn command_with(&self, config: &Path, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(binary());
        command
            .arg("--config")
            .arg(config)
            .arg("--storage-dir")
            .arg(&self.storage)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("AMPLIFY_RS_CONFIG")
            .env_remove("AMPLIFY_RS_STORAGE_DIR")
            .env("NO_COLOR", "1")
            .kill_on_drop(true);
        command
    }

    /// Runs the CLI with `stdin` as its standard input.
    pub(crate) async fn run(&self, args: &[&str], stdin: &str) -> Run {
        run(self.command(args), stdin).await
    }

    /// Signs alice in (`--password-stdin`).
    pub(crate) async fn sign_in_alice(&self) {
        self.run(
            &["--json", "sign-in", "alice", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .expect(0);
    }
}

/// Runs `command` with `stdin` and collects its output.
pub(crate) async fn run(mut command: tokio::process::Command, stdin: &str) -> Run {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    finish(child).await
}

async fn finish(child: tokio::process::Child) -> Run {
    let output = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
        .await
        .expect("the CLI did not finish in time")
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Env {
    /// Runs `sign-in <args>` with `first` on standard input, then the next code the emulator
    /// sends to `who` as the following line; returns the run.
    pub(crate) async fn sign_in_with_code(&self, args: &[&str], first: &str, who: &str) -> Run {
        let mut command = self.command(&[&["--json", "sign-in"], args].concat());
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(first.as_bytes()).await.unwrap();
        // The code is sent once the answers so far were accepted; then answer its prompt.
        let code = code_for(&self.emu, who).await;
        stdin
            .write_all(format!("{code}\n").as_bytes())
            .await
            .unwrap();
        drop(stdin);
        finish(child).await
    }
}

/// The next code the emulator sent to `who`, within a deadline.
pub(crate) async fn code_for(emu: &EmulatorHandle, who: &str) -> String {
    tokio::time::timeout(Duration::from_secs(20), emu.outbox().next_code_for(who))
        .await
        .expect("no code was sent in time")
}
