//! Secret redaction through the hosted UI (issue 15): `sign_in_with_web_ui().start()` /
//! `complete()` with a confidential client (client secret), a refresh, identity-pool credentials,
//! a spent-code failure and sign-out, all under a TRACE capture that sees our logs, the AWS SDK's
//! and the emulator's. No password, authorization code, token, refresh token, client secret, AWS
//! secret key or session token may appear in the logs, nor in the `Debug` / `Display` of the
//! builder, the pending sign-in, the results, the session and the error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::Amplify;
use amplify_core::test_util::LogCapture;
use amplify_emulator::{
    AppClientSpec, Emulator, IdentityPoolSpec, OAuthClientSpec, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;

#[path = "support/browser.rs"]
mod browser;

use browser::{encode, log_in, query};

const PASSWORD: &str = "Hosted-Redaction-Pw-5";
const CLIENT_SECRET: &str = "hosted-ui-client-secret-value-0042";

#[tokio::test]
async fn hosted_ui_sign_in_leaks_no_secret() {
    let capture = LogCapture::start();
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .client(
                    AppClientSpec::new().fixed_secret(CLIENT_SECRET).oauth(
                        OAuthClientSpec::new()
                            .callback_url("http://localhost:9/callback")
                            .logout_url("http://localhost:9/signout"),
                    ),
                )
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .start()
        .await
        .unwrap();
    assert_eq!(emulator.client_secret(), Some(CLIENT_SECRET));
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();

    let mut secrets: Vec<String> = vec![PASSWORD.into(), CLIENT_SECRET.into()];
    let mut shown = Vec::new();

    let builder = auth.sign_in_with_web_ui();
    shown.push(format!("{builder:?}"));
    let sign_in = builder.start().unwrap();
    shown.push(format!("{sign_in:?}"));
    let redirect = log_in(&emulator, sign_in.authorize_url(), "alice", PASSWORD).await;
    let code = query(&redirect)["code"].clone();
    assert!(!code.is_empty(), "{redirect}");
    secrets.push(code);
    let result = sign_in.complete(&redirect).await.unwrap();
    assert!(result.is_signed_in);
    shown.push(format!("{result:?}"));

    let session = auth.fetch_auth_session().send().await;
    let refreshed = auth.fetch_auth_session().force_refresh(true).send().await;
    for s in [&session, &refreshed] {
        let tokens = s.user_pool_tokens.as_ref().unwrap();
        secrets.push(tokens.access_token.expose_secret().into());
        secrets.push(tokens.id_token.expose_secret().into());
        secrets.push(tokens.refresh_token.expose_secret().into());
        let creds = s.credentials.as_ref().unwrap();
        secrets.push(creds.secret_access_key().into());
        secrets.push(creds.session_token().unwrap().into());
        shown.push(format!("{s:?} {tokens:?} {creds:?}"));
    }
    shown.push(format!("{:?}", auth.get_current_user().await.unwrap()));

    // A failure: the same redirect (a spent code) on a new sign-in is refused.
    let again = auth.sign_in_with_web_ui().start().unwrap();
    let spent = format!(
        "http://localhost:9/callback?code={}&state={}",
        encode(&query(&redirect)["code"]),
        encode(&query(again.authorize_url())["state"])
    );
    let err = again.complete(&spent).await.unwrap_err();
    shown.push(format!("{err:?} {err}"));

    shown.push(format!("{:?}", auth.sign_out().send().await));
    shown.push(format!("{auth:?}"));

    let logs = capture.contents();
    drop(capture);
    assert!(logs.contains("TRACE"), "TRACE output was captured");
    let shown = shown.join("\n");
    for secret in &secrets {
        if let Some(at) = logs.find(secret.as_str()) {
            let start = logs[..at].rfind('\n').unwrap_or(0);
            panic!(
                "a secret leaked into the logs: {secret:.12}… in line: {:.1500}",
                &logs[start..]
            );
        }
        assert!(
            !shown.contains(secret.as_str()),
            "a secret leaked into Debug/Display: {secret:.12}… in {shown}"
        );
    }
}
