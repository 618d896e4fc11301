//! Destruction with bounded recursion: CPython's "trashcan"
//! (Include/cpython/object.h `Py_TRASHCAN_BEGIN`).
//!
//! Dropping the head of a long chain (a linked list of objects, tuples
//! nested a thousand deep) drops the next link from inside the first's
//! `Drop`, and so on: the native stack grows with the chain. In the
//! browser that stack is small (the JavaScript engine's), so a chain of a
//! few thousand links would kill the worker. Containers hand the values
//! they own to [`dispose`]: past [`MAX_DEPTH`] nested disposals the values
//! are parked in a list instead, and the outermost disposal drops them one
//! by one. Order is kept where it is observable (`__del__` output) for
//! chains shallower than the limit.

use std::cell::{Cell, RefCell};

use super::Value;

/// Nested disposals before values are parked for later.
const MAX_DEPTH: u32 = 48;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    static PARKED: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

/// Runs `drop_contents` (which drops what an object owns) one level
/// deeper, or, past [`MAX_DEPTH`] levels, parks the values `park` gives
/// instead, to be dropped by the outermost disposal. Cheap when shallow:
/// nothing is allocated.
pub fn dispose<S>(
    owner: &mut S,
    drop_contents: impl FnOnce(&mut S),
    park: impl FnOnce(&mut S) -> Vec<Value>,
) {
    // At thread exit the thread-locals may already be gone while values
    // held by other thread-locals are dropped: then drop plainly.
    let Ok(depth) = DEPTH.try_with(Cell::get) else {
        drop_contents(owner);
        return;
    };
    if depth >= MAX_DEPTH {
        let values = park(owner);
        let busy = PARKED
            .try_with(|parked| match parked.try_borrow_mut() {
                Ok(mut parked) => {
                    parked.extend(values);
                    None
                }
                Err(_) => Some(values),
            })
            .ok()
            .flatten();
        // The list was busy or gone (never expected): drop here after all.
        drop(busy);
        return;
    }
    let _ = DEPTH.try_with(|d| d.set(depth + 1));
    drop_contents(owner);
    let _ = DEPTH.try_with(|d| d.set(depth));
    if depth == 0 {
        drain_parked();
    }
}

/// Drops the parked values, each one starting a fresh (bounded) nesting.
fn drain_parked() {
    loop {
        let next = PARKED
            .try_with(|parked| parked.try_borrow_mut().ok().and_then(|mut p| p.pop()))
            .ok()
            .flatten();
        let Some(value) = next else {
            return;
        };
        let _ = DEPTH.try_with(|d| d.set(1));
        drop(value);
        let _ = DEPTH.try_with(|d| d.set(0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_drop_without_deep_recursion() {
        // On a 256 KiB thread this overflows without the trashcan.
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut chain = Value::None;
                for _ in 0..1_000_000 {
                    chain = Value::tuple(vec![chain]);
                }
                drop(chain);
                PARKED.with(|p| p.borrow().len())
            })
            .map(|h| h.join());
        assert!(matches!(handle, Ok(Ok(0))));
    }

    #[test]
    fn chains_of_instances_drop_without_deep_recursion() {
        use crate::value::{AttrMap, Instance, Payload};
        use crate::vm::types::new_class;
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let ids = crate::value::IdCounter::default();
                let object = new_class(
                    &ids,
                    "object",
                    "builtins",
                    Vec::new(),
                    crate::value::Layout::Object,
                    true,
                );
                let Ok(object) = object else {
                    return usize::MAX;
                };
                let mut chain = Value::None;
                for _ in 0..300_000 {
                    let mut dict = AttrMap::new();
                    dict.set("next", chain);
                    chain = Value::Instance(std::rc::Rc::new(Instance {
                        class: RefCell::new(object.clone()),
                        dict: RefCell::new(dict),
                        dict_object: RefCell::new(None),
                        payload: Payload::None,
                        id: ids.next(),
                        finalizer: None,
                    }));
                }
                drop(chain);
                PARKED.with(|p| p.borrow().len())
            })
            .map(|h| h.join());
        assert!(matches!(handle, Ok(Ok(0))));
    }
}
