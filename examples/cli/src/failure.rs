//! The CLI's error type and the exit codes scripts test.

use std::path::PathBuf;
use std::process::ExitCode;

use amplify_api::{ApiError, SubscriptionFailureKind};
use amplify_auth_cognito::{AuthError, InvalidStateReason};
use amplify_core::{AmplifyError, CoreError, ProviderErrorKind};

/// What a script can tell apart by the exit status. Documented in `docs/cli.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Done.
    Ok = 0,
    /// Anything not listed below (storage, an unexpected answer).
    Failure = 1,
    /// The command line or an input is wrong (clap uses 2 for its own usage errors too).
    Usage = 2,
    /// Nobody is signed in, the session expired, or the service refused the authorization.
    NotSignedIn = 3,
    /// The service refused the request (a wrong password, an unknown user, GraphQL errors, an
    /// HTTP error status).
    Service = 4,
    /// The service could not be reached or did not answer in time.
    Network = 5,
    /// The configuration file is missing, unreadable or lacks what the command needs.
    Config = 6,
    /// A sign-in (or sign-up) step needs an answer or another command, and none could be read.
    NeedsAction = 7,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// A wrong argument or input.
    #[error("{0}")]
    Usage(String),
    /// The configuration file could not be read.
    #[error("cannot read the configuration file {}", path.display())]
    ConfigFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No configuration given and none found in the current directory.
    #[error(
        "no configuration: pass --config <amplify_outputs.json | amplifyconfiguration.json> or --emulator"
    )]
    NoConfig,
    /// A file given on the command line could not be read.
    #[error("cannot read {}", path.display())]
    InputFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Reading the terminal or standard input failed, or it ended.
    #[error("{what}: no answer could be read (standard input ended)")]
    NoInput { what: String },
    /// Reading or writing the terminal failed.
    #[error("terminal input failed")]
    Terminal(#[source] std::io::Error),
    /// The embedded emulator could not start.
    #[error("the embedded emulator could not start")]
    Emulator(#[source] amplify_emulator::EmulatorError),
    /// Amplify could not be configured.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An Auth error.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// An API error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The command needs a signed-in user.
    #[error("no user is signed in")]
    NotSignedIn,
    /// A next step that this command cannot complete (the output says which).
    #[error("{0}")]
    NeedsAction(String),
    /// The answer was printed, and carries errors (GraphQL errors, a partial sign-out).
    #[error("{0}")]
    Reported(String),
}

impl CliError {
    /// The exit code for this error.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            CliError::Usage(_) | CliError::InputFile { .. } => Exit::Usage,
            CliError::ConfigFile { .. } | CliError::NoConfig | CliError::Core(_) => Exit::Config,
            CliError::NoInput { .. } | CliError::NeedsAction(_) => Exit::NeedsAction,
            CliError::Terminal(_) | CliError::Emulator(_) => Exit::Failure,
            CliError::Auth(e) => auth_exit(e),
            CliError::Api(e) => api_exit(e),
            CliError::NotSignedIn => Exit::NotSignedIn,
            CliError::Reported(_) => Exit::Service,
        }
    }

    /// What to do about it: the library's recovery suggestion, or the CLI's own.
    pub(crate) fn suggestion(&self) -> Option<String> {
        match self {
            CliError::Core(e) => e.recovery_suggestion(),
            CliError::Auth(AuthError::InvalidState(InvalidStateReason::AlreadySignedIn)) => {
                Some("Run `amplify-rs sign-out` before signing in again.".to_owned())
            }
            CliError::Auth(e) => e.recovery_suggestion(),
            CliError::Api(e) => e.recovery_suggestion(),
            CliError::NotSignedIn => Some("Run `amplify-rs sign-in` first.".to_owned()),
            CliError::NoConfig => Some(
                "Download amplify_outputs.json (Gen 2) or amplifyconfiguration.json (Gen 1) \
                 into this directory, or start `amplify-emulator serve --write-config \
                 amplify_outputs.json`."
                    .to_owned(),
            ),
            CliError::ConfigFile { .. } => Some("Check the path given to --config.".to_owned()),
            CliError::NoInput { .. } => Some(
                "Run the command in a terminal, or pipe one answer per line on standard input."
                    .to_owned(),
            ),
            _ => None,
        }
    }

    /// The service's error code, when a service answered.
    pub(crate) fn code(&self) -> Option<String> {
        match self {
            CliError::Auth(e) => e.code().map(str::to_owned),
            CliError::Api(e) => e.code().map(str::to_owned),
            _ => None,
        }
    }
}

fn auth_exit(e: &AuthError) -> Exit {
    match e {
        AuthError::Service(_) => Exit::Service,
        AuthError::Network(_) => Exit::Network,
        AuthError::SignedOut
        | AuthError::SessionExpired(_)
        | AuthError::StoredSessionCorrupted(_) => Exit::NotSignedIn,
        AuthError::InvalidState(InvalidStateReason::NoPendingChallenge) => Exit::NeedsAction,
        AuthError::Validation(_) | AuthError::InvalidState(_) => Exit::Usage,
        AuthError::Configuration(_) => Exit::Config,
        _ => Exit::Failure,
    }
}

fn api_exit(e: &ApiError) -> Exit {
    match e {
        ApiError::NotConfigured
        | ApiError::Configuration(_)
        | ApiError::UnknownApi(_)
        | ApiError::AmbiguousApi(_)
        | ApiError::NoApiConfigured(_) => Exit::Config,
        ApiError::InvalidRequest(_) => Exit::Usage,
        ApiError::Provider(p) => match p.kind() {
            ProviderErrorKind::SignedOut | ProviderErrorKind::SessionExpired => Exit::NotSignedIn,
            ProviderErrorKind::Transient => Exit::Network,
            ProviderErrorKind::NotRegistered | ProviderErrorKind::WrongKind => Exit::Config,
            _ => Exit::Failure,
        },
        ApiError::Transport(_) | ApiError::Timeout(_) => Exit::Network,
        ApiError::Unauthorized(_) => Exit::NotSignedIn,
        ApiError::HttpStatus(_) | ApiError::Decode(_) => Exit::Service,
        ApiError::Subscription(f) => match f.kind() {
            SubscriptionFailureKind::ConnectionFailed | SubscriptionFailureKind::ConnectionLost => {
                Exit::Network
            }
            _ => Exit::Service,
        },
        _ => Exit::Failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct_and_stable() {
        let codes = [
            Exit::Ok,
            Exit::Failure,
            Exit::Usage,
            Exit::NotSignedIn,
            Exit::Service,
            Exit::Network,
            Exit::Config,
            Exit::NeedsAction,
        ]
        .map(|e| e as u8);
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn signed_out_is_exit_3_with_a_suggestion() {
        let e = CliError::Auth(AuthError::SignedOut);
        assert_eq!(e.exit(), Exit::NotSignedIn);
        assert!(e.suggestion().is_some());
        assert_eq!(CliError::NoConfig.exit(), Exit::Config);
    }
}
