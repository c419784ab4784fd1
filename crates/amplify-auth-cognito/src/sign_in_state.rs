//! What a sign-in keeps between calls: the challenge waiting for `confirm_sign_in`, and an SRP
//! key prepared off the caller's path. The plugin holds one [`SignInState`]; the sign-in
//! operations read and change it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::AuthError;
use crate::device::DeviceSecrets;
use crate::mfa::{AuthFactorType, MfaType, TotpSetupDetails};
use crate::srp::EphemeralKey;
use crate::tokens::Password;
use crate::types::AuthFlowType;

/// A challenge waiting for `confirm_sign_in`.
pub(crate) struct PendingSignIn {
    /// The username typed at sign-in.
    pub(crate) username: String,
    /// The username Cognito's challenges name (`USERNAME` of the challenge parameters).
    pub(crate) challenge_username: String,
    pub(crate) flow: AuthFlowType,
    pub(crate) session: Option<String>,
    pub(crate) challenge: ChallengeNameType,
    /// `AvailableChallenges` of a `SELECT_CHALLENGE` (choice-based sign-in).
    pub(crate) available: Vec<String>,
    /// Where the caller stands inside the challenge (steps that need no call to Cognito).
    pub(crate) local: LocalStep,
    /// The MFA factor set up during this sign-in (enabled once the user is signed in).
    pub(crate) set_up: Option<MfaType>,
    /// This machine's device for the user (device SRP, `DEVICE_KEY`).
    pub(crate) device: Option<DeviceSecrets>,
    pub(crate) client_metadata: HashMap<String, String>,
}

impl PendingSignIn {
    pub(crate) fn new(
        username: String,
        flow: AuthFlowType,
        client_metadata: HashMap<String, String>,
    ) -> Self {
        Self {
            challenge_username: username.clone(),
            username,
            flow,
            session: None,
            challenge: ChallengeNameType::from("NONE"),
            available: Vec::new(),
            local: LocalStep::None,
            set_up: None,
            device: None,
            client_metadata,
        }
    }
}

/// Steps inside a challenge that the client takes without Cognito.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LocalStep {
    /// Waiting for the answer to the challenge itself.
    None,
    /// `MFA_SETUP`: waiting for the factor to set up.
    MfaSetupSelection,
    /// `MFA_SETUP`: the TOTP secret was associated; waiting for a code from the app.
    TotpSetup(TotpSetupDetails),
    /// `MFA_SETUP`: waiting for the email address.
    EmailSetup,
    /// `SELECT_CHALLENGE`: a password factor was chosen; waiting for the password.
    PasswordFactor(AuthFactorType),
}

/// A sign-in armed by `sign_up(...).auto_sign_in(true)`.
pub(crate) struct AutoSignIn {
    pub(crate) username: String,
    /// The session from `SignUp` / `ConfirmSignUp` for a `USER_AUTH` sign-in.
    pub(crate) session: Option<String>,
    /// The password to replay the sign-in with when there is no session.
    pub(crate) password: Option<Password>,
}

/// The sign-in state of one configured plugin.
#[derive(Default)]
pub(crate) struct SignInState {
    pending: Mutex<Option<PendingSignIn>>,
    auto: Mutex<Option<AutoSignIn>>,
    prepared_key: KeySlot,
}

/// An SRP key `(a, A)` computed off the caller's path ahead of a sign-in (about 9 ms of CPU).
/// Shared by the sign-in state, which takes it, and the session manager, which asks for one
/// when it finds nobody signed in: when the stored session is first loaded, and when a session
/// ends. A process that resumes a stored session computes none.
#[derive(Clone, Default)]
pub(crate) struct KeySlot(Arc<KeySlotInner>);

#[derive(Default)]
struct KeySlotInner {
    key: Mutex<Option<EphemeralKey>>,
    /// A computation is under way (so asking again does not start a second).
    preparing: AtomicBool,
}

impl KeySlot {
    fn take(&self) -> Option<EphemeralKey> {
        self.0
            .key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Computes a key on Tokio's blocking pool unless one is ready or under way (nothing
    /// happens outside a Tokio runtime).
    pub(crate) fn prepare_in_background(&self) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self
            .0
            .key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
            || self.0.preparing.swap(true, Ordering::AcqRel)
        {
            return;
        }
        tracing::debug!("computing an SRP key ahead of a sign-in");
        let inner = Arc::clone(&self.0);
        drop(handle.spawn_blocking(move || {
            if let Ok(key) = EphemeralKey::generate() {
                *inner.key.lock().unwrap_or_else(PoisonError::into_inner) = Some(key);
            }
            inner.preparing.store(false, Ordering::Release);
        }));
    }
}

impl SignInState {
    /// Takes the waiting challenge (a new sign-in or a sign-out clears it this way too).
    pub(crate) fn take_pending(&self) -> Option<PendingSignIn> {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Keeps `pending` for the next `confirm_sign_in`.
    pub(crate) fn set_pending(&self, pending: PendingSignIn) {
        *self.pending.lock().unwrap_or_else(PoisonError::into_inner) = Some(pending);
    }

    /// Remembers a sign-up to sign in automatically after confirmation.
    pub(crate) fn arm_auto_sign_in(&self, auto: AutoSignIn) {
        *self.auto.lock().unwrap_or_else(PoisonError::into_inner) = Some(auto);
    }

    /// Records the confirmation's session for `username`; whether an auto sign-in is armed
    /// for that user.
    pub(crate) fn update_auto_sign_in(&self, username: &str, session: Option<String>) -> bool {
        let mut auto = self.auto.lock().unwrap_or_else(PoisonError::into_inner);
        match auto.as_mut() {
            Some(armed) if armed.username == username => {
                // SignUp's session is only for ConfirmSignUp: after confirmation only the
                // session ConfirmSignUp returned may start the sign-in (none: replay the password).
                armed.session = session;
                true
            }
            _ => false,
        }
    }

    /// The session `SignUp` returned for `username`'s armed auto sign-in (for `ConfirmSignUp`).
    pub(crate) fn auto_sign_in_session(&self, username: &str) -> Option<String> {
        self.auto
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|a| a.username == username)
            .and_then(|a| a.session.clone())
    }

    /// Takes the armed auto sign-in.
    pub(crate) fn take_auto_sign_in(&self) -> Option<AutoSignIn> {
        self.auto
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// A prepared SRP key (or a fresh one), and starts preparing the next.
    pub(crate) fn take_key(&self) -> Result<EphemeralKey, AuthError> {
        let key = match self.prepared_key.take() {
            Some(key) => key,
            None => EphemeralKey::generate()?,
        };
        self.prepared_key.prepare_in_background();
        Ok(key)
    }

    /// The slot the session manager fills when it finds nobody signed in.
    pub(crate) fn key_slot(&self) -> KeySlot {
        self.prepared_key.clone()
    }
}
