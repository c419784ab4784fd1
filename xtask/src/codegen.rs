//! `cargo xtask codegen ...`: the command line of amplify-codegen.

use std::path::PathBuf;

use amplify_codegen::{ConfigModule, ModelsModule};

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
        .map_err(|e| e.report())?;
    Ok(written(&out, changed))
}

fn models(args: &[String]) -> Result<String, String> {
    let module = if args.iter().any(|a| a == "--endpoint") {
        let (endpoint, api_key, out) = endpoint_args(args)?;
        let result = introspect(&endpoint, &api_key)?;
        let module = ModelsModule::from_introspection(&result)
            .map_err(|e| e.report())?
            .source_name(endpoint);
        (module, out)
    } else {
        let (input, out) = input_and_out(args)?;
        (
            ModelsModule::from_file(&input).map_err(|e| e.report())?,
            out,
        )
    };
    let (module, out) = module;
    let module = module
        .write_to_dir(&out, "models")
        .map_err(|e| e.report())?;
    Ok(format!(
        "wrote {} and {}",
        module.display(),
        out.join("models.appsync.graphql").display()
    ))
}

const ENDPOINT_USAGE: &str =
    "usage: cargo xtask codegen models --endpoint <graphql url> --api-key <key> --out <dir>";

/// `--endpoint <url> --api-key <key> --out <dir>`.
fn endpoint_args(args: &[String]) -> Result<(String, String, PathBuf), String> {
    let (mut endpoint, mut api_key, mut out) = (None, None, None);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--endpoint" => endpoint = iter.next().cloned(),
            "--api-key" => api_key = iter.next().cloned(),
            "--out" => out = iter.next().map(PathBuf::from),
            other => return Err(format!("unknown argument `{other}`\n{ENDPOINT_USAGE}")),
        }
    }
    match (endpoint, api_key, out) {
        (Some(endpoint), Some(api_key), Some(out)) => Ok((endpoint, api_key, out)),
        _ => Err(ENDPOINT_USAGE.to_owned()),
    }
}

/// Sends amplify-codegen's introspection query to a GraphQL endpoint with an API key
/// (amplify-api, as an application would) and returns the `data`.
fn introspect(endpoint: &str, api_key: &str) -> Result<serde_json::Value, String> {
    let config = serde_json::json!({
        "version": "1",
        "data": {
            "url": endpoint,
            "aws_region": "us-east-1",
            "default_authorization_type": "API_KEY",
            "authorization_types": [],
            "api_key": api_key,
        }
    });
    let config = amplify_core::AmplifyConfig::from_json(&config.to_string())
        .map_err(|e| format!("{endpoint} cannot be used: {e}"))?;
    let api = amplify_api::ApiPlugin::new();
    api.configure_with(&config, &amplify_core::AuthProviderRegistry::default())
        .map_err(|e| format!("{endpoint} cannot be used: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let response = runtime
        .block_on(
            api.query(amplify_codegen::INTROSPECTION_QUERY)
                .send::<serde_json::Value>(),
        )
        .map_err(|e| {
            format!(
                "introspecting {endpoint} failed: {}",
                amplify_core::DisplayErrorContext(&e)
            )
        })?;
    match response.data {
        Some(data) if response.errors.is_empty() => Ok(serde_json::json!({ "data": data })),
        _ => Err(format!(
            "introspecting {endpoint} failed: {}",
            response
                .errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::time::Duration;

    use amplify_emulator::{ApiKeySpec, Emulator, GraphQlApiSpec};

    use super::*;

    const KEY: &str = "da2-codegen0000000000000000";

    /// The generated items (blank-line separated blocks, without a closing module brace),
    /// sorted.
    fn items(source: &str) -> Vec<&str> {
        let mut items: Vec<&str> = source
            .split("\n\n")
            .map(|item| item.trim_end().trim_end_matches("\n}").trim_end())
            .collect();
        items.sort_unstable();
        items
    }

    /// The emulator serves the sample Todo API (the schema checked in as the demo's
    /// `todo.graphql`); `codegen models --endpoint` introspects it and must generate exactly
    /// what the checked-in schema generates.
    #[test]
    fn models_from_the_emulators_endpoint_match_the_checked_in_schema() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let emu = runtime
            .block_on(
                Emulator::builder()
                    .graphql_api(
                        GraphQlApiSpec::sample_todo().api_key(
                            ApiKeySpec::new()
                                .key(KEY)
                                .expires_in(Duration::from_secs(3600)),
                        ),
                    )
                    .start(),
            )
            .unwrap();
        let endpoint = emu.graphql_url();
        let out =
            std::env::temp_dir().join(format!("xtask-codegen-endpoint-{}", std::process::id()));
        let args: Vec<String> = ["--endpoint", &endpoint, "--api-key", KEY, "--out"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain([out.display().to_string()])
            .collect();
        models(&args).unwrap();
        let generated = std::fs::read_to_string(out.join("models.rs")).unwrap();

        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let sdl = std::fs::read_to_string(root.join("examples/codegen-demo/schemas/todo.graphql"))
            .unwrap();
        let expected = ModelsModule::new(sdl)
            .source_name(endpoint.clone())
            .generate()
            .unwrap();
        // Introspection lists types by name, the file in declaration order: the generated
        // items are the same, in another order.
        assert_eq!(items(&generated), items(expected.source()));

        // A wrong key is refused with AppSync's message.
        let args: Vec<String> = ["--endpoint", &endpoint, "--api-key", "da2-wrong", "--out"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain([out.display().to_string()])
            .collect();
        let error = models(&args).unwrap_err();
        assert!(error.contains("introspecting"), "{error}");
        drop(emu);
        std::fs::remove_dir_all(&out).ok();
    }
}
