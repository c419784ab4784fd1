//! `cargo xtask fuzz <target> --seconds N`: builds one of `fuzz/`'s cargo-fuzz targets and runs
//! it for N seconds, without needing `cargo fuzz` installed.
//!
//! The build is what `cargo fuzz run <target> --sanitizer none` does: a release build of the
//! fuzz crate for the host target with libFuzzer's coverage instrumentation (SanitizerCoverage
//! inline 8-bit counters, PC table and comparison tracing), `--cfg fuzzing`, debug assertions and
//! overflow checks. `RUSTC_BOOTSTRAP=1` lets a stable toolchain build it, as `fuzz/README.md`
//! says. The corpus is `fuzz/corpus/<target>` (created if missing); crashes land in
//! `fuzz/artifacts/<target>/`. Fails if the build fails, the target crashes, or libFuzzer does not
//! report its executions.

use std::path::Path;
use std::process::Command;

const RUSTFLAGS: &str = "-Cpasses=sancov-module \
    -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
    -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares \
    --cfg fuzzing -Cdebug-assertions -Coverflow-checks";

pub(crate) fn run(root: &Path, args: &[String]) -> Result<String, String> {
    let usage = "usage: cargo xtask fuzz <target> [--seconds N]";
    let target = args.first().ok_or(usage)?;
    let seconds: u64 = match args.get(1..).unwrap_or_default() {
        [] => 60,
        [flag, n] if flag == "--seconds" => n.parse().map_err(|_| usage.to_owned())?,
        _ => return Err(usage.to_owned()),
    };
    let fuzz = root.join("fuzz");
    let host = host_triple()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(&cargo)
        .current_dir(&fuzz)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTFLAGS", RUSTFLAGS)
        .env_remove("CARGO_TARGET_DIR")
        .args(["build", "--release", "--bin", target, "--target", &host])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building fuzz target {target} failed ({status})"));
    }
    let binary = fuzz.join("target").join(&host).join("release").join(target);
    let corpus = fuzz.join("corpus").join(target);
    let artifacts = fuzz.join("artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let output = Command::new(&binary)
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .arg(&corpus)
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
