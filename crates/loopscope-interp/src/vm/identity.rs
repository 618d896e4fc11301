//! Deterministic identities for objects that carry no id of their own.
//!
//! CPython's `id()`, the default `hash()` and reprs like
//! `<function f at 0x7f...>` show an object's memory address. Addresses
//! differ from run to run (and between the CLI and wasm), and Loopscope
//! promises byte-identical runs, so objects are numbered instead: those
//! with an id (instances, classes, generators, natives) use it; the others
//! get the next sequential id the first time anyone asks.
//!
//! The table remembers each numbered object by address, holding a `Weak`:
//! that pins the allocation, so no other object can take the address
//! while the entry lives, and tells whether the object is still alive.
//! Dead entries are dropped now and then. Nothing iterates the map in a
//! way a program can see.

use std::any::Any;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use super::Vm;
use crate::value::Value;

#[derive(Default)]
pub struct IdentityTable {
    by_address: HashMap<usize, (Weak<dyn Any>, u64)>,
    /// Entries after the last pruning of dead ones; pruning again waits
    /// until the table has doubled.
    pruned_size: usize,
}

/// A weak reference to the object behind a value, with its address.
fn weak_of(value: &Value) -> Option<(usize, Weak<dyn Any>)> {
    fn weak<T: Any>(rc: &Rc<T>) -> (usize, Weak<dyn Any>) {
        (
            Rc::as_ptr(rc) as *const u8 as usize,
            Rc::downgrade(rc) as Weak<dyn Any>,
        )
    }
    Some(match value {
        Value::BigInt(x) => weak(x),
        Value::Str(x) => weak(x),
        Value::Bytes(x) => weak(x),
        Value::List(x) => weak(x),
        Value::Tuple(x) => weak(x),
        Value::Dict(x) => weak(x),
        Value::Set(x) | Value::FrozenSet(x) => weak(x),
        Value::Range(x) => weak(x),
        Value::Slice(x) => weak(x),
        Value::Function(x) => weak(x),
        Value::BoundMethod(x) => weak(x),
        Value::Builtin(x) => weak(x),
        Value::Module(x) => weak(x),
        Value::Iterator(x) => weak(x),
        Value::Code(x) => weak(x),
        _ => return None,
    })
}

impl Vm {
    /// The object's sequential identity, the same in every run of the
    /// program: what `id()`, default hashes and default reprs are made
    /// of. None for values that are not objects with an identity here
    /// (small values: `None`, bools, ints, floats).
    pub fn identity(&mut self, value: &Value) -> Option<u64> {
        match value {
            Value::Instance(i) => return Some(i.id),
            Value::Native(n) => return Some(n.id),
            Value::Class(c) => return Some(c.id),
            Value::Generator(g) => return Some(g.id),
            _ => {}
        }
        let (address, weak) = weak_of(value)?;
        let table = &mut self.identities;
        if let Some((known, id)) = table.by_address.get(&address) {
            // The weak pins the allocation: a live entry at this address
            // is this very object.
            if known.strong_count() > 0 {
                return Some(*id);
            }
        }
        let id = self.ids.next();
        let table = &mut self.identities;
        table.by_address.insert(address, (weak, id));
        if table.by_address.len() > 2 * table.pruned_size.max(1024) {
            table
                .by_address
                .retain(|_, (weak, _)| weak.strong_count() > 0);
            table.pruned_size = table.by_address.len();
        }
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use crate::verdict::{run_program, RunOptions};

    fn stdout(source: &str) -> String {
        run_program(source, &RunOptions::default()).stdout
    }

    #[test]
    fn identities_are_stable_per_object_and_distinct_between_objects() {
        let out = stdout(
            "def f(): pass\ndef g(): pass\na = [1]\nb = [1]\n\
             print(id(f) == id(f), id(f) != id(g), id(a) == id(a), id(a) != id(b))\n\
             print(hash(f) == hash(f), repr(f) == repr(f), repr(f) != repr(g))\n",
        );
        assert_eq!(out, "True True True True\nTrue True True\n");
    }

    #[test]
    fn the_same_program_shows_the_same_identities_every_time() {
        let source = "def f(): pass\nprint(f, id([]), hash(f), iter([1]))\n";
        let first = stdout(source);
        // Allocate in between, so addresses would differ.
        let _noise: Vec<Vec<u8>> = (0..1000).map(|n| vec![0; n]).collect();
        assert_eq!(first, stdout(source));
    }
}
