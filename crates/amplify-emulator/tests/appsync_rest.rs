//! The REST endpoints over HTTP (API Gateway style): echo, the `items` resource and the status
//! route, in every authorization mode, with API Gateway's error shapes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_emulator::*;
use common::http::{Reply, Req};
use common::*;
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";
const START: u64 = 1_800_000_000;

async fn start(clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .time_source(clock.clone())
        .rest_api(RestApiSpec::new("iam").mode(AuthMode::AwsIam))
        .rest_api(
            RestApiSpec::new("keyed").mode(AuthMode::ApiKey).api_key(
                ApiKeySpec::new()
                    .key("rest-key-123")
                    .expires_in(Duration::from_secs(600)),
            ),
        )
        .rest_api(RestApiSpec::new("pool").mode(AuthMode::AmazonCognitoUserPools))
        .rest_api(
            RestApiSpec::new("oidc")
                .mode(AuthMode::OpenIdConnect)
                .oidc_issuer("https://issuer.example.com"),
        )
        .rest_api(
            RestApiSpec::new("lambda")
                .mode(AuthMode::AwsLambda)
                .lambda_authorizer(|request| {
                    if request.authorization_token == "open-sesame" {
                        assert!(request.query_string.starts_with("GET /echo"));
                        LambdaAuthResult::allow().context("who", "lambda-user")
                    } else {
                        LambdaAuthResult::deny()
                    }
                }),
        )
        .rest_api(RestApiSpec::new("public").mode(AuthMode::None))
        .start()
        .await
        .unwrap()
}

fn clock() -> ManualTimeSource {
    ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START))
}

struct Creds {
    akid: String,
    secret: String,
    token: String,
    identity_id: String,
}

async fn guest(emu: &EmulatorHandle) -> Creds {
    let ci = identity(emu);
    let id = ci
        .get_id()
        .identity_pool_id(emu.identity_pool_id().unwrap())
        .send()
        .await
        .unwrap();
    let identity_id = id.identity_id().unwrap().to_owned();
    let out = ci
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    Creds {
        akid: c.access_key_id().unwrap().to_owned(),
        secret: c.secret_key().unwrap().to_owned(),
        token: c.session_token().unwrap().to_owned(),
        identity_id,
    }
}

fn iam(emu: &EmulatorHandle, req: Req, creds: &Creds, at: SystemTime, sign_body: bool) -> Req {
    req.sign(
        emu.local_addr(),
        &creds.akid,
        &creds.secret,
        Some(&creds.token),
        "execute-api",
        emu.region(),
        at,
        sign_body,
    )
}

fn api_error(reply: &Reply, status: u16, error_type: &str, message: &str) {
    assert_eq!(
        reply.status,
        status,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.header("x-amzn-errortype"), Some(error_type));
    assert_eq!(reply.json(), json!({ "message": message }));
}

#[tokio::test]
async fn iam_rest_api() {
    let clock = clock();
    let emu = start(&clock).await;
    let creds = guest(&emu).await;
    let now = emu.clock().now();
    // GET with a query, unsigned payload (Amplify's REST signing).
    let reply = iam(
        &emu,
        Req::new("GET", "/rest/iam/echo/deep?x=1&x=2&y=a%20b&z=%2F").header("x-custom", "hello"),
        &creds,
        now,
        false,
    )
    .send(emu.local_addr())
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let echo = reply.json();
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["path"], "/echo/deep");
    assert_eq!(
        echo["query"],
        json!({"x": ["1", "2"], "y": "a b", "z": "/"})
    );
    assert_eq!(echo["headers"]["x-custom"], "hello");
    assert_eq!(echo["headers"]["authorization"], "[redacted]");
    assert_eq!(echo["headers"]["x-amz-security-token"], "[redacted]");
    assert_eq!(echo["identity"]["authMode"], "AWS_IAM");
    assert_eq!(echo["identity"]["cognitoIdentityId"], creds.identity_id);
    assert_eq!(
        echo["identity"]["cognitoIdentityAuthType"],
        "unauthenticated"
    );

    // Items: create, read, replace, merge, delete; ids with characters that need encoding.
    let post = |body: Value| {
        iam(
            &emu,
            Req::post_json("/rest/iam/items", &body),
            &creds,
            now,
            false,
        )
    };
    let reply = post(json!({"id": "a b", "name": "first"}))
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json(), json!({"id": "a b", "name": "first"}));
    let reply = post(json!({"name": "second"})).send(emu.local_addr()).await;
    assert_eq!(reply.status, 201);
    let second = reply.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        post(json!({"id": "a b"}))
            .send(emu.local_addr())
            .await
            .status,
        409
    );
    let get = |path: &str| iam(&emu, Req::new("GET", path), &creds, now, false);
    let reply = get("/rest/iam/items/a%20b").send(emu.local_addr()).await;
    assert_eq!(reply.json(), json!({"id": "a b", "name": "first"}));
    let reply = get("/rest/iam/items").send(emu.local_addr()).await;
    assert_eq!(reply.json()["items"].as_array().unwrap().len(), 2);

    // A signed body this time.
    let put = Req::new("PUT", "/rest/iam/items/a%20b")
        .header("content-type", "application/json")
        .body(json!({"name": "replaced", "n": 1}).to_string().into_bytes());
    let reply = iam(&emu, put, &creds, now, true)
        .send(emu.local_addr())
        .await;
    assert_eq!(
        reply.json(),
        json!({"id": "a b", "name": "replaced", "n": 1})
    );
    let patch = Req::new("PATCH", &format!("/rest/iam/items/{second}"))
        .header("content-type", "application/json")
        .body(br#"{"done":true}"#.to_vec());
    let reply = iam(&emu, patch, &creds, now, false)
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.json()["done"], true);
    assert_eq!(reply.json()["name"], "second");
    let reply = iam(
        &emu,
        Req::new("DELETE", "/rest/iam/items/a%20b"),
        &creds,
        now,
        false,
    )
    .send(emu.local_addr())
    .await;
    assert_eq!(reply.status, 200);
    let items = emu.rest_items("iam").unwrap();
    assert_eq!(items.len(), 1);
    assert!(items.get(&second).is_some());
    let reply = get("/rest/iam/items/a%20b").send(emu.local_addr()).await;
    api_error(&reply, 404, "NotFoundException", "Item not found");
    let reply = iam(
        &emu,
        Req::new("HEAD", "/rest/iam/items"),
        &creds,
        now,
        false,
    )
    .send(emu.local_addr())
    .await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.is_empty());
    let reply = get("/rest/iam/status/418").send(emu.local_addr()).await;
    assert_eq!(reply.status, 418);
    assert_eq!(reply.json(), json!({"status": 418}));
    let reply = get("/rest/iam/nothing-here").send(emu.local_addr()).await;
    api_error(&reply, 404, "NotFoundException", "Not Found");

    // Refusals, API Gateway style.
    let reply = Req::new("GET", "/rest/iam/echo")
        .send(emu.local_addr())
        .await;
    api_error(
        &reply,
        403,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    );
    let wrong = Creds {
        secret: "wrong".to_owned(),
        akid: creds.akid.clone(),
        token: creds.token.clone(),
        identity_id: String::new(),
    };
    let reply = iam(&emu, Req::new("GET", "/rest/iam/echo"), &wrong, now, false)
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.header("x-amzn-errortype"),
        Some("InvalidSignatureException")
    );
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("The request signature we calculated does not match")
    );
    // A signed path or query cannot be changed.
    let mut moved = iam(
        &emu,
        Req::new("GET", "/rest/iam/echo?a=1"),
        &creds,
        now,
        false,
    );
    moved.path = "/rest/iam/echo?a=2".to_owned();
    assert_eq!(moved.send(emu.local_addr()).await.status, 403);
    // A signed body cannot be changed; an unsigned one can (that is what UNSIGNED-PAYLOAD means).
    let body = json!({"name": "x"});
    let mut tampered = iam(
        &emu,
        Req::post_json("/rest/iam/items", &body),
        &creds,
        now,
        true,
    );
    tampered.body = br#"{"name":"evil"}"#.to_vec();
    assert_eq!(tampered.send(emu.local_addr()).await.status, 403);
    let mut unsigned = iam(
        &emu,
        Req::post_json("/rest/iam/items", &body),
        &creds,
        now,
        false,
    );
    unsigned.body = br#"{"name":"changed"}"#.to_vec();
    assert_eq!(unsigned.send(emu.local_addr()).await.status, 201);
    // Skew.
    let late = now - Duration::from_secs(600);
    let reply = iam(&emu, Req::new("GET", "/rest/iam/echo"), &creds, late, false)
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 403);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Signature expired: 20270115T075000Z is now earlier than")
    );
    assert_eq!(reply.header("date"), Some("Fri, 15 Jan 2027 08:00:00 GMT"));
    // Signed for AppSync instead of API Gateway.
    let reply = Req::new("GET", "/rest/iam/echo")
        .sign(
            emu.local_addr(),
            &creds.akid,
            &creds.secret,
            Some(&creds.token),
            "appsync",
            emu.region(),
            now,
            true,
        )
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 403);

    let reply = Req::new("GET", "/rest/nope/echo")
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn token_and_key_rest_apis() {
    let clock = clock();
    let emu = start(&clock).await;
    let echo = |api: &str| Req::new("GET", &format!("/rest/{api}/echo"));

    // API key.
    let reply = echo("keyed")
        .header("x-api-key", "rest-key-123")
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.json()["identity"]["authMode"], "API_KEY");
    assert_eq!(emu.rest_api_key("keyed").as_deref(), Some("rest-key-123"));
    for req in [echo("keyed").header("x-api-key", "wrong"), echo("keyed")] {
        api_error(
            &req.send(emu.local_addr()).await,
            403,
            "ForbiddenException",
            "Forbidden",
        );
    }

    // User pools: an ID token (the API Gateway Cognito authorizer's default) or access token.
    let out = password_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap();
    let result = out.authentication_result().unwrap();
    for token in [result.id_token().unwrap(), result.access_token().unwrap()] {
        let reply = echo("pool")
            .header("authorization", token)
            .send(emu.local_addr())
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["identity"]["username"], "alice");
    }
    api_error(
        &echo("pool").send(emu.local_addr()).await,
        401,
        "UnauthorizedException",
        "Unauthorized",
    );
    api_error(
        &echo("pool")
            .header("authorization", "garbage")
            .send(emu.local_addr())
            .await,
        401,
        "UnauthorizedException",
        "Unauthorized",
    );

    // OIDC.
    let token = emu
        .mint_oidc_token("https://issuer.example.com", "oidc-user")
        .unwrap();
    let reply = echo("oidc")
        .header("authorization", &format!("Bearer {token}"))
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.json()["identity"]["sub"], "oidc-user");
    let google = emu.mint_oidc_token("accounts.google.com", "g").unwrap();
    api_error(
        &echo("oidc")
            .header("authorization", &google)
            .send(emu.local_addr())
            .await,
        401,
        "UnauthorizedException",
        "Unauthorized",
    );

    // Lambda.
    let reply = echo("lambda")
        .header("authorization", "open-sesame")
        .send(emu.local_addr())
        .await;
    assert_eq!(
        reply.json()["identity"]["resolverContext"],
        json!({"who": "lambda-user"})
    );
    api_error(
        &echo("lambda")
            .header("authorization", "wrong")
            .send(emu.local_addr())
            .await,
        403,
        "AccessDeniedException",
        "User is not authorized to access this resource",
    );

    // NONE.
    let reply = echo("public").send(emu.local_addr()).await;
    assert_eq!(reply.json()["identity"], json!({"authMode": "NONE"}));

    // Expiry on the emulator's clock.
    clock.advance(Duration::from_secs(3601));
    api_error(
        &echo("pool")
            .header("authorization", result.id_token().unwrap())
            .send(emu.local_addr())
            .await,
        401,
        "UnauthorizedException",
        "The incoming token has expired",
    );
    api_error(
        &echo("keyed")
            .header("x-api-key", "rest-key-123")
            .send(emu.local_addr())
            .await,
        403,
        "ForbiddenException",
        "Forbidden",
    );
    // CORS preflight for the browser.
    let reply = Req::new("OPTIONS", "/rest/pool/echo")
        .header("access-control-request-method", "PATCH")
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 204);
    assert!(
        reply
            .header("access-control-allow-methods")
            .unwrap()
            .contains("PATCH")
    );
}
