//! The web console at `/_emulator/console` (issue 16) over real HTTP: its pages render, it
//! refuses non-loopback `Host` / `Origin` and forms without its token, it escapes what users
//! typed, and each admin action changes the user as the Cognito API (the official SDK) sees it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::SocketAddr;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use common::http::{Reply, Req};
use common::*;
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";
const CONSOLE: &str = "/_emulator/console";

async fn start() -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .group(GroupSpec::new("admins"))
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools),
        )
        .start()
        .await
        .unwrap()
}

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

async fn sign_up(emu: &EmulatorHandle, username: &str, name: &str) {
    idp(emu)
        .sign_up()
        .client_id(emu.client_id())
        .username(username)
        .password(PASSWORD)
        .user_attributes(attr("email", &format!("{username}@example.com")))
        .user_attributes(attr("name", name))
        .send()
        .await
        .unwrap();
}

fn addr(emu: &EmulatorHandle) -> SocketAddr {
    emu.local_addr()
}

async fn get(emu: &EmulatorHandle, path: &str) -> Reply {
    Req::new("GET", path).send(addr(emu)).await
}

fn text(reply: &Reply) -> String {
    String::from_utf8(reply.body.clone()).unwrap()
}

fn user_path(emu: &EmulatorHandle, username: &str) -> String {
    format!(
        "{CONSOLE}/user?pool={}&username={username}",
        emu.user_pool_id()
    )
}

/// The form token embedded in a user's page.
async fn csrf(emu: &EmulatorHandle) -> String {
    let page = text(&get(emu, &user_path(emu, "alice")).await);
    let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    page[start..start + 64].to_owned()
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Posts an admin action the way the console's form does (same origin, with the token).
async fn action(emu: &EmulatorHandle, token: &str, fields: &[(&str, &str)]) -> Reply {
    let mut all = vec![("csrf", token), ("pool", emu.user_pool_id())];
    all.extend_from_slice(fields);
    Req::new("POST", &format!("{CONSOLE}/action"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &format!("http://{}", addr(emu)))
        .body(form(&all))
        .send(addr(emu))
        .await
}

async fn status_of(emu: &EmulatorHandle, username: &str) -> (String, bool) {
    let user = idp_admin(emu)
        .admin_get_user()
        .user_pool_id(emu.user_pool_id())
        .username(username)
        .send()
        .await
        .unwrap();
    (
        user.user_status().unwrap().as_str().to_owned(),
        user.enabled(),
    )
}

#[tokio::test]
async fn every_page_renders_with_the_console_headers() {
    let emu = start().await;
    sign_up(&emu, "bob", "Bob").await;
    let pool = emu.user_pool_id().to_owned();
    for (path, needle) in [
        (CONSOLE.to_owned(), pool.clone()),
        (format!("{CONSOLE}/"), "Identity pools".to_owned()),
        (
            format!("{CONSOLE}/pool?id={pool}"),
            "UNCONFIRMED".to_owned(),
        ),
        (user_path(&emu, "bob"), "bob@example.com".to_owned()),
        (format!("{CONSOLE}/outbox"), "SIGN_UP".to_owned()),
        (
            format!("{CONSOLE}/identity-pools"),
            emu.identity_pool_id().unwrap().to_owned(),
        ),
        (format!("{CONSOLE}/graphql"), "type Todo".to_owned()),
        (format!("{CONSOLE}/requests"), "SignUp".to_owned()),
    ] {
        let reply = get(&emu, &path).await;
        assert_eq!(reply.status, 200, "{path}: {}", text(&reply));
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert!(text(&reply).contains(&needle), "{path} lacks {needle}");
        let csp = reply.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(reply.header("access-control-allow-origin"), None, "{path}");
    }
    let missing = get(&emu, &format!("{CONSOLE}/nothing-here")).await;
    assert_eq!(missing.status, 404);
    let no_user = get(&emu, &user_path(&emu, "nobody")).await;
    assert_eq!(no_user.status, 404);
    assert!(text(&no_user).contains("UserNotFoundException"));
}

#[tokio::test]
async fn non_loopback_host_or_origin_is_refused() {
    let emu = start().await;
    let port = addr(&emu).port();
    for host in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("192.168.1.10:{port}"),
    ] {
        let reply = Req::new("GET", CONSOLE)
            .header("host", &host)
            .send(addr(&emu))
            .await;
        assert_eq!(reply.status, 403, "{host}");
        assert!(text(&reply).contains("loopback only"), "{host}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let reply = Req::new("GET", CONSOLE)
            .header("host", &host)
            .send(addr(&emu))
            .await;
        assert_eq!(reply.status, 200, "{host}");
    }
    for origin in [
        "http://evil.example",
        "null",
        "http://localhost.evil.example",
    ] {
        let reply = Req::new("GET", &format!("{CONSOLE}/outbox.json"))
            .header("origin", origin)
            .send(addr(&emu))
            .await;
        assert_eq!(reply.status, 403, "{origin}");
        assert!(text(&reply).contains("Origin is not loopback"), "{origin}");
    }
    let reply = Req::new("GET", &format!("{CONSOLE}/outbox.json"))
        .header("origin", "http://localhost:3000")
        .send(addr(&emu))
        .await;
    assert_eq!(reply.status, 200);
    // The rest of the emulator still serves any host and origin (apps call it cross-origin).
    let health = Req::new("GET", "/_emulator/health")
        .header("host", "evil.example")
        .header("origin", "http://evil.example")
        .send(addr(&emu))
        .await;
    assert_eq!(health.status, 200);
}

#[tokio::test]
async fn forms_need_the_token_and_a_loopback_origin() {
    let emu = start().await;
    sign_up(&emu, "bob", "Bob").await;
    let token = csrf(&emu).await;
    let body = |t: &str| {
        form(&[
            ("csrf", t),
            ("pool", emu.user_pool_id()),
            ("username", "bob"),
            ("action", "confirm"),
        ])
    };
    let path = format!("{CONSOLE}/action");
    let origin = format!("http://{}", addr(&emu));
    let cases = [
        // No token.
        Req::new("POST", &path)
            .header("origin", &origin)
            .body(form(&[
                ("pool", emu.user_pool_id()),
                ("username", "bob"),
                ("action", "confirm"),
            ])),
        // A wrong token.
        Req::new("POST", &path)
            .header("origin", &origin)
            .body(body(&"0".repeat(64))),
        // The right token but neither Origin nor Referer.
        Req::new("POST", &path).body(body(&token)),
        // The right token from another site.
        Req::new("POST", &path)
            .header("origin", "http://evil.example")
            .body(body(&token)),
        Req::new("POST", &path)
            .header("referer", "http://evil.example/page")
            .body(body(&token)),
    ];
    for request in cases {
        let reply = request.send(addr(&emu)).await;
        assert_eq!(reply.status, 403, "{}", text(&reply));
        assert!(text(&reply).starts_with("Forbidden"));
    }
    assert_eq!(status_of(&emu, "bob").await.0, "UNCONFIRMED");
    // GET never changes anything.
    let reply = get(
        &emu,
        &format!(
            "{path}?csrf={token}&pool={}&username=bob&action=confirm",
            emu.user_pool_id()
        ),
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(status_of(&emu, "bob").await.0, "UNCONFIRMED");
    // A same-origin Referer is enough with the token.
    let reply = Req::new("POST", &path)
        .header("referer", &format!("{origin}{}", user_path(&emu, "bob")))
        .body(body(&token))
        .send(addr(&emu))
        .await;
    assert_eq!(reply.status, 303);
    assert_eq!(status_of(&emu, "bob").await.0, "CONFIRMED");
}

#[tokio::test]
async fn user_typed_values_are_escaped() {
    let emu = start().await;
    let evil = "<script>alert(1)</script>\"'&";
    sign_up(&emu, "mallory", evil).await;
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;";
    for path in [
        format!("{CONSOLE}/pool?id={}", emu.user_pool_id()),
        user_path(&emu, "mallory"),
    ] {
        let page = text(&get(&emu, &path).await);
        assert!(page.contains(escaped), "{path}");
        assert!(!page.contains("<script>alert(1)"), "{path}");
    }
    // Query parameters shown back are escaped too.
    let page = text(
        &get(
            &emu,
            &format!(
                "{}&done=%3Cscript%3Ex%3C%2Fscript%3E",
                user_path(&emu, "mallory")
            ),
        )
        .await,
    );
    assert!(page.contains("&lt;script&gt;x&lt;/script&gt;") && !page.contains("<script>x"));
    // The live JSON carries the raw value; the page's script inserts it with textContent.
    let outbox = get(&emu, &format!("{CONSOLE}/outbox.json")).await.json();
    assert_eq!(outbox["items"][0]["username"], "mallory");
}

#[tokio::test]
async fn admin_actions_change_the_user_as_the_cognito_api_sees_it() {
    let emu = start().await;
    sign_up(&emu, "bob", "Bob").await;
    let token = csrf(&emu).await;
    let admin = idp_admin(&emu);
    let pool = emu.user_pool_id().to_owned();

    assert_eq!(
        status_of(&emu, "bob").await,
        ("UNCONFIRMED".to_owned(), true)
    );
    let reply = action(&emu, &token, &[("username", "bob"), ("action", "confirm")]).await;
    assert_eq!(reply.status, 303);
    let location = reply.header("location").unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{CONSOLE}/user?")),
        "{location}"
    );
    assert!(text(&get(&emu, &location).await).contains("Confirmed."));
    assert_eq!(status_of(&emu, "bob").await.0, "CONFIRMED");

    // An action the state layer refuses shows Cognito's error and changes nothing.
    let reply = action(&emu, &token, &[("username", "bob"), ("action", "confirm")]).await;
    let page = text(&get(&emu, reply.header("location").unwrap()).await);
    assert!(page.contains("NotAuthorizedException"), "{page}");

    action(&emu, &token, &[("username", "bob"), ("action", "disable")]).await;
    assert_eq!(
        status_of(&emu, "bob").await,
        ("CONFIRMED".to_owned(), false)
    );
    action(&emu, &token, &[("username", "bob"), ("action", "enable")]).await;
    assert_eq!(status_of(&emu, "bob").await, ("CONFIRMED".to_owned(), true));

    action(
        &emu,
        &token,
        &[
            ("username", "bob"),
            ("action", "add-to-group"),
            ("group", "admins"),
        ],
    )
    .await;
    let groups = admin
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["admins"]);
    assert!(text(&get(&emu, &user_path(&emu, "bob")).await).contains("admins"));

    let new_password = "N3w-Passw0rd!x";
    action(
        &emu,
        &token,
        &[
            ("username", "bob"),
            ("action", "set-password"),
            ("password", new_password),
            ("permanent", "on"),
        ],
    )
    .await;
    let client = idp(&emu);
    assert!(
        password_sign_in(&emu, &client, "bob", PASSWORD)
            .await
            .is_err()
    );
    password_sign_in(&emu, &client, "bob", new_password)
        .await
        .unwrap();
    // The password is never shown.
    for path in [user_path(&emu, "bob"), format!("{CONSOLE}/requests")] {
        let page = text(&get(&emu, &path).await);
        assert!(
            !page.contains(new_password) && !page.contains(PASSWORD),
            "{path}"
        );
    }

    // Bob's email is not verified: Cognito has nowhere to send the reset code, and says so.
    let reply = action(
        &emu,
        &token,
        &[("username", "bob"), ("action", "reset-password")],
    )
    .await;
    let location = reply.header("location").unwrap();
    assert!(location.contains("&error="), "{location}");
    let page = text(&get(&emu, location).await);
    assert!(page.contains("AdminResetUserPassword: "), "{page}");
    assert_eq!(status_of(&emu, "bob").await.0, "CONFIRMED");
    let reply = action(
        &emu,
        &token,
        &[("username", "alice"), ("action", "reset-password")],
    )
    .await;
    assert!(reply.header("location").unwrap().contains("&done="));
    assert_eq!(status_of(&emu, "alice").await.0, "RESET_REQUIRED");
    let sent = emu.outbox().latest_for("alice").unwrap();
    assert_eq!(sent.kind, MessageKind::ForgotPassword);

    let reply = action(&emu, &token, &[("username", "bob"), ("action", "delete")]).await;
    assert_eq!(
        reply.header("location"),
        Some(format!("{CONSOLE}/pool?id={pool}").as_str())
    );
    let err = admin
        .admin_get_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UserNotFoundException");
}

#[tokio::test]
async fn outbox_and_requests_are_live_json_newest_first() {
    let emu = start().await;
    sign_up(&emu, "bob", "Bob").await;
    sign_up(&emu, "carol", "Carol").await;
    let outbox = get(&emu, &format!("{CONSOLE}/outbox.json")).await.json();
    let items = outbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["username"], "carol");
    assert_eq!(
        items[0]["code"].as_str().unwrap(),
        emu.outbox().latest_code_for("carol").unwrap()
    );
    let newest = items[0]["id"].as_u64().unwrap();
    let none = get(&emu, &format!("{CONSOLE}/outbox.json?after={newest}"))
        .await
        .json();
    assert_eq!(none["items"], json!([]));
    sign_up(&emu, "dave", "Dave").await;
    let newer = get(&emu, &format!("{CONSOLE}/outbox.json?after={newest}"))
        .await
        .json();
    assert_eq!(newer["items"].as_array().unwrap().len(), 1);
    assert_eq!(newer["items"][0]["username"], "dave");

    // A refused sign-in is in the request log with its decision; console requests are not.
    let client = idp(&emu);
    let err = password_sign_in(&emu, &client, "alice", "wrong-Passw0rd!")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotAuthorizedException");
    let log = get(&emu, &format!("{CONSOLE}/requests.json")).await.json();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items[0]["operation"], "InitiateAuth");
    assert_eq!(items[0]["decision"], "NotAuthorizedException");
    assert_eq!(items[0]["status"], 400);
    assert!(
        items
            .iter()
            .any(|i| i["operation"] == "SignUp" && i["decision"] == "accepted")
    );
    assert!(items.iter().all(|i| i["operation"] != "console"));
    let seq = items[0]["seq"].as_u64().unwrap();
    let after = get(&emu, &format!("{CONSOLE}/requests.json?after={seq}"))
        .await
        .json();
    assert_eq!(after["items"], json!([]));
}

#[tokio::test]
async fn the_query_runner_token_goes_through_normal_verification() {
    let emu = start().await;
    sign_up(&emu, "bob", "Bob").await;
    let token = csrf(&emu).await;
    let origin = format!("http://{}", addr(&emu));
    let ask = |username: &str, token: &str| {
        Req::new("POST", &format!("{CONSOLE}/graphql/token"))
            .header("origin", &origin)
            .body(form(&[("csrf", token), ("username", username)]))
    };
    // Not for an unconfirmed user, nor without the token.
    let refused = ask("bob", &token).send(addr(&emu)).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["type"], "NotAuthorizedException");
    assert_eq!(ask("alice", "").send(addr(&emu)).await.status, 403);

    let tokens = ask("alice", &token).send(addr(&emu)).await.json();
    let access = tokens["accessToken"].as_str().unwrap();
    assert_eq!(tokens["provider"], emu.identity_provider_name());
    assert_eq!(
        emu.verify_user_pool_token(access).unwrap().claims["username"],
        "alice"
    );
    let query = json!({"query": "query { listTodos { items { id } } }"});
    let reply = Req::post_json("/graphql", &query)
        .header("authorization", access)
        .send(addr(&emu))
        .await;
    assert_eq!(reply.status, 200, "{}", text(&reply));
    assert_eq!(reply.json()["data"]["listTodos"]["items"], json!([]));
    // A signed-out user's console token is refused like any other.
    idp_admin(&emu)
        .admin_user_global_sign_out()
        .user_pool_id(emu.user_pool_id())
        .username("alice")
        .send()
        .await
        .unwrap();
    let reply = Req::post_json("/graphql", &query)
        .header("authorization", access)
        .send(addr(&emu))
        .await;
    assert_eq!(reply.status, 401, "{}", text(&reply));
    let _: Value = reply.json();
}
