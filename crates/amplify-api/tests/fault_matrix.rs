//! The API side of the fault matrix (issue 15): GraphQL query and mutation (API key, and IAM for
//! a query), REST GET and POST (API key) × {HTTP 500, throttling (AppSync's 429), timeout,
//! connection reset, truncated body, malformed JSON, HTML error page (503, 502 and 403)}, injected by
//! the emulator on its `graphql` and `rest` operations. Each gives a typed [`ApiError`] of the
//! expected variant (never a panic), retryable as expected, and "may have been sent" wherever the
//! request left; the same call right after the fault succeeds. The table is printed
//! (`cargo test -p amplify-api --test fault_matrix -- --nocapture`).
//!
//! REST returns the raw response; its rows decode the body as JSON, as callers do, so a malformed
//! body is the caller's [`ApiError::Decode`].
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

use amplify_api::{ApiError, ApiPlugin, TimeoutPhase};
use amplify_auth_cognito::CognitoAuthPlugin;
use amplify_core::{Amplify, AmplifyError, AuthorizationType};
use amplify_emulator::{
    ApiKeySpec, AuthMode, Emulator, EmulatorHandle, Fault, GraphQlApiSpec, IdentityPoolSpec,
    RestApiSpec, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use serde_json::{Value, json};

const PASSWORD: &str = "Fault-Matrix-Passw0rd";
const CREATE: &str =
    "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }";
const LIST: &str = "query { listTodos { items { id name } } }";
/// The plugin's `request_timeout`; the timeout case delays the answer longer.
const TIMEOUT: Duration = Duration::from_millis(700);

type Call =
    for<'a> fn(&'a ApiPlugin) -> Pin<Box<dyn Future<Output = Result<(), ApiError>> + Send + 'a>>;

/// An operation: its name, the emulator operation it calls, the call.
struct Op {
    name: &'static str,
    target: &'static str,
    call: Call,
}

/// A GraphQL answer must have data and no errors.
fn graphql_ok(response: &amplify_api::GraphQlResponse<Value>) -> Result<(), ApiError> {
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert!(response.data.is_some());
    Ok(())
}

fn ops() -> Vec<Op> {
    vec![
        Op {
            name: "GraphQL query (API key)",
            target: "graphql",
            call: |a| Box::pin(async move { graphql_ok(&a.query(LIST).send::<Value>().await?) }),
        },
        Op {
            name: "GraphQL mutation (API key)",
            target: "graphql",
            call: |a| {
                Box::pin(async move {
                    graphql_ok(
                        &a.mutate(CREATE)
                            .variables(json!({"name": "milk"}))
                            .send::<Value>()
                            .await?,
                    )
                })
            },
        },
        Op {
            name: "GraphQL query (IAM)",
            target: "graphql",
            call: |a| {
                Box::pin(async move {
                    graphql_ok(
                        &a.query(LIST)
                            .authorization_mode(AuthorizationType::AwsIam)
                            .send::<Value>()
                            .await?,
                    )
                })
            },
        },
        Op {
            name: "REST GET (API key)",
            target: "rest",
            call: |a| {
                Box::pin(async move {
                    let response = a.get("/items").send().await?;
                    assert!(response.json::<Value>()?["items"].is_array());
                    Ok(())
                })
            },
        },
        Op {
            name: "REST POST (API key)",
            target: "rest",
            call: |a| {
                Box::pin(async move {
                    let response = a
                        .post("/items")
                        .json(&json!({"name": "milk"}))
                        .send()
                        .await?;
                    assert_eq!(response.json::<Value>()?["name"], "milk");
                    Ok(())
                })
            },
        },
    ]
}

/// A fault, the error it must give and whether that error is retryable.
struct Case {
    name: &'static str,
    fault: Fault,
    expect: fn(&ApiError) -> bool,
    retryable: bool,
}

fn status(e: &ApiError, code: u16) -> bool {
    matches!(e, ApiError::HttpStatus(_)) && e.status().map(|s| s.as_u16()) == Some(code)
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "HTTP 500",
            fault: Fault::InternalError,
            expect: |e| status(e, 500) && e.code() == Some("InternalFailureException"),
            retryable: true,
        },
        Case {
            name: "throttling",
            fault: Fault::Throttle,
            expect: |e| status(e, 429) && e.code() == Some("TooManyRequestsException"),
            retryable: true,
        },
        Case {
            name: "timeout",
            fault: Fault::Delay(TIMEOUT * 2),
            expect: |e| {
                matches!(e, ApiError::Timeout(t)
                    if t.phase() == TimeoutPhase::Request && t.timeout() == Some(TIMEOUT))
            },
            retryable: true,
        },
        Case {
            name: "connection reset",
            fault: Fault::DropConnection,
            expect: |e| matches!(e, ApiError::Transport(_)),
            retryable: true,
        },
        Case {
            name: "truncated body",
            fault: Fault::TruncatedBody,
            expect: |e| matches!(e, ApiError::Transport(_)),
            retryable: true,
        },
        Case {
            name: "malformed JSON",
            fault: Fault::MalformedJson,
            // A 2xx whose body does not decode (GraphQL: the envelope; REST: where the caller's
            // `json()` hit the end).
            // The body is not JSON at all: a garbled answer, retryable (as Auth's Network error for
            // the same fault), unlike valid JSON of another shape.
            expect: |e| matches!(e, ApiError::Decode(f) if f.reason() == amplify_api::DecodeReason::MalformedBody),
            retryable: true,
        },
        Case {
            name: "HTTP 503 (HTML page)",
            fault: Fault::HtmlError(503),
            expect: |e| status(e, 503),
            retryable: true,
        },
        Case {
            name: "HTTP 502 (HTML page)",
            fault: Fault::HtmlError(502),
            expect: |e| status(e, 502),
            retryable: true,
        },
        Case {
            // A WAF or CloudFront refusal page: refused, not retried (as AppSync's own 403s).
            name: "HTTP 403 (HTML page)",
            fault: Fault::HtmlError(403),
            expect: |e| {
                matches!(e, ApiError::Unauthorized(_))
                    && e.status().map(|s| s.as_u16()) == Some(403)
                    && e.code().is_none()
            },
            retryable: false,
        },
    ]
}

/// Whether the request may have reached the server, for the errors that say so.
fn may_have_been_sent(e: &ApiError) -> Option<bool> {
    match e {
        ApiError::Transport(t) => Some(t.may_have_been_sent()),
        ApiError::Timeout(t) => Some(t.may_have_been_sent()),
        _ => None,
    }
}

async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AwsIam)
                .api_key(ApiKeySpec::new().expires_in(Duration::from_secs(86_400))),
        )
        .rest_api(RestApiSpec::new("keyed").mode(AuthMode::ApiKey))
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_call_survives_every_fault() {
    let emulator = emulator().await;
    let amplify = Amplify::new();
    // IAM's guest credentials come from the real auth plugin.
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let api = ApiPlugin::builder()
        .request_timeout(TIMEOUT)
        .build()
        .unwrap();
    amplify.add_plugin(auth).unwrap();
    amplify.add_plugin(api.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();

    let mut table = vec![
        format!(
            "| operation | {} |",
            cases()
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        format!("|---|{}", "---|".repeat(cases().len())),
    ];
    for op in ops() {
        // Warm up (IAM: the guest credentials), and the call works without a fault.
        (op.call)(&api).await.unwrap();
        let mut row = format!("| {} (`{}`) |", op.name, op.target);
        for case in cases() {
            let before = emulator.request_count(op.target);
            emulator.faults().inject(op.target, case.fault.clone());
            let Err(err) = (op.call)(&api).await else {
                panic!("{} with {}: the fault was not seen", op.name, case.name)
            };
            assert_eq!(
                emulator.request_count(op.target) - before,
                1,
                "{} with {}: one request, no retry",
                op.name,
                case.name
            );
            assert!(
                (case.expect)(&err),
                "{} with {}: unexpected error {err:?}",
                op.name,
                case.name
            );
            assert_eq!(
                err.is_retryable(),
                case.retryable,
                "{} with {}: {err}",
                op.name,
                case.name
            );
            // The request left in every case: transport and timeout errors say so.
            assert_ne!(
                may_have_been_sent(&err),
                Some(false),
                "{} with {}: {err:?}",
                op.name,
                case.name
            );
            assert!(err.recovery_suggestion().is_some());
            // The same call right after the fault succeeds.
            let again = (op.call)(&api).await;
            assert!(again.is_ok(), "{} after {}: {again:?}", op.name, case.name);
            row.push_str(&format!(" {} |", short(&err)));
        }
        table.push(row);
    }
    emulator.faults().clear();
    println!(
        "{}\n\nR: is_retryable(); S: may_have_been_sent() (Transport and Timeout only).",
        table.join("\n")
    );
}

/// The variant, status and flags, for the printed table.
fn short(e: &ApiError) -> String {
    let variant = match e {
        ApiError::HttpStatus(_) => format!("HttpStatus {}", e.status().unwrap().as_u16()),
        ApiError::Unauthorized(_) => format!("Unauthorized {}", e.status().unwrap().as_u16()),
        ApiError::Transport(_) => "Transport".to_owned(),
        ApiError::Timeout(_) => "Timeout".to_owned(),
        ApiError::Decode(_) => "Decode".to_owned(),
        other => format!("{other}"),
    };
    let mut flags = String::new();
    if e.is_retryable() {
        flags.push('R');
    }
    if may_have_been_sent(e) == Some(true) {
        flags.push('S');
    }
    if flags.is_empty() {
        variant
    } else {
        format!("{variant} ({flags})")
    }
}
