//! Credential storage, following the Amplify page "Manage credentials"
//! (`/work/shared/seeds/000_e14b04dac3569a0c.txt`).
//!
//! The auth plugin keeps tokens in the secure storage its `SecureStorageFactory` builds. This
//! example first uses the built-in in-memory factory (the seed's `WebPersistenceOption.inMemory`),
//! then the seed's own `InMemoryStorage`: a `SecureStorage` over one static map whose keys are
//! prefixed with the scope's name. Each time it signs in, "restarts the app" (a new plugin over
//! the same factory) to show the session resumes from storage, and signs out. Last, it runs the
//! storage crate's conformance suite (feature `test-util`) on the custom storage.
//!
//! ```sh
//! cargo run -p custom-storage
//! ```
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Mutex, OnceLock, PoisonError};

use amplify_auth_cognito::{CognitoAuthPlugin, SignOutResult};
use amplify_core::{Amplify, BoxFuture, DisplayErrorContext};
use amplify_emulator::{Emulator, EmulatorHandle, UserPoolSpec, UserSpec};
use amplify_secure_storage::{
    SecureStorage, SecureStorageFactory, StorageError, StorageScope, conformance,
};
use secrecy::SecretString;

type Error = Box<dyn std::error::Error + Send + Sync>;

const PASSWORD: &str = "Storage-Passw0rd!";

/// The seed's `InMemoryStorage`: one map for the whole process, keys `<scope>.<key>`.
#[derive(Debug)]
struct InMemoryStorage {
    /// The scope of the items stored (a namespace for keys).
    scope: StorageScope,
}

fn data() -> std::sync::MutexGuard<'static, HashMap<String, SecretString>> {
    static DATA: OnceLock<Mutex<HashMap<String, SecretString>>> = OnceLock::new();
    DATA.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

impl InMemoryStorage {
    fn new(scope: StorageScope) -> Self {
        InMemoryStorage { scope }
    }

    fn full_key(&self, key: &str) -> String {
        format!("{}.{key}", self.scope.name())
    }
}

impl SecureStorage for InMemoryStorage {
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: SecretString,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            data().insert(self.full_key(key), value);
            Ok(())
        })
    }

    fn read<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<SecretString>, StorageError>> {
        Box::pin(async move { Ok(data().get(&self.full_key(key)).cloned()) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            data().remove(&self.full_key(key));
            Ok(())
        })
    }

    fn remove_all(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        let prefix = self.full_key("");
        Box::pin(async move {
            data().retain(|k, _| !k.starts_with(&prefix));
            Ok(())
        })
    }
}

/// The keys in the static map that hold a token (names only: values are secrets).
fn stored_token_keys() -> Vec<String> {
    let mut keys: Vec<String> = data()
        .keys()
        .filter(|k| k.ends_with("Token"))
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn ensure(ok: bool, what: &str) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}").into())
    }
}

/// A new "app process": Amplify and the auth plugin over `factory`, configured for `emulator`.
async fn app(
    emulator: &EmulatorHandle,
    factory: &SecureStorageFactory,
) -> Result<CognitoAuthPlugin, Error> {
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(factory.clone())
        .build();
    let amplify = Amplify::new();
    amplify.add_plugin(auth.clone())?;
    amplify.configure(&emulator.amplify_outputs_json()).await?;
    Ok(auth)
}

/// Signs in with a plugin over `factory`, resumes the session in a second plugin over the same
/// factory (no new sign-in reaches Cognito), and signs out.
async fn sign_in_resume_sign_out(
    emulator: &EmulatorHandle,
    factory: &SecureStorageFactory,
) -> Result<(), Error> {
    let first = app(emulator, factory).await?;
    let signed_in = first
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await?;
    ensure(signed_in.is_signed_in, "alice is signed in")?;
    let sub = first.fetch_auth_session().send().await.user_sub?;
    println!("   signed in as {sub}");

    let sign_ins = emulator.request_count("InitiateAuth");
    let restarted = app(emulator, factory).await?;
    let session = restarted.fetch_auth_session().send().await;
    ensure(session.is_signed_in, "the restarted app is signed in")?;
    ensure(
        session.user_sub.as_deref().ok() == Some(sub.as_str()),
        "same user after restart",
    )?;
    ensure(
        emulator.request_count("InitiateAuth") == sign_ins,
        "no new sign-in after restart",
    )?;
    println!("   a new plugin over the same factory resumed the session from storage");

    ensure(
        matches!(restarted.sign_out().send().await, SignOutResult::Complete),
        "sign-out completes",
    )?;
    let after = app(emulator, factory)
        .await?
        .fetch_auth_session()
        .send()
        .await;
    ensure(
        !after.is_signed_in,
        "signed out for every plugin over the factory",
    )?;
    println!("   signed out: the storage no longer holds a session");
    Ok(())
}

async fn run() -> Result<(), Error> {
    println!("Starting the embedded emulator with user `alice`");
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .start()
        .await?;

    println!("1. The built-in in-memory factory (SecureStorageFactory::in_memory)");
    let memory = SecureStorageFactory::in_memory();
    sign_in_resume_sign_out(&emulator, &memory).await?;
    // In-memory storage lives as long as its factory: another factory starts signed out.
    let elsewhere = app(&emulator, &SecureStorageFactory::in_memory()).await?;
    ensure(
        !elsewhere.fetch_auth_session().send().await.is_signed_in,
        "a fresh factory is empty",
    )?;

    println!(
        "2. A custom SecureStorage (the seed's InMemoryStorage), via SecureStorageFactory::from_fn"
    );
    let custom = SecureStorageFactory::from_fn(InMemoryStorage::new);
    let auth = app(&emulator, &custom).await?;
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await?;
    let keys = stored_token_keys();
    println!("   token keys in the map: {keys:?}");
    ensure(
        keys.iter().all(|k| k.starts_with("awsCognitoAuthPlugin.")),
        "keys are scoped",
    )?;
    for token in ["accessToken", "idToken", "refreshToken"] {
        ensure(
            keys.iter().any(|k| k.ends_with(&format!(".{token}"))),
            token,
        )?;
    }
    auth.sign_out().send().await;
    ensure(
        stored_token_keys().is_empty(),
        "sign-out removed every token from the map",
    )?;
    sign_in_resume_sign_out(&emulator, &custom).await?;

    println!("3. The conformance suite every built-in backend passes, run on InMemoryStorage");
    conformance::run_all(&custom).await?;
    println!(
        "   passed: overwrite, delete, scope isolation, odd keys and values, batches, concurrency"
    );
    println!("Done.");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("error: {}", DisplayErrorContext(&*e));
            ExitCode::FAILURE
        }
    }
}
