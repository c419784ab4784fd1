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

use std::collections::BTreeMap;

use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::Amplify;
use amplify_core::test_util::LogCapture;
use amplify_emulator::{
    AppClientSpec, Emulator, EmulatorHandle, IdentityPoolSpec, OAuthClientSpec, UserPoolSpec,
    UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const PASSWORD: &str = "Hosted-Redaction-Pw-5";
const CLIENT_SECRET: &str = "hosted-ui-client-secret-value-0042";

/// A minimal browser: one request, no redirect following; returns the status and `Location`.
async fn request(method: &str, url: &str, form: Option<String>) -> (u16, Option<String>) {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .build(hyper_util::client::legacy::connect::HttpConnector::new());
    let mut builder = http::Request::builder().method(method).uri(url);
    if form.is_some() {
        builder = builder.header("content-type", "application/x-www-form-urlencoded");
    }
    let response = client
        .request(
            builder
                .body(Full::new(Bytes::from(form.unwrap_or_default())))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    let _ = response.into_body().collect().await;
    (status, location)
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            out.push(
                u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16).unwrap(),
            );
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn query(url: &str) -> BTreeMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect()
}

/// Plays the user at the managed login; returns the redirect to the app (with `code`).
async fn log_in(emulator: &EmulatorHandle, authorize_url: &str) -> String {
    let base = emulator.endpoint().trim_end_matches('/').to_owned();
    let (status, location) = request("GET", authorize_url, None).await;
    assert_eq!(status, 302, "authorize redirects to the login page");
    let location = location.unwrap();
    let login = if location.starts_with("http") {
        location
    } else {
        format!("{base}{location}")
    };
    let mut params = query(&login);
    params.insert("username".into(), "alice".into());
    params.insert("password".into(), PASSWORD.into());
    let form = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let (status, location) = request("POST", &format!("{base}/login"), Some(form)).await;
    assert_eq!(status, 302, "a good password redirects to the app");
    location.unwrap()
}

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
    let redirect = log_in(&emulator, sign_in.authorize_url()).await;
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
