//! Multiple authorization modes, following the Amplify page "Customize your auth rules"
//! (`/work/shared/seeds/004_64a5417300c19a10.txt`).
//!
//! One AppSync API accepts API key, user pools, IAM, OIDC and Lambda. As the seed recommends,
//! the Gen 1 configuration names it once per mode (`whoami_API_KEY`, `whoami_AWS_IAM`, ...) and
//! requests pick one with `api_name`, or set `authorization_mode` per request. The app supplies
//! the OIDC and Lambda tokens (the seed's `CustomOIDCProvider` and `CustomFunctionProvider`),
//! sends a custom header, and an HTTP interceptor (the seed's `baseHttpClient`) adds a header to
//! every request. The emulator's `whoami` resolver answers with the mode, principal and headers
//! it saw, so every claim below is checked server-side.
//!
//! ```sh
//! cargo run -p multi-auth-api
//! ```
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

mod providers;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use amplify_api::ApiPlugin;
use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::{Amplify, AuthToken, AuthorizationType, DisplayErrorContext};
use amplify_emulator::{
    AuthMode, Emulator, GraphQlApiSpec, GroupSpec, IdentityPoolSpec, LambdaAuthResult,
    UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use providers::{CustomFunctionProvider, CustomOidcProvider, MyHttpRequestInterceptor};
use serde::Deserialize;
use serde_json::{Value, json};

type Error = Box<dyn std::error::Error + Send + Sync>;

const ISSUER: &str = "https://issuer.example.com";
/// The token the API's Lambda authorizer lets through.
const LAMBDA_TOKEN: &str = "lambda-token-for-acme";
const SCHEMA: &str = r#"
type Query @aws_api_key @aws_iam @aws_cognito_user_pools @aws_oidc @aws_lambda {
  whoami: Caller
  adminReport: String @aws_cognito_user_pools(cognito_groups: ["ADMINS"])
}
type Caller @aws_api_key @aws_iam @aws_cognito_user_pools @aws_oidc @aws_lambda {
  mode: String
  principal: String
  customHeader: String
  tenant: String
}"#;
const WHOAMI: &str = "query { whoami { mode principal customHeader tenant } }";
const MODES: [AuthorizationType; 5] = [
    AuthorizationType::ApiKey,
    AuthorizationType::AmazonCognitoUserPools,
    AuthorizationType::AwsIam,
    AuthorizationType::OpenIdConnect,
    AuthorizationType::AwsLambda,
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Caller {
    mode: String,
    principal: Option<String>,
    custom_header: Option<String>,
    tenant: Option<String>,
}

fn ensure(ok: bool, what: &str) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}").into())
    }
}

/// `whoami` on `api_name` (or the default API) with `mode` (or the API's default mode).
async fn whoami(
    api: &ApiPlugin,
    api_name: Option<String>,
    mode: Option<AuthorizationType>,
    header: Option<&str>,
) -> Result<Caller, Error> {
    let mut request = api
        .query(WHOAMI)
        .set_api_name(api_name)
        .set_authorization_mode(mode)
        .decode_path("whoami");
    if let Some(value) = header {
        request = request.header("customHeader", value);
    }
    let response = request.send::<Caller>().await?;
    response
        .data
        .ok_or_else(|| format!("no data: {:?}", response.errors).into())
}

async fn run() -> Result<(), Error> {
    println!("Starting the embedded emulator: one GraphQL API with five authorization modes");
    let mut spec = GraphQlApiSpec::new(SCHEMA)
        .name("whoami")
        .default_mode(AuthMode::ApiKey)
        .oidc_issuer(ISSUER);
    for mode in [
        AuthMode::AmazonCognitoUserPools,
        AuthMode::AwsIam,
        AuthMode::OpenIdConnect,
        AuthMode::AwsLambda,
    ] {
        spec = spec.additional_mode(mode);
    }
    let spec = spec
        .lambda_authorizer(|req| match req.authorization_token.as_str() {
            LAMBDA_TOKEN => LambdaAuthResult::allow().context("tenant", "acme"),
            _ => LambdaAuthResult::deny(),
        })
        .resolver("Query", "whoami", |ctx, _| {
            let identity = ctx.identity();
            let tenant = identity
                .to_json()
                .pointer("/resolverContext/tenant")
                .cloned();
            Ok(
                json!({"mode": identity.mode().as_str(), "principal": identity.principal(),
                      "customHeader": ctx.header("customheader"), "tenant": tenant}),
            )
        })
        .resolver("Query", "adminReport", |_, _| Ok(json!("3 open tickets")));
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .group(GroupSpec::new("ADMINS"))
                .user(UserSpec::new("alice", "Api-Passw0rd!").group("ADMINS")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .oidc_issuer(ISSUER)
        .graphql_api(spec)
        .start()
        .await?;

    // The Gen 1 configuration, plus one `<friendly name>_<mode>` entry per mode (seed layout).
    let mut config: Value = serde_json::from_str(&emulator.amplify_configuration_json())?;
    let plugin = config
        .pointer_mut("/api/plugins/awsAPIPlugin")
        .and_then(Value::as_object_mut)
        .ok_or("no awsAPIPlugin")?;
    let base = plugin
        .get("whoami")
        .and_then(Value::as_object)
        .cloned()
        .ok_or("no `whoami` API")?;
    for mode in MODES {
        let mut entry = base.clone();
        entry.insert("authorizationType".into(), json!(mode.as_str()));
        plugin.insert(format!("whoami_{mode}"), Value::Object(entry));
    }

    let oidc_token = emulator.mint_oidc_token(ISSUER, "oidc-user-7")?;
    let interceptor = MyHttpRequestInterceptor::default();
    let responses = Arc::clone(&interceptor.responses);
    let api = ApiPlugin::builder()
        .oidc_provider(CustomOidcProvider(AuthToken::new(oidc_token)))
        .lambda_provider(CustomFunctionProvider)
        .interceptor(interceptor)
        .build()?;
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let amplify = Amplify::new();
    amplify.add_plugin(auth.clone())?;
    amplify.add_plugin(api.clone())?;
    amplify.configure(&config.to_string()).await?;
    auth.sign_in()
        .username("alice")
        .password("Api-Passw0rd!")
        .send()
        .await?;

    println!("1. By API name: each friendly name uses its own mode");
    for mode in MODES {
        let caller = whoami(&api, Some(format!("whoami_{mode}")), None, None).await?;
        println!("   whoami_{mode}: {caller:?}");
        ensure(
            caller.mode == mode.as_str(),
            "the server saw the name's mode",
        )?;
        ensure(
            caller.custom_header.as_deref() == Some("someValue"),
            "the interceptor's header arrived",
        )?;
    }

    println!("2. Per request: authorization_mode on the default API (API_KEY by default)");
    let expected = [
        (AuthorizationType::AmazonCognitoUserPools, Some("alice")),
        (AuthorizationType::OpenIdConnect, Some("oidc-user-7")),
        (AuthorizationType::AwsLambda, None),
    ];
    for (mode, principal) in expected {
        let caller = whoami(&api, None, Some(mode), None).await?;
        println!("   {mode}: {caller:?}");
        ensure(
            caller.mode == mode.as_str() && caller.principal.as_deref() == principal,
            "mode and principal",
        )?;
    }
    let lambda = whoami(&api, None, Some(AuthorizationType::AwsLambda), None).await?;
    ensure(
        lambda.tenant.as_deref() == Some("acme"),
        "the Lambda authorizer's resolver context",
    )?;
    let iam = whoami(&api, None, Some(AuthorizationType::AwsIam), None).await?;
    ensure(
        iam.principal == auth.fetch_auth_session().send().await.identity_id.ok(),
        "IAM signs as the identity",
    )?;

    println!("3. A custom header on one request (the interceptor only adds one when absent)");
    let caller = whoami(&api, None, None, Some("fromTheRequest")).await?;
    ensure(
        caller.custom_header.as_deref() == Some("fromTheRequest"),
        "the request's header wins",
    )?;

    println!("4. The mode matters: adminReport is for the ADMINS group of the user pool");
    let by_key = api.query("query { adminReport }").send::<Value>().await;
    let refused = match &by_key {
        Ok(r) => r.errors.first().map(|e| e.message.clone()),
        Err(e) => e.is_authorization_failure().then(|| e.to_string()),
    };
    println!(
        "   with API_KEY: {}",
        refused.as_deref().unwrap_or("not refused")
    );
    ensure(refused.is_some(), "API_KEY is refused")?;
    let report = api
        .query("query { adminReport }")
        .api_name("whoami_AMAZON_COGNITO_USER_POOLS")
        .decode_path("adminReport")
        .send::<String>()
        .await?;
    println!("   with AMAZON_COGNITO_USER_POOLS: {:?}", report.data);
    ensure(
        report.data.as_deref() == Some("3 open tickets"),
        "an admin reads the report",
    )?;

    let seen = responses.load(Ordering::Relaxed);
    println!("The interceptor saw {seen} responses.");
    ensure(
        seen == MODES.len() + expected.len() + 5,
        "every response went through the interceptor",
    )?;
    println!("Done.");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("error: {}", DisplayErrorContext(&*e));
            ExitCode::FAILURE
        }
    }
}
