//! Loading the stored state into a freshly built [`State`].

use std::collections::{BTreeMap, BTreeSet};

use super::{Persist, kind};
use crate::error::DataDirError;
use crate::state::State;
use crate::state::identity::Identity;
use crate::state::user_pool::{Family, Group, RefreshRecord, User};

/// `[a, b]` of a two-part key, or `None`.
fn pair(key: &[String]) -> Option<(&str, &str)> {
    match key {
        [a, b] => Some((a, b)),
        _ => None,
    }
}

/// `a` of a one-part key.
fn single(key: &[String]) -> Option<&str> {
    match key {
        [a] => Some(a),
        _ => None,
    }
}

impl Persist {
    /// Replaces the data of `state` (built from the spec) with the stored data: the users and
    /// groups of every pool the database knows (pools new in the spec keep their seeded ones),
    /// token families, refresh tokens, identities and logins. Rows of pools the spec no longer
    /// has are left in the database untouched.
    ///
    /// # Errors
    ///
    /// A read failure or a row that does not decode.
    pub(crate) fn restore_state(&self, state: &mut State) -> Result<(), DataDirError> {
        let known: BTreeSet<String> = self
            .load::<String>(kind::POOL, true)?
            .rows
            .into_iter()
            .filter_map(|(key, _)| single(&key).map(str::to_owned))
            .collect();
        let pools = &mut state.user_pools.pools;
        for (id, pool) in pools.iter_mut() {
            if known.contains(id) {
                pool.users.clear();
                pool.groups.clear();
            }
        }
        let mut orphans = 0_usize;
        for (key, group) in self.load::<Group>(kind::GROUP, true)?.rows {
            match pair(&key).and_then(|(pool, name)| Some((pools.get_mut(pool)?, name))) {
                Some((pool, name)) => {
                    pool.groups.insert(name.to_owned(), group);
                }
                None => orphans += 1,
            }
        }
        for (key, user) in self.load::<User>(kind::USER, true)?.rows {
            match pair(&key).and_then(|(pool, name)| Some((pools.get_mut(pool)?, name))) {
                Some((pool, name)) => {
                    pool.users.insert(name.to_owned(), user);
                }
                None => orphans += 1,
            }
        }
        if orphans > 0 {
            tracing::warn!(
                orphans,
                "the data directory has users or groups of user pools the spec no longer has; they are kept in the database but not served"
            );
        }
        state.user_pools.families = self.by_id::<Family, _>(kind::FAMILY)?;
        state.user_pools.refresh_tokens = self.by_id::<RefreshRecord, _>(kind::REFRESH)?;
        state.identity.identities = self.by_id::<Identity, _>(kind::IDENTITY)?;
        let logins = self.load::<String>(kind::LOGIN, true)?.rows;
        state.identity.logins = logins
            .into_iter()
            .filter_map(|(key, id)| {
                let (pool, login) = pair(&key)?;
                Some(((pool.to_owned(), login.to_owned()), id))
            })
            .collect();
        self.restore_outbox()
    }

    /// The rows of a kind keyed by one id, decoded and cached.
    fn by_id<T, C>(&self, kind: &'static str) -> Result<C, DataDirError>
    where
        T: serde::de::DeserializeOwned,
        C: FromIterator<(String, T)>,
    {
        Ok(self
            .load::<T>(kind, true)?
            .rows
            .into_iter()
            .filter_map(|(key, value)| Some((single(&key)?.to_owned(), value)))
            .collect())
    }

    /// The stored items of one [`Journal`](super::Journal) kind under `prefix`, by id.
    ///
    /// # Errors
    ///
    /// A read failure or a row that does not decode.
    pub(crate) fn items<T: serde::de::DeserializeOwned>(
        &self,
        kind: &'static str,
        prefix: Option<&str>,
    ) -> Result<BTreeMap<String, T>, DataDirError> {
        Ok(self
            .load::<T>(kind, false)?
            .rows
            .into_iter()
            .filter_map(|(key, value)| match (prefix, key.as_slice()) {
                (None, [id]) => Some((id.clone(), value)),
                (Some(p), [a, id]) if a == p => Some((id.clone(), value)),
                _ => None,
            })
            .collect())
    }
}
