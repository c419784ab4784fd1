//! The data directory (issue 16): every kind of state survives a restart of the emulator, the
//! stored state wins over the seed, and a directory the emulator cannot use gives a typed error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;

use amplify_emulator::*;
use base64::Engine as _;
use common::http::Req;
use serde_json::{Value, json};

const PASSWORD: &str = "Sup3r-Secret-Passw0rd!";
const API_KEY: &str = "da2-persisted0123456789abcdef";

/// The same spec at every start; the pool, client and identity pool ids are left to the
/// emulator (so the test also shows they are the same after a restart).
fn builder(dir: &Path) -> EmulatorBuilder {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .device_configuration(DeviceConfiguration::default())
                .group(GroupSpec::new("seeded-group"))
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .api_key(ApiKeySpec::new().key(API_KEY)),
        )
        .rest_api(RestApiSpec::new("items").mode(AuthMode::None))
        .data_dir(dir)
}

#[allow(clippy::needless_pass_by_value)] // json!(...) at every call site.
fn call(emu: &EmulatorHandle, operation: &str, request: Value) -> Value {
    emu.backend()
        .call(operation, &request)
        .unwrap_or_else(|e| panic!("{operation}: {e}"))
}

#[allow(clippy::needless_pass_by_value)]
fn call_err(emu: &EmulatorHandle, operation: &str, request: Value) -> ErrorKind {
    emu.backend()
        .call(operation, &request)
        .expect_err(operation)
        .kind()
}

fn password_auth(emu: &EmulatorHandle, user: &str) -> Value {
    call(
        emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": emu.client_id(),
               "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}}),
    )["AuthenticationResult"]
        .clone()
}

fn logins(emu: &EmulatorHandle, id_token: &str) -> Value {
    json!({ emu.identity_provider_name(): id_token })
}

async fn graphql(emu: &EmulatorHandle, query: &str, variables: Value) -> Value {
    let reply = Req::post_json("/graphql", &json!({"query": query, "variables": variables}))
        .header("x-api-key", API_KEY)
        .send(emu.local_addr())
        .await;
    assert_eq!(reply.status, 200);
    reply.json()
}

/// What the first run leaves behind, to check after the restart.
struct Before {
    endpoint: String,
    pool_id: String,
    client_id: String,
    identity_pool_id: String,
    access: String,
    refresh: String,
    revoked_refresh: String,
    device_key: String,
    identity_id: String,
    credentials: IssuedCredentials,
    todo_id: String,
    outbox: Vec<Message>,
}

async fn first_run(dir: &Path) -> Before {
    let emu = builder(dir).start().await.unwrap();
    // Sign up and confirm bob with the code from the outbox.
    call(
        &emu,
        "SignUp",
        json!({"ClientId": emu.client_id(), "Username": "bob", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
    );
    let code = emu.outbox().latest_code_for("bob").unwrap();
    call(
        &emu,
        "ConfirmSignUp",
        json!({"ClientId": emu.client_id(), "Username": "bob", "ConfirmationCode": code}),
    );
    // A group created at run time, bob in it; the seeded user deleted.
    let pool = json!(emu.user_pool_id());
    call(
        &emu,
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "editors", "Precedence": 3}),
    );
    call(
        &emu,
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "bob", "GroupName": "editors"}),
    );
    call(
        &emu,
        "AdminDeleteUser",
        json!({"UserPoolId": pool, "Username": "alice"}),
    );
    // A confirmed device.
    let tokens = password_auth(&emu, "bob");
    let access = tokens["AccessToken"].as_str().unwrap().to_owned();
    let metadata = &tokens["NewDeviceMetadata"];
    let device_key = metadata["DeviceKey"].as_str().unwrap().to_owned();
    let group_key = metadata["DeviceGroupKey"].as_str().unwrap();
    let (verifier, salt) =
        common::srp::device_verifier(group_key, &device_key, "device-password", &[7; 16]);
    let b64 = base64::engine::general_purpose::STANDARD;
    call(
        &emu,
        "ConfirmDevice",
        json!({"AccessToken": access, "DeviceKey": device_key, "DeviceName": "laptop",
               "DeviceSecretVerifierConfig": {"PasswordVerifier": b64.encode(verifier), "Salt": b64.encode(salt)}}),
    );
    // A second sign-in, revoked.
    let revoked = password_auth(&emu, "bob")["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    call(
        &emu,
        "RevokeToken",
        json!({"ClientId": emu.client_id(), "Token": revoked}),
    );
    // An identity for bob's login.
    let identity_pool_id = emu.identity_pool_id().unwrap().to_owned();
    let identity_id = call(
        &emu,
        "GetId",
        json!({"IdentityPoolId": identity_pool_id,
               "Logins": logins(&emu, tokens["IdToken"].as_str().unwrap())}),
    )["IdentityId"]
        .as_str()
        .unwrap()
        .to_owned();
    // AWS credentials for it, as an app caches them.
    let issued = call(
        &emu,
        "GetCredentialsForIdentity",
        json!({"IdentityId": identity_id,
               "Logins": logins(&emu, tokens["IdToken"].as_str().unwrap())}),
    );
    let access_key_id = issued["Credentials"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let credentials = emu.issued_credentials(&access_key_id).unwrap();
    // A GraphQL item and a REST item, over HTTP.
    let created = graphql(
        &emu,
        "mutation($input: CreateTodoInput!) { createTodo(input: $input) { id name } }",
        json!({"input": {"name": "survives"}}),
    )
    .await;
    let todo_id = created["data"]["createTodo"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let put = Req::new("PUT", "/rest/items/items/r1")
        .header("content-type", "application/json")
        .body(br#"{"colour":"teal"}"#.to_vec())
        .send(emu.local_addr())
        .await;
    assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
    let outbox = emu.outbox().messages();
    assert!(!outbox.is_empty());
    let before = Before {
        endpoint: emu.endpoint().to_owned(),
        pool_id: emu.user_pool_id().to_owned(),
        client_id: emu.client_id().to_owned(),
        identity_pool_id,
        access,
        refresh: tokens["RefreshToken"].as_str().unwrap().to_owned(),
        revoked_refresh: revoked,
        device_key,
        identity_id,
        credentials,
        todo_id,
        outbox,
    };
    emu.shutdown().await.unwrap();
    before
}

#[tokio::test]
async fn every_kind_of_state_survives_a_restart() {
    let dir = common::temp_dir("restart");
    let before = first_run(&dir).await;
    assert!(dir.join("emulator.sqlite3").exists());

    let emu = builder(&dir).start().await.unwrap();
    // The generated ids are the same, and so is the port (it is in the tokens' issuer).
    assert_eq!(emu.endpoint(), before.endpoint);
    assert_eq!(emu.user_pool_id(), before.pool_id);
    assert_eq!(emu.client_id(), before.client_id);
    assert_eq!(
        emu.identity_pool_id(),
        Some(before.identity_pool_id.as_str())
    );
    let pool = json!(emu.user_pool_id());

    // The user, confirmed, in the run-time group; the deleted seeded user stays deleted (the
    // stored state wins over the seed) and the seeded group is still there.
    let bob = call(
        &emu,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "bob"}),
    );
    assert_eq!(bob["UserStatus"], "CONFIRMED");
    let groups = call(
        &emu,
        "AdminListGroupsForUser",
        json!({"UserPoolId": pool, "Username": "bob"}),
    );
    assert_eq!(groups["Groups"][0]["GroupName"], "editors");
    assert_eq!(groups["Groups"][0]["Precedence"], 3);
    assert_eq!(
        call_err(
            &emu,
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "alice"})
        ),
        ErrorKind::UserNotFound
    );
    // The seeded group is still there (it was stored with the pool).
    call(
        &emu,
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "bob", "GroupName": "seeded-group"}),
    );

    // A token from before the restart verifies, GetUser accepts it, the device is there.
    let verified = emu.verify_user_pool_token(&before.access).unwrap();
    assert_eq!(verified.username.as_deref(), Some("bob"));
    assert_eq!(
        call(&emu, "GetUser", json!({"AccessToken": before.access}))["Username"],
        "bob"
    );
    let devices = call(&emu, "ListDevices", json!({"AccessToken": before.access}));
    assert_eq!(
        devices["Devices"][0]["DeviceKey"],
        before.device_key.as_str()
    );

    // The refresh token refreshes; the revoked one stays revoked.
    let refreshed = call(
        &emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": emu.client_id(),
               "AuthParameters": {"REFRESH_TOKEN": before.refresh, "DEVICE_KEY": before.device_key}}),
    );
    assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(
        call_err(
            &emu,
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": emu.client_id(),
                   "AuthParameters": {"REFRESH_TOKEN": before.revoked_refresh}}),
        ),
        ErrorKind::NotAuthorized
    );

    // The password (its verifier) still signs in; the identity id is stable.
    let tokens = password_auth(&emu, "bob");
    let identity = call(
        &emu,
        "GetId",
        json!({"IdentityPoolId": before.identity_pool_id,
               "Logins": logins(&emu, tokens["IdToken"].as_str().unwrap())}),
    );
    assert_eq!(identity["IdentityId"], before.identity_id.as_str());

    // The issued AWS credentials still sign.
    assert_eq!(
        emu.issued_credentials(&before.credentials.access_key_id),
        Some(before.credentials.clone())
    );

    // The GraphQL item and the REST item, over HTTP.
    let got = graphql(
        &emu,
        "query($id: ID!) { getTodo(id: $id) { id name } }",
        json!({"id": before.todo_id}),
    )
    .await;
    assert_eq!(got["data"]["getTodo"]["name"], "survives");
    let rest = Req::new("GET", "/rest/items/items/r1")
        .send(emu.local_addr())
        .await;
    assert_eq!(rest.status, 200);
    assert_eq!(rest.json()["colour"], "teal");

    // The outbox, in order; new messages get new ids.
    assert!(emu.outbox().messages() == before.outbox);
    let last_id = emu.outbox().messages().last().unwrap().id;
    call(
        &emu,
        "SignUp",
        json!({"ClientId": emu.client_id(), "Username": "carol", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "carol@example.com"}]}),
    );
    let newest = emu.outbox().messages().last().unwrap().clone();
    assert_eq!(newest.username, "carol");
    assert!(newest.id > last_id);

    // A third start sees the second run's changes too (a refresh added a token record).
    emu.shutdown().await.unwrap();
    let emu = builder(&dir).start().await.unwrap();
    assert!(emu.verify_user_pool_token(&before.access).is_ok());
    emu.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

fn seeded(pools: &[(&str, &[&str])], dir: &Path) -> EmulatorBuilder {
    let mut builder = Emulator::builder()
        .data_dir(dir)
        .identity_pool(IdentityPoolSpec::new());
    for (id, users) in pools {
        let mut pool = UserPoolSpec::new("us-east-1").id(*id);
        for user in *users {
            pool = pool.user(UserSpec::new(*user, PASSWORD).email(format!("{user}@example.com")));
        }
        builder = builder.user_pool(pool);
    }
    builder
}

fn usernames(emu: &EmulatorHandle, pool: &str) -> Vec<String> {
    call(emu, "ListUsers", json!({"UserPoolId": pool}))["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_seed_applies_only_to_a_new_directory_and_global_sign_out_lasts() {
    let dir = common::temp_dir("seed-once");
    let (a, b) = ("us-east-1_PoolA", "us-east-1_PoolB");
    let emu = seeded(&[(a, &["alice"])], &dir).start().await.unwrap();
    let tokens = password_auth(&emu, "alice");
    call(
        &emu,
        "GlobalSignOut",
        json!({"AccessToken": tokens["AccessToken"]}),
    );
    let (client_id, identity_pool_id) = (
        emu.client_id().to_owned(),
        emu.identity_pool_id().unwrap().to_owned(),
    );
    emu.shutdown().await.unwrap();

    // The seed changed: a user added to the stored pool is not created (the stored state
    // wins), and the generated ids after it (client, identity pool) do not change.
    let emu = seeded(&[(a, &["alice", "bob"])], &dir)
        .start()
        .await
        .unwrap();
    assert_eq!(usernames(&emu, a), ["alice"]);
    assert_eq!(emu.client_id(), client_id);
    assert_eq!(emu.identity_pool_id(), Some(identity_pool_id.as_str()));
    // Signed out globally before the restart: still signed out.
    assert!(
        emu.verify_user_pool_token(tokens["AccessToken"].as_str().unwrap())
            .is_err()
    );
    assert_eq!(
        call_err(
            &emu,
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": emu.client_id(),
                   "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]}}),
        ),
        ErrorKind::NotAuthorized
    );
    emu.shutdown().await.unwrap();

    // A pool new in the seed starts with its seeded users, which are then stored.
    let emu = seeded(&[(a, &[]), (b, &["carol"])], &dir)
        .start()
        .await
        .unwrap();
    assert_eq!(usernames(&emu, a), ["alice"]);
    assert_eq!(usernames(&emu, b), ["carol"]);
    emu.shutdown().await.unwrap();
    let emu = seeded(&[(a, &[]), (b, &[])], &dir).start().await.unwrap();
    assert_eq!(usernames(&emu, b), ["carol"]);
    emu.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn without_a_data_dir_nothing_is_written_and_state_is_fresh() {
    let emu = Emulator::builder().start().await.unwrap();
    call(
        &emu,
        "SignUp",
        json!({"ClientId": emu.client_id(), "Username": "bob", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
    );
    emu.shutdown().await.unwrap();
    let emu = Emulator::builder().start().await.unwrap();
    let users = call(&emu, "ListUsers", json!({"UserPoolId": emu.user_pool_id()}));
    assert_eq!(users["Users"].as_array().unwrap().len(), 0);
}

fn start_error(result: Result<EmulatorHandle, EmulatorError>) -> DataDirError {
    match result {
        Err(EmulatorError::DataDir(e)) => e,
        Err(other) => panic!("expected a data directory error, got {other}"),
        Ok(_) => panic!("expected a data directory error, the emulator started"),
    }
}

#[tokio::test]
async fn an_unusable_directory_is_a_typed_error_naming_the_file() {
    // Garbage where the database should be.
    let dir = common::temp_dir("corrupt");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("emulator.sqlite3");
    std::fs::write(&file, vec![0x5a; 8192]).unwrap();
    let e = start_error(Emulator::builder().data_dir(&dir).start().await);
    assert_eq!(e.kind(), DataDirErrorKind::Corrupt);
    assert_eq!(e.path(), file);
    assert!(e.to_string().contains(&file.display().to_string()), "{e}");
    assert!(
        e.recovery_suggestion().contains("delete"),
        "{}",
        e.recovery_suggestion()
    );
    // Nothing was overwritten.
    assert_eq!(std::fs::read(&file).unwrap(), vec![0x5a; 8192]);

    // Another schema version.
    let dir = common::temp_dir("version");
    let emu = Emulator::builder().data_dir(&dir).start().await.unwrap();
    emu.shutdown().await.unwrap();
    let file = dir.join("emulator.sqlite3");
    {
        let conn = rusqlite::Connection::open(&file).unwrap();
        conn.execute(
            "UPDATE meta SET value = '999' WHERE name = 'schema_version'",
            [],
        )
        .unwrap();
    }
    let e = start_error(Emulator::builder().data_dir(&dir).start().await);
    assert_eq!(
        e.kind(),
        DataDirErrorKind::SchemaVersion {
            found: 999,
            supported: 1
        }
    );
    assert_eq!(e.path(), file);
    assert!(e.recovery_suggestion().contains("delete"));

    // Some other application's SQLite database.
    let dir = common::temp_dir("foreign");
    std::fs::create_dir_all(&dir).unwrap();
    {
        let conn = rusqlite::Connection::open(dir.join("emulator.sqlite3")).unwrap();
        conn.execute("CREATE TABLE notes (body TEXT)", []).unwrap();
    }
    let e = start_error(Emulator::builder().data_dir(&dir).start().await);
    assert_eq!(e.kind(), DataDirErrorKind::NotEmulatorData);

    // A stored user that does not decode.
    let dir = common::temp_dir("bad-record");
    let emu = Emulator::builder()
        .user_pool(UserPoolSpec::new("us-east-1").user(UserSpec::new("alice", PASSWORD)))
        .data_dir(&dir)
        .start()
        .await
        .unwrap();
    emu.shutdown().await.unwrap();
    {
        let conn = rusqlite::Connection::open(dir.join("emulator.sqlite3")).unwrap();
        let changed = conn
            .execute("UPDATE entity SET value = X'7B7D' WHERE kind = 'user'", [])
            .unwrap();
        assert_eq!(changed, 1);
    }
    let e = start_error(Emulator::builder().data_dir(&dir).start().await);
    assert_eq!(e.kind(), DataDirErrorKind::BadRecord);
    assert!(e.to_string().contains("user"), "{e}");

    // In use by a running emulator.
    let dir = common::temp_dir("in-use");
    let first = Emulator::builder().data_dir(&dir).start().await.unwrap();
    let e = start_error(Emulator::builder().data_dir(&dir).start().await);
    assert_eq!(e.kind(), DataDirErrorKind::InUse);
    first.shutdown().await.unwrap();
    // Released on shutdown.
    Emulator::builder()
        .data_dir(&dir)
        .start()
        .await
        .unwrap()
        .shutdown()
        .await
        .unwrap();
    for name in ["corrupt", "version", "foreign", "bad-record", "in-use"] {
        let _ = std::fs::remove_dir_all(common::temp_dir(name));
    }
}

#[test]
fn the_binary_names_the_file_and_what_to_do_for_an_unusable_directory() {
    let dir = common::temp_dir("cli-corrupt");
    let file = dir.join("emulator.sqlite3");
    std::fs::write(
        &file,
        b"this is not a database, it is a text file of some length",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amplify-emulator"))
        .args(["serve", "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no ready line");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert!(
        stderr.contains(&format!("delete {}", dir.display())),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
