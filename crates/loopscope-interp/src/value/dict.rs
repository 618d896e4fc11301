//! `dict`: insertion-ordered, like CPython's compact dict: a dense vector
//! of entries in insertion order plus an open-addressing index into it.
//!
//! Keys may be instances whose `__eq__` is Python code, which may in turn
//! touch this very dict. So a lookup never holds the table borrowed while
//! it calls Python: it copies the candidate key out, compares, and starts
//! over if the table changed meanwhile (a generation counter tells).

use std::cell::{Cell, RefCell};

use super::hash::{native_eq, native_hash};
use super::{PyResult, Value};
use crate::vm::Vm;

const EMPTY: u32 = u32::MAX;
const DUMMY: u32 = u32::MAX - 1;
const PERTURB_SHIFT: u32 = 5;

#[derive(Clone)]
struct Entry {
    hash: i64,
    key: Value,
    value: Value,
}

#[derive(Default)]
struct Table {
    entries: Vec<Option<Entry>>,
    indices: Vec<u32>,
    len: usize,
}

#[derive(Default)]
pub struct PyDict {
    table: RefCell<Table>,
    /// Bumped on every structural change; iterators and lookups compare it.
    generation: Cell<u64>,
    /// The dict is the copy of a module's names that `globals()` gives:
    /// changing it would not change the module, so it refuses.
    globals_copy: Cell<bool>,
}

enum Probe {
    Found { slot: usize, entry: usize },
    Vacant { slot: usize },
}

impl Table {
    fn mask(&self) -> usize {
        self.indices.len() - 1
    }

    fn resize(&mut self, min_len: usize) {
        let mut size = 8;
        while size * 2 < min_len * 3 {
            size <<= 1;
        }
        // Compact the entries while rebuilding the index.
        let entries: Vec<Option<Entry>> = std::mem::take(&mut self.entries)
            .into_iter()
            .filter(|e| e.is_some())
            .collect();
        self.indices = vec![EMPTY; size];
        let mask = size - 1;
        for (i, entry) in entries.iter().enumerate() {
            let hash = entry.as_ref().map(|e| e.hash).unwrap_or(0);
            let mut slot = hash as u64 as usize & mask;
            let mut perturb = hash as u64;
            while self.indices[slot] != EMPTY {
                perturb >>= PERTURB_SHIFT;
                slot = (slot
                    .wrapping_mul(5)
                    .wrapping_add(1)
                    .wrapping_add(perturb as usize))
                    & mask;
            }
            self.indices[slot] = i as u32;
        }
        self.entries = entries;
    }
}

impl PyDict {
    pub fn new() -> Self {
        PyDict::default()
    }

    pub fn len(&self) -> usize {
        self.table.borrow().len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn generation(&self) -> u64 {
        self.generation.get()
    }

    /// Marks the dict as `globals()`'s copy of a module's names.
    pub fn mark_globals_copy(&self) {
        self.globals_copy.set(true);
    }

    /// Refuses a change to `globals()`'s copy: the program would expect
    /// the module's variables to change, and they would not (an
    /// `unsupported` ending rather than a silently different run).
    pub fn check_writable(&self, vm: &mut Vm) -> PyResult<()> {
        if self.globals_copy.get() {
            return Err(vm.unsupported("changing variables through globals()"));
        }
        Ok(())
    }

    fn bump(&self) {
        self.generation.set(self.generation.get() + 1);
    }

    /// Finds the slot for a key. Calls Python `__eq__` only with the table
    /// released, and starts over if that call changed the table.
    fn probe(&self, vm: &mut Vm, key: &Value, hash: i64) -> PyResult<Probe> {
        'restart: loop {
            let generation = self.generation.get();
            let mask = {
                let table = self.table.borrow();
                if table.indices.is_empty() {
                    return Ok(Probe::Vacant { slot: 0 });
                }
                table.mask()
            };
            let mut slot = hash as u64 as usize & mask;
            let mut perturb = hash as u64;
            let mut first_dummy = None;
            loop {
                let needs_python = {
                    let table = self.table.borrow();
                    match table.indices[slot] {
                        EMPTY => {
                            return Ok(Probe::Vacant {
                                slot: first_dummy.unwrap_or(slot),
                            })
                        }
                        DUMMY => {
                            first_dummy.get_or_insert(slot);
                            None
                        }
                        index => {
                            let entry = table.entries[index as usize]
                                .as_ref()
                                .expect("indexed entry");
                            if entry.hash != hash {
                                None
                            } else if entry.key.is(key) {
                                return Ok(Probe::Found {
                                    slot,
                                    entry: index as usize,
                                });
                            } else {
                                match native_eq(&entry.key, key) {
                                    Some(true) => {
                                        return Ok(Probe::Found {
                                            slot,
                                            entry: index as usize,
                                        })
                                    }
                                    Some(false) => None,
                                    None => Some((entry.key.clone(), index as usize)),
                                }
                            }
                        }
                    }
                };
                if let Some((candidate, index)) = needs_python {
                    let equal = vm.values_equal(&candidate, key)?;
                    if self.generation.get() != generation {
                        continue 'restart;
                    }
                    if equal {
                        return Ok(Probe::Found { slot, entry: index });
                    }
                }
                perturb >>= PERTURB_SHIFT;
                slot = (slot
                    .wrapping_mul(5)
                    .wrapping_add(1)
                    .wrapping_add(perturb as usize))
                    & mask;
            }
        }
    }

    pub fn get(&self, vm: &mut Vm, key: &Value) -> PyResult<Option<Value>> {
        let hash = vm.hash_value(key)?;
        self.get_hashed(vm, key, hash)
    }

    pub fn get_hashed(&self, vm: &mut Vm, key: &Value, hash: i64) -> PyResult<Option<Value>> {
        Ok(match self.probe(vm, key, hash)? {
            Probe::Found { entry, .. } => self.table.borrow().entries[entry]
                .as_ref()
                .map(|e| e.value.clone()),
            Probe::Vacant { .. } => None,
        })
    }

    /// Lookup by a string key without a VM (keys that are `str` compare
    /// natively).
    pub fn get_str(&self, name: &str) -> Option<Value> {
        let key = Value::str(name);
        let hash = native_hash(&key)?;
        let table = self.table.borrow();
        if table.indices.is_empty() {
            return None;
        }
        let mask = table.mask();
        let mut slot = hash as u64 as usize & mask;
        let mut perturb = hash as u64;
        loop {
            match table.indices[slot] {
                EMPTY => return None,
                DUMMY => {}
                index => {
                    let entry = table.entries[index as usize].as_ref()?;
                    if entry.hash == hash && native_eq(&entry.key, &key) == Some(true) {
                        return Some(entry.value.clone());
                    }
                }
            }
            perturb >>= PERTURB_SHIFT;
            slot = (slot
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    pub fn contains(&self, vm: &mut Vm, key: &Value) -> PyResult<bool> {
        let hash = vm.hash_value(key)?;
        Ok(matches!(self.probe(vm, key, hash)?, Probe::Found { .. }))
    }

    pub fn set(&self, vm: &mut Vm, key: Value, value: Value) -> PyResult<()> {
        let hash = vm.hash_value(&key)?;
        self.set_hashed(vm, key, hash, value)
    }

    pub fn set_hashed(&self, vm: &mut Vm, key: Value, hash: i64, value: Value) -> PyResult<()> {
        self.check_writable(vm)?;
        match self.probe(vm, &key, hash)? {
            Probe::Found { entry, .. } => {
                let mut table = self.table.borrow_mut();
                if let Some(e) = table.entries[entry].as_mut() {
                    // CPython keeps the original key object.
                    e.value = value;
                }
            }
            Probe::Vacant { slot } => {
                let mut table = self.table.borrow_mut();
                if table.indices.is_empty()
                    || (table.entries.len() + 1) * 3 >= table.indices.len() * 2
                {
                    let want = table.len + 1;
                    let grow = want.max(table.len * 2);
                    table.resize(grow);
                    drop(table);
                    self.bump();
                    return self.set_hashed(vm, key, hash, value);
                }
                let index = table.entries.len() as u32;
                table.entries.push(Some(Entry { hash, key, value }));
                table.indices[slot] = index;
                table.len += 1;
                drop(table);
                self.bump();
            }
        }
        Ok(())
    }

    /// Inserts a string key (no Python code can run).
    pub fn set_str(&self, vm: &mut Vm, name: &str, value: Value) {
        // str keys hash and compare natively, so this cannot fail.
        let _ = self.set(vm, Value::str(name), value);
    }

    pub fn remove(&self, vm: &mut Vm, key: &Value) -> PyResult<Option<Value>> {
        self.check_writable(vm)?;
        let hash = vm.hash_value(key)?;
        self.remove_hashed(vm, key, hash)
    }

    /// [`Self::remove`] with the key's hash already known.
    pub fn remove_hashed(&self, vm: &mut Vm, key: &Value, hash: i64) -> PyResult<Option<Value>> {
        self.check_writable(vm)?;
        match self.probe(vm, key, hash)? {
            Probe::Found { slot, entry } => {
                let mut table = self.table.borrow_mut();
                table.indices[slot] = DUMMY;
                let removed = table.entries[entry].take().map(|e| e.value);
                table.len -= 1;
                drop(table);
                self.bump();
                Ok(removed)
            }
            Probe::Vacant { .. } => Ok(None),
        }
    }

    /// Removes and returns the last inserted item (`popitem`).
    pub fn pop_last(&self) -> Option<(Value, Value)> {
        let mut table = self.table.borrow_mut();
        while let Some(last) = table.entries.pop() {
            if let Some(entry) = last {
                let index = table.entries.len() as u32;
                if let Some(slot) = table.indices.iter().position(|&i| i == index) {
                    table.indices[slot] = DUMMY;
                }
                table.len -= 1;
                drop(table);
                self.bump();
                return Some((entry.key, entry.value));
            }
        }
        None
    }

    pub fn clear(&self) {
        *self.table.borrow_mut() = Table::default();
        self.bump();
    }

    /// The entry at a position of the dense vector, skipping holes:
    /// returns the item and the next position. Iterators walk with this.
    pub fn entry_from(&self, position: usize) -> Option<(usize, Value, Value)> {
        let table = self.table.borrow();
        let mut i = position;
        while i < table.entries.len() {
            if let Some(e) = &table.entries[i] {
                return Some((i + 1, e.key.clone(), e.value.clone()));
            }
            i += 1;
        }
        None
    }

    pub fn keys(&self) -> Vec<Value> {
        self.table
            .borrow()
            .entries
            .iter()
            .flatten()
            .map(|e| e.key.clone())
            .collect()
    }

    pub fn values(&self) -> Vec<Value> {
        self.table
            .borrow()
            .entries
            .iter()
            .flatten()
            .map(|e| e.value.clone())
            .collect()
    }

    pub fn items(&self) -> Vec<(Value, Value)> {
        self.table
            .borrow()
            .entries
            .iter()
            .flatten()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect()
    }

    /// Items with their stored hashes, for copying without rehashing.
    pub fn hashed_items(&self) -> Vec<(i64, Value, Value)> {
        self.table
            .borrow()
            .entries
            .iter()
            .flatten()
            .map(|e| (e.hash, e.key.clone(), e.value.clone()))
            .collect()
    }

    pub fn copy(&self) -> PyDict {
        let table = self.table.borrow();
        let copy = PyDict::new();
        let mut new_table = Table {
            entries: table.entries.iter().flatten().cloned().map(Some).collect(),
            indices: Vec::new(),
            len: table.len,
        };
        new_table.resize(new_table.len.max(1));
        *copy.table.borrow_mut() = new_table;
        copy
    }
}
