//! `range.index`, `range.count` and `slice.indices`, with CPython's
//! arithmetic on arbitrary-precision bounds.

use num_bigint::BigInt;
use num_traits::{Signed, Zero};

use super::args;
use crate::builtins::add_methods;
use crate::value::{Args, PyResult, Value};
use crate::vm::ops::to_bigint;
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    add_methods(
        &vm.types.named("range"),
        "range",
        &[("index", range_index), ("count", range_count)],
    );
    add_methods(
        &vm.types.named("slice"),
        "slice",
        &[("indices", slice_indices)],
    );
}

fn is_range(v: &Value) -> bool {
    matches!(v, Value::Range(_))
}

fn is_slice(v: &Value) -> bool {
    matches!(v, Value::Slice(_))
}

/// Is `x` an exact int or a bool (CPython's fast path for ranges)?
fn exact_int(x: &Value) -> bool {
    matches!(x, Value::Int(_) | Value::BigInt(_) | Value::Bool(_))
}

/// Position of `x` in a range, for exact ints; None when it is not there.
fn position(r: &crate::value::PyRange, x: &Value) -> Option<BigInt> {
    let (start, stop, step) = (
        to_bigint(&r.start)?,
        to_bigint(&r.stop)?,
        to_bigint(&r.step)?,
    );
    let x = to_bigint(x)?;
    let inside = if step.is_positive() {
        x >= start && x < stop
    } else {
        x <= start && x > stop
    };
    let offset = &x - &start;
    if inside && (&offset % &step).is_zero() {
        Some(offset / step)
    } else {
        None
    }
}

/// Counts (or finds) `x` by iterating, as CPython does for non-ints.
fn search(vm: &mut Vm, seq: &Value, x: &Value, first_only: bool) -> PyResult<(i64, Option<i64>)> {
    let it = vm.get_iter(seq)?;
    let (mut count, mut index) = (0, 0);
    while let Some(item) = vm.next_value(&it)? {
        vm.tick()?;
        if item.is(x) || vm.values_equal(&item, x)? {
            count += 1;
            if first_only {
                return Ok((count, Some(index)));
            }
        }
        index += 1;
    }
    Ok((count, None))
}

fn range_index(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = args::receiver(vm, args, "range", "index", is_range)?;
    let x = args::one(vm, args, "range", "index")?;
    let Value::Range(r) = &this else {
        return Ok(Value::None);
    };
    if exact_int(&x) {
        return match position(r, &x) {
            Some(i) => Ok(Value::from_bigint(i)),
            None => {
                let shown = vm.repr_of(&x)?;
                Err(vm.error(ExcType::ValueError, format!("{shown} is not in range")))
            }
        };
    }
    match search(vm, &this, &x, true)? {
        (_, Some(i)) => Ok(Value::Int(i)),
        _ => Err(vm.error(ExcType::ValueError, "sequence.index(x): x not in sequence")),
    }
}

fn range_count(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = args::receiver(vm, args, "range", "count", is_range)?;
    let x = args::one(vm, args, "range", "count")?;
    let Value::Range(r) = &this else {
        return Ok(Value::None);
    };
    if exact_int(&x) {
        return Ok(Value::Int(position(r, &x).is_some() as i64));
    }
    let (count, _) = search(vm, &this, &x, false)?;
    Ok(Value::Int(count))
}

/// A slice bound as an int (`__index__`), or CPython's TypeError.
fn slice_bound(vm: &mut Vm, v: &Value) -> PyResult<BigInt> {
    if let Some(b) = to_bigint(v) {
        return Ok(b);
    }
    if vm.class_of(v).lookup("__index__").is_some() {
        if let Some(r) = vm.call_special(v, "__index__", Vec::new())? {
            if let Some(b) = to_bigint(&r.unwrap_builtin()) {
                return Ok(b);
            }
        }
    }
    Err(vm.type_error("slice indices must be integers or None or have an __index__ method"))
}

/// `slice.indices(length)`: CPython `_PySlice_GetLongIndices`.
pub fn indices(
    vm: &mut Vm,
    s: &crate::value::PySlice,
    length: &BigInt,
) -> PyResult<(BigInt, BigInt, BigInt)> {
    let step = if s.step.is_none() {
        BigInt::from(1)
    } else {
        slice_bound(vm, &s.step)?
    };
    if step.is_zero() {
        return Err(vm.error(ExcType::ValueError, "slice step cannot be zero"));
    }
    let backwards = step.is_negative();
    let (lower, upper) = if backwards {
        (BigInt::from(-1), length - 1)
    } else {
        (BigInt::zero(), length.clone())
    };
    let clamp = |vm: &mut Vm, v: &Value, default: &BigInt| -> PyResult<BigInt> {
        if v.is_none() {
            return Ok(default.clone());
        }
        let mut i = slice_bound(vm, v)?;
        if i.is_negative() {
            i += length;
            if i < lower {
                i = lower.clone();
            }
        } else if i > upper {
            i = upper.clone();
        }
        Ok(i)
    };
    let start = clamp(vm, &s.start, if backwards { &upper } else { &lower })?;
    let stop = clamp(vm, &s.stop, if backwards { &lower } else { &upper })?;
    Ok((start, stop, step))
}

fn slice_indices(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = args::receiver(vm, args, "slice", "indices", is_slice)?;
    let length = args::one(vm, args, "slice", "indices")?;
    let Value::Slice(s) = &this else {
        return Ok(Value::None);
    };
    let length = match to_bigint(&length) {
        Some(n) => n,
        None => {
            if vm.class_of(&length).lookup("__index__").is_some() {
                slice_bound(vm, &length)?
            } else {
                let t = vm.type_name(&length);
                return Err(
                    vm.type_error(format!("'{t}' object cannot be interpreted as an integer"))
                );
            }
        }
    };
    if length.is_negative() {
        return Err(vm.error(ExcType::ValueError, "length should not be negative"));
    }
    let (start, stop, step) = indices(vm, s, &length)?;
    Ok(Value::tuple(vec![
        Value::from_bigint(start),
        Value::from_bigint(stop),
        Value::from_bigint(step),
    ]))
}
