//! The SRP key computed ahead of a sign-in (about 9 ms of CPU): a process that finds nobody
//! signed in, or signs out, starts one; a process that resumes a stored session starts none.
//!
//! Observed through the plugin's debug event, in a test binary of its own: tracing's per-callsite
//! interest is process-wide, and thread-scoped capture beside other tests' threads can miss it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::Amplify;
use amplify_core::test_util::LogCapture;
use amplify_emulator::{Emulator, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";
const COMPUTING: &str = "computing an SRP key ahead of a sign-in";

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

    drop(capture);
    rt.block_on(emulator.shutdown()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
