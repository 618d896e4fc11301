//! The `bisect` module: binary search and insertion into sorted sequences,
//! with CPython 3.11's algorithm (Modules/_bisectmodule.c), so the items
//! compared, the `key` calls and the position found are CPython's.

use std::rc::Rc;

use super::support::{arg, Sig};
use crate::builtins::{add_functions, new_module};
use crate::value::{Args, Module, PyResult, PyStr, Value};
use crate::vm::{ExcType, Vm};

pub fn make(_vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("bisect");
    add_functions(
        &module,
        &[
            ("bisect_left", bisect_left),
            ("bisect_right", bisect_right),
            ("bisect", bisect_right),
            ("insort_left", insort_left),
            ("insort_right", insort_right),
            ("insort", insort_right),
        ],
    );
    Ok(module)
}

/// Which end of a run of equal items a search lands on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

fn bisect_left(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    find(vm, args, "bisect_left", Side::Left)
}

fn bisect_right(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    find(vm, args, "bisect_right", Side::Right)
}

fn insort_left(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    insert(vm, args, "insort_left", Side::Left)
}

fn insort_right(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    insert(vm, args, "insort_right", Side::Right)
}

/// `bisect_*(a, x, lo=0, hi=len(a), *, key=None)` bound.
struct Call {
    sequence: Value,
    item: Value,
    lo: i64,
    hi: i64,
    key: Value,
}

fn bind(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Call> {
    let bound = Sig {
        name,
        params: &["a", "x", "lo", "hi"],
        required: 2,
        kwonly: &["key"],
        method: false,
    }
    .bind(vm, args)?;
    let sequence = arg(&bound, 0);
    let lo = match arg(&bound, 2) {
        Value::None => 0,
        lo => vm.to_index(&lo)?,
    };
    if lo < 0 {
        return Err(vm.error(ExcType::ValueError, "lo must be non-negative"));
    }
    // _bisectmodule.c: `hi` defaults to -1, which means len(a).
    let hi = match arg(&bound, 3) {
        Value::None => -1,
        hi => vm.to_index(&hi)?,
    };
    let hi = if hi == -1 {
        vm.len_of(&sequence)? as i64
    } else {
        hi
    };
    Ok(Call {
        sequence,
        item: arg(&bound, 1),
        lo,
        hi,
        key: arg(&bound, 4),
    })
}

fn find(vm: &mut Vm, args: &mut Args, name: &str, side: Side) -> PyResult<Value> {
    let call = bind(vm, args, name)?;
    search(vm, &call, &call.item, side).map(Value::Int)
}

/// `insort_*`: the item goes where the search for its key lands; a list
/// gets it as `list.insert` would, anything else through its `insert`.
fn insert(vm: &mut Vm, args: &mut Args, name: &str, side: Side) -> PyResult<Value> {
    let call = bind(vm, args, name)?;
    let probe = if call.key.is_none() {
        call.item.clone()
    } else {
        vm.call(&call.key, vec![call.item.clone()])?
    };
    let at = search(vm, &call, &probe, side)?;
    let insert = vm.get_attr(&call.sequence, &Rc::new(PyStr::new("insert")))?;
    vm.call(&insert, vec![Value::Int(at), call.item])?;
    Ok(Value::None)
}

/// _bisectmodule.c `internal_bisect_left/right`: `a[mid] < x` (left) or
/// `x < a[mid]` (right), `key` applied to each item looked at.
fn search(vm: &mut Vm, call: &Call, probe: &Value, side: Side) -> PyResult<i64> {
    let (mut lo, mut hi) = (call.lo, call.hi);
    while lo < hi {
        // Unsigned in C, so it cannot overflow.
        let mid = ((lo as u64 + hi as u64) / 2) as i64;
        let mut item = vm.get_item(&call.sequence, &Value::Int(mid))?;
        if !call.key.is_none() {
            item = vm.call(&call.key, vec![item])?;
        }
        let goes_right = match side {
            Side::Left => vm.less_than(&item, probe)?,
            Side::Right => !vm.less_than(probe, &item)?,
        };
        if goes_right {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}
