//! `int` methods: `bit_length`, `bit_count`, `to_bytes`, `from_bytes`,
//! `as_integer_ratio`, `conjugate`, and the conversions and formatting
//! special methods (`__index__`, `__float__`, `__round__`, `__format__`...).

use std::rc::Rc;

use num_bigint::{BigInt, Sign};
use num_traits::{Signed, Zero};

use super::arith::{call_builtin_function, is_int};
use crate::builtins::add_methods;
use crate::builtins::containers::args;
use crate::value::{Args, PyResult, Value};
use crate::vm::ops::to_bigint;
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let int = vm.types.int.clone();
    add_methods(
        &int,
        "int",
        &[
            ("bit_length", bit_length),
            ("bit_count", bit_count),
            ("to_bytes", to_bytes),
            ("as_integer_ratio", as_integer_ratio),
            ("conjugate", conjugate),
            ("__index__", index),
            ("__int__", int_),
            ("__float__", float_),
            ("__abs__", abs),
            ("__bool__", bool_),
            ("__hash__", hash),
            ("__repr__", repr),
            ("__format__", format),
            ("__trunc__", trunc),
            ("__floor__", floor),
            ("__ceil__", ceil),
            ("__round__", round),
        ],
    );
    let from_bytes = args::classmethod(vm, "from_bytes", "int", from_bytes);
    int.dict.borrow_mut().set("from_bytes", from_bytes);
    add_methods(&vm.types.bool_, "bool", &[("__repr__", bool_repr)]);
}

/// The receiver as a plain int (bools become ints).
fn this(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<BigInt> {
    let v = args::receiver(vm, args, "int", name, is_int)?;
    Ok(to_bigint(&v.unwrap_builtin()).unwrap_or_default())
}

/// A `METH_NOARGS` method's receiver.
fn this_alone(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<BigInt> {
    let n = this(vm, args, name)?;
    args::none(vm, args, "int", name)?;
    Ok(n)
}

/// A slot wrapper's receiver (no arguments).
fn this_slot(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<BigInt> {
    let n = this(vm, args, name)?;
    args::slot(vm, args, name, 0)?;
    Ok(n)
}

fn bit_length(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_alone(vm, args, "bit_length")?;
    Ok(Value::Int(n.bits() as i64))
}

fn bit_count(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_alone(vm, args, "bit_count")?;
    Ok(Value::Int(n.magnitude().count_ones() as i64))
}

/// The `byteorder` argument: true for big-endian.
fn byteorder(vm: &mut Vm, v: Option<&Value>, fname: &str) -> PyResult<bool> {
    let Some(v) = v else {
        return Ok(true);
    };
    let Value::Str(s) = v.unwrap_builtin() else {
        let t = vm.type_name(v);
        return Err(vm.type_error(format!(
            "{fname}() argument 'byteorder' must be str, not {t}"
        )));
    };
    match s.as_str() {
        "big" => Ok(true),
        "little" => Ok(false),
        _ => Err(vm.error(
            ExcType::ValueError,
            "byteorder must be either 'little' or 'big'",
        )),
    }
}

/// Splits `(a, b, *, signed=False)` arguments of `to_bytes`/`from_bytes`.
fn bytes_args(
    vm: &mut Vm,
    args: &mut Args,
    fname: &str,
    first: &str,
) -> PyResult<(Option<Value>, Option<Value>, bool)> {
    if args.positional.len() > 2 {
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "{fname}() takes at most 2 positional arguments ({n} given)"
        )));
    }
    let signed = match args.take_keyword("signed") {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    let a = vm.parse_args(fname, args, &[first, "byteorder"], 0)?;
    Ok((a[0].clone(), a[1].clone(), signed))
}

/// The bytes of `n` in `length` bytes, or None if it does not fit.
pub fn int_to_bytes(n: &BigInt, length: usize, big: bool, signed: bool) -> Option<Vec<u8>> {
    let mut little = if n.is_zero() {
        Vec::new()
    } else if signed {
        let mut b = n.to_signed_bytes_le();
        // Drop sign-extension bytes that are not needed.
        while b.len() > 1 {
            let last = b[b.len() - 1];
            let before = b[b.len() - 2];
            let redundant = (last == 0 && before < 0x80) || (last == 0xff && before >= 0x80);
            if !redundant {
                break;
            }
            b.pop();
        }
        b
    } else {
        n.to_bytes_le().1
    };
    if little.len() > length {
        return None;
    }
    let fill = if n.is_negative() { 0xff } else { 0 };
    little.resize(length, fill);
    if big {
        little.reverse();
    }
    Some(little)
}

fn to_bytes(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this(vm, args, "to_bytes")?;
    let (length, order, signed) = bytes_args(vm, args, "to_bytes", "length")?;
    let length = match &length {
        Some(v) => args::clamp_index_strict(vm, v)?,
        None => 1,
    };
    let big = byteorder(vm, order.as_ref(), "to_bytes")?;
    if length < 0 {
        return Err(vm.error(ExcType::ValueError, "length argument must be non-negative"));
    }
    if !signed && n.is_negative() {
        return Err(vm.error(
            ExcType::OverflowError,
            "can't convert negative int to unsigned",
        ));
    }
    vm.check_size(length as usize)?;
    match int_to_bytes(&n, length as usize, big, signed) {
        Some(bytes) => Ok(Value::bytes(bytes)),
        None => Err(vm.error(ExcType::OverflowError, "int too big to convert")),
    }
}

/// `int.from_bytes(bytes, byteorder='big', *, signed=False)`, called
/// with the class first.
fn from_bytes(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("from_bytes() needs a class")),
    };
    args.positional.remove(0);
    let (source, order, signed) = bytes_args(vm, args, "from_bytes", "bytes")?;
    let Some(source) = source else {
        return Err(vm.type_error("from_bytes() missing required argument 'bytes' (pos 1)"));
    };
    let big = byteorder(vm, order.as_ref(), "from_bytes")?;
    let data = match &source {
        Value::Bytes(b) => b.data.clone(),
        Value::Str(_) | Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Float(_) => {
            let t = vm.type_name(&source);
            return Err(vm.type_error(format!("cannot convert '{t}' object to bytes")));
        }
        other => {
            let items = vm.collect(other)?;
            let mut data = Vec::with_capacity(items.len());
            for item in items {
                let b = vm.to_index(&item)?;
                if !(0..256).contains(&b) {
                    return Err(vm.error(ExcType::ValueError, "bytes must be in range(0, 256)"));
                }
                data.push(b as u8);
            }
            data
        }
    };
    let value = match (big, signed) {
        (true, true) => BigInt::from_signed_bytes_be(&data),
        (false, true) => BigInt::from_signed_bytes_le(&data),
        (true, false) => BigInt::from_bytes_be(Sign::Plus, &data),
        (false, false) => BigInt::from_bytes_le(Sign::Plus, &data),
    };
    let value = Value::from_bigint(value);
    if Rc::ptr_eq(&class, &vm.types.int) {
        return Ok(value);
    }
    vm.call(&Value::Class(class), vec![value])
}

fn as_integer_ratio(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_alone(vm, args, "as_integer_ratio")?;
    Ok(Value::tuple(vec![Value::from_bigint(n), Value::Int(1)]))
}

fn conjugate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_alone(vm, args, "conjugate")?;
    Ok(Value::from_bigint(n))
}

fn index(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_slot(vm, args, "__index__").map(Value::from_bigint)
}

fn int_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_slot(vm, args, "__int__").map(Value::from_bigint)
}

fn float_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_slot(vm, args, "__float__")?;
    match crate::numbers::bigint_to_f64(&n) {
        Some(f) => Ok(Value::Float(f)),
        None => Err(vm.error(ExcType::OverflowError, "int too large to convert to float")),
    }
}

fn abs(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_slot(vm, args, "__abs__")?;
    Ok(Value::from_bigint(n.abs()))
}

fn bool_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_slot(vm, args, "__bool__")?;
    Ok(Value::Bool(!n.is_zero()))
}

fn hash(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_slot(vm, args, "__hash__")?;
    vm.hash_value(&Value::from_bigint(n)).map(Value::Int)
}

fn repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this_slot(vm, args, "__repr__")?;
    vm.int_to_string(&n).map(Value::string)
}

fn bool_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = args::receiver(vm, args, "bool", "__repr__", |v| {
        matches!(v, Value::Bool(_))
    })?;
    args::slot(vm, args, "__repr__", 0)?;
    Ok(Value::str(if matches!(v, Value::Bool(true)) {
        "True"
    } else {
        "False"
    }))
}

/// `x.__format__(spec)` for ints and floats.
pub fn format_with(vm: &mut Vm, value: Value, spec: &Value) -> PyResult<Value> {
    let Value::Str(spec) = spec.unwrap_builtin() else {
        let t = vm.type_name(spec);
        return Err(vm.type_error(format!("__format__() argument must be str, not {t}")));
    };
    vm.format_value(&value, spec.as_str()).map(Value::string)
}

fn format(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = args::receiver(vm, args, "int", "__format__", is_int)?.unwrap_builtin();
    let spec = args::one(vm, args, "int", "__format__")?;
    format_with(vm, v, &spec)
}

fn trunc(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_alone(vm, args, "__trunc__").map(Value::from_bigint)
}

fn floor(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_alone(vm, args, "__floor__").map(Value::from_bigint)
}

fn ceil(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_alone(vm, args, "__ceil__").map(Value::from_bigint)
}

fn round(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let n = this(vm, args, "__round__")?;
    let a = args::between(vm, args, "int", "__round__", 0, 1)?;
    let mut call = vec![Value::from_bigint(n)];
    if let Some(ndigits) = a.first() {
        // Unlike `round(x, None)`, an explicit None is refused here.
        let digits = vm.to_index(ndigits)?;
        call.push(Value::Int(digits));
    }
    call_builtin_function(vm, "round", call)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_bytes_matches_cpython() {
        let b = |n: i64, len, big, signed| int_to_bytes(&BigInt::from(n), len, big, signed);
        assert_eq!(b(255, 2, false, false), Some(vec![0xff, 0]));
        assert_eq!(b(-129, 2, true, true), Some(vec![0xff, 0x7f]));
        assert_eq!(b(128, 1, true, true), None);
        assert_eq!(b(-128, 1, true, true), Some(vec![0x80]));
        assert_eq!(b(0, 0, true, false), Some(vec![]));
        assert_eq!(b(1, 0, true, false), None);
        assert_eq!(b(-1, 3, true, true), Some(vec![0xff, 0xff, 0xff]));
        assert_eq!(b(1024, 2, true, false), Some(vec![4, 0]));
    }
}
