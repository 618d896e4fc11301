//! `set` and `frozenset`: operators (`| & - ^`, comparisons as subset
//! tests) and methods. Results keep CPython's iteration order because the
//! table is CPython's (see `value/set.rs`) and elements are added in the
//! order CPython's algorithms add them.

use std::rc::Rc;

use super::add_methods;
use crate::bytecode::{BinOp, CmpOp};
use crate::value::{Args, PyResult, PySet, SetObj, Value};
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let shared: &[(&str, crate::value::NativeFnPtr)] = &[
        ("copy", copy),
        ("union", union),
        ("intersection", intersection),
        ("difference", difference),
        ("symmetric_difference", symmetric_difference),
        ("issubset", issubset),
        ("issuperset", issuperset),
        ("isdisjoint", isdisjoint),
    ];
    add_methods(&vm.types.set, "set", shared);
    add_methods(&vm.types.frozenset, "frozenset", shared);
    add_methods(
        &vm.types.set,
        "set",
        &[
            ("add", add),
            ("discard", discard),
            ("remove", remove),
            ("pop", pop),
            ("clear", clear),
            ("update", update),
            ("intersection_update", intersection_update),
            ("difference_update", difference_update),
            ("symmetric_difference_update", symmetric_difference_update),
        ],
    );
}

fn table_of(v: &Value) -> PySet {
    v.as_set()
        .map(|s| s.table.borrow().clone())
        .unwrap_or_default()
}

/// A new set value of the same kind (set or frozenset) as `like`.
fn same_kind(like: &Value, table: PySet) -> Value {
    let obj = Rc::new(SetObj {
        table: std::cell::RefCell::new(table),
    });
    match like {
        Value::FrozenSet(_) => Value::FrozenSet(obj),
        _ => Value::Set(obj),
    }
}

/// Items of any iterable as (hash, value) pairs; sets keep their hashes.
fn hashed_items(vm: &mut Vm, v: &Value) -> PyResult<Vec<(i64, Value)>> {
    if let Some(s) = v.as_set() {
        return Ok(s.table.borrow().entries());
    }
    let items = vm.collect(v)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push((vm.hash_value(&item)?, item));
    }
    Ok(out)
}

fn contains(vm: &mut Vm, table: &PySet, key: &Value, hash: i64) -> PyResult<bool> {
    table.contains(vm, key, hash)
}

fn union_tables(vm: &mut Vm, a: &Value, others: &[Value]) -> PyResult<PySet> {
    let mut table = table_of(a);
    for other in others {
        for (h, item) in hashed_items(vm, other)? {
            table.add(vm, item, h)?;
        }
    }
    Ok(table)
}

/// CPython `set_intersection`: iterates the smaller set when both are sets.
fn intersect(vm: &mut Vm, a: &PySet, other: &Value) -> PyResult<PySet> {
    let mut result = PySet::new();
    if let Some(o) = other.as_set() {
        let b = o.table.borrow().clone();
        let (small, large) = if b.len() > a.len() {
            (a.clone(), b)
        } else {
            (b, a.clone())
        };
        for (h, item) in small.entries() {
            if large.contains(vm, &item, h)? {
                result.add(vm, item, h)?;
            }
        }
        return Ok(result);
    }
    for (h, item) in hashed_items(vm, other)? {
        if a.contains(vm, &item, h)? {
            result.add(vm, item, h)?;
        }
    }
    Ok(result)
}

fn difference_table(vm: &mut Vm, a: &PySet, other: &Value) -> PyResult<PySet> {
    let other_table = match other.as_set() {
        Some(o) => o.table.borrow().clone(),
        None => {
            let mut t = PySet::new();
            for (h, item) in hashed_items(vm, other)? {
                t.add(vm, item, h)?;
            }
            t
        }
    };
    let mut result = PySet::new();
    for (h, item) in a.entries() {
        if !other_table.contains(vm, &item, h)? {
            result.add(vm, item, h)?;
        }
    }
    Ok(result)
}

fn symmetric_table(vm: &mut Vm, a: &PySet, other: &Value) -> PyResult<PySet> {
    // CPython set_symmetric_difference_update: copy a, then toggle each
    // element of other.
    let mut result = a.clone();
    let mut other_table = PySet::new();
    for (h, item) in hashed_items(vm, other)? {
        other_table.add(vm, item, h)?;
    }
    for (h, item) in other_table.entries() {
        if !result.discard(vm, &item, h)? {
            result.add(vm, item, h)?;
        }
    }
    Ok(result)
}

/// `a | b`, `a & b`, `a - b`, `a ^ b` for two sets.
pub fn operator(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> PyResult<Value> {
    let ta = table_of(a);
    let table = match op {
        BinOp::Or => union_tables(vm, a, std::slice::from_ref(b))?,
        BinOp::And => intersect(vm, &ta, b)?,
        BinOp::Sub => difference_table(vm, &ta, b)?,
        _ => symmetric_table(vm, &ta, b)?,
    };
    Ok(same_kind(a, table))
}

/// `a |= b` and friends: mutate `a`.
pub fn inplace_operator(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> PyResult<()> {
    let result = operator(vm, op, a, b)?;
    if let (Some(target), Some(source)) = (a.as_set(), result.as_set()) {
        let table = source.table.borrow().clone();
        *target.table.borrow_mut() = table;
    }
    Ok(())
}

fn is_subset(vm: &mut Vm, a: &PySet, b: &PySet) -> PyResult<bool> {
    if a.len() > b.len() {
        return Ok(false);
    }
    for (h, item) in a.entries() {
        if !contains(vm, b, &item, h)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Set comparisons are subset tests.
pub fn compare(vm: &mut Vm, op: CmpOp, a: &Value, b: &Value) -> PyResult<bool> {
    let (ta, tb) = (table_of(a), table_of(b));
    Ok(match op {
        CmpOp::Eq => ta.len() == tb.len() && is_subset(vm, &ta, &tb)?,
        CmpOp::Ne => !(ta.len() == tb.len() && is_subset(vm, &ta, &tb)?),
        CmpOp::Le => is_subset(vm, &ta, &tb)?,
        CmpOp::Lt => ta.len() < tb.len() && is_subset(vm, &ta, &tb)?,
        CmpOp::Ge => is_subset(vm, &tb, &ta)?,
        CmpOp::Gt => ta.len() > tb.len() && is_subset(vm, &tb, &ta)?,
    })
}

fn this(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Value> {
    let v = vm.receiver(name, args)?;
    if v.as_set().is_none() {
        let t = vm.type_name(&v);
        return Err(vm.type_error(format!(
            "descriptor '{name}' for 'set' objects doesn't apply to a '{t}' object"
        )));
    }
    Ok(v)
}

fn one(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<(Value, Value)> {
    let s = this(vm, name, args)?;
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("{name}() takes exactly one argument ({n} given)")));
    }
    Ok((s, args.positional.remove(0)))
}

fn copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "copy", args)?;
    Ok(same_kind(&s, table_of(&s)))
}

fn union(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "union", args)?;
    let others = std::mem::take(&mut args.positional);
    let table = union_tables(vm, &s, &others)?;
    Ok(same_kind(&s, table))
}

fn intersection(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "intersection", args)?;
    let mut table = table_of(&s);
    for other in std::mem::take(&mut args.positional) {
        table = intersect(vm, &table, &other)?;
    }
    Ok(same_kind(&s, table))
}

fn difference(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "difference", args)?;
    let mut table = table_of(&s);
    for other in std::mem::take(&mut args.positional) {
        table = difference_table(vm, &table, &other)?;
    }
    Ok(same_kind(&s, table))
}

fn symmetric_difference(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, other) = one(vm, "symmetric_difference", args)?;
    let table = symmetric_table(vm, &table_of(&s), &other)?;
    Ok(same_kind(&s, table))
}

fn as_table(vm: &mut Vm, v: &Value) -> PyResult<PySet> {
    if let Some(s) = v.as_set() {
        return Ok(s.table.borrow().clone());
    }
    let mut t = PySet::new();
    for (h, item) in hashed_items(vm, v)? {
        t.add(vm, item, h)?;
    }
    Ok(t)
}

fn issubset(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, other) = one(vm, "issubset", args)?;
    let other = as_table(vm, &other)?;
    is_subset(vm, &table_of(&s), &other).map(Value::Bool)
}

fn issuperset(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, other) = one(vm, "issuperset", args)?;
    let other = as_table(vm, &other)?;
    is_subset(vm, &other, &table_of(&s)).map(Value::Bool)
}

fn isdisjoint(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, other) = one(vm, "isdisjoint", args)?;
    let table = table_of(&s);
    for (h, item) in hashed_items(vm, &other)? {
        if table.contains(vm, &item, h)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn add(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, item) = one(vm, "add", args)?;
    vm.set_add(&s, item)?;
    Ok(Value::None)
}

fn discard_item(vm: &mut Vm, s: &Value, item: &Value) -> PyResult<bool> {
    let hash = vm.set_key_hash(item)?;
    let Some(obj) = s.as_set() else {
        return Ok(false);
    };
    let mut table = std::mem::take(&mut *obj.table.borrow_mut());
    let result = table.discard(vm, item, hash);
    *obj.table.borrow_mut() = table;
    result
}

fn discard(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, item) = one(vm, "discard", args)?;
    discard_item(vm, &s, &item)?;
    Ok(Value::None)
}

fn remove(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, item) = one(vm, "remove", args)?;
    if !discard_item(vm, &s, &item)? {
        return Err(vm.key_error(&item));
    }
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "pop", args)?;
    let popped = s.as_set().and_then(|obj| obj.table.borrow_mut().pop());
    match popped {
        Some(v) => Ok(v),
        None => Err(vm.error(ExcType::KeyError, "pop from an empty set")),
    }
}

fn clear(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "clear", args)?;
    if let Some(obj) = s.as_set() {
        obj.table.borrow_mut().clear();
    }
    Ok(Value::None)
}

fn update(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "update", args)?;
    for other in std::mem::take(&mut args.positional) {
        for item in vm.collect(&other)? {
            vm.set_add(&s, item)?;
        }
    }
    Ok(Value::None)
}

fn replace_table(s: &Value, table: PySet) {
    if let Some(obj) = s.as_set() {
        *obj.table.borrow_mut() = table;
    }
}

fn intersection_update(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "intersection_update", args)?;
    let mut table = table_of(&s);
    for other in std::mem::take(&mut args.positional) {
        table = intersect(vm, &table, &other)?;
    }
    replace_table(&s, table);
    Ok(Value::None)
}

fn difference_update(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = this(vm, "difference_update", args)?;
    for other in std::mem::take(&mut args.positional) {
        for item in vm.collect(&other)? {
            discard_item(vm, &s, &item)?;
        }
    }
    Ok(Value::None)
}

fn symmetric_difference_update(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, other) = one(vm, "symmetric_difference_update", args)?;
    let table = symmetric_table(vm, &table_of(&s), &other)?;
    replace_table(&s, table);
    Ok(Value::None)
}
