//! Every flow under a TRACE-level subscriber that captures all output (ours, the AWS SDK's and the
//! emulator's): no password, token, refresh token or AWS secret appears in it, nor in the Debug
//! output of any public type.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use amplify_auth_cognito::{
    AuthFlowType, CognitoAuthPlugin, FederationProvider, SignInStep, SignOutScope,
};
use amplify_core::Amplify;
use amplify_core::test_util::LogCapture;
use amplify_emulator::{Emulator, IdentityPoolSpec, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Pw-Secret-Value-7";
const NEW_PASSWORD: &str = "Pw-Other-Secret-8";

#[test]
fn no_secret_reaches_logs_or_debug_output() {
    let capture = LogCapture::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (secrets, debug_output) = rt.block_on(async {
        let emulator = Emulator::builder()
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .user(UserSpec::new("alice", PASSWORD).email("a@example.com")),
            )
            .identity_pool(IdentityPoolSpec::new().allow_guests(true))
            .oidc_issuer("https://issuer.example.com")
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
        let mut secrets: Vec<String> = vec![PASSWORD.into(), NEW_PASSWORD.into()];
        let mut shown = String::new();

        auth.sign_up()
            .username("bob")
            .password(PASSWORD)
            .user_attribute("email", "b@example.com")
            .send()
            .await
            .unwrap();
        let code = emulator.outbox().next_code_for("bob").await;
        secrets.push(code.clone());
        auth.confirm_sign_up()
            .username("bob")
            .confirmation_code(code)
            .send()
            .await
            .unwrap();
        for flow in [AuthFlowType::UserSrpAuth, AuthFlowType::UserPasswordAuth] {
            let r = auth
                .sign_in()
                .username("bob")
                .password(PASSWORD)
                .auth_flow_type(flow)
                .send()
                .await
                .unwrap();
            assert_eq!(r.next_step, SignInStep::Done);
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
                shown.push_str(&format!("{s:?} {tokens:?} {creds:?}"));
            }
            shown.push_str(&format!("{:?}", auth.get_current_user().await.unwrap()));
            shown.push_str(&format!(
                "{:?}",
                auth.sign_out().scope(SignOutScope::Global).send().await
            ));
        }
        auth.reset_password().username("bob").send().await.unwrap();
        let code = emulator.outbox().next_code_for("bob").await;
        secrets.push(code.clone());
        auth.confirm_reset_password()
            .username("bob")
            .new_password(NEW_PASSWORD)
            .confirmation_code(code)
            .send()
            .await
            .unwrap();
        let token = emulator
            .mint_oidc_token("https://issuer.example.com", "ext-1")
            .unwrap();
        secrets.push(token.clone());
        let fed = auth
            .federate_to_identity_pool()
            .token(token.as_str())
            .provider(FederationProvider::Oidc(
                "https://issuer.example.com".into(),
            ))
            .send()
            .await
            .unwrap();
        secrets.push(fed.credentials.secret_access_key().into());
        shown.push_str(&format!("{fed:?} {auth:?}"));
        auth.clear_federation_to_identity_pool().await.unwrap();
        // A failure path too: a wrong password.
        let err = auth
            .sign_in()
            .username("bob")
            .password("Wrong-Secret-Pw-9")
            .send()
            .await
            .unwrap_err();
        secrets.push("Wrong-Secret-Pw-9".into());
        shown.push_str(&format!("{err:?} {err}"));
        (secrets, shown)
    });
    let logs = capture.contents();
    assert!(logs.contains("TRACE"), "TRACE output was captured");
    assert!(
        logs.len() > 10_000,
        "the SDK's and the emulator's output was captured too"
    );
    for secret in &secrets {
        if let Some(at) = logs.find(secret.as_str()) {
            let start = logs[..at].rfind('\n').unwrap_or(0);
            panic!(
                "a secret leaked into the logs: {secret:.12}… in line: {:.1500}",
                &logs[start..]
            );
        }
        assert!(
            !debug_output.contains(secret.as_str()),
            "a secret leaked into Debug: {secret:.12}…"
        );
    }
}

/// The `Debug` of every builder that can hold a secret shows none of it.
#[test]
fn builders_debug_shows_no_secret() {
    const CODE: &str = "493817";
    const ANSWER: &str = "Challenge-Answer-Secret-3";
    const FED: &str = "eyJfederation.token.secret";
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let shown = [
        format!(
            "{:?}",
            auth.sign_in()
                .username("alice")
                .password(PASSWORD)
                .client_metadata("k", "v")
        ),
        format!(
            "{:?}",
            auth.confirm_sign_in()
                .challenge_response(ANSWER)
                .user_attribute("name", "Alice")
        ),
        format!(
            "{:?}",
            auth.confirm_sign_in().challenge_response(NEW_PASSWORD)
        ),
        format!(
            "{:?}",
            auth.sign_up()
                .username("alice")
                .password(PASSWORD)
                .user_attribute("email", "a@example.com")
        ),
        format!(
            "{:?}",
            auth.confirm_sign_up()
                .username("alice")
                .confirmation_code(CODE)
        ),
        format!("{:?}", auth.resend_sign_up_code().username("alice")),
        format!("{:?}", auth.reset_password().username("alice")),
        format!(
            "{:?}",
            auth.confirm_reset_password()
                .username("alice")
                .new_password(NEW_PASSWORD)
                .confirmation_code(CODE)
        ),
        format!(
            "{:?}",
            auth.federate_to_identity_pool()
                .token(FED)
                .provider(FederationProvider::Google)
        ),
        format!("{:?}", auth.fetch_auth_session().force_refresh(true)),
        format!(
            "{:?}",
            auth.update_password()
                .old_password(PASSWORD)
                .new_password(NEW_PASSWORD)
        ),
        format!(
            "{:?}",
            auth.confirm_user_attribute()
                .attribute("email")
                .confirmation_code(CODE)
        ),
        format!("{:?}", auth.sign_out().scope(SignOutScope::Global)),
        format!("{:?}", CognitoAuthPlugin::builder()),
        format!("{auth:?}"),
    ];
    for text in &shown {
        for secret in [PASSWORD, NEW_PASSWORD, CODE, ANSWER, FED] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    // The builders do say what they hold, redacted.
    assert!(
        shown[1].contains("ChallengeResponse([redacted])"),
        "{}",
        shown[1]
    );
    assert!(
        shown[4].contains("ConfirmationCode([redacted])"),
        "{}",
        shown[4]
    );
}
