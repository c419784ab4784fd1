//! `cargo xtask codegen ...`: the command line of amplify-codegen.

use std::path::PathBuf;

use amplify_codegen::{CodegenError, ConfigModule, ModelsModule};

use crate::USAGE;

/// Runs `codegen <args>`.
pub(crate) fn run(args: &[String]) -> Result<String, String> {
    match args.first().map(String::as_str) {
        Some("config") => config(args.get(1..).unwrap_or_default()),
        // The first form, kept for existing scripts: `codegen --config <file> --out <file.rs>`.
        Some("--config") => config(args),
        Some("models") => models(args.get(1..).unwrap_or_default()),
        Some("snapshots") => snapshots(),
        _ => Err(USAGE.to_owned()),
    }
}

/// The input path (positional or after `--config`) and `--out`.
fn input_and_out(args: &[String]) -> Result<(PathBuf, PathBuf), String> {
    let mut input = None;
    let mut out = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--config" | "--schema" => input = iter.next().map(PathBuf::from),
            "--out" => out = iter.next().map(PathBuf::from),
            other if !other.starts_with('-') && input.is_none() => {
                input = Some(PathBuf::from(other));
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    match (input, out) {
        (Some(input), Some(out)) => Ok((input, out)),
        _ => Err(USAGE.to_owned()),
    }
}

fn config(args: &[String]) -> Result<String, String> {
    let (input, out) = input_and_out(args)?;
    let changed = ConfigModule::from_file(&input)
        .and_then(|module| module.write_to(&out))
        .map_err(|e| report(&e))?;
    Ok(written(&out, changed))
}

fn models(args: &[String]) -> Result<String, String> {
    let (input, out) = input_and_out(args)?;
    let module = ModelsModule::from_file(&input)
        .and_then(|module| module.write_to_dir(&out, "models"))
        .map_err(|e| report(&e))?;
    Ok(format!(
        "wrote {} and {}",
        module.display(),
        out.join("models.appsync.graphql").display()
    ))
}

/// Regenerates amplify-codegen's checked-in snapshots (its `snapshots` test with
/// `UPDATE_SNAPSHOTS=1`).
fn snapshots() -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = std::process::Command::new(cargo)
        .args(["test", "-p", "amplify-codegen", "--test", "snapshots"])
        .env("UPDATE_SNAPSHOTS", "1")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok("snapshots updated; review them with git diff".to_owned())
    } else {
        Err(format!("updating the snapshots failed ({status})"))
    }
}

fn written(path: &std::path::Path, changed: bool) -> String {
    if changed {
        format!("wrote {}", path.display())
    } else {
        format!("{} is up to date", path.display())
    }
}

fn report(error: &CodegenError) -> String {
    error.report()
}
