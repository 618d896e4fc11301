//! `tuple` methods (`index`, `count`) and special methods, for tuples and
//! instances of `tuple` subclasses (named tuples among them).

use std::rc::Rc;

use super::args;
use crate::builtins::add_methods;
use crate::bytecode::{BinOp, CmpOp};
use crate::value::{Args, PyResult, PyTuple, Value};
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let tuple = vm.types.tuple.clone();
    add_methods(
        &tuple,
        "tuple",
        &[
            ("index", index),
            ("count", count),
            ("__getitem__", getitem),
            ("__len__", len),
            ("__contains__", contains),
            ("__iter__", iter),
            ("__add__", add),
            ("__mul__", mul),
            ("__rmul__", mul_reflected),
            ("__hash__", hash),
            ("__eq__", eq),
            ("__ne__", ne),
            ("__lt__", lt),
            ("__le__", le),
            ("__gt__", gt),
            ("__ge__", ge),
        ],
    );
}

/// The tuple behind a tuple or a tuple subclass instance.
fn tuple_of(v: &Value) -> Option<Rc<PyTuple>> {
    match v {
        Value::Tuple(t) => Some(t.clone()),
        _ => match v.builtin_payload() {
            Some(Value::Tuple(t)) => Some(t),
            _ => None,
        },
    }
}

fn is_tuple(v: &Value) -> bool {
    tuple_of(v).is_some()
}

/// The receiver's tuple.
fn this(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Rc<PyTuple>> {
    let v = args::receiver(vm, args, "tuple", name, is_tuple)?;
    Ok(tuple_of(&v).unwrap_or_else(|| Rc::new(PyTuple { items: Vec::new() })))
}

fn same(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    Ok(a.is(b) || vm.values_equal(a, b)?)
}

fn index(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "index")?;
    let a = args::between(vm, args, "tuple", "index", 1, 3)?;
    let x = a.first().cloned().unwrap_or(Value::None);
    let (start, stop) = args::search_bounds(vm, a.get(1), a.get(2), t.items.len())?;
    for (i, item) in t.items.iter().enumerate().take(stop).skip(start) {
        if same(vm, item, &x)? {
            return Ok(Value::Int(i as i64));
        }
    }
    Err(vm.error(ExcType::ValueError, "tuple.index(x): x not in tuple"))
}

fn count(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "count")?;
    let x = args::one(vm, args, "tuple", "count")?;
    let mut n = 0;
    for item in &t.items {
        if same(vm, item, &x)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "__getitem__")?;
    let key = args::slot_one(vm, args, "__getitem__")?;
    vm.get_item(&Value::Tuple(t), &key)
}

fn len(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "__len__")?;
    args::slot(vm, args, "__len__", 0)?;
    Ok(Value::Int(t.items.len() as i64))
}

fn contains(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "__contains__")?;
    let x = args::slot_one(vm, args, "__contains__")?;
    for item in &t.items {
        if same(vm, item, &x)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "__iter__")?;
    args::slot(vm, args, "__iter__", 0)?;
    vm.get_iter(&Value::Tuple(t))
}

fn add(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "__add__")?;
    let other = args::slot_one(vm, args, "__add__")?;
    let Some(o) = tuple_of(&other) else {
        let name = vm.type_name(&other);
        return Err(vm.type_error(format!(
            "can only concatenate tuple (not \"{name}\") to tuple"
        )));
    };
    let mut items = t.items.clone();
    items.extend(o.items.iter().cloned());
    Ok(Value::tuple(items))
}

fn repeat(vm: &mut Vm, t: Rc<PyTuple>, n: &Value) -> PyResult<Value> {
    let n = match n {
        Value::BigInt(_) => {
            return Err(vm.error(
                ExcType::OverflowError,
                "cannot fit 'int' into an index-sized integer",
            ))
        }
        _ => vm.expect_int(n)?,
    };
    vm.binary_op(BinOp::Mul, &Value::Tuple(t), &Value::Int(n))
}

fn mul(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "__mul__")?;
    let n = args::slot_one(vm, args, "__mul__")?;
    repeat(vm, t, &n)
}

fn mul_reflected(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "__rmul__")?;
    let n = args::slot_one(vm, args, "__rmul__")?;
    repeat(vm, t, &n)
}

fn hash(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = this(vm, args, "__hash__")?;
    args::slot(vm, args, "__hash__", 0)?;
    vm.hash_value(&Value::Tuple(t)).map(Value::Int)
}

fn compare(vm: &mut Vm, args: &mut Args, name: &str, op: CmpOp) -> PyResult<Value> {
    let t = this(vm, args, name)?;
    let other = args::slot_one(vm, args, name)?;
    let Some(o) = tuple_of(&other) else {
        return Ok(Value::NotImplemented);
    };
    vm.compare(op, &Value::Tuple(t), &Value::Tuple(o))
}

fn eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__eq__", CmpOp::Eq)
}

fn ne(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__ne__", CmpOp::Ne)
}

fn lt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__lt__", CmpOp::Lt)
}

fn le(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__le__", CmpOp::Le)
}

fn gt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__gt__", CmpOp::Gt)
}

fn ge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__ge__", CmpOp::Ge)
}
