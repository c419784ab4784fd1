//! The SRP key computed ahead of a sign-in (about 9 ms of CPU): a process that finds nobody
//! signed in, signs out or clears its federation starts one; a process that resumes a stored
//! session, signed in or federated to the identity pool, starts none (sign-in refuses both).
//!
//! Observed through the plugin's debug event, in a test binary of its own: tracing's per-callsite
//! interest is process-wide, and thread-scoped capture beside other tests' threads can miss it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use amplify_auth_cognito::{CognitoAuthPlugin, FederationProvider};
use amplify_core::Amplify;
use amplify_core::test_util::LogCapture;
use amplify_emulator::{Emulator, IdentityPoolSpec, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";
const COMPUTING: &str = "computing an SRP key ahead of a sign-in";
const ISSUER: &str = "https://issuer.example.com";

async fn plugin(config: &str, storage: &SecureStorageFactory) -> CognitoAuthPlugin {
    let amplify = Amplify::builder().build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(storage.clone())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify.configure(config).await.unwrap();
    auth
}

#[test]
fn an_srp_key_is_computed_ahead_only_when_nobody_is_signed_in() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("amplify-srp-ahead-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let storage = SecureStorageFactory::encrypted_file(&dir);
    let emulator = rt.block_on(async {
        Emulator::builder()
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
            )
            .identity_pool(IdentityPoolSpec::new())
            .oidc_issuer(ISSUER)
            .start()
            .await
            .unwrap()
    });
    let config = emulator.amplify_outputs_json();
    let capture = LogCapture::start();
    let count = |capture: &LogCapture| capture.contents().matches(COMPUTING).count();

    // First process: nobody signed in. Configuring computes nothing; the first look at the
    // stored session starts one computation, and looking again starts no second.
    let first = rt.block_on(plugin(&config, &storage));
    assert_eq!(count(&capture), 0, "{}", capture.contents());
    rt.block_on(async {
        assert!(!first.fetch_auth_session().send().await.is_signed_in);
        assert!(!first.fetch_auth_session().send().await.is_signed_in);
    });
    assert!(
        capture.contents().contains("stored session loaded"),
        "logs were captured: {}",
        capture.contents()
    );
    assert_eq!(count(&capture), 1, "{}", capture.contents());
    rt.block_on(async {
        let result = first
            .sign_in()
            .username("alice")
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
        assert!(result.is_signed_in);
    });
    let after_sign_in = count(&capture);

    // Second process, same storage: it resumes the session and computes nothing, until it signs
    // out.
    let second = rt.block_on(plugin(&config, &storage));
    rt.block_on(async {
        assert!(second.fetch_auth_session().send().await.is_signed_in);
    });
    assert_eq!(count(&capture), after_sign_in, "{}", capture.contents());
    rt.block_on(async {
        let _ = second.sign_out().send().await;
    });
    assert_eq!(count(&capture), after_sign_in + 1, "{}", capture.contents());

    // Federated to the identity pool, where sign-in is refused: federating computes nothing, nor
    // does a third process that resumes the federated session; clearing the federation does.
    let token = emulator.mint_oidc_token(ISSUER, "oidc-user-1").unwrap();
    rt.block_on(async {
        second
            .federate_to_identity_pool()
            .token(token.as_str())
            .provider(FederationProvider::Oidc(ISSUER.into()))
            .send()
            .await
            .unwrap();
    });
    let federated = count(&capture);
    assert_eq!(federated, after_sign_in + 1, "{}", capture.contents());
    let third = rt.block_on(plugin(&config, &storage));
    rt.block_on(async {
        let session = third.fetch_auth_session().send().await;
        assert!(session.identity_id.is_ok(), "{session:?}");
    });
    assert_eq!(count(&capture), federated, "{}", capture.contents());
    rt.block_on(async {
        third.clear_federation_to_identity_pool().await.unwrap();
    });
    assert_eq!(count(&capture), federated + 1, "{}", capture.contents());

    drop(capture);
    rt.block_on(emulator.shutdown()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
