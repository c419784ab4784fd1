//! Identity pool federation, following the Amplify page "Advanced workflows"
//! (`/work/shared/seeds/001_4929687b4b7ef7ec.txt`).
//!
//! `federate_to_identity_pool` exchanges another provider's token (here a Google ID token that
//! the emulator's simulated `accounts.google.com` signs) for identity-pool AWS credentials,
//! without a user pool sign-in. The example then federates a developer-authenticated identity
//! with the identity id the app's backend obtained (`developer_provided_identity_id`), signs an
//! AppSync request with the federated credentials, and clears the federation.
//!
//! ```sh
//! cargo run -p federation
//! ```
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use std::process::ExitCode;
use std::time::Duration;

use amplify_api::ApiPlugin;
use amplify_auth_cognito::{AuthError, CognitoAuthPlugin, FederationProvider, InvalidStateReason};
use amplify_core::{Amplify, AuthorizationType, DisplayErrorContext};
use amplify_emulator::{AuthMode, Emulator, GraphQlApiSpec, IdentityPoolSpec, UserPoolSpec};
use amplify_secure_storage::SecureStorageFactory;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The provider name the app's backend uses with `GetOpenIdTokenForDeveloperIdentity`.
const DEVELOPER_PROVIDER: &str = "login.example.app";

fn ensure(ok: bool, what: &str) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}").into())
    }
}

async fn run() -> Result<(), Error> {
    println!("Starting the embedded emulator: identity pool (no guests), AppSync API with AWS_IAM");
    let emulator = Emulator::builder()
        .user_pool(UserPoolSpec::new("us-east-1"))
        .identity_pool(
            IdentityPoolSpec::new()
                .allow_guests(false)
                .developer_provider_name(DEVELOPER_PROVIDER),
        )
        .graphql_api(GraphQlApiSpec::sample_todo().additional_mode(AuthMode::AwsIam))
        .start()
        .await?;
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let api = ApiPlugin::new();
    let amplify = Amplify::new();
    amplify.add_plugin(auth.clone())?;
    amplify.add_plugin(api.clone())?;
    amplify.configure(&emulator.amplify_outputs_json()).await?;

    println!("1. Federate with a Google ID token (the seed's `provider: AuthProvider.google`)");
    let google_id_token = emulator.mint_oidc_token("accounts.google.com", "google-user-1")?;
    let federated = auth
        .federate_to_identity_pool()
        .token(google_id_token.as_str())
        .provider(FederationProvider::Google)
        .send()
        .await?;
    println!(
        "   identity id {}, AWS access key {}",
        federated.identity_id,
        federated.credentials.access_key_id()
    );
    ensure(
        emulator
            .issued_credentials(federated.credentials.access_key_id())
            .is_some(),
        "the identity pool issued the credentials",
    )?;

    println!("2. The session after federation (fetch_auth_session)");
    let session = auth.fetch_auth_session().send().await;
    ensure(session.is_signed_in, "federated counts as signed in")?;
    ensure(
        session.identity_id.as_deref().ok() == Some(federated.identity_id.as_str()),
        "session has the identity id",
    )?;
    ensure(
        session.user_pool_tokens.is_err(),
        "no user pool tokens when federated",
    )?;
    // As the seed says, user pool APIs fail: the user is not signed in to the user pool.
    let current = auth.get_current_user().await;
    println!(
        "   get_current_user: {}",
        current
            .as_ref()
            .map_or_else(ToString::to_string, |u| u.username.clone())
    );
    ensure(current.is_err(), "get_current_user fails when federated")?;

    println!("3. The credentials sign AppSync requests (AWS_IAM)");
    let listed = api
        .query("query { listTodos { items { id } } }")
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<serde_json::Value>()
        .await?;
    ensure(
        listed.errors.is_empty() && listed.data.is_some(),
        "an IAM query with federated credentials",
    )?;
    println!("   listTodos answered with SigV4 from the federated identity");

    println!("4. Clear the federation (clear_federation_to_identity_pool: local only)");
    auth.clear_federation_to_identity_pool().await?;
    let cleared = auth.fetch_auth_session().send().await;
    ensure(
        !cleared.is_signed_in && cleared.credentials.is_err(),
        "no session after clearing",
    )?;
    let again = auth.clear_federation_to_identity_pool().await;
    ensure(
        matches!(
            again,
            Err(AuthError::InvalidState(InvalidStateReason::NotFederated))
        ),
        "clearing twice is an invalid state",
    )?;
    // The same Google user federates to the same identity again (tokens are not refreshed for
    // federated sessions: federate again with a new provider token when it expires).
    let back = auth
        .federate_to_identity_pool()
        .token(google_id_token.as_str())
        .provider(FederationProvider::Google)
        .send()
        .await?;
    ensure(
        back.identity_id == federated.identity_id,
        "one external user, one identity id",
    )?;
    auth.clear_federation_to_identity_pool().await?;
    println!("   federating the same Google user again gave the same identity id");

    println!("5. A developer-provided identity id (the seed's `developerProvidedIdentityId`)");
    // The app's backend calls GetOpenIdTokenForDeveloperIdentity for its user and hands the
    // identity id and OpenID token to the app.
    let (identity_id, open_id_token) = emulator
        .admin()
        .developer_identity("player-42", Duration::from_secs(900))?;
    let developer = auth
        .federate_to_identity_pool()
        .token(open_id_token.as_str())
        .provider(FederationProvider::Custom(
            "cognito-identity.amazonaws.com".to_owned(),
        ))
        .developer_provided_identity_id(identity_id.as_str())
        .send()
        .await?;
    println!(
        "   identity id {} (as provided), AWS access key {}",
        developer.identity_id,
        developer.credentials.access_key_id()
    );
    ensure(
        developer.identity_id == identity_id,
        "the provided identity id is used",
    )?;
    ensure(
        developer.identity_id != federated.identity_id,
        "a different identity than the Google user",
    )?;
    let issued = emulator.issued_credentials(developer.credentials.access_key_id());
    ensure(
        issued.is_some(),
        "the identity pool issued credentials for the developer identity",
    )?;
    auth.clear_federation_to_identity_pool().await?;
    // The token is bound to its identity: another identity id is refused.
    let mismatched = auth
        .federate_to_identity_pool()
        .token(open_id_token.as_str())
        .provider(FederationProvider::Custom(
            "cognito-identity.amazonaws.com".to_owned(),
        ))
        .developer_provided_identity_id(federated.identity_id.as_str())
        .send()
        .await;
    match mismatched {
        Err(e) => println!("   with the Google user's identity id instead: refused ({e})"),
        Ok(_) => return Err("a token was accepted for another identity".into()),
    }

    println!("6. A forged provider token is refused");
    let forged = auth
        .federate_to_identity_pool()
        .token(format!("{google_id_token}x"))
        .provider(FederationProvider::Google)
        .send()
        .await;
    match forged {
        Err(e) => println!("   refused: {e}"),
        Ok(_) => return Err("a forged token was accepted".into()),
    }
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
