//! Class namespaces that know when they change, and the lookup cache that
//! this makes safe.
//!
//! Looking a name up along a class's MRO (`Class::lookup`) is what every
//! method call and most attribute reads do, usually with the same few
//! (class, name) pairs. CPython keeps a global cache of such lookups keyed
//! by the type's version tag (Objects/typeobject.c `_PyType_Lookup`,
//! `MCACHE_*`); we do the same with one generation counter for all classes:
//! any change to any class namespace ([`ClassDict::borrow_mut`]) moves it
//! on and empties the cache. An MRO never changes after a class is made.
//!
//! The cache holds the classes and names of its entries, so a pointer it
//! compares cannot be reused by another object while the entry lives.
//! Its slot choice uses the names' deterministic hashes; it is never
//! iterated, and a hit returns exactly what the walk would.

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::rc::Rc;

use super::attrs::AttrMap;
use super::string::interned;
use super::{Class, PyStr, Value};

/// A class's namespace: a `RefCell<AttrMap>` whose mutable borrows empty
/// the lookup cache.
#[derive(Default)]
pub struct ClassDict(RefCell<AttrMap>);

impl ClassDict {
    pub fn new(map: AttrMap) -> Self {
        ClassDict(RefCell::new(map))
    }

    #[inline]
    pub fn borrow(&self) -> Ref<'_, AttrMap> {
        self.0.borrow()
    }

    /// A mutable borrow; every cached lookup is forgotten first.
    pub fn borrow_mut(&self) -> RefMut<'_, AttrMap> {
        forget_lookups();
        self.0.borrow_mut()
    }
}

const SLOTS: usize = 4096;

struct Entry {
    class: Rc<Class>,
    name: Rc<PyStr>,
    found: Option<Value>,
}

struct LookupCache {
    slots: Vec<Option<Entry>>,
    /// The slots in use, so emptying the cache costs what it holds.
    used: Vec<u16>,
}

thread_local! {
    static CACHE: RefCell<LookupCache> = const {
        RefCell::new(LookupCache {
            slots: Vec::new(),
            used: Vec::new(),
        })
    };
    /// Moves on whenever any class namespace may change.
    static GENERATION: Cell<u64> = const { Cell::new(1) };
}

/// The current class generation: facts derived from class namespaces are
/// valid while it stays the same.
#[inline]
pub fn generation() -> u64 {
    GENERATION.with(|g| g.get())
}

fn forget_lookups() {
    GENERATION.with(|g| g.set(g.get() + 1));
    // Entries are dropped after the borrow ends: dropping a value can run
    // no code here, but keep the cache's borrow short all the same.
    let dropped: Vec<Option<Entry>> = CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let cache = &mut *cache;
        let mut dropped = Vec::with_capacity(cache.used.len());
        for slot in cache.used.drain(..) {
            if let Some(entry) = cache.slots.get_mut(slot as usize) {
                dropped.push(entry.take());
            }
        }
        dropped
    });
    drop(dropped);
}

#[inline]
fn slot_for(class: &Class, hash: i64) -> usize {
    let mixed = (class.id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ hash as u64) as usize;
    (mixed ^ (mixed >> 17)) & (SLOTS - 1)
}

/// `class.lookup(name)` through the cache: `walk` is the real lookup,
/// run on a miss. `hash` is `str_hash(name)`; `shared` is the name as a
/// `PyStr` when the caller has one. Only interned names are remembered
/// (names made at run time would make the cache a leak).
pub fn cached_lookup(
    class: &Rc<Class>,
    name: &str,
    hash: i64,
    shared: Option<&Rc<PyStr>>,
    walk: impl FnOnce() -> Option<Value>,
) -> Option<Value> {
    let slot = slot_for(class, hash);
    let hit = CACHE.with(|cache| {
        let cache = cache.borrow();
        match cache.slots.get(slot) {
            Some(Some(entry)) if Rc::ptr_eq(&entry.class, class) => {
                let same = match shared {
                    Some(shared) => entry.name.same_text(shared),
                    None => entry.name.as_str() == name,
                };
                same.then(|| entry.found.clone())
            }
            _ => None,
        }
    });
    if let Some(found) = hit {
        return found;
    }
    let found = walk();
    let key = match shared {
        Some(shared) if shared.is_interned() => Some(shared.clone()),
        _ => interned(name),
    };
    if let Some(key) = key {
        let replaced = CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.slots.is_empty() {
                cache.slots.resize_with(SLOTS, || None);
            }
            let entry = Entry {
                class: class.clone(),
                name: key,
                found: found.clone(),
            };
            let previous = cache.slots.get_mut(slot).and_then(|s| s.replace(entry));
            if previous.is_none() {
                cache.used.push(slot as u16);
            }
            previous
        });
        drop(replaced);
    }
    found
}
