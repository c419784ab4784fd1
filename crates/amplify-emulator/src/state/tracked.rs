//! [`Tracked`]: a map that remembers which keys were written, so that the data directory saves
//! only those rows after a transaction (see [`persist`](super::persist)).

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

/// A `BTreeMap` whose writes go through [`get_mut`](Self::get_mut), [`insert`](Self::insert)
/// and [`remove`](Self::remove), which record the key while tracking is on (with a data
/// directory). Reads go through `Deref` to the map. There is no `DerefMut`, `values_mut` or
/// `iter_mut`: a write the data directory would not see does not compile.
///
/// Without tracking (in memory only) a write costs one branch more than the plain map's.
#[derive(Debug, Clone)]
pub(crate) struct Tracked<K: Ord, V> {
    map: BTreeMap<K, V>,
    /// Keys written since the last save; `None` while not tracking.
    dirty: Option<BTreeSet<K>>,
}

impl<K: Ord, V> Default for Tracked<K, V> {
    fn default() -> Self {
        Self {
            map: BTreeMap::new(),
            dirty: None,
        }
    }
}

impl<K: Ord, V> std::ops::Deref for Tracked<K, V> {
    type Target = BTreeMap<K, V>;

    fn deref(&self) -> &BTreeMap<K, V> {
        &self.map
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a Tracked<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::collections::btree_map::Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.map.iter()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for Tracked<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            map: iter.into_iter().collect(),
            dirty: None,
        }
    }
}

impl<K: Ord + Clone, V> Tracked<K, V> {
    /// Starts recording writes (the data directory is open and holds what the map holds).
    pub(crate) fn track(&mut self) {
        self.dirty.get_or_insert_with(BTreeSet::new);
    }

    fn mark<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Ord + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(dirty) = &mut self.dirty
            && !dirty.contains(key)
        {
            dirty.insert(key.to_owned());
        }
    }

    /// The value at `key`, to change it (the key is recorded when it exists).
    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ToOwned<Owned = K> + ?Sized,
    {
        let value = self.map.get_mut(key)?;
        if let Some(dirty) = &mut self.dirty
            && !dirty.contains(key)
        {
            dirty.insert(key.to_owned());
        }
        Some(value)
    }

    /// Inserts or replaces the value at `key`.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        if let Some(dirty) = &mut self.dirty {
            dirty.insert(key.clone());
        }
        self.map.insert(key, value)
    }

    /// Removes the value at `key`.
    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ToOwned<Owned = K> + ?Sized,
    {
        let removed = self.map.remove(key);
        if removed.is_some() {
            self.mark(key);
        }
        removed
    }

    /// Changes every value `select` picks (each picked key is recorded).
    pub(crate) fn update_where(
        &mut self,
        select: impl Fn(&V) -> bool,
        mut update: impl FnMut(&mut V),
    ) {
        for (key, value) in &mut self.map {
            if select(value) {
                if let Some(dirty) = &mut self.dirty {
                    dirty.insert(key.clone());
                }
                update(value);
            }
        }
    }

    /// The keys written since [`clear_dirty`](Self::clear_dirty) (none while not tracking).
    pub(crate) fn dirty(&self) -> impl Iterator<Item = &K> {
        self.dirty.iter().flatten()
    }

    /// Forgets the recorded keys (after they were saved).
    pub(crate) fn clear_dirty(&mut self) {
        if let Some(dirty) = &mut self.dirty {
            dirty.clear();
        }
    }

    /// Replaces the contents without recording anything (loading the data directory).
    pub(crate) fn replace(&mut self, map: BTreeMap<K, V>) {
        self.map = map;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_recorded_only_while_tracking() {
        let mut map: Tracked<String, u32> = Tracked::default();
        map.insert("a".into(), 1);
        assert_eq!(map.dirty().count(), 0);
        map.track();
        map.insert("b".into(), 2);
        if let Some(v) = map.get_mut("a") {
            *v += 1;
        }
        assert!(map.get_mut("missing").is_none());
        map.remove("gone");
        assert_eq!(map.dirty().cloned().collect::<Vec<_>>(), ["a", "b"]);
        map.clear_dirty();
        map.update_where(|v| *v == 2, |v| *v = 20);
        map.remove("b");
        assert_eq!(map.dirty().cloned().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(map.get("a"), Some(&20));
        assert!(!map.contains_key("b"));
    }
}
