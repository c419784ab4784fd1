//! `amplify-emulator`: runs the emulator from the command line, for tests in other languages and
//! as a local backend for app development.
//!
//! ```text
//! amplify-emulator [serve] [--port PORT] [--seed FILE] [--data-dir DIR] [--write-config PATH]
//!                  [--config-format gen2|gen1-native|gen1-web] [--log json]
//! ```
//!
//! Without a seed it serves what `Emulator::start()` does: one user pool (`us-east-1`), one
//! identity pool, the sample Todo GraphQL API (API key, user pools, IAM) and an IAM REST API
//! named `api`. `serve` is optional (the only command). `--data-dir DIR` keeps the state (users,
//! groups, devices, revocations, identities, the outbox, GraphQL and REST items) in
//! `DIR/emulator.sqlite3`, committed before each answer, so it survives a restart or a kill; the
//! seed applies only when the directory is new, afterwards the stored state wins (delete the
//! directory to start again). A directory the emulator cannot use (damaged, another data schema
//! version, in use) stops it with exit code 1 and a message naming the file and what to do.
//! `--write-config PATH` writes the
//! configuration an app needs before the ready line, in the format its name says:
//! `aws-exports.js` (or any `*.js` / `*.mjs`) is the ES module the Amplify CLI writes for
//! JavaScript apps (`export default awsmobile`, the Gen 1 web format), `aws-exports.json` the
//! same object as JSON, `amplifyconfiguration.json` the Gen 1 native format (Android, iOS,
//! Flutter), and any other `*.json` the Gen 2 `amplify_outputs.json` document.
//! `--config-format` names the document instead, for a `.json` file: `gen1-web` for the
//! `src/amplifyconfiguration.json` of a JavaScript project. `--log json` prints one JSON line per request to stderr (`time`, `operation`,
//! `method`, `path`, `status`, `request_id`, `decision`; never a secret). When ready it prints
//! one JSON line to stdout: `{"endpoint", "region", "userPoolId", "clientId", "clientSecret",
//! "identityPoolId", "userPools", "graphqlUrl", "apiKey", "restApis"}`. It runs until SIGINT or
//! SIGTERM.

#[path = "main/request_log.rs"]
mod request_log;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use amplify_emulator::{
    AuthMode, Emulator, EmulatorBuilder, EmulatorError, GraphQlApiSpec, IdentityPoolSpec,
    RestApiSpec, UserPoolSpec,
};

const USAGE: &str = "usage: amplify-emulator [serve] [--port PORT] [--seed FILE] [--data-dir DIR] [--write-config PATH] [--config-format gen2|gen1-native|gen1-web] [--log json]";

struct Args {
    port: Option<u16>,
    seed: Option<String>,
    data_dir: Option<PathBuf>,
    write_config: Option<(PathBuf, ConfigFormat)>,
    log: LogFormat,
}

/// Which configuration document `--write-config` writes.
#[derive(Clone, Copy)]
enum ConfigFormat {
    /// `amplify_outputs.json`.
    Gen2,
    /// `amplifyconfiguration.json`, native.
    Gen1,
    /// The Gen 1 web object as JSON (`aws-exports.json`).
    Web,
    /// `aws-exports.js`: the Gen 1 web object in an ES module.
    WebModule,
}

impl ConfigFormat {
    /// `--config-format NAME`.
    fn named(name: &str) -> Result<Self, String> {
        match name {
            "gen2" => Ok(Self::Gen2),
            "gen1-native" => Ok(Self::Gen1),
            "gen1-web" => Ok(Self::Web),
            other => Err(format!(
                "unknown config format {other:?}; try gen2, gen1-native or gen1-web"
            )),
        }
    }

    /// The format `path`'s name says, or `named` (`--config-format`) for a `.json` file:
    /// `*.js` / `*.mjs` is the web module; `amplifyconfiguration.json` Gen 1 native,
    /// `aws-exports.json` the web object and any other `*.json` Gen 2.
    fn for_path(path: &Path, named: Option<Self>) -> Result<Self, String> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".js") || name.ends_with(".mjs") {
            return match named {
                None | Some(Self::Web) => Ok(Self::WebModule),
                Some(_) => Err(format!(
                    "--write-config {}: a .js or .mjs file holds the Gen 1 web format (--config-format gen1-web); name a .json file for the others",
                    path.display()
                )),
            };
        }
        match (name, named) {
            (name, _) if !name.ends_with(".json") => Err(format!(
                "--write-config {}: the file name must be amplify_outputs.json, amplifyconfiguration.json, aws-exports.json, aws-exports.js or end in .json, .js or .mjs",
                path.display()
            )),
            (_, Some(format)) => Ok(format),
            ("amplifyconfiguration.json", None) => Ok(Self::Gen1),
            ("aws-exports.json", None) => Ok(Self::Web),
            (_, None) => Ok(Self::Gen2),
        }
    }
}

/// The request log on stderr.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    Off,
    Json,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: None,
        seed: None,
        data_dir: None,
        write_config: None,
        log: LogFormat::Off,
    };
    let mut config_path = None;
    let mut config_format = None;
    let mut iter = std::env::args().skip(1).peekable();
    // `serve` is the only command, and the default.
    iter.next_if(|arg| arg == "serve");
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--port" => {
                let value = iter.next().ok_or("--port needs a value")?;
                args.port = Some(
                    value
                        .parse()
                        .map_err(|_| format!("invalid port {value:?}"))?,
                );
            }
            "--seed" => args.seed = Some(iter.next().ok_or("--seed needs a file")?),
            "--data-dir" => {
                args.data_dir = Some(PathBuf::from(
                    iter.next().ok_or("--data-dir needs a directory")?,
                ));
            }
            "--write-config" => {
                config_path = Some(PathBuf::from(
                    iter.next().ok_or("--write-config needs a path")?,
                ));
            }
            "--config-format" => {
                let name = iter.next().ok_or("--config-format needs a format")?;
                config_format = Some(ConfigFormat::named(&name)?);
            }
            "--log" => {
                args.log = match iter.next().as_deref() {
                    Some("json") => LogFormat::Json,
                    Some(other) => return Err(format!("unknown log format {other:?}; try json")),
                    None => return Err("--log needs a format (json)".to_owned()),
                };
            }
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}; try --help")),
        }
    }
    args.write_config = match (config_path, config_format) {
        (Some(path), named) => {
            let format = ConfigFormat::for_path(&path, named)?;
            Some((path, format))
        }
        (None, Some(_)) => return Err("--config-format needs --write-config PATH".to_owned()),
        (None, None) => None,
    };
    Ok(args)
}

/// A JSON document pretty-printed, with a final newline.
fn pretty(document: &str) -> std::io::Result<String> {
    serde_json::from_str::<serde_json::Value>(document)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .map(|pretty| pretty + "\n")
        .map_err(std::io::Error::other)
}

/// Writes `contents` to a temporary file next to `path`, then renames it over `path`, so an app
/// watching the file never reads half of it.
fn write_config(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, contents)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[allow(clippy::print_stdout, clippy::print_stderr)] // The ready line and usage errors.
#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if args.log == LogFormat::Json
        && let Err(e) = request_log::install()
    {
        eprintln!("cannot install the request log: {e}");
        return ExitCode::FAILURE;
    }
    let (builder, seed_port) = match &args.seed {
        Some(path) => {
            let json = match std::fs::read_to_string(path) {
                Ok(json) => json,
                Err(e) => {
                    eprintln!("cannot read seed file {path}: {e}");
                    return ExitCode::from(2);
                }
            };
            match EmulatorBuilder::from_seed_json(&json) {
                Ok(parsed) => parsed,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            }
        }
        None => (
            Emulator::builder()
                .user_pool(UserPoolSpec::new("us-east-1"))
                .identity_pool(IdentityPoolSpec::new())
                .graphql_api(
                    GraphQlApiSpec::sample_todo()
                        .default_mode(AuthMode::ApiKey)
                        .additional_mode(AuthMode::AmazonCognitoUserPools)
                        .additional_mode(AuthMode::AwsIam),
                )
                .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam)),
            None,
        ),
    };
    let port = args.port.or(seed_port).unwrap_or(0);
    let builder = match &args.data_dir {
        Some(dir) => builder.data_dir(dir),
        None => builder,
    };
    let handle = match builder.port(port).start().await {
        Ok(handle) => handle,
        Err(EmulatorError::DataDir(e)) => {
            eprintln!("amplify-emulator failed to start: {e}");
            eprintln!("{}", e.recovery_suggestion());
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("amplify-emulator failed to start: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some((path, format)) = &args.write_config {
        let contents = match format {
            ConfigFormat::Gen2 => pretty(&handle.amplify_outputs_json()),
            ConfigFormat::Gen1 => pretty(&handle.amplify_configuration_json()),
            ConfigFormat::Web => pretty(&handle.aws_exports_json()),
            ConfigFormat::WebModule => Ok(handle.aws_exports_js()),
        };
        if let Err(e) = contents.and_then(|contents| write_config(path, &contents)) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("{}", handle.ready_line());
    wait_for_signal().await;
    match handle.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
