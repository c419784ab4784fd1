//! Security negatives, one table: forged, replayed, tampered, expired, revoked and misdirected
//! credentials against the emulator's Cognito and AppSync endpoints, each answered with the
//! service's own error. Requests are raw HTTP (the emulator tests' client, SigV4 from the
//! official `aws-sigv4` crate) so every byte a caller could forge is under the test's control.
//!
//! Tokens are forged with *ring* and the emulator's development keys (public on purpose, see
//! `amplify-emulator/src/keys/README.md`): the user-pool key makes otherwise valid tokens with one
//! claim wrong (expired, wrong `token_use`), so each row isolates one check; the federation key
//! is "another key". Control rows show the same requests pass with the real credential.
//!
//! `cargo test -p amplify-api --test security_table -- --nocapture` prints the table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

#[allow(dead_code, unreachable_pub)]
#[path = "../../amplify-emulator/tests/common/http.rs"]
mod http_client;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_auth_cognito::srp;
use amplify_emulator::{
    ApiKeySpec, AppClientSpec, AuthMode, Emulator, EmulatorHandle, GraphQlApiSpec,
    IamPrincipalSpec, ManualTimeSource, UserPoolSpec, UserSpec,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http_client::{Reply, Req};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Value, json};

const START: u64 = 1_800_000_000;
const REGION: &str = "us-east-1";
const POOL: &str = "us-east-1_Security1";
const WEB: &str = "webclient";
const OTHER: &str = "otherclient";
const SECRET_CLIENT: &str = "secretclient";
const CLIENT_SECRET: &str = "client-secret-for-tests";
const PASSWORD: &str = "Security-Passw0rd!";
const AKID: &str = "ASIASECURITYTEST0001";
const AWS_SECRET: &str = "security-test-secret-key";
const SESSION_TOKEN: &str = "security-test-session-token";
const LIST: &str = "{ listTodos { items { id name } } }";

const USER_POOL_KEY: &[u8] = include_bytes!("../../amplify-emulator/src/keys/user-pool.pk8.der");
const FEDERATION_KEY: &[u8] = include_bytes!("../../amplify-emulator/src/keys/federation.pk8.der");
const USER_POOL_KID: &str = "amplify-emulator-user-pool-1";

/// One row: what was sent, what the service must answer, what it answered.
struct Row {
    case: &'static str,
    request: &'static str,
    expected: (u16, &'static str),
    got: (u16, String),
    message: String,
}

#[derive(Default)]
struct Table(Vec<Row>);

impl Table {
    fn check(
        &mut self,
        case: &'static str,
        request: &'static str,
        expected: (u16, &'static str),
        reply: &Reply,
    ) {
        let (code, message) = error_of(reply);
        self.0.push(Row {
            case,
            request,
            expected,
            got: (reply.status, code),
            // The first line: SigV4 answers go on with the canonical request.
            message: message.lines().next().unwrap_or_default().to_owned(),
        });
    }

    fn print_and_assert(&self) {
        println!("\n| case | request | expected | got | message |\n|---|---|---|---|---|");
        for r in &self.0 {
            println!(
                "| {} | {} | {} {} | {} {} | {} |",
                r.case, r.request, r.expected.0, r.expected.1, r.got.0, r.got.1, r.message
            );
        }
        let wrong: Vec<&str> = self
            .0
            .iter()
            .filter(|r| r.got.0 != r.expected.0 || r.got.1 != r.expected.1)
            .map(|r| r.case)
            .collect();
        assert!(
            wrong.is_empty(),
            "rows with an unexpected answer: {wrong:?}"
        );
    }
}

/// The error code of a Cognito (`__type`), AppSync (`errors[0].errorType`) or API Gateway
/// (`x-amzn-errortype`) answer; `OK` for a 200 without errors.
fn error_of(reply: &Reply) -> (String, String) {
    let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    if let Some(kind) = body["__type"].as_str() {
        let kind = kind.rsplit('#').next().unwrap_or(kind);
        return (
            kind.to_owned(),
            body["message"].as_str().unwrap_or_default().to_owned(),
        );
    }
    if let Some(first) = body["errors"].get(0) {
        return (
            first["errorType"].as_str().unwrap_or("?").to_owned(),
            first["message"].as_str().unwrap_or_default().to_owned(),
        );
    }
    if let Some(kind) = reply.header("x-amzn-errortype") {
        return (kind.to_owned(), String::new());
    }
    ("OK".to_owned(), String::new())
}

fn sign_jwt(pkcs8: &[u8], header: &Value, claims: &Value) -> String {
    let pair = RsaKeyPair::from_pkcs8(pkcs8).unwrap();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The same token with `edit` applied to its claims, signed with `key`.
fn reforged(token: &str, key: &[u8], edit: impl FnOnce(&mut Value)) -> String {
    let mut claims = claims_of(token);
    edit(&mut claims);
    sign_jwt(key, &json!({"kid": USER_POOL_KID, "alg": "RS256"}), &claims)
}

fn secret_hash(username: &str, client_id: &str, secret: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    STANDARD.encode(ring::hmac::sign(
        &key,
        format!("{username}{client_id}").as_bytes(),
    ))
}

struct Env {
    emulator: EmulatorHandle,
    clock: ManualTimeSource,
}

impl Env {
    async fn cognito(&self, operation: &str, body: &Value) -> Reply {
        Req::new("POST", "/")
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                &format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .body(body.to_string().into_bytes())
            .send(self.emulator.local_addr())
            .await
    }

    async fn ok(&self, operation: &str, body: &Value) -> Value {
        let reply = self.cognito(operation, body).await;
        assert_eq!(
            reply.status,
            200,
            "{operation}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.json()
    }

    async fn sign_in(&self, username: &str, client: &str) -> Value {
        let out = self
            .ok(
                "InitiateAuth",
                &json!({
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "ClientId": client,
                    "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD},
                }),
            )
            .await;
        out["AuthenticationResult"].clone()
    }

    fn graphql(&self) -> Req {
        Req::post_json("/graphql", &json!({ "query": LIST }))
    }

    async fn with_token(&self, token: &str) -> Reply {
        self.graphql()
            .header("authorization", token)
            .send(self.emulator.local_addr())
            .await
    }

    async fn with_api_key(&self, key: &str) -> Reply {
        self.graphql()
            .header("x-api-key", key)
            .send(self.emulator.local_addr())
            .await
    }

    fn signed(&self, body: &Value, at: SystemTime) -> Req {
        Req::post_json("/graphql", body).sign(
            self.emulator.local_addr(),
            AKID,
            AWS_SECRET,
            Some(SESSION_TOKEN),
            "appsync",
            REGION,
            at,
            true,
        )
    }

    fn now(&self) -> SystemTime {
        amplify_core::time::TimeSource::now(&self.clock)
    }

    /// USER_SRP_AUTH up to the PASSWORD_VERIFIER answer, computed with `password`.
    async fn srp_answer(&self, username: &str, password: &str) -> Value {
        let key = srp::EphemeralKey::generate().unwrap();
        let challenge = self
            .ok(
                "InitiateAuth",
                &json!({
                    "AuthFlow": "USER_SRP_AUTH",
                    "ClientId": WEB,
                    "AuthParameters": {"USERNAME": username, "SRP_A": key.public_hex()},
                }),
            )
            .await;
        let p = &challenge["ChallengeParameters"];
        let timestamp = srp::format_timestamp(self.now());
        let user_id = p["USER_ID_FOR_SRP"].as_str().unwrap();
        let claim = srp::password_claim(
            &key,
            &srp::PasswordVerifierChallenge {
                pool_id: POOL,
                user_id_for_srp: user_id,
                password,
                salt_hex: p["SALT"].as_str().unwrap(),
                srp_b_hex: p["SRP_B"].as_str().unwrap(),
                secret_block_b64: p["SECRET_BLOCK"].as_str().unwrap(),
                timestamp: &timestamp,
            },
        )
        .unwrap();
        json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ClientId": WEB,
            "Session": challenge["Session"],
            "ChallengeResponses": {
                "USERNAME": user_id,
                "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": claim,
                "TIMESTAMP": timestamp,
            },
        })
    }
}

async fn start() -> Env {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START));
    let emulator = Emulator::builder()
        .time_source(clock.clone())
        .user_pool(
            UserPoolSpec::new(REGION)
                .id(POOL)
                .client(AppClientSpec::new().id(WEB))
                .client(AppClientSpec::new().id(OTHER))
                .client(
                    AppClientSpec::new()
                        .id(SECRET_CLIENT)
                        .fixed_secret(CLIENT_SECRET),
                )
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com"))
                .user(UserSpec::new("bob", PASSWORD).email("bob@example.com"))
                .user(UserSpec::new("srpuser", PASSWORD).email("srp@example.com")),
        )
        .iam_principal(IamPrincipalSpec::new(AKID, AWS_SECRET).session_token(SESSION_TOKEN))
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam)
                .api_key(ApiKeySpec::new().expires_in(Duration::from_secs(86_400)))
                .user_pool_id(POOL)
                .user_pool_client_ids([WEB]),
        )
        .start()
        .await
        .unwrap();
    Env { emulator, clock }
}

#[tokio::test]
async fn forged_replayed_and_expired_credentials_are_refused() {
    let env = start().await;
    let mut t = Table::default();
    const NOT_AUTHORIZED: (u16, &str) = (400, "NotAuthorizedException");
    const APPSYNC_401: (u16, &str) = (401, "UnauthorizedException");
    const BAD_SIGNATURE: (u16, &str) = (403, "InvalidSignatureException");
    const OK: (u16, &str) = (200, "OK");

    // --- SRP -----------------------------------------------------------------------------
    let forged = env.srp_answer("srpuser", "not-the-password").await;
    let reply = env.cognito("RespondToAuthChallenge", &forged).await;
    t.check(
        "forged SRP proof",
        "PASSWORD_CLAIM_SIGNATURE computed from a wrong password",
        NOT_AUTHORIZED,
        &reply,
    );
    let answer = env.srp_answer("srpuser", PASSWORD).await;
    let reply = env.cognito("RespondToAuthChallenge", &answer).await;
    t.check(
        "control: SRP",
        "the correct PASSWORD_VERIFIER answer",
        OK,
        &reply,
    );
    let reply = env.cognito("RespondToAuthChallenge", &answer).await;
    t.check(
        "replayed PASSWORD_VERIFIER",
        "the same answer (Session, signature, TIMESTAMP) sent again",
        NOT_AUTHORIZED,
        &reply,
    );

    // --- SECRET_HASH -----------------------------------------------------------------------
    let password_auth = |hash: String| {
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": SECRET_CLIENT,
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": hash},
        })
    };
    let reply = env
        .cognito(
            "InitiateAuth",
            &password_auth(secret_hash("alice", SECRET_CLIENT, "wrong-secret")),
        )
        .await;
    t.check(
        "wrong SECRET_HASH",
        "InitiateAuth, SECRET_HASH keyed with another secret",
        NOT_AUTHORIZED,
        &reply,
    );
    let reply = env
        .cognito(
            "InitiateAuth",
            &password_auth(secret_hash("alice", SECRET_CLIENT, CLIENT_SECRET)),
        )
        .await;
    t.check(
        "control: SECRET_HASH",
        "InitiateAuth, right SECRET_HASH",
        OK,
        &reply,
    );

    // --- JWTs: Cognito (GetUser) and AppSync (user pool mode) ------------------------------
    let alice = env.sign_in("alice", WEB).await;
    let access = alice["AccessToken"].as_str().unwrap().to_owned();
    let id = alice["IdToken"].as_str().unwrap().to_owned();
    let get_user = |token: &str| json!({ "AccessToken": token });

    let reply = env.cognito("GetUser", &get_user(&access)).await;
    t.check(
        "control: GetUser",
        "GetUser with alice's access token",
        OK,
        &reply,
    );
    let reply = env.with_token(&id).await;
    t.check(
        "control: AppSync JWT",
        "listTodos with alice's ID token",
        OK,
        &reply,
    );

    // Tampered: the claims edited, the original signature kept.
    let tamper = |token: &str| {
        let parts: Vec<&str> = token.split('.').collect();
        let mut claims = claims_of(token);
        claims["username"] = json!("bob");
        claims["cognito:username"] = json!("bob");
        format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            parts[2]
        )
    };
    let reply = env.cognito("GetUser", &get_user(&tamper(&access))).await;
    t.check(
        "tampered JWT (Cognito)",
        "GetUser, access token's username changed, signature kept",
        NOT_AUTHORIZED,
        &reply,
    );
    let reply = env.with_token(&tamper(&id)).await;
    t.check(
        "tampered JWT (AppSync)",
        "ID token's cognito:username changed, signature kept",
        APPSYNC_401,
        &reply,
    );

    // alg: none, no signature.
    let unsigned = |token: &str| {
        let claims = token.split('.').nth(1).unwrap();
        let header =
            URL_SAFE_NO_PAD.encode(json!({"alg": "none", "kid": USER_POOL_KID}).to_string());
        format!("{header}.{claims}.")
    };
    let reply = env.cognito("GetUser", &get_user(&unsigned(&access))).await;
    t.check(
        "alg: none (Cognito)",
        "GetUser, header alg none, empty signature",
        NOT_AUTHORIZED,
        &reply,
    );
    let reply = env.with_token(&unsigned(&id)).await;
    t.check(
        "alg: none (AppSync)",
        "ID token, header alg none, empty signature",
        APPSYNC_401,
        &reply,
    );

    // Signed with another RSA key under the user pool key's kid.
    let reply = env
        .cognito(
            "GetUser",
            &get_user(&reforged(&access, FEDERATION_KEY, |_| {})),
        )
        .await;
    t.check(
        "signed with another key (Cognito)",
        "GetUser, same claims signed with a different RSA key",
        NOT_AUTHORIZED,
        &reply,
    );
    let reply = env.with_token(&reforged(&id, FEDERATION_KEY, |_| {})).await;
    t.check(
        "signed with another key (AppSync)",
        "ID token claims signed with a different RSA key",
        APPSYNC_401,
        &reply,
    );

    // Expired: validly signed, exp one second in the past.
    let past = |c: &mut Value| c["exp"] = json!(START - 1);
    let reply = env
        .cognito(
            "GetUser",
            &get_user(&reforged(&access, USER_POOL_KEY, past)),
        )
        .await;
    t.check(
        "expired JWT (Cognito)",
        "GetUser, access token with exp in the past",
        NOT_AUTHORIZED,
        &reply,
    );
    let reply = env.with_token(&reforged(&id, USER_POOL_KEY, past)).await;
    t.check(
        "expired JWT (AppSync)",
        "ID token with exp in the past",
        APPSYNC_401,
        &reply,
    );

    // Wrong token_use.
    let reply = env.cognito("GetUser", &get_user(&id)).await;
    t.check(
        "wrong token_use (Cognito)",
        "GetUser with the ID token",
        NOT_AUTHORIZED,
        &reply,
    );
    let refresh_use = |c: &mut Value| c["token_use"] = json!("refresh");
    let reply = env
        .with_token(&reforged(&id, USER_POOL_KEY, refresh_use))
        .await;
    t.check(
        "wrong token_use (AppSync)",
        "ID token re-signed with token_use refresh",
        APPSYNC_401,
        &reply,
    );

    // Wrong audience / client id.
    let other = env.sign_in("alice", OTHER).await;
    let reply = env.with_token(other["IdToken"].as_str().unwrap()).await;
    t.check(
        "wrong audience (AppSync)",
        "ID token of another app client (aud not in appIdClientRegex)",
        APPSYNC_401,
        &reply,
    );
    let reply = env
        .cognito(
            "InitiateAuth",
            &json!({
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "ClientId": OTHER,
                "AuthParameters": {"REFRESH_TOKEN": alice["RefreshToken"]},
            }),
        )
        .await;
    t.check(
        "wrong client id (Cognito)",
        "REFRESH_TOKEN_AUTH with webclient's refresh token under otherclient",
        NOT_AUTHORIZED,
        &reply,
    );

    // Revoked by GlobalSignOut.
    let bob = env.sign_in("bob", WEB).await;
    env.ok("GlobalSignOut", &json!({"AccessToken": bob["AccessToken"]}))
        .await;
    let reply = env
        .cognito("GetUser", &get_user(bob["AccessToken"].as_str().unwrap()))
        .await;
    t.check(
        "revoked access token (Cognito)",
        "GetUser after GlobalSignOut",
        NOT_AUTHORIZED,
        &reply,
    );
    let reply = env
        .cognito(
            "InitiateAuth",
            &json!({
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "ClientId": WEB,
                "AuthParameters": {"REFRESH_TOKEN": bob["RefreshToken"]},
            }),
        )
        .await;
    t.check(
        "revoked refresh token (Cognito)",
        "REFRESH_TOKEN_AUTH after GlobalSignOut",
        NOT_AUTHORIZED,
        &reply,
    );
    let reply = env.with_token(bob["IdToken"].as_str().unwrap()).await;
    t.check(
        "revoked ID token (AppSync)",
        "listTodos with an ID token after GlobalSignOut",
        APPSYNC_401,
        &reply,
    );

    // --- API keys ------------------------------------------------------------------------------
    let api_key = env.emulator.api_key().unwrap();
    let reply = env.with_api_key(&api_key).await;
    t.check("control: API key", "listTodos with the API key", OK, &reply);
    let reply = env.with_api_key("da2-notakeyofthisapi00000000").await;
    t.check(
        "wrong API key",
        "listTodos with x-api-key of no API",
        APPSYNC_401,
        &reply,
    );

    // --- SigV4 ---------------------------------------------------------------------------------
    let body = json!({ "query": LIST });
    let reply = env
        .signed(&body, env.now())
        .send(env.emulator.local_addr())
        .await;
    t.check("control: SigV4", "listTodos signed now", OK, &reply);
    let request = env.signed(&body, env.now());
    let auth = request
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .unwrap()
        .1
        .clone();
    let flipped = {
        let (head, sig) = auth.rsplit_once('=').unwrap();
        let first = if sig.starts_with('0') { "1" } else { "0" };
        format!("{head}={first}{}", &sig[1..])
    };
    let reply = request
        .clone()
        .set_header("authorization", &flipped)
        .send(env.emulator.local_addr())
        .await;
    t.check(
        "SigV4 wrong signature",
        "one hex digit of Signature changed",
        BAD_SIGNATURE,
        &reply,
    );
    let reply = env
        .signed(&body, env.now() - Duration::from_secs(600))
        .send(env.emulator.local_addr())
        .await;
    t.check(
        "SigV4 10-minute-old date",
        "signed (x-amz-date) 10 minutes before the server's clock",
        BAD_SIGNATURE,
        &reply,
    );
    let changed = json!({ "query": "mutation { createTodo(input: {name: \"evil\"}) { id } }" });
    let reply = request
        .body(changed.to_string().into_bytes())
        .send(env.emulator.local_addr())
        .await;
    t.check(
        "SigV4 replay, changed body",
        "headers of a signed listTodos replayed with a createTodo body",
        BAD_SIGNATURE,
        &reply,
    );

    // --- Confirmation codes: the attempt limit ----------------------------------------------
    env.ok(
        "SignUp",
        &json!({
            "ClientId": WEB,
            "Username": "carol",
            "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "carol@example.com"}],
        }),
    )
    .await;
    let code = env.emulator.outbox().latest_code_for("carol").unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm =
        |code: &str| json!({"ClientId": WEB, "Username": "carol", "ConfirmationCode": code});
    for attempt in 1..=5 {
        let reply = env.cognito("ConfirmSignUp", &confirm(wrong)).await;
        let case = match attempt {
            1 => "brute force: wrong code 1",
            5 => "brute force: wrong code 5",
            _ => {
                assert_eq!(error_of(&reply).0, "CodeMismatchException");
                continue;
            }
        };
        t.check(
            case,
            "ConfirmSignUp with a wrong code",
            (400, "CodeMismatchException"),
            &reply,
        );
    }
    let reply = env.cognito("ConfirmSignUp", &confirm(wrong)).await;
    t.check(
        "brute force: attempt 6",
        "ConfirmSignUp, sixth wrong code",
        (400, "LimitExceededException"),
        &reply,
    );
    let reply = env.cognito("ConfirmSignUp", &confirm(&code)).await;
    t.check(
        "brute force: right code after the limit",
        "ConfirmSignUp with the delivered code, after the limit",
        (400, "LimitExceededException"),
        &reply,
    );

    // --- Expiry on the clock (last: it moves time for everything) ---------------------------
    env.clock.advance(Duration::from_secs(2 * 86_400));
    let reply = env.with_api_key(&api_key).await;
    t.check(
        "expired API key",
        "listTodos with the API key a day after it expired",
        APPSYNC_401,
        &reply,
    );

    t.print_and_assert();
}
