//! Custom authentication: Rust stand-ins for the define / create / verify auth challenge Lambda triggers.
//!
//! The emulator calls them exactly where Cognito calls the Lambdas, with the same inputs (the
//! session history of challenge results, the user's attributes) and reads the same outputs.
//! They run while the emulator's state is locked: they must not call back into the emulator.
//!
//! ```
//! use amplify_emulator::triggers::*;
//!
//! /// One custom challenge whose answer is "42", after an optional SRP password check.
//! #[derive(Debug)]
//! struct FortyTwo;
//!
//! impl CustomAuthTriggers for FortyTwo {
//!     fn define_auth_challenge(&self, event: &DefineAuthChallenge) -> Result<DefineAuthChallengeResult, TriggerError> {
//!         Ok(match event.session.last() {
//!             Some(last) if last.challenge_name == "SRP_A" => DefineAuthChallengeResult::challenge("PASSWORD_VERIFIER"),
//!             Some(last) if last.challenge_name == "CUSTOM_CHALLENGE" && last.challenge_result => DefineAuthChallengeResult::issue_tokens(),
//!             Some(last) if !last.challenge_result => DefineAuthChallengeResult::fail(),
//!             _ => DefineAuthChallengeResult::challenge("CUSTOM_CHALLENGE"),
//!         })
//!     }
//!     fn create_auth_challenge(&self, _event: &CreateAuthChallenge) -> Result<CreateAuthChallengeResult, TriggerError> {
//!         Ok(CreateAuthChallengeResult::new().public("question", "6 x 7?").private("answer", "42"))
//!     }
//!     fn verify_auth_challenge(&self, event: &VerifyAuthChallenge) -> Result<bool, TriggerError> {
//!         Ok(event.private_challenge_parameters.get("answer") == Some(&event.challenge_answer))
//!     }
//! }
//! ```

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

/// One entry of the challenge history (`event.request.session` in the Lambda).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChallengeResult {
    /// `SRP_A`, `PASSWORD_VERIFIER` or `CUSTOM_CHALLENGE`.
    pub challenge_name: String,
    /// Whether the user answered it correctly.
    pub challenge_result: bool,
    /// The metadata the create trigger attached.
    pub challenge_metadata: Option<String>,
}

/// Input of the define auth challenge trigger.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DefineAuthChallenge {
    /// The user pool id.
    pub user_pool_id: String,
    /// The (internal) username.
    pub username: String,
    /// The user's attributes, including `sub`.
    pub user_attributes: BTreeMap<String, String>,
    /// The challenges so far, oldest first.
    pub session: Vec<ChallengeResult>,
    /// `ClientMetadata` from the request.
    pub client_metadata: BTreeMap<String, String>,
}

/// Output of the define auth challenge trigger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DefineAuthChallengeResult {
    /// The next challenge (`PASSWORD_VERIFIER` or `CUSTOM_CHALLENGE`).
    pub challenge_name: Option<String>,
    /// Sign the user in now.
    pub issue_tokens: bool,
    /// End the sign-in with NotAuthorizedException.
    pub fail_authentication: bool,
}

impl DefineAuthChallengeResult {
    /// Ask `name` next.
    pub fn challenge(name: impl Into<String>) -> Self {
        Self {
            challenge_name: Some(name.into()),
            ..Self::default()
        }
    }

    /// Issue tokens.
    pub fn issue_tokens() -> Self {
        Self {
            issue_tokens: true,
            ..Self::default()
        }
    }

    /// Fail the sign-in.
    pub fn fail() -> Self {
        Self {
            fail_authentication: true,
            ..Self::default()
        }
    }
}

/// Input of the create auth challenge trigger.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateAuthChallenge {
    /// The user pool id.
    pub user_pool_id: String,
    /// The (internal) username.
    pub username: String,
    /// The user's attributes, including `sub`.
    pub user_attributes: BTreeMap<String, String>,
    /// The challenge define chose.
    pub challenge_name: String,
    /// The challenges so far, oldest first.
    pub session: Vec<ChallengeResult>,
    /// `ClientMetadata` from the request.
    pub client_metadata: BTreeMap<String, String>,
}

/// Output of the create auth challenge trigger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateAuthChallengeResult {
    /// Sent to the client as `ChallengeParameters`.
    pub public_challenge_parameters: BTreeMap<String, String>,
    /// Kept on the server for the verify trigger.
    pub private_challenge_parameters: BTreeMap<String, String>,
    /// Recorded in the session history.
    pub challenge_metadata: Option<String>,
}

impl CreateAuthChallengeResult {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a public parameter.
    pub fn public(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.public_challenge_parameters
            .insert(key.into(), value.into());
        self
    }

    /// Adds a private parameter.
    pub fn private(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.private_challenge_parameters
            .insert(key.into(), value.into());
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: impl Into<String>) -> Self {
        self.challenge_metadata = Some(metadata.into());
        self
    }
}

/// Input of the verify auth challenge response trigger.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyAuthChallenge {
    /// The user pool id.
    pub user_pool_id: String,
    /// The (internal) username.
    pub username: String,
    /// The user's attributes, including `sub`.
    pub user_attributes: BTreeMap<String, String>,
    /// What the create trigger kept private.
    pub private_challenge_parameters: BTreeMap<String, String>,
    /// The client's `ANSWER`.
    pub challenge_answer: String,
    /// `ClientMetadata` from the request.
    pub client_metadata: BTreeMap<String, String>,
}

/// A trigger failure; the client sees `UserLambdaValidationException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TriggerError(pub String);

/// The three custom auth triggers.
pub trait CustomAuthTriggers: Send + Sync + Debug {
    /// Decides the next step from the session history.
    ///
    /// # Errors
    ///
    /// A [`TriggerError`] fails the request with `UserLambdaValidationException`.
    fn define_auth_challenge(
        &self,
        event: &DefineAuthChallenge,
    ) -> Result<DefineAuthChallengeResult, TriggerError>;

    /// Creates a custom challenge.
    ///
    /// # Errors
    ///
    /// A [`TriggerError`] fails the request with `UserLambdaValidationException`.
    fn create_auth_challenge(
        &self,
        event: &CreateAuthChallenge,
    ) -> Result<CreateAuthChallengeResult, TriggerError>;

    /// Checks an answer.
    ///
    /// # Errors
    ///
    /// A [`TriggerError`] fails the request with `UserLambdaValidationException`.
    fn verify_auth_challenge(&self, event: &VerifyAuthChallenge) -> Result<bool, TriggerError>;
}

/// A cheap-to-clone handle to [`CustomAuthTriggers`].
#[derive(Debug, Clone)]
pub struct SharedCustomAuthTriggers(Arc<dyn CustomAuthTriggers>);

impl SharedCustomAuthTriggers {
    /// Wraps triggers.
    pub fn new(triggers: impl CustomAuthTriggers + 'static) -> Self {
        Self(Arc::new(triggers))
    }

    pub(crate) fn get(&self) -> &dyn CustomAuthTriggers {
        self.0.as_ref()
    }
}
