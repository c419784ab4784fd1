//! Shared test helpers: SDK clients pointed at the emulator, and SRP sign-in.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod http;
pub mod srp;

use std::collections::HashMap;
use std::time::UNIX_EPOCH;

use amplify_emulator::EmulatorHandle;
use aws_sdk_cognitoidentity as ci;
use aws_sdk_cognitoidentityprovider as idp;
use aws_smithy_http_client::{Builder, tls};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use idp::config::{BehaviorVersion, Region};
use idp::types::{AuthFlowType, ChallengeNameType};
use sha2::Sha256;

pub use srp::SrpClient;

macro_rules! http {
    () => {
        Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https()
    };
}

/// A fresh, empty directory under the system temp dir, named for the test and the process.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("amplify-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A user pools client without credentials (like an app).
pub fn idp(emu: &EmulatorHandle) -> idp::Client {
    let conf = idp::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(emu.region().to_owned()))
        .endpoint_url(emu.endpoint())
        .http_client(http!())
        .retry_config(idp::config::retry::RetryConfig::disabled())
        .build();
    idp::Client::from_conf(conf)
}

/// A user pools client with dummy credentials, for the SigV4-signed admin operations.
pub fn idp_admin(emu: &EmulatorHandle) -> idp::Client {
    let conf = idp::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(emu.region().to_owned()))
        .endpoint_url(emu.endpoint())
        .http_client(http!())
        .credentials_provider(aws_credential_types::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .retry_config(idp::config::retry::RetryConfig::disabled())
        .build();
    idp::Client::from_conf(conf)
}

/// An identity pools client without credentials.
pub fn identity(emu: &EmulatorHandle) -> ci::Client {
    let conf = ci::Config::builder()
        .behavior_version(ci::config::BehaviorVersion::latest())
        .region(ci::config::Region::new(emu.region().to_owned()))
        .endpoint_url(emu.endpoint())
        .http_client(http!())
        .retry_config(ci::config::retry::RetryConfig::disabled())
        .build();
    ci::Client::from_conf(conf)
}

/// `SECRET_HASH`, computed test-side.
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A manual clock at 2027-01-15 08:00:00 UTC (epoch 1_800_000_000).
pub fn clock() -> amplify_emulator::ManualTimeSource {
    amplify_emulator::ManualTimeSource::new(
        UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000),
    )
}

/// The emulator's clock in seconds.
pub fn now_secs(emu: &EmulatorHandle) -> u64 {
    emu.clock()
        .now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The pool name used in SRP (the part of the pool id after `_`).
pub fn pool_name(emu: &EmulatorHandle) -> String {
    emu.user_pool_id().split_once('_').unwrap().1.to_owned()
}

/// A PASSWORD_VERIFIER challenge and the client that asked for it.
pub struct Verifier {
    pub client: SrpClient,
    pub params: HashMap<String, String>,
    pub session: Option<String>,
}

impl Verifier {
    /// The challenge responses for `password` at `timestamp`.
    pub fn responses(
        &self,
        emu: &EmulatorHandle,
        password: &str,
        timestamp: &str,
    ) -> HashMap<String, String> {
        let user_id = &self.params["USER_ID_FOR_SRP"];
        let signature = self.client.signature(
            &pool_name(emu),
            user_id,
            password,
            &self.params["SALT"],
            &self.params["SRP_B"],
            &self.params["SECRET_BLOCK"],
            timestamp,
        );
        let mut r = HashMap::new();
        // Like amplify-js: USERNAME is USER_ID_FOR_SRP.
        r.insert("USERNAME".to_owned(), user_id.clone());
        r.insert(
            "PASSWORD_CLAIM_SECRET_BLOCK".to_owned(),
            self.params["SECRET_BLOCK"].clone(),
        );
        r.insert("PASSWORD_CLAIM_SIGNATURE".to_owned(), signature);
        r.insert("TIMESTAMP".to_owned(), timestamp.to_owned());
        if let Some(secret) = emu.client_secret() {
            r.insert(
                "SECRET_HASH".to_owned(),
                secret_hash(secret, user_id, emu.client_id()),
            );
        }
        r
    }

    /// Responses at the emulator's current time.
    pub fn responses_now(&self, emu: &EmulatorHandle, password: &str) -> HashMap<String, String> {
        self.responses(emu, password, &srp::timestamp(now_secs(emu)))
    }
}

/// InitiateAuth(USER_SRP_AUTH) → the PASSWORD_VERIFIER challenge.
pub async fn start_srp(
    emu: &EmulatorHandle,
    client: &idp::Client,
    username: &str,
) -> Result<Verifier, idp::Error> {
    let srp = SrpClient::new();
    let mut req = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", srp.srp_a());
    if let Some(secret) = emu.client_secret() {
        req = req.auth_parameters(
            "SECRET_HASH",
            secret_hash(secret, username, emu.client_id()),
        );
    }
    let out = req.send().await?;
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    Ok(Verifier {
        client: srp,
        params: out.challenge_parameters().cloned().unwrap_or_default(),
        session: out.session().map(str::to_owned),
    })
}

/// Answers a PASSWORD_VERIFIER challenge.
pub async fn answer_srp(
    emu: &EmulatorHandle,
    client: &idp::Client,
    verifier: &Verifier,
    responses: HashMap<String, String>,
) -> Result<idp::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, idp::Error> {
    Ok(client
        .respond_to_auth_challenge()
        .client_id(emu.client_id())
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(verifier.session.clone())
        .set_challenge_responses(Some(responses))
        .send()
        .await?)
}

/// A full SRP sign-in.
pub async fn srp_sign_in(
    emu: &EmulatorHandle,
    client: &idp::Client,
    username: &str,
    password: &str,
) -> Result<idp::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, idp::Error> {
    let verifier = start_srp(emu, client, username).await?;
    let responses = verifier.responses_now(emu, password);
    answer_srp(emu, client, &verifier, responses).await
}

/// USER_PASSWORD_AUTH.
pub async fn password_sign_in(
    emu: &EmulatorHandle,
    client: &idp::Client,
    username: &str,
    password: &str,
) -> Result<idp::operation::initiate_auth::InitiateAuthOutput, idp::Error> {
    let mut req = client
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(emu.client_id())
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password);
    if let Some(secret) = emu.client_secret() {
        req = req.auth_parameters(
            "SECRET_HASH",
            secret_hash(secret, username, emu.client_id()),
        );
    }
    Ok(req.send().await?)
}

/// USER_PASSWORD_AUTH with the app client `client_id` (no secret): (access, id, refresh) tokens.
pub async fn password_tokens(
    emu: &EmulatorHandle,
    client_id: &str,
    username: &str,
    password: &str,
) -> (String, String, String) {
    let out = idp(emu)
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(client_id)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .unwrap();
    let result = out.authentication_result().unwrap();
    (
        result.access_token().unwrap().to_owned(),
        result.id_token().unwrap().to_owned(),
        result.refresh_token().unwrap().to_owned(),
    )
}

/// The error code of an SDK error (e.g. `NotAuthorizedException`).
pub fn code<E: idp::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("<none>").to_owned()
}
