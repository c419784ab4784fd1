//! Identity pool state: the pools and the identities with their linked logins.

use std::collections::{BTreeMap, BTreeSet};

use super::tracked::Tracked;
use crate::spec::IdentityPoolSpec;

/// All identity pools.
#[derive(Debug, Default)]
pub(crate) struct IdentityPools {
    pub(crate) pools: BTreeMap<String, IdentityPool>,
    pub(crate) identities: Tracked<String, Identity>,
    /// (pool id, login key) → identity id.
    pub(crate) logins: Tracked<(String, String), String>,
}

/// One identity pool.
#[derive(Debug, Clone)]
pub(crate) struct IdentityPool {
    pub(crate) id: String,
    pub(crate) region: String,
    pub(crate) spec: IdentityPoolSpec,
}

/// One identity: its pool, linked logins and timestamps (epoch seconds).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Identity {
    pub(crate) pool_id: String,
    pub(crate) logins: BTreeSet<String>,
    pub(crate) created: f64,
    pub(crate) modified: f64,
}
