//! Sign in through Cognito's managed login (the hosted UI) from a desktop or CLI app.
//!
//! ```sh
//! # A real user pool domain: opens the system browser; register the redirect URI
//! # http://localhost:3000/callback (and http://localhost:3000/signout) on the app client.
//! cargo run -p desktop-sign-in -- --config amplify_outputs.json [--provider Google]
//!
//! # The embedded emulator: prints the URL to open; with --scripted, logs in by itself
//! # (what CI runs).
//! cargo run -p desktop-sign-in -- --emulator [--scripted]
//! ```
//!
//! The app binds a loopback listener on the redirect URI, opens the authorize URL (PKCE S256 and
//! `state`), waits for the browser's redirect, exchanges the code and has the same session as
//! after an SRP sign-in: tokens in secure storage, refresh, identity-pool credentials.

use std::process::ExitCode;
use std::time::Duration;

use amplify_auth_cognito::{CognitoAuthPlugin, HostedUiProvider};
use amplify_core::{Amplify, AmplifyError, DisplayErrorContext};
use amplify_emulator::{
    AppClientSpec, Emulator, EmulatorHandle, IdentityPoolSpec, OAuthClientSpec, UserPoolSpec,
    UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[allow(clippy::print_stdout)] // An example prints its story.
fn say(line: &str) {
    println!("{line}");
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say(&format!("error: {}", DisplayErrorContext(&*e)));
            if let Some(e) = e.downcast_ref::<amplify_auth_cognito::AuthError>()
                && let Some(hint) = e.recovery_suggestion()
            {
                say(&format!("hint: {hint}"));
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<(), Error> {
    let emulator = if args.iter().any(|a| a == "--emulator") {
        Some(start_emulator().await?)
    } else {
        None
    };
    let json = match (&emulator, flag(args, "--config")) {
        (Some(emu), _) => emu.amplify_outputs_json(),
        (None, Some(path)) => {
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?
        }
        (None, None) => return Err("pass --config <amplify_outputs.json> or --emulator".into()),
    };
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone())?;
    amplify.configure(&json).await?;

    let mut sign_in = auth.sign_in_with_web_ui().timeout(Duration::from_secs(300));
    if let Some(provider) = flag(args, "--provider") {
        sign_in = sign_in.provider(HostedUiProvider::Custom(provider));
    }
    if let Some(emu) = &emulator {
        // No real browser is needed for the emulator: print the URL, and with --scripted play
        // the user (log in as alice) so the example runs unattended.
        let scripted = args.iter().any(|a| a == "--scripted");
        let base = emu.endpoint().trim_end_matches('/').to_owned();
        sign_in = sign_in.open_url_with(move |url| {
            say(&format!(
                "open this URL to sign in (alice / Quickstart-Passw0rd!):\n  {url}"
            ));
            if scripted {
                let (url, base) = (url.to_owned(), base.clone());
                tokio::spawn(async move {
                    if let Err(e) = browser::log_in(&base, &url).await {
                        say(&format!("scripted browser failed: {e}"));
                    }
                });
            }
            Ok(())
        });
    } else {
        say("opening the browser for the managed login...");
    }
    let result = sign_in.send().await?;
    say(&format!("signed in: {}", result.is_signed_in));

    let session = auth.fetch_auth_session().send().await;
    let tokens = session.user_pool_tokens.clone()?;
    let claims = tokens.id_token.claims();
    say(&format!("   user: {}", claims.username().unwrap_or("?")));
    say(&format!("   email: {}", claims.email().unwrap_or("-")));
    match &session.credentials {
        Ok(creds) => say(&format!("   AWS credentials: {}", creds.access_key_id())),
        Err(e) => say(&format!("   AWS credentials unavailable: {e}")),
    }
    let refreshed = auth.fetch_auth_session().force_refresh(true).send().await;
    say(&format!(
        "   refreshed: {}",
        refreshed.user_pool_tokens.is_ok()
    ));
    if let Some(url) = auth.web_ui_sign_out_url() {
        say(&format!("   to end the browser session: {url}"));
    }
    auth.sign_out().send().await;
    say("signed out (tokens revoked)");
    Ok(())
}

/// An emulator with a hosted-UI app client whose redirect URI is a free loopback port.
async fn start_emulator() -> Result<EmulatorHandle, Error> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .client(
                    AppClientSpec::new().oauth(
                        OAuthClientSpec::new()
                            .callback_url(format!("http://localhost:{port}/callback"))
                            .logout_url(format!("http://localhost:{port}/signout")),
                    ),
                )
                .user(UserSpec::new("alice", "Quickstart-Passw0rd!").email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .start()
        .await?;
    say(&format!("emulator at {}", emulator.endpoint()));
    Ok(emulator)
}

/// A scripted browser for the emulator's managed login (no redirect following, no cookies).
mod browser {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::rt::TokioExecutor;

    use super::Error;

    async fn request(
        method: &str,
        url: &str,
        form: Option<String>,
    ) -> Result<Option<String>, Error> {
        let client: Client<_, Full<Bytes>> =
            Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        let url = url.replace("://localhost:", "://127.0.0.1:");
        let mut builder = http::Request::builder().method(method).uri(&url);
        if form.is_some() {
            builder = builder.header("content-type", "application/x-www-form-urlencoded");
        }
        let response = client
            .request(builder.body(Full::new(Bytes::from(form.unwrap_or_default())))?)
            .await?;
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        response.into_body().collect().await?;
        Ok(location)
    }

    /// Authorize → login page → POST the credentials → follow the redirect to the app.
    pub(super) async fn log_in(base: &str, authorize_url: &str) -> Result<(), Error> {
        let login = request("GET", authorize_url, None)
            .await?
            .ok_or("authorize did not redirect to the login page")?;
        let query = login.split_once('?').map_or("", |(_, q)| q);
        let form = format!("{query}&username=alice&password=Quickstart-Passw0rd%21");
        let app = request("POST", &format!("{base}/login"), Some(form))
            .await?
            .ok_or("the login did not redirect to the app")?;
        request("GET", &app, None).await?;
        Ok(())
    }
}
