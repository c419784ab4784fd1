//! The GraphQL endpoint over HTTP: every authorization mode, positive and negative, field-level
//! authorization by mode and group, error shapes, the sample API and custom resolvers. Requests
//! are built here by hand (SigV4 with the official `aws-sigv4` crate), not with amplify-api.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_pass_by_value
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_config::AmplifyConfig;
use amplify_emulator::*;
use base64::Engine as _;
use common::http::{Reply, Req};
use common::*;
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";
const START: u64 = 1_800_000_000;

fn clock() -> ManualTimeSource {
    ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START))
}

fn pool() -> UserPoolSpec {
    UserPoolSpec::new("us-east-1")
        .client(AppClientSpec::new().id("webclient"))
        .client(AppClientSpec::new().id("otherclient"))
        .group(GroupSpec::new("admins"))
        .user(
            UserSpec::new("alice", PASSWORD)
                .email("alice@example.com")
                .group("admins"),
        )
        .user(UserSpec::new("bob", PASSWORD).email("bob@example.com"))
}

/// The sample API with API key default and user pools + IAM additional (like `Emulator::start`).
async fn start_sample(clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(pool())
        .identity_pool(IdentityPoolSpec::new())
        .time_source(clock.clone())
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam)
                .api_key(
                    ApiKeySpec::new()
                        .key("da2-testkey0000000000000000")
                        .expires_in(Duration::from_secs(3600)),
                ),
        )
        .start()
        .await
        .unwrap()
}

fn query(q: &str, variables: Value) -> Value {
    json!({ "query": q, "variables": variables })
}

async fn with_key(emu: &EmulatorHandle, key: &str, body: &Value) -> Reply {
    Req::post_json("/graphql", body)
        .header("x-api-key", key)
        .send(emu.local_addr())
        .await
}

async fn with_token(emu: &EmulatorHandle, token: &str, body: &Value) -> Reply {
    Req::post_json("/graphql", body)
        .header("authorization", token)
        .send(emu.local_addr())
        .await
}

/// User pool tokens for `username` from the app client `client_id`: (access, id, refresh).
async fn tokens(emu: &EmulatorHandle, client_id: &str, username: &str) -> (String, String, String) {
    password_tokens(emu, client_id, username, PASSWORD).await
}

/// Identity pool credentials: (access key id, secret, session token, identity id).
async fn credentials(
    emu: &EmulatorHandle,
    id_token: Option<&str>,
) -> (String, String, String, String) {
    let ci = identity(emu);
    let pool = emu.identity_pool_id().unwrap().to_owned();
    let mut get_id = ci.get_id().identity_pool_id(&pool);
    if let Some(token) = id_token {
        get_id = get_id.logins(emu.identity_provider_name(), token);
    }
    let identity_id = get_id
        .send()
        .await
        .unwrap()
        .identity_id()
        .unwrap()
        .to_owned();
    let mut get = ci.get_credentials_for_identity().identity_id(&identity_id);
    if let Some(token) = id_token {
        get = get.logins(emu.identity_provider_name(), token);
    }
    let out = get.send().await.unwrap();
    let c = out.credentials().unwrap();
    (
        c.access_key_id().unwrap().to_owned(),
        c.secret_key().unwrap().to_owned(),
        c.session_token().unwrap().to_owned(),
        identity_id,
    )
}

fn now(emu: &EmulatorHandle) -> SystemTime {
    emu.clock().now()
}

struct Creds {
    akid: String,
    secret: String,
    token: String,
    identity_id: String,
}

async fn guest(emu: &EmulatorHandle) -> Creds {
    let (akid, secret, token, identity_id) = credentials(emu, None).await;
    Creds {
        akid,
        secret,
        token,
        identity_id,
    }
}

fn signed(emu: &EmulatorHandle, creds: &Creds, body: &Value, at: SystemTime) -> Req {
    Req::post_json("/graphql", body).sign(
        emu.local_addr(),
        &creds.akid,
        &creds.secret,
        Some(&creds.token),
        "appsync",
        emu.region(),
        at,
        true,
    )
}

fn unauthorized(reply: &Reply, message: &str) {
    assert_eq!(
        reply.status,
        401,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        reply.json(),
        json!({"errors": [{"errorType": "UnauthorizedException", "message": message}]})
    );
    assert_eq!(
        reply.header("x-amzn-errortype"),
        Some("UnauthorizedException")
    );
}

fn forbidden(reply: &Reply, code: &str) -> String {
    assert_eq!(
        reply.status,
        403,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    assert_eq!(body["errors"][0]["errorType"], code, "{body}");
    assert_eq!(reply.header("x-amzn-errortype"), Some(code));
    body["errors"][0]["message"].as_str().unwrap().to_owned()
}

const LIST: &str = "{ listTodos { items { id name } nextToken } }";

#[tokio::test]
async fn api_key_mode() {
    let clock = clock();
    let emu = start_sample(&clock).await;
    let key = emu.api_key().unwrap();
    assert_eq!(key, "da2-testkey0000000000000000");
    assert_eq!(
        emu.api_key_expiry(&key),
        Some(UNIX_EPOCH + Duration::from_secs(START + 3600))
    );
    let reply = with_key(&emu, &key, &query(LIST, Value::Null)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({"data": {"listTodos": {"items": [], "nextToken": null}}})
    );
    assert!(reply.header("x-amzn-requestid").is_some());
    // The Date header comes from the emulator's clock.
    assert_eq!(reply.header("date"), Some("Fri, 15 Jan 2027 08:00:00 GMT"));
    assert_eq!(emu.request_count("graphql"), 1);

    unauthorized(
        &with_key(&emu, "da2-wrong", &query(LIST, Value::Null)).await,
        "You are not authorized to make this call.",
    );
    let missing = Req::post_json("/graphql", &query(LIST, Value::Null))
        .send(emu.local_addr())
        .await;
    unauthorized(&missing, "Valid authorization header not provided.");

    clock.advance(Duration::from_secs(3601));
    unauthorized(
        &with_key(&emu, &key, &query(LIST, Value::Null)).await,
        "API key has expired.",
    );
}

#[tokio::test]
async fn user_pool_tokens_are_verified() {
    let clock = clock();
    let emu = Emulator::builder()
        .user_pool(pool())
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("carol", PASSWORD).email("c@example.com")),
        )
        .time_source(clock.clone())
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::AmazonCognitoUserPools)
                .user_pool_client_ids(["webclient"]),
        )
        .start()
        .await
        .unwrap();
    let (access, id, refresh) = tokens(&emu, "webclient", "bob").await;
    let create = query(
        "mutation { createTodo(input: {name: \"mine\"}) { id owner } }",
        Value::Null,
    );
    for token in [&access, &id, &format!("Bearer {access}")] {
        let reply = with_token(&emu, token, &create).await;
        assert_eq!(reply.status, 200, "{:?}", reply.json());
        assert_eq!(reply.json()["data"]["createTodo"]["owner"], "bob");
    }
    assert_eq!(emu.todos().unwrap().len(), 3);

    // Tampered payload: the signature no longer verifies.
    let mut parts: Vec<String> = access.split('.').map(str::to_owned).collect();
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: Value = serde_json::from_slice(&engine.decode(&parts[1]).unwrap()).unwrap();
    claims["username"] = json!("alice");
    claims["cognito:groups"] = json!(["admins"]);
    parts[1] = engine.encode(claims.to_string());
    unauthorized(
        &with_token(&emu, &parts.join("."), &create).await,
        "You are not authorized to make this call.",
    );
    unauthorized(
        &with_token(&emu, "not-a-jwt", &create).await,
        "Unable to parse JWT token.",
    );

    // An id token of another app client of the same pool.
    let (_, other_id, _) = tokens(&emu, "otherclient", "bob").await;
    unauthorized(
        &with_token(&emu, &other_id, &create).await,
        "You are not authorized to make this call.",
    );
    // A token of another user pool.
    let other_pool_client = emu.user_pools()[1].1[0].clone();
    let out = idp(&emu)
        .initiate_auth()
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .client_id(other_pool_client)
        .auth_parameters("USERNAME", "carol")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    let carol = out.authentication_result().unwrap().access_token().unwrap();
    unauthorized(
        &with_token(&emu, carol, &create).await,
        "You are not authorized to make this call.",
    );

    // Revoked: RevokeToken revokes the refresh token's sign-in, access tokens included.
    idp(&emu)
        .revoke_token()
        .client_id("webclient")
        .token(&refresh)
        .send()
        .await
        .unwrap();
    unauthorized(
        &with_token(&emu, &access, &create).await,
        "Token has been revoked.",
    );

    // Expired (emulator clock).
    let (access, _, _) = tokens(&emu, "webclient", "bob").await;
    assert_eq!(with_token(&emu, &access, &create).await.status, 200);
    clock.advance(Duration::from_secs(3601));
    unauthorized(
        &with_token(&emu, &access, &create).await,
        "Token has expired.",
    );

    // A disabled user's tokens stop working.
    let (access, _, _) = tokens(&emu, "webclient", "bob").await;
    emu.admin().disable_user("bob").unwrap();
    unauthorized(
        &with_token(&emu, &access, &create).await,
        "User is disabled.",
    );
}

#[tokio::test]
async fn field_level_authorization_by_mode_and_group() {
    let clock = clock();
    let emu = start_sample(&clock).await;
    let key = emu.api_key().unwrap();
    emu.todos()
        .unwrap()
        .insert(json!({"id": "t1", "name": "secret", "adminNote": "for admins"}))
        .unwrap();
    let get = query(
        "query($id: ID!) { getTodo(id: $id) { id name adminNote } }",
        json!({"id": "t1"}),
    );

    // alice is in `admins`.
    let (alice, _, _) = tokens(&emu, "webclient", "alice").await;
    let reply = with_token(&emu, &alice, &get).await;
    assert_eq!(
        reply.json(),
        json!({"data": {"getTodo": {"id": "t1", "name": "secret", "adminNote": "for admins"}}})
    );

    // bob is not: the field is null with AppSync's Unauthorized error.
    let (bob, _, _) = tokens(&emu, "webclient", "bob").await;
    let reply = with_token(&emu, &bob, &get).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({
            "data": {"getTodo": {"id": "t1", "name": "secret", "adminNote": null}},
            "errors": [{
                "path": ["getTodo", "adminNote"],
                "data": null,
                "errorType": "Unauthorized",
                "errorInfo": null,
                "locations": [{"line": 1, "column": 46, "sourceName": null}],
                "message": "Not Authorized to access adminNote on type Todo",
            }],
        })
    );

    // API key: no access to adminNote either, nor to deleteTodo (IAM and user pools only).
    let reply = with_key(&emu, &key, &get).await;
    assert_eq!(
        reply.json()["errors"][0]["message"],
        "Not Authorized to access adminNote on type Todo"
    );
    let delete = query(
        "mutation { deleteTodo(input: {id: \"t1\"}) { id } }",
        Value::Null,
    );
    let reply = with_key(&emu, &key, &delete).await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["data"], json!({"deleteTodo": null}));
    assert_eq!(
        body["errors"][0]["message"],
        "Not Authorized to access deleteTodo on type Mutation"
    );
    assert_eq!(emu.todos().unwrap().len(), 1);

    // IAM may delete; a list read in the same mode sees nested fields per their directives.
    let creds = guest(&emu).await;
    let reply = signed(&emu, &creds, &delete, now(&emu))
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.json(), json!({"data": {"deleteTodo": {"id": "t1"}}}));
    assert!(emu.todos().unwrap().is_empty());

    // A custom schema: per-field modes and groups, default mode for undecorated fields.
    let schema = r#"
        type Query {
          open: String
          iamOnly: String @aws_iam
          keyOrPool: String @aws_api_key @aws_cognito_user_pools
          editors: String @aws_cognito_user_pools(cognito_groups: ["editors", "admins"])
          profile: Profile @aws_cognito_user_pools @aws_api_key
        }
        type Profile @aws_cognito_user_pools {
          name: String
          secret: String @aws_cognito_user_pools(cognito_groups: ["admins"])
        }
    "#;
    let emu2 = Emulator::builder()
        .user_pool(pool())
        .identity_pool(IdentityPoolSpec::new())
        .time_source(clock.clone())
        .graphql_api(
            GraphQlApiSpec::new(schema)
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam)
                .resolver("Query", "open", |_, _| Ok(json!("open")))
                .resolver("Query", "iamOnly", |ctx, _| {
                    Ok(json!(ctx.identity().principal()))
                })
                .resolver("Query", "keyOrPool", |_, _| Ok(json!("kp")))
                .resolver("Query", "editors", |_, _| Ok(json!("ed")))
                .resolver("Query", "profile", |_, _| {
                    Ok(json!({"name": "n", "secret": "s"}))
                }),
        )
        .start()
        .await
        .unwrap();
    let all = query(
        "{ open iamOnly keyOrPool editors profile { name secret } }",
        Value::Null,
    );
    let denied = |body: &Value| -> Vec<String> {
        let mut paths: Vec<String> = body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        assert_eq!(e["errorType"], "Unauthorized");
                        e["path"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| p.as_str().unwrap())
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .collect()
            })
            .unwrap_or_default();
        paths.sort();
        paths
    };
    let key2 = emu2.api_key().unwrap();
    let body = with_key(&emu2, &key2, &all).await.json();
    assert_eq!(
        denied(&body),
        ["editors", "iamOnly", "profile.name", "profile.secret"]
    );
    assert_eq!(body["data"]["open"], "open");
    assert_eq!(
        body["data"]["profile"],
        json!({"name": null, "secret": null})
    );

    let (alice2, _, _) = tokens(&emu2, "webclient", "alice").await;
    let body = with_token(&emu2, &alice2, &all).await.json();
    assert_eq!(denied(&body), ["iamOnly", "open"]);
    assert_eq!(body["data"]["editors"], "ed");
    assert_eq!(body["data"]["profile"], json!({"name": "n", "secret": "s"}));

    let (bob2, _, _) = tokens(&emu2, "webclient", "bob").await;
    let body = with_token(&emu2, &bob2, &all).await.json();
    assert_eq!(
        denied(&body),
        ["editors", "iamOnly", "open", "profile.secret"]
    );

    let creds = guest(&emu2).await;
    let body = signed(&emu2, &creds, &all, now(&emu2))
        .send(emu2.local_addr())
        .await
        .json();
    assert_eq!(denied(&body), ["editors", "keyOrPool", "open", "profile"]);
    assert_eq!(body["data"]["iamOnly"], creds.identity_id);
}

#[tokio::test]
async fn iam_signatures_are_recomputed() {
    let clock = clock();
    let emu = start_sample(&clock).await;
    let creds = guest(&emu).await;
    let body = query(
        "mutation { createTodo(input: {id: \"x\", name: \"signed\"}) { id owner } }",
        Value::Null,
    );
    let reply = signed(&emu, &creds, &body, now(&emu))
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    assert_eq!(
        reply.json()["data"]["createTodo"]["owner"],
        creds.identity_id
    );

    // Authenticated identity-pool credentials work the same way.
    let (_, id_token, _) = tokens(&emu, "webclient", "alice").await;
    let (akid, secret, token, identity_id) = credentials(&emu, Some(&id_token)).await;
    let authed = Creds {
        akid,
        secret,
        token,
        identity_id,
    };
    let reply = signed(&emu, &authed, &query(LIST, Value::Null), now(&emu))
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 200);

    // Within the 5-minute window either way.
    for offset in [-290i64, 290] {
        let at = UNIX_EPOCH + Duration::from_secs((START as i64 + offset) as u64);
        let reply = signed(&emu, &creds, &query(LIST, Value::Null), at)
            .send(emu.local_addr())
            .await;
        assert_eq!(reply.status, 200, "offset {offset}");
    }

    // Wrong secret.
    let wrong = Creds {
        secret: "not-the-secret".to_owned(),
        ..guest_clone(&creds)
    };
    let message = forbidden(
        &signed(&emu, &wrong, &body, now(&emu))
            .send(emu.local_addr())
            .await,
        "InvalidSignatureException",
    );
    assert!(message.starts_with("The request signature we calculated does not match"));
    assert!(
        !message.contains(&creds.token),
        "the session token is not echoed"
    );

    // Tampered body after signing.
    let mut tampered = signed(&emu, &creds, &body, now(&emu));
    tampered.body = query(
        "mutation { createTodo(input: {id: \"y\", name: \"evil\"}) { id } }",
        Value::Null,
    )
    .to_string()
    .into_bytes();
    forbidden(
        &tampered.send(emu.local_addr()).await,
        "InvalidSignatureException",
    );
    // Tampered header that was signed.
    let reply = signed(&emu, &creds, &body, now(&emu))
        .set_header("content-type", "text/plain")
        .send(emu.local_addr())
        .await;
    forbidden(&reply, "InvalidSignatureException");

    // More than 5 minutes off: AppSync's skew message, and the emulator's Date to correct by.
    let late = UNIX_EPOCH + Duration::from_secs(START - 3600);
    let reply = signed(&emu, &creds, &body, late)
        .send(emu.local_addr())
        .await;
    let message = forbidden(&reply, "InvalidSignatureException");
    assert_eq!(
        message,
        "Signature expired: 20270115T070000Z is now earlier than 20270115T075500Z (20270115T080000Z - 5 min.)"
    );
    assert_eq!(reply.header("date"), Some("Fri, 15 Jan 2027 08:00:00 GMT"));
    let early = UNIX_EPOCH + Duration::from_secs(START + 600);
    let message = forbidden(
        &signed(&emu, &creds, &body, early)
            .send(emu.local_addr())
            .await,
        "InvalidSignatureException",
    );
    assert!(message.starts_with("Signature not yet current: 20270115T081000Z is still later than"));

    // Unknown access key, missing or wrong session token.
    let unknown = Creds {
        akid: "ASIAUNKNOWNKEY000000".to_owned(),
        ..guest_clone(&creds)
    };
    forbidden(
        &signed(&emu, &unknown, &body, now(&emu))
            .send(emu.local_addr())
            .await,
        "UnrecognizedClientException",
    );
    let reply = signed(&emu, &creds, &body, now(&emu))
        .without_header("x-amz-security-token")
        .send(emu.local_addr())
        .await;
    forbidden(&reply, "UnrecognizedClientException");

    // Signed for the wrong service or region.
    let reply = Req::post_json("/graphql", &body)
        .sign(
            emu.local_addr(),
            &creds.akid,
            &creds.secret,
            Some(&creds.token),
            "execute-api",
            emu.region(),
            now(&emu),
            true,
        )
        .send(emu.local_addr())
        .await;
    assert!(forbidden(&reply, "InvalidSignatureException").contains("'appsync'"));
    let reply = Req::post_json("/graphql", &body)
        .sign(
            emu.local_addr(),
            &creds.akid,
            &creds.secret,
            Some(&creds.token),
            "appsync",
            "eu-west-1",
            now(&emu),
            true,
        )
        .send(emu.local_addr())
        .await;
    forbidden(&reply, "InvalidSignatureException");
    // Garbage that merely looks like SigV4 (the AppSync simulator would accept it).
    let reply = Req::post_json("/graphql", &body)
        .header(
            "authorization",
            &format!(
                "AWS4-HMAC-SHA256 Credential={}/20270115/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=deadbeef",
                creds.akid
            ),
        )
        .header("x-amz-date", "20270115T080000Z")
        .header("x-amz-security-token", &creds.token)
        .send(emu.local_addr())
        .await;
    forbidden(&reply, "InvalidSignatureException");

    // Expired credentials (signed at the emulator's time, so only the expiry is wrong).
    clock.advance(Duration::from_secs(3601));
    let reply = signed(&emu, &creds, &body, now(&emu))
        .send(emu.local_addr())
        .await;
    assert_eq!(
        forbidden(&reply, "ExpiredTokenException"),
        "The security token included in the request is expired"
    );
}

fn guest_clone(c: &Creds) -> Creds {
    Creds {
        akid: c.akid.clone(),
        secret: c.secret.clone(),
        token: c.token.clone(),
        identity_id: c.identity_id.clone(),
    }
}

#[tokio::test]
async fn oidc_tokens_are_verified() {
    let clock = clock();
    let emu = Emulator::builder()
        .user_pool(pool())
        .time_source(clock.clone())
        .graphql_api(
            GraphQlApiSpec::new("type Query @aws_oidc @aws_api_key { me: AWSJSON }")
                .default_mode(AuthMode::OpenIdConnect)
                .additional_mode(AuthMode::ApiKey)
                .oidc_issuer("https://issuer.example.com")
                .oidc_client_id("my-app")
                .resolver("Query", "me", |ctx, _| Ok(ctx.identity().to_json())),
        )
        .start()
        .await
        .unwrap();
    let me = query("{ me }", Value::Null);
    let token = emu
        .mint_oidc_token_with(
            &OidcToken::new("https://issuer.example.com", "user-1")
                .audience("my-app")
                .validity(Duration::from_secs(60)),
        )
        .unwrap();
    let reply = with_token(&emu, &token, &me).await;
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let identity: Value =
        serde_json::from_str(reply.json()["data"]["me"].as_str().unwrap()).unwrap();
    assert_eq!(identity["authMode"], "OPENID_CONNECT");
    assert_eq!(identity["sub"], "user-1");
    assert_eq!(identity["issuer"], "https://issuer.example.com");

    // Another client id.
    let other_aud = emu
        .mint_oidc_token_with(
            &OidcToken::new("https://issuer.example.com", "user-1").audience("other-app"),
        )
        .unwrap();
    unauthorized(
        &with_token(&emu, &other_aud, &me).await,
        "You are not authorized to make this call.",
    );
    // An issuer the emulator hosts but the API does not trust.
    let google = emu.mint_oidc_token("accounts.google.com", "g-1").unwrap();
    unauthorized(
        &with_token(&emu, &google, &me).await,
        "You are not authorized to make this call.",
    );
    // Forged signature.
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged_sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0u8; 256]);
    parts[2] = &forged_sig;
    unauthorized(
        &with_token(&emu, &parts.join("."), &me).await,
        "You are not authorized to make this call.",
    );
    // Expired.
    clock.advance(Duration::from_secs(61));
    unauthorized(&with_token(&emu, &token, &me).await, "Token has expired.");
}

#[tokio::test]
async fn lambda_authorizer_decides() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let clock = clock();
    let emu = Emulator::builder()
        .time_source(clock.clone())
        .graphql_api(
            GraphQlApiSpec::new(
                "type Query @aws_lambda { me: AWSJSON secret: String public: String }",
            )
            .default_mode(AuthMode::AwsLambda)
            .lambda_authorizer(move |request| {
                counted.fetch_add(1, Ordering::SeqCst);
                assert!(request.query_string.contains("me"));
                assert!(!request.request_headers.contains_key("authorization"));
                match request.authorization_token.as_str() {
                    "let-me-in" => LambdaAuthResult::allow()
                        .context("tenant", "acme")
                        .deny_field("Query.secret"),
                    "cache-me" => LambdaAuthResult::allow().ttl(Duration::from_secs(60)),
                    _ => LambdaAuthResult::deny(),
                }
            })
            .resolver("Query", "me", |ctx, _| Ok(ctx.identity().to_json()))
            .resolver("Query", "secret", |_, _| Ok(json!("s")))
            .resolver("Query", "public", |_, _| Ok(json!("p"))),
        )
        .start()
        .await
        .unwrap();
    let q = query("{ me secret public }", Value::Null);
    let reply = with_token(&emu, "let-me-in", &q).await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let identity: Value = serde_json::from_str(body["data"]["me"].as_str().unwrap()).unwrap();
    assert_eq!(identity["resolverContext"], json!({"tenant": "acme"}));
    assert_eq!(body["data"]["public"], "p");
    assert!(body["data"]["secret"].is_null());
    assert_eq!(
        body["errors"][0]["message"],
        "Not Authorized to access secret on type Query"
    );

    unauthorized(
        &with_token(&emu, "nope", &q).await,
        "You are not authorized to make this call.",
    );
    // A JWT goes to the authorizer too when the API has no JWT mode.
    let (jwt_like, _) = ("a.b.c", ());
    unauthorized(
        &with_token(&emu, jwt_like, &q).await,
        "You are not authorized to make this call.",
    );
    let before = calls.load(Ordering::SeqCst);
    assert_eq!(before, 3);
    // Answers with a TTL are cached per token until the TTL passes on the emulator's clock.
    for _ in 0..3 {
        assert_eq!(with_token(&emu, "cache-me", &q).await.status, 200);
    }
    assert_eq!(calls.load(Ordering::SeqCst), before + 1);
    clock.advance(Duration::from_secs(61));
    assert_eq!(with_token(&emu, "cache-me", &q).await.status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), before + 2);
    // The API has no API key mode: the header is ignored, so nothing authorizes the request.
    unauthorized(
        &with_key(&emu, "da2-anything", &q).await,
        "Valid authorization header not provided.",
    );
}

#[tokio::test]
async fn modes_not_enabled_are_refused() {
    let clock = clock();
    let emu = Emulator::builder()
        .user_pool(pool())
        .identity_pool(IdentityPoolSpec::new())
        .time_source(clock.clone())
        .graphql_api(GraphQlApiSpec::sample_todo())
        .start()
        .await
        .unwrap();
    let (access, _, _) = tokens(&emu, "webclient", "alice").await;
    unauthorized(
        &with_token(&emu, &access, &query(LIST, Value::Null)).await,
        "You are not authorized to make this call.",
    );
    let creds = guest(&emu).await;
    unauthorized(
        &signed(&emu, &creds, &query(LIST, Value::Null), now(&emu))
            .send(emu.local_addr())
            .await,
        "You are not authorized to make this call.",
    );
}

#[tokio::test]
async fn sample_api_over_http_and_wire_shapes() {
    let clock = clock();
    let emu = start_sample(&clock).await;
    let key = emu.api_key().unwrap();
    let store = emu.todos().unwrap();
    for i in 0..25 {
        store
            .insert(json!({"id": format!("todo-{i:02}"), "name": format!("task {i}"), "done": i % 3 == 0}))
            .unwrap();
    }
    // Filter + pagination: a scan page holds `limit` evaluated items, so pages may be short;
    // following nextToken finds every match.
    let mut token = Value::Null;
    let mut found = Vec::new();
    let mut pages = 0;
    loop {
        let reply = with_key(
            &emu,
            &key,
            &query(
                "query L($f: ModelTodoFilterInput, $n: String) { listTodos(filter: $f, limit: 10, nextToken: $n) { items { id done } nextToken } }",
                json!({"f": {"done": {"eq": true}}, "n": token}),
            ),
        )
        .await;
        let page = reply.json()["data"]["listTodos"].clone();
        pages += 1;
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["done"], true);
            found.push(item["id"].as_str().unwrap().to_owned());
        }
        token = page["nextToken"].clone();
        if token.is_null() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(found.len(), 9);

    // Operation selection, fragments, aliases, @include/@skip, variables with defaults.
    let reply = with_key(
        &emu,
        &key,
        &json!({
            "query": "query A { a: getTodo(id: \"todo-01\") { ...F } } query B($skip: Boolean = true) { b: getTodo(id: \"todo-02\") { id name @skip(if: $skip) ... on Todo { done } } } fragment F on Todo { id name }",
            "operationName": "B",
        }),
    )
    .await;
    assert_eq!(
        reply.json(),
        json!({"data": {"b": {"id": "todo-02", "done": false}}})
    );
    let reply = with_key(
        &emu,
        &key,
        &json!({"query": "query A { a: getTodo(id: \"x\") { id } } query B { b: getTodo(id: \"x\") { id } }"}),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["errors"][0]["message"],
        "Must provide operation name if query contains multiple operations."
    );

    // Validation errors are 400 with graphql-java's messages.
    let reply = with_key(
        &emu,
        &key,
        &query("{ listTodos { items { nope } } }", Value::Null),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({"data": null, "errors": [{
            "path": null,
            "locations": [{"line": 1, "column": 23, "sourceName": null}],
            "message": "Validation error of type FieldUndefined: Field 'nope' in type 'Todo' is undefined @ 'listTodos/items/nope'",
            "errorType": "ValidationError",
        }]})
    );
    // A body that is not a GraphQL request.
    let reply = Req::new("POST", "/graphql")
        .header("x-api-key", &key)
        .body(b"{not json".to_vec())
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["errors"][0]["errorType"],
        "MalformedHttpRequestException"
    );
    // Subscriptions belong to the realtime endpoint.
    let reply = with_key(
        &emu,
        &key,
        &query("subscription { onCreateTodo { id } }", Value::Null),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&emu.graphql_realtime_url())
    );
    // The schema declares the subscriptions.
    let sdl = emu.graphql_schema().unwrap();
    assert!(sdl.contains("onCreateTodo(filter: ModelSubscriptionTodoFilterInput): Todo @aws_subscribe(mutations: [\"createTodo\"])"));
    assert_eq!(emu.graphql_url(), format!("{}/graphql", emu.endpoint()));

    // The description endpoint for tools.
    let reply = Req::new("GET", "/_emulator/graphql")
        .send(emu.local_addr())
        .await;
    let description = reply.json();
    assert_eq!(description["defaultAuthorizationType"], "API_KEY");
    assert_eq!(description["apiKeys"][0]["key"], key);
    assert_eq!(description["schema"], sdl);
}

#[tokio::test]
async fn configuration_documents_describe_the_apis() {
    let emu = Emulator::start().await.unwrap();
    let mut gen1 = AmplifyConfig::from_json(&emu.amplify_configuration_json()).unwrap();
    let gen2 = AmplifyConfig::from_json(&emu.amplify_outputs_json()).unwrap();
    // Guest access: Gen 2 states the identity pool's setting, native Gen 1 has no key for it
    // (amplify-config reads NotStated); everything else is the same model.
    let auth1 = gen1.auth.as_mut().unwrap();
    assert_eq!(auth1.guest_access, amplify_config::GuestAccess::NotStated);
    assert_eq!(
        gen2.auth.as_ref().unwrap().guest_access,
        amplify_config::GuestAccess::Allowed
    );
    auth1.guest_access = amplify_config::GuestAccess::Allowed;
    assert_eq!(gen1, gen2);
    assert_eq!(gen2.apis.len(), 2);
    let outputs: Value = serde_json::from_str(&emu.amplify_outputs_json()).unwrap();
    assert_eq!(
        outputs["data"],
        json!({
            "aws_region": "us-east-1",
            "url": emu.graphql_url(),
            "api_key": emu.api_key().unwrap(),
            "default_authorization_type": "API_KEY",
            "authorization_types": ["AMAZON_COGNITO_USER_POOLS", "AWS_IAM"],
        })
    );
    assert_eq!(
        outputs["rest_api"]["api"],
        json!({"url": emu.rest_url("api"), "aws_region": "us-east-1", "authorization_type": "AWS_IAM"})
    );
    let gen1_doc: Value = serde_json::from_str(&emu.amplify_configuration_json()).unwrap();
    let plugin = &gen1_doc["api"]["plugins"]["awsAPIPlugin"];
    assert_eq!(plugin["data"]["endpointType"], "GraphQL");
    assert_eq!(plugin["api"]["endpointType"], "REST");
    let app_sync = &gen1_doc["auth"]["plugins"]["awsCognitoAuthPlugin"]["AppSync"];
    assert_eq!(app_sync["Default"]["AuthMode"], "API_KEY");
    assert_eq!(app_sync["data_AWS_IAM"]["AuthMode"], "AWS_IAM");

    // Lambda and OIDC as additional modes, and a REST API with an API key.
    let emu = Emulator::builder()
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .name("todos")
                .default_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::OpenIdConnect)
                .additional_mode(AuthMode::AwsLambda)
                .oidc_issuer("https://issuer.example.com")
                .lambda_authorizer(|_| LambdaAuthResult::deny()),
        )
        .rest_api(RestApiSpec::new("keyed").mode(AuthMode::ApiKey))
        .start()
        .await
        .unwrap();
    let gen1 = AmplifyConfig::from_json(&emu.amplify_configuration_json()).unwrap();
    let mut gen2 = AmplifyConfig::from_json(&emu.amplify_outputs_json()).unwrap();
    // Gen 2 always names the GraphQL API `data`.
    for api in &mut gen2.apis {
        if api.name == "data" {
            api.name = "todos".to_owned();
        }
    }
    gen2.apis.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(gen1, gen2);
    assert!(emu.api_key().is_none());
    let outputs: Value = serde_json::from_str(&emu.amplify_outputs_json()).unwrap();
    assert_eq!(
        outputs["rest_api"]["keyed"]["api_key"],
        emu.rest_api_key("keyed").unwrap()
    );
}

#[tokio::test]
async fn faults_and_counters_cover_the_api_endpoints() {
    let clock = clock();
    let emu = start_sample(&clock).await;
    let key = emu.api_key().unwrap();
    emu.faults().inject("graphql", Fault::Throttle);
    emu.faults().inject("graphql", Fault::InternalError);
    let reply = with_key(&emu, &key, &query(LIST, Value::Null)).await;
    assert_eq!(reply.status, 429);
    assert_eq!(
        reply.json()["errors"][0]["errorType"],
        "TooManyRequestsException"
    );
    let reply = with_key(&emu, &key, &query(LIST, Value::Null)).await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        reply.json()["errors"][0]["errorType"],
        "InternalFailureException"
    );
    let reply = with_key(&emu, &key, &query(LIST, Value::Null)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(emu.request_count("graphql"), 3);
}
