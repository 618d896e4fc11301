//! Methods of the built-in containers: `list`, `tuple`, `dict` with its
//! key/value/item views, `range` and `slice`. Methods work on instances
//! of user subclasses too (`super().__setitem__(k, v)` in a `dict`
//! subclass), reading the built-in part of the instance.

pub mod args;
pub mod dict;
pub mod list;
pub mod ranges;
pub mod tuple;
pub mod views;

use crate::vm::Vm;

/// Puts the container methods in the built-in classes' dicts.
pub fn install(vm: &mut Vm) {
    list::install(vm);
    tuple::install(vm);
    dict::install(vm);
    views::install(vm);
    ranges::install(vm);
}
