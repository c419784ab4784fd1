//! One row of `cargo xtask bench`'s table: appended, tab-separated (metric, our figure, the
//! baseline's name and figure or `-`, the goal, and optionally the ratio when it was measured on
//! its own), to the file `$AMPLIFY_BENCH_SUMMARY` names. Nothing is written when it is unset.

use std::io::Write;

/// Appends a row; `baseline` is the name and figure of what was measured in the same run. The
/// table's ratio is `ours / baseline`.
pub fn row(metric: &str, ours: f64, baseline: Option<(&str, f64)>, goal: &str) {
    let (name, value) = match baseline {
        Some((name, value)) => (name.to_owned(), format!("{value:.3}")),
        None => ("-".to_owned(), "-".to_owned()),
    };
    append(&format!("{metric}\t{ours:.3}\t{name}\t{value}\t{goal}\n"));
}

/// Appends a row whose ratio was measured on its own (the median of per-round ratios), with the
/// medians of both figures beside it.
#[allow(dead_code)]
pub fn row_with_ratio(metric: &str, ours: f64, baseline: (&str, f64), ratio: f64, goal: &str) {
    let (name, value) = baseline;
    append(&format!(
        "{metric}\t{ours:.3}\t{name}\t{value:.3}\t{goal}\t{ratio:.4}\n"
    ));
}

fn append(line: &str) {
    let Some(path) = std::env::var_os("AMPLIFY_BENCH_SUMMARY") else {
        return;
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("the summary file opens");
    file.write_all(line.as_bytes())
        .expect("the summary file is writable");
}
