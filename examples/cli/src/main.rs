//! `amplify-rs`: amplify-rs in a terminal.
//!
//! ```sh
//! cargo install --path examples/cli
//! amplify-rs --config amplify_outputs.json sign-in alice      # prompts for every next step
//! amplify-rs graphql 'query { listTodos { items { id name } } }' --auth-mode user-pool --json
//! amplify-rs --emulator sign-in alice                          # the embedded emulator
//! ```
//!
//! The session persists between invocations in the OS keychain (or the encrypted file store,
//! `--storage-dir`), so `sign-in` once and run `graphql` many times. Usage, every command and
//! the exit codes: `docs/cli.md`.

mod account;
mod api;
mod args;
mod context;
mod failure;
mod output;
mod prompt;
mod sign_in;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};
use crate::context::Context;
use crate::failure::{CliError, Exit};
use crate::output::Output;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = Output::new(cli.global.json, cli.global.no_color);
    match Box::pin(run(cli, &output)).await {
        Ok(()) => Exit::Ok.into(),
        Err(e) => {
            output.error(&e);
            e.exit().into()
        }
    }
}

async fn run(cli: Cli, output: &Output) -> Result<(), CliError> {
    if let Command::Completions { shell } = cli.command {
        let mut command = Cli::command();
        clap_complete::generate(shell, &mut command, "amplify-rs", &mut std::io::stdout());
        return Ok(());
    }
    let context = Context::new(&cli.global, output).await?;
    let (auth, api) = (&context.auth, &context.api);
    match &cli.command {
        Command::SignUp(args) => account::sign_up(auth, args, output).await,
        Command::ConfirmSignUp(args) => account::confirm_sign_up(auth, args, output).await,
        Command::SignIn(args) => {
            Box::pin(sign_in::run(auth, args, context.default_flow, output)).await
        }
        Command::Session => account::session(auth, output, false).await,
        Command::Refresh => account::session(auth, output, true).await,
        Command::SignOut(args) => account::sign_out(auth, args, output).await,
        Command::Attributes(args) => account::attributes(auth, args.action.as_ref(), output).await,
        Command::Graphql(args) => api::graphql(api, &args.operation, output).await,
        Command::Rest(args) => api::rest(api, args, output).await,
        Command::Subscribe(args) => api::subscribe(api, args, output).await,
        Command::Completions { .. } => Ok(()),
    }
}
