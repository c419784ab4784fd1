//! Workspace automation.
//!
//! - `cargo xtask codegen --config amplify_outputs.json --out src/amplify_config.rs` validates a
//!   Gen 1 or Gen 2 configuration with `amplify-config` and writes a Rust module holding it as a
//!   `const` (Amplify's `amplifyconfiguration.dart` for Rust), so a bad file fails the build step
//!   rather than `configure` at run time.
//! - `cargo xtask ci` runs the same cargo checks as `.ci/run` (fmt, clippy, tests, docs).
//! - `cargo xtask check-layout` checks that the emulator's layers only import downwards and that
//!   no source file is longer than 800 lines (see `layout.rs` for the rules and the allow-list).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod codegen;
mod layout;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => run_codegen(args.get(1..).unwrap_or_default()),
        Some("ci") => run_ci(),
        Some("check-layout") => layout::run(&workspace_root()),
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

const USAGE: &str = "usage:\n  cargo xtask codegen --config <amplify_outputs.json|amplifyconfiguration.json> --out <file.rs>\n  cargo xtask ci\n  cargo xtask check-layout";

/// The workspace root: the parent of the xtask crate.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[allow(clippy::print_stderr)] // A command-line tool reports on stderr.
fn report(message: &str) {
    eprintln!("{message}");
}

fn run_codegen(args: &[String]) -> Result<String, String> {
    let mut config = None;
    let mut out = None;
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        match flag.as_str() {
            "--config" => config = iter.next().map(PathBuf::from),
            "--out" => out = iter.next().map(PathBuf::from),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let (Some(config), Some(out)) = (config, out) else {
        return Err(USAGE.to_owned());
    };
    let json = std::fs::read_to_string(&config)
        .map_err(|e| format!("cannot read {}: {e}", config.display()))?;
    let source_name = config
        .file_name()
        .map_or_else(|| "config".into(), |n| n.to_string_lossy().into_owned());
    let module = codegen::generate(&json, &source_name).map_err(|e| {
        format!(
            "{} is not a valid Amplify configuration: {e}\n{}",
            config.display(),
            e.recovery_suggestion().unwrap_or_default()
        )
    })?;
    write_if_changed(&out, &module)?;
    Ok(format!("wrote {}", out.display()))
}

fn write_if_changed(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
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
