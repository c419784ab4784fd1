//! `cargo xtask minimal-app [--clean]`: the size and build time of the smallest useful app on
//! amplify-rs (issue 20). It writes a crate outside the workspace to `target/minimal-app/`:
//! `amplify-auth-cognito` without its `browser` feature and `amplify-api` without its `realtime`
//! feature (the app neither opens a browser nor subscribes), `tokio` with a current-thread
//! runtime; `main` configures from an `amplify_outputs.json`, signs in with SRP and
//! runs one GraphQL query. It builds it in release (stripped) with a target directory of its
//! own, emptied first with `--clean`, and reports the wall time of the build, how many crates it
//! compiled, and the binary's size.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const MAIN: &str = r#"//! The smallest useful amplify-rs app (written by `cargo xtask minimal-app`).
//! Usage: minimal-app <amplify_outputs.json> <username> <password>

use amplify_api::ApiPlugin;
use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::Amplify;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: minimal-app <amplify_outputs.json> <username> <password>";
    let config = std::fs::read_to_string(args.next().ok_or(usage)?)?;
    let (username, password) = (args.next().ok_or(usage)?, args.next().ok_or(usage)?);
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder().build();
    let api = ApiPlugin::new();
    amplify.add_plugin(auth.clone())?;
    amplify.add_plugin(api.clone())?;
    amplify.configure(&config).await?;
    auth.sign_in().username(username).password(password).send().await?;
    let response = api
        .query("query { listTodos { items { id name } } }")
        .send::<serde_json::Value>()
        .await?;
    println!("{}", response.data.unwrap_or_default());
    Ok(())
}
"#;

/// Writes, builds and measures the app.
// The wall time of a build is what this measures.
#[allow(clippy::disallowed_methods)]
pub(crate) fn run(root: &Path, args: &[String]) -> Result<String, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot resolve the workspace root: {e}"))?;
    let dir = root.join("target").join("minimal-app");
    let target = dir.join("target");
    if args.iter().any(|a| a == "--clean") {
        match std::fs::remove_dir_all(&target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot empty {target:?}: {e}")),
        }
    }
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("cannot create {dir:?}: {e}"))?;
    let crates = root.join("crates");
    let manifest = format!(
        r#"[package]
name = "minimal-app"
version = "0.0.0"
edition = "2024"
publish = false

# Not a member of the amplify-rs workspace.
[workspace]

[dependencies]
amplify-core = {{ path = "{core}" }}
amplify-auth-cognito = {{ path = "{auth}", default-features = false }}
amplify-api = {{ path = "{api}", default-features = false }}
tokio = {{ version = "1", features = ["rt", "macros"] }}
serde_json = "1"

[profile.release]
strip = true
"#,
        core = crates.join("amplify-core").display(),
        auth = crates.join("amplify-auth-cognito").display(),
        api = crates.join("amplify-api").display(),
    );
    write(&dir.join("Cargo.toml"), &manifest)?;
    write(&dir.join("src").join("main.rs"), MAIN)?;
    // The workspace's lock file, so the app builds the versions the workspace tests.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let started = Instant::now();
    let output = Command::new(&cargo)
        .args(["build", "--release", "--message-format=json"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(format!(
            "building the minimal app failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // Crates compiled now (not fresh from an earlier build), from cargo's JSON messages.
    let messages = String::from_utf8_lossy(&output.stdout);
    let compiled = messages
        .lines()
        .filter(|l| l.contains(r#""reason":"compiler-artifact""#) && l.contains(r#""fresh":false"#))
        .count();
    let binary = target.join("release").join("minimal-app");
    let size = std::fs::metadata(&binary)
        .map_err(|e| format!("cannot read {binary:?}: {e}"))?
        .len();
    Ok(format!(
        "minimal app ({}): release build {seconds:.0} s wall, {compiled} crates compiled, binary {:.1} MB stripped",
        dir.display(),
        size as f64 / 1e6
    ))
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("cannot write {path:?}: {e}"))
}
