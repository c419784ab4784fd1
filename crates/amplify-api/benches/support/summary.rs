//! One row of `cargo xtask bench`'s table: appended, tab-separated (metric, our figure, the
//! baseline's name and figure or `-`, the goal), to the file `$AMPLIFY_BENCH_SUMMARY` names.
//! Nothing is written when it is unset.

use std::io::Write;

/// Appends a row; `baseline` is the name and figure of what was measured in the same run.
pub fn row(metric: &str, ours: f64, baseline: Option<(&str, f64)>, goal: &str) {
    let Some(path) = std::env::var_os("AMPLIFY_BENCH_SUMMARY") else {
        return;
    };
    let (name, value) = match baseline {
        Some((name, value)) => (name.to_owned(), format!("{value:.3}")),
        None => ("-".to_owned(), "-".to_owned()),
    };
    let line = format!("{metric}\t{ours:.3}\t{name}\t{value}\t{goal}\n");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("the summary file opens");
    file.write_all(line.as_bytes())
        .expect("the summary file is writable");
}
