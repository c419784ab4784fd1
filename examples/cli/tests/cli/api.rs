//! The API commands through the built binary: graphql (every mode, variables, files, stdin,
//! GraphQL errors, signed out), rest, subscribe.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::Env;

const CREATE: &str =
    "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_runs_documents_with_variables_in_each_authorization_mode() {
    let env = Env::start().await;
    // The API's default mode (API key) works signed out.
    let created = env
        .run(
            &[
                "--json",
                "graphql",
                CREATE,
                "--variables",
                r#"{"name": "milk"}"#,
            ],
            "",
        )
        .await
        .expect(0)
        .json();
    assert_eq!(created["data"]["createTodo"]["name"], "milk");
    assert!(created.get("errors").is_none());

    // Signed out, user-pool mode cannot get a token: exit 3 and a suggestion.
    let refused = env
        .run(
            &[
                "--json",
                "graphql",
                CREATE,
                "--variables",
                r#"{"name": "x"}"#,
                "--auth-mode",
                "user-pool",
            ],
            "",
        )
        .await
        .expect(3);
    assert!(
        refused.error()["message"]
            .as_str()
            .unwrap()
            .contains("AMAZON_COGNITO_USER_POOLS")
    );
    assert!(refused.error()["suggestion"].is_string());

    env.sign_in_alice().await;
    for (mode, name) in [("user-pool", "eggs"), ("AWS_IAM", "bread")] {
        let created = env
            .run(
                &[
                    "--json",
                    "graphql",
                    CREATE,
                    "--variables",
                    &json!({"name": name}).to_string(),
                    "--auth-mode",
                    mode,
                ],
                "",
            )
            .await
            .expect(0)
            .json();
        assert_eq!(created["data"]["createTodo"]["name"], name, "{mode}");
    }

    // The document from a file, variables from a file.
    let query = env.dir.path().join("list.graphql");
    std::fs::write(
        &query,
        "# every todo\nquery { listTodos { items { name } } }",
    )
    .unwrap();
    let listed = env
        .run(
            &["--json", "graphql", "--file", query.to_str().unwrap()],
            "",
        )
        .await
        .expect(0)
        .json();
    let mut names: Vec<&str> = listed["data"]["listTodos"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["bread", "eggs", "milk"]);

    let variables = env.dir.path().join("vars.json");
    std::fs::write(&variables, r#"{"name": "from a file"}"#).unwrap();
    let created = env
        .run(
            &[
                "--json",
                "graphql",
                "-",
                "--variables",
                &format!("@{}", variables.display()),
            ],
            CREATE,
        )
        .await
        .expect(0)
        .json();
    assert_eq!(created["data"]["createTodo"]["name"], "from a file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_errors_and_refusals_have_their_exit_codes() {
    let env = Env::start().await;
    // A field the schema lacks: AppSync's 400 with a validation error (a service error, 4).
    let invalid = env
        .run(&["--json", "graphql", "query { noSuchField }"], "")
        .await
        .expect(4);
    assert!(
        invalid.stderr.contains("noSuchField") || invalid.stdout.contains("noSuchField"),
        "{invalid:?}"
    );

    // deleteTodo refuses the API key: printed errors or a 401, never exit 0.
    let refused = env
        .run(
            &[
                "--json",
                "graphql",
                "mutation { deleteTodo(input: {id: \"nope\"}) { id } }",
            ],
            "",
        )
        .await;
    assert!(refused.code == 3 || refused.code == 4, "{refused:?}");
    assert!(
        refused.stdout.contains("Unauthorized") || refused.stderr.contains("Unauthorized"),
        "{refused:?}"
    );

    // A subscription document is pointed at `subscribe`.
    env.run(&["graphql", "subscription { onCreateTodo { id } }"], "")
        .await
        .expect(2);
    // An API name the configuration does not have: a configuration error.
    env.run(
        &["graphql", "{ listTodos { items { id } } }", "--api", "nope"],
        "",
    )
    .await
    .expect(6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_sends_requests_to_the_named_api() {
    let env = Env::start().await;
    env.sign_in_alice().await;
    let created = env
        .run(
            &[
                "--json",
                "rest",
                "POST",
                "/items",
                "--body",
                r#"{"name": "drill"}"#,
                "--api",
                "api",
            ],
            "",
        )
        .await
        .expect(0)
        .json();
    assert!(created["status"].as_u64().unwrap() < 300, "{created}");
    let echoed = env
        .run(
            &[
                "--json",
                "rest",
                "get",
                "/echo",
                "--query",
                "q=1",
                "-H",
                "x-trace: abc",
            ],
            "",
        )
        .await
        .expect(0)
        .json();
    assert_eq!(echoed["status"], 200);
    assert!(echoed["body"].to_string().contains("abc"), "{echoed}");

    let missing = env
        .run(&["--json", "rest", "GET", "/status/404"], "")
        .await
        .expect(4);
    assert_eq!(missing.json()["status"], 404);
    env.run(&["rest", "TRACE", "/echo"], "").await.expect(2);
}

const DEADLINE: Duration = Duration::from_secs(30);

/// Starts `subscribe <args>` and waits for its acknowledgement line on stderr.
async fn subscribed(env: &Env, args: &[&str]) -> tokio::process::Child {
    let mut command = env.command(&[&["--json", "subscribe"], args].concat());
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let line = tokio::time::timeout(DEADLINE, stderr.next_line())
            .await
            .expect("no acknowledgement in time")
            .unwrap()
            .expect("stderr ended before the subscription was acknowledged");
        if line.starts_with("subscribed") {
            return child;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_prints_each_event_as_a_json_line_until_count() {
    let env = Env::start().await;
    // Created only after the acknowledgement, so none is missed.
    let child = subscribed(
        &env,
        &["subscription { onCreateTodo { name } }", "--count", "2"],
    )
    .await;
    for name in ["one", "two"] {
        env.run(
            &[
                "graphql",
                CREATE,
                "--variables",
                &json!({"name": name}).to_string(),
            ],
            "",
        )
        .await
        .expect(0);
    }
    let output = tokio::time::timeout(DEADLINE, child.wait_with_output())
        .await
        .expect("subscribe did not stop after --count events")
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let events: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        events,
        [
            json!({"data": {"onCreateTodo": {"name": "one"}}}),
            json!({"data": {"onCreateTodo": {"name": "two"}}}),
        ]
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_stops_cleanly_at_ctrl_c() {
    use rustix::process::{Pid, Signal, kill_process};

    let env = Env::start().await;
    let child = subscribed(&env, &["subscription { onCreateTodo { name } }"]).await;
    let pid = Pid::from_raw(child.id().unwrap().try_into().unwrap()).unwrap();
    kill_process(pid, Signal::INT).unwrap();
    let output = tokio::time::timeout(DEADLINE, child.wait_with_output())
        .await
        .expect("subscribe did not stop at SIGINT")
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stdout.is_empty());
    // The emulator sees the subscription end (a `stop` or the closed socket).
    tokio::time::timeout(DEADLINE, async {
        while env.emu.backend().realtime_subscriptions() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the emulator still has the subscription");
}
