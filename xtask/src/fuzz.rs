//! `cargo xtask fuzz <target> --seconds N`: builds one of `fuzz/`'s cargo-fuzz targets and runs
//! it for N seconds, without needing `cargo fuzz` installed.
//!
//! The build is what `cargo fuzz run <target> --sanitizer none` does: a release build of the
//! fuzz crate for the host target with libFuzzer's coverage instrumentation (SanitizerCoverage
//! inline 8-bit counters, PC table and comparison tracing), `--cfg fuzzing`, debug assertions and
//! overflow checks. `RUSTC_BOOTSTRAP=1` lets a stable toolchain build it, as `fuzz/README.md`
//! says. The corpus is `fuzz/corpus/<target>` (created if missing), started from the committed
//! seeds in `fuzz/seeds/<target>` when there are any; crashes land in `fuzz/artifacts/<target>/`.
//! Fails if the build fails, the target crashes, or libFuzzer does not report its executions.
//!
//! `cargo xtask fuzz all --seconds N` builds every target in one cargo run and runs each for N
//! seconds (what `.ci/run` does, briefly).

use std::path::Path;
use std::process::Command;

const RUSTFLAGS: &str = "-Cpasses=sancov-module \
    -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
    -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares \
    --cfg fuzzing -Cdebug-assertions -Coverflow-checks";

pub(crate) fn run(root: &Path, args: &[String]) -> Result<String, String> {
    let usage = "usage: cargo xtask fuzz <target|all> [--seconds N]";
    let target = args.first().ok_or(usage)?;
    let seconds: u64 = match args.get(1..).unwrap_or_default() {
        [] => 60,
        [flag, n] if flag == "--seconds" => n.parse().map_err(|_| usage.to_owned())?,
        _ => return Err(usage.to_owned()),
    };
    let fuzz = root.join("fuzz");
    let host = host_triple()?;
    let targets = if target == "all" {
        targets(&fuzz)?
    } else {
        vec![target.clone()]
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(&cargo);
    build
        .current_dir(&fuzz)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTFLAGS", RUSTFLAGS)
        .env_remove("CARGO_TARGET_DIR")
        .args(["build", "--release", "--target", &host]);
    for target in &targets {
        build.args(["--bin", target]);
    }
    let status = build
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building fuzz targets {targets:?} failed ({status})"
        ));
    }
    let mut report = Vec::with_capacity(targets.len());
    for target in &targets {
        report.push(run_one(&fuzz, &host, target, seconds)?);
    }
    Ok(report.join("\n"))
}

/// The `[[bin]]` names in `fuzz/Cargo.toml`.
fn targets(fuzz: &Path) -> Result<Vec<String>, String> {
    let manifest = fuzz.join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let names: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .filter(|name| *name != "amplify-fuzz")
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        return Err(format!("{} names no fuzz targets", manifest.display()));
    }
    Ok(names)
}

/// Runs one built target for `seconds`.
fn run_one(fuzz: &Path, host: &str, target: &str, seconds: u64) -> Result<String, String> {
    let binary = fuzz.join("target").join(host).join("release").join(target);
    let corpus = fuzz.join("corpus").join(target);
    let artifacts = fuzz.join("artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let seeds = fuzz.join("seeds").join(target);
    let mut command = Command::new(&binary);
    command
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .arg(&corpus);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let log = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "fuzz target {target} failed ({}):\n{}",
            output.status,
            tail(&log)
        ));
    }
    let runs = log
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .map(str::trim)
        .ok_or_else(|| {
            format!(
                "libFuzzer reported no executions for {target}:\n{}",
                tail(&log)
            )
        })?;
    if !matches!(runs.parse::<u64>(), Ok(n) if n > 0) {
        return Err(format!(
            "fuzz target {target} executed nothing:\n{}",
            tail(&log)
        ));
    }
    Ok(format!(
        "fuzz {target}: {runs} executions in {seconds} s, no crash"
    ))
}

fn host_triple() -> Result<String, String> {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV printed no host".to_owned())
}

fn tail(log: &str) -> String {
    let mut lines: Vec<&str> = log.lines().rev().take(40).collect();
    lines.reverse();
    lines.join("\n")
}
