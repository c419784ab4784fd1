//! A server-side caller (a Lambda function, a service, a batch job, a CLI) that calls AppSync
//! and API Gateway with its own IAM credentials from the AWS default chain (`aws-config`:
//! environment, profiles and SSO, web identity, ECS, instance metadata), not from Cognito.
//!
//! Against the embedded emulator, which is told to trust the credentials in the environment
//! (what an operator would do with a role's policy):
//!
//! ```sh
//! AWS_ACCESS_KEY_ID=AKIAEXAMPLESERVER AWS_SECRET_ACCESS_KEY=example-secret \
//! AWS_REGION=us-east-1 cargo run -p server-iam -- --emulator
//! ```
//!
//! Against a real backend whose API allows `AWS_IAM`, with whatever credentials the chain finds
//! (a role, `AWS_PROFILE`, SSO, ...):
//!
//! ```sh
//! cargo run -p server-iam -- --config amplify_outputs.json \
//!     [--query 'query { listTodos { items { id } } }'] [--rest-path /items]
//! ```
//!
//! The code that calls the APIs ([`call_apis`]) is the same in both cases.

use std::process::ExitCode;

use amplify_api::{ApiPlugin, SdkCredentialsProvider};
use amplify_core::{AmplifyConfig, AuthorizationType, CredentialsProvider, DisplayErrorContext};
use amplify_emulator::{
    AuthMode, Emulator, EmulatorHandle, GraphQlApiSpec, IamPrincipalSpec, RestApiSpec,
};
use serde_json::Value;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[allow(clippy::print_stdout)] // An example prints what it does.
fn say(line: &str) {
    println!("{line}");
}

/// What to call.
struct Calls {
    query: String,
    mutation: Option<String>,
    rest_path: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("server-iam failed: {}", DisplayErrorContext(&*err));
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<(), Error> {
    // The AWS default chain, with a rustls/ring HTTPS client for the providers that make
    // requests (SSO, web identity, ECS, instance metadata).
    let sdk = amplify_api::sdk_config::loader().load().await;
    let query = flag(args, "--query")
        .unwrap_or_else(|| "query { listTodos { items { id name } } }".to_owned());

    if args.iter().any(|a| a == "--emulator") {
        let emulator = start_emulator(&sdk).await?;
        say(&format!("emulator at {}", emulator.endpoint()));
        let config = AmplifyConfig::from_json(&emulator.amplify_outputs_json())?;
        let calls = Calls {
            query,
            mutation: Some(
                "mutation { createTodo(input: {name: \"from server-iam\"}) { id name owner } }"
                    .to_owned(),
            ),
            rest_path: Some("/items".to_owned()),
        };
        return call_apis(&config, &sdk, &calls).await;
    }
    let Some(path) = flag(args, "--config") else {
        return Err("pass --emulator, or --config <amplify_outputs.json>".into());
    };
    let config = AmplifyConfig::from_json(&std::fs::read_to_string(&path)?)?;
    let calls = Calls {
        query,
        mutation: None,
        rest_path: flag(args, "--rest-path"),
    };
    call_apis(&config, &sdk, &calls).await
}

/// Starts the emulator with the sample Todo API (IAM allowed) and a REST API (IAM), and
/// declares the chain's credentials as a principal it trusts.
async fn start_emulator(sdk: &amplify_api::aws_config::SdkConfig) -> Result<EmulatorHandle, Error> {
    let provider = SdkCredentialsProvider::from_sdk_config(sdk)
        .ok_or("the SDK config has no credentials provider")?;
    let credentials = provider.credentials().await?;
    let mut principal =
        IamPrincipalSpec::new(credentials.access_key_id(), credentials.secret_access_key())
            .arn("arn:aws:iam::000000000000:role/server-iam-example");
    if let Some(token) = credentials.session_token() {
        principal = principal.session_token(token);
    }
    let emulator = Emulator::builder()
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AwsIam),
        )
        .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam))
        .iam_principal(principal)
        .start()
        .await?;
    Ok(emulator)
}

/// The server's calls: the same code for the emulator and for a real backend.
async fn call_apis(
    config: &AmplifyConfig,
    sdk: &amplify_api::aws_config::SdkConfig,
    calls: &Calls,
) -> Result<(), Error> {
    let api = ApiPlugin::new();
    api.configure_with_sdk_config(config, sdk)?;

    if let Some(mutation) = &calls.mutation {
        let created = api
            .mutate(mutation.as_str())
            .authorization_mode(AuthorizationType::AwsIam)
            .send::<Value>()
            .await?;
        if !created.errors.is_empty() {
            return Err(format!("the mutation returned errors: {:?}", created.errors).into());
        }
        say(&format!(
            "mutation (AWS_IAM): {}",
            show(created.data.as_ref())
        ));
    }

    let listed = api
        .query(calls.query.as_str())
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<Value>()
        .await?;
    if !listed.errors.is_empty() {
        return Err(format!("the query returned errors: {:?}", listed.errors).into());
    }
    say(&format!("query (AWS_IAM): {}", show(listed.data.as_ref())));

    if let Some(path) = &calls.rest_path {
        let response = api
            .get(path.as_str())
            .authorization_mode(AuthorizationType::AwsIam)
            .send()
            .await?;
        say(&format!(
            "REST GET {path} (AWS_IAM): {} {}",
            response.status(),
            String::from_utf8_lossy(response.body())
        ));
    }
    Ok(())
}

fn show(data: Option<&Value>) -> String {
    data.map_or_else(|| "null".to_owned(), Value::to_string)
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}
