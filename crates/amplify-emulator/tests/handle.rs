//! The handle: configuration documents, fault injection, counters, the HTTP endpoints, the wire
//! format of errors, shutdown, and the binary's ready line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use amplify_config::{AmplifyConfig, GuestAccess};
use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider as idp_sdk;
use base64::Engine as _;
use common::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

const PASSWORD: &str = "Passw0rd!";

/// One raw HTTP/1.1 exchange; returns status, lowercase headers and body.
async fn raw(
    emu: &EmulatorHandle,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, HashMap<String, String>, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
        emu.local_addr(),
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(response[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    (status, headers, response[split + 4..].to_vec())
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn configuration_documents_parse_and_describe_the_same_backend() {
    let emu = Emulator::start().await.unwrap();
    let mut gen1 = AmplifyConfig::from_json(&emu.amplify_configuration_json()).unwrap();
    let gen2 = AmplifyConfig::from_json(&emu.amplify_outputs_json()).unwrap();
    // Guest access: Gen 2 states the identity pool's setting
    // (`auth.unauthenticated_identities_enabled`); a native Gen 1 document has no key for it
    // (docs/configuration.md), so amplify-config reads it as not stated, which allows guests.
    let auth1 = gen1.auth.as_mut().unwrap();
    assert_eq!(auth1.guest_access, GuestAccess::NotStated);
    assert!(auth1.unauthenticated_identities_enabled);
    assert_eq!(
        gen2.auth.as_ref().unwrap().guest_access,
        GuestAccess::Allowed
    );
    auth1.guest_access = GuestAccess::Allowed;
    assert_eq!(gen1, gen2);
    let auth = gen2.auth.as_ref().unwrap();
    let pool = auth.user_pool.as_ref().unwrap();
    assert_eq!(pool.pool_id, emu.user_pool_id());
    assert_eq!(pool.app_client_id, emu.client_id());
    assert_eq!(pool.endpoint.as_ref().unwrap().as_str(), emu.endpoint());
    let identity = auth.identity_pool.as_ref().unwrap();
    assert_eq!(Some(identity.pool_id.as_str()), emu.identity_pool_id());
    assert_eq!(identity.endpoint.as_ref().unwrap().as_str(), emu.endpoint());

    // A richer pool: secret client, email usernames, MFA, policy, groups (Gen 2 only), no guests
    // (Gen 1 cannot say so).
    let emu = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("eu-central-1")
                .client(AppClientSpec::new().secret(true))
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
        .start()
        .await
        .unwrap();
    let gen1 = AmplifyConfig::from_json(&emu.amplify_configuration_json()).unwrap();
    let mut gen2 = AmplifyConfig::from_json(&emu.amplify_outputs_json()).unwrap();
    assert_eq!(
        gen1.auth.as_ref().unwrap().guest_access,
        GuestAccess::NotStated
    );
    let auth2 = gen2.auth.as_mut().unwrap();
    assert_eq!(auth2.guest_access, GuestAccess::Denied);
    assert_eq!(auth2.groups.len(), 1);
    assert_eq!(auth2.groups[0].name, "admins");
    assert!(!auth2.unauthenticated_identities_enabled);
    assert_eq!(auth2.password_policy.as_ref().unwrap().min_length, Some(10));
    assert!(
        auth2
            .user_pool
            .as_ref()
            .unwrap()
            .app_client_secret
            .is_some()
    );
    auth2.groups.clear();
    auth2.unauthenticated_identities_enabled = true;
    auth2.guest_access = GuestAccess::NotStated;
    assert_eq!(gen1, gen2);
}

#[tokio::test]
async fn faults_are_injected_per_operation() {
    let emu = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("a@example.com")),
        )
        .start()
        .await
        .unwrap();
    let client = idp(&emu);
    let get_user = || client.get_user().access_token("x").send();

    emu.faults().inject("GetUser", Fault::InternalError);
    let err = get_user().await.unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 500);
    assert!(err.into_service_error().is_internal_error_exception());

    emu.faults().inject_times("GetUser", Fault::Throttle, 2);
    for _ in 0..2 {
        let err = get_user().await.unwrap_err();
        assert!(err.into_service_error().is_too_many_requests_exception());
    }
    // Back to normal: the real answer.
    assert!(
        get_user()
            .await
            .unwrap_err()
            .into_service_error()
            .is_not_authorized_exception()
    );

    emu.faults().inject("GetUser", Fault::DropConnection);
    let err = get_user().await.unwrap_err();
    assert!(err.raw_response().is_none(), "no response: {err:?}");

    emu.faults().inject("GetUser", Fault::TruncatedBody);
    let err = get_user().await.unwrap_err();
    assert!(err.as_service_error().is_none(), "truncated: {err:?}");

    emu.faults()
        .inject("GetUser", Fault::Delay(Duration::from_millis(300)));
    let started = tokio::time::Instant::now();
    assert!(
        get_user()
            .await
            .unwrap_err()
            .into_service_error()
            .is_not_authorized_exception()
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Other operations are untouched, and `*` matches all.
    emu.faults().inject("GetUser", Fault::InternalError);
    password_sign_in(&emu, &client, "alice", PASSWORD)
        .await
        .unwrap();
    emu.faults().clear();
    emu.faults().inject_always("*", Fault::Throttle);
    assert_eq!(
        code(
            &password_sign_in(&emu, &client, "alice", PASSWORD)
                .await
                .unwrap_err()
        ),
        "TooManyRequestsException"
    );
    emu.faults().clear();

    // The SDK's standard retries ride over two 500s: three requests reach the emulator.
    emu.counters().reset();
    emu.faults()
        .inject_times("InitiateAuth", Fault::InternalError, 2);
    let retrying = idp_sdk::Client::from_conf(
        client
            .config()
            .to_builder()
            .retry_config(
                idp_sdk::config::retry::RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1)),
            )
            .build(),
    );
    password_sign_in(&emu, &retrying, "alice", PASSWORD)
        .await
        .unwrap();
    assert_eq!(emu.request_count("InitiateAuth"), 3);
}

#[tokio::test]
async fn request_counters() {
    let emu = Emulator::start().await.unwrap();
    let ci = identity(&emu);
    for _ in 0..3 {
        ci.get_id()
            .identity_pool_id(emu.identity_pool_id().unwrap())
            .send()
            .await
            .unwrap();
    }
    assert_eq!(emu.request_count("GetId"), 3);
    assert_eq!(emu.request_count("GetCredentialsForIdentity"), 0);
    let (status, _, _) = raw(
        &emu,
        "GET",
        &format!("/{}/.well-known/jwks.json", emu.user_pool_id()),
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(emu.request_count("jwks"), 1);
    assert_eq!(emu.counters().total(), 4);
    emu.counters().reset();
    assert_eq!(emu.request_count("GetId"), 0);
}

#[tokio::test]
async fn jwks_verifies_tokens_independently() {
    let emu = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("a@example.com")),
        )
        .start()
        .await
        .unwrap();
    let out = srp_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap();
    let token = out
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();

    let (status, headers, body) = raw(
        &emu,
        "GET",
        &format!("/{}/.well-known/openid-configuration", emu.user_pool_id()),
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    let config = json(&body);
    assert_eq!(config["issuer"], emu.issuer());
    let jwks_path = config["jwks_uri"]
        .as_str()
        .unwrap()
        .strip_prefix(emu.endpoint())
        .unwrap()
        .to_owned();
    let (_, _, body) = raw(&emu, "GET", &jwks_path, &[], b"").await;
    let jwks = json(&body);
    let key = &jwks["keys"][0];

    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (signing_input, sig) = token.rsplit_once('.').unwrap();
    let header = json(&b64.decode(token.split('.').next().unwrap()).unwrap());
    assert_eq!(header["kid"], key["kid"]);
    assert_eq!(header["alg"], "RS256");
    let n = b64.decode(key["n"].as_str().unwrap()).unwrap();
    let e = b64.decode(key["e"].as_str().unwrap()).unwrap();
    let public = ring::signature::RsaPublicKeyComponents { n: &n, e: &e };
    public
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            signing_input.as_bytes(),
            &b64.decode(sig).unwrap(),
        )
        .unwrap();
    let claims = json(&b64.decode(token.split('.').nth(1).unwrap()).unwrap());
    assert_eq!(claims["iss"], config["issuer"]);

    let (status, _, _) = raw(
        &emu,
        "GET",
        "/us-east-1_Unknown/.well-known/jwks.json",
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn emulator_http_endpoints() {
    let emu = Emulator::start().await.unwrap();
    let (status, _, body) = raw(&emu, "GET", "/_emulator/health", &[], b"").await;
    assert_eq!((status, json(&body)["status"].as_str()), (200, Some("ok")));

    emu.admin()
        .create_user(&UserSpec::new("alice", PASSWORD).email("alice@example.com"))
        .unwrap();
    idp(&emu)
        .forgot_password()
        .client_id(emu.client_id())
        .username("alice")
        .send()
        .await
        .unwrap();
    let (status, _, body) = raw(
        &emu,
        "GET",
        "/_emulator/outbox?to=alice%40example.com",
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 200);
    let messages = json(&body);
    assert_eq!(messages["messages"][0]["kind"], "FORGOT_PASSWORD");
    assert_eq!(
        messages["messages"][0]["code"],
        emu.outbox().latest_code_for("alice").unwrap()
    );
    let (_, _, body) = raw(&emu, "GET", "/_emulator/outbox?to=nobody", &[], b"").await;
    assert_eq!(json(&body)["messages"].as_array().unwrap().len(), 0);

    let (status, _, body) = raw(
        &emu,
        "POST",
        "/_emulator/oidc/token",
        &[("content-type", "application/json")],
        br#"{"issuer": "accounts.google.com", "sub": "g-1", "claims": {"email": "g@example.com"}}"#,
    )
    .await;
    assert_eq!(status, 200);
    let token = json(&body)["token"].as_str().unwrap().to_owned();
    let verified = emu.backend().verify_oidc_token(&token).unwrap();
    assert_eq!(verified.claims["email"], "g@example.com");
    let (status, _, body) = raw(
        &emu,
        "POST",
        "/_emulator/oidc/token",
        &[],
        br#"{"issuer": "nope.example", "sub": "x"}"#,
    )
    .await;
    assert_eq!(
        (status, json(&body)["__type"].as_str()),
        (400, Some("InvalidParameterException"))
    );
    let (_, _, body) = raw(&emu, "GET", "/_emulator/oidc/jwks.json", &[], b"").await;
    assert_eq!(json(&body)["keys"][0]["alg"], "RS256");

    let (status, _, _) = raw(&emu, "GET", "/nothing/here", &[], b"").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn wire_errors_are_cognito_shaped_and_never_500() {
    let emu = Emulator::start().await.unwrap();
    let post = |target: Option<&'static str>, body: &'static [u8]| {
        let mut headers = vec![("content-type", "application/x-amz-json-1.1")];
        if let Some(t) = target {
            headers.push(("x-amz-target", t));
        }
        let emu = &emu;
        async move { raw(emu, "POST", "/", &headers, body).await }
    };
    let cases: [(Option<&'static str>, &'static [u8], &str); 6] = [
        (
            Some("AWSCognitoIdentityProviderService.InitiateAuth"),
            b"{oops",
            "SerializationException",
        ),
        (
            Some("AWSCognitoIdentityProviderService.InitiateAuth"),
            b"[1,2]",
            "SerializationException",
        ),
        (
            Some("AWSCognitoIdentityProviderService.InitiateAuth"),
            br#"{"ClientId": 5}"#,
            "SerializationException",
        ),
        (
            Some("AWSCognitoIdentityProviderService.InitiateAuth"),
            b"{}",
            "InvalidParameterException",
        ),
        (
            Some("AWSCognitoIdentityProviderService.Nope"),
            b"{}",
            "UnknownOperationException",
        ),
        (None, b"{}", "UnknownOperationException"),
    ];
    for (target, body, expected) in cases {
        let (status, headers, body) = post(target, body).await;
        assert_eq!(status, 400, "{target:?}");
        if expected == "UnknownOperationException" {
            // AWS's router answers unknown operations itself (tests/error_codes.rs).
            assert!(!headers.contains_key("x-amzn-errortype"));
            assert!(headers.contains_key("x-amzn-requestid"));
            assert_eq!(
                json(&body),
                serde_json::json!({"__type": "com.amazon.coral.service#UnknownOperationException"})
            );
            continue;
        }
        assert_eq!(headers["x-amzn-errortype"], expected);
        assert_eq!(headers["content-type"], "application/x-amz-json-1.1");
        assert!(headers.contains_key("x-amzn-requestid"));
        let body = json(&body);
        assert_eq!(body["__type"], expected);
        assert!(body["message"].as_str().is_some());
    }
    let big = vec![b' '; 2 * 1024 * 1024];
    let (status, _, _) = raw(
        &emu,
        "POST",
        "/",
        &[("x-amz-target", "AWSCognitoIdentityService.GetId")],
        &big,
    )
    .await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let emu = Emulator::start().await.unwrap();
    let addr = emu.local_addr();
    tokio::net::TcpStream::connect(addr).await.unwrap();
    emu.shutdown().await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let emu = Emulator::start().await.unwrap();
    let addr = emu.local_addr();
    drop(emu);
    let mut refused = false;
    for _ in 0..10_000 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(refused);
}

#[tokio::test]
async fn binary_prints_a_ready_line_and_serves_the_seed() {
    let dir = std::env::temp_dir().join(format!("amplify-emulator-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"userPools": [{"id": "us-east-1_Seeded1", "clients": [{"id": "seededclient"}],
            "users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "a@example.com"}}]}],
            "identityPools": [{"allowGuests": true}],
            "graphqlApi": {"defaultMode": "API_KEY", "additionalModes": ["AWS_IAM"], "apiKeys": [{"key": "da2-seeded"}]},
            "restApis": [{"name": "items", "mode": "NONE"}]}"#,
    )
    .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_amplify-emulator"))
        .arg("--seed")
        .arg(&seed)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let ready: serde_json::Value =
        serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(ready["userPoolId"], "us-east-1_Seeded1");
    assert_eq!(ready["clientId"], "seededclient");
    assert!(
        ready["identityPoolId"]
            .as_str()
            .unwrap()
            .starts_with("us-east-1:")
    );
    let endpoint = ready["endpoint"].as_str().unwrap().to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    assert_eq!(ready["graphqlUrl"], format!("{endpoint}/graphql"));
    assert_eq!(ready["apiKey"], "da2-seeded");
    assert_eq!(ready["restApis"]["items"], format!("{endpoint}/rest/items"));

    // Sign in against the child process with the official SDK (password flow; SRP is covered elsewhere).
    let client = idp_sdk::Client::from_conf(
        idp_sdk::Config::builder()
            .behavior_version(idp_sdk::config::BehaviorVersion::latest())
            .region(idp_sdk::config::Region::new("us-east-1"))
            .endpoint_url(&endpoint)
            .http_client(
                aws_smithy_http_client::Builder::new()
                    .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                        aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                    ))
                    .build_https(),
            )
            .build(),
    );
    let out = client
        .initiate_auth()
        .auth_flow(idp_sdk::types::AuthFlowType::UserPasswordAuth)
        .client_id("seededclient")
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result().unwrap().id_token().is_some());
    child.kill().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    let status = tokio::process::Command::new(env!("CARGO_BIN_EXE_amplify-emulator"))
        .arg("--bogus")
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .unwrap();
    assert_eq!(status.code(), Some(2));
}
