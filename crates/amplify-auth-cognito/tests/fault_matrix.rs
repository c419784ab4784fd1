//! The fault matrix (issue 15): every network operation of Auth × {HTTP 500, 503 HTML page,
//! throttling, timeout, connection reset, truncated body, 502 HTML page, 403 HTML page},
//! injected by the emulator. Each gives a typed error (never a panic); a signed-in session stays
//! signed in and stays in storage; the same call right after the fault succeeds. A second table
//! shows the AWS SDK's standard retry mode absorbing one fault per call. Both tables are printed
//! (`cargo test --test fault_matrix -- --nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use amplify_auth_cognito::{AuthError, CognitoAuthPlugin, NetworkPhase, ServiceErrorKind};
use amplify_core::{Amplify, AmplifyError};
use amplify_emulator::{Emulator, EmulatorHandle, Fault, IdentityPoolSpec, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;

const PASSWORD: &str = "Correct-Horse-9";

type Call = for<'a> fn(
    &'a CognitoAuthPlugin,
) -> Pin<Box<dyn Future<Output = Result<(), AuthError>> + Send + 'a>>;

/// An operation: its name, the emulator operation it calls, whether it needs a signed-in user.
struct Op {
    name: &'static str,
    target: &'static str,
    signed_in: bool,
    call: Call,
}

fn ops() -> Vec<Op> {
    vec![
        Op {
            name: "fetch_user_attributes",
            target: "GetUser",
            signed_in: true,
            call: |a| Box::pin(async move { a.fetch_user_attributes().send().await.map(drop) }),
        },
        Op {
            name: "update_user_attributes",
            target: "UpdateUserAttributes",
            signed_in: true,
            call: |a| {
                Box::pin(async move { a.update_user_attribute("name", "Alice").await.map(drop) })
            },
        },
        Op {
            name: "refresh (force)",
            target: "GetTokensFromRefreshToken",
            signed_in: true,
            call: |a| {
                Box::pin(async move {
                    a.fetch_auth_session()
                        .force_refresh(true)
                        .send()
                        .await
                        .user_pool_tokens
                        .map(drop)
                })
            },
        },
        Op {
            name: "AWS credentials (force)",
            target: "GetCredentialsForIdentity",
            signed_in: true,
            call: |a| {
                Box::pin(async move {
                    a.fetch_auth_session()
                        .force_refresh(true)
                        .send()
                        .await
                        .credentials
                        .map(drop)
                })
            },
        },
        Op {
            name: "sign_in",
            target: "InitiateAuth",
            signed_in: false,
            call: |a| {
                Box::pin(async move {
                    a.sign_in()
                        .username("alice")
                        .password(PASSWORD)
                        .send()
                        .await
                        .map(drop)
                })
            },
        },
        Op {
            name: "sign_in (SRP answer)",
            target: "RespondToAuthChallenge",
            signed_in: false,
            call: |a| {
                Box::pin(async move {
                    a.sign_in()
                        .username("alice")
                        .password(PASSWORD)
                        .send()
                        .await
                        .map(drop)
                })
            },
        },
        Op {
            name: "reset_password",
            target: "ForgotPassword",
            signed_in: false,
            call: |a| {
                Box::pin(async move { a.reset_password().username("alice").send().await.map(drop) })
            },
        },
        Op {
            name: "resend_sign_up_code",
            target: "ResendConfirmationCode",
            signed_in: false,
            call: |a| {
                Box::pin(async move {
                    a.resend_sign_up_code()
                        .username("bob")
                        .send()
                        .await
                        .map(drop)
                })
            },
        },
    ]
}

/// A fault and the error class it must give.
struct Case {
    name: &'static str,
    fault: Fault,
    expect: fn(&AuthError) -> bool,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "HTTP 500",
            fault: Fault::InternalError,
            expect: |e| e.service_kind() == Some(ServiceErrorKind::InternalError),
        },
        Case {
            name: "HTTP 503 (HTML page)",
            fault: Fault::HtmlError(503),
            expect: |e| e.service_kind() == Some(ServiceErrorKind::InternalError),
        },
        Case {
            name: "throttling",
            fault: Fault::Throttle,
            expect: |e| e.service_kind() == Some(ServiceErrorKind::TooManyRequests),
        },
        Case {
            name: "timeout",
            fault: Fault::Delay(Duration::from_millis(1500)),
            expect: |e| matches!(e, AuthError::Network(n) if n.phase() == NetworkPhase::Timeout),
        },
        Case {
            name: "connection reset",
            fault: Fault::DropConnection,
            expect: |e| matches!(e, AuthError::Network(_)),
        },
        Case {
            name: "truncated body",
            fault: Fault::TruncatedBody,
            expect: |e| matches!(e, AuthError::Network(_)),
        },
        Case {
            name: "HTTP 502 (HTML page)",
            fault: Fault::HtmlError(502),
            expect: |e| e.service_kind() == Some(ServiceErrorKind::InternalError),
        },
        Case {
            name: "HTTP 403 (HTML page)",
            fault: Fault::HtmlError(403),
            expect: |e| matches!(e, AuthError::Network(n) if n.phase() == NetworkPhase::Response),
        },
    ]
}

struct Setup {
    emulator: EmulatorHandle,
    storage: SecureStorageFactory,
}

async fn emulator() -> Setup {
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com"))
                .user(
                    UserSpec::new("bob", PASSWORD)
                        .email("bob@example.com")
                        .status(amplify_emulator::SeedStatus::Unconfirmed),
                ),
        )
        .identity_pool(IdentityPoolSpec::new())
        .start()
        .await
        .unwrap();
    Setup {
        emulator,
        storage: SecureStorageFactory::in_memory(),
    }
}

impl Setup {
    async fn plugin(&self, retries: bool) -> (CognitoAuthPlugin, Amplify) {
        let retry = if retries {
            RetryConfig::standard()
        } else {
            RetryConfig::disabled()
        };
        let sdk = aws_types::SdkConfig::builder()
            .retry_config(retry)
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(Duration::from_millis(700))
                    .build(),
            )
            .build();
        let amplify = Amplify::new();
        let auth = CognitoAuthPlugin::builder()
            .secure_storage_factory(self.storage.clone())
            .sdk_config(sdk)
            .build();
        amplify.add_plugin(auth.clone()).unwrap();
        amplify
            .configure(&self.emulator.amplify_outputs_json())
            .await
            .unwrap();
        (auth, amplify)
    }
}

async fn set_signed_in(auth: &CognitoAuthPlugin, signed_in: bool) {
    let now = auth.fetch_auth_session().send().await.is_signed_in;
    if now && !signed_in {
        auth.sign_out().send().await;
    } else if !now && signed_in {
        auth.sign_in()
            .username("alice")
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_auth_call_survives_every_fault() {
    let s = emulator().await;
    let (auth, _amplify) = s.plugin(false).await;
    let mut table = vec![format!(
        "| operation | {} |",
        cases()
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(" | ")
    )];
    for op in ops() {
        let mut row = format!("| {} ({}) |", op.name, op.target);
        for case in cases() {
            set_signed_in(&auth, op.signed_in).await;
            s.emulator.faults().inject(op.target, case.fault.clone());
            let failed = (op.call)(&auth).await;
            let Err(err) = failed else {
                panic!("{} with {}: the fault was not seen", op.name, case.name)
            };
            assert!(
                (case.expect)(&err),
                "{} with {}: unexpected error {err:?}",
                op.name,
                case.name
            );
            assert!(err.is_retryable(), "{} with {}: {err}", op.name, case.name);
            assert!(err.recovery_suggestion().is_some());
            if op.signed_in {
                assert!(
                    auth.fetch_auth_session().send().await.is_signed_in,
                    "{} with {}: the session was lost",
                    op.name,
                    case.name
                );
                // Still in storage: a new process resumes it.
                let (other, _o) = s.plugin(false).await;
                assert!(other.get_current_user().await.is_ok());
            }
            // The same call right after the fault succeeds.
            set_signed_in(&auth, op.signed_in).await;
            let again = (op.call)(&auth).await;
            assert!(again.is_ok(), "{} after {}: {again:?}", op.name, case.name);
            row.push_str(&format!(" {} |", short(&err)));
        }
        table.push(row);
    }
    s.emulator.faults().clear();
    println!("{}", table.join("\n"));
}

/// The error class, for the printed table.
fn short(e: &AuthError) -> String {
    match e {
        AuthError::Service(s) => format!("Service {:?}", s.kind()),
        AuthError::Network(n) => format!("Network {:?}", n.phase()),
        other => format!("{other}"),
    }
}

/// With the AWS SDK's standard retry mode (3 attempts, exponential backoff with jitter), one
/// transient fault per call is retried and the call succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_standard_retry_mode_absorbs_one_transient_fault() {
    let s = emulator().await;
    let (auth, _amplify) = s.plugin(true).await;
    set_signed_in(&auth, true).await;
    let mut table = vec!["| fault | GetUser requests | result |".to_owned()];
    for (name, fault) in [
        ("HTTP 500", Fault::InternalError),
        ("HTTP 503 (HTML page)", Fault::HtmlError(503)),
        ("throttling", Fault::Throttle),
        ("connection reset", Fault::DropConnection),
        ("timeout", Fault::Delay(Duration::from_millis(1500))),
    ] {
        let before = s.emulator.request_count("GetUser");
        s.emulator.faults().inject("GetUser", fault);
        let result = auth.fetch_user_attributes().send().await;
        let requests = s.emulator.request_count("GetUser") - before;
        assert!(result.is_ok(), "{name}: {result:?}");
        assert_eq!(requests, 2, "{name}: one failed attempt, one retry");
        table.push(format!("| {name} | {requests} | ok |"));
    }
    println!("{}", table.join("\n"));
}
