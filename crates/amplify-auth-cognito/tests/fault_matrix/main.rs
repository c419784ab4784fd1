//! The fault matrix (issue 15): every network operation of Auth × {HTTP 500, 503 HTML page,
//! throttling, timeout, connection reset, truncated body, 502 HTML page, malformed JSON, 403 HTML
//! page}, injected by the emulator. Each gives a typed error (never a panic); a signed-in session
//! stays signed in and stays in storage (sign-out rows: the local sign-out still happens and the
//! failed server step is reported); nothing is half-done (a fault that stops the request leaves
//! the old state, the truncated body — the operation ran, its answer was lost — leaves the new
//! one); the same call right after the fault succeeds. A second table shows the AWS SDK's
//! standard retry mode absorbing one fault per call. The tables are printed
//! (`cargo test --test fault_matrix -- --nocapture`).
//!
//! The rows are in `ops.rs`; this file holds the faults, the harness and the tables.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::disallowed_methods
)]

#[path = "../support/browser.rs"]
mod browser;
mod ops;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use amplify_auth_cognito::{
    AuthError, CognitoAuthPlugin, NetworkPhase, ServiceErrorKind, SignInStep,
};
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_core::{Amplify, AmplifyError};
use amplify_emulator::{
    AppClientSpec, DeviceConfiguration, Emulator, EmulatorHandle, Fault, IdentityPoolSpec,
    MfaConfiguration, MfaMethod, OAuthClientSpec, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::SecureStorageFactory;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;

use ops::{After, Op};

const PASSWORD: &str = "Correct-Horse-9";

/// The SDK's attempt timeout: generous, since the SRP math runs unoptimized on a loaded CI box.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1500);

/// A boxed future borrowing the context.
type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A fault and the error class it must give.
struct Case {
    name: &'static str,
    fault: Fault,
    /// The operation ran on the server before the fault hit (its answer was lost).
    ran: bool,
    expect: fn(&AuthError) -> bool,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "HTTP 500",
            fault: Fault::InternalError,
            ran: false,
            expect: |e| e.service_kind() == Some(ServiceErrorKind::InternalError),
        },
        Case {
            name: "HTTP 503 (HTML page)",
            fault: Fault::HtmlError(503),
            ran: false,
            expect: |e| e.service_kind() == Some(ServiceErrorKind::InternalError),
        },
        Case {
            name: "throttling",
            fault: Fault::Throttle,
            ran: false,
            expect: |e| e.service_kind() == Some(ServiceErrorKind::TooManyRequests),
        },
        // Never answered (the operation does not run): the client's attempt timeout
        // fires. A late answer to an operation that did run is the truncated body's case.
        Case {
            name: "timeout",
            fault: Fault::Silence,
            ran: false,
            expect: |e| matches!(e, AuthError::Network(n) if n.phase() == NetworkPhase::Timeout),
        },
        Case {
            name: "connection reset",
            fault: Fault::DropConnection,
            ran: false,
            expect: |e| matches!(e, AuthError::Network(_)),
        },
        Case {
            name: "truncated body",
            fault: Fault::TruncatedBody,
            ran: true,
            expect: |e| matches!(e, AuthError::Network(_)),
        },
        Case {
            name: "HTTP 502 (HTML page)",
            fault: Fault::HtmlError(502),
            ran: false,
            expect: |e| e.service_kind() == Some(ServiceErrorKind::InternalError),
        },
        // HTTP 200 with Cognito's content type and half a JSON body; the operation did not run.
        Case {
            name: "malformed JSON",
            fault: Fault::MalformedJson,
            ran: false,
            expect: |e| matches!(e, AuthError::Network(n) if n.phase() == NetworkPhase::Response),
        },
        Case {
            name: "HTTP 403 (HTML page)",
            fault: Fault::HtmlError(403),
            ran: false,
            expect: |e| matches!(e, AuthError::Network(n) if n.phase() == NetworkPhase::Response),
        },
    ]
}

/// Mutable test state the rows share.
#[derive(Default)]
struct State {
    /// alice's current password (the ChangePassword row changes it).
    alice_password: Option<String>,
    /// dave's current password (the ConfirmForgotPassword row changes it).
    dave_password: Option<String>,
    /// The value the row's call is about to set (a password, an attribute value, a username).
    pending: String,
    /// A code the row's call is about to send.
    code: String,
    /// The TOTP secret being verified.
    secret: String,
    /// A hosted UI sign-in and the redirect that completes it.
    web: Option<(amplify_auth_cognito::WebUiSignIn, String)>,
    counter: u32,
}

/// One emulator, one storage, one plugin for the whole matrix.
struct Ctx {
    emulator: EmulatorHandle,
    storage: SecureStorageFactory,
    clock: ManualTimeSource,
    auth: CognitoAuthPlugin,
    _amplify: Amplify,
    state: Mutex<State>,
}

/// The user pool's features beyond the plain one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pool {
    Plain,
    /// Each sign-in confirms a new device (`ConfirmDevice`); remembered only on request.
    Devices,
    /// An app client with the hosted UI (OAuth code flow with PKCE).
    HostedUi,
}

/// The hosted UI client's callback (nothing listens there: the test hands the redirect back).
const CALLBACK: &str = "http://localhost:3000/callback";

async fn emulator(clock: &ManualTimeSource, kind: Pool) -> EmulatorHandle {
    let user = |name: &str| UserSpec::new(name, PASSWORD).email(format!("{name}@example.com"));
    let mut pool = UserPoolSpec::new("us-east-1");
    match kind {
        Pool::Plain => {}
        Pool::Devices => {
            pool = pool.device_configuration(
                DeviceConfiguration::new()
                    .challenge_required_on_new_device(false)
                    .device_only_remembered_on_user_prompt(true),
            );
        }
        Pool::HostedUi => {
            pool = pool.client(
                AppClientSpec::new().oauth(
                    OAuthClientSpec::new()
                        .callback_url(CALLBACK)
                        .logout_url("http://localhost:3000/signout"),
                ),
            );
        }
    }
    Emulator::builder()
        .user_pool(
            pool.mfa(
                MfaConfiguration::Optional,
                [MfaMethod::Email, MfaMethod::Totp],
            )
            .user(user("alice"))
            .user(user("bob").status(amplify_emulator::SeedStatus::Unconfirmed))
            .user(user("dave"))
            .user(user("erin"))
            .user(user("tina")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

impl Ctx {
    async fn new(retries: bool, pool: Pool) -> Self {
        let clock = ManualTimeSource::new(SystemTime::now());
        let emulator = emulator(&clock, pool).await;
        let storage = SecureStorageFactory::in_memory();
        let (auth, amplify) = plugin(&emulator, &clock, &storage, retries).await;
        let ctx = Ctx {
            emulator,
            storage,
            clock,
            auth,
            _amplify: amplify,
            state: Mutex::default(),
        };
        // erin answers an EMAIL_OTP challenge at each sign-in.
        let (erin, _a) = ctx.throwaway().await;
        assert!(ctx.sign_in_with(&erin, "erin", PASSWORD).await);
        erin.update_mfa_preference()
            .email(amplify_auth_cognito::MfaPreference::Preferred)
            .send()
            .await
            .unwrap();
        ctx
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A name no earlier call used.
    fn fresh(&self, prefix: &str) -> String {
        let mut state = self.state();
        state.counter += 1;
        format!("{prefix}{}", state.counter)
    }

    fn alice_password(&self) -> String {
        self.state()
            .alice_password
            .clone()
            .unwrap_or_else(|| PASSWORD.to_owned())
    }

    fn dave_password(&self) -> String {
        self.state()
            .dave_password
            .clone()
            .unwrap_or_else(|| PASSWORD.to_owned())
    }

    fn pending(&self) -> String {
        self.state().pending.clone()
    }

    fn code(&self) -> String {
        self.state().code.clone()
    }

    /// Another process over the same storage.
    async fn process(&self) -> (CognitoAuthPlugin, Amplify) {
        plugin(&self.emulator, &self.clock, &self.storage, false).await
    }

    /// A process with storage of its own, for checking the server's state.
    async fn throwaway(&self) -> (CognitoAuthPlugin, Amplify) {
        plugin(
            &self.emulator,
            &self.clock,
            &SecureStorageFactory::in_memory(),
            false,
        )
        .await
    }

    /// Whether `user` signs in with `password` (in a throwaway process; MFA steps count as yes).
    async fn can_sign_in(&self, user: &str, password: &str) -> bool {
        let (auth, _a) = self.throwaway().await;
        match auth
            .sign_in()
            .username(user)
            .password(password)
            .send()
            .await
        {
            Ok(r) => !matches!(r.next_step, SignInStep::ConfirmSignUp),
            Err(e) => {
                assert!(
                    matches!(
                        e.service_kind(),
                        Some(
                            ServiceErrorKind::NotAuthorized
                                | ServiceErrorKind::UserNotFound
                                | ServiceErrorKind::UserNotConfirmed
                        )
                    ),
                    "{user}: {e:?}"
                );
                false
            }
        }
    }

    /// Signs `auth` in as `user`, answering an email OTP from the outbox.
    async fn sign_in_with(&self, auth: &CognitoAuthPlugin, user: &str, password: &str) -> bool {
        let result = auth
            .sign_in()
            .username(user)
            .password(password)
            .send()
            .await
            .unwrap();
        match result.next_step {
            SignInStep::Done => true,
            SignInStep::ConfirmSignInWithOtpCode(_) => {
                let code = self.emulator.outbox().latest_code_for(user).unwrap();
                let r = auth
                    .confirm_sign_in()
                    .challenge_response(code)
                    .send()
                    .await
                    .unwrap();
                r.next_step == SignInStep::Done
            }
            other => panic!("{user}: unexpected step {other:?}"),
        }
    }

    async fn signed_in_as(&self) -> Option<String> {
        self.auth.get_current_user().await.ok().map(|u| u.username)
    }

    /// Signs the shared plugin in as `user` (or out with `None`) unless it already is.
    async fn ensure(&self, user: Option<&str>) {
        let now = self.signed_in_as().await;
        if now.as_deref() == user {
            return;
        }
        if now.is_some() || self.auth.fetch_auth_session().send().await.is_signed_in {
            self.auth.sign_out().send().await;
        }
        if let Some(user) = user {
            let password = match user {
                "alice" => self.alice_password(),
                "dave" => self.dave_password(),
                _ => PASSWORD.to_owned(),
            };
            assert!(self.sign_in_with(&self.auth, user, &password).await);
        }
    }

    /// The session is (or is not) in the plugin and in storage.
    async fn assert_session(&self, signed_in: bool, what: &str) {
        assert_eq!(
            self.auth.fetch_auth_session().send().await.is_signed_in,
            signed_in,
            "{what}: signed in"
        );
        // Storage: a new process resumes the session, or finds none.
        let (other, _o) = self.process().await;
        assert_eq!(
            other.get_current_user().await.is_ok(),
            signed_in,
            "{what}: in storage"
        );
    }
}

async fn plugin(
    emulator: &EmulatorHandle,
    clock: &ManualTimeSource,
    storage: &SecureStorageFactory,
    retries: bool,
) -> (CognitoAuthPlugin, Amplify) {
    let retry = if retries {
        RetryConfig::standard()
    } else {
        RetryConfig::disabled()
    };
    let sdk = aws_types::SdkConfig::builder()
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .build(),
        )
        .build();
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock.clone()))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(storage.clone())
        .sdk_config(sdk)
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    (auth, amplify)
}

/// Runs one row against every fault; returns the row of the printed table.
async fn run_row(ctx: &Ctx, op: &Op) -> String {
    let mut row = format!("| {} ({}) |", op.name, op.target);
    for case in cases() {
        if op.skip.contains(&case.name) {
            row.push_str(" (not run) |");
            continue;
        }
        let what = format!("{} with {}", op.name, case.name);
        ctx.ensure(op.user).await;
        (op.prepare)(ctx).await;
        // Not `fetch_auth_session`: that would fetch the identity id and credentials.
        let signed_in = ctx.auth.get_current_user().await.is_ok();
        let before = ctx.emulator.request_count(op.target);
        ctx.emulator.faults().inject(op.target, case.fault.clone());
        let failed = (op.call)(ctx).await;
        assert_eq!(
            ctx.emulator.request_count(op.target) - before,
            1,
            "{what}: one request (no retries in this table)"
        );
        let Err(err) = failed else {
            panic!("{what}: the fault was not seen")
        };
        let expect = op.expect.unwrap_or(case.expect);
        assert!(expect(&err), "{what}: unexpected error {err:?}");
        if case.ran && op.expect.is_none() {
            // The operation ran: the error must not invite a blind "it was never sent" retry.
            assert!(
                matches!(&err, AuthError::Network(n) if n.may_have_been_sent()),
                "{what}: {err:?}"
            );
        }
        assert_eq!(err.is_retryable(), op.retryable, "{what}: {err}");
        assert!(err.recovery_suggestion().is_some(), "{what}");
        match op.after {
            After::Unchanged => ctx.assert_session(signed_in, &what).await,
            After::SignedOut => ctx.assert_session(false, &what).await,
        }
        // Nothing half-done: the old state, or (the operation ran) the new one.
        (op.check)(ctx, case.ran).await;
        // The same call right after the fault succeeds.
        ctx.ensure(op.user).await;
        (op.prepare)(ctx).await;
        let again = (op.call)(ctx).await;
        assert!(again.is_ok(), "{} after {}: {again:?}", op.name, case.name);
        (op.check)(ctx, true).await;
        row.push_str(&format!(" {} |", short(&err)));
    }
    row
}

/// Runs `rows` against every fault on one emulator and one plugin; prints the table.
async fn matrix(pool: Pool, rows: Vec<Op>) {
    let started = Instant::now();
    let ctx = Ctx::new(false, pool).await;
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
    for op in &rows {
        table.push(run_row(&ctx, op).await);
    }
    ctx.emulator.faults().clear();
    assert!(ctx.emulator.backend().panics().is_empty());
    println!("{}", table.join("\n"));
    println!("({} rows in {:?})", rows.len(), started.elapsed());
}

/// The hosted UI's token endpoint (the authorization code exchange of `complete`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hosted_ui_code_exchange_survives_every_fault() {
    matrix(Pool::HostedUi, ops::hosted_ui_ops()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_auth_call_survives_every_fault() {
    matrix(Pool::Plain, ops::ops()).await;
}

/// The device calls, against a pool that tracks devices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_device_call_survives_every_fault() {
    matrix(Pool::Devices, ops::device_ops()).await;
}

/// `ConfirmDevice` runs inside sign-in, after the session is saved: a fault there does not fail
/// the sign-in (Amplify's behaviour); the user is signed in without a tracked device, and the
/// next sign-in confirms one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_on_confirm_device_signs_in_without_the_device() {
    let ctx = Ctx::new(false, Pool::Devices).await;
    let mut row = "| sign_in (ConfirmDevice) |".to_owned();
    for case in cases() {
        // A device this plugin does not know yet: forget the one it tracks.
        ctx.ensure(Some("alice")).await;
        if ctx.auth.fetch_current_device().await.is_ok() {
            ctx.auth.forget_device(None).await.unwrap();
        }
        ctx.ensure(None).await;
        let before = ctx.emulator.request_count("ConfirmDevice");
        ctx.emulator
            .faults()
            .inject("ConfirmDevice", case.fault.clone());
        ctx.ensure(Some("alice")).await;
        assert_eq!(
            ctx.emulator.request_count("ConfirmDevice") - before,
            1,
            "{}",
            case.name
        );
        ctx.assert_session(true, case.name).await;
        let untracked = ctx.auth.fetch_current_device().await.unwrap_err();
        assert!(
            matches!(untracked, AuthError::InvalidState(_)),
            "{}: {untracked:?}",
            case.name
        );
        // The next sign-in confirms a device.
        ctx.ensure(None).await;
        ctx.ensure(Some("alice")).await;
        assert!(
            ctx.auth.fetch_current_device().await.is_ok(),
            "{}",
            case.name
        );
        row.push_str(" signed in, no device |");
    }
    println!("{row}");
}

/// The error class, for the printed table.
fn short(e: &AuthError) -> String {
    match e {
        AuthError::Service(s) => format!("Service {:?}", s.kind()),
        AuthError::Network(n) => format!("Network {:?}", n.phase()),
        AuthError::HostedUi(h) => format!("HostedUi {:?}", h.kind()),
        other => format!("{other}"),
    }
}

/// With the AWS SDK's standard retry mode (3 attempts, exponential backoff with jitter), one
/// transient fault per call is retried and the call succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_standard_retry_mode_absorbs_one_transient_fault() {
    let ctx = Ctx::new(true, Pool::Plain).await;
    let faults = [
        ("HTTP 500", Fault::InternalError),
        ("HTTP 503 (HTML page)", Fault::HtmlError(503)),
        ("throttling", Fault::Throttle),
        ("connection reset", Fault::DropConnection),
        ("timeout", Fault::Delay(ATTEMPT_TIMEOUT * 2)),
    ];
    let mut table = vec![
        format!(
            "| operation (requests) | {} |",
            faults.iter().map(|f| f.0).collect::<Vec<_>>().join(" | ")
        ),
        format!("|---|{}", "---|".repeat(faults.len())),
    ];
    for op in ops::ops().into_iter().filter(|op| op.retry_table) {
        let mut row = format!("| {} ({}) |", op.name, op.target);
        for (name, fault) in &faults {
            ctx.ensure(op.user).await;
            (op.prepare)(&ctx).await;
            let before = ctx.emulator.request_count(op.target);
            ctx.emulator.faults().inject(op.target, fault.clone());
            let result = (op.call)(&ctx).await;
            let requests = ctx.emulator.request_count(op.target) - before;
            assert!(result.is_ok(), "{} with {name}: {result:?}", op.name);
            assert_eq!(
                requests, 2,
                "{} with {name}: one failed attempt, one retry",
                op.name
            );
            (op.check)(&ctx, true).await;
            row.push_str(&format!(" {requests}, ok |"));
        }
        table.push(row);
    }
    println!("{}", table.join("\n"));
}
