//! One configured Amplify for a command: the configuration file (or the embedded emulator), the
//! secure storage that keeps the session between invocations, and the two plugins.

use std::path::{Path, PathBuf};

use amplify_api::ApiPlugin;
use amplify_auth_cognito::{AuthFlowType, CognitoAuthPlugin};
use amplify_core::Amplify;
use amplify_emulator::{
    AuthMode, Emulator, EmulatorHandle, GraphQlApiSpec, IdentityPoolSpec, RestApiSpec,
    UserPoolSpec, UserSpec,
};
use amplify_secure_storage::{
    CorruptionPolicy, FileKeyLocation, Persistence, SecureStorageFactory, SecureStorageOptions,
};

use crate::args::Global;
use crate::failure::CliError;
use crate::output::Output;

/// The storage namespace: the CLI's sessions never mix with another app's.
const NAMESPACE: &str = "rs.amplify.cli";

/// The embedded emulator's demo user.
const DEMO_USER: (&str, &str) = ("alice", "Amplify-Passw0rd!");

/// The configured categories (and the emulator, which lives as long as the command).
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) auth: CognitoAuthPlugin,
    pub(crate) api: ApiPlugin,
    /// The configuration's sign-in flow, if it names one.
    pub(crate) default_flow: Option<AuthFlowType>,
    _emulator: Option<EmulatorHandle>,
}

impl Context {
    /// Reads the configuration (or starts the emulator) and configures Auth and API.
    ///
    /// # Errors
    ///
    /// [`CliError::NoConfig`], [`CliError::ConfigFile`], [`CliError::Emulator`] or the
    /// configuration's own error ([`CliError::Core`]).
    pub(crate) async fn new(global: &Global, output: &Output) -> Result<Self, CliError> {
        let (json, emulator) = if global.emulator {
            let emulator = start_emulator().await?;
            output.note(&format!(
                "embedded emulator at {} (user {} / {})",
                emulator.endpoint(),
                DEMO_USER.0,
                DEMO_USER.1
            ));
            (emulator.amplify_outputs_json(), Some(emulator))
        } else {
            let path = config_path(global.config.as_deref())?;
            let json = std::fs::read_to_string(&path)
                .map_err(|source| CliError::ConfigFile { path, source })?;
            (json, None)
        };
        let factory = if global.emulator {
            SecureStorageFactory::in_memory()
        } else {
            storage(global.storage_dir.as_deref())
        };
        let auth = CognitoAuthPlugin::builder()
            .secure_storage_factory(factory)
            .build();
        let api = ApiPlugin::new();
        let amplify = Amplify::new();
        amplify.add_plugin(auth.clone())?;
        amplify.add_plugin(api.clone())?;
        amplify.configure(&json).await?;
        let default_flow = amplify
            .config()
            .and_then(|c| c.auth.as_ref().and_then(|a| a.authentication_flow_type));
        Ok(Context {
            auth,
            api,
            default_flow,
            _emulator: emulator,
        })
    }
}

/// `--config`, else `amplify_outputs.json`, else `amplifyconfiguration.json` in the current
/// directory.
fn config_path(given: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(path) = given {
        return Ok(path.to_owned());
    }
    ["amplify_outputs.json", "amplifyconfiguration.json"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or(CliError::NoConfig)
}

/// The encrypted file store in `dir` (key file beside it), or the platform default: the OS
/// keychain when one answers, else the encrypted file store in the user's data directory.
fn storage(dir: Option<&Path>) -> SecureStorageFactory {
    let options = SecureStorageOptions::new()
        .namespace(NAMESPACE)
        .on_corruption(CorruptionPolicy::Reset);
    match dir {
        Some(dir) => SecureStorageFactory::from_options(
            options
                .persistence(Persistence::EncryptedFile)
                .file_key(FileKeyLocation::KeyFile)
                .directory(dir),
        ),
        None => SecureStorageFactory::default_for_platform(options),
    }
}

/// `Emulator::start()`'s backend plus the demo user.
async fn start_emulator() -> Result<EmulatorHandle, CliError> {
    let (username, password) = DEMO_USER;
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new(username, password).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new().allow_guests(true))
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AmazonCognitoUserPools)
                .additional_mode(AuthMode::AwsIam),
        )
        .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam))
        .start()
        .await
        .map_err(CliError::Emulator)
}
