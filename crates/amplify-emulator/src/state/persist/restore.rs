//! Loading the stored state into a freshly built [`State`].

use std::collections::{BTreeMap, BTreeSet};

use super::{Persist, diff, kind};
use crate::credentials::StoredCredentials;
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
    /// groups of every pool the database knows (a pool new in the spec keeps its seeded ones,
    /// which are saved now), token families, refresh tokens, identities, logins, issued
    /// credentials and the outbox. Rows of pools the spec no longer has are left in the database
    /// untouched. From then on writes are tracked.
    ///
    /// # Errors
    ///
    /// A read or write failure, or a row that does not decode.
    pub(crate) fn restore_state(&self, state: &mut State) -> Result<(), DataDirError> {
        let known: BTreeSet<String> = self
            .load::<String>(kind::POOL)?
            .rows
            .into_iter()
            .filter_map(|(key, _)| single(&key).map(str::to_owned))
            .collect();
        let mut orphans = 0_usize;
        let mut groups = self.by_pool::<Group>(kind::GROUP, &known, &mut orphans)?;
        let mut users = self.by_pool::<User>(kind::USER, &known, &mut orphans)?;
        for (id, pool) in &mut state.user_pools.pools {
            if known.contains(id) {
                pool.groups.replace(groups.remove(id).unwrap_or_default());
                pool.users.replace(users.remove(id).unwrap_or_default());
            }
        }
        if orphans > 0 {
            tracing::warn!(
                orphans,
                "the data directory has users or groups of user pools the spec no longer has; they are kept in the database but not served"
            );
        }
        state
            .user_pools
            .families
            .replace(self.by_id::<Family>(kind::FAMILY)?);
        state
            .user_pools
            .refresh_tokens
            .replace(self.by_id::<RefreshRecord>(kind::REFRESH)?);
        state
            .identity
            .identities
            .replace(self.by_id::<Identity>(kind::IDENTITY)?);
        let logins = self.load::<String>(kind::LOGIN)?.rows;
        state.identity.logins.replace(
            logins
                .into_iter()
                .filter_map(|(key, id)| {
                    let (pool, login) = pair(&key)?;
                    Some(((pool.to_owned(), login.to_owned()), id))
                })
                .collect(),
        );
        for (_, stored) in self.by_id::<StoredCredentials>(kind::CREDENTIALS)? {
            self.credentials.insert(stored.into());
        }
        self.restore_outbox()?;
        // Pools new in the spec: their seeded users and groups (nothing else is new).
        self.save_everything(
            state,
            diff::Scope::Pools(&|pool| !known.contains(pool)),
            &[],
        )
    }

    /// The rows of a kind keyed by (pool id, name), decoded, by pool; rows of pools not in
    /// `known` are counted in `orphans`.
    fn by_pool<T: serde::de::DeserializeOwned>(
        &self,
        kind: &'static str,
        known: &BTreeSet<String>,
        orphans: &mut usize,
    ) -> Result<BTreeMap<String, BTreeMap<String, T>>, DataDirError> {
        let mut by_pool: BTreeMap<String, BTreeMap<String, T>> = BTreeMap::new();
        for (key, value) in self.load::<T>(kind)?.rows {
            match pair(&key) {
                Some((pool, name)) if known.contains(pool) => {
                    by_pool
                        .entry(pool.to_owned())
                        .or_default()
                        .insert(name.to_owned(), value);
                }
                _ => *orphans += 1,
            }
        }
        Ok(by_pool)
    }

    /// The rows of a kind keyed by one id, decoded.
    fn by_id<T: serde::de::DeserializeOwned>(
        &self,
        kind: &'static str,
    ) -> Result<BTreeMap<String, T>, DataDirError> {
        Ok(self
            .load::<T>(kind)?
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
            .load::<T>(kind)?
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
