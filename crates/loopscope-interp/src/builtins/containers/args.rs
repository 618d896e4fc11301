//! Argument checks shared by the methods of the built-in containers and
//! numbers, with CPython's messages: the receiver of a method descriptor
//! (`list.append(1, 2)`) or of a slot wrapper (`int.__add__(1.0, 2)`),
//! and the arity errors of `METH_O`, `METH_NOARGS`, `METH_VARARGS`
//! methods and of slot wrappers.

use std::rc::Rc;

use crate::value::{Args, Builtin, NativeClosure, NativeFn, PyResult, PyStr, Unwind, Value};
use crate::vm::Vm;

/// Dunders that CPython defines as ordinary methods (so their errors read
/// like `list.append`'s) rather than as slot wrappers.
fn is_method_style(owner: &str, name: &str) -> bool {
    match name {
        "__getitem__" => matches!(owner, "list" | "dict"),
        "__contains__" => owner == "dict",
        "__reversed__" | "__round__" | "__trunc__" | "__floor__" | "__ceil__" | "__format__"
        | "__sizeof__" | "__getnewargs__" => true,
        _ => !name.starts_with("__"),
    }
}

/// Removes the receiver of a method of `owner` and checks its type.
pub fn receiver(
    vm: &mut Vm,
    args: &mut Args,
    owner: &str,
    name: &str,
    accepts: fn(&Value) -> bool,
) -> PyResult<Value> {
    let method_style = is_method_style(owner, name);
    if args.positional.is_empty() {
        return Err(vm.type_error(if method_style {
            format!("unbound method {owner}.{name}() needs an argument")
        } else {
            format!("descriptor '{name}' of '{owner}' object needs an argument")
        }));
    }
    let this = args.positional.remove(0);
    if !accepts(&this) {
        let t = vm.type_name(&this);
        return Err(vm.type_error(if method_style {
            format!("descriptor '{name}' for '{owner}' objects doesn't apply to a '{t}' object")
        } else {
            format!("descriptor '{name}' requires a '{owner}' object but received a '{t}'")
        }));
    }
    Ok(this)
}

fn no_keywords(vm: &mut Vm, args: &Args, owner: &str, name: &str) -> PyResult<()> {
    if args.keywords.is_empty() {
        Ok(())
    } else {
        Err(vm.type_error(format!("{owner}.{name}() takes no keyword arguments")))
    }
}

/// A `METH_O` method's single argument.
pub fn one(vm: &mut Vm, args: &mut Args, owner: &str, name: &str) -> PyResult<Value> {
    no_keywords(vm, args, owner, name)?;
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "{owner}.{name}() takes exactly one argument ({n} given)"
        )));
    }
    Ok(args.positional.remove(0))
}

/// A `METH_NOARGS` method takes nothing.
pub fn none(vm: &mut Vm, args: &Args, owner: &str, name: &str) -> PyResult<()> {
    no_keywords(vm, args, owner, name)?;
    if !args.positional.is_empty() {
        let n = args.positional.len();
        return Err(vm.type_error(format!("{owner}.{name}() takes no arguments ({n} given)")));
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A `METH_VARARGS` method's positional arguments, between `min` and `max`
/// of them (`pop expected at most 1 argument, got 2`).
pub fn between(
    vm: &mut Vm,
    args: &mut Args,
    owner: &str,
    name: &str,
    min: usize,
    max: usize,
) -> PyResult<Vec<Value>> {
    no_keywords(vm, args, owner, name)?;
    let n = args.positional.len();
    if min == max && n != min {
        return Err(vm.type_error(format!(
            "{name} expected {min} argument{}, got {n}",
            plural(min)
        )));
    }
    if n < min {
        return Err(vm.type_error(format!(
            "{name} expected at least {min} argument{}, got {n}",
            plural(min)
        )));
    }
    if n > max {
        return Err(vm.type_error(format!(
            "{name} expected at most {max} argument{}, got {n}",
            plural(max)
        )));
    }
    Ok(std::mem::take(&mut args.positional))
}

/// The arguments of a slot wrapper (`x.__add__(y)`): exactly `n`.
pub fn slot(vm: &mut Vm, args: &mut Args, name: &str, n: usize) -> PyResult<Vec<Value>> {
    if !args.keywords.is_empty() {
        return Err(vm.type_error(format!("wrapper {name}() takes no keyword arguments")));
    }
    let given = args.positional.len();
    if given != n {
        // CPython's wrappers of two-argument slots print an empty name.
        let lead = if n == 2 { " " } else { "" };
        return Err(vm.type_error(format!(
            "{lead}expected {n} argument{}, got {given}",
            plural(n)
        )));
    }
    Ok(std::mem::take(&mut args.positional))
}

/// The single argument of a binary slot wrapper.
pub fn slot_one(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    let mut a = slot(vm, args, name, 1)?;
    Ok(a.pop().unwrap_or(Value::None))
}

/// A native method made from a closure (a table of similar methods).
pub fn closure_method(name: &str, owner: &'static str, f: NativeClosure) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name: Rc::new(PyStr::new(name)),
        owner: Some(owner),
        func: NativeFn::Closure(f),
        receiver: None,
    }))
}

/// Wraps a native function as a `classmethod` object for a class dict
/// (`dict.fromkeys`, `int.from_bytes`): class access binds the class.
pub fn classmethod(
    vm: &Vm,
    name: &str,
    owner: &'static str,
    f: crate::value::NativeFnPtr,
) -> Value {
    let class = vm.types.named("classmethod");
    super::super::native_object(vm, &class, super::super::method(name, owner, f))
}

/// `i` as a machine index for `list.index(x, start, stop)`-style bounds:
/// big ints saturate; non-integers raise CPython's slice-index TypeError.
pub fn clamp_index(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    use num_traits::Signed;
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::BigInt(b) => Ok(if b.is_negative() { i64::MIN } else { i64::MAX }),
        _ => {
            if vm.class_of(v).lookup("__index__").is_some() {
                let r = vm.call_special(v, "__index__", Vec::new())?;
                if let Some(r) = r {
                    if matches!(r, Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) {
                        return clamp_index(vm, &r);
                    }
                }
            }
            Err(vm.type_error("slice indices must be integers or have an __index__ method"))
        }
    }
}

/// Resolves `start`/`stop` arguments of `index()` against a length, the
/// way CPython's `list.index` does.
pub fn search_bounds(
    vm: &mut Vm,
    start: Option<&Value>,
    stop: Option<&Value>,
    len: usize,
) -> PyResult<(usize, usize)> {
    let len = len as i64;
    let resolve = |i: i64| -> i64 {
        if i < 0 {
            (i.saturating_add(len)).max(0)
        } else {
            i.min(len)
        }
    };
    let start = match start {
        Some(v) => resolve(clamp_index(vm, v)?),
        None => 0,
    };
    let stop = match stop {
        Some(v) => resolve(clamp_index(vm, v)?),
        None => len,
    };
    Ok((start as usize, stop as usize))
}

/// An `ssize_t` argument (`list.pop(i)`, `list.insert(i, x)`): big ints
/// overflow, non-integers are refused.
pub fn clamp_index_strict(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    match v {
        Value::BigInt(_) => Err(vm.error(
            crate::vm::ExcType::OverflowError,
            "Python int too large to convert to C ssize_t",
        )),
        _ => {
            let i = vm.expect_int(v);
            match i {
                Err(Unwind::Exception(exc))
                    if vm.is_exception(&exc, crate::vm::ExcType::IndexError) =>
                {
                    Err(vm.error(
                        crate::vm::ExcType::OverflowError,
                        "Python int too large to convert to C ssize_t",
                    ))
                }
                other => other,
            }
        }
    }
}
