//! The state layer: everything the emulator remembers (user pools, users, sign-in sessions,
//! tokens, identities, the outbox and issued credentials) behind a narrow interface.
//!
//! Services reach the mutable state only through [`Store::transact`]: one call is one
//! transaction over the whole [`State`]. A later store (an embedded database for the dev server)
//! keeps that signature and loads and saves what the closure touched.

use std::sync::{Mutex, PoisonError};

pub(crate) mod identity;
pub(crate) mod oauth;
pub(crate) mod user_pool;

use self::identity::IdentityPools;
use self::oauth::OAuthState;
use self::user_pool::UserPools;

/// All mutable state, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) user_pools: UserPools,
    pub(crate) identity: IdentityPools,
    pub(crate) oauth: OAuthState,
}

/// Where the [`State`] lives: in memory, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct Store {
    state: Mutex<State>,
}

impl Store {
    /// A store holding `state`.
    pub(crate) fn new(state: State) -> Self {
        Self {
            state: Mutex::new(state),
        }
    }

    /// Runs `f` as one transaction over the state.
    pub(crate) fn transact<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut state)
    }
}
