//! `amplify-emulator`: runs the emulator from the command line for tests in other languages.
//!
//! ```text
//! amplify-emulator [--port PORT] [--seed FILE]
//! ```
//!
//! Without a seed it serves what `Emulator::start()` does: one user pool (`us-east-1`), one
//! identity pool, the sample Todo GraphQL API (API key, user pools, IAM) and an IAM REST API
//! named `api`. When ready it prints one JSON line to stdout: `{"endpoint", "region",
//! "userPoolId", "clientId", "clientSecret", "identityPoolId", "userPools", "graphqlUrl",
//! "apiKey", "restApis"}`. It runs until SIGINT or SIGTERM.

use std::process::ExitCode;

use amplify_emulator::{
    AuthMode, Emulator, EmulatorBuilder, GraphQlApiSpec, IdentityPoolSpec, RestApiSpec,
    UserPoolSpec,
};

struct Args {
    port: Option<u16>,
    seed: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: None,
        seed: None,
    };
    let mut iter = std::env::args().skip(1);
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
            "--help" | "-h" => {
                return Err("usage: amplify-emulator [--port PORT] [--seed FILE]".to_owned());
            }
            other => return Err(format!("unknown argument {other:?}; try --help")),
        }
    }
    Ok(args)
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
    let handle = match builder.port(port).start().await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("amplify-emulator failed to start: {e}");
            return ExitCode::FAILURE;
        }
    };
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
