//! The special methods `int` and `float` share, callable explicitly
//! (`int.__add__(1, 2)`, `super().__add__(other)` in an `int` subclass):
//! binary and reflected arithmetic, comparisons and unary operators. Each
//! unwraps subclass instances to the built-in value, refuses foreign
//! operands with `NotImplemented`, and computes with the VM's operators.

use std::rc::Rc;

use crate::builtins::containers::args;
use crate::bytecode::{BinOp, CmpOp, UnaryOp};
use crate::value::{Args, PyResult, Value};
use crate::vm::Vm;

/// Which of the two numeric classes a method belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Num {
    Int,
    Float,
}

impl Num {
    pub fn owner(self) -> &'static str {
        match self {
            Num::Int => "int",
            Num::Float => "float",
        }
    }

    /// Does the class accept `v` as its receiver?
    pub fn accepts(self) -> fn(&Value) -> bool {
        match self {
            Num::Int => is_int,
            Num::Float => is_float,
        }
    }

    /// Does the class's arithmetic take `v` (already unwrapped) as its
    /// other operand? Floats take ints too.
    fn takes(self, v: &Value) -> bool {
        match self {
            Num::Int => plain_int(v),
            Num::Float => plain_int(v) || matches!(v, Value::Float(_)),
        }
    }
}

fn plain_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Bool(_))
}

/// An int, bool, or instance of an `int` subclass.
pub fn is_int(v: &Value) -> bool {
    plain_int(&v.unwrap_builtin())
}

/// A float or instance of a `float` subclass.
pub fn is_float(v: &Value) -> bool {
    matches!(v.unwrap_builtin(), Value::Float(_))
}

/// Calls a function of the `builtins` module (`round`, `divmod`, `pow`).
pub fn call_builtin_function(vm: &mut Vm, name: &str, args: Vec<Value>) -> PyResult<Value> {
    let f = vm.builtins.dict.borrow().get(name).cloned();
    match f {
        Some(f) => vm.call(&f, args),
        None => Err(vm.unsupported(format!("builtins.{name}"))),
    }
}

const BINARY: &[(&str, BinOp, bool)] = &[
    ("__add__", BinOp::Add, false),
    ("__radd__", BinOp::Add, true),
    ("__sub__", BinOp::Sub, false),
    ("__rsub__", BinOp::Sub, true),
    ("__mul__", BinOp::Mul, false),
    ("__rmul__", BinOp::Mul, true),
    ("__truediv__", BinOp::TrueDiv, false),
    ("__rtruediv__", BinOp::TrueDiv, true),
    ("__floordiv__", BinOp::FloorDiv, false),
    ("__rfloordiv__", BinOp::FloorDiv, true),
    ("__mod__", BinOp::Mod, false),
    ("__rmod__", BinOp::Mod, true),
];

const INT_ONLY_BINARY: &[(&str, BinOp, bool)] = &[
    ("__lshift__", BinOp::LShift, false),
    ("__rlshift__", BinOp::LShift, true),
    ("__rshift__", BinOp::RShift, false),
    ("__rrshift__", BinOp::RShift, true),
    ("__and__", BinOp::And, false),
    ("__rand__", BinOp::And, true),
    ("__or__", BinOp::Or, false),
    ("__ror__", BinOp::Or, true),
    ("__xor__", BinOp::Xor, false),
    ("__rxor__", BinOp::Xor, true),
];

const COMPARE: &[(&str, CmpOp)] = &[
    ("__eq__", CmpOp::Eq),
    ("__ne__", CmpOp::Ne),
    ("__lt__", CmpOp::Lt),
    ("__le__", CmpOp::Le),
    ("__gt__", CmpOp::Gt),
    ("__ge__", CmpOp::Ge),
];

/// Puts the shared special methods in `int`'s or `float`'s dict.
pub fn install(vm: &mut Vm, num: Num) {
    let class = match num {
        Num::Int => vm.types.int.clone(),
        Num::Float => vm.types.float.clone(),
    };
    let owner = num.owner();
    let accepts = num.accepts();
    let mut dict = class.dict.borrow_mut();
    let binary = BINARY.iter().chain(if num == Num::Int {
        INT_ONLY_BINARY
    } else {
        &[]
    });
    for &(name, op, reflected) in binary {
        let method = args::closure_method(
            name,
            owner,
            Rc::new(move |vm: &mut Vm, a: &mut Args| {
                let this = args::receiver(vm, a, owner, name, accepts)?.unwrap_builtin();
                let other = args::slot_one(vm, a, name)?.unwrap_builtin();
                if !num.takes(&other) {
                    return Ok(Value::NotImplemented);
                }
                let (x, y) = if reflected {
                    (other, this)
                } else {
                    (this, other)
                };
                vm.binary_op(op, &x, &y)
            }),
        );
        dict.set(name, method);
    }
    for &(name, reflected) in &[("__divmod__", false), ("__rdivmod__", true)] {
        let method = args::closure_method(
            name,
            owner,
            Rc::new(move |vm: &mut Vm, a: &mut Args| {
                let this = args::receiver(vm, a, owner, name, accepts)?.unwrap_builtin();
                let other = args::slot_one(vm, a, name)?.unwrap_builtin();
                if !num.takes(&other) {
                    return Ok(Value::NotImplemented);
                }
                let (x, y) = if reflected {
                    (other, this)
                } else {
                    (this, other)
                };
                call_builtin_function(vm, "divmod", vec![x, y])
            }),
        );
        dict.set(name, method);
    }
    for &(name, reflected) in &[("__pow__", false), ("__rpow__", true)] {
        let method = args::closure_method(
            name,
            owner,
            Rc::new(move |vm: &mut Vm, a: &mut Args| {
                let this = args::receiver(vm, a, owner, name, accepts)?.unwrap_builtin();
                let mut rest = ternary_args(vm, a, name)?.into_iter();
                let other = rest.next().unwrap_or(Value::None).unwrap_builtin();
                let modulo = rest.next().unwrap_or(Value::None).unwrap_builtin();
                if !num.takes(&other) {
                    return Ok(Value::NotImplemented);
                }
                let (x, y) = if reflected {
                    (other, this)
                } else {
                    (this, other)
                };
                if modulo.is_none() {
                    return vm.binary_op(BinOp::Pow, &x, &y);
                }
                if num == Num::Int && !plain_int(&modulo) {
                    return Ok(Value::NotImplemented);
                }
                call_builtin_function(vm, "pow", vec![x, y, modulo])
            }),
        );
        dict.set(name, method);
    }
    for &(name, op) in COMPARE {
        let method = args::closure_method(
            name,
            owner,
            Rc::new(move |vm: &mut Vm, a: &mut Args| {
                let this = args::receiver(vm, a, owner, name, accepts)?.unwrap_builtin();
                let other = args::slot_one(vm, a, name)?.unwrap_builtin();
                if !num.takes(&other) {
                    return Ok(Value::NotImplemented);
                }
                vm.compare(op, &this, &other)
            }),
        );
        dict.set(name, method);
    }
    let mut unary: Vec<(&'static str, UnaryOp)> =
        vec![("__neg__", UnaryOp::Neg), ("__pos__", UnaryOp::Pos)];
    if num == Num::Int {
        unary.push(("__invert__", UnaryOp::Invert));
    }
    for (name, op) in unary {
        let method = args::closure_method(
            name,
            owner,
            Rc::new(move |vm: &mut Vm, a: &mut Args| {
                let this = args::receiver(vm, a, owner, name, accepts)?.unwrap_builtin();
                args::slot(vm, a, name, 0)?;
                vm.unary_op(op, &this)
            }),
        );
        dict.set(name, method);
    }
}

/// `x.__pow__(y[, z])`: one or two arguments.
fn ternary_args(vm: &mut Vm, a: &mut Args, name: &str) -> PyResult<Vec<Value>> {
    if !a.keywords.is_empty() {
        return Err(vm.type_error(format!("wrapper {name}() takes no keyword arguments")));
    }
    let n = a.positional.len();
    if n == 0 {
        return Err(vm.type_error(format!(" expected at least 1 argument, got {n}")));
    }
    if n > 2 {
        return Err(vm.type_error(format!(" expected at most 2 arguments, got {n}")));
    }
    Ok(std::mem::take(&mut a.positional))
}
