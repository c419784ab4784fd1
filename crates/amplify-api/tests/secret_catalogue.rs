//! Issue 15: the `Debug` / `Display` of every public type that holds a secret, in one catalogue.
//! Each row is a value built through the public API with a recognisable marker secret
//! (`SECRET-MARKER-<n>`) or a real secret issued by the emulator (tokens, AWS credentials, API
//! keys); `{:?}`, `{:#?}` and `Display` (where implemented) must show none of them, neither as is
//! nor base64-encoded (`common/secret_forms.rs`).
//!
//! `cargo test -p amplify-api --test secret_catalogue -- --nocapture` prints the catalogue.
//!
//! Not in the catalogue (cannot be built with a chosen secret through the public API, or out of
//! this crate's reach):
//! - `amplify_auth_cognito::AuthDevice`: no public constructor; the device password it relates to
//!   lives in the session store, its `DevicePassword` newtype has a row.
//! - `amplify_auth_cognito::WebUiSignIn` / `SignInWithWebUiBuilder`: the PKCE `CodeVerifier` is
//!   generated inside and not reachable, so no known value to look for (`CodeVerifier` and
//!   `AuthorizationCode` themselves have rows).
//! - `amplify_emulator::LambdaAuthRequest`: `#[non_exhaustive]` without a public constructor
//!   (only the emulator builds it for a Lambda authorizer).
//! - `amplify_api::SdkCredentialsProvider`: behind the `aws-config` feature (covered by
//!   `tests/server_iam.rs`'s build).
//! - `amplify_api::InterceptorContext`: only handed to interceptors, no public constructor.
//! - `amplify_core::ProviderError`: holds only the caller's message, no secret field.
//! - `amplify_secure_storage::StorageError`: built inside the crate; its values are keys and
//!   paths, never stored values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

#[path = "common/secret_forms.rs"]
mod secret_forms;

use std::fmt::{Debug, Display};
use std::time::Duration;

use amplify_api::{ApiPlugin, HttpResponse};
use amplify_auth_cognito::{
    AuthorizationCode, ChallengeResponse, CodeVerifier, CognitoAuthPlugin, ConfirmationCode,
    DevicePassword, FederationToken, Jwt, Password, RefreshToken, TotpSecret, TotpSetupDetails,
    UserPoolTokens,
};
use amplify_core::config::{AmplifyConfig, ApiKey, ClientSecret};
use amplify_core::{Amplify, AuthToken, AuthorizationType, AwsCredentials};
use amplify_emulator::{
    ApiKeySpec, AppClientSpec, AuthMode, Emulator, GraphQlApiSpec, IamPrincipalSpec,
    IdentityPoolSpec, MfaConfiguration, MfaMethod, RestApiSpec, UserPoolSpec, UserSpec,
};
use amplify_secure_storage::{
    InMemorySecureStorage, SecureStorage, SecureStorageFactory, SharedSecureStorage, WriteBatch,
};
use serde_json::Value;

const LIST: &str = "query { listTodos { items { id name } } }";
const ON_CREATE: &str = "subscription { onCreateTodo { id name } }";
/// Every marker contains this; a row showing it (even cut short) leaks.
const MARKER: &str = "SECRET-MARKER";

fn m(n: u32) -> String {
    format!("{MARKER}-{n:02}")
}

/// A password that passes the default policy and still carries the marker.
fn pw(n: u32) -> String {
    format!("{}-aB3!", m(n))
}

/// An unsigned JWT-shaped token whose signature part is the marker.
fn fake_jwt(claims: &str, n: u32) -> String {
    format!("eyJhbGciOiJSUzI1NiJ9.{claims}.{}", m(n))
}
const ACCESS_CLAIMS: &str = "eyJzdWIiOiJ1c2VyLTEiLCJ0b2tlbl91c2UiOiJhY2Nlc3MiLCJleHAiOjE5MDAwMDAwMDAsInVzZXJuYW1lIjoiYWxpY2UifQ";
const ID_CLAIMS: &str = "eyJzdWIiOiJ1c2VyLTEiLCJ0b2tlbl91c2UiOiJpZCIsImV4cCI6MTkwMDAwMDAwMCwiZW1haWwiOiJhQGV4YW1wbGUuY29tIn0";

struct Row {
    name: String,
    debug: String,
    pretty: String,
    display: Option<String>,
    /// Secrets only this row is checked for (short ones, like a 6-digit code).
    extra: Vec<String>,
}

#[derive(Default)]
struct Catalogue {
    rows: Vec<Row>,
    /// Real secrets issued during the test (tokens, credentials, keys, codes).
    secrets: Vec<String>,
}

impl Catalogue {
    fn debug<T: Debug>(&mut self, name: &str, value: &T) {
        self.rows.push(Row {
            name: name.into(),
            debug: format!("{value:?}"),
            pretty: format!("{value:#?}"),
            display: None,
            extra: Vec::new(),
        });
    }

    fn both<T: Debug + Display>(&mut self, name: &str, value: &T) {
        self.rows.push(Row {
            name: name.into(),
            debug: format!("{value:?}"),
            pretty: format!("{value:#?}"),
            display: Some(format!("{value}")),
            extra: Vec::new(),
        });
    }

    fn secret(&mut self, value: impl Into<String>) {
        let value = value.into();
        assert!(value.len() >= 6, "a secret too short to search for");
        self.secrets.push(value);
    }

    fn jwt(&mut self, token: &Jwt) {
        let raw = token.expose_secret().to_owned();
        self.secret(raw.rsplit('.').next().unwrap());
        self.secret(raw);
    }

    /// Adds a secret that only the last row is checked for.
    fn row_secret(&mut self, value: impl Into<String>) {
        self.rows.last_mut().unwrap().extra.push(value.into());
    }

    fn leaks(&self, text: &str, extra: &[String]) -> Vec<String> {
        let mut found = Vec::new();
        for secret in extra {
            if let Some((_, at)) = secret_forms::find(text, &[secret_forms::forms(secret)]) {
                found.push(format!("row secret {secret:.10}… at {at}"));
            }
        }
        if let Some((_, at)) = secret_forms::find(text, &[secret_forms::forms(MARKER)]) {
            found.push(format!(
                "marker at {at}: {:.40}",
                text.get(at..).unwrap_or("")
            ));
        }
        let issued: Vec<Vec<String>> = self
            .secrets
            .iter()
            .map(|s| secret_forms::forms(s))
            .collect();
        if let Some((secret, at)) = secret_forms::find(text, &issued) {
            found.push(format!("issued secret {secret:.10}… at {at}"));
        }
        found
    }
}

#[tokio::test]
async fn every_secret_holding_type_redacts_its_secrets() {
    let started = tokio::time::Instant::now();
    let mut c = Catalogue::default();

    // ---- amplify-core / amplify-config secret newtypes and credentials ----
    c.debug("amplify_core::AuthToken", &AuthToken::new(m(1)));
    c.debug(
        "amplify_core::AwsCredentials (session)",
        &AwsCredentials::new("ASIAEXAMPLE", m(2), Some(m(3)), None),
    );
    c.debug(
        "amplify_core::AwsCredentials (long-term)",
        &AwsCredentials::new("AKIAEXAMPLE", m(4), None, None),
    );
    c.debug("amplify_config::ApiKey", &ApiKey::new(m(5)));
    c.debug("amplify_config::ClientSecret", &ClientSecret::new(m(6)));

    // ---- amplify-auth-cognito secret newtypes and tokens ----
    c.debug("auth::Password", &Password::new(m(7)));
    c.debug("auth::RefreshToken", &RefreshToken::new(m(8)));
    c.debug("auth::ConfirmationCode", &ConfirmationCode::new(m(9)));
    c.debug("auth::ChallengeResponse", &ChallengeResponse::new(m(10)));
    c.debug("auth::FederationToken", &FederationToken::new(m(11)));
    c.debug("auth::TotpSecret", &TotpSecret::new(m(12)));
    c.debug("auth::DevicePassword", &DevicePassword::new(m(13)));
    c.debug("auth::CodeVerifier", &CodeVerifier::new(m(14)));
    c.debug("auth::AuthorizationCode", &AuthorizationCode::new(m(15)));
    c.debug(
        "auth::TotpSetupDetails (marker secret)",
        &TotpSetupDetails::new(TotpSecret::new(m(16)), "alice"),
    );
    let access = Jwt::parse(fake_jwt(ACCESS_CLAIMS, 17)).unwrap();
    let id = Jwt::parse(fake_jwt(ID_CLAIMS, 18)).unwrap();
    c.debug("auth::Jwt (marker signature)", &access);
    c.debug(
        "auth::UserPoolTokens (marker tokens)",
        &UserPoolTokens {
            access_token: access,
            id_token: id,
            refresh_token: RefreshToken::new(m(19)),
        },
    );
    c.both(
        "auth::AuthError (Jwt::parse of a marker)",
        &Jwt::parse(m(20)).unwrap_err(),
    );
    c.both(
        "auth::AuthError (Jwt::parse, marker payload)",
        &Jwt::parse(format!("eyJhbGciOiJSUzI1NiJ9.{}.sig", m(21))).unwrap_err(),
    );

    // ---- amplify-secure-storage ----
    let memory = InMemorySecureStorage::new();
    memory.write("session", m(22).into()).await.unwrap();
    c.debug("storage::InMemorySecureStorage (holding a marker)", &memory);
    let shared = SharedSecureStorage::new(memory);
    c.debug("storage::SharedSecureStorage", &shared);
    let batch = WriteBatch::new()
        .write("a", m(23).into())
        .write("b", m(24).into())
        .delete("c");
    c.debug("storage::BatchOp (write)", &batch.ops()[0]);
    c.debug("storage::WriteBatch", &batch);

    // ---- amplify-api types built without a backend ----
    let mut headers = http::HeaderMap::new();
    for (name, value) in [
        ("authorization", m(25)),
        ("x-api-key", m(26)),
        ("x-amz-security-token", m(27)),
        ("set-cookie", format!("session={}; HttpOnly", m(28))),
        ("cookie", format!("a={}", m(29))),
    ] {
        headers.append(name, value.parse().unwrap());
    }
    c.debug(
        "api::HttpResponse (credential headers)",
        &HttpResponse::new(http::StatusCode::UNAUTHORIZED, headers, "{}"),
    );

    // ---- amplify-config: parsing errors and warnings around an API key ----
    let broken = format!(
        r#"{{"version": "1.3", "data": {{"url": "https://x.example.com/graphql",
        "aws_region": "us-east-1", "default_authorization_type": "API_KEY",
        "api_key": {}}}}}"#,
        m(30)
    );
    c.both(
        "config::ConfigError (JSON syntax next to an API key)",
        &AmplifyConfig::from_json(&broken).unwrap_err(),
    );
    let wrong_type = format!(
        r#"{{"version": "1.3", "data": {{"url": "https://x.example.com/graphql",
        "aws_region": "us-east-1", "default_authorization_type": "API_KEY",
        "api_key": ["{}"]}}}}"#,
        m(31)
    );
    c.both(
        "config::ConfigError (API key of the wrong type)",
        &AmplifyConfig::from_json(&wrong_type).unwrap_err(),
    );
    let bad_mode = format!(
        r#"{{"version": "1.3", "data": {{"url": "https://x.example.com/graphql",
        "aws_region": "us-east-1", "default_authorization_type": "NOPE",
        "api_key": "{}"}}}}"#,
        m(32)
    );
    c.both(
        "config::ConfigError (invalid field beside an API key)",
        &AmplifyConfig::from_json(&bad_mode).unwrap_err(),
    );
    let unknown = format!(
        r#"{{"version": "1.3", "data": {{"url": "https://x.example.com/graphql",
        "aws_region": "us-east-1", "default_authorization_type": "API_KEY",
        "api_key": "{}", "api_key_2": "{}"}}}}"#,
        m(33),
        m(34)
    );
    let (config, warnings) = AmplifyConfig::from_json_with_warnings(&unknown).unwrap();
    c.debug("config::AmplifyConfig (API key, parsed)", &config);
    for warning in &warnings {
        c.both(
            "config::ConfigWarning (unknown field with a secret)",
            warning,
        );
    }

    // ---- amplify-emulator spec types ----
    let user = UserSpec::new("alice", pw(40)).email("alice@example.com");
    c.debug("emulator::UserSpec", &user);
    let graphql_key = ApiKeySpec::new()
        .key(format!("da2-{}", m(41)))
        .expires_in(Duration::from_secs(86_400));
    c.debug("emulator::ApiKeySpec", &graphql_key);
    let rest_key = ApiKeySpec::new().key(format!("da2-{}", m(42)));
    let principal = IamPrincipalSpec::new("AKIAEXAMPLESERVER", m(43))
        .session_token(m(44))
        .arn("arn:aws:iam::000000000000:role/todo-service");
    c.debug("emulator::IamPrincipalSpec", &principal);
    let client = AppClientSpec::new()
        .name("secret-client")
        .fixed_secret(m(45));
    c.debug("emulator::AppClientSpec (fixed secret)", &client);
    c.debug(
        "emulator::UserPoolSpec (user + secret client)",
        &UserPoolSpec::new("us-east-1")
            .user(UserSpec::new("zed", pw(46)))
            .client(client),
    );
    let graphql = GraphQlApiSpec::sample_todo()
        .default_mode(AuthMode::ApiKey)
        .additional_mode(AuthMode::AmazonCognitoUserPools)
        .additional_mode(AuthMode::AwsIam)
        .api_key(graphql_key);
    c.debug("emulator::GraphQlApiSpec (API key)", &graphql);
    let keyed = RestApiSpec::new("keyed")
        .mode(AuthMode::ApiKey)
        .api_key(rest_key);
    c.debug("emulator::RestApiSpec (API key)", &keyed);
    let builder = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .mfa(MfaConfiguration::Optional, [MfaMethod::Totp])
                .user(user),
        )
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .graphql_api(graphql)
        .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam))
        .rest_api(keyed)
        .iam_principal(principal);
    c.debug("emulator::EmulatorBuilder (all of the above)", &builder);
    let emulator = builder.start().await.unwrap();
    c.debug("emulator::EmulatorHandle", &emulator);
    c.debug("emulator::Admin", &emulator.admin());
    for key in emulator.api_keys() {
        c.secret(key);
    }
    c.secret(emulator.rest_api_key("keyed").unwrap());

    // ---- configured plugins ----
    let outputs = emulator.amplify_outputs_json();
    assert!(outputs.contains(&m(41)), "the outputs carry the API key");
    let config = AmplifyConfig::from_json(&outputs).unwrap();
    c.debug("config::AmplifyConfig (emulator outputs)", &config);
    let amplify = Amplify::new();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    let api = ApiPlugin::new();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify.add_plugin(api.clone()).unwrap();
    amplify.configure(&outputs).await.unwrap();
    c.debug("api::ApiPlugin (configured with an API key)", &api);
    c.debug("core::Amplify (configured)", &amplify);

    // ---- auth builders (Debug before send) ----
    c.debug(
        "auth::SignInBuilder",
        &auth
            .sign_in()
            .username("alice")
            .password(m(50))
            .client_metadata("k", "v"),
    );
    c.debug(
        "auth::ConfirmSignInBuilder",
        &auth.confirm_sign_in().challenge_response(m(51)),
    );
    c.debug(
        "auth::SignUpBuilder",
        &auth
            .sign_up()
            .username("carol")
            .password(m(52))
            .user_attribute("email", "carol@example.com"),
    );
    c.debug(
        "auth::ConfirmSignUpBuilder",
        &auth
            .confirm_sign_up()
            .username("carol")
            .confirmation_code(m(53)),
    );
    c.debug(
        "auth::ResetPasswordBuilder",
        &auth.reset_password().username("alice"),
    );
    c.debug(
        "auth::ConfirmResetPasswordBuilder",
        &auth
            .confirm_reset_password()
            .username("alice")
            .new_password(m(54))
            .confirmation_code(m(55)),
    );
    c.debug(
        "auth::UpdatePasswordBuilder",
        &auth
            .update_password()
            .old_password(m(56))
            .new_password(m(57)),
    );
    c.debug(
        "auth::VerifyTotpSetupBuilder",
        &auth.verify_totp_setup().code(m(58)),
    );
    c.debug(
        "auth::ConfirmUserAttributeBuilder",
        &auth
            .confirm_user_attribute()
            .attribute("email")
            .confirmation_code(m(59)),
    );
    c.debug(
        "auth::FederateBuilder",
        &auth.federate_to_identity_pool().token(m(60)),
    );

    // ---- auth errors carrying a rejected secret ----
    let wrong = auth
        .sign_in()
        .username("alice")
        .password(pw(61))
        .send()
        .await
        .unwrap_err();
    c.both("auth::AuthError (wrong password)", &wrong);
    let unknown_user = auth
        .sign_in()
        .username("nobody")
        .password(pw(62))
        .send()
        .await
        .unwrap_err();
    c.both("auth::AuthError (unknown user)", &unknown_user);
    let no_username = auth.sign_in().password(pw(63)).send().await.unwrap_err();
    c.both("auth::AuthError (validation, no username)", &no_username);
    let weak = auth
        .sign_up()
        .username("carol")
        .password(m(64))
        .user_attribute("email", "carol@example.com")
        .send()
        .await
        .unwrap_err();
    c.both("auth::AuthError (sign-up, password refused)", &weak);
    let bad_code = auth
        .confirm_sign_up()
        .username("alice")
        .confirmation_code(m(65))
        .send()
        .await
        .unwrap_err();
    c.both("auth::AuthError (confirm sign-up, wrong code)", &bad_code);
    let bad_reset = auth
        .confirm_reset_password()
        .username("alice")
        .new_password(pw(66))
        .confirmation_code(m(67))
        .send()
        .await
        .unwrap_err();
    c.both("auth::AuthError (confirm reset, wrong code)", &bad_reset);
    let no_challenge = auth
        .confirm_sign_in()
        .challenge_response(m(68))
        .send()
        .await
        .unwrap_err();
    c.both(
        "auth::AuthError (confirm sign-in, no challenge)",
        &no_challenge,
    );

    // A successful sign-up whose password is a marker.
    let signed_up = auth
        .sign_up()
        .username("dave")
        .password(pw(69))
        .user_attribute("email", "dave@example.com")
        .send()
        .await
        .unwrap();
    c.debug("auth::SignUpResult", &signed_up);
    if let Some(message) = emulator.outbox().latest_for("dave") {
        c.debug("emulator::Message (sign-up code)", &message);
        c.row_secret(message.code.clone());
    }

    // ---- signed in: real tokens and credentials ----
    let signed_in = auth
        .sign_in()
        .username("alice")
        .password(pw(40))
        .send()
        .await
        .unwrap();
    c.debug("auth::SignInResult", &signed_in);
    let session = auth.fetch_auth_session().send().await;
    let tokens = session.user_pool_tokens.as_ref().unwrap().clone();
    c.jwt(&tokens.access_token);
    c.jwt(&tokens.id_token);
    c.secret(tokens.refresh_token.expose_secret());
    let creds = session.credentials.as_ref().unwrap().clone();
    c.secret(creds.secret_access_key());
    c.secret(creds.session_token().unwrap());
    c.debug("auth::AuthSession (signed in)", &session);
    c.debug("auth::UserPoolTokens (issued)", &tokens);
    c.debug("auth::Jwt (issued access token)", &tokens.access_token);
    c.debug("core::AwsCredentials (issued)", &creds);
    c.debug("auth::CognitoAuthPlugin (signed in)", &auth);
    c.debug("core::Amplify (signed in)", &amplify);
    for issued in emulator.credentials().all() {
        c.debug("emulator::IssuedCredentials", &issued);
    }
    c.debug("emulator::CredentialStore", emulator.credentials());

    let details = auth.set_up_totp().await.unwrap();
    c.secret(details.shared_secret().expose_secret());
    c.debug("auth::TotpSetupDetails (issued)", &details);
    let bad_totp = auth
        .verify_totp_setup()
        .code(m(70))
        .send()
        .await
        .unwrap_err();
    c.both("auth::AuthError (verify TOTP, wrong code)", &bad_totp);
    let bad_old = auth
        .update_password()
        .old_password(pw(71))
        .new_password(pw(72))
        .send()
        .await
        .unwrap_err();
    c.both("auth::AuthError (update password, wrong old)", &bad_old);

    // ---- API operations carrying credentials, and their refusals ----
    let op = api
        .query(LIST)
        .header("authorization", tokens.id_token.expose_secret())
        .header("x-api-key", m(80));
    c.debug("api::GraphQlOperation (token + key headers)", &op);
    let subscribe = api
        .subscribe(ON_CREATE)
        .header("x-api-key", m(81))
        .authorization_mode(AuthorizationType::ApiKey);
    c.debug("api::SubscriptionOperation (key header)", &subscribe);
    let rest = api
        .get("/items")
        .api_name("keyed")
        .header("x-api-key", m(82))
        .header("authorization", m(83));
    c.debug("api::RestOperation (key + token headers)", &rest);

    let wrong_key = api
        .query(LIST)
        .header("x-api-key", format!("da2-{}", m(84)))
        .send::<Value>()
        .await
        .unwrap_err();
    c.both("api::ApiError (GraphQL, wrong x-api-key)", &wrong_key);
    let forged = api
        .query(LIST)
        .header("authorization", m(85))
        .send::<Value>()
        .await
        .unwrap_err();
    c.both("api::ApiError (GraphQL, forged bearer)", &forged);
    let rest_refused = api
        .get("/items")
        .api_name("keyed")
        .header("x-api-key", m(86))
        .send()
        .await
        .unwrap_err();
    c.both("api::ApiError (REST, wrong x-api-key)", &rest_refused);
    let bad_value = api
        .query(LIST)
        .header("x-api-key", format!("{}\n", m(87)))
        .send::<Value>()
        .await
        .unwrap_err();
    c.both("api::ApiError (invalid header value)", &bad_value);
    let bad_name = api
        .query(LIST)
        .header("bad name", m(88))
        .send::<Value>()
        .await
        .unwrap_err();
    c.both(
        "api::ApiError (invalid header name, secret value)",
        &bad_name,
    );
    let mut refused_sub = api
        .subscribe(ON_CREATE)
        .header("x-api-key", format!("da2-{}", m(89)))
        .authorization_mode(AuthorizationType::ApiKey)
        .start::<Value>()
        .unwrap();
    c.debug("api::GraphQlSubscription (wrong key)", &refused_sub);
    let sub_error = tokio::time::timeout(Duration::from_secs(20), refused_sub.established())
        .await
        .unwrap()
        .unwrap_err();
    c.both("api::ApiError (subscription, wrong x-api-key)", &sub_error);
    drop(refused_sub);
    let ok = api
        .query(LIST)
        .authorization_mode(AuthorizationType::AmazonCognitoUserPools)
        .send::<Value>()
        .await
        .unwrap();
    c.debug("api::GraphQlResponse (user pool)", &ok);
    let rest_ok = api.get("/items").api_name("keyed").send().await.unwrap();
    c.debug("api::HttpResponse (REST with the API key)", &rest_ok);

    // ---- print and check ----
    let mut failures = Vec::new();
    println!(
        "{:<58} {:>6} {:>7} {:>8}  result",
        "type", "debug", "pretty", "display"
    );
    for row in &c.rows {
        let mut leaks = Vec::new();
        for (form, text) in [
            ("{:?}", Some(&row.debug)),
            ("{:#?}", Some(&row.pretty)),
            ("{}", row.display.as_ref()),
        ] {
            if let Some(text) = text {
                for leak in c.leaks(text, &row.extra) {
                    leaks.push(format!("{form}: {leak}"));
                }
            }
        }
        println!(
            "{:<58} {:>6} {:>7} {:>8}  {}",
            row.name,
            row.debug.len(),
            row.pretty.len(),
            row.display
                .as_ref()
                .map_or_else(|| "-".to_owned(), |d| d.len().to_string()),
            if leaks.is_empty() { "ok" } else { "LEAK" }
        );
        if !leaks.is_empty() {
            failures.push(format!(
                "{}: {}\n    debug: {:.600}",
                row.name,
                leaks.join("; "),
                row.debug
            ));
        }
    }
    println!(
        "{} rows, {} issued secrets checked, {:?}",
        c.rows.len(),
        c.secrets.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {} rows leak a secret:\n{}",
        failures.len(),
        c.rows.len(),
        failures.join("\n")
    );
}
