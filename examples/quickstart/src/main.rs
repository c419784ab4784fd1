//! amplify-rs quickstart.
//!
//! With no arguments it starts the embedded emulator (a strict local Cognito: real SRP, real
//! JWT signatures, real codes) and walks the whole story:
//!
//! ```sh
//! cargo run -p quickstart
//! ```
//!
//! Against a real backend, pass its configuration and an existing user:
//!
//! ```sh
//! cargo run -p quickstart -- --config amplify_outputs.json --username alice --password '...'
//! ```

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_api::ApiPlugin;
use amplify_auth_cognito::{AuthSession, CognitoAuthPlugin, SignInStep, SignOutResult, SignUpStep};
use amplify_core::hub::AuthHubEvent;
use amplify_core::{Amplify, AmplifyError, AuthorizationType, DisplayErrorContext};
use amplify_emulator::{AuthMode, Emulator, GraphQlApiSpec, IdentityPoolSpec, UserPoolSpec};
use amplify_secure_storage::SecureStorageFactory;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[allow(clippy::print_stdout)] // An example prints its story.
fn say(line: &str) {
    println!("{line}");
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match flag(&args, "--config") {
        Some(path) => {
            real_backend(&path, flag(&args, "--username"), flag(&args, "--password")).await
        }
        None => emulator_story().await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say(&format!("error: {}", DisplayErrorContext(&*e)));
            if let Some(hint) = recovery_suggestion(&*e) {
                say(&format!("hint: {hint}"));
            }
            ExitCode::FAILURE
        }
    }
}

/// The recovery suggestion of an amplify-rs error (Auth, API or core), found by type.
fn recovery_suggestion(e: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<String> {
    if let Some(e) = e.downcast_ref::<amplify_auth_cognito::AuthError>() {
        return e.recovery_suggestion();
    }
    if let Some(e) = e.downcast_ref::<amplify_api::ApiError>() {
        return e.recovery_suggestion();
    }
    e.downcast_ref::<amplify_core::CoreError>()
        .and_then(AmplifyError::recovery_suggestion)
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The story against the embedded emulator.
async fn emulator_story() -> Result<(), Error> {
    say(
        "1. Starting the embedded emulator (a local Cognito user pool + identity pool + AppSync API)",
    );
    let emulator = Emulator::builder()
        .user_pool(UserPoolSpec::new("us-east-1"))
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam),
        )
        .start()
        .await?;
    say(&format!(
        "   endpoint {} · user pool {}",
        emulator.endpoint(),
        emulator.user_pool_id()
    ));

    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let api = ApiPlugin::new();
    let amplify = Amplify::new();
    amplify.add_plugin(auth.clone())?;
    amplify.add_plugin(api.clone())?;
    amplify.configure(&emulator.amplify_outputs_json()).await?;
    let mut hub = amplify.hub().auth().subscribe();

    let (username, password) = ("alice", "Quickstart-Passw0rd!");
    say(&format!("2. Signing up `{username}`"));
    let signed_up = auth
        .sign_up()
        .username(username)
        .password(password)
        .user_attribute("email", "alice@example.com")
        .send()
        .await?;
    if let SignUpStep::ConfirmSignUp(delivery) = &signed_up.next_step {
        say(&format!(
            "   next step: confirm sign-up (code sent by {:?} to {})",
            delivery.delivery_medium,
            delivery.destination.as_deref().unwrap_or("?")
        ));
    }

    let code = emulator.outbox().next_code_for(username).await;
    say(&format!(
        "3. Confirming with the code from the emulator's outbox: {code}"
    ));
    auth.confirm_sign_up()
        .username(username)
        .confirmation_code(code)
        .send()
        .await?;

    say("4. Signing in with SRP (the password never leaves this process)");
    // A wrong password first: a typed error callers can match, with a recovery suggestion.
    match auth
        .sign_in()
        .username(username)
        .password("not-the-password")
        .send()
        .await
    {
        Err(e) => say(&format!(
            "   wrong password refused: {:?} (retryable: {}); hint: {}",
            e.service_kind(),
            e.is_retryable(),
            e.recovery_suggestion().unwrap_or_default()
        )),
        Ok(r) => return Err(format!("a wrong password was accepted: {r:?}").into()),
    }
    let signed_in = auth
        .sign_in()
        .username(username)
        .password(password)
        .send()
        .await?;
    if signed_in.next_step != SignInStep::Done {
        return Err(format!("unexpected next step {:?}", signed_in.next_step).into());
    }
    while let Some(event) = hub.try_recv() {
        say(&format!("   hub: {}", event.name()));
    }

    say("5. The session");
    let session = auth.fetch_auth_session().send().await;
    print_session(&session)?;

    say(
        "6. GraphQL on the emulator's AppSync API, with three authorization modes and a subscription",
    );
    graphql(&api).await?;

    say("7. Forcing a token refresh");
    let refreshed = auth.fetch_auth_session().force_refresh(true).send().await;
    let tokens = refreshed.user_pool_tokens?;
    say(&format!(
        "   new access token expires {}",
        ago(tokens.access_token.expires_at())
    ));
    while let Some(event) = hub.try_recv() {
        say(&format!("   hub: {}", event.name()));
    }

    say("8. Signing out (revokes the refresh token, clears local storage)");
    match auth.sign_out().send().await {
        SignOutResult::Complete => say("   signed out"),
        other => say(&format!("   signed out with problems: {other:?}")),
    }
    if let Some(AuthHubEvent::SignedOut) = hub.try_recv() {
        say("   hub: SIGNED_OUT");
    }
    let after = auth.fetch_auth_session().send().await;
    say(&format!("   signed in now: {}", after.is_signed_in));
    say("Done.");
    Ok(())
}

/// How long the story waits for the subscription's acknowledgement and for each event.
const SUBSCRIPTION_WAIT: Duration = Duration::from_secs(10);

/// Subscribes to created todos, creates and lists todos with user-pool, IAM and API-key
/// authorization, receives the created todos on the subscription, then shows a request refused
/// for the wrong mode.
async fn graphql(api: &ApiPlugin) -> Result<(), Error> {
    const CREATE: &str =
        "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }";
    // Subscribe first and wait for AppSync's start_ack, so no creation is missed.
    let mut created_todos = api
        .subscribe("subscription { onCreateTodo { id name } }")
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
        .decode_path("onCreateTodo")
        .start::<serde_json::Value>()?;
    tokio::time::timeout(SUBSCRIPTION_WAIT, created_todos.established())
        .await
        .map_err(|_| "the subscription was not acknowledged in time")??;
    say("   subscribed to onCreateTodo over the realtime WebSocket (user pool token)");
    let mut ids = Vec::new();
    for (mode, name) in [
        (
            AuthorizationType::AmazonCognitoUserPools,
            "buy milk (user pool token)",
        ),
        (
            AuthorizationType::AwsIam,
            "walk the dog (SigV4 with identity-pool credentials)",
        ),
        (AuthorizationType::ApiKey, "water the plants (API key)"),
    ] {
        let created = api
            .mutate(CREATE)
            .variables(serde_json::json!({ "name": name }))
            .authorization_mode(mode)
            .decode_path("createTodo.id")
            .send::<String>()
            .await?;
        let id = created.data.unwrap_or_default();
        say(&format!("   created with {mode}: {id}"));
        ids.push(id);
    }
    for id in &ids {
        let event = tokio::time::timeout(SUBSCRIPTION_WAIT, created_todos.next())
            .await
            .map_err(|_| "no subscription event in time")?
            .ok_or("the subscription ended")??;
        let todo = event.data.unwrap_or_default();
        if todo.get("id").and_then(|v| v.as_str()) != Some(id.as_str()) {
            return Err(format!("the subscription received {todo}, expected {id}").into());
        }
        say(&format!(
            "   received by the subscription: {} ({id})",
            todo.get("name").and_then(|n| n.as_str()).unwrap_or("?")
        ));
    }
    // Dropping the stream sends `stop`; the last subscription closes the WebSocket.
    drop(created_todos);
    let listed = api
        .query("query { listTodos { items { name } } }")
        .decode_path("listTodos.items")
        .send::<Vec<serde_json::Value>>()
        .await?;
    for item in listed.data.unwrap_or_default() {
        say(&format!(
            "   listed (API key): {}",
            item.get("name").and_then(|n| n.as_str()).unwrap_or("?")
        ));
    }
    // deleteTodo needs IAM or a user pool token: the API key is refused.
    let refused = api
        .mutate("mutation { deleteTodo(input: {id: \"nope\"}) { id } }")
        .authorization_mode(AuthorizationType::ApiKey)
        .send::<serde_json::Value>()
        .await;
    match refused {
        Ok(response) => match response.errors.first() {
            Some(error) => say(&format!(
                "   refused for the wrong mode (API_KEY): {}",
                error.message
            )),
            None => return Err("deleteTodo with an API key was not refused".into()),
        },
        Err(e) if e.is_authorization_failure() => {
            say(&format!("   refused for the wrong mode (API_KEY): {e}"));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Sign in to a real backend with an existing user, show the session, sign out.
async fn real_backend(
    path: &str,
    username: Option<String>,
    password: Option<String>,
) -> Result<(), Error> {
    let (Some(username), Some(password)) = (username, password) else {
        return Err(
            "with --config, pass --username and --password of an existing, confirmed user".into(),
        );
    };
    let json = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let auth = CognitoAuthPlugin::new();
    let amplify = Amplify::new();
    amplify.add_plugin(auth.clone())?;
    amplify.configure(&json).await?;
    let result = auth
        .sign_in()
        .username(&username)
        .password(password.as_str())
        .send()
        .await?;
    say(&format!("sign-in next step: {:?}", result.next_step));
    if result.next_step == SignInStep::Done {
        print_session(&auth.fetch_auth_session().send().await)?;
        let _ = auth.sign_out().send().await;
    }
    Ok(())
}

fn print_session(session: &AuthSession) -> Result<(), Error> {
    let tokens = session.user_pool_tokens.clone()?;
    let claims = tokens.id_token.claims();
    say(&format!("   signed in: {}", session.is_signed_in));
    say(&format!("   sub: {}", claims.sub().unwrap_or("?")));
    say(&format!(
        "   username: {}",
        claims.username().unwrap_or("?")
    ));
    say(&format!("   email: {}", claims.email().unwrap_or("-")));
    say(&format!("   groups: {:?}", claims.groups()));
    say(&format!(
        "   access token expires {}",
        ago(tokens.access_token.expires_at())
    ));
    match (&session.identity_id, &session.credentials) {
        (Ok(id), Ok(creds)) => {
            say(&format!("   identity id: {id}"));
            say(&format!(
                "   AWS credentials: {} (expires {})",
                creds.access_key_id(),
                ago(creds.expiration())
            ));
        }
        (Err(e), _) | (_, Err(e)) => say(&format!("   AWS credentials unavailable: {e}")),
    }
    Ok(())
}

fn ago(time: Option<SystemTime>) -> String {
    match time.and_then(|t| t.duration_since(UNIX_EPOCH).ok()) {
        Some(d) => format!("at unix time {}", d.as_secs()),
        None => "never".to_owned(),
    }
}
