//! The Auth commands through the built binary: sign-up, confirm, sign-in (with an MFA code on
//! standard input), session, refresh, attributes, sign-out, and their failures' exit codes.

use amplify_emulator::{Fault, MfaConfiguration, MfaMethod, UserPoolSpec};

use crate::support::{Env, PASSWORD, code_for, default_backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_confirm_sign_in_then_the_session_persists_between_invocations() {
    let env = Env::start().await;
    let signed_up = env
        .run(
            &[
                "--json",
                "sign-up",
                "bob",
                "--password-stdin",
                "--email",
                "bob@example.com",
            ],
            &format!("{PASSWORD}\n"),
        )
        .await
        .expect(0)
        .json();
    assert_eq!(signed_up["next_step"], "CONFIRM_SIGN_UP");
    assert_eq!(signed_up["is_sign_up_complete"], false);
    assert_eq!(signed_up["code_delivery"]["medium"], "EMAIL");
    let code = code_for(&env.emu, "bob").await;

    // A wrong code: the service's error, exit 4, with Cognito's code.
    let wrong = env
        .run(&["--json", "confirm-sign-up", "bob", "000000"], "")
        .await
        .expect(4);
    assert_eq!(wrong.error()["code"], "CodeMismatchException");
    assert!(wrong.stdout.is_empty(), "{wrong:?}");

    let confirmed = env
        .run(&["--json", "confirm-sign-up", "bob", &code], "")
        .await
        .expect(0)
        .json();
    assert_eq!(confirmed["next_step"], "DONE");
    assert_eq!(confirmed["is_sign_up_complete"], true);

    // Nobody signed in yet: exit 3, and the guest identity is still reported.
    let before = env.run(&["--json", "session"], "").await.expect(3).json();
    assert_eq!(before["signed_in"], false);
    assert!(before["user_pool_tokens"].is_null());

    let signed_in = env
        .run(
            &["--json", "sign-in", "bob", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .expect(0)
        .json();
    assert_eq!(signed_in["signed_in"], true);
    assert_eq!(signed_in["username"], "bob");
    assert_eq!(signed_in["steps"], serde_json::json!(["DONE"]));

    // A new process reads the session from the encrypted file store.
    let session = env.run(&["--json", "session"], "").await.expect(0).json();
    assert_eq!(session["signed_in"], true);
    let tokens = &session["user_pool_tokens"];
    assert_eq!(tokens["username"], "bob");
    assert_eq!(tokens["groups"], serde_json::json!([]));
    assert_eq!(tokens["id_token_claims"]["email"], "bob@example.com");
    assert_eq!(tokens["access_token_claims"]["token_use"], "access");
    assert!(tokens["expires_at"].as_u64().unwrap() > 1_000_000_000);
    assert_eq!(session["user_sub"], tokens["id_token_claims"]["sub"]);
    assert!(
        session["identity_id"]
            .as_str()
            .unwrap()
            .starts_with("us-east-1:")
    );
    assert!(session["credentials"]["access_key_id"].is_string());
    assert!(session["credentials"]["expiration"].as_u64().is_some());
    // No secret of the session is printed.
    assert!(!session.to_string().contains("secret_access_key"));

    let refreshes = env.emu.request_count("GetTokensFromRefreshToken");
    let refreshed = env.run(&["--json", "refresh"], "").await.expect(0).json();
    assert_eq!(refreshed["signed_in"], true);
    assert_eq!(
        env.emu.request_count("GetTokensFromRefreshToken"),
        refreshes + 1
    );

    let attributes = env
        .run(&["--json", "attributes"], "")
        .await
        .expect(0)
        .json();
    assert_eq!(attributes["email"], "bob@example.com");
    let updated = env
        .run(&["--json", "attributes", "update", "name=Bob Builder"], "")
        .await
        .expect(0)
        .json();
    assert_eq!(updated["name"]["next_step"], "DONE");
    let listed = env
        .run(&["--json", "attributes", "list"], "")
        .await
        .expect(0)
        .json();
    assert_eq!(listed["name"], "Bob Builder");

    let out = env.run(&["--json", "sign-out"], "").await.expect(0).json();
    assert_eq!(out["complete"], true);
    assert_eq!(env.emu.request_count("RevokeToken"), 1);
    env.run(&["--json", "session"], "").await.expect(3);
    // Signed out: attributes need a user (exit 3, with the library's suggestion).
    let attributes = env.run(&["--json", "attributes"], "").await.expect(3);
    assert!(attributes.error()["suggestion"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_sign_up_code_and_a_verified_attribute_change() {
    let env = Env::start().await;
    env.run(
        &[
            "sign-up",
            "frank",
            "--password-stdin",
            "--email",
            "frank@example.com",
        ],
        &format!("{PASSWORD}\n"),
    )
    .await
    .expect(0);
    // The sign-up's code, taken so the next one read is the resent code.
    code_for(&env.emu, "frank").await;
    let resent = env
        .run(&["--json", "confirm-sign-up", "frank", "--resend"], "")
        .await
        .expect(0)
        .json();
    assert_eq!(resent["code_delivery"]["medium"], "EMAIL");
    let second = code_for(&env.emu, "frank").await;
    // The code read from standard input when not given.
    env.run(&["confirm-sign-up", "frank"], &format!("{second}\n"))
        .await
        .expect(0);

    env.run(
        &["sign-in", "frank", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    )
    .await
    .expect(0);
    let updated = env
        .run(
            &["--json", "attributes", "update", "email=frank@example.org"],
            "",
        )
        .await
        .expect(0)
        .json();
    assert_eq!(updated["email"]["next_step"], "CONFIRM_ATTRIBUTE_WITH_CODE");
    assert_eq!(updated["email"]["is_updated"], false);
    let code = code_for(&env.emu, "frank").await;
    env.run(&["--json", "attributes", "confirm", "email", "000000"], "")
        .await
        .expect(4);
    let confirmed = env
        .run(&["--json", "attributes", "confirm", "email", &code], "")
        .await
        .expect(0)
        .json();
    assert_eq!(confirmed["confirmed"], "email");
    let listed = env
        .run(&["--json", "attributes"], "")
        .await
        .expect(0)
        .json();
    assert_eq!(listed["email"], "frank@example.org");
    assert_eq!(listed["email_verified"], "true");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_forced_refresh_is_reported() {
    let env = Env::start().await;
    env.sign_in_alice().await;
    // Always (the SDK retries throttling and dropped connections).
    let faults = env.emu.faults();
    faults.inject_always("GetTokensFromRefreshToken", Fault::Throttle);
    let throttled = env.run(&["--json", "refresh"], "").await.expect(4);
    assert_eq!(throttled.error()["code"], "TooManyRequestsException");
    faults.clear();
    faults.inject_always("GetTokensFromRefreshToken", Fault::DropConnection);
    env.run(&["--json", "refresh"], "").await.expect(5);
    faults.clear();
    // The session survived both: the next refresh works.
    env.run(&["--json", "refresh"], "").await.expect(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_exits_4_with_the_recovery_suggestion() {
    let env = Env::start().await;
    let human = env
        .run(
            &["sign-in", "alice", "--password-stdin"],
            "not-the-password\n",
        )
        .await
        .expect(4);
    assert!(
        human
            .stderr
            .contains("error: cognito-idp refused the request (NotAuthorizedException)"),
        "{human:?}"
    );
    assert!(
        human
            .stderr
            .contains("hint: Check the username and password"),
        "{human:?}"
    );
    assert!(human.stdout.is_empty());

    let json = env
        .run(
            &["--json", "sign-in", "alice", "--password-stdin"],
            "not-the-password\n",
        )
        .await
        .expect(4);
    let error = json.error();
    assert_eq!(error["code"], "NotAuthorizedException");
    assert_eq!(error["exit_code"], 4);
    assert!(
        error["suggestion"]
            .as_str()
            .unwrap()
            .contains("Check the username and password")
    );
    assert!(!json.stderr.contains("not-the-password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_answers_an_email_mfa_code_read_from_standard_input() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1").mfa(MfaConfiguration::On, [MfaMethod::Email]),
    ))
    .await;
    let result = env
        .sign_in_with_code(
            &["alice", "--password-stdin"],
            &format!("{PASSWORD}\n"),
            "alice",
        )
        .await
        .expect(0)
        .json();
    assert_eq!(result["signed_in"], true);
    assert_eq!(
        result["steps"],
        serde_json::json!(["CONFIRM_SIGN_IN_WITH_OTP_CODE", "DONE"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mfa_prompt_without_an_answer_exits_7() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1").mfa(MfaConfiguration::On, [MfaMethod::Email]),
    ))
    .await;
    let run = env
        .run(
            &["--json", "sign-in", "alice", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .expect(7);
    assert!(
        run.error()["message"]
            .as_str()
            .unwrap()
            .contains("no answer could be read")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_sign_out_calls_global_sign_out() {
    let env = Env::start().await;
    env.sign_in_alice().await;
    // Signed in already: a usage error that says what to run.
    let again = env
        .run(
            &["--json", "sign-in", "alice", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .expect(2);
    assert_eq!(
        again.error()["suggestion"],
        "Run `amplify-rs sign-out` before signing in again."
    );
    let out = env
        .run(&["--json", "sign-out", "--global"], "")
        .await
        .expect(0)
        .json();
    assert_eq!(out["global"], true);
    assert_eq!(env.emu.request_count("GlobalSignOut"), 1);
    env.run(&["session"], "").await.expect(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_usage_and_network_failures_have_their_exit_codes() {
    let env = Env::start().await;
    // No --config and none in the directory: 6.
    let empty = env.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let mut bare = tokio::process::Command::new(crate::support::binary());
    bare.args(["--json", "session"])
        .current_dir(&empty)
        .env_remove("AMPLIFY_RS_CONFIG");
    let none = crate::support::run(bare, "").await.expect(6);
    assert!(
        none.error()["suggestion"]
            .as_str()
            .unwrap()
            .contains("amplify_outputs.json")
    );
    // A configuration file that does not exist: 6.
    let mut missing = tokio::process::Command::new(crate::support::binary());
    missing.args([
        "--json",
        "--config",
        "/nonexistent/amplify_outputs.json",
        "session",
    ]);
    assert_eq!(crate::support::run(missing, "").await.code, 6);
    // Clap's usage errors: 2.
    assert_eq!(env.run(&["no-such-command"], "").await.code, 2);
    env.run(&["graphql", "{ a }", "--variables", "not json"], "")
        .await
        .expect(2);
    env.run(&["graphql", "{ a }", "--auth-mode", "bearer"], "")
        .await
        .expect(2);

    // The emulator gone: a network error, 5.
    let config = env.config().to_owned();
    let storage = env.dir.path().join("session");
    env.emu.shutdown().await.unwrap();
    let mut offline = tokio::process::Command::new(crate::support::binary());
    offline
        .arg("--config")
        .arg(&config)
        .arg("--storage-dir")
        .arg(&storage)
        .args(["--json", "sign-in", "alice", "--password-stdin"]);
    let run = crate::support::run(offline, &format!("{PASSWORD}\n")).await;
    assert_eq!(run.code, 5, "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_help_need_no_configuration() {
    let mut completions = tokio::process::Command::new(crate::support::binary());
    completions.args(["completions", "bash"]);
    let run = crate::support::run(completions, "").await.expect(0);
    assert!(
        run.stdout.contains("complete -F _amplify__rs"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("sign-in"));

    let mut help = tokio::process::Command::new(crate::support::binary());
    help.args(["--help"]);
    let run = crate::support::run(help, "").await.expect(0);
    for command in [
        "sign-up",
        "confirm-sign-up",
        "sign-in",
        "session",
        "refresh",
        "sign-out",
        "attributes",
        "graphql",
        "rest",
        "subscribe",
        "completions",
    ] {
        assert!(
            run.stdout.contains(command),
            "{command} missing from --help"
        );
    }
    assert!(run.stdout.contains("Exit codes"));
}
