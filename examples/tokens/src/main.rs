//! Tokens and claims, following the Amplify page "Tokens and credentials"
//! (`/work/shared/seeds/003_7de833cfeb536d7e.txt`).
//!
//! Signs in a user who is in the `ADMINS` group and has a `nickname` and a custom attribute,
//! decodes the access and ID tokens into typed claim structs, changes the custom attribute and
//! sees it in the next ID token, lets the tokens expire (refreshed automatically), and signs
//! out globally, which revokes a second device's tokens. Emulator and client share a manual
//! clock, so an hour passes without waiting.
//!
//! ```sh
//! cargo run -p tokens
//! ```
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use std::process::ExitCode;
use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{
    AuthError, Claims, CognitoAuthPlugin, SignOutResult, SignOutScope, UserPoolTokens,
};
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_core::{Amplify, DisplayErrorContext};
use amplify_emulator::{Emulator, EmulatorHandle, GroupSpec, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;
use serde::Deserialize;

type Error = Box<dyn std::error::Error + Send + Sync>;

const PASSWORD: &str = "Tokens-Passw0rd!";

/// The access token's claims (the seed's first payload), plus the groups claim.
#[derive(Debug, Deserialize)]
struct AccessClaims {
    sub: String,
    token_use: String,
    client_id: String,
    scope: String,
    username: String,
    exp: u64,
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
}

/// The ID token's claims: identity, standard and custom attributes, groups.
#[derive(Debug, Deserialize)]
struct IdClaims {
    sub: String,
    token_use: String,
    aud: String,
    #[serde(rename = "cognito:username")]
    username: String,
    email: String,
    nickname: Option<String>,
    #[serde(rename = "custom:plan")]
    plan: Option<String>,
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
}

/// Decodes claims into a typed struct.
fn typed<T: serde::de::DeserializeOwned>(claims: &Claims) -> Result<T, Error> {
    Ok(serde_json::from_value(serde_json::Value::Object(
        claims.as_map().clone(),
    ))?)
}

fn ensure(ok: bool, what: &str) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}").into())
    }
}

/// A device: its own Amplify, auth plugin and in-memory storage, on the shared clock.
async fn device(
    emulator: &EmulatorHandle,
    clock: &ManualTimeSource,
) -> Result<(Amplify, CognitoAuthPlugin), Error> {
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone())?;
    amplify.configure(&emulator.amplify_outputs_json()).await?;
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await?;
    Ok((amplify, auth))
}

async fn tokens(
    auth: &CognitoAuthPlugin,
    force_refresh: bool,
) -> Result<UserPoolTokens, AuthError> {
    auth.fetch_auth_session()
        .force_refresh(force_refresh)
        .send()
        .await
        .user_pool_tokens
}

async fn run() -> Result<(), Error> {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    println!("Starting the embedded emulator: user `alice` in group ADMINS, nickname, custom:plan");
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .custom_attribute("plan")
                .group(GroupSpec::new("ADMINS"))
                .user(
                    UserSpec::new("alice", PASSWORD)
                        .email("hello@mycompany.com")
                        .attribute("nickname", "hello")
                        .attribute("custom:plan", "free")
                        .group("ADMINS"),
                ),
        )
        .time_source(clock.clone())
        .start()
        .await?;
    let (amplify, auth) = device(&emulator, &clock).await?;
    let mut hub = amplify.hub().auth().subscribe();

    println!("1. Typed claims");
    let signed_in = tokens(&auth, false).await?;
    let access: AccessClaims = typed(signed_in.access_token.claims())?;
    let id: IdClaims = typed(signed_in.id_token.claims())?;
    println!("   access: {access:?}");
    println!("   id:     {id:?}");
    ensure(
        access.token_use == "access" && id.token_use == "id",
        "token_use",
    )?;
    ensure(
        access.sub == id.sub && access.username == "alice" && id.username == "alice",
        "same user",
    )?;
    ensure(
        access.client_id == id.aud && access.scope == "aws.cognito.signin.user.admin",
        "client and scope",
    )?;
    ensure(
        id.email == "hello@mycompany.com" && id.nickname.as_deref() == Some("hello"),
        "attributes in the ID token",
    )?;

    println!("2. Groups are in both tokens (cognito:groups)");
    ensure(
        access.groups == ["ADMINS"] && id.groups == ["ADMINS"],
        "ADMINS in both tokens",
    )?;
    ensure(
        signed_in.id_token.claims().groups() == ["ADMINS"],
        "Claims::groups",
    )?;

    println!("3. Custom attributes: custom:plan, changed, then seen after a forced refresh");
    ensure(
        id.plan.as_deref() == Some("free"),
        "custom:plan starts as free",
    )?;
    auth.update_user_attribute("custom:plan", "pro").await?;
    let stale = tokens(&auth, false).await?;
    ensure(
        stale
            .id_token
            .claims()
            .custom_attributes()
            .get("plan")
            .map(String::as_str)
            == Some("free"),
        "the current ID token still says free",
    )?;
    let forced = tokens(&auth, true).await?;
    let plan = forced
        .id_token
        .claims()
        .custom_attributes()
        .get("plan")
        .cloned();
    println!("   after force_refresh: custom:plan = {plan:?}");
    ensure(
        plan.as_deref() == Some("pro"),
        "the refreshed ID token says pro",
    )?;

    println!("4. Automatic refresh: an hour later the tokens have expired");
    let refreshes = emulator.request_count("GetTokensFromRefreshToken");
    clock.advance(Duration::from_secs(3600));
    let refreshed = tokens(&auth, false).await?;
    let exp = |t: &UserPoolTokens| typed::<AccessClaims>(t.access_token.claims()).map(|c| c.exp);
    println!(
        "   access token exp {} -> {}",
        exp(&forced)?,
        exp(&refreshed)?
    );
    ensure(
        exp(&refreshed)? >= exp(&forced)? + 3600,
        "a new, later access token",
    )?;
    ensure(
        emulator.request_count("GetTokensFromRefreshToken") == refreshes + 1,
        "exactly one refresh call",
    )?;
    ensure(
        emulator
            .verify_user_pool_token(refreshed.access_token.expose_secret())
            .is_ok(),
        "the emulator accepts the new token",
    )?;
    let events: Vec<_> = std::iter::from_fn(|| hub.try_recv())
        .map(|e| e.name())
        .collect();
    println!("   hub events: {events:?}");
    ensure(events.contains(&"TOKEN_REFRESH"), "a TOKEN_REFRESH event")?;

    println!("5. Global sign-out revokes every device's tokens (signOut({{ global: true }}))");
    let (_other_amplify, other) = device(&emulator, &clock).await?;
    let other_tokens = tokens(&other, false).await?;
    let result = auth.sign_out().scope(SignOutScope::Global).send().await;
    ensure(
        matches!(result, SignOutResult::Complete),
        "global sign-out completes",
    )?;
    ensure(
        emulator
            .verify_user_pool_token(other_tokens.access_token.expose_secret())
            .is_err(),
        "the other device's access token is revoked",
    )?;
    let other_after = tokens(&other, true).await;
    println!(
        "   the other device at its next refresh: {}",
        other_after
            .as_ref()
            .map_or_else(ToString::to_string, |_| "still signed in".to_owned())
    );
    ensure(
        matches!(other_after, Err(AuthError::SessionExpired(_))),
        "the other device's session expired",
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
