//! The hosted UI over HTTP, the test playing the browser: authorization code with PKCE,
//! federated sign-in through a simulated Google, the token endpoint's grants and refusals,
//! userInfo, revocation, logout and the configuration documents.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use amplify_config::AmplifyConfig;
use amplify_emulator::{
    AppClientSpec, Emulator, EmulatorHandle, IdentityProviderSpec, ManualTimeSource,
    OAuthClientSpec, OAuthFlow, TokenError, UserPoolSpec, UserSpec,
};
use base64::Engine as _;
use common::http::{Reply, Req};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CALLBACK: &str = "http://localhost:3000/callback";
const SIGN_OUT: &str = "http://localhost:3000/signout";
const SECRET: &str = "confidentialsecret0123456789";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier";

struct Hosted {
    emu: EmulatorHandle,
    clock: ManualTimeSource,
}

async fn start() -> Hosted {
    let clock = common::clock();
    let emu = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .identity_provider(IdentityProviderSpec::google())
                .client(
                    AppClientSpec::new().id("webclient").oauth(
                        OAuthClientSpec::new()
                            .callback_url(CALLBACK)
                            .logout_url(SIGN_OUT)
                            .identity_provider("Google"),
                    ),
                )
                .client(
                    AppClientSpec::new()
                        .id("confidential")
                        .fixed_secret(SECRET)
                        .refresh_token_rotation(true)
                        .oauth(
                            OAuthClientSpec::new()
                                .callback_url(CALLBACK)
                                .flows([OAuthFlow::Code, OAuthFlow::ClientCredentials])
                                .scope("api/read")
                                .scope("api/write"),
                        ),
                )
                .client(AppClientSpec::new().id("plainclient"))
                .user(UserSpec::new("alice", "Passw0rd!").email("alice@example.com")),
        )
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    Hosted { emu, clock }
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc = |s: &str| {
                s.bytes()
                    .map(|b| {
                        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                            char::from(b).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect::<String>()
            };
            format!("{}={}", enc(k), enc(v))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The query (or fragment) parameters of a URL.
fn params_of(url: &str) -> HashMap<String, String> {
    let query = url
        .split_once(['?', '#'])
        .map(|(_, q)| q)
        .unwrap_or_default();
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

impl Hosted {
    async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Req::new("GET", path);
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie);
        }
        req.send(self.emu.local_addr()).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Reply {
        let mut req = Req::new("POST", path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(form).into_bytes());
        if let Some((id, secret)) = basic {
            let value = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
            req = req.header("authorization", &format!("Basic {value}"));
        }
        req.send(self.emu.local_addr()).await
    }

    async fn authorize(&self, params: &[(&str, &str)]) -> Reply {
        self.get(&format!("/oauth2/authorize?{}", encode(params)), None)
            .await
    }

    /// The path and query of an emulator URL in a `Location`.
    fn local(&self, location: &str) -> String {
        location
            .strip_prefix(self.emu.endpoint())
            .unwrap()
            .to_owned()
    }

    fn authorize_params<'a>(
        &self,
        client: &'a str,
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", client),
            ("redirect_uri", CALLBACK),
            ("state", "st-123"),
            ("scope", "openid email aws.cognito.signin.user.admin"),
            ("code_challenge_method", "S256"),
        ];
        params.extend_from_slice(extra);
        params
    }

    /// The browser part: authorize, the login page, the scripted login; returns the redirect's
    /// parameters (and the session cookie).
    async fn sign_in(
        &self,
        client: &str,
        password: &str,
    ) -> (HashMap<String, String>, Option<String>) {
        let challenge = challenge(VERIFIER);
        let params = self.authorize_params(client, &[("code_challenge", &challenge)]);
        let reply = self
            .get(&format!("/oauth2/authorize?{}", encode(&params)), None)
            .await;
        assert_eq!(
            reply.status,
            302,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        let login = self.local(reply.header("location").unwrap());
        assert!(login.starts_with("/login?"), "{login}");
        let page = self.get(&login, None).await;
        assert_eq!(page.status, 200);
        assert!(
            String::from_utf8_lossy(&page.body)
                .contains("<form method=\"post\" action=\"/login\">")
        );
        let mut form = params.clone();
        form.extend([("username", "alice"), ("password", password)]);
        let reply = self.post("/login", &form, None).await;
        if reply.status != 302 {
            return (HashMap::new(), None);
        }
        let location = reply.header("location").unwrap();
        assert!(location.starts_with(CALLBACK), "{location}");
        let cookie = reply
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .map(str::to_owned);
        (params_of(location), cookie)
    }

    async fn exchange(
        &self,
        client: &str,
        code: &str,
        verifier: &str,
        basic: Option<(&str, &str)>,
    ) -> Reply {
        self.post(
            "/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", client),
                ("code", code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", verifier),
            ],
            basic,
        )
        .await
    }
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn code_flow_with_pkce_then_userinfo_refresh_and_revoke() {
    let h = start().await;
    let (redirect, cookie) = h.sign_in("webclient", "Passw0rd!").await;
    assert_eq!(redirect["state"], "st-123");
    assert!(cookie.unwrap().starts_with("cognito="));
    let reply = h
        .exchange("webclient", &redirect["code"], VERIFIER, None)
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let tokens = reply.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = tokens["access_token"].as_str().unwrap();
    let id = tokens["id_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(
        claims(access)["scope"],
        "openid email aws.cognito.signin.user.admin"
    );
    assert_eq!(claims(id)["cognito:username"], "alice");
    assert_eq!(
        h.emu
            .verify_user_pool_token(access)
            .unwrap()
            .token_use
            .as_deref(),
        Some("access")
    );
    assert!(h.emu.verify_user_pool_token(id).is_ok());

    // The access token works with the API (aws.cognito.signin.user.admin) and userInfo (openid).
    let user = h
        .emu
        .backend()
        .call("GetUser", &json!({"AccessToken": access}))
        .unwrap();
    assert_eq!(user["Username"], "alice");
    let info = Req::new("GET", "/oauth2/userInfo")
        .header("authorization", &format!("Bearer {access}"))
        .send(h.emu.local_addr())
        .await;
    assert_eq!(info.status, 200);
    let info = info.json();
    assert_eq!(info["email"], "alice@example.com");
    assert_eq!(info["email_verified"], "true");
    assert_eq!(info["username"], "alice");

    // Refresh through the API operation and the token endpoint: the scopes stay.
    let api = h
        .emu
        .backend()
        .call("InitiateAuth", &json!({"ClientId": "webclient", "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh}}))
        .unwrap();
    let refreshed = api["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    assert_eq!(
        claims(refreshed)["scope"],
        "openid email aws.cognito.signin.user.admin"
    );
    let reply = h
        .post(
            "/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "webclient"),
                ("refresh_token", refresh),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    let again = reply.json();
    assert!(
        again.get("refresh_token").is_none(),
        "no rotation on this client"
    );
    assert!(again["id_token"].is_string());

    // Revocation ends the family everywhere.
    let reply = h
        .post(
            "/oauth2/revoke",
            &[("token", refresh), ("client_id", "webclient")],
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        h.emu.verify_user_pool_token(access).unwrap_err(),
        TokenError::Revoked
    );
    let reply = h
        .post(
            "/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "webclient"),
                ("refresh_token", refresh),
            ],
            None,
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()),
        (400, json!({"error": "invalid_grant"}))
    );
    let reply = h
        .post(
            "/oauth2/revoke",
            &[("token", access), ("client_id", "webclient")],
            None,
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()),
        (400, json!({"error": "unsupported_token_type"}))
    );
    assert_eq!(h.emu.request_count("oauth2-token"), 3);
}

#[tokio::test]
async fn confidential_client_rotates_and_authenticates() {
    let h = start().await;
    let (redirect, _) = h.sign_in("confidential", "Passw0rd!").await;
    let reply = h
        .exchange(
            "confidential",
            &redirect["code"],
            VERIFIER,
            Some(("confidential", "wrong")),
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()),
        (401, json!({"error": "invalid_client"}))
    );
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Basic realm=\"oauth2\"")
    );
    // An unauthenticated attempt does not spend the code.
    let reply = h
        .exchange(
            "confidential",
            &redirect["code"],
            VERIFIER,
            Some(("confidential", SECRET)),
        )
        .await;
    assert_eq!(reply.status, 200);
    let refresh = reply.json()["refresh_token"].as_str().unwrap().to_owned();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let reply = h
        .post("/oauth2/token", &form, Some(("confidential", SECRET)))
        .await;
    assert_eq!(reply.status, 200);
    let rotated = reply.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, refresh);
    let reply = h
        .post("/oauth2/token", &form, Some(("confidential", SECRET)))
        .await;
    assert_eq!(
        (reply.status, reply.json()),
        (400, json!({"error": "invalid_grant"})),
        "rotated out"
    );
    // The secret in the body works too; without any, the client is not authenticated.
    let reply = h
        .post(
            "/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "confidential"),
                ("client_secret", SECRET),
                ("refresh_token", &rotated),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    let reply = h
        .post(
            "/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "confidential"),
                ("refresh_token", &rotated),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn authorize_refusals() {
    let h = start().await;
    // Unknown client, a client without OAuth, a redirect URI that is not a callback URL: an
    // error page, never a redirect.
    for client in ["nope", "plainclient"] {
        let reply = h.authorize(&h.authorize_params(client, &[])).await;
        assert_eq!(reply.status, 400);
        assert!(reply.header("location").is_none());
    }
    let mut params = h.authorize_params("webclient", &[]);
    params[2] = ("redirect_uri", "http://localhost:3000/other");
    let reply = h.authorize(&params).await;
    assert_eq!(
        (reply.status, reply.header("x-emulator-oauth-error")),
        (400, Some("redirect_mismatch"))
    );

    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("response_type", "")], "invalid_request"),
        (
            vec![("response_type", "id_token")],
            "unsupported_response_type",
        ),
        (vec![("response_type", "token")], "unauthorized_client"),
        (vec![("code_challenge", "x")], "invalid_request"),
        (vec![("scope", "openid admin")], "invalid_scope"),
        (vec![("scope", "email")], "invalid_scope"),
        (vec![("identity_provider", "Facebook")], "invalid_request"),
    ];
    let good = challenge(VERIFIER);
    for (overrides, error) in cases {
        let mut params: Vec<(&str, &str)> = h.authorize_params("webclient", &[]);
        params.retain(|(k, _)| !overrides.iter().any(|(o, _)| o == k) && *k != "code_challenge");
        if !overrides.iter().any(|(k, _)| *k == "code_challenge") {
            params.push(("code_challenge", &good));
        }
        params.extend(overrides.iter().copied());
        let reply = h.authorize(&params).await;
        assert_eq!(reply.status, 302, "{error}");
        let redirect = params_of(reply.header("location").unwrap());
        assert_eq!(redirect["error"], error);
        assert_eq!(redirect["state"], "st-123");
    }
    // `plain` is refused: Cognito supports only S256.
    let mut params = h.authorize_params("webclient", &[("code_challenge", VERIFIER)]);
    params.retain(|(k, _)| *k != "code_challenge_method");
    params.push(("code_challenge_method", "plain"));
    assert_eq!(
        params_of(h.authorize(&params).await.header("location").unwrap())["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn wrong_password_shows_the_login_page_again() {
    let h = start().await;
    let (redirect, cookie) = h.sign_in("webclient", "wrong-password").await;
    assert!(redirect.is_empty() && cookie.is_none());
    let challenge = challenge(VERIFIER);
    let params = h.authorize_params(
        "webclient",
        &[
            ("code_challenge", &challenge),
            ("username", "alice"),
            ("password", "nope"),
        ],
    );
    let reply = h.post("/login", &params, None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("x-emulator-login-error"),
        Some("NotAuthorizedException")
    );
    assert!(String::from_utf8_lossy(&reply.body).contains("Incorrect username or password."));
}

#[tokio::test]
async fn token_endpoint_refusals() {
    let h = start().await;
    let refused = |reply: Reply, status: u16, error: &str| {
        assert_eq!(
            (reply.status, reply.json()),
            (status, json!({ "error": error }))
        );
    };
    // Wrong verifier, then the same code again.
    let (redirect, _) = h.sign_in("webclient", "Passw0rd!").await;
    refused(
        h.exchange(
            "webclient",
            &redirect["code"],
            "another-verifier-0123456789012345678901234",
            None,
        )
        .await,
        400,
        "invalid_grant",
    );
    refused(
        h.exchange("webclient", &redirect["code"], VERIFIER, None)
            .await,
        400,
        "invalid_grant",
    );
    // Wrong redirect URI.
    let (redirect, _) = h.sign_in("webclient", "Passw0rd!").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "webclient"),
        ("code", &redirect["code"]),
        ("redirect_uri", "http://localhost:3000/"),
        ("code_verifier", VERIFIER),
    ];
    refused(
        h.post("/oauth2/token", &form, None).await,
        400,
        "invalid_grant",
    );
    // Another client's code.
    let (redirect, _) = h.sign_in("webclient", "Passw0rd!").await;
    refused(
        h.exchange(
            "confidential",
            &redirect["code"],
            VERIFIER,
            Some(("confidential", SECRET)),
        )
        .await,
        400,
        "invalid_grant",
    );
    // Expired: five minutes.
    let (redirect, _) = h.sign_in("webclient", "Passw0rd!").await;
    h.clock.advance(Duration::from_secs(301));
    refused(
        h.exchange("webclient", &redirect["code"], VERIFIER, None)
            .await,
        400,
        "invalid_grant",
    );
    // Missing verifier for a PKCE code; missing code; unknown client; other grants.
    let (redirect, _) = h.sign_in("webclient", "Passw0rd!").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "webclient"),
        ("code", &redirect["code"]),
        ("redirect_uri", CALLBACK),
    ];
    refused(
        h.post("/oauth2/token", &form, None).await,
        400,
        "invalid_request",
    );
    refused(
        h.post(
            "/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", "webclient"),
                ("redirect_uri", CALLBACK),
            ],
            None,
        )
        .await,
        400,
        "invalid_request",
    );
    refused(
        h.exchange("nope", "x", VERIFIER, None).await,
        401,
        "invalid_client",
    );
    refused(
        h.post(
            "/oauth2/token",
            &[("grant_type", "password"), ("client_id", "webclient")],
            None,
        )
        .await,
        400,
        "unsupported_grant_type",
    );
    refused(
        h.post(
            "/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "webclient"),
            ],
            None,
        )
        .await,
        400,
        "unauthorized_client",
    );
    refused(
        h.post(
            "/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", "plainclient"),
            ],
            None,
        )
        .await,
        400,
        "unauthorized_client",
    );
}

#[tokio::test]
async fn client_credentials_for_custom_scopes() {
    let h = start().await;
    let basic = Some(("confidential", SECRET));
    let reply = h
        .post(
            "/oauth2/token",
            &[("grant_type", "client_credentials"), ("scope", "api/read")],
            basic,
        )
        .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert!(body.get("id_token").is_none() && body.get("refresh_token").is_none());
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(
        (access["scope"].as_str(), access["sub"].as_str()),
        (Some("api/read"), Some("confidential"))
    );
    let all = h
        .post(
            "/oauth2/token",
            &[("grant_type", "client_credentials")],
            basic,
        )
        .await
        .json();
    assert_eq!(
        claims(all["access_token"].as_str().unwrap())["scope"],
        "api/read api/write"
    );
    let reply = h
        .post(
            "/oauth2/token",
            &[("grant_type", "client_credentials"), ("scope", "openid")],
            basic,
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()),
        (400, json!({"error": "invalid_scope"}))
    );
}

#[tokio::test]
async fn federated_sign_in_through_simulated_google() {
    let h = start().await;
    let challenge = challenge(VERIFIER);
    let params = h.authorize_params(
        "webclient",
        &[
            ("code_challenge", &challenge),
            ("identity_provider", "Google"),
        ],
    );
    let reply = h
        .get(&format!("/oauth2/authorize?{}", encode(&params)), None)
        .await;
    assert_eq!(reply.status, 302);
    let upstream = h.local(reply.header("location").unwrap());
    assert!(
        upstream.starts_with("/oauth2/idp/Google/authorize?"),
        "{upstream}"
    );
    let page = h.get(&upstream, None).await;
    assert!(String::from_utf8_lossy(&page.body).contains("name=\"sub\""));
    let state = params_of(&upstream)["state"].clone();
    let reply = h
        .post(
            "/oauth2/idp/Google/authorize",
            &[
                ("state", &state),
                ("sub", "1234567890"),
                ("email", "gal@example.com"),
                ("name", "Gal"),
                ("email_verified", "true"),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, 302);
    let back = h.local(reply.header("location").unwrap());
    assert!(back.starts_with("/oauth2/idpresponse?"), "{back}");
    let reply = h.get(&back, None).await;
    let location = reply.header("location").unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    let redirect = params_of(location);
    assert_eq!(redirect["state"], "st-123");
    let tokens = h
        .exchange("webclient", &redirect["code"], VERIFIER, None)
        .await
        .json();
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "Google_1234567890");
    assert_eq!(id["email"], "gal@example.com");
    assert_eq!(id["email_verified"], true);
    let identity = &id["identities"][0];
    assert_eq!(
        (
            identity["providerName"].as_str(),
            identity["providerType"].as_str()
        ),
        (Some("Google"), Some("Google"))
    );
    assert_eq!(identity["userId"], "1234567890");
    assert!(
        h.emu
            .verify_user_pool_token(tokens["access_token"].as_str().unwrap())
            .is_ok()
    );

    // Deny at the IdP: access_denied on the app's redirect.
    let reply = h
        .get(&format!("/oauth2/authorize?{}", encode(&params)), None)
        .await;
    let upstream = h.local(reply.header("location").unwrap());
    let state = params_of(&upstream)["state"].clone();
    let reply = h
        .post(
            "/oauth2/idp/Google/authorize",
            &[("state", &state), ("action", "deny")],
            None,
        )
        .await;
    let reply = h
        .get(&h.local(reply.header("location").unwrap()), None)
        .await;
    let redirect = params_of(reply.header("location").unwrap());
    assert_eq!(
        (redirect["error"].as_str(), redirect["state"].as_str()),
        ("access_denied", "st-123")
    );
}

#[tokio::test]
async fn session_cookie_and_logout() {
    let h = start().await;
    let (_, cookie) = h.sign_in("webclient", "Passw0rd!").await;
    let cookie = cookie.unwrap();
    let challenge = challenge(VERIFIER);
    let params = h.authorize_params("webclient", &[("code_challenge", &challenge)]);
    let path = format!("/oauth2/authorize?{}", encode(&params));
    let reply = h.get(&path, Some(&cookie)).await;
    assert!(
        reply.header("location").unwrap().starts_with(CALLBACK),
        "signed in by the cookie"
    );

    let reply = h
        .get(
            &format!(
                "/logout?{}",
                encode(&[
                    ("client_id", "webclient"),
                    ("logout_uri", "http://localhost:3000/elsewhere")
                ])
            ),
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, 400);
    let reply = h
        .get(
            &format!(
                "/logout?{}",
                encode(&[("client_id", "webclient"), ("logout_uri", SIGN_OUT)])
            ),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        (reply.status, reply.header("location")),
        (302, Some(SIGN_OUT))
    );
    assert!(reply.header("set-cookie").unwrap().contains("Max-Age=0"));
    let reply = h.get(&path, Some(&cookie)).await;
    assert!(
        h.local(reply.header("location").unwrap())
            .starts_with("/login?"),
        "the session ended"
    );
}

#[tokio::test]
async fn config_documents_carry_the_hosted_ui() {
    let h = start().await;
    let domain = h.emu.endpoint().trim_start_matches("http://").to_owned();
    for doc in [
        h.emu.amplify_outputs_json(),
        h.emu.amplify_configuration_json(),
        h.emu.aws_exports_json(),
    ] {
        let config = AmplifyConfig::from_json(&doc).unwrap();
        let oauth = config.auth.unwrap().oauth.unwrap();
        assert_eq!(oauth.domain, domain);
        assert_eq!(oauth.redirect_sign_in_uris, vec![CALLBACK.to_owned()]);
        assert_eq!(oauth.redirect_sign_out_uris, vec![SIGN_OUT.to_owned()]);
        assert!(oauth.scopes.contains(&"openid".to_owned()));
        assert_eq!(oauth.identity_providers.len(), 1, "Google");
    }
}
