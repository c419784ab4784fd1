//! The state layer: everything the emulator remembers (user pools, users, sign-in sessions,
//! tokens, identities, the outbox and issued credentials) behind a narrow interface.
//!
//! Services reach the mutable state only through [`Store::transact`]: one call is one
//! transaction over the whole [`State`]. With a data directory ([`persist`]) it is also one
//! database transaction, which saves what the closure changed.

use std::sync::{Arc, Mutex, PoisonError};

pub(crate) mod identity;
pub(crate) mod oauth;
pub(crate) mod persist;
pub(crate) mod tracked;
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

/// Where the [`State`] lives: in memory behind one lock, and in the data directory's database
/// when there is one.
#[derive(Debug, Default)]
pub(crate) struct Store {
    state: Mutex<State>,
    persist: Option<Arc<persist::Persist>>,
}

impl Store {
    /// A store holding `state`, saving every transaction to `persist` when given.
    pub(crate) fn new(state: State, persist: Option<Arc<persist::Persist>>) -> Self {
        Self {
            state: Mutex::new(state),
            persist,
        }
    }

    /// The data directory's database, if there is one.
    pub(crate) fn persist(&self) -> Option<&Arc<persist::Persist>> {
        self.persist.as_ref()
    }

    /// Runs `f` as one transaction over the state. With a data directory, what `f` changed
    /// (and the messages it put in the outbox) is committed to the database before this
    /// returns, still under the lock, so transactions are saved in the order they ran. Without
    /// one, nothing is serialized.
    pub(crate) fn transact<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let result = f(&mut state);
        if let Some(persist) = &self.persist {
            persist.commit(&mut state);
        }
        result
    }
}
