//! What a sign-in keeps between calls: the challenge waiting for `confirm_sign_in`, and an SRP
//! key prepared off the caller's path. The plugin holds one [`SignInState`]; the sign-in
//! operations read and change it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::AuthError;
use crate::srp::EphemeralKey;
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
    pub(crate) client_metadata: HashMap<String, String>,
}

/// The sign-in state of one configured plugin.
#[derive(Default)]
pub(crate) struct SignInState {
    pending: Mutex<Option<PendingSignIn>>,
    prepared_key: Arc<Mutex<Option<EphemeralKey>>>,
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

    /// A prepared SRP key (or a fresh one), and starts preparing the next.
    pub(crate) fn take_key(&self) -> Result<EphemeralKey, AuthError> {
        let prepared = self
            .prepared_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let key = match prepared {
            Some(key) => key,
            None => EphemeralKey::generate()?,
        };
        self.prepare_key_in_background();
        Ok(key)
    }

    /// Builds the SRP table and a fresh `(a, A)` off the caller's path, so the next sign-in
    /// starts with them ready (nothing happens outside a Tokio runtime).
    pub(crate) fn prepare_key_in_background(&self) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let slot = Arc::clone(&self.prepared_key);
        drop(handle.spawn_blocking(move || {
            if let Ok(key) = EphemeralKey::generate() {
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(key);
            }
        }));
    }
}
