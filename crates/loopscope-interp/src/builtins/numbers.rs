//! Methods of `int`, `bool` and `float`: the named methods (`bit_length`,
//! `to_bytes`, `float.hex`...) and the special methods a program can call
//! explicitly (`int.__add__(1, 2)`, `super().__eq__(other)` in a subclass
//! of `int` or `float`).

pub mod arith;
pub mod floats;
pub mod ints;

use crate::vm::Vm;

/// Puts the number methods in the built-in classes' dicts.
pub fn install(vm: &mut Vm) {
    arith::install(vm, arith::Num::Int);
    arith::install(vm, arith::Num::Float);
    ints::install(vm);
    floats::install(vm);
}
