//! `AttrMap`: the insertion-ordered, string-keyed namespace of modules,
//! classes and instances (`__dict__`).
//!
//! Small maps (the common case) are searched linearly; past
//! [`INDEX_THRESHOLD`] entries a hash index keeps lookups constant-time.
//! Iteration follows insertion order, never the index's.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use super::{PyStr, Value};

const INDEX_THRESHOLD: usize = 12;

#[derive(Default, Clone)]
pub struct AttrMap {
    entries: Vec<(Rc<PyStr>, Value)>,
    index: Option<HashMap<Box<str>, usize, BuildHasherDefault<NameHasher>>>,
}

/// A fast hash for attribute names (the multiply-rotate scheme of rustc's
/// FxHasher). The index is never iterated, so its hash is not observable;
/// names are short and trusted to spread well enough.
#[derive(Default)]
struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl AttrMap {
    pub fn new() -> Self {
        AttrMap::default()
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.entries.iter().position(|(k, _)| k.as_str() == name),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| &self.entries[i].1)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    pub fn insert(&mut self, name: Rc<PyStr>, value: Value) {
        if let Some(i) = self.position(name.as_str()) {
            self.entries[i].1 = value;
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(name.as_str().into(), self.entries.len());
        }
        self.entries.push((name, value));
        if self.index.is_none() && self.entries.len() > INDEX_THRESHOLD {
            self.rebuild_index();
        }
    }

    pub fn set(&mut self, name: &str, value: Value) {
        self.insert(Rc::new(PyStr::new(name)), value);
    }

    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.position(name)?;
        let (_, value) = self.entries.remove(i);
        if self.index.is_some() {
            self.rebuild_index();
        }
        Some(value)
    }

    fn rebuild_index(&mut self) {
        let index = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.as_str().into(), i))
            .collect();
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

    pub fn keys(&self) -> Vec<Rc<PyStr>> {
        self.entries.iter().map(|(k, _)| k.clone()).collect()
    }
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
    }
}
