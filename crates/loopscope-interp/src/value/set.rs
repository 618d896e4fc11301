//! `set` / `frozenset`: CPython's hash table, slot for slot.
//!
//! The order in which a set iterates (and so prints) is the order of its
//! table slots, which depends on the hashes, the probing sequence, the
//! table size and when it resizes. Students print sets, so this follows
//! CPython 3.11's Objects/setobject.c: linear probes of 9 slots then
//! perturbed jumps (`set_add_entry`, `set_lookkey`), dummies left by
//! deletion, resizing when `fill*5 >= mask*3` to `used*4` (`used*2` past
//! 50,000), and `set_insert_clean` when rebuilding.

use std::cell::Cell;

use super::hash::native_eq;
use super::{PyResult, Value};
use crate::vm::Vm;

/// `PySet_MINSIZE`.
const MIN_SIZE: usize = 8;
/// `LINEAR_PROBES`.
const LINEAR_PROBES: usize = 9;
/// `PERTURB_SHIFT`.
const PERTURB_SHIFT: u32 = 5;

#[derive(Clone)]
pub enum Slot {
    Empty,
    Dummy,
    Active(i64, Value),
}

#[derive(Clone)]
pub struct PySet {
    slots: Vec<Slot>,
    /// Active plus dummy slots.
    fill: usize,
    /// Active slots.
    used: usize,
    /// Where `pop` looks next (`so->finger`).
    finger: usize,
    generation: Cell<u64>,
}

impl Default for PySet {
    fn default() -> Self {
        PySet::new()
    }
}

/// What a lookup needs from the caller: whether two keys are equal. For
/// keys that compare natively this never calls Python.
fn keys_equal(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    if a.is(b) {
        return Ok(true);
    }
    match native_eq(a, b) {
        Some(answer) => Ok(answer),
        None => vm.values_equal(a, b),
    }
}

impl PySet {
    pub fn new() -> Self {
        PySet {
            slots: vec![Slot::Empty; MIN_SIZE],
            fill: 0,
            used: 0,
            finger: 0,
            generation: Cell::new(0),
        }
    }

    pub fn len(&self) -> usize {
        self.used
    }

    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    pub fn generation(&self) -> u64 {
        self.generation.get()
    }

    fn bump(&self) {
        self.generation.set(self.generation.get() + 1);
    }

    /// The slots, in table order (iteration order).
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// Active keys in iteration order.
    pub fn keys(&self) -> Vec<Value> {
        self.slots
            .iter()
            .filter_map(|s| match s {
                Slot::Active(_, k) => Some(k.clone()),
                _ => None,
            })
            .collect()
    }

    /// Active (hash, key) pairs in iteration order.
    pub fn entries(&self) -> Vec<(i64, Value)> {
        self.slots
            .iter()
            .filter_map(|s| match s {
                Slot::Active(h, k) => Some((*h, k.clone())),
                _ => None,
            })
            .collect()
    }

    /// The next active key at or after a slot index, with the index after it.
    pub fn entry_from(&self, position: usize) -> Option<(usize, Value)> {
        let mut i = position;
        while i < self.slots.len() {
            if let Slot::Active(_, k) = &self.slots[i] {
                return Some((i + 1, k.clone()));
            }
            i += 1;
        }
        None
    }

    /// The frozenset hash of this table.
    pub fn frozen_hash(&self) -> i64 {
        let hashes = self.slots.iter().map(|s| match s {
            Slot::Active(h, _) => *h,
            Slot::Dummy => -1,
            Slot::Empty => 0,
        });
        let empty = self.slots.len() - self.fill;
        super::hash::hash_frozenset(hashes, empty, self.fill - self.used, self.used)
    }

    /// `set_lookkey`: is the key present?
    pub fn contains(&self, vm: &mut Vm, key: &Value, hash: i64) -> PyResult<bool> {
        Ok(self.find(vm, key, hash)?.is_some())
    }

    fn find(&self, vm: &mut Vm, key: &Value, hash: i64) -> PyResult<Option<usize>> {
        'restart: loop {
            let generation = self.generation.get();
            let mask = self.mask();
            let mut i = hash as u64 as usize & mask;
            let mut perturb = hash as u64;
            loop {
                let mut entry = i;
                let mut probes = if i + LINEAR_PROBES <= mask {
                    LINEAR_PROBES
                } else {
                    0
                };
                loop {
                    match &self.slots[entry] {
                        Slot::Empty => return Ok(None),
                        Slot::Active(h, k) if *h == hash => {
                            let k = k.clone();
                            if keys_equal(vm, &k, key)? {
                                return Ok(Some(entry));
                            }
                            if self.generation.get() != generation {
                                continue 'restart;
                            }
                        }
                        _ => {}
                    }
                    entry += 1;
                    if probes == 0 {
                        break;
                    }
                    probes -= 1;
                }
                perturb >>= PERTURB_SHIFT;
                i = (i
                    .wrapping_mul(5)
                    .wrapping_add(1)
                    .wrapping_add(perturb as usize))
                    & mask;
            }
        }
    }

    /// `set_add_entry`. Returns whether the key was new.
    pub fn add(&mut self, vm: &mut Vm, key: Value, hash: i64) -> PyResult<bool> {
        'restart: loop {
            let generation = self.generation.get();
            let mask = self.mask();
            let mut i = hash as u64 as usize & mask;
            let mut perturb = hash as u64;
            let mut free_slot: Option<usize> = None;
            let found_unused = loop {
                let mut entry = i;
                let mut probes = if i + LINEAR_PROBES <= mask {
                    LINEAR_PROBES
                } else {
                    0
                };
                let mut unused = None;
                loop {
                    match &self.slots[entry] {
                        Slot::Empty => {
                            unused = Some(entry);
                            break;
                        }
                        Slot::Active(h, k) if *h == hash => {
                            let k = k.clone();
                            if keys_equal(vm, &k, &key)? {
                                return Ok(false);
                            }
                            if self.generation.get() != generation {
                                continue 'restart;
                            }
                        }
                        Slot::Dummy => {
                            free_slot.get_or_insert(entry);
                        }
                        Slot::Active(..) => {}
                    }
                    entry += 1;
                    if probes == 0 {
                        break;
                    }
                    probes -= 1;
                }
                if let Some(unused) = unused {
                    break unused;
                }
                perturb >>= PERTURB_SHIFT;
                i = (i
                    .wrapping_mul(5)
                    .wrapping_add(1)
                    .wrapping_add(perturb as usize))
                    & mask;
            };
            self.bump();
            if let Some(free) = free_slot {
                self.used += 1;
                self.slots[free] = Slot::Active(hash, key);
                return Ok(true);
            }
            self.fill += 1;
            self.used += 1;
            self.slots[found_unused] = Slot::Active(hash, key);
            if self.fill * 5 >= mask * 3 {
                let min_used = if self.used > 50000 {
                    self.used * 2
                } else {
                    self.used * 4
                };
                self.resize(min_used);
            }
            return Ok(true);
        }
    }

    /// `set_table_resize`.
    pub fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.slots, vec![Slot::Empty; size]);
        self.fill = self.used;
        let mask = size - 1;
        for slot in old {
            if let Slot::Active(hash, key) = slot {
                Self::insert_clean(&mut self.slots, mask, hash, key);
            }
        }
        self.bump();
    }

    /// `set_insert_clean`: insert into a table known not to hold the key
    /// and to have no dummies.
    fn insert_clean(slots: &mut [Slot], mask: usize, hash: i64, key: Value) {
        let mut perturb = hash as u64;
        let mut i = hash as u64 as usize & mask;
        loop {
            if matches!(slots[i], Slot::Empty) {
                slots[i] = Slot::Active(hash, key);
                return;
            }
            if i + LINEAR_PROBES <= mask {
                for j in 1..=LINEAR_PROBES {
                    if matches!(slots[i + j], Slot::Empty) {
                        slots[i + j] = Slot::Active(hash, key);
                        return;
                    }
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    /// `set_discard_entry`. Returns whether the key was there.
    pub fn discard(&mut self, vm: &mut Vm, key: &Value, hash: i64) -> PyResult<bool> {
        match self.find(vm, key, hash)? {
            Some(entry) => {
                self.slots[entry] = Slot::Dummy;
                self.used -= 1;
                self.bump();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// `set_pop`: removes an arbitrary element, scanning from the finger.
    pub fn pop(&mut self) -> Option<Value> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.finger & mask;
        while !matches!(self.slots[i], Slot::Active(..)) {
            i += 1;
            if i > mask {
                i = 0;
            }
        }
        let Slot::Active(_, key) = std::mem::replace(&mut self.slots[i], Slot::Dummy) else {
            return None;
        };
        self.used -= 1;
        self.finger = i + 1;
        self.bump();
        Some(key)
    }

    pub fn clear(&mut self) {
        *self = PySet::new();
        self.bump();
    }

    /// `set_merge`: adds every key of another table, with CPython's fast
    /// paths (which decide the resulting slot order).
    pub fn merge(&mut self, vm: &mut Vm, other: &PySet) -> PyResult<()> {
        if other.used == 0 {
            return Ok(());
        }
        if (self.fill + other.used) * 5 >= self.mask() * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.mask() == other.mask() && other.fill == other.used {
            self.slots = other.slots.clone();
            self.fill = other.fill;
            self.used = other.used;
            self.bump();
            return Ok(());
        }
        if self.fill == 0 {
            let mask = self.mask();
            self.fill = other.used;
            self.used = other.used;
            for slot in &other.slots {
                if let Slot::Active(hash, key) = slot {
                    Self::insert_clean(&mut self.slots, mask, *hash, key.clone());
                }
            }
            self.bump();
            return Ok(());
        }
        for (hash, key) in other.entries() {
            self.add(vm, key, hash)?;
        }
        Ok(())
    }
}
