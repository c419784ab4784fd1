//! Workspace automation.
//!
//! - `cargo xtask codegen config amplify_outputs.json --out src/amplify_config.rs` validates a
//!   Gen 1 or Gen 2 configuration with `amplify-config` and writes a Rust module with the
//!   document, the parsed `AmplifyConfig` and typed API names and authorization modes
//!   (amplify-codegen's `ConfigModule`), so a bad file fails the build step rather than
//!   `configure` at run time. The older `codegen --config <file> --out <file.rs>` form does the
//!   same.
//! - `cargo xtask codegen models schema.graphql --out src/` writes `models.rs` (serde types,
//!   filter inputs, request builders for amplify-api) and `schema.appsync.graphql` (the AppSync
//!   schema the data schema becomes) into the folder (amplify-codegen's `ModelsModule`).
//! - `cargo xtask codegen models --endpoint <graphql url> --api-key <key> --out src/` does the
//!   same from a running API's introspection (AppSync or the emulator).
//! - `cargo xtask codegen snapshots` regenerates amplify-codegen's checked-in snapshots.
//! - `cargo xtask ci` runs the same cargo checks as `.ci/run` (fmt, clippy, tests, docs).
//! - `cargo xtask check-layout` checks that the emulator's layers only import downwards and that
//!   no source file is longer than 800 lines (see `layout.rs` for the rules and the allow-list).
//! - `cargo xtask fuzz <target> --seconds N` builds and runs one `fuzz/` target (`fuzz.rs`).
//! - `cargo xtask bench [--memory-only]` runs the API and sign-in benches in release and writes
//!   one summary table to `docs/performance.md` (see `bench.rs`).
//! - `cargo xtask minimal-app [--clean]` builds the smallest useful app (auth + api, default
//!   features) in release from its own target directory and reports build time, crates compiled
//!   and binary size (see `minimal_app.rs`).
//! - `cargo xtask docs troubleshooting [--check]` writes (or checks) `docs/troubleshooting.md`
//!   from every error's recovery suggestion in the source (`troubleshooting.rs`).
//! - `cargo xtask check-links` checks every relative link and anchor of the guide and the
//!   READMEs (`links.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod codegen;
mod fuzz;
mod layout;
mod links;
mod minimal_app;
mod troubleshooting;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(args.get(1..).unwrap_or_default()),
        Some("ci") => run_ci(),
        Some("check-layout") => layout::run(&workspace_root()),
        Some("fuzz") => fuzz::run(&workspace_root(), args.get(1..).unwrap_or_default()),
        Some("bench") => bench::run(&workspace_root(), args.get(1..).unwrap_or_default()),
        Some("minimal-app") => {
            minimal_app::run(&workspace_root(), args.get(1..).unwrap_or_default())
        }
        Some("docs") => match args.get(1).map(String::as_str) {
            Some("troubleshooting") => {
                troubleshooting::run(&workspace_root(), args.get(2..).unwrap_or_default())
            }
            _ => Err(USAGE.to_owned()),
        },
        Some("check-links") => links::run(&workspace_root()),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(message) => {
            report(&message);
            ExitCode::SUCCESS
        }
        Err(message) => {
            report(&message);
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage:\n  cargo xtask codegen config <amplify_outputs.json|amplifyconfiguration.json> --out <file.rs>\n  cargo xtask codegen models <schema.graphql> --out <dir>\n  cargo xtask codegen models --endpoint <graphql url> --api-key <key> --out <dir>\n  cargo xtask codegen snapshots\n  cargo xtask ci\n  cargo xtask check-layout\n  cargo xtask fuzz <target> [--seconds N]\n  cargo xtask bench [--memory-only]\n  cargo xtask minimal-app [--clean]\n  cargo xtask docs troubleshooting [--check]\n  cargo xtask check-links";

/// The workspace root: the parent of the xtask crate.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[allow(clippy::print_stderr)] // A command-line tool reports on stderr.
fn report(message: &str) {
    eprintln!("{message}");
}

/// A cargo invocation and an optional environment variable for it.
type Step = (
    &'static [&'static str],
    Option<(&'static str, &'static str)>,
);

fn run_ci() -> Result<String, String> {
    let steps: [Step; 4] = [
        (&["fmt", "--all", "--check"], None),
        (
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
            None,
        ),
        (&["test", "--workspace"], None),
        (
            &["doc", "--workspace", "--no-deps"],
            Some(("RUSTDOCFLAGS", "-D warnings")),
        ),
    ];
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for (args, env) in steps {
        report(&format!("==> cargo {}", args.join(" ")));
        let mut command = Command::new(&cargo);
        command.args(args);
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        let status = command
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("cargo {} failed ({status})", args.join(" ")));
        }
    }
    Ok("all checks passed".to_owned())
}
