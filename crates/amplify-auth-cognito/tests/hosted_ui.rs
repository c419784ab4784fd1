//! Hosted UI (managed login) end to end against the emulator, with the test playing the
//! browser: authorization code + PKCE through the loopback listener, the app-driven
//! `start()` / `complete()` form, a federated "Sign in with Google", and each failure
//! (access denied, state mismatch, a code redeemed with the wrong verifier, timeout, no OAuth
//! configuration). Hosted-UI sessions refresh, get identity-pool credentials and sign out like
//! SRP ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use amplify_auth_cognito::{
    AuthError, CognitoAuthPlugin, HostedUiErrorKind, HostedUiProvider, SignInMethod, SignInStep,
};
use amplify_core::Amplify;
use amplify_emulator::{
    AppClientSpec, Emulator, EmulatorHandle, IdentityPoolSpec, IdentityProviderSpec,
    OAuthClientSpec, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;

#[path = "support/browser.rs"]
mod browser;

use browser::{absolute, form, log_in, query, request};

const PASSWORD: &str = "Correct-Horse-9";

/// A port that was free a moment ago (the redirect URI must name its port before the emulator
/// starts; the listener binds it only during the sign-in).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

struct Setup {
    emulator: EmulatorHandle,
    auth: CognitoAuthPlugin,
    port: u16,
}

async fn setup() -> Setup {
    let port = free_port();
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .identity_provider(IdentityProviderSpec::google())
                .client(
                    AppClientSpec::new().oauth(
                        OAuthClientSpec::new()
                            .callback_url(format!("http://localhost:{port}/callback"))
                            .logout_url(format!("http://localhost:{port}/signout"))
                            .identity_provider("Google"),
                    ),
                )
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .start()
        .await
        .unwrap();
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    Setup {
        emulator,
        auth,
        port,
    }
}

/// Plays the user at the simulated Google: authorize → Google's page → idpresponse → the app.
async fn log_in_with_google(emulator: &EmulatorHandle, authorize_url: &str, deny: bool) -> String {
    let base = emulator.endpoint().trim_end_matches('/').to_owned();
    let (_, location) = request("GET", authorize_url, None).await;
    let google = absolute(&base, &location.unwrap());
    assert!(google.contains("/oauth2/idp/Google/authorize"), "{google}");
    let mut params = query(&google);
    params.insert("sub".into(), "g-123".into());
    params.insert("email".into(), "gina@example.com".into());
    if deny {
        params.insert("action".into(), "deny".into());
    }
    let path = google.split('?').next().unwrap().to_owned();
    let (_, location) = request("POST", &path, Some(form(&params))).await;
    let back = absolute(&base, &location.unwrap());
    let (status, location) = request("GET", &back, None).await;
    assert_eq!(status, 302);
    location.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_flow_signs_in_through_the_loopback_listener() {
    let s = setup().await;
    let emulator_url = s.emulator.endpoint().to_owned();
    let result = s
        .auth
        .sign_in_with_web_ui()
        .open_url_with(move |url| {
            let url = url.to_owned();
            let base = emulator_url.clone();
            tokio::spawn(async move {
                // The emulator handle is not needed to play the browser: only its URLs.
                let (status, location) = request("GET", &url, None).await;
                assert_eq!(status, 302);
                let login = absolute(base.trim_end_matches('/'), &location.unwrap());
                let mut params = query(&login);
                params.insert("username".into(), "alice".into());
                params.insert("password".into(), PASSWORD.into());
                let (_, location) = request(
                    "POST",
                    &format!("{}/login", base.trim_end_matches('/')),
                    Some(form(&params)),
                )
                .await;
                // The browser follows the redirect to the app's listener.
                let (status, _) = request("GET", &location.unwrap(), None).await;
                assert_eq!(status, 200, "the listener answers the browser");
            });
            Ok(())
        })
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(result.next_step, SignInStep::Done);
    let session = s.auth.fetch_auth_session().send().await;
    let tokens = session.user_pool_tokens.as_ref().unwrap();
    assert!(
        s.emulator
            .verify_user_pool_token(tokens.access_token.expose_secret())
            .is_ok()
    );
    assert!(
        session.credentials.is_ok(),
        "identity-pool credentials for the hosted-UI user"
    );
    let user = s.auth.get_current_user().await.unwrap();
    assert_eq!(user.username, "alice");
    assert!(matches!(
        user.sign_in_details.sign_in_method,
        SignInMethod::HostedUi { provider: None }
    ));
    // Refresh as after SRP.
    let refreshed = s.auth.fetch_auth_session().force_refresh(true).send().await;
    assert_ne!(
        refreshed
            .user_pool_tokens
            .unwrap()
            .access_token
            .expose_secret(),
        tokens.access_token.expose_secret()
    );
    // The logout URL for the browser session; sign-out revokes the tokens.
    let logout = s.auth.web_ui_sign_out_url().unwrap();
    assert!(logout.contains("/logout?client_id="), "{logout}");
    let (status, location) = request("GET", &logout, None).await;
    assert_eq!(status, 302);
    assert!(location.unwrap().ends_with("/signout"));
    s.auth.sign_out().send().await;
    assert!(!s.auth.fetch_auth_session().send().await.is_signed_in);
    // The listener is gone: the port can be bound again.
    assert!(std::net::TcpListener::bind(("127.0.0.1", s.port)).is_ok());
}

#[tokio::test]
async fn an_app_can_open_the_url_and_hand_back_the_redirect() {
    let s = setup().await;
    let sign_in = s.auth.sign_in_with_web_ui().start().unwrap();
    let url = sign_in.authorize_url().to_owned();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(!url.contains(PASSWORD));
    let redirect = log_in(&s.emulator, &url, "alice", PASSWORD).await;
    let result = sign_in.complete(&redirect).await.unwrap();
    assert!(result.is_signed_in);
}

#[tokio::test]
async fn sign_in_with_google_creates_a_federated_user() {
    let s = setup().await;
    let sign_in = s
        .auth
        .sign_in_with_web_ui()
        .provider(HostedUiProvider::Google)
        .start()
        .unwrap();
    assert!(sign_in.authorize_url().contains("identity_provider=Google"));
    let redirect = log_in_with_google(&s.emulator, sign_in.authorize_url(), false).await;
    sign_in.complete(&redirect).await.unwrap();
    let session = s.auth.fetch_auth_session().send().await;
    let claims = session
        .user_pool_tokens
        .as_ref()
        .unwrap()
        .id_token
        .claims()
        .clone();
    assert_eq!(claims.username(), Some("Google_g-123"));
    assert_eq!(claims.email(), Some("gina@example.com"));
    let user = s.auth.get_current_user().await.unwrap();
    assert!(matches!(
        user.sign_in_details.sign_in_method,
        SignInMethod::HostedUi { provider: Some(ref p) } if p == "Google"
    ));
}

fn kind(result: Result<amplify_auth_cognito::SignInResult, AuthError>) -> HostedUiErrorKind {
    match result {
        Err(AuthError::HostedUi(e)) => e.kind(),
        other => panic!("expected a hosted-UI error, got {other:?}"),
    }
}

#[tokio::test]
async fn failures_are_typed() {
    let s = setup().await;
    // The user denies at Google.
    let sign_in = s
        .auth
        .sign_in_with_web_ui()
        .provider(HostedUiProvider::Google)
        .start()
        .unwrap();
    let redirect = log_in_with_google(&s.emulator, sign_in.authorize_url(), true).await;
    assert_eq!(
        kind(sign_in.complete(&redirect).await),
        HostedUiErrorKind::AccessDenied
    );

    // A redirect from another sign-in (state mismatch).
    let first = s.auth.sign_in_with_web_ui().start().unwrap();
    let second = s.auth.sign_in_with_web_ui().start().unwrap();
    let redirect = log_in(&s.emulator, first.authorize_url(), "alice", PASSWORD).await;
    assert_eq!(
        kind(second.complete(&redirect).await),
        HostedUiErrorKind::StateMismatch
    );

    // A code redeemed with another sign-in's verifier: the token endpoint refuses it.
    let first = s.auth.sign_in_with_web_ui().start().unwrap();
    let second = s.auth.sign_in_with_web_ui().start().unwrap();
    let redirect = log_in(&s.emulator, first.authorize_url(), "alice", PASSWORD).await;
    let state = query(&redirect)["state"].clone();
    let forged = redirect.replace(&state, &query(second.authorize_url())["state"]);
    match second.complete(&forged).await {
        Err(AuthError::HostedUi(e)) => {
            assert_eq!(e.kind(), HostedUiErrorKind::TokenEndpoint);
            assert_eq!(e.error(), Some("invalid_grant"));
        }
        other => panic!("{other:?}"),
    }
    // The code is spent: even the right sign-in cannot use it now.
    assert_eq!(
        kind(first.complete(&redirect).await),
        HostedUiErrorKind::TokenEndpoint
    );

    // Nobody comes back: the listener gives up and frees the port.
    let timed_out = s
        .auth
        .sign_in_with_web_ui()
        .open_url_with(|_| Ok(()))
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert_eq!(kind(timed_out), HostedUiErrorKind::TimedOut);
    assert!(std::net::TcpListener::bind(("127.0.0.1", s.port)).is_ok());
    assert!(!s.auth.fetch_auth_session().send().await.is_signed_in);
}

#[tokio::test]
async fn without_an_oauth_section_it_says_so() {
    let emulator = Emulator::builder()
        .user_pool(UserPoolSpec::new("us-east-1"))
        .start()
        .await
        .unwrap();
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    match auth.sign_in_with_web_ui().start() {
        Err(AuthError::HostedUi(e)) => assert_eq!(e.kind(), HostedUiErrorKind::NotConfigured),
        other => panic!("{other:?}"),
    }
    assert!(auth.web_ui_sign_out_url().is_none());
}
