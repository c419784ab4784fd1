//! The emulator as a local backend (issue 16): the configuration documents served over HTTP and
//! written by the binary, the `serve` command, and the binary's JSON request log.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;
use std::process::Stdio;

use amplify_config::AmplifyConfig;
use amplify_emulator::*;
use common::http::Req;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const PASSWORD: &str = "Sup3r-Secret-Passw0rd!";
const API_KEY: &str = "da2-neverinthelog0123456789";

/// Starts the binary with `args` and reads its ready line.
async fn spawn(args: &[&str], stderr: Stdio) -> (Child, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_amplify-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a ready line");
    (child, serde_json::from_str(&line).unwrap())
}

fn addr_of(ready: &Value) -> std::net::SocketAddr {
    ready["endpoint"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn config_documents_are_served_as_json() {
    let emu = Emulator::start().await.unwrap();
    for (path, expected) in [
        (
            "/_emulator/amplify_outputs.json",
            emu.amplify_outputs_json(),
        ),
        (
            "/_emulator/amplifyconfiguration.json",
            emu.amplify_configuration_json(),
        ),
        ("/_emulator/aws-exports.json", emu.aws_exports_json()),
    ] {
        let reply = Req::new("GET", path).send(emu.local_addr()).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let body = String::from_utf8(reply.body.clone()).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            serde_json::from_str::<Value>(&expected).unwrap(),
            "{path}"
        );
        AmplifyConfig::from_json(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    assert_eq!(emu.request_count("amplify-outputs"), 1);
    assert_eq!(emu.request_count("amplify-configuration"), 1);
    assert_eq!(emu.request_count("aws-exports"), 1);
    let post = Req::post_json("/_emulator/amplify_outputs.json", &json!({}))
        .send(emu.local_addr())
        .await;
    assert_eq!(post.status, 405);
}

/// The object an `aws-exports.js` module exports, checked to be written as the Amplify CLI
/// writes the file (`const awsmobile = {...};` then `export default awsmobile;`).
fn exported_object(module: &str) -> &str {
    let (_, object) = module
        .split_once("\nconst awsmobile = ")
        .unwrap_or_else(|| panic!("no `const awsmobile = ` in {module}"));
    object
        .strip_suffix(";\n\n\nexport default awsmobile;\n")
        .unwrap_or_else(|| panic!("no `export default awsmobile;` ending {module}"))
}

/// `path` parses with amplify-config and is what the running child serves at `route`.
async fn assert_written(path: &Path, addr: std::net::SocketAddr, route: &str) {
    let mut written = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "js") {
        written = exported_object(&written).to_owned();
        // Indented by four spaces, as the CLI writes it.
        assert!(written.starts_with("{\n    \"aws_"), "{written}");
    }
    AmplifyConfig::from_json(&written).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let served = Req::new("GET", route).send(addr).await.json();
    assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), served);
}

#[tokio::test]
async fn serve_writes_the_config_before_the_ready_line() {
    let dir = common::temp_dir("write-config");
    let gen2 = dir.join("amplify_outputs.json");
    let (mut child, ready) = spawn(
        &["serve", "--write-config", gen2.to_str().unwrap()],
        Stdio::null(),
    )
    .await;
    let addr = addr_of(&ready);
    assert_written(&gen2, addr, "/_emulator/amplify_outputs.json").await;
    let outputs: Value = serde_json::from_str(&std::fs::read_to_string(&gen2).unwrap()).unwrap();
    assert_eq!(outputs["auth"]["user_pool_id"], ready["userPoolId"]);
    assert_eq!(outputs["data"]["url"], ready["graphqlUrl"]);
    child.kill().await.unwrap();

    // Gen 1 by its file name, without the `serve` command; another `.json` name is Gen 2; the
    // web format for `aws-exports.js` (an ES module) and `aws-exports.json`, or for any `.json`
    // with `--config-format gen1-web` (a JavaScript project's `src/amplifyconfiguration.json`).
    let web_dir = dir.join("src");
    std::fs::create_dir_all(&web_dir).unwrap();
    let gen1 = dir.join("amplifyconfiguration.json");
    let other = dir.join("local.json");
    let module = dir.join("aws-exports.js");
    let web = dir.join("aws-exports.json");
    let web_named = web_dir.join("amplifyconfiguration.json");
    let gen2_named = web_dir.join("aws-exports.json");
    for (path, format, route) in [
        (&gen1, None, "/_emulator/amplifyconfiguration.json"),
        (&other, None, "/_emulator/amplify_outputs.json"),
        (&module, None, "/_emulator/aws-exports.json"),
        (&web, None, "/_emulator/aws-exports.json"),
        (&web_named, Some("gen1-web"), "/_emulator/aws-exports.json"),
        (&gen2_named, Some("gen2"), "/_emulator/amplify_outputs.json"),
    ] {
        let mut args = vec!["--write-config", path.to_str().unwrap()];
        args.extend(format.iter().flat_map(|f| ["--config-format", *f]));
        let (mut child, ready) = spawn(&args, Stdio::null()).await;
        assert_written(path, addr_of(&ready), route).await;
        child.kill().await.unwrap();
    }
    // No temporary files are left next to them.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 6);
    assert_eq!(std::fs::read_dir(&web_dir).unwrap().count(), 2);

    for bad in [
        vec!["serve", "--write-config", "config.yaml"],
        vec![
            "serve",
            "--write-config",
            "aws-exports.js",
            "--config-format",
            "gen2",
        ],
        vec![
            "serve",
            "--write-config",
            "a.json",
            "--config-format",
            "web",
        ],
        vec!["serve", "--config-format", "gen1-web"],
        vec!["serve", "--log", "text"],
        vec!["serve", "serve"],
    ] {
        let status = Command::new(env!("CARGO_BIN_EXE_amplify-emulator"))
            .args(&bad)
            .stderr(Stdio::null())
            .status()
            .await
            .unwrap();
        assert_eq!(status.code(), Some(2), "{bad:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn aws_json(target: &str, body: &Value) -> Req {
    Req::post_json("/", body)
        .set_header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", target)
}

#[tokio::test]
async fn json_request_log_names_decisions_and_never_secrets() {
    let dir = common::temp_dir("request-log");
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        json!({
            "userPools": [{"id": "us-east-1_Logged1", "clients": [{"id": "loggedclient"}],
                "users": [{"username": "alice", "password": PASSWORD}]}],
            "graphqlApi": {"defaultMode": "API_KEY", "apiKeys": [{"key": API_KEY}]}
        })
        .to_string(),
    )
    .unwrap();
    let (mut child, ready) = spawn(
        &["serve", "--seed", seed.to_str().unwrap(), "--log", "json"],
        Stdio::piped(),
    )
    .await;
    let addr = addr_of(&ready);

    let sign_in = |password: &str| {
        aws_json(
            "AWSCognitoIdentityProviderService.InitiateAuth",
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "loggedclient",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": password}}),
        )
    };
    let signed_in = sign_in(PASSWORD).send(addr).await;
    assert_eq!(signed_in.status, 200);
    let tokens = signed_in.json()["AuthenticationResult"].clone();
    let wrong = sign_in("Wr0ng-Passw0rd!").send(addr).await;
    assert_eq!(wrong.status, 400);
    let graphql = Req::post_json(
        "/graphql",
        &json!({"query": "mutation { createTodo(input: {name: \"logged\"}) { id name } }"}),
    )
    .header("x-api-key", API_KEY)
    .send(addr)
    .await;
    assert_eq!(graphql.status, 200, "{}", graphql.json());
    assert!(graphql.json()["errors"].is_null(), "{}", graphql.json());
    let refused = Req::post_json(
        "/graphql",
        &json!({"query": "{ listTodos { items { id } } }"}),
    )
    .header("x-api-key", "da2-wrong")
    .send(addr)
    .await;
    assert_eq!(refused.status, 401);

    child.kill().await.unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .await
        .unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let find = |operation: &str, decision: &str| {
        lines
            .iter()
            .find(|l| l["operation"] == operation && l["decision"] == decision)
            .unwrap_or_else(|| panic!("no {operation} {decision} in {log}"))
    };
    let accepted = find("InitiateAuth", "accepted");
    assert_eq!(accepted["status"], 200);
    assert_eq!(accepted["method"], "POST");
    assert_eq!(
        accepted["request_id"].as_str(),
        signed_in.header("x-amzn-requestid")
    );
    assert!(accepted["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        find("InitiateAuth", "NotAuthorizedException")["status"],
        400
    );
    assert_eq!(find("graphql", "accepted")["path"], "/graphql");
    assert_eq!(find("graphql", "UnauthorizedException")["status"], 401);
    assert_eq!(lines.len(), 4, "{log}");

    let mut secrets = vec![PASSWORD, "Wr0ng-Passw0rd!", API_KEY, "da2-wrong"];
    for name in ["AccessToken", "IdToken", "RefreshToken"] {
        secrets.push(tokens[name].as_str().unwrap());
    }
    for secret in secrets {
        assert!(!log.contains(secret), "the log holds {secret:?}: {log}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The three documents of one emulator, as amplify-config reads them: (web, native, Gen 2).
/// Each is read without a warning: nothing in them is ignored or misplaced.
fn models(emu: &EmulatorHandle) -> (AmplifyConfig, AmplifyConfig, AmplifyConfig) {
    let parse = |doc: String| {
        let (config, warnings) =
            AmplifyConfig::from_json_with_warnings(&doc).unwrap_or_else(|e| panic!("{e}: {doc}"));
        assert!(warnings.is_empty(), "{warnings:?} reading {doc}");
        config
    };
    (
        parse(emu.aws_exports_json()),
        parse(emu.amplify_configuration_json()),
        parse(emu.amplify_outputs_json()),
    )
}

/// Fills in what the web format cannot say (the Cognito endpoints, the sign-in flow), after
/// checking it is absent, from `other`'s model.
fn add_what_web_cannot_say(web: &mut AmplifyConfig, other: &AmplifyConfig) {
    let (auth, other) = (web.auth.as_mut().unwrap(), other.auth.as_ref().unwrap());
    assert_eq!(auth.authentication_flow_type, None);
    auth.authentication_flow_type = other.authentication_flow_type;
    if let (Some(pool), Some(other)) = (&mut auth.user_pool, &other.user_pool) {
        assert!(
            pool.endpoint.is_none(),
            "the web format has no user pool endpoint"
        );
        pool.endpoint = other.endpoint.clone();
    }
    if let (Some(pool), Some(other)) = (&mut auth.identity_pool, &other.identity_pool) {
        assert!(
            pool.endpoint.is_none(),
            "the web format has no identity pool endpoint"
        );
        pool.endpoint = other.endpoint.clone();
    }
}

#[tokio::test]
async fn web_document_gives_the_model_of_the_native_and_gen2_documents() {
    // The default backend (the binary's too): a pool, an identity pool with guests, the Todo API
    // with three modes and an IAM REST API.
    let emu = Emulator::start().await.unwrap();
    let (mut web, mut native, gen2) = models(&emu);
    let auth = web.auth.as_ref().unwrap();
    assert_eq!(auth.user_pool.as_ref().unwrap().pool_id, emu.user_pool_id());
    assert_eq!(
        auth.user_pool.as_ref().unwrap().app_client_id,
        emu.client_id()
    );
    assert_eq!(
        Some(auth.identity_pool.as_ref().unwrap().pool_id.as_str()),
        emu.identity_pool_id()
    );
    assert_eq!(auth.guest_access, amplify_config::GuestAccess::Allowed);
    assert!(auth.oauth.is_none());
    assert_eq!(web.apis.len(), 2);
    add_what_web_cannot_say(&mut web, &gen2);
    assert_eq!(web, gen2);
    // Native Gen 1 cannot state guest access.
    native.auth.as_mut().unwrap().guest_access = amplify_config::GuestAccess::Allowed;
    assert_eq!(web, native);

    // The raw document: what Amplify JS reads.
    let doc: Value = serde_json::from_str(&emu.aws_exports_json()).unwrap();
    assert_eq!(doc["aws_project_region"], "us-east-1");
    assert_eq!(doc["aws_appsync_graphqlEndpoint"], emu.graphql_url());
    assert_eq!(doc["aws_appsync_authenticationType"], "API_KEY");
    assert_eq!(doc["aws_appsync_apiKey"], emu.api_key().unwrap());
    assert_eq!(
        doc["aws_appsync_additionalAuthenticationTypes"],
        "AMAZON_COGNITO_USER_POOLS,AWS_IAM"
    );
    assert_eq!(
        doc["aws_cloud_logic_custom"],
        json!([{"name": "api", "endpoint": emu.rest_url("api"), "region": "us-east-1"}])
    );
    assert_eq!(doc["oauth"], json!({}));
    assert_eq!(doc["aws_mandatory_sign_in"], "disable");

    // A hosted UI (code flow, Google and Login with Amazon), email usernames, MFA, a password
    // policy, multi-auth with the user pool as the default, groups (Gen 2 only) and no guests.
    let emu = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("eu-west-1")
                .identity_provider(IdentityProviderSpec::google())
                .identity_provider(IdentityProviderSpec::new(
                    "LoginWithAmazon",
                    ProviderType::LoginWithAmazon,
                    "www.amazon.com",
                ))
                .client(
                    AppClientSpec::new().id("webclient").oauth(
                        OAuthClientSpec::new()
                            .callback_url("http://localhost:3000/")
                            .callback_url("myapp://callback/")
                            .logout_url("http://localhost:3000/")
                            .identity_provider("Google")
                            .identity_provider("LoginWithAmazon"),
                    ),
                )
                .username_attributes([UsernameAttribute::Email])
                .required_attributes(["email", "name"])
                .mfa(
                    MfaConfiguration::Optional,
                    [MfaMethod::Sms, MfaMethod::Totp],
                )
                .password_policy(PasswordPolicy::new().min_length(10).require_symbols(false))
                .group(GroupSpec::new("admins").precedence(0)),
        )
        .identity_pool(IdentityPoolSpec::new().allow_guests(false))
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::ApiKey),
        )
        .rest_api(RestApiSpec::new("orders").mode(AuthMode::AwsIam))
        .start()
        .await
        .unwrap();
    let (mut web, mut native, mut gen2) = models(&emu);
    let auth = web.auth.as_ref().unwrap();
    assert_eq!(auth.guest_access, amplify_config::GuestAccess::Denied);
    assert!(!auth.unauthenticated_identities_enabled);
    let oauth = auth.oauth.as_ref().unwrap();
    assert_eq!(oauth.domain, emu.endpoint().trim_start_matches("http://"));
    assert_eq!(
        oauth.redirect_sign_in_uris,
        ["http://localhost:3000/", "myapp://callback/"]
    );
    assert_eq!(oauth.identity_providers.len(), 2);
    assert_eq!(web.apis.len(), 2);
    add_what_web_cannot_say(&mut web, &gen2);
    let groups = std::mem::take(&mut gen2.auth.as_mut().unwrap().groups);
    assert_eq!(
        groups.len(),
        1,
        "Gen 2 lists the groups; no Gen 1 format can"
    );
    assert_eq!(web, gen2);
    native.auth.as_mut().unwrap().guest_access = amplify_config::GuestAccess::Denied;
    native
        .auth
        .as_mut()
        .unwrap()
        .unauthenticated_identities_enabled = false;
    assert_eq!(web, native);

    let doc: Value = serde_json::from_str(&emu.aws_exports_json()).unwrap();
    assert_eq!(doc["aws_mandatory_sign_in"], "enable");
    assert_eq!(doc["aws_cognito_region"], "eu-west-1");
    assert_eq!(
        doc["aws_cognito_social_providers"],
        json!(["GOOGLE", "AMAZON"])
    );
    assert_eq!(doc["aws_cognito_username_attributes"], json!(["EMAIL"]));
    assert_eq!(doc["aws_cognito_mfa_configuration"], "OPTIONAL");
    assert_eq!(
        doc["oauth"]["redirectSignIn"],
        "http://localhost:3000/,myapp://callback/"
    );
    assert_eq!(doc["oauth"]["responseType"], "code");
    assert_eq!(
        doc["aws_cognito_password_protection_settings"],
        json!({"passwordPolicyMinLength": 10,
            "passwordPolicyCharacters": ["REQUIRES_LOWERCASE", "REQUIRES_UPPERCASE", "REQUIRES_NUMBERS"]})
    );
    // The module is the same object.
    let module = emu.aws_exports_js();
    assert_eq!(
        serde_json::from_str::<Value>(exported_object(&module)).unwrap(),
        doc
    );
}
