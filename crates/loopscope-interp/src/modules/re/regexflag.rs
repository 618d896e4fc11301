//! `re.RegexFlag`: the `int` subclass of the flag constants (`re.I`,
//! `re.M`, ...), whose repr names the flags (`re.IGNORECASE|re.MULTILINE`)
//! and whose `|`, `&`, `^`, `~` keep the type, as CPython 3.11's
//! `enum.IntFlag` does.

use std::rc::Rc;

use super::flags::*;
use crate::modules::support::{add_slots, getter, slot_class};
use crate::value::{Args, Class, Layout, PyResult, Value};
use crate::vm::Vm;

/// The members in definition order (CPython `re.RegexFlag`).
const MEMBERS: &[(&str, u32)] = &[
    ("ASCII", FLAG_ASCII),
    ("IGNORECASE", FLAG_IGNORECASE),
    ("LOCALE", FLAG_LOCALE),
    ("UNICODE", FLAG_UNICODE),
    ("MULTILINE", FLAG_MULTILINE),
    ("DOTALL", FLAG_DOTALL),
    ("VERBOSE", FLAG_VERBOSE),
    ("TEMPLATE", FLAG_TEMPLATE),
    ("DEBUG", FLAG_DEBUG),
];

const ALL: i64 = 511;

pub fn regexflag_class(vm: &mut Vm) -> PyResult<Rc<Class>> {
    let class = crate::vm::types::new_class(
        &vm.ids,
        "RegexFlag",
        "re",
        vec![vm.types.int.clone()],
        Layout::Int,
        false,
    )
    .map_err(|message| vm.type_error(message))?;
    crate::builtins::add_methods(
        &class,
        "RegexFlag",
        &[("__repr__", flag_repr), ("__str__", flag_repr)],
    );
    let slots = slot_class(vm);
    add_slots(
        vm,
        &slots,
        &class,
        "RegexFlag",
        &[
            ("__or__", flag_or),
            ("__ror__", flag_or),
            ("__and__", flag_and),
            ("__rand__", flag_and),
            ("__xor__", flag_xor),
            ("__rxor__", flag_xor),
            ("__invert__", flag_invert),
        ],
    );
    let name = getter(vm, "name", flag_name);
    let value = getter(vm, "value", flag_value);
    let mut dict = class.dict.borrow_mut();
    dict.set("__module__", Value::str("re"));
    dict.set("name", name);
    dict.set("value", value);
    drop(dict);
    Ok(class)
}

/// A `RegexFlag` with this value (made as `int.__new__` makes instances
/// of int subclasses).
pub fn new_flag(vm: &mut Vm, class: &Rc<Class>, value: i64) -> PyResult<Value> {
    vm.call(&Value::Class(class.clone()), vec![Value::Int(value)])
}

/// The int inside a flag or plain int (None for other types).
fn int_of(v: &Value) -> Option<i64> {
    match v.unwrap_builtin() {
        Value::Int(i) => Some(i),
        Value::Bool(b) => Some(i64::from(b)),
        _ => None,
    }
}

/// The member names of a value, and its bits no member covers.
fn names(value: i64) -> (Vec<&'static str>, i64) {
    let mut rest = value;
    let mut found = Vec::new();
    for (name, bit) in MEMBERS {
        let bit = i64::from(*bit);
        if value & bit != 0 {
            found.push(*name);
            rest &= !bit;
        }
    }
    (found, rest)
}

fn receiver_value(vm: &mut Vm, args: &mut Args, fname: &str) -> PyResult<(Value, i64)> {
    let this = vm.receiver(fname, args)?;
    let value = int_of(&this).unwrap_or(0);
    Ok((this, value))
}

fn flag_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, value) = receiver_value(vm, args, "__repr__")?;
    if value == 0 {
        return Ok(Value::str("re.NOFLAG"));
    }
    let (found, rest) = names(value);
    if found.is_empty() {
        return Ok(Value::string(format!("re.RegexFlag({value})")));
    }
    let mut text: Vec<String> = found.iter().map(|n| format!("re.{n}")).collect();
    if rest != 0 {
        text.push(format!("0x{rest:x}"));
    }
    Ok(Value::string(text.join("|")))
}

fn flag_name(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, value) = receiver_value(vm, args, "name")?;
    if value == 0 {
        return Ok(Value::str("NOFLAG"));
    }
    let (found, _) = names(value);
    if found.is_empty() {
        return Ok(Value::None);
    }
    Ok(Value::string(found.join("|")))
}

fn flag_value(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, value) = receiver_value(vm, args, "value")?;
    Ok(Value::Int(value))
}

fn binary(vm: &mut Vm, args: &mut Args, fname: &str, op: fn(i64, i64) -> i64) -> PyResult<Value> {
    let (this, value) = receiver_value(vm, args, fname)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let Some(other) = int_of(&other) else {
        return Ok(Value::NotImplemented);
    };
    let class = vm.class_of(&this);
    new_flag(vm, &class, op(value, other))
}

fn flag_or(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    binary(vm, args, "__or__", |a, b| a | b)
}

fn flag_and(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    binary(vm, args, "__and__", |a, b| a & b)
}

fn flag_xor(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    binary(vm, args, "__xor__", |a, b| a ^ b)
}

fn flag_invert(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, value) = receiver_value(vm, args, "__invert__")?;
    let class = vm.class_of(&this);
    new_flag(vm, &class, ALL & !value)
}
