//! The rows a transaction changed: the keys the [`Tracked`] maps and the credential store
//! recorded, and the outbox messages the database does not have yet.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Change, join_key, kind, outbox_key};
use crate::credentials::{CredentialStore, StoredCredentials, Which};
use crate::outbox::Outbox;
use crate::state::State;
use crate::state::tracked::Tracked;

/// Collects [`Change`]s.
#[derive(Default)]
struct Changes {
    key: String,
    out: Vec<Change>,
}

impl Changes {
    fn put(&mut self, kind: &'static str, parts: &[&str], value: &impl Serialize) {
        join_key(&mut self.key, parts);
        match serde_json::to_vec(value) {
            Ok(bytes) => self.out.push(Change::Put(kind, self.key.clone(), bytes)),
            // Only a bug can get here (the stored types serialize infallibly); keep what the
            // database has rather than lose the row.
            Err(e) => tracing::error!(kind, error = %e, "cannot serialize an entity"),
        }
    }

    fn delete(&mut self, kind: &'static str, parts: &[&str]) {
        join_key(&mut self.key, parts);
        self.out.push(Change::Delete(kind, self.key.clone()));
    }

    /// Puts (or deletes, when gone) each of `keys` of `map`; `parts` gives a key's row key.
    fn rows<'k, K: Ord + Clone + 'k, V: Serialize>(
        &mut self,
        kind: &'static str,
        map: &'k Tracked<K, V>,
        keys: impl Iterator<Item = &'k K>,
        parts: impl Fn(&'k K) -> Vec<&'k str>,
    ) {
        for key in keys {
            match map.get(key) {
                Some(value) => self.put(kind, &parts(key), value),
                None => self.delete(kind, &parts(key)),
            }
        }
    }
}

/// Which rows [`rows`] produces.
#[derive(Clone, Copy)]
pub(super) enum Scope<'a> {
    /// Every row: of the pools the function picks, and everything outside pools.
    All(&'a dyn Fn(&str) -> bool),
    /// Only the rows of the pools the function picks (a restored state's other rows are
    /// already stored).
    Pools(&'a dyn Fn(&str) -> bool),
    /// The keys the maps and the credential store recorded.
    Recorded,
}

impl Scope<'_> {
    fn keys<'k, K: Ord + Clone, V>(
        self,
        map: &'k Tracked<K, V>,
    ) -> Box<dyn Iterator<Item = &'k K> + 'k> {
        match self {
            Scope::All(_) | Scope::Pools(_) => Box::new(map.keys()),
            Scope::Recorded => Box::new(map.dirty()),
        }
    }
}

/// The rows of `state` and the issued credentials that `scope` picks.
pub(super) fn rows(state: &State, scope: Scope<'_>, credentials: &CredentialStore) -> Vec<Change> {
    let mut c = Changes::default();
    for pool in state.user_pools.pools.values() {
        let id = pool.id.as_str();
        if let Scope::All(include) | Scope::Pools(include) = scope {
            if !include(id) {
                continue;
            }
            c.put(kind::POOL, &[id], &pool.region);
        }
        c.rows(kind::GROUP, &pool.groups, scope.keys(&pool.groups), |k| {
            vec![id, k.as_str()]
        });
        c.rows(kind::USER, &pool.users, scope.keys(&pool.users), |k| {
            vec![id, k.as_str()]
        });
    }
    let which = match scope {
        Scope::All(_) => Which::All,
        Scope::Recorded => Which::Unsaved,
        Scope::Pools(_) => return c.out,
    };
    let pools = &state.user_pools;
    c.rows(
        kind::FAMILY,
        &pools.families,
        scope.keys(&pools.families),
        |k| vec![k.as_str()],
    );
    let refresh = &pools.refresh_tokens;
    c.rows(kind::REFRESH, refresh, scope.keys(refresh), |k| {
        vec![k.as_str()]
    });
    let identity = &state.identity;
    let identities = &identity.identities;
    c.rows(kind::IDENTITY, identities, scope.keys(identities), |k| {
        vec![k.as_str()]
    });
    c.rows(
        kind::LOGIN,
        &identity.logins,
        scope.keys(&identity.logins),
        |k| vec![k.0.as_str(), k.1.as_str()],
    );
    credentials.for_each_issued(which, |issued| {
        c.put(
            kind::CREDENTIALS,
            &[&issued.access_key_id],
            &StoredCredentials::from(issued),
        );
    });
    c.out
}

/// Applies `f` to every tracked map of `state`.
fn each_map(state: &mut State, f: &mut dyn FnMut(&mut dyn TrackedMap)) {
    for pool in state.user_pools.pools.values_mut() {
        f(&mut pool.groups);
        f(&mut pool.users);
    }
    f(&mut state.user_pools.families);
    f(&mut state.user_pools.refresh_tokens);
    f(&mut state.identity.identities);
    f(&mut state.identity.logins);
}

/// What [`each_map`] does to a map.
trait TrackedMap {
    fn track(&mut self);
    fn clear_dirty(&mut self);
}

impl<K: Ord + Clone, V> TrackedMap for Tracked<K, V> {
    fn track(&mut self) {
        Tracked::track(self);
    }

    fn clear_dirty(&mut self) {
        Tracked::clear_dirty(self);
    }
}

/// Starts recording writes in every map.
pub(super) fn track(state: &mut State) {
    each_map(state, &mut |map| map.track());
}

/// Forgets the recorded keys (they were saved).
pub(super) fn clear(state: &mut State) {
    each_map(state, &mut |map| map.clear_dirty());
}

/// The outbox messages the database lacks, and the deletions of those cleared.
pub(super) fn outbox(outbox: &Outbox, saved: &BTreeSet<u64>) -> Vec<Change> {
    let (added, gone) = outbox.changes_since(saved);
    let mut out = Vec::with_capacity(added.len() + gone.len());
    for message in added {
        match serde_json::to_vec(&message) {
            Ok(bytes) => out.push(Change::Put(kind::OUTBOX, outbox_key(message.id()), bytes)),
            Err(e) => tracing::error!(error = %e, "cannot serialize an outbox message"),
        }
    }
    out.extend(
        gone.into_iter()
            .map(|id| Change::Delete(kind::OUTBOX, outbox_key(id))),
    );
    out
}
