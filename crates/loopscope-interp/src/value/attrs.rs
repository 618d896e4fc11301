//! `AttrMap`: the insertion-ordered, string-keyed namespace of modules,
//! classes and instances (`__dict__`).
//!
//! Small maps (the common case) are searched linearly; past
//! [`INDEX_THRESHOLD`] entries an open-addressing index over the names'
//! cached hashes keeps lookups constant-time. Names are compared with
//! [`PyStr::same_text`]: interned names (all those compiled code uses) by
//! identity. Iteration follows insertion order, never the index's.
//!
//! Each map carries a *layout version*: a number drawn from one counter
//! per thread whenever its sequence of keys changes (a key added or
//! removed). Two maps with the same version hold the same keys at the same
//! positions (a clone keeps its original's number until either changes),
//! so an inline cache that remembers a version and a position can read the
//! value there without searching (CPython 3.11's dict keys version,
//! `_PyDictKeys_GetVersionForCurrentState`, used by LOAD_GLOBAL_MODULE).

use std::cell::Cell;
use std::rc::Rc;

use super::string::{intern, str_hash};
use super::{PyStr, Value};

const INDEX_THRESHOLD: usize = 12;

/// No entry in this index slot.
const EMPTY: u32 = u32::MAX;

#[derive(Default, Clone)]
pub struct AttrMap {
    entries: Vec<(Rc<PyStr>, Value)>,
    /// Slots holding entry positions, probed linearly from `hash & mask`;
    /// at most half full.
    index: Option<Box<[u32]>>,
    /// The layout version (see the module's doc); 0 for a map that never
    /// had a key.
    layout: u64,
}

thread_local! {
    /// The last layout version handed out.
    static LAYOUT_VERSIONS: Cell<u64> = const { Cell::new(0) };
}

/// A layout version no map had before.
fn fresh_layout() -> u64 {
    LAYOUT_VERSIONS.with(|counter| {
        let next = counter.get() + 1;
        counter.set(next);
        next
    })
}

impl AttrMap {
    pub fn new() -> Self {
        AttrMap::default()
    }

    /// An empty map with room for `capacity` entries (for objects whose
    /// attributes are known in advance: asyncio's handles and futures).
    pub fn with_capacity(capacity: usize) -> Self {
        AttrMap {
            entries: Vec::with_capacity(capacity),
            ..AttrMap::default()
        }
    }

    /// Where the entry for a name is, by the name's text.
    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => self.probe(index, str_hash(name), |key| key.as_str() == name),
            None => self.entries.iter().position(|(k, _)| k.as_str() == name),
        }
    }

    /// Where the entry for a name is; cheaper than [`Self::position`] for
    /// interned names and for names whose hash is cached.
    #[inline]
    fn position_of(&self, name: &PyStr) -> Option<usize> {
        match &self.index {
            Some(index) => self.probe(index, name.hash(), |key| key.same_text(name)),
            None => self.entries.iter().position(|(k, _)| k.same_text(name)),
        }
    }

    fn probe(&self, index: &[u32], hash: i64, matches: impl Fn(&PyStr) -> bool) -> Option<usize> {
        let mask = index.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            let at = *index.get(slot)?;
            if at == EMPTY {
                return None;
            }
            let (key, _) = self.entries.get(at as usize)?;
            if matches(key) {
                return Some(at as usize);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The layout version: equal versions mean the same keys at the same
    /// positions.
    #[inline]
    pub fn layout(&self) -> u64 {
        self.layout
    }

    /// Where a name is, for an inline cache to remember with the layout.
    #[inline]
    pub fn position_of_name(&self, name: &PyStr) -> Option<usize> {
        self.position_of(name)
    }

    /// The value at a position (one a cache remembered for this layout).
    #[inline]
    pub fn value_at(&self, position: usize) -> Option<&Value> {
        self.entries.get(position).map(|(_, value)| value)
    }

    /// The value at a position if the key there is `name`: a cache's
    /// remembered position, checked without knowing the layout.
    #[inline]
    pub fn value_at_if_named(&self, position: usize, name: &PyStr) -> Option<&Value> {
        match self.entries.get(position) {
            Some((key, value)) if key.same_text(name) => Some(value),
            _ => None,
        }
    }

    /// Replaces the value at a position if the key there is `name`; gives
    /// the old value back (for the caller to drop), or the new one when
    /// the key is elsewhere.
    #[inline]
    pub fn replace_at_if_named(
        &mut self,
        position: usize,
        name: &PyStr,
        value: Value,
    ) -> Result<Value, Value> {
        match self.entries.get_mut(position) {
            Some((key, slot)) if key.same_text(name) => Ok(std::mem::replace(slot, value)),
            _ => Err(value),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| &self.entries[i].1)
    }

    /// The value stored under a name given as a `PyStr` (the fast path).
    #[inline]
    pub fn get_name(&self, name: &PyStr) -> Option<&Value> {
        self.position_of(name).map(|i| &self.entries[i].1)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    pub fn insert(&mut self, name: Rc<PyStr>, value: Value) {
        if let Some(i) = self.position_of(&name) {
            self.entries[i].1 = value;
            return;
        }
        self.entries.push((name, value));
        self.layout = fresh_layout();
        match &self.index {
            Some(index) if self.entries.len() * 2 <= index.len() => {
                let at = self.entries.len() - 1;
                let hash = self.entries[at].0.hash();
                if let Some(index) = &mut self.index {
                    place(index, hash, at);
                }
            }
            Some(_) => self.rebuild_index(),
            None if self.entries.len() > INDEX_THRESHOLD => self.rebuild_index(),
            None => {}
        }
    }

    /// Stores under a name given as text (interned: these are the names
    /// built-in namespaces define).
    pub fn set(&mut self, name: &str, value: Value) {
        self.insert(intern(name), value);
    }

    /// Puts a new value under a name already present, returning the old
    /// one; the entry keeps its place (and the index stays valid).
    pub fn replace(&mut self, name: &PyStr, value: Value) -> Option<Value> {
        let at = self.position_of(name)?;
        let (_, slot) = self.entries.get_mut(at)?;
        Some(std::mem::replace(slot, value))
    }

    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.position(name)?;
        let (_, value) = self.entries.remove(i);
        self.layout = fresh_layout();
        if self.index.is_some() {
            self.rebuild_index();
        }
        Some(value)
    }

    fn rebuild_index(&mut self) {
        if self.entries.len() <= INDEX_THRESHOLD {
            self.index = None;
            return;
        }
        let size = (self.entries.len() * 4).next_power_of_two();
        let mut index = vec![EMPTY; size].into_boxed_slice();
        for (at, (key, _)) in self.entries.iter().enumerate() {
            place(&mut index, key.hash(), at);
        }
        self.index = Some(index);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Rc<PyStr>, Value)> {
        self.entries.iter()
    }

    /// The values, in order, giving up the map.
    pub fn into_values(self) -> Vec<Value> {
        self.entries.into_iter().map(|(_, value)| value).collect()
    }

    pub fn keys(&self) -> Vec<Rc<PyStr>> {
        self.entries.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// Puts entry position `at` into the first free slot for `hash`.
fn place(index: &mut [u32], hash: i64, at: usize) {
    let mask = index.len() - 1;
    let mut slot = hash as usize & mask;
    while index[slot] != EMPTY {
        slot = (slot + 1) & mask;
    }
    index[slot] = at as u32;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_insertion_order_through_the_index() {
        let mut map = AttrMap::new();
        for i in 0..40 {
            map.set(&format!("n{i}"), Value::Int(i));
        }
        map.set("n3", Value::Int(-3));
        assert!(map.remove("n0").is_some());
        let names: Vec<String> = map
            .iter()
            .take(3)
            .map(|(k, _)| k.as_str().to_string())
            .collect();
        assert_eq!(names, ["n1", "n2", "n3"]);
        assert!(matches!(map.get("n3"), Some(Value::Int(-3))));
        assert!(map.get("n0").is_none());
        assert_eq!(map.len(), 39);
        for i in 1..40 {
            let name = PyStr::new(&format!("n{i}"));
            assert!(map.get_name(&name).is_some(), "n{i}");
            assert!(map.get_name(&intern(&format!("n{i}"))).is_some());
        }
        assert!(map.get_name(&PyStr::new("n0")).is_none());
    }
}
