//! `cargo xtask bench`: runs amplify-api's overhead, throughput and memory benches and
//! amplify-auth-cognito's sign_in bench in release, then prints one table (metric, our figure,
//! the baseline measured in the same run, the ratio, the goal) and writes it with the machine's
//! description between the markers of `docs/performance.md`.
//!
//! The API benches append tab-separated rows to the file `$AMPLIFY_BENCH_SUMMARY` names
//! (`crates/amplify-api/benches/support/summary.rs`); the sign-in figure is the median of
//! criterion's `estimates.json`. `cargo xtask bench --memory-only` runs only the memory guard
//! (peak RSS above 20 MiB fails).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

const START: &str = "<!-- bench:start -->";
const END: &str = "<!-- bench:end -->";
const SIGN_IN: &str = "end_to_end/SRP sign-in + identity pool credentials (loopback emulator)";
const MAX_RSS_MIB: &str = "20";

pub(crate) fn run(root: &Path, args: &[String]) -> Result<String, String> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), Into::into);
    std::fs::create_dir_all(&target).map_err(|e| format!("cannot create {target:?}: {e}"))?;
    let summary = target.join("bench-summary.tsv");
    std::fs::write(&summary, "").map_err(|e| format!("cannot write {summary:?}: {e}"))?;

    let memory: &[&str] = &[
        "bench",
        "-p",
        "amplify-api",
        "--bench",
        "memory",
        "--",
        "--max-mib",
        MAX_RSS_MIB,
    ];
    if args.iter().any(|a| a == "--memory-only") {
        cargo(memory, &summary)?;
        return Ok("memory guard passed".to_owned());
    }
    cargo(
        &[
            "bench",
            "-p",
            "amplify-api",
            "--bench",
            "overhead",
            "--bench",
            "throughput",
        ],
        &summary,
    )?;
    cargo(memory, &summary)?;
    cargo(
        &["bench", "-p", "amplify-auth-cognito", "--bench", "sign_in"],
        &summary,
    )?;

    let mut rows =
        std::fs::read_to_string(&summary).map_err(|e| format!("cannot read {summary:?}: {e}"))?;
    let estimates = target
        .join("criterion")
        .join(SIGN_IN)
        .join("new/estimates.json");
    if let Some(ns) = std::fs::read_to_string(&estimates)
        .ok()
        .as_deref()
        .and_then(median_ns)
    {
        let _ = writeln!(
            rows,
            "SRP sign-in + identity pool credentials, loopback emulator (ms)\t{:.3}\t-\t-\t- (amplify-js: 335 ms)",
            ns / 1e6
        );
    }
    let table = table(&rows);
    let machine = machine();
    report(&format!("{machine}\n\n{table}"));
    let docs = root.join("docs/performance.md");
    let text = std::fs::read_to_string(&docs).map_err(|e| format!("cannot read {docs:?}: {e}"))?;
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        return Err(format!("{docs:?} lacks the {START} / {END} markers"));
    };
    let (Some(head), Some(tail)) = (text.get(..start + START.len()), text.get(end..)) else {
        return Err(format!("{docs:?}: the markers are out of order"));
    };
    let updated = format!("{head}\n{machine}\n\n{table}\n{tail}");
    std::fs::write(&docs, updated).map_err(|e| format!("cannot write {docs:?}: {e}"))?;
    Ok(format!("table written to {}", docs.display()))
}

fn cargo(args: &[&str], summary: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    report(&format!("==> cargo {}", args.join(" ")));
    let status = Command::new(&cargo)
        .args(args)
        .env("AMPLIFY_BENCH_SUMMARY", summary)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed ({status})", args.join(" ")))
    }
}

/// The markdown table of the summary rows, with the ratio to the baseline.
fn table(rows: &str) -> String {
    let mut out = String::from(
        "| metric | ours | baseline (same run) | ratio | goal |\n|---|---:|---|---:|---|\n",
    );
    for line in rows.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        // A sixth field is a ratio measured on its own (the median of per-round ratios); else
        // the ratio is ours over the baseline.
        let [metric, ours, name, baseline, goal, ref rest @ ..] = fields[..] else {
            continue;
        };
        let measured = match rest {
            [] => None,
            [ratio] => ratio.parse::<f64>().ok(),
            _ => continue,
        };
        let ratio = match (measured, ours.parse::<f64>(), baseline.parse::<f64>()) {
            (Some(r), _, _) => format!("{r:.2}x"),
            (None, Ok(o), Ok(b)) if b != 0.0 => format!("{:.2}x", o / b),
            _ => "-".to_owned(),
        };
        let baseline = if name == "-" {
            "-".to_owned()
        } else {
            format!("{name}: {}", trim_number(baseline))
        };
        let _ = writeln!(
            out,
            "| {metric} | {} | {baseline} | {ratio} | {goal} |",
            trim_number(ours)
        );
    }
    out
}

/// Two decimals below 100, none above.
fn trim_number(value: &str) -> String {
    match value.parse::<f64>() {
        Ok(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Ok(v) => format!("{v:.2}"),
        Err(_) => value.to_owned(),
    }
}

/// The median point estimate (ns) of a criterion `estimates.json`.
fn median_ns(json: &str) -> Option<f64> {
    let median = json.get(json.find("\"median\"")?..)?;
    let value = median.get(median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..)?;
    let end = value.find([',', '}'])?;
    value.get(..end)?.trim().parse().ok()
}

/// CPU model, cores and memory from `/proc`, and the rustc version.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU", str::trim)
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or_else(String::new, |kib| {
            format!(", {} GiB RAM", kib / 1024 / 1024)
        });
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    format!(
        "Machine: {model}, {cores} cores{memory}, {}; release profile, medians.",
        rustc.trim()
    )
}

#[allow(clippy::print_stderr)] // A command-line tool reports on stderr.
fn report(message: &str) {
    eprintln!("{message}");
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn the_ratio_is_ours_over_the_baseline_unless_measured_on_its_own() {
        let rows = "a (us)\t11.000\traw\t10.000\t<= 1.1x\n\
                    b (us)\t11.000\traw\t10.000\t<= 1.1x\t1.0420\n\
                    c\t3.000\t-\t-\t< 20\n\
                    malformed row\n";
        let out = table(rows);
        assert!(
            out.contains("| a (us) | 11.00 | raw: 10.00 | 1.10x | <= 1.1x |"),
            "{out}"
        );
        assert!(
            out.contains("| b (us) | 11.00 | raw: 10.00 | 1.04x | <= 1.1x |"),
            "{out}"
        );
        assert!(out.contains("| c | 3.00 | - | - | < 20 |"), "{out}");
        assert!(!out.contains("malformed"), "{out}");
    }
}
